//! What every worker shares, built once and immutable: the settings, the compiled services,
//! their upstream targets, the rendered OpenAPI document and the metrics.

use std::sync::Arc;

use crate::config::Config;
use crate::convert::operation::ServicePlan;
use crate::upstream::Target;

/// Everything the workers share, immutable once built.
pub struct State {
    pub config: Config,
    pub services: Vec<Arc<ServicePlan>>,
    /// Upstream per service (same index); `None` when absent.
    pub targets: Vec<Option<Target>>,
    /// The OpenAPI document, rendered once as JSON and as YAML.
    pub openapi: String,
    pub openapi_yaml: String,
    /// Every series of `/metrics`.
    pub metrics: super::metrics::Metrics,
}

impl State {
    pub fn new(
        config: Config,
        services: Vec<Arc<ServicePlan>>,
        targets: Vec<Option<Target>>,
    ) -> State {
        let doc = super::openapi::document(&services);
        let openapi_yaml = serde_saphyr::to_string(&doc).unwrap_or_default();
        let openapi = doc.to_string();
        let metrics = super::metrics::Metrics::new(&services);
        State {
            metrics,
            config,
            services,
            targets,
            openapi,
            openapi_yaml,
        }
    }
}
