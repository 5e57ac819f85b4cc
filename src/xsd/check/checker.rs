//! What every pass shares: the [`Checker`] with the schema documents in force ([`Doc`]),
//! gathered from the entry through include, import and redefine, and the problems reported so
//! far, capped at [`MAX_DIAGNOSTICS`]; and the lookups between the documents and the compiled
//! schema (schema elements and types by position, types by QName).

use std::collections::HashMap;

use roxmltree::{Document, Node};

use crate::diag::Diagnostic;
use crate::sources::{SourceSet, at};
use crate::xsd::model::{QName, Schema, TypeId, XS, is_xs_ns};

/// Problems reported per pass before the rest are dropped.
const MAX_DIAGNOSTICS: usize = 100;

/// Whether `node` is an element in the XML Schema namespace.
pub(super) fn is_xs(node: &Node) -> bool {
    node.is_element() && node.tag_name().namespace().is_some_and(is_xs_ns)
}

/// One schema document in force: its source, root and target namespace (chameleon includes
/// take their includer's).
#[derive(Clone, Copy)]
pub(super) struct Doc<'a, 'i> {
    pub(super) source: usize,
    pub(super) node: Node<'a, 'i>,
    pub(super) tns: &'a str,
}

/// A run of checks over a set of schema documents.
pub(super) struct Checker<'s, 'a, 'i> {
    pub(super) set: &'s SourceSet,
    pub(super) docs: Vec<Doc<'a, 'i>>,
    pub(super) diags: Vec<Diagnostic>,
    /// Element nodes by (source, offset), built on first use.
    index: std::cell::OnceCell<HashMap<(usize, usize), Node<'a, 'i>>>,
}

