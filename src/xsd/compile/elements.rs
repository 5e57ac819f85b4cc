//! Element declarations: local and global, by reference, their types, substitution groups and
//! identity constraints (`xs:unique`, `xs:key`, `xs:keyref`).

use std::collections::{HashMap, HashSet};

use roxmltree::Node;

use super::{Compiler, ComponentKind, MAX_TYPE_DEPTH, block_flags, is_true, is_xs, xs_children};
use crate::xsd::model::*;

impl<'a, 'i> Compiler<'a, 'i> {
    pub(super) fn element_particle(&mut self, doc: usize, node: Node<'a, 'i>) -> Option<ElementId> {
        if node.has_attribute("ref") {
            let q = self.qname_attr(doc, node, "ref")?;
            return self.element_by_name(doc, node, &q);
        }
        let Some(local) = node.attribute("name") else {
            self.diag(doc, node, "xs:element needs a name or a ref");
            return None;
        };
        let d = self.docs[doc];
        let qualified = match node.attribute("form") {
            Some("qualified") => true,
            Some("unqualified") => false,
            _ => d.elements_qualified,
        };
        let name = QName::new(if qualified { d.tns } else { "" }, local);
        let id = ElementId(self.schema.elements.len() as u32);
        self.schema
            .elements
            .push(placeholder_element(name, self.pos(doc, node)));
        self.fill_element(id, doc, node, false);
        Some(id)
    }

    fn element_by_name(&mut self, doc: usize, node: Node<'a, 'i>, q: &QName) -> Option<ElementId> {
        if let Some(&id) = self.schema.global_elements.get(q) {
            return Some(id);
        }
        let decl = self.declaration(ComponentKind::Element, q);
        match decl {
            Some(decl) => Some(self.global_element(q, decl.doc, decl.node)),
            None => {
                let hint = self.missing_hint(q, "element");
                let raw = node
                    .attribute("ref")
                    .or(node.attribute("element"))
                    .unwrap_or("");
                self.unresolved(doc, node, format!("unknown element `{raw}` ({q})"))
                    .hint = Some(hint);
                None
            }
        }
    }

    /// A global element by QName, for WSDL message parts. Reports at `node` when it is unknown.
    pub fn element_for(&mut self, doc: usize, node: Node<'a, 'i>, q: &QName) -> Option<ElementId> {
        self.element_by_name(doc, node, q)
    }

    pub(super) fn global_element(
        &mut self,
        q: &QName,
        doc: usize,
        node: Node<'a, 'i>,
    ) -> ElementId {
        if let Some(&id) = self.schema.global_elements.get(q) {
            return id;
        }
        let id = ElementId(self.schema.elements.len() as u32);
        self.schema
            .elements
            .push(placeholder_element(q.clone(), self.pos(doc, node)));
        self.schema.global_elements.insert(q.clone(), id);
        self.fill_element(id, doc, node, true);
        id
    }

    fn fill_element(&mut self, id: ElementId, doc: usize, node: Node<'a, 'i>, global: bool) {
        if self.depth >= MAX_TYPE_DEPTH {
            self.diag(doc, node, format!("element declarations (substitution groups) chain more than {MAX_TYPE_DEPTH} levels deep"))
                .hint = Some("no real schema does this; check for a generated or hostile file".into());
            return;
        }
        self.depth += 1;
        self.fill_element_inner(id, doc, node, global);
        self.depth -= 1;
    }

    fn fill_element_inner(&mut self, id: ElementId, doc: usize, node: Node<'a, 'i>, global: bool) {
        let mut head = None;
        if global
            && node.has_attribute("substitutionGroup")
            && let Some(q) = self.qname_attr(doc, node, "substitutionGroup")
        {
            head = self.element_by_name(doc, node, &q);
        }
        let type_id = if node.has_attribute("type") {
            self.type_ref(doc, node, "type")
        } else if let Some(inline) =
            xs_children(node).find(|c| is_xs(c, "complexType") || is_xs(c, "simpleType"))
        {
            self.anonymous_type(doc, inline)
        } else if let Some(h) = head {
            self.schema.element(h).type_id
        } else {
            self.any_type()
        };
        let e = &mut self.schema.elements[id.0 as usize];
        e.type_id = type_id;
        e.nillable = node.attribute("nillable").is_some_and(is_true);
        let (default, fixed) = (
            node.attribute("default").map(Box::from),
            node.attribute("fixed").map(Box::from),
        );
        e.is_abstract = node.attribute("abstract").is_some_and(is_true);
        e.substitution_group = head;
        e.global = global;
        e.block = node
            .attribute("block")
            .map_or(self.docs[doc].block_default, block_flags);
        let identity = self.identity_constraints(doc, node).into_boxed_slice();
        self.schema.elements[id.0 as usize].set_rare(ElementRare {
            default,
            fixed,
            identity,
        });
    }

    /// Every element's substitutes, transitively (members of members), once all are compiled.
    pub(super) fn substitution_groups(&mut self) {
        let mut direct: HashMap<ElementId, Vec<ElementId>> = HashMap::new();
        for (i, e) in self.schema.elements.iter().enumerate() {
            if let Some(head) = e.substitution_group {
                direct.entry(head).or_default().push(ElementId(i as u32));
            }
        }
        let mut heads: Vec<ElementId> = direct.keys().copied().collect();
        heads.sort();
        for head in heads {
            let mut seen = HashSet::new();
            let mut stack = direct[&head].clone();
            while let Some(m) = stack.pop() {
                if m == head || !seen.insert(m) {
                    continue;
                }
                if let Some(more) = direct.get(&m) {
                    stack.extend(more.iter().copied());
                }
            }
            let mut all: Vec<ElementId> = seen.into_iter().collect();
            all.sort();
            self.schema.substitutes.insert(head, all);
        }
    }

    /// The `xs:unique`, `xs:key` and `xs:keyref` children of an element declaration.
    fn identity_constraints(&mut self, doc: usize, node: Node<'a, 'i>) -> Vec<IdentityConstraint> {
        let tns = self.docs[doc].tns;
        let mut out = Vec::new();
        for c in xs_children(node) {
            let kind = match c.tag_name().name() {
                "unique" => IdentityKind::Unique,
                "key" => IdentityKind::Key,
                "keyref" => match self.qname_attr(doc, c, "refer") {
                    Some(q) => IdentityKind::KeyRef(q),
                    None => continue,
                },
                _ => continue,
            };
            let xpath = |n: Node| n.attribute("xpath").unwrap_or("").to_string();
            let selector = xs_children(c)
                .find(|x| x.tag_name().name() == "selector")
                .map(xpath)
                .unwrap_or_default();
            let fields = xs_children(c)
                .filter(|x| x.tag_name().name() == "field")
                .map(xpath)
                .collect();
            out.push(IdentityConstraint {
                name: QName::new(tns, c.attribute("name").unwrap_or("")),
                kind,
                selector,
                fields,
                namespaces: c
                    .namespaces()
                    .map(|n| (n.name().unwrap_or("").to_string(), n.uri().to_string()))
                    .collect(),
            });
        }
        out
    }
}

fn placeholder_element(name: QName, pos: SrcPos) -> Element {
    Element {
        name,
        type_id: TypeId(0),
        nillable: false,
        is_abstract: false,
        global: false,
        block: 0,
        substitution_group: None,
        pos,
        rare: None,
    }
}
