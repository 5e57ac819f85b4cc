//! References only into namespaces their document may see (XML Schema 1.0, src-resolve 4): a
//! QName in a schema document names a component of that document's own target namespace (for a
//! document without one, a chameleon include, none or its includer's), of XML Schema, or of a
//! namespace the document itself imports. An import in another document (an included one, or one that
//! imports this) does not count. The namespaces soapbridge knows without a file (`xml:`, the
//! SOAP encodings) stay usable without an import, as WSDLs in the wild use them.

use std::collections::HashSet;

use roxmltree::Node;

use super::checker::{Checker, Doc, is_xs, split_qname};
use crate::xml::is_xs_ns;

impl<'a, 'i> Checker<'_, 'a, 'i> {
    /// Every QName reference of every document (each once) into a namespace it does not import.
    pub(super) fn imports(&mut self, docs: &[Doc<'a, 'i>]) {
        let mut seen = HashSet::new();
        for d in docs {
            if !seen.insert((d.source, d.node)) || !self.is_user_source(d.source) {
                continue;
            }
            // A chameleon document takes the namespace of each document including it.
            let own: HashSet<&str> = docs
                .iter()
                .filter(|o| (o.source, o.node) == (d.source, d.node))
                .map(|o| o.tns)
                .chain([d.node.attribute("targetNamespace").unwrap_or("")])
                .collect();
            let imported: HashSet<&str> = d
                .node
                .children()
                .filter(|c| is_xs(c) && c.tag_name().name() == "import")
                .map(|c| c.attribute("namespace").unwrap_or(""))
                .collect();
            for n in d.node.descendants().filter(is_xs) {
                for (attr, raw) in references(n) {
                    let (prefix, _) = split_qname(raw);
                    // An undeclared prefix is reported where QNames are read.
                    let Some(ns) = n
                        .lookup_namespace_uri(prefix)
                        .or(prefix.is_none().then_some(""))
                    else {
                        continue;
                    };
                    if own.contains(ns)
                        || is_xs_ns(ns)
                        || imported.contains(ns)
                        || self.set.builtin_for(ns).is_some()
                    {
                        continue;
                    }
                    let shown = if ns.is_empty() { "(no namespace)" } else { ns };
                    self.report(
                        d.source,
                        n.range().start,
                        format!(
                            "`{raw}` ({attr}) refers to namespace `{shown}`, but namespace `{shown}` is not imported by this document"
                        ),
                        Some(format!(
                            "add <xs:import namespace=\"{ns}\"/> to this schema document: a reference names its own target namespace, XML Schema's, or a namespace the document itself imports"
                        )),
                    );
                }
            }
        }
    }
}

/// The QName-valued attributes of a schema element: (attribute name, one QName).
fn references<'a>(n: Node<'a, '_>) -> Vec<(&'static str, &'a str)> {
    let attrs: &[&'static str] = match n.tag_name().name() {
        "element" => &["ref", "type", "substitutionGroup"],
        "attribute" => &["ref", "type"],
        "group" | "attributeGroup" => &["ref"],
        "restriction" | "extension" => &["base"],
        "list" => &["itemType"],
        "union" => &["memberTypes"],
        "keyref" => &["refer"],
        _ => &[],
    };
    let mut out = Vec::new();
    for &a in attrs {
        if let Some(v) = n.attribute(a) {
            out.extend(v.split_ascii_whitespace().map(|q| (a, q)));
        }
    }
    out
}
