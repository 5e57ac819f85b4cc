//! Interop with a real SOAP stack: a Python spyne service (tests/interop/spyne_service.py),
//! its WSDL fetched from it, a mapping generated from that WSDL, and the bridge in between.
//!
//! Runs when `SOAPBRIDGE_INTEROP=1` (`.ci/run` installs spyne and sets it); then a service that
//! cannot start is a failure, not a skip.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use soapbridge::convert::operation::ServicePlan;
use soapbridge::mapping::compile::compile_str;
use soapbridge::mapping::generate::{generate, select};

use crate::serve::{call, start_bridge};

struct Spyne {
    child: Child,
    port: u16,
}

impl Drop for Spyne {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_spyne() -> Spyne {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/spyne_service.py");
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let mut child = Command::new(&python)
        .arg("-u")
        .arg(&script)
        .arg("0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {python} {}: {e}", script.display()));
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
    match rx.recv_timeout(Duration::from_secs(30)) {
        Ok(Some(port)) => Spyne { child, port },
        other => {
            let _ = child.kill();
            panic!(
                "the spyne service did not start ({other:?}); install it with `pip install -r tests/interop/requirements.txt`"
            );
        }
    }
}

#[actix_web::test]
#[ignore = "needs SOAPBRIDGE_INTEROP (spyne from tests/interop/requirements.txt; .ci/run)"]
async fn spyne_service_through_the_bridge() {
    let spyne = start_spyne();
    let url = format!("http://127.0.0.1:{}/", spyne.port);

    // The WSDL as the service publishes it.
    let client = awc::Client::default();
    let mut resp = client
        .get(format!("{url}?wsdl"))
        .send()
        .await
        .expect("spyne answers");
    assert_eq!(resp.status().as_u16(), 200);
    let wsdl_text = resp.body().limit(1 << 22).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let wsdl_path = dir.path().join("interop.wsdl");
    std::fs::write(&wsdl_path, &wsdl_text).unwrap();

    // generate -> (point the upstream at the service) -> compile, as an integrator would.
    let wsdl =
        soapbridge::wsdl::load(&wsdl_path, &Default::default()).unwrap_or_else(|d| panic!("{d}"));
    let sel = select(&wsdl, None, None, None).unwrap();
    let text = generate(&wsdl, "interop.wsdl", sel);
    let url_line = text
        .lines()
        .find(|l| l.trim_start().starts_with("url: "))
        .expect("a url line")
        .to_string();
    let text = text.replace(&url_line, &format!("  url: {url}"));
    // The one edit of the REST contract: the customer's route (and its path parameter).
    assert!(text.contains("\nunwrap_lists: true\n"), "{text}");
    let generated_route =
        "    route: GET /customer\n    request:\n      customerId: query.customerId\n";
    assert!(text.contains(generated_route), "{text}");
    let text = text.replace(
        generated_route,
        "    route: GET /customers/{customerId}\n    request:\n      customerId: path.customerId\n",
    );
    let mapping = dir.path().join("interop.yaml");
    std::fs::write(&mapping, &text).unwrap();
    let compiled = compile_str(&mapping, &text).unwrap_or_else(|d| panic!("{d}\n{text}"));
    let routes: Vec<String> = compiled
        .routes
        .iter()
        .map(|r| format!("{} {}", r.method.as_str(), r.path))
        .collect();
    assert_eq!(
        routes,
        [
            "POST /api/interop/add",
            "POST /api/interop/echo",
            "GET /api/interop/order",
            "GET /api/interop/customers/{customerId}",
            "POST /api/interop/fail-if-negative"
        ],
        "{text}"
    );
    let service = Arc::new(ServicePlan::new(Arc::new(compiled)));
    let base = start_bridge(service, &url, Duration::from_secs(10));

    // Scalars, with a decimal beyond f64 and markup characters.
    let (status, _, v) = call(
        &base,
        "POST",
        "/api/interop/add",
        Some(json!({"a": 2, "b": 40})),
    )
    .await;
    assert_eq!((status, v), (200, json!({"result": 42})));
    let body: Value = serde_json::from_str(
        r#"{"text": "héllo & <x>", "count": 3, "flag": true, "amount": 12345678901234567.89}"#,
    )
    .unwrap();
    let (status, _, v) = call(&base, "POST", "/api/interop/echo", Some(body)).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["text"], "héllo & <x>");
    assert_eq!(v["repeated"], "héllo & <x>".repeat(3));
    assert_eq!(
        (
            v["count"].to_string(),
            v["flag"].clone(),
            v["negatedFlag"].clone()
        ),
        ("3".to_string(), json!(true), json!(false))
    );
    assert_eq!(
        v["amount"].to_string(),
        "12345678901234567.89",
        "digits kept both ways"
    );
    assert_eq!(v["doubledAmount"].to_string(), "24691357802469135.78");

    // Nested types and arrays: 3 lines, 1 line, 0 lines (an empty array, never an object), nil.
    let (status, _, v) = call(&base, "GET", "/api/interop/order?orderId=3", None).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        v["shippingAddress"],
        json!({"street": "3 Main Street", "city": "Springfield"})
    );
    // spyne's OrderLineArray wrapper, unwrapped (`unwrap_lists: true`, as generated).
    let lines = v["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[2]["sku"], "SKU-3-3");
    assert_eq!(lines[1]["price"].to_string(), "20.50");
    assert_eq!(v["tags"], json!(["tag1", "tag2"]));
    assert_eq!(v["total"].to_string(), "143.50");
    assert_eq!(
        (v["orderDate"].as_str(), v["createdAt"].as_str()),
        (Some("2024-01-04"), Some("2024-01-04T12:30:45+00:00"))
    );
    let (_, _, v) = call(&base, "GET", "/api/interop/order?orderId=1", None).await;
    assert_eq!(
        v["lines"].as_array().map(Vec::len),
        Some(1),
        "one item is still an array: {v}"
    );
    assert_eq!(v["tags"], json!(["tag1"]));
    let (_, _, v) = call(&base, "GET", "/api/interop/order?orderId=0", None).await;
    assert_eq!(v["lines"], json!([]), "{v}");
    assert_eq!(v["giftMessage"], Value::Null, "xsi:nil is null");
    assert!(v.get("note").is_none(), "absent stays absent: {v}");

    // The REST contract shape, from spyne's ArrayOf-style wrappers: arrays in place of wrapper
    // objects; an empty wrapper is `[]`, an absent one an absent key.
    let (status, _, v) = call(&base, "GET", "/api/interop/customers/42", None).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        v,
        json!({"id": 42, "name": "Customer 42",
            "addresses": [{"street": "42 Main Street", "city": "Springfield"},
                          {"street": "1 Harbour Road", "city": "Portsmouth"}],
            "tags": ["gold", "vip"]})
    );
    let (_, _, v) = call(&base, "GET", "/api/interop/customers/35", None).await;
    assert_eq!(v, json!({"id": 35, "name": "Customer 35", "addresses": []}));
    let (_, _, v) = call(&base, "GET", "/api/interop/customers/101", None).await;
    assert_eq!(v["addresses"].as_array().map(Vec::len), Some(1), "{v}");
    assert_eq!(v["phoneNumbers"], json!(["+1-555-101"]), "{v}");
    assert!(v.get("tags").is_none(), "absent stays absent: {v}");

    // The declared fault (a Client.* code) and a server fault.
    let (status, ct, v) = call(
        &base,
        "POST",
        "/api/interop/fail-if-negative",
        Some(json!({"value": -5})),
    )
    .await;
    assert_eq!(
        (status, ct.as_str()),
        (400, "application/problem+json"),
        "{v}"
    );
    assert_eq!(v["fault"]["name"], "NegativeValue");
    assert_eq!(v["fault"]["code"], "Client.NegativeValue");
    assert_eq!(v["fault"]["detail"]["value"], -5);
    assert_eq!(v["detail"], "value must not be negative: -5");
    let (status, _, v) = call(
        &base,
        "POST",
        "/api/interop/fail-if-negative",
        Some(json!({"value": 13})),
    )
    .await;
    assert_eq!(
        (status, v["fault"]["code"].as_str()),
        (502, Some("Server")),
        "{v}"
    );
    let (status, _, v) = call(
        &base,
        "POST",
        "/api/interop/fail-if-negative",
        Some(json!({"value": 5})),
    )
    .await;
    assert_eq!((status, v), (200, json!({"result": 5})));
}
