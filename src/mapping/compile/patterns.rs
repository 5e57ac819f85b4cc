//! `unenforced_patterns:`: a pattern of the WSDL's schema that cannot be enforced (no translation
//! to the regex engine, or too large) fails closed. It is a problem at its place in the schema
//! unless the mapping accepts it by name under `unenforced_patterns.allow`; an accepted pattern
//! that is enforced after all (or not in the schema) is a problem too, so the list stays true.

use std::collections::HashSet;
use std::path::Path;

use super::context::located;
use crate::diag::Diagnostic;
use crate::mapping::format::MappingFile;
use crate::xsd::{Schema, TypeId, TypeKind, Unenforced};

/// Reports every unenforced pattern the mapping does not accept, and every accepted one that
/// is not unenforced.
pub(super) fn unenforced_patterns(
    file: &Path,
    m: &MappingFile,
    schema: &Schema,
    diags: &mut Vec<Diagnostic>,
) {
    let allowed: &[_] = m.unenforced_patterns.as_ref().map_or(&[], |u| &u.allow);
    let found = unenforced(schema);
    for (ty, u) in &found {
        if allowed.iter().any(|a| a.value == u.pattern) {
            continue;
        }
        diags.push(
            Diagnostic::new(
                &u.file,
                u.line,
                u.col,
                format!(
                    "pattern `{}` of type `{}` cannot be enforced: {}",
                    u.pattern,
                    schema.type_label(*ty),
                    u.reason
                ),
            )
            .hint(format!(
                "values would not be checked against it: simplify the pattern, or accept it in the mapping with `unenforced_patterns: {{ allow: ['{}'] }}`",
                u.pattern.replace('\'', "''")
            )),
        );
    }
    for a in allowed {
        if !found.iter().any(|(_, u)| u.pattern == a.value) {
            diags.push(
                located(
                    file,
                    a,
                    format!(
                        "pattern `{}` is not an unenforced pattern of the WSDL's schema",
                        a.value
                    ),
                )
                .hint("soapbridge enforces it (or the schema has no such pattern): remove it from `unenforced_patterns.allow`"),
            );
        }
    }
}

/// The unenforced patterns of the schema's simple types, each place once (a derived type
/// repeats its base's), with the first type that has it.
fn unenforced(schema: &Schema) -> Vec<(TypeId, &Unenforced)> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (i, t) in schema.types.iter().enumerate() {
        if let TypeKind::Simple(st) = &t.kind {
            for u in &st.facets.unenforced {
                if seen.insert((&u.file, u.line, u.col)) {
                    out.push((TypeId(i as u32), u));
                }
            }
        }
    }
    out
}
