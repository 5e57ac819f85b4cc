//! The security of the document: every client authentication scheme of the settings under
//! `components/securitySchemes`, and on each operation that names schemes its `security` (one
//! alternative per scheme, any one suffices, with the route's scopes) and its 401 and 403
//! problems. Only names, places and issuers are described: never a key, hash or file.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::operation::method_name;
use crate::config::AuthSettings;
use crate::config::auth::Scheme;
use crate::convert::operation::ServicePlan;
use crate::mapping::route::Access;

/// Adds the schemes and each secured operation's requirements to `doc`.
pub fn secure(doc: &mut Value, services: &[Arc<ServicePlan>], auth: &AuthSettings) {
    let schemes = schemes(auth);
    if schemes.is_empty() {
        return;
    }
    doc["components"]["securitySchemes"] = Value::Object(schemes);
    for svc in services {
        for op in &svc.operations {
            let pointer = format!(
                "/paths/{}/{}",
                op.route.path.replace('~', "~0").replace('/', "~1"),
                method_name(op.route.method)
            );
            if let Some(o) = doc.pointer_mut(&pointer).and_then(Value::as_object_mut) {
                secure_operation(o, &op.route.access);
            }
        }
    }
}

/// The Security Scheme Object of every client authentication scheme, by name.
pub(super) fn schemes(auth: &AuthSettings) -> Map<String, Value> {
    let mut schemes = Map::new();
    for (name, s) in &auth.schemes.0 {
        schemes.insert(name.value.clone(), scheme(s));
    }
    schemes
}

/// Adds to an operation that names schemes its `security` and its 401 and 403 problems.
pub(super) fn secure_operation(o: &mut Map<String, Value>, access: &Access) {
    if access.is_open() {
        return;
    }
    let alternatives: Vec<Value> = access
        .schemes
        .iter()
        .map(|s| json!({ s.name.clone(): access.scopes }))
        .collect();
    o.insert("security".into(), Value::Array(alternatives));
    let problem = |d: &str| json!({"description": d, "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}});
    if let Some(r) = o.get_mut("responses").and_then(Value::as_object_mut) {
        r.insert(
            "401".into(),
            problem("Credentials are missing or refused (`WWW-Authenticate` names the schemes)"),
        );
        if !access.scopes.is_empty() || !access.claims.is_empty() {
            r.insert(
                "403".into(),
                problem("The caller lacks a scope or claim this operation requires"),
            );
        }
    }
}

/// One scheme's Security Scheme Object.
fn scheme(s: &Scheme) -> Value {
    match s {
        Scheme::ApiKey(k) => match (&k.header, &k.query) {
            (_, Some(q)) if k.header.is_none() => {
                json!({"type": "apiKey", "in": "query", "name": q.value, "description": "An API key issued by the operators"})
            }
            (h, _) => {
                json!({"type": "apiKey", "in": "header", "name": h.as_ref().map_or("X-Api-Key", |h| h.value.as_str()), "description": "An API key issued by the operators"})
            }
        },
        Scheme::Jwt(j) => {
            json!({"type": "http", "scheme": "bearer", "bearerFormat": "JWT", "description": format!("A JWT issued by `{}` for the audience `{}`", j.issuer.value, j.audience.value.0.join("`, `"))})
        }
        Scheme::Basic(_) => json!({"type": "http", "scheme": "basic"}),
        Scheme::ClientCert(_) => {
            json!({"type": "mutualTLS", "description": "A client certificate the listener's CA verifies"})
        }
    }
}
