//! Default and fixed values: each must be a valid value of its declaration's type (lexical
//! form, facets and bounds), an element's must fit its content, no xs:ID has one, and a
//! reference to an attribute declared with a fixed value cannot change it. The value checks
//! ([`st_value`]) also serve the facets pass, which holds facet values to their base type.

use std::cmp::Ordering;
use std::collections::HashMap;

use roxmltree::Node;

use super::checker::{Checker, is_xs, named_type, split_qname};
use super::names::builtin_name_ok;
use super::particles::{emptiable, too_deep};
use crate::xsd::facets::{self, ValueError};
use crate::xsd::model::*;
use crate::xsd::value::{self, Dec, Value};

/// Why a value written in a schema (a default or fixed value, a facet's value) is not a value
/// of its type. `text` is the value after whitespace normalization.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum SchemaValueError {
    /// Is raised when an element of type xs:ID has a default or fixed value.
    #[error("an element of type xs:ID cannot have one")]
    IdElement,
    /// Is raised when an element whose type has empty content has a default or fixed value.
    #[error("the type has empty content")]
    EmptyContent,
    /// Is raised when an element whose type has mixed content with required elements has a
    /// default or fixed value.
    #[error("the type's mixed content has required elements")]
    RequiredElements,
    /// Is raised when an element whose type has element-only content has a default or fixed
    /// value.
    #[error("the type has element-only content")]
    ElementOnly,
    /// Is raised when a union has no simple member type to try.
    #[error("not a value of any member type")]
    NoMember,
    /// Is raised when the text breaks the lexical rule of a name-like built-in (`builtin`).
    #[error("{text:?} is not a valid xs:{builtin}")]
    Name { text: String, builtin: String },
    /// Is raised when the text is not an xs:float or xs:double.
    #[error("{text:?} is not a valid floating-point number")]
    Float { text: String },
    /// Is raised when the text is not an xs:decimal.
    #[error("{text:?} is not a valid decimal number")]
    Decimal { text: String },
    /// Is raised when the text is not a value of the built-in or breaks a facet.
    #[error(transparent)]
    Facet(#[from] ValueError),
    /// Is raised when a float or date is below the `minInclusive` facet (`bound`).
    #[error("{text:?} must be at least {bound}")]
    MinInclusive { text: String, bound: String },
    /// Is raised when a float or date is not above the `minExclusive` facet.
    #[error("{text:?} must be more than {bound}")]
    MinExclusive { text: String, bound: String },
    /// Is raised when a float or date is above the `maxInclusive` facet.
    #[error("{text:?} must be at most {bound}")]
    MaxInclusive { text: String, bound: String },
    /// Is raised when a float or date is not below the `maxExclusive` facet.
    #[error("{text:?} must be less than {bound}")]
    MaxExclusive { text: String, bound: String },
}

