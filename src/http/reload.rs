//! Loading a whole set and reloading it: [`build`] compiles every mapping with the settings and
//! resolves each one's upstream (or starts its mock); [`Reloader`] does it again on SIGHUP or
//! when a watched file changes (debounced), swaps the new set in when all of it compiles, and
//! otherwise keeps the old one, logging every problem as `file:line:col` and counting it.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::dev::ServerHandle;
use notify::{EventKind, RecursiveMode, Watcher};
use tracing::{info, warn};

use super::auth::Security;
use super::live::Live;
use super::mock_server::{mock_path, start_mocks};
use super::services::load_services_with;
use super::state::State;
use crate::config::{Config, Source};
use crate::convert::operation::ServicePlan;
use crate::mapping::route::CompiledMapping;
use crate::mock::Mock;
use crate::traffic::counters;
use crate::upstream::{Auth, Target};

/// Why a set could not be loaded: every problem, one per line, located.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct LoadError(String);

/// A set ready to serve, with the mock servers it started (already running).
struct Loaded {
    state: State,
    mocks: Vec<ServerHandle>,
}

/// Compiles every mapping, resolves each upstream (starting the built-in mock of a mapping
/// without one, when asked) and loads the client authentication schemes.
async fn build(config: Config) -> Result<Loaded, LoadError> {
    let services = load_services_with(&config.mappings, config.limits.document_bytes)
        .map_err(|d| LoadError(d.to_string()))?;
    let mut targets = Vec::new();
    // The services served by the built-in mock, by index: one server answers for all of them.
    let mut mocked = Vec::new();
    for (i, s) in services.iter().enumerate() {
        let file = s.compiled.file.display();
        let target = match Target::resolve(&s.compiled.upstream)
            .map_err(|e| LoadError(format!("{file}: {e}")))?
        {
            Some(t) => {
                // Header secrets must resolve when a real service is called (the mock needs none).
                if let Some(why) = s.operations.iter().find_map(|o| o.header_problem.as_ref()) {
                    return Err(LoadError(format!("{file}: {why}")));
                }
                Some(t)
            }
            None if config.mock => {
                mocked.push(i);
                None
            }
            None => {
                return Err(LoadError(format!(
                    "{file}: no upstream URL (set the variable in `upstream.url`, or run with --mock to use the built-in mock)"
                )));
            }
        };
        targets.push(target);
    }
    let mut mocks = Vec::new();
    if !mocked.is_empty() {
        let server = mock_targets(&services, &mocked, &mut targets)?;
        mocks.push(server.handle());
        actix_web::rt::spawn(server);
    }
    let mappings: Vec<&CompiledMapping> = services.iter().map(|s| s.compiled.as_ref()).collect();
    let security = match Security::load(&config, &mappings) {
        Ok(s) => s,
        Err(d) => {
            stop(mocks);
            return Err(LoadError(d.to_string()));
        }
    };
    security.fetch_keys().await;
    Ok(Loaded {
        state: State::new(config, services, targets).with_security(security),
        mocks,
    })
}

/// Stops mock servers once their in-flight calls are answered.
fn stop(mocks: Vec<ServerHandle>) {
    for m in mocks {
        actix_web::rt::spawn(async move { m.stop(true).await });
    }
}

/// One server for the built-in mocks of the services `mocked` (indexes into `services`), on a
/// free local port (not yet running); sets each one's target to its mock.
fn mock_targets(
    services: &[Arc<ServicePlan>],
    mocked: &[usize],
    targets: &mut [Option<Target>],
) -> Result<actix_web::dev::Server, LoadError> {
    let mocks = mocked
        .iter()
        .map(|&i| Mock::new(services[i].clone()))
        .collect();
    let (server, addr) = start_mocks(mocks, "127.0.0.1:0").map_err(|e| {
        LoadError(format!(
            "{}: cannot start the mock: {e}",
            services[mocked[0]].compiled.file.display()
        ))
    })?;
    for (k, &i) in mocked.iter().enumerate() {
        let s = &services[i];
        let url = format!("http://{addr}{}", mock_path(k));
        info!(mapping = %s.compiled.file.display(), %url, "Serving the built-in mock for this mapping");
        let mut target = Target::new(
            url,
            Auth::None,
            s.compiled.upstream.timeout,
            s.compiled.upstream.connect_timeout,
        );
        target.mock = true;
        targets[i] = Some(target);
    }
    Ok(server)
}

/// Reloads the set `live` serves from `source`.
pub struct Reloader {
    source: Source,
    live: Arc<Live>,
    /// The mocks of the set served now, stopped (gracefully) once a new set replaces it.
    mocks: Mutex<Vec<ServerHandle>>,
    /// One reload at a time.
    busy: tokio::sync::Mutex<()>,
}

