//! `/metrics`: every series the bridge exposes, kept in one [`Metrics`] per app (a
//! `prometheus_client` registry, so two apps in one process never mix their counts) and written
//! as Prometheus text (version 0.0.4) by the crate's encoder.
//!
//! Each series has one named method here, so the code that counts says what it counts and never
//! spells a metric name or a label. Labels are bounded: the mapping (its file name), the route
//! *template* (never the raw path), the operation, the method and status, and a fault code (at
//! most [`FAULT_CODES`] distinct codes; later ones count as `other`). Nothing from a request's
//! values, headers or bodies becomes a label.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::convert::operation::ServicePlan;
use crate::upstream::UpstreamError;

/// The `Content-Type` of `/metrics`.
pub(super) const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

/// Most distinct fault codes counted by name; the rest count as `other` (a misbehaving service
/// must not grow the series without bound).
pub const FAULT_CODES: usize = 32;

/// Longest fault code kept as a label, in bytes (longer ones count as `other`).
const FAULT_CODE_BYTES: usize = 64;

/// Duration buckets in seconds, 1 ms to 30 s.
const SECONDS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Size buckets in bytes, 256 B to 16 MiB (factor 4).
const BYTES: [f64; 9] = [
    256.0, 1024.0, 4096.0, 16384.0, 65536.0, 262144.0, 1048576.0, 4194304.0, 16777216.0,
];

/// Why an upstream call gave no usable answer, the `kind` label of
/// `soapbridge_upstream_errors_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpstreamErrorKind {
    /// No connection could be made (refused, DNS, TLS, proxy, connect timeout).
    Connect,
    /// No complete answer before the deadline.
    Timeout,
    /// The connection was closed or reset before or while answering.
    Reset,
    /// The answer passed the size limit.
    TooLarge,
    /// An answer came that is not a usable SOAP answer (not XML, outside its contract, a
    /// redirect, an error status without a fault).
    BadAnswer,
    /// No credentials could be obtained for the call.
    Credentials,
}

impl UpstreamErrorKind {
    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            UpstreamErrorKind::Connect => "connect",
            UpstreamErrorKind::Timeout => "timeout",
            UpstreamErrorKind::Reset => "reset",
            UpstreamErrorKind::TooLarge => "too_large",
            UpstreamErrorKind::BadAnswer => "bad_answer",
            UpstreamErrorKind::Credentials => "credentials",
        }
    }
}

impl From<&UpstreamError> for UpstreamErrorKind {
    fn from(e: &UpstreamError) -> Self {
        match e {
            UpstreamError::Connect(_) => UpstreamErrorKind::Connect,
            UpstreamError::Timeout(_) => UpstreamErrorKind::Timeout,
            UpstreamError::TooLarge(_) => UpstreamErrorKind::TooLarge,
            UpstreamError::Redirect(_)
            | UpstreamError::Package(_)
            | UpstreamError::Addressing(_) => UpstreamErrorKind::BadAnswer,
            UpstreamError::Credentials(_) => UpstreamErrorKind::Credentials,
            UpstreamError::Other(_) => UpstreamErrorKind::Reset,
        }
    }
}

/// A circuit breaker's state, the value of `soapbridge_circuit_state` (0, 1, 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CircuitState {
    /// Calls pass (0).
    Closed,
    /// One probe passes (1).
    HalfOpen,
    /// Calls are refused (2).
    Open,
}

/// The labels of one route, built once per route when a set of mappings is loaded
/// ([`RouteLabels::table`]); every per-request method takes one.
#[derive(Debug, Clone)]
pub struct RouteLabels {
    mapping: Arc<str>,
    route: Arc<str>,
    method: &'static str,
    operation: Arc<str>,
    /// `METHOD /path/{param}`: how the rate limits, the cache and the traffic counters name the
    /// route (built here once, not per request).
    key: Box<str>,
    /// The status the route answers with when all goes well.
    status: u16,
    /// The route's series every request touches, found once (shared by the clones).
    series: Arc<RouteSeries>,
}

/// One route's series that every served request touches, each looked up in its family on
/// first use and kept: a family lookup hashes the whole label set under a lock, a kept series is
/// one atomic step. Each is bound to the [`Metrics`] that made it (its `id`): a route's labels
/// used with another `Metrics` look their series up as before.
#[derive(Debug, Default)]
struct RouteSeries {
    in_flight: OnceLock<(u64, Gauge)>,
    /// `soapbridge_requests_total` with the route's own status.
    answered: OnceLock<(u64, Counter)>,
    request_seconds: OnceLock<(u64, Histogram)>,
    upstream_seconds: OnceLock<(u64, Histogram)>,
    upstream_request_bytes: OnceLock<(u64, Histogram)>,
    upstream_answer_bytes: OnceLock<(u64, Histogram)>,
}

