//! The structured errors of a 400 `invalid_request`: each problem's `rule`, `expected` and
//! `found`, on a schema with one element per rule (`tests/errors/request.xsd`).

use std::path::Path;
use std::sync::OnceLock;

use serde_json::{Value, json};
use soapbridge::convert::encode::Encoder;
use soapbridge::convert::error::FieldError;
use soapbridge::convert::model::JsonModel;
use soapbridge::mapping::naming::Naming;
use soapbridge::xsd::{QName, Schema};

struct Loaded {
    schema: std::sync::Arc<Schema>,
    model: JsonModel,
}

fn loaded() -> &'static Loaded {
    static L: OnceLock<Loaded> = OnceLock::new();
    L.get_or_init(|| {
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/errors/request.xsd");
        let schema = soapbridge::xsd::load::load(&file, &Default::default())
            .unwrap_or_else(|e| panic!("{e}"));
        let schema = std::sync::Arc::new(schema);
        let model = JsonModel::new(schema.clone(), Naming::CamelCase);
        Loaded { schema, model }
    })
}

/// The errors of writing `json` as the global element `Order`.
fn errors(json: Value) -> Vec<FieldError> {
    let l = loaded();
    let q = QName::new("urn:errors", "Order");
    let decl = l.schema.element(l.schema.global_elements[&q]);
    let mut enc = Encoder::new(&l.schema, &l.model);
    enc.element(&q, decl.type_id, decl.nillable, &json, "");
    enc.finish().err().unwrap_or_default()
}

/// An order with a city (the one required field) and `extra` merged in.
fn order(extra: Value) -> Value {
    let mut o = json!({"city": "Bern"});
    for (k, v) in extra.as_object().unwrap() {
        o[k] = v.clone();
    }
    o
}

/// The one error of `json`, as (pointer, rule, expected, found).
fn one(json: Value) -> (String, &'static str, Option<String>, Option<String>) {
    let e = errors(json.clone());
    assert_eq!(e.len(), 1, "{json}: {e:#?}");
    let e = e.into_iter().next().unwrap();
    (e.pointer, e.rule, e.expected, e.found)
}

fn is(
    pointer: &str,
    rule: &'static str,
    expected: &str,
    found: &str,
) -> (String, &'static str, Option<String>, Option<String>) {
    (
        pointer.to_string(),
        rule,
        Some(expected.to_string()),
        Some(found.to_string()),
    )
}

