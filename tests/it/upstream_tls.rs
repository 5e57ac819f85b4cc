//! TLS to the upstream and the outbound proxy, with real handshakes: certificates made in the
//! test (rcgen), a TLS upstream that records what reached it, a `CONNECT` proxy that records
//! what it tunnelled. A refused handshake or tunnel never delivers a request.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::upstream_fixture::{
    Ca, Folder, get_item, plan, server_tls, start_bridge, start_proxy, start_upstream,
};

/// The bridge for a mapping with this `upstream:` body; returns its base URL.
fn bridge(folder: &Folder, upstream: &str) -> String {
    start_bridge(plan(&folder.mapping(upstream)))
}

#[actix_web::test]
async fn a_ca_bundle_trusts_the_upstream_and_another_does_not() {
    let corp = Ca::new("Corp Root");
    let server = corp.leaf(&["127.0.0.1", "legacy.test"], "legacy");
    let up = start_upstream(Some(server_tls(&server, None)));
    let folder = Folder::new();
    folder.write("corp.pem", &corp.pem());
    folder.write("other.pem", &Ca::new("Other Root").pem());
    let url = format!("url: https://127.0.0.1:{}/svc", up.port);

    let base = bridge(&folder, &format!("{url}\ntls: {{ ca: corp.pem }}"));
    let (status, body) = get_item(&base, "42").await;
    assert_eq!((status, body.as_str()), (200, Some("found")), "{body}");
    let got = up.received();
    assert_eq!(got.len(), 1);
    assert!(got[0].body.contains("itemId>42</"), "{}", got[0].body);
    assert_eq!(got[0].sni, None, "no SNI is sent for an IP address");

    // A bundle without the upstream's root, and the public web roots: refused, nothing sent.
    for tls in ["\ntls: { ca: other.pem }", ""] {
        let base = bridge(&folder, &format!("{url}{tls}"));
        let (status, body) = get_item(&base, "42").await;
        assert_eq!(status, 502, "{tls}: {body}");
        assert_eq!(
            body["detail"], "cannot connect to the legacy service",
            "{body}"
        );
    }
    assert_eq!(
        up.received().len(),
        1,
        "a refused handshake delivers nothing"
    );
}

#[actix_web::test]
async fn a_client_certificate_is_accepted_and_a_wrong_one_refused() {
    let corp = Ca::new("Corp Root");
    let clients = Ca::new("Client CA");
    let server = corp.leaf(&["127.0.0.1"], "legacy");
    let up = start_upstream(Some(server_tls(&server, Some(&clients))));
    let folder = Folder::new();
    folder.write("corp.pem", &corp.pem());
    let good = clients.leaf(&["soapbridge.test"], "soapbridge");
    folder.write("client.pem", &good.cert_pem);
    folder.write("client.key", &good.key_pem);
    let rogue = Ca::new("Rogue CA").leaf(&["soapbridge.test"], "soapbridge");
    folder.write("rogue.pem", &rogue.cert_pem);
    folder.write("rogue.key", &rogue.key_pem);
    let url = format!("url: https://127.0.0.1:{}/svc", up.port);

    let base = bridge(
        &folder,
        &format!("{url}\ntls: {{ ca: corp.pem, client_cert: client.pem, client_key: client.key }}"),
    );
    let (status, body) = get_item(&base, "7").await;
    assert_eq!((status, body.as_str()), (200, Some("found")), "{body}");
    let got = up.received();
    assert_eq!(got.len(), 1);
    assert!(
        got[0].client_cert,
        "the upstream saw the client certificate"
    );

    for tls in [
        "tls: { ca: corp.pem, client_cert: rogue.pem, client_key: rogue.key }",
        "tls: { ca: corp.pem }",
    ] {
        let base = bridge(&folder, &format!("{url}\n{tls}"));
        let (status, body) = get_item(&base, "7").await;
        assert_eq!(status, 502, "{tls}: {body}");
    }
    assert_eq!(
        up.received().len(),
        1,
        "no request without the right client certificate"
    );
}

#[actix_web::test]
async fn server_name_override_for_an_ip_addressed_host() {
    let corp = Ca::new("Corp Root");
    // The certificate names the host; the mapping calls it by address.
    let server = corp.leaf(&["legacy.test"], "legacy.test");
    let up = start_upstream(Some(server_tls(&server, None)));
    let folder = Folder::new();
    folder.write("corp.pem", &corp.pem());
    let url = format!("url: https://127.0.0.1:{}/svc", up.port);

    let base = bridge(&folder, &format!("{url}\ntls: {{ ca: corp.pem }}"));
    assert_eq!(
        get_item(&base, "1").await.0,
        502,
        "127.0.0.1 is not in the certificate"
    );
    assert!(up.received().is_empty());

    let base = bridge(
        &folder,
        &format!("{url}\ntls: {{ ca: corp.pem, server_name: legacy.test }}"),
    );
    let (status, body) = get_item(&base, "1").await;
    assert_eq!((status, body.as_str()), (200, Some("found")), "{body}");
    let got = up.received();
    assert_eq!(got[0].sni.as_deref(), Some("legacy.test"));
    assert!(
        got[0]
            .header("host")
            .is_some_and(|h| h.starts_with("127.0.0.1")),
        "{:?}",
        got[0].headers
    );
}

