//! An OpenAPI example is always accepted by the bridge: every request example (parameters and
//! body) of the OpenAPI document goes through `ServicePlan::build_request`, the request path the
//! server takes, and is written into an envelope. On small services of our own (choices, `xs:any`,
//! `xs:ID`/`IDREF`, `anyType`) everywhere, and on every operation of every corpus mapping with
//! `SOAPBRIDGE_CORPUS` (ignored without it) (the mappings generated as `tests/it/corpus.rs` does).

use std::sync::Arc;

use serde_json::Value;
use soapbridge::convert::operation::{BodyLayout, OperationPlan, Outcome, ServicePlan};
use soapbridge::mapping::format::AnswerValidation;
use soapbridge::mapping::route::InputSource;
use soapbridge::mock::sample::Sampler;
use soapbridge::soap::XmlLimits;

use super::corpus::{ENTRIES, Expect, compile_entry, corpus};

/// A service from a WSDL's text, through generate and compile as the CLI does.
pub(crate) fn service(wsdl: &str) -> (tempfile::TempDir, Arc<ServicePlan>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.wsdl");
    std::fs::write(&path, wsdl).unwrap();
    let w = soapbridge::wsdl::load(&path, &Default::default()).unwrap_or_else(|d| panic!("{d}"));
    let sel = soapbridge::mapping::generate::select(&w, None, None, None).unwrap();
    let text = soapbridge::mapping::generate::generate(&w, "s.wsdl", sel);
    let file = dir.path().join("s.yaml");
    std::fs::write(&file, &text).unwrap();
    let mut compiled =
        soapbridge::mapping::compile::compile_str(&file, &text).unwrap_or_else(|d| panic!("{d}"));
    compiled.validate_answers = AnswerValidation::Strict;
    (dir, Arc::new(ServicePlan::new(Arc::new(compiled))))
}

/// A document/literal service with one operation `Op` taking element `In` and answering `Out`
/// (`types` inside a schema of target namespace `urn:t`, prefix `t`).
pub(crate) fn doc_service(types: &str) -> (tempfile::TempDir, Arc<ServicePlan>) {
    service(&format!(
        r#"<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
  xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:t="urn:t" targetNamespace="urn:t">
 <types><xs:schema targetNamespace="urn:t" elementFormDefault="qualified">{types}</xs:schema></types>
 <message name="in"><part name="p" element="t:In"/></message>
 <message name="out"><part name="p" element="t:Out"/></message>
 <portType name="P"><operation name="Op"><input message="t:in"/><output message="t:out"/></operation></portType>
 <binding name="B" type="t:P"><soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
  <operation name="Op"><soap:operation soapAction="urn:op"/><input><soap:body use="literal"/></input>
   <output><soap:body use="literal"/></output></operation></binding>
 <service name="S"><port name="SP" binding="t:B"><soap:address location="http://127.0.0.1:1/"/></port></service>
</definitions>"#
    ))
}

/// A JSON example as the text of a path, query or header parameter (one per item of an array).
fn as_texts(v: &Value) -> Vec<String> {
    match v {
        Value::Array(items) => items.iter().flat_map(as_texts).collect(),
        Value::String(s) => vec![s.clone()],
        Value::Null => Vec::new(),
        other => vec![other.to_string()],
    }
}

/// Sends an operation's request example (its parameters' examples and its body's) through the
/// request path; the problems, if refused.
pub(crate) fn send_example(
    svc: &ServicePlan,
    doc: &Value,
    op: &OperationPlan,
) -> Result<Vec<u8>, String> {
    let r = &op.route;
    let method = r.method.as_str().to_ascii_lowercase();
    let o = &doc["paths"][&r.path][&method];
    assert!(o.is_object(), "no {method} {} in the document", r.path);
    let params: Vec<(String, String, Value)> = o["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            (
                p["in"].as_str().unwrap().to_string(),
                p["name"].as_str().unwrap().to_string(),
                p["example"].clone(),
            )
        })
        .collect();
    let param = |source: &InputSource| -> Vec<String> {
        let (place, name) = match source {
            InputSource::Path(n) => ("path", n),
            InputSource::Query(n) => ("query", n),
            InputSource::Header(n) => ("header", n),
            InputSource::Body | InputSource::BodyKey | InputSource::Identity(_) => {
                return Vec::new();
            }
        };
        params
            .iter()
            .find(|(i, n, _)| i == place && n.eq_ignore_ascii_case(name))
            .map(|(_, _, v)| as_texts(v))
            .unwrap_or_default()
    };
    let body = o
        .pointer("/requestBody/content/application~1json/example")
        .cloned();
    svc.build_request(op, &param, body).map_err(|errors| {
        let example = o.pointer("/requestBody/content/application~1json/example");
        format!(
            "{} {}: example {} refused: {}",
            method,
            r.path,
            example.map_or("(none)".to_string(), |e| one_line(&e.to_string())),
            serde_json::to_string(&errors).unwrap()
        )
    })
}

