//! The request pipeline, top to bottom in flow order: the caller authenticated (the guard, before
//! anything else is read), the rate limits, the answer cache, the circuit, the JSON body, the
//! inputs and the envelope (`build_request`), a place in the upstream's in-flight cap, the
//! upstream call with its retries, the answer (`read_answer`), the response. Every failure
//! becomes a [`Problem`]; its details are logged here, once.

use std::rc::Rc;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use actix_web::dev::{Path, Url};
use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use actix_web::web::Payload;
use actix_web::{HttpRequest, HttpResponse};
use tracing::{Instrument, info, warn};

use super::access;
use super::auth::{self, IdentityKind};
use super::input;
use super::metrics::{Metrics, RouteLabels, UpstreamErrorKind};
use super::otel::{RequestInfo, Timings};
use super::problem::Problem;
use super::routes::OpRef;
use super::state::State;
use super::trace::{Correlation, REQUEST_ID};
use crate::config::Limits;
use crate::convert::operation::{Answer, OperationPlan, Outcome, Outgoing, ServicePlan};
use crate::mapping::route::Deprecation;
use crate::traffic::breaker::{Open, Ticket};
use crate::traffic::cache::{Directives, Kept};
use crate::traffic::{Identity, UpstreamGuard, counters, identity};
use crate::upstream::{self, Call, Reply, Target, UpstreamError};

/// The header that asks the built-in mock for a fault, passed on to it only.
const MOCK_FAULT: HeaderName = HeaderName::from_static("x-mock-fault");

/// Per-worker upstream clients, one per mapping.
pub(super) struct Clients(pub Vec<Option<awc::Client>>);

/// Headers every answer of this request carries, whatever its outcome.
type Extra = Vec<(&'static str, String)>;

/// Serves one request in its span (request id, trace id, route, operation, identity), counts
/// it, exports its spans when asked, and writes its access line when the access log's sampling
/// says so: one compact line of structured fields (method, route, operation, status, identity,
/// upstream status, envelope and answer sizes, time, request and trace id). The headers of the
/// rate limits and the deprecation go on every answer.
pub(super) async fn handle(
    req: HttpRequest,
    payload: Payload,
    op_ref: OpRef,
    state: Arc<State>,
    clients: Rc<Clients>,
    params: Path<Url>,
) -> HttpResponse {
    let (started, wall) = (Instant::now(), SystemTime::now());
    let route = &state.services[op_ref.0].operations[op_ref.1].route;
    let corr = Correlation::from_headers(req.headers());
    let trace_id = corr.trace_id_hex();
    let span = tracing::info_span!(
        "request",
        request_id = corr.request_id(),
        trace_id = %trace_id,
        route = %route.path,
        operation = %route.operation,
        identity = tracing::field::Empty
    );
    let labels = &state.labels[op_ref.0][op_ref.1];
    state.metrics.request_started(labels);
    let mut timings = Timings::default();
    let mut extra = Extra::new();
    let at = Request {
        req: &req,
        params: &params,
        state: &state,
        clients: &clients,
    };
    let r = pipeline(at, payload, op_ref, (&corr, &mut timings), &mut extra)
        .instrument(span)
        .await;
    let status = match &r {
        Ok(resp) => resp.status().as_u16(),
        Err(p) => p.status(),
    };
    state
        .metrics
        .request_finished(labels, status, started.elapsed());
    if let Some(otel) = &state.otel {
        let op = &state.services[op_ref.0].operations[op_ref.1];
        let info = RequestInfo {
            route: &route.path,
            method: route.method.as_str(),
            operation: &route.operation,
            soap_action: op.action.as_deref(),
            status,
        };
        otel.record(&corr, &info, &timings, (started, wall));
    }
    if state.access.writes(status) {
        access::Line {
            route,
            status,
            timings: &timings,
            elapsed: started.elapsed(),
            corr: &corr,
            trace_id: &trace_id,
        }
        .write();
    }
    let mut resp = r.unwrap_or_else(|p| p.response());
    // A mapping that passes an answer header on as X-Request-Id keeps it.
    if !resp.headers().contains_key(REQUEST_ID) {
        resp.headers_mut()
            .insert(REQUEST_ID, corr.request_id.clone());
    }
    for (name, value) in extra {
        if let Ok(v) = HeaderValue::from_str(&value) {
            resp.headers_mut().insert(
                actix_web::http::header::HeaderName::from_static(header_name(name)),
                v,
            );
        }
    }
    resp
}

/// One request and what it is served with.
#[derive(Clone, Copy)]
struct Request<'a> {
    req: &'a HttpRequest,
    params: &'a Path<Url>,
    state: &'a State,
    clients: &'a Clients,
}

