//! Simple values: JSON -> XML lexical form (with the facets a gateway must enforce) and XML text
//! -> JSON, both by the declared type. Numbers never pass through `f64`: `long`, `integer`,
//! `decimal` keep every digit (serde_json's `arbitrary_precision`).

use std::cmp::Ordering;

use serde_json::{Number, Value};

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

fn builtin_local(schema: &Schema, t: TypeId) -> &str {
    schema
        .ty(t)
        .name
        .as_ref()
        .map_or("string", |q| q.local.as_str())
}

pub fn json_kind(schema: &Schema, st: &SimpleType) -> Json {
    match builtin_local(schema, st.base_builtin) {
        "boolean" => Json::Bool,
        "int" | "short" | "byte" | "unsignedInt" | "unsignedShort" | "unsignedByte" => {
            Json::SmallInt
        }
        "integer" | "long" | "unsignedLong" | "nonNegativeInteger" | "positiveInteger"
        | "nonPositiveInteger" | "negativeInteger" => Json::BigInt,
        "decimal" => Json::Decimal,
        "float" | "double" => Json::Float,
        _ => Json::String,
    }
}

/// Characters XML 1.0 cannot carry.
pub fn bad_char(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

/// Why a simple value was refused: the rule it broke, what the type takes and what was sent,
/// for machines, and the full sentence for people. Built only when a value fails: the happy
/// path allocates nothing for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueError {
    /// A stable code: `type` (not a value of the built-in type, or the wrong JSON type) or the
    /// XSD facet broken (`enumeration`, `pattern`, `length`, `minLength`, `maxLength`,
    /// `minInclusive`, `maxInclusive`, `minExclusive`, `maxExclusive`, `totalDigits`,
    /// `fractionDigits`).
    pub rule: &'static str,
    /// What the type takes, for people: `one of: "A", "B"`, `a date (xs:date) such as 2024-01-31`.
    pub expected: String,
    /// What was sent, short (see [`found`]); filled by [`lexical`] from the JSON value when the
    /// check itself saw only the lexical form.
    pub found: Option<String>,
    /// The full sentence.
    pub message: String,
    /// The list item at fault, when the value is a JSON array for an `xs:list` (its JSON
    /// Pointer is the list's plus `/item`).
    pub item: Option<usize>,
}

impl ValueError {
    fn new(rule: &'static str, expected: impl Into<String>, message: impl Into<String>) -> Self {
        ValueError {
            rule,
            expected: expected.into(),
            found: None,
            message: message.into(),
            item: None,
        }
    }
}

impl std::fmt::Display for ValueError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ValueError {}

/// Callers that need only the sentence (the schema checker) keep `Result<_, String>`.
impl From<ValueError> for String {
    fn from(e: ValueError) -> String {
        e.message
    }
}

/// How many characters of a string (or digits of a number) `found` shows before an ellipsis.
pub const FOUND_CHARS: usize = 40;

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

/// A string as JSON text, cut after [`FOUND_CHARS`] characters with `…` inside the quotes.
pub fn quote_short(s: &str) -> String {
    let cut = s.char_indices().nth(FOUND_CHARS).map(|(at, _)| at);
    let shown = cut.map_or(s, |at| &s[..at]);
    let mut q = serde_json::to_string(shown).unwrap_or_default();
    if cut.is_some() {
        q.insert(q.len() - 1, '…');
    }
    q
}

/// `xs:int` for a built-in, for messages.
fn xs(local: &str) -> String {
    format!("xs:{local}")
}

