//! `xs:redefine`: redefinitions replace the definitions of the same name in the index and
//! remember them (a self-reference, or a type's base of its own name, means the original);
//! redefined groups without a self-reference become witness types that the restriction checks
//! compare.

use roxmltree::Node;

use super::types::placeholder_complex;
use super::{Compiler, Decl, is_xs, xs_children};
use crate::xsd::model::*;

impl<'a, 'i> Compiler<'a, 'i> {
    /// `<xs:redefine>`: its type, group and attribute group definitions replace the ones of the
    /// same name that the redefined schema (just added) put in the index; each remembers the
    /// definition it replaces, which its self-reference means. A redefinition of a redefinition
    /// replaces the previous one the same way.
    pub(super) fn redefine(&mut self, doc: usize, redefine: Node<'a, 'i>) {
        let tns = self.docs[doc].tns;
        let location = redefine.attribute("schemaLocation").unwrap_or("").trim();
        for c in xs_children(redefine) {
            let kind = c.tag_name().name();
            if !matches!(
                kind,
                "simpleType" | "complexType" | "group" | "attributeGroup"
            ) {
                self.diag(doc, c, format!("xs:{kind} cannot be redefined"))
                    .hint = Some("xs:redefine holds only simpleType, complexType, group and attributeGroup definitions".into());
                continue;
            }
            let Some(local) = c.attribute("name").map(str::trim) else {
                self.diag(doc, c, format!("xs:{kind} in xs:redefine without a name"));
                continue;
            };
            let q = QName::new(tns, local);
            let old = match kind {
                "group" => self.index.groups.get(&q),
                "attributeGroup" => self.index.attribute_groups.get(&q),
                _ => self.index.types.get(&q),
            }
            .copied();
            let Some(old) = old else {
                self.diag(doc, c, format!("xs:redefine redefines {kind} `{local}`, which `{location}` does not define"))
                    .hint = Some("a redefinition replaces a definition of the same kind and name in the redefined schema".into());
                continue;
            };
            if old.node.tag_name().name() != kind {
                self.diag(
                    doc,
                    c,
                    format!(
                        "`{local}` is redefined as an xs:{kind}, but `{location}` defines an xs:{}",
                        old.node.tag_name().name()
                    ),
                )
                .hint = Some("a simple type can only be redefined by a simple type, a complex type by a complex type".into());
                continue;
            }
            if old.doc == doc && old.node.parent() == Some(redefine) {
                self.diag(
                    doc,
                    c,
                    format!("{kind} `{local}` is redefined twice in one xs:redefine"),
                );
                continue;
            }
            if matches!(kind, "group" | "attributeGroup")
                && self.check_self_references(doc, c, &q, kind) == 0
            {
                self.restricting.push((doc, c));
            }
            self.originals.insert((doc, c.id()), old);
            let decl = Decl { doc, node: c };
            match kind {
                "group" => self.index.groups.insert(q, decl),
                "attributeGroup" => self.index.attribute_groups.insert(q, decl),
                _ => self.index.types.insert(q, decl),
            };
        }
    }

    /// A redefined group or attribute group may refer to itself (the definition it replaces)
    /// once; a group's self-reference must occur exactly once (minOccurs = maxOccurs = 1).
    /// Returns how many self-references there are.
    fn check_self_references(
        &mut self,
        doc: usize,
        def: Node<'a, 'i>,
        q: &QName,
        kind: &str,
    ) -> usize {
        let refs: Vec<Node<'a, 'i>> = def
            .descendants()
            .filter(|n| {
                is_xs(n, kind)
                    && n.attribute("ref")
                        .and_then(|r| self.quiet_qname(doc, *n, r))
                        .is_some_and(|r| &r == q)
            })
            .collect();
        if let Some(second) = refs.get(1) {
            self.diag(
                doc,
                *second,
                format!(
                    "the redefinition of {kind} `{}` refers to itself {} times",
                    q.local,
                    refs.len()
                ),
            )
            .hint = Some(format!(
                "a redefined xs:{kind} may refer once to the definition it replaces"
            ));
        }
        if kind == "group"
            && let Some(r) = refs.first()
        {
            let one = |a: &str| r.attribute(a).is_none_or(|v| v.trim() == "1");
            if !one("minOccurs") || !one("maxOccurs") {
                self.diag(doc, *r, format!("the reference to the redefined group `{}` must occur exactly once", q.local))
                    .hint = Some("minOccurs and maxOccurs must be 1 (the default) on a redefined group's reference to itself".into());
            }
        }
        refs.len()
    }