impl Checker<'_, '_, '_> {
    /// Value constraints of element declarations.
    pub(super) fn element_values(&mut self, schema: &Schema) {
        for e in &schema.elements {
            let value = match (e.default_value(), e.fixed_value()) {
                (Some(v), _) | (None, Some(v)) => v,
                _ => continue,
            };
            let source = e.pos.file as usize;
            if !self.is_user_source(source) {
                continue;
            }
            if let Err(m) = element_value(schema, e.type_id, value) {
                self.report(
                    source,
                    e.pos.offset as usize,
                    format!(
                        "the default/fixed value {value:?} of element `{}` is not valid: {m}",
                        e.name.local
                    ),
                    Some("a value constraint must be a valid value of the element's type".into()),
                );
            }
        }
    }

    /// Value constraints of attribute declarations (global and local), and references that
    /// would change a global attribute's fixed value. `by_position` finds inline types.
    pub(super) fn attribute_values(
        &mut self,
        schema: &Schema,
        by_position: &HashMap<(u32, u32), TypeId>,
    ) {
        let docs = self.docs.clone();
        let mut global_attrs: HashMap<(&str, &str), Node> = HashMap::new();
        for g in &docs {
            for a in g
                .node
                .children()
                .filter(|c| is_xs(c) && c.tag_name().name() == "attribute")
            {
                if let Some(name) = a.attribute("name") {
                    global_attrs.entry((g.tns, name.trim())).or_insert(a);
                }
            }
        }
        for d in &docs {
            for node in d
                .node
                .descendants()
                .filter(|n| is_xs(n) && n.tag_name().name() == "attribute")
            {
                self.fixed_reference(d.source, node, &global_attrs);
                let Some(value) = node.attribute("default").or(node.attribute("fixed")) else {
                    continue;
                };
                let t = if node.has_attribute("type") {
                    named_type(schema, node, "type")
                } else if let Some(inline) = node
                    .children()
                    .find(|c| is_xs(c) && c.tag_name().name() == "simpleType")
                {
                    by_position
                        .get(&(d.source as u32, inline.range().start as u32))
                        .copied()
                } else {
                    None
                };
                let Some(t) = t else { continue };
                self.attribute_value(schema, d.source, node, t, value);
            }
        }
    }

    /// A reference (`node`) to a global attribute with a fixed value must not change it.
    fn fixed_reference(
        &mut self,
        source: usize,
        node: Node,
        global_attrs: &HashMap<(&str, &str), Node>,
    ) {
        let Some(raw) = node.attribute("ref").map(str::trim) else {
            return;
        };
        let (prefix, local) = split_qname(raw);
        let ns = node.lookup_namespace_uri(prefix).unwrap_or("");
        let global = global_attrs.get(&(ns, local)).copied();
        if let Some(gf) = global.and_then(|g| g.attribute("fixed")) {
            let clash = node.has_attribute("default")
                || node
                    .attribute("fixed")
                    .is_some_and(|f| f.trim() != gf.trim());
            if clash {
                self.report(
                    source,
                    node.range().start,
                    format!("attribute `{raw}` is declared with fixed value {gf:?}; a reference cannot change it"),
                    Some("drop the default/fixed here, or repeat the same fixed value".into()),
                );
            }
        }
    }

    /// The default or fixed `value` of the attribute declaration `node`, of type `t`.
    fn attribute_value(
        &mut self,
        schema: &Schema,
        source: usize,
        node: Node,
        t: TypeId,
        value: &str,
    ) {
        if is_id(schema, t) {
            self.report(
                source,
                node.range().start,
                "an attribute of type xs:ID cannot have a default or fixed value".into(),
                Some("ID values must be unique per document, so no value can be preset".into()),
            );
            return;
        }
        if let Err(m) = simple_value(schema, t, value) {
            self.report(
                source,
                node.range().start,
                format!(
                    "the default/fixed value {value:?} is not valid for the attribute's type: {m}"
                ),
                Some("a value constraint must be a valid value of the attribute's type".into()),
            );
        }
    }
}

/// The local name of a (built-in) type, empty for an anonymous one.
pub(super) fn builtin_name(schema: &Schema, t: TypeId) -> &str {
    schema.ty(t).name.as_ref().map_or("", |q| q.local.as_str())
}

/// Whether a simple type is (or derives from) xs:ID.
pub(super) fn is_id(schema: &Schema, t: TypeId) -> bool {
    match &schema.ty(t).kind {
        TypeKind::Simple(st) => {
            matches!(st.variety, Variety::Atomic) && builtin_name(schema, st.base_builtin) == "ID"
        }
        _ => false,
    }
}

/// A default or fixed value of an element of type `t`.
fn element_value(schema: &Schema, t: TypeId, value: &str) -> Result<(), SchemaValueError> {
    match &schema.ty(t).kind {
        TypeKind::Simple(_) => {
            if is_id(schema, t) {
                return Err(SchemaValueError::IdElement);
            }
            simple_value(schema, t, value)
        }
        TypeKind::Complex(ct) => match &ct.content {
            Content::Simple(st) => simple_value(schema, *st, value),
            Content::Empty => Err(SchemaValueError::EmptyContent),
            Content::Elements(p) if ct.mixed => {
                if too_deep(p) || emptiable(p) {
                    Ok(())
                } else {
                    Err(SchemaValueError::RequiredElements)
                }
            }
            Content::Elements(_) => Err(SchemaValueError::ElementOnly),
        },
    }
}

/// Whether `value` is a valid value of simple type `t` (lexical form and facets).
fn simple_value(schema: &Schema, t: TypeId, value: &str) -> Result<(), SchemaValueError> {
    match &schema.ty(t).kind {
        TypeKind::Simple(st) => st_value(schema, st, value, 0),
        TypeKind::Complex(_) => Ok(()),
    }
}

/// Whether `value` is a valid value of the simple type `st`, its items or members.
pub(super) fn st_value(
    schema: &Schema,
    st: &SimpleType,
    value: &str,
    depth: usize,
) -> Result<(), SchemaValueError> {
    if depth > 32 {
        return Ok(());
    }
    match &st.variety {
        Variety::List(item) => {
            for v in value.split_ascii_whitespace() {
                if let TypeKind::Simple(it) = &schema.ty(*item).kind {
                    st_value(schema, it, v, depth + 1)?;
                }
            }
            let joined = value.split_ascii_whitespace().collect::<Vec<_>>().join(" ");
            Ok(facets::check(schema, st, &joined)?)
        }
        Variety::Union(members) => {
            let mut last = SchemaValueError::NoMember;
            for m in members {
                if let TypeKind::Simple(ms) = &schema.ty(*m).kind {
                    match st_value(schema, ms, value, depth + 1) {
                        Ok(()) => {
                            let v = value.trim();
                            return Ok(facets::check(schema, st, v)?);
                        }
                        Err(e) => last = e,
                    }
                }
            }
            Err(last)
        }
        Variety::Atomic => {
            let lexical = lexical(schema, st, value)?;
            facets::check(schema, st, &lexical)?;
            bounds(st, &lexical)
        }
    }
}

