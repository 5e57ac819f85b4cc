//! The app factory, used by `serve` and by the tests: the documents (`/docs`, `/openapi.json`,
//! `/openapi.yaml`), the health checks and `/metrics`, then every mapped route (with HEAD,
//! OPTIONS and the mapping's CORS), all read from the set [`Live`] serves now (so a reload
//! changes them without a restart), and problem+json for every path or method nothing serves.
//! The CORS policies are those of the paths served at start; a path a reload adds is served
//! without CORS until the next start.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use actix_web::dev::{Path, Url};
use actix_web::http::header::{ALLOW, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};

use super::cors;
use super::handler::{self, Clients};
use super::health;
use super::live::Live;
use super::metrics;
use super::problem::Problem;
use super::state::{DocumentFormat, Found, State};
use crate::traffic::breaker::State as CircuitNow;
use crate::upstream::Target;

/// Registers every route, health checks and the problem+json fallbacks for one fixed set.
pub fn configure(state: Arc<State>) -> impl FnOnce(&mut web::ServiceConfig) {
    configure_live(Arc::new(Live::new(state)))
}

/// Registers everything for the set `live` serves, whichever it is when a request comes.
pub fn configure_live(live: Arc<Live>) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg: &mut web::ServiceConfig| {
        cfg.app_data(web::Data::new(live.clone()));
        cfg.app_data(web::Data::new(WorkerClients::default()));
        cfg.app_data(web::PathConfig::default().error_handler(|e, _| {
            actix_web::error::InternalError::from_response(
                e.to_string(),
                Problem::MalformedJson(e.to_string()).response(),
            )
            .into()
        }));
        documents(cfg);
        health(cfg, &live);
        mapping_routes(cfg, &live.current());
        cfg.default_service(web::to(dispatch));
    }
}

/// This worker's upstream clients for the generation it last served (awc clients belong to one
/// worker; a request keeps the ones it started with).
#[derive(Default)]
struct WorkerClients(RefCell<Option<(u64, Rc<Clients>)>>);

impl WorkerClients {
    fn get(&self, state: &State) -> Rc<Clients> {
        let mut slot = self.0.borrow_mut();
        match &*slot {
            Some((g, c)) if *g == state.generation => c.clone(),
            _ => {
                let clients = Rc::new(Clients(
                    state
                        .targets
                        .iter()
                        .map(|t| t.as_ref().map(Target::client))
                        .collect(),
                ));
                *slot = Some((state.generation, clients.clone()));
                clients
            }
        }
    }
}

/// A mapped route's handler, a 405 naming the allowed methods, or a 404.
async fn dispatch(
    req: HttpRequest,
    payload: web::Payload,
    live: web::Data<Arc<Live>>,
    clients: web::Data<WorkerClients>,
) -> HttpResponse {
    let state = live.current();
    let mut params = Path::new(Url::new(req.uri().clone()));
    let method = match *req.method() {
        actix_web::http::Method::HEAD => actix_web::http::Method::GET,
        ref m => m.clone(),
    };
    match state.find(&method, &mut params) {
        Found::OtherMethods(allow) if req.method() == actix_web::http::Method::OPTIONS => {
            HttpResponse::NoContent()
                .insert_header((ALLOW, allow.to_string()))
                .finish()
        }
        Found::Route(op_ref) => {
            if live.draining() {
                return handler::draining();
            }
            let clients = clients.get(&state);
            handler::handle(req, payload, op_ref, state, clients, params).await
        }
        Found::OtherMethods(allow) => {
            let mut r = Problem::MethodNotAllowed.response();
            if let Ok(v) = HeaderValue::from_str(allow) {
                r.headers_mut().insert(ALLOW, v);
            }
            r
        }
        Found::Nothing => Problem::NotFound {
            method: req.method().to_string(),
            path: req.path().to_string(),
        }
        .response(),
    }
}

/// `/docs` (the docs page), `/openapi.json` and `/openapi.yaml`.
fn documents(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/docs",
        web::get().to(|| async {
            HttpResponse::Ok()
                .content_type("text/html; charset=utf-8")
                .body(include_str!("assets/docs.html"))
        }),
    );
    for (path, content_type, format) in [
        ("/openapi.json", "application/json", DocumentFormat::Json),
        ("/openapi.yaml", "application/yaml", DocumentFormat::Yaml),
    ] {
        cfg.route(
            path,
            web::get().to(move |live: web::Data<Arc<Live>>| {
                let state = live.current();
                async move {
                    // Rendered on the first request (off the worker's thread), then shared.
                    match web::block(move || state.openapi(format)).await {
                        Ok(text) => HttpResponse::Ok().content_type(content_type).body(text),
                        Err(_) => {
                            Problem::Unavailable("the OpenAPI document could not be rendered")
                                .response()
                        }
                    }
                }
            }),
        );
    }
}

/// `/livez`, `/metrics` and `/readyz`, of the set served now (outside the request pipeline: no
/// access line, no client authentication).
fn health(cfg: &mut web::ServiceConfig, live: &Live) {
    cfg.route("/livez", web::get().to(|| async { health::livez() }));
    if live.current().metrics.enabled() {
        cfg.route(
            "/metrics",
            web::get().to(|live: web::Data<Arc<Live>>| {
                let state = live.current();
                for g in &state.guards {
                    let circuit = match g.circuit_state() {
                        CircuitNow::Closed => metrics::CircuitState::Closed,
                        CircuitNow::HalfOpen => metrics::CircuitState::HalfOpen,
                        CircuitNow::Open => metrics::CircuitState::Open,
                    };
                    state.metrics.circuit_state(g.name(), circuit);
                }
                let text = state.metrics.text();
                async move {
                    HttpResponse::Ok()
                        .content_type(metrics::CONTENT_TYPE)
                        .body(text)
                }
            }),
        );
    }
    cfg.route(
        "/readyz",
        web::get().to(|live: web::Data<Arc<Live>>| {
            let state = live.current();
            let open: Vec<&str> = state
                .guards
                .iter()
                .filter(|g| g.circuit_open())
                .map(|g| g.name())
                .collect();
            let r = health::readyz(&state.health, &open);
            async move { r }
        }),
    );
}

/// Every path served at start, in its mapping's CORS policy (preflights answered there); the
/// request itself goes to [`dispatch`], which serves it from the current set.
fn mapping_routes(cfg: &mut web::ServiceConfig, state: &State) {
    let mut paths: Vec<&str> = Vec::new();
    for s in &state.services {
        for op in &s.operations {
            if !paths.contains(&op.route.path.as_str()) {
                paths.push(&op.route.path);
            }
        }
    }
    for path in paths {
        let mut policy = None;
        let mut read_headers = Vec::new();
        for (si, s) in state.services.iter().enumerate() {
            for (oi, op) in s.operations.iter().enumerate() {
                if op.route.path != path {
                    continue;
                }
                if policy.is_none() {
                    policy = s.compiled.cors.as_ref();
                }
                read_headers.extend(cors::headers_read(&op.route));
                read_headers.extend(state.security.headers_read(si, oi));
            }
        }
        cfg.service(
            web::resource(path)
                .default_service(web::to(dispatch))
                .wrap(cors::middleware(policy, &read_headers))
                .wrap(actix_web::middleware::from_fn(cors::problems)),
        );
    }
}
