//! Secrets stay secret, at both edges. The binary serves, over TLS, two mappings that use every
//! client credential this suite knows (an API key from a keys file, JWTs checked against a JWKS
//! file, a Basic user from an htpasswd file) and every upstream credential (a bearer token and a
//! proxy password from the environment, WS-Security and OAuth client secrets from files, the
//! tokens the endpoint issues); it answers good and bad requests, refuses bad credentials and
//! fails a call. Then its debug log, every answer, `/metrics`, `/openapi.json`, `/openapi.yaml`,
//! `/docs`, `inspect`, `check` (also of a mapping with a secret written in clear), `openapi`,
//! `envelope` and a failed start are searched for each secret and its encodings: the API keys,
//! tokens and passwords clients sent (accepted or refused), the JWT signing key, the listener's
//! TLS key and the upstream credentials. The upstream and the proxy prove the upstream secrets
//! were used; the upstream's count proves no refused request reached it.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use jsonwebtoken::Algorithm;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::jwt::{SigningKey, claims, jwks, now, rsa_pem};
use crate::pki::{self, Ca};
use crate::upstream_fixture::{start_proxy, start_token_endpoint, start_upstream, wsdl};

const BEARER: &str = "bearer-SECRET-1a2b";
const WSSE_PASSWORD: &str = "wsse-SECRET-3c4d";
const PROXY_PASSWORD: &str = "proxy-SECRET-5e6f";
const CLIENT_SECRET: &str = "client-SECRET-7g8h";
const IN_CLEAR: &str = "clear-SECRET-9i0j";
const API_KEY: &str = "apikey-SECRET-k1l2";
const WRONG_KEY: &str = "wrongkey-SECRET-m3n4";
const BASIC_PASSWORD: &str = "basic-SECRET-o5p6";
const WRONG_PASSWORD: &str = "wrongpw-SECRET-q7r8";

/// The client side of the test: the listener's CA and key, the JWT signing key, a good and an
/// expired token; its settings written to `soapbridge.yaml`.
struct ClientSide {
    ca: String,
    tls_key: String,
    signing_key: String,
    token: String,
    expired: String,
    settings: std::path::PathBuf,
}

/// Writes the listener's certificate and key, an API keys file (`partner`), a JWKS file and an
/// htpasswd file (`ops`) to `dir`, and `soapbridge.yaml` naming them: schemes `keys`,
/// `staff-jwt` and `ops-basic`.
fn client_side(dir: &Path) -> ClientSide {
    let ca = Ca::new("Bridge CA");
    let leaf = ca.server("bridge");
    let cert = pki::write(dir, "listener.pem", &leaf.cert);
    let key = pki::write(dir, "listener.key", &leaf.key);
    let keys = pki::write(
        dir,
        "api-keys",
        &format!("partner sha256:{}\n", hex::encode(Sha256::digest(API_KEY))),
    );
    let htpasswd = pki::write(
        dir,
        "htpasswd",
        &format!("ops:{}\n", bcrypt::hash(BASIC_PASSWORD, 4).unwrap()),
    );
    let signing_key = rsa_pem();
    let signer = SigningKey::from_pem(Algorithm::RS256, "k1", &signing_key);
    let jwks_file = pki::write(dir, "jwks.json", &jwks(&[&signer]));
    let settings = pki::write(
        dir,
        "soapbridge.yaml",
        &format!(
            "tls:\n  cert: {}\n  key: {}\nauth:\n  schemes:\n    keys:\n      api_key: {{ keys_file: {} }}\n    staff-jwt:\n      jwt: {{ issuer: \"https://login.test/\", audience: crm, jwks_file: {} }}\n    ops-basic:\n      basic: {{ htpasswd: {} }}\n",
            cert.display(),
            key.display(),
            keys.display(),
            jwks_file.display(),
            htpasswd.display()
        ),
    );
    ClientSide {
        ca: ca.pem(),
        tls_key: leaf.key,
        token: signer.sign(&claims("alice", |_| {})),
        expired: signer.sign(&claims("mallory", |c| c["exp"] = json!(now() - 3600))),
        signing_key,
        settings,
    }
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_soapbridge"));
    // Not the repository's root: it holds the user's mappings/ and soapbridge.yaml.
    c.current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests"));
    c.env("SOAPBRIDGE_LOG", "debug")
        .env("SBS_TOKEN", BEARER)
        .env(
            "SBS_PROXY_URL",
            "http://puser:".to_string() + PROXY_PASSWORD + "@127.0.0.1:1",
        );
    c
}

