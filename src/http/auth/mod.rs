//! Client authentication, before the handler: `load` reads the schemes of `soapbridge.yaml`
//! (`settings` places their problems) and resolves the ones each route names; `guard` tries
//! them on a request ([`Security::authenticate`]), one file per scheme (`api_key`, `jwt` with
//! its `jwks`, `basic`, `client_cert`); `identity` is who called, which the request span
//! carries and the mapping's `identity.NAME` sources read.

mod api_key;
mod basic;
mod client_cert;
mod guard;
mod identity;
mod jwks;
mod jwt;
mod load;
mod settings;

pub use client_cert::PeerSubject;
pub use guard::{AuthError, Security};
pub use identity::{Identity, IdentityKind};
pub(crate) use settings::{certificates, located};
