//! What every worker shares, built once and immutable: the settings, the compiled services,
//! their upstream targets, the client authentication schemes and the rendered OpenAPI
//! document.

use std::sync::Arc;

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
    /// The OpenAPI document, rendered once as JSON and as YAML.
    pub openapi: String,
    pub openapi_yaml: String,
}

impl State {
    pub fn new(
        config: Config,
        services: Vec<Arc<ServicePlan>>,
        targets: Vec<Option<Target>>,
    ) -> State {
        let mut doc = super::openapi::document(&services);
        super::openapi::secure(&mut doc, &services, &config.auth);
        let openapi_yaml = serde_saphyr::to_string(&doc).unwrap_or_default();
        let openapi = doc.to_string();
        State {
            config,
            services,
            targets,
            security: Security::default(),
            openapi,
            openapi_yaml,
        }
    }

    /// The same state with its client authentication schemes loaded.
    pub fn with_security(mut self, security: Security) -> State {
        self.security = security;
        self
    }
}
