//! Rate limits: a token bucket per client identity over all routes (`per_client`) and one per
//! client and route (`routes`), kept with governor (GCRA) in this process, or in Redis when
//! `redis:` is set (`shared`), falling back to the local buckets while Redis cannot be reached.
//! A decision carries what the IETF `RateLimit` / `RateLimit-Policy` headers say.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::RateLimiter;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;

use super::counters;
use super::identity::{Identity, TrustedProxies};
use super::settings::{Quota, RateLimits};
use super::shared::Shared;

type Buckets =
    RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock, StateInformationMiddleware>;

/// One policy's buckets.
struct Policy {
    /// `client`, or the route as written in the settings.
    name: String,
    quota: Quota,
    buckets: Buckets,
}

/// The rate limits of the loaded settings.
pub struct Limiter {
    trusted: TrustedProxies,
    client: Option<Policy>,
    routes: HashMap<String, Policy>,
    shared: Option<Shared>,
    checks: AtomicU64,
}

/// How one policy stands for one client after a request.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyState {
    /// `client` or `route`.
    pub name: &'static str,
    pub quota: Quota,
    /// Requests left now.
    pub remaining: u32,
    /// Until the bucket is full again.
    pub reset: Duration,
}

/// The verdict on one request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Decision {
    /// `Some(wait)` when the request is refused (429), with how long to wait.
    pub refused: Option<Duration>,
    /// The policies that applied, for the headers.
    pub policies: Vec<PolicyState>,
}

/// Buckets are forgotten once full again; this many checks between two sweeps.
const SWEEP_EVERY: u64 = 4096;

impl Limiter {
    /// The buckets of `settings` (entries of `trusted_proxies` that are not addresses were
    /// refused when the settings were read).
    pub fn new(settings: &RateLimits) -> Limiter {
        let policy = |name: &str, q: &Quota| Policy {
            name: name.to_string(),
            quota: *q,
            buckets: RateLimiter::dashmap(governor_quota(q))
                .with_middleware::<StateInformationMiddleware>(),
        };
        Limiter {
            trusted: TrustedProxies::parse(&settings.trusted_proxies).unwrap_or_default(),
            client: settings.per_client.as_ref().map(|q| policy("client", q)),
            routes: settings
                .routes
                .iter()
                .map(|(r, q)| (r.clone(), policy(r, q)))
                .collect(),
            shared: settings.redis.as_ref().map(Shared::new),
            checks: AtomicU64::new(0),
        }
    }

    /// The proxies whose forwarding headers are believed.
    pub fn trusted(&self) -> &TrustedProxies {
        &self.trusted
    }

    /// Whether no limit applies to `route` (nothing to check, no headers).
    pub fn is_off(&self, route: &str) -> bool {
        self.client.is_none() && !self.routes.contains_key(route)
    }

    /// Takes one token from every bucket that applies to `who` on `route` (the route as
    /// `"METHOD /path"`); refused at the first empty one.
    pub async fn check(&self, who: &Identity, route: &str) -> Decision {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.sweep();
        }
        let mut decision = Decision::default();
        let policies = [
            self.client.as_ref().map(|p| ("client", p)),
            self.routes.get(route).map(|p| ("route", p)),
        ];
        for (name, policy) in policies.into_iter().flatten() {
            let key = format!("{}|{who}", policy.name);
            let (state, refused) = self.take(name, policy, &key).await;
            decision.policies.push(state);
            if let Some(wait) = refused {
                counters::rate_limited(if name == "client" { "client" } else { route });
                decision.refused = Some(wait);
                break;
            }
        }
        decision
    }

    /// One token from one bucket: in Redis when it answers, else here.
    async fn take(
        &self,
        name: &'static str,
        policy: &Policy,
        key: &str,
    ) -> (PolicyState, Option<Duration>) {
        if let Some(shared) = &self.shared
            && let Some((remaining, wait)) = shared.take(key, &policy.quota).await
        {
            let state = PolicyState {
                name,
                quota: policy.quota,
                remaining,
                reset: refill(&policy.quota, remaining),
            };
            return (state, wait);
        }
        let (remaining, wait) = match policy.buckets.check_key(&key.to_string()) {
            Ok(snapshot) => (snapshot.remaining_burst_capacity(), None),
            Err(not_until) => (
                0,
                Some(not_until.wait_time_from(policy.buckets.clock().now())),
            ),
        };
        let state = PolicyState {
            name,
            quota: policy.quota,
            remaining,
            reset: refill(&policy.quota, remaining),
        };
        (state, wait)
    }

    fn sweep(&self) {
        for p in self.client.iter().chain(self.routes.values()) {
            p.buckets.retain_recent();
        }
    }
}

