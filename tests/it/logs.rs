//! The binary's log as the settings ask, read from its stderr (a file: not a terminal): JSON
//! lines that all parse, one access line per request with its request and trace id, none for
//! the health checks, the access log sampled (5xx always written), no colour codes, and a
//! bounded number of lines for requests that are not HTTP; a refused head counted and logged.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::observe::get;

/// The binary serving `tests/observe/mappings` (mock on) with `log` as its `log:` settings;
/// returns its base URL, its stderr file and the child.
fn serve(log: &str, dir: &Path) -> (String, PathBuf, std::process::Child) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mappings = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/observe/mappings");
    let settings = dir.join("settings.yaml");
    std::fs::write(
        &settings,
        format!(
            "listen: 127.0.0.1:{port}\nmappings: {}\nmock: true\nworkers: 1\nlog:\n{log}",
            mappings.display()
        ),
    )
    .unwrap();
    let stderr = dir.join("stderr.log");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_soapbridge"))
        // Not the repository's root: it holds the user's mappings/ and soapbridge.yaml.
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests"))
        .args(["serve", "--config"])
        .arg(&settings)
        .env_remove("CUSTOMER_URL")
        .env_remove("SOAPBRIDGE_LOG")
        .env_remove("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&stderr).unwrap())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < Duration::from_secs(20), "not started");
        std::thread::sleep(Duration::from_millis(100));
    }
    (format!("http://127.0.0.1:{port}"), stderr, child)
}

