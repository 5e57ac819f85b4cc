//! [`collect`]: the entry document and every document it reaches, read one at a time and each
//! checked once (inside the allowed folders, within the size limit, UTF-8 or, when lenient, its
//! declared encoding, well-formed, not nested too deep), its references followed; then the
//! built-in schemas and the URLs that cannot be read offline.
//!
//! Every file is read once, known by its real path (links resolved): documents that import each
//! other (`wsdl:import` cycles are legal WSDL 1.1) or a folder that links to itself cannot make
//! the reading go round.

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use super::builtin::KNOWN_SCHEMAS;
use super::encoding::{NotText, decode};
use super::policy::{LoadOptions, Policy, normalize};
use super::references::{Frontier, Pending};
use super::set::{SourceFile, SourceSet, at, builtin_path, not_well_formed};
use crate::diag::{Diagnostic, Diagnostics};
use crate::xml::parse_options;

/// How deeply elements may nest in a WSDL/XSD document. Real schemas stay far below; the limit
/// keeps hostile files from exhausting the stack of the (recursive) schema compiler.
pub const MAX_DEPTH: usize = 128;

/// How many files one WSDL may pull in (the ONVIF bundle, among the largest, has 33).
pub const MAX_FILES: usize = 1000;

/// Reads `entry` and everything it imports. Every problem is reported, not just the first; what
/// lenient mode tolerated is in [`SourceSet::warnings`].
pub fn collect(entry: &Path, options: &LoadOptions) -> Result<SourceSet, Diagnostics> {
    let entry_abs = std::path::absolute(entry).unwrap_or_else(|_| entry.to_path_buf());
    let entry_abs = normalize(&entry_abs);
    let mut c = Collector {
        policy: Policy::new(&entry_abs, options),
        set: SourceSet {
            sources: Vec::new(),
            by_path: Default::default(),
            by_url: Default::default(),
            lenient: options.lenient,
            warnings: Vec::new(),
        },
        diags: Vec::new(),
        frontier: Frontier::default(),
        by_real: HashMap::new(),
        max_bytes: options.max_document_bytes,
    };
    c.frontier.queue.push(Pending {
        path: entry_abs,
        from: None,
        optional: false,
    });
    while let Some(item) = c.frontier.queue.pop() {
        if c.read(item).is_break() {
            break;
        }
    }
    c.add_builtins();
    c.frontier.report_unresolved_urls(&c.set, &mut c.diags);
    if c.diags.is_empty() {
        Ok(c.set)
    } else {
        Err(Diagnostics(c.diags))
    }
}

/// A load in progress.
struct Collector<'o> {
    policy: Policy<'o>,
    set: SourceSet,
    diags: Vec<Diagnostic>,
    frontier: Frontier,
    /// The sources read, by real path (links resolved).
    by_real: HashMap<PathBuf, usize>,
    /// The largest document read, bytes.
    max_bytes: u64,
}

/// Why a document was not read whole.
enum Unread {
    /// Is raised when the document is larger than the limit (its size when known, else more
    /// than the limit): nothing past the limit was read.
    TooLarge(Option<u64>),
    /// Is raised when the file cannot be opened or read.
    Io(std::io::Error),
}

/// A file's bytes, at most `max` of them: its size is checked before it is read, and reading
/// stops past `max` (for a file that grows, or is not a regular file).
fn read_limited(path: &Path, max: u64) -> Result<Vec<u8>, Unread> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(Unread::Io)?;
    let size = file.metadata().map_err(Unread::Io)?.len();
    if size > max {
        return Err(Unread::TooLarge(Some(size)));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(Unread::Io)?;
    if bytes.len() as u64 > max {
        return Err(Unread::TooLarge(None));
    }
    Ok(bytes)
}

