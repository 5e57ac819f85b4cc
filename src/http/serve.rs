//! `soapbridge serve`: the first set loaded (it must load: services, upstream targets or the
//! built-in mocks, the client authentication schemes), the listener's TLS, then the app served
//! until SIGINT or SIGTERM, both of which drain: readiness fails and new requests get 503 with
//! `Connection: close` at once, the listener closes after `drain_delay`, in-flight requests
//! finish (up to `shutdown_timeout`; those still running then get a 503), then the process
//! exits 0. SIGHUP and changed files reload (`reload`). The listener's client limits (head
//! timeout, keep-alive, connections per worker) are set here, the head's checks and the cut-off
//! by `intake` in front of every route.

use std::any::Any;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use actix_http::{HttpService, Protocol};
use actix_service::{IntoServiceFactory, ServiceFactory, ServiceFactoryExt as _, map_config};
use actix_tls::accept::TlsError;
use actix_tls::accept::rustls_0_23::{Acceptor, TlsStream};
use actix_web::dev::{AppConfig, Extensions, ServerHandle, fn_service};
use actix_web::http::KeepAlive;
use actix_web::rt::net::TcpStream;
use tokio::signal::unix::{SignalKind, signal};
use tracing::info;

use super::app::configure_live;
use super::auth::Security;
use super::codec_answers::Answering;
use super::intake::{self, CutOff, Intake};
use super::live::Live;
use super::refusals::Refusals;
use super::reload::Reloader;
use super::tls;
use crate::config::{Config, Limits, Source};
use crate::diag::{Diagnostic, Diagnostics};
use crate::mapping::route::CompiledMapping;

/// Loads the set, serves it, reloads and drains on signals.
pub async fn serve(source: Source) -> anyhow::Result<()> {
    let (live, reloader) = Reloader::start(source)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let state = live.current();
    let config = state.config.clone();
    let routes: usize = state.services.iter().map(|s| s.operations.len()).sum();
    drop(state);
    let tls = tls::listener(&config).map_err(|d| anyhow::anyhow!("{}", Diagnostics(d)))?;
    let listener = bind(&config.listen)
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
    let addr = listener.local_addr()?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    info!(listen = %addr, scheme, routes, "Serving");
    let limits = config.limits;
    let (intake, cutoff) = Intake::new(limits, live.clone());
    let refusals = Refusals::new(live.current().metrics.clone());
    let mut builder = actix_web::dev::Server::build()
        .disable_signals()
        // The cut-off answers what is still in flight at `shutdown_timeout`; the grace lets
        // those answers be written before the remaining connections are dropped.
        .shutdown_timeout(config.shutdown_timeout + CUT_OFF_GRACE_S)
        .max_concurrent_connections(limits.connections_per_worker);
    if config.workers > 0 {
        builder = builder.workers(config.workers);
    }
    let site = Site {
        live: live.clone(),
        intake,
        limits,
        addr,
        shutdown: builder.graceful_shutdown_signal(),
        secure: tls.is_some(),
    };
    let builder = match &tls {
        Some(t) => {
            let config = alpn(t.config.clone());
            builder.listen("soapbridge", listener, move || {
                let http = site.http();
                let timeout = limits.header_timeout_ms;
                let refusals = refusals.clone();
                Acceptor::new(config.clone())
                    .map_err(TlsError::into_service_error)
                    .and_then(fn_service(move |io: TlsStream<TcpStream>| {
                        let refusals = refusals.clone();
                        async move {
                            let h2 = io.get_ref().1.alpn_protocol() == Some(b"h2");
                            let peer = io.get_ref().0.peer_addr().ok();
                            let protocol = if h2 { Protocol::Http2 } else { Protocol::Http1 };
                            Ok((Answering::new(io, !h2, timeout, refusals), protocol, peer))
                        }
                    }))
                    .and_then(http.map_err(TlsError::Service))
            })?
        }
        None => builder.listen("soapbridge", listener, move || {
            let http = site.http();
            let timeout = limits.header_timeout_ms;
            let refusals = refusals.clone();
            fn_service(move |io: TcpStream| {
                let refusals = refusals.clone();
                async move {
                    let peer = io.peer_addr().ok();
                    let answering = Answering::new(io, true, timeout, refusals);
                    Ok((answering, Protocol::Http1, peer))
                }
            })
            .and_then(http)
        })?,
    };
    let server = builder.run();
    let _watcher = if config.reload.watch {
        reloader
            .clone()
            .watch(Duration::from_millis(config.reload.debounce_ms))
    } else {
        None
    };
    actix_web::rt::spawn(signals(
        live,
        reloader,
        (server.handle(), cutoff),
        Duration::from_secs(config.drain_delay),
        Duration::from_secs(config.shutdown_timeout),
    ));
    server.await?;
    drop(tls);
    info!("Stopped");
    Ok(())
}

/// What each worker builds its HTTP service from.
#[derive(Clone)]
struct Site {
    live: Arc<Live>,
    intake: Intake,
    limits: Limits,
    addr: SocketAddr,
    shutdown: actix_server::GracefulShutdownSignal,
    secure: bool,
}

