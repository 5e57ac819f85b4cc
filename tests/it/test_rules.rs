//! Rules the tests themselves keep, checked by reading their source (as `architecture.rs` reads
//! the crate's):
//!
//! - a test whose material or tool is absent is ignored with its reason
//!   (`#[ignore = "needs SOAPBRIDGE_X"]`, run by `.ci/run` with `--include-ignored`), never
//!   passed: no test returns early when a variable is missing, and every ignored test is named
//!   (or its module) in one of `.ci/run`'s `--include-ignored` lines, so that it runs somewhere;
//! - the tests never read the user's files: the repository's `mappings/`, `wsdl/` and
//!   `soapbridge.yaml` are the user's to edit (the README says so), so tests use their own copies
//!   under `tests/` (the sample's in `tests/sample/`) and never run the binary in the repository's
//!   root, where it would read them.

use std::path::{Path, PathBuf};

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::visit::Visit;

/// Tests that return early on purpose when a variable is missing, with the reason (none today).
const MAY_RETURN_EARLY: &[(&str, &str)] = &[];

/// The user's files in the repository's root.
const USER_FILES: &[&str] = &["mappings", "wsdl", "soapbridge.yaml"];

/// Every `.rs` file under `tests/`, with its text.
fn test_sources() -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    let mut stack = vec![root.join("tests")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() && !path.ends_with("node_modules") {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((path.strip_prefix(root).unwrap().to_path_buf(), text));
            }
        }
    }
    out.sort();
    out
}

/// The tokens of a piece of syntax as text (`std :: env :: var_os ("X")`), with a space before.
fn words(tokens: TokenStream) -> String {
    format!(" {tokens}")
}

/// Whether the code reads an environment variable (directly or through one of `readers`).
fn reads_env(code: &str, readers: &[String]) -> bool {
    code.contains("var_os")
        || code.contains("env :: var")
        || readers.iter().any(|f| code.contains(&format!(" {f} (")))
}

/// Functions of the test sources that read an environment variable.
fn env_readers(files: &[(PathBuf, syn::File)]) -> Vec<String> {
    struct Readers(Vec<String>);
    impl<'ast> Visit<'ast> for Readers {
        fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
            let body = words(f.block.to_token_stream());
            if reads_env(&body, &[]) {
                self.0.push(f.sig.ident.to_string());
            }
            syn::visit::visit_item_fn(self, f);
        }
    }
    let mut r = Readers(Vec::new());
    for (_, ast) in files {
        r.visit_file(ast);
    }
    r.0
}

/// Early returns of test functions on a missing variable: `let .. = <env> else { return }`,
/// `if <env>.is_none() { return }` and `<env>?`.
struct EarlyReturns<'a> {
    file: &'a Path,
    readers: &'a [String],
    test: Option<String>,
    found: Vec<String>,
}

impl EarlyReturns<'_> {
    /// Notes an early return in the current test (or, for `?`, in any function).
    fn note(&mut self, what: &str, code: &str, anywhere: bool) {
        let test = match &self.test {
            Some(t) if MAY_RETURN_EARLY.iter().any(|(name, _)| name == t) => return,
            Some(t) => format!("test `{t}`"),
            None if anywhere => "(helper) a function".to_string(),
            None => return,
        };
        self.found.push(format!(
            "{}: {test} returns early on a missing variable ({what}: `{}`)",
            self.file.display(),
            code.split_whitespace().collect::<Vec<_>>().join(" ")
        ));
    }
}

fn is_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| a.path().is_ident("test"))
}

impl<'ast> Visit<'ast> for EarlyReturns<'_> {
    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        let outer = self.test.take();
        if is_test(&f.attrs) {
            self.test = Some(f.sig.ident.to_string());
        }
        syn::visit::visit_item_fn(self, f);
        self.test = outer;
    }

    fn visit_local(&mut self, l: &'ast syn::Local) {
        if let Some(init) = &l.init
            && let Some((_, diverge)) = &init.diverge
        {
            let value = words(init.expr.to_token_stream());
            if reads_env(&value, self.readers)
                && words(diverge.to_token_stream()).contains("return")
            {
                self.note("let-else", &value, false);
            }
        }
        syn::visit::visit_local(self, l);
    }

    fn visit_expr_if(&mut self, e: &'ast syn::ExprIf) {
        let cond = words(e.cond.to_token_stream());
        let missing = cond.contains("is_none") || cond.contains("is_err") || cond.contains('!');
        if reads_env(&cond, self.readers)
            && missing
            && words(e.then_branch.to_token_stream()).contains("return")
        {
            self.note("if", &cond, false);
        }
        syn::visit::visit_expr_if(self, e);
    }

    fn visit_expr_try(&mut self, e: &'ast syn::ExprTry) {
        let value = words(e.expr.to_token_stream());
        if value.contains("var_os") || value.contains("env :: var") {
            // `?` on a variable anywhere in the tests turns a missing one into an early return.
            self.note("`?`", &value, true);
        }
        syn::visit::visit_expr_try(self, e);
    }
}

