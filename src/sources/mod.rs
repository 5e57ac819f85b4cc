//! Reading an integrator's WSDL/XSD files: the entry document and everything it imports or
//! includes, resolved offline, relative to the importing document, inside the WSDL's folder tree.
//!
//! This is the first stage of loading. It reads and checks every file once (well-formedness,
//! reachability, safety) and keeps the texts; the later stages parse them again into
//! `roxmltree` documents that borrow from here.

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

mod builtin;

use crate::diag::{Diagnostic, Diagnostics, line_col};
use crate::xml::{WSDL, parse_options, xml_hint};
use builtin::KNOWN_SCHEMAS;

/// How deeply elements may nest in a WSDL/XSD document. Real schemas stay far below; the limit
/// keeps hostile files from exhausting the stack of the (recursive) schema compiler.
pub const MAX_DEPTH: usize = 128;

/// How many files one WSDL may pull in (the ONVIF bundle, among the largest, has 33).
pub const MAX_FILES: usize = 1000;

/// How files may be found.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Folders outside the entry document's folder tree that imports may read from.
    /// Default: none (only the entry document's folder and below).
    pub allow_paths: Vec<PathBuf>,
    /// Local copies of schemas that documents import by absolute URL: URL (or namespace) -> file.
    /// Default: empty.
    pub catalog: HashMap<String, PathBuf>,
}

/// One file's text.
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
    /// Built into soapbridge (xml.xsd, SOAP encoding): no file on disk.
    pub builtin: bool,
}

/// The entry document (index 0) and every document it reaches.
#[derive(Debug)]
pub struct SourceSet {
    pub sources: Vec<SourceFile>,
    by_path: HashMap<PathBuf, usize>,
    /// Absolute-URL locations that the catalog maps to a loaded file.
    by_url: HashMap<String, usize>,
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

    /// The built-in schema document for a namespace, if soapbridge knows one.
    pub fn builtin_for(&self, namespace: &str) -> Option<usize> {
        let (_, file, _) = KNOWN_SCHEMAS.iter().find(|(ns, _, _)| *ns == namespace)?;
        self.by_path.get(&builtin_path(file)).copied()
    }
}

fn builtin_path(file: &str) -> PathBuf {
    PathBuf::from("<builtin>").join(file)
}

/// A diagnostic at a node of a parsed source.
pub fn at(path: &Path, text: &str, pos: usize, message: impl Into<String>) -> Diagnostic {
    let (line, col) = line_col(text, pos);
    Diagnostic::new(path, line, col, message)
}

fn is_url(location: &str) -> bool {
    location.contains("://") || location.starts_with("urn:")
}

/// Lexically resolves `location` against the folder of `from`. `None` for URLs.
fn relative_to(from: &Path, location: &str) -> Option<PathBuf> {
    let location = location.strip_prefix("file://").unwrap_or(location);
    if is_url(location) {
        return None;
    }
    Some(normalize(
        &from.parent().unwrap_or(Path::new("")).join(location),
    ))
}

/// Resolves `.` and `..` lexically (the path need not exist).
fn normalize(path: &Path) -> PathBuf {
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

struct Pending {
    path: PathBuf,
    /// (source, byte offset, location as written) of the reference; `None` for the entry.
    from: Option<(usize, usize, String)>,
    wsdl_import: bool,
    /// An `xs:redefine` holding only annotations: a file that cannot be read redefines
    /// nothing and is skipped (XML Schema 1.0 src-redefine.1 only requires the file when
    /// something is redefined).
    optional: bool,
}

/// Parses every collected file (each was checked well-formed while collecting; a second failure
/// is still reported, with its place).
pub fn parse_all(set: &SourceSet) -> Result<Vec<roxmltree::Document<'_>>, Diagnostics> {
    let mut docs = Vec::with_capacity(set.sources.len());
    let mut diags = Vec::new();
    for s in &set.sources {
        match roxmltree::Document::parse_with_options(&s.text, parse_options()) {
            Ok(d) => docs.push(d),
            Err(e) => {
                let p = e.pos();
                diags.push(
                    Diagnostic::new(&s.path, p.row, p.col, format!("not well-formed XML: {e}"))
                        .hint(xml_hint(&e)),
                );
            }
        }
    }
    if diags.is_empty() {
        Ok(docs)
    } else {
        Err(Diagnostics(diags))
    }
}

