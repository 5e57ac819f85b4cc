//! What a mapping compiles with but its integrator should know: the WSDL's warnings, those that
//! take operations of the mapping's binding out said so ("operation `X` is left out: ..."), and
//! the error for an entry naming an operation that was left out.

use std::path::Path;

use serde_saphyr::Spanned;

use super::context::located;
use crate::diag::Diagnostic;
use crate::mapping::CompiledMapping;
use crate::wsdl::Wsdl;

/// Every warning of a compiled mapping, in the WSDL's order: each once, with the operations of
/// the mapping's binding it takes out.
pub fn warnings(compiled: &CompiledMapping) -> Vec<Diagnostic> {
    wsdl_warnings(&compiled.wsdl, compiled.selection.binding)
}

/// The WSDL's warnings as they concern the binding `binding`.
pub(super) fn wsdl_warnings(wsdl: &Wsdl, binding: usize) -> Vec<Diagnostic> {
    wsdl.warnings
        .iter()
        .enumerate()
        .map(|(k, w)| {
            let ops: Vec<String> = wsdl
                .skipped
                .iter()
                .filter(|s| s.binding == binding && s.causes.contains(&k))
                .map(|s| format!("`{}`", s.name))
                .collect();
            let mut w = w.clone();
            match ops.as_slice() {
                [] => {}
                [one] => w.message = format!("operation {one} is left out: {}", w.message),
                many => {
                    w.message =
                        format!("operations {} are left out: {}", many.join(", "), w.message)
                }
            }
            w
        })
        .collect()
}

/// The error for the mapping entry `name`, whose operation the WSDL's binding `binding` left
/// out, if it did.
pub(super) fn left_out(
    file: &Path,
    wsdl: &Wsdl,
    binding: usize,
    name: &Spanned<String>,
) -> Option<Diagnostic> {
    let cause = wsdl.skipped(binding, &name.value)?;
    let d = located(
        file,
        name,
        format!(
            "operation `{}` cannot be served: {} ({}:{}:{})",
            name.value,
            cause.message,
            cause.file.display(),
            cause.line,
            cause.col
        ),
    );
    Some(d.hint(match &cause.hint {
        Some(h) => format!("{h}; or remove this entry: the other operations are served"),
        None => "fix the WSDL, or remove this entry: the other operations are served".to_string(),
    }))
}
