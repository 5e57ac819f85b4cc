//! Lenient mode's tolerances in schema documents ([`SourceSet::lenient`]): mistakes of schema
//! authors that have one reading only, each reported once as a warning at its place. What a
//! strict load accepts means the same in lenient mode; a tolerance only gives a meaning to
//! what a strict load refuses.
//!
//! - An `xs:import` whose `namespace` is not the imported schema's `targetNamespace` (a file
//!   name, another namespace): the schema is read in its own target namespace, as always.
//! - A chameleon import: a schema without a target namespace, imported, whose components are
//!   referred to in the importer's namespace (or in the namespace the import names): it is also
//!   read there, as an include would, when (and only when) a reference needs it.
//! - A prefix used in a QName where it is not declared, but bound to one namespace elsewhere in
//!   the same document (on a sibling schema, on another element): read in that namespace.
//!
//! [`SourceSet::lenient`]: crate::sources::SourceSet::lenient

use std::collections::HashSet;

use roxmltree::Node;

use super::{Compiler, ComponentKind, Decl, xs_children};
use crate::sources::at;
use crate::xsd::model::QName;

/// A schema without a target namespace, imported: lenient mode may read it in `ns` too.
#[derive(Clone, Copy)]
pub(super) struct Chameleon<'a, 'i> {
    /// The importing schema (index into the compiler's schema documents) and its import.
    doc: usize,
    import: Node<'a, 'i>,
    /// The imported document's source.
    source: usize,
    /// The namespace its components are referred to in.
    ns: &'a str,
    added: bool,
}