/// The lexical form of `value` for an atomic type's built-in base, or why it is not one.
fn lexical(schema: &Schema, st: &SimpleType, value: &str) -> Result<String, SchemaValueError> {
    let ws = st.facets.white_space.or(facets::builtin_ws(schema, st));
    let v = value::normalize(value, ws).into_owned();
    let builtin = builtin_name(schema, st.base_builtin);
    if !builtin_name_ok(builtin, &v) {
        return Err(SchemaValueError::Name {
            text: v,
            builtin: builtin.to_string(),
        });
    }
    match st.primitive {
        Primitive::Float | Primitive::Double => {
            if double(&v).is_none() {
                return Err(SchemaValueError::Float { text: v });
            }
            return Ok(v);
        }
        Primitive::Decimal if Dec::parse(&v).is_none() => {
            return Err(SchemaValueError::Decimal { text: v });
        }
        _ => {}
    }
    facets::text_value(schema, st.base_builtin, &v)?;
    Ok(v)
}

/// A float or double as an `f64`: xs:double's lexical rule, used for both (a float's bounds
/// have always been compared here as doubles, not rounded to single precision).
fn double(s: &str) -> Option<f64> {
    match value::parse(Primitive::Double, "double", s, &|_| None) {
        Ok(Value::Float(f)) => Some(f),
        _ => None,
    }
}

/// Compares two values of a primitive type; `None` when they are not comparable here.
pub(super) fn compare(p: Primitive, a: &str, b: &str) -> Option<Ordering> {
    match p {
        Primitive::Decimal => Some(Dec::parse(a)?.cmp(&Dec::parse(b)?)),
        Primitive::Float | Primitive::Double => double(a)?.partial_cmp(&double(b)?),
        Primitive::DateTime
        | Primitive::Date
        | Primitive::Time
        | Primitive::GYear
        | Primitive::GYearMonth
        | Primitive::GMonthDay
        | Primitive::GDay
        | Primitive::GMonth => {
            // Only the easy case: same shape, no time zone on either side.
            let zoned = |s: &str| {
                s.ends_with('Z')
                    || s.len() > 6
                        && matches!(s.as_bytes()[s.len() - 6], b'+' | b'-')
                        && s.as_bytes()[s.len() - 3] == b':'
            };
            if zoned(a)
                || zoned(b)
                || a.starts_with('-') && !a.starts_with("--")
                || b.starts_with('-') && !b.starts_with("--")
            {
                return None;
            }
            let head = |s: &str| s.split('.').next().unwrap_or("").len();
            if head(a) != head(b) {
                return None;
            }
            let temporal = |s: &str| value::parse(p, "", s, &|_| None).ok();
            temporal(a)?.partial_cmp(&temporal(b)?)
        }
        _ => None,
    }
}

/// The bound facets of an atomic type, against a value (decimals are also checked by
/// [`facets::check`]; this covers floats and dates).
fn bounds(st: &SimpleType, v: &str) -> Result<(), SchemaValueError> {
    use Ordering::*;
    type Broken = fn(String, String) -> SchemaValueError;
    let f = &st.facets;
    let p = st.primitive;
    let checks: [(&Option<String>, &[Ordering], Broken); 4] = [
        (&f.min_inclusive, &[Greater, Equal], |text, bound| {
            SchemaValueError::MinInclusive { text, bound }
        }),
        (&f.min_exclusive, &[Greater], |text, bound| {
            SchemaValueError::MinExclusive { text, bound }
        }),
        (&f.max_inclusive, &[Less, Equal], |text, bound| {
            SchemaValueError::MaxInclusive { text, bound }
        }),
        (&f.max_exclusive, &[Less], |text, bound| {
            SchemaValueError::MaxExclusive { text, bound }
        }),
    ];
    for (bound, allowed, broken) in checks {
        if let Some(b) = bound
            && let Some(o) = compare(p, v, b)
            && !allowed.contains(&o)
        {
            return Err(broken(v.to_string(), b.clone()));
        }
    }
    Ok(())
}
