//! The request pipeline, top to bottom in flow order: the caller authenticated (the guard, before
//! anything else is read), the JSON body, the inputs and the envelope (`build_request`), the
//! upstream call with its retries, the answer (`read_answer`), the response. Every failure
//! becomes a [`Problem`]; its details are logged here, once.

use std::sync::Arc;
use std::time::{Instant, SystemTime};

use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::web::{Data, Payload};
use actix_web::{HttpRequest, HttpResponse};
use tracing::{Instrument, info, warn};

use super::input;
use super::metrics::{Metrics, RouteLabels, UpstreamErrorKind};
use super::otel::{RequestInfo, Timings};
use super::problem::Problem;
use super::state::State;
use super::trace::{Correlation, REQUEST_ID};
use crate::config::Limits;
use crate::convert::operation::{Answer, OperationPlan, Outcome, ServicePlan};
use crate::upstream::{self, Call, Reply, Target};

/// The operation a route serves: (service index, operation index).
#[derive(Clone, Copy)]
pub(super) struct OpRef(pub usize, pub usize);

/// Per-worker upstream clients, one per mapping.
pub(super) struct Clients(pub Vec<Option<awc::Client>>);

/// Serves one request in its span (request id, trace id, route, operation, identity), counts
/// it, exports its spans when asked, and writes its access line when the access log's sampling
/// says so: one compact line of structured fields (method, route, operation, status, identity,
/// upstream status, envelope and answer sizes, time, request and trace id).
pub(super) async fn handle(
    req: HttpRequest,
    payload: Payload,
    op_ref: OpRef,
    state: Data<Arc<State>>,
    clients: Data<Clients>,
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
    let context = (&corr, &mut timings);
    let r = pipeline(&req, payload, op_ref, &state, &clients, context)
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
        info!(
            target: "soapbridge::access",
            method = route.method.as_str(),
            route = route.path.as_str(),
            operation = route.operation.as_str(),
            status,
            identity = timings.identity.as_deref(),
            upstream_status = timings.upstream_status,
            request_bytes = timings.sent,
            answer_bytes = timings.received,
            elapsed_us = started.elapsed().as_micros() as u64,
            request_id = corr.request_id(),
            trace_id = trace_id.as_str(),
            "Handled"
        );
    }
    let mut resp = r.unwrap_or_else(|p| p.response());
    // A mapping that passes an answer header on as X-Request-Id keeps it.
    if !resp.headers().contains_key(REQUEST_ID) {
        resp.headers_mut()
            .insert(REQUEST_ID, corr.request_id.clone());
    }
    resp
}

async fn pipeline(
    req: &HttpRequest,
    payload: Payload,
    OpRef(si, oi): OpRef,
    state: &State,
    clients: &Clients,
    (corr, timings): (&Correlation, &mut Timings),
) -> Result<HttpResponse, Problem> {
    let svc = &state.services[si];
    let op = &svc.operations[oi];
    let limits = &state.config.limits;
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
    let body = input::json_body(req, payload, limits).await?;
    let converting = Instant::now();
    let query = input::parse_query(req.query_string())?;
    let param = |source: &_| input::values(req, &query, identity.as_ref(), source);
    let envelope = svc.build_request(op, &param, body)?;
    timings.convert_request = Some((converting, Instant::now()));
    let (target, client) = (state.targets[si].as_ref(), clients.0[si].as_ref());
    let at = &state.labels[si][oi];
    let headers = corr.upstream_headers();
    let sent = envelope.len();
    let calling = Instant::now();
    let reply = call_upstream(
        op,
        (target, client),
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
    let answer = read_answer(svc, op, &reply, limits).inspect_err(|_| {
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
    respond(op, answer, (&state.metrics, at))
}

/// The envelope sent, with one more try when nothing reached the service.
async fn call_upstream(
    op: &OperationPlan,
    (target, client): (Option<&Target>, Option<&awc::Client>),
    envelope: Vec<u8>,
    limits: &Limits,
    (metrics, at): (&Metrics, &RouteLabels),
    headers: &[(HeaderName, HeaderValue)],
) -> Result<Reply, Problem> {
    let (Some(target), Some(client)) = (target, client) else {
        return Err(Problem::Unavailable(
            "this service has no upstream configured",
        ));
    };
    let sent = envelope.len();
    let call = Call {
        envelope: envelope.into(),
        soap: op.soap,
        action: op.action.as_deref(),
        deadline: op.route.timeout,
        answer_limit: limits.answer_bytes,
        idempotent: op.route.idempotent,
        headers,
    };
    let started = std::time::Instant::now();
    let reply = upstream::call(client, target, call).await.map_err(|e| {
        warn!(operation = %op.route.operation, error = %e, request_bytes = sent, "Upstream call failed");
        metrics.upstream_error(at, UpstreamErrorKind::from(&e));
        Problem::from(e)
    })?;
    metrics.upstream_answered(at, started.elapsed(), sent, reply.body.len());
    Ok(reply)
}

/// The answer read as a SOAP envelope (fault or not), whatever the HTTP status.
fn read_answer(
    svc: &ServicePlan,
    op: &OperationPlan,
    reply: &Reply,
    limits: &Limits,
) -> Result<Answer, Problem> {
    svc.read_answer(op, reply.status, &reply.content_type, &reply.body, limits.xml())
        .map_err(|e| {
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
            resp.content_type("application/json");
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
