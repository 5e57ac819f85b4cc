//! The mapping file and its top-level keys: YAML parsed into [`MappingFile`], the WSDL loaded
//! (leniently with `lenient: true`), the service/port (or binding) selected, `base_path` checked
//! (`upstream` by its own file), each operation entry compiled, into a [`CompiledMapping`]; with
//! `strict: true` (or `check --strict`) the WSDL's warnings are errors.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use serde_saphyr::Spanned;

use super::access;
use super::conflicts::RouteTable;
use super::context::OperationCx;
use super::context::located;
use super::headers;
use super::operation::compile_operation;
use super::outputs;
use super::patterns;
use super::suggest::closest;
use super::upstream::upstream;
use super::warnings::{left_out, wsdl_warnings};
use crate::diag::{Diagnostic, Diagnostics};
use crate::mapping::format::MappingFile;
use crate::mapping::generate::{Selection, select};
use crate::mapping::route::{CompiledMapping, Route};
use crate::mapping::shape::shape;
use crate::mapping::unwrap::unwrapped_types;
use crate::sources::{DEFAULT_MAX_DOCUMENT_BYTES, LoadOptions};
use crate::wsdl::{self, Wsdl};

/// How a mapping is compiled, beyond the file's own keys.
#[derive(Debug, Clone, Copy)]
pub struct CompileOptions {
    /// The WSDL's warnings are errors, as the mapping's own `strict: true` makes them.
    /// Default: false.
    pub strict: bool,
    /// The largest WSDL or XSD document read, bytes. Default:
    /// [`DEFAULT_MAX_DOCUMENT_BYTES`].
    pub max_document_bytes: u64,
}

impl Default for CompileOptions {
    fn default() -> Self {
        CompileOptions {
            strict: false,
            max_document_bytes: DEFAULT_MAX_DOCUMENT_BYTES,
        }
    }
}

/// Reads and checks one mapping file.
pub fn compile_file(file: &Path) -> Result<CompiledMapping, Diagnostics> {
    compile_file_options(file, CompileOptions::default())
}

/// Reads and checks one mapping file; `strict` makes the WSDL's warnings errors, as the
/// mapping's own `strict: true` does.
pub fn compile_file_with(file: &Path, strict: bool) -> Result<CompiledMapping, Diagnostics> {
    compile_file_options(
        file,
        CompileOptions {
            strict,
            ..CompileOptions::default()
        },
    )
}

/// Reads and checks one mapping file as `options` say.
pub fn compile_file_options(
    file: &Path,
    options: CompileOptions,
) -> Result<CompiledMapping, Diagnostics> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| Diagnostic::new(file, 0, 0, format!("cannot read the mapping: {e}")))?;
    compile_str_options(file, &text, options)
}

/// Checks a mapping's text; `file` names it in messages and anchors its relative paths.
pub fn compile_str(file: &Path, text: &str) -> Result<CompiledMapping, Diagnostics> {
    compile_str_options(file, text, CompileOptions::default())
}

/// [`compile_str`], the WSDL's warnings errors when `strict` (or the mapping's `strict:`).
pub fn compile_str_with(
    file: &Path,
    text: &str,
    strict: bool,
) -> Result<CompiledMapping, Diagnostics> {
    compile_str_options(
        file,
        text,
        CompileOptions {
            strict,
            ..CompileOptions::default()
        },
    )
}

