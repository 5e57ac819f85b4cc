//! A simple value as text, held to its type: the lexical form normalised (integers, decimals,
//! booleans, whitespace), the lexical rules of the string-like built-ins, and the facets, with
//! errors that say the rule broken, what the type takes and what was found. Requests (through
//! `convert`), header constants (`mapping`) and default and fixed values (`check`) are all held
//! to it; the value spaces themselves are in [`super::value`].

use super::model::*;
use super::value::Dec;
use crate::xml::bad_char;

/// What a built-in type's values are, for normalising their text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    Boolean,
    /// xs:integer and every type derived from it.
    Integer,
    Decimal,
    /// xs:float and xs:double.
    Float,
    /// Everything else: strings, names, dates, binaries, URIs.
    Text,
}

/// The category of an atomic simple type, by its built-in base.
pub fn category(schema: &Schema, st: &SimpleType) -> Category {
    match builtin_local(schema, st.base_builtin) {
        "boolean" => Category::Boolean,
        "int" | "short" | "byte" | "unsignedInt" | "unsignedShort" | "unsignedByte" | "integer"
        | "long" | "unsignedLong" | "nonNegativeInteger" | "positiveInteger"
        | "nonPositiveInteger" | "negativeInteger" => Category::Integer,
        "decimal" => Category::Decimal,
        "float" | "double" => Category::Float,
        _ => Category::Text,
    }
}

/// A value given as text (a path, query or header value, a constant in a mapping, a default in
/// a schema) in the lexical form its type writes, or why it is not one: the item or member
/// types of lists and unions, the built-in's lexical rules, then the facets. `found` is the
/// text, quoted and cut short.
pub fn text_value(schema: &Schema, t: TypeId, s: &str) -> Result<String, ValueError> {
    text_value_of(schema, t, s).map_err(|mut e| {
        if e.found.is_none() {
            e.found = Some(quote_short(s));
        }
        e
    })
}

fn text_value_of(schema: &Schema, t: TypeId, s: &str) -> Result<String, ValueError> {
    let TypeKind::Simple(st) = &schema.ty(t).kind else {
        return Err(ValueError::new(
            "type",
            "a simple value",
            "expected a simple value",
        ));
    };
    let lexical = match &st.variety {
        Variety::List(item) => s
            .split_whitespace()
            .map(|x| text_value(schema, *item, x))
            .collect::<Result<Vec<_>, _>>()?
            .join(" "),
        Variety::Union(members) => union_member(schema, members, |m| text_value(schema, m, s))?,
        Variety::Atomic => atomic_text(schema, st, s)?,
    };
    check(schema, st, &lexical)?;
    Ok(lexical)
}

/// The lexical form the first member type gives (`member` tries one), or the error naming all.
pub fn union_member(
    schema: &Schema,
    members: &[TypeId],
    member: impl Fn(TypeId) -> Result<String, ValueError>,
) -> Result<String, ValueError> {
    let mut last = None;
    for m in members {
        match member(*m) {
            Ok(s) => return Ok(s),
            Err(e) => last = Some(e),
        }
    }
    let labels: Vec<String> = members.iter().map(|m| schema.type_label(*m)).collect();
    Err(ValueError::new(
        "type",
        format!("a value of one of the union's types: {}", labels.join(", ")),
        last.map_or_else(
            || "expected a value of the union's member types".to_string(),
            |e| e.message,
        ),
    ))
}

/// The lexical form of an atomic value given as text.
pub fn atomic_text(schema: &Schema, st: &SimpleType, s: &str) -> Result<String, ValueError> {
    let local = builtin_local(schema, st.base_builtin);
    match category(schema, st) {
        Category::Boolean => match s {
            "true" | "1" => Ok("true".into()),
            "false" | "0" => Ok("false".into()),
            _ => Err(ValueError::new(
                "type",
                "true or false (xs:boolean)",
                format!("expected true or false, found {s:?}"),
            )),
        },
        Category::Integer => integer(local, s.trim()),
        Category::Decimal => decimal(s.trim()),
        Category::Float => match s.trim() {
            x @ ("INF" | "-INF" | "NaN") => Ok(x.to_string()),
            x if x.parse::<f64>().is_ok() => Ok(x.to_string()),
            x => Err(float_error(local, x)),
        },
        Category::Text => string(schema, st, s),
    }
}

