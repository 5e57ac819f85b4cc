//! Schema-document checks: the constraints of XML Schema 1.0 that the (lenient) compiler does not
//! need in order to build the type graph, checked on the documents themselves.
//!
//! [`structure()`] is the "schema for schemas" pass: `walk` takes every `xs:` element in its
//! role, its children held to the role's grammar (`grammar`), its attributes to what the role
//! allows and requires, their syntax and co-constraints (`attributes`, names by `names`) and
//! `id` uniqueness; then `globals` finds duplicate global names, unresolved references and
//! circular groups and substitution groups, `imports` references into namespaces their document
//! does not import, and `redefines` redefined documents also in force as they are.
//! [`components`] runs after compilation on the compiled [`Schema`], one pass
//! per file: the facets of each restriction step (`facets`), complex content restrictions
//! (`restrictions`, particle by particle in `particles`), the kinds of types each use needs
//! (`kinds`), `final` and `block` (`finals`), Unique Particle Attribution and Element
//! Declarations Consistent (`content_models`), and default and fixed values valid for their type
//! (`values`). `checker` holds what the passes share: the documents in force and the problems
//! found.
//!
//! Every problem is a [`Diagnostic`] at the offending element or attribute, with a hint.
//! These checks run for standalone schema loads ([`super::load::load`]); WSDLs in the wild are
//! sloppier and keep the compiler's leniency.

mod attributes;
mod checker;
mod content_models;
mod facets;
mod finals;
mod globals;
mod grammar;
mod imports;
mod kinds;
mod names;
mod particles;
mod redefines;
mod restrictions;
mod values;
mod walk;

#[cfg(test)]
mod tests;

use std::collections::HashSet;

use roxmltree::Document;

use crate::diag::Diagnostic;
use crate::sources::SourceSet;
use crate::xsd::model::Schema;
use checker::{Checker, types_by_position};
use grammar::Role;

/// The schema-for-schemas pass over the entry document (source 0) and every schema document it
/// reaches. Returns every problem found (capped).
pub fn structure<'a, 'i>(set: &SourceSet, documents: &'a [Document<'i>]) -> Vec<Diagnostic> {
    Checker::for_entry(set, documents).structure()
}

/// The schema-for-schemas pass over the schemas of a WSDL: every `xs:schema` in the `types`
/// of every WSDL document in the set, and the schema documents they reach. Not part of the
/// WSDL loader (real WSDLs are sloppy); available to a stricter mode.
pub fn structure_wsdl<'a, 'i>(set: &SourceSet, documents: &'a [Document<'i>]) -> Vec<Diagnostic> {
    Checker::for_wsdl(set, documents).structure()
}

/// Checks on the compiled schema (facets, derivations, content models, value constraints), run
/// when the documents passed [`structure()`] and compiled.
pub fn components<'a, 'i>(
    set: &SourceSet,
    documents: &'a [Document<'i>],
    schema: &Schema,
) -> Vec<Diagnostic> {
    Checker::for_entry(set, documents).components(schema)
}

/// [`components`] for the schemas of a WSDL (see [`structure_wsdl`]); `schema` is the WSDL's
/// compiled schema, from the same source set.
pub fn components_wsdl<'a, 'i>(
    set: &SourceSet,
    documents: &'a [Document<'i>],
    schema: &Schema,
) -> Vec<Diagnostic> {
    Checker::for_wsdl(set, documents).components(schema)
}

impl Checker<'_, '_, '_> {
    /// Every document walked once against the schema for schemas, then the globals across all.
    fn structure(mut self) -> Vec<Diagnostic> {
        let mut seen = HashSet::new();
        let docs = self.docs.clone();
        for d in &docs {
            if !seen.insert((d.source, d.node)) {
                continue;
            }
            // ids are unique per document (file).
            let mut ids = HashSet::new();
            self.walk(d.source, d.node, Role::Schema, &mut ids);
        }
        self.globals(&docs);
        self.imports(&docs);
        self.redefines(&docs);
        self.diags
    }

    /// The passes over the compiled schema, in order.
    fn components(mut self, schema: &Schema) -> Vec<Diagnostic> {
        let by_position = types_by_position(schema);
        self.restriction_steps(schema, &by_position);
        let nodes = self.nodes();
        self.restrictions(schema, &nodes);
        self.type_kinds(schema);
        self.finals(schema, &nodes);
        self.content_models(schema, &nodes);
        self.element_values(schema);
        self.attribute_values(schema, &by_position);
        self.diags
    }
}