/// `[+-]digits[.digits]`: returns (negative, integer digits, fraction digits) without leading /
/// trailing zeros, or `None` when not a decimal.
fn parse_decimal(s: &str) -> Option<(bool, &str, &str)> {
    let (neg, rest) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (int, frac) = rest.split_once('.').unwrap_or((rest, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((neg, int.trim_start_matches('0'), frac.trim_end_matches('0')))
}

/// Two lexical forms of a type's value are the same value (`fixed` checks): numbers compare as
/// exact decimals (`1.0` = `1`), other values by their text.
pub fn same_value(schema: &Schema, t: TypeId, a: &str, b: &str) -> bool {
    let numeric = match &schema.ty(t).kind {
        TypeKind::Simple(st) => matches!(
            json_kind(schema, st),
            Json::SmallInt | Json::BigInt | Json::Decimal
        ),
        TypeKind::Complex(_) => false,
    };
    match (numeric, parse_decimal(a.trim()), parse_decimal(b.trim())) {
        (true, Some(x), Some(y)) => cmp_decimal(x, y) == Ordering::Equal,
        _ => a == b,
    }
}

/// Compares two decimals exactly.
fn cmp_decimal(a: (bool, &str, &str), b: (bool, &str, &str)) -> Ordering {
    let zero = |x: (bool, &str, &str)| x.1.is_empty() && x.2.is_empty();
    let sign = |x: (bool, &str, &str)| {
        if zero(x) {
            0
        } else if x.0 {
            -1
        } else {
            1
        }
    };
    match sign(a).cmp(&sign(b)) {
        Ordering::Equal => {}
        o => return o,
    }
    let mag =
        a.1.len()
            .cmp(&b.1.len())
            .then_with(|| a.1.cmp(b.1))
            .then_with(|| a.2.cmp(b.2));
    if sign(a) < 0 { mag.reverse() } else { mag }
}

/// A JSON-valid rendering of an XSD decimal/integer (`+1.50` -> `1.50`, `.5` -> `0.5`, `007` -> `7`).
fn json_decimal(s: &str) -> Option<Number> {
    let (neg, int, _) = parse_decimal(s)?;
    let rest = s.trim_start_matches(['+', '-']);
    let (_, frac_raw) = rest.split_once('.').unwrap_or((rest, ""));
    let mut out = String::with_capacity(s.len() + 1);
    if neg && !(int.is_empty() && frac_raw.bytes().all(|b| b == b'0')) {
        out.push('-');
    }
    out.push_str(if int.is_empty() { "0" } else { int });
    if !frac_raw.is_empty() {
        out.push('.');
        out.push_str(frac_raw);
    }
    serde_json::from_str(&out).ok()
}

/// JSON -> lexical form of a simple type. `text` marks a value from a path, query or header
/// (always a string). Errors say the rule, what was expected and what was found.
pub fn lexical(schema: &Schema, t: TypeId, v: &Value, text: bool) -> Result<String, ValueError> {
    lexical_of(schema, t, v, text).map_err(|mut e| {
        if e.found.is_none() {
            e.found = Some(found(v));
        }
        e
    })
}

fn lexical_of(schema: &Schema, t: TypeId, v: &Value, text: bool) -> Result<String, ValueError> {
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
                Value::String(s) if text => s
                    .split_whitespace()
                    .map(|x| lexical(schema, *item, &Value::String(x.to_string()), true))
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
        Variety::Union(members) => {
            let mut last = None;
            let mut ok = None;
            for m in members {
                match lexical(schema, *m, v, true) {
                    Ok(s) => {
                        ok = Some(s);
                        break;
                    }
                    Err(e) => last = Some(e),
                }
            }
            match ok {
                Some(s) => s,
                None => {
                    let labels: Vec<String> =
                        members.iter().map(|m| schema.type_label(*m)).collect();
                    return Err(ValueError::new(
                        "type",
                        format!("a value of one of the union's types: {}", labels.join(", ")),
                        last.map_or_else(
                            || "expected a value of the union's member types".to_string(),
                            |e| e.message,
                        ),
                    ));
                }
            }
        }
        Variety::Atomic => atomic(schema, st, v, text)?,
    };
    facets(schema, st, &lexical)?;
    Ok(lexical)
}

fn atomic(schema: &Schema, st: &SimpleType, v: &Value, text: bool) -> Result<String, ValueError> {
    let kind = json_kind(schema, st);
    let local = builtin_local(schema, st.base_builtin);
    let wrong = |expected: String| {
        let message = format!("expected {expected}, found {}", describe(v));
        ValueError::new("type", expected, message)
    };
    match (kind, v) {
        (Json::Bool, Value::Bool(b)) => Ok(b.to_string()),
        (Json::Bool, Value::String(s)) if text => match s.as_str() {
            "true" | "1" => Ok("true".into()),
            "false" | "0" => Ok("false".into()),
            _ => Err(ValueError::new(
                "type",
                "true or false (xs:boolean)",
                format!("expected true or false, found {s:?}"),
            )),
        },
        (Json::Bool, _) => Err(wrong("a boolean".to_string())),
        (Json::SmallInt | Json::BigInt, Value::Number(n)) => {
            let text = n.to_string();
            integer(local, &expand_exponent(&text).unwrap_or(text))
        }
        (Json::SmallInt, Value::String(s)) if text => integer(local, s.trim()),
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
            x if text && x.parse::<f64>().is_ok() => Ok(x.to_string()),
            x => Err(ValueError::new(
                "type",
                format!("a number, or \"INF\", \"-INF\", \"NaN\" ({})", xs(local)),
                format!("expected a number, or \"INF\", \"-INF\", \"NaN\", found {x:?}"),
            )),
        },
        (Json::Float, _) => Err(wrong("a number".to_string())),
        (Json::String, Value::String(s)) => {
            if let Some(c) = s.chars().find(|c| bad_char(*c)) {
                return Err(ValueError::new(
                    "type",
                    "characters XML can carry (no control characters but tab, newline and carriage return)",
                    format!("control character U+{:04X} cannot be sent in XML", c as u32),
                ));
            }
            let s = match st.facets.white_space.or_else(|| builtin_ws(schema, st)) {
                Some(WhiteSpace::Collapse) => s.split_whitespace().collect::<Vec<_>>().join(" "),
                _ => s.clone(),
            };
            lexical_check(local, &s)?;
            Ok(s)
        }
        (Json::String, Value::Number(n)) if matches!(local, "anySimpleType") => Ok(n.to_string()),
        (Json::String, Value::Bool(b)) if matches!(local, "anySimpleType") => Ok(b.to_string()),
        (Json::String, _) => Err(wrong("a string".to_string())),
    }
}

