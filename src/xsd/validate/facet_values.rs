//! A simple type's enumeration and range facets, read into values once per schema, so an
//! instance value is compared with them by value (`1.0` is `1`, `2000-01-01T12:00:00Z` is
//! `2000-01-01T13:00:00+01:00`), and integer ranges as plain `i64` bounds.

use crate::xsd::model::*;
use crate::xsd::value::{self, Value, normalize};

/// Enumeration and range facets of one simple type, parsed into values once.
#[derive(Debug, Default)]
pub(super) struct FacetValues {
    /// For integer types without enumeration: the bounds as an inclusive i64 range, when
    /// they fit (the fast path of the validator's text check).
    pub(super) i64_range: Option<(i64, i64)>,
    pub(super) enumeration: Vec<Value>,
    pub(super) min_inclusive: Option<Value>,
    pub(super) max_inclusive: Option<Value>,
    pub(super) min_exclusive: Option<Value>,
    pub(super) max_exclusive: Option<Value>,
}

impl FacetValues {
    /// The facet values of simple type `st` (whose built-in is named `builtin`), or `None` when
    /// it has no enumeration or range facet. `enumerated` reads an enumeration value as a value
    /// of the base type; when it cannot, the value is read by the primitive's lexical rules.
    pub(super) fn new(
        st: &SimpleType,
        builtin: &str,
        enumerated: impl Fn(&str) -> Option<Value>,
    ) -> Option<FacetValues> {
        let f = &st.facets;
        if f.enumeration.is_empty()
            && f.min_inclusive.is_none()
            && f.max_inclusive.is_none()
            && f.min_exclusive.is_none()
            && f.max_exclusive.is_none()
        {
            return None;
        }
        let enumeration = f
            .enumeration
            .iter()
            .filter_map(|e| {
                if matches!(st.primitive, Primitive::QName | Primitive::Notation) {
                    return Some(Value::Str(e.trim().to_string()));
                }
                enumerated(e).or_else(|| lexical_value(st, builtin, e))
            })
            .collect();
        let bound = |b: &Option<String>| b.as_deref().and_then(|s| lexical_value(st, builtin, s));
        Some(FacetValues {
            i64_range: integer_range(st, builtin),
            enumeration,
            min_inclusive: bound(&f.min_inclusive),
            max_inclusive: bound(&f.max_inclusive),
            min_exclusive: bound(&f.min_exclusive),
            max_exclusive: bound(&f.max_exclusive),
        })
    }
}

/// The bounds of an integer type without enumeration as one inclusive `i64` range, when every
/// bound fits.
fn integer_range(st: &SimpleType, builtin: &str) -> Option<(i64, i64)> {
    let f = &st.facets;
    if st.primitive != Primitive::Decimal
        || !value::is_integer_builtin(builtin)
        || !f.enumeration.is_empty()
    {
        return None;
    }
    let int = |b: &Option<String>, delta: i64| -> Option<Option<i64>> {
        match b {
            None => Some(None),
            Some(v) => value::small_integer(v.trim())
                .and_then(|(n, _)| n.checked_add(delta))
                .map(Some),
        }
    };
    let lo = [int(&f.min_inclusive, 0)?, int(&f.min_exclusive, 1)?]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(i64::MIN);
    let hi = [int(&f.max_inclusive, 0)?, int(&f.max_exclusive, -1)?]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(i64::MAX);
    Some((lo, hi))
}

/// A facet value read by the primitive's lexical rules only.
fn lexical_value(st: &SimpleType, builtin: &str, s: &str) -> Option<Value> {
    let s = normalize(s, Some(WhiteSpace::Collapse));
    value::parse(st.primitive, builtin, &s, &|_| None).ok()
}
