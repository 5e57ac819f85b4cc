//! soapbridge's integration tests: one binary, one module per area.

mod browser;
mod cases;
mod cli;
mod corpus;
mod interop;
mod openapi;
mod roundtrip;
mod schemathesis;
mod serve;
