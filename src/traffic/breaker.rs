//! The circuit breaker of one upstream: closed (calls go through, failures in a row counted),
//! open after `failures` of them (calls refused at once with 503 and `Retry-After`, for
//! `open_seconds`), then half-open (one probe call goes through: an answer closes the circuit,
//! a failure opens it again). A failure is a call that got no answer (connect, timeout, reset);
//! any answer, even a fault or a 500, is the service being there.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use tracing::{info, warn};

use super::settings::Breaker as Settings;

/// The circuit's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Circuit {
    Closed { failures: u32 },
    Open { until: Instant },
    HalfOpen { probing: bool },
}

/// One upstream's breaker.
pub struct Breaker {
    name: String,
    settings: Settings,
    circuit: Mutex<Circuit>,
}

/// What a circuit is doing now, as `/metrics` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Calls go through.
    Closed,
    /// The open time is over: one probe call may go through (or is going through).
    HalfOpen,
    /// Calls are refused.
    Open,
}

/// Leave to call, given by [`Breaker::admit`]; tell the outcome with [`Ticket::answered`] or
/// [`Ticket::failed`]. A probe dropped without an outcome lets the next call probe.
pub struct Ticket<'a> {
    breaker: &'a Breaker,
    probe: bool,
    done: bool,
}

/// The circuit is open: try again after this long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Open(pub Duration);

impl Breaker {
    pub fn new(name: String, settings: Settings) -> Breaker {
        Breaker {
            name,
            settings,
            circuit: Mutex::new(Circuit::Closed { failures: 0 }),
        }
    }

    /// Leave for one call, or how long the circuit stays open.
    pub fn admit(&self) -> Result<Ticket<'_>, Open> {
        if self.settings.failures == 0 {
            return Ok(self.ticket(false));
        }
        let mut c = self.lock();
        match *c {
            Circuit::Closed { .. } => Ok(self.ticket(false)),
            Circuit::Open { until } => {
                let now = Instant::now();
                if now < until {
                    return Err(Open(until - now));
                }
                *c = Circuit::HalfOpen { probing: true };
                info!(upstream = %self.name, "Circuit half-open: one probe call goes through");
                Ok(self.ticket(true))
            }
            Circuit::HalfOpen { probing: true } => Err(Open(Duration::from_secs(1))),
            Circuit::HalfOpen { probing: false } => {
                *c = Circuit::HalfOpen { probing: true };
                Ok(self.ticket(true))
            }
        }
    }

    /// The circuit's state now.
    pub fn state(&self) -> State {
        if self.settings.failures == 0 {
            return State::Closed;
        }
        match *self.lock() {
            Circuit::Closed { .. } => State::Closed,
            Circuit::Open { until } if Instant::now() < until => State::Open,
            Circuit::Open { .. } | Circuit::HalfOpen { .. } => State::HalfOpen,
        }
    }

    /// Whether the circuit is open now (readiness asks).
    pub fn is_open(&self) -> bool {
        matches!(*self.lock(), Circuit::Open { until } if Instant::now() < until)
    }

    fn ticket(&self, probe: bool) -> Ticket<'_> {
        Ticket {
            breaker: self,
            probe,
            done: false,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Circuit> {
        self.circuit.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn record(&self, answered: bool) {
        let mut c = self.lock();
        let was = *c;
        *c = match (was, answered) {
            (_, true) => Circuit::Closed { failures: 0 },
            (Circuit::Closed { failures }, false) if failures + 1 < self.settings.failures => {
                Circuit::Closed {
                    failures: failures + 1,
                }
            }
            // A call admitted before the circuit opened changes nothing.
            (Circuit::Open { .. }, false) => was,
            (_, false) => Circuit::Open {
                until: Instant::now() + Duration::from_secs(self.settings.open_seconds),
            },
        };
        match (was, *c) {
            (Circuit::Closed { .. }, Circuit::Closed { .. })
            | (Circuit::Open { .. }, Circuit::Open { .. }) => {}
            (_, Circuit::Closed { .. }) => {
                info!(upstream = %self.name, "Circuit closed: the upstream answers again");
            }
            (_, Circuit::Open { .. }) => {
                warn!(upstream = %self.name, seconds = self.settings.open_seconds, "Circuit open: calls are refused for a while");
            }
            _ => {}
        }
    }

    fn probe_abandoned(&self) {
        let mut c = self.lock();
        if *c == (Circuit::HalfOpen { probing: true }) {
            *c = Circuit::HalfOpen { probing: false };
        }
    }
}

impl Ticket<'_> {
    /// The upstream answered (whatever it said).
    pub fn answered(mut self) {
        self.done = true;
        self.breaker.record(true);
    }

    /// The call got no answer.
    pub fn failed(mut self) {
        self.done = true;
        self.breaker.record(false);
    }
}

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        if self.probe && !self.done {
            self.breaker.probe_abandoned();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three failures open it; it may probe at once.
    fn breaker() -> Breaker {
        Breaker::new(
            "t".into(),
            Settings {
                failures: 3,
                open_seconds: 0,
            },
        )
    }

    #[test]
    fn opens_after_failures_in_a_row_and_one_probe_closes_it() {
        let b = Breaker::new(
            "t".into(),
            Settings {
                failures: 3,
                open_seconds: 60,
            },
        );
        b.admit().unwrap().failed();
        b.admit().unwrap().failed();
        b.admit().unwrap().answered(); // the count starts again
        for _ in 0..3 {
            b.admit().unwrap().failed();
        }
        assert!(b.is_open());
        assert_eq!(b.state(), State::Open);
        let Err(Open(wait)) = b.admit() else {
            panic!("open")
        };
        assert!(wait > Duration::from_secs(59));
        // Once the time is up: one probe, and nobody else meanwhile.
        *b.lock() = Circuit::Open {
            until: Instant::now(),
        };
        assert_eq!(b.state(), State::HalfOpen, "a probe may pass");
        let probe = b.admit().unwrap();
        assert!(b.admit().is_err());
        assert_eq!(b.state(), State::HalfOpen, "the probe is on its way");
        probe.answered();
        assert!(!b.is_open());
        assert_eq!(b.state(), State::Closed);
        b.admit().unwrap().answered();
    }

    #[test]
    fn a_failed_probe_opens_again_and_an_abandoned_one_lets_the_next_probe() {
        let b = breaker();
        for _ in 0..3 {
            b.admit().unwrap().failed();
        }
        // open_seconds 0: the next call probes at once.
        let probe = b.admit().unwrap();
        drop(probe);
        let probe = b.admit().unwrap();
        assert!(b.admit().is_err());
        probe.failed();
        assert!(matches!(*b.lock(), Circuit::Open { .. }));
    }
}
