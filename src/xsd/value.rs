//! Simple values: whitespace, the lexical space of every built-in type, and values compared by
//! value (decimals exactly, dates on the time line with the ±14:00 rule, durations by the four
//! reference dates of XML Schema Part 2).

use std::borrow::Cow;
use std::cmp::Ordering;

use crate::xsd::model::Primitive;

/// A value in the value space of a built-in type, for enumeration and range facets.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// string-derived types, anyURI, NOTATION: the normalized string.
    Str(String),
    Bool(bool),
    Decimal(Dec<'static>),
    Float(f64),
    Temporal(Temporal),
    Duration(Duration),
    Binary(Vec<u8>),
    /// (namespace, local name).
    QName(String, String),
    List(Vec<Value>),
}

impl Value {
    /// A string equal for equal values (identity constraints compare these).
    pub fn key(&self) -> String {
        match self {
            Value::Str(s) => format!("s:{s}"),
            Value::Bool(b) => format!("b:{b}"),
            Value::Decimal(d) => format!("d:{d}"),
            Value::Float(f) if f.is_nan() => "f:NaN".to_string(),
            Value::Float(f) => format!("f:{f}"),
            Value::Temporal(t) => format!("t:{}:{}:{}", t.utc(), t.frac, t.zoned()),
            Value::Duration(d) => format!("p:{}:{}:{}:{}", d.months, d.secs, d.neg, d.frac),
            Value::Binary(b) => {
                let hex: String = b.iter().map(|x| format!("{x:02X}")).collect();
                format!("x:{hex}")
            }
            Value::QName(ns, local) => format!("q:{ns}|{local}"),
            Value::List(items) => {
                let keys: Vec<String> = items.iter().map(Value::key).collect();
                format!("l:{}", keys.join("\u{1}"))
            }
        }
    }

    /// Compares two values of the same primitive; `None` when they are incomparable.
    pub fn partial_cmp(&self, other: &Value) -> Option<Ordering> {
        match (self, other) {
            (Value::Decimal(a), Value::Decimal(b)) => Some(a.cmp(b)),
            (Value::Float(a), Value::Float(b)) => a.partial_cmp(b),
            (Value::Temporal(a), Value::Temporal(b)) => a.compare(b),
            (Value::Duration(a), Value::Duration(b)) => a.compare(b),
            (Value::Str(a), Value::Str(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }

    /// Identity of values, as enumeration and fixed values compare them.
    pub fn same(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Float(a), Value::Float(b)) => a == b || (a.is_nan() && b.is_nan()),
            (Value::Temporal(a), Value::Temporal(b)) => {
                a.zoned() == b.zoned() && a.compare(b) == Some(Ordering::Equal)
            }
            (Value::Duration(a), Value::Duration(b)) => a.months == b.months && a.secs == b.secs,
            (Value::List(a), Value::List(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same(y))
            }
            _ => self == other,
        }
    }
}

/// An exact decimal: sign, integer digits without leading zeros, fraction digits without trailing
/// zeros. Zero is never negative. The digits borrow the text they were read from
/// ([`Dec::parse`], which allocates nothing) or are owned ([`Dec::into_owned`], as a [`Value`]
/// keeps them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dec<'a> {
    pub neg: bool,
    pub int: Cow<'a, str>,
    pub frac: Cow<'a, str>,
}