/// A float or double that is neither a number nor one of the special values.
pub fn float_error(local: &str, x: &str) -> ValueError {
    ValueError::new(
        "type",
        format!("a number, or \"INF\", \"-INF\", \"NaN\" ({})", xs(local)),
        format!("expected a number, or \"INF\", \"-INF\", \"NaN\", found {x:?}"),
    )
}

/// A string-like value: characters XML can carry, whitespace as the type says, and the
/// built-in's lexical rule.
pub fn string(schema: &Schema, st: &SimpleType, s: &str) -> Result<String, ValueError> {
    if let Some(c) = s.chars().find(|c| bad_char(*c)) {
        return Err(ValueError::new(
            "type",
            "characters XML can carry (no control characters but tab, newline and carriage return)",
            format!("control character U+{:04X} cannot be sent in XML", c as u32),
        ));
    }
    let s = match st.facets.white_space.or_else(|| builtin_ws(schema, st)) {
        Some(WhiteSpace::Collapse) => s.split_whitespace().collect::<Vec<_>>().join(" "),
        _ => s.to_string(),
    };
    lexical_check(builtin_local(schema, st.base_builtin), &s)?;
    Ok(s)
}

pub fn builtin_local(schema: &Schema, t: TypeId) -> &str {
    schema
        .ty(t)
        .name
        .as_ref()
        .map_or("string", |q| q.local.as_str())
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
    /// What was sent, short (a string quoted and cut after [`FOUND_CHARS`] characters); filled
    /// from the value sent (the text, or the JSON value in `convert`) when the check itself saw
    /// only the lexical form.
    pub found: Option<String>,
    /// The full sentence.
    pub message: String,
    /// The list item at fault, when the value is a JSON array for an `xs:list` (its JSON
    /// Pointer is the list's plus `/item`).
    pub item: Option<usize>,
}

