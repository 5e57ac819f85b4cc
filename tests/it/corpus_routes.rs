//! The routes `generate` writes, pinned in snapshots so that every change to route generation is
//! reviewed: for every corpus WSDL that loads (`SOAPBRIDGE_CORPUS`, the entries of
//! `tests/it/corpus.rs`), and for our own fixture of operation names (always run).
//!
//! One line per operation: the method and full path (base path included), the query parameters
//! after `?` (those filling a value inside a body object too), `<- KEY` for the input that is
//! the whole JSON body, the success status when it is
//! not 200, and the operation's name.

use std::path::Path;

use soapbridge::mapping::CompiledMapping;
use soapbridge::mapping::compile::compile_str;
use soapbridge::mapping::generate::{generate, select};
use soapbridge::mapping::route::InputSource;
use soapbridge::sources::LoadOptions;

use crate::corpus::{ENTRIES, Expect, compile_entry, corpus};

/// The routes of a compiled mapping, one line each, in the order of the binding.
pub(crate) fn route_lines(compiled: &CompiledMapping) -> String {
    let mut out = String::new();
    for r in &compiled.routes {
        let query: Vec<&str> = r
            .inputs
            .iter()
            .map(|i| &i.source)
            .chain(r.nested.iter().map(|n| &n.source))
            .filter_map(|s| match s {
                InputSource::Query(q) => Some(q.as_str()),
                _ => None,
            })
            .collect();
        let mut line = format!("{} {}", r.method.as_str(), r.path);
        if !query.is_empty() {
            line.push('?');
            line.push_str(&query.join("&"));
        }
        if let Some(b) = r.body_field() {
            line.push_str(&format!(" <- {b}"));
        }
        if r.status != 200 {
            line.push_str(&format!(" {}", r.status));
        }
        out.push_str(&format!("{line}  ({})\n", r.operation));
    }
    out
}

#[test]
#[ignore = "needs SOAPBRIDGE_CORPUS"]
fn every_corpus_wsdl_routes_are_pinned() {
    let corpus = corpus();
    let wsdl_dir = corpus.join("wsdl");
    let tmp = tempfile::tempdir().unwrap();
    let mut all = String::new();
    for (entry, expect) in ENTRIES {
        if matches!(expect, Expect::Error(..)) {
            continue;
        }
        let compiled = compile_entry(&wsdl_dir, entry, tmp.path())
            .unwrap_or_else(|e| panic!("{entry} no longer compiles: {e}"));
        all.push_str(&format!("## {entry}\n{}\n", route_lines(&compiled)));
    }
    insta::assert_snapshot!("corpus_routes", all);
}

#[test]
fn fixture_routes_are_pinned() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/routes");
    let mut all = String::new();
    for name in ["verbs.wsdl", "vies-like.wsdl"] {
        let path = dir.join(name);
        let wsdl = soapbridge::wsdl::load(&path, &LoadOptions::default())
            .unwrap_or_else(|d| panic!("{d}"));
        let sel = select(&wsdl, None, None, None).unwrap();
        let text = generate(&wsdl, name, sel);
        let compiled =
            compile_str(&dir.join("generated.yaml"), &text).unwrap_or_else(|d| panic!("{d}"));
        all.push_str(&format!("## {name}\n{}\n", route_lines(&compiled)));
    }
    let crm = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sample/wsdl/crm.wsdl");
    let wsdl = soapbridge::wsdl::load(&crm, &LoadOptions::default()).unwrap();
    let sel = select(&wsdl, None, None, None).unwrap();
    let text = generate(&wsdl, "../../wsdl/crm.wsdl", sel);
    let compiled =
        compile_str(&dir.join("generated.yaml"), &text).unwrap_or_else(|d| panic!("{d}"));
    all.push_str(&format!("## wsdl/crm.wsdl\n{}", route_lines(&compiled)));
    insta::assert_snapshot!("fixture_routes", all);
}
