//! The cap on calls in flight to one upstream: a semaphore of `max_in_flight` permits and a
//! short queue in front of it (`queue` places, each waiting at most `queue_timeout_ms`); a call
//! that finds the queue full, or waits too long, is shed (503 with `Retry-After`) before any
//! work is done for it upstream.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::settings::Upstreams;

/// One upstream's in-flight cap and queue.
pub struct Gate {
    slots: Option<Arc<Semaphore>>,
    waiting: AtomicUsize,
    queue: usize,
    timeout: Duration,
}

/// A place in flight, given back when dropped.
pub struct Slot(#[allow(dead_code)] Option<OwnedSemaphorePermit>);

/// The call was shed: the queue was full or the wait too long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shed;

impl Gate {
    pub fn new(settings: &Upstreams) -> Gate {
        Gate {
            slots: (settings.max_in_flight > 0)
                .then(|| Arc::new(Semaphore::new(settings.max_in_flight))),
            waiting: AtomicUsize::new(0),
            queue: settings.queue,
            timeout: Duration::from_millis(settings.queue_timeout_ms),
        }
    }

    /// A place in flight, at once, after a wait in the queue, or [`Shed`].
    pub async fn enter(&self) -> Result<Slot, Shed> {
        let Some(slots) = &self.slots else {
            return Ok(Slot(None));
        };
        if let Ok(p) = slots.clone().try_acquire_owned() {
            return Ok(Slot(Some(p)));
        }
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.queue {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(Shed);
        }
        let got = tokio::time::timeout(self.timeout, slots.clone().acquire_owned()).await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        match got {
            Ok(Ok(p)) => Ok(Slot(Some(p))),
            _ => Err(Shed),
        }
    }

    /// Calls in flight now.
    pub fn in_flight(&self, max: usize) -> usize {
        self.slots
            .as_ref()
            .map_or(0, |s| max.saturating_sub(s.available_permits()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_cap_then_the_queue_then_shed() {
        let settings = Upstreams {
            max_in_flight: 2,
            queue: 1,
            queue_timeout_ms: 200,
            ..Upstreams::default()
        };
        let gate = Arc::new(Gate::new(&settings));
        let a = gate.enter().await.unwrap();
        let _b = gate.enter().await.unwrap();
        assert_eq!(gate.in_flight(2), 2);
        // The third waits in the queue; the fourth finds the queue full.
        let g = gate.clone();
        let waiting = tokio::spawn(async move { g.enter().await.map(|_| ()) });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(gate.enter().await.err(), Some(Shed));
        drop(a);
        assert_eq!(waiting.await.unwrap(), Ok(()));
        // A wait longer than the queue timeout is shed too.
        let _c = gate.enter().await.unwrap();
        let started = std::time::Instant::now();
        assert_eq!(gate.enter().await.err(), Some(Shed));
        assert!(started.elapsed() >= Duration::from_millis(200));
    }
}
