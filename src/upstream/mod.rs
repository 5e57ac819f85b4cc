//! Calling the legacy service, in the order a call is made: [`Target`] is where one mapping's
//! calls go (URL, timeouts, TLS, [`Auth`]), resolved once at start-up; [`Call`] is one call's
//! parameters; [`call()`] sends it under the retry policy (one more try only when nothing reached
//! the service) and returns the [`Reply`] or an [`UpstreamError`]. Knows HTTP as a client, not the
//! bridge's own HTTP face.

mod auth;
mod call;
mod error;
mod retry;
mod target;

pub use auth::{Auth, BasicAuth};
pub use call::{Call, Reply};
pub use error::{TargetError, UpstreamError};
pub use retry::call;
pub use target::Target;
