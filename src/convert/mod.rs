//! JSON <-> SOAP bodies, driven by the compiled schema: the JSON view of the types
//! ([`model`]), simple values ([`simple`]), JSON -> XML ([`encode`]), XML -> JSON ([`decode`]),
//! the errors of both directions ([`error`]), and whole operations ([`operation`]: the facade
//! the server calls once per direction).

pub mod decode;
pub mod encode;
pub mod error;
pub mod model;
pub mod operation;
pub mod simple;
pub mod stream;
