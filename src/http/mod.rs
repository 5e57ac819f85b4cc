//! The actix-web app, in rooms along a request: `intake` checks every request head against the
//! client limits (and cuts requests off past `shutdown_timeout`); `app` is the one factory
//! (`configure`) that `serve` and the tests build from the shared `state`; `cors` answers
//! browsers' preflights; `auth` is the guard that authenticates callers before the handler;
//! `handler` is the request pipeline (`input` reads what the request brings, `json` parses its
//! body, `crate::upstream` calls the legacy service); `problem` turns every error into
//! problem+json; `openapi` describes the routes and their security schemes; `services` loads
//! the mappings; `tls` is HTTPS on the listener; `mock_server` and `serve` run the rest.
//! Observability: `metrics` (every series of `/metrics`), `trace` (request ids and W3C trace
//! context), `otel` (OTLP export of the request's spans), `access` (which requests get an
//! access line), `refusals` (the HTTP codec's refusals, counted and logged at a bounded rate)
//! and `health` (`/livez`, `/readyz` and the hooks drain, reload and breakers set).

mod access;
mod app;
pub mod auth;
mod codec_answers;
mod cors;
mod handler;
pub mod health;
mod input;
mod intake;
pub mod json;
mod live;
pub mod metrics;
mod mock_server;
pub mod openapi;
pub mod otel;
pub mod problem;
mod refusals;
mod reload;
mod routes;
mod serve;
mod services;
mod state;
pub mod tls;
mod trace;

pub use app::{configure, configure_live};
pub use live::{Live, Readiness};
pub use mock_server::start_mock;
pub use refusals::QuietCodec;
pub use reload::{LoadError, Reloader};
pub use serve::check_settings;
pub use serve::serve;
pub use services::{load_services, load_services_with};
pub use state::State;
