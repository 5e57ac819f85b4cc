//! The services served: every mapping of the mappings folder compiled, and no route of one
//! mapping colliding with another's.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use crate::convert::operation::ServicePlan;
use crate::diag::{Diagnostic, Diagnostics};
use crate::sources::DEFAULT_MAX_DOCUMENT_BYTES;

/// Compiles every mapping in the folder (each WSDL or XSD document at most
/// [`DEFAULT_MAX_DOCUMENT_BYTES`]); all problems of all files are reported.
pub fn load_services(dir: &Path) -> Result<Vec<Arc<ServicePlan>>, Diagnostics> {
    load_services_with(dir, DEFAULT_MAX_DOCUMENT_BYTES)
}

/// [`load_services`], each WSDL or XSD document at most `max_document_bytes`.
pub fn load_services_with(
    dir: &Path,
    max_document_bytes: u64,
) -> Result<Vec<Arc<ServicePlan>>, Diagnostics> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| Diagnostic::new(dir, 0, 0, format!("cannot read the mappings folder: {e}")))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(Diagnostic::new(dir, 0, 0, "no mapping files (*.yaml)")
            .hint("run `soapbridge generate wsdl/<service>.wsdl` first")
            .into());
    }
    let mut diags = Vec::new();
    let mut services = Vec::new();
    for f in files {
        let options = crate::mapping::compile::CompileOptions {
            max_document_bytes,
            ..Default::default()
        };
        match crate::mapping::compile::compile_file_options(&f, options) {
            Ok(c) => services.push(Arc::new(ServicePlan::new(Arc::new(c)))),
            Err(d) => diags.extend(d.0),
        }
    }
    diags.extend(collisions(&services));
    if diags.is_empty() {
        Ok(services)
    } else {
        Err(Diagnostics(diags))
    }
}

/// Routes of different mappings must not collide either.
fn collisions(services: &[Arc<ServicePlan>]) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let mut seen: HashMap<String, String> = HashMap::new();
    for s in services {
        for op in &s.operations {
            let key = format!(
                "{} {}",
                op.route.method.as_str(),
                crate::mapping::generate::normalize(&op.route.path)
            );
            let here = format!("{}:{}", s.compiled.file.display(), op.route.line);
            if let Some(other) = seen.insert(key.clone(), here.clone()) {
                diags.push(
                    Diagnostic::new(
                        &s.compiled.file,
                        op.route.line,
                        0,
                        format!("route `{key}` collides with {other}"),
                    )
                    .hint("give the mappings different base_paths"),
                );
            }
        }
    }
    diags
}