/// [`compile_str`] as `options` say.
pub fn compile_str_options(
    file: &Path,
    text: &str,
    options: CompileOptions,
) -> Result<CompiledMapping, Diagnostics> {
    let m = parse(file, text)?;
    let dir = file.parent().unwrap_or(Path::new(""));
    let wsdl_path = dir.join(&m.wsdl.value);
    let wsdl = load_wsdl(file, &m, &wsdl_path, options.max_document_bytes)?;
    let sel = selection(file, &m, &wsdl)?;
    let address = sel
        .port
        .and_then(|(s, p)| wsdl.services[s].ports[p].address.clone());
    let binding = &wsdl.bindings[sel.binding];
    let soap = binding.soap.expect("select() returns SOAP ports only");

    let mut diags = Vec::new();
    if options.strict || m.strict {
        diags.extend(
            wsdl_warnings(&wsdl, sel.binding)
                .into_iter()
                .map(Diagnostic::error),
        );
    }
    let base_path = base_path(file, &m, &mut diags);
    let upstream = upstream(file, &m, address, &mut diags);
    if upstream.url.is_none() {
        let at = m.binding.as_ref().unwrap_or(&m.wsdl);
        diags.push(
            located(
                file,
                at,
                "no upstream URL: the WSDL gives no soap:address here",
            )
            .hint("set `upstream: { url: ... }` (e.g. `${SERVICE_URL}`)"),
        );
    }
    let routes = operations(file, &m, &wsdl, sel, &base_path, &mut diags);
    outputs::locations(file, &routes, &mut diags);
    let cors = access::cors(file, &m, &routes, &mut diags);
    let unwrapped = unwrapped_types(file, &m.unwrap_lists, &wsdl, &mut diags);
    headers::undeclared_mapping_parts(file, &m, binding, &mut diags);
    patterns::unenforced_patterns(file, &m, &wsdl.schema, &mut diags);
    if m.operations.0.is_empty() {
        diags.push(
            Diagnostic::new(file, 0, 0, "the mapping serves no operations")
                .hint("list operations under `operations:`"),
        );
    }
    if !diags.is_empty() {
        // A mapping-level header entry is checked for every operation using it: say it once.
        let mut seen = HashSet::new();
        diags.retain(|d| seen.insert(d.to_string()));
        return Err(Diagnostics(diags));
    }
    Ok(CompiledMapping {
        file: file.to_path_buf(),
        wsdl: wsdl.clone(),
        wsdl_path,
        selection: sel,
        soap,
        base_path,
        naming: m.naming,
        unwrapped,
        validate_answers: m.validate_answers,
        upstream,
        cors,
        routes,
    })
}

/// The YAML, or the one problem that stops reading it.
fn parse(file: &Path, text: &str) -> Result<MappingFile, Diagnostic> {
    serde_saphyr::from_str(text).map_err(|e| {
        let (line, col) = e
            .location()
            .map_or((0, 0), |l| (l.line() as u32, l.column() as u32));
        let msg = e.to_string();
        let msg = msg.lines().next().unwrap_or("");
        // serde-saphyr prefixes `error: line L column C: `; we say `file:L:C:` instead.
        let msg = match msg
            .strip_prefix("error: line ")
            .and_then(|rest| rest.split_once(": "))
        {
            Some((_, m)) => m.to_string(),
            None => msg.to_string(),
        };
        let hint = if msg.contains("unknown field") {
            "the mapping keys are documented in the README (mapping reference); check the spelling"
        } else {
            "the mapping file is YAML; see the README's mapping reference"
        };
        Diagnostic::new(file, line, col, msg).hint(hint)
    })
}

/// `wsdl:` (with `allow_paths:` and `catalog:`, relative to the mapping), loaded; its problems
/// follow one at the `wsdl:` line.
fn load_wsdl(
    file: &Path,
    m: &MappingFile,
    wsdl_path: &Path,
    max_document_bytes: u64,
) -> Result<Arc<Wsdl>, Diagnostics> {
    let dir = file.parent().unwrap_or(Path::new(""));
    let mut options = LoadOptions {
        max_document_bytes,
        allow_paths: m.allow_paths.iter().map(|p| dir.join(p)).collect(),
        lenient: m.lenient,
        ..LoadOptions::default()
    };
    for (url, local) in &m.catalog.0 {
        options
            .catalog
            .insert(url.value.clone(), dir.join(&local.value));
    }
    match wsdl::load(wsdl_path, &options) {
        Ok(w) => Ok(Arc::new(w)),
        Err(mut e) => {
            let mut hint = "fix the problems below, or point `wsdl:` at the right file (relative to this mapping)".to_string();
            let lenient = LoadOptions {
                lenient: true,
                ..options.clone()
            };
            if !m.lenient && wsdl::load(wsdl_path, &lenient).is_ok() {
                hint.push_str("; or add `lenient: true`: the WSDL loads in lenient mode, which tolerates these mistakes (`soapbridge check` then names each one)");
            }
            let head = located(
                file,
                &m.wsdl,
                format!("the WSDL `{}` could not be loaded:", m.wsdl.value),
            )
            .hint(hint);
            e.0.insert(0, head);
            Err(e)
        }
    }
}