/// How a route's per-operation histogram in `family` is looked up.
fn per_operation<'a>(
    l: &'a RouteLabels,
    family: &'a Histograms<OperationLabels>,
) -> impl FnOnce() -> Histogram + 'a {
    move || family.get_or_create_owned(&l.operation())
}

/// The series kept in `cell` when it belongs to the metrics `id`, else the one `lookup` finds
/// (kept when the cell is still empty). Series are never removed from their families, so a kept
/// one stays the one `/metrics` writes.
fn series<M: Clone>(cell: &OnceLock<(u64, M)>, id: u64, lookup: impl FnOnce() -> M) -> M {
    match cell.get() {
        Some((owner, m)) if *owner == id => m.clone(),
        Some(_) => lookup(),
        None => cell.get_or_init(|| (id, lookup())).1.clone(),
    }
}

impl RouteLabels {
    /// The labels of every route of `services`: per service, per operation (same indexes).
    pub fn table(services: &[Arc<ServicePlan>]) -> Vec<Vec<RouteLabels>> {
        services
            .iter()
            .map(|s| {
                let mapping: Arc<str> = mapping_name(s).into();
                s.operations
                    .iter()
                    .map(|op| RouteLabels {
                        mapping: mapping.clone(),
                        route: op.route.path.as_str().into(),
                        method: op.route.method.as_str(),
                        operation: op.route.operation.as_str().into(),
                        key: format!("{} {}", op.route.method.as_str(), op.route.path).into(),
                        status: op.route.status,
                        series: Arc::default(),
                    })
                    .collect()
            })
            .collect()
    }

    /// `METHOD /path/{param}`, the route's name for the rate limits, the cache and the counters.
    pub(super) fn key(&self) -> &str {
        &self.key
    }

    fn operation(&self) -> OperationLabels {
        OperationLabels {
            mapping: self.mapping.clone(),
            operation: self.operation.clone(),
        }
    }