impl Site {
    /// The HTTP/1 and HTTP/2 service over one accepted connection: the listener's client
    /// limits (head timeout, keep-alive), the intake's checks as the expect service, and the
    /// app with the intake in front of every route.
    fn http<T>(
        &self,
    ) -> impl ServiceFactory<
        (Answering<T>, Protocol, Option<SocketAddr>),
        Config = (),
        Response = (),
        Error = actix_http::error::DispatchError,
        InitError = (),
    > + use<T>
    where
        T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + 'static,
    {
        let intake = self.intake.clone();
        let app = actix_web::App::new()
            .configure(configure_live(self.live.clone()))
            .wrap(actix_web::middleware::from_fn(move |req, next| {
                intake.clone().check(req, next)
            }));
        let (secure, addr, shutdown) = (self.secure, self.addr, self.shutdown.clone());
        let limits = self.limits;
        HttpService::build()
            .graceful_shutdown_signal(move || {
                let signal = shutdown.clone();
                async move { signal.notified().await }
            })
            .keep_alive(match limits.keep_alive_ms {
                0 => KeepAlive::Disabled,
                ms => KeepAlive::Timeout(Duration::from_millis(ms)),
            })
            .client_request_timeout(Duration::from_millis(limits.header_timeout_ms))
            .client_disconnect_timeout(Duration::from_secs(1))
            .local_addr(addr)
            .on_connect_ext(on_connect::<T>)
            .expect(intake::expect(limits, self.live.clone()))
            .finish(map_config(
                app.into_factory()
                    .map_err(|e: actix_web::Error| e.error_response()),
                move |()| AppConfig::__priv_test_new(secure, addr.to_string(), addr),
            ))
    }
}

/// Connections the kernel holds complete for the listener until they are accepted (actix-web's
/// own default; the standard library's 128 overflows under a burst of thousands of clients,
/// whose handshakes are then retried for seconds).
const BACKLOG: i32 = 1024;

/// The listening socket on the first address of `listen` that binds.
fn bind(listen: &str) -> std::io::Result<TcpListener> {
    use socket2::{Domain, Protocol as Ip, Socket, Type};
    let mut last = None;
    for addr in std::net::ToSocketAddrs::to_socket_addrs(listen)? {
        let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Ip::TCP))?;
        socket.set_reuse_address(true)?;
        match socket
            .bind(&addr.into())
            .and_then(|()| socket.listen(BACKLOG))
        {
            Ok(()) => return Ok(socket.into()),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no address to listen on")))
}

/// HTTP/2 and HTTP/1.1 offered by ALPN, before any protocol of the configuration.
fn alpn(mut config: rustls::ServerConfig) -> rustls::ServerConfig {
    let mut protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    protocols.append(&mut config.alpn_protocols);
    config.alpn_protocols = protocols;
    config
}

/// Gives the connection's data what the intake tells the connection, and the subject of a
/// verified client certificate.
fn on_connect<T: 'static>(io: &Answering<T>, data: &mut Extensions) {
    data.insert(io.head_requests());
    tls::on_connect(io.get_ref() as &dyn Any, data);
}

/// Seconds after `shutdown_timeout` before connections still open are dropped.
const CUT_OFF_GRACE_S: u64 = 5;

/// SIGHUP reloads; SIGINT and SIGTERM drain and stop; past `timeout`, what is still in flight
/// is answered 503.
async fn signals(
    live: Arc<Live>,
    reloader: Arc<Reloader>,
    (server, cutoff): (ServerHandle, CutOff),
    delay: Duration,
    timeout: Duration,
) {
    let (Ok(mut term), Ok(mut int), Ok(mut hup)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
        signal(SignalKind::hangup()),
    ) else {
        tracing::error!("Cannot listen for signals; stop the process with SIGKILL");
        return;
    };
    let name = loop {
        tokio::select! {
            _ = term.recv() => break "SIGTERM",
            _ = int.recv() => break "SIGINT",
            _ = hup.recv() => {
                info!("SIGHUP: reloading");
                reloader.reload().await;
            }
        }
    };
    live.start_drain();
    info!(
        signal = name,
        delay_s = delay.as_secs(),
        "Draining: readiness fails, new requests get 503"
    );
    tokio::time::sleep(delay).await;
    let stop = server.stop(true);
    tokio::pin!(stop);
    tokio::select! {
        () = &mut stop => return,
        () = tokio::time::sleep(timeout) => {}
    }
    info!(
        timeout_s = timeout.as_secs(),
        "Shutdown timeout passed: requests still in flight get 503"
    );
    cutoff.cut();
    stop.await;
}

/// Every problem of the client authentication and TLS settings, and of the scheme names the
/// mappings use (for `soapbridge check`; nothing is fetched from the network).
pub fn check_settings(config: &Config, mappings: &[&CompiledMapping]) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    if let Err(d) = Security::load(config, mappings) {
        diags.extend(d.0);
    }
    if let Err(d) = tls::listener(config) {
        diags.extend(d);
    }
    diags
}