impl<'a> Dec<'a> {
    pub fn zero() -> Dec<'static> {
        Dec {
            neg: false,
            int: Cow::Borrowed(""),
            frac: Cow::Borrowed(""),
        }
    }

    pub fn is_zero(&self) -> bool {
        self.int.is_empty() && self.frac.is_empty()
    }

    /// `[+-]?(d+(.d*)?|.d+)`, the lexical space of xs:decimal.
    pub fn parse(s: &'a str) -> Option<Dec<'a>> {
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
        let int = int.trim_start_matches('0');
        let frac = frac.trim_end_matches('0');
        let zero = int.is_empty() && frac.is_empty();
        Some(Dec {
            neg: neg && !zero,
            int: Cow::Borrowed(int),
            frac: Cow::Borrowed(frac),
        })
    }

    /// The same decimal owning its digits.
    pub fn into_owned(self) -> Dec<'static> {
        let own = |c: Cow<'a, str>| -> Cow<'static, str> {
            if c.is_empty() {
                Cow::Borrowed("")
            } else {
                Cow::Owned(c.into_owned())
            }
        };
        Dec {
            neg: self.neg,
            int: own(self.int),
            frac: own(self.frac),
        }
    }

    fn sign(&self) -> i8 {
        if self.is_zero() {
            0
        } else if self.neg {
            -1
        } else {
            1
        }
    }

    /// The digits totalDigits holds (XML Schema 1.0, 4.3.11: a value `i x 10^-n` with
    /// `|i| < 10^totalDigits` and `n <= totalDigits`): integer digits and fraction digits,
    /// leading zeros of the fraction included (`0.00120` is 12 x 10^-4, 4 digits; `10.5` has 3;
    /// zero has none). Requests ([`crate::xsd::facets::check`]) and the validator both count so.
    pub fn digits(&self) -> usize {
        self.int.len() + self.frac.len()
    }
}

impl Ord for Dec<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        match self.sign().cmp(&other.sign()) {
            Ordering::Equal => {}
            o => return o,
        }
        let mag = self
            .int
            .len()
            .cmp(&other.int.len())
            .then_with(|| self.int.cmp(&other.int))
            .then_with(|| self.frac.cmp(&other.frac));
        if self.sign() < 0 { mag.reverse() } else { mag }
    }
}

impl PartialOrd for Dec<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl std::fmt::Display for Dec<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.neg {
            f.write_str("-")?;
        }
        f.write_str(if self.int.is_empty() { "0" } else { &self.int })?;
        if !self.frac.is_empty() {
            write!(f, ".{}", self.frac)?;
        }
        Ok(())
    }
}

/// A date/time value of one of the eight temporal types, fields missing from the type filled
/// with fixed reference values (so values of one type compare correctly).
#[derive(Debug, Clone, PartialEq)]
pub struct Temporal {
    /// Seconds on the local time line (before the zone is applied), whole part.
    secs: i128,
    /// Fraction of the second, digits without trailing zeros.
    frac: String,
    /// Zone offset in minutes, when the value has one.
    tz: Option<i32>,
}

impl Temporal {
    fn zoned(&self) -> bool {
        self.tz.is_some()
    }

    fn utc(&self) -> i128 {
        self.secs - self.tz.unwrap_or(0) as i128 * 60
    }

    fn cmp_exact(a: (i128, &str), b: (i128, &str)) -> Ordering {
        a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1))
    }

    /// The order of XML Schema Part 2 §3.2.7.4: a value without a zone is anywhere within
    /// ±14:00 of the same local time; outside that window the order is determinate.
    pub fn compare(&self, other: &Temporal) -> Option<Ordering> {
        const W: i128 = 14 * 3600;
        match (self.tz, other.tz) {
            (Some(_), Some(_)) | (None, None) => Some(Self::cmp_exact(
                (self.utc(), &self.frac),
                (other.utc(), &other.frac),
            )),
            (None, Some(_)) => {
                let o = (other.utc(), other.frac.as_str());
                if Self::cmp_exact((self.secs + W, &self.frac), o) == Ordering::Less {
                    Some(Ordering::Less)
                } else if Self::cmp_exact((self.secs - W, &self.frac), o) == Ordering::Greater {
                    Some(Ordering::Greater)
                } else {
                    None
                }
            }
            (Some(_), None) => other.compare(self).map(Ordering::reverse),
        }
    }
}

/// A duration: months and seconds (whole and fraction), with one sign.
#[derive(Debug, Clone, PartialEq)]
pub struct Duration {
    pub months: i128,
    pub secs: i128,
    /// Fraction digits of the seconds, applied with the sign of the duration.
    pub frac: String,
    neg: bool,
}

