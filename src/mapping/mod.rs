//! Mapping files: the format ([`format`]), JSON naming ([`naming`]), generation from a WSDL
//! ([`generate`]) and compilation into checked routes ([`compile`]).

pub mod compile;
pub mod format;
pub mod generate;
pub mod naming;

pub use compile::{Compiled, Route, compile_file};
