//! Simple values: JSON -> XML lexical form (with the facets a gateway must enforce) and XML text
//! -> JSON, both by the declared type. Numbers never pass through `f64`: `long`, `integer`,
//! `decimal` keep every digit (serde_json's `arbitrary_precision`).

use serde_json::{Number, Value};

use crate::xsd::facets::{
    Category, FOUND_CHARS, ValueError, builtin_local, builtin_ws, category, decimal,
    expand_exponent, float_error, integer, quote_short, string, text_value, union_member, xs,
};
use crate::xsd::value::Dec;
use crate::xsd::*;

/// How a built-in type travels in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Json {
    Bool,
    /// Integer types up to 32 bits: JSON numbers.
    SmallInt,
    /// long, integer, unsignedLong, ...: JSON numbers with exact digits (numeric strings accepted).
    BigInt,
    Decimal,
    Float,
    String,
}

/// Appends `s` as a JSON string, exactly as serde_json writes it: text with nothing to escape
/// (no control character, quote or backslash; the common case) is copied whole between quotes;
/// the rest goes through serde_json's escaper.
pub(crate) fn write_json_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    if may_need_escaping(bytes) {
        // Writing into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, s);
        return;
    }
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    out.extend_from_slice(bytes);
    out.push(b'"');
}

/// Whether `bytes` holds a byte JSON escapes (a control character, a quote, a backslash).
fn may_need_escaping(bytes: &[u8]) -> bool {
    bytes.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\')
}

pub fn json_kind(schema: &Schema, st: &SimpleType) -> Json {
    match category(schema, st) {
        Category::Boolean => Json::Bool,
        Category::Integer => match builtin_local(schema, st.base_builtin) {
            "int" | "short" | "byte" | "unsignedInt" | "unsignedShort" | "unsignedByte" => {
                Json::SmallInt
            }
            _ => Json::BigInt,
        },
        Category::Decimal => Json::Decimal,
        Category::Float => Json::Float,
        Category::Text => Json::String,
    }
}

/// What a client sent, short enough for an error: the JSON text of a scalar (a string quoted and
/// cut after [`FOUND_CHARS`] characters with `…`), `an object`, `an array of 5 items`.
pub fn found(v: &Value) -> String {
    match v {
        Value::String(s) => quote_short(s),
        Value::Number(n) => {
            let text = n.to_string();
            match text.char_indices().nth(FOUND_CHARS) {
                Some((at, _)) => format!("{}…", &text[..at]),
                None => text,
            }
        }
        Value::Null | Value::Bool(_) => v.to_string(),
        Value::Array(a) => array_found(a.len()),
        Value::Object(o) if o.is_empty() => "an empty object".to_string(),
        Value::Object(_) => "an object".to_string(),
    }
}

/// `an array of 5 items` (`an empty array`, `an array of 1 item`).
pub fn array_found(n: usize) -> String {
    match n {
        0 => "an empty array".to_string(),
        1 => "an array of 1 item".to_string(),
        n => format!("an array of {n} items"),
    }
}

/// A JSON-valid rendering of an XSD decimal/integer (`+1.50` -> `1.50`, `.5` -> `0.5`, `007` -> `7`).
/// The fraction keeps the digits written (trailing zeros too).
fn json_decimal(s: &str) -> Option<Number> {
    let Dec { neg, int, .. } = Dec::parse(s)?;
    let rest = s.trim_start_matches(['+', '-']);
    let (_, frac_raw) = rest.split_once('.').unwrap_or((rest, ""));
    let mut out = String::with_capacity(s.len() + 1);
    if neg {
        out.push('-');
    }
    out.push_str(if int.is_empty() { "0" } else { &int });
    if !frac_raw.is_empty() {
        out.push('.');
        out.push_str(frac_raw);
    }
    serde_json::from_str(&out).ok()
}

/// JSON -> lexical form of a simple type. `text` marks a value from a path, query or header
/// (always a string). Errors say the rule, what was expected and what was found.
pub fn lexical(schema: &Schema, t: TypeId, v: &Value, text: bool) -> Result<String, ValueError> {
    if text && let Value::String(s) = v {
        return text_value(schema, t, s);
    }
    lexical_of(schema, t, v).map_err(|mut e| {
        if e.found.is_none() {
            e.found = Some(found(v));
        }
        e
    })
}