/// How long until a bucket with `remaining` tokens is full.
fn refill(q: &Quota, remaining: u32) -> Duration {
    Duration::from_millis(u64::from(q.burst().saturating_sub(remaining)) * q.interval_ms())
}

fn governor_quota(q: &Quota) -> governor::Quota {
    let burst = NonZeroU32::new(q.burst().max(1)).unwrap_or(NonZeroU32::MIN);
    governor::Quota::with_period(Duration::from_millis(q.interval_ms()))
        .unwrap_or_else(|| governor::Quota::per_second(burst))
        .allow_burst(burst)
}

impl Decision {
    /// The response headers: `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-
    /// ratelimit-headers), and `Retry-After` when refused. Empty when no policy applied.
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        if self.policies.is_empty() {
            return Vec::new();
        }
        let policy = self
            .policies
            .iter()
            .map(|p| {
                format!(
                    "\"{}\";q={};w={}",
                    p.name, p.quota.requests, p.quota.per_seconds
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let state = self
            .policies
            .iter()
            .map(|p| format!("\"{}\";r={};t={}", p.name, p.remaining, seconds(p.reset)))
            .collect::<Vec<_>>()
            .join(", ");
        let mut out = vec![("RateLimit-Policy", policy), ("RateLimit", state)];
        if let Some(wait) = self.refused {
            out.push(("Retry-After", seconds(wait).max(1).to_string()));
        }
        out
    }
}

/// Whole seconds, rounded up.
fn seconds(d: Duration) -> u64 {
    d.as_millis().div_ceil(1000) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(per_client: Option<Quota>, routes: &[(&str, Quota)]) -> Limiter {
        Limiter::new(&RateLimits {
            per_client,
            routes: routes.iter().map(|(r, q)| (r.to_string(), *q)).collect(),
            ..RateLimits::default()
        })
    }

    fn quota(requests: u32, per_seconds: u32, burst: Option<u32>) -> Quota {
        Quota {
            requests,
            per_seconds,
            burst,
        }
    }

    #[tokio::test]
    async fn a_bucket_per_client_refuses_past_its_burst() {
        let l = limits(Some(quota(3, 60, None)), &[]);
        let a = Identity::Ip("192.0.2.1".parse().unwrap());
        let b = Identity::Key("k1".into());
        for left in [2, 1, 0] {
            let d = l.check(&a, "GET /x").await;
            assert_eq!(d.refused, None);
            assert_eq!(d.policies[0].remaining, left);
        }
        let d = l.check(&a, "GET /x").await;
        let wait = d.refused.expect("refused");
        assert!(
            wait > Duration::from_secs(15) && wait <= Duration::from_secs(20),
            "{wait:?}"
        );
        let headers = d.headers();
        assert_eq!(
            headers[0],
            ("RateLimit-Policy", "\"client\";q=3;w=60".into())
        );
        assert_eq!(headers[1], ("RateLimit", "\"client\";r=0;t=60".into()));
        assert_eq!(headers[2].0, "Retry-After");
        // Another client has its own bucket.
        assert_eq!(l.check(&b, "GET /x").await.refused, None);
    }

    #[tokio::test]
    async fn route_buckets_apply_to_their_route_only() {
        let l = limits(None, &[("POST /orders", quota(1, 1, None))]);
        let a = Identity::Ip("192.0.2.1".parse().unwrap());
        assert!(l.is_off("GET /x"));
        assert!(l.check(&a, "GET /x").await.policies.is_empty());
        assert_eq!(l.check(&a, "POST /orders").await.refused, None);
        let d = l.check(&a, "POST /orders").await;
        assert!(d.refused.is_some());
        assert_eq!(d.headers()[0].1, "\"route\";q=1;w=1");
    }
}
