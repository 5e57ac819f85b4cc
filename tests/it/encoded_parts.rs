//! rpc/encoded parts a request may leave out (SOAP 1.1 section 5.1: an accessor may be
//! omitted), as the mapping decides per part with `optional_parts:` under the operation: `omit`
//! (no accessor) or `nil` (`xsi:nil="true"`). Without the key every part is required, as
//! before. On `tests/encoded/` (Axis 1 style `putNotes(in0, in1)`).

use std::path::Path;
use std::sync::Arc;

use serde_json::{Value, json};
use soapbridge::convert::operation::ServicePlan;
use soapbridge::soap::XmlLimits;

/// The sample mapping of `tests/encoded/` with `extra` lines added under `putNotes`, compiled.
fn service(extra: &str) -> Result<(tempfile::TempDir, Arc<ServicePlan>), String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/encoded");
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(src.join("service.wsdl"), dir.path().join("service.wsdl")).unwrap();
    let text = std::fs::read_to_string(src.join("notes.yaml"))
        .unwrap()
        .replace(
            "    route: POST /put-notes\n",
            &format!("    route: POST /put-notes\n{extra}"),
        );
    let file = dir.path().join("notes.yaml");
    std::fs::write(&file, &text).unwrap();
    let compiled = soapbridge::mapping::compile::compile_str(&file, &text).map_err(|d| {
        d.to_string()
            .replace(&format!("{}/", dir.path().display()), "")
    })?;
    Ok((dir, Arc::new(ServicePlan::new(Arc::new(compiled)))))
}

/// The envelope for `body`, or the problems.
fn put(svc: &ServicePlan, body: Value) -> Result<String, Value> {
    let op = svc.operation("putNotes").unwrap();
    svc.build_request(op, &|_| Vec::new(), Some(body))
        .map(|e| String::from_utf8(e).unwrap())
        .map_err(|e| serde_json::to_value(e).unwrap())
}

/// The `in1` accessor of an envelope, as text, when there is one.
fn in1(envelope: &str) -> Option<String> {
    let doc = roxmltree::Document::parse(envelope).unwrap();
    doc.descendants()
        .find(|n| n.has_tag_name("in1"))
        .map(|n| envelope[n.range()].to_string())
}

#[test]
fn without_the_key_every_part_is_required() {
    let (_d, svc) = service("").unwrap();
    let errors = put(&svc, json!({"in0": "t"})).unwrap_err();
    assert_eq!(errors[0]["pointer"], "/in1", "{errors}");
    assert_eq!(errors[0]["rule"], "required", "{errors}");
}

#[test]
fn an_omitted_part_is_left_out_of_the_envelope() {
    let (_d, svc) = service("    optional_parts:\n      in1: omit\n").unwrap();
    let envelope = put(&svc, json!({"in0": "t"})).unwrap();
    assert_eq!(in1(&envelope), None, "{envelope}");
    assert!(envelope.contains(">t</in0>"), "{envelope}");
    // The service side reads the request without it: the key is absent, nothing invented.
    let op = svc.operation("putNotes").unwrap();
    let back: Value = serde_json::from_str(
        &svc.read_request(op, &envelope, XmlLimits::default())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(back, json!({"in0": "t"}));
    // Given, it is sent as always; in0 stays required.
    let envelope = put(&svc, json!({"in0": "t", "in1": []})).unwrap();
    assert!(in1(&envelope).is_some(), "{envelope}");
    let errors = put(&svc, json!({"in1": []})).unwrap_err();
    assert_eq!(errors[0]["pointer"], "/in0", "{errors}");
    // The OpenAPI document says so.
    let doc = soapbridge::http::openapi::document(std::slice::from_ref(&svc));
    let required = &doc["paths"]["/api/notes/put-notes"]["post"]["requestBody"]["content"]["application/json"]
        ["schema"]["required"];
    assert_eq!(required, &json!(["in0"]));
}

#[test]
fn a_nil_part_is_sent_as_xsi_nil() {
    let (_d, svc) = service("    optional_parts:\n      in1: nil\n").unwrap();
    let envelope = put(&svc, json!({"in0": "t"})).unwrap();
    let accessor = in1(&envelope).unwrap_or_else(|| panic!("{envelope}"));
    assert_eq!(accessor, r#"<in1 xsi:nil="true"/>"#, "{envelope}");
    let op = svc.operation("putNotes").unwrap();
    let back: Value = serde_json::from_str(
        &svc.read_request(op, &envelope, XmlLimits::default())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(back, json!({"in0": "t", "in1": null}));
}

#[test]
fn the_key_is_checked() {
    for (extra, says) in [
        (
            "    optional_parts:\n      in2: omit\n",
            "notes.yaml:16:7: operation `putNotes` has no input part `in2`",
        ),
        (
            "    optional_parts:\n      in1: maybe\n",
            "notes.yaml:16:12: `maybe` is not what to send for an absent part",
        ),
    ] {
        let e = service(extra).err().unwrap_or_else(|| panic!("{extra}"));
        assert!(e.contains(says), "{extra}: {e}");
    }
    // Literal operations have no omissible accessors.
    let (_d, svc) = super::examples::doc_service(
        r#"<xs:element name="In"><xs:complexType><xs:sequence><xs:element name="a" type="xs:int"/></xs:sequence></xs:complexType></xs:element>
           <xs:element name="Out"><xs:complexType/></xs:element>"#,
    );
    let text = std::fs::read_to_string(&svc.compiled.file)
        .unwrap()
        .replace(
            "    route: POST /op\n",
            "    route: POST /op\n    optional_parts:\n      a: omit\n",
        );
    let e = match soapbridge::mapping::compile::compile_str(&svc.compiled.file, &text) {
        Ok(_) => panic!("optional_parts on a literal operation is refused"),
        Err(d) => d.to_string(),
    };
    assert!(
        e.contains("optional_parts applies to SOAP-encoded operations only"),
        "{e}"
    );
}
