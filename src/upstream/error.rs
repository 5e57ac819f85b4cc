//! What can go wrong: [`TargetError`] when a mapping's upstream settings are resolved at
//! start-up, [`UpstreamError`] when a call gives no answer to read. Messages name places and
//! variables, never a credential.

use std::time::Duration;

use crate::env::EnvError;

/// Why a mapping's upstream settings do not resolve to a [`Target`](super::Target).
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    /// Is raised when a `${VAR}` of the URL or of the credentials cannot be resolved (the message
    /// names the variable, never a value).
    #[error(transparent)]
    Env(#[from] EnvError),
    /// Is raised when the resolved URL is neither `http://` nor `https://`.
    #[error("upstream URL `{0}` is not http:// or https://")]
    NotHttp(String),
}

/// Why an upstream call gave no answer to read.
#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    /// Is raised when the connection could not be made (refused, DNS, TLS, connect timeout).
    #[error("cannot connect to the upstream: {0}")]
    Connect(String),
    /// Is raised when no complete answer came before the operation's deadline.
    #[error("the upstream did not answer within {0:?}")]
    Timeout(Duration),
    /// Is raised when the answer grew past the configured limit.
    #[error("the upstream's answer is larger than {0} bytes")]
    TooLarge(usize),
    /// Is raised when the service answers with a 3xx: redirects are not followed.
    #[error("the upstream answered with a redirect ({0}), which is not followed")]
    Redirect(u16),
    /// Is raised when a pooled connection turned out closed before any answer came: the service
    /// did not read the request.
    #[error("the upstream closed the connection before answering")]
    Stale,
    /// Is raised when sending or reading failed otherwise.
    #[error("the upstream call failed: {0}")]
    Other(String),
}