fn one_line(s: &str) -> String {
    super::coverage::one_line(s, 300)
}

/// The violations of a document/literal envelope's Body elements, by the schema's own
/// validator (rpc and encoded Bodies are not literal XML Schema documents).
fn body_violations(svc: &ServicePlan, layout: &BodyLayout, envelope: &[u8]) -> Vec<String> {
    if !matches!(
        layout,
        BodyLayout::Element { .. } | BodyLayout::Parts { wrapper: None, .. }
    ) {
        return Vec::new();
    }
    let text = std::str::from_utf8(envelope).unwrap();
    let doc = roxmltree::Document::parse(text).unwrap();
    let schema = &svc.compiled.wsdl.schema;
    let validator = soapbridge::xsd::validate::Validator::new(schema);
    let body = doc
        .descendants()
        .find(|n| n.tag_name().name() == "Body")
        .unwrap();
    let mut out = Vec::new();
    for c in body.children().filter(|c| c.is_element()) {
        let q = soapbridge::xsd::QName::new(
            c.tag_name().namespace().unwrap_or(""),
            c.tag_name().name(),
        );
        if let Some(&decl) = schema.global_elements.get(&q) {
            out.extend(
                validator
                    .validate_element(c, decl)
                    .into_iter()
                    .map(|v| format!("{}: {}", v.path, v.message)),
            );
        }
    }
    out
}

/// Every operation's request example of one service through the request path (its envelope
/// valid for the schema's validator), and its answer example (the sample it is drawn from)
/// through the answer path with answers checked strictly: the refusals.
pub(crate) fn refused_examples(svc: &Arc<ServicePlan>) -> Vec<String> {
    assert_eq!(svc.compiled.validate_answers, AnswerValidation::Strict);
    let doc = soapbridge::http::openapi::document(std::slice::from_ref(svc));
    let schema = &svc.compiled.wsdl.schema;
    let mut refused = Vec::new();
    for op in &svc.operations {
        let name = &op.route.operation;
        match send_example(svc, &doc, op) {
            Ok(envelope) if op.input_encoding.is_none() => {
                let bad = body_violations(svc, &op.input, &envelope);
                if !bad.is_empty() {
                    refused.push(format!(
                        "{name}: the request example's envelope is invalid: {bad:?}"
                    ));
                }
            }
            Ok(_) => {}
            Err(e) => refused.push(e),
        }
        let answer = Sampler::new(schema, &svc.model, 0).message(&op.output);
        let outcome = svc
            .answer(op, &answer)
            .map_err(|e| format!("{e:?}"))
            .and_then(|env| {
                let text = String::from_utf8(env).unwrap();
                svc.response(op, &text, XmlLimits::default())
                    .map_err(|e| e.to_string())
            });
        match outcome {
            Ok(Outcome::Ok(_)) => {}
            other => refused.push(format!(
                "{name}: the answer example {} is refused: {other:?}",
                one_line(&answer.to_string())
            )),
        }
    }
    refused
}

#[test]
fn an_example_filling_a_choice_takes_one_branch() {
    let (_d, svc) = doc_service(
        r#"<xs:element name="In"><xs:complexType><xs:sequence>
             <xs:choice><xs:element name="byId" type="xs:int"/><xs:element name="byName" type="xs:string"/></xs:choice>
             <xs:choice minOccurs="0"><xs:element name="asc" type="xs:boolean"/><xs:element name="desc" type="xs:boolean"/></xs:choice>
             <xs:element name="page"><xs:complexType><xs:choice>
               <xs:sequence><xs:element name="from" type="xs:int"/><xs:element name="to" type="xs:int"/></xs:sequence>
               <xs:element name="all" type="xs:boolean"/>
             </xs:choice></xs:complexType></xs:element>
           </xs:sequence></xs:complexType></xs:element>
           <xs:element name="Out"><xs:complexType/></xs:element>"#,
    );
    assert_eq!(refused_examples(&svc), Vec::<String>::new());
}

