//! Attributes of a complex type: attribute uses (local or by reference), attribute group
//! references and attribute wildcards, merged as extension and restriction require.

use roxmltree::Node;

use super::{Compiler, ComponentKind, is_xs, xs_children};
use crate::xsd::model::*;

impl<'a, 'i> Compiler<'a, 'i> {
    /// Attribute uses, attribute group refs and anyAttribute under `node`, merged into `ct`.
    /// In a restriction a use overrides the inherited one and `use="prohibited"` removes it (an
    /// extension cannot remove what it inherits).
    pub(super) fn attributes(
        &mut self,
        doc: usize,
        node: Node<'a, 'i>,
        ct: &mut ComplexType,
        restriction: bool,
    ) {
        let outer = std::mem::take(&mut self.merged_attributes);
        self.merge_attributes(doc, node, ct, restriction);
        self.merged_attributes = outer;
    }

    /// [`Compiler::attributes`] of `node`, also inside the attribute groups it refers to.
    fn merge_attributes(
        &mut self,
        doc: usize,
        node: Node<'a, 'i>,
        ct: &mut ComplexType,
        restriction: bool,
    ) {
        for c in xs_children(node) {
            if !self.expand(doc, c) {
                return;
            }
            match c.tag_name().name() {
                "attribute" => self.attribute(doc, c, ct, restriction),
                "attributeGroup" => self.attribute_group_ref(doc, c, ct, restriction),
                "anyAttribute" => {
                    let w = self.wildcard(doc, c);
                    ct.any_attribute = Some(Box::new(match ct.any_attribute.take() {
                        Some(prev) => w.intersect(&prev),
                        None => w,
                    }));
                }
                _ => {}
            }
        }
    }

    /// An attribute use `c` merged into `ct`: added, replacing the inherited one in a
    /// restriction, or removed by `use="prohibited"`.
    fn attribute(&mut self, doc: usize, c: Node<'a, 'i>, ct: &mut ComplexType, restriction: bool) {
        if self.merged_attributes.contains(&(doc, c.id())) {
            // The same declaration, reached through a second attribute group reference.
            return;
        }
        self.merged_attributes.push((doc, c.id()));
        let prohibited = c.attribute("use") == Some("prohibited");
        let Some(a) = self.attribute_use(doc, c) else {
            return;
        };
        let existing = ct.attributes.iter().position(|x| x.name == a.name);
        match (existing, prohibited) {
            (Some(i), true) if restriction => {
                ct.attributes.remove(i);
            }
            (_, true) => {}
            (Some(i), false) if restriction => ct.attributes[i] = a,
            (Some(_), false) => {
                self.diag(
                    doc,
                    c,
                    format!("attribute `{}` is declared twice", a.name.local),
                );
            }
            (None, false) => ct.attributes.push(a),
        }
    }

    /// An attribute group reference `c`: the attributes of the group it names (in a
    /// redefinition, the original) merged into `ct`, refusing groups that refer to themselves
    /// and chains of references past the nesting bound.
    fn attribute_group_ref(
        &mut self,
        doc: usize,
        c: Node<'a, 'i>,
        ct: &mut ComplexType,
        restriction: bool,
    ) {
        let Some(q) = self.qname_attr(doc, c, "ref") else {
            return;
        };
        let decl = self.declaration(ComponentKind::AttributeGroup, &q);
        let Some(decl) = decl else {
            let hint = self.missing_hint(&q, "attributeGroup");
            self.unresolved(
                doc,
                c,
                format!(
                    "unknown attributeGroup `{}`",
                    c.attribute("ref").unwrap_or("")
                ),
            )
            .hint = Some(hint);
            return;
        };
        let decl = self.redefined(doc, c, &q, "attributeGroup", decl);
        let key = (decl.doc, decl.node.id());
        if self.group_stack.contains(&key) {
            self.diag(
                doc,
                c,
                format!("attributeGroup `{}` refers to itself", q.local),
            );
            return;
        }
        if self.group_stack.len() >= crate::sources::MAX_DEPTH {
            self.diag(
                doc,
                c,
                format!(
                    "attribute group references nest more than {} levels deep",
                    crate::sources::MAX_DEPTH
                ),
            );
            return;
        }
        self.group_stack.push(key);
        self.merge_attributes(decl.doc, decl.node, ct, restriction);
        self.group_stack.pop();
    }

    pub(super) fn attribute_use(&mut self, doc: usize, node: Node<'a, 'i>) -> Option<AttributeUse> {
        let required = node.attribute("use") == Some("required");
        let (name, decl_doc, decl) = if node.has_attribute("ref") {
            let q = self.qname_attr(doc, node, "ref")?;
            let d = self.declaration(ComponentKind::Attribute, &q);
            let Some(d) = d else {
                let hint = self.missing_hint(&q, "attribute");
                self.unresolved(
                    doc,
                    node,
                    format!(
                        "unknown attribute `{}`",
                        node.attribute("ref").unwrap_or("")
                    ),
                )
                .hint = Some(hint);
                return None;
            };
            (q, d.doc, d.node)
        } else {
            let Some(local) = node.attribute("name") else {
                self.diag(doc, node, "xs:attribute needs a name or a ref");
                return None;
            };
            let d = self.docs[doc];
            let qualified = match node.attribute("form") {
                Some("qualified") => true,
                Some("unqualified") => false,
                _ => d.attributes_qualified,
            };
            (
                QName::new(if qualified { d.tns } else { "" }, local),
                doc,
                node,
            )
        };
        let type_id = if decl.has_attribute("type") {
            self.type_ref(decl_doc, decl, "type")
        } else if let Some(inline) = xs_children(decl).find(|c| is_xs(c, "simpleType")) {
            self.anonymous_type(decl_doc, inline)
        } else {
            self.any_simple()
        };
        if !self.is_simple(type_id) && !self.compiling.contains(&type_id) {
            self.diag(
                decl_doc,
                decl,
                format!(
                    "attribute `{}` has complex type `{}`",
                    name.local,
                    self.schema.type_label(type_id)
                ),
            )
            .hint = Some("attributes must have simple types".into());
        }
        let default = node
            .attribute("default")
            .or(decl.attribute("default"))
            .map(str::to_string);
        let fixed = node
            .attribute("fixed")
            .or(decl.attribute("fixed"))
            .map(str::to_string);
        Some(AttributeUse {
            name,
            type_id,
            required,
            default,
            fixed,
        })
    }
}
