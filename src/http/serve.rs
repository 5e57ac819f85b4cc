//! `soapbridge serve`: the first set loaded (it must load), the app served until SIGINT or
//! SIGTERM, both of which drain: readiness fails and new requests get 503 with `Connection:
//! close` at once, the listener closes after `drain_delay`, in-flight requests finish (up to
//! `shutdown_timeout`), then the process exits 0. SIGHUP and changed files reload (`reload`).

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use tokio::signal::unix::{SignalKind, signal};
use tracing::info;

use super::app::configure_live;
use super::live::Live;
use super::reload::Reloader;
use crate::config::Source;

/// Loads the set, serves it, reloads and drains on signals.
pub async fn serve(source: Source) -> anyhow::Result<()> {
    let (live, reloader) = Reloader::start(source).map_err(|e| anyhow::anyhow!("{e}"))?;
    let state = live.current();
    let config = state.config.clone();
    let routes: usize = state.services.iter().map(|s| s.operations.len()).sum();
    drop(state);
    let listener = TcpListener::bind(&config.listen)
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
    info!(listen = %listener.local_addr()?, routes, "Serving");
    let app_live = live.clone();
    let mut server = actix_web::HttpServer::new(move || {
        actix_web::App::new().configure(configure_live(app_live.clone()))
    })
    .disable_signals()
    .shutdown_timeout(config.shutdown_timeout)
    .listen(listener)?;
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
        server.handle(),
        Duration::from_secs(config.drain_delay),
    ));
    server.await?;
    info!("Stopped");
    Ok(())
}

/// SIGHUP reloads; SIGINT and SIGTERM drain and stop.
async fn signals(live: Arc<Live>, reloader: Arc<Reloader>, server: ServerHandle, delay: Duration) {
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
    server.stop(true).await;
}