impl Duration {
    /// The partial order of XML Schema Part 2 §3.2.6.2: added to four reference dateTimes.
    pub fn compare(&self, other: &Duration) -> Option<Ordering> {
        const REFS: [(i64, u32); 4] = [(1696, 9), (1697, 2), (1903, 3), (1903, 7)];
        let mut result = None;
        for (y, m) in REFS {
            let a = self.add_to(y, m);
            let b = other.add_to(y, m);
            let o = a.cmp(&b);
            match result {
                None => result = Some(o),
                Some(r) if r != o => return None,
                _ => {}
            }
        }
        result
    }

    /// Seconds from the epoch of `year-month-01T00:00:00` plus this duration (fraction as a
    /// signed tail for ordering).
    fn add_to(&self, year: i64, month: u32) -> (i128, i8, String) {
        let total_months = year as i128 * 12 + (month as i128 - 1) + self.months;
        // Years beyond ±10^12 compare the same way; the bound keeps the day count in range.
        let y = total_months
            .div_euclid(12)
            .clamp(-1_000_000_000_000, 1_000_000_000_000) as i64;
        let m = (total_months.rem_euclid(12) + 1) as u32;
        let base = days_from_civil(y, m, 1) as i128 * 86400;
        let s = base + self.secs;
        let sign = if self.frac.is_empty() {
            0
        } else if self.neg {
            -1
        } else {
            1
        };
        // Normalise a negative fraction: s - 0.f = (s-1) + (1-0.f).
        if sign < 0 {
            (s - 1, 1, complement(&self.frac))
        } else {
            (s, sign.max(0), self.frac.clone())
        }
    }
}

/// `1 - 0.f` as fraction digits (`f` has no trailing zero): 9's complement, 10's on the last.
fn complement(frac: &str) -> String {
    let n = frac.len();
    let s: String = frac
        .bytes()
        .enumerate()
        .map(|(i, b)| {
            let d = b - b'0';
            (b'0' + if i == n - 1 { 10 - d } else { 9 - d }) as char
        })
        .collect();
    s.trim_end_matches('0').to_string()
}

/// Days from 1970-01-01 to a proleptic Gregorian date (year 0 = 1 BCE).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Applies a whiteSpace facet.
pub fn normalize(s: &str, ws: Option<crate::xsd::WhiteSpace>) -> std::borrow::Cow<'_, str> {
    use crate::xsd::WhiteSpace::*;
    match ws {
        None | Some(Preserve) => s.into(),
        Some(Replace) => {
            if s.bytes().any(|b| matches!(b, b'\t' | b'\n' | b'\r')) {
                s.replace(['\t', '\n', '\r'], " ").into()
            } else {
                s.into()
            }
        }
        Some(Collapse) => {
            // Collapsing changes `s` when it has a tab, CR or LF, a space at either end, or
            // two spaces in a row.
            let mut after_space = true;
            let mut needs = false;
            for &b in s.as_bytes() {
                let space = matches!(b, b' ' | b'\t' | b'\n' | b'\r');
                if space && (after_space || b != b' ') {
                    needs = true;
                    break;
                }
                after_space = space;
            }
            if needs || (after_space && !s.is_empty()) {
                s.split(is_xml_space)
                    .filter(|p| !p.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ")
                    .into()
            } else {
                s.into()
            }
        }
    }
}

pub fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

fn is_name_start(c: char) -> bool {
    matches!(c, ':' | 'A'..='Z' | '_' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}'
        | '\u{F8}'..='\u{2FF}' | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}'
        | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}'
        | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}'
        | '\u{10000}'..='\u{EFFFF}')
}

