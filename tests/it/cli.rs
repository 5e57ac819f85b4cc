//! The binary end to end: `generate` then `check` on the shipped sample, exit statuses.

use std::path::Path;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_soapbridge"))
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn generated_sample_mapping_matches_the_committed_one() {
    let tmp = tempfile::tempdir().unwrap();
    // Generate next to a copy of the layout so the relative `wsdl:` path is the same.
    let out = tmp.path().join("mappings/crm.yaml");
    std::fs::create_dir_all(tmp.path().join("wsdl")).unwrap();
    for f in ["crm.wsdl", "crm-types.xsd"] {
        std::fs::copy(root().join("wsdl").join(f), tmp.path().join("wsdl").join(f)).unwrap();
    }
    let status = bin()
        .current_dir(tmp.path())
        .args(["generate", "wsdl/crm.wsdl"])
        .status()
        .unwrap();
    assert!(status.success());
    let generated = std::fs::read_to_string(&out).unwrap();
    // Generated mappings unwrap list wrappers; the shipped sample keeps its wrapper objects.
    let unwrap = "# List wrappers (a type that is one repeated element, e.g. ArrayOfX) as JSON arrays;\n# `{ default: true, except: [ArrayOfX] }` keeps the named ones as objects.\nunwrap_lists: true\n";
    assert!(generated.contains(unwrap), "{generated}");
    // The golden copy, not the shipped `mappings/crm.yaml` (the user's to edit).
    let golden = std::fs::read_to_string(root().join("tests/generate/crm.yaml")).unwrap();
    assert_eq!(
        generated, golden,
        "tests/generate/crm.yaml is not what `soapbridge generate wsdl/crm.wsdl` writes; review the difference, then copy it"
    );

    // A second generate refuses to overwrite reviewed edits.
    let again = bin()
        .current_dir(tmp.path())
        .args(["generate", "wsdl/crm.wsdl"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));

    let check = bin().current_dir(tmp.path()).arg("check").output().unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(String::from_utf8_lossy(&check.stdout).contains("ok mappings/crm.yaml: 8 routes"));
}

#[test]
fn check_fails_with_file_line_messages() {
    let case = root().join("tests/cases/mapping_route_collision/mapping.yaml");
    let out = bin().arg("check").arg(&case).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("mapping.yaml:6:12: route `POST /items` collides with `GetItem` (line 4)"),
        "{err}"
    );
}

#[test]
fn inspect_prints_the_tree() {
    let out = bin()
        .args(["inspect"])
        .arg(root().join("wsdl/crm.wsdl"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("port CustomerServiceSoap12  SOAP 1.2"),
        "{text}"
    );
    assert!(text.contains("PhoneNumber: PhoneNumber [0..*]"), "{text}");
    assert!(
        text.contains("Status: CustomerStatus {Active, Suspended, Closed}"),
        "{text}"
    );
}

#[test]
fn inspect_reports_a_broken_wsdl_with_status_1() {
    let out = bin()
        .args(["inspect"])
        .arg(root().join("tests/cases/malformed_xml/service.wsdl"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("service.wsdl:"));
}

#[test]
fn envelope_dry_run_prints_the_exact_envelope_or_the_problem() {
    let mapping = root().join("mappings/crm.yaml");
    let out = bin()
        .arg("envelope")
        .arg(&mapping)
        .args(["GetCustomer", "-p", "customerId=42"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("<ns0:GetCustomer><ns0:customerId>42</ns0:customerId></ns0:GetCustomer>"),
        "{text}"
    );

    let tmp = tempfile::tempdir().unwrap();
    let req = tmp.path().join("req.json");
    std::fs::write(&req, r#"{"customerId": 1, "firstName": "A"}"#).unwrap();
    let out = bin()
        .arg("envelope")
        .arg(&mapping)
        .arg("CreateCustomer")
        .arg(&req)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let problem: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(problem["status"], 400);
    assert!(
        problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["pointer"] == "/lastName"),
        "{problem}"
    );
}

#[test]
fn decode_dry_run_prints_the_json_or_the_fault() {
    let mapping = root().join("mappings/crm.yaml");
    let tmp = tempfile::tempdir().unwrap();
    let answer = tmp.path().join("answer.xml");
    std::fs::write(&answer, r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetOrderStatusResponse xmlns="http://example.com/crm/2009/service"><GetOrderStatusResult>Shipped</GetOrderStatusResult></GetOrderStatusResponse></s:Body></s:Envelope>"#).unwrap();
    let out = bin()
        .arg("decode")
        .arg(&mapping)
        .arg("GetOrderStatus")
        .arg(&answer)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "\"Shipped\"");

    std::fs::write(&answer, r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Server</faultcode><faultstring>db down</faultstring></s:Fault></s:Body></s:Envelope>"#).unwrap();
    let out = bin()
        .arg("decode")
        .arg(&mapping)
        .arg("GetOrderStatus")
        .arg(&answer)
        .output()
        .unwrap();
    let problem: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (
            problem["status"].as_u64(),
            problem["fault"]["code"].as_str()
        ),
        (Some(502), Some("Server"))
    );

    std::fs::write(&answer, "<html>oops</html>").unwrap();
    let out = bin()
        .arg("decode")
        .arg(&mapping)
        .arg("GetOrderStatus")
        .arg(&answer)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a SOAP envelope"));
}

/// The README's first command, on a fresh clone: `serve` (the default) with the shipped
/// soapbridge.yaml mocks the sample service in-process; the README's curl returns real JSON.
#[test]
fn default_command_serves_the_sample_through_the_mock() {
    let server = crate::serve_sample();
    let port = server.port;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut answer = None;
    while std::time::Instant::now() < deadline && answer.is_none() {
        std::thread::sleep(std::time::Duration::from_millis(100));
        answer = http_get(port, "/api/customer/customers/42");
    }
    drop(server);
    let (status, body) = answer.expect("the server answered");
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["customerId"], 42);
    assert_eq!(v["status"], "Active");
}

/// A minimal HTTP/1.1 GET over a plain socket (no client library needed in a sync test).
fn http_get(port: u16, path: &str) -> Option<(u16, String)> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut raw = String::new();
    s.read_to_string(&mut raw).ok()?;
    let status = raw.split(' ').nth(1)?.parse().ok()?;
    let body = raw.split_once("\r\n\r\n")?.1.to_string();
    Some((status, body))
}
