//! Observability over real sockets: `/metrics` parsed by a Prometheus text parser (and by
//! `promtool check metrics` when installed), request ids and trace context seen by a recording
//! upstream, the health checks.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use soapbridge::config::Config;
use soapbridge::convert::operation::ServicePlan;
use soapbridge::http::{State, configure, load_services};
use soapbridge::mock::Mock;
use soapbridge::upstream::{Auth, Target};

/// How the recording upstream answers the next calls.
#[derive(Clone, Copy)]
pub enum Mode {
    /// The built-in mock's schema-valid answer.
    Mock,
    /// A SOAP fault (the mock's, by fault name or `Client`/`Server`).
    Fault(&'static str),
    /// 200 with text that is not XML.
    Garbage,
    /// No answer for 10 s.
    Hang,
}

/// A legacy service on 127.0.0.1 that records every request's headers and answers as told.
pub struct Upstream {
    pub url: String,
    pub mode: Arc<Mutex<Mode>>,
    /// Headers of each request received, names lower-case.
    pub received: Arc<Mutex<Vec<HashMap<String, String>>>>,
}

pub fn sample_service() -> Arc<ServicePlan> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sample/mappings");
    load_services(&dir)
        .expect("the shipped mapping compiles")
        .remove(0)
}

pub fn start_upstream(service: Arc<ServicePlan>) -> Upstream {
    let mode = Arc::new(Mutex::new(Mode::Mock));
    let received = Arc::new(Mutex::new(Vec::new()));
    let mock = Arc::new(Mock::new(service));
    let (m, rec) = (mode.clone(), received.clone());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = HttpServer::new(move || {
        let (mock, m, rec) = (mock.clone(), m.clone(), rec.clone());
        App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
            let (mock, m, rec) = (mock.clone(), m.clone(), rec.clone());
            async move {
                let headers = req
                    .headers()
                    .iter()
                    .map(|(n, v)| (n.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
                    .collect();
                rec.lock().unwrap().push(headers);
                let mode = *m.lock().unwrap();
                let (status, ct, bytes) = match mode {
                    Mode::Mock => mock.answer(None, &body),
                    Mode::Fault(f) => mock.answer(Some(f), &body),
                    Mode::Garbage => (200, "text/xml".into(), b"not xml at all".to_vec()),
                    Mode::Hang => {
                        actix_web::rt::time::sleep(Duration::from_secs(10)).await;
                        (200, "text/xml".to_string(), Vec::new())
                    }
                };
                HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap())
                    .content_type(ct)
                    .body(bytes)
            }
        }))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .unwrap()
    .run();
    actix_web::rt::spawn(server);
    Upstream {
        url: format!("http://{addr}/crm/CustomerService.asmx"),
        mode,
        received,
    }
}

/// The bridge for the sample mapping pointed at `url`, with `config`; its base URL and state.
pub fn start_bridge(
    service: Arc<ServicePlan>,
    url: &str,
    timeout: Duration,
    config: Config,
) -> (String, Arc<State>) {
    let target = Target::new(url.to_string(), Auth::None, timeout, Duration::from_secs(2));
    let state = Arc::new(State::new(config, vec![service], vec![Some(target)]));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let s = state.clone();
    let server = HttpServer::new(move || App::new().configure(configure(s.clone())))
        .workers(1)
        .disable_signals()
        .listen(listener)
        .unwrap()
        .run();
    actix_web::rt::spawn(server);
    (format!("http://{addr}"), state)
}

/// A call: status, headers (lower-case names) and body text.
pub async fn get(
    base: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, HashMap<String, String>, String) {
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(20))
        .finish();
    let mut req = client.get(format!("{base}{path}"));
    for h in headers {
        req = req.insert_header(*h);
    }
    let mut resp = req.send().await.unwrap();
    let headers = resp
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let body = resp.body().limit(1 << 24).await.unwrap();
    (
        resp.status().as_u16(),
        headers,
        String::from_utf8_lossy(&body).into_owned(),
    )
}

