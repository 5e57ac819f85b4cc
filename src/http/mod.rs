//! The actix-web app: routes compiled at start-up from every mapping, problem+json everywhere,
//! `/livez` and `/readyz`, request spans, graceful shutdown.

pub mod handler;
pub mod openapi;
pub mod problem;

use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, web};
use tracing::info;

use crate::config::Config;
use crate::convert::operation::ServicePlan;
use crate::diag::{Diagnostic, Diagnostics};
use crate::mapping::route::Method;
use crate::mock::Mock;
use crate::upstream::Target;
use handler::{Clients, OpRef};
use problem::Problem;

/// Everything the workers share, immutable once built.
pub struct State {
    pub config: Config,
    pub services: Vec<Arc<ServicePlan>>,
    /// Upstream per service (same index); `None` when absent.
    pub targets: Vec<Option<Target>>,
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
        let doc = openapi::document(&services);
        let openapi_yaml = serde_saphyr::to_string(&doc).unwrap_or_default();
        let openapi = doc.to_string();
        State {
            config,
            services,
            targets,
            openapi,
            openapi_yaml,
        }
    }
}

/// Compiles every mapping in the folder; all problems of all files are reported.
pub fn load_services(dir: &Path) -> Result<Vec<Arc<ServicePlan>>, Diagnostics> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| Diagnostic::new(dir, 0, 0, format!("cannot read the mappings folder: {e}")))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(Diagnostic::new(dir, 0, 0, "no mapping files (*.yaml)")
            .hint("run `soapbridge generate wsdl/<service>.wsdl` first")
            .into());
    }
    let mut diags = Vec::new();
    let mut services = Vec::new();
    for f in files {
        match crate::mapping::compile_file(&f) {
            Ok(c) => services.push(Arc::new(ServicePlan::new(Arc::new(c)))),
            Err(d) => diags.extend(d.0),
        }
    }
    // Routes of different mappings must not collide either.
    let mut seen: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for s in &services {
        for op in &s.operations {
            let key = format!(
                "{} {}",
                op.route.method.as_str(),
                crate::mapping::generate::normalize(&op.route.path)
            );
            let here = format!("{}:{}", s.compiled.file.display(), op.route.line);
            if let Some(other) = seen.insert(key.clone(), here.clone()) {
                diags.push(
                    Diagnostic::new(
                        &s.compiled.file,
                        op.route.line,
                        0,
                        format!("route `{key}` collides with {other}"),
                    )
                    .hint("give the mappings different base_paths"),
                );
            }
        }
    }
    if diags.is_empty() {
        Ok(services)
    } else {
        Err(Diagnostics(diags))
    }
}

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
        cfg.route(
            "/docs",
            web::get().to(|| async {
                HttpResponse::Ok()
                    .content_type("text/html; charset=utf-8")
                    .body(include_str!("assets/docs.html"))
            }),
        );
        let doc = state.openapi.clone();
        cfg.route(
            "/openapi.json",
            web::get().to(move || {
                let doc = doc.clone();
                async move {
                    HttpResponse::Ok()
                        .content_type("application/json")
                        .body(doc)
                }
            }),
        );
        let yaml = state.openapi_yaml.clone();
        cfg.route(
            "/openapi.yaml",
            web::get().to(move || {
                let yaml = yaml.clone();
                async move {
                    HttpResponse::Ok()
                        .content_type("application/yaml")
                        .body(yaml)
                }
            }),
        );
        cfg.route(
            "/livez",
            web::get().to(|| async {
                HttpResponse::Ok()
                    .content_type("application/json")
                    .body(r#"{"status":"ok"}"#)
            }),
        );
        let metrics_state = state.clone();
        cfg.route(
            "/metrics",
            web::get().to(move || {
                let text = metrics(&metrics_state);
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
        // Group routes by path so one resource serves several methods.
        let mut paths: Vec<String> = Vec::new();
        for s in &state.services {
            for op in &s.operations {
                if !paths.contains(&op.route.path) {
                    paths.push(op.route.path.clone());
                }
            }
        }
        for path in paths {
            let mut resource = web::resource(path.as_str());
            let allow: Vec<&str> = state
                .services
                .iter()
                .flat_map(|s| s.operations.iter())
                .filter(|o| o.route.path == path)
                .map(|o| o.route.method.as_str())
                .collect();
            let allow = allow.join(", ");
            for (si, s) in state.services.iter().enumerate() {
                for (oi, op) in s.operations.iter().enumerate() {
                    if op.route.path != path {
                        continue;
                    }
                    let method = match op.route.method {
                        Method::Get => web::get(),
                        Method::Post => web::post(),
                        Method::Put => web::put(),
                        Method::Delete => web::delete(),
                        Method::Patch => web::patch(),
                    };
                    let op_ref = OpRef(si, oi);
                    resource = resource.route(method.to(move |req, payload, state, clients| {
                        handler::handle(req, payload, web::Data::new(op_ref), state, clients)
                    }));
                }
            }
            resource = resource.default_service(web::to(move || {
                let allow = allow.clone();
                async move {
                    let mut r = Problem::MethodNotAllowed.response();
                    if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&allow) {
                        r.headers_mut().insert(actix_web::http::header::ALLOW, v);
                    }
                    r
                }
            }));
            cfg.service(resource);
        }
        cfg.default_service(web::to(|req: HttpRequest| async move {
            Problem::NotFound {
                method: req.method().to_string(),
                path: req.path().to_string(),
            }
            .response()
        }));
    }
}

/// Starts mocks for the services without an upstream (when asked), then serves until a signal.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let services = load_services(&config.mappings).map_err(|d| anyhow::anyhow!("{d}"))?;
    let mut targets = Vec::new();
    let mut mock_servers = Vec::new();
    for s in &services {
        let target = Target::resolve(&s.compiled.upstream)
            .map_err(|e| anyhow::anyhow!("{}: {e}", s.compiled.file.display()))?;
        let target = match target {
            Some(t) => {
                // Header secrets must resolve when a real service is called (the mock needs none).
                if let Some(why) = s.operations.iter().find_map(|o| o.header_problem.as_ref()) {
                    anyhow::bail!("{}: {why}", s.compiled.file.display());
                }
                Some(t)
            }
            None if config.mock => {
                let (server, addr) = start_mock(Mock::new(s.clone()), "127.0.0.1:0")?;
                info!(mapping = %s.compiled.file.display(), %addr, "Serving the built-in mock for this mapping");
                mock_servers.push(server);
                Some(Target::new(
                    format!("http://{addr}/mock"),
                    None,
                    s.compiled.upstream.timeout,
                    s.compiled.upstream.connect_timeout,
                ))
            }
            None => anyhow::bail!(
                "{}: no upstream URL (set the variable in `upstream.url`, or run with --mock to use the built-in mock)",
                s.compiled.file.display()
            ),
        };
        targets.push(target);
    }
    for m in mock_servers {
        actix_web::rt::spawn(m);
    }
    let routes: usize = services.iter().map(|s| s.operations.len()).sum();
    let state = Arc::new(State::new(config.clone(), services, targets));
    let listener = TcpListener::bind(&config.listen)
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
    info!(listen = %listener.local_addr()?, routes, "Serving");
    let mut server = actix_web::HttpServer::new(move || {
        actix_web::App::new().configure(configure(state.clone()))
    })
    .shutdown_timeout(config.shutdown_timeout)
    .listen(listener)?;
    if config.workers > 0 {
        server = server.workers(config.workers);
    }
    server.run().await?;
    info!("Stopped");
    Ok(())
}

