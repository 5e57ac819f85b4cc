//! Rate-limit buckets shared by every replica, in Redis: one key per bucket holding its
//! theoretical arrival time (GCRA), updated by one Lua script with Redis's own clock, so that
//! replicas agree without agreeing on time. When Redis cannot be reached or answers too late,
//! the caller decides with its local buckets: logged once per outage, counted every time, and
//! the connection tried again after a second.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use redis::aio::MultiplexedConnection;
use tracing::{info, warn};

use super::counters;
use super::settings::{Quota, RedisSettings};
use crate::env::Secret;

/// GCRA: `KEYS[1]` the bucket, `ARGV[1]` ms per token, `ARGV[2]` burst. Returns
/// {allowed, remaining, wait_ms}.
const SCRIPT: &str = r"
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval
local allow_at = new_tat - burst * interval
if allow_at > now then
  return {0, 0, allow_at - now}
end
redis.call('SET', KEYS[1], new_tat, 'PX', new_tat - now)
return {1, math.floor((now - allow_at) / interval), 0}
";

/// Wait before connecting again after a failure.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// The connection to Redis, or when to try again.
enum Link {
    Up(MultiplexedConnection),
    Down { retry_at: Instant, logged: bool },
}

/// The shared buckets.
pub struct Shared {
    /// The resolved URL (it may hold a password: never logged).
    url: Option<Secret>,
    prefix: String,
    timeout: Duration,
    script: redis::Script,
    link: Mutex<Link>,
}

impl Shared {
    pub fn new(settings: &RedisSettings) -> Shared {
        let url = match crate::env::resolve_secret(&settings.url) {
            Ok(u) => Some(u),
            Err(e) => {
                warn!(error = %e, "rate_limits.redis.url cannot be resolved; limits stay local");
                None
            }
        };
        Shared {
            url,
            prefix: settings.prefix.clone(),
            timeout: Duration::from_millis(settings.timeout_ms),
            script: redis::Script::new(SCRIPT),
            link: Mutex::new(Link::Down {
                retry_at: Instant::now(),
                logged: false,
            }),
        }
    }

    /// Takes one token from the shared bucket `key`: `(remaining, Some(wait) when refused)`,
    /// or `None` when Redis could not decide (the caller's local bucket decides; counted).
    pub async fn take(&self, key: &str, quota: &Quota) -> Option<(u32, Option<Duration>)> {
        let got = match self.connection().await {
            Some(mut conn) => {
                let mut invocation = self.script.key(format!("{}{key}", self.prefix));
                invocation.arg(quota.interval_ms()).arg(quota.burst());
                let invocation = invocation.invoke_async::<Vec<i64>>(&mut conn);
                match tokio::time::timeout(self.timeout, invocation).await {
                    Ok(Ok(v)) if v.len() == 3 => Some(v),
                    Ok(Ok(_)) => self.down("an unexpected answer"),
                    Ok(Err(e)) => self.down(&e.to_string()),
                    Err(_) => self.down("no answer in time"),
                }
            }
            None => None,
        };
        let Some(v) = got else {
            counters::redis_fallback();
            return None;
        };
        let remaining = u32::try_from(v[1].max(0)).unwrap_or(u32::MAX);
        let wait = (v[0] == 0).then(|| Duration::from_millis(v[2].max(1) as u64));
        Some((remaining, wait))
    }

    /// The connection, (re)made when it is down and a second has passed.
    async fn connection(&self) -> Option<MultiplexedConnection> {
        {
            let link = self.link.lock().ok()?;
            match &*link {
                Link::Up(c) => return Some(c.clone()),
                Link::Down { retry_at, .. } if Instant::now() < *retry_at => return None,
                Link::Down { .. } => {}
            }
        }
        let url = self.url.as_ref()?;
        let connect = async {
            redis::Client::open(url.expose())?
                .get_multiplexed_async_connection()
                .await
        };
        match tokio::time::timeout(self.timeout.max(Duration::from_millis(200)), connect).await {
            Ok(Ok(conn)) => {
                if let Ok(mut link) = self.link.lock() {
                    info!("Rate limits are shared through Redis");
                    *link = Link::Up(conn.clone());
                }
                Some(conn)
            }
            Ok(Err(e)) => self.down(&e.to_string()),
            Err(_) => self.down("connect timeout"),
        }
    }

    /// Marks the link down (logged once per outage) and says nothing was decided.
    fn down<T>(&self, why: &str) -> Option<T> {
        if let Ok(mut link) = self.link.lock() {
            if !matches!(*link, Link::Down { logged: true, .. }) {
                warn!(reason = %why, "Redis is unreachable; rate limits are counted locally until it answers");
            }
            *link = Link::Down {
                retry_at: Instant::now() + RETRY_AFTER,
                logged: true,
            };
        }
        None
    }
}