/// `GET path` over HTTP/1.0 in TLS (trusting `ca`), with `header` (a `Name: value\r\n` line or
/// nothing): the whole answer, head and body.
fn get(ca: &str, port: u16, path: &str, header: &str) -> String {
    let mut cfg = pki::client_config(ca, None, rustls::DEFAULT_VERSIONS);
    cfg.alpn_protocols.clear();
    let conn =
        rustls::ClientConnection::new(Arc::new(cfg), "127.0.0.1".try_into().unwrap()).unwrap();
    let tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut s = rustls::StreamOwned::new(conn, tcp);
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n{header}\r\n").unwrap();
    let mut out = Vec::new();
    // The answer is complete when the server closes, with or without a close_notify.
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// Runs a command to its end (killed after 30 s): its stdout and stderr.
fn run(cmd: &mut Command) -> String {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

#[test]
fn secrets_never_appear_in_logs_answers_metrics_documents_or_the_cli() {
    let up = start_upstream(None);
    let proxy = start_proxy(Some(&format!(
        "Basic {}",
        STANDARD.encode(format!("puser:{PROXY_PASSWORD}"))
    )));
    let idp = start_token_endpoint("bridge", CLIENT_SECRET, 3600, Duration::ZERO);
    let dir = tempfile::tempdir().unwrap();
    let mappings = dir.path().join("mappings");
    std::fs::create_dir(&mappings).unwrap();
    let wsse_file = dir.path().join("wsse-password");
    std::fs::write(&wsse_file, WSSE_PASSWORD).unwrap();
    let client_file = dir.path().join("client-secret");
    std::fs::write(&client_file, CLIENT_SECRET).unwrap();
    let client = client_side(dir.path());
    let proxy_url = format!("http://puser:{PROXY_PASSWORD}@127.0.0.1:{}", proxy.port);
    let op = "auth: [keys, staff-jwt, ops-basic]\noperations:\n  GetItem:\n    route: GET /items/{id}\n    request: { itemId: path.id }\n    response: getItemResult\n";
    let a = format!(
        "wsdl: {}\nbase_path: /a\nupstream:\n  url: http://127.0.0.1:{}/svc\n  auth:\n    bearer: {{ token: \"${{SBS_TOKEN}}\" }}\n    wsse: {{ username: svc, password: \"${{file:{}}}\" }}\n  proxy: {{ url: \"${{SBS_PROXY_URL}}\" }}\n{op}",
        wsdl().display(),
        up.port,
        wsse_file.display()
    );
    let b = format!(
        "wsdl: {}\nbase_path: /b\nupstream:\n  url: http://127.0.0.1:{}/svc\n  auth:\n    oauth2: {{ token_url: \"{}\", client_id: bridge, client_secret: \"${{file:{}}}\" }}\n    wsse: {{ username: svc, password: \"${{file:{}}}\", digest: true, timestamp: 1m }}\n{op}",
        wsdl().display(),
        up.port,
        idp.url,
        client_file.display(),
        wsse_file.display()
    );
    std::fs::write(mappings.join("a.yaml"), &a).unwrap();
    std::fs::write(mappings.join("b.yaml"), &b).unwrap();

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let log = dir.path().join("serve.log");
    let mut child = bin()
        .env("SBS_PROXY_URL", &proxy_url)
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--config",
        ])
        .arg(&client.settings)
        .arg("--mappings")
        .arg(&mappings)
        .current_dir(dir.path())
        .stdout(std::fs::File::create(dir.path().join("serve.out")).unwrap())
        .stderr(std::fs::File::create(&log).unwrap())
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!(
                "the server did not start: {}",
                std::fs::read_to_string(&log).unwrap()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let key = format!("X-Api-Key: {API_KEY}\r\n");
    let token = format!("Authorization: Bearer {}\r\n", client.token);
    let basic = |pw: &str| {
        format!(
            "Authorization: Basic {}\r\n",
            STANDARD.encode(format!("ops:{pw}"))
        )
    };
    let mut seen = String::new();
    let mut call = |path: &str, header: &str, status: &str| {
        let answer = get(&client.ca, port, path, header);
        assert!(
            answer.starts_with(&format!("HTTP/1.0 {status} ")),
            "{path} {header}: {answer}"
        );
        seen += &answer;
    };
    call("/a/items/1", &key, "200");
    call("/a/items/not-a-number", &token, "400");
    call("/b/items/2", &basic(BASIC_PASSWORD), "200");
    call("/b/items/3", &token, "200");
    // Refused, before the upstream.
    call("/a/items/6", &format!("X-Api-Key: {WRONG_KEY}\r\n"), "401");
    call(
        "/a/items/7",
        &format!("Authorization: Bearer {}\r\n", client.expired),
        "401",
    );
    call("/b/items/8", &basic(WRONG_PASSWORD), "401");
    call("/b/items/9", "", "401");
    up.broken.store(true, std::sync::atomic::Ordering::SeqCst);
    call("/a/items/4", &key, "502");
    call("/b/items/5", &token, "502");
    for path in [
        "/nowhere",
        "/metrics",
        "/openapi.json",
        "/openapi.yaml",
        "/docs",
    ] {
        seen += &get(&client.ca, port, path, "");
    }
    let _ = child.kill();
    let _ = child.wait();
    let logs = std::fs::read_to_string(&log).unwrap()
        + &std::fs::read_to_string(dir.path().join("serve.out")).unwrap();
    // The access line names the upstream's status (it replaced the "Upstream answered" line).
    assert!(logs.contains("upstream_status=200"), "{logs}");
    assert!(
        seen.contains("\"found\"") && seen.contains("# TYPE"),
        "{seen}"
    );

    for identity in ["keys/partner", "staff-jwt/alice", "ops-basic/ops"] {
        assert!(logs.contains(identity), "{identity} not logged: {logs}");
    }

    // The secrets were used: the upstream and the proxy got them; no refused request reached it.
    let got = up.received();
    assert_eq!(got.len(), 5, "{got:?}");
    assert_eq!(
        got[0].header("authorization"),
        Some(format!("Bearer {BEARER}").as_str())
    );
    assert!(got[0].body.contains(WSSE_PASSWORD));
    assert_eq!(got[1].header("authorization"), Some("Bearer tok-1"));
    assert!(
        proxy
            .tunnels
            .lock()
            .unwrap()
            .iter()
            .all(|(_, a)| a.is_some())
    );
    assert_eq!(proxy.tunnels.lock().unwrap().len(), 2);

    // The command line: inspect, check of the served mappings and of a secret in clear, a start
    // whose secret file is missing.
    let in_dir = || {
        let mut c = bin();
        c.current_dir(dir.path());
        c
    };
    let mut cli = run(in_dir().arg("inspect").arg(wsdl()));
    cli += &run(in_dir()
        .arg("check")
        .arg("--config")
        .arg(&client.settings)
        .arg(&mappings));
    assert!(cli.contains("ok "), "{cli}");
    let out = run(in_dir()
        .arg("openapi")
        .arg("--config")
        .arg(&client.settings)
        .arg(&mappings));
    assert!(out.contains("securitySchemes"), "{out}");
    cli += &out;
    // The dry run shows the WS-Security header with the password masked, as text and as digest.
    for (mapping, kind) in [("a.yaml", "Text"), ("b.yaml", "Digest")] {
        let out = run(in_dir()
            .arg("envelope")
            .arg(mappings.join(mapping))
            .args(["GetItem", "-p", "itemId=1"]));
        assert!(
            out.contains(&format!(
                "#Password{kind}\">{}</wsse:Password>",
                soapbridge::soap::MASKED_PASSWORD
            )) && out.contains("<wsse:Username>svc</wsse:Username>"),
            "{out}"
        );
        cli += &out;
    }
    let clear = dir.path().join("clear");
    std::fs::create_dir(&clear).unwrap();
    std::fs::write(
        clear.join("c.yaml"),
        a.replace(&format!("\"${{file:{}}}\"", wsse_file.display()), IN_CLEAR),
    )
    .unwrap();
    let out = run(in_dir()
        .arg("check")
        .arg("--config")
        .arg(&client.settings)
        .arg(&clear));
    assert!(
        out.contains("credentials must come from the environment"),
        "{out}"
    );
    cli += &out;
    std::fs::remove_file(&wsse_file).unwrap();
    let out = run(in_dir()
        .env("SBS_PROXY_URL", &proxy_url)
        .args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(&client.settings)
        .arg("--mappings")
        .arg(&mappings));
    assert!(
        out.contains("wsse-password"),
        "the failed start names the file: {out}"
    );
    cli += &out;

    let everything = format!("{logs}\n{seen}\n{cli}");
    let signature = |t: &str| t.rsplit('.').next().unwrap().to_string();
    for secret in [
        BEARER,
        WSSE_PASSWORD,
        PROXY_PASSWORD,
        CLIENT_SECRET,
        IN_CLEAR,
        "tok-1",
        API_KEY,
        WRONG_KEY,
        BASIC_PASSWORD,
        WRONG_PASSWORD,
        client.token.as_str(),
        signature(&client.token).as_str(),
        client.expired.as_str(),
        signature(&client.expired).as_str(),
    ] {
        for form in [
            secret.to_string(),
            STANDARD.encode(secret),
            STANDARD.encode(format!("puser:{secret}")),
            STANDARD.encode(format!("bridge:{secret}")),
            STANDARD.encode(format!("ops:{secret}")),
        ] {
            assert!(
                !everything.contains(&form),
                "`{form}` ({secret}) leaked:\n{everything}"
            );
        }
    }
    // The private keys: the one that signs the JWTs and the listener's.
    for pem in [&client.signing_key, &client.tls_key] {
        for line in pem
            .lines()
            .filter(|l| !l.starts_with("-----") && l.len() >= 40)
        {
            assert!(
                !everything.contains(line),
                "a private key's line leaked:\n{everything}"
            );
        }
    }
}
