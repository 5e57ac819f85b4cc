//! The OpenAPI document: served at /openapi.json, and valid OpenAPI 3.1 by an independent
//! validator (Python `openapi-spec-validator`, installed by `.ci/run`, which sets
//! `SOAPBRIDGE_OPENAPI_VALIDATOR=1`) for the sample service and, with the corpus, for calculator,
//! Exchange EWS, Salesforce enterprise and vim25.

use std::path::{Path, PathBuf};
use std::process::Command;

use soapbridge::mapping::generate::{generate, select};

pub fn validate(doc: &serde_json::Value, name: &str, dir: &Path) {
    let file = dir.join(format!("{name}.json"));
    std::fs::write(&file, doc.to_string()).unwrap();
    let out = Command::new("python3")
        .args(["-m", "openapi_spec_validator"])
        .arg(&file)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{name}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
#[ignore = "needs SOAPBRIDGE_OPENAPI_VALIDATOR (openapi-spec-validator; .ci/run)"]
fn documents_are_valid_openapi_3_1() {
    let tmp = tempfile::tempdir().unwrap();
    let services =
        soapbridge::http::load_services(&Path::new(env!("CARGO_MANIFEST_DIR")).join("mappings"))
            .unwrap();
    let doc = soapbridge::http::openapi::document(&services);
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(
        doc["paths"]["/api/customer/customers/{customerId}"]["get"]["responses"]["404"].is_object(),
        "the mapped fault is documented"
    );
    validate(&doc, "crm", tmp.path());
    examples_conform(&doc, tmp.path());
    // The sample with its list wrappers as arrays.
    let services = soapbridge::http::load_services(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/unwrap"),
    )
    .unwrap();
    let doc = soapbridge::http::openapi::document(&services);
    assert_eq!(
        doc["components"]["schemas"]["Crm.ArrayOfCustomer"]["type"], "array",
        "{}",
        doc["components"]["schemas"]
    );
    validate(&doc, "crm-unwrapped", tmp.path());
    examples_conform(&doc, tmp.path());
    let Some(corpus) = std::env::var_os("SOAPBRIDGE_CORPUS").map(PathBuf::from) else {
        return;
    };
    for entry in [
        "fastify-soap-client/dneonline-calculator/calculator.wsdl",
        "php-ews/exchange-ews/services.wsdl",
        "salesforce-php-toolkit/salesforce-enterprise/enterprise.wsdl.xml",
        "vsphere-ws/vim25/vimService.wsdl",
    ] {
        let path = corpus.join("wsdl").join(entry);
        let w =
            soapbridge::wsdl::load(&path, &Default::default()).unwrap_or_else(|d| panic!("{d}"));
        let text = generate(
            &w,
            &soapbridge::mapping::generate::relative(&path, tmp.path()),
            select(&w, None, None, None).unwrap(),
        );
        let mapping = tmp.path().join("m.yaml");
        let compiled = soapbridge::mapping::compile::compile_str(&mapping, &text)
            .unwrap_or_else(|d| panic!("{d}"));
        let svc = std::sync::Arc::new(soapbridge::convert::operation::ServicePlan::new(
            std::sync::Arc::new(compiled),
        ));
        let doc = soapbridge::http::openapi::document(&[svc]);
        validate(&doc, entry.split('/').nth(1).unwrap(), tmp.path());
    }
}

/// Every request and response example validates against its own schema (Python `jsonschema`,
/// Draft 2020-12, which OpenAPI 3.1 uses; installed with openapi-spec-validator).
pub fn examples_conform(doc: &serde_json::Value, dir: &Path) {
    let file = dir.join("examples.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    let script = r#"
import json, sys
from jsonschema import Draft202012Validator
doc = json.load(open(sys.argv[1]))
checked, bad = 0, []
for path, item in doc["paths"].items():
    for method, op in item.items():
        media = [op.get("requestBody", {}).get("content", {}).get("application/json")]
        media += [r.get("content", {}).get("application/json") for r in op["responses"].values()]
        for m in media:
            if not m or "example" not in m:
                continue
            root = dict(m["schema"]); root["components"] = doc["components"]
            errors = list(Draft202012Validator(root).iter_errors(m["example"]))
            checked += 1
            if errors:
                bad.append(f"{method} {path}: {errors[0].message}")
print(checked, "examples checked")
if bad or checked == 0:
    print("\n".join(bad)); sys.exit(1)
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&file)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
