//! HTTPS on the listener with certificates made in the test: HTTP/2 by ALPN, client
//! certificates (accepted, refused by subject, refused in the handshake when from another CA or
//! absent where required) with the subject as the identity, the lowest TLS version, and a
//! renewed certificate served without a restart.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::client_auth::{bridge, fixture, recorder, send, settings};
use crate::pki::{self, Ca, Leaf};

/// Settings for HTTPS with `server`'s certificate, client certificates of `client_ca`, and a
/// `client_cert` scheme accepting `CN=billing, O=Acme`.
fn tls_settings(
    dir: &std::path::Path,
    server: &Leaf,
    client_ca: &Ca,
    mode: &str,
    extra: &str,
) -> soapbridge::config::Config {
    let cert = pki::write(dir, "cert.pem", &server.cert);
    let key = pki::write(dir, "key.pem", &server.key);
    let ca = pki::write(dir, "clients.pem", &client_ca.pem());
    settings(
        dir,
        &format!(
            "tls:\n  cert: {}\n  key: {}\n  client_ca: {}\n  client_cert: {mode}\n{extra}auth:\n  schemes:\n    partner-cert:\n      client_cert: {{ subjects: [\"CN=billing, O=Acme\"] }}\n",
            cert.display(),
            key.display(),
            ca.display()
        ),
    )
}

#[actix_rt::test]
async fn https_http2_and_client_certificates_as_identities() {
    let (server_ca, client_ca, stranger_ca) = (
        Ca::new("Server CA"),
        Ca::new("Client CA"),
        Ca::new("Other CA"),
    );
    let dir = tempfile::tempdir().unwrap();
    let config = tls_settings(
        dir.path(),
        &server_ca.server("bridge"),
        &client_ca,
        "optional",
        "",
    );
    let svc = fixture("crm.yaml", "partner-cert");
    let (up, received) = recorder(svc.clone());
    let base = bridge(config, svc, &up).await;
    assert!(base.starts_with("https://"), "{base}");
    let url = format!("{base}/api/customer/customers");

    let anonymous = pki::https(&server_ca.pem(), None);
    let mut resp = anonymous
        .get(&format!("{base}/livez"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.version(),
        actix_web::http::Version::HTTP_2,
        "HTTP/2 over TLS"
    );
    let _ = resp.body().await;
    let r = send(Some(&anonymous), "GET", &url, &[], None).await;
    assert_eq!(r.status, 401, "{:?}", r.body);

    let billing = pki::https(&server_ca.pem(), Some(&client_ca.client("billing")));
    let r = send(Some(&billing), "GET", &url, &[], None).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let envelope = received.lock().unwrap()[0].clone();
    assert!(
        envelope.contains(">CN=billing,O=Acme<"),
        "the certificate's subject is the identity: {envelope}"
    );

    let other = pki::https(&server_ca.pem(), Some(&client_ca.client("other")));
    let r = send(Some(&other), "GET", &url, &[], None).await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.body["detail"],
        "the client certificate's subject is not accepted"
    );

    let forged = pki::https(&server_ca.pem(), Some(&stranger_ca.client("billing")));
    let refused = forged.get(&url).send().await;
    assert!(
        refused.is_err(),
        "a certificate of another CA passed the handshake"
    );
    assert_eq!(
        received.lock().unwrap().len(),
        1,
        "a refused caller reached the upstream"
    );
}