fn parsed() -> Vec<(PathBuf, syn::File)> {
    test_sources()
        .into_iter()
        .map(|(p, text)| {
            let ast = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p, ast)
        })
        .collect()
}

#[test]
fn no_test_returns_early_on_a_missing_variable() {
    let files = parsed();
    let readers = env_readers(&files);
    let mut found = Vec::new();
    for (path, ast) in &files {
        let mut v = EarlyReturns {
            file: path,
            readers: &readers,
            test: None,
            found: Vec::new(),
        };
        v.visit_file(ast);
        found.extend(v.found);
    }
    assert!(
        found.is_empty(),
        "a test without its material must be #[ignore = \"needs SOAPBRIDGE_X\"] (run by .ci/run \
         with --include-ignored), not pass by returning early:\n{}",
        found.join("\n")
    );
}

/// The check above finds what it is meant to find.
#[test]
fn the_early_return_check_finds_each_form() {
    let source = r#"
        fn corpus() -> Option<std::path::PathBuf> { Some(std::env::var_os("X")?.into()) }
        #[test] fn a() { let Some(c) = corpus() else { return }; }
        #[test] fn b() { if std::env::var_os("X").is_none() { eprintln!("skip"); return; } }
        #[test] fn c() { let Some(c) = std::env::var_os("X") else { return; }; }
        #[test] fn d() { if std::env::var_os("UPDATE").is_some() { write(); return; } }
        #[test] fn e() { let Some(c) = std::env::var_os("X") else { panic!("needs X") }; }
    "#;
    let files = vec![(PathBuf::from("t.rs"), syn::parse_file(source).unwrap())];
    let readers = env_readers(&files);
    let mut v = EarlyReturns {
        file: Path::new("t.rs"),
        readers: &readers,
        test: None,
        found: Vec::new(),
    };
    v.visit_file(&files[0].1);
    let named = |t: &str| v.found.iter().any(|f| f.contains(t));
    assert!(named("(helper)"), "{:?}", v.found);
    assert!(
        named("`a`") && named("`b`") && named("`c`"),
        "{:?}",
        v.found
    );
    assert!(!named("`d`") && !named("`e`"), "{:?}", v.found);
}

/// Places in the test sources that reach into the repository's root for the user's files.
fn user_file_uses(path: &Path, ast: &syn::File) -> Vec<String> {
    struct Uses<'a> {
        file: &'a Path,
        found: Vec<String>,
    }
    fn names_root(code: &str) -> bool {
        code.contains("CARGO_MANIFEST_DIR") || code.contains(" root ()")
    }
    fn user_file(lit: &str) -> bool {
        USER_FILES
            .iter()
            .any(|u| lit == *u || lit.starts_with(&format!("{u}/")))
    }
    impl<'ast> Visit<'ast> for Uses<'_> {
        fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
            let receiver = words(m.receiver.to_token_stream());
            if let Some(syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            })) = m.args.first()
                && m.method == "join"
                && names_root(&receiver)
                && user_file(s.value().trim_start_matches('/'))
            {
                self.found.push(format!(
                    "{}:{}: `{}` joined to the repository's root",
                    self.file.display(),
                    s.span().start().line,
                    s.value()
                ));
            }
            let dir = words(m.args.to_token_stream());
            if m.method == "current_dir" && names_root(&dir) && !dir.contains("tests") {
                self.found.push(format!(
                    "{}:{}: a command run in the repository's root reads its mappings/ and \
                     soapbridge.yaml",
                    self.file.display(),
                    m.method.span().start().line
                ));
            }
            syn::visit::visit_expr_method_call(self, m);
        }

        fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
            let body = words(f.block.to_token_stream());
            if body.contains("CARGO_BIN_EXE_soapbridge")
                && body.contains("Command")
                && !body.contains("current_dir")
            {
                self.found.push(format!(
                    "{}: `{}` runs the binary in the repository's root (no `current_dir`), where \
                     it reads the user's mappings/ and soapbridge.yaml",
                    self.file.display(),
                    f.sig.ident
                ));
            }
            syn::visit::visit_item_fn(self, f);
        }

        fn visit_macro(&mut self, m: &'ast syn::Macro) {
            let code = words(m.tokens.clone());
            if m.path.is_ident("concat")
                && names_root(&code)
                && USER_FILES.iter().any(|u| code.contains(&format!("\"/{u}")))
            {
                self.found.push(format!(
                    "{}: `concat!` of the repository's root and a user file",
                    self.file.display()
                ));
            }
            syn::visit::visit_macro(self, m);
        }
    }
    let mut v = Uses {
        file: path,
        found: Vec::new(),
    };
    v.visit_file(ast);
    v.found
}

#[test]
fn no_test_reads_the_users_mappings_wsdl_or_settings() {
    let mut found = Vec::new();
    for (path, ast) in parsed() {
        if path.ends_with("test_rules.rs") {
            continue;
        }
        found.extend(user_file_uses(&path, &ast));
    }
    assert!(
        found.is_empty(),
        "tests must use their own copies under tests/ (the sample's in tests/sample/), never the \
         user's mappings/, wsdl/ or soapbridge.yaml:\n{}",
        found.join("\n")
    );
}

