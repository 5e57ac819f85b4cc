//! Simple values: an element's text or an attribute's value against a simple type. Whitespace
//! as the type says, the built-in's lexical space, lists and unions, IDs and IDREFs, then the
//! facets, compared by value; the type's text-check plan first when the value is not needed.

use roxmltree::Node;

use super::context::Ctx;
use super::error::{Reason, SimpleError};
use super::facet_values::FacetValues;
use super::fast;
use super::instance::{resolver, text_of};
use super::prepare::Validator;
use crate::xsd::model::*;
use crate::xsd::value::{self, Value, normalize};

impl<'s> Validator<'s> {
    /// The text of a simple-typed element (or simple content), with its default or fixed value.
    pub(super) fn text_value<'a, 'i>(
        &self,
        node: Node<'a, 'i>,
        t: TypeId,
        constraint: Option<(&str, bool)>,
        ctx: &mut Ctx<'a, 'i>,
    ) {
        let text = text_of(node);
        let r = resolver(node);
        let empty = !node.children().any(|c| c.is_text());
        let (raw, is_default) = match constraint {
            Some((c, _)) if empty || text.is_empty() => (std::borrow::Cow::Borrowed(c), true),
            _ => (text, false),
        };
        if !matches!(constraint, Some((_, true))) {
            if let Err(e) = self.simple_check(t, &raw, &r, node, ctx) {
                ctx.report(node, None, Reason::Value(e));
            }
            return;
        }
        match self.simple_value(t, &raw, &r, Some(node), ctx) {
            Ok(v) => {
                if let Some((fixed, true)) = constraint
                    && !is_default
                {
                    let same = self
                        .simple_value(t, fixed, &r, None, &mut Ctx::new())
                        .is_ok_and(|f| f.same(&v));
                    if !same {
                        let reason = Reason::FixedValue {
                            fixed: fixed.to_string(),
                            found: raw.trim().to_string(),
                        };
                        ctx.report(node, None, reason);
                    }
                }
            }
            Err(e) => ctx.report(node, None, Reason::Value(e)),
        }
    }

    /// Like [`Validator::simple_value`] when the value itself is not needed: the type's
    /// [`fast::Plan`] first, the general path when it has none or finds the text invalid (so
    /// the message is the general path's).
    pub(super) fn simple_check<'a, 'i>(
        &self,
        t: TypeId,
        raw: &str,
        resolve: &dyn Fn(Option<&str>) -> Option<String>,
        at: Node<'a, 'i>,
        ctx: &mut Ctx<'a, 'i>,
    ) -> Result<(), SimpleError> {
        if self.text_ok(t, raw) {
            return Ok(());
        }
        self.simple_value(t, raw, resolve, Some(at), ctx)
            .map(|_| ())
    }

    /// Whether the type's plan shows `raw` valid (`false`: no plan, or not valid).
    #[inline]
    pub(super) fn text_ok(&self, t: TypeId, raw: &str) -> bool {
        match self.plan(t) {
            fast::Plan::Any => true,
            fast::Plan::Check {
                white_space,
                kind,
                patterns,
            } => {
                // Numbers, booleans and dates take no space at all: text their check accepts
                // as it is needs no whitespace normalization.
                let s = if kind.refuses_spaces() && kind.ok(raw) {
                    std::borrow::Cow::Borrowed(raw)
                } else {
                    let s = normalize(raw, *white_space);
                    if !kind.ok(&s) {
                        return false;
                    }
                    s
                };
                patterns
                    .iter()
                    .all(|step| step.iter().any(|p| p.is_match(&s)))
            }
            fast::Plan::General => false,
        }
    }

    /// Validates `raw` against simple type `t`; IDs and IDREFs are recorded when `at` is given.
    pub(super) fn simple_value<'a, 'i>(
        &self,
        t: TypeId,
        raw: &str,
        resolve: &dyn Fn(Option<&str>) -> Option<String>,
        at: Option<Node<'a, 'i>>,
        ctx: &mut Ctx<'a, 'i>,
    ) -> Result<Value, SimpleError> {
        let st = match &self.schema.ty(t).kind {
            TypeKind::Simple(st) => st,
            // anyType used as a simple type (an attribute of no declared type): anything.
            TypeKind::Complex(_) => return Ok(Value::Str(raw.to_string())),
        };
        if self.c.cyclic.get(t.0 as usize).copied().unwrap_or(false) {
            return Err(SimpleError::Cyclic {
                ty: self.schema.type_label(t),
            });
        }
        let (value, lexical) = match &st.variety {
            Variety::Atomic => {
                let s = normalize(raw, st.facets.white_space);
                if st.primitive == Primitive::AnySimple {
                    return Ok(Value::Str(s.into_owned()));
                }
                let v = value::parse(st.primitive, self.builtin_name(st), &s, resolve)?;
                (v, s)
            }
            Variety::List(item) => {
                let s = normalize(raw, Some(WhiteSpace::Collapse));
                let mut items = Vec::new();
                for part in s.split(' ').filter(|p| !p.is_empty()) {
                    items.push(
                        self.simple_value(*item, part, resolve, at, ctx)
                            .map_err(|e| SimpleError::ListItem(Box::new(e)))?,
                    );
                }
                (Value::List(items), s)
            }
            Variety::Union(members) => {
                let mut found = None;
                for &m in members {
                    match self.simple_value(m, raw, resolve, at, ctx) {
                        Ok(v) => {
                            found = Some(v);
                            break;
                        }
                        // A value of that member, but its ID was seen before.
                        Err(e @ SimpleError::DuplicateId { .. }) => return Err(e),
                        Err(_) => {}
                    }
                }
                let Some(v) = found else {
                    return Err(SimpleError::NoUnionMember {
                        text: raw.trim().to_string(),
                        union: self.schema.type_label(t),
                    });
                };
                (v, normalize(raw, Some(WhiteSpace::Collapse)))
            }
        };
        self.facets_ok(t, st, &lexical, &value)?;
        // IDs and IDREFs are recorded once the value is known valid: a union member that
        // turns out not to take it records nothing.
        if let (Some(node), Variety::Atomic) = (at, &st.variety) {
            match self.c.id_kind[t.0 as usize] {
                1 if !ctx.ids.insert(lexical.to_string()) => {
                    return Err(SimpleError::DuplicateId {
                        id: lexical.into_owned(),
                    });
                }
                2 => ctx.idrefs.push((lexical.into_owned(), node)),
                _ => {}
            }
        }
        Ok(value)
    }

