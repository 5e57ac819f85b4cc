//! Who called: the identity a scheme established, what the mapping's `identity.NAME` sources
//! read of it, and the label the request span and the logs carry (never a secret).

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::mapping::route::IdentityField;

/// The kind of scheme that established an identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityKind {
    ApiKey,
    Jwt,
    Basic,
    ClientCert,
}

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Identity {
    /// The name of the scheme (in the settings) that accepted the caller.
    pub scheme: Arc<str>,
    pub kind: IdentityKind,
    /// The principal: the key id, the token's `sub`, the user name or the certificate subject.
    pub id: String,
    /// The scopes the caller holds (a token's `scope`/`scp`, an API key's listed scopes).
    pub scopes: Vec<String>,
    /// A token's claims (JWT only).
    pub claims: Option<Map<String, Value>>,
}

impl Identity {
    /// The value an `identity.NAME` source reads, if this caller has one.
    pub fn value(&self, field: &IdentityField) -> Option<String> {
        let own = |k: IdentityKind| (self.kind == k).then(|| self.id.clone());
        match field {
            IdentityField::Id => Some(self.id.clone()),
            IdentityField::Scheme => Some(self.scheme.to_string()),
            IdentityField::KeyId => own(IdentityKind::ApiKey),
            IdentityField::Sub => own(IdentityKind::Jwt),
            IdentityField::User => own(IdentityKind::Basic),
            IdentityField::Subject => own(IdentityKind::ClientCert),
            IdentityField::Claim(c) => match self.claims.as_ref()?.get(c)? {
                Value::String(s) => Some(s.clone()),
                v @ (Value::Number(_) | Value::Bool(_)) => Some(v.to_string()),
                _ => None,
            },
        }
    }

    /// `scheme/id`, for the request span and the logs.
    pub fn label(&self) -> String {
        format!("{}/{}", self.scheme, self.id)
    }

    /// Whether the caller's token carries `claim` with one of `accepted` (a text, a number, a
    /// boolean, or a list holding one of them).
    pub fn has_claim(&self, claim: &str, accepted: &[String]) -> bool {
        let Some(v) = self.claims.as_ref().and_then(|c| c.get(claim)) else {
            return false;
        };
        let matches = |v: &Value| match v {
            Value::String(s) => accepted.contains(s),
            Value::Number(_) | Value::Bool(_) => accepted.contains(&v.to_string()),
            _ => false,
        };
        match v {
            Value::Array(items) => items.iter().any(matches),
            v => matches(v),
        }
    }
}