#[actix_rt::test]
async fn required_client_certificates_and_the_lowest_version() {
    let (server_ca, client_ca) = (Ca::new("Server CA"), Ca::new("Client CA"));
    let dir = tempfile::tempdir().unwrap();
    let config = tls_settings(
        dir.path(),
        &server_ca.server("bridge"),
        &client_ca,
        "required",
        "  min_version: \"1.3\"\n",
    );
    let svc = fixture("crm.yaml", "partner-cert");
    let (up, _) = recorder(svc.clone());
    let base = bridge(config, svc, &up).await;
    let url = format!("{base}/livez");
    let anonymous = pki::https(&server_ca.pem(), None);
    assert!(
        anonymous.get(&url).send().await.is_err(),
        "no certificate passed a required handshake"
    );
    let billing = client_ca.client("billing");
    assert_eq!(
        pki::https(&server_ca.pem(), Some(&billing))
            .get(&url)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let tls12 = pki::client(pki::client_config(
        &server_ca.pem(),
        Some(&billing),
        &[&rustls::version::TLS12],
    ));
    assert!(
        tls12.get(&url).send().await.is_err(),
        "TLS 1.2 passed `min_version: 1.3`"
    );
}

/// The certificate the listener at `port` presents now (a blocking handshake).
fn presented(port: u16, ca: &str) -> Vec<u8> {
    use std::io::Write;
    let mut cfg = pki::client_config(ca, None, rustls::DEFAULT_VERSIONS);
    cfg.alpn_protocols.clear();
    let mut conn =
        rustls::ClientConnection::new(Arc::new(cfg), "127.0.0.1".try_into().unwrap()).unwrap();
    let mut tcp = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    while conn.is_handshaking() {
        conn.complete_io(&mut tcp).unwrap();
    }
    let der = conn.peer_certificates().unwrap()[0].to_vec();
    conn.send_close_notify();
    let _ = conn.complete_io(&mut tcp);
    let _ = tcp.flush();
    der
}

#[actix_rt::test]
async fn a_renewed_certificate_is_served_without_a_restart() {
    let ca = Ca::new("Server CA");
    let dir = tempfile::tempdir().unwrap();
    let first = ca.server("first");
    let cert = pki::write(dir.path(), "cert.pem", &first.cert);
    let key = pki::write(dir.path(), "key.pem", &first.key);
    let keys = pki::write(
        dir.path(),
        "keys",
        &format!("k sha256:{}\n", "0".repeat(64)),
    );
    let config = settings(
        dir.path(),
        &format!(
            "tls: {{ cert: {}, key: {} }}\nauth:\n  schemes:\n    partner-keys:\n      api_key: {{ keys_file: {} }}\n",
            cert.display(),
            key.display(),
            keys.display()
        ),
    );
    let svc = fixture("crm.yaml", "partner-keys");
    let (up, _) = recorder(svc.clone());
    let base = bridge(config, svc, &up).await;
    let port: u16 = base.rsplit(':').next().unwrap().parse().unwrap();
    let der = |pem: &str| {
        CertificateDer::from_pem_slice(pem.as_bytes())
            .unwrap()
            .to_vec()
    };
    let ca_pem = ca.pem();
    let p = ca_pem.clone();
    let now = actix_web::rt::task::spawn_blocking(move || presented(port, &p))
        .await
        .unwrap();
    assert_eq!(now, der(&first.cert));

    // A half-written pair (a key that does not match) keeps the old certificate.
    let second = ca.server("second");
    std::fs::write(&key, &second.key).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let p = ca_pem.clone();
    let now = actix_web::rt::task::spawn_blocking(move || presented(port, &p))
        .await
        .unwrap();
    assert_eq!(now, der(&first.cert), "a mismatched pair was served");
    std::fs::write(&cert, &second.cert).unwrap();
    let started = Instant::now();
    loop {
        let p = ca_pem.clone();
        let now = actix_web::rt::task::spawn_blocking(move || presented(port, &p))
            .await
            .unwrap();
        if now == der(&second.cert) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the renewed certificate was not served"
        );
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
}

#[test]
fn bad_tls_settings_are_located() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("CA");
    let a = ca.server("a");
    let b = ca.server("b");
    let cert = pki::write(dir.path(), "cert.pem", &a.cert);
    let key = pki::write(dir.path(), "key.pem", &b.key);
    let config = settings(
        dir.path(),
        &format!(
            "tls:\n  cert: {}\n  key: {}\n  min_version: \"1.1\"\n",
            cert.display(),
            key.display()
        ),
    );
    let problems: Vec<String> = soapbridge::http::tls::listener(&config)
        .err()
        .unwrap()
        .iter()
        .map(|d| d.to_string())
        .collect();
    let text = problems.join("\n");
    assert!(
        text.contains("soapbridge.yaml:3:8: the private key")
            && text.contains("does not match the certificate"),
        "{text}"
    );
    assert!(
        text.contains("soapbridge.yaml:4:16: `1.1` is not a TLS version soapbridge serves"),
        "{text}"
    );

    // Missing files: the key beside a good certificate, the client CA; each at its place, with
    // a hint; and `check` says the same.
    let config = settings(
        dir.path(),
        &format!(
            "tls:\n  cert: {}\n  key: missing.key\n  client_ca: missing-ca.pem\n",
            cert.display()
        ),
    );
    let problems: Vec<String> = soapbridge::http::tls::listener(&config)
        .err()
        .unwrap()
        .iter()
        .map(|d| d.to_string())
        .collect();
    let text = problems.join("\n");
    assert!(
        text.contains("soapbridge.yaml:3:8: cannot read the private key `missing.key`"),
        "{text}"
    );
    assert!(
        text.contains("soapbridge.yaml:4:14: cannot read `missing-ca.pem`"),
        "{text}"
    );
    assert_eq!(text.matches("hint:").count(), 2, "{text}");
    let crm = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/security/orders.yaml");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_soapbridge"))
        .current_dir(dir.path())
        .arg("check")
        .arg(&crm)
        .arg("--config")
        .arg(dir.path().join("soapbridge.yaml"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("soapbridge.yaml:3:8: cannot read the private key")
            && err.contains("soapbridge.yaml:4:14: cannot read `missing-ca.pem`"),
        "{err}"
    );
}