impl ValueError {
    pub fn new(
        rule: &'static str,
        expected: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
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

/// How many characters of a string (or digits of a number) `found` shows before an ellipsis.
pub const FOUND_CHARS: usize = 40;

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
pub fn xs(local: &str) -> String {
    format!("xs:{local}")
}

/// Two lexical forms of a type's value are the same value (`fixed` checks): numbers compare as
/// exact decimals (`1.0` = `1`), other values by their text.
pub fn same_value(schema: &Schema, t: TypeId, a: &str, b: &str) -> bool {
    let numeric = match &schema.ty(t).kind {
        TypeKind::Simple(st) => {
            matches!(category(schema, st), Category::Integer | Category::Decimal)
        }
        TypeKind::Complex(_) => false,
    };
    match (numeric, Dec::parse(a.trim()), Dec::parse(b.trim())) {
        (true, Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

pub fn builtin_ws(schema: &Schema, st: &SimpleType) -> Option<WhiteSpace> {
    match &schema.ty(st.base_builtin).kind {
        TypeKind::Simple(b) => b.facets.white_space,
        _ => None,
    }
}

/// The lexical checks of the string-valued built-ins that have one: the validator's own
/// ([`crate::xsd::value::parse`]), so a request is held to exactly what an answer is.
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
    let ok = crate::xsd::value::parse(primitive, local, s, &|_| None).is_ok();
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

pub fn integer(local: &str, s: &str) -> Result<String, ValueError> {
    match Dec::parse(s) {
        // No fraction digits but zeros: the canonical integer (`-0` and `+007.00` are `0`, `7`).
        Some(d) if d.frac.is_empty() => Ok(d.to_string()),
        _ => Err(ValueError::new(
            "type",
            format!("an integer ({})", xs(local)),
            format!("expected an integer ({local}), found {s:?}"),
        )),
    }
}

/// `4.43e+16` -> `44300000000000000`, exactly (the digits written, shifted; never via f64).
/// `None` when not a number in exponent form or the exponent is absurd.
pub fn expand_exponent(s: &str) -> Option<String> {
    let (mantissa, exp) = s.split_once(['e', 'E'])?;
    let exp: i64 = exp
        .trim_start_matches('+')
        .parse()
        .ok()
        .filter(|e: &i64| e.abs() <= 400)?;
    let Dec { neg, int, .. } = Dec::parse(mantissa)?;
    let raw_frac = mantissa
        .trim_start_matches(['+', '-'])
        .split_once('.')
        .map_or("", |(_, f)| f);
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

pub fn decimal(s: &str) -> Result<String, ValueError> {
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
    Dec::parse(s)
        .map(|_| s.trim_start_matches('+').to_string())
        .ok_or_else(bad)
}

/// Enumeration, patterns, lengths, bounds and digits. The rule of an error is the facet's name.
pub fn check(schema: &Schema, st: &SimpleType, lexical: &str) -> Result<(), ValueError> {
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
        let Some(v) = Dec::parse(lexical) else {
            return Ok(());
        };
        // A bound the built-in itself has (xs:int's range) is said as the built-in's range.
        let range_error = |rule: &'static str, (raw, b): (&str, Dec), words: &str| {
            let expected = builtin_range(schema, st, rule, &b)
                .unwrap_or_else(|| format!("{words} {}", signed(raw, &b)));
            ValueError::new(
                rule,
                expected,
                format!("must be {words} {}", signed(raw, &b)),
            )
        };
        if let Some(b) = decimal_bound(&f.min_inclusive).filter(|b| v < b.1) {
            return Err(range_error("minInclusive", b, "at least"));
        }
        if let Some(b) = decimal_bound(&f.max_inclusive).filter(|b| v > b.1) {
            return Err(range_error("maxInclusive", b, "at most"));
        }
        if let Some(b) = decimal_bound(&f.min_exclusive).filter(|b| v <= b.1) {
            return Err(range_error("minExclusive", b, "more than"));
        }
        if let Some(b) = decimal_bound(&f.max_exclusive).filter(|b| v >= b.1) {
            return Err(range_error("maxExclusive", b, "less than"));
        }
        if let Some(n) = f.total_digits.filter(|&n| v.digits() as u32 > n) {
            let m = format!("at most {n} digits in all");
            return Err(ValueError::new("totalDigits", m.clone(), m));
        }
        if let Some(n) = f.fraction_digits.filter(|&n| v.frac.len() as u32 > n) {
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

/// A decimal bound facet: its text and its value (`None` when absent or not a decimal).
fn decimal_bound(b: &Option<String>) -> Option<(&str, Dec<'_>)> {
    let text = b.as_deref()?;
    Some((text, Dec::parse(text)?))
}

/// A decimal bound as messages show it: its canonical digits (`+007.50` is `7.5`), with a minus
/// sign when written with one (so `-0` stays `-0`).
fn signed(raw: &str, d: &Dec) -> String {
    if !d.neg && raw.starts_with('-') {
        format!("-{d}")
    } else {
        d.to_string()
    }
}

/// `xs:int (-2147483648 to 2147483647)` when bound `b` broken by `rule` is the built-in's own.
fn builtin_range(schema: &Schema, st: &SimpleType, rule: &str, b: &Dec) -> Option<String> {
    let TypeKind::Simple(builtin) = &schema.ty(st.base_builtin).kind else {
        return None;
    };
    let bf = &builtin.facets;
    let own = match rule {
        "minInclusive" => &bf.min_inclusive,
        "maxInclusive" => &bf.max_inclusive,
        _ => return None,
    };
    if decimal_bound(own)?.1 != *b {
        return None;
    }
    let label = xs(builtin_local(schema, st.base_builtin));
    let shown = |x: &Option<String>| decimal_bound(x).map(|(raw, d)| signed(raw, &d));
    Some(match (shown(&bf.min_inclusive), shown(&bf.max_inclusive)) {
        (Some(lo), Some(hi)) => format!("{label} ({lo} to {hi})"),
        (Some(lo), None) => format!("{label} ({lo} or more)"),
        (None, Some(hi)) => format!("{label} ({hi} or less)"),
        (None, None) => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_bounds_and_fixed_values() {
        let d = |s| Dec::parse(s).unwrap();
        assert_eq!(signed("+007.50", &d("+007.50")), "7.5");
        assert_eq!(signed("-0.0", &d("-0.0")), "-0");
        assert_eq!(signed("-12", &d("-12")), "-12");
        assert_eq!(d("0.00120").digits(), 4);
        assert_eq!(decimal_bound(&Some("1.5x".to_string())), None);
        assert_eq!(decimal(".5").unwrap(), ".5");
        assert_eq!(decimal("+1.50").unwrap(), "1.50");
        assert!(decimal("1.5.0").is_err());
        assert_eq!(integer("int", "+007.00").unwrap(), "7");
        assert!(integer("int", "1.").is_ok() && integer("int", ".").is_err());
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
