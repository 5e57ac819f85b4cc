//! WSDL 1.1: the service model ([`model`]) and its loader ([`load()`]).
//!
//! `load` reads the files and compiles their schemas, `builder` resolves messages, port types,
//! bindings and services (`nodes` recognises their elements, `policy` the WS-Addressing and
//! MTOM markers and policies), `isolate` leaves out the operations a confined problem makes
//! unusable.

mod builder;
mod isolate;
pub mod load;
pub mod model;
mod nodes;
mod policy;

pub use load::load;
pub use model::*;
