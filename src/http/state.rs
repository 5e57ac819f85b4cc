//! What every worker shares for one loaded set, built once and immutable: the settings, the
//! compiled services, their upstream targets and guards, the client authentication schemes, the
//! route table, and the OpenAPI document, rendered on its first request (as JSON or as YAML)
//! and kept as bytes. A reload builds a new one; [`Live`](super::Live) swaps it in.

use std::sync::{Arc, OnceLock};

use actix_web::dev::ResourceDef;
use actix_web::web::Bytes;

use super::auth::Security;

use crate::config::Config;
use crate::convert::operation::ServicePlan;
use crate::mapping::route::Method;
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
    /// The mapped paths in the order they are tried, each with its methods.
    pub(super) routes: Vec<PathRoutes>,
    /// In-flight cap and circuit breaker per service (same index); kept across reloads while
    /// the mapping and the settings stay the same.
    pub(super) guards: Vec<Arc<UpstreamGuard>>,
    /// The rate limits (kept across reloads while their settings stay the same).
    pub(super) limiter: Arc<Limiter>,
    /// Answers of idempotent GET routes (`cache:`; emptied by a reload).
    pub(super) cache: AnswerCache,
}

/// The two renderings of the OpenAPI document.
#[derive(Clone, Copy, Debug)]
pub enum DocumentFormat {
    Json,
    Yaml,
}

/// One mapped path: its pattern, the operations of each method, and the `Allow` value.
pub(super) struct PathRoutes {
    pub def: ResourceDef,
    pub methods: Vec<(Method, OpRef)>,
    pub allow: String,
}

/// The operation a route serves: (service index, operation index).
#[derive(Clone, Copy)]
pub(super) struct OpRef(pub usize, pub usize);

impl State {
    pub fn new(
        config: Config,
        services: Vec<Arc<ServicePlan>>,
        targets: Vec<Option<Target>>,
    ) -> State {
        let routes = route_table(&services);
        let guards = services
            .iter()
            .map(|s| Arc::new(UpstreamGuard::new(upstream_name(s), &config.upstreams)))
            .collect();
        let limiter = Arc::new(Limiter::new(&config.rate_limits));
        let cache = AnswerCache::new(&config.cache);
        State {
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

    /// Takes over the older set's guards and limiter where nothing they depend on changed, so
    /// that a reload neither forgets an open circuit nor doubles a cap.
    pub(super) fn inherit(&mut self, old: &State) {
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

    /// The operation serving `method` on `path`, with the path's captured parameters; or the
    /// path's `Allow` value when it is mapped with other methods only; or nothing.
    pub(super) fn find(
        &self,
        method: &actix_web::http::Method,
        path: &mut actix_web::dev::Path<actix_web::dev::Url>,
    ) -> Found<'_> {
        for r in &self.routes {
            if r.def.capture_match_info(path) {
                return match r
                    .methods
                    .iter()
                    .find(|(m, _)| m.as_str() == method.as_str())
                {
                    Some((_, op)) => Found::Route(*op),
                    None => Found::OtherMethods(&r.allow),
                };
            }
        }
        Found::Nothing
    }
}

/// What [`State::find`] found.
pub(super) enum Found<'a> {
    Route(OpRef),
    OtherMethods(&'a str),
    Nothing,
}

/// The name an upstream goes by in logs and counters: its mapping file's stem.
pub(super) fn upstream_name(s: &ServicePlan) -> String {
    s.compiled
        .file
        .file_stem()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// One entry per mapped path, in the order the mappings declare them.
fn route_table(services: &[Arc<ServicePlan>]) -> Vec<PathRoutes> {
    let mut table: Vec<(String, Vec<(Method, OpRef)>)> = Vec::new();
    for (si, s) in services.iter().enumerate() {
        for (oi, op) in s.operations.iter().enumerate() {
            let entry = (op.route.method, OpRef(si, oi));
            match table.iter_mut().find(|(p, _)| *p == op.route.path) {
                Some((_, methods)) => methods.push(entry),
                None => table.push((op.route.path.clone(), vec![entry])),
            }
        }
    }
    table
        .into_iter()
        .map(|(path, methods)| PathRoutes {
            def: ResourceDef::new(path.as_str()),
            allow: methods
                .iter()
                .flat_map(|(m, _)| match m {
                    Method::Get => vec!["GET", "HEAD"],
                    m => vec![m.as_str()],
                })
                .chain(["OPTIONS"])
                .collect::<Vec<_>>()
                .join(", "),
            methods,
        })
        .collect()
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
