//! Hostile and odd inputs for the schema-driven conversion, on schemas of our own in
//! `tests/hostile/`: client JSON that does not fit, upstream XML that tries to hurt (deep
//! nesting, reference games, raw markup with CDATA and namespace tricks), and content models
//! that are legal but awkward (a name twice in a sequence, one element in two choices, choices
//! in repeated sequences, nested repeated choices, substitution groups with abstract members).
//! Every JSON the sampler makes for these schemas must come back unchanged, and every XML the
//! round trips write must pass `xmllint --schema` (a test of its own, ignored unless
//! `SOAPBRIDGE_XMLLINT` says xmllint is installed).

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::{Value, json};
use soapbridge::convert::decode::Decoder;
use soapbridge::convert::encode::Encoder;
use soapbridge::convert::model::JsonModel;
use soapbridge::convert::stream;
use soapbridge::mapping::naming::Naming;
use soapbridge::mock::sample::Sampler;
use soapbridge::soap::{self, XmlLimits};
use soapbridge::xsd::{QName, Schema};

const NS: &str = "urn:hostile";

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile")
}

struct Loaded {
    schema: std::sync::Arc<Schema>,
    model: JsonModel,
}

fn groups() -> &'static Loaded {
    static L: OnceLock<Loaded> = OnceLock::new();
    L.get_or_init(|| {
        let schema = soapbridge::xsd::load::load(&dir().join("groups.xsd"), &Default::default())
            .unwrap_or_else(|e| panic!("{e}"));
        let schema = std::sync::Arc::new(schema);
        let model = JsonModel::new(schema.clone(), Naming::CamelCase);
        Loaded { schema, model }
    })
}