/// Header names as `HeaderName::from_static` wants them (lower case).
fn header_name(name: &'static str) -> &'static str {
    match name {
        "RateLimit-Policy" => "ratelimit-policy",
        "RateLimit" => "ratelimit",
        "Retry-After" => "retry-after",
        "Deprecation" => "deprecation",
        "Sunset" => "sunset",
        "Link" => "link",
        "Age" => "age",
        other => other,
    }
}

/// The answer to a request that arrives while the server drains: 503, `Connection: close`.
pub(super) fn draining() -> HttpResponse {
    let mut r = Problem::Unavailable("the server is shutting down").response();
    r.head_mut()
        .set_connection_type(actix_web::http::ConnectionType::Close);
    r
}

async fn pipeline(
    Request {
        req,
        params,
        state,
        clients,
    }: Request<'_>,
    payload: Payload,
    OpRef(si, oi): OpRef,
    (corr, timings): (&Correlation, &mut Timings),
    extra: &mut Extra,
) -> Result<HttpResponse, Problem> {
    let svc = &state.services[si];
    let op = &svc.operations[oi];
    let limits = &state.config.limits;
    let at = &state.labels[si][oi];
    if let Some(d) = &op.route.deprecation {
        deprecation_headers(d, extra);
        counters::deprecated_call(at.key());
        state.metrics.deprecated_call(at);
    }
    if let Some(why) = &op.header_problem {
        warn!(operation = %op.route.operation, reason = %why, "SOAP header value not configured");
        return Err(Problem::Unavailable(
            "a SOAP header value of this operation is not configured",
        ));
    }
    let identity = state
        .security
        .authenticate(req, si, oi, &op.route.access)
        .await
        .map_err(Problem::from)?;
    if let Some(id) = &identity {
        let label = id.label();
        tracing::Span::current().record("identity", label.as_str());
        timings.identity = Some(label);
    }
    if !state.limiter.is_off(at.key()) {
        let who = client_identity(req, identity.as_ref(), state.limiter.trusted());
        rate_limit(&who, op, at.key(), state, extra).await?;
    }
    let cached = Cached::lookup(req, identity.as_ref(), op, at.key(), state);
    if let Some(c) = &cached
        && let Some(answer) = c.hit(state, extra)
    {
        return respond(op, answer, (&state.metrics, at));
    }
    let guard = &state.guards[si];
    let ticket = guard.breaker.admit().map_err(|Open(wait)| {
        counters::circuit_refused(guard.name());
        Problem::CircuitOpen(wait.as_millis().div_ceil(1000).max(1) as u64)
    })?;
    let converting = Instant::now();
    let body = input::json_body(req, payload, limits).await?;
    let query = input::parse_query(req.query_string())?;
    let param = |source: &_| input::values(params, req, &query, identity.as_ref(), source);
    let envelope = svc.build_call(op, &param, body)?;
    timings.convert_request = Some((converting, Instant::now()));
    let mut headers = corr.upstream_headers();
    if state.targets[si].as_ref().is_some_and(|t| t.mock)
        && let Some(fault) = req.headers().get(MOCK_FAULT)
    {
        // The built-in mock answers a fault when asked (README: the mock).
        headers.push((MOCK_FAULT, fault.clone()));
    }
    let sent = envelope.body.len();
    let upstream = Upstream {
        guard,
        ticket,
        target: state.targets[si].as_ref(),
        client: clients.0[si].as_ref(),
    };
    let calling = Instant::now();
    let reply = call_upstream(
        op,
        upstream,
        envelope,
        limits,
        (&state.metrics, at),
        &headers,
    )
    .await;
    let reading = Instant::now();
    timings.upstream = Some((calling, reading));
    timings.sent = Some(sent);
    let reply = reply?;
    timings.upstream_status = Some(reply.status);
    timings.received = Some(reply.body.len());
    let answer = read_answer(svc, oi, reply, limits).await.inspect_err(|_| {
        state
            .metrics
            .upstream_error(at, UpstreamErrorKind::BadAnswer)
    });
    timings.convert_answer = Some((reading, Instant::now()));
    let answer = answer?;
    if let Outcome::Fault { fault, .. } = &answer.outcome {
        let code = fault.get("code").and_then(|c| c.as_str()).unwrap_or("");
        timings.fault_code = Some(code.to_string());
    }
    if let Some(c) = cached {
        c.keep(state, &answer);
    }
    respond(op, answer, (&state.metrics, at))
}

/// A request the answer cache may serve: its key, the route's TTL, the client's directives.
struct Cached {
    key: String,
    ttl: std::time::Duration,
    directives: Directives,
}

impl Cached {
    /// Set for an idempotent GET route when the cache is on and the client allows it. The key
    /// is the path and query, and who asks (their identity, or a digest of their credentials).
    fn lookup(
        req: &HttpRequest,
        caller: Option<&auth::Identity>,
        op: &OperationPlan,
        route: &str,
        state: &State,
    ) -> Option<Cached> {
        if op.route.method != crate::mapping::route::Method::Get || !op.route.idempotent {
            return None;
        }
        let ttl = state.cache.ttl(route)?;
        let values: Vec<&str> = req
            .headers()
            .get_all("cache-control")
            .filter_map(|v| v.to_str().ok())
            .collect();
        let directives = Directives::parse(&values);
        if directives.no_store {
            return None;
        }
        let who = match caller {
            Some(i) => i.label(),
            None => req
                .headers()
                .get("authorization")
                .map_or_else(String::new, |v| {
                    let d = ring::digest::digest(&ring::digest::SHA256, v.as_bytes());
                    d.as_ref().iter().map(|b| format!("{b:02x}")).collect()
                }),
        };
        let key = format!("{} {} {who}", req.path(), req.query_string());
        Some(Cached {
            key,
            ttl,
            directives,
        })
    }

    /// The kept answer, unless the client asked for a fresh one; `Age` says how old.
    fn hit(&self, state: &State, extra: &mut Extra) -> Option<Answer> {
        if self.directives.no_cache {
            return None;
        }
        let (kept, age) = state.cache.get(&self.key, self.directives.max_age)?;
        counters::cache("hit");
        extra.push(("Age", age.as_secs().to_string()));
        Some(Answer {
            outcome: Outcome::Ok(kept.json),
            headers: kept.headers,
        })
    }

    /// Keeps a successful answer (never a fault).
    fn keep(self, state: &State, answer: &Answer) {
        if let Outcome::Ok(json) = &answer.outcome {
            counters::cache("miss");
            let kept = Kept {
                json: json.clone(),
                headers: answer.headers.clone(),
            };
            state.cache.put(self.key, self.ttl, kept);
        }
    }
}

/// `Deprecation` (RFC 9745), `Sunset` (RFC 8594) and the `Link` to read about it.
fn deprecation_headers(d: &Deprecation, extra: &mut Extra) {
    extra.push(("Deprecation", format!("@{}", d.since)));
    if let Some(sunset) = d.sunset {
        let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(sunset.max(0) as u64);
        extra.push(("Sunset", httpdate::fmt_http_date(at)));
    }
    if let Some(link) = &d.link {
        extra.push((
            "Link",
            format!("<{link}>; rel=\"deprecation\"; type=\"text/html\""),
        ));
    }
}

/// The client's buckets for this route (some apply); the headers say how they stand.
async fn rate_limit(
    who: &Identity,
    op: &OperationPlan,
    route: &str,
    state: &State,
    extra: &mut Extra,
) -> Result<(), Problem> {
    let decision = state.limiter.check(who, route).await;
    extra.extend(decision.headers());
    match decision.refused {
        Some(_) => {
            info!(operation = %op.route.operation, client = %who, "Rate limited");
            state.metrics.rate_limited(route);
            Err(Problem::RateLimited)
        }
        None => Ok(()),
    }
}

/// Who the client is for its rate limits: the caller the guard authenticated (an API key's
/// id, a token's subject, another scheme's principal), else its address.
fn client_identity(
    req: &HttpRequest,
    caller: Option<&auth::Identity>,
    trusted: &crate::traffic::TrustedProxies,
) -> Identity {
    if let Some(c) = caller {
        return match c.kind {
            IdentityKind::ApiKey => Identity::Key(c.id.clone()),
            IdentityKind::Jwt => Identity::Subject(c.id.clone()),
            IdentityKind::Basic | IdentityKind::ClientCert => Identity::Principal(c.label()),
        };
    }
    let values = |name: &str| -> Vec<&str> {
        req.headers()
            .get_all(name)
            .filter_map(|v| v.to_str().ok())
            .collect()
    };
    let forwarded = values("forwarded");
    let xff = values("x-forwarded-for");
    identity::client_ip(req.peer_addr().map(|a| a.ip()), &forwarded, &xff, trusted)
        .map_or(Identity::Unknown, Identity::Ip)
}

/// One service's upstream for one request: its guard, the breaker's leave, where and how.
struct Upstream<'a> {
    guard: &'a UpstreamGuard,
    ticket: Ticket<'a>,
    target: Option<&'a Target>,
    client: Option<&'a awc::Client>,
}

