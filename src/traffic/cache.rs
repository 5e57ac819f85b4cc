//! Answers of idempotent GET routes kept for a while (`cache:`, off by default): bounded in
//! bytes (the oldest entries dropped first), each entry living the route's TTL; the client's
//! `Cache-Control` is honoured (`no-store`: neither read nor kept; `no-cache` or `max-age=0`:
//! fetched again and kept; `max-age=N`: only an entry at most N seconds old).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::settings::Cache as Settings;

/// One kept answer: its JSON text and the headers that came with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Kept {
    pub json: String,
    pub headers: Vec<(String, String)>,
}

struct Entry {
    kept: Kept,
    stored: Instant,
    ttl: Duration,
    bytes: usize,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<String, Entry>,
    /// Keys in the order they were stored (a key may appear again after a refresh).
    order: VecDeque<(String, Instant)>,
    bytes: usize,
}

/// The answer cache of one loaded set.
pub struct AnswerCache {
    settings: Settings,
    inner: Mutex<Inner>,
}

/// What the client's `Cache-Control` allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Directives {
    /// `no-store`.
    pub no_store: bool,
    /// `no-cache`, or `max-age=0`.
    pub no_cache: bool,
    /// `max-age=N`.
    pub max_age: Option<u64>,
}

impl Directives {
    /// Reads `Cache-Control` request values (unknown directives are ignored).
    pub fn parse(values: &[&str]) -> Directives {
        let mut d = Directives::default();
        for part in values.iter().flat_map(|v| v.split(',')) {
            let part = part.trim().to_ascii_lowercase();
            match part.split_once('=') {
                None if part == "no-store" => d.no_store = true,
                None if part == "no-cache" => d.no_cache = true,
                Some(("max-age", n)) => match n.trim_matches('"').parse::<u64>() {
                    Ok(0) => d.no_cache = true,
                    Ok(n) => d.max_age = Some(n),
                    Err(_) => {}
                },
                _ => {}
            }
        }
        d
    }
}

impl AnswerCache {
    pub fn new(settings: &Settings) -> AnswerCache {
        AnswerCache {
            settings: settings.clone(),
            inner: Mutex::new(Inner::default()),
        }
    }

    /// How long answers of `route` (`"GET /path"`) are kept; `None` when the cache is off.
    pub fn ttl(&self, route: &str) -> Option<Duration> {
        if !self.settings.enabled {
            return None;
        }
        let secs = self
            .settings
            .routes
            .get(route)
            .copied()
            .unwrap_or(self.settings.ttl_seconds);
        (secs > 0).then(|| Duration::from_secs(secs))
    }

    /// A fresh entry for `key` and its age, within the client's `max_age`.
    pub fn get(&self, key: &str, max_age: Option<u64>) -> Option<(Kept, Duration)> {
        let inner = self.inner.lock().ok()?;
        let e = inner.entries.get(key)?;
        let age = e.stored.elapsed();
        let fresh = age < e.ttl && max_age.is_none_or(|m| age.as_secs() <= m);
        fresh.then(|| (e.kept.clone(), age))
    }

    /// Keeps an answer for `ttl`, dropping the oldest entries while over the byte bound (an
    /// answer larger than an eighth of it is not kept).
    pub fn put(&self, key: String, ttl: Duration, kept: Kept) {
        let bytes = key.len()
            + kept.json.len()
            + kept
                .headers
                .iter()
                .map(|(n, v)| n.len() + v.len())
                .sum::<usize>();
        if bytes > self.settings.max_bytes / 8 {
            return;
        }
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        let stored = Instant::now();
        if let Some(old) = inner.entries.insert(
            key.clone(),
            Entry {
                kept,
                stored,
                ttl,
                bytes,
            },
        ) {
            inner.bytes -= old.bytes;
        }
        inner.bytes += bytes;
        inner.order.push_back((key, stored));
        // The oldest go first while over the bound (a record of a since-refreshed entry is
        // skipped: the entry stays).
        while inner.bytes > self.settings.max_bytes {
            let Some((k, at)) = inner.order.pop_front() else {
                break;
            };
            if inner.entries.get(&k).is_some_and(|e| e.stored == at)
                && let Some(e) = inner.entries.remove(&k)
            {
                inner.bytes -= e.bytes;
            }
        }
        if inner.order.len() > 2 * inner.entries.len() + 16 {
            let Inner { entries, order, .. } = &mut *inner;
            order.retain(|(k, at)| entries.get(k).is_some_and(|e| e.stored == *at));
        }
    }

    /// Bytes kept now.
    pub fn bytes(&self) -> usize {
        self.inner.lock().map_or(0, |i| i.bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache(max_bytes: usize) -> AnswerCache {
        AnswerCache::new(&Settings {
            enabled: true,
            ttl_seconds: 30,
            max_bytes,
            routes: [("GET /slow".to_string(), 0)].into_iter().collect(),
        })
    }

    fn kept(n: usize) -> Kept {
        Kept {
            json: "x".repeat(n),
            headers: Vec::new(),
        }
    }

    #[test]
    fn bounded_oldest_first_and_ttl_per_route() {
        let c = cache(8000);
        assert_eq!(c.ttl("GET /a"), Some(Duration::from_secs(30)));
        assert_eq!(c.ttl("GET /slow"), None);
        for i in 0..20 {
            c.put(format!("k{i}"), Duration::from_secs(30), kept(900));
        }
        assert!(c.bytes() <= 8000);
        assert!(c.get("k0", None).is_none(), "the oldest went first");
        assert_eq!(c.get("k19", None).unwrap().0, kept(900));
        assert!(c.get("k19", Some(0)).is_some());
        // Too large for the bound: not kept.
        c.put("big".into(), Duration::from_secs(30), kept(2000));
        assert!(c.get("big", None).is_none());
        // Expired.
        c.put("short".into(), Duration::from_millis(1), kept(1));
        std::thread::sleep(Duration::from_millis(5));
        assert!(c.get("short", None).is_none());
    }

    #[test]
    fn request_directives() {
        let d = Directives::parse(&["no-cache, max-age=5"]);
        assert!(d.no_cache && !d.no_store && d.max_age == Some(5));
        assert!(Directives::parse(&["max-age=0"]).no_cache);
        assert!(Directives::parse(&["No-Store"]).no_store);
        assert_eq!(Directives::parse(&["private"]), Directives::default());
    }
}