#[actix_web::test]
async fn min_version_refuses_an_older_service() {
    let corp = Ca::new("Corp Root");
    let server = corp.leaf(&["127.0.0.1"], "legacy");
    let tls12_only = {
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        rustls::ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS12])
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(server.chain(), server.key())
            .unwrap()
    };
    let up = start_upstream(Some(std::sync::Arc::new(tls12_only)));
    let folder = Folder::new();
    folder.write("corp.pem", &corp.pem());
    let url = format!("url: https://127.0.0.1:{}/svc", up.port);
    let base = bridge(&folder, &format!("{url}\ntls: {{ ca: corp.pem }}"));
    assert_eq!(
        get_item(&base, "1").await.0,
        200,
        "TLS 1.2 is accepted by default"
    );
    let base = bridge(
        &folder,
        &format!("{url}\ntls: {{ ca: corp.pem, min_version: \"1.3\" }}"),
    );
    assert_eq!(get_item(&base, "1").await.0, 502);
    assert_eq!(up.received().len(), 1);
}

#[actix_web::test]
async fn calls_tunnel_through_the_proxy_and_no_proxy_bypasses_it() {
    let plain = start_upstream(None);
    let corp = Ca::new("Corp Root");
    let secure = start_upstream(Some(server_tls(&corp.leaf(&["127.0.0.1"], "legacy"), None)));
    let proxy = start_proxy(None);
    let folder = Folder::new();
    folder.write("corp.pem", &corp.pem());
    // The proxy URL with its credentials comes from a file, as a secret does.
    let proxy_url = folder.write(
        "proxy-url",
        &format!("http://proxy-user:pr%40xy-pass@127.0.0.1:{}\n", proxy.port),
    );
    let via_proxy = format!("proxy: {{ url: \"${{file:{}}}\" }}", proxy_url.display());

    // Plain HTTP: the proxy relays (and so sees) the envelope itself.
    let base = bridge(
        &folder,
        &format!("url: http://127.0.0.1:{}/svc\n{via_proxy}", plain.port),
    );
    let (status, body) = get_item(&base, "5").await;
    assert_eq!((status, body.as_str()), (200, Some("found")), "{body}");
    let tunnels = proxy.tunnels.lock().unwrap().clone();
    assert_eq!(
        tunnels,
        [(
            format!("127.0.0.1:{}", plain.port),
            Some(format!(
                "Basic {}",
                STANDARD.encode("proxy-user:pr@xy-pass")
            ))
        )]
    );
    let relayed = String::from_utf8_lossy(&proxy.relayed.lock().unwrap()).into_owned();
    assert!(relayed.contains("itemId>5</"), "{relayed}");
    assert_eq!(plain.received().len(), 1);

    // HTTPS: the proxy tunnels bytes it cannot read; TLS runs end to end.
    let base = bridge(
        &folder,
        &format!(
            "url: https://127.0.0.1:{}/svc\ntls: {{ ca: corp.pem }}\n{via_proxy}",
            secure.port
        ),
    );
    let before = proxy.relayed.lock().unwrap().len();
    assert_eq!(get_item(&base, "6").await.0, 200);
    assert_eq!(
        proxy.tunnels.lock().unwrap().last().unwrap().0,
        format!("127.0.0.1:{}", secure.port)
    );
    let relayed = proxy.relayed.lock().unwrap()[before..].to_vec();
    assert!(
        relayed.len() > 100,
        "the proxy carried the handshake and request"
    );
    assert!(!String::from_utf8_lossy(&relayed).contains("itemId>6</"));
    assert!(secure.received()[0].body.contains("itemId>6</"));

    // NO_PROXY: the host is reached directly; the proxy sees nothing more.
    let tunnels = proxy.tunnels.lock().unwrap().len();
    let base = bridge(
        &folder,
        &format!(
            "url: http://127.0.0.1:{}/svc\nproxy: {{ url: \"${{file:{}}}\", no_proxy: \"localhost, 127.0.0.0/8\" }}",
            plain.port,
            proxy_url.display()
        ),
    );
    assert_eq!(get_item(&base, "8").await.0, 200);
    assert_eq!(proxy.tunnels.lock().unwrap().len(), tunnels);
    assert!(plain.received()[1].body.contains("itemId>8</"));
}

#[actix_web::test]
async fn a_proxy_that_refuses_the_tunnel_delivers_nothing() {
    let up = start_upstream(None);
    let proxy = start_proxy(Some("Basic bm90OnRoaXM="));
    let folder = Folder::new();
    let base = bridge(
        &folder,
        &format!(
            "url: http://127.0.0.1:{}/svc\nproxy: {{ url: \"http://127.0.0.1:{}\" }}",
            up.port, proxy.port
        ),
    );
    let started = std::time::Instant::now();
    let (status, body) = get_item(&base, "5").await;
    assert_eq!(status, 502, "{body}");
    assert!(started.elapsed() < Duration::from_secs(10));
    // Asked once, and once more: a GET is idempotent and nothing reached the service.
    assert_eq!(proxy.tunnels.lock().unwrap().len(), 2);
    assert!(
        up.received().is_empty(),
        "a refused tunnel delivers nothing"
    );
}
