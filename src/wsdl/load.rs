//! WSDL 1.1 documents -> [`Wsdl`]: reads the files ([`crate::sources`]), compiles their schemas
//! ([`crate::xsd::compile`]), resolves messages, port types, bindings and services
//! (`builder`), then confines the problems that concern only some operations
//! (`isolate`): those operations are left out and the rest load.

use std::collections::HashMap;
use std::path::Path;

use roxmltree::Node;

use super::builder::{Builder, Elsewhere, Resolved, resolve};
use super::isolate::{Owner, isolate};
use super::model::*;
use super::nodes::{documentation, is_wsdl};
use crate::diag::{Diagnostic, Diagnostics};
use crate::sources::{self, LoadOptions, SourceSet};
use crate::xml::WSDL;
use crate::xsd::compile::{Compiler, ComponentKind};
use crate::xsd::is_xs_ns;

pub use super::nodes::{SOAP11_BINDING, SOAP12_BINDING};

/// Loads a WSDL and everything it imports, offline. Every problem is reported: those confined
/// to some operations (and what lenient mode tolerated) as [`Wsdl::warnings`], the operations
/// left out in [`Wsdl::skipped`]; any other as an error.
pub fn load(path: &Path, options: &LoadOptions) -> Result<Wsdl, Diagnostics> {
    let set = sources::collect(path, options)?;
    let docs = sources::parse_all(&set)?;
    let root = docs[0].root_element();
    if !(root.tag_name().namespace() == Some(WSDL) && root.tag_name().name() == "definitions") {
        let found = root.tag_name();
        return Err(Diagnostic::new(&set.sources[0].path, 1, 1, format!(
            "not a WSDL 1.1 document: the root element is `{}` in namespace `{}`",
            found.name(), found.namespace().unwrap_or(""))).hint(
            "expected <definitions xmlns=\"http://schemas.xmlsoap.org/wsdl/\">; WSDL 2.0 is not supported").into());
    }
    let (mut compiler, definitions) = compile_schemas(&set, &docs);
    let mut diags = std::mem::take(&mut compiler.diags);
    let mut owners: HashMap<usize, Owner> = std::mem::take(&mut compiler.confined)
        .into_iter()
        .map(|(i, c)| (i, Owner::Schema(c)))
        .collect();
    let wsdl = Wsdl {
        target_namespace: root.attribute("targetNamespace").unwrap_or("").to_string(),
        documentation: documentation(root),
        services: Vec::new(),
        bindings: Vec::new(),
        port_types: Vec::new(),
        messages: Vec::new(),
        schema: std::mem::take(&mut compiler.schema),
        warnings: Vec::new(),
        skipped: Vec::new(),
    };
    let reported = compiler.take_prefixes_reported();
    let mut b = Builder::new(&set, &mut diags, &mut owners, reported, wsdl);
    // Messages and port types first: bindings and services need them all (imports may come in
    // any order).
    let messages = b.messages(&definitions);
    let port_types = b.port_types(&definitions, &messages);
    let bindings = b.bindings(&definitions, &port_types, &messages);
    b.services(&definitions, &bindings);
    let tolerated = std::mem::take(&mut b.warnings);
    let mut wsdl = b.wsdl;
    // What lenient mode tolerated, reading, compiling and resolving; then the schema files' own
    // problems that explain the others.
    wsdl.warnings = set.warnings.clone();
    wsdl.warnings.append(&mut compiler.warnings);
    wsdl.warnings.extend(tolerated);
    wsdl.schema.shrink_to_fit();
    if diags.is_empty() {
        return Ok(wsdl);
    }
    wsdl.warnings
        .extend(schema_file_problems(&set, &docs, &diags));
    match isolate(&mut wsdl, diags, &owners, &compiler.references()) {
        Ok(()) => Ok(wsdl),
        Err(problems) => {
            let mut all = wsdl.warnings;
            all.extend(problems);
            Err(Diagnostics(all))
        }
    }
}

