//! `soapbridge serve`: the services compiled, each given its upstream target (or the built-in
//! mock, when asked), the client authentication schemes and the listener's TLS loaded, the app
//! served until a signal, in-flight requests drained.

use std::net::TcpListener;
use std::sync::Arc;

use tracing::info;

use super::app::configure;
use super::auth::Security;
use super::mock_server::start_mock;
use super::services::load_services_with;
use super::state::State;
use super::tls;
use crate::config::Config;
use crate::convert::operation::ServicePlan;
use crate::diag::{Diagnostic, Diagnostics};
use crate::mapping::route::CompiledMapping;
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
    let mappings: Vec<&CompiledMapping> = services.iter().map(|s| s.compiled.as_ref()).collect();
    let security = Security::load(&config, &mappings).map_err(|d| anyhow::anyhow!("{d}"))?;
    let tls = tls::listener(&config).map_err(|d| anyhow::anyhow!("{}", Diagnostics(d)))?;
    security.fetch_keys().await;
    let state = Arc::new(State::new(config.clone(), services, targets).with_security(security));
    let listener = TcpListener::bind(&config.listen)
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    info!(listen = %listener.local_addr()?, scheme, routes, "Serving");
    let server = actix_web::HttpServer::new(move || {
        actix_web::App::new().configure(configure(state.clone()))
    })
    .shutdown_timeout(config.shutdown_timeout)
    .on_connect(tls::on_connect);
    let mut server = match &tls {
        Some(t) => server.listen_rustls_0_23(listener, t.config.clone())?,
        None => server.listen(listener)?,
    };
    if config.workers > 0 {
        server = server.workers(config.workers);
    }
    server.run().await?;
    drop(tls);
    info!("Stopped");
    Ok(())
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
