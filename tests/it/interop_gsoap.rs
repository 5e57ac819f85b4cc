//! Interop with gSOAP: a C service built at test time from `tests/interop/gsoap/calc.wsdl` by
//! Debian's gsoap (`build.sh`: wsdl2h, soapcpp2, gcc with libgsoap), rpc/encoded over SOAP 1.1
//! and SOAP 1.2, with SOAP arrays both ways and multi-referenced values in its answers
//! (`href`/`id` in SOAP 1.1, `enc:ref`/`enc:id` in SOAP 1.2). A mapping is generated from the
//! same WSDL for each port, and scalars, exact decimals, nested types, arrays of 3, 1 and 0
//! items, nil, the declared fault and a receiver fault are checked through the bridge.
//!
//! And WS-Addressing with gSOAP's own `wsaapi` plugin: a service built from
//! `tests/interop/gsoap/addr.h` (`build-addr.sh`) that requires `wsa:Action`, `wsa:MessageID`,
//! `wsa:ReplyTo` and `wsa:To` and checks them, and addresses its answers (`wsa:RelatesTo`, its
//! action); the bridge calls it through a mapping generated from `addr.wsdl`, addressing on.
//!
//! Needs `wsdl2h`, `soapcpp2`, `gcc` and libgsoap (`.ci/run` installs Debian's `gsoap` and
//! `libgsoap-dev`, sets `SOAPBRIDGE_INTEROP_GSOAP=1` and runs the ignored tests).

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use super::interop_support::{Service, bridge, require, start};
use crate::serve::{call, start_bridge};

fn gsoap_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/gsoap")
}

/// Builds the service into `out` and starts it.
fn build_and_start(out: &Path) -> Service {
    let built = Command::new("bash")
        .arg(gsoap_dir().join("build.sh"))
        .arg(out)
        .output()
        .expect("bash runs");
    assert!(
        built.status.success(),
        "building the gSOAP service failed (are gsoap and libgsoap-dev installed?):\n{}{}",
        String::from_utf8_lossy(&built.stdout),
        String::from_utf8_lossy(&built.stderr)
    );
    let mut command = Command::new(out.join("calc-server"));
    command.arg("0");
    start(command, "the gSOAP service", &out.join("server.log"))
}

