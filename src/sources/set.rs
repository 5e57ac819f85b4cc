//! The files a load read: each one's path and text, found again by path or catalog URL; parsed
//! again into documents by [`parse_all`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::builtin::KNOWN_SCHEMAS;
use super::policy::relative_to;
use super::standard::STANDARD_SCHEMAS;
use crate::diag::{Diagnostic, Diagnostics, line_col};
use crate::xml::{parse_options, xml_hint};

/// One file's text.
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
    /// Built into soapbridge (xml.xsd, SOAP encoding, a standard schema): no file on disk.
    pub builtin: bool,
}

/// The entry document (index 0) and every document it reaches.
#[derive(Debug)]
pub struct SourceSet {
    pub sources: Vec<SourceFile>,
    pub(super) by_path: HashMap<PathBuf, usize>,
    /// Absolute-URL locations that the catalog maps to a loaded file.
    pub(super) by_url: HashMap<String, usize>,
    /// Loaded in lenient mode ([`super::LoadOptions::lenient`]): the later stages tolerate too.
    pub lenient: bool,
    /// What lenient mode tolerated while reading (a file in another encoding), as warnings.
    pub warnings: Vec<Diagnostic>,
}

impl SourceSet {
    /// The source index a reference from `from` (a source index) with `location` resolves to.
    pub fn resolve(&self, from: usize, location: &str) -> Option<usize> {
        if let Some(&i) = self.by_url.get(location) {
            return Some(i);
        }
        let path = relative_to(&self.sources[from].path, location)?;
        self.by_path.get(&path).copied()
    }

    /// The built-in schema document for a namespace, if soapbridge knows one and it is loaded.
    pub fn builtin_for(&self, namespace: &str) -> Option<usize> {
        let (_, file, _) = KNOWN_SCHEMAS
            .iter()
            .chain(STANDARD_SCHEMAS)
            .find(|(ns, _, _)| *ns == namespace)?;
        self.by_path.get(&builtin_path(file)).copied()
    }
}

/// The path a built-in schema is known by.
pub(super) fn builtin_path(file: &str) -> PathBuf {
    PathBuf::from("<builtin>").join(file)
}

/// A diagnostic at a node of a parsed source.
pub fn at(path: &Path, text: &str, pos: usize, message: impl Into<String>) -> Diagnostic {
    let (line, col) = line_col(text, pos);
    Diagnostic::new(path, line, col, message)
}

/// The problem of a file that is not well-formed XML, at its place.
pub(super) fn not_well_formed(path: &Path, e: &roxmltree::Error) -> Diagnostic {
    let p = e.pos();
    Diagnostic::new(path, p.row, p.col, format!("not well-formed XML: {e}")).hint(xml_hint(e))
}

/// Parses every collected file (each was checked well-formed while collecting; a second failure
/// is still reported, with its place).
pub fn parse_all(set: &SourceSet) -> Result<Vec<roxmltree::Document<'_>>, Diagnostics> {
    let mut docs = Vec::with_capacity(set.sources.len());
    let mut diags = Vec::new();
    for s in &set.sources {
        match roxmltree::Document::parse_with_options(&s.text, parse_options()) {
            Ok(d) => docs.push(d),
            Err(e) => diags.push(not_well_formed(&s.path, &e)),
        }
    }
    if diags.is_empty() {
        Ok(docs)
    } else {
        Err(Diagnostics(diags))
    }
}