fn lexical_of(schema: &Schema, t: TypeId, v: &Value) -> Result<String, ValueError> {
    let TypeKind::Simple(st) = &schema.ty(t).kind else {
        return Err(ValueError::new(
            "type",
            "a simple value",
            "expected a simple value",
        ));
    };
    let lexical = match &st.variety {
        Variety::List(item) => {
            let items: Vec<String> = match v {
                Value::Array(a) => a
                    .iter()
                    .enumerate()
                    .map(|(i, x)| {
                        let s = lexical(schema, *item, x, false).map_err(|mut e| {
                            e.item = Some(i);
                            e
                        })?;
                        // Items are separated by whitespace: one holding some (or none at
                        // all) would come back as other items.
                        if s.is_empty() || s.contains(|c: char| c.is_ascii_whitespace()) {
                            let mut e = ValueError::new(
                                "type",
                                "list items that are not empty and hold no spaces",
                                format!(
                                    "item {i} of a list (xs:list) may not be empty or hold spaces, found {s:?}"
                                ),
                            );
                            e.found = Some(found(x));
                            return Err(e);
                        }
                        Ok(s)
                    })
                    .collect::<Result<_, _>>()?,
                _ => {
                    return Err(ValueError::new(
                        "type",
                        "an array (an xs:list)",
                        "expected an array (an xs:list)",
                    ));
                }
            };
            items.join(" ")
        }
        Variety::Union(members) => union_member(schema, members, |m| lexical(schema, m, v, true))?,
        Variety::Atomic => atomic(schema, st, v)?,
    };
    crate::xsd::facets::check(schema, st, &lexical)?;
    Ok(lexical)
}

fn atomic(schema: &Schema, st: &SimpleType, v: &Value) -> Result<String, ValueError> {
    let kind = json_kind(schema, st);
    let local = builtin_local(schema, st.base_builtin);
    let wrong = |expected: String| {
        let message = format!("expected {expected}, found {}", describe(v));
        ValueError::new("type", expected, message)
    };
    match (kind, v) {
        (Json::Bool, Value::Bool(b)) => Ok(b.to_string()),
        (Json::Bool, _) => Err(wrong("a boolean".to_string())),
        (Json::SmallInt | Json::BigInt, Value::Number(n)) => {
            let text = n.to_string();
            integer(local, &expand_exponent(&text).unwrap_or(text))
        }
        (Json::BigInt, Value::String(s)) => integer(local, s.trim()),
        (Json::SmallInt | Json::BigInt, _) => {
            let expected = format!("an integer ({})", xs(local));
            Err(ValueError::new(
                "type",
                expected,
                format!("expected an integer ({local}), found {}", describe(v)),
            ))
        }
        (Json::Decimal, Value::Number(n)) => decimal(&n.to_string()),
        (Json::Decimal, Value::String(s)) => decimal(s.trim()),
        (Json::Decimal, _) => Err(wrong("a decimal number".to_string())),
        (Json::Float, Value::Number(n)) => Ok(n.to_string()),
        (Json::Float, Value::String(s)) => match s.trim() {
            x @ ("INF" | "-INF" | "NaN") => Ok(x.to_string()),
            x => Err(float_error(local, x)),
        },
        (Json::Float, _) => Err(wrong("a number".to_string())),
        (Json::String, Value::String(s)) => string(schema, st, s),
        (Json::String, Value::Number(n)) if matches!(local, "anySimpleType") => Ok(n.to_string()),
        (Json::String, Value::Bool(b)) if matches!(local, "anySimpleType") => Ok(b.to_string()),
        (Json::String, _) => Err(wrong("a string".to_string())),
    }
}

/// A path, query or header value (text) as the JSON value the field's type takes.
pub fn from_text(schema: &Schema, t: TypeId, s: &str) -> Result<Value, ValueError> {
    let lexical = text_value(schema, t, s)?;
    to_json(schema, t, &lexical).map_err(|e| ValueError {
        rule: "type",
        expected: format!("a value of {}", schema.type_label(t)),
        found: Some(quote_short(s)),
        message: e.message,
        item: None,
    })
}

/// "a string", "an object", ...: what a JSON value is, for messages.
pub fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// XML text -> JSON text by the declared simple type, appended to `out` (the decoder's fast
/// path: no `Value` for the common atomic types).
pub fn write_json(
    schema: &Schema,
    t: TypeId,
    text: &str,
    out: &mut Vec<u8>,
) -> Result<(), ValueError> {
    let st = match &schema.ty(t).kind {
        TypeKind::Simple(st) if matches!(st.variety, Variety::Atomic) => st,
        _ => {
            let v = to_json(schema, t, text)?;
            let _ = serde_json::to_writer(&mut *out, &v);
            return Ok(());
        }
    };
    let s = text.trim();
    match json_kind(schema, st) {
        Json::Bool => out.extend_from_slice(match s {
            "true" | "1" => b"true",
            "false" | "0" => b"false",
            _ => return Err(not_a("a boolean (xs:boolean)", "boolean", s)),
        }),
        Json::SmallInt | Json::BigInt => {
            if s.bytes().all(|b| b.is_ascii_digit())
                && !s.is_empty()
                && (s.len() == 1 || !s.starts_with('0'))
            {
                out.extend_from_slice(s.as_bytes());
            } else {
                out.extend_from_slice(integer("integer", s)?.as_bytes());
            }
        }
        Json::Decimal => {
            let plain = s.bytes().all(|b| b.is_ascii_digit() || b == b'.')
                && s.bytes().filter(|&b| b == b'.').count() <= 1
                && !s.is_empty()
                && !s.starts_with('.')
                && !s.ends_with('.')
                && (!s.starts_with('0') || s.len() == 1 || s.as_bytes()[1] == b'.');
            if plain {
                out.extend_from_slice(s.as_bytes());
            } else {
                let n = json_decimal(s).ok_or_else(|| not_a("a decimal", "decimal", s))?;
                out.extend_from_slice(n.to_string().as_bytes());
            }
        }
        Json::String => {
            let collapse = matches!(
                st.facets.white_space.or_else(|| builtin_ws(schema, st)),
                Some(WhiteSpace::Collapse)
            );
            // Collapsing is needed only with whitespace other than single spaces (checked in
            // two linear passes; the common value has none).
            if collapse
                && (s.contains(|c: char| c != ' ' && c.is_ascii_whitespace()) || s.contains("  "))
            {
                let joined = s.split_ascii_whitespace().collect::<Vec<_>>().join(" ");
                write_json_str(out, &joined);
            } else {
                write_json_str(out, if collapse { s } else { text });
            }
        }
        Json::Float => {
            let v = to_json(schema, t, text)?;
            let _ = serde_json::to_writer(&mut *out, &v);
        }
    }
    Ok(())
}

