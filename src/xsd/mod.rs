//! XML Schema: the compiled type graph ([`model`]), the built-in types ([`builtins`]), and the
//! compiler from schema documents ([`compile`]).

pub mod builtins;
pub mod compile;
pub mod load;
pub mod model;
pub mod regex;
pub mod validate;

pub use model::*;

#[cfg(test)]
mod tests;