fn builtin_ws(schema: &Schema, st: &SimpleType) -> Option<WhiteSpace> {
    match &schema.ty(st.base_builtin).kind {
        TypeKind::Simple(b) => b.facets.white_space,
        _ => None,
    }
}

/// The lexical checks of the string-valued built-ins that have one: the validator's own
/// ([`crate::xsd::validate::value::parse`]), so a request is held to exactly what an answer is.
fn lexical_check(local: &str, s: &str) -> Result<(), ValueError> {
    let primitive = match local {
        "date" => Primitive::Date,
        "dateTime" => Primitive::DateTime,
        "time" => Primitive::Time,
        "gYear" => Primitive::GYear,
        "gYearMonth" => Primitive::GYearMonth,
        "gMonth" => Primitive::GMonth,
        "gMonthDay" => Primitive::GMonthDay,
        "gDay" => Primitive::GDay,
        "duration" => Primitive::Duration,
        "hexBinary" => Primitive::HexBinary,
        "base64Binary" => Primitive::Base64Binary,
        "boolean" => Primitive::Boolean,
        "language" => Primitive::String,
        _ => return Ok(()),
    };
    let ok = crate::xsd::validate::value::parse(primitive, local, s, &|_| None).is_ok();
    if ok {
        Ok(())
    } else {
        Err(ValueError::new(
            "type",
            lexical_expected(local),
            format!("{s:?} is not a valid xs:{local}"),
        ))
    }
}

