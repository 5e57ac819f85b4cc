//! Interop with the npm `soap` package's server (node-soap): `tests/interop/node/service.js`
//! serves `orders.wsdl` (document/literal wrapped) over SOAP 1.1 and SOAP 1.2; its WSDL is
//! fetched from it, a mapping generated for each port, and scalars, exact decimals, nested
//! types, lists (of 3, 1 and 0 items), nil, an absent element, the declared fault and a
//! receiver fault checked through the bridge, with answers validated strictly.
//!
//! Needs `node` and `npm ci` in `tests/interop/node` (`.ci/run` does both and sets
//! `SOAPBRIDGE_INTEROP_NODE=1`, then runs the ignored tests).

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use super::interop_support::{bridge, fetch, require, start};
use crate::serve::call;

fn start_node(log: &Path) -> super::interop_support::Service {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/node");
    assert!(
        dir.join("node_modules/soap").is_dir(),
        "run `npm ci` in {} first",
        dir.display()
    );
    let mut command = Command::new(std::env::var("NODE").unwrap_or_else(|_| "node".into()));
    command.arg(dir.join("service.js")).arg("0");
    start(command, "the node-soap service", log)
}

/// The same calls through the bridge, for either port.
async fn exercise(base: &str, soap: &str) {
    // Scalars.
    let (status, _, v) = call(
        base,
        "POST",
        "/api/orders/add",
        Some(json!({"a": 2, "b": 40})),
    )
    .await;
    assert_eq!((status, v), (200, json!({"sum": 42})), "{soap}");
    // Markup characters and a decimal beyond f64, both ways.
    let body: Value = serde_json::from_str(
        r#"{"text": "héllo & <x>", "count": 3, "flag": true, "amount": 12345678901234567.89}"#,
    )
    .unwrap();
    let (status, _, v) = call(base, "POST", "/api/orders/echo", Some(body)).await;
    assert_eq!(status, 200, "{soap}: {v}");
    assert_eq!(v["text"], "héllo & <x>");
    assert_eq!(v["repeated"], "héllo & <x>".repeat(3));
    assert_eq!(
        (&v["flag"], &v["negatedFlag"]),
        (&json!(true), &json!(false))
    );
    assert_eq!(v["amount"].to_string(), "12345678901234567.89", "{soap}");
    assert_eq!(v["doubledAmount"].to_string(), "24691357802469135.78");

    // Nested types and lists: 3 lines, 1, then none; nil and an absent element.
    let (status, _, v) = call(base, "GET", "/api/orders/orders/3", None).await;
    assert_eq!(status, 200, "{soap}: {v}");
    assert_eq!(
        v["shippingAddress"],
        json!({"street": "3 Main Street", "city": "Springfield"})
    );
    let lines = v["lines"].as_array().unwrap_or_else(|| panic!("{v}"));
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[2]["sku"], "SKU-3-3");
    assert_eq!(lines[1]["price"].to_string(), "20.50");
    assert_eq!(v["tags"], json!(["tag1", "tag2"]));
    assert_eq!(v["total"].to_string(), "143.50");
    assert_eq!(
        (&v["note"], &v["giftMessage"]),
        (&json!("Order 3 note"), &json!("Gift 3"))
    );
    let (_, _, v) = call(base, "GET", "/api/orders/orders/1", None).await;
    assert_eq!(
        v["lines"].as_array().map(Vec::len),
        Some(1),
        "one item is an array: {v}"
    );
    assert_eq!(v["tags"], json!(["tag1"]));
    let (status, _, v) = call(base, "GET", "/api/orders/orders/0", None).await;
    assert_eq!(status, 200, "{soap}: {v}");
    assert_eq!(v["lines"], json!([]), "{v}");
    assert_eq!(v["tags"], json!([]), "{v}");
    assert_eq!(v["giftMessage"], Value::Null, "xsi:nil is null: {v}");
    assert!(v.get("note").is_none(), "absent stays absent: {v}");

    // The declared fault, and a receiver fault.
    let (status, ct, v) = call(
        base,
        "POST",
        "/api/orders/fail-if-negative",
        Some(json!({"value": -5})),
    )
    .await;
    assert_eq!(
        (status, ct.as_str()),
        (400, "application/problem+json"),
        "{soap}: {v}"
    );
    assert_eq!(v["fault"]["name"], "NegativeValue", "{soap}: {v}");
    assert_eq!(v["fault"]["detail"]["value"], -5);
    assert_eq!(v["detail"], "value must not be negative: -5");
    let (status, _, v) = call(
        base,
        "POST",
        "/api/orders/fail-if-negative",
        Some(json!({"value": 13})),
    )
    .await;
    assert_eq!(status, 502, "{soap}: {v}");
    let (status, _, v) = call(
        base,
        "POST",
        "/api/orders/fail-if-negative",
        Some(json!({"value": 5})),
    )
    .await;
    assert_eq!((status, v), (200, json!({"value": 5})));
    // A request the schema refuses never reaches the service.
    let (status, _, v) = call(
        base,
        "POST",
        "/api/orders/add",
        Some(json!({"a": "x", "b": 1})),
    )
    .await;
    assert_eq!(
        (status, v["errors"][0]["pointer"].as_str()),
        (400, Some("/a")),
        "{v}"
    );
}

#[actix_web::test]
#[ignore = "needs SOAPBRIDGE_INTEROP_NODE (node and `npm ci` in tests/interop/node; .ci/run)"]
async fn node_soap_service_through_the_bridge() {
    require("SOAPBRIDGE_INTEROP_NODE");
    let dir = tempfile::tempdir().unwrap();
    let node = start_node(&dir.path().join("node.log"));
    let root = format!("http://127.0.0.1:{}", node.port);
    let wsdl = fetch(&format!("{root}/soap11?wsdl")).await;
    for (port, path, soap) in [
        ("OrdersSoap11", "/soap11", "SOAP 1.1"),
        ("OrdersSoap12", "/soap12", "SOAP 1.2"),
    ] {
        let (base, mapping) = bridge(dir.path(), &wsdl, Some(port), &format!("{root}{path}"));
        assert!(
            mapping.contains(&format!("port {port}, {soap})")),
            "{mapping}"
        );
        exercise(&base, soap).await;
    }
}
