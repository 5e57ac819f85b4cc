//! Calling the legacy service, in the order a call is made: [`Target`] is where one mapping's
//! calls go (URL, timeouts, [`Auth`], TLS, proxy), resolved once at start-up; [`Call`] is one
//! call's parameters; [`call()`] sends it under the retry policy (idempotent operations only,
//! only when nothing reached the service, jittered, within the upstream's retry budget) and returns the [`Reply`] or an [`UpstreamError`]. Knows HTTP as a
//! client, not the bridge's own HTTP face.
//!
//! The rooms: `target` (the resolved settings and the awc client), `auth` (the `Authorization`
//! value: Basic, bearer) with `oauth` (OAuth 2.0 client credentials and the token cache), `tls`
//! (the rustls configuration: roots, client certificate, version), `connect` (the TCP step:
//! direct or tunnelled, the server name) with `proxy` (the proxy, `NO_PROXY`, `CONNECT`), `call`
//! (one try), `retry` (the policy), `error`.

mod auth;
mod call;
mod connect;
mod error;
mod oauth;
mod proxy;
mod retry;
mod target;
mod tls;

pub use auth::{Auth, BasicAuth};
pub use call::{Call, Reply};
pub use error::{TargetError, UpstreamError};
pub use oauth::OAuth2;
pub use retry::call;
pub use target::Target;