/// What a string-like built-in takes, with an example, for `expected`.
fn lexical_expected(local: &str) -> String {
    let example = match local {
        "date" => "a date (xs:date) such as 2024-01-31",
        "dateTime" => "a date and time (xs:dateTime) such as 2024-01-31T13:45:00",
        "time" => "a time (xs:time) such as 13:45:00",
        "gYear" => "a year (xs:gYear) such as 2024",
        "gYearMonth" => "a year and month (xs:gYearMonth) such as 2024-01",
        "gMonth" => "a month (xs:gMonth) such as --01",
        "gMonthDay" => "a month and day (xs:gMonthDay) such as --01-31",
        "gDay" => "a day of the month (xs:gDay) such as ---31",
        "duration" => "a duration (xs:duration) such as P1DT2H30M",
        "hexBinary" => "hex digits in pairs (xs:hexBinary)",
        "base64Binary" => "base64 text (xs:base64Binary)",
        "boolean" => "true, false, 1 or 0 (xs:boolean)",
        "language" => "a language tag (xs:language) such as en-GB",
        _ => return format!("a valid {}", xs(local)),
    };
    example.to_string()
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

fn integer(local: &str, s: &str) -> Result<String, ValueError> {
    match parse_decimal(s) {
        Some((neg, int, ""))
            if !s.contains('.')
                || s.ends_with('.')
                || s.split('.')
                    .nth(1)
                    .is_some_and(|f| f.bytes().all(|b| b == b'0')) =>
        {
            let int = if int.is_empty() { "0" } else { int };
            Ok(if neg && int != "0" {
                format!("-{int}")
            } else {
                int.to_string()
            })
        }
        _ => Err(ValueError::new(
            "type",
            format!("an integer ({})", xs(local)),
            format!("expected an integer ({local}), found {s:?}"),
        )),
    }
}

/// `4.43e+16` -> `44300000000000000`, exactly (the digits written, shifted; never via f64).
/// `None` when not a number in exponent form or the exponent is absurd.
fn expand_exponent(s: &str) -> Option<String> {
    let (mantissa, exp) = s.split_once(['e', 'E'])?;
    let exp: i64 = exp
        .trim_start_matches('+')
        .parse()
        .ok()
        .filter(|e: &i64| e.abs() <= 400)?;
    let (neg, int, frac) = parse_decimal(mantissa)?;
    let raw_frac = mantissa
        .trim_start_matches(['+', '-'])
        .split_once('.')
        .map_or("", |(_, f)| f);
    let _ = frac;
    let digits = format!("{int}{raw_frac}");
    let point = int.len() as i64 + exp; // position of the decimal point in `digits`
    let (int_part, frac_part) = if point <= 0 {
        (
            String::from("0"),
            format!("{}{digits}", "0".repeat((-point) as usize)),
        )
    } else if point as usize >= digits.len() {
        (
            format!("{digits}{}", "0".repeat(point as usize - digits.len())),
            String::new(),
        )
    } else {
        (
            digits[..point as usize].to_string(),
            digits[point as usize..].to_string(),
        )
    };
    let int_part = int_part.trim_start_matches('0');
    let int_part = if int_part.is_empty() { "0" } else { int_part };
    let frac_part = frac_part.trim_end_matches('0');
    let zero = int_part == "0" && frac_part.is_empty();
    let sign = if neg && !zero { "-" } else { "" };
    Some(if frac_part.is_empty() {
        format!("{sign}{int_part}")
    } else {
        format!("{sign}{int_part}.{frac_part}")
    })
}

fn decimal(s: &str) -> Result<String, ValueError> {
    let bad = || {
        ValueError::new(
            "type",
            "a decimal number (xs:decimal)",
            format!("expected a decimal number, found {s:?}"),
        )
    };
    if s.contains(['e', 'E']) {
        return expand_exponent(s).ok_or_else(bad);
    }
    parse_decimal(s)
        .map(|_| s.trim_start_matches('+').to_string())
        .ok_or_else(bad)
}

/// Enumeration, patterns, lengths, bounds and digits. The rule of an error is the facet's name.
pub fn facets(schema: &Schema, st: &SimpleType, lexical: &str) -> Result<(), ValueError> {
    let f = &st.facets;
    for step in &f.regexes {
        if !step.iter().any(|(_, r)| r.is_match(lexical)) {
            let shown: Vec<&str> = step.iter().map(|(p, _)| p.as_str()).collect();
            let shown = shown.join(" | ");
            return Err(ValueError::new(
                "pattern",
                format!("a string matching {shown}"),
                format!("{lexical:?} does not match the pattern {shown}"),
            ));
        }
    }
    if !f.enumeration.is_empty() && !f.enumeration.iter().any(|e| e == lexical) {
        const SHOWN: usize = 20;
        let more = if f.enumeration.len() > SHOWN {
            ", ..."
        } else {
            ""
        };
        let plain: Vec<&str> = f
            .enumeration
            .iter()
            .take(SHOWN)
            .map(String::as_str)
            .collect();
        let quoted: Vec<String> = plain.iter().map(|e| quote_short(e)).collect();
        return Err(ValueError::new(
            "enumeration",
            format!("one of: {}{more}", quoted.join(", ")),
            format!("{lexical:?} is not one of: {}{more}", plain.join(", ")),
        ));
    }
    let list = matches!(st.variety, Variety::List(_));
    let len = if list {
        lexical.split_whitespace().count() as u64
    } else {
        lexical.chars().count() as u64
    };
    let is_binary = matches!(
        builtin_local(schema, st.base_builtin),
        "hexBinary" | "base64Binary"
    );
    if !is_binary {
        let unit = |n: u64| match (list, n) {
            (true, 1) => "item",
            (true, _) => "items",
            (false, 1) => "character",
            (false, _) => "characters",
        };
        let length_error = |rule: &'static str, expected: String, message: String| {
            let mut e = ValueError::new(rule, expected, message);
            if !list {
                e.found = Some(format!("{} ({len} {})", quote_short(lexical), unit(len)));
            }
            e
        };
        if let Some(n) = f.length.filter(|&n| n != len) {
            return Err(length_error(
                "length",
                format!("exactly {n} {}", unit(n)),
                format!("length must be {n}, found {len}"),
            ));
        }
        if let Some(n) = f.min_length.filter(|&n| len < n) {
            return Err(length_error(
                "minLength",
                format!("at least {n} {}", unit(n)),
                format!("length must be at least {n}, found {len}"),
            ));
        }
        if let Some(n) = f.max_length.filter(|&n| len > n) {
            return Err(length_error(
                "maxLength",
                format!("at most {n} {}", unit(n)),
                format!("length must be at most {n}, found {len}"),
            ));
        }
    }
    if matches!(st.variety, Variety::Atomic) && matches!(st.primitive, Primitive::Decimal) {
        let Some(v) = parse_decimal(lexical) else {
            return Ok(());
        };
        fn bound(b: &Option<String>) -> Option<(bool, &str, &str)> {
            b.as_deref().and_then(parse_decimal)
        }
        let signed = |b: (bool, &str, &str)| format!("{}{}", if b.0 { "-" } else { "" }, show(b));
        // A bound the built-in itself has (xs:int's range) is said as the built-in's range.
        let range_error = |rule: &'static str, b: (bool, &str, &str), words: &str| {
            let expected = builtin_range(schema, st, rule, b)
                .unwrap_or_else(|| format!("{words} {}", signed(b)));
            ValueError::new(rule, expected, format!("must be {words} {}", signed(b)))
        };
        if let Some(b) = bound(&f.min_inclusive).filter(|b| cmp_decimal(v, *b) == Ordering::Less) {
            return Err(range_error("minInclusive", b, "at least"));
        }
        if let Some(b) = bound(&f.max_inclusive).filter(|b| cmp_decimal(v, *b) == Ordering::Greater)
        {
            return Err(range_error("maxInclusive", b, "at most"));
        }
        if let Some(b) = bound(&f.min_exclusive).filter(|b| cmp_decimal(v, *b) != Ordering::Greater)
        {
            return Err(range_error("minExclusive", b, "more than"));
        }
        if let Some(b) = bound(&f.max_exclusive).filter(|b| cmp_decimal(v, *b) != Ordering::Less) {
            return Err(range_error("maxExclusive", b, "less than"));
        }
        if let Some(n) = f
            .total_digits
            .filter(|&n| (v.1.len() + v.2.len()) as u32 > n)
        {
            let m = format!("at most {n} digits in all");
            return Err(ValueError::new("totalDigits", m.clone(), m));
        }
        if let Some(n) = f.fraction_digits.filter(|&n| v.2.len() as u32 > n) {
            let m = if n == 0 {
                "must be a whole number".to_string()
            } else {
                format!("at most {n} digits after the decimal point")
            };
            let expected = if n == 0 {
                "a whole number (no digits after the decimal point)".to_string()
            } else {
                m.clone()
            };
            return Err(ValueError::new("fractionDigits", expected, m));
        }
    }
    Ok(())
}

