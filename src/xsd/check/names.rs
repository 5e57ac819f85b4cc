//! Names in schema attributes and default values (NCName, QName, Name, NMTOKEN), by this
//! checker's own, looser character classes.
//!
//! These are not [`crate::xsd::value`]'s rules (XML 1.0's exact name characters, which the
//! validator holds instances to): here a name may start with any alphabetic character and go on
//! with any character but whitespace, `×` and `÷` outside ASCII. They are kept so that a schema
//! loads exactly as it always has; ASCII names are judged the same by both.

/// A first character of a name: an alphabetic character or `_`.
fn is_name_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

/// A later character of a name.
fn is_name_char(c: char) -> bool {
    // XML 1.0 name characters, approximated: ASCII by the letter of the rule, every other
    // character but whitespace and a few symbols (combining marks and extenders are allowed).
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')
    } else {
        !c.is_whitespace() && !matches!(c, '\u{D7}' | '\u{F7}')
    }
}

/// A name without a colon.
pub(super) fn is_ncname(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(is_name_start) && chars.all(is_name_char)
}

/// `prefix:local` or `local`, both NCNames.
pub(super) fn is_qname(s: &str) -> bool {
    match s.split_once(':') {
        Some((p, l)) => is_ncname(p) && is_ncname(l),
        None => is_ncname(s),
    }
}

/// The lexical rule of the name-valued built-ins (`Name`, `NCName`, `ID`, `IDREF`, `ENTITY`,
/// `NMTOKEN`, `QName`, `NOTATION`); `true` for every other built-in.
pub(super) fn builtin_name_ok(builtin: &str, v: &str) -> bool {
    match builtin {
        "Name" => {
            v.split(':').all(|p| p.chars().all(is_name_char))
                && v.chars()
                    .next()
                    .is_some_and(|c| is_name_start(c) || c == ':')
        }
        "NCName" | "ID" | "IDREF" | "ENTITY" => is_ncname(v),
        "NMTOKEN" => !v.is_empty() && v.chars().all(|c| is_name_char(c) || c == ':'),
        "QName" | "NOTATION" => is_qname(v),
        _ => true,
    }
}