/// Stops the server with SIGTERM (its log flushed on the way out); its stderr.
fn stop(mut child: std::process::Child, stderr: &Path) -> String {
    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("did not stop on SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    std::fs::read_to_string(stderr).unwrap()
}

fn access_lines(log: &str) -> Vec<Value> {
    log.lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .filter(|v| v["target"] == "soapbridge::access")
        .collect()
}

#[actix_web::test]
async fn json_access_lines_carry_request_and_trace_ids_and_skip_health_checks() {
    let dir = tempfile::tempdir().unwrap();
    let (base, stderr, child) = serve("  format: json\n", dir.path());
    for i in 0..3 {
        let id = format!("log-{i}");
        let (status, headers, _) = get(
            &base,
            "/api/customer/customers/7",
            &[
                ("X-Request-Id", id.as_str()),
                (
                    "traceparent",
                    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                ),
            ],
        )
        .await;
        assert_eq!(
            (status, headers["x-request-id"].as_str()),
            (200, id.as_str())
        );
    }
    assert_eq!(get(&base, "/livez", &[]).await.0, 200);
    assert_eq!(get(&base, "/readyz", &[]).await.0, 200);
    assert_eq!(get(&base, "/metrics", &[]).await.0, 200);
    let log = stop(child, &stderr);
    assert!(!log.contains('\u{1b}'), "no colour codes into a file");
    let access = access_lines(&log);
    assert_eq!(access.len(), 3, "{log}");
    for (i, a) in access.iter().enumerate() {
        assert_eq!(a["request_id"], format!("log-{i}"), "{a}");
        assert_eq!(a["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736", "{a}");
        assert_eq!(a["route"], "/api/customer/customers/{customerId}", "{a}");
        assert_eq!(a["status"], 200, "{a}");
        assert_eq!(a["level"], "INFO");
    }
}

#[actix_web::test]
async fn a_sampled_access_log_still_writes_every_5xx_and_an_off_one_writes_none() {
    let dir = tempfile::tempdir().unwrap();
    let (base, stderr, child) = serve("  format: json\n  access_sample: 0.0\n", dir.path());
    for _ in 0..5 {
        assert_eq!(get(&base, "/api/customer/customers/7", &[]).await.0, 200);
    }
    // The mock answers a Server fault when a value asks for it: 502.
    let (status, _, body) = get(&base, "/api/customer/customers?name=mock-fault:Server", &[]).await;
    assert_eq!(status, 502, "{body}");
    let log = stop(child, &stderr);
    let access = access_lines(&log);
    assert_eq!(access.len(), 1, "{log}");
    assert_eq!(access[0]["status"], 502);

    let dir = tempfile::tempdir().unwrap();
    let (base, stderr, child) = serve("  access_log: false\n", dir.path());
    let (status, _, body) = get(&base, "/api/customer/customers?name=mock-fault:Server", &[]).await;
    assert_eq!(status, 502, "{body}");
    let log = stop(child, &stderr);
    assert!(!log.contains("soapbridge::access"), "{log}");
    assert!(
        !log.contains('\u{1b}'),
        "text, not a terminal: no colour\n{log}"
    );
    assert!(
        log.contains("Serving"),
        "the text log itself is written: {log}"
    );
}

/// Garbage cannot flood the log: 1,000 connections sending bytes that are not HTTP each get
/// the 400, are all counted in `soapbridge_protocol_refusals_total`, and write at most one
/// log line per 10 s (the codec's own ERROR line per request is dropped).
#[actix_web::test]
async fn a_thousand_garbage_requests_are_counted_and_write_a_bounded_number_of_lines() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let (base, stderr, child) = serve("  format: json\n", dir.path());
    let addr = base.strip_prefix("http://").unwrap().to_string();
    let started = Instant::now();
    for i in 0..1000 {
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.write_all(format!("garbage {i}\r\n\r\n").as_bytes())
            .unwrap();
        let mut answer = Vec::new();
        let _ = s.read_to_end(&mut answer);
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 400 "), "{i}: {answer}");
    }
    let elapsed = started.elapsed();
    let (status, _, metrics) = get(&base, "/metrics", &[]).await;
    assert_eq!(status, 200);
    assert!(
        metrics.contains("soapbridge_protocol_refusals_total{status=\"400\"} 1000\n"),
        "{metrics}"
    );
    let log = stop(child, &stderr);
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(!log.contains("stream error"), "{log}");
    let refused: Vec<&Value> = lines
        .iter()
        .filter(|v| {
            v["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("The HTTP codec refused a request"))
        })
        .collect();
    // One line at the first, then at most one per 10 s.
    let bound = 1 + elapsed.as_secs() / 10;
    assert!(
        !refused.is_empty() && refused.len() as u64 <= bound,
        "{} lines in {elapsed:?}: {log}",
        refused.len()
    );
    assert_eq!(refused[0]["level"], "WARN", "{}", refused[0]);
    assert_eq!(refused[0]["status"], 400, "{}", refused[0]);
    let told: u64 = refused
        .iter()
        .map(|v| 1 + v["more_since_last_line"].as_u64().unwrap())
        .sum();
    assert!(told <= 1000, "{log}");
    assert!(log.len() < 64 * 1024, "{} bytes of log", log.len());
}

/// A head the intake refuses is its route's answer like any other: the 413 of a body announced
/// over the limit, under `Expect: 100-continue` (answered instead of `100 Continue`) or not, is
/// counted in the route's request metrics and gets its access line.
#[actix_web::test]
async fn a_refused_head_is_counted_and_gets_its_access_line() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let (base, stderr, child) = serve("  format: json\n", dir.path());
    let addr = base.strip_prefix("http://").unwrap().to_string();
    for (id, expect) in [("big-1", "Expect: 100-continue\r\n"), ("big-2", "")] {
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let head = format!(
            "POST /api/customer/customers HTTP/1.1\r\nHost: x\r\nX-Request-Id: {id}\r\n{expect}Content-Type: application/json\r\nContent-Length: 100000000\r\n\r\n"
        );
        s.write_all(head.as_bytes()).unwrap();
        let mut answer = Vec::new();
        let _ = s.read_to_end(&mut answer);
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 413 "), "{id}: {answer}");
    }
    let (_, _, metrics) = get(&base, "/metrics", &[]).await;
    let series = r#"soapbridge_requests_total{mapping="crm",route="/api/customer/customers",method="POST",status="413"} 2"#;
    assert!(metrics.contains(series), "{metrics}");
    let log = stop(child, &stderr);
    let access = access_lines(&log);
    assert_eq!(access.len(), 2, "{log}");
    for (a, id) in access.iter().zip(["big-1", "big-2"]) {
        assert_eq!(a["request_id"], id, "{a}");
        assert_eq!(a["status"], 413, "{a}");
        assert_eq!(a["method"], "POST", "{a}");
        assert_eq!(a["route"], "/api/customer/customers", "{a}");
        assert_eq!(a["operation"], "CreateCustomer", "{a}");
    }
}
