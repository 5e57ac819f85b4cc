//! Names in schema attributes and default values (NCName, QName, Name, NMTOKEN), by the XML 1.0
//! name rules of [`crate::xsd::value`], the ones the validator holds instances to.

use crate::xsd::value::{is_name, is_ncname as ncname, is_nmtoken};

/// A name without a colon.
pub(super) fn is_ncname(s: &str) -> bool {
    ncname(s)
}

/// `prefix:local` or `local`, both NCNames.
pub(super) fn is_qname(s: &str) -> bool {
    match s.split_once(':') {
        Some((p, l)) => ncname(p) && ncname(l),
        None => ncname(s),
    }
}

/// The lexical rule of the name-valued built-ins (`Name`, `NCName`, `ID`, `IDREF`, `ENTITY`,
/// `NMTOKEN`, `QName`, `NOTATION`); `true` for every other built-in.
pub(super) fn builtin_name_ok(builtin: &str, v: &str) -> bool {
    match builtin {
        "Name" => is_name(v),
        "NCName" | "ID" | "IDREF" | "ENTITY" => ncname(v),
        "NMTOKEN" => is_nmtoken(v),
        "QName" | "NOTATION" => is_qname(v),
        _ => true,
    }
}
