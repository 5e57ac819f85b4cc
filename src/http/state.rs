//! What every worker shares, built once and immutable: the settings, the compiled services,
//! their upstream targets, the rendered OpenAPI document and the metrics.

use std::sync::Arc;

use super::access::AccessLog;
use super::health::Health;
use super::metrics::{Metrics, RouteLabels};
use super::otel::Otel;
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
    /// Every series of `/metrics` (a reload hands the same one on, with `Metrics::serve`).
    pub metrics: Arc<Metrics>,
    /// Which requests get an access line.
    pub(super) access: AccessLog,
    /// What `/readyz` says (set by drain, reload and the breakers).
    pub health: Arc<Health>,
    /// The OpenTelemetry exporter, when `tracing.otlp_endpoint` is set.
    pub otel: Option<Otel>,
    /// The metric labels of every route (same indexes as `services` and their operations).
    pub(super) labels: Vec<Vec<RouteLabels>>,
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
        let metrics = Arc::new(if config.metrics {
            Metrics::new()
        } else {
            Metrics::disabled()
        });
        metrics.serve(&services);
        let health = Arc::new(Health::new(config.readiness.fail_on_open_circuit));
        health.set_loaded(!services.is_empty());
        let otel = Otel::new(&config.tracing).unwrap_or_else(|e| {
            tracing::error!(error = %e, "Traces will not be exported");
            None
        });
        State {
            access: AccessLog::new(&config.log),
            otel,
            health,
            metrics,
            labels: RouteLabels::table(&services),
            config,
            services,
            targets,
            openapi,
            openapi_yaml,
        }
    }
}
