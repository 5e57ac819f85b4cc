//! Global components as units of confinement: the component each problem lies in, and which
//! components refer to which ([`References`]). A WSDL loader uses them to confine a problem (a
//! reference to a name nothing declares, an unbound prefix) to the operations that reach it.
//!
//! The references are read from the documents, not from the compiled graph, and err on the side
//! of reaching more: every QName-valued attribute of a declaration (types, bases, item and member
//! types, references to elements, attributes and groups, substitution group heads, SOAP array
//! item types) is an edge, and derivation and substitution groups count both ways (a type derived
//! from one an operation uses may come in its place through `xsi:type`, a substitution group
//! member in its head's place).

use std::collections::{HashMap, HashSet};

use roxmltree::Node;

use super::{Compiler, Decl, is_xs};
use crate::diag::Diagnostic;
use crate::xsd::model::QName;

/// The kinds of global component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ComponentKind {
    Type,
    Element,
    Group,
    AttributeGroup,
    Attribute,
}

/// A global declaration of a schema, by kind and name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Component {
    pub kind: ComponentKind,
    pub name: QName,
}

impl Component {
    pub fn new(kind: ComponentKind, name: QName) -> Component {
        Component { kind, name }
    }
}

/// Which components refer to which (kept backwards: from each component to those that refer
/// to it; edges both ways for derivation and substitution groups).
#[derive(Debug, Default)]
pub struct References {
    referred_by: HashMap<Component, HashSet<Component>>,
}

impl References {
    /// Every component from which one of `targets` can be reached, `targets` included.
    pub fn reaching<'c>(
        &self,
        targets: impl IntoIterator<Item = &'c Component>,
    ) -> HashSet<Component> {
        let mut seen: HashSet<Component> = HashSet::new();
        let mut stack: Vec<&Component> = targets.into_iter().collect();
        while let Some(c) = stack.pop() {
            if seen.contains(c) {
                continue;
            }
            seen.insert(c.clone());
            if let Some(froms) = self.referred_by.get(c) {
                stack.extend(froms.iter().filter(|f| !seen.contains(*f)));
            }
        }
        seen
    }

    fn add(&mut self, from: &Component, to: Component) {
        if &to != from {
            self.referred_by.entry(to).or_default().insert(from.clone());
        }
    }
}

/// The kind of component an element of the XML Schema namespace declares at the top level.
fn kind_of(node: &Node) -> Option<ComponentKind> {
    if !node.is_element()
        || !node
            .tag_name()
            .namespace()
            .is_some_and(crate::xsd::is_xs_ns)
    {
        return None;
    }
    Some(match node.tag_name().name() {
        "complexType" | "simpleType" => ComponentKind::Type,
        "element" => ComponentKind::Element,
        "group" => ComponentKind::Group,
        "attributeGroup" => ComponentKind::AttributeGroup,
        "attribute" => ComponentKind::Attribute,
        _ => return None,
    })
}

impl<'a, 'i> Compiler<'a, 'i> {
    /// Reports a reference problem (a name nothing declares, an unbound prefix) at `node` of
    /// the schema `doc`, remembering the global component it lies in so that it can be
    /// confined ([`Compiler::confined`]).
    pub(super) fn unresolved(
        &mut self,
        doc: usize,
        node: Node<'a, 'i>,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        // Past the cap the diagnostic is a scratch one, and the cap's line is not confined.
        if self.diags.len() < super::MAX_DIAGNOSTICS
            && let Some(owner) = self.owner(doc, node)
        {
            self.confined.insert(self.diags.len(), owner.clone());
            let spot = (self.docs[doc].source, node.range().start);
            self.unresolved_spots.insert(spot, owner);
        }
        self.diag(doc, node, message)
    }

    /// The global component `node` of the schema `doc` lies in (a top-level declaration, or
    /// one inside `xs:redefine`), if any.
    pub(super) fn owner(&self, doc: usize, node: Node) -> Option<Component> {
        let top = node.ancestors().find(|a| {
            a.parent()
                .is_some_and(|p| is_xs(&p, "schema") || is_xs(&p, "redefine"))
        })?;
        let kind = kind_of(&top)?;
        let local = top.attribute("name")?.trim();
        Some(Component::new(kind, QName::new(self.docs[doc].tns, local)))
    }

    /// The references between the global components indexed so far (call after
    /// [`Compiler::compile_all`]).
    pub fn references(&self) -> References {
        let mut refs = References::default();
        let index = &self.index;
        let maps = [
            (ComponentKind::Type, &index.types),
            (ComponentKind::Element, &index.elements),
            (ComponentKind::Group, &index.groups),
            (ComponentKind::AttributeGroup, &index.attribute_groups),
            (ComponentKind::Attribute, &index.attributes),
        ];
        for (kind, map) in maps {
            for (q, decl) in map {
                let from = Component::new(kind, q.clone());
                let mut decl = Some(*decl);
                // A redefinition and the definitions it replaces are one component.
                let mut hops = 0;
                while let Some(d) = decl {
                    self.references_in(d, &from, &mut refs);
                    decl = self.originals.get(&(d.doc, d.node.id())).copied();
                    hops += 1;
                    if hops > crate::sources::MAX_FILES {
                        break;
                    }
                }
            }
        }
        refs
    }

    /// The edges from `from` that the declaration `decl` writes.
    fn references_in(&self, decl: Decl<'a, 'i>, from: &Component, refs: &mut References) {
        use ComponentKind::*;
        for n in decl.node.descendants().filter(|n| n.is_element()) {
            let tag = n.tag_name().name();
            for a in n.attributes() {
                let (kind, both_ways) = match (a.namespace(), a.name(), tag) {
                    (None, "type" | "itemType" | "memberTypes", _) => (Type, false),
                    (None, "base", _) => (Type, true),
                    (None, "substitutionGroup", _) => (Element, true),
                    (None, "ref", "element") => (Element, false),
                    (None, "ref", "attribute") => (Attribute, false),
                    (None, "ref", "group") => (Group, false),
                    (None, "ref", "attributeGroup") => (AttributeGroup, false),
                    (Some(crate::xml::WSDL), "arrayType", _) => (Type, false),
                    _ => continue,
                };
                for value in a.value().split_whitespace() {
                    let value = value.trim_end_matches(|c: char| {
                        c == ']' || c == '[' || c == ',' || c.is_ascii_digit()
                    });
                    let Some(q) = self.quiet_qname(decl.doc, n, value) else {
                        continue;
                    };
                    let to = Component::new(kind, q);
                    if both_ways {
                        refs.add(&to, from.clone());
                    }
                    refs.add(from, to);
                }
            }
        }
    }
}
