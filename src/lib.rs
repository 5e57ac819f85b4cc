//! soapbridge: a JSON/REST face for legacy SOAP services.
//!
//! The flow, in module order: [`sources`] reads an integrator's WSDL/XSD files offline,
//! [`xsd`] compiles their schemas into a type graph, [`wsdl`] resolves the service model,
//! [`mapping`] turns a mapping file plus that model into checked routes. [`cli::run`] is the entry.
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
pub mod upstream;
pub mod wsdl;
pub mod xml;
pub mod xsd;