fn is_name_char(c: char) -> bool {
    is_name_start(c)
        || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

pub fn is_name(s: &str) -> bool {
    let mut cs = s.chars();
    cs.next().is_some_and(is_name_start) && cs.all(is_name_char)
}

pub fn is_ncname(s: &str) -> bool {
    is_name(s) && !s.contains(':')
}

/// `[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*`.
pub fn is_language(s: &str) -> bool {
    let mut parts = s.split('-');
    parts
        .next()
        .is_some_and(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphabetic()))
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

pub fn is_nmtoken(s: &str) -> bool {
    !s.is_empty() && s.chars().all(is_name_char)
}

/// The lexical rule of a string-derived built-in (`language`, `Name`, `NCName`, ...), without
/// building a value.
pub fn string_lexical_ok(builtin: &str, s: &str) -> bool {
    match builtin {
        "language" => is_language(s),
        "NMTOKEN" => is_nmtoken(s),
        "Name" => is_name(s),
        "NCName" | "ID" | "IDREF" | "ENTITY" => is_ncname(s),
        _ => true,
    }
}

/// A small integer (`[+-]?digits`, at most 18 digits) and its count of significant digits.
pub fn small_integer(s: &str) -> Option<(i64, usize)> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: i64 = digits.parse().ok()?;
    let significant = digits.trim_start_matches('0').len().max(1);
    Some((if s.starts_with('-') { -v } else { v }, significant))
}

/// Why a text is not a value of a built-in type ([`parse`]). Built only when a text fails: the
/// happy path allocates nothing for it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LexicalError {
    /// Is raised when the text is not in the lexical space of the built-in type `builtin`
    /// (its local name: `int`, `dateTime`, ...).
    #[error("`{text}` is not a valid xs:{builtin}")]
    Invalid { text: Box<str>, builtin: Box<str> },
    /// Is raised when a QName (or NOTATION) has a prefix bound to no namespace in scope.
    #[error("`{text}`: the prefix `{prefix}` is not bound to a namespace here")]
    UnboundPrefix { text: Box<str>, prefix: Box<str> },
}

/// The lexical check and value of a primitive (or derived built-in, by its name) for an already
/// whitespace-normalized string. `resolve` maps a QName prefix to its namespace.
pub fn parse(
    primitive: Primitive,
    builtin: &str,
    s: &str,
    resolve: &dyn Fn(Option<&str>) -> Option<String>,
) -> Result<Value, LexicalError> {
    let bad = || LexicalError::Invalid {
        text: s.into(),
        builtin: builtin.into(),
    };
    match primitive {
        Primitive::AnySimple | Primitive::String => {
            if string_lexical_ok(builtin, s) {
                Ok(Value::Str(s.to_string()))
            } else {
                Err(bad())
            }
        }
        Primitive::AnyUri => {
            if any_uri(s) {
                Ok(Value::Str(s.to_string()))
            } else {
                Err(bad())
            }
        }
        Primitive::Notation | Primitive::QName => {
            let (prefix, local) = match s.split_once(':') {
                Some((p, l)) => (Some(p), l),
                None => (None, s),
            };
            if prefix.is_some_and(|p| !is_ncname(p)) || !is_ncname(local) {
                return Err(bad());
            }
            match resolve(prefix) {
                Some(ns) => Ok(Value::QName(ns, local.to_string())),
                None if prefix.is_none() => Ok(Value::QName(String::new(), local.to_string())),
                None => Err(LexicalError::UnboundPrefix {
                    text: s.into(),
                    prefix: prefix.unwrap_or("").into(),
                }),
            }
        }
        Primitive::Boolean => match s {
            "true" | "1" => Ok(Value::Bool(true)),
            "false" | "0" => Ok(Value::Bool(false)),
            _ => Err(bad()),
        },
        Primitive::Decimal => {
            let d = Dec::parse(s).ok_or_else(bad)?;
            if is_integer_builtin(builtin) && s.contains('.') {
                return Err(bad());
            }
            Ok(Value::Decimal(d.into_owned()))
        }
        Primitive::Float | Primitive::Double => match s {
            "INF" => Ok(Value::Float(f64::INFINITY)),
            "-INF" => Ok(Value::Float(f64::NEG_INFINITY)),
            "NaN" => Ok(Value::Float(f64::NAN)),
            _ => {
                let (mant, exp) = match s.split_once(['e', 'E']) {
                    Some((m, e)) => (m, Some(e)),
                    None => (s, None),
                };
                Dec::parse(mant).ok_or_else(bad)?;
                if let Some(e) = exp {
                    let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
                    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                        return Err(bad());
                    }
                }
                let v: f64 = s.parse().map_err(|_| bad())?;
                Ok(Value::Float(if primitive == Primitive::Float {
                    v as f32 as f64
                } else {
                    v
                }))
            }
        },
        Primitive::Duration => duration(s).map(Value::Duration).ok_or_else(bad),
        Primitive::DateTime
        | Primitive::Time
        | Primitive::Date
        | Primitive::GYearMonth
        | Primitive::GYear
        | Primitive::GMonthDay
        | Primitive::GDay
        | Primitive::GMonth => temporal(primitive, s).map(Value::Temporal).ok_or_else(bad),
        Primitive::HexBinary => {
            if !s.len().is_multiple_of(2) || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(bad());
            }
            let bytes = (0..s.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap_or(0))
                .collect();
            Ok(Value::Binary(bytes))
        }
        Primitive::Base64Binary => base64(s).map(Value::Binary).ok_or_else(bad),
    }
}

