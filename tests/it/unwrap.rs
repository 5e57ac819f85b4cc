//! Unwrapped lists (`unwrap_lists:`): a list wrapper (a type whose whole content is one repeated
//! element, .NET's `ArrayOfX`) is the JSON array of its items, both ways, in both decoders, in
//! the OpenAPI document and in the mock's samples; absent, nil and empty stay distinct; `false`
//! keeps the wrapper objects; `except:` turns single types the other way.

use std::sync::Arc;

use serde_json::{Value, json};
use soapbridge::convert::operation::{OperationPlan, Outcome, ServicePlan};
use soapbridge::soap::XmlLimits;

const WSDL: &str = r#"<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
  xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:t="urn:t" targetNamespace="urn:t">
 <types><xs:schema targetNamespace="urn:t" elementFormDefault="qualified">
  <xs:complexType name="ArrayOfString"><xs:sequence>
    <xs:element name="string" type="xs:string" minOccurs="0" maxOccurs="unbounded" nillable="true"/>
  </xs:sequence></xs:complexType>
  <xs:complexType name="Address"><xs:sequence><xs:element name="city" type="xs:string"/></xs:sequence></xs:complexType>
  <xs:complexType name="ArrayOfAddress"><xs:sequence>
    <xs:element name="Address" type="t:Address" minOccurs="0" maxOccurs="unbounded"/>
  </xs:sequence></xs:complexType>
  <xs:complexType name="ArrayOfInt"><xs:sequence>
    <xs:element name="int" type="xs:int" maxOccurs="unbounded"/>
  </xs:sequence></xs:complexType>
  <xs:complexType name="ArrayOfArrayOfInt"><xs:sequence>
    <xs:element name="ArrayOfInt" type="t:ArrayOfInt" minOccurs="0" maxOccurs="unbounded"/>
  </xs:sequence></xs:complexType>
  <xs:complexType name="Labels"><xs:sequence>
    <xs:element name="label" type="xs:string" maxOccurs="unbounded"/>
  </xs:sequence><xs:attribute name="lang" type="xs:string"/></xs:complexType>
  <xs:complexType name="Customer"><xs:sequence>
    <xs:element name="id" type="xs:int"/>
    <xs:element name="tags" type="t:ArrayOfString" minOccurs="0" nillable="true"/>
    <xs:element name="addresses" type="t:ArrayOfAddress" minOccurs="0"/>
    <xs:element name="grid" type="t:ArrayOfArrayOfInt" minOccurs="0"/>
    <xs:element name="labels" type="t:Labels" minOccurs="0"/>
  </xs:sequence></xs:complexType>
  <xs:element name="In"><xs:complexType><xs:sequence>
    <xs:element name="customer" type="t:Customer"/></xs:sequence></xs:complexType></xs:element>
  <xs:element name="Out"><xs:complexType><xs:sequence>
    <xs:element name="customer" type="t:Customer" maxOccurs="unbounded"/></xs:sequence></xs:complexType></xs:element>
 </xs:schema></types>
 <message name="in"><part name="p" element="t:In"/></message>
 <message name="out"><part name="p" element="t:Out"/></message>
 <portType name="P"><operation name="Op"><input message="t:in"/><output message="t:out"/></operation></portType>
 <binding name="B" type="t:P"><soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
  <operation name="Op"><soap:operation soapAction="urn:op"/><input><soap:body use="literal"/></input>
   <output><soap:body use="literal"/></output></operation></binding>
 <service name="S"><port name="SP" binding="t:B"><soap:address location="http://127.0.0.1:1/"/></port></service>
</definitions>"#;

/// The generated mapping of [`WSDL`], its `unwrap_lists: true` line replaced by `setting`
/// (`None`: as generated), compiled.
fn compile(setting: Option<&str>) -> Result<(tempfile::TempDir, ServicePlan), String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.wsdl");
    std::fs::write(&path, WSDL).unwrap();
    let w = soapbridge::wsdl::load(&path, &Default::default()).unwrap_or_else(|d| panic!("{d}"));
    let sel = soapbridge::mapping::generate::select(&w, None, None, None).unwrap();
    let text = soapbridge::mapping::generate::generate(&w, "s.wsdl", sel);
    assert!(text.contains("\nunwrap_lists: true\n"), "{text}");
    // The whole output object is the body (no `response:` selection).
    let mut text: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("response:"))
        .map(|l| format!("{l}\n"))
        .collect();
    if let Some(s) = setting {
        text = text.replace("\nunwrap_lists: true\n", &format!("\nunwrap_lists: {s}\n"));
    }
    let file = dir.path().join("s.yaml");
    std::fs::write(&file, &text).unwrap();
    let compiled =
        soapbridge::mapping::compile::compile_str(&file, &text).map_err(|d| d.to_string())?;
    Ok((dir, ServicePlan::new(Arc::new(compiled))))
}

