//! Where one mapping's calls go, resolved once at start-up: the URL, the timeouts, the
//! [`Auth`] scheme and the transport (the rustls configuration of `tls.rs`, the proxy of
//! `proxy.rs`, the server name), and the awc client each worker builds from them.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use rustls::pki_types::ServerName;

use super::auth::Auth;
use super::connect::Connect;
use super::error::TargetError;
use super::proxy::Proxy;
use super::tls;
use crate::env::{expand_env, has_user_info};
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
    transport: Transport,
    /// Set once the service answered HTTP/1.0 without keep-alive: it closes every connection,
    /// so each call gets a fresh one (awc would otherwise pool it as if it stayed open).
    closes_connections: Arc<AtomicBool>,
    /// Whether this is the built-in mock (`serve --mock`): the client's `X-Mock-Fault` header is
    /// passed on to it, never to a real service.
    pub mock: bool,
}

/// How connections are made: TLS configuration, proxy, server name.
#[derive(Clone)]
struct Transport {
    tls: Arc<rustls::ClientConfig>,
    proxy: Option<Arc<Proxy>>,
    server_name: Option<Arc<str>>,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("proxy", &self.proxy.as_ref().map(|p| (&p.host, p.port)))
            .field("server_name", &self.server_name)
            .finish_non_exhaustive()
    }
}

impl Target {
    /// Resolves the settings' `${VAR}`s and reads the TLS files; `Ok(None)` when the URL is
    /// absent (unset or empty).
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
            Err(e) => return Err(TargetError::Env(e)),
        };
        if has_user_info(&url) {
            return Err(TargetError::UrlCredentials("the upstream URL"));
        }
        if !url.starts_with("http://") && !url.starts_with("https://") {
            return Err(TargetError::NotHttp(url));
        }
        let auth = Auth::from_settings(u)?;
        let server_name = match &u.tls.server_name {
            Some(name) => {
                ServerName::try_from(name.as_str())
                    .map_err(|_| TargetError::ServerName(name.clone()))?;
                Some(Arc::from(name.as_str()))
            }
            None => None,
        };
        let transport = Transport {
            tls: tls::client_config(&u.tls)?,
            proxy: u
                .proxy
                .as_ref()
                .map(Proxy::resolve)
                .transpose()?
                .map(Arc::new),
            server_name,
        };
        let mut target = Target::new(url, auth, u.timeout, u.connect_timeout);
        target.transport = transport;
        Ok(Some(target))
    }

    /// A target with the public web roots, no proxy and the URL's own host name.
    pub fn new(url: String, auth: Auth, timeout: Duration, connect_timeout: Duration) -> Target {
        Target {
            uri: url.parse().ok(),
            url,
            auth,
            timeout,
            connect_timeout,
            transport: Transport {
                tls: tls::default_config(),
                proxy: None,
                server_name: None,
            },
            closes_connections: Default::default(),
            mock: false,
        }
    }

    /// The awc client for this target (one per worker): pooled keep-alive connections, the
    /// connect timeout, redirects never followed; connections opened directly or through the
    /// proxy (`connect.rs`), TLS by the target's rustls configuration.
    pub fn client(&self) -> awc::Client {
        // rustls needs a process-wide crypto provider; ring is the one compiled in.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let t = &self.transport;
        let connect = Connect::new(t.proxy.clone(), t.server_name.clone());
        awc::Client::builder()
            .connector(
                awc::Connector::new()
                    .connector(connect)
                    .rustls_0_23(t.tls.clone())
                    .timeout(self.connect_timeout),
            )
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
