//! The built-in mock of a legacy service: answers every operation of a WSDL binding with a
//! schema-valid, deterministic sample response ([`sample`]), or a recorded response file, and
//! with a declared fault on request.
//!
//! Faults on request: a request header `X-Mock-Fault: <FaultName>` (or `Server` / `Client` for a
//! plain fault), a text value `mock-fault:<FaultName>` anywhere in the request, or a fault forced
//! per operation when the mock is created (`--fault Operation=FaultName`).

mod answer;
pub mod sample;

pub use answer::{Answer, Mock};
