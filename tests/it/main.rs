//! soapbridge's integration tests: one binary, one module per area.

mod any_content;
mod architecture;
mod browser;
mod cases;
mod cli;
mod client_auth;
mod constructs;
mod corpus;
mod corpus_memory;
mod corpus_routes;
mod corpus_serve;
mod coverage;
mod created;
mod dashboards;
mod deep_schemas;
mod differential;
mod document_limits;
mod encoded;
mod encoded_parts;
mod errors;
mod examples;
mod fail_closed;
mod fetch;
mod fuzz;
mod headers;
mod hostile;
mod hostile_answers;
mod hostile_convert;
mod hostile_proxy;
mod interop;
mod interop_gsoap;
mod interop_node;
mod interop_support;
mod jwt;
mod lenient_wire;
mod logs;
mod observe;
mod openapi;
mod otlp;
mod path_binding;
mod pki;
mod protocol;
mod roundtrip;
mod routing;
mod scale_out;
mod schemathesis;
mod secrets_rule;
mod serve;
mod standard_schemas;
mod stream;
mod stream_validate;
mod test_rules;
mod tls_listener;
mod traffic_breaker;
mod traffic_cache;
mod traffic_fixture;
mod traffic_limits;
mod traffic_reload;
mod traffic_signals;
mod traffic_versions;
mod unwrap;
mod upstream_auth;
mod upstream_fixture;
mod upstream_secrets;
mod upstream_tls;
mod validate_cli;
mod w3c;
mod w3c_schema;
mod xsd_spec;

/// The `soapbridge` binary serving the shipped sample with its default settings (mock on) on a
/// free port, killed when dropped.
pub struct Served {
    pub child: std::process::Child,
    pub port: u16,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the default command (`serve`) in the sample's copy (`tests/sample`) and waits until it
/// accepts connections.
pub fn serve_sample() -> Served {
    serve_folder(None)
}

/// [`serve_sample`] serving the mapping files of `mappings` (relative to the repository) instead
/// of the sample's.
pub fn serve_folder(mappings: Option<&str>) -> Served {
    use std::time::{Duration, Instant};
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_soapbridge"));
    if let Some(folder) = mappings {
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
        command.arg("serve").arg("--mappings").arg(folder);
    }
    let child = command
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sample"))
        .env("SOAPBRIDGE_LISTEN", format!("127.0.0.1:{port}"))
        .env_remove("CUSTOMER_URL")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let served = Served { child, port };
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the server did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    served
}

/// The app's state over the first mapping in `mappings` (relative to the repository), whose
/// upstream is that mapping's built-in mock, started on a free port in the current runtime.
pub fn state_over_mock(mappings: &str) -> std::sync::Arc<soapbridge::http::State> {
    use soapbridge::upstream::{Auth, Target};
    use std::time::Duration;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(mappings);
    let service = soapbridge::http::load_services(&dir)
        .unwrap_or_else(|d| panic!("{d}"))
        .remove(0);
    let mock = soapbridge::mock::Mock::new(service.clone());
    let (server, addr) = soapbridge::http::start_mock(mock, "127.0.0.1:0").unwrap();
    actix_web::rt::spawn(server);
    let target = Target::new(
        format!("http://{addr}/crm"),
        Auth::None,
        Duration::from_secs(5),
        Duration::from_secs(5),
    );
    std::sync::Arc::new(soapbridge::http::State::new(
        soapbridge::config::Config::default(),
        vec![service],
        vec![Some(target)],
    ))
}
