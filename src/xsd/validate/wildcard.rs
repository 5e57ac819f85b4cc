//! Wildcards: the namespaces an `any` admits, and a child it matched assessed as its
//! processContents says (skip, lax: where declarations exist, strict: a global declaration or
//! an `xsi:type` must exist).

use roxmltree::Node;

use super::context::{Ctx, MAX_DEPTH};
use super::error::Reason;
use super::instance::{qname_of, resolver};
use super::prepare::Validator;
use crate::xsd::model::*;

/// Whether a wildcard admits a namespace (`""` = no namespace).
pub(super) fn ns_allowed(w: &Wildcard, ns: &str) -> bool {
    match &w.namespaces {
        NamespaceConstraint::Any => true,
        NamespaceConstraint::Not(tns) => !ns.is_empty() && ns != tns,
        NamespaceConstraint::List(l) => l.iter().any(|n| n == ns),
    }
}

impl<'s> Validator<'s> {
    /// A child matched by wildcard `w`, assessed as its processContents says.
    pub(super) fn wildcard_child<'a, 'i>(
        &self,
        c: Node<'a, 'i>,
        w: &Wildcard,
        depth: usize,
        ctx: &mut Ctx<'a, 'i>,
    ) {
        if w.process == ProcessContents::Skip {
            return;
        }
        if depth > MAX_DEPTH {
            ctx.report(c, None, Reason::TooDeep { limit: MAX_DEPTH });
            return;
        }
        let q = qname_of(&c);
        if let Some(&e) = self.schema.global_elements.get(&q) {
            self.element(c, e, depth, ctx);
        } else if c.attribute((XSI, "type")).is_some() {
            self.by_xsi_type_only(c, depth, ctx, w.process == ProcessContents::Strict);
        } else if w.process == ProcessContents::Strict {
            ctx.report(c, None, Reason::StrictWildcard { element: q });
        } else {
            self.lax_children(c, depth, ctx);
        }
    }

    /// Lax assessment of an undeclared element: its attributes and children are checked where
    /// declarations exist.
    pub(super) fn lax_children<'a, 'i>(
        &self,
        node: Node<'a, 'i>,
        depth: usize,
        ctx: &mut Ctx<'a, 'i>,
    ) {
        let lax = Wildcard {
            namespaces: NamespaceConstraint::Any,
            process: ProcessContents::Lax,
        };
        let r = resolver(node);
        for a in node.attributes() {
            let q = QName::find(a.namespace().unwrap_or(""), a.name());
            if let Some(g) = q.and_then(|q| self.schema.global_attributes.get(&q))
                && let Err(e) = self.simple_value(g.type_id, a.value(), &r, Some(node), ctx)
            {
                ctx.report(node, Some(a.name()), Reason::Value(e));
            }
        }
        for c in node.children().filter(|c| c.is_element()) {
            self.wildcard_child(c, &lax, depth + 1, ctx);
        }
    }
}
