//! The document written straight into its output, never as one tree: the same bytes `document`
//! and `secure` give through a `serde_json::Value` of the whole set, at the cost of one path
//! item (`paths` are sorted across services: each is built from the operations there alone) or
//! one service's components (`components/schemas` go in service order: each service's are built
//! from all its operations, whose objects are dropped as they come), plus the output.
//! Where services share a component prefix or a route (path and method), the whole tree is built
//! as before: its overwrites and its security lookups cross services there.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};

use super::document::{Keep, OPENAPI, Part, document, info, part, part_of, prefix, problem_schema};
use super::operation::method_name;
use super::security::{schemes, secure, secure_operation};
use crate::config::AuthSettings;
use crate::convert::operation::{OperationPlan, ServicePlan};

/// The document as compact JSON (what `/openapi.json` serves).
pub fn json(services: &[Arc<ServicePlan>], auth: &AuthSettings) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing into a Vec fails only if a part cannot be serialised, which a Value always can.
    let _ = serde_json::to_writer(&mut out, &Doc { services, auth });
    out
}

/// The document as JSON indented by two spaces (what `soapbridge openapi` prints).
pub fn json_pretty(services: &[Arc<ServicePlan>], auth: &AuthSettings) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = serde_json::to_writer_pretty(&mut out, &Doc { services, auth });
    out
}

/// The document as YAML.
pub fn yaml(
    services: &[Arc<ServicePlan>],
    auth: &AuthSettings,
) -> Result<String, serde_saphyr::ser::Error> {
    serde_saphyr::to_string(&Doc { services, auth })
}

/// The document, serialised as the tree of `document` and `secure` would be.
struct Doc<'a> {
    services: &'a [Arc<ServicePlan>],
    auth: &'a AuthSettings,
}

impl Serialize for Doc<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if !separate(self.services) {
            let mut doc = document(self.services);
            secure(&mut doc, self.services, self.auth);
            return doc.serialize(s);
        }
        let schemes = schemes(self.auth);
        let mut m = s.serialize_map(Some(4))?;
        m.serialize_entry("openapi", OPENAPI)?;
        m.serialize_entry("info", &info())?;
        m.serialize_entry(
            "paths",
            &Paths {
                services: self.services,
                secured: !schemes.is_empty(),
            },
        )?;
        m.serialize_entry(
            "components",
            &Components {
                services: self.services,
                schemes,
            },
        )?;
        m.end()
    }
}

/// Whether no two services share a component prefix (so no component name) or a route (so no
/// operation): then each service's part is independent of the others.
fn separate(services: &[Arc<ServicePlan>]) -> bool {
    let mut prefixes = HashSet::new();
    let mut routes = HashMap::new();
    services.iter().enumerate().all(|(i, svc)| {
        prefixes.insert(prefix(svc))
            && svc.operations.iter().all(|op| {
                let key = (op.route.path.as_str(), method_name(op.route.method));
                *routes.entry(key).or_insert(i) == i
            })
    })
}

/// `paths`: every route path in order, its path item merged from the services that have it.
struct Paths<'a> {
    services: &'a [Arc<ServicePlan>],
    /// Whether the settings declare schemes (then secured operations say so).
    secured: bool,
}

impl Serialize for Paths<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Every route path, with each service's operations there (in the service's order).
        type Owners<'o> = Vec<(usize, Vec<&'o OperationPlan>)>;
        let mut owners: BTreeMap<&str, Owners> = BTreeMap::new();
        for (i, svc) in self.services.iter().enumerate() {
            for op in &svc.operations {
                let o = owners.entry(op.route.path.as_str()).or_default();
                match o.last_mut() {
                    Some((j, ops)) if *j == i => ops.push(op),
                    _ => o.push((i, vec![op])),
                }
            }
        }
        let mut m = s.serialize_map(Some(owners.len()))?;
        for (path, services) in owners {
            let mut item = Map::new();
            for (i, ops) in services {
                item.extend(self.item(i, path, &ops));
            }
            m.serialize_entry(path, &item)?;
        }
        m.end()
    }
}

impl Paths<'_> {
    /// Service `i`'s path item at `path` (its operations `ops` there), secured.
    fn item(&self, i: usize, path: &str, ops: &[&OperationPlan]) -> Map<String, Value> {
        let Part { mut paths, .. } = part_of(&self.services[i], ops.iter().copied(), Keep::Paths);
        let mut item = paths.remove(path).unwrap_or_default();
        if self.secured {
            for op in ops {
                if let Some(o) = item
                    .get_mut(method_name(op.route.method))
                    .and_then(Value::as_object_mut)
                {
                    secure_operation(o, &op.route.access);
                }
            }
        }
        item
    }
}

/// `components`: the schemas, then the security schemes when there are any.
struct Components<'a> {
    services: &'a [Arc<ServicePlan>],
    schemes: Map<String, Value>,
}

impl Serialize for Components<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let secured = !self.schemes.is_empty();
        let mut m = s.serialize_map(Some(1 + usize::from(secured)))?;
        m.serialize_entry("schemas", &Schemas(self.services))?;
        if secured {
            m.serialize_entry("securitySchemes", &self.schemes)?;
        }
        m.end()
    }
}

/// `components/schemas`: every service's components in service order, then `Problem`.
struct Schemas<'a>(&'a [Arc<ServicePlan>]);

impl Serialize for Schemas<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Never empty (`Problem`): the length is not needed to write it.
        let mut m = s.serialize_map(None)?;
        for svc in self.0 {
            let Part { components, .. } = part(svc, Keep::Components);
            for (name, schema) in &components {
                m.serialize_entry(name, schema)?;
            }
        }
        m.serialize_entry("Problem", &problem_schema())?;
        m.end()
    }
}