/// Writes the global element `name` from `json`: the standalone XML, or the errors.
fn encode(l: &Loaded, name: &str, json: &Value) -> Result<String, Vec<String>> {
    let q = QName::new(NS, name);
    let decl = l.schema.element(l.schema.global_elements[&q]);
    let mut enc = Encoder::new(&l.schema, &l.model);
    enc.element(&q, decl.type_id, decl.nillable, json, "");
    let written = enc.finish().map_err(|errors| {
        errors
            .iter()
            .map(|e| format!("{}: {}", e.pointer, e.message))
            .collect::<Vec<_>>()
    })?;
    let body = String::from_utf8(written.xml).unwrap();
    // The declarations the envelope would carry, on the element itself.
    let end = body
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .unwrap();
    let mut attrs = String::new();
    if written.xsi {
        attrs.push_str(" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"");
    }
    for (p, uri) in written.declarations {
        attrs.push_str(&format!(" xmlns:{p}=\"{uri}\""));
    }
    Ok(format!("{}{attrs}{}", &body[..end], &body[end..]))
}

/// Reads `xml` (an upstream's answer, parsed under the default limits) as the global element
/// `name`, with the tree decoder; the streaming decoder must write the same JSON, byte for
/// byte, whenever it reads the document itself (else it leaves it to the tree).
fn decode(l: &Loaded, name: &str, xml: &str) -> Result<Value, String> {
    let q = QName::new(NS, name);
    let decl = l.schema.element(l.schema.global_elements[&q]);
    let tree = soap::parse(xml, XmlLimits::default())
        .map_err(|e| e.to_string())
        .and_then(|doc| {
            let mut out = Vec::new();
            Decoder::new(&l.schema, &l.model)
                .write_element(doc.root_element(), decl.type_id, decl.nillable, &mut out)
                .map(|()| out)
                .map_err(|e| e.to_string())
        });
    let mut streamed = Vec::new();
    if stream::read_document_element(
        &l.schema,
        &l.model,
        xml,
        XmlLimits::default(),
        decl.type_id,
        decl.nillable,
        &mut streamed,
    )
    .is_ok()
    {
        assert_eq!(
            tree.as_deref().map(String::from_utf8_lossy),
            Ok(String::from_utf8_lossy(&streamed)),
            "the streaming decoder differs from the tree decoder on {}",
            super::coverage::one_line(xml, 400)
        );
    }
    serde_json::from_slice(&tree?).map_err(|e| format!("the decoder wrote invalid JSON: {e}"))
}

thread_local! {
    /// The documents `round_trip` writes on this thread, kept while the xmllint test runs the
    /// round trips to collect them.
    static WRITTEN: RefCell<Option<Vec<String>>> = const { RefCell::new(None) };
}

fn collecting() -> bool {
    WRITTEN.with_borrow(Option::is_some)
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

/// JSON -> XML -> the same JSON (and the XML kept for xmllint while its test collects).
fn round_trip(name: &str, json: &Value) -> Result<String, String> {
    let l = groups();
    let xml = encode(l, name, json).map_err(|e| format!("refused: {e:?}\n{json:#}"))?;
    WRITTEN.with_borrow_mut(|w| {
        if let Some(w) = w {
            w.push(xml.clone());
        }
    });
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
    // The group itself is required once.
    let errors = encode(l, "Rows", &json!({})).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("/: at least 1 occurrence"),
        "{errors:?}"
    );
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
        json!({"knownOrAny": [
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
        &json!({"knownOrAny": [{"known": "a"}], "$xml": "<p:x xmlns:p='urn:p'/>"}),
    )
    .unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("/$xml: "), "{errors:?}");
    // One item is one branch.
    let errors = encode(
        l,
        "Open",
        &json!({"knownOrAny": [{"known": "a", "$xml": "<p:x xmlns:p='urn:p'/>"}]}),
    )
    .unwrap_err();
    assert!(errors[0].starts_with("/knownOrAny/0"), "{errors:?}");
}

/// A name twice in one sequence (`a, b, a`): the key holds an array of both occurrences, in
/// document order. Each `a` used to be written from the same single value (so `{"a": "x"}` sent
/// `x` twice), and the answer `<a/><b/><a/>` was refused as "`a` appears more than once".
#[test]
fn a_name_twice_in_a_sequence_is_an_array() {
    let l = groups();
    let xml = round_trip("Twice", &json!({"a": ["x", "z"], "b": "y"})).unwrap();
    assert!(
        xml.contains("<ns6:a>x</ns6:a><ns6:b>y</ns6:b><ns6:a>z</ns6:a>"),
        "{xml}"
    );
    let v = decode(
        l,
        "Twice",
        r#"<Twice xmlns="urn:hostile"><a>1</a><b>2</b><a>3</a></Twice>"#,
    )
    .unwrap();
    assert_eq!(v, json!({"a": ["1", "3"], "b": "2"}));
    for bad in [
        json!({"a": ["x"], "b": "y"}),
        json!({"a": ["x", "y", "z"], "b": "y"}),
        json!({"a": "x", "b": "y"}),
    ] {
        let errors = encode(l, "Twice", &bad).unwrap_err();
        assert_eq!(errors.len(), 1, "{bad}: {errors:?}");
        assert!(errors[0].starts_with("/a: "), "{bad}: {errors:?}");
    }
}

/// One global element referenced from two choices of a sequence: both may be taken.
#[test]
fn one_element_in_two_choices() {
    let l = groups();
    round_trip("TwoChoices", &json!({"shared": ["1", "2"]})).unwrap();
    round_trip("TwoChoices", &json!({"shared": ["1"], "g": "w"})).unwrap();
    round_trip("TwoChoices", &json!({"f": "v", "g": "w"})).unwrap();
    round_trip("TwoChoices", &json!({"f": "v", "shared": ["1"]})).unwrap();
    let errors = encode(
        l,
        "TwoChoices",
        &json!({"f": "v", "g": "w", "shared": ["1"]}),
    )
    .unwrap_err();
    assert_eq!(
        errors,
        ["/shared: at most 0 items fit where the schema puts them"]
    );
    let v = decode(
        l,
        "TwoChoices",
        r#"<TwoChoices xmlns="urn:hostile"><shared>1</shared><g>2</g></TwoChoices>"#,
    )
    .unwrap();
    assert_eq!(v, json!({"shared": ["1"], "g": "2"}));
    let v = decode(
        l,
        "TwoChoices",
        r#"<TwoChoices xmlns="urn:hostile"><f>1</f><shared>2</shared></TwoChoices>"#,
    )
    .unwrap();
    assert_eq!(v, json!({"f": "1", "shared": ["2"]}));
}

/// The same name in two branches of one choice is one value: never both.
#[test]
fn a_name_in_two_branches_of_a_choice_stays_one_value() {
    round_trip("Either", &json!({"a": "x", "b": "y"})).unwrap();
    round_trip("Either", &json!({"c": "x", "a": "y"})).unwrap();
    // A branch given in part is refused, not written without its required fields.
    let l = groups();
    for (bad, error) in [
        (json!({"b": "y"}), "/a: required field is missing"),
        (json!({"c": "y"}), "/a: required field is missing"),
        (json!({"a": "y"}), "/b: required field is missing"),
        (
            json!({"b": "y", "c": "z", "a": "x"}),
            "/: only one of `a`, `b`, `c` may be given (a choice)",
        ),
    ] {
        assert_eq!(encode(l, "Either", &bad).unwrap_err(), [error], "{bad}");
    }
}

/// `xml:lang` is written with the predefined `xml` prefix: binding another prefix to the XML
/// namespace makes the document not well-formed (EWS's SetUserOofSettings request did this).
#[test]
fn the_xml_namespace_keeps_its_prefix() {
    let xml = round_trip("Lang", &json!({"lang": "en", "value": "x"})).unwrap();
    assert!(xml.contains(r#" xml:lang="en""#), "{xml}");
    assert!(!xml.contains("XML/1998"), "{xml}");
}

/// simpleContent without attributes reads as the bare value, so that is what it takes too.
#[test]
fn simple_content_without_attributes_is_the_value_both_ways() {
    let l = groups();
    let v = decode(l, "Plain", r#"<Plain xmlns="urn:hostile">x</Plain>"#).unwrap();
    assert_eq!(v, json!("x"));
    round_trip("Plain", &v).unwrap();
    let errors = encode(l, "Plain", &json!(7)).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
}

/// A required choice whose branches are all optional may be empty: the answer without either
/// element is valid.
#[test]
fn a_choice_of_optional_elements_may_be_empty() {
    let l = groups();
    let v = decode(
        l,
        "OptChoice",
        r#"<OptChoice xmlns="urn:hostile"><tail>t</tail></OptChoice>"#,
    )
    .unwrap();
    assert_eq!(v, json!({"tail": "t"}));
    round_trip("OptChoice", &v).unwrap();
    round_trip("OptChoice", &json!({"x": "1", "tail": "t"})).unwrap();
    let errors = encode(l, "OptChoice", &json!({"x": "1", "y": "2", "tail": "t"})).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
}

/// An `anySimpleType` value is kept as sent: it was whitespace-collapsed on the way back
/// ("  spaced  " came back "spaced"), as if it were a token.
#[test]
fn any_simple_type_values_keep_their_spaces() {
    let xml = round_trip("Item", &json!({"value": "  two  spaces\r\nand a line "})).unwrap();
    assert!(
        xml.contains("Value=\"  two  spaces&#13;&#10;and a line \""),
        "{xml}"
    );
}

/// The recursive rpc/encoded service in `tests/hostile/encoded/`, and its answer read as JSON.
fn chain(xml: &str) -> Result<Value, String> {
    let svc = soapbridge::http::load_services(&dir().join("encoded"))
        .unwrap_or_else(|e| panic!("{e}"))
        .remove(0);
    let op = svc.operation("getChain").unwrap();
    match svc
        .response(op, xml, XmlLimits::default())
        .map_err(|e| e.to_string())?
    {
        soapbridge::convert::operation::Outcome::Ok(text) => {
            Ok(serde_json::from_str(&text).unwrap())
        }
        other => Err(format!("{other:?}")),
    }
}

/// An envelope around an encoded `getChainResponse` holding `inner`, and `after` beside it.
fn chain_envelope(inner: &str, after: &str) -> String {
    format!(
        r#"<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body><ns1:getChainResponse xmlns:ns1="urn:chain">{inner}</ns1:getChainResponse>{after}</e:Body></e:Envelope>"#
    )
}

/// A reference from deep inside a value to its own top: each turn of the cycle goes the whole
/// depth down again, so the depth limit on references alone let the reader recurse 64 times
/// the document's depth (and overflow its stack). It must be an error, on a small stack too.
#[test]
fn a_reference_to_an_ancestor_is_an_error_not_a_stack_overflow() {
    let depth = 90;
    let mut inner = String::from(r##"<next href="#top"/>"##);
    for _ in 0..depth {
        inner = format!("<next><value>v</value>{inner}</next>");
    }
    let inner = format!(r#"<getChainReturn id="top"><value>v</value>{inner}</getChainReturn>"#);
    let xml = chain_envelope(&inner, "");
    // The size of a worker thread's stack.
    let e = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || chain(&xml))
        .unwrap()
        .join()
        .expect("the reader overflowed its stack")
        .unwrap_err();
    assert!(e.contains("nest") || e.contains("too many"), "{e}");
    // A plain chain as deep reads fine.
    let mut inner = String::new();
    for _ in 0..depth {
        inner = format!("<next><value>v</value>{inner}</next>");
    }
    let xml = chain_envelope(
        &format!("<getChainReturn><value>v</value>{inner}</getChainReturn>"),
        "",
    );
    let v = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || chain(&xml))
        .unwrap()
        .join()
        .unwrap()
        .unwrap();
    assert_eq!(v["next"]["value"], "v");
}

/// Two elements with the same id: the first one counts (deterministic), and a reference to an
/// id that only an attribute in another namespace carries points nowhere.
#[test]
fn id_collisions_and_foreign_ids() {
    let xml = chain_envelope(
        r##"<getChainReturn href="#x"/>"##,
        r#"<multiRef id="x"><value>first</value></multiRef><multiRef id="x"><value>second</value></multiRef>"#,
    );
    assert_eq!(chain(&xml).unwrap(), json!({"value": "first"}));
    let xml = chain_envelope(
        r##"<getChainReturn href="#y"/>"##,
        r#"<multiRef xmlns:o="urn:other" o:id="y"><value>v</value></multiRef>"#,
    );
    let e = chain(&xml).unwrap_err();
    assert!(e.contains("`y` points to no element"), "{e}");
}

/// Many references to one small value are fine; a reference to a reference chain is followed.
#[test]
fn many_references_to_one_value() {
    let mut inner = String::from(r##"<next><value href="#s"/></next>"##);
    for _ in 0..90 {
        inner = format!(r##"<next><value href="#s"/>{inner}</next>"##);
    }
    let xml = chain_envelope(
        &format!(r##"<getChainReturn><value href="#s"/>{inner}</getChainReturn>"##),
        r##"<multiRef id="s" href="#t"/><multiRef id="t">shared</multiRef>"##,
    );
    let v = chain(&xml).unwrap();
    assert_eq!(v["value"], "shared");
    assert_eq!(v["next"]["next"]["value"], "shared");
}

/// An unqualified attribute is read only from an unqualified attribute: roxmltree's
/// `attribute("type")` also matches `xsi:type` (any namespace), which came first.
#[test]
fn unqualified_attributes_are_not_taken_from_other_namespaces() {
    let l = groups();
    round_trip(
        "Place",
        &json!({"$type": "Home", "type": "detached", "city": "c", "street": "s"}),
    )
    .unwrap();
    let v = decode(
        l,
        "Place",
        r#"<Place xmlns="urn:hostile" xmlns:o="urn:other" o:type="other" o:nil="x"><city>c</city></Place>"#,
    )
    .unwrap();
    assert_eq!(v, json!({"city": "c"}));
}

/// Every global element of `groups.xsd`, with JSON from the schema sampler (optional fields,
/// branches, array lengths and string contents vary with the seed): written and read back
/// unchanged (40 seeds when the xmllint test collects the documents). `HOSTILE_SEEDS=n` runs
/// more seeds.
#[test]
fn sampled_json_round_trips_for_every_element() {
    let l = groups();
    let mut names: Vec<&QName> = l.schema.global_elements.keys().collect();
    names.sort_by(|a, b| a.local.cmp(&b.local));
    let seeds = std::env::var("HOSTILE_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if collecting() { 40 } else { 300 });
    let mut failures = Vec::new();
    for q in names {
        let decl = l.schema.element(l.schema.global_elements[q]);
        if q.ns != NS || decl.is_abstract {
            continue;
        }
        for seed in 0..seeds {
            let v = Sampler::new(&l.schema, &l.model, seed).value(decl.type_id);
            if let Err(e) = round_trip(&q.local, &v) {
                failures.push(format!("{} (seed {seed}): {e}", q.local));
                break;
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Raw markup made standalone: an attribute *value* that looks like a namespace declaration
/// does not count as one, so the element keeps the default namespace it inherits.
#[test]
fn raw_markup_keeps_its_namespaces_despite_lookalike_attribute_values() {
    let l = groups();
    let xml = r#"<h:Any xmlns:h="urn:hostile" xmlns="urn:d" xmlns:p="urn:p"><h:head>1</h:head><z a=' xmlns="q"' b=" xmlns:p='r'"><p:y/></z></h:Any>"#;
    let v = decode(l, "Any", xml).unwrap();
    let raw = v["$xml"].as_str().unwrap();
    let doc = roxmltree::Document::parse(raw).unwrap_or_else(|e| panic!("{raw}: {e}"));
    let z = doc.root_element();
    assert_eq!(z.tag_name().namespace(), Some("urn:d"), "{raw}");
    assert_eq!(z.attribute("a"), Some(r#" xmlns="q""#), "{raw}");
    let y = z.first_element_child().unwrap();
    assert_eq!(y.tag_name().namespace(), Some("urn:p"), "{raw}");
    round_trip("Any", &v).unwrap();
}

/// A name alone and then as a branch of a repeated choice (`a, (b | a)*`): the first `a` is the
/// lone one, the next ones are items of the choice. All of them went to the lone `a`.
#[test]
fn a_name_alone_and_in_a_repeated_choice() {
    let l = groups();
    let v = decode(
        l,
        "Mix",
        r#"<Mix xmlns="urn:hostile"><a>1</a><a>2</a><b>3</b><a>4</a></Mix>"#,
    )
    .unwrap();
    assert_eq!(
        v,
        json!({"a": "1", "bOrA": [{"a": "2"}, {"b": "3"}, {"a": "4"}]})
    );
    round_trip("Mix", &v).unwrap();
}

/// Many repeats of an element that may occur once: refused quickly (no quadratic scan).
#[test]
fn many_repeats_of_a_single_element_are_refused_quickly() {
    let l = groups();
    let xml = format!(
        r#"<Mix xmlns="urn:hostile">{}</Mix>"#,
        "<a>1</a><b>2</b>".repeat(45_000)
    );
    // Linear work: a quadratic slot search would not finish here.
    let v = decode(l, "Mix", &xml).unwrap();
    assert_eq!(v["bOrA"].as_array().map(Vec::len), Some(89_999));
    let xml = format!(
        r#"<Twice xmlns="urn:hostile"><a>1</a>{}<a>2</a></Twice>"#,
        "<b>1</b>".repeat(90_000)
    );
    let e = decode(l, "Twice", &xml).unwrap_err();
    assert!(e.contains("more than once"), "{e}");
}

/// List items are separated by whitespace: an item with spaces (or an empty one) is refused,
/// not sent as several items.
#[test]
fn list_items_with_spaces_are_refused() {
    let l = groups();
    round_trip("Words", &json!(["a", "b&c", "<d>"])).unwrap();
    for (bad, at) in [
        (json!(["a b"]), 0),
        (json!(["a", ""]), 1),
        (json!(["a", " c"]), 1),
    ] {
        let errors = encode(l, "Words", &bad).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains(&format!("item {at} ")), "{errors:?}");
    }
}

/// Raw markup at a wildcard must be what the wildcard takes: elements (no text), in the
/// namespaces it allows. xmllint refused what was sent otherwise.
#[test]
fn raw_markup_at_a_wildcard_is_checked_against_it() {
    let l = groups();
    // Open's wildcard is ##other: not the target namespace, not none.
    for raw in ["<known xmlns='urn:hostile'/>", "<x/>", "text"] {
        let errors = encode(l, "Open", &json!({"knownOrAny": [{"$xml": raw}]})).unwrap_err();
        assert_eq!(errors.len(), 1, "{raw}: {errors:?}");
        assert!(errors[0].starts_with("/knownOrAny/0/$xml: "), "{errors:?}");
    }
    round_trip(
        "Open",
        &json!({"knownOrAny": [{"$xml": "<x xmlns=\"urn:p\"/>"}]}),
    )
    .unwrap();
    // Any's wildcard is ##any, but still no text.
    let errors = encode(l, "Any", &json!({"head": "h", "$xml": "loose <x/> text"})).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    round_trip(
        "Any",
        &json!({"head": "h", "$xml": "<x/><y xmlns=\"urn:y\">t</y>"}),
    )
    .unwrap();
}

/// A name twice in a repeated sequence (`(a, b, a)*`): the array holds every `a` in document
/// order, two per occurrence.
#[test]
fn a_name_twice_in_a_repeated_sequence() {
    let l = groups();
    let xml = round_trip(
        "TwiceMore",
        &json!({"a": ["1", "2", "3", "4"], "b": ["x", "y"]}),
    )
    .unwrap();
    assert!(
        xml.contains("<ns6:a>1</ns6:a><ns6:b>x</ns6:b><ns6:a>2</ns6:a><ns6:a>3</ns6:a><ns6:b>y</ns6:b><ns6:a>4</ns6:a>"),
        "{xml}"
    );
    let errors = encode(
        l,
        "TwiceMore",
        &json!({"a": ["1", "2", "3"], "b": ["x", "y"]}),
    )
    .unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("/a: "), "{errors:?}");
}

/// A mapping's `response:` selecting one field reads it as the whole element would: wildcard
/// items of a repeated choice and later occurrences of a name stay in it.
#[test]
fn one_field_reads_like_the_whole_element() {
    let l = groups();
    for (name, xml, key) in [
        (
            "Open",
            r#"<Open xmlns="urn:hostile"><known>1</known><x xmlns="urn:p"/><known>2</known></Open>"#,
            "knownOrAny",
        ),
        (
            "Mix",
            r#"<Mix xmlns="urn:hostile"><a>1</a><a>2</a><b>3</b></Mix>"#,
            "bOrA",
        ),
        (
            "Mix",
            r#"<Mix xmlns="urn:hostile"><a>1</a><a>2</a><b>3</b></Mix>"#,
            "a",
        ),
    ] {
        let whole = decode(l, name, xml).unwrap();
        let doc = roxmltree::Document::parse(xml).unwrap();
        let t = l
            .schema
            .element(l.schema.global_elements[&QName::new(NS, name)])
            .type_id;
        let mut out = Vec::new();
        Decoder::new(&l.schema, &l.model)
            .write_field(doc.root_element(), t, key, &mut out)
            .unwrap();
        let field: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(field, whole[key], "{name}/{key}");
    }
}

/// A type that requires itself has no finite sample: the sampler (mock answers, OpenAPI
/// examples) stops instead of overflowing its stack, and the writer refuses what it made.
#[test]
fn a_type_that_requires_itself_does_not_overflow_the_sampler() {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| {
            let schema =
                soapbridge::xsd::load::load(&dir().join("loop.xsd"), &Default::default()).unwrap();
            let schema = std::sync::Arc::new(schema);
            let model = JsonModel::new(schema.clone(), Naming::CamelCase);
            for name in ["Loop", "Knot"] {
                let q = QName::new("urn:loop", name);
                let t = schema.element(schema.global_elements[&q]).type_id;
                for seed in 0..20 {
                    let v = Sampler::new(&schema, &model, seed).value(t);
                    let mut enc = Encoder::new(&schema, &model);
                    enc.element(&q, t, false, &v, "");
                    assert!(enc.finish().is_err(), "{name}: {v}");
                }
            }
        })
        .unwrap()
        .join()
        .expect("the sampler overflowed its stack");
}

/// Every document the round trips above write is valid for an independent validator:
/// `xmllint --schema groups.xsd`, over all of them in one run.
#[test]
#[ignore = "needs SOAPBRIDGE_XMLLINT (xmllint, from Debian's libxml2-utils; .ci/run installs it)"]
fn every_written_document_passes_xmllint() {
    assert!(
        std::env::var_os("SOAPBRIDGE_XMLLINT").is_some(),
        "SOAPBRIDGE_XMLLINT says xmllint is installed"
    );
    WRITTEN.set(Some(Vec::new()));
    let round_trips: [fn(); 17] = [
        mixed_content_keeps_text_after_and_inside_cdata,
        repeated_sequence_with_uneven_arrays_is_refused,
        a_wildcard_branch_of_a_repeated_choice_keeps_its_elements_in_place,
        a_name_twice_in_a_sequence_is_an_array,
        one_element_in_two_choices,
        a_name_in_two_branches_of_a_choice_stays_one_value,
        the_xml_namespace_keeps_its_prefix,
        simple_content_without_attributes_is_the_value_both_ways,
        a_choice_of_optional_elements_may_be_empty,
        any_simple_type_values_keep_their_spaces,
        unqualified_attributes_are_not_taken_from_other_namespaces,
        sampled_json_round_trips_for_every_element,
        raw_markup_keeps_its_namespaces_despite_lookalike_attribute_values,
        a_name_alone_and_in_a_repeated_choice,
        list_items_with_spaces_are_refused,
        raw_markup_at_a_wildcard_is_checked_against_it,
        a_name_twice_in_a_repeated_sequence,
    ];
    for case in round_trips {
        case();
    }
    let docs = WRITTEN.take().expect("collected");
    assert!(docs.len() > 100, "only {} documents written", docs.len());
    let tmp = tempfile::tempdir().unwrap();
    let files: Vec<PathBuf> = docs
        .iter()
        .enumerate()
        .map(|(i, doc)| {
            let file = tmp.path().join(format!("{i}.xml"));
            std::fs::write(&file, doc).unwrap();
            file
        })
        .collect();
    let out = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(dir().join("groups.xsd"))
        .args(&files)
        .output()
        .expect("SOAPBRIDGE_XMLLINT is set but xmllint cannot run (apt-get install libxml2-utils)");
    let report = String::from_utf8_lossy(&out.stderr);
    let refused: Vec<String> = files
        .iter()
        .zip(&docs)
        .filter(|(f, _)| report.contains(&format!("{} fails to validate", f.display())))
        .map(|(_, doc)| doc.clone())
        .collect();
    assert!(
        out.status.success() && refused.is_empty(),
        "xmllint rejects {} of the {} documents we wrote:\n{}\n{report}",
        refused.len(),
        docs.len(),
        refused.join("\n")
    );
}