/// The envelope sent within the upstream's in-flight cap, retried when nothing reached the
/// service and the operation allows it; the breaker told whether an answer came.
async fn call_upstream(
    op: &OperationPlan,
    Upstream {
        guard,
        ticket,
        target,
        client,
    }: Upstream<'_>,
    envelope: Outgoing,
    limits: &Limits,
    (metrics, at): (&Metrics, &RouteLabels),
    headers: &[(HeaderName, HeaderValue)],
) -> Result<Reply, Problem> {
    let (Some(target), Some(client)) = (target, client) else {
        return Err(Problem::Unavailable(
            "this service has no upstream configured",
        ));
    };
    let _slot = guard.gate.enter().await.map_err(|_| {
        counters::shed(guard.name());
        metrics.shed(guard.name(), "in_flight");
        warn!(upstream = %guard.name(), "Upstream in-flight cap and queue full; request shed");
        Problem::Overloaded
    })?;
    let sent = envelope.body.len();
    let call = Call {
        envelope: envelope.body.into(),
        content_type: envelope.content_type.as_deref(),
        relates_to: op
            .route
            .addressing
            .as_ref()
            .zip(envelope.message_id.as_deref())
            .map(|(a, id)| (a.version, id)),
        reply_action: op
            .route
            .addressing
            .as_ref()
            .and_then(|a| a.reply_action.as_deref()),
        soap: op.soap,
        action: op.action.as_deref(),
        deadline: op.route.timeout,
        answer_limit: limits.answer_bytes,
        idempotent: op.route.idempotent,
        headers,
    };
    let started = Instant::now();
    let reply = upstream::call(client, target, call, &guard.retries).await;
    match &reply {
        Ok(_)
        | Err(
            UpstreamError::TooLarge(_)
            | UpstreamError::Redirect(_)
            | UpstreamError::Package(_)
            | UpstreamError::Addressing(_),
        ) => ticket.answered(),
        Err(UpstreamError::Credentials(_)) => drop(ticket),
        Err(_) => ticket.failed(),
    }
    let reply = reply.map_err(|e| {
        warn!(operation = %op.route.operation, error = %e, request_bytes = sent, "Upstream call failed");
        metrics.upstream_error(at, UpstreamErrorKind::from(&e));
        Problem::from(e)
    })?;
    metrics.upstream_answered(at, started.elapsed(), sent, reply.body.len());
    Ok(reply)
}