/// A schema document to start from: (source, `xs:schema` node, chameleon namespace).
type Root<'a, 'i> = (usize, Node<'a, 'i>, Option<&'a str>);

impl<'s, 'a, 'i> Checker<'s, 'a, 'i> {
    /// A checker over the entry document (source 0) and every schema document it reaches.
    pub(super) fn for_entry(set: &'s SourceSet, documents: &'a [Document<'i>]) -> Self {
        let mut c = Checker::new(set);
        let root = documents[0].root_element();
        c.gather_from(documents, vec![(0, root, None)]);
        c
    }

    /// A checker over every `xs:schema` in the `types` of every WSDL document of the set, and
    /// the schema documents they reach.
    pub(super) fn for_wsdl(set: &'s SourceSet, documents: &'a [Document<'i>]) -> Self {
        let mut c = Checker::new(set);
        c.gather_from(documents, wsdl_roots(documents));
        c
    }

    fn new(set: &'s SourceSet) -> Self {
        Checker {
            set,
            docs: Vec::new(),
            diags: Vec::new(),
            index: std::cell::OnceCell::new(),
        }
    }
}

impl<'a, 'i> Checker<'_, 'a, 'i> {
    /// Reports a problem at byte `pos` of `source` (dropped past [`MAX_DIAGNOSTICS`]).
    pub(super) fn report(
        &mut self,
        source: usize,
        pos: usize,
        message: String,
        hint: Option<String>,
    ) {
        if self.diags.len() >= MAX_DIAGNOSTICS {
            return;
        }
        let s = &self.set.sources[source];
        let mut d = at(&s.path, &s.text, pos, message);
        d.hint = hint;
        self.diags.push(d);
    }

    /// Whether `source` is a file of the set that soapbridge did not bring itself.
    pub(super) fn is_user_source(&self, source: usize) -> bool {
        self.set.sources.get(source).is_some_and(|s| !s.builtin)
    }

    /// The schema documents reached from `stack`, following include, import and redefine.
    fn gather_from(&mut self, documents: &'a [Document<'i>], mut stack: Vec<Root<'a, 'i>>) {
        while let Some((source, root, tns_override)) = stack.pop() {
            if !(is_xs(&root) && root.tag_name().name() == "schema") {
                continue;
            }
            let tns = root
                .attribute("targetNamespace")
                .or(tns_override)
                .unwrap_or("");
            if self
                .docs
                .iter()
                .any(|d| d.source == source && d.node == root && d.tns == tns)
            {
                continue;
            }
            self.docs.push(Doc {
                source,
                node: root,
                tns,
            });
            for c in root.children().filter(is_xs) {
                let name = c.tag_name().name();
                if !matches!(name, "include" | "import" | "redefine") {
                    continue;
                }
                let target = c
                    .attribute("schemaLocation")
                    .and_then(|l| self.set.resolve(source, l.trim()))
                    .or_else(|| {
                        (name == "import")
                            .then(|| {
                                c.attribute("namespace")
                                    .and_then(|ns| self.set.builtin_for(ns))
                            })
                            .flatten()
                    });
                let Some(target) = target else { continue };
                if self.set.sources[target].builtin {
                    continue;
                }
                let chameleon = (name != "import").then_some(tns);
                stack.push((target, documents[target].root_element(), chameleon));
            }
        }
    }

    /// Every element node of the schema documents by (source, offset).
    pub(super) fn nodes(&self) -> HashMap<(usize, usize), Node<'a, 'i>> {
        let mut out = HashMap::new();
        for d in &self.docs {
            for n in d.node.descendants().filter(is_xs) {
                out.insert((d.source, n.range().start), n);
            }
        }
        out
    }

    /// The element node at `offset` of `source`, when it is one of the documents'.
    pub(super) fn node_at(&self, source: usize, offset: usize) -> Option<Node<'a, 'i>> {
        self.index
            .get_or_init(|| self.nodes())
            .get(&(source, offset))
            .copied()
    }
}

/// Every `xs:schema` in the `types` of every WSDL document.
fn wsdl_roots<'a, 'i>(documents: &'a [Document<'i>]) -> Vec<Root<'a, 'i>> {
    let mut roots = Vec::new();
    for (i, d) in documents.iter().enumerate() {
        let root = d.root_element();
        if root.tag_name().namespace() != Some(crate::xml::WSDL) {
            continue;
        }
        for types in root
            .children()
            .filter(|c| c.is_element() && c.tag_name().name() == "types")
        {
            for schema in types
                .children()
                .filter(|c| is_xs(c) && c.tag_name().name() == "schema")
            {
                roots.push((i, schema, None));
            }
        }
    }
    roots
}

/// The compiled types not built in, by the position (source, offset) of the schema element
/// they were compiled from.
pub(super) fn types_by_position(schema: &Schema) -> HashMap<(u32, u32), TypeId> {
    schema
        .types
        .iter()
        .enumerate()
        .filter(|(_, t)| t.name.as_ref().is_none_or(|q| q.ns != XS))
        .map(|(i, t)| ((t.pos.file, t.pos.offset), TypeId(i as u32)))
        .collect()
}

/// `prefix:local` split at its colon (no prefix when there is none).
pub(super) fn split_qname(raw: &str) -> (Option<&str>, &str) {
    match raw.split_once(':') {
        Some((p, l)) => (Some(p), l),
        None => (None, raw),
    }
}

/// The type a QName-valued attribute of `node` names, when it is known.
pub(super) fn named_type(schema: &Schema, node: Node, attr: &str) -> Option<TypeId> {
    type_named(schema, node, node.attribute(attr)?.trim())
}

/// The global type `raw` (a QName in `node`'s scope) names, when it is known; either XML
/// Schema namespace names the built-ins.
pub(super) fn type_named(schema: &Schema, node: Node, raw: &str) -> Option<TypeId> {
    let (prefix, local) = split_qname(raw);
    let ns = node.lookup_namespace_uri(prefix).unwrap_or("");
    let ns = if is_xs_ns(ns) { XS } else { ns };
    schema.global_types.get(&QName::new(ns, local)).copied()
}
