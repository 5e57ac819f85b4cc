//! The OpenAPI 3.1 description of every served route, built from the same compiled types that
//! drive conversion, so description and behaviour cannot drift apart: `document` assembles it,
//! `operation` writes each route's operation (parameters, request body, responses), `types` and
//! `simple` the schemas of complex and simple types, `examples` the examples (the mock's samples).

mod document;
mod examples;
mod operation;
mod simple;
mod types;

pub use document::document;
