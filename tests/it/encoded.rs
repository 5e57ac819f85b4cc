//! rpc/encoded (SOAP encoding), on `tests/encoded/`: an Axis 1-style service of our own with SOAP
//! arrays of a complex type and of strings. The request envelope is compared with
//! `putNotes.envelope.xml` (`UPDATE_EXPECT=1` rewrites it); a multi-reference answer as Axis
//! writes it decodes to `getNotes.response.json`; reference cycles and dangling references are
//! errors, not hangs; the mock's encoded answers read back as the JSON they were made from.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;
use soapbridge::convert::operation::{Outcome, ServicePlan};
use soapbridge::soap::XmlLimits;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/encoded")
}

fn service() -> Arc<ServicePlan> {
    soapbridge::http::load_services(&dir())
        .unwrap_or_else(|e| panic!("{e}"))
        .remove(0)
}

fn compare(file: &str, got: &str) {
    let path = dir().join(file);
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&path, got).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_EXPECT=1 creates it)", path.display()));
    assert_eq!(expected, got, "{} differs", path.display());
}

fn decode(svc: &ServicePlan, op: &str, xml: &str) -> Result<Value, String> {
    let op = svc.operation(op).unwrap();
    match svc
        .response(op, xml, XmlLimits::default())
        .map_err(|e| e.to_string())?
    {
        Outcome::Ok(text) => Ok(serde_json::from_str(&text).unwrap()),
        other => Err(format!("{other:?}")),
    }
}

#[test]
fn request_has_xsi_types_and_soap_arrays() {
    let svc = service();
    let op = svc.operation("putNotes").unwrap();
    let body: Value = serde_json::from_str(
        &std::fs::read_to_string(dir().join("putNotes.request.json")).unwrap(),
    )
    .unwrap();
    let fields = body.as_object().unwrap().clone();
    let env = svc.request(op, &fields, None).unwrap();
    let text = String::from_utf8(env).unwrap();
    compare("putNotes.envelope.xml", &text);
    // The accessors are unqualified: the wrapper's namespace is on a prefix, not the default.
    let doc = roxmltree::Document::parse(&text).unwrap();
    let in1 = doc
        .descendants()
        .find(|n| n.has_tag_name("in1"))
        .expect("the in1 accessor");
    assert_eq!(in1.tag_name().namespace(), None);
    // Whatever the prefix, arrayType names urn:notes:beans' Note, with 2 items.
    let v = in1
        .attribute(("http://schemas.xmlsoap.org/soap/encoding/", "arrayType"))
        .expect("soapenc:arrayType");
    let (p, rest) = v.split_once(':').unwrap();
    assert_eq!(in1.lookup_namespace_uri(Some(p)), Some("urn:notes:beans"));
    assert_eq!(rest, "Note[2]");
    assert_eq!(in1.children().filter(|c| c.is_element()).count(), 2);
}

#[test]
fn a_bad_array_is_a_400_with_its_pointer() {
    let svc = service();
    let op = svc.operation("putNotes").unwrap();
    let body = serde_json::json!({"in0": "t", "in1": {"id": 1}});
    let errors = svc
        .request(op, body.as_object().unwrap(), None)
        .unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].pointer, "/in1");
    assert!(
        errors[0].message.contains("expected an array"),
        "{errors:?}"
    );
    let body = serde_json::json!({"in0": "t", "in1": [{"id": "x", "text": null, "tags": null}]});
    let errors = svc
        .request(op, body.as_object().unwrap(), None)
        .unwrap_err();
    assert_eq!(errors[0].pointer, "/in1/0/id", "{errors:?}");
}

#[test]
fn multi_references_are_resolved() {
    let svc = service();
    let xml = std::fs::read_to_string(dir().join("getNotes.response.xml")).unwrap();
    let json = decode(&svc, "getNotes", &xml).unwrap();
    compare(
        "getNotes.response.json",
        &format!("{}\n", serde_json::to_string_pretty(&json).unwrap()),
    );
    // The long goes through exactly, behind a reference.
    assert_eq!(json[0]["id"].to_string(), "9007199254740993");
}

#[test]
fn reference_cycles_and_dangling_references_are_errors() {
    let svc = service();
    let cycle = r##"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>
<ns1:getNotesResponse xmlns:ns1="urn:notes"><getNotesReturn href="#a"/></ns1:getNotesResponse>
<multiRef id="a" href="#b"/><multiRef id="b" href="#a"/>
</soapenv:Body></soapenv:Envelope>"##;
    let e = decode(&svc, "getNotes", cycle).unwrap_err();
    assert!(e.contains("references nest deeper"), "{e}");
    let dangling = r##"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>
<ns1:getNotesResponse xmlns:ns1="urn:notes"><getNotesReturn href="#nowhere"/></ns1:getNotesResponse>
</soapenv:Body></soapenv:Envelope>"##;
    let e = decode(&svc, "getNotes", dangling).unwrap_err();
    assert!(e.contains("`nowhere` points to no element"), "{e}");
}

#[test]
fn the_mocks_encoded_answers_read_back() {
    let svc = service();
    let mock = soapbridge::mock::Mock::new(svc.clone());
    for seed in 0..20 {
        for name in ["putNotes", "getNotes"] {
            let op = svc.operation(name).unwrap();
            let xml = String::from_utf8(mock.sample_response(op, seed)).unwrap();
            assert!(xml.contains("encodingStyle"), "{xml}");
            decode(&svc, name, &xml).unwrap_or_else(|e| panic!("seed {seed} {name}: {e}\n{xml}"));
        }
    }
}

#[test]
fn shared_references_cannot_multiply_an_answer() {
    // 2,000 array items all refer to one note of 2,000 tags: 4 million values from 4,000
    // elements, unless references are bounded (each level of sharing multiplies again).
    let items = "<item href=\"#big\"/>".repeat(2000);
    let tags = "<tags>t</tags>".repeat(2000);
    let xml = format!(
        r##"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>
<ns1:getNotesResponse xmlns:ns1="urn:notes"><getNotesReturn>{items}</getNotesReturn></ns1:getNotesResponse>
<multiRef id="big"><id>1</id><text>t</text><tags>{tags}</tags></multiRef>
</soapenv:Body></soapenv:Envelope>"##
    );
    let svc = service();
    let e = decode(&svc, "getNotes", &xml).unwrap_err();
    assert!(e.contains("expand to too many elements"), "{e}");
    // Sharing at a sane scale is fine: 20 references to the same note.
    let items = "<item href=\"#big\"/>".repeat(20);
    let xml = xml.replace(&"<item href=\"#big\"/>".repeat(2000), &items);
    let json = decode(&svc, "getNotes", &xml).unwrap();
    assert_eq!(json.as_array().map(Vec::len), Some(20));
}
