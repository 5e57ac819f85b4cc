//! WSDL 1.1: the service model ([`model`]) and its loader ([`load()`]).

pub mod load;
pub mod model;

pub use load::load;
pub use model::*;