/// The check above finds what it is meant to find.
#[test]
fn the_user_file_check_finds_each_form() {
    let source = r#"
        fn root() -> &'static Path { Path::new(env!("CARGO_MANIFEST_DIR")) }
        fn a() { std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("mappings")); }
        fn b() { std::fs::read(root().join("mappings/crm.yaml")); }
        fn c() { Command::new("x").current_dir(env!("CARGO_MANIFEST_DIR")); }
        fn d() { std::fs::read(root().join("wsdl/crm.wsdl")); }
        fn e() { std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/soapbridge.yaml")); }
        fn f() { Command::new(env!("CARGO_BIN_EXE_soapbridge")).arg("check"); }
        fn fine() { std::fs::read(root().join("tests/sample/mappings")); tmp.join("mappings"); }
        fn fine_too() { Command::new(env!("CARGO_BIN_EXE_soapbridge")).current_dir(tmp); }
    "#;
    let found = user_file_uses(Path::new("t.rs"), &syn::parse_file(source).unwrap());
    assert_eq!(found.len(), 6, "{found:#?}");
}

/// Every mapping under `tests/` names a WSDL under `tests/` (the fixtures' own copies).
#[test]
fn test_mappings_name_wsdls_under_tests() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .canonicalize()
        .unwrap();
    let tests = root.join("tests");
    let mut stack = vec![tests.clone()];
    let (mut checked, mut outside) = (0, Vec::new());
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() && !path.ends_with("node_modules") {
                stack.push(path);
                continue;
            }
            if !path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            for line in text.lines() {
                let Some(named) = line.strip_prefix("wsdl: ") else {
                    continue;
                };
                let named = named.trim().trim_matches(['"', '\'']);
                if named.contains("://") || named.contains("${") {
                    continue;
                }
                checked += 1;
                let at = path.parent().unwrap().join(named);
                let at = at.canonicalize().unwrap_or(at);
                if !at.starts_with(&tests) {
                    outside.push(format!("{}: wsdl: {named}", path.display()));
                }
            }
        }
    }
    assert!(checked > 10, "only {checked} mappings found under tests/");
    assert!(
        outside.is_empty(),
        "mappings under tests/ must name the WSDL copies under tests/ (the sample's in \
         tests/sample/wsdl), not the user's wsdl/:\n{}",
        outside.join("\n")
    );
}

/// The `it` tests marked ignored (`module::...::name`), found by reading their source.
fn ignored_tests() -> Vec<String> {
    struct Ignored {
        path: Vec<String>,
        found: Vec<String>,
    }
    impl<'ast> Visit<'ast> for Ignored {
        fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
            self.path.push(m.ident.to_string());
            syn::visit::visit_item_mod(self, m);
            self.path.pop();
        }
        fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
            if is_test(&f.attrs) && f.attrs.iter().any(|a| a.path().is_ident("ignore")) {
                self.found
                    .push(format!("{}::{}", self.path.join("::"), f.sig.ident));
            }
            syn::visit::visit_item_fn(self, f);
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it");
    let mut v = Ignored {
        path: Vec::new(),
        found: Vec::new(),
    };
    for entry in std::fs::read_dir(&root).unwrap() {
        let path = entry.unwrap().path();
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if path.extension().is_none_or(|e| e != "rs") || stem == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let ast = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        v.path = vec![stem.to_string()];
        v.visit_file(&ast);
    }
    v.found.sort();
    v.found
}

/// The filters of `.ci/run`'s `cargo test --test it ... --include-ignored` lines (cargo test
/// runs a test whose name contains one of them).
fn ci_ignored_filters() -> Vec<String> {
    let run =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/run")).unwrap();
    let mut filters = Vec::new();
    for line in run.lines() {
        let code = line.split(" #").next().unwrap_or("").trim();
        if code.starts_with('#') || !code.contains("--include-ignored") {
            continue;
        }
        let Some((_, args)) = code.split_once("cargo test --test it") else {
            continue;
        };
        filters.extend(
            args.split_whitespace()
                .filter(|w| !w.starts_with('-'))
                .map(str::to_string),
        );
    }
    filters
}

/// An ignored test is run by `.ci/run` (else it never runs anywhere): each is named, or its
/// module, in one of the `--include-ignored` lines.
#[test]
fn every_ignored_test_is_run_by_ci() {
    let filters = ci_ignored_filters();
    assert!(filters.len() > 10, "{filters:?}");
    let ignored = ignored_tests();
    assert!(ignored.len() > 10, "{ignored:?}");
    let never: Vec<_> = ignored
        .iter()
        .filter(|t| !filters.iter().any(|f| t.contains(f.as_str())))
        .collect();
    assert!(
        never.is_empty(),
        "ignored tests that no `--include-ignored` line of .ci/run runs: {never:?}"
    );
}
