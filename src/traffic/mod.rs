//! Traffic: what the bridge lets through and how hard it leans on each legacy service. Knows no
//! HTTP framework and nothing of mappings: it works on names, identities and settings.
//!
//! The rooms: `settings` (the serde shapes of `rate_limits:`, `upstreams:`, `cache:`),
//! `identity` (who a client is: an authenticated identity or its address behind trusted
//! proxies), `rate` (token buckets per client and per route, local with governor) with `shared`
//! (the same buckets in Redis for several replicas, local when Redis is away), `gate` (the
//! in-flight cap and queue per upstream), `breaker` (the circuit breaker per upstream), `guard`
//! (both for one upstream), `budget` (the retry budget and backoff), `cache` (answers of
//! idempotent GET routes), `counters` (every count, in one place).

pub mod breaker;
pub mod budget;
pub mod cache;
pub mod counters;
pub mod gate;
pub mod guard;
pub mod identity;
pub mod rate;
pub mod settings;
pub mod shared;

pub use guard::UpstreamGuard;
pub use identity::{Identity, TrustedProxies};
pub use rate::{Decision, Limiter};