/// Answers longer than this are read on the blocking pool: the worker goes on serving other
/// requests (and `/livez`) while a large or hostile answer is read; shorter ones are read in
/// place (a thread hop would cost more than the reading).
const BLOCKING_ANSWER_BYTES: usize = 64 * 1024;

/// The answer read as a SOAP envelope (fault or not), whatever the HTTP status.
async fn read_answer(
    svc: &Arc<ServicePlan>,
    oi: usize,
    reply: Reply,
    limits: &Limits,
) -> Result<Answer, Problem> {
    let xml = limits.xml();
    let blocking = reply.body.len() > BLOCKING_ANSWER_BYTES;
    let read = {
        let svc = svc.clone();
        move || {
            let op = &svc.operations[oi];
            let answer = svc.read_answer(op, reply.status, &reply.content_type, &reply.body, xml);
            (answer, reply)
        }
    };
    let (answer, reply) = if blocking {
        actix_web::web::block(read).await.map_err(|e| {
            warn!(operation = %svc.operations[oi].route.operation, error = %e, "Reading the answer was cancelled");
            Problem::BadGateway("the answer could not be read")
        })?
    } else {
        read()
    };
    answer.map_err(|e| {
        let op = &svc.operations[oi];
        warn!(operation = %op.route.operation, reason = %e, content_type = %reply.content_type, upstream_status = reply.status, "Upstream answer rejected");
        Problem::from(e)
    })
}

