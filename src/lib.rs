//! soapbridge: a JSON/REST face for legacy SOAP services.
//!
//! The layers, innermost first (ARCHITECTURE.md has a paragraph on each; imports only go inward):
//! [`diag`], [`xml`] and [`env`](mod@env) are shared by all; [`sources`] reads an integrator's WSDL/XSD
//! files offline, [`xsd`] compiles their schemas into a type graph, [`wsdl`] resolves the service
//! model, [`mapping`] turns a mapping file plus that model into checked routes, [`soap`] writes
//! and reads envelopes, [`convert`] turns request JSON into envelopes and answers into JSON,
//! [`traffic`] holds rate limits, in-flight caps, circuit breakers and the answer cache,
//! [`config`] holds the server settings, [`upstream`] calls the legacy service and [`mock`]
//! stands in for it, [`http`] is the server, and [`cli`] the command line. [`cli::run`] is the
//! entry.
#![forbid(unsafe_code)]

pub mod cli;
pub mod config;
pub mod convert;
pub mod diag;
pub mod env;
pub mod http;
pub mod mapping;
pub mod mock;
pub mod soap;
pub mod sources;
pub mod traffic;
pub mod upstream;
pub mod wsdl;
pub mod xml;
pub mod xsd;