fn service(setting: Option<&str>) -> (tempfile::TempDir, ServicePlan) {
    compile(setting).unwrap_or_else(|e| panic!("{e}"))
}

fn envelope(customer: &str) -> String {
    format!(
        r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><t:Out xmlns:t="urn:t" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><t:customer><t:id>42</t:id>{customer}</t:customer></t:Out></soap:Body></soap:Envelope>"#
    )
}

/// The answer's JSON from both decoders, which must write the same bytes.
fn decode(svc: &ServicePlan, text: &str) -> Value {
    decode_op(svc, &svc.operations[0], text)
}

/// [`decode`] for the answer of operation `op`.
fn decode_op(svc: &ServicePlan, op: &OperationPlan, text: &str) -> Value {
    let limits = XmlLimits::default();
    let tree = match svc.tree_response(op, text, limits).unwrap().outcome {
        Outcome::Ok(json) => json,
        other => panic!("{other:?}"),
    };
    let stream = svc
        .stream_response(op, text, limits)
        .unwrap_or_else(|why| panic!("the stream left {text} to the tree: {why:?}"));
    assert_eq!(tree, stream, "the two decoders differ on {text}");
    serde_json::from_str(&tree).unwrap()
}

/// JSON -> answer envelope -> JSON: the same value.
fn round_trip(svc: &ServicePlan, v: Value) -> String {
    let op = &svc.operations[0];
    let env = svc.answer(op, &v).unwrap_or_else(|e| panic!("{v}: {e:?}"));
    let text = String::from_utf8(env).unwrap();
    assert_eq!(decode(svc, &text), v, "through {text}");
    text
}

const FULL: &str = "<t:tags><t:string>gold</t:string><t:string>vip</t:string></t:tags>\
    <t:addresses><t:Address><t:city>Oslo</t:city></t:Address></t:addresses>\
    <t:grid><t:ArrayOfInt><t:int>1</t:int><t:int>2</t:int></t:ArrayOfInt><t:ArrayOfInt><t:int>3</t:int></t:ArrayOfInt></t:grid>\
    <t:labels lang=\"en\"><t:label>a</t:label></t:labels>";

#[test]
fn generated_mappings_unwrap_list_wrappers_in_answers() {
    let (_d, svc) = service(None);
    assert_eq!(
        decode(&svc, &envelope(FULL)),
        json!({"customer": [{"id": 42, "tags": ["gold", "vip"], "addresses": [{"city": "Oslo"}],
            "grid": [[1, 2], [3]], "labels": {"lang": "en", "label": ["a"]}}]})
    );
}