/// Compiles the schemas of the loaded documents: the `types` sections of the WSDL documents
/// (the entry and its `wsdl:import`s), schemas `wsdl:import`ed directly and the built-in ones.
/// Returns the compiler (its schema, problems and tolerances) and the WSDL documents' roots
/// (by source index).
fn compile_schemas<'a, 'i>(
    set: &'a SourceSet,
    docs: &'a [roxmltree::Document<'i>],
) -> (Compiler<'a, 'i>, Vec<(usize, Node<'a, 'i>)>) {
    let mut compiler = Compiler::new(set);
    let mut definitions = Vec::new();
    for (i, doc) in docs.iter().enumerate() {
        let r = doc.root_element();
        if set.sources[i].builtin {
            compiler.add_schema(docs, i, r, None);
        } else if r.tag_name().namespace() == Some(WSDL) && r.tag_name().name() == "definitions" {
            definitions.push((i, r));
            for types in r.children().filter(|n| is_wsdl(n, "types")) {
                for schema in types.children().filter(|n| {
                    n.is_element()
                        && n.tag_name().namespace().is_some_and(is_xs_ns)
                        && n.tag_name().name() == "schema"
                }) {
                    compiler.add_schema(docs, i, schema, None);
                }
            }
        } else if r.tag_name().namespace().is_some_and(is_xs_ns)
            && r.tag_name().name() == "schema"
            && !compiler.has_schema_from(i)
        {
            // Imported by a wsdl:import; a schema that a schema includes was added already,
            // in its includer's namespace.
            compiler.add_schema(docs, i, r, None);
        }
    }
    if set.lenient {
        chameleon_parts(&mut compiler, &definitions);
    }
    compiler.compile_all();
    (compiler, definitions)
}

/// Lenient mode: the elements and types message parts name, declared by no schema, may come
/// from chameleon imports ([`Compiler::declares`]).
fn chameleon_parts(compiler: &mut Compiler, definitions: &[(usize, Node)]) {
    let mut elsewhere = Elsewhere::default();
    for &(_, r) in definitions {
        let parts = r
            .children()
            .filter(|m| is_wsdl(m, "message"))
            .flat_map(|m| m.children().filter(|p| is_wsdl(p, "part")));
        for p in parts {
            for (attr, kind) in [
                ("element", ComponentKind::Element),
                ("type", ComponentKind::Type),
            ] {
                let Some(value) = p.attribute(attr) else {
                    continue;
                };
                if let Resolved::Here(q) | Resolved::Elsewhere(q, ..) =
                    resolve(p, value.trim(), Some(&mut elsewhere))
                {
                    compiler.declares(kind, &q);
                }
            }
        }
    }
}

/// The schema-for-schemas problems of the schema files the WSDL reads (not its own `types`),
/// at lines where `found` has no problem: what explains a problem found downstream (an
/// element the schema misspells shows only as a type nothing declares). As warnings: they do
/// not decide the outcome.
fn schema_file_problems(
    set: &SourceSet,
    docs: &[roxmltree::Document],
    found: &[Diagnostic],
) -> Vec<Diagnostic> {
    let is_schema_file = |i: usize| {
        let r = docs[i].root_element();
        !set.sources[i].builtin
            && r.tag_name().namespace().is_some_and(is_xs_ns)
            && r.tag_name().name() == "schema"
    };
    let files: Vec<&Path> = (0..docs.len())
        .filter(|&i| is_schema_file(i))
        .map(|i| set.sources[i].path.as_path())
        .collect();
    if files.is_empty() {
        return Vec::new();
    }
    crate::xsd::check::structure_wsdl(set, docs)
        .into_iter()
        .filter(|d| files.contains(&d.file.as_path()))
        .filter(|d| !found.iter().any(|f| f.file == d.file && f.line == d.line))
        .map(Diagnostic::warning)
        .collect()
}
