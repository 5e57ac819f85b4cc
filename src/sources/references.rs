//! A document's references to other files: `wsdl:import` by `location`, and `xs:import`,
//! `xs:include`, `xs:redefine` and `xs:override` by `schemaLocation`. Each is queued to be read
//! (the catalog's local copy, or the location relative to the document) or kept as a URL that
//! cannot be read offline, reported at the end unless another document or a standard schema
//! provides its namespace.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use roxmltree::Node;

use super::policy::{Policy, relative_to};
use super::set::{SourceSet, at};
use super::standard::standard_schema;
use crate::diag::Diagnostic;
use crate::xml::{WSDL, is_xs_ns};

/// A file to read and what pointed to it.
pub(super) struct Pending {
    pub(super) path: PathBuf,
    /// (source, byte offset, location as written) of the reference; `None` for the entry.
    pub(super) from: Option<(usize, usize, String)>,
    /// An `xs:redefine` holding only annotations: a file that cannot be read redefines
    /// nothing and is skipped (XML Schema 1.0 src-redefine.1 only requires the file when
    /// something is redefined).
    pub(super) optional: bool,
}

/// What the documents read so far point to.
#[derive(Default)]
pub(super) struct Frontier {
    /// The files still to read, the last queued first.
    pub(super) queue: Vec<Pending>,
    /// Absolute-URL imports not in the catalog: (source, offset, namespace, url).
    url_imports: Vec<(usize, usize, String, String)>,
    /// The target namespaces of the schemas read (inline ones included) and the built-in ones.
    pub(super) namespaces_loaded: HashSet<String>,
    /// Where each queued URL came from (so a catalog entry maps it).
    pub(super) url_of_path: HashMap<PathBuf, String>,
    /// Namespaces imported by URL or by namespace alone that a standard schema provides (added
    /// at the end unless a file read provides them).
    pub(super) standard_wanted: Vec<String>,
}

impl Frontier {
    /// Notes an element of the source `from` (read from `path`): a schema's target namespace,
    /// or a reference to another file.
    pub(super) fn note(&mut self, policy: &Policy, from: usize, path: &Path, node: Node) {
        let ns = node.tag_name().namespace().unwrap_or("");
        let name = node.tag_name().name();
        if is_xs_ns(ns) && name == "schema" {
            self.namespaces_loaded
                .insert(node.attribute("targetNamespace").unwrap_or("").to_string());
        }
        let (location, wsdl_import) = match (ns, name) {
            (WSDL, "import") => (node.attribute("location"), true),
            (ns, "import" | "include" | "redefine" | "override") if is_xs_ns(ns) => {
                (node.attribute("schemaLocation"), false)
            }
            _ => return,
        };
        let namespace = node.attribute("namespace").unwrap_or("");
        let Some(location) = location.map(str::trim).filter(|l| !l.is_empty()) else {
            if !wsdl_import && name == "import" {
                self.want_standard(namespace);
            }
            return;
        };
        let off = node.range().start;
        let optional = name == "redefine"
            && !wsdl_import
            && node
                .children()
                .all(|c| !c.is_element() || c.tag_name().name() == "annotation");
        if let Some(local) = policy.local_copy(location, namespace) {
            self.url_of_path.insert(local.clone(), location.to_string());
            self.queue.push(Pending {
                path: local.clone(),
                from: Some((from, off, location.to_string())),
                optional,
            });
            return;
        }
        match relative_to(path, location) {
            Some(path) => self.queue.push(Pending {
                path,
                from: Some((from, off, location.to_string())),
                optional,
            }),
            None => {
                if !wsdl_import && name == "import" {
                    self.want_standard(namespace);
                }
                self.url_imports
                    .push((from, off, namespace.to_string(), location.to_string()))
            }
        }
    }

    /// Notes that a standard schema may be needed for `namespace` (if soapbridge knows one).
    pub(super) fn want_standard(&mut self, namespace: &str) {
        if standard_schema(namespace).is_some()
            && !self.standard_wanted.iter().any(|n| n == namespace)
        {
            self.standard_wanted.push(namespace.to_string());
        }
    }

    /// Reports each absolute-URL import that neither the catalog nor another document (inline
    /// or local, or a built-in schema) provides.
    pub(super) fn report_unresolved_urls(&self, set: &SourceSet, diags: &mut Vec<Diagnostic>) {
        for (from, off, namespace, url) in &self.url_imports {
            if !namespace.is_empty() && self.namespaces_loaded.contains(namespace) {
                continue; // another document (inline or local) provides this namespace
            }
            let s = &set.sources[*from];
            diags.push(
                at(&s.path, &s.text, *off, format!("cannot resolve `{url}` offline (soapbridge never fetches from the network)"))
                    .hint(format!(
                        "save a copy of that schema beside the WSDL and map the URL to it in a catalog (--catalog FILE with a line `{url} = local.xsd`)"
                    )),
            );
        }
    }
}
