//! The TCP step of awc's connector for one target: straight to the service, or to the proxy
//! and through a `CONNECT` tunnel unless `no_proxy` names the host; the connection is then
//! labelled with the name the TLS handshake checks and sends as SNI (the `server_name`
//! override, else the URL's host). awc's pool, timeouts and TLS layer wrap it as usual.

use std::sync::Arc;

use actix_tls::connect::{ConnectError, ConnectInfo, Connection, ConnectorService, Resolver};
use actix_web::dev::Service;
use awc::http::Uri;
use futures_util::future::LocalBoxFuture;
use tokio::net::TcpStream;

use super::proxy::Proxy;

/// How one target's connections are opened (cheap to clone: one per pooled connect).
#[derive(Clone)]
pub(super) struct Connect {
    tcp: ConnectorService,
    proxy: Option<Arc<Proxy>>,
    server_name: Option<Arc<str>>,
}

impl Connect {
    pub(super) fn new(proxy: Option<Arc<Proxy>>, server_name: Option<Arc<str>>) -> Connect {
        Connect {
            tcp: actix_tls::connect::Connector::new(Resolver::default()).service(),
            proxy,
            server_name,
        }
    }

    /// The URI the TLS layer reads its server name from: the override's, or the call's own.
    fn tls_uri(&self, uri: Uri) -> Uri {
        let Some(name) = &self.server_name else {
            return uri;
        };
        let port = uri.port_u16().map(|p| format!(":{p}")).unwrap_or_default();
        let host = if name.contains(':') {
            format!("[{name}]")
        } else {
            name.to_string()
        };
        Uri::builder()
            .scheme(uri.scheme_str().unwrap_or("https"))
            .authority(format!("{host}{port}"))
            .path_and_query("/")
            .build()
            .unwrap_or(uri)
    }
}

impl Service<ConnectInfo<Uri>> for Connect {
    type Response = Connection<Uri, TcpStream>;
    type Error = ConnectError;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    actix_web::dev::always_ready!();

    fn call(&self, req: ConnectInfo<Uri>) -> Self::Future {
        let this = self.clone();
        Box::pin(async move {
            let uri = req.request().clone();
            let (host, port) = (req.hostname().to_string(), req.port());
            let stream = match this.proxy.as_ref().filter(|p| p.applies(&host, port)) {
                None => this.tcp.call(req).await?.into_parts().0,
                Some(proxy) => {
                    let to_proxy = ConnectInfo::new(proxy_uri(proxy)?);
                    let mut stream = this.tcp.call(to_proxy).await?.into_parts().0;
                    proxy
                        .tunnel(&mut stream, &host, port)
                        .await
                        .map_err(ConnectError::Io)?;
                    tracing::debug!(proxy = %proxy.host, "Tunnel opened through the proxy");
                    stream
                }
            };
            Ok(Connection::new(this.tls_uri(uri), stream))
        })
    }
}

/// The proxy's address as a URI the TCP connector resolves.
fn proxy_uri(proxy: &Proxy) -> Result<Uri, ConnectError> {
    let host = if proxy.host.contains(':') {
        format!("[{}]", proxy.host)
    } else {
        proxy.host.clone()
    };
    format!("http://{host}:{}/", proxy.port)
        .parse()
        .map_err(|_| ConnectError::InvalidInput)
}