/// `service:` and `port:`, or `binding:`, or the defaults.
fn selection(file: &Path, m: &MappingFile, wsdl: &Wsdl) -> Result<Selection, Diagnostic> {
    let name = |s: &Option<Spanned<String>>| s.as_ref().map(|s| s.value.clone());
    select(
        wsdl,
        name(&m.service).as_deref(),
        name(&m.port).as_deref(),
        name(&m.binding).as_deref(),
    )
    .map_err(|msg| {
        let at = m
            .binding
            .as_ref()
            .or(m.port.as_ref())
            .or(m.service.as_ref())
            .unwrap_or(&m.wsdl);
        located(file, at, msg.to_string()).hint("`service:` and `port:` name a wsdl:service and one of its wsdl:ports; `binding:` a wsdl:binding")
    })
}

/// `base_path:`, without a trailing `/` (empty when absent).
fn base_path(file: &Path, m: &MappingFile, diags: &mut Vec<Diagnostic>) -> String {
    let Some(b) = &m.base_path else {
        return String::new();
    };
    if !b.value.starts_with('/') || b.value.contains(['{', '}', '?', '#', ' ']) {
        diags.push(located(file, b, format!("base_path `{}` must start with `/` and hold no placeholders, `?`, `#` or spaces", b.value)).hint("e.g. base_path: /api/crm/v1"));
    }
    b.value.trim_end_matches('/').to_string()
}

/// `operations:`: each entry names a WSDL operation of the binding, once, and takes a route of
/// its own.
fn operations(
    file: &Path,
    m: &MappingFile,
    wsdl: &Wsdl,
    sel: Selection,
    base_path: &str,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Route> {
    let binding = &wsdl.bindings[sel.binding];
    let pt = &wsdl.port_types[binding.port_type];
    let mut routes = Vec::new();
    let mut seen_ops = HashSet::new();
    let mut taken = RouteTable::default();
    for (name, spec) in &m.operations.0 {
        let op_name = &name.value;
        if !seen_ops.insert(op_name.clone()) {
            diags.push(
                located(file, name, format!("operation `{op_name}` is mapped twice"))
                    .hint("keep one entry per operation"),
            );
            continue;
        }
        let Some(bi) = binding.operations.iter().position(|o| &o.name == op_name) else {
            if let Some(d) = left_out(file, wsdl, sel.binding, name) {
                diags.push(d);
                continue;
            }
            let near = closest(op_name, binding.operations.iter().map(|o| o.name.as_str()));
            diags.push(located(file, name, format!("no operation `{op_name}` in binding `{}`", binding.name.local)).hint(match near {
                Some(n) => format!("did you mean `{n}`?"),
                None => "operation names are the WSDL's, case-sensitive; `soapbridge inspect` lists them".to_string(),
            }));
            continue;
        };
        let bop = &binding.operations[bi];
        let op = &pt.operations[bop.operation];
        let input = shape(wsdl, bop.style, &bop.input, op.input).fields;
        let output = shape(wsdl, bop.style, &bop.output, op.output).fields;
        let cx = OperationCx {
            file,
            mapping: m,
            name,
            spec,
            wsdl,
            binding_operation: bi,
            bop,
            input: &input,
            output: &output,
            faults: &op.faults,
            base_path,
        };
        if let Some(route) = compile_operation(&cx, diags) {
            match taken.claim(file, &route, &spec.route, op_name) {
                Ok(()) => routes.push(route),
                Err(d) => diags.push(d),
            }
        }
    }
    routes
}

#[cfg(test)]
mod tests {
    #[test]
    fn templates() {
        assert!(crate::env::check_template("http://${HOST}:${PORT:-80}/x").is_ok());
        assert!(crate::env::check_template("${}").is_err());
        assert!(crate::env::check_template("${A-B}").is_err());
        assert!(crate::env::check_template("${OPEN").is_err());
        // SAFETY of the test: a variable name nobody else uses.
        assert_eq!(
            crate::env::expand_env("${SOAPBRIDGE_TEST_UNSET_VAR:-fallback}/x").unwrap(),
            "fallback/x"
        );
        assert!(
            crate::env::expand_env("${SOAPBRIDGE_TEST_UNSET_VAR}")
                .unwrap_err()
                .to_string()
                .contains("SOAPBRIDGE_TEST_UNSET_VAR")
        );
    }
}
