//! References by QName: QName-valued attributes resolved against the node's namespaces
//! (chameleon includes taking on their includer's namespace), types looked up in the index and
//! given an id on first use, and the hint for a name nothing declares.

use roxmltree::Node;

use super::{Compiler, ComponentKind};
use crate::xsd::model::*;

impl<'a, 'i> Compiler<'a, 'i> {
    /// Resolves a QName-valued attribute (`type="tns:Foo"`) against the node's namespaces.
    pub(super) fn qname_attr(
        &mut self,
        doc: usize,
        node: Node<'a, 'i>,
        attr: &str,
    ) -> Option<QName> {
        let value = node.attribute(attr)?.trim();
        self.resolve_qname(doc, node, value, attr)
    }

    /// A QName value resolved against the node's namespaces (in lenient mode, a prefix bound
    /// nowhere here by its one binding elsewhere in the document); `None` for an unbound prefix.
    pub(super) fn quiet_qname(&self, doc: usize, node: Node<'a, 'i>, value: &str) -> Option<QName> {
        let value = value.trim();
        let (prefix, local) = match value.split_once(':') {
            Some((p, l)) => (Some(p), l),
            None => (None, value),
        };
        let elsewhere = || {
            prefix
                .filter(|p| *p != "xml")
                .and_then(|p| self.prefix_elsewhere(doc, node, p))
        };
        match node.lookup_namespace_uri(prefix).or_else(elsewhere) {
            Some(ns) if is_xs_ns(ns) => Some(QName::new(XS, local)),
            Some(ns) => Some(QName::new(ns, local)),
            None if prefix == Some("xml") => Some(QName::new(XML, local)),
            None if prefix.is_none() => {
                // A chameleon include (no targetNamespace of its own) takes its includer's
                // namespace, references to no namespace included.
                let d = self.docs[doc];
                let chameleon = d.node.attribute("targetNamespace").is_none() && !d.tns.is_empty();
                Some(QName::new(if chameleon { d.tns } else { "" }, local))
            }
            None => None,
        }
    }

    pub(super) fn resolve_qname(
        &mut self,
        doc: usize,
        node: Node<'a, 'i>,
        value: &str,
        attr: &str,
    ) -> Option<QName> {
        let prefix = value.trim().split_once(':').map(|(p, _)| p);
        match self.quiet_qname(doc, node, value) {
            Some(q) => {
                if let Some(p) = prefix
                    && p != "xml"
                    && node.lookup_namespace_uri(Some(p)).is_none()
                {
                    self.report_prefix(doc, node, p);
                }
                Some(q)
            }
            None => {
                self.unresolved(
                    doc,
                    node,
                    format!(
                        "unbound namespace prefix `{}` in {attr}=\"{value}\"",
                        prefix.unwrap_or("")
                    ),
                )
                .hint = Some(format!(
                    "declare it, e.g. xmlns:{}=\"...\", on this element or an ancestor",
                    prefix.unwrap_or("")
                ));
                None
            }
        }
    }

    pub(super) fn any_type(&self) -> TypeId {
        TypeId(0)
    }

    pub(super) fn any_simple(&self) -> TypeId {
        self.schema.builtin("anySimpleType").expect("built-in")
    }

    /// The type a QName names, compiled on first use.
    pub(super) fn type_ref(&mut self, doc: usize, node: Node<'a, 'i>, attr: &str) -> TypeId {
        let Some(q) = self.qname_attr(doc, node, attr) else {
            return self.any_type();
        };
        self.lookup_type(doc, node, &q, attr)
    }

    pub(super) fn lookup_type(
        &mut self,
        doc: usize,
        node: Node<'a, 'i>,
        q: &QName,
        attr: &str,
    ) -> TypeId {
        if let Some(&id) = self.schema.global_types.get(q) {
            return id;
        }
        let chameleon = {
            let d = self.docs[doc];
            d.node.attribute("targetNamespace").is_none() && !d.tns.is_empty() && q.ns == d.tns
        };
        if (q.ns.is_empty() || chameleon) && !self.index.types.contains_key(q) {
            // `type="string"` with no default namespace: pre-2001 WSDLs (the W3C WSDL 1.1 note's
            // own examples) mean the built-in type.
            if let Some(id) = self.schema.builtin(&q.local) {
                return id;
            }
        }
        let decl = self.declaration(ComponentKind::Type, q);
        if let Some(decl) = decl {
            let pos = self.pos(decl.doc, decl.node);
            let id = self.type_slot(Some(q.clone()), pos);
            self.schema.global_types.insert(q.clone(), id);
            self.pending.insert(id, decl);
            return id;
        }
        let hint = self.missing_hint(q, "type");
        let raw = node.attribute(attr).unwrap_or("");
        self.unresolved(doc, node, format!("unknown type `{raw}` ({q})"))
            .hint = Some(hint);
        self.any_type()
    }

    /// A type by QName, for WSDL message parts.
    pub fn type_for(&mut self, doc: usize, node: Node<'a, 'i>, q: &QName, attr: &str) -> TypeId {
        self.lookup_type(doc, node, q, attr)
    }

    pub(super) fn missing_hint(&self, q: &QName, kind: &str) -> String {
        if q.ns == XS {
            return format!("`{}` is not a built-in XML Schema 1.0 type", q.local);
        }
        let hint = if self.docs.iter().any(|d| d.tns == q.ns) {
            format!(
                "no global {kind} named `{}` is declared in namespace `{}`",
                q.local, q.ns
            )
        } else {
            format!(
                "no schema for namespace `{}` is loaded; import it with a schemaLocation",
                q.ns
            )
        };
        // Two names that differ only in their namespace: say where the other one is.
        let map = match kind {
            "element" => &self.index.elements,
            "group" => &self.index.groups,
            "attributeGroup" => &self.index.attribute_groups,
            "attribute" => &self.index.attributes,
            _ => &self.index.types,
        };
        let mut elsewhere: Vec<&str> = map
            .keys()
            .filter(|o| o.local == q.local && o.ns != q.ns)
            .map(|o| o.ns.as_str())
            .collect();
        elsewhere.sort_unstable();
        match elsewhere.first() {
            None => hint,
            Some(&"") => format!(
                "{hint}; a {kind} `{}` is declared without a namespace: check the namespace the prefix is bound to",
                q.local
            ),
            Some(ns) => format!(
                "{hint}; a {kind} `{}` is declared in namespace `{ns}`: check the namespace the prefix is bound to",
                q.local
            ),
        }
    }
}
