//! Where files may be read from: the entry document's folder tree, the folders allowed
//! explicitly, and local copies of schemas named by absolute URL (the catalog); and how a
//! location written in a document resolves to a path.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

/// The largest WSDL or XSD document read by default: 32 MiB.
pub const DEFAULT_MAX_DOCUMENT_BYTES: u64 = 32 << 20;

/// How files may be found, and how large they may be.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// The largest document read, in bytes: a larger one is refused before it is read.
    /// Default: [`DEFAULT_MAX_DOCUMENT_BYTES`].
    pub max_document_bytes: u64,
    /// Folders outside the entry document's folder tree that imports may read from.
    /// Default: none (only the entry document's folder and below).
    pub allow_paths: Vec<PathBuf>,
    /// Local copies of schemas that documents import by absolute URL: URL (or namespace) -> file.
    /// Default: empty.
    pub catalog: HashMap<String, PathBuf>,
    /// Tolerate common mistakes of WSDL and schema authors that have one reading only (files in
    /// another declared encoding than UTF-8, a wrong `xs:import` namespace, chameleon imports,
    /// prefixes declared elsewhere in the document), each reported as a warning. Default: false.
    pub lenient: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            max_document_bytes: DEFAULT_MAX_DOCUMENT_BYTES,
            allow_paths: Vec::new(),
            catalog: HashMap::new(),
            lenient: false,
        }
    }
}

/// The folders a load may read from and its catalog.
pub(super) struct Policy<'o> {
    /// The entry's folder and the allowed folders, with links resolved.
    allowed: Vec<PathBuf>,
    catalog: &'o HashMap<String, PathBuf>,
}

impl<'o> Policy<'o> {
    /// The policy for a load starting at `entry` (absolute and normalized).
    pub(super) fn new(entry: &Path, options: &'o LoadOptions) -> Policy<'o> {
        let root = entry.parent().map(Path::to_path_buf).unwrap_or_default();
        let root_real = std::fs::canonicalize(&root).unwrap_or_else(|_| root.clone());
        let allowed = std::iter::once(root_real)
            .chain(
                options
                    .allow_paths
                    .iter()
                    .map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())),
            )
            .collect();
        Policy {
            allowed,
            catalog: &options.catalog,
        }
    }

    /// Whether the file at `path` lies inside an allowed folder, links resolved. A file that
    /// cannot be resolved (it does not exist) is left to reading to report.
    pub(super) fn allows(&self, path: &Path) -> bool {
        match std::fs::canonicalize(path) {
            Ok(real) => self.allowed.iter().any(|a| real.starts_with(a)),
            Err(_) => true,
        }
    }

    /// The local copy the catalog maps a reference to: by its location, or by its namespace
    /// when the location is a URL.
    pub(super) fn local_copy(&self, location: &str, namespace: &str) -> Option<&'o PathBuf> {
        self.catalog
            .get(location)
            .or_else(|| self.catalog.get(namespace).filter(|_| is_url(location)))
    }
}

pub(super) fn is_url(location: &str) -> bool {
    location.contains("://") || location.starts_with("urn:")
}

/// Lexically resolves `location` against the folder of `from`. `None` for URLs.
pub(super) fn relative_to(from: &Path, location: &str) -> Option<PathBuf> {
    let location = location.strip_prefix("file://").unwrap_or(location);
    if is_url(location) {
        return None;
    }
    Some(normalize(
        &from.parent().unwrap_or(Path::new("")).join(location),
    ))
}

/// Resolves `.` and `..` lexically (the path need not exist).
pub(super) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_locations() {
        let from = Path::new("/w/a/service.wsdl");
        assert_eq!(
            relative_to(from, "xsd/t.xsd"),
            Some(PathBuf::from("/w/a/xsd/t.xsd"))
        );
        assert_eq!(
            relative_to(from, "../b/./t.xsd"),
            Some(PathBuf::from("/w/b/t.xsd"))
        );
        assert_eq!(relative_to(from, "http://example.com/t.xsd"), None);
        assert_eq!(relative_to(from, "urn:x"), None);
    }
}