pub fn is_integer_builtin(name: &str) -> bool {
    matches!(
        name,
        "integer"
            | "nonPositiveInteger"
            | "negativeInteger"
            | "long"
            | "int"
            | "short"
            | "byte"
            | "nonNegativeInteger"
            | "unsignedLong"
            | "unsignedInt"
            | "unsignedShort"
            | "unsignedByte"
            | "positiveInteger"
    )
}

/// RFC 2396 (with RFC 2732 IPv6 literals) is the XSD 1.0 rule, but processors accept what a
/// string can be escaped into; refused here: bad `%` escapes and more than one `#`.
fn any_uri(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = |j: usize| b.get(j).is_some_and(u8::is_ascii_hexdigit);
            if !(hex(i + 1) && hex(i + 2)) {
                return false;
            }
            i += 3;
            continue;
        }
        i += 1;
    }
    if s.matches('#').count() > 1 {
        return false;
    }
    // A scheme, when there is one before the first `/?#`, must be well formed.
    if let Some(colon) = s.find(':') {
        let before = &s[..colon];
        if !before.contains(['/', '?', '#']) {
            let ok = before
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
                && before
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
            if !ok {
                return false;
            }
        }
    }
    true
}

/// xs:base64Binary, already whitespace-collapsed: the standard alphabet (`A-Za-z0-9+/`), a length
/// that is a multiple of four, at most two `=` and only at the end, and zero bits after the last
/// byte (`AQ==` is one byte, `AB==` nothing). The lexical rule also allows a single space after
/// any character (`AQ= =`); the base64 crate takes no whitespace at all, so spaces are dropped
/// before decoding (anywhere, as they always were), and the crate's standard engine holds the
/// rest: canonical padding required, trailing bits refused.
fn base64(s: &str) -> Option<Vec<u8>> {
    use ::base64::Engine as _;
    use ::base64::engine::general_purpose::STANDARD;
    if s.contains(' ') {
        let compact: Vec<u8> = s.bytes().filter(|&b| b != b' ').collect();
        STANDARD.decode(compact).ok()
    } else {
        STANDARD.decode(s).ok()
    }
}

