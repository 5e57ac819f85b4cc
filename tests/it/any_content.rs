//! `anyType` content (an element declared without a type) and the open content of an input
//! element (`$xml` of its `xs:any` or mixed content, `$attributes` of its `xs:anyAttribute`),
//! through the request path the server takes (`build_request`), read back as the service
//! would, and as the OpenAPI document describes them. The JSON of `anyType` content is one
//! thing everywhere: a scalar (its text), `{"$xml": "<raw/>"}`, or `{}` for none.

use serde_json::{Value, json};
use soapbridge::convert::operation::{Outcome, ServicePlan};
use soapbridge::soap::XmlLimits;

use super::examples::{doc_service, refused_examples};

/// The request envelope `build_request` writes for a JSON body, and the Body's first element
/// as text (`<t:Request .../>`).
fn send(svc: &ServicePlan, body: Option<Value>) -> Result<(String, String), String> {
    let op = &svc.operations[0];
    let env = svc
        .build_request(op, &|_| Vec::new(), body)
        .map_err(|e| serde_json::to_string(&e).unwrap())?;
    let text = String::from_utf8(env).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    let el = doc
        .descendants()
        .find(|n| n.tag_name().name() == "Body")
        .and_then(|b| b.first_element_child())
        .unwrap();
    let inner = text[el.range()].to_string();
    Ok((text, inner))
}

/// The JSON the service side reads from a request envelope.
fn read_back(svc: &ServicePlan, envelope: &str) -> Value {
    let op = &svc.operations[0];
    serde_json::from_str(
        &svc.read_request(op, envelope, XmlLimits::default())
            .unwrap(),
    )
    .unwrap()
}