    fn mapping(&self) -> MappingLabels {
        MappingLabels {
            mapping: self.mapping.clone(),
        }
    }
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    mapping: Arc<str>,
    route: Arc<str>,
    method: &'static str,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    mapping: Arc<str>,
    operation: Arc<str>,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FaultLabels {
    mapping: Arc<str>,
    operation: Arc<str>,
    fault_code: Arc<str>,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ErrorLabels {
    mapping: Arc<str>,
    operation: Arc<str>,
    kind: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteOnlyLabels {
    mapping: Arc<str>,
    route: Arc<str>,
    method: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct MappingLabels {
    mapping: Arc<str>,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PolicyLabels {
    policy: Arc<str>,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ShedLabels {
    mapping: Arc<str>,
    reason: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabels {
    status: u16,
}

/// The statuses the HTTP codec refuses requests with (not HTTP, head too slow, head too large).
const PROTOCOL_REFUSALS: [u16; 3] = [400, 408, 431];

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResultLabels {
    result: &'static str,
}

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

fn seconds() -> Histogram {
    Histogram::new(SECONDS)
}

fn bytes() -> Histogram {
    Histogram::new(BYTES)
}

/// Every series of one server, and the registry that writes them. It outlives a reload: the
/// new set of mappings is handed over with [`Metrics::serve`].
pub struct Metrics {
    /// `false` when the settings say `metrics: false`: nothing is counted, `/metrics` is 404.
    enabled: bool,
    /// Tells this registry's series from another's in the routes' kept series.
    id: u64,
    registry: Registry,
    /// The services whose answers outside the schema are reported (the loaded set).
    served: Arc<Mutex<Vec<Arc<ServicePlan>>>>,
    requests: Family<RequestLabels, Counter>,
    request_seconds: Histograms<OperationLabels>,
    upstream_seconds: Histograms<OperationLabels>,
    upstream_request_bytes: Histograms<OperationLabels>,
    upstream_answer_bytes: Histograms<OperationLabels>,
    faults: Family<FaultLabels, Counter>,
    fault_codes: Mutex<HashSet<Arc<str>>>,
    upstream_errors: Family<ErrorLabels, Counter>,
    in_flight: Family<MappingLabels, Gauge>,
    rate_limited: Family<PolicyLabels, Counter>,
    shed: Family<ShedLabels, Counter>,
    circuit: Family<MappingLabels, Gauge>,
    deprecated_calls: Family<RouteOnlyLabels, Counter>,
    reloads: Family<ResultLabels, Counter>,
    generation: Gauge,
    protocol_refusals: Family<StatusLabels, Counter>,
}

impl Metrics {
    /// Nothing counted, nothing served (`metrics: false`).
    pub fn disabled() -> Metrics {
        Metrics {
            enabled: false,
            ..Metrics::new()
        }
    }

    /// Whether anything is counted.
    pub fn enabled(&self) -> bool {
        self.enabled
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

/// The mapping label of a service: its file name without the extension.
pub(super) fn mapping_name(s: &ServicePlan) -> String {
    s.compiled
        .file
        .file_stem()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

impl Metrics {
    /// Every series registered; the reload counters start at zero and the generation at 1.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("soapbridge");
        /// The next registry's id.
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let m = Metrics {
            enabled: true,
            id: NEXT.fetch_add(1, Ordering::Relaxed),
            registry: Registry::default(),
            served: Arc::default(),
            requests: Family::default(),
            request_seconds: Family::new_with_constructor(seconds),
            upstream_seconds: Family::new_with_constructor(seconds),
            upstream_request_bytes: Family::new_with_constructor(bytes),
            upstream_answer_bytes: Family::new_with_constructor(bytes),
            faults: Family::default(),
            fault_codes: Mutex::new(HashSet::new()),
            upstream_errors: Family::default(),
            in_flight: Family::default(),
            rate_limited: Family::default(),
            shed: Family::default(),
            circuit: Family::default(),
            deprecated_calls: Family::default(),
            reloads: Family::default(),
            generation: Gauge::default(),
            protocol_refusals: Family::default(),
        };
        m.register(&mut registry);
        Metrics { registry, ..m }
    }

    /// `services` are the set now served: their answers outside the schema are reported, and
    /// their in-flight and circuit series exist from now on (at 0).
    pub fn serve(&self, services: &[Arc<ServicePlan>]) {
        for s in services {
            let mapping = MappingLabels {
                mapping: mapping_name(s).into(),
            };
            drop(self.in_flight.get_or_create(&mapping));
            drop(self.circuit.get_or_create(&mapping));
        }
        *self.served.lock().unwrap_or_else(|e| e.into_inner()) = services.to_vec();
    }

    fn register(&self, r: &mut Registry) {
        r.register(
            "requests",
            "Requests served, by mapping, route template, method and status",
            self.requests.clone(),
        );
        r.register(
            "request_duration_seconds",
            "Time from the request's arrival to its answer, by operation",
            self.request_seconds.clone(),
        );
        r.register(
            "upstream_duration_seconds",
            "Time the legacy service took to answer (retries included), by operation",
            self.upstream_seconds.clone(),
        );
        r.register(
            "upstream_request_size_bytes",
            "Size of the SOAP envelopes sent, by operation",
            self.upstream_request_bytes.clone(),
        );
        r.register(
            "upstream_answer_size_bytes",
            "Size of the legacy service's answers, by operation",
            self.upstream_answer_bytes.clone(),
        );
        r.register(
            "soap_faults",
            "SOAP faults answered by the legacy service, by operation and fault code",
            self.faults.clone(),
        );
        r.register(
            "upstream_errors",
            "Upstream calls without a usable answer, by operation and kind (connect, timeout, reset, too_large, bad_answer, credentials)",
            self.upstream_errors.clone(),
        );
        r.register(
            "in_flight_requests",
            "Requests being served now, by mapping",
            self.in_flight.clone(),
        );
        r.register(
            "rate_limited",
            "Requests refused with 429 by a rate limit, by policy",
            self.rate_limited.clone(),
        );
        r.register(
            "shed",
            "Requests refused with 503 to protect an upstream (in-flight cap, open circuit, drain), by reason",
            self.shed.clone(),
        );
        r.register(
            "circuit_state",
            "Circuit breaker state per mapping's upstream: 0 closed, 1 half-open, 2 open",
            self.circuit.clone(),
        );
        r.register(
            "deprecated_calls",
            "Calls to deprecated routes, by route",
            self.deprecated_calls.clone(),
        );
        r.register(
            "reloads",
            "Reloads of the mappings and settings, by result (success, failure)",
            self.reloads.clone(),
        );
        r.register(
            "mappings_generation",
            "Generation of the loaded mappings: 1 at start, one more per successful reload",
            self.generation.clone(),
        );
        r.register(
            "protocol_refusals",
            "Requests the HTTP codec refused before any route saw them, by status (400 not HTTP, 408 head too slow, 431 head too large)",
            self.protocol_refusals.clone(),
        );
        r.register_collector(Box::new(OutsideSchema(self.served.clone())));
        r.register_collector(Box::new(TrafficCounters));
        for result in ["success", "failure"] {
            drop(self.reloads.get_or_create(&ResultLabels { result }));
        }
        self.generation.set(1);
        for status in PROTOCOL_REFUSALS {
            drop(
                self.protocol_refusals
                    .get_or_create(&StatusLabels { status }),
            );
        }
    }

    /// A request of route `l` starts: in-flight + 1.
    pub fn request_started(&self, l: &RouteLabels) {
        if !self.enabled {
            return;
        }
        self.in_flight_of(l).inc();
    }

    /// A request of route `l` was answered with `status` after `elapsed`: in-flight - 1, counted,
    /// its duration observed.
    pub fn request_finished(&self, l: &RouteLabels, status: u16, elapsed: Duration) {
        if !self.enabled {
            return;
        }
        self.in_flight_of(l).dec();
        let count = || {
            self.requests.get_or_create_owned(&RequestLabels {
                mapping: l.mapping.clone(),
                route: l.route.clone(),
                method: l.method,
                status,
            })
        };
        if status == l.status {
            series(&l.series.answered, self.id, count).inc();
        } else {
            count().inc();
        }
        series(
            &l.series.request_seconds,
            self.id,
            per_operation(l, &self.request_seconds),
        )
        .observe(elapsed.as_secs_f64());
    }

    /// The in-flight gauge of route `l`'s mapping.
    fn in_flight_of(&self, l: &RouteLabels) -> Gauge {
        series(&l.series.in_flight, self.id, || {
            self.in_flight.get_or_create_owned(&l.mapping())
        })
    }

    /// The legacy service answered route `l` (whatever the answer) after `elapsed`: the upstream
    /// duration and both sizes observed.
    pub fn upstream_answered(
        &self,
        l: &RouteLabels,
        elapsed: Duration,
        sent: usize,
        received: usize,
    ) {
        if !self.enabled {
            return;
        }
        let s = &l.series;
        series(
            &s.upstream_seconds,
            self.id,
            per_operation(l, &self.upstream_seconds),
        )
        .observe(elapsed.as_secs_f64());
        series(
            &s.upstream_request_bytes,
            self.id,
            per_operation(l, &self.upstream_request_bytes),
        )
        .observe(sent as f64);
        series(
            &s.upstream_answer_bytes,
            self.id,
            per_operation(l, &self.upstream_answer_bytes),
        )
        .observe(received as f64);
    }

    /// An upstream call of route `l` gave no usable answer.
    pub fn upstream_error(&self, l: &RouteLabels, kind: UpstreamErrorKind) {
        if !self.enabled {
            return;
        }
        self.upstream_errors
            .get_or_create(&ErrorLabels {
                mapping: l.mapping.clone(),
                operation: l.operation.clone(),
                kind: kind.as_str(),
            })
            .inc();
    }

    /// The legacy service answered route `l` with a SOAP fault whose code is `code` (bounded:
    /// see [`FAULT_CODES`]).
    pub fn soap_fault(&self, l: &RouteLabels, code: &str) {
        if !self.enabled {
            return;
        }
        let fault_code = self.fault_code(code);
        self.faults
            .get_or_create(&FaultLabels {
                mapping: l.mapping.clone(),
                operation: l.operation.clone(),
                fault_code,
            })
            .inc();
    }

    fn fault_code(&self, code: &str) -> Arc<str> {
        let other = || Arc::from("other");
        if code.len() > FAULT_CODE_BYTES || code.chars().any(char::is_control) {
            return other();
        }
        let mut seen = self.fault_codes.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = seen.get(code) {
            return c.clone();
        }
        if seen.len() >= FAULT_CODES {
            return other();
        }
        let c: Arc<str> = code.into();
        seen.insert(c.clone());
        c
    }

    /// A request was refused with 429 by the rate limit `policy` (a policy name from the
    /// settings, `client`, or a route template: never a client's identity).
    pub fn rate_limited(&self, policy: &str) {
        self.rate_limited
            .get_or_create(&PolicyLabels {
                policy: policy.into(),
            })
            .inc();
    }

    /// A request to `mapping`'s upstream was refused with 503 before reaching it; `reason` is a
    /// fixed word (`in_flight`, `circuit_open`, `draining`, ...).
    pub fn shed(&self, mapping: &str, reason: &'static str) {
        let mapping = mapping.into();
        self.shed
            .get_or_create(&ShedLabels { mapping, reason })
            .inc();
    }

    /// The circuit breaker of `mapping`'s upstream is now in `state`.
    pub fn circuit_state(&self, mapping: &str, state: CircuitState) {
        let v = match state {
            CircuitState::Closed => 0,
            CircuitState::HalfOpen => 1,
            CircuitState::Open => 2,
        };
        let mapping = mapping.into();
        self.circuit
            .get_or_create(&MappingLabels { mapping })
            .set(v);
    }

    /// A deprecated route `l` was called.
    pub fn deprecated_call(&self, l: &RouteLabels) {
        self.deprecated_calls
            .get_or_create(&RouteOnlyLabels {
                mapping: l.mapping.clone(),
                route: l.route.clone(),
                method: l.method,
            })
            .inc();
    }

    /// A reload ended: on success the generation moves to `generation`.
    pub fn reloaded(&self, ok: bool, generation: i64) {
        let result = if ok { "success" } else { "failure" };
        self.reloads.get_or_create(&ResultLabels { result }).inc();
        if ok {
            self.generation.set(generation);
        }
    }

    /// The HTTP codec refused a request with `status` (400, 408 or 431).
    pub fn protocol_refused(&self, status: u16) {
        if !self.enabled {
            return;
        }
        self.protocol_refusals
            .get_or_create(&StatusLabels { status })
            .inc();
    }

    /// Every series as Prometheus text (version 0.0.4).
    pub fn text(&self) -> String {
        let mut out = String::with_capacity(16 * 1024);
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::prometheus_text::encode(&mut out, &self.registry);
        out
    }
}

/// `soapbridge_answers_outside_schema_total`, read at scrape time from each service's counter
/// (the conversion layer counts them; it knows nothing of Prometheus).
struct OutsideSchema(Arc<Mutex<Vec<Arc<ServicePlan>>>>);

impl std::fmt::Debug for OutsideSchema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OutsideSchema")
    }
}

impl Collector for OutsideSchema {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let counter = ConstCounter::new(0u64);
        let mut family = encoder.encode_descriptor(
            "answers_outside_schema",
            "Upstream answers that violated the WSDL's schema (validate_answers: warn or strict)",
            None,
            counter.metric_type(),
        )?;
        let served = self.0.lock().unwrap_or_else(|e| e.into_inner()).clone();
        for s in &served {
            let labels = MappingLabels {
                mapping: mapping_name(s).into(),
            };
            let n = s.answers_invalid.load(Ordering::Relaxed);
            ConstCounter::new(n).encode(family.encode_family(&labels)?)?;
        }
        Ok(())
    }
}

/// The traffic rooms' process-wide counters that have no series of their own here: refusals
/// by an open circuit, retries, cache outcomes and rate-limit decisions taken locally because
/// Redis could not be reached (read from `traffic::counters` at each scrape).
#[derive(Debug)]
struct TrafficCounters;

/// (name in `traffic::counters`, series name, help, label name; empty: no label).
const TRAFFIC_SERIES: [(&str, &str, &str, &str); 4] = [
    (
        "soapbridge_circuit_refused_total",
        "circuit_refused",
        "Calls refused with 503 because their upstream's circuit was open, by mapping",
        "mapping",
    ),
    (
        "soapbridge_retries_total",
        "retries",
        "Upstream retries sent (`sent`) or not sent because the retry budget was spent (`budget`)",
        "outcome",
    ),
    (
        "soapbridge_cache_total",
        "cache",
        "Answers of idempotent GET routes served from the cache (`hit`) or fetched and kept (`miss`)",
        "outcome",
    ),
    (
        "soapbridge_rate_limit_redis_fallback_total",
        "rate_limit_redis_fallback",
        "Rate-limit decisions taken locally because Redis could not be reached",
        "",
    ),
];

impl Collector for TrafficCounters {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let counts = crate::traffic::counters::snapshot();
        for (key, name, help, label) in TRAFFIC_SERIES {
            let values: Vec<(&String, u64)> = counts
                .iter()
                .filter(|((n, _), _)| n == key)
                .map(|((_, l), v)| (l, u64::try_from(*v).unwrap_or(0)))
                .collect();
            if values.is_empty() {
                continue;
            }
            let counter = ConstCounter::new(0u64);
            let mut family = encoder.encode_descriptor(name, help, None, counter.metric_type())?;
            for (value, n) in values {
                if label.is_empty() {
                    ConstCounter::new(n)
                        .encode(family.encode_family(&Vec::<(&str, &str)>::new())?)?;
                } else {
                    let labels = vec![(label, value.as_str())];
                    ConstCounter::new(n).encode(family.encode_family(&labels)?)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::traffic::counters;

    /// The value of the first line of `text` that starts with `series`.
    fn value(text: &str, series: &str) -> Option<u64> {
        text.lines()
            .find(|l| l.starts_with(series))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
    }

    /// A route's labels as [`RouteLabels::table`] makes them.
    fn route() -> RouteLabels {
        RouteLabels {
            mapping: "crm".into(),
            route: "/a/{id}".into(),
            method: "GET",
            operation: "GetA".into(),
            key: "GET /a/{id}".into(),
            status: 200,
            series: Arc::default(),
        }
    }

    #[test]
    fn a_routes_kept_series_count_in_the_metrics_that_made_them() {
        let (one, two) = (Metrics::new(), Metrics::new());
        let l = route();
        for m in [&one, &two, &one] {
            m.request_started(&l);
            m.upstream_answered(&l, Duration::from_millis(3), 300, 800);
            m.request_finished(&l, 200, Duration::from_millis(5));
        }
        one.request_started(&l);
        one.request_finished(&l, 404, Duration::from_millis(1));
        let (a, b) = (one.text(), two.text());
        let status = |s: u16| {
            format!(
                r#"soapbridge_requests_total{{mapping="crm",route="/a/{{id}}",method="GET",status="{s}"}} "#
            )
        };
        let op = r#"{mapping="crm",operation="GetA"} "#;
        assert_eq!(value(&a, &status(200)), Some(2), "{a}");
        assert_eq!(value(&a, &status(404)), Some(1), "{a}");
        assert_eq!(value(&b, &status(200)), Some(1), "{b}");
        assert_eq!(value(&b, &status(404)), None, "{b}");
        for (text, requests, calls) in [(&a, 3, 2), (&b, 1, 1)] {
            let count = |name: &str| value(text, &format!("soapbridge_{name}_count{op}"));
            assert_eq!(count("request_duration_seconds"), Some(requests), "{text}");
            assert_eq!(count("upstream_duration_seconds"), Some(calls), "{text}");
            assert_eq!(count("upstream_request_size_bytes"), Some(calls), "{text}");
            assert_eq!(count("upstream_answer_size_bytes"), Some(calls), "{text}");
            let in_flight = r#"soapbridge_in_flight_requests{mapping="crm"} "#;
            assert_eq!(value(text, in_flight), Some(0), "{text}");
        }
    }

    #[test]
    fn the_traffic_counters_are_series_of_the_metrics_page() {
        let metrics = Metrics::new();
        let before = metrics.text();
        let retries = value(&before, r#"soapbridge_retries_total{outcome="sent"} "#).unwrap_or(0);
        let fallbacks = value(&before, "soapbridge_rate_limit_redis_fallback_total ").unwrap_or(0);
        counters::retry("sent");
        counters::retry("sent");
        counters::circuit_refused("crm-test-metrics");
        counters::cache("hit");
        counters::redis_fallback();
        let text = metrics.text();
        assert!(
            value(&text, r#"soapbridge_retries_total{outcome="sent"} "#).unwrap() >= retries + 2,
            "{text}"
        );
        assert!(
            value(&text, "soapbridge_rate_limit_redis_fallback_total ").unwrap() > fallbacks,
            "{text}"
        );
        assert!(
            value(
                &text,
                r#"soapbridge_circuit_refused_total{mapping="crm-test-metrics"} "#
            ) == Some(1),
            "{text}"
        );
        assert!(
            value(&text, r#"soapbridge_cache_total{outcome="hit"} "#).unwrap() >= 1,
            "{text}"
        );
        assert!(
            text.contains("# TYPE soapbridge_retries_total counter"),
            "{text}"
        );
        // Where `.ci/run` installed it, Prometheus's own linter reads the page too.
        if std::env::var_os("SOAPBRIDGE_PROMTOOL").is_some() {
            use std::io::Write;
            let mut child = std::process::Command::new("promtool")
                .args(["check", "metrics"])
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}
