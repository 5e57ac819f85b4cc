//! Facets of each restriction step of a simple type (or of simple content) against its base:
//! each must apply to the base ([`applicable`]), appear once, keep what the base fixed, hold a
//! value valid for the base and only narrow the base's own; then the facets in force after the
//! step must agree with each other.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use roxmltree::Node;

use super::checker::{Checker, is_xs};
use super::grammar::FACETS;
use super::values::{compare, st_value};
use crate::xsd::model::*;

/// (lower bound, upper bound, allowed orderings of lower against upper, message).
type BoundPair<'f> = (
    &'f Option<String>,
    &'f Option<String>,
    &'f [Ordering],
    &'f str,
);

/// Which facets apply to a simple type (its variety and primitive).
fn applicable(st: &SimpleType, facet: &str) -> bool {
    let common = matches!(facet, "pattern" | "enumeration" | "whiteSpace");
    match st.variety {
        Variety::Union(_) => matches!(facet, "pattern" | "enumeration"),
        Variety::List(_) => common || matches!(facet, "length" | "minLength" | "maxLength"),
        Variety::Atomic => match st.primitive {
            Primitive::AnySimple => true,
            Primitive::String
            | Primitive::AnyUri
            | Primitive::QName
            | Primitive::Notation
            | Primitive::HexBinary
            | Primitive::Base64Binary => {
                common || matches!(facet, "length" | "minLength" | "maxLength")
            }
            Primitive::Boolean => matches!(facet, "pattern" | "whiteSpace"),
            Primitive::Decimal => {
                common
                    || facet.starts_with("min") && !facet.ends_with("Length")
                    || facet.starts_with("max") && !facet.ends_with("Length")
                    || matches!(facet, "totalDigits" | "fractionDigits")
            }
            _ => {
                common
                    || matches!(
                        facet,
                        "minInclusive" | "maxInclusive" | "minExclusive" | "maxExclusive"
                    )
            }
        },
    }
}