/// `xs:int (-2147483648 to 2147483647)` when bound `b` broken by `rule` is the built-in's own.
fn builtin_range(
    schema: &Schema,
    st: &SimpleType,
    rule: &str,
    b: (bool, &str, &str),
) -> Option<String> {
    let TypeKind::Simple(builtin) = &schema.ty(st.base_builtin).kind else {
        return None;
    };
    let bf = &builtin.facets;
    let own = match rule {
        "minInclusive" => &bf.min_inclusive,
        "maxInclusive" => &bf.max_inclusive,
        _ => return None,
    };
    let own = own.as_deref().and_then(parse_decimal)?;
    if cmp_decimal(own, b) != Ordering::Equal {
        return None;
    }
    let label = xs(builtin_local(schema, st.base_builtin));
    let shown = |x: &Option<String>| {
        x.as_deref()
            .and_then(parse_decimal)
            .map(|d| format!("{}{}", if d.0 { "-" } else { "" }, show(d)))
    };
    Some(match (shown(&bf.min_inclusive), shown(&bf.max_inclusive)) {
        (Some(lo), Some(hi)) => format!("{label} ({lo} to {hi})"),
        (Some(lo), None) => format!("{label} ({lo} or more)"),
        (None, Some(hi)) => format!("{label} ({hi} or less)"),
        (None, None) => return None,
    })
}