/// The one namespace `prefix` is bound to anywhere in `node`'s document, and the first element
/// where it is in scope; `None` when it is bound nowhere, or to two namespaces (no one reading).
pub fn declared_elsewhere<'a, 'i>(
    node: Node<'a, 'i>,
    prefix: &str,
) -> Option<(&'a str, Node<'a, 'i>)> {
    let mut found: Option<(&'a str, Node<'a, 'i>)> = None;
    for n in node.document().descendants().filter(|n| n.is_element()) {
        let Some(ns) = n.lookup_namespace_uri(Some(prefix)) else {
            continue;
        };
        match found {
            None => found = Some((ns, n)),
            Some((first, _)) if first == ns => {}
            Some(_) => return None,
        }
    }
    found
}

impl<'a, 'i> Compiler<'a, 'i> {
    /// The global declaration of `kind` named `q`: the one in the index, else (lenient mode)
    /// one a chameleon import provides.
    pub(super) fn declaration(&mut self, kind: ComponentKind, q: &QName) -> Option<Decl<'a, 'i>> {
        let lookup = |c: &Self| {
            let index = &c.index;
            match kind {
                ComponentKind::Type => index.types.get(q),
                ComponentKind::Element => index.elements.get(q),
                ComponentKind::Group => index.groups.get(q),
                ComponentKind::AttributeGroup => index.attribute_groups.get(q),
                ComponentKind::Attribute => index.attributes.get(q),
            }
            .copied()
        };
        match lookup(self) {
            Some(decl) => Some(decl),
            None if self.set.lenient && self.tolerate_chameleon(q) => lookup(self),
            None => None,
        }
    }

    /// Lenient mode: whether a schema in force, or a chameleon import read for it now, declares
    /// the component `q` of `kind` (for the names WSDL message parts give).
    pub fn declares(&mut self, kind: ComponentKind, q: &QName) -> bool {
        self.declaration(kind, q).is_some()
    }

    /// A warning at `node` of the schema `doc`.
    fn tolerated(&mut self, doc: usize, node: Node, message: String, hint: String) {
        let source = &self.set.sources[self.docs[doc].source];
        self.warnings.push(
            at(&source.path, &source.text, node.range().start, message)
                .hint(hint)
                .warning(),
        );
    }

    /// An `xs:import` of the schema `doc` whose `namespace` (`declared`) is not the
    /// `targetNamespace` of the schema it names (`actual`, read from `source`): in lenient mode
    /// the schema is read in its own namespace (and, without one, may be a chameleon in the
    /// declared one). Returns whether it was tolerated; a strict load reports it.
    pub(super) fn tolerate_import(
        &mut self,
        doc: usize,
        import: Node<'a, 'i>,
        source: usize,
        declared: &'a str,
        actual: &str,
    ) -> bool {
        if !self.set.lenient {
            return false;
        }
        let location = import.attribute("schemaLocation").unwrap_or("").trim();
        let hint = "the namespace attribute of xs:import must match the imported schema's targetNamespace; fix it to load without --lenient".to_string();
        let message = if actual.is_empty() {
            self.add_chameleon(Chameleon {
                doc,
                import,
                source,
                ns: declared,
                added: false,
            });
            format!(
                "imports namespace `{declared}` but `{location}` has no targetNamespace; read without a namespace, and in `{declared}` where a reference needs it (lenient)"
            )
        } else if import.attribute("namespace").is_none() {
            format!(
                "imports `{location}` without a namespace, but it has targetNamespace `{actual}`; read in `{actual}` (lenient)"
            )
        } else {
            format!(
                "imports namespace `{declared}` but `{location}` has targetNamespace `{actual}`; read in `{actual}` (lenient)"
            )
        };
        self.tolerated(doc, import, message, hint);
        true
    }

    /// Notes an import without `namespace` of a schema without a target namespace into the
    /// schema `doc` (legal: its components have no namespace), which lenient mode may also read
    /// in the importer's namespace if references need it there.
    pub(super) fn maybe_chameleon(&mut self, doc: usize, import: Node<'a, 'i>, source: usize) {
        let ns = self.docs[doc].tns;
        if self.set.lenient && !ns.is_empty() {
            self.add_chameleon(Chameleon {
                doc,
                import,
                source,
                ns,
                added: false,
            });
        }
    }

    /// Remembers a chameleon candidate (once per schema and namespace) under the names of its
    /// schema's global declarations, so that a name nothing declares finds it at once.
    fn add_chameleon(&mut self, c: Chameleon<'a, 'i>) {
        if self
            .chameleons
            .iter()
            .any(|o| o.source == c.source && o.ns == c.ns)
        {
            return;
        }
        let at = self.chameleons.len();
        let root = self.documents[c.source].root_element();
        for d in xs_children(root) {
            if let Some(local) = d.attribute("name") {
                let key = QName::new(c.ns, local.trim());
                let list = self.chameleon_names.entry(key).or_default();
                if !list.contains(&at) {
                    list.push(at);
                }
            }
        }
        self.chameleons.push(c);
    }

    /// In lenient mode, when no schema in force declares `q`: the chameleon imports whose
    /// schema declares a global of `q`'s name, in `q`'s namespace, are read there too (each
    /// reported once). Returns whether any was.
    pub fn tolerate_chameleon(&mut self, q: &QName) -> bool {
        let mut added = false;
        let candidates = self.chameleon_names.get(q).cloned().unwrap_or_default();
        for i in candidates {
            let c = self.chameleons[i];
            if c.added {
                continue;
            }
            let root = self.documents[c.source].root_element();
            self.chameleons[i].added = true;
            self.add_schema(self.documents, c.source, root, Some(c.ns));
            let location = c.import.attribute("schemaLocation").unwrap_or("").trim();
            self.tolerated(
                c.doc,
                c.import,
                format!(
                    "`{location}` has no targetNamespace but `{}` is referred to in `{}`: its components are also read in `{}` (chameleon import; lenient)",
                    q.local, q.ns, q.ns
                ),
                "include the schema (xs:include), or give it the targetNamespace its users expect, to load without --lenient".to_string(),
            );
            added = true;
        }
        added
    }

    /// In lenient mode, the namespace a prefix undeclared at `node` is bound to elsewhere in
    /// its document (see [`declared_elsewhere`]); cached per document and prefix.
    pub(super) fn prefix_elsewhere(
        &self,
        doc: usize,
        node: Node<'a, 'i>,
        prefix: &str,
    ) -> Option<&'a str> {
        if !self.set.lenient {
            return None;
        }
        let key = (self.docs[doc].source, prefix.to_string());
        if let Some(ns) = self.elsewhere.borrow().get(&key) {
            return *ns;
        }
        let ns = declared_elsewhere(node, prefix).map(|(ns, _)| ns);
        self.elsewhere.borrow_mut().insert(key, ns);
        ns
    }

    /// The (source, prefix) pairs reported as read from elsewhere: the WSDL's own references
    /// report each of the others once more only if it is new.
    pub fn take_prefixes_reported(&mut self) -> HashSet<(usize, String)> {
        std::mem::take(&mut self.prefixes_reported)
    }

    /// Reports, once per document and prefix, that `prefix` was read in the namespace it is
    /// bound to elsewhere in the document.
    pub(super) fn report_prefix(&mut self, doc: usize, node: Node<'a, 'i>, prefix: &str) {
        let source = self.docs[doc].source;
        if !self.prefixes_reported.insert((source, prefix.to_string())) {
            return;
        }
        let Some((ns, decl)) = declared_elsewhere(node, prefix) else {
            return;
        };
        let text = &self.set.sources[source].text;
        let (line, _) = crate::diag::line_col(text, decl.range().start);
        self.tolerated(
            doc,
            node,
            format!("prefix `{prefix}` is not declared here; read as `{ns}`, as line {line} declares it (lenient)"),
            format!("declare xmlns:{prefix}=\"{ns}\" on this element or an ancestor to load without --lenient"),
        );
    }
}
