//! The OpenAPI 3.1 description of every served route, built from the same compiled types that
//! drive conversion, so description and behaviour cannot drift apart: `document` assembles it as
//! one tree, `render` writes the same document into its output piece by piece (what is
//! served and printed), `operation` writes each route's operation (parameters, request body,
//! responses), `types` and `simple` the schemas of complex and simple types, `examples` the
//! examples (the mock's samples), `security` the client authentication schemes and what each
//! operation requires.

mod document;
mod examples;
mod operation;
mod render;
mod security;
mod simple;
mod types;

pub use document::document;
pub use render::{json, json_pretty, yaml};
pub use security::secure;