    /// The facets of `t` (its simple type `st`) on a value: patterns on the lexical form, then
    /// lengths, enumeration, bounds and digits on the value.
    fn facets_ok(
        &self,
        t: TypeId,
        st: &SimpleType,
        lexical: &str,
        v: &Value,
    ) -> Result<(), SimpleError> {
        let f = &st.facets;
        for step in &f.regexes {
            if !step.iter().any(|(_, r)| r.is_match(lexical)) {
                let shown: Vec<&str> = step.iter().map(|(p, _)| p.as_str()).collect();
                return Err(SimpleError::Pattern {
                    lexical: lexical.to_string(),
                    patterns: shown.join(" | "),
                });
            }
        }
        if f.length.is_some() || f.min_length.is_some() || f.max_length.is_some() {
            length_ok(f, lexical, v)?;
        }
        if let Some(fv) = &self.c.facets[t.0 as usize] {
            if !f.enumeration.is_empty() {
                let ok = match v {
                    Value::QName(..) => f.enumeration.iter().any(|e| e.trim() == lexical),
                    _ => fv.enumeration.iter().any(|e| e.same(v)),
                };
                if !ok {
                    let shown: Vec<&str> =
                        f.enumeration.iter().take(20).map(String::as_str).collect();
                    let mut values = shown.join(", ");
                    if f.enumeration.len() > 20 {
                        values.push_str(", ...");
                    }
                    return Err(SimpleError::Enumeration {
                        lexical: lexical.to_string(),
                        values,
                    });
                }
            }
            bounds_ok(f, fv, lexical, v)?;
        }
        if let Value::Decimal(d) = v {
            if let Some(n) = f.total_digits.filter(|&n| d.digits() as u64 > n as u64) {
                return Err(SimpleError::TotalDigits {
                    lexical: lexical.to_string(),
                    max: n,
                });
            }
            if let Some(n) = f
                .fraction_digits
                .filter(|&n| d.frac.len() as u64 > n as u64)
            {
                return Err(SimpleError::FractionDigits {
                    lexical: lexical.to_string(),
                    max: n,
                });
            }
        }
        Ok(())
    }
}

/// The length facets on a list (items), a binary (bytes) or a string (characters).
fn length_ok(f: &Facets, lexical: &str, v: &Value) -> Result<(), SimpleError> {
    let found = match v {
        Value::List(items) => items.len() as u64,
        Value::Binary(b) => b.len() as u64,
        Value::Str(s) => s.chars().count() as u64,
        _ => return Ok(()),
    };
    let lexical = || lexical.to_string();
    if let Some(length) = f.length.filter(|&n| n != found) {
        let lexical = lexical();
        return Err(SimpleError::Length {
            lexical,
            length,
            found,
        });
    }
    if let Some(min) = f.min_length.filter(|&n| found < n) {
        let lexical = lexical();
        return Err(SimpleError::MinLength {
            lexical,
            min,
            found,
        });
    }
    if let Some(max) = f.max_length.filter(|&n| found > n) {
        let lexical = lexical();
        return Err(SimpleError::MaxLength {
            lexical,
            max,
            found,
        });
    }
    Ok(())
}

/// The range facets, compared by value (a bound the value is incomparable with is broken).
fn bounds_ok(f: &Facets, fv: &FacetValues, lexical: &str, v: &Value) -> Result<(), SimpleError> {
    use std::cmp::Ordering::{self, *};
    type Broken = fn(String, String) -> SimpleError;
    let check = |b: &Option<Value>, ok: &[Ordering], broken: Broken, raw: &Option<String>| match b {
        Some(b) if !v.partial_cmp(b).is_some_and(|o| ok.contains(&o)) => Err(broken(
            lexical.to_string(),
            raw.as_deref().unwrap_or("").to_string(),
        )),
        _ => Ok(()),
    };
    check(
        &fv.min_inclusive,
        &[Greater, Equal],
        |lexical, bound| SimpleError::MinInclusive { lexical, bound },
        &f.min_inclusive,
    )?;
    check(
        &fv.max_inclusive,
        &[Less, Equal],
        |lexical, bound| SimpleError::MaxInclusive { lexical, bound },
        &f.max_inclusive,
    )?;
    check(
        &fv.min_exclusive,
        &[Greater],
        |lexical, bound| SimpleError::MinExclusive { lexical, bound },
        &f.min_exclusive,
    )?;
    check(
        &fv.max_exclusive,
        &[Less],
        |lexical, bound| SimpleError::MaxExclusive { lexical, bound },
        &f.max_exclusive,
    )
}
