//! Mapping files: the format ([`format`](mod@format)), JSON naming ([`naming`]), the input and
//! output trees of an operation ([`shape`]), generation from a WSDL ([`generate`], each
//! operation's route drafted by `draft`, route nouns pluralised by `plural`), list wrappers shown
//! as arrays ([`unwrap`]), and compilation ([`compile`]) into checked routes
//! ([`route`]).

pub mod compile;
mod draft;
pub mod format;
pub mod generate;
pub mod naming;
mod plural;
pub mod route;
pub mod shape;
pub mod unwrap;

pub use compile::compile_file;
pub use route::{CompiledMapping, Route};
