//! Where one mapping's calls go, resolved once at start-up: the URL, the timeouts, TLS (rustls
//! with the webpki roots) and the [`Auth`] scheme, and the awc client each worker builds from
//! them.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::auth::Auth;
use super::error::TargetError;
use crate::env::expand_env;
use crate::mapping::route::UpstreamSettings;

/// Where one mapping's calls go. `Debug` never shows credentials.
#[derive(Clone, Debug)]
pub struct Target {
    pub url: String,
    /// `url` parsed once (`None` when it does not parse: each call then says why).
    pub(super) uri: Option<awc::http::Uri>,
    pub auth: Auth,
    /// The deadline of a call whose operation sets none.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Set once the service answered HTTP/1.0 without keep-alive: it closes every connection,
    /// so each call gets a fresh one (awc would otherwise pool it as if it stayed open).
    closes_connections: Arc<AtomicBool>,
}

impl Target {
    /// Resolves the settings' `${VAR}`s; `Ok(None)` when the URL is absent (unset or empty).
    pub fn resolve(u: &UpstreamSettings) -> Result<Option<Target>, TargetError> {
        let Some(template) = &u.url else {
            return Ok(None);
        };
        let url = match expand_env(template) {
            Ok(url) if url.trim().is_empty() => return Ok(None),
            Ok(url) => url,
            Err(_) if template.trim_start().starts_with("${") && !template.contains(":-") => {
                return Ok(None);
            }
            Err(e) => return Err(TargetError::Env(e.to_string())),
        };
        if !url.starts_with("http://") && !url.starts_with("https://") {
            return Err(TargetError::NotHttp(url));
        }
        let auth = Auth::from_settings(u)?;
        Ok(Some(Target::new(url, auth, u.timeout, u.connect_timeout)))
    }

    pub fn new(url: String, auth: Auth, timeout: Duration, connect_timeout: Duration) -> Target {
        Target {
            uri: url.parse().ok(),
            url,
            auth,
            timeout,
            connect_timeout,
            closes_connections: Default::default(),
        }
    }

    /// The awc client for this target (one per worker): pooled keep-alive connections, the
    /// connect timeout, redirects never followed. TLS is awc's rustls connector with the webpki
    /// roots; a client certificate (mTLS) would give it its own rustls config here.
    pub fn client(&self) -> awc::Client {
        // rustls needs a process-wide crypto provider; ring is the one compiled in.
        let _ = rustls::crypto::ring::default_provider().install_default();
        awc::Client::builder()
            .connector(awc::Connector::new().timeout(self.connect_timeout))
            .disable_redirects()
            .timeout(self.timeout)
            .finish()
    }

    /// Whether the service is known to close every connection.
    pub(super) fn closes_connections(&self) -> bool {
        self.closes_connections.load(Ordering::Relaxed)
    }

    /// Remembers that the service closes every connection.
    pub(super) fn note_closes_connections(&self) {
        self.closes_connections.store(true, Ordering::Relaxed);
    }
}