fn show(d: (bool, &str, &str)) -> String {
    let int = if d.1.is_empty() { "0" } else { d.1 };
    if d.2.is_empty() {
        int.to_string()
    } else {
        format!("{int}.{}", d.2)
    }
}

/// XML text -> JSON text by the declared simple type, appended to `out` (the decoder's fast
/// path: no `Value` for the common atomic types).
pub fn write_json(schema: &Schema, t: TypeId, text: &str, out: &mut Vec<u8>) -> Result<(), String> {
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
            _ => return Err(format!("{s:?} is not a boolean")),
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
                let n = json_decimal(s).ok_or_else(|| format!("{s:?} is not a decimal"))?;
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
                let _ = serde_json::to_writer(&mut *out, &joined);
            } else {
                let _ = serde_json::to_writer(&mut *out, if collapse { s } else { text });
            }
        }
        Json::Float => {
            let v = to_json(schema, t, text)?;
            let _ = serde_json::to_writer(&mut *out, &v);
        }
    }
    Ok(())
}

/// XML text -> JSON by the declared simple type.
pub fn to_json(schema: &Schema, t: TypeId, text: &str) -> Result<Value, String> {
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
                    && facets(schema, ms, text.trim()).is_ok()
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
                    _ => Err(format!("{s:?} is not a boolean")),
                },
                Json::SmallInt | Json::BigInt => match integer("integer", s) {
                    Ok(i) => serde_json::from_str(&i)
                        .map(Value::Number)
                        .map_err(|e| e.to_string()),
                    Err(e) => Err(e.message),
                },
                Json::Decimal => json_decimal(s)
                    .map(Value::Number)
                    .ok_or_else(|| format!("{s:?} is not a decimal")),
                Json::Float => match s {
                    "INF" | "-INF" | "NaN" => Ok(Value::String(s.to_string())),
                    _ => match (serde_json::from_str::<Number>(s), s.parse::<f64>()) {
                        (Ok(n), _) => Ok(Value::Number(n)),
                        (Err(_), Ok(f)) => Number::from_f64(f)
                            .map(Value::Number)
                            .ok_or_else(|| format!("{s:?} is not a number")),
                        _ => Err(format!("{s:?} is not a number")),
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
    fn decimals_compare_exactly() {
        let d = |s| parse_decimal(s).unwrap();
        assert_eq!(
            cmp_decimal(d("12345678901234567890.5"), d("12345678901234567890.49")),
            Ordering::Greater
        );
        assert_eq!(cmp_decimal(d("-2"), d("-10")), Ordering::Greater);
        assert_eq!(cmp_decimal(d("0.0"), d("-0")), Ordering::Equal);
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

    #[test]
    fn temporal_lexical_forms() {
        let temporal = |local: &str, s: &str| lexical_check(local, s).is_ok();
        let duration = |s: &str| lexical_check("duration", s).is_ok();
        let base64 = |s: &str| lexical_check("base64Binary", s).is_ok();
        for ok in [
            "2024-02-29",
            "2024-01-15Z",
            "-0044-03-15",
            "12024-01-01+14:00",
        ] {
            assert!(temporal("date", ok), "{ok}");
        }
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-1-01",
            "--::TZ",
            "2024-01-01+14:30",
            "0000-01-01",
            "2024-01-01T",
        ] {
            assert!(!temporal("date", bad), "{bad}");
        }
        assert!(temporal("dateTime", "2024-03-01T10:00:00.250+01:00"));
        assert!(temporal("dateTime", "2024-03-01T24:00:00Z"));
        assert!(!temporal("dateTime", "2024-03-01T24:00:01"));
        assert!(!temporal("dateTime", "2024-03-01 10:00:00"));
        assert!(temporal("time", "23:59:59.999") && !temporal("time", "23:60:00"));
        assert!(
            temporal("gYearMonth", "2024-12")
                && temporal("gMonthDay", "--02-29")
                && temporal("gDay", "---31")
        );
        assert!(duration("P1Y2M3DT4H5M6.5S") && duration("-PT1S") && duration("P0D"));
        assert!(!duration("P") && !duration("PT") && !duration("P1S") && !duration("PT1.5M"));
        assert!(base64("c29hcGJyaWRnZQ==") && !base64("abc") && !base64("ab=c"));
    }

    #[test]
    fn exponents_expand_exactly() {
        assert_eq!(
            expand_exponent("4.439992076062835e+16").unwrap(),
            "44399920760628350"
        );
        assert_eq!(expand_exponent("-5.5E-3").unwrap(), "-0.0055");
        assert_eq!(expand_exponent("1e0").unwrap(), "1");
        assert_eq!(expand_exponent("12.50e1").unwrap(), "125");
        assert_eq!(expand_exponent("-0e5").unwrap(), "0");
        assert!(expand_exponent("1e999").is_none());
    }

    #[test]
    fn integers() {
        assert_eq!(
            integer("long", "9223372036854775807").unwrap(),
            "9223372036854775807"
        );
        assert_eq!(integer("int", "-0").unwrap(), "0");
        assert!(integer("int", "1.5").is_err());
        assert!(integer("int", "abc").is_err());
    }
}
