//! Complex content restrictions: each type deriving by restriction against its base, its
//! content model by particle restriction (see `particles`) and its attributes and attribute
//! wildcard (XML Schema 1.0 part 1, 3.4.6).

use std::collections::HashMap;

use roxmltree::Node;

use super::checker::Checker;
use super::finals::blocked_set;
use super::particles::{
    MAX_STEPS, RestrictionContext, block_bits, emptiable, normalize, ns_allowed, ns_subset,
    process_ok, restricts, too_deep, type_ok,
};
use crate::xsd::model::*;

impl Checker<'_, '_, '_> {
    /// Complex content restrictions: the content model and the attributes of each derived
    /// type against its base.
    pub(super) fn restrictions<'a, 'i>(
        &mut self,
        schema: &Schema,
        nodes: &HashMap<(usize, usize), Node<'a, 'i>>,
    ) {
        let cx = &RestrictionContext {
            schema,
            blocks: element_blocks(schema, nodes),
            steps: std::cell::Cell::new(0),
        };
        for t in &schema.types {
            let TypeKind::Complex(ct) = &t.kind else {
                continue;
            };
            if ct.derivation != Derivation::Restriction
                || t.name.as_ref().is_some_and(|q| q.ns == XS)
            {
                continue;
            }
            let source = t.pos.file as usize;
            if !self.is_user_source(source) {
                continue;
            }
            let Some(base_id) = t.base else { continue };
            let TypeKind::Complex(bt) = &schema.ty(base_id).kind else {
                continue;
            };
            // SOAP-encoded arrays restrict soapenc:Array with attributes (wsdl:arrayType) the
            // encoding schemas never declared; every SOAP toolkit accepts them.
            let encoding = schema
                .ty(base_id)
                .name
                .as_ref()
                .is_some_and(|q| q.ns == SOAP11_ENC || q.ns == SOAP12_ENC);
            if base_id == TypeId(0) || encoding {
                continue;
            }
            let deep = |c: &Content| matches!(c, Content::Elements(p) if too_deep(p));
            if deep(&ct.content) || deep(&bt.content) {
                continue;
            }
            let mut problems: Vec<String> = Vec::new();
            if ct.mixed && !bt.mixed {
                problems.push("a restriction cannot make element-only content mixed".into());
            }
            problems.extend(content_problems(cx, ct, bt, base_id));
            problems.extend(attribute_problems(schema, ct, bt, base_id));
            for p in problems {
                self.report(
                    source,
                    t.pos.offset as usize,
                    p,
                    Some("a complexContent restriction may only allow less than its base: read XML Schema 1.0 part 1, 3.9.6 (particles) and 3.4.6 (attributes)".into()),
                );
            }
        }
    }
}

/// The substitutions each element declaration blocks, as [`block_bits`], where any.
fn element_blocks(
    schema: &Schema,
    nodes: &HashMap<(usize, usize), Node>,
) -> HashMap<ElementId, u8> {
    schema
        .elements
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            let n = nodes.get(&(e.pos.file as usize, e.pos.offset as usize))?;
            let bits = block_bits(&blocked_set(*n, "block", "blockDefault"));
            (bits != 0).then_some((ElementId(i as u32), bits))
        })
        .collect()
}

/// The content model of the restriction `ct` against its base `bt` (type `base_id`).
fn content_problems(
    cx: &RestrictionContext,
    ct: &ComplexType,
    bt: &ComplexType,
    base_id: TypeId,
) -> Vec<String> {
    let schema = cx.schema;
    let mut problems = Vec::new();
    match (&ct.content, &bt.content) {
        (Content::Elements(r), Content::Elements(b)) => {
            let (r, b) = (normalize(r), normalize(b));
            match (r, b) {
                (Some(r), Some(b)) => {
                    cx.steps.set(MAX_STEPS);
                    if let Err(e) = restricts(cx, &r, &b, 0) {
                        problems.push(format!(
                            "the content model is not a restriction of `{}`'s: {e}",
                            schema.type_label(base_id)
                        ));
                    }
                }
                (Some(_), None) => problems.push(format!(
                    "`{}` has no content model; a restriction cannot add elements",
                    schema.type_label(base_id)
                )),
                (None, Some(b)) if !emptiable(&b) => problems.push(format!(
                    "the restriction has empty content but `{}` requires elements",
                    schema.type_label(base_id)
                )),
                _ => {}
            }
        }
        (Content::Empty, Content::Elements(b)) if normalize(b).is_some_and(|b| !emptiable(&b)) => {
            problems.push(format!(
                "the restriction has empty content but `{}` requires elements",
                schema.type_label(base_id)
            ));
        }
        (Content::Elements(r), Content::Empty) if normalize(r).is_some() => {
            problems.push(format!(
                "`{}` has empty content; a restriction cannot add elements",
                schema.type_label(base_id)
            ));
        }
        (Content::Elements(_), Content::Simple(_)) => {
            problems.push(format!(
                "`{}` has simple content; complexContent cannot restrict it",
                schema.type_label(base_id)
            ));
        }
        _ => {}
    }
    problems
}

/// The attributes and attribute wildcard of the restriction `ct` against its base `bt` (type
/// `base_id`): every use allowed by the base, required ones kept, fixed values kept, types
/// derived.
fn attribute_problems(
    schema: &Schema,
    ct: &ComplexType,
    bt: &ComplexType,
    base_id: TypeId,
) -> Vec<String> {
    let mut problems = Vec::new();
    for a in &ct.attributes {
        match bt.attributes.iter().find(|x| x.name == a.name) {
            Some(ba) => {
                if ba.required && !a.required {
                    problems.push(format!(
                        "attribute `{}` is required in the base and must stay required",
                        a.name.local
                    ));
                }
                if let Some(f) = &ba.fixed
                    && a.fixed.as_deref().map(str::trim) != Some(f.trim())
                {
                    problems.push(format!(
                        "attribute `{}` must keep the base's fixed value {f:?}",
                        a.name.local
                    ));
                }
                if !type_ok(schema, a.type_id, ba.type_id, 0) {
                    problems.push(format!(
                        "attribute `{}` has type `{}`, which does not derive from the base's `{}`",
                        a.name.local,
                        schema.type_label(a.type_id),
                        schema.type_label(ba.type_id)
                    ));
                }
            }
            None => {
                if !bt
                    .any_attribute
                    .as_ref()
                    .is_some_and(|w| ns_allowed(w, &a.name.ns))
                {
                    problems.push(format!(
                        "attribute `{}` is not allowed by the base type `{}`",
                        a.name.local,
                        schema.type_label(base_id)
                    ));
                }
            }
        }
    }
    for ba in bt.attributes.iter().filter(|x| x.required) {
        if !ct.attributes.iter().any(|a| a.name == ba.name) {
            problems.push(format!(
                "required attribute `{}` of the base cannot be removed",
                ba.name.local
            ));
        }
    }
    if let Some(w) = &ct.any_attribute {
        match &bt.any_attribute {
            None => problems
                .push("the base has no anyAttribute, so the restriction cannot have one".into()),
            Some(bw) => {
                if !ns_subset(w, bw) {
                    problems.push("the anyAttribute allows namespaces the base's does not".into());
                } else if !process_ok(w.process, bw.process) {
                    problems.push(
                        "the anyAttribute's processContents is weaker than the base's".into(),
                    );
                }
            }
        }
    }
    problems
}
