//! The JSON Schema of a simple type: lists and unions, the JSON type and format of its
//! built-in base, and what its facets say that JSON Schema can say too (lengths, the characters
//! XML can carry, lexical patterns, digits, bounds, enumerations).

use serde_json::{Map, Number, Value, json};

use super::types::Builder;
use crate::convert::simple::{Json, json_kind};
use crate::xsd::{Facets, SimpleType, Variety};

impl Builder<'_> {
    /// A simple type's schema.
    pub(super) fn simple(&mut self, st: &SimpleType) -> Value {
        match &st.variety {
            Variety::List(item) => {
                return json!({"type": "array", "items": self.type_schema(*item)});
            }
            Variety::Union(members) => {
                let m: Vec<Value> = members.iter().map(|m| self.type_schema(*m)).collect();
                return json!({"anyOf": m});
            }
            Variety::Atomic => {}
        }
        let f = &st.facets;
        let local = self
            .schema
            .ty(st.base_builtin)
            .name
            .as_ref()
            .map_or("string", |q| q.local.as_str());
        let kind = json_kind(self.schema, st);
        let mut s = Map::new();
        match kind {
            Json::Bool => {
                s.insert("type".into(), json!("boolean"));
            }
            Json::SmallInt | Json::BigInt => integer(&mut s, local, kind),
            Json::Decimal => {
                s.insert("type".into(), json!("number"));
                s.insert("description".into(), json!("xs:decimal: every digit is kept (never rounded through a float); a numeric string is accepted too"));
            }
            Json::Float => {
                return json!({"oneOf": [{"type": "number", "format": if local == "float" { "float" } else { "double" }}, {"type": "string", "enum": ["INF", "-INF", "NaN"]}]});
            }
            Json::String => string(&mut s, local, f),
        }
        if matches!(kind, Json::Decimal | Json::BigInt | Json::SmallInt) {
            digits(&mut s, f);
            bounds(&mut s, f);
        }
        if !f.enumeration.is_empty() {
            let vals: Vec<Value> = f
                .enumeration
                .iter()
                .map(|e| match kind {
                    Json::String => json!(e),
                    _ => serde_json::from_str(e).unwrap_or_else(|_| json!(e)),
                })
                .collect();
            s.insert("enum".into(), Value::Array(vals));
        }
        Value::Object(s)
    }
}

/// An integer: its format when it fits 32 or 64 bits, and for the big ones how they travel.
fn integer(s: &mut Map<String, Value>, local: &str, kind: Json) {
    s.insert("type".into(), json!("integer"));
    let format = match local {
        "int" | "short" | "byte" | "unsignedShort" | "unsignedByte" => Some("int32"),
        "long" | "unsignedInt" => Some("int64"),
        _ => None,
    };
    if let Some(fm) = format {
        s.insert("format".into(), json!(fm));
    }
    if matches!(kind, Json::BigInt) {
        s.insert("description".into(), json!(format!("xs:{local}: every digit is kept (never rounded through a float); a numeric string is accepted too")));
    }
}

/// A string: its format, lengths and patterns.
fn string(s: &mut Map<String, Value>, local: &str, f: &Facets) {
    s.insert("type".into(), json!("string"));
    let format = match local {
        "dateTime" => Some("date-time"),
        "date" => Some("date"),
        "time" => Some("time"),
        "duration" => Some("duration"),
        "base64Binary" => Some("byte"),
        "anyURI" => Some("uri"),
        _ => None,
    };
    if let Some(fm) = format {
        s.insert("format".into(), json!(fm));
    }
    if let Some(n) = f.length.or(f.max_length) {
        s.insert("maxLength".into(), json!(n));
    }
    if let Some(n) = f.length.or(f.min_length) {
        s.insert("minLength".into(), json!(n));
    }
    let mut patterns = patterns(local, f);
    let first = patterns.remove(0);
    s.insert("pattern".into(), json!(first));
    if !patterns.is_empty() {
        s.insert(
            "allOf".into(),
            Value::Array(
                patterns
                    .into_iter()
                    .map(|p| json!({"pattern": p}))
                    .collect(),
            ),
        );
    }
}

/// What the bridge checks of a string beyond its format, as patterns (never empty): the
/// characters XML can carry, the zone range of XSD dates (±14:00), and the XSD patterns (whole
/// value).
fn patterns(local: &str, f: &Facets) -> Vec<String> {
    let zone = r"(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9]|[+-]14:00)?";
    let lexical = match local {
        "dateTime" => Some(format!(
            r"^-?[0-9]{{4,}}-[0-9]{{2}}-[0-9]{{2}}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?{zone}$"
        )),
        "date" => Some(format!(r"^-?[0-9]{{4,}}-[0-9]{{2}}-[0-9]{{2}}{zone}$")),
        "time" => Some(format!(
            r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?{zone}$"
        )),
        _ => None,
    };
    let mut patterns =
        vec![r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]*$".to_string()];
    patterns.extend(lexical);
    // Each restriction step's patterns (one of a step's must match).
    for step in &f.patterns {
        patterns.push(format!(
            "^(?:{})$",
            step.iter()
                .map(|p| format!("(?:{p})"))
                .collect::<Vec<_>>()
                .join("|")
        ));
    }
    patterns
}

/// totalDigits/fractionDigits exactly: a value with d fraction digits (d <= fractionDigits) is
/// valid when |v| < 10^(totalDigits - d), so the union over d of "multiple of 10^-d and within
/// that bound" is the XSD value space.
fn digits(s: &mut Map<String, Value>, f: &Facets) {
    let num = |text: String| {
        serde_json::from_str::<Number>(&text)
            .ok()
            .map(Value::Number)
    };
    let pow10_neg = |d: u32| {
        if d == 0 {
            "1".to_string()
        } else {
            format!("0.{}1", "0".repeat(d as usize - 1))
        }
    };
    match (
        f.total_digits.filter(|&t| (1..=38).contains(&t)),
        f.fraction_digits,
    ) {
        (Some(t), fd) => {
            let fmax = fd.unwrap_or(t).min(t).min(18);
            let branches: Vec<Value> = (0..=fmax)
                .filter_map(|d| {
                    let int = (t - d) as usize;
                    let max = if d == 0 { "9".repeat(int.max(1)) } else if int == 0 { format!("0.{}", "9".repeat(d as usize)) } else { format!("{}.{}", "9".repeat(int), "9".repeat(d as usize)) };
                    Some(json!({"multipleOf": num(pow10_neg(d))?, "maximum": num(max.clone())?, "minimum": num(format!("-{max}"))?}))
                })
                .collect();
            if branches.len() == 1 {
                if let Value::Object(o) = &branches[0] {
                    s.extend(o.clone());
                }
            } else if !branches.is_empty() {
                s.insert("anyOf".into(), Value::Array(branches));
            }
        }
        (None, Some(d)) if d > 0 && d <= 18 => {
            if let Some(n) = num(pow10_neg(d)) {
                s.insert("multipleOf".into(), n);
            }
        }
        _ => {}
    }
}

/// The inclusive and exclusive bounds that are JSON numbers.
fn bounds(s: &mut Map<String, Value>, f: &Facets) {
    let num = |s: &Option<String>| {
        s.as_deref()
            .and_then(|v| serde_json::from_str::<Number>(v).ok())
    };
    for (key, bound) in [
        ("minimum", &f.min_inclusive),
        ("maximum", &f.max_inclusive),
        ("exclusiveMinimum", &f.min_exclusive),
        ("exclusiveMaximum", &f.max_exclusive),
    ] {
        if let Some(n) = num(bound) {
            s.insert(key.into(), Value::Number(n));
        }
    }
}