impl<'a, 'i> Checker<'_, 'a, 'i> {
    /// Every restriction step of a simple type or of simple content (each document once),
    /// against its base; `by_position` finds the type each step was compiled into.
    pub(super) fn restriction_steps(
        &mut self,
        schema: &Schema,
        by_position: &HashMap<(u32, u32), TypeId>,
    ) {
        let mut seen = HashSet::new();
        let docs = self.docs.clone();
        for d in &docs {
            if !seen.insert((d.source, d.node)) {
                continue;
            }
            for node in d.node.descendants().filter(is_xs) {
                if node.tag_name().name() != "restriction" {
                    continue;
                }
                let Some(parent) = node.parent_element() else {
                    continue;
                };
                let key = match parent.tag_name().name() {
                    "simpleType" => parent.range().start,
                    "simpleContent" => node.range().start,
                    _ => continue,
                };
                let Some(&t) = by_position.get(&(d.source as u32, key as u32)) else {
                    continue;
                };
                self.facets(schema, d.source, node, t);
            }
        }
    }

    /// The facets of one restriction step (`node`, compiled into type `t`) against its base.
    fn facets(&mut self, schema: &Schema, source: usize, node: Node<'a, 'i>, t: TypeId) {
        let TypeKind::Simple(derived) = &schema.ty(t).kind else {
            return;
        };
        let Some(base_id) = schema.ty(t).base else {
            return;
        };
        let Some(base) = text_type(schema, base_id) else {
            return;
        };
        let base_fixed = self.fixed_facets(schema, base_id);
        let mut seen: HashMap<&str, Node> = HashMap::new();
        let mut problems: Vec<(Node, String)> = Vec::new();
        for f in node
            .children()
            .filter(|c| is_xs(c) && FACETS.contains(&c.tag_name().name()))
        {
            let name = f.tag_name().name();
            if !applicable(&base, name) {
                problems.push((
                    f,
                    format!(
                        "facet xs:{name} does not apply to the base type `{}`",
                        schema.type_label(base_id)
                    ),
                ));
                continue;
            }
            if !matches!(name, "enumeration" | "pattern") && seen.insert(name, f).is_some() {
                problems.push((
                    f,
                    format!("facet xs:{name} is given twice in one restriction"),
                ));
                continue;
            }
            let found = facet_problems(schema, &base, base_id, &base_fixed, f);
            problems.extend(found.into_iter().map(|m| (f, m)));
        }
        let found = consistency_problems(&derived.facets, derived.primitive, &base.facets, &seen);
        problems.extend(found.into_iter().map(|m| (node, m)));
        for (f, msg) in problems {
            self.report(
                source,
                f.range().start,
                msg,
                Some("a restriction can only narrow its base type: facets must apply to it, agree with each other, and stay within the base's".into()),
            );
        }
    }

    /// The facets marked fixed="true" on a type's own restriction (built-ins: integer's
    /// fractionDigits and the whiteSpace of non-string types).
    fn fixed_facets(&self, schema: &Schema, t: TypeId) -> Vec<&'static str> {
        let ty = schema.ty(t);
        if let Some(q) = &ty.name
            && q.ns == XS
        {
            return match &ty.kind {
                TypeKind::Simple(st)
                    if st.primitive == Primitive::Decimal && q.local != "decimal" =>
                {
                    vec!["fractionDigits", "whiteSpace"]
                }
                TypeKind::Simple(st)
                    if !matches!(st.primitive, Primitive::String | Primitive::AnySimple) =>
                {
                    vec!["whiteSpace"]
                }
                _ => Vec::new(),
            };
        }
        let mut out = Vec::new();
        let mut cur = Some(t);
        let mut steps = 0;
        while let Some(id) = cur {
            steps += 1;
            if steps > 64 {
                break;
            }
            let ty = schema.ty(id);
            if ty.name.as_ref().is_some_and(|q| q.ns == XS) {
                out.extend(self.fixed_facets(schema, id));
                break;
            }
            if let Some(node) = self.node_at(ty.pos.file as usize, ty.pos.offset as usize) {
                let restriction = if node.tag_name().name() == "restriction" {
                    Some(node)
                } else {
                    node.children()
                        .find(|c| is_xs(c) && c.tag_name().name() == "restriction")
                };
                if let Some(r) = restriction {
                    for f in r.children().filter(is_xs) {
                        if f.attribute("fixed")
                            .is_some_and(|v| matches!(v.trim(), "true" | "1"))
                            && let Some(n) = FACETS.iter().find(|n| **n == f.tag_name().name())
                        {
                            out.push(*n);
                        }
                    }
                }
            }
            cur = ty.base;
        }
        out
    }
}

/// The simple type a restriction of `base` restricts: the base itself, or for simple content
/// the base's text type.
fn text_type(schema: &Schema, base: TypeId) -> Option<SimpleType> {
    match &schema.ty(base).kind {
        TypeKind::Simple(b) => Some(b.clone()),
        TypeKind::Complex(ct) => match &ct.content {
            Content::Simple(s) => match &schema.ty(*s).kind {
                TypeKind::Simple(b) => Some(b.clone()),
                _ => None,
            },
            _ => None,
        },
    }
}

/// The problems of one facet `f` (applicable and not repeated) against the `base` type.
fn facet_problems(
    schema: &Schema,
    base: &SimpleType,
    base_id: TypeId,
    base_fixed: &[&str],
    f: Node,
) -> Vec<String> {
    let name = f.tag_name().name();
    let value = f.attribute("value").unwrap_or("");
    if base_fixed.contains(&name)
        && fixed_value(&base.facets, name).as_deref() != Some(value.trim())
    {
        return vec![format!(
            "facet xs:{name} is fixed in the base type `{}` and cannot change",
            schema.type_label(base_id)
        )];
    }
    match name {
        "length" | "minLength" | "maxLength" | "totalDigits" | "fractionDigits" => {
            match value.trim().parse::<u64>() {
                Ok(n) => length_problems(name, n, &base.facets),
                Err(_) => Vec::new(),
            }
        }
        "minInclusive" | "maxInclusive" | "minExclusive" | "maxExclusive" => {
            bound_problems(schema, base, name, value)
        }
        "enumeration" => match st_value(schema, base, value, 0) {
            Ok(()) => Vec::new(),
            Err(m) => vec![format!(
                "enumeration value {value:?} is not a valid value of the base type: {m}"
            )],
        },
        "whiteSpace" => white_space_problem(base, value).into_iter().collect(),
        _ => Vec::new(),
    }
}