fn any_service() -> (tempfile::TempDir, std::sync::Arc<ServicePlan>) {
    doc_service(r#"<xs:element name="In"/><xs:element name="Out"/>"#)
}

#[test]
fn an_any_type_input_takes_a_scalar_raw_xml_or_nothing() {
    let (_d, svc) = any_service();
    for (body, content, back) in [
        (Some(json!({})), "", json!("")),
        (None, "", json!("")),
        (Some(json!("")), "", json!("")),
        (Some(json!({"$xml": ""})), "", json!("")),
        (Some(json!("a < b")), "a &lt; b", json!("a < b")),
        (Some(json!(42)), "42", json!("42")),
        (Some(json!(true)), "true", json!("true")),
        (Some(json!({"$xml": "text"})), "text", json!("text")),
        (
            Some(json!({"$xml": "<x:a xmlns:x=\"urn:x\">1</x:a>tail"})),
            "<x:a xmlns:x=\"urn:x\">1</x:a>tail",
            json!({"$xml": "<x:a xmlns:x=\"urn:x\">1</x:a>tail"}),
        ),
    ] {
        let (text, inner) = send(&svc, body.clone()).unwrap_or_else(|e| panic!("{body:?}: {e}"));
        let open = inner.find('>').unwrap() + 1;
        let got = if inner.ends_with("/>") {
            ""
        } else {
            &inner[open..inner.rfind("</").unwrap()]
        };
        assert_eq!(got, content, "{body:?}: {inner}");
        assert_eq!(read_back(&svc, &text), back, "{body:?}");
    }
}

#[test]
fn an_any_type_input_refuses_what_is_not_its_content() {
    let (_d, svc) = any_service();
    for (body, pointer, says) in [
        (json!({"$xml": "<a>"}), "/$xml", "not well-formed"),
        (json!({"other": 1}), "/other", "unknown field"),
        (json!([1]), "/", "expected a JSON object"),
        (json!({"$xml": 1}), "/", "any content"),
    ] {
        let e = send(&svc, Some(body.clone())).unwrap_err();
        let errors: Value = serde_json::from_str(&e).unwrap();
        assert_eq!(errors[0]["pointer"], pointer, "{body}: {e}");
        assert!(
            errors[0]["message"].as_str().unwrap().contains(says),
            "{body}: {e}"
        );
    }
}

#[test]
fn an_any_type_answer_reads_as_the_same_json() {
    let (_d, svc) = any_service();
    let op = &svc.operations[0];
    for (content, json) in [
        ("", json!("")),
        ("plain &amp; text", json!("plain & text")),
        ("<b>x</b>", json!({"$xml": "<b>x</b>"})),
    ] {
        let envelope = format!(
            r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><t:Out xmlns:t="urn:t">{content}</t:Out></s:Body></s:Envelope>"#
        );
        let Outcome::Ok(text) = svc.response(op, &envelope, XmlLimits::default()).unwrap() else {
            panic!("a fault")
        };
        let got: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(got, json, "{content}");
        // And that JSON, sent as a request, writes the same content.
        let (_, inner) = send(&svc, Some(got)).unwrap();
        assert!(inner.contains(content), "{content}: {inner}");
    }
}

#[test]
fn the_openapi_document_describes_any_type_content_and_its_example_is_sent() {
    let (_d, svc) = any_service();
    let doc = soapbridge::http::openapi::document(std::slice::from_ref(&svc));
    let body = &doc["paths"]["/api/s/op"]["post"]["requestBody"]["content"]["application/json"];
    let branches = body["schema"]["oneOf"]
        .as_array()
        .expect("scalar or object");
    assert_eq!(branches[0]["type"], json!(["string", "number", "boolean"]));
    assert_eq!(
        branches[1]["properties"]["$xml"]["type"], "string",
        "{body}"
    );
    let answer =
        &doc["paths"]["/api/s/op"]["post"]["responses"]["200"]["content"]["application/json"];
    assert_eq!(answer["schema"], body["schema"]);
    assert_eq!(refused_examples(&svc), Vec::<String>::new());
}

#[test]
fn the_open_content_of_an_input_element_is_given_in_the_body() {
    let (_d, svc) = doc_service(
        r###"<xs:element name="In"><xs:complexType><xs:sequence>
               <xs:element name="id" type="xs:int"/>
               <xs:any namespace="##other" processContents="lax"/>
             </xs:sequence><xs:anyAttribute namespace="##other" processContents="lax"/></xs:complexType></xs:element>
             <xs:element name="Out"><xs:complexType mixed="true"><xs:sequence>
               <xs:element name="b" type="xs:string" minOccurs="0"/></xs:sequence></xs:complexType></xs:element>"###,
    );
    let body =
        json!({"id": 1, "$xml": "<x:e xmlns:x=\"urn:x\"/>", "$attributes": {"{urn:x}flag": "on"}});
    let (text, inner) = send(&svc, Some(body.clone())).unwrap();
    assert!(inner.contains("<x:e xmlns:x=\"urn:x\"/>"), "{inner}");
    assert!(inner.contains("=\"on\""), "{inner}");
    assert_eq!(read_back(&svc, &text), body);
    // The wildcard is required: `$xml` may not be left out.
    let e = send(&svc, Some(json!({"id": 1}))).unwrap_err();
    assert!(e.contains("\"pointer\":\"/$xml\""), "{e}");
    assert_eq!(refused_examples(&svc), Vec::<String>::new());
}

#[test]
fn a_wildcard_branch_of_a_repeated_choice_is_one_branch_of_its_items() {
    let (_d, svc) = doc_service(
        r###"<xs:element name="In"><xs:complexType><xs:sequence><xs:element name="list">
               <xs:complexType><xs:choice maxOccurs="unbounded">
                 <xs:element name="a" type="xs:int"/>
                 <xs:element name="b" type="xs:string"/>
                 <xs:any namespace="##other" processContents="lax"/>
               </xs:choice></xs:complexType></xs:element></xs:sequence></xs:complexType></xs:element>
             <xs:element name="Out"><xs:complexType/></xs:element>"###,
    );
    let doc = soapbridge::http::openapi::document(std::slice::from_ref(&svc));
    let schema =
        &doc["paths"]["/api/s/op"]["post"]["requestBody"]["content"]["application/json"]["schema"];
    let items = &schema["properties"]["list"]["properties"]["aOrBOrAny"]["items"]["oneOf"];
    let items = items.as_array().unwrap_or_else(|| panic!("{schema}"));
    // `{"$xml": ...}` must match exactly one branch of a `oneOf`.
    let raw = items
        .iter()
        .filter(|b| b["required"] == json!(["$xml"]))
        .count();
    assert_eq!((items.len(), raw), (3, 1), "{schema}");
    let body = json!({"list": {"aOrBOrAny": [{"a": 1}, {"$xml": "<x:e xmlns:x=\"urn:x\"/>"}, {"b": "t"}]}});
    let (text, _) = send(&svc, Some(body.clone())).unwrap();
    assert_eq!(read_back(&svc, &text), body);
}
