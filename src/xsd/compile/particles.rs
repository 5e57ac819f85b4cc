//! Content models: particles (elements, model groups, group references, wildcards), their
//! occurrence bounds, and the bound on how far group references may expand.

use roxmltree::Node;

use super::{Compiler, ComponentKind, MAX_EXPANSION, MAX_PARTICLE_DEPTH, xs_children};
use crate::xsd::model::*;

impl<'a, 'i> Compiler<'a, 'i> {
    /// The particle a complexType or derivation holds directly (sequence/choice/all/group).
    pub(super) fn content_particle(&mut self, doc: usize, node: Node<'a, 'i>) -> Option<Particle> {
        let c = xs_children(node)
            .find(|c| matches!(c.tag_name().name(), "sequence" | "choice" | "all" | "group"))?;
        self.particle(doc, c)
    }

    fn occurs(&mut self, doc: usize, node: Node<'a, 'i>) -> (u32, MaxOccurs) {
        let min = match node.attribute("minOccurs").map(str::trim) {
            None => 1,
            Some(v) => count(v).unwrap_or_else(|| {
                self.diag(
                    doc,
                    node,
                    format!("minOccurs must be a non-negative integer, found `{v}`"),
                );
                1
            }),
        };
        let max = match node.attribute("maxOccurs").map(str::trim) {
            None => MaxOccurs::Bounded(1),
            Some("unbounded") => MaxOccurs::Unbounded,
            Some(v) => {
                match count(v) {
                    Some(n) => MaxOccurs::Bounded(n),
                    None => {
                        self.diag(doc, node, format!("maxOccurs must be a non-negative integer or `unbounded`, found `{v}`"));
                        MaxOccurs::Bounded(1)
                    }
                }
            }
        };
        if let MaxOccurs::Bounded(m) = max
            && m < min
        {
            self.diag(
                doc,
                node,
                format!("maxOccurs ({m}) is less than minOccurs ({min})"),
            );
        }
        (min, max)
    }

    /// Counts one more particle or attribute use; false (reported once) past the bound.
    pub(super) fn expand(&mut self, doc: usize, node: Node<'a, 'i>) -> bool {
        self.expanded += 1;
        if self.expanded <= MAX_EXPANSION {
            return true;
        }
        if !self.expansion_reported {
            self.expansion_reported = true;
            self.diag(doc, node, format!("group references expand to more than {MAX_EXPANSION} particles and attributes"))
                .hint = Some("groups referring to other groups several times, level after level, grow exponentially; no real schema does this".into());
        }
        false
    }

    /// A particle: an element, a model group, a group reference or a wildcard; model groups
    /// nested past [`MAX_PARTICLE_DEPTH`] are left out (reported once).
    pub(super) fn particle(&mut self, doc: usize, node: Node<'a, 'i>) -> Option<Particle> {
        if !self.expand(doc, node) {
            return None;
        }
        let group = matches!(
            node.tag_name().name(),
            "sequence" | "choice" | "all" | "group"
        );
        if !group {
            return self.particle_in(doc, node);
        }
        if self.particle_depth >= MAX_PARTICLE_DEPTH {
            if !self.nesting_reported {
                self.nesting_reported = true;
                self.diag(doc, node, format!("content models nest more than {MAX_PARTICLE_DEPTH} levels deep (counting the groups they refer to)"))
                    .hint = Some("no real schema does this; check for a generated or hostile file".into());
            }
            return None;
        }
        self.particle_depth += 1;
        let p = self.particle_in(doc, node);
        self.particle_depth -= 1;
        p
    }

    fn particle_in(&mut self, doc: usize, node: Node<'a, 'i>) -> Option<Particle> {
        let (min, max) = self.occurs(doc, node);
        let term = match node.tag_name().name() {
            "element" => Term::Element(self.element_particle(doc, node)?),
            "sequence" | "choice" | "all" => {
                let children: Vec<Particle> = xs_children(node)
                    .filter_map(|c| self.particle(doc, c))
                    .collect();
                match node.tag_name().name() {
                    "sequence" => Term::Sequence(children),
                    "choice" => Term::Choice(children),
                    _ => Term::All(children),
                }
            }
            "group" => return self.group_ref(doc, node, min, max),
            "any" => Term::Any(Box::new(self.wildcard(doc, node))),
            other => {
                self.diag(
                    doc,
                    node,
                    format!("unexpected xs:{other} in a content model"),
                );
                return None;
            }
        };
        Some(Particle { min, max, term })
    }

    /// A group reference (`node`) with the reference's occurrence bounds: a copy of the model
    /// group it names (in a redefinition, the original), refusing groups that refer to
    /// themselves and chains of references past the nesting bound.
    fn group_ref(
        &mut self,
        doc: usize,
        node: Node<'a, 'i>,
        min: u32,
        max: MaxOccurs,
    ) -> Option<Particle> {
        let q = self.qname_attr(doc, node, "ref")?;
        let decl = self.declaration(ComponentKind::Group, &q);
        let Some(decl) = decl else {
            let hint = self.missing_hint(&q, "group");
            self.unresolved(
                doc,
                node,
                format!("unknown group `{}`", node.attribute("ref").unwrap_or("")),
            )
            .hint = Some(hint);
            return None;
        };
        let decl = self.redefined(doc, node, &q, "group", decl);
        let key = (decl.doc, decl.node.id());
        if self.group_stack.contains(&key) {
            self.diag(doc, node, format!("group `{}` refers to itself", q.local));
            return None;
        }
        if self.group_stack.len() >= crate::sources::MAX_DEPTH {
            self.diag(
                doc,
                node,
                format!(
                    "group references nest more than {} levels deep",
                    crate::sources::MAX_DEPTH
                ),
            );
            return None;
        }
        self.group_stack.push(key);
        let inner = xs_children(decl.node)
            .find(|c| matches!(c.tag_name().name(), "sequence" | "choice" | "all"));
        let p = inner.and_then(|c| self.particle(decl.doc, c));
        self.group_stack.pop();
        let mut p = p?;
        // The group's own model group has no occurrence attributes; the ref's apply.
        p.min = min;
        p.max = max;
        Some(p)
    }

    pub(super) fn wildcard(&mut self, doc: usize, node: Node<'a, 'i>) -> Wildcard {
        let tns = self.docs[doc].tns;
        let namespaces = match node.attribute("namespace").map(str::trim) {
            None | Some("##any") => NamespaceConstraint::Any,
            Some("##other") => NamespaceConstraint::Not(tns.to_string()),
            Some(list) => NamespaceConstraint::List(
                list.split_whitespace()
                    .map(|n| match n {
                        "##targetNamespace" => tns.to_string(),
                        "##local" => String::new(),
                        other => other.to_string(),
                    })
                    .collect(),
            ),
        };
        let process = match node.attribute("processContents") {
            Some("lax") => ProcessContents::Lax,
            Some("skip") => ProcessContents::Skip,
            _ => ProcessContents::Strict,
        };
        Wildcard {
            namespaces,
            process,
        }
    }
}

/// An occurrence bound: a non-negative integer, saturated at `u32::MAX` (schemas write
/// 79228162514244337593543950335 and mean "many").
fn count(v: &str) -> Option<u32> {
    let digits = v.strip_prefix('+').unwrap_or(v);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(digits.parse::<u32>().unwrap_or(u32::MAX))
}