/// The base's value of facet `name`, as its text, for comparing with a fixed one.
fn fixed_value(base: &Facets, name: &str) -> Option<String> {
    match name {
        "length" => base.length.map(|n| n.to_string()),
        "minLength" => base.min_length.map(|n| n.to_string()),
        "maxLength" => base.max_length.map(|n| n.to_string()),
        "totalDigits" => base.total_digits.map(|n| n.to_string()),
        "fractionDigits" => base.fraction_digits.map(|n| n.to_string()),
        "minInclusive" => base.min_inclusive.clone(),
        "maxInclusive" => base.max_inclusive.clone(),
        "minExclusive" => base.min_exclusive.clone(),
        "maxExclusive" => base.max_exclusive.clone(),
        "whiteSpace" => base.white_space.map(|w| format!("{w:?}").to_lowercase()),
        _ => None,
    }
}

/// A length or digits facet `name` = `n` against the base's facets.
fn length_problems(name: &str, n: u64, base: &Facets) -> Vec<String> {
    let mut problems = Vec::new();
    let (b, narrower) = match name {
        "length" => (base.length, base.length.is_none_or(|b| n == b)),
        "minLength" => (base.min_length, base.min_length.is_none_or(|b| n >= b)),
        "maxLength" => (base.max_length, base.max_length.is_none_or(|b| n <= b)),
        "totalDigits" => (
            base.total_digits.map(u64::from),
            base.total_digits.is_none_or(|b| n <= u64::from(b)),
        ),
        _ => (
            base.fraction_digits.map(u64::from),
            base.fraction_digits.is_none_or(|b| n <= u64::from(b)),
        ),
    };
    if name == "totalDigits" && n == 0 {
        problems.push("totalDigits must be at least 1".into());
    } else if !narrower {
        problems.push(format!(
            "facet xs:{name}={n} widens the base type's {name}={}",
            b.unwrap_or(0)
        ));
    }
    if name == "length"
        && (base.min_length.is_some_and(|m| n < m) || base.max_length.is_some_and(|m| n > m))
    {
        problems.push(format!(
            "length {n} is outside the base type's minLength/maxLength"
        ));
    }
    if name == "minLength" && base.length.is_some_and(|l| n > l)
        || name == "maxLength" && base.length.is_some_and(|l| n < l)
    {
        problems.push(format!("{name} {n} contradicts the base type's length"));
    }
    problems
}

/// A bound facet `name` = `value`: a valid value of the base (ignoring the base's own bound of
/// the same kind) that does not widen that bound.
fn bound_problems(schema: &Schema, base: &SimpleType, name: &str, value: &str) -> Vec<String> {
    let mut lax = base.clone();
    match name {
        "minInclusive" => lax.facets.min_inclusive = None,
        "minExclusive" => lax.facets.min_exclusive = None,
        "maxInclusive" => lax.facets.max_inclusive = None,
        _ => lax.facets.max_exclusive = None,
    }
    // An exclusive bound may equal the base's inclusive one on its side... only for the same
    // kind; the comparisons below handle that.
    if let Err(m) = st_value(schema, &lax, value, 0) {
        return vec![format!(
            "{name}=\"{value}\" is not a valid value of the base type: {m}"
        )];
    }
    let own = match name {
        "minInclusive" => &base.facets.min_inclusive,
        "maxInclusive" => &base.facets.max_inclusive,
        "minExclusive" => &base.facets.min_exclusive,
        _ => &base.facets.max_exclusive,
    };
    if let Some(b) = own
        && let Some(o) = compare(base.primitive, value.trim(), b)
    {
        let widens = if name.starts_with("min") {
            o == Ordering::Less
        } else {
            o == Ordering::Greater
        };
        if widens {
            return vec![format!(
                "{name}={} widens the base type's {name}={b}",
                value.trim()
            )];
        }
    }
    Vec::new()
}

