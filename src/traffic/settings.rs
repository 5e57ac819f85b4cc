//! The traffic settings of `soapbridge.yaml` (`rate_limits:`, `upstreams:`, `cache:`), each key
//! with its default; serde shapes only, checked by `config` when the file is read.

use std::collections::BTreeMap;

use serde::Deserialize;

/// `rate_limits:`: token buckets per client identity, over all routes and per route.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimits {
    /// Every client's budget over all routes; absent = no limit. Default: none.
    pub per_client: Option<Quota>,
    /// A client's budget on one route, keyed `"METHOD /path"` as the mapping writes it
    /// (e.g. `"GET /api/crm/v1/customers/{id}"`). Default: none.
    pub routes: BTreeMap<String, Quota>,
    /// Peers whose `Forwarded` / `X-Forwarded-For` header is believed, as addresses or CIDR
    /// blocks (`10.0.0.0/8`, `::1`). The client is then the last address not in this list.
    /// Default: none (the peer address is the client).
    pub trusted_proxies: Vec<String>,
    /// Shared buckets for several replicas; absent = each replica counts alone. Default: none.
    pub redis: Option<RedisSettings>,
}

/// One token bucket: `requests` every `per_seconds`, bursts up to `burst`.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quota {
    /// Requests allowed per window (the refill rate is `requests / per_seconds`).
    pub requests: u32,
    /// The window, seconds. Default `1`.
    #[serde(default = "one")]
    pub per_seconds: u32,
    /// Most requests at once after a quiet time. Default: `requests`.
    #[serde(default)]
    pub burst: Option<u32>,
}

fn one() -> u32 {
    1
}

impl Quota {
    /// The bucket's size.
    pub fn burst(&self) -> u32 {
        self.burst.unwrap_or(self.requests)
    }

    /// Milliseconds between two tokens.
    pub fn interval_ms(&self) -> u64 {
        (u64::from(self.per_seconds) * 1000 / u64::from(self.requests.max(1))).max(1)
    }
}

/// `rate_limits.redis:`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedisSettings {
    /// `redis://host:port/db`; `${VAR}` and `${file:PATH}` are resolved (it may hold a
    /// password).
    pub url: String,
    /// Prefix of every key soapbridge writes. Default `soapbridge:rl:`.
    #[serde(default = "prefix")]
    pub prefix: String,
    /// Longest wait for Redis per request before the local bucket decides, milliseconds.
    /// Default `50`.
    #[serde(default = "fifty")]
    pub timeout_ms: u64,
}

fn prefix() -> String {
    "soapbridge:rl:".into()
}

fn fifty() -> u64 {
    50
}

/// `upstreams:`: what protects every legacy service (each mapping's upstream on its own).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Upstreams {
    /// Most calls in flight to one upstream; 0 = no cap. Default `64`.
    pub max_in_flight: usize,
    /// Calls that may wait for a free slot beyond the cap (503 beyond). Default `32`.
    pub queue: usize,
    /// Longest wait in that queue, milliseconds (503 after). Default `1000`.
    pub queue_timeout_ms: u64,
    /// `breaker:`, the circuit breaker.
    pub breaker: Breaker,
    /// `retries:`, for operations marked `idempotent: true` only.
    pub retries: Retries,
}

impl Default for Upstreams {
    fn default() -> Self {
        Upstreams {
            max_in_flight: 64,
            queue: 32,
            queue_timeout_ms: 1000,
            breaker: Breaker::default(),
            retries: Retries::default(),
        }
    }
}

/// `upstreams.breaker:`.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Breaker {
    /// Failures in a row (no answer: connect, timeout, reset) that open the circuit; 0 = no
    /// breaker. Default `5`.
    pub failures: u32,
    /// Seconds the circuit stays open before one probe call is let through. Default `10`.
    pub open_seconds: u64,
}

impl Default for Breaker {
    fn default() -> Self {
        Breaker {
            failures: 5,
            open_seconds: 10,
        }
    }
}

/// `upstreams.retries:`.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Retries {
    /// Tries after the first, when nothing reached the service. Default `1`.
    pub attempts: u32,
    /// Backoff before the first retry, milliseconds, doubled each time, with full jitter.
    /// Default `50`.
    pub backoff_ms: u64,
    /// Retries allowed per call made, over time (0.2 = one retry per five calls), on top of a
    /// reserve of `10`. Default `0.2`.
    pub budget_ratio: f64,
}

impl Default for Retries {
    fn default() -> Self {
        Retries {
            attempts: 1,
            backoff_ms: 50,
            budget_ratio: 0.2,
        }
    }
}

/// `cache:`: answers of idempotent GET routes kept for a while. Off by default.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Cache {
    /// Whether answers are cached at all. Default `false`.
    pub enabled: bool,
    /// Seconds an answer is kept, unless the client's `Cache-Control` says otherwise or the
    /// route's own `ttl` does. Default `30`.
    pub ttl_seconds: u64,
    /// Most bytes of answers kept (oldest dropped first). Default `16777216` (16 MiB).
    pub max_bytes: usize,
    /// Seconds per route (`"GET /path"`), overriding `ttl_seconds`. Default: none.
    pub routes: BTreeMap<String, u64>,
}

impl Default for Cache {
    fn default() -> Self {
        Cache {
            enabled: false,
            ttl_seconds: 30,
            max_bytes: 16 * 1024 * 1024,
            routes: BTreeMap::new(),
        }
    }
}
