//! What every worker shares for one loaded set, built once and immutable: the settings, the
//! compiled services, their upstream targets and guards, the route table and the rendered
//! OpenAPI document. A reload builds a new one; [`Live`](super::Live) swaps it in.

use std::sync::Arc;

use actix_web::dev::ResourceDef;

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
    /// The OpenAPI document, rendered once as JSON and as YAML.
    pub openapi: String,
    pub openapi_yaml: String,
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
        let doc = super::openapi::document(&services);
        let openapi_yaml = serde_saphyr::to_string(&doc).unwrap_or_default();
        let openapi = doc.to_string();
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
            openapi,
            openapi_yaml,
            generation: 1,
            routes,
            guards,
            limiter,
            cache,
        }
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
                .map(|(m, _)| m.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            methods,
        })
        .collect()
}
