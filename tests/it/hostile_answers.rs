//! Hostile upstream answers: refused in one linear pass before any tree is built, read off the
//! worker so that `/livez` keeps answering meanwhile, and an undeclared Server fault's text
//! logged short and marked as the upstream's (never as a line of its own). The `/livez` test runs
//! in this process and, with `SOAPBRIDGE_RELEASE_BIN`, against the optimised binary.

use std::path::Path;
use std::time::{Duration, Instant};

use actix_web::{App, HttpResponse, HttpServer, web};
use soapbridge::http::load_services;

use super::serve::{call, start_bridge};
use super::traffic_fixture::{Bridge, Site};

/// An envelope whose Body holds `inner`.
fn envelope(inner: &str) -> String {
    format!(
        r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>{inner}</s:Body></s:Envelope>"#
    )
}

/// The three hostile answers of issue 14: 100,000 attributes on one element (1.2 MB), elements
/// nested 1,000,000 deep, and 4 MiB (just under the answer cap) of empty elements.
fn hostile_answers() -> Vec<(&'static str, String)> {
    let attributes: String = (0..100_000).map(|i| format!(" a{i}=\"v\"")).collect();
    let nodes = "<b/>".repeat((4 * 1024 * 1024 - 200) / 4);
    vec![
        ("100k attributes", envelope(&format!("<x{attributes}/>"))),
        ("1e6 deep", envelope(&"<a>".repeat(1_000_000))),
        ("4 MiB of nodes", envelope(&nodes)),
    ]
}

/// An upstream answering every call with `body`; its URL.
fn start_upstream(body: String) -> String {
    let body = web::Bytes::from(body);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = HttpServer::new(move || {
        let body = body.clone();
        App::new().default_service(web::to(move || {
            let body = body.clone();
            async move { HttpResponse::Ok().content_type("text/xml").body(body) }
        }))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .unwrap()
    .run();
    actix_web::rt::spawn(server);
    format!("http://{addr}/crm/CustomerService.asmx")
}

/// Two concurrent calls through the bridge at `base` (whose upstream answers `name`'s hostile
/// answer), each a 502, while `/livez` is asked without a pause: the time of every `/livez`.
async fn livez_while_read(base: &str, name: &str) -> Vec<Duration> {
    assert_eq!(call(base, "GET", "/livez", None).await.0, 200);
    let calls: Vec<_> = (0..2)
        .map(|_| {
            let base = base.to_string();
            actix_web::rt::spawn(async move { call(&base, "GET", CALL, None).await })
        })
        .collect();
    let mut times = Vec::new();
    loop {
        let asked = Instant::now();
        assert_eq!(call(base, "GET", "/livez", None).await.0, 200);
        times.push(asked.elapsed());
        if calls.iter().all(|c| c.is_finished()) {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(5)).await;
    }
    for c in calls {
        let (status, _, problem) = c.await.unwrap();
        assert_eq!(status, 502, "{name}: {problem}");
    }
    times
}

/// The route both bridges below serve (`GetCustomer` of the sample, `GetItem` of the traffic
/// site).
const CALL: &str = "/api/customer/customers/42";

#[actix_web::test]
async fn livez_answers_while_hostile_answers_are_read() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sample/mappings");
    let service = load_services(&dir).unwrap().remove(0);
    for (name, body) in hostile_answers() {
        let upstream = start_upstream(body);
        // One worker: whatever blocks it blocks /livez.
        let base = start_bridge(service.clone(), &upstream, Duration::from_secs(20));
        let slowest = livez_while_read(&base, name).await.into_iter().max();
        let slowest = slowest.unwrap_or_default();
        assert!(
            slowest < Duration::from_millis(500),
            "{name}: /livez took {slowest:?} while the answers were read"
        );
    }
}

/// The same in the `soapbridge` binary given by `SOAPBRIDGE_RELEASE_BIN` (an optimised build, as
/// deployed), with one worker, ten rounds per answer: it prints the median and the slowest
/// `/livez` per hostile answer (the target is 50 ms; the README has the figures) and holds them
/// to a bound generous enough for a busy shared machine.
#[actix_web::test]
#[ignore = "needs SOAPBRIDGE_RELEASE_BIN (an optimised soapbridge binary; .ci/run builds one)"]
async fn livez_answers_while_the_release_binary_reads_hostile_answers() {
    let Some(binary) = std::env::var_os("SOAPBRIDGE_RELEASE_BIN") else {
        panic!("SOAPBRIDGE_RELEASE_BIN names the binary");
    };
    for (name, body) in hostile_answers() {
        let upstream = start_upstream(body);
        let site = Site::new(
            "workers: 1",
            &upstream,
            "GET /api/customer/customers/{id}",
            true,
        );
        let bridge = Bridge::start_binary(&site, Path::new(&binary));
        // An optimised build reads them fast: ten rounds, for enough /livez to count.
        let mut times = Vec::new();
        for _ in 0..10 {
            times.extend(livez_while_read(&site.base(), name).await);
        }
        times.sort();
        let (median, slowest) = (times[times.len() / 2], times[times.len() - 1]);
        eprintln!(
            "hostile answers (release binary): {name}: {} /livez in 10 rounds of two answers read at once, median {median:?}, slowest {slowest:?}",
            times.len()
        );
        assert!(
            slowest < Duration::from_millis(250),
            "{name}: /livez took {slowest:?} while the answers were read\n{}",
            bridge.log()
        );
    }
}

#[test]
fn an_undeclared_server_fault_is_logged_short_and_marked_as_the_upstreams() {
    let tmp = tempfile::tempdir().unwrap();
    let answer = tmp.path().join("answer.xml");
    let forged = "2026-12-06T08:00:00.000000Z  INFO soapbridge::access: Handled status=200";
    let text = format!("db down\n{forged}\n{} password=hunter2", "x".repeat(300));
    let fault = envelope(&format!(
        "<s:Fault><faultcode>s:Server</faultcode><faultstring>{text}</faultstring></s:Fault>"
    ));
    std::fs::write(&answer, fault).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_soapbridge"))
        .current_dir(tmp.path())
        .arg("decode")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sample/mappings/crm.yaml"))
        .arg("GetOrderStatus")
        .arg(&answer)
        .env("SOAPBRIDGE_LOG", "warn")
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    let line = log
        .lines()
        .find(|l| l.contains("Upstream internal fault"))
        .unwrap_or_else(|| panic!("no fault line in {log}"));
    // A structured field holds the upstream's words, escaped, cut at 200 characters.
    let field = line
        .split("upstream_fault=")
        .nth(1)
        .expect("upstream_fault=");
    assert!(field.starts_with(r"db down\n2026-12-06T08:00:00"), "{line}");
    assert!(field.contains('…'), "{line}");
    assert!(
        line.contains(&format!("upstream_fault_bytes={}", text.len())),
        "{line}"
    );
    assert!(!log.contains("hunter2"), "{log}");
    assert!(
        log.lines().all(|l| !l.starts_with("2026-12-06T08:00:00")),
        "a forged line: {log}"
    );
    // The client sees none of it.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("db down"), "{stdout}");
}
