//! The retry budget of one upstream and its backoff: every call deposits `budget_ratio` of a
//! token (up to a reserve of ten), every retry spends one, so retries stay a fraction of the
//! calls however hard the service fails; the wait before retry n is drawn at random between 0
//! and `backoff_ms * 2^n` (full jitter), so that callers do not come back in step.

use std::sync::Mutex;
use std::time::Duration;

use super::settings::Retries;

/// The most tokens kept (and the reserve at start).
const RESERVE: f64 = 10.0;

/// One upstream's retry budget.
pub struct RetryBudget {
    settings: Retries,
    tokens: Mutex<f64>,
}

impl RetryBudget {
    pub fn new(settings: Retries) -> RetryBudget {
        RetryBudget {
            settings,
            tokens: Mutex::new(RESERVE),
        }
    }

    /// Tries after the first, at most.
    pub fn attempts(&self) -> u32 {
        self.settings.attempts
    }

    /// A call is made: its share of a retry is deposited.
    pub fn deposit(&self) {
        if let Ok(mut t) = self.tokens.lock() {
            *t = (*t + self.settings.budget_ratio).min(RESERVE);
        }
    }

    /// Takes one retry from the budget; `false` when it is spent.
    pub fn withdraw(&self) -> bool {
        match self.tokens.lock() {
            Ok(mut t) if *t >= 1.0 => {
                *t -= 1.0;
                true
            }
            _ => false,
        }
    }

    /// The wait before retry `n` (0 for the first): random in `0..=backoff * 2^n`.
    pub fn backoff(&self, n: u32) -> Duration {
        let ceiling = self
            .settings
            .backoff_ms
            .saturating_mul(1u64 << n.min(16))
            .min(10_000);
        Duration::from_millis(fastrand::u64(0..=ceiling))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_is_a_reserve_plus_a_share_of_the_calls() {
        let b = RetryBudget::new(Retries {
            attempts: 2,
            backoff_ms: 50,
            budget_ratio: 0.5,
        });
        let spent = (0..100).take_while(|_| b.withdraw()).count();
        assert_eq!(spent, 10);
        for _ in 0..4 {
            b.deposit();
        }
        assert!(b.withdraw() && b.withdraw());
        assert!(!b.withdraw());
    }

    #[test]
    fn backoff_is_jittered_under_a_doubling_ceiling() {
        let b = RetryBudget::new(Retries::default());
        let waits: Vec<_> = (0..200).map(|_| b.backoff(2)).collect();
        assert!(waits.iter().all(|w| *w <= Duration::from_millis(200)));
        assert!(waits.iter().any(|w| *w != waits[0]), "no jitter");
    }
}
