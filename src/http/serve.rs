//! `soapbridge serve`: the services compiled, each given its upstream target (or the built-in
//! mock, when asked), the app served until a signal, in-flight requests drained.

use std::net::TcpListener;
use std::sync::Arc;

use tracing::info;

use super::app::configure;
use super::mock_server::start_mock;
use super::services::load_services_with;
use super::state::State;
use crate::config::Config;
use crate::convert::operation::ServicePlan;
use crate::mock::Mock;
use crate::upstream::{Auth, Target};

/// Starts mocks for the services without an upstream (when asked), then serves until a signal.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let services = load_services_with(&config.mappings, config.limits.document_bytes)
        .map_err(|d| anyhow::anyhow!("{d}"))?;
    let mut targets = Vec::new();
    let mut mock_servers = Vec::new();
    for s in &services {
        let target = match Target::resolve(&s.compiled.upstream)
            .map_err(|e| anyhow::anyhow!("{}: {e}", s.compiled.file.display()))?
        {
            Some(t) => {
                // Header secrets must resolve when a real service is called (the mock needs none).
                if let Some(why) = s.operations.iter().find_map(|o| o.header_problem.as_ref()) {
                    anyhow::bail!("{}: {why}", s.compiled.file.display());
                }
                t
            }
            None if config.mock => {
                let (server, target) = mock_target(s)?;
                mock_servers.push(server);
                target
            }
            None => anyhow::bail!(
                "{}: no upstream URL (set the variable in `upstream.url`, or run with --mock to use the built-in mock)",
                s.compiled.file.display()
            ),
        };
        targets.push(Some(target));
    }
    for m in mock_servers {
        actix_web::rt::spawn(m);
    }
    let routes: usize = services.iter().map(|s| s.operations.len()).sum();
    let state = Arc::new(State::new(config.clone(), services, targets));
    let listener = TcpListener::bind(&config.listen)
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
    info!(listen = %listener.local_addr()?, routes, "Serving");
    let mut server = actix_web::HttpServer::new(move || {
        actix_web::App::new().configure(configure(state.clone()))
    })
    .shutdown_timeout(config.shutdown_timeout)
    .listen(listener)?;
    if config.workers > 0 {
        server = server.workers(config.workers);
    }
    server.run().await?;
    info!("Stopped");
    Ok(())
}

/// The built-in mock of a service on a free local port (not yet running), and the target that
/// calls it.
fn mock_target(s: &Arc<ServicePlan>) -> anyhow::Result<(actix_web::dev::Server, Target)> {
    let (server, addr) = start_mock(Mock::new(s.clone()), "127.0.0.1:0")?;
    info!(mapping = %s.compiled.file.display(), %addr, "Serving the built-in mock for this mapping");
    let target = Target::new(
        format!("http://{addr}/mock"),
        Auth::None,
        s.compiled.upstream.timeout,
        s.compiled.upstream.connect_timeout,
    );
    Ok((server, target))
}
