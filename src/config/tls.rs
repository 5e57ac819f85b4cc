//! `tls:` in `soapbridge.yaml`: HTTPS on the listener (certificate and key files, the lowest
//! version, client certificates), or the word that TLS ends before soapbridge.

use std::path::PathBuf;

use serde::Deserialize;
use serde_saphyr::Spanned;

/// `tls:`. Without `cert` and `key` the listener speaks plain HTTP.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TlsSettings {
    /// The server certificate chain (PEM), read again when the file changes. Default: none.
    pub cert: Option<Spanned<PathBuf>>,
    /// The certificate's private key (PEM: PKCS#8, PKCS#1 or SEC1), read again when the file
    /// changes. Default: none.
    pub key: Option<Spanned<PathBuf>>,
    /// The lowest TLS version accepted: `1.2` or `1.3`. Default: `1.2`.
    pub min_version: Option<Spanned<String>>,
    /// CA certificates (PEM) that client certificates must chain to; asks clients for one.
    /// Default: none (no client certificates).
    pub client_ca: Option<Spanned<PathBuf>>,
    /// With `client_ca`: whether a connection without a client certificate is refused in the
    /// handshake (`required`) or let through to the mappings' `auth:` (`optional`). Default:
    /// `optional`.
    pub client_cert: ClientCertMode,
    /// TLS ends before soapbridge (a load balancer or ingress terminates it), so a plain-HTTP
    /// listener may still take Basic credentials. Default: false.
    pub offloaded: bool,
}

impl TlsSettings {
    /// Whether the listener speaks HTTPS.
    pub fn enabled(&self) -> bool {
        self.cert.is_some() || self.key.is_some()
    }
}

/// `tls.client_cert:`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientCertMode {
    /// Asked for, verified when sent, not required (default).
    #[default]
    Optional,
    /// Required: a connection without a verified client certificate fails the handshake.
    Required,
}