/// `"x" is not a <what>`: a text that is not a value of the type.
fn not_a(expected: &str, what: &str, s: &str) -> ValueError {
    ValueError {
        found: Some(quote_short(s)),
        ..ValueError::new("type", expected, format!("{s:?} is not a {what}"))
    }
}

/// XML text -> JSON by the declared simple type.
pub fn to_json(schema: &Schema, t: TypeId, text: &str) -> Result<Value, ValueError> {
    let TypeKind::Simple(st) = &schema.ty(t).kind else {
        return Ok(Value::String(text.to_string()));
    };
    match &st.variety {
        Variety::List(item) => text
            .split_whitespace()
            .map(|x| to_json(schema, *item, x))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        Variety::Union(members) => {
            for m in members {
                if let Ok(v) = to_json(schema, *m, text)
                    && let TypeKind::Simple(ms) = &schema.ty(*m).kind
                    && crate::xsd::facets::check(schema, ms, text.trim()).is_ok()
                {
                    return Ok(v);
                }
            }
            Ok(Value::String(text.to_string()))
        }
        Variety::Atomic => {
            let s = text.trim();
            match json_kind(schema, st) {
                Json::Bool => match s {
                    "true" | "1" => Ok(Value::Bool(true)),
                    "false" | "0" => Ok(Value::Bool(false)),
                    _ => Err(not_a("a boolean (xs:boolean)", "boolean", s)),
                },
                Json::SmallInt | Json::BigInt => integer("integer", s).and_then(|i| {
                    serde_json::from_str(&i)
                        .map(Value::Number)
                        .map_err(|e| ValueError::new("type", "an integer", e.to_string()))
                }),
                Json::Decimal => json_decimal(s)
                    .map(Value::Number)
                    .ok_or_else(|| not_a("a decimal", "decimal", s)),
                Json::Float => match s {
                    "INF" | "-INF" | "NaN" => Ok(Value::String(s.to_string())),
                    _ => match (serde_json::from_str::<Number>(s), s.parse::<f64>()) {
                        (Ok(n), _) => Ok(Value::Number(n)),
                        (Err(_), Ok(f)) => Number::from_f64(f)
                            .map(Value::Number)
                            .ok_or_else(|| not_a("a number", "number", s)),
                        _ => Err(not_a("a number", "number", s)),
                    },
                },
                Json::String => Ok(Value::String(
                    match st.facets.white_space.or_else(|| builtin_ws(schema, st)) {
                        Some(WhiteSpace::Collapse) => {
                            s.split_ascii_whitespace().collect::<Vec<_>>().join(" ")
                        }
                        _ => text.to_string(),
                    },
                )),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_become_json_numbers_exactly() {
        assert_eq!(json_decimal("+1.50").unwrap().to_string(), "1.50");
        assert_eq!(json_decimal(".5").unwrap().to_string(), "0.5");
        assert_eq!(json_decimal("-007").unwrap().to_string(), "-7");
        assert_eq!(
            json_decimal("12345678901234567890.12345678901234567890")
                .unwrap()
                .to_string(),
            "12345678901234567890.12345678901234567890"
        );
        assert!(json_decimal("1e5").is_none());
    }

    proptest::proptest! {
        /// Strings are written byte for byte as serde_json writes them, with or without
        /// characters to escape.
        #[test]
        fn json_strings_are_serde_jsons(s in proptest::prelude::any::<String>(), t in "[a-z\"\\\\\x00-\x1f\x7f é]{0,12}") {
            for s in [s.as_str(), t.as_str()] {
                let mut out = Vec::new();
                write_json_str(&mut out, s);
                proptest::prop_assert_eq!(out, serde_json::to_vec(s).unwrap());
            }
        }
    }
}