impl Reloader {
    /// Loads the first set from `source` (inside an actix system: mocks are spawned on it) and
    /// the reloader that will replace it.
    pub async fn start(source: Source) -> Result<(Arc<Live>, Arc<Reloader>), LoadError> {
        let config = source.load().map_err(|d| LoadError(d.to_string()))?;
        let loaded = build(config).await?;
        let live = Arc::new(Live::new(Arc::new(loaded.state)));
        let reloader = Reloader {
            source,
            live: live.clone(),
            mocks: Mutex::new(loaded.mocks),
            busy: tokio::sync::Mutex::new(()),
        };
        Ok((live, Arc::new(reloader)))
    }

    /// Loads the whole set again; swaps it in when it all compiles, else keeps the old one and
    /// logs every problem. Returns whether the new set is served.
    pub async fn reload(&self) -> bool {
        let _one = self.busy.lock().await;
        let built = match self.source.load() {
            Ok(config) => {
                let old = self.live.current();
                if config.listen != old.config.listen || config.workers != old.config.workers {
                    warn!("`listen`, `workers` and `tls` take effect on restart only");
                }
                build(config).await
            }
            Err(d) => Err(LoadError(d.to_string())),
        };
        match built {
            Ok(loaded) => {
                let routes: usize = loaded
                    .state
                    .services
                    .iter()
                    .map(|s| s.operations.len())
                    .sum();
                let generation = self.live.swap(loaded.state);
                counters::reload(true);
                info!(generation, routes, "Reloaded");
                let old = match self.mocks.lock() {
                    Ok(mut m) => std::mem::replace(&mut *m, loaded.mocks),
                    Err(_) => Vec::new(),
                };
                stop(old);
                true
            }
            Err(e) => {
                counters::reload(false);
                for problem in e.0.lines() {
                    warn!(problem = %problem, "Reload failed; the loaded set is kept");
                }
                self.live.reload_failed(e.0);
                false
            }
        }
    }

    /// Reloads when a watched file changes: the mappings folder, the folders of their WSDLs,
    /// the settings file; `debounce` after the last change. The watcher lives as long as the
    /// returned value (`None`, logged, when the system cannot watch).
    pub fn watch(self: Arc<Self>, debounce: Duration) -> Option<notify::RecommendedWatcher> {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<()>();
        let settings = self.source.file();
        let settings_name = settings.file_name().map(|n| n.to_os_string());
        let mut watcher = notify::recommended_watcher(move |e: notify::Result<notify::Event>| {
            let Ok(e) = e else { return };
            if matches!(e.kind, EventKind::Access(_)) {
                return;
            }
            let relevant = e.paths.iter().any(|p| {
                let ext = p.extension().and_then(|x| x.to_str()).unwrap_or("");
                matches!(ext, "yaml" | "yml" | "wsdl" | "xsd")
                    || p.file_name().map(|n| n.to_os_string()) == settings_name
            });
            if relevant {
                let _ = tx.send(());
            }
        })
        .map_err(|e| warn!(error = %e, "Cannot watch files; reload with SIGHUP"))
        .ok()?;
        for (dir, mode) in self.watched(&settings) {
            if let Err(e) = watcher.watch(&dir, mode) {
                warn!(folder = %dir.display(), error = %e, "Cannot watch this folder");
            }
        }
        actix_web::rt::spawn(async move {
            while rx.recv().await.is_some() {
                loop {
                    match tokio::time::timeout(debounce, rx.recv()).await {
                        Ok(Some(())) => continue,
                        Ok(None) => return,
                        Err(_) => break,
                    }
                }
                info!("Files changed: reloading");
                self.reload().await;
            }
        });
        Some(watcher)
    }

    /// The mappings folder, each WSDL's folder (with its subfolders) and the settings file's.
    fn watched(&self, settings: &std::path::Path) -> Vec<(PathBuf, RecursiveMode)> {
        let state = self.live.current();
        let mut dirs = vec![(state.config.mappings.clone(), RecursiveMode::NonRecursive)];
        for s in &state.services {
            if let Some(d) = s.compiled.wsdl_path.parent() {
                dirs.push((d.to_path_buf(), RecursiveMode::Recursive));
            }
        }
        if settings.exists() {
            let parent = settings.parent().filter(|p| !p.as_os_str().is_empty());
            dirs.push((
                parent.map_or_else(|| PathBuf::from("."), |p| p.to_path_buf()),
                RecursiveMode::NonRecursive,
            ));
        }
        dirs.sort();
        dirs.dedup_by(|a, b| a.0 == b.0);
        dirs
    }
}