#[test]
fn facets_name_their_rule_what_they_take_and_what_was_sent() {
    assert_eq!(
        one(order(json!({"colour": "blue"}))),
        is(
            "/colour",
            "enumeration",
            r#"one of: "red", "green""#,
            r#""blue""#
        )
    );
    assert_eq!(
        one(order(json!({"zip": "ABC"}))),
        is("/zip", "pattern", "a string matching [0-9]{5}", r#""ABC""#)
    );
    assert_eq!(
        one(order(json!({"code": "abcdefg"}))),
        is(
            "/code",
            "maxLength",
            "at most 5 characters",
            r#""abcdefg" (7 characters)"#
        )
    );
    // The built-in's own range is said as the built-in's; a restriction's bound as itself.
    assert_eq!(
        one(order(json!({"count": 3000000000u64}))),
        is(
            "/count",
            "maxInclusive",
            "xs:int (-2147483648 to 2147483647)",
            "3000000000"
        )
    );
    assert_eq!(
        one(order(json!({"count": -3000000000i64}))),
        is(
            "/count",
            "minInclusive",
            "xs:int (-2147483648 to 2147483647)",
            "-3000000000"
        )
    );
    assert_eq!(
        one(order(json!({"share": 101}))),
        is("/share", "maxInclusive", "at most 100", "101")
    );
    let price: Value = serde_json::from_str(r#"{"city": "Bern", "price": 1234.56}"#).unwrap();
    assert_eq!(
        one(price),
        is(
            "/price",
            "totalDigits",
            "at most 5 digits in all",
            "1234.56"
        )
    );
    let price: Value = serde_json::from_str(r#"{"city": "Bern", "price": 1.234}"#).unwrap();
    assert_eq!(
        one(price),
        is(
            "/price",
            "fractionDigits",
            "at most 2 digits after the decimal point",
            "1.234"
        )
    );
}

#[test]
fn ranges_and_list_lengths() {
    assert_eq!(
        one(order(json!({"small": 256}))),
        is(
            "/small",
            "maxInclusive",
            "xs:unsignedByte (0 to 255)",
            "256"
        )
    );
    assert_eq!(
        one(order(json!({"natural": -1}))),
        is(
            "/natural",
            "minInclusive",
            "xs:nonNegativeInteger (0 or more)",
            "-1"
        )
    );
    assert_eq!(
        one(order(json!({"ratio": 0}))),
        is("/ratio", "minExclusive", "more than 0", "0")
    );
    assert_eq!(
        one(order(json!({"ratio": 1}))),
        is("/ratio", "maxExclusive", "less than 1", "1")
    );
    assert_eq!(
        one(order(json!({"pair": [1, 2, 3]}))),
        is("/pair", "length", "exactly 2 items", "an array of 3 items")
    );
    // An item of a list: at its own pointer, with its own rule, and the item as found.
    assert_eq!(
        one(order(json!({"pair": [1, "x"]}))),
        is("/pair/1", "type", "an integer (xs:int)", r#""x""#)
    );
}

#[test]
fn structure_and_types_name_their_rule_what_they_take_and_what_was_sent() {
    assert_eq!(
        one(json!({})),
        is(
            "/city",
            "required",
            r#"a value for the required field "city""#,
            "nothing"
        )
    );
    let (pointer, rule, expected, found) = one(order(json!({"colur": 1})));
    assert_eq!(
        (pointer.as_str(), rule, found.as_deref()),
        ("/colur", "unknownField", Some("1"))
    );
    let expected = expected.unwrap();
    assert!(
        expected.starts_with(r#"one of: "colour", "zip", "code""#) && expected.contains(r#""due""#),
        "{expected}"
    );
    assert_eq!(
        one(order(json!({"tag": ["a", "b", "c", "d"]}))),
        is(
            "/tag",
            "maxOccurs",
            "at most 3 items",
            "an array of 4 items"
        )
    );
    assert_eq!(
        one(order(json!({"tag": "a"}))),
        is("/tag", "type", "an array", r#""a""#)
    );
    assert_eq!(
        one(order(json!({"note": {"text": "hi"}}))),
        is("/note", "type", "a string", "an object")
    );
    assert_eq!(
        one(order(json!({"count": "12"}))),
        is("/count", "type", "an integer (xs:int)", r#""12""#)
    );
    assert_eq!(
        one(order(json!({"due": "2024-02-30"}))),
        is(
            "/due",
            "type",
            "a date (xs:date) such as 2024-01-31",
            r#""2024-02-30""#
        )
    );
    assert_eq!(
        one(order(json!({"note": null}))),
        is("/note", "nillable", "a value of xs:string", "null")
    );
    assert_eq!(
        one(json!([1, 2])),
        is("/", "type", "an object", "an array of 2 items")
    );
}

#[test]
fn found_is_short() {
    // A long string is cut (on a character boundary) with an ellipsis; never the whole value.
    let long = "é".repeat(500);
    let (_, rule, _, found) = one(order(json!({ "zip": long })));
    assert_eq!(rule, "pattern");
    assert_eq!(found.unwrap(), format!("\"{}…\"", "é".repeat(40)));
    let (_, rule, _, found) = one(order(json!({ "code": "x".repeat(100) })));
    assert_eq!(rule, "maxLength");
    assert_eq!(
        found.unwrap(),
        format!("\"{}…\" (100 characters)", "x".repeat(40))
    );
    let digits: Value = serde_json::from_str(&format!(
        r#"{{"city": "Bern", "count": {}}}"#,
        "9".repeat(300)
    ))
    .unwrap();
    let (_, rule, _, found) = one(digits);
    assert_eq!(rule, "maxInclusive");
    assert_eq!(found.unwrap(), format!("{}…", "9".repeat(40)));
    let (_, _, _, found) = one(order(json!({ "note": (0..20).collect::<Vec<_>>() })));
    assert_eq!(found.unwrap(), "an array of 20 items");
}

#[test]
fn every_problem_at_once_and_the_json_shape() {
    let e = errors(json!({"colour": "blue", "tag": [1, "b", "c", "d"], "extra": true}));
    let got: Vec<(&str, &str)> = e.iter().map(|e| (e.pointer.as_str(), e.rule)).collect();
    assert_eq!(
        got,
        [
            ("/extra", "unknownField"),
            ("/colour", "enumeration"),
            ("/city", "required"),
            ("/tag", "maxOccurs"),
            ("/tag/0", "type"),
        ],
        "{e:#?}"
    );
    // `expected`/`found` appear only when known; `rule` and `message` always.
    let v = serde_json::to_value(&e[1]).unwrap();
    assert_eq!(
        v,
        json!({
            "pointer": "/colour",
            "rule": "enumeration",
            "expected": "one of: \"red\", \"green\"",
            "found": "\"blue\"",
            "message": "\"blue\" is not one of: red, green"
        })
    );
    let bare = FieldError::new("", "required", "something is missing");
    assert_eq!(
        serde_json::to_value(&bare).unwrap(),
        json!({"pointer": "/", "rule": "required", "message": "something is missing"})
    );
}
