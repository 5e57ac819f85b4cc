//! The house's shape, checked: imports run one way only, from the outer layers to the inner ones
//! (ARCHITECTURE.md), no two files import each other through any chain, no source file is over
//! 1,000 lines and no function over 150 (tests aside). The source is parsed with `syn`, so a path
//! written anywhere (a `use`, a type, a call) counts as an import.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use syn::visit::Visit;

/// The layers, innermost first. A module may use its own layer's shared homes (`diag`, `xml`,
/// `env`) and anything further in; modules on one line are peers and must not use each other.
const LAYERS: &[&[&str]] = &[
    &["diag", "xml", "env"],
    &["sources"],
    &["xsd"],
    &["wsdl"],
    &["mapping"],
    &["soap"],
    &["convert"],
    &["traffic"],
    &["config"],
    &["upstream", "mock"],
    &["http"],
    &["cli"],
];

const MAX_FILE_LINES: usize = 1000;
const MAX_FN_LINES: usize = 150;

fn layer(top: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&top))
}

/// A source file and the module path it defines (`src/xsd/check/mod.rs` -> `xsd::check`).
struct SourceFile {
    rel: String,
    module: Vec<String>,
    ast: syn::File,
    lines: usize,
}

fn source_files(root: &Path) -> Vec<SourceFile> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let ast =
                    syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                let rel = path.strip_prefix(root).unwrap().to_path_buf();
                out.push(SourceFile {
                    module: module_of(&rel),
                    rel: format!("src/{}", rel.display()),
                    ast,
                    lines: text.lines().count(),
                });
            }
        }
    }
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    out
}

fn module_of(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap();
    let stem = last.trim_end_matches(".rs");
    if !matches!(stem, "mod" | "lib" | "main") {
        parts.push(stem.to_string());
    }
    parts
}

/// A test-only file (`mod tests;` behind `#[cfg(test)]`).
fn is_test_file(f: &SourceFile) -> bool {
    f.module
        .last()
        .is_some_and(|m| m == "tests" || m.ends_with("_tests"))
}

fn is_cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.parse_args::<syn::Meta>()
                .is_ok_and(|m| m.path().is_ident("test"))
    })
}

/// Every module path a file names (`crate::a::b`, `super::c`, `self::d`), resolved to absolute
/// segments, outside `#[cfg(test)]` items.
struct Refs<'a> {
    module: &'a [String],
    /// The inline modules entered, below the file's own.
    inner: Vec<String>,
    found: BTreeSet<Vec<String>>,
}

impl Refs<'_> {
    fn resolve(&mut self, segments: Vec<String>) {
        let mut here: Vec<String> = self.module.to_vec();
        here.extend(self.inner.iter().cloned());
        let mut it = segments.into_iter().peekable();
        let mut abs = match it.peek().map(String::as_str) {
            Some("crate") => {
                it.next();
                Vec::new()
            }
            Some("super") => {
                while it.peek().map(String::as_str) == Some("super") {
                    it.next();
                    here.pop();
                }
                here
            }
            Some("self") => {
                it.next();
                here
            }
            _ => return,
        };
        abs.extend(it);
        self.found.insert(abs);
    }
}

fn use_paths(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            use_paths(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            let mut v = prefix.clone();
            if n.ident != "self" {
                v.push(n.ident.to_string());
            }
            out.push(v);
        }
        syn::UseTree::Rename(r) => {
            let mut v = prefix.clone();
            v.push(r.ident.to_string());
            out.push(v);
        }
        syn::UseTree::Glob(_) => out.push(prefix.clone()),
        syn::UseTree::Group(g) => {
            for t in &g.items {
                use_paths(t, prefix, out);
            }
        }
    }
}

impl<'ast> Visit<'ast> for Refs<'_> {
    fn visit_item(&mut self, i: &'ast syn::Item) {
        let attrs: &[syn::Attribute] = match i {
            syn::Item::Mod(m) => &m.attrs,
            syn::Item::Fn(f) => &f.attrs,
            syn::Item::Impl(m) => &m.attrs,
            syn::Item::Use(u) => &u.attrs,
            _ => &[],
        };
        if is_cfg_test(attrs) {
            return;
        }
        if let syn::Item::Mod(m) = i
            && m.content.is_some()
        {
            self.inner.push(m.ident.to_string());
            syn::visit::visit_item(self, i);
            self.inner.pop();
            return;
        }
        syn::visit::visit_item(self, i);
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        let mut out = Vec::new();
        use_paths(&u.tree, &mut Vec::new(), &mut out);
        for p in out {
            self.resolve(p);
        }
    }

    /// `pub(super)` names who may see an item, not a module it uses.
    fn visit_visibility(&mut self, _: &'ast syn::Visibility) {}

    fn visit_path(&mut self, p: &'ast syn::Path) {
        let segments: Vec<String> = p.segments.iter().map(|s| s.ident.to_string()).collect();
        self.resolve(segments);
        syn::visit::visit_path(self, p);
    }
}

/// The file a module path lands in: the longest prefix that is a file's module.
fn file_of<'a>(path: &[String], modules: &'a BTreeMap<Vec<String>, String>) -> Option<&'a String> {
    (1..=path.len()).rev().find_map(|n| modules.get(&path[..n]))
}

