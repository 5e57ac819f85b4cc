//! XML Schema 1.0: the compiled type graph ([`model`]) and its shared names ([`name`]), the
//! built-in types ([`builtins`]), the compiler from schema documents ([`compile`]), the
//! constraint checks that standalone schema loads ([`load`]) add on top ([`check`]), XSD
//! regular expressions ([`regex`]), lexical rules and value spaces ([`value`]), simple values as
//! text held to their facets ([`facets`]), and the instance validator ([`validate`]).

pub mod builtins;
pub mod check;
pub mod compile;
pub mod facets;
pub mod load;
pub mod model;
pub mod name;
pub mod regex;
pub mod validate;
pub mod value;

pub use model::*;

#[cfg(test)]
mod redefine_tests;
#[cfg(test)]
mod tests;
