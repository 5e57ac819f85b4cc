//! Every counter of the traffic rooms, behind one small function each: the one place to wire
//! them to a metrics recorder. Until then they are process-wide atomics that `snapshot` reads.
//! Labels are bounded: route templates, mapping names, policy names, never raw paths or ids.

use std::collections::BTreeMap;
use std::sync::Mutex;

/// Counts by name and label, process-wide.
static COUNTS: Mutex<BTreeMap<(&'static str, String), u64>> = Mutex::new(BTreeMap::new());
/// Gauges by name and label, process-wide.
static GAUGES: Mutex<BTreeMap<(&'static str, String), i64>> = Mutex::new(BTreeMap::new());

fn add(name: &'static str, label: &str) {
    if let Ok(mut m) = COUNTS.lock() {
        *m.entry((name, label.to_string())).or_default() += 1;
    }
}

fn set(name: &'static str, label: &str, value: i64) {
    if let Ok(mut m) = GAUGES.lock() {
        m.insert((name, label.to_string()), value);
    }
}

/// A request refused with 429 by the policy (`client` or the route template).
pub fn rate_limited(policy: &str) {
    add("soapbridge_rate_limited_total", policy);
}

/// A request refused with 503 because its upstream's queue was full or too slow.
pub fn shed(upstream: &str) {
    add("soapbridge_shed_total", upstream);
}

/// A rate-limit decision taken locally because Redis could not be reached.
pub fn redis_fallback() {
    add("soapbridge_rate_limit_redis_fallback_total", "");
}

/// A reload: `ok` or `failed`.
pub fn reload(ok: bool) {
    add("soapbridge_reloads_total", if ok { "ok" } else { "failed" });
}

/// The generation of the loaded set (1 at start, one more per successful reload).
pub fn generation(g: u64) {
    set("soapbridge_mappings_generation", "", g as i64);
}

/// A call refused with 503 because its upstream's circuit is open.
pub fn circuit_refused(upstream: &str) {
    add("soapbridge_circuit_refused_total", upstream);
}

/// A retry sent (`sent`) or not sent because the budget was spent (`budget`).
pub fn retry(outcome: &str) {
    add("soapbridge_retries_total", outcome);
}

/// A call to a deprecated route (its template).
pub fn deprecated_call(route: &str) {
    add("soapbridge_deprecated_calls_total", route);
}

/// An answer served from the cache (`hit`) or fetched and stored (`miss`).
pub fn cache(outcome: &str) {
    add("soapbridge_cache_total", outcome);
}

/// Every counter and gauge now, `(name, label) -> value`, for tests and the metrics page.
pub fn snapshot() -> BTreeMap<(String, String), i64> {
    let mut out = BTreeMap::new();
    if let Ok(m) = COUNTS.lock() {
        for ((n, l), v) in m.iter() {
            out.insert((n.to_string(), l.clone()), *v as i64);
        }
    }
    if let Ok(m) = GAUGES.lock() {
        for ((n, l), v) in m.iter() {
            out.insert((n.to_string(), l.clone()), *v);
        }
    }
    out
}

/// One value of [`snapshot`] (0 when never counted).
pub fn value(name: &str, label: &str) -> i64 {
    snapshot()
        .get(&(name.to_string(), label.to_string()))
        .copied()
        .unwrap_or(0)
}