#[test]
fn absent_nil_and_empty_wrappers_stay_distinct_both_ways() {
    let (_d, svc) = service(None);
    // (answer XML, its JSON, what the encoder writes for that JSON)
    let cases = [
        ("", json!({"id": 42}), None),
        (
            r#"<t:tags xsi:nil="true"/>"#,
            json!({"id": 42, "tags": null}),
            Some(r#"tags xsi:nil="true"/>"#),
        ),
        ("<t:tags/>", json!({"id": 42, "tags": []}), Some(":tags></")),
        (
            "<t:tags></t:tags>",
            json!({"id": 42, "tags": []}),
            Some(":tags></"),
        ),
        (
            r#"<t:tags><t:string xsi:nil="true"/><t:string/></t:tags>"#,
            json!({"id": 42, "tags": [null, ""]}),
            Some(r#":string xsi:nil="true"/>"#),
        ),
        ("<t:grid/>", json!({"id": 42, "grid": []}), Some(":grid></")),
    ];
    for (xml, customer, written) in cases {
        let v = json!({"customer": [customer]});
        assert_eq!(decode(&svc, &envelope(xml)), v, "{xml}");
        let text = round_trip(&svc, v);
        match written {
            None => assert!(!text.contains("tags"), "{text}"),
            Some(w) => assert!(text.contains(w), "{w} in {text}"),
        }
    }
}

#[test]
fn requests_take_the_arrays_and_round_trip() {
    let (_d, svc) = service(None);
    let op = &svc.operations[0];
    let v =
        json!({"customer": {"id": 7, "tags": ["a", null], "addresses": [], "grid": [[4], [5, 6]]}});
    let env = svc.request(op, v.as_object().unwrap(), None).unwrap();
    let text = String::from_utf8(env).unwrap();
    assert!(
        text.contains(":string>a</ns6:string><ns6:string xsi:nil=\"true\"/></ns6:tags>"),
        "{text}"
    );
    assert!(text.contains("<ns6:addresses></ns6:addresses>"), "{text}");
    let back: Value =
        serde_json::from_str(&svc.read_request(op, &text, XmlLimits::default()).unwrap()).unwrap();
    assert_eq!(back, v);
}

#[test]
fn the_encoder_refuses_the_wrapper_object_and_bad_items_at_their_pointers() {
    let (_d, svc) = service(None);
    let op = &svc.operations[0];
    let bad = json!({"customer": {"id": 7, "tags": {"string": ["a"]}, "grid": [[1, "x"], []]}});
    let errors = svc.request(op, bad.as_object().unwrap(), None).unwrap_err();
    let at: Vec<(&str, &str)> = errors
        .iter()
        .map(|e| (e.pointer.as_str(), e.rule))
        .collect();
    assert!(at.contains(&("/customer/tags", "type")), "{errors:?}");
    assert!(at.contains(&("/customer/grid/0/1", "type")), "{errors:?}");
    // ArrayOfInt needs one item at least.
    assert!(
        at.contains(&("/customer/grid/1", "minOccurs")),
        "{errors:?}"
    );
}

#[test]
fn false_keeps_the_wrapper_objects() {
    let (_d, svc) = service(Some("false"));
    let v = json!({"customer": [{"id": 42, "tags": {"string": ["gold", "vip"]},
        "addresses": {"address": [{"city": "Oslo"}]},
        "grid": {"arrayOfInt": [{"int": [1, 2]}, {"int": [3]}]}, "labels": {"lang": "en", "label": ["a"]}}]});
    assert_eq!(decode(&svc, &envelope(FULL)), v);
    round_trip(&svc, v);
}

#[test]
fn except_turns_the_named_types_the_other_way() {
    let (_d, svc) = service(Some(
        "{default: true, except: [ArrayOfString, '{urn:t}ArrayOfInt']}",
    ));
    let v = json!({"customer": [{"id": 42, "tags": {"string": ["gold", "vip"]},
        "addresses": [{"city": "Oslo"}], "grid": [{"int": [1, 2]}, {"int": [3]}],
        "labels": {"lang": "en", "label": ["a"]}}]});
    assert_eq!(decode(&svc, &envelope(FULL)), v);
    round_trip(&svc, v);
    let (_d, svc) = service(Some("{default: false, except: [ArrayOfAddress]}"));
    let out = decode(&svc, &envelope(FULL));
    assert_eq!(out["customer"][0]["addresses"], json!([{"city": "Oslo"}]));
    assert_eq!(
        out["customer"][0]["tags"],
        json!({"string": ["gold", "vip"]})
    );
}

#[test]
fn except_names_that_are_no_list_wrapper_are_located_errors() {
    for (setting, message) in [
        ("{default: true, except: [Nope]}", "no type named `Nope`"),
        (
            "{default: true, except: [Labels]}",
            "`Labels` is not a list wrapper",
        ),
        (
            "{default: true, except: ['{urn:other}ArrayOfInt']}",
            "no type named `{urn:other}ArrayOfInt`",
        ),
        ("{default: true, only: [X]}", "unknown field `only`"),
        ("maybe", "expected true, false"),
    ] {
        let e = compile(Some(setting))
            .err()
            .unwrap_or_else(|| panic!("{setting}"));
        assert!(e.contains(message), "{setting}: {e}");
        assert!(e.contains("s.yaml:"), "{e}");
    }
}

#[test]
fn the_message_itself_stays_an_object() {
    // `Out` is one repeated element, but it is the message: the body keeps its key.
    let (_d, svc) = service(None);
    let out = decode(&svc, &envelope(""));
    assert!(out.is_object(), "{out}");
    assert!(out["customer"].is_array(), "{out}");
}

#[test]
fn the_openapi_document_shows_the_arrays() {
    let (_d, svc) = service(None);
    let doc = soapbridge::http::openapi::document(&[Arc::new(svc)]);
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let find = |local: &str| {
        schemas
            .iter()
            .find(|(k, _)| k.ends_with(&format!(".{local}")))
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no {local} in {schemas:?}"))
    };
    let strings = find("ArrayOfString");
    assert_eq!(strings["type"], "array", "{strings}");
    assert_eq!(strings["items"]["oneOf"][0]["type"], "string", "{strings}");
    assert_eq!(strings["items"]["oneOf"][1], json!({"type": "null"}));
    let ints = find("ArrayOfInt");
    assert_eq!(ints["minItems"], 1, "{ints}");
    let grid = find("ArrayOfArrayOfInt");
    assert!(
        grid["items"]["$ref"]
            .as_str()
            .is_some_and(|r| r.ends_with(".ArrayOfInt")),
        "{grid}"
    );
    // The type with an attribute stays an object.
    assert_eq!(find("Labels")["type"], "object");
    let (_d, off) = service(Some("false"));
    let doc = soapbridge::http::openapi::document(&[Arc::new(off)]);
    let off_strings = doc["components"]["schemas"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(k, _)| k.ends_with(".ArrayOfString"))
        .map(|(_, v)| v.clone())
        .unwrap();
    assert_eq!(off_strings["type"], "object", "{off_strings}");
}

#[test]
fn the_mock_answers_arrays_that_decode_the_same_both_ways() {
    let (_d, svc) = service(None);
    let svc = Arc::new(svc);
    let mock = soapbridge::mock::Mock::new(svc.clone());
    let mut seen = 0;
    for seed in 0..8 {
        let answer = String::from_utf8(mock.sample_response(&svc.operations[0], seed)).unwrap();
        let out = decode(&svc, &answer);
        for c in out["customer"].as_array().unwrap() {
            for key in ["tags", "addresses", "grid"] {
                if let Some(v) = c.get(key) {
                    assert!(v.is_array() || v.is_null(), "{key}: {out}");
                    seen += 1;
                }
            }
        }
    }
    assert!(seen > 0);
}

/// `tests/unwrap/crm.yaml` is the sample mapping (its copy in `tests/sample`) with
/// `unwrap_lists: true`.
#[test]
fn the_unwrapped_sample_fixture_is_the_sample_mapping_with_the_setting() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let sample = std::fs::read_to_string(root.join("tests/sample/mappings/crm.yaml")).unwrap();
    let fixture = std::fs::read_to_string(root.join("tests/unwrap/crm.yaml")).unwrap();
    let expected = format!(
        "# tests/unwrap: the sample mapping with `unwrap_lists: true` (tests/it/unwrap.rs keeps it in step).\n{}",
        sample
            .replacen("wsdl: ../wsdl/crm.wsdl\n", "wsdl: ../sample/wsdl/crm.wsdl\n", 1)
            .replacen(
                "naming: camelCase\n",
                "naming: camelCase\n# List wrappers (a type that is one repeated element, e.g. ArrayOfX) as JSON arrays;\n# `{ default: true, except: [ArrayOfX] }` keeps the named ones as objects.\nunwrap_lists: true\n",
                1
            )
    );
    assert_eq!(
        fixture, expected,
        "regenerate tests/unwrap/crm.yaml from tests/sample/mappings/crm.yaml"
    );
}

/// The sample unwrapped: the list operation answers an array, customers' phone numbers and
/// orders' lines are arrays; the shipped sample keeps its wrapper objects.
#[test]
fn the_sample_unwrapped_answers_arrays_and_the_shipped_one_objects() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for (folder, unwrapped) in [("tests/unwrap", true), ("mappings", false)] {
        let services = soapbridge::http::load_services(&root.join(folder)).unwrap();
        let svc = services[0].clone();
        let mock = soapbridge::mock::Mock::new(svc.clone());
        let find = svc.operation("FindCustomers").unwrap();
        let answer = String::from_utf8(mock.sample_response(find, 0)).unwrap();
        let out = decode_op(&svc, find, &answer);
        assert_eq!(out.is_array(), unwrapped, "{folder}: {out}");
        let get = svc.operation("GetCustomer").unwrap();
        let answer = String::from_utf8(mock.sample_response(get, 0)).unwrap();
        let customer = decode_op(&svc, get, &answer);
        if let Some(phones) = customer.get("phoneNumbers").filter(|p| !p.is_null()) {
            assert_eq!(phones.is_array(), unwrapped, "{folder}: {customer}");
        }
    }
}
