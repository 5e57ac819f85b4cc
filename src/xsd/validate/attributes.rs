//! Attributes: each attribute of an element against its complex type's attribute uses, or its
//! `anyAttribute` (and the global declarations a wildcard leads to); `xsi:` attributes; values,
//! fixed values and the one `xs:ID` per element; required attributes that are missing.

use roxmltree::{Attribute, Node};

use super::context::Ctx;
use super::error::Reason;
use super::instance::{qname_of, resolver, same};
use super::prepare::Validator;
use super::wildcard::ns_allowed;
use crate::xsd::model::*;

impl<'s> Validator<'s> {
    /// Attributes of `node` against a complex type's uses and wildcard (`None`: simple type).
    pub(super) fn attributes<'a, 'i>(
        &self,
        node: Node<'a, 'i>,
        ct: Option<&ComplexType>,
        ctx: &mut Ctx<'a, 'i>,
    ) {
        if node.attributes().len() == 0
            && ct.is_none_or(|ct| !ct.attributes.iter().any(|u| u.required))
        {
            return;
        }
        let r = resolver(node);
        let mut id_attributes = 0;
        for (position, a) in node.attributes().enumerate() {
            let ns = a.namespace().unwrap_or("");
            if ns == XSI {
                match a.name() {
                    "type" | "nil" | "schemaLocation" | "noNamespaceSchemaLocation" => continue,
                    other => {
                        let name = other.to_string();
                        ctx.report(node, Some(a.name()), Reason::UnknownXsiAttribute { name });
                        continue;
                    }
                }
            }
            let use_ = ct.and_then(|ct| {
                ct.attributes
                    .iter()
                    .find(|u| same(&u.name.local, a.name()) && same(&u.name.ns, ns))
            });
            let decl = match use_ {
                Some(u) => Some(u),
                None => self.undeclared_attribute(node, ct, &a, ns, ctx),
            };
            let Some(decl) = decl else { continue };
            if self.c.has_identity {
                ctx.types.insert((node.id(), position as u32), decl.type_id);
            }
            if self.c.id_kind[decl.type_id.0 as usize] == 1 {
                id_attributes += 1;
                if id_attributes == 2 {
                    ctx.report(node, Some(a.name()), Reason::SecondId);
                }
            }
            self.attribute_value(node, &a, decl, &r, ctx);
        }
        if let Some(ct) = ct {
            for u in ct.attributes.iter().filter(|u| u.required) {
                let present = node
                    .attributes()
                    .any(|a| a.name() == u.name.local && a.namespace().unwrap_or("") == u.name.ns);
                if !present {
                    let attribute = u.name.clone();
                    ctx.report(node, None, Reason::MissingAttribute { attribute });
                }
            }
        }
    }

    /// The declaration an attribute without a use of its own is checked by: the global one its
    /// type's `anyAttribute` leads to, or none (skipped, lax without one, or refused).
    fn undeclared_attribute<'a, 'i>(
        &self,
        node: Node<'a, 'i>,
        ct: Option<&ComplexType>,
        a: &Attribute,
        ns: &str,
        ctx: &mut Ctx<'a, 'i>,
    ) -> Option<&'s AttributeUse> {
        match ct.and_then(|ct| ct.any_attribute.as_ref()) {
            Some(w) if ns_allowed(w, ns) => {
                let global =
                    QName::find(ns, a.name()).and_then(|q| self.schema.global_attributes.get(&q));
                match (w.process, global) {
                    (ProcessContents::Skip, _) => None,
                    (_, Some(g)) => Some(g),
                    (ProcessContents::Lax, None) => None,
                    (ProcessContents::Strict, None) => {
                        if ns != XML {
                            let attribute = QName::new(ns, a.name());
                            let reason = Reason::StrictAnyAttribute { attribute };
                            ctx.report(node, Some(a.name()), reason);
                        }
                        None
                    }
                }
            }
            _ => {
                let reason = Reason::AttributeNotAllowed {
                    attribute: QName::new(ns, a.name()),
                    element: qname_of(&node),
                };
                ctx.report(node, Some(a.name()), reason);
                None
            }
        }
    }

    /// The value of attribute `a` against its declaration, and its fixed value when it has one.
    fn attribute_value<'a, 'i>(
        &self,
        node: Node<'a, 'i>,
        a: &Attribute,
        decl: &AttributeUse,
        r: &dyn Fn(Option<&str>) -> Option<String>,
        ctx: &mut Ctx<'a, 'i>,
    ) {
        let Some(fixed) = &decl.fixed else {
            if let Err(e) = self.simple_check(decl.type_id, a.value(), r, node, ctx) {
                ctx.report(node, Some(a.name()), Reason::Value(e));
            }
            return;
        };
        match self.simple_value(decl.type_id, a.value(), r, Some(node), ctx) {
            Ok(v) => {
                let mut scratch = Ctx::new();
                let same = self
                    .simple_value(decl.type_id, fixed, r, None, &mut scratch)
                    .is_ok_and(|f| f.same(&v));
                if !same {
                    let reason = Reason::FixedAttribute {
                        attribute: a.name().to_string(),
                        fixed: fixed.clone(),
                    };
                    ctx.report(node, Some(a.name()), reason);
                }
            }
            Err(e) => ctx.report(node, Some(a.name()), Reason::Value(e)),
        }
    }
}
