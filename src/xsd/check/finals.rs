//! `final` and `block`: derivations and substitutions the schema forbids. A type cannot derive
//! from a type whose `final` (or the schema's `finalDefault`) names the method, and a member of
//! a substitution group must have a type that derives from its head's, by methods the head's
//! `final` allows. [`blocked_set`] reads these attributes for the other passes too.

use std::collections::HashMap;

use roxmltree::Node;

use super::checker::{Checker, is_xs};
use super::particles::type_ok;
use crate::xsd::model::*;

/// A problem found: (source, offset, message).
type Found = (usize, usize, String);

/// The derivation methods a `final`/`block` value (or its schema-wide default) names.
pub(super) fn blocked_set(node: Node, attr: &str, default_attr: &str) -> Vec<String> {
    let value = node.attribute(attr).or_else(|| {
        node.ancestors()
            .find(|a| is_xs(a) && a.tag_name().name() == "schema")
            .and_then(|s| s.attribute(default_attr))
    });
    match value.map(str::trim) {
        Some("#all") => ["extension", "restriction", "substitution", "list", "union"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        Some(v) => v.split_ascii_whitespace().map(str::to_string).collect(),
        None => Vec::new(),
    }
}

impl<'a, 'i> Checker<'_, 'a, 'i> {
    /// Derivations from types whose `final` forbids them; substitution group members whose
    /// head's `final` forbids their type's derivation.
    pub(super) fn finals(
        &mut self,
        schema: &Schema,
        nodes: &HashMap<(usize, usize), Node<'a, 'i>>,
    ) {
        let user = |s: usize| self.is_user_source(s);
        let mut problems = derivation_finals(schema, nodes, &user);
        problems.extend(substitution_finals(schema, nodes, &user));
        for (source, offset, m) in problems {
            self.report(
                source,
                offset,
                m,
                Some("remove the derivation or relax the base's `final` (or the schema's finalDefault)".into()),
            );
        }
    }
}

/// Types deriving from a type whose `final` forbids the method; `user` tells the sources to
/// check.
fn derivation_finals(
    schema: &Schema,
    nodes: &HashMap<(usize, usize), Node>,
    user: &dyn Fn(usize) -> bool,
) -> Vec<Found> {
    let node_of = |t: &Type| {
        nodes
            .get(&(t.pos.file as usize, t.pos.offset as usize))
            .copied()
    };
    let mut problems: Vec<Found> = Vec::new();
    for t in &schema.types {
        if t.name.as_ref().is_some_and(|q| q.ns == XS) {
            continue;
        }
        let Some(base) = t.base else { continue };
        let at = (t.pos.file as usize, t.pos.offset as usize);
        if !user(at.0) {
            continue;
        }
        let mut check = |from: TypeId, method: &str| {
            let ft = schema.ty(from);
            if ft.name.as_ref().is_some_and(|q| q.ns == XS) {
                return;
            }
            let Some(n) = node_of(ft) else { return };
            if n.tag_name().name() != "simpleType" && n.tag_name().name() != "complexType" {
                return;
            }
            if blocked_set(n, "final", "finalDefault")
                .iter()
                .any(|m| m == method)
            {
                problems.push((
                    at.0,
                    at.1,
                    format!(
                        "`{}` forbids derivation by {method} (final)",
                        schema.type_label(from)
                    ),
                ));
            }
        };
        match &t.kind {
            TypeKind::Complex(ct) => match ct.derivation {
                Derivation::Extension => check(base, "extension"),
                Derivation::Restriction => check(base, "restriction"),
                Derivation::None => {}
            },
            TypeKind::Simple(st) => match &st.variety {
                Variety::Atomic => check(base, "restriction"),
                Variety::List(item) => {
                    if matches!(
                        node_of(t).map(|n| n
                            .children()
                            .filter(is_xs)
                            .any(|c| c.tag_name().name() == "list")),
                        Some(true)
                    ) {
                        check(*item, "list");
                    } else {
                        check(base, "restriction");
                    }
                }
                Variety::Union(members) => {
                    if matches!(
                        node_of(t).map(|n| n
                            .children()
                            .filter(is_xs)
                            .any(|c| c.tag_name().name() == "union")),
                        Some(true)
                    ) {
                        for m in members {
                            check(*m, "union");
                        }
                    } else {
                        check(base, "restriction");
                    }
                }
            },
        }
    }
    problems
}

/// Substitution group members whose type does not derive from their head's, or derives by a
/// method the head's `final` forbids; `user` tells the sources to check.
fn substitution_finals(
    schema: &Schema,
    nodes: &HashMap<(usize, usize), Node>,
    user: &dyn Fn(usize) -> bool,
) -> Vec<Found> {
    let mut problems: Vec<Found> = Vec::new();
    for e in &schema.elements {
        let Some(head) = e.substitution_group else {
            continue;
        };
        let h = schema.element(head);
        let at = (e.pos.file as usize, e.pos.offset as usize);
        if !user(at.0) {
            continue;
        }
        if e.type_id == h.type_id || h.type_id == TypeId(0) {
            continue;
        }
        if !type_ok(schema, e.type_id, h.type_id, 0) {
            problems.push((at.0, at.1, format!(
                "element `{}` has type `{}`, which does not derive from the type `{}` of its substitution group head `{}`",
                e.name.local, schema.type_label(e.type_id), schema.type_label(h.type_id), h.name.local
            )));
            continue;
        }
        let Some(hn) = nodes.get(&(h.pos.file as usize, h.pos.offset as usize)) else {
            continue;
        };
        let finals = blocked_set(*hn, "final", "finalDefault");
        let mut cur = e.type_id;
        let mut steps = 0;
        while cur != h.type_id && steps < 64 {
            steps += 1;
            let ty = schema.ty(cur);
            let method = match &ty.kind {
                TypeKind::Complex(ct) if ct.derivation == Derivation::Extension => "extension",
                _ => "restriction",
            };
            if finals.iter().any(|m| m == method) {
                problems.push((at.0, at.1, format!(
                    "substitution group head `{}` forbids members whose type derives by {method} (final)",
                    h.name.local
                )));
                break;
            }
            let Some(b) = ty.base else { break };
            cur = b;
        }
    }
    problems
}
