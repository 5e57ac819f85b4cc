//! Mapping file + WSDL model -> checked routes. Every problem is reported with the mapping's
//! `file:line:col`, and a hint; nothing is checked again per request.
//!
//! One file per kind of check, in the order a mapping is read: `file` parses the file and checks
//! its top-level keys (the WSDL, the selection, `base_path`); `upstream` the upstream's address,
//! timeouts, credentials, TLS and proxy (reading the TLS files it names); `operation` one
//! operation's route and inputs; `outputs` its response, status, faults and timeout; `headers`
//! the SOAP header bindings; `secrets` the one rule for credentials (one `${VAR}` or
//! `${file:PATH}`, no credentials in URLs); `patterns` the schema's patterns that cannot be
//! enforced (refused at their place in the schema unless accepted); `access` who may call
//! (`auth:`, `scopes:`, `claims:`, `identity.NAME`) and from which browser origins (`cors:`);
//! `conflicts` routes two operations share; `suggest` the "did you mean" hints; `warnings` what
//! the WSDL's warnings mean for the mapping (operations left out), and the error for an entry
//! naming one; `context` what the checks of an operation read, and where a problem is.

mod access;
mod conflicts;
mod context;
mod file;
mod headers;
mod operation;
mod outputs;
mod patterns;
pub(crate) mod secrets;
mod suggest;
mod upstream;
mod warnings;

pub use file::{
    CompileOptions, compile_file, compile_file_options, compile_file_with, compile_str,
    compile_str_options, compile_str_with,
};
pub use warnings::warnings;