async fn exercise(base: &str, soap: &str) {
    // Scalars.
    let (status, _, v) = call(
        base,
        "POST",
        "/api/calc/add",
        Some(json!({"a": 2, "b": 40})),
    )
    .await;
    assert_eq!((status, v), (200, json!({"sum": 42})), "{soap}");
    // Text with markup and non-ASCII characters; a negative decimal beyond f64, both ways.
    let body: Value = serde_json::from_str(
        r#"{"text": "héllo & <x>", "count": 3, "flag": true, "amount": -12345678901234567.89}"#,
    )
    .unwrap();
    let (status, _, v) = call(base, "POST", "/api/calc/echo", Some(body)).await;
    assert_eq!(status, 200, "{soap}: {v}");
    assert_eq!(v["text"], "héllo & <x>");
    assert_eq!(v["repeated"], "héllo & <x>".repeat(3));
    assert_eq!(v["negatedFlag"], json!(false));
    assert_eq!(
        v["doubledAmount"].to_string(),
        "-24691357802469135.78",
        "{soap}"
    );

    // Nested types, SOAP arrays and a multi-referenced address.
    let (status, _, v) = call(base, "GET", "/api/calc/orders/3", None).await;
    assert_eq!(status, 200, "{soap}: {v}");
    let address = json!({"street": "3 Main Street", "city": "Springfield"});
    assert_eq!(v["shippingAddress"], address, "{soap}: {v}");
    assert_eq!(v["billingAddress"], address, "the reference followed: {v}");
    let lines = v["lines"].as_array().unwrap_or_else(|| panic!("{v}"));
    assert_eq!(lines.len(), 3, "{v}");
    assert_eq!(lines[2]["sku"], "SKU-3-3");
    assert_eq!(lines[1]["price"].to_string(), "20.50");
    assert_eq!(v["tags"], json!(["tag1", "tag2"]));
    assert_eq!(v["note"], "Order 3 note");
    assert_eq!(v["total"].to_string(), "143.50");
    let (_, _, v) = call(base, "GET", "/api/calc/orders/1", None).await;
    assert_eq!(v["lines"].as_array().map(Vec::len), Some(1), "{v}");
    assert_eq!(v["tags"], json!(["tag1"]));
    let (status, _, v) = call(base, "GET", "/api/calc/orders/0", None).await;
    assert_eq!(status, 200, "{soap}: {v}");
    assert_eq!((&v["lines"], &v["tags"]), (&json!([]), &json!([])), "{v}");
    assert_eq!(v["note"], Value::Null, "xsi:nil is null: {v}");

    // A SOAP array in the request: gSOAP reads it and sums it exactly.
    let lines = json!({"lines": [
        {"sku": "a", "quantity": 2, "price": 10.25},
        {"sku": "b", "quantity": 1, "price": 0.5},
        {"sku": "c", "quantity": 3, "price": 1}
    ]});
    let (status, _, v) = call(base, "POST", "/api/calc/sum-lines", Some(lines)).await;
    assert_eq!(
        (status, v.to_string()),
        (200, r#"{"total":24.00}"#.to_string()),
        "{soap}"
    );
    let (status, _, v) = call(
        base,
        "POST",
        "/api/calc/sum-lines",
        Some(json!({"lines": []})),
    )
    .await;
    assert_eq!(
        (status, v.to_string()),
        (200, r#"{"total":0.00}"#.to_string()),
        "{soap}"
    );

    // The declared fault, and a receiver fault.
    let (status, ct, v) = call(
        base,
        "POST",
        "/api/calc/fail-if-negative",
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
        "/api/calc/fail-if-negative",
        Some(json!({"value": 13})),
    )
    .await;
    assert_eq!(status, 502, "{soap}: {v}");
    let (status, _, v) = call(
        base,
        "POST",
        "/api/calc/fail-if-negative",
        Some(json!({"value": 5})),
    )
    .await;
    assert_eq!((status, v), (200, json!({"result": 5})), "{soap}");
}

#[actix_web::test]
#[ignore = "needs SOAPBRIDGE_INTEROP_GSOAP (Debian's gsoap and libgsoap-dev, gcc; .ci/run)"]
async fn gsoap_service_through_the_bridge() {
    require("SOAPBRIDGE_INTEROP_GSOAP");
    let dir = tempfile::tempdir().unwrap();
    let server = build_and_start(&dir.path().join("build"));
    let url = format!("http://127.0.0.1:{}/", server.port);
    let wsdl = std::fs::read(gsoap_dir().join("calc.wsdl")).unwrap();
    for (port, soap) in [("CalcSoap11", "SOAP 1.1"), ("CalcSoap12", "SOAP 1.2")] {
        let (base, mapping) = bridge(dir.path(), &wsdl, Some(port), &url);
        assert!(
            mapping.contains(&format!("port {port}, {soap})")),
            "{mapping}"
        );
        exercise(&base, soap).await;
    }
}

/// Builds the WS-Addressing service into `out` and starts it.
fn build_and_start_addr(out: &Path) -> Service {
    let built = Command::new("bash")
        .arg(gsoap_dir().join("build-addr.sh"))
        .arg(out)
        .output()
        .expect("bash runs");
    assert!(
        built.status.success(),
        "building the gSOAP WS-Addressing service failed (are gsoap and libgsoap-dev installed?):\n{}{}",
        String::from_utf8_lossy(&built.stdout),
        String::from_utf8_lossy(&built.stderr)
    );
    let mut command = Command::new(out.join("addr-server"));
    command.arg("0");
    start(
        command,
        "the gSOAP WS-Addressing service",
        &out.join("server.log"),
    )
}

#[actix_web::test]
#[ignore = "needs SOAPBRIDGE_INTEROP_GSOAP (Debian's gsoap and libgsoap-dev, gcc; .ci/run)"]
async fn gsoap_wsaapi_service_checks_our_ws_addressing() {
    require("SOAPBRIDGE_INTEROP_GSOAP");
    let dir = tempfile::tempdir().unwrap();
    let server = build_and_start_addr(&dir.path().join("build"));
    // The service checks that wsa:To is this very address.
    let url = format!("http://127.0.0.1:{}/addr", server.port);
    let wsdl = std::fs::read(gsoap_dir().join("addr.wsdl")).unwrap();
    let (base, mapping) = bridge(dir.path(), &wsdl, None, &url);
    assert!(!mapping.contains("addressing: false"), "{mapping}");

    // Action, MessageID, ReplyTo and To accepted by gSOAP's checks; its answer relates to our
    // MessageID and carries the output action addr.wsdl states.
    let (status, _, v) = call(
        &base,
        "POST",
        "/api/addr/greet",
        Some(json!({"name": "Ada"})),
    )
    .await;
    assert_eq!(status, 200, "{v}\n{mapping}");
    assert_eq!(v["greeting"], "Hello, Ada", "{v}");
    for name in ["Grace", "Édouard & <Co>"] {
        let (status, _, v) = call(
            &base,
            "POST",
            "/api/addr/greet",
            Some(json!({ "name": name })),
        )
        .await;
        assert_eq!(
            (status, &v["greeting"]),
            (200, &json!(format!("Hello, {name}"))),
            "{v}"
        );
    }

    // greetBadly's answer carries greet's output action: a 502 naming WS-Addressing's Action.
    let (status, ct, v) = call(
        &base,
        "POST",
        "/api/addr/greet-badly",
        Some(json!({"name": "Ada"})),
    )
    .await;
    assert_eq!(
        (status, ct.as_str()),
        (502, "application/problem+json"),
        "{v}"
    );
    assert_eq!(
        v["detail"],
        "the legacy service's answer has another action than the WSDL's output (WS-Addressing `Action`)"
    );

    // Without the headers (`addressing: false`), gSOAP refuses the request: it does require them.
    let text = mapping.replace(
        "validate_answers: strict",
        "validate_answers: strict\naddressing: false",
    );
    let file = dir.path().join("no-addressing.yaml");
    std::fs::write(&file, &text).unwrap();
    let compiled = soapbridge::mapping::compile::compile_str(&file, &text)
        .unwrap_or_else(|d| panic!("{d}\n{text}"));
    let service = std::sync::Arc::new(soapbridge::convert::operation::ServicePlan::new(
        std::sync::Arc::new(compiled),
    ));
    let plain = start_bridge(service, &url, std::time::Duration::from_secs(10));
    let (status, _, v) = call(
        &plain,
        "POST",
        "/api/addr/greet",
        Some(json!({"name": "Ada"})),
    )
    .await;
    assert_ne!(status, 200, "{v}");
    assert!(
        v.to_string().contains("MessageAddressingHeaderRequired")
            || v.to_string()
                .contains("Message Addressing Property is not present"),
        "gSOAP's own refusal: {v}"
    );
}