impl Collector<'_> {
    /// Reads one pending file (unless it was read already, under this path or another that
    /// leads to the same file), keeps it and follows its references. Breaks when more than
    /// [`MAX_FILES`] files are imported.
    fn read(&mut self, item: Pending) -> ControlFlow<()> {
        if self.set.by_path.contains_key(&item.path) {
            return ControlFlow::Continue(());
        }
        let real = std::fs::canonicalize(&item.path).ok();
        if let Some(&existing) = real.as_ref().and_then(|r| self.by_real.get(r)) {
            self.set.by_path.insert(item.path, existing);
            return ControlFlow::Continue(());
        }
        let Some(text) = self.text(&item) else {
            return ControlFlow::Continue(());
        };
        let index = self.set.sources.len();
        if index >= MAX_FILES {
            let d = self.ref_diag(&item, format!("more than {MAX_FILES} files are imported")).hint("no real service needs this many; check for a generated or hostile import chain");
            self.diags.push(d);
            return ControlFlow::Break(());
        }
        if let Some(real) = real {
            self.by_real.insert(real, index);
        }
        self.set.by_path.insert(item.path.clone(), index);
        if let Some(url) = self.frontier.url_of_path.get(&item.path) {
            self.set.by_url.insert(url.clone(), index);
        }
        self.set.sources.push(SourceFile {
            path: item.path,
            text,
            builtin: false,
        });
        self.follow(index);
        ControlFlow::Continue(())
    }

    /// A pending file's text, its byte-order mark dropped. Refused (and reported) outside the
    /// allowed folders, when it cannot be read (quietly skipped when optional) or is not UTF-8
    /// (in lenient mode: not in the encoding it declares; decoded and reported when it is).
    fn text(&mut self, item: &Pending) -> Option<String> {
        if let Some((_, _, location)) = &item.from
            && !self.policy.allows(&item.path)
        {
            let d = self
                .ref_diag(
                    item,
                    format!("`{location}` points outside the WSDL's folder tree"),
                )
                .hint(
                    "copy the file next to the WSDL, or allow its folder explicitly (--allow-path)",
                );
            self.diags.push(d);
            return None;
        }
        let text = match read_limited(&item.path, self.max_bytes) {
            Ok(bytes) => match decode(bytes, self.set.lenient) {
                Ok((text, None)) => text,
                Ok((text, Some(encoding))) => {
                    let d = self
                        .ref_diag(
                            item,
                            format!(
                                "`{}` is in {encoding}, not UTF-8; read in {encoding}, as it declares (lenient)",
                                item.path.display()
                            ),
                        )
                        .hint("convert the file to UTF-8 (e.g. with iconv) to load it without --lenient")
                        .warning();
                    self.set.warnings.push(d);
                    text
                }
                Err(e) => {
                    let d = self.not_text(item, e);
                    self.diags.push(d);
                    return None;
                }
            },
            Err(Unread::TooLarge(size)) => {
                let size = size.map_or_else(|| "more".to_string(), |n| format!("{n} bytes"));
                let what = match &item.from {
                    Some((_, _, location)) => format!("`{location}`"),
                    None => "the file".to_string(),
                };
                let d = self
                    .ref_diag(
                        item,
                        format!(
                            "{what} is too large to load: {size}, over the limit of {} bytes per WSDL or XSD document",
                            self.max_bytes
                        ),
                    )
                    .hint("if the file is trusted, raise `limits.document_bytes` in soapbridge.yaml or pass `--max-document-bytes`");
                self.diags.push(d);
                return None;
            }
            Err(Unread::Io(_)) if item.optional => return None,
            Err(Unread::Io(e)) => {
                let what = match &item.from {
                    Some((_, _, location)) => format!(
                        "cannot read `{location}` (resolved to `{}`): {e}",
                        item.path.display()
                    ),
                    None => format!("cannot read the file: {e}"),
                };
                let d = self.ref_diag(item, what).hint(
                    "imports are resolved relative to the importing document; check the path",
                );
                self.diags.push(d);
                return None;
            }
        };
        Some(
            text.strip_prefix('\u{feff}')
                .map(str::to_string)
                .unwrap_or(text),
        )
    }

    /// The problem of a file whose bytes are not text in its encoding.
    fn not_text(&self, item: &Pending, e: NotText) -> Diagnostic {
        let shown = item.path.display();
        match e {
            NotText::NotUtf8 { declared: None } => self
                .ref_diag(item, format!("`{shown}` is not UTF-8"))
                .hint("convert the file to UTF-8 (e.g. with iconv)"),
            NotText::NotUtf8 { declared: Some(encoding) } => self
                .ref_diag(item, format!("`{shown}` is not UTF-8"))
                .hint(format!(
                    "it declares {encoding}: convert it to UTF-8 (e.g. with iconv -f {encoding} -t UTF-8), or load it with --lenient (`lenient: true` in the mapping) to read it as {encoding}"
                )),
            NotText::Invalid(encoding) => self
                .ref_diag(item, format!("`{shown}` is not valid {encoding}, the encoding it declares"))
                .hint("convert the file to UTF-8 (e.g. with iconv) and fix its XML declaration"),
        }
    }

    /// A problem with a pending file, at the reference that named it (the entry: the file).
    fn ref_diag(&self, item: &Pending, message: String) -> Diagnostic {
        match &item.from {
            Some((from, off, _)) => at(
                &self.set.sources[*from].path,
                &self.set.sources[*from].text,
                *off,
                message,
            ),
            None => Diagnostic::new(&item.path, 0, 0, message),
        }
    }

    /// Parses the source `index` (refusing a file that is not well-formed or nests too deep)
    /// and notes what its elements reference.
    fn follow(&mut self, index: usize) {
        let source = &self.set.sources[index];
        if let Err(r) = crate::xml::scan(&source.text, &crate::xml::XmlLimits::DOCUMENT) {
            self.diags.push(refused(&source.path, &source.text, r));
            return;
        }
        let doc = match roxmltree::Document::parse_with_options(&source.text, parse_options()) {
            Ok(doc) => doc,
            Err(e) => {
                self.diags.push(not_well_formed(&source.path, &e));
                return;
            }
        };
        if let Some(deep) = too_deep(&doc) {
            self.diags.push(at(&source.path, &source.text, deep.range().start, format!("elements nest deeper than {MAX_DEPTH} levels"))
                .hint("no real WSDL or schema nests this deep; the file is refused to keep the compiler's stack bounded"));
            return;
        }
        for node in doc.descendants().filter(|n| n.is_element()) {
            self.frontier.note(&self.policy, index, &source.path, node);
        }
    }

    /// The schemas soapbridge knows without a file, after every file read; their namespaces
    /// count as loaded.
    fn add_builtins(&mut self) {
        for (ns, file, text) in KNOWN_SCHEMAS {
            self.set
                .by_path
                .insert(builtin_path(file), self.set.sources.len());
            self.set.sources.push(SourceFile {
                path: builtin_path(file),
                text: text.to_string(),
                builtin: true,
            });
            self.frontier.namespaces_loaded.insert(ns.to_string());
        }
    }
}

