//! What every worker shares for one loaded set, built once and immutable: the settings, the
//! compiled services, their upstream targets and guards, the client authentication schemes, the
//! route table, the OpenAPI document, rendered on its first request (as JSON or as YAML) and
//! kept as bytes, and the observability parts: metrics, health, access log sampling, the trace
//! exporter. A reload builds a new one; [`Live`](super::Live) swaps it in.

use std::sync::{Arc, OnceLock};

use actix_web::web::Bytes;

use super::access::AccessLog;
use super::auth::Security;
use super::health::Health;
use super::metrics::{Metrics, RouteLabels};
use super::otel::Otel;
use super::routes::RouteTable;
use crate::config::Config;
use crate::convert::operation::ServicePlan;
use crate::traffic::cache::AnswerCache;
use crate::traffic::{Limiter, UpstreamGuard};
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
    /// 1 for the set loaded at start, one more per successful reload.
    pub generation: u64,
    /// The mapped paths, each with its methods (shared with the CORS guards of the workers).
    pub(super) routes: Arc<RouteTable>,
    /// In-flight cap and circuit breaker per service (same index); kept across reloads while
    /// the mapping and the settings stay the same.
    pub(super) guards: Vec<Arc<UpstreamGuard>>,
    /// The rate limits (kept across reloads while their settings stay the same).
    pub(super) limiter: Arc<Limiter>,
    /// Answers of idempotent GET routes (`cache:`; emptied by a reload).
    pub(super) cache: AnswerCache,
    /// Every series of `/metrics` (a reload hands the same one on, with `Metrics::serve`).
    pub metrics: Arc<Metrics>,
    /// Which requests get an access line.
    pub(super) access: AccessLog,
    /// What `/readyz` says (set by drain, reload and the breakers; handed on by a reload).
    pub health: Arc<Health>,
    /// The OpenTelemetry exporter, when `tracing.otlp_endpoint` is set (handed on by a reload
    /// while its settings stay the same).
    pub otel: Option<Arc<Otel>>,
    /// The metric labels of every route (same indexes as `services` and their operations).
    pub(super) labels: Vec<Vec<RouteLabels>>,
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
        let routes = Arc::new(RouteTable::new(&services, &Security::default()));
        let guards = services
            .iter()
            .map(|s| Arc::new(UpstreamGuard::new(upstream_name(s), &config.upstreams)))
            .collect();
        let limiter = Arc::new(Limiter::new(&config.rate_limits));
        let cache = AnswerCache::new(&config.cache);
        let metrics = Arc::new(if config.metrics {
            Metrics::new()
        } else {
            Metrics::disabled()
        });
        metrics.serve(&services);
        let health = Arc::new(Health::new(config.readiness.fail_on_open_circuit));
        health.set_loaded(!services.is_empty());
        let otel = Otel::new(&config.tracing)
            .unwrap_or_else(|e| {
                tracing::error!(error = %e, "Traces will not be exported");
                None
            })
            .map(Arc::new);
        State {
            access: AccessLog::new(&config.log),
            otel,
            health,
            metrics,
            labels: RouteLabels::table(&services),
            config,
            services,
            targets,
            security: Security::default(),
            openapi_json: OnceLock::new(),
            openapi_yaml: OnceLock::new(),
            generation: 1,
            routes,
            guards,
            limiter,
            cache,
        }
    }

    /// The same state with its client authentication schemes loaded.
    pub fn with_security(mut self, security: Security) -> State {
        self.routes = Arc::new(RouteTable::new(&self.services, &security));
        self.security = security;
        self
    }

    /// The OpenAPI document in `format`, rendered on its first request and kept: the document
    /// of many large mappings is written piece by piece, yet a server nobody asks for it
    /// never writes it (one `Bytes` is shared by every answer).
    pub fn openapi(&self, format: DocumentFormat) -> Bytes {
        let (cell, render): (_, fn(&State) -> Bytes) = match format {
            DocumentFormat::Json => (&self.openapi_json, |s| {
                Bytes::from(super::openapi::json(&s.services, &s.config.auth))
            }),
            DocumentFormat::Yaml => (&self.openapi_yaml, |s| {
                Bytes::from(super::openapi::yaml(&s.services, &s.config.auth).unwrap_or_default())
            }),
        };
        cell.get_or_init(|| render(self)).clone()
    }

    /// Takes over the older set's guards and limiter where nothing they depend on changed, so
    /// that a reload neither forgets an open circuit nor doubles a cap.
    /// The metrics and the health always carry over (the series of the new set's routes are
    /// declared again), the trace exporter while its settings stay the same.
    pub(super) fn inherit(&mut self, old: &State) {
        self.metrics = old.metrics.clone();
        self.metrics.serve(&self.services);
        self.health = old.health.clone();
        self.health.set_loaded(!self.services.is_empty());
        if old.config.tracing == self.config.tracing {
            self.otel = old.otel.clone();
        }
        for (i, s) in self.services.iter().enumerate() {
            let name = upstream_name(s);
            if let Some(g) = old.guards.iter().find(|g| g.name() == name)
                && old.config.upstreams == self.config.upstreams
            {
                self.guards[i] = g.clone();
            }
        }
        if old.config.rate_limits == self.config.rate_limits {
            self.limiter = old.limiter.clone();
        }
    }
}

/// The name an upstream goes by in logs and counters: its mapping file's stem.
pub(super) fn upstream_name(s: &ServicePlan) -> String {
    s.compiled
        .file
        .file_stem()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
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
