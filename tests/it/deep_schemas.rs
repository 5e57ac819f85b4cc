//! Nothing that walks the type graph recurses without a bound: content models nested as deep as
//! the compiler lets them (through group references, past what one document's nesting allows)
//! are compiled, modelled as JSON, validated, sampled by the mock, described by OpenAPI and shown
//! by `inspect` on a thread with a 2 MiB stack (what Rust gives a spawned thread, and less than
//! actix's workers get); one level more is a located error, never an overflowed stack.

use std::path::Path;
use std::sync::Arc;

use soapbridge::convert::operation::ServicePlan;
use soapbridge::mapping::generate::{self, select};
use soapbridge::mock::Mock;
use soapbridge::sources::LoadOptions;

/// `groups` groups, each `depth` sequences deep around its element and a reference to the next
/// group: content models `groups * (depth + 1)` levels deep, each document under its nesting
/// limit. A document/literal WSDL whose one operation takes and returns them.
fn write_service(dir: &Path, groups: usize, depth: usize) -> std::path::PathBuf {
    let mut xsd = String::from(
        "<?xml version=\"1.0\"?>\n<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" \
         xmlns:d=\"urn:deep\" targetNamespace=\"urn:deep\" elementFormDefault=\"qualified\">\n",
    );
    for k in 0..groups {
        let next = if k + 1 < groups {
            format!("<xs:group ref=\"d:g{}\" minOccurs=\"0\"/>", k + 1)
        } else {
            String::new()
        };
        xsd += &format!(
            "<xs:group name=\"g{k}\"><xs:sequence>{}<xs:element name=\"e{k}\" type=\"xs:string\" minOccurs=\"0\"/>{next}{}</xs:sequence></xs:group>\n",
            "<xs:sequence minOccurs=\"0\">".repeat(depth - 1),
            "</xs:sequence>".repeat(depth - 1),
        );
    }
    for name in ["Req", "Resp"] {
        xsd += &format!(
            "<xs:element name=\"{name}\"><xs:complexType><xs:sequence><xs:group ref=\"d:g0\" minOccurs=\"0\"/></xs:sequence></xs:complexType></xs:element>\n"
        );
    }
    xsd += "</xs:schema>\n";
    std::fs::write(dir.join("deep.xsd"), xsd).unwrap();
    let wsdl = dir.join("deep.wsdl");
    std::fs::write(
        &wsdl,
        r#"<?xml version="1.0"?>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:d="urn:deep" targetNamespace="urn:deep">
  <types><xs:schema><xs:import namespace="urn:deep" schemaLocation="deep.xsd"/></xs:schema></types>
  <message name="In"><part name="p" element="d:Req"/></message>
  <message name="Out"><part name="p" element="d:Resp"/></message>
  <portType name="PT"><operation name="Get"><input message="d:In"/><output message="d:Out"/></operation></portType>
  <binding name="B" type="d:PT"><soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="Get"><soap:operation soapAction="urn:Get"/><input><soap:body use="literal"/></input><output><soap:body use="literal"/></output></operation>
  </binding>
  <service name="S"><port name="P" binding="d:B"><soap:address location="http://localhost/x"/></port></service>
</definitions>
"#,
    )
    .unwrap();
    wsdl
}

/// Runs `f` on a thread with a 2 MiB stack (an overflow aborts the whole test binary).
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn content_models_at_the_nesting_bound_are_served_on_a_small_stack() {
    let tmp = tempfile::tempdir().unwrap();
    // 2 groups of 121 levels (the reference, then 120 sequences) in the element's sequence:
    // 243 levels, near the bound (256), each document under its own nesting limit (128).
    let wsdl_path = write_service(tmp.path(), 2, 120);
    let dir = tmp.path().to_path_buf();
    let (shown, openapi, answer) = on_small_stack(move || {
        let options = LoadOptions::default();
        let wsdl = soapbridge::wsdl::load(&wsdl_path, &options).unwrap_or_else(|d| panic!("{d}"));
        let shown = soapbridge::cli::inspect::render(&wsdl);
        let sel = select(&wsdl, None, None, None).unwrap();
        let file = dir.join("deep.yaml");
        let text = generate::mapping_file(&wsdl, &wsdl_path, sel, &options, &dir).unwrap();
        let compiled = soapbridge::mapping::compile::compile_str(&file, &text)
            .unwrap_or_else(|d| panic!("{d}"));
        let service = Arc::new(ServicePlan::new(Arc::new(compiled)));
        let openapi = soapbridge::http::openapi::document(std::slice::from_ref(&service));
        let mock = Mock::new(service.clone());
        let answer = mock.sample_response(&service.operations[0], 7);
        (shown, openapi, String::from_utf8(answer).unwrap())
    });
    assert!(
        shown.contains("e0: xs:string [0..1]") && shown.contains("e1: xs:string [0..1]"),
        "{shown}"
    );
    let body = &openapi["paths"]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap();
    assert!(body.to_string().contains("\"e1\""), "{body}");
    assert!(answer.contains("Resp"), "{answer}");
}

#[test]
fn content_models_past_the_nesting_bound_are_a_located_error() {
    let tmp = tempfile::tempdir().unwrap();
    // 120 groups of 100 levels: 12,000 levels deep (this overflowed the compiler's stack).
    let wsdl_path = write_service(tmp.path(), 120, 100);
    let err = on_small_stack(move || {
        soapbridge::wsdl::load(&wsdl_path, &LoadOptions::default())
            .err()
            .map(|d| d.to_string())
    })
    .expect("refused");
    assert!(
        err.contains("deep.xsd:")
            && err.contains(
                "content models nest more than 256 levels deep (counting the groups they refer to)"
            ),
        "{err}"
    );
}
