//! The app factory, used by `serve` and by the tests: the documents (`/docs`, `/openapi.json`,
//! `/openapi.yaml`), the health checks and `/metrics`, then every mapped route (with HEAD,
//! OPTIONS and the mapping's CORS), all read from the set [`Live`] serves now (so a reload
//! changes them without a restart), `/` (unless a mapping serves it) pointing at the documents,
//! and problem+json for every path or method nothing serves. Mapped routes are found in the
//! set's own route table by one default service (no actix resource, no pattern per route);
//! one trailing slash is ignored on them, and the built-in pages redirect (308) to their path
//! without it. The CORS policies are those of the paths served at start; a path a reload adds
//! is served without CORS until the next start.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use actix_web::dev::{Path, Url};
use actix_web::http::header::{ACCEPT, ALLOW, HeaderValue, LINK, LOCATION};
use actix_web::{HttpRequest, HttpResponse, guard, web};

use super::cors;
use super::handler::{self, Clients};
use super::health;
use super::live::Live;
use super::metrics;
use super::problem::Problem;
use super::routes::Found;
use super::state::{DocumentFormat, State};
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
    match state.routes.find(&method, &mut params) {
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
        Found::Nothing => not_mapped(&req),
    }
}

/// The built-in pages, which a path with one trailing slash more is redirected to.
const PAGES: [&str; 6] = [
    "/docs",
    "/openapi.json",
    "/openapi.yaml",
    "/livez",
    "/readyz",
    "/metrics",
];

/// A path no mapping serves: `/` points at the documents, a built-in page with a trailing
/// slash redirects (308) to it, anything else is a 404.
fn not_mapped(req: &HttpRequest) -> HttpResponse {
    let path = req.path();
    let get = matches!(
        *req.method(),
        actix_web::http::Method::GET | actix_web::http::Method::HEAD
    );
    if path == "/" && get {
        return index(req);
    }
    if let Some(page) = path.strip_suffix('/').filter(|p| PAGES.contains(p)) {
        let location = match req.query_string() {
            "" => page.to_string(),
            q => format!("{page}?{q}"),
        };
        return HttpResponse::PermanentRedirect()
            .insert_header((LOCATION, location))
            .finish();
    }
    Problem::NotFound {
        method: req.method().to_string(),
        path: path.to_string(),
    }
    .response()
}

/// `/`: the links to the docs page and the OpenAPI documents, as JSON, or as a page for a
/// browser (one that accepts HTML); both with a `Link` header (RFC 8631).
fn index(req: &HttpRequest) -> HttpResponse {
    let html = req
        .headers()
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    let mut r = HttpResponse::Ok();
    r.insert_header((
        LINK,
        "</docs>; rel=\"service-doc\", </openapi.json>; rel=\"service-desc\"",
    ));
    if html {
        r.content_type("text/html; charset=utf-8").body(concat!(
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>soapbridge</title></head>\n",
            "<body><p><a href=\"/docs\">API documentation</a> · ",
            "<a href=\"/openapi.json\">OpenAPI (JSON)</a> · <a href=\"/openapi.yaml\">OpenAPI (YAML)</a></p></body></html>\n"
        ))
    } else {
        r.content_type("application/json")
            .body(r#"{"docs":"/docs","openapi":"/openapi.json","openapiYaml":"/openapi.yaml"}"#)
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

/// The paths served at start that have a CORS policy, one scope per distinct set-up (the
/// policy and the headers its routes read), chosen by a guard that looks the path up in the
/// start set's route table (preflights answered there); the request itself goes to
/// [`dispatch`], which serves it from the current set.
fn mapping_routes(cfg: &mut web::ServiceConfig, state: &State) {
    for (k, (si, read_headers)) in state.routes.cors.iter().enumerate() {
        let policy = state.services[*si].compiled.cors.as_ref();
        let table = state.routes.clone();
        cfg.service(
            web::scope("")
                .guard(guard::fn_guard(move |ctx| {
                    table.cors_of(&ctx.head().uri) == Some(k)
                }))
                .default_service(web::to(dispatch))
                .wrap(cors::middleware(policy, read_headers))
                .wrap(actix_web::middleware::from_fn(cors::problems)),
        );
    }
}
