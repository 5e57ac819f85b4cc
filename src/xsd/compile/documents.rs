//! Schema documents in force: each `xs:schema` added once (per target namespace it takes on),
//! the documents it includes, imports or redefines followed, its global declarations indexed by
//! QName.

use roxmltree::Node;

use super::{Compiler, Decl, SchemaDoc, block_flags, is_xs, xs_children};
use crate::xsd::model::QName;

impl<'a, 'i> Compiler<'a, 'i> {
    /// Adds an `xs:schema` element and, transitively, what it includes and imports by location.
    /// `tns_override` is the includer's namespace for a chameleon include.
    pub fn add_schema(
        &mut self,
        docs: &'a [roxmltree::Document<'i>],
        source: usize,
        node: Node<'a, 'i>,
        tns_override: Option<&'a str>,
    ) {
        self.documents = docs;
        let own_tns = node.attribute("targetNamespace");
        let tns = own_tns.or(tns_override).unwrap_or("");
        if self
            .docs
            .iter()
            .any(|d| d.source == source && d.node == node && d.tns == tns)
        {
            return;
        }
        let doc_index = self.docs.len();
        self.docs.push(SchemaDoc {
            source,
            node,
            tns,
            elements_qualified: node.attribute("elementFormDefault") == Some("qualified"),
            attributes_qualified: node.attribute("attributeFormDefault") == Some("qualified"),
            block_default: node.attribute("blockDefault").map_or(0, block_flags),
        });
        for child in xs_children(node) {
            let name = child.tag_name().name();
            match name {
                "include" | "import" | "redefine" | "override" => {
                    self.follow(docs, source, doc_index, child);
                }
                "element" | "complexType" | "simpleType" | "group" | "attributeGroup"
                | "attribute" => self.index_global(doc_index, child),
                _ => {}
            }
        }
    }

    /// Whether a schema of the source `source` was added (in any namespace).
    pub fn has_schema_from(&self, source: usize) -> bool {
        self.docs.iter().any(|d| d.source == source)
    }

    /// An `xs:include`, `xs:import`, `xs:redefine` or `xs:override` of the schema `doc_index`
    /// (read from `source`): the document it names (by location, or a built-in schema for an
    /// imported namespace) is added, its target namespace checked against the reference.
    fn follow(
        &mut self,
        docs: &'a [roxmltree::Document<'i>],
        source: usize,
        doc_index: usize,
        child: Node<'a, 'i>,
    ) {
        let name = child.tag_name().name();
        let tns = self.docs[doc_index].tns;
        let target = child
            .attribute("schemaLocation")
            .and_then(|l| self.set.resolve(source, l.trim()));
        let target = target.or_else(|| {
            (name == "import")
                .then(|| {
                    child
                        .attribute("namespace")
                        .and_then(|ns| self.set.builtin_for(ns))
                })
                .flatten()
        });
        let Some(target) = target else { return };
        let root = docs[target].root_element();
        if !is_xs(&root, "schema") {
            if child.attribute("schemaLocation").is_some() {
                self.diag(
                    doc_index,
                    child,
                    format!(
                        "`{}` is not an XML Schema document (its root is `{}`)",
                        child.attribute("schemaLocation").unwrap_or(""),
                        root.tag_name().name()
                    ),
                );
            }
            return;
        }
        if name == "import" {
            let declared = child.attribute("namespace").unwrap_or("");
            let actual = root.attribute("targetNamespace").unwrap_or("");
            if declared != actual {
                if !self.tolerate_import(doc_index, child, target, declared, actual) {
                    self.diag(doc_index, child, format!(
                    "imports namespace `{declared}` but `{}` has targetNamespace `{actual}`",
                    child.attribute("schemaLocation").unwrap_or("")))
                    .hint = Some("the namespace attribute of xs:import must match the imported schema's targetNamespace".into());
                }
            } else if actual.is_empty() {
                self.maybe_chameleon(doc_index, child, target);
            }
            self.add_schema(docs, target, root, None);
            return;
        }
        if name == "override" {
            self.diag(
                doc_index,
                child,
                "xs:override (XML Schema 1.1) is not supported",
            )
            .hint =
                Some("use xs:redefine, or copy the overriding components into the schema".into());
        }
        let included = root.attribute("targetNamespace");
        if included.is_some() && included != Some(tns) {
            self.diag(
                doc_index,
                child,
                format!(
                    "{} schema has targetNamespace `{}`, the {} schema `{tns}`",
                    if name == "redefine" {
                        "redefined"
                    } else {
                        "included"
                    },
                    included.unwrap_or(""),
                    if name == "redefine" {
                        "redefining"
                    } else {
                        "including"
                    }
                ),
            )
            .hint = Some(format!(
                "xs:{name} needs the same target namespace (or none); use xs:import for another namespace"
            ));
            return;
        }
        self.add_schema(docs, target, root, Some(tns));
        if name == "redefine" {
            self.redefine(doc_index, child);
        }
    }

    /// A global element, type, group, attribute group or attribute declaration, indexed by its
    /// QName (the first declaration of a name wins).
    fn index_global(&mut self, doc_index: usize, child: Node<'a, 'i>) {
        let name = child.tag_name().name();
        let Some(local) = child.attribute("name") else {
            self.diag(doc_index, child, format!("global xs:{name} without a name"));
            return;
        };
        let qname = QName::new(self.docs[doc_index].tns, local);
        let decl = Decl {
            doc: doc_index,
            node: child,
        };
        let map = match name {
            "element" => &mut self.index.elements,
            "complexType" | "simpleType" => &mut self.index.types,
            "group" => &mut self.index.groups,
            "attributeGroup" => &mut self.index.attribute_groups,
            _ => &mut self.index.attributes,
        };
        map.entry(qname).or_insert(decl);
    }
}
