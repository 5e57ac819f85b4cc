//! The set being served, swappable while requests run: [`Live`] holds the current [`State`]
//! (a request takes it once and finishes on it, whatever is swapped in meanwhile), whether the
//! server is draining, and what readiness needs to know.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use arc_swap::ArcSwap;

use super::state::State;
use crate::traffic::counters;

/// The served set and the server's condition, shared by every worker.
pub struct Live {
    current: ArcSwap<State>,
    draining: AtomicBool,
    reload_problems: Mutex<Option<String>>,
}

/// What readiness is made of.
#[derive(Debug, Clone, PartialEq)]
pub struct Readiness {
    /// The server is draining (SIGINT or SIGTERM): not ready.
    pub draining: bool,
    /// Upstreams whose circuit is open now (by mapping name).
    pub open_circuits: Vec<String>,
    /// The problems of the last reload, when it failed (the loaded set was kept).
    pub reload_problems: Option<String>,
    /// The generation served.
    pub generation: u64,
}

impl Live {
    /// Serves `state` (its generation is kept).
    pub fn new(state: Arc<State>) -> Live {
        counters::generation(state.generation);
        Live {
            current: ArcSwap::new(state),
            draining: AtomicBool::new(false),
            reload_problems: Mutex::new(None),
        }
    }

    /// The set to serve one request with.
    pub fn current(&self) -> Arc<State> {
        self.current.load_full()
    }

    /// Puts `state` in service as the next generation, with the guards and limits of the old
    /// set that still apply; requests already running finish on the old one. Returns the
    /// generation now served.
    pub fn swap(&self, mut state: State) -> u64 {
        let old = self.current.load_full();
        state.inherit(&old);
        state.generation = old.generation + 1;
        let generation = state.generation;
        self.current.store(Arc::new(state));
        if let Ok(mut p) = self.reload_problems.lock() {
            *p = None;
        }
        counters::generation(generation);
        generation
    }

    /// Records that a reload failed and why (the old set stays).
    pub fn reload_failed(&self, problems: String) {
        if let Ok(mut p) = self.reload_problems.lock() {
            *p = Some(problems);
        }
    }

    /// From now on requests get 503 with `Connection: close` and readiness fails.
    pub fn start_drain(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }

    /// Whether the server is draining.
    pub fn draining(&self) -> bool {
        self.draining.load(Ordering::Relaxed)
    }

    /// The readiness hook: draining, open circuits, the last reload's failure.
    pub fn readiness(&self) -> Readiness {
        let state = self.current();
        Readiness {
            draining: self.draining(),
            open_circuits: state
                .guards
                .iter()
                .filter(|g| g.circuit_open())
                .map(|g| g.name().to_string())
                .collect(),
            reload_problems: self.reload_problems.lock().ok().and_then(|p| p.clone()),
            generation: state.generation,
        }
    }
}