#[test]
fn imports_only_go_inward_and_never_in_a_circle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = source_files(&root);
    let modules: BTreeMap<Vec<String>, String> = files
        .iter()
        .filter(|f| !f.module.is_empty())
        .map(|f| (f.module.clone(), f.rel.clone()))
        .collect();
    let mut problems = Vec::new();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let Some(top) = f.module.first() else {
            continue; // lib.rs and main.rs: the roots that name every module.
        };
        if is_test_file(f) {
            continue;
        }
        let Some(mine) = layer(top) else {
            problems.push(format!(
                "{}: module `{top}` has no layer in LAYERS (and in ARCHITECTURE.md)",
                f.rel
            ));
            continue;
        };
        let mut refs = Refs {
            module: &f.module,
            inner: Vec::new(),
            found: BTreeSet::new(),
        };
        refs.visit_file(&f.ast);
        for r in &refs.found {
            let Some(their_top) = r.first() else { continue };
            if let Some(theirs) = layer(their_top)
                && their_top != top
                && theirs >= mine
            {
                problems.push(format!(
                    "{}: `{}` reaches {} `{}` ({})",
                    f.rel,
                    top,
                    if theirs == mine {
                        "its peer"
                    } else {
                        "the outer layer"
                    },
                    r.join("::"),
                    their_top
                ));
            }
            if let Some(target) = file_of(r, &modules)
                && *target != f.rel
            {
                edges
                    .entry(f.rel.clone())
                    .or_default()
                    .insert(target.clone());
            }
        }
    }
    for cycle in cycles(&edges) {
        problems.push(format!(
            "files that import each other: {}",
            cycle.join(" -> ")
        ));
    }
    assert!(
        problems.is_empty(),
        "the layering is broken:\n{}",
        problems.join("\n")
    );
}

/// The strongly connected groups of more than one file (Tarjan's algorithm, iterative).
fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    let nodes: Vec<&String> = edges
        .keys()
        .chain(edges.values().flatten())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let index_of: BTreeMap<&String, usize> =
        nodes.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let succ: Vec<Vec<usize>> = nodes
        .iter()
        .map(|n| {
            edges
                .get(*n)
                .map(|s| s.iter().map(|t| index_of[t]).collect())
                .unwrap_or_default()
        })
        .collect();
    let n = nodes.len();
    let (mut index, mut low, mut on) = (vec![usize::MAX; n], vec![0; n], vec![false; n]);
    let (mut next, mut stack, mut out) = (0, Vec::new(), Vec::new());
    for start in 0..n {
        if index[start] != usize::MAX {
            continue;
        }
        let mut work = vec![(start, 0usize)];
        while let Some((v, i)) = work.pop() {
            if i == 0 {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on[v] = true;
            }
            if let Some(&w) = succ[v].get(i) {
                work.push((v, i + 1));
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            if low[v] == index[v] {
                let mut group = Vec::new();
                while let Some(w) = stack.pop() {
                    on[w] = false;
                    group.push(nodes[w].clone());
                    if w == v {
                        break;
                    }
                }
                if group.len() > 1 {
                    group.sort();
                    out.push(group);
                }
            }
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
        }
    }
    out
}

/// Functions with their first and last line.
struct Fns<'a> {
    file: &'a str,
    out: Vec<(String, usize)>,
}

impl Fns<'_> {
    fn check(&mut self, name: &syn::Ident, span: proc_macro2::Span) {
        let lines = span.end().line - span.start().line + 1;
        if lines > MAX_FN_LINES {
            self.out.push((name.to_string(), lines));
        }
    }
}

impl<'ast> Visit<'ast> for Fns<'_> {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if !is_cfg_test(&m.attrs) {
            syn::visit::visit_item_mod(self, m);
        }
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        if is_cfg_test(&f.attrs) {
            return;
        }
        use syn::spanned::Spanned;
        self.check(&f.sig.ident, f.span());
        syn::visit::visit_item_fn(self, f);
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        use syn::spanned::Spanned;
        self.check(&f.sig.ident, f.span());
        syn::visit::visit_impl_item_fn(self, f);
    }
}

#[test]
fn files_and_functions_stay_small() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut problems = Vec::new();
    for f in source_files(&root) {
        if is_test_file(&f) {
            continue;
        }
        if f.lines > MAX_FILE_LINES {
            problems.push(format!(
                "{}: {} lines (at most {MAX_FILE_LINES})",
                f.rel, f.lines
            ));
        }
        let mut fns = Fns {
            file: &f.rel,
            out: Vec::new(),
        };
        fns.visit_file(&f.ast);
        for (name, lines) in fns.out {
            problems.push(format!(
                "{}: fn `{name}` has {lines} lines (at most {MAX_FN_LINES})",
                fns.file
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_module_has_a_layer_and_the_layers_are_documented() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let architecture = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let tops: BTreeSet<String> = source_files(&root.join("src"))
        .into_iter()
        .filter_map(|f| f.module.first().cloned())
        .collect();
    let mut problems = Vec::new();
    for top in &tops {
        if layer(top).is_none() {
            problems.push(format!("module `{top}` has no layer"));
        }
        if !architecture.contains(&format!("`{top}`")) {
            problems.push(format!("ARCHITECTURE.md does not mention `{top}`"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
