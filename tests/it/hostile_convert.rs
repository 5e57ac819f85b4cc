//! Hostile and odd inputs for the schema-driven conversion, on schemas of our own in
//! `tests/hostile/`: client JSON that does not fit, upstream XML that tries to hurt (deep
//! nesting, reference games, raw markup with CDATA and namespace tricks), and content models
//! that are legal but awkward (a name twice in a sequence, one element in two choices, choices
//! in repeated sequences, nested repeated choices, substitution groups with abstract members).
//! Every JSON the sampler makes for these schemas must come back unchanged, and with
//! `SOAPBRIDGE_XMLLINT=1` every XML written must pass `xmllint --schema`.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::{Value, json};
use soapbridge::convert::decode::Decoder;
use soapbridge::convert::encode::Encoder;
use soapbridge::convert::model::Model;
use soapbridge::mapping::naming::Naming;
use soapbridge::mock::sample::Sampler;
use soapbridge::soap::{self, XmlLimits};
use soapbridge::xsd::{QName, Schema};

const NS: &str = "urn:hostile";

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile")
}

struct Loaded {
    schema: Schema,
    model: Model,
}

fn groups() -> &'static Loaded {
    static L: OnceLock<Loaded> = OnceLock::new();
    L.get_or_init(|| {
        let schema = soapbridge::xsd::load::load(&dir().join("groups.xsd"), &Default::default())
            .unwrap_or_else(|e| panic!("{e}"));
        let model = Model::new(&schema, Naming::CamelCase);
        Loaded { schema, model }
    })
}

/// Writes the global element `name` from `json`: the standalone XML, or the errors.
fn encode(l: &Loaded, name: &str, json: &Value) -> Result<String, Vec<String>> {
    let q = QName::new(NS, name);
    let decl = l.schema.element(l.schema.global_elements[&q]);
    let mut enc = Encoder::new(&l.schema, &l.model);
    enc.element(&q, decl.type_id, decl.nillable, json, "");
    if !enc.errors.is_empty() {
        return Err(enc
            .errors
            .iter()
            .map(|e| format!("{}: {}", e.pointer, e.message))
            .collect());
    }
    let decls = soap::declarations(&l.model, &enc.used);
    let body = String::from_utf8(enc.writer.into_inner()).unwrap();
    // The declarations the envelope would carry, on the element itself.
    let end = body
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .unwrap();
    let mut attrs = String::new();
    if enc.xsi {
        attrs.push_str(" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"");
    }
    for (p, uri) in decls {
        attrs.push_str(&format!(" xmlns:{p}=\"{uri}\""));
    }
    Ok(format!("{}{attrs}{}", &body[..end], &body[end..]))
}

/// Reads `xml` (an upstream's answer, parsed under the default limits) as the global element
/// `name`.
fn decode(l: &Loaded, name: &str, xml: &str) -> Result<Value, String> {
    let q = QName::new(NS, name);
    let decl = l.schema.element(l.schema.global_elements[&q]);
    let doc = soap::parse(xml, XmlLimits::default())?;
    Decoder::new(&l.schema, &l.model).element(doc.root_element(), decl.type_id, decl.nillable)
}

fn xmllint(doc: &str) -> Result<(), String> {
    if std::env::var_os("SOAPBRIDGE_XMLLINT").is_none() {
        return Ok(());
    }
    let tmp = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(tmp.path(), doc).unwrap();
    let out = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(dir().join("groups.xsd"))
        .arg(tmp.path())
        .output()
        .expect("SOAPBRIDGE_XMLLINT is set but xmllint cannot run (apt-get install libxml2-utils)");
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// Absent repeated elements come back as `[]`: drop empty arrays on both sides.
fn normal(v: &Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(
            o.iter()
                .filter(|(_, x)| !matches!(x, Value::Array(a) if a.is_empty()))
                .map(|(k, x)| (k.clone(), normal(x)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(normal).collect()),
        other => other.clone(),
    }
}

/// JSON -> XML (valid for xmllint) -> the same JSON.
fn round_trip(name: &str, json: &Value) -> Result<String, String> {
    let l = groups();
    let xml = encode(l, name, json).map_err(|e| format!("refused: {e:?}\n{json:#}"))?;
    xmllint(&xml).map_err(|e| format!("xmllint rejects what we wrote:\n{xml}\n{e}"))?;
    let back = decode(l, name, &xml).map_err(|e| format!("cannot read back: {e}\n{xml}"))?;
    if normal(&back) != normal(json) {
        return Err(format!(
            "read back differently\n--- sent\n{json:#}\n--- xml\n{xml}\n--- read back\n{back:#}"
        ));
    }
    Ok(xml)
}

/// Upstream mixed content with CDATA sections: the text around and inside them is kept (it
/// was cut at the first CDATA section, which ended roxmltree's first text piece).
#[test]
fn mixed_content_keeps_text_after_and_inside_cdata() {
    let l = groups();
    for xml in [
        r#"<Para xmlns="urn:hostile">a<![CDATA[<b>&]]>c<em>x</em>d</Para>"#,
        r#"<Para xmlns="urn:hostile"><![CDATA[<b>]]>tail<em>x</em></Para>"#,
        "<Para xmlns=\"urn:hostile\">a&amp;&#13;<![CDATA[]]]]><![CDATA[>]]>b<em>x</em></Para>",
    ] {
        let v = decode(l, "Para", xml).unwrap();
        let raw = v["$xml"].as_str().unwrap();
        // The same text, whichever way it is spelt: read both back.
        let text = |s: &str| {
            let doc = roxmltree::Document::parse(s).unwrap();
            let root = doc.root_element();
            root.children()
                .map(|c| match c.text() {
                    Some(t) if c.is_text() => t.to_string(),
                    _ => format!("<{}>", c.tag_name().name()),
                })
                .collect::<String>()
        };
        assert_eq!(
            text(&format!("<r>{raw}</r>")),
            text(xml),
            "{xml} read as {raw}"
        );
        // And it goes out as it came in.
        round_trip("Para", &v).unwrap();
    }
}

/// A repeated sequence whose required fields are arrays of different lengths would write an
/// occurrence without them: xmllint refuses it, so the request must be refused first.
#[test]
fn repeated_sequence_with_uneven_arrays_is_refused() {
    let l = groups();
    let errors = encode(l, "Rows", &json!({"k": ["1", "2"], "xOrY": [{"x": 1}]})).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("/xOrY: "), "{errors:?}");
    let errors = encode(
        l,
        "Rows",
        &json!({"k": ["1"], "xOrY": [{"x": 1}, {"y": "a"}]}),
    )
    .unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("/k: "), "{errors:?}");
    let errors = encode(l, "Rows", &json!({"xOrY": [{"x": 1}]})).unwrap_err();
    assert!(errors.iter().any(|e| e.starts_with("/k: ")), "{errors:?}");
    // Even arrays are fine.
    round_trip(
        "Rows",
        &json!({"k": ["1", "2"], "xOrY": [{"x": 1}, {"y": "a", "z": "b"}]}),
    )
    .unwrap();
}

/// Raw markup from the client may not hold processing instructions (SOAP forbids them; our own
/// reader refuses them in answers).
#[test]
fn raw_markup_with_a_processing_instruction_is_refused() {
    let l = groups();
    let errors = encode(l, "Any", &json!({"head": "h", "$xml": "<x/><?pi x?>"})).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("/$xml: "), "{errors:?}");
    let errors = encode(l, "Para", &json!({"$xml": "a<?pi?>"})).unwrap_err();
    assert!(errors[0].starts_with("/$xml: "), "{errors:?}");
    // A DTD cannot come in either.
    let errors = encode(
        l,
        "Any",
        &json!({"head": "h", "$xml": "<!DOCTYPE x [<!ENTITY e 'x'>]><x>&e;</x>"}),
    )
    .unwrap_err();
    assert!(errors[0].starts_with("/$xml: "), "{errors:?}");
}

