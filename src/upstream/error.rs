//! What can go wrong: [`TargetError`] when a mapping's upstream settings are resolved at
//! start-up, [`UpstreamError`] when a call gives no answer to read. Messages name places,
//! variables and files, never a credential.

use std::path::PathBuf;
use std::time::Duration;

use crate::env::EnvError;

/// Why a mapping's upstream settings do not resolve to a [`Target`](super::Target).
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    /// Is raised when a `${VAR}` or `${file:PATH}` of the URL, the credentials, the TLS files or
    /// the proxy cannot be resolved (the message names the variable or file, never a value).
    #[error(transparent)]
    Env(#[from] EnvError),
    /// Is raised when the resolved URL holds credentials (`user:password@`), which are never
    /// sent from there (the message never holds them).
    /// `0` names the URL: `the upstream URL` or `the token URL`.
    #[error(
        "{0} holds credentials (`user:password@`), which are never taken from a URL: give it without them, and the credentials in `upstream.auth` from the environment"
    )]
    UrlCredentials(&'static str),
    /// Is raised when the resolved URL is neither `http://` nor `https://`.
    #[error("upstream URL `{0}` is not http:// or https://")]
    NotHttp(String),
    /// Is raised when a TLS file (CA bundle, client certificate or key) cannot be read or holds
    /// nothing usable (`what` says which; never the content).
    #[error("cannot use {what} `{}`: {reason}", path.display())]
    TlsFile {
        what: &'static str,
        path: PathBuf,
        reason: String,
    },
    /// Is raised when rustls refuses the TLS settings (a key that is not the certificate's, no
    /// root at all).
    #[error("the upstream TLS settings are not usable: {0}")]
    Tls(String),
    /// Is raised when `tls.server_name` is neither a DNS name nor an IP address.
    #[error("`{0}` is not a DNS name or an IP address")]
    ServerName(String),
    /// Is raised when the resolved proxy URL is not `http://[user:password@]host[:port]` (the
    /// message never holds its credentials).
    #[error("the proxy URL is not usable: {0}")]
    Proxy(&'static str),
    /// Is raised when the resolved OAuth 2.0 token URL is not https:// (or http:// on loopback).
    #[error("the token URL `{0}` must be https:// (http:// only on loopback)")]
    TokenUrl(String),
}

/// Why an upstream call gave no answer to read.
#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    /// Is raised when the connection could not be made (refused, DNS, TLS, proxy, connect
    /// timeout).
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
    /// Is raised when no credential could be had for the call (the OAuth 2.0 token endpoint
    /// refused, failed or answered no token): the service was not called.
    #[error("no upstream credentials: {0}")]
    Credentials(String),
    /// Is raised when a `multipart/related` (MTOM/XOP) answer cannot be unpacked: malformed,
    /// too many parts, a missing part, too large once put back.
    #[error("the upstream's multipart answer cannot be read: {0}")]
    Package(#[from] crate::soap::mtom::MtomError),
    /// Is raised when a WS-Addressing answer's `wsa:RelatesTo` does not name the request's
    /// `wsa:MessageID` (or is missing from an answer that is not an HTTP error).
    #[error("the upstream's answer does not relate to the request: {0}")]
    Addressing(#[from] crate::soap::AddressingError),
    /// Is raised when sending or reading failed otherwise.
    #[error("the upstream call failed: {0}")]
    Other(String),
}
