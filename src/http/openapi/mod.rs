//! The OpenAPI 3.1 description of every served route, built from the same compiled types that
//! drive conversion, so description and behaviour cannot drift apart: `document` assembles it,
//! `operation` writes each route's operation (parameters, request body, responses), `types` and
//! `simple` the schemas of complex and simple types, `examples` the examples (the mock's samples),
//! `security` the client authentication schemes and what each operation requires.

mod document;
mod examples;
mod operation;
mod security;
mod simple;
mod types;

pub use document::document;
pub use security::secure;
