//! What the interop suites share: a third-party SOAP service started as a child process that
//! prints `READY <port>` once listening (killed when dropped), and the bridge in front of it,
//! from the service's own WSDL through generate and compile as an integrator would.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use soapbridge::convert::operation::ServicePlan;
use soapbridge::mapping::compile::compile_str;
use soapbridge::mapping::generate::{generate, select};

use crate::serve::start_bridge;

/// A running service, killed when dropped.
pub struct Service {
    child: Child,
    pub port: u16,
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether the suite gated by `var` is asked for; when it is not, the test is ignored by its
/// attribute, and run with `--include-ignored` only where `.ci/run` installed what it needs.
pub fn require(var: &str) {
    assert!(
        std::env::var_os(var).is_some(),
        "{var} is not set: this suite needs what .ci/run installs (run it there, or set {var}=1 once installed)"
    );
}

/// Starts `command` and waits (at most 60 s) for its `READY <port>` line; its standard error
/// goes to `log` so a failure can be shown.
pub fn start(mut command: Command, what: &str, log: &std::path::Path) -> Service {
    let err = std::fs::File::create(log).unwrap();
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::from(err))
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(p) = line.strip_prefix("READY ") {
                let _ = tx.send(p.trim().parse::<u16>().ok());
                return;
            }
        }
        let _ = tx.send(None);
    });
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(Some(port)) => Service { child, port },
        other => {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{what} did not start ({other:?}):\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
    }
}

/// The bridge in front of `url`, from the WSDL text the service published: the mapping
/// `generate` writes for `port` (the first SOAP port when `None`), its upstream pointed at `url`
/// and answers checked strictly against the schema. Returns the bridge's base URL and the
/// mapping text.
pub fn bridge(
    dir: &std::path::Path,
    wsdl_text: &[u8],
    port: Option<&str>,
    url: &str,
) -> (String, String) {
    let wsdl_path = dir.join("service.wsdl");
    std::fs::write(&wsdl_path, wsdl_text).unwrap();
    let wsdl =
        soapbridge::wsdl::load(&wsdl_path, &Default::default()).unwrap_or_else(|d| panic!("{d}"));
    let sel = select(&wsdl, None, port, None).unwrap();
    let text = generate(&wsdl, "service.wsdl", sel);
    let url_line = text
        .lines()
        .find(|l| l.trim_start().starts_with("url: "))
        .expect("a url line")
        .to_string();
    let text = text
        .replace(&url_line, &format!("  url: {url}"))
        .replace("validate_answers: warn", "validate_answers: strict");
    let mapping = dir.join(format!("{}.yaml", port.unwrap_or("service")));
    std::fs::write(&mapping, &text).unwrap();
    let compiled = compile_str(&mapping, &text).unwrap_or_else(|d| panic!("{d}\n{text}"));
    let service = Arc::new(ServicePlan::new(Arc::new(compiled)));
    (start_bridge(service, url, Duration::from_secs(10)), text)
}

/// GETs `url` (a WSDL), 200 expected.
pub async fn fetch(url: &str) -> Vec<u8> {
    let client = awc::Client::default();
    let mut resp = client.get(url).send().await.expect("the service answers");
    assert_eq!(resp.status().as_u16(), 200, "{url}");
    resp.body().limit(1 << 22).await.unwrap().to_vec()
}