/// `-?PnYnMnDTnHnMnS` with at least one part, and a part after `T`.
fn duration(s: &str) -> Option<Duration> {
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let rest = s.strip_prefix('P')?;
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (rest, None),
    };
    let mut months: i128 = 0;
    let mut secs: i128 = 0;
    let mut frac = String::new();
    let mut parts = 0;
    let mut parse = |p: &str, units: &[u8], time: bool| -> Option<usize> {
        let mut n = 0;
        let mut unit_i = 0;
        let mut num = String::new();
        for c in p.chars() {
            if c.is_ascii_digit() || (c == '.' && time) {
                num.push(c);
                continue;
            }
            let pos = units[unit_i..].iter().position(|&u| u == c as u8)? + unit_i;
            if num.is_empty()
                || num.starts_with('.')
                || num.ends_with('.')
                || (num.contains('.') && c != 'S')
            {
                return None;
            }
            let (whole, f) = num.split_once('.').unwrap_or((&num, ""));
            let whole: i128 = if whole.len() > 30 {
                return None;
            } else {
                whole.parse().ok()?
            };
            match (time, c) {
                (false, 'Y') => months += whole * 12,
                (false, 'M') => months += whole,
                (false, 'D') => secs += whole * 86400,
                (true, 'H') => secs += whole * 3600,
                (true, 'M') => secs += whole * 60,
                (true, 'S') => {
                    secs += whole;
                    frac = f.trim_end_matches('0').to_string();
                }
                _ => return None,
            }
            unit_i = pos + 1;
            num.clear();
            n += 1;
        }
        num.is_empty().then_some(n)
    };
    parts += parse(date, b"YMD", false)?;
    if let Some(t) = time {
        let n = parse(t, b"HMS", true)?;
        if n == 0 {
            return None;
        }
        parts += n;
    }
    if parts == 0 {
        return None;
    }
    let sign = if neg { -1 } else { 1 };
    Some(Duration {
        months: months * sign,
        secs: secs * sign,
        frac,
        neg,
    })
}