/// Reads `entry` and everything it imports. Every problem is reported, not just the first.
pub fn collect(entry: &Path, options: &LoadOptions) -> Result<SourceSet, Diagnostics> {
    let entry_abs = std::path::absolute(entry).unwrap_or_else(|_| entry.to_path_buf());
    let entry_abs = normalize(&entry_abs);
    let root = entry_abs
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let root_real = std::fs::canonicalize(&root).unwrap_or_else(|_| root.clone());
    let allowed: Vec<PathBuf> = std::iter::once(root_real)
        .chain(
            options
                .allow_paths
                .iter()
                .map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())),
        )
        .collect();

    let mut set = SourceSet {
        sources: Vec::new(),
        by_path: HashMap::new(),
        by_url: HashMap::new(),
    };
    let mut diags = Vec::new();
    let mut queue = vec![Pending {
        path: entry_abs,
        from: None,
        wsdl_import: true,
        optional: false,
    }];
    // wsdl:import edges, to report cycles.
    let mut wsdl_edges: Vec<(usize, usize, usize)> = Vec::new();
    // Absolute-URL imports not in the catalog: (source, offset, namespace, url).
    let mut url_imports: Vec<(usize, usize, String, String)> = Vec::new();
    let mut namespaces_loaded: HashSet<String> = HashSet::new();
    // Where each queued URL came from (so a catalog entry maps it).
    let mut url_of_path: HashMap<PathBuf, String> = HashMap::new();

    while let Some(item) = queue.pop() {
        if let Some(&existing) = set.by_path.get(&item.path) {
            if let (true, Some((from, off, _))) = (item.wsdl_import, &item.from) {
                wsdl_edges.push((*from, existing, *off));
            }
            continue;
        }
        let ref_diag = |message: String| match &item.from {
            Some((from, off, _)) => at(
                &set.sources[*from].path,
                &set.sources[*from].text,
                *off,
                message,
            ),
            None => Diagnostic::new(&item.path, 0, 0, message),
        };
        let real = std::fs::canonicalize(&item.path);
        if let (Ok(real), Some((_, _, location))) = (&real, &item.from)
            && !allowed.iter().any(|a| real.starts_with(a))
        {
            diags.push(
                ref_diag(format!(
                    "`{location}` points outside the WSDL's folder tree"
                ))
                .hint(
                    "copy the file next to the WSDL, or allow its folder explicitly (--allow-path)",
                ),
            );
            continue;
        }
        let text = match std::fs::read(&item.path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(t) => t,
                Err(_) => {
                    diags.push(
                        ref_diag(format!("`{}` is not UTF-8", item.path.display()))
                            .hint("convert the file to UTF-8 (e.g. with iconv)"),
                    );
                    continue;
                }
            },
            Err(_) if item.optional => continue,
            Err(e) => {
                let what = match &item.from {
                    Some((_, _, location)) => format!(
                        "cannot read `{location}` (resolved to `{}`): {e}",
                        item.path.display()
                    ),
                    None => format!("cannot read the file: {e}"),
                };
                diags.push(ref_diag(what).hint(
                    "imports are resolved relative to the importing document; check the path",
                ));
                continue;
            }
        };
        let text = text
            .strip_prefix('\u{feff}')
            .map(str::to_string)
            .unwrap_or(text);
        let index = set.sources.len();
        if index >= MAX_FILES {
            diags.push(ref_diag(format!("more than {MAX_FILES} files are imported")).hint("no real service needs this many; check for a generated or hostile import chain"));
            break;
        }
        if let (true, Some((from, off, _))) = (item.wsdl_import, &item.from) {
            wsdl_edges.push((*from, index, *off));
        }
        set.by_path.insert(item.path.clone(), index);
        if let Some(url) = url_of_path.get(&item.path) {
            set.by_url.insert(url.clone(), index);
        }
        set.sources.push(SourceFile {
            path: item.path.clone(),
            text,
            builtin: false,
        });

        let source = &set.sources[index];
        let doc = match roxmltree::Document::parse_with_options(&source.text, parse_options()) {
            Ok(doc) => doc,
            Err(e) => {
                let p = e.pos();
                diags.push(
                    Diagnostic::new(
                        &source.path,
                        p.row,
                        p.col,
                        format!("not well-formed XML: {e}"),
                    )
                    .hint(xml_hint(&e)),
                );
                continue;
            }
        };
        if let Some(deep) = too_deep(&doc) {
            diags.push(at(&source.path, &source.text, deep.range().start, format!("elements nest deeper than {MAX_DEPTH} levels"))
                .hint("no real WSDL or schema nests this deep; the file is refused to keep the compiler's stack bounded"));
            continue;
        }
        for node in doc.descendants().filter(|n| n.is_element()) {
            let ns = node.tag_name().namespace().unwrap_or("");
            let name = node.tag_name().name();
            if crate::xml::is_xs_ns(ns) && name == "schema" {
                namespaces_loaded
                    .insert(node.attribute("targetNamespace").unwrap_or("").to_string());
            }
            let (location, wsdl_import) = match (ns, name) {
                (WSDL, "import") => (node.attribute("location"), true),
                (ns, "import" | "include" | "redefine" | "override")
                    if crate::xml::is_xs_ns(ns) =>
                {
                    (node.attribute("schemaLocation"), false)
                }
                _ => continue,
            };
            let Some(location) = location.map(str::trim).filter(|l| !l.is_empty()) else {
                continue;
            };
            let off = node.range().start;
            let namespace = node.attribute("namespace").unwrap_or("");
            let optional = name == "redefine"
                && !wsdl_import
                && node
                    .children()
                    .all(|c| !c.is_element() || c.tag_name().name() == "annotation");
            if let Some(local) = options
                .catalog
                .get(location)
                .or_else(|| options.catalog.get(namespace).filter(|_| is_url(location)))
            {
                url_of_path.insert(local.clone(), location.to_string());
                queue.push(Pending {
                    path: local.clone(),
                    from: Some((index, off, location.to_string())),
                    wsdl_import,
                    optional,
                });
                continue;
            }
            match relative_to(&source.path, location) {
                Some(path) => queue.push(Pending {
                    path,
                    from: Some((index, off, location.to_string())),
                    wsdl_import,
                    optional,
                }),
                None => url_imports.push((index, off, namespace.to_string(), location.to_string())),
            }
        }
    }

    for (ns, file, text) in KNOWN_SCHEMAS {
        set.by_path.insert(builtin_path(file), set.sources.len());
        set.sources.push(SourceFile {
            path: builtin_path(file),
            text: text.to_string(),
            builtin: true,
        });
        namespaces_loaded.insert(ns.to_string());
    }

    for (from, off, namespace, url) in url_imports {
        if !namespace.is_empty() && namespaces_loaded.contains(&namespace) {
            continue; // another document (inline or local) provides this namespace
        }
        let s = &set.sources[from];
        diags.push(
            at(&s.path, &s.text, off, format!("cannot resolve `{url}` offline (soapbridge never fetches from the network)"))
                .hint(format!(
                    "save a copy of that schema beside the WSDL and map the URL to it in a catalog (--catalog FILE with a line `{url} = local.xsd`)"
                )),
        );
    }

    report_wsdl_cycles(&set, &wsdl_edges, &mut diags);
    if diags.is_empty() {
        Ok(set)
    } else {
        Err(Diagnostics(diags))
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

fn report_wsdl_cycles(
    set: &SourceSet,
    edges: &[(usize, usize, usize)],
    diags: &mut Vec<Diagnostic>,
) {
    // A cycle among wsdl:imports means a definitions document imports itself: report each
    // edge that closes one.
    let n = set.sources.len();
    let mut adj = vec![Vec::new(); n];
    for &(a, b, off) in edges {
        adj[a].push((b, off));
    }
    // 0 = unseen, 1 = on stack, 2 = done
    let mut state = vec![0u8; n];
    fn dfs(
        v: usize,
        adj: &[Vec<(usize, usize)>],
        state: &mut [u8],
        stack: &mut Vec<usize>,
        set: &SourceSet,
        diags: &mut Vec<Diagnostic>,
    ) {
        state[v] = 1;
        stack.push(v);
        for &(w, off) in &adj[v] {
            if state[w] == 1 {
                let start = stack.iter().position(|&x| x == w).unwrap_or(0);
                let chain: Vec<String> = stack[start..]
                    .iter()
                    .chain(std::iter::once(&w))
                    .map(|&i| {
                        set.sources[i]
                            .path
                            .file_name()
                            .map(|f| f.to_string_lossy().into_owned())
                            .unwrap_or_default()
                    })
                    .collect();
                let s = &set.sources[v];
                diags.push(
                    at(&s.path, &s.text, off, format!("wsdl:import cycle: {}", chain.join(" -> ")))
                        .hint("a WSDL document must not import itself, directly or through others; remove one of these imports"),
                );
            } else if state[w] == 0 {
                dfs(w, adj, state, stack, set, diags);
            }
        }
        stack.pop();
        state[v] = 2;
    }
    let mut stack = Vec::new();
    for v in 0..n {
        if state[v] == 0 {
            dfs(v, &adj, &mut state, &mut stack, set, diags);
        }
    }
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