/// `/metrics` read: its text and (name, labels, value) of every sample. The text format is
/// checked by real parsers elsewhere (`promtool check metrics`, and a Prometheus server scraping
/// it in `dashboards_and_alerts`); this only finds values.
pub async fn scrape(base: &str) -> (String, Vec<(String, HashMap<String, String>, f64)>) {
    let (status, headers, text) = get(base, "/metrics", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(
        headers["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let samples = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(sample)
        .collect();
    (text, samples)
}

/// One sample line: `name{k="v",...} value`.
fn sample(line: &str) -> (String, HashMap<String, String>, f64) {
    let (head, value) = line.rsplit_once(' ').expect("a sample line has a value");
    let value: f64 = value.parse().expect("a number");
    let Some((name, mut rest)) = head.split_once('{') else {
        return (head.to_string(), HashMap::new(), value);
    };
    let mut labels = HashMap::new();
    while let Some((key, after)) = rest.split_once("=\"") {
        let mut v = String::new();
        let mut chars = after.char_indices();
        let end = loop {
            match chars.next().expect("a closed label value") {
                (_, '\\') => match chars.next().expect("an escape").1 {
                    'n' => v.push('\n'),
                    c => v.push(c),
                },
                (i, '"') => break i,
                (_, c) => v.push(c),
            }
        };
        labels.insert(key.trim_start_matches(',').to_string(), v);
        rest = &after[end + 1..];
    }
    (name.to_string(), labels, value)
}

/// The value of the one sample named `name` whose labels include `labels`; 0 when absent.
pub fn value(
    samples: &[(String, HashMap<String, String>, f64)],
    name: &str,
    labels: &[(&str, &str)],
) -> f64 {
    let found: Vec<f64> = samples
        .iter()
        .filter(|(n, l, _)| {
            n == name
                && labels
                    .iter()
                    .all(|(k, v)| l.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|s| s.2)
        .collect();
    assert!(found.len() <= 1, "{name} {labels:?}: {found:?}");
    found.first().copied().unwrap_or(0.0)
}

#[actix_web::test]
async fn metrics_count_requests_durations_faults_and_upstream_errors() {
    let service = sample_service();
    let up = start_upstream(service.clone());
    let (base, _) = start_bridge(
        service.clone(),
        &up.url,
        Duration::from_millis(500),
        Config::default(),
    );
    // Two raw paths, one route template.
    for id in [7, 8] {
        let (s, _, body) = get(&base, &format!("/api/customer/customers/{id}"), &[]).await;
        assert_eq!(s, 200, "{body}");
    }
    *up.mode.lock().unwrap() = Mode::Fault("CustomerNotFoundFault");
    assert_eq!(get(&base, "/api/customer/customers/9", &[]).await.0, 404);
    *up.mode.lock().unwrap() = Mode::Garbage;
    assert_eq!(get(&base, "/api/customer/customers/9", &[]).await.0, 502);
    *up.mode.lock().unwrap() = Mode::Hang;
    assert_eq!(get(&base, "/api/customer/customers/9", &[]).await.0, 504);
    let (text, m) = scrape(&base).await;
    let route = [
        ("mapping", "crm"),
        ("route", "/api/customer/customers/{customerId}"),
        ("method", "GET"),
    ];
    let with = |status: &'static str| {
        let mut l = route.to_vec();
        l.push(("status", status));
        l
    };
    assert_eq!(
        value(&m, "soapbridge_requests_total", &with("200")),
        2.0,
        "{text}"
    );
    assert_eq!(value(&m, "soapbridge_requests_total", &with("404")), 1.0);
    assert_eq!(value(&m, "soapbridge_requests_total", &with("502")), 1.0);
    assert_eq!(value(&m, "soapbridge_requests_total", &with("504")), 1.0);
    assert!(
        !text.contains("customers/7"),
        "no raw path in a label: {text}"
    );
    let op = [("mapping", "crm"), ("operation", "GetCustomer")];
    assert_eq!(
        value(&m, "soapbridge_request_duration_seconds_count", &op),
        5.0
    );
    // Three calls got an answer (two good, one fault, one garbage): four observed.
    assert_eq!(
        value(&m, "soapbridge_upstream_duration_seconds_count", &op),
        4.0
    );
    assert!(value(&m, "soapbridge_upstream_answer_size_bytes_sum", &op) > 0.0);
    assert!(value(&m, "soapbridge_upstream_request_size_bytes_sum", &op) > 0.0);
    let faults: f64 = m
        .iter()
        .filter(|(n, l, _)| n == "soapbridge_soap_faults_total" && l["operation"] == "GetCustomer")
        .map(|s| s.2)
        .sum();
    assert_eq!(faults, 1.0, "{text}");
    for (kind, n) in [("bad_answer", 1.0), ("timeout", 1.0), ("connect", 0.0)] {
        let mut l = op.to_vec();
        l.push(("kind", kind));
        assert_eq!(
            value(&m, "soapbridge_upstream_errors_total", &l),
            n,
            "{kind}"
        );
    }
    assert_eq!(
        value(&m, "soapbridge_in_flight_requests", &[("mapping", "crm")]),
        0.0
    );
    assert_eq!(
        value(&m, "soapbridge_circuit_state", &[("mapping", "crm")]),
        0.0
    );
    assert_eq!(
        value(&m, "soapbridge_reloads_total", &[("result", "failure")]),
        0.0
    );
    assert_eq!(value(&m, "soapbridge_mappings_generation", &[]), 1.0);
    assert_eq!(
        value(
            &m,
            "soapbridge_answers_outside_schema_total",
            &[("mapping", "crm")]
        ),
        0.0
    );
    // Durations: buckets from 1 ms to 30 s.
    assert!(text.contains("le=\"0.001\""), "{text}");
    assert!(text.contains("le=\"30\""), "{text}");
}

#[actix_web::test]
#[ignore = "needs SOAPBRIDGE_PROMTOOL (promtool, Debian's prometheus package)"]
async fn metrics_pass_promtool_check_metrics() {
    let service = sample_service();
    let up = start_upstream(service.clone());
    let (base, _) = start_bridge(service, &up.url, Duration::from_secs(2), Config::default());
    assert_eq!(get(&base, "/api/customer/customers/7", &[]).await.0, 200);
    *up.mode.lock().unwrap() = Mode::Fault("Client");
    assert_eq!(get(&base, "/api/customer/customers/7", &[]).await.0, 400);
    let (text, _) = scrape(&base).await;
    promtool_check(&text);
}

#[actix_web::test]
async fn a_refused_connection_is_a_connect_error_and_in_flight_returns_to_zero() {
    let service = sample_service();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (base, _) = start_bridge(
        service,
        &format!("http://127.0.0.1:{port}/x"),
        Duration::from_secs(2),
        Config::default(),
    );
    assert_eq!(get(&base, "/api/customer/customers/1", &[]).await.0, 502);
    let (_, m) = scrape(&base).await;
    let l = [("operation", "GetCustomer"), ("kind", "connect")];
    assert_eq!(value(&m, "soapbridge_upstream_errors_total", &l), 1.0);
    assert_eq!(
        value(&m, "soapbridge_in_flight_requests", &[("mapping", "crm")]),
        0.0
    );
}

#[test]
fn fault_codes_are_bounded() {
    let service = sample_service();
    let labels = &soapbridge::http::metrics::RouteLabels::table(&[service])[0][0];
    let metrics = soapbridge::http::metrics::Metrics::new();
    for i in 0..200 {
        metrics.soap_fault(labels, &format!("code{i}"));
    }
    metrics.soap_fault(labels, "with\nline break");
    let text = metrics.text();
    let series = text
        .lines()
        .filter(|l| l.starts_with("soapbridge_soap_faults_total{"))
        .count();
    assert_eq!(series, soapbridge::http::metrics::FAULT_CODES + 1, "{text}");
    assert!(
        text.contains("fault_code=\"other\"} 169"),
        "200 - 32 + the line break: {text}"
    );
}

/// `promtool check metrics` (Debian's `prometheus` package) on the text: it must parse, and
/// promtool's lint must find nothing.
pub fn promtool_check(text: &str) {
    use std::io::Write;
    let mut child = std::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("promtool runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool check metrics: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[actix_web::test]
async fn request_ids_and_trace_context_reach_the_upstream_and_come_back() {
    let service = sample_service();
    let up = start_upstream(service.clone());
    let (base, _) = start_bridge(service, &up.url, Duration::from_secs(2), Config::default());
    // The client's id and trace context: kept, returned, passed on (a new parent id).
    let (status, headers, _) = get(
        &base,
        "/api/customer/customers/7",
        &[
            ("X-Request-Id", "order-42.retry-1"),
            (
                "traceparent",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            ),
            ("tracestate", "congo=t61rcWkgMzE"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(headers["x-request-id"], "order-42.retry-1");
    // Without any: an id is made up and returned, a trace started; a forged id is replaced.
    let (_, made, _) = get(&base, "/api/customer/customers/7", &[]).await;
    let (_, forged, _) = get(
        &base,
        "/api/customer/customers/7",
        &[("X-Request-Id", "x\" level=ERROR msg=\"forged")],
    )
    .await;
    // A fault still carries the id.
    *up.mode.lock().unwrap() = Mode::Fault("Client");
    let (status, fault, _) = get(
        &base,
        "/api/customer/customers/7",
        &[("X-Request-Id", "f-1")],
    )
    .await;
    assert_eq!((status, fault["x-request-id"].as_str()), (400, "f-1"));
    let received = up.received.lock().unwrap().clone();
    assert_eq!(received.len(), 4);
    let first = &received[0];
    assert_eq!(first["x-request-id"], "order-42.retry-1");
    let tp: Vec<&str> = first["traceparent"].split('-').collect();
    assert_eq!(tp[0], "00");
    assert_eq!(tp[1], "4bf92f3577b34da6a3ce929d0e0e4736");
    assert_ne!(
        tp[2], "00f067aa0ba902b7",
        "the bridge's own span is the parent"
    );
    assert_eq!(tp[2].len(), 16);
    assert_eq!(tp[3], "01");
    assert_eq!(first["tracestate"], "congo=t61rcWkgMzE");
    let second = &received[1];
    assert_eq!(second["x-request-id"], made["x-request-id"]);
    assert_eq!(made["x-request-id"].len(), 36, "a UUID");
    assert_ne!(second["traceparent"].split('-').nth(1), Some(tp[1]));
    assert!(!second.contains_key("tracestate"));
    assert_ne!(forged["x-request-id"], "x\" level=ERROR msg=\"forged");
    assert_eq!(received[2]["x-request-id"], forged["x-request-id"]);
    assert_eq!(received[3]["x-request-id"], "f-1");
}

#[actix_web::test]
async fn readyz_fails_without_mappings_during_drain_and_on_an_open_circuit_when_asked() {
    let service = sample_service();
    let up = start_upstream(service.clone());
    let mut config = Config::default();
    config.readiness.fail_on_open_circuit = true;
    let (base, state) = start_bridge(service, &up.url, Duration::from_secs(2), config);
    let (status, _, body) = get(&base, "/readyz", &[]).await;
    assert_eq!((status, body.as_str()), (200, r#"{"status":"ready"}"#));
    state.health.set_circuit_open("crm", true);
    let (status, _, body) = get(&base, "/readyz", &[]).await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains(r#""reasons":["circuit_open"]"#), "{body}");
    state.health.set_circuit_open("crm", false);
    assert_eq!(get(&base, "/readyz", &[]).await.0, 200);
    state.health.set_draining(true);
    let (status, _, body) = get(&base, "/readyz", &[]).await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("draining"), "{body}");
    // Liveness does not change, and neither check counts as a request.
    assert_eq!(get(&base, "/livez", &[]).await.0, 200);
    let (text, _) = scrape(&base).await;
    assert!(
        !text.contains("readyz") && !text.contains("livez"),
        "{text}"
    );
    // No mappings loaded: not ready.
    let state = Arc::new(State::new(Config::default(), vec![], vec![]));
    let (ready, body) = state.health.readiness();
    assert!(!ready);
    assert_eq!(body["reasons"][0], "mappings_not_loaded");
}

#[actix_web::test]
async fn health_checks_and_metrics_need_no_credentials_where_routes_do() {
    use super::client_auth::{bridge, fixture, recorder, settings};
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    // `ID sha256:HEX` of the key "k".
    std::fs::write(
        &keys,
        "ops sha256:8254c329a92850f6d539dd376f4816ee2764517da5e0235514af433164480d7a\n",
    )
    .unwrap();
    let config = settings(
        dir.path(),
        &format!(
            "auth:\n  schemes:\n    partner-keys:\n      api_key: {{ keys_file: {} }}\n",
            keys.display()
        ),
    );
    let svc = fixture("crm.yaml", "partner-keys");
    let (up, _) = recorder(svc.clone());
    let base = bridge(config, svc, &up).await;
    let (status, headers, _) = get(&base, "/api/customer/customers?city=Paris", &[]).await;
    assert_eq!(status, 401);
    assert!(
        headers.contains_key("x-request-id"),
        "a refusal has its id too"
    );
    for path in ["/livez", "/readyz", "/metrics"] {
        assert_eq!(get(&base, path, &[]).await.0, 200, "{path}");
    }
    let (_, m) = scrape(&base).await;
    let refused = [("route", "/api/customer/customers"), ("status", "401")];
    assert_eq!(value(&m, "soapbridge_requests_total", &refused), 1.0);
}
