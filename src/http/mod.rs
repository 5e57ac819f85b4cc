//! The actix-web app, in rooms along a request: `app` is the one factory (`configure`) that
//! `serve` and the tests build from the shared `state`; `handler` is the request pipeline
//! (`input` reads what the request brings, `crate::upstream` calls the legacy service);
//! `problem` turns every error into problem+json; `openapi` describes the routes; `services`
//! loads the mappings; `mock_server` and `serve` run the rest. Observability: `metrics` (every
//! series of `/metrics`), `trace` (request ids and W3C trace context), `otel` (OTLP export of the
//! request's spans), `access` (which requests get an access line) and `health` (`/livez`,
//! `/readyz` and the hooks drain, reload and breakers set).

mod access;
mod app;
mod handler;
pub mod health;
mod input;
pub mod metrics;
mod mock_server;
pub mod openapi;
pub mod otel;
pub mod problem;
mod serve;
mod services;
mod state;
mod trace;

pub use app::configure;
pub use mock_server::start_mock;
pub use serve::serve;
pub use services::load_services;
pub use state::State;
