//! What every worker shares, built once and immutable: the settings, the compiled services,
//! their upstream targets, the client authentication schemes, and the OpenAPI document,
//! rendered on its first request (as JSON or as YAML) and kept as bytes.

use std::sync::{Arc, OnceLock};

use actix_web::web::Bytes;

use super::auth::Security;
use crate::config::Config;
use crate::convert::operation::ServicePlan;
use crate::upstream::Target;

/// Everything the workers share, immutable once built.
pub struct State {
    pub config: Config,
    pub services: Vec<Arc<ServicePlan>>,
    /// Upstream per service (same index); `None` when absent.
    pub targets: Vec<Option<Target>>,
    /// The client authentication schemes, and those each route names. None until
    /// [`State::with_security`]: a route that names one is then refused (503).
    pub security: Security,
    /// The OpenAPI document as JSON, rendered on first use.
    openapi_json: OnceLock<Bytes>,
    /// The OpenAPI document as YAML, rendered on first use.
    openapi_yaml: OnceLock<Bytes>,
}

/// The two renderings of the OpenAPI document.
#[derive(Clone, Copy, Debug)]
pub enum DocumentFormat {
    Json,
    Yaml,
}

impl State {
    pub fn new(
        config: Config,
        services: Vec<Arc<ServicePlan>>,
        targets: Vec<Option<Target>>,
    ) -> State {
        State {
            config,
            services,
            targets,
            security: Security::default(),
            openapi_json: OnceLock::new(),
            openapi_yaml: OnceLock::new(),
        }
    }

    /// The same state with its client authentication schemes loaded.
    pub fn with_security(mut self, security: Security) -> State {
        self.security = security;
        self
    }

    /// The OpenAPI document in `format`, rendered on its first request and kept: the document
    /// of many large mappings takes far more memory to build than the services themselves, so a
    /// server nobody asks for it never builds it (one `Bytes` is shared by every answer).
    pub fn openapi(&self, format: DocumentFormat) -> Bytes {
        let (cell, render): (_, fn(&serde_json::Value) -> String) = match format {
            DocumentFormat::Json => (&self.openapi_json, |doc| doc.to_string()),
            DocumentFormat::Yaml => (&self.openapi_yaml, |doc| {
                serde_saphyr::to_string(doc).unwrap_or_default()
            }),
        };
        cell.get_or_init(|| {
            let mut doc = super::openapi::document(&self.services);
            super::openapi::secure(&mut doc, &self.services, &self.config.auth);
            Bytes::from(render(&doc))
        })
        .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documents_are_rendered_on_first_use_and_kept() {
        let state = State::new(Config::default(), Vec::new(), Vec::new());
        assert!(state.openapi_json.get().is_none() && state.openapi_yaml.get().is_none());
        let json = state.openapi(DocumentFormat::Json);
        let doc: serde_json::Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        assert!(state.openapi_yaml.get().is_none(), "YAML only when asked");
        let again = state.openapi(DocumentFormat::Json);
        assert_eq!(json.as_ptr(), again.as_ptr(), "rendered once, then shared");
        let yaml = state.openapi(DocumentFormat::Yaml);
        let doc: serde_json::Value =
            serde_saphyr::from_str(std::str::from_utf8(&yaml).unwrap()).unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
    }
}
