//! JSON <-> SOAP bodies, driven by the compiled schema: the JSON view of the types
//! ([`model`]), simple values ([`simple`]), JSON -> XML ([`encode`]), XML -> JSON ([`decode`]),
//! and whole operations ([`operation`]).

pub mod decode;
pub mod encode;
pub mod error;
pub mod model;
pub mod operation;
pub mod simple;