/// The eight date/time types, with calendar checks and the zone limit.
pub(super) fn temporal(kind: Primitive, s: &str) -> Option<Temporal> {
    let b = s.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize, n: usize| -> Option<u32> {
        let d = b.get(*i..*i + n)?;
        let mut v = 0u32;
        for &c in d {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + u32::from(c - b'0');
        }
        *i += n;
        Some(v)
    };
    let lit = |i: &mut usize, c: u8| -> Option<()> { (b.get(*i) == Some(&c)).then(|| *i += 1) };
    let year = |i: &mut usize| -> Option<i64> {
        let neg = b.get(*i) == Some(&b'-');
        if neg {
            *i += 1;
        }
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        let y = &s[start..*i];
        if y.len() < 4 || (y.len() > 4 && y.starts_with('0')) || y == "0000" || y.len() > 15 {
            return None;
        }
        let v: i64 = y.parse().ok()?;
        // XSD 1.0 has no year 0: -0001 is the year before 0001; keep the astronomical count.
        Some(if neg { 1 - v } else { v })
    };
    let mut secs_of_day: i128 = 0;
    let mut frac = String::new();
    let mut time = |i: &mut usize| -> Option<()> {
        let h = digits(i, 2)?;
        lit(i, b':')?;
        let m = digits(i, 2)?;
        lit(i, b':')?;
        let sec = digits(i, 2)?;
        let mut frac_nonzero = false;
        if lit(i, b'.').is_some() {
            let start = *i;
            while b.get(*i).is_some_and(u8::is_ascii_digit) {
                frac_nonzero |= b[*i] != b'0';
                *i += 1;
            }
            if *i == start {
                return None;
            }
            frac = s[start..*i].trim_end_matches('0').to_string();
        }
        let ok = (h < 24 && m < 60 && sec < 60) || (h == 24 && m == 0 && sec == 0 && !frac_nonzero);
        secs_of_day = h as i128 * 3600 + m as i128 * 60 + sec as i128;
        ok.then_some(())
    };
    let (mut y, mut mo, mut d) = (2000i64, 1u32, 1u32);
    match kind {
        Primitive::DateTime | Primitive::Date => {
            y = year(&mut i)?;
            lit(&mut i, b'-')?;
            mo = digits(&mut i, 2)?;
            lit(&mut i, b'-')?;
            d = digits(&mut i, 2)?;
            if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) {
                return None;
            }
            if kind == Primitive::DateTime {
                lit(&mut i, b'T')?;
                time(&mut i)?;
            }
        }
        Primitive::Time => time(&mut i)?,
        Primitive::GYear => y = year(&mut i)?,
        Primitive::GYearMonth => {
            y = year(&mut i)?;
            lit(&mut i, b'-')?;
            mo = digits(&mut i, 2)?;
            (1..=12).contains(&mo).then_some(())?;
        }
        Primitive::GMonth | Primitive::GMonthDay => {
            lit(&mut i, b'-')?;
            lit(&mut i, b'-')?;
            mo = digits(&mut i, 2)?;
            (1..=12).contains(&mo).then_some(())?;
            if kind == Primitive::GMonthDay {
                lit(&mut i, b'-')?;
                d = digits(&mut i, 2)?;
                (d >= 1 && d <= days_in_month(2000, mo)).then_some(())?;
            }
        }
        _ => {
            for _ in 0..3 {
                lit(&mut i, b'-')?;
            }
            d = digits(&mut i, 2)?;
            (1..=31).contains(&d).then_some(())?;
        }
    }
    let tz = match b.get(i) {
        None => None,
        Some(b'Z') => {
            i += 1;
            Some(0)
        }
        Some(&sign @ (b'+' | b'-')) => {
            i += 1;
            let h = digits(&mut i, 2)?;
            lit(&mut i, b':')?;
            let m = digits(&mut i, 2)?;
            (h < 14 && m < 60 || h == 14 && m == 0).then_some(())?;
            let off = (h * 60 + m) as i32;
            Some(if sign == b'-' { -off } else { off })
        }
        _ => return None,
    };
    (i == b.len()).then_some(())?;
    let secs = days_from_civil(y, mo, d) as i128 * 86400 + secs_of_day;
    Some(Temporal { secs, frac, tz })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// xs:base64Binary as XML Schema Part 2 §3.2.16 writes its lexical space (spaces aside):
    /// whole quads, then a quad ending `B16 '='` or `B04 '=='`. Every text of up to six
    /// characters over letters from each class, `=`, a space, `/` and a non-base64 character
    /// is accepted exactly when the grammar matches it without its spaces, and decodes to the
    /// bytes that encode back to it.
    #[test]
    fn base64_is_the_lexical_rule() {
        use ::base64::Engine as _;
        let grammar = regex::Regex::new(
            "^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=|[A-Za-z0-9+/][AQgw]==)?$",
        )
        .unwrap();
        let symbols = [b'A', b'Q', b'E', b'B', b'=', b' ', b'/', b'-'];
        for len in 0..=6u32 {
            for mut k in 0..8usize.pow(len) {
                let mut text = Vec::new();
                for _ in 0..len {
                    text.push(symbols[k % 8]);
                    k /= 8;
                }
                let s = std::str::from_utf8(&text).unwrap();
                let compact = s.replace(' ', "");
                match base64(s) {
                    Some(bytes) => {
                        assert!(grammar.is_match(&compact), "{s:?} accepted");
                        let back = ::base64::engine::general_purpose::STANDARD.encode(bytes);
                        assert_eq!(back, compact, "{s:?}");
                    }
                    None => assert!(!grammar.is_match(&compact), "{s:?} refused"),
                }
            }
        }
        let b = |s| base64(s).map(|b| String::from_utf8(b).unwrap());
        assert_eq!(b("c29hcGJyaWRnZQ==").as_deref(), Some("soapbridge"));
        assert_eq!(b("c29h cGJy aWRn ZQ= =").as_deref(), Some("soapbridge"));
        assert_eq!(b("").as_deref(), Some(""));
        for bad in [
            "c29hcGJyaWRnZQ",
            "c29hcGJyaWRnZQ=",
            "c29hcGJyaWRnZR==",
            "c29h\tcGJy",
            "YQ==YQ==",
            "Y===",
        ] {
            assert_eq!(base64(bad), None, "{bad:?}");
        }
    }

    fn v(p: Primitive, name: &str, s: &str) -> Result<Value, LexicalError> {
        parse(p, name, s, &|_| None)
    }

    #[test]
    fn decimals_compare_exactly() {
        let d = |s| Dec::parse(s).unwrap();
        assert!(d("123456789012345678901234567890.1") > d("123456789012345678901234567890.09"));
        assert_eq!(d("-0.0"), d("+0"));
        assert!(d("-2") < d("-1.5"));
        assert!(d("-2") > d("-10") && d("12345678901234567890.5") > d("12345678901234567890.49"));
        assert_eq!(d("0.0"), d("-0"));
        assert_eq!(d("-0").to_string(), "0");
        assert_eq!(d("+007.50").to_string(), "7.5");
        assert_eq!(d("-.5").into_owned(), d("-0.50"));
        assert_eq!(d("0.00120").digits(), 4);
        assert_eq!(d("10.5").digits(), 3);
        assert_eq!(d("000").digits(), 0);
        assert!(Dec::parse(".").is_none() && Dec::parse("1e3").is_none());
    }

    #[test]
    fn temporal_values_and_zones() {
        let t = |s| match v(Primitive::DateTime, "dateTime", s).unwrap() {
            Value::Temporal(t) => t,
            _ => unreachable!(),
        };
        assert_eq!(
            t("2000-01-01T12:00:00Z").compare(&t("2000-01-01T13:00:00+01:00")),
            Some(Ordering::Equal)
        );
        assert_eq!(
            t("2000-01-01T12:00:00").compare(&t("2000-01-01T12:00:00Z")),
            None
        );
        assert_eq!(
            t("2000-01-01T12:00:00").compare(&t("2000-01-02T12:00:00Z")),
            Some(Ordering::Less)
        );
        assert!(v(Primitive::DateTime, "dateTime", "2000-01-01T12:00:00+14:01").is_err());
        assert!(v(Primitive::Date, "date", "2001-02-29").is_err());
        assert!(v(Primitive::Date, "date", "2000-02-29").is_ok());
        assert!(v(Primitive::Time, "time", "24:00:00").is_ok());
    }

    #[test]
    fn durations_and_binaries() {
        let d = |s| match v(Primitive::Duration, "duration", s).unwrap() {
            Value::Duration(d) => d,
            _ => unreachable!(),
        };
        assert_eq!(d("P1M").compare(&d("P30D")), None);
        assert_eq!(d("P1Y").compare(&d("P364D")), Some(Ordering::Greater));
        assert_eq!(d("PT1.5S").compare(&d("PT1.25S")), Some(Ordering::Greater));
        assert!(v(Primitive::Duration, "duration", "P").is_err());
        assert!(v(Primitive::Duration, "duration", "P1DT").is_err());
        assert!(v(Primitive::Base64Binary, "base64Binary", "AQ==").is_ok());
        assert!(v(Primitive::Base64Binary, "base64Binary", "AB==").is_err());
        assert!(v(Primitive::HexBinary, "hexBinary", "0FA").is_err());
        assert!(v(Primitive::Decimal, "int", "1.0").is_err());
        assert!(v(Primitive::Float, "float", "1.5E+3").is_ok());
        assert!(v(Primitive::Float, "float", "+INF").is_err());
    }

    #[test]
    fn lexical_errors_by_kind_with_their_words() {
        let e = v(Primitive::Decimal, "int", "1.0").unwrap_err();
        assert!(matches!(&e, LexicalError::Invalid { text, builtin }
            if &**text == "1.0" && &**builtin == "int"));
        assert_eq!(e.to_string(), "`1.0` is not a valid xs:int");
        let e = v(Primitive::QName, "QName", "p:x").unwrap_err();
        assert!(matches!(&e, LexicalError::UnboundPrefix { prefix, .. } if &**prefix == "p"));
        assert_eq!(
            e.to_string(),
            "`p:x`: the prefix `p` is not bound to a namespace here"
        );
        // Small beside the value it stands in for.
        assert!(std::mem::size_of::<LexicalError>() <= 40);
    }
}
