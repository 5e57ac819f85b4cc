//! `soapbridge serve`: the first set loaded (it must load: services, upstream targets or the
//! built-in mocks, the client authentication schemes), the listener's TLS, then the app served
//! until SIGINT or SIGTERM, both of which drain: readiness fails and new requests get 503 with
//! `Connection: close` at once, the listener closes after `drain_delay`, in-flight requests
//! finish (up to `shutdown_timeout`; those still running then get a 503), then the process
//! exits 0. SIGHUP and changed files reload (`reload`). The listener's client limits (head
//! timeout, keep-alive, connections per worker) are set here, the head's checks and the cut-off
//! by `intake` in front of every route.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::http::KeepAlive;
use tokio::signal::unix::{SignalKind, signal};
use tracing::info;

use super::app::configure_live;
use super::auth::Security;
use super::intake::{CutOff, Intake};
use super::live::Live;
use super::reload::Reloader;
use super::tls;
use crate::config::{Config, Source};
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
    let listener = TcpListener::bind(&config.listen)
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    info!(listen = %listener.local_addr()?, scheme, routes, "Serving");
    let app_live = live.clone();
    let limits = config.limits;
    let (intake, cutoff) = Intake::new(limits);
    let server = actix_web::HttpServer::new(move || {
        let intake = intake.clone();
        actix_web::App::new()
            .configure(configure_live(app_live.clone()))
            .wrap(actix_web::middleware::from_fn(move |req, next| {
                intake.clone().check(req, next)
            }))
    })
    .disable_signals()
    // The cut-off answers what is still in flight at `shutdown_timeout`; the grace lets those
    // answers be written before the remaining connections are dropped.
    .shutdown_timeout(config.shutdown_timeout + CUT_OFF_GRACE_S)
    .client_request_timeout(Duration::from_millis(limits.header_timeout_ms))
    .keep_alive(match limits.keep_alive_ms {
        0 => KeepAlive::Disabled,
        ms => KeepAlive::Timeout(Duration::from_millis(ms)),
    })
    .max_connections(limits.connections_per_worker)
    .on_connect(tls::on_connect);
    let mut server = match &tls {
        Some(t) => server.listen_rustls_0_23(listener, t.config.clone())?,
        None => server.listen(listener)?,
    };
    if config.workers > 0 {
        server = server.workers(config.workers);
    }
    let server = server.run();
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