/// A wildcard as one branch of a repeated choice: what it matched is an item of the choice's
/// array (`{"$xml": ...}`), in place. It went to a `$xml` beside the array, which the writer then
/// dropped without a word.
#[test]
fn a_wildcard_branch_of_a_repeated_choice_keeps_its_elements_in_place() {
    let l = groups();
    let xml = r#"<Open xmlns="urn:hostile"><known>1</known><x xmlns="urn:p">t</x><p:y xmlns:p="urn:p"/><known>2</known></Open>"#;
    let v = decode(l, "Open", xml).unwrap();
    assert_eq!(
        v,
        json!({"known": [
            {"known": "1"},
            {"$xml": "<x xmlns=\"urn:p\">t</x>"},
            {"$xml": "<p:y xmlns:p=\"urn:p\"/>"},
            {"known": "2"},
        ]})
    );
    let back = round_trip("Open", &v).unwrap();
    assert!(back.contains(r#"<ns6:known>1</ns6:known><x xmlns="urn:p">t</x><p:y xmlns:p="urn:p"/><ns6:known>2</ns6:known>"#), "{back}");
    // Raw markup beside the array has no place to go: refused, not dropped.
    let errors = encode(
        l,
        "Open",
        &json!({"known": [{"known": "a"}], "$xml": "<p:x xmlns:p='urn:p'/>"}),
    )
    .unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("/$xml: "), "{errors:?}");
    // One item is one branch.
    let errors = encode(
        l,
        "Open",
        &json!({"known": [{"known": "a", "$xml": "<p:x xmlns:p='urn:p'/>"}]}),
    )
    .unwrap_err();
    assert!(errors[0].starts_with("/known/0"), "{errors:?}");
}
