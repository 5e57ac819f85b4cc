//! What stands between the bridge and one upstream: its in-flight [`Gate`], its circuit
//! [`Breaker`] and its [`RetryBudget`], named after the mapping, built from `upstreams:`.

use super::breaker::{Breaker, State};
use super::budget::RetryBudget;
use super::gate::Gate;
use super::settings::Upstreams;

/// One upstream's protections.
pub struct UpstreamGuard {
    name: String,
    max_in_flight: usize,
    pub gate: Gate,
    pub breaker: Breaker,
    pub retries: RetryBudget,
}

impl UpstreamGuard {
    pub fn new(name: String, settings: &Upstreams) -> UpstreamGuard {
        UpstreamGuard {
            gate: Gate::new(settings),
            breaker: Breaker::new(name.clone(), settings.breaker),
            retries: RetryBudget::new(settings.retries),
            max_in_flight: settings.max_in_flight,
            name,
        }
    }

    /// The mapping's name, as logs and counters say it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the circuit is open now.
    pub fn circuit_open(&self) -> bool {
        self.breaker.is_open()
    }

    /// The circuit's state now.
    pub fn circuit_state(&self) -> State {
        self.breaker.state()
    }

    /// Calls in flight now.
    pub fn in_flight(&self) -> usize {
        self.gate.in_flight(self.max_in_flight)
    }
}