#[test]
fn an_example_gives_the_required_raw_xml_of_a_wildcard() {
    let (_d, svc) = doc_service(
        r###"<xs:element name="In"><xs:complexType><xs:sequence>
               <xs:element name="id" type="xs:int"/>
               <xs:any namespace="##other" processContents="lax"/>
             </xs:sequence></xs:complexType></xs:element>
             <xs:element name="Out"><xs:complexType/></xs:element>"###,
    );
    let doc = soapbridge::http::openapi::document(std::slice::from_ref(&svc));
    let body = &doc["paths"]["/api/s/op"]["post"]["requestBody"]["content"]["application/json"];
    assert!(body["example"]["$xml"].is_string(), "{body}");
    assert_eq!(
        body["schema"]["required"],
        serde_json::json!(["id", "$xml"])
    );
    assert_eq!(refused_examples(&svc), Vec::<String>::new());
}

#[test]
fn examples_give_distinct_ids_and_refer_to_one_of_them() {
    let types = r#"<xs:complexType name="Graph"><xs:sequence>
             <xs:element name="node" maxOccurs="unbounded"><xs:complexType>
               <xs:attribute name="id" type="xs:ID" use="required"/>
               <xs:attribute name="parent" type="xs:IDREF"/>
               <xs:attribute name="peers" type="xs:IDREFS"/>
             </xs:complexType></xs:element>
             <xs:element name="key" type="xs:ID"/>
             <xs:element name="ref" type="xs:IDREF"/>
           </xs:sequence></xs:complexType>
           <xs:element name="In" type="t:Graph"/>
           <xs:element name="Out" type="t:Graph"/>"#;
    let (_d, svc) = doc_service(types);
    assert_eq!(refused_examples(&svc), Vec::<String>::new());
    let doc = soapbridge::http::openapi::document(std::slice::from_ref(&svc));
    let example =
        &doc["paths"]["/api/s/op"]["post"]["requestBody"]["content"]["application/json"]["example"];
    assert_eq!(
        (
            &example["node"][0]["id"],
            &example["key"],
            &example["ref"],
            &example["node"][0]["parent"]
        ),
        (
            &Value::from("id1"),
            &Value::from("id2"),
            &Value::from("id1"),
            &Value::from("id1")
        ),
        "{example}"
    );
}

#[test]
#[ignore = "needs SOAPBRIDGE_CORPUS"]
fn every_corpus_example_is_accepted_by_the_bridge() {
    let corpus = corpus();
    let wsdl_dir = corpus.join("wsdl");
    let tmp = tempfile::tempdir().unwrap();
    let (mut operations, mut refused) = (0, Vec::new());
    for (entry, expect) in ENTRIES {
        if !matches!(expect, Expect::Routes(_)) {
            continue;
        }
        let mut compiled = compile_entry(&wsdl_dir, entry, tmp.path()).unwrap();
        compiled.validate_answers = AnswerValidation::Strict;
        let svc = Arc::new(ServicePlan::new(Arc::new(compiled)));
        operations += svc.operations.len();
        refused.extend(
            refused_examples(&svc)
                .into_iter()
                .map(|e| format!("{entry}: {e}")),
        );
    }
    println!("{operations} operations' examples sent");
    assert!(operations > 1000, "{operations}");
    assert!(
        refused.is_empty(),
        "{} examples refused:\n{}",
        refused.len(),
        refused.join("\n")
    );
}

#[test]
fn an_anonymous_type_that_contains_itself_is_a_component() {
    let (_d, svc) = doc_service(
        r#"<xs:element name="In"><xs:complexType><xs:sequence>
             <xs:element name="v" type="xs:int"/>
             <xs:element ref="t:In" minOccurs="0"/>
           </xs:sequence></xs:complexType></xs:element>
           <xs:element name="Out"><xs:complexType><xs:sequence>
             <xs:element name="part" minOccurs="0" maxOccurs="unbounded"><xs:complexType><xs:sequence>
               <xs:element ref="t:Out" minOccurs="0"/></xs:sequence></xs:complexType></xs:element>
           </xs:sequence></xs:complexType></xs:element>"#,
    );
    // Written once (it used to be inlined into itself without end, overflowing the stack).
    let doc = soapbridge::http::openapi::document(std::slice::from_ref(&svc));
    let in_type = &doc["components"]["schemas"]["S.In.type"];
    assert_eq!(
        in_type["properties"]["in"]["$ref"], "#/components/schemas/S.In.type",
        "{in_type}"
    );
    assert!(
        doc["components"]["schemas"]["S.part.type"].is_object(),
        "{doc}"
    );
    assert_eq!(refused_examples(&svc), Vec::<String>::new());
}