/// A whiteSpace facet `value` may only tighten the base's (and is `collapse` for every type
/// but strings).
fn white_space_problem(base: &SimpleType, value: &str) -> Option<String> {
    let rank = |w: &str| match w {
        "preserve" => 0,
        "replace" => 1,
        _ => 2,
    };
    let b = base.facets.white_space.map_or(0, |w| match w {
        WhiteSpace::Preserve => 0,
        WhiteSpace::Replace => 1,
        WhiteSpace::Collapse => 2,
    });
    let non_string = matches!(base.variety, Variety::List(_))
        || !matches!(base.primitive, Primitive::String | Primitive::AnySimple);
    (rank(value.trim()) < b || non_string && value.trim() != "collapse").then(|| {
        format!(
            "whiteSpace=\"{}\" loosens the base type's whitespace handling",
            value.trim()
        )
    })
}

/// The facets in force after a step (`d`, of primitive `p`) against each other; `seen` are
/// the step's own facets (not enumeration or pattern), `base` the base's.
fn consistency_problems(
    d: &Facets,
    p: Primitive,
    base: &Facets,
    seen: &HashMap<&str, Node>,
) -> Vec<String> {
    let mut problems: Vec<String> = Vec::new();
    // A minLength/maxLength that only repeats the base's value adds nothing.
    let new_bound = |name: &str, base_value: Option<u64>| {
        seen.get(name).is_some_and(|f| {
            f.attribute("value")
                .and_then(|v| v.trim().parse::<u64>().ok())
                != base_value
        })
    };
    if seen.contains_key("length")
        && (new_bound("minLength", base.min_length) || new_bound("maxLength", base.max_length))
    {
        problems.push("length cannot be combined with minLength or maxLength".into());
    }
    if let (Some(a), Some(b)) = (d.min_length, d.max_length)
        && a > b
    {
        problems.push(format!("minLength ({a}) is greater than maxLength ({b})"));
    }
    if let (Some(td), Some(fd)) = (d.total_digits, d.fraction_digits)
        && fd > td
    {
        problems.push(format!(
            "fractionDigits ({fd}) is greater than totalDigits ({td})"
        ));
    }
    if seen.contains_key("minInclusive") && seen.contains_key("minExclusive") {
        problems.push("minInclusive and minExclusive cannot both be given".into());
    }
    if seen.contains_key("maxInclusive") && seen.contains_key("maxExclusive") {
        problems.push("maxInclusive and maxExclusive cannot both be given".into());
    }
    use Ordering::*;
    let pairs: [BoundPair; 4] = [
        (
            &d.min_inclusive,
            &d.max_inclusive,
            &[Less, Equal],
            "minInclusive is greater than maxInclusive",
        ),
        (
            &d.min_exclusive,
            &d.max_exclusive,
            &[Less],
            "minExclusive must be less than maxExclusive",
        ),
        (
            &d.min_inclusive,
            &d.max_exclusive,
            &[Less],
            "minInclusive must be less than maxExclusive",
        ),
        (
            &d.min_exclusive,
            &d.max_inclusive,
            &[Less],
            "minExclusive must be less than maxInclusive",
        ),
    ];
    for (lo, hi, ok, msg) in pairs {
        if let (Some(lo), Some(hi)) = (lo, hi)
            && let Some(o) = compare(p, lo, hi)
            && !ok.contains(&o)
        {
            problems.push(format!("{msg} ({lo} vs {hi})"));
        }
    }
    problems
}
