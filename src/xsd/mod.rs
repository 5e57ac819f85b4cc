//! XML Schema: the compiled type graph ([`model`]), the built-in types ([`builtins`]), the
//! compiler from schema documents ([`compile`]), and the XML Schema 1.0 constraint checks that
//! standalone schema loads ([`load`]) add on top ([`check`]).

pub mod builtins;
pub mod check;
pub mod compile;
pub mod facets;
pub mod load;
pub mod model;
pub mod regex;
pub mod validate;
pub mod value;

pub use model::*;

#[cfg(test)]
mod redefine_tests;
#[cfg(test)]
mod tests;