/// A document that passes a limit of [`crate::xml::XmlLimits::DOCUMENT`], at the place (seen
/// before it is parsed, in one linear pass).
fn refused(path: &Path, text: &str, r: crate::xml::Refused) -> Diagnostic {
    match r.breach {
        crate::xml::Breach::Depth(n) => at(path, text, r.offset, format!("elements nest deeper than {n} levels"))
            .hint("no real WSDL or schema nests this deep; the file is refused to keep the compiler's stack bounded"),
        b => at(path, text, r.offset, format!("the document {b}"))
            .hint("no real WSDL or schema comes near this limit; the file is refused before it is parsed, to keep loading time bounded"),
    }
}

/// The first element nested deeper than [`MAX_DEPTH`], if any (iterative: no recursion).
fn too_deep<'a, 'i>(doc: &'a roxmltree::Document<'i>) -> Option<roxmltree::Node<'a, 'i>> {
    // Document order visits a parent before its children, so each depth is known in one pass.
    let mut depths = vec![0u32; doc.descendants().count() + 1];
    for n in doc.descendants() {
        let parent = n.parent().map_or(0, |p| depths[p.id().get() as usize]);
        let d = parent + u32::from(n.is_element());
        depths[n.id().get() as usize] = d;
        if d as usize > MAX_DEPTH {
            return Some(n);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEFS: &str =
        r#"<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" targetNamespace="urn:x">"#;

    #[test]
    fn documents_that_import_each_other_are_read_once() {
        let dir = tempfile::tempdir().unwrap();
        let a = format!(r#"{DEFS}<import namespace="urn:x" location="b.wsdl"/></definitions>"#);
        let b = format!(r#"{DEFS}<import namespace="urn:x" location="./a.wsdl"/></definitions>"#);
        std::fs::write(dir.path().join("a.wsdl"), a).unwrap();
        std::fs::write(dir.path().join("b.wsdl"), b).unwrap();
        let set = collect(&dir.path().join("a.wsdl"), &LoadOptions::default()).unwrap();
        let files: Vec<_> = set.sources.iter().filter(|s| !s.builtin).collect();
        assert_eq!(files.len(), 2);
    }

    #[cfg(unix)]
    #[test]
    fn a_folder_linking_to_itself_cannot_make_the_reading_go_round() {
        // `loop/` is the folder itself: `loop/a.wsdl`, `loop/loop/a.wsdl`, ... are one file.
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(dir.path(), dir.path().join("loop")).unwrap();
        let a =
            format!(r#"{DEFS}<import namespace="urn:x" location="loop/a.wsdl"/></definitions>"#);
        std::fs::write(dir.path().join("a.wsdl"), a).unwrap();
        let set = collect(&dir.path().join("a.wsdl"), &LoadOptions::default()).unwrap();
        assert_eq!(set.sources.iter().filter(|s| !s.builtin).count(), 1);
        let imported = set.resolve(0, "loop/a.wsdl");
        assert_eq!(imported, Some(0));
    }

    #[test]
    fn a_file_in_its_declared_encoding_only_when_lenient() {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = br#"<?xml version="1.0" encoding="ISO-8859-1"?>"#.to_vec();
        bytes.extend(format!("{DEFS}<documentation>").as_bytes());
        bytes.extend(b"Gr\xfc\xdfe</documentation></definitions>");
        std::fs::write(dir.path().join("a.wsdl"), bytes).unwrap();
        let entry = dir.path().join("a.wsdl");
        let err = collect(&entry, &LoadOptions::default()).unwrap_err();
        assert!(err.to_string().contains("is not UTF-8"), "{err}");
        assert!(err.to_string().contains("--lenient"), "{err}");
        let lenient = LoadOptions {
            lenient: true,
            ..LoadOptions::default()
        };
        let set = collect(&entry, &lenient).unwrap();
        assert!(set.sources[0].text.contains("Grüße"));
        assert_eq!(set.warnings.len(), 1);
        assert!(set.warnings[0].is_warning());
        assert!(set.warnings[0].to_string().contains("ISO-8859-1"));
    }
}
