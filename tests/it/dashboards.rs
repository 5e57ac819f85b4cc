//! The shipped Grafana dashboard and Prometheus alert rules (`deploy/`) against the real
//! `/metrics`: every series they name is exposed, every dashboard query returns data from a real
//! Prometheus server scraping the bridge, and promtool accepts and unit-tests the rules.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;
use soapbridge::config::Config;
use soapbridge::http::metrics::CircuitState;

use super::observe::{Mode, get, sample_service, start_bridge, start_upstream};

const DASHBOARD: &str = "deploy/compose/grafana/provisioning/dashboards/soapbridge.json";
const ALERTS: &str = "deploy/monitoring/alerts.yaml";

fn repo(p: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

/// Every query of the dashboard.
fn dashboard_queries() -> Vec<String> {
    let d: Value = serde_json::from_str(&std::fs::read_to_string(repo(DASHBOARD)).unwrap())
        .expect("the dashboard is JSON");
    let mut out = Vec::new();
    for p in d["panels"].as_array().unwrap() {
        for t in p["targets"].as_array().unwrap() {
            out.push(t["expr"].as_str().unwrap().to_string());
        }
    }
    assert!(out.len() >= 12);
    out
}

/// The `soapbridge_*` series a query names (a histogram's `_bucket`/`_sum`/`_count` included).
fn series_named(expr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = expr;
    while let Some(i) = rest.find("soapbridge_") {
        let tail = &rest[i..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        out.push(tail[..end].to_string());
        rest = &tail[end..];
    }
    out
}

/// A bridge that has served every kind of outcome, and counted every traffic series.
async fn exercised() -> (String, String) {
    let service = sample_service();
    let up = start_upstream(service.clone());
    let (base, state) = start_bridge(
        service,
        &up.url,
        Duration::from_millis(300),
        Config::default(),
    );
    assert_eq!(get(&base, "/api/customer/customers/1", &[]).await.0, 200);
    *up.mode.lock().unwrap() = Mode::Fault("Client");
    assert_eq!(get(&base, "/api/customer/customers/1", &[]).await.0, 400);
    *up.mode.lock().unwrap() = Mode::Garbage;
    assert_eq!(get(&base, "/api/customer/customers/1", &[]).await.0, 502);
    *up.mode.lock().unwrap() = Mode::Mock;
    // What the traffic code counts, through the same functions it calls.
    let m = &state.metrics;
    m.rate_limited("client");
    m.shed("crm", "in_flight");
    m.circuit_state("crm", CircuitState::Closed);
    m.deprecated_call(&soapbridge::http::metrics::RouteLabels::table(&state.services)[0][0]);
    m.reloaded(true, 2);
    (base, state.metrics.text())
}

#[actix_web::test]
async fn every_series_the_dashboard_and_the_alerts_name_is_exposed() {
    let (_, text) = exercised().await;
    let alerts = std::fs::read_to_string(repo(ALERTS)).unwrap();
    let mut names = Vec::new();
    for q in dashboard_queries() {
        names.extend(series_named(&q));
    }
    names.extend(series_named(&alerts));
    assert!(names.len() > 20);
    for n in names {
        assert!(
            text.lines()
                .any(|l| l.starts_with(&format!("{n}{{")) || l.starts_with(&format!("{n} "))),
            "`{n}` is not in /metrics:\n{text}"
        );
    }
}

#[test]
#[ignore = "needs SOAPBRIDGE_PROMTOOL (promtool, Debian's prometheus package)"]
fn promtool_accepts_and_unit_tests_the_alert_rules() {
    for args in [
        vec!["check", "rules", "alerts.yaml"],
        vec!["test", "rules", "alerts.test.yaml"],
    ] {
        let out = std::process::Command::new("promtool")
            .args(&args)
            .current_dir(repo("deploy/monitoring"))
            .output()
            .expect("promtool runs");
        assert!(
            out.status.success(),
            "promtool {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// A Prometheus server (Debian's `prometheus`) on a free port, scraping `target` every second;
/// killed when dropped.
struct Prometheus {
    child: std::process::Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_prometheus(target: &str) -> Prometheus {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: soapbridge\n    static_configs:\n      - targets: [\"{target}\"]\n"
        ),
    )
    .unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = std::process::Command::new("prometheus")
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.path().join("data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("prometheus starts");
    Prometheus {
        child,
        url: format!("http://127.0.0.1:{port}"),
        _dir: dir,
    }
}

/// An instant query's result vector, or `None` while the server cannot answer.
async fn query(prom: &str, expr: &str) -> Option<Value> {
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(5))
        .finish();
    let mut resp = client
        .get(format!("{prom}/api/v1/query"))
        .query(&[("query", expr)])
        .ok()?
        .send()
        .await
        .ok()?;
    let v: Value = serde_json::from_slice(&resp.body().await.ok()?).ok()?;
    assert_eq!(v["status"], "success", "{expr}: {v}");
    Some(v["data"]["result"].clone())
}

#[actix_web::test]
#[ignore = "needs SOAPBRIDGE_PROMTOOL (Debian's prometheus package: the Prometheus server)"]
async fn every_dashboard_query_returns_data_from_a_real_prometheus() {
    let (base, _) = exercised().await;
    let prom = start_prometheus(base.trim_start_matches("http://"));
    let started = Instant::now();
    // Grafana's variables, as Grafana would fill them for a short range.
    let queries: Vec<String> = dashboard_queries()
        .into_iter()
        .map(|q| {
            q.replace("$__rate_interval", "15s")
                .replace("$__range", "1m")
        })
        .collect();
    let mut empty = queries.clone();
    while !empty.is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(40),
            "no data for: {empty:#?}"
        );
        actix_web::rt::time::sleep(Duration::from_millis(500)).await;
        // Keep traffic coming so that rates have two samples.
        let _ = get(&base, "/api/customer/customers/1", &[]).await;
        let mut still = Vec::new();
        for q in &empty {
            match query(&prom.url, q).await {
                Some(r) if r.as_array().is_some_and(|a| !a.is_empty()) => {}
                _ => still.push(q.clone()),
            }
        }
        empty = still;
    }
}