    /// A redefined group or attribute group without a self-reference must restrict the one it
    /// replaces. Each pair becomes two unreachable complex types named like the group (the
    /// original's content or attributes, and the redefinition's as a restriction of it),
    /// which the complex-restriction checks ([`crate::xsd::check::components`]) then compare.
    /// Skipped when the schema already has problems (the groups would report them twice).
    pub(super) fn redefinition_witnesses(&mut self) {
        for (doc, node) in std::mem::take(&mut self.restricting) {
            if !self.diags.is_empty() {
                return;
            }
            let Some(original) = self.originals.get(&(doc, node.id())).copied() else {
                continue;
            };
            let name = QName::new(
                self.docs[doc].tns,
                node.attribute("name").unwrap_or("").trim(),
            );
            let base = self.witness(original.doc, original.node, &name, None);
            self.witness(doc, node, &name, Some(base));
        }
    }

    fn witness(
        &mut self,
        doc: usize,
        node: Node<'a, 'i>,
        name: &QName,
        base: Option<TypeId>,
    ) -> TypeId {
        let mut ct = placeholder_complex();
        if base.is_some() {
            ct.derivation = Derivation::Restriction;
        }
        self.group_stack.push((doc, node.id()));
        if is_xs(&node, "group") {
            let inner = xs_children(node)
                .find(|c| matches!(c.tag_name().name(), "sequence" | "choice" | "all"));
            if let Some(p) = inner.and_then(|c| self.particle(doc, c)) {
                ct.content = Content::Elements(std::sync::Arc::new(p));
            }
        } else {
            self.attributes(doc, node, &mut ct, false);
        }
        self.group_stack.pop();
        let id = TypeId(self.schema.types.len() as u32);
        let pos = self.pos(doc, node);
        self.schema.types.push(Type {
            name: Some(name.clone()),
            base: Some(base.unwrap_or(self.any_type())),
            kind: TypeKind::Complex(ct),
            pos,
        });
        id
    }

    /// The group or attribute group a reference to `q` means: inside the redefinition of `q`,
    /// the definition it replaces; elsewhere the one in the index (`decl`).
    pub(super) fn redefined(
        &self,
        doc: usize,
        reference: Node<'a, 'i>,
        q: &QName,
        kind: &str,
        decl: Decl<'a, 'i>,
    ) -> Decl<'a, 'i> {
        let top = reference
            .ancestors()
            .find(|a| a.parent().is_some_and(|p| is_xs(&p, "redefine")));
        match top {
            Some(top)
                if is_xs(&top, kind)
                    && top.attribute("name").map(str::trim) == Some(q.local.as_str())
                    && self.docs[doc].tns == q.ns =>
            {
                self.originals
                    .get(&(doc, top.id()))
                    .copied()
                    .unwrap_or(decl)
            }
            _ => decl,
        }
    }

    /// The base of a type's derivation. In a redefinition, a base named like the type itself
    /// is the definition it replaces.
    pub(super) fn base_ref(&mut self, doc: usize, node: Node<'a, 'i>, def: Node<'a, 'i>) -> TypeId {
        if !self.originals.contains_key(&(doc, node.id())) {
            return self.type_ref(doc, def, "base");
        }
        let Some(q) = self.qname_attr(doc, def, "base") else {
            return self.any_type();
        };
        let own = QName::new(
            self.docs[doc].tns,
            node.attribute("name").unwrap_or("").trim(),
        );
        if q == own {
            self.original_type(doc, node)
        } else {
            self.lookup_type(doc, def, &q, "base")
        }
    }

    /// The id of the type definition that the redefinition `node` replaces, compiled on use.
    pub(super) fn original_type(&mut self, doc: usize, node: Node<'a, 'i>) -> TypeId {
        let key = (doc, node.id());
        if let Some(&id) = self.original_types.get(&key) {
            return id;
        }
        let original = self.originals[&key];
        let pos = self.pos(original.doc, original.node);
        let name = QName::new(
            self.docs[doc].tns,
            node.attribute("name").unwrap_or("").trim(),
        );
        let id = self.type_slot(Some(name), pos);
        self.pending.insert(id, original);
        self.original_types.insert(key, id);
        id
    }
}
