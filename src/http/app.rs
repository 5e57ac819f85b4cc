//! The app factory, used by `serve` and by the tests: the shared state, one route per mapping
//! route (with HEAD, OPTIONS and the mapping's CORS), the documents (`/docs`, `/openapi.json`, `/openapi.yaml`), the health checks and
//! `/metrics`, and problem+json for every path or method nothing serves.

use std::sync::Arc;

use actix_web::http::header::{ALLOW, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};

use super::cors;
use super::handler::{self, Clients, OpRef};
use super::metrics;
use super::problem::Problem;
use super::state::{DocumentFormat, State};
use crate::mapping::route::Method;
use crate::upstream::Target;

/// Registers every route, health checks and the problem+json fallbacks.
pub fn configure(state: Arc<State>) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg: &mut web::ServiceConfig| {
        let clients = Clients(
            state
                .targets
                .iter()
                .map(|t| t.as_ref().map(Target::client))
                .collect(),
        );
        cfg.app_data(web::Data::new(state.clone()));
        cfg.app_data(web::Data::new(clients));
        cfg.app_data(web::PathConfig::default().error_handler(|e, _| {
            actix_web::error::InternalError::from_response(
                e.to_string(),
                Problem::MalformedJson(e.to_string()).response(),
            )
            .into()
        }));
        documents(cfg, &state);
        health(cfg, &state);
        mapping_routes(cfg, &state);
        cfg.default_service(web::to(|req: HttpRequest| async move {
            Problem::NotFound {
                method: req.method().to_string(),
                path: req.path().to_string(),
            }
            .response()
        }));
    }
}

/// `/docs` (the docs page), `/openapi.json` and `/openapi.yaml`.
fn documents(cfg: &mut web::ServiceConfig, state: &Arc<State>) {
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
        let state = state.clone();
        cfg.route(
            path,
            web::get().to(move || {
                let state = state.clone();
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

/// `/livez`, `/metrics` and `/readyz`.
fn health(cfg: &mut web::ServiceConfig, state: &Arc<State>) {
    cfg.route(
        "/livez",
        web::get().to(|| async {
            HttpResponse::Ok()
                .content_type("application/json")
                .body(r#"{"status":"ok"}"#)
        }),
    );
    let state = state.clone();
    cfg.route(
        "/metrics",
        web::get().to(move || {
            let text = metrics::text(&state.services);
            async move {
                HttpResponse::Ok()
                    .content_type("text/plain; version=0.0.4; charset=utf-8")
                    .body(text)
            }
        }),
    );
    cfg.route(
        "/readyz",
        web::get().to(|| async {
            HttpResponse::Ok()
                .content_type("application/json")
                .body(r#"{"status":"ready"}"#)
        }),
    );
}

/// One resource per mapped path, serving each of its methods (a GET route answers HEAD too);
/// OPTIONS names them; any other method is a 405 that names them as well. A path of a mapping
/// with `cors:` answers preflights itself and adds the CORS headers to every answer.
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
        let mut resource = web::resource(path);
        let mut allow: Vec<&str> = Vec::new();
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
                allow.push(op.route.method.as_str());
                let op_ref = OpRef(si, oi);
                let serve = move |req, payload, state, clients| {
                    handler::handle(req, payload, op_ref, state, clients)
                };
                resource = resource.route(method(op.route.method).to(serve));
                if op.route.method == Method::Get {
                    allow.push("HEAD");
                    resource = resource.route(web::head().to(serve));
                }
            }
        }
        allow.push("OPTIONS");
        let allow = allow.join(", ");
        let options = allow.clone();
        resource = resource.route(web::route().method(actix_web::http::Method::OPTIONS).to(
            move || {
                let allow = options.clone();
                async move {
                    HttpResponse::NoContent()
                        .insert_header((ALLOW, allow))
                        .finish()
                }
            },
        ));
        let resource = resource.default_service(web::to(move || {
            let allow = allow.clone();
            async move {
                let mut r = Problem::MethodNotAllowed.response();
                if let Ok(v) = HeaderValue::from_str(&allow) {
                    r.headers_mut().insert(ALLOW, v);
                }
                r
            }
        }));
        cfg.service(
            resource
                .wrap(cors::middleware(policy, &read_headers))
                .wrap(actix_web::middleware::from_fn(cors::problems)),
        );
    }
}

fn method(m: Method) -> actix_web::Route {
    match m {
        Method::Get => web::get(),
        Method::Post => web::post(),
        Method::Put => web::put(),
        Method::Delete => web::delete(),
        Method::Patch => web::patch(),
    }
}