/// The route's status with the answer's JSON and headers, or the fault's problem.
fn respond(
    op: &OperationPlan,
    answer: Answer,
    (metrics, at): (&Metrics, &RouteLabels),
) -> Result<HttpResponse, Problem> {
    match answer.outcome {
        Outcome::Ok(json) => {
            let status = StatusCode::from_u16(op.route.status).unwrap_or(StatusCode::OK);
            let mut resp = HttpResponse::build(status);
            resp.insert_header((CONTENT_TYPE, HeaderValue::from_static("application/json")));
            if let Some(location) = &op.route.created {
                // Where the created resource is read, from the answer's keys.
                let filled = serde_json::from_str(&json)
                    .ok()
                    .and_then(|v| location.fill(&v));
                match filled {
                    Some(l) => {
                        resp.insert_header(("Location", l));
                    }
                    None => {
                        warn!(operation = %op.route.operation, "The answer lacks a key the Location needs; sent without one")
                    }
                }
            }
            for (name, value) in answer.headers {
                // Text an HTTP header cannot carry (line breaks, control characters) is dropped.
                match HeaderValue::from_bytes(value.as_bytes()) {
                    Ok(v) => {
                        resp.append_header((name.as_str(), v));
                    }
                    Err(_) => {
                        warn!(operation = %op.route.operation, header = %name, "SOAP answer header value cannot be an HTTP header; dropped")
                    }
                }
            }
            Ok(resp.body(json))
        }
        Outcome::Fault {
            status,
            fault,
            message,
        } => {
            let code = fault.get("code").and_then(|c| c.as_str()).unwrap_or("");
            info!(operation = %op.route.operation, fault_code = %code, "Upstream fault");
            metrics.soap_fault(at, code);
            Err(Problem::Fault {
                status,
                message,
                fault,
            })
        }
    }
}
