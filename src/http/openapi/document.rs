//! The document: every service's operations under `paths` (one path item per route path), the
//! components its named types became, the keys answer headers add, and the `Problem` schema.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::operation::{method_name, operation};
use super::types::Builder;
use crate::convert::operation::{OperationPlan, ServicePlan};

/// One service's share of the document: its path items (by route path, one operation per
/// method) and the components its named types became, in the order they were written.
pub(super) struct Part {
    pub(super) paths: BTreeMap<String, Map<String, Value>>,
    pub(super) components: Map<String, Value>,
}

/// Which of a service's part to keep: its operations are built in every case (they name the
/// types that become components), its components only when kept or needed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Keep {
    /// The path items and the components (the tree of `document`).
    Both,
    /// The path items alone.
    Paths,
    /// The components alone.
    Components,
}

/// Builds the document for all services, as one tree (`render` writes the same bytes without it).
pub fn document(services: &[Arc<ServicePlan>]) -> Value {
    let mut paths: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    let mut components = Map::new();
    for svc in services {
        let part = part(svc, Keep::Both);
        for (path, item) in part.paths {
            paths.entry(path).or_default().extend(item);
        }
        components.extend(part.components);
    }
    components.insert("Problem".into(), problem_schema());
    json!({
        "openapi": OPENAPI,
        "info": info(),
        "paths": paths,
        "components": {"schemas": components}
    })
}

/// The OpenAPI version the document follows.
pub(super) const OPENAPI: &str = "3.1.0";

/// The document's `info`.
pub(super) fn info() -> Value {
    json!({"title": "soapbridge", "version": env!("CARGO_PKG_VERSION"), "description": "REST routes in front of SOAP services; generated from their WSDL and mapping files."})
}

/// One service: its operations by path, its named types as components (what `keep` says).
pub(super) fn part(svc: &ServicePlan, keep: Keep) -> Part {
    part_of(svc, &svc.operations, keep)
}

/// [`part`] for some of the service's operations (`ops`, in the service's order): an
/// operation's object does not depend on the others, only the components gather.
pub(super) fn part_of<'o>(
    svc: &ServicePlan,
    ops: impl IntoIterator<Item = &'o OperationPlan>,
    keep: Keep,
) -> Part {
    let mut paths: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    let mut components = Map::new();
    let mut b = Builder::new(
        &svc.compiled.wsdl.schema,
        &svc.model,
        prefix(svc),
        &mut components,
    );
    let service_name = svc.compiled.selection.describe(&svc.compiled.wsdl);
    let tag = svc
        .compiled
        .file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut pending = Vec::new();
    for op in ops {
        let r = &op.route;
        let (o, extra) = operation(&mut b, svc, op, &tag, &service_name);
        if keep == Keep::Components {
            continue;
        }
        if !extra.is_empty() {
            pending.push((r.path.clone(), r.method, r.status, extra));
        }
        paths
            .entry(r.path.clone())
            .or_default()
            .insert(method_name(r.method).into(), Value::Object(o));
    }
    // Only answers with header keys read the components when the paths alone are kept.
    if keep != Keep::Paths || !pending.is_empty() {
        b.finish();
    }
    // Answers with header keys: the answer's object schema, inlined, with those keys added.
    for (path, method, status, extra) in pending {
        if let Some(schema) = paths
            .get_mut(&path)
            .and_then(|item| item.get_mut(method_name(method)))
            .and_then(|o| {
                o.pointer_mut(&format!(
                    "/responses/{status}/content/application~1json/schema"
                ))
            })
        {
            add_properties(schema, &extra, &components);
        }
    }
    if keep == Keep::Paths {
        components = Map::new();
    }
    Part { paths, components }
}

/// RFC 9457 problem details, as every error response carries them.
pub(super) fn problem_schema() -> Value {
    json!({
        "type": "object",
        "description": "RFC 9457 problem details",
        "required": ["type", "title", "status", "code"],
        "properties": {
            "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
            "code": {"type": "string"}, "detail": {"type": "string"},
            "errors": {"type": "array", "description": "Every problem of an `invalid_request` (the first 100)", "items": {"type": "object", "required": ["pointer", "rule", "message"], "properties": {
                "pointer": {"type": "string", "description": "JSON Pointer (RFC 6901) to the field, `/` for the whole request"},
                "rule": {"type": "string", "description": "The rule broken, a stable code: `type`, `required`, `unknownField`, an XSD facet (`enumeration`, `pattern`, `length`, `minLength`, `maxLength`, `minInclusive`, `maxInclusive`, `minExclusive`, `maxExclusive`, `totalDigits`, `fractionDigits`), `minOccurs`, `maxOccurs`, `choice`, `nillable`, `fixed`, `abstract`, `derivation`, `wildcard`, `xml`, `encoding`"},
                "expected": {"type": "string", "description": "What the schema takes there"},
                "found": {"type": "string", "description": "What was sent, short (long strings cut with …; `nothing` when absent)"},
                "message": {"type": "string"}}}},
            "fault": {"type": "object", "properties": {"name": {"type": "string"}, "code": {"type": "string"}, "string": {"type": "string"}, "detail": {}}}
        }
    })
}

/// Adds `extra` properties to an object schema: a `$ref` is replaced by a copy of its component,
/// a nullable `oneOf` gets them in its object branch.
fn add_properties(schema: &mut Value, extra: &Map<String, Value>, components: &Map<String, Value>) {
    if let Some(name) = schema
        .get("$ref")
        .and_then(|r| r.as_str())
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
        && let Some(c) = components.get(name)
    {
        *schema = c.clone();
    }
    if let Some(first) = schema
        .get_mut("oneOf")
        .and_then(|o| o.as_array_mut())
        .and_then(|a| a.first_mut())
    {
        return add_properties(first, extra, components);
    }
    if let Some(o) = schema.as_object_mut() {
        let props = o
            .entry("properties")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(p) = props.as_object_mut() {
            for (k, v) in extra {
                p.insert(k.clone(), v.clone());
            }
        }
    }
}

/// Component names of different services must not collide: prefix them when there are several.
pub(super) fn prefix(svc: &ServicePlan) -> String {
    let stem = svc
        .compiled
        .file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut p: String = stem.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    if let Some(f) = p.get_mut(0..1) {
        f.make_ascii_uppercase();
    }
    p
}