/// Starts the mock of one service on `addr`; returns the server future and the bound address.
pub fn start_mock(
    mock: Mock,
    addr: &str,
) -> anyhow::Result<(actix_web::dev::Server, std::net::SocketAddr)> {
    let mock = Arc::new(mock);
    let listener = TcpListener::bind(addr)?;
    let bound = listener.local_addr()?;
    let server = actix_web::HttpServer::new(move || {
        let mock = mock.clone();
        actix_web::App::new()
            .app_data(web::PayloadConfig::new(16 * 1024 * 1024))
            .default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
                let mock = mock.clone();
                async move {
                    let fault = req
                        .headers()
                        .get("x-mock-fault")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string);
                    let (status, ct, bytes) = mock.answer(fault.as_deref(), &body);
                    HttpResponse::build(
                        actix_web::http::StatusCode::from_u16(status)
                            .unwrap_or(actix_web::http::StatusCode::OK),
                    )
                    .content_type(ct)
                    .body(bytes)
                }
            }))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)?
    .run();
    Ok((server, bound))
}

/// The Prometheus text exposition of the bridge's counters.
fn metrics(state: &State) -> String {
    let mut out = String::from(
        "# HELP soapbridge_answers_outside_schema_total Upstream answers that violated the WSDL's schema (validate_answers: warn or strict).\n\
         # TYPE soapbridge_answers_outside_schema_total counter\n",
    );
    for s in &state.services {
        let mapping = s
            .compiled
            .file
            .file_stem()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mapping = mapping.replace('\\', "\\\\").replace('"', "\\\"");
        out.push_str(&format!(
            "soapbridge_answers_outside_schema_total{{mapping=\"{mapping}\"}} {}\n",
            s.answers_invalid.load(std::sync::atomic::Ordering::Relaxed)
        ));
    }
    out
}
