//! Secrets stay secret: the binary serves two mappings that use every upstream credential this
//! suite knows (a bearer token and a proxy password from the environment, WS-Security and OAuth
//! client secrets from files, the tokens the endpoint issues), answers good and bad requests,
//! and fails a call; then its debug log, every answer, `/metrics`, `/openapi.json`,
//! `/openapi.yaml`, `/docs`, `inspect`, `check` (also of a mapping with a secret written in
//! clear) and a failed start are searched for each secret and its encodings. The upstream and
//! the proxy prove the secrets were used.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::upstream_fixture::{start_proxy, start_token_endpoint, start_upstream, wsdl};

const BEARER: &str = "bearer-SECRET-1a2b";
const WSSE_PASSWORD: &str = "wsse-SECRET-3c4d";
const PROXY_PASSWORD: &str = "proxy-SECRET-5e6f";
const CLIENT_SECRET: &str = "client-SECRET-7g8h";
const IN_CLEAR: &str = "clear-SECRET-9i0j";

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_soapbridge"));
    c.env("SOAPBRIDGE_LOG", "debug")
        .env("SBS_TOKEN", BEARER)
        .env(
            "SBS_PROXY_URL",
            "http://puser:".to_string() + PROXY_PASSWORD + "@127.0.0.1:1",
        );
    c
}

/// `GET path` over HTTP/1.0: the whole answer, head and body.
fn get(port: u16, path: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
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
    let proxy_url = format!("http://puser:{PROXY_PASSWORD}@127.0.0.1:{}", proxy.port);
    let op = "operations:\n  GetItem:\n    route: GET /items/{id}\n    request: { itemId: path.id }\n    response: getItemResult\n";
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
            "--mappings",
        ])
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
    let mut seen = String::new();
    for path in [
        "/a/items/1",
        "/a/items/not-a-number",
        "/b/items/2",
        "/b/items/3",
    ] {
        seen += &get(port, path);
    }
    up.broken.store(true, std::sync::atomic::Ordering::SeqCst);
    for path in [
        "/a/items/4",
        "/b/items/5",
        "/nowhere",
        "/metrics",
        "/openapi.json",
        "/openapi.yaml",
        "/docs",
    ] {
        seen += &get(port, path);
    }
    let _ = child.kill();
    let _ = child.wait();
    let logs = std::fs::read_to_string(&log).unwrap()
        + &std::fs::read_to_string(dir.path().join("serve.out")).unwrap();
    assert!(logs.contains("Upstream answered"), "{logs}");
    assert!(
        seen.contains("\"found\"") && seen.contains("# TYPE"),
        "{seen}"
    );

    // The secrets were used: the upstream and the proxy got them.
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
    let mut cli = run(bin().arg("inspect").arg(wsdl()));
    cli += &run(bin().arg("check").arg(&mappings));
    assert!(cli.contains("ok "), "{cli}");
    let clear = dir.path().join("clear");
    std::fs::create_dir(&clear).unwrap();
    std::fs::write(
        clear.join("c.yaml"),
        a.replace(&format!("\"${{file:{}}}\"", wsse_file.display()), IN_CLEAR),
    )
    .unwrap();
    let out = run(bin().arg("check").arg(&clear));
    assert!(
        out.contains("credentials must come from the environment"),
        "{out}"
    );
    cli += &out;
    std::fs::remove_file(&wsse_file).unwrap();
    let out = run(bin()
        .env("SBS_PROXY_URL", &proxy_url)
        .args(["serve", "--listen", "127.0.0.1:0", "--mappings"])
        .arg(&mappings)
        .current_dir(dir.path()));
    assert!(
        out.contains("wsse-password"),
        "the failed start names the file: {out}"
    );
    cli += &out;

    let everything = format!("{logs}\n{seen}\n{cli}");
    for secret in [
        BEARER,
        WSSE_PASSWORD,
        PROXY_PASSWORD,
        CLIENT_SECRET,
        IN_CLEAR,
        "tok-1",
    ] {
        for form in [
            secret.to_string(),
            STANDARD.encode(secret),
            STANDARD.encode(format!("puser:{secret}")),
            STANDARD.encode(format!("bridge:{secret}")),
        ] {
            assert!(
                !everything.contains(&form),
                "`{form}` ({secret}) leaked:\n{everything}"
            );
        }
    }
}
