//! The request pipeline, top to bottom in flow order: the caller authenticated (the guard, before
//! anything else is read), the JSON body, the inputs and the envelope (`build_request`), the
//! upstream call with its retries, the answer (`read_answer`), the response. Every failure
//! becomes a [`Problem`]; its details are logged here, once.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::http::header::HeaderValue;
use actix_web::web::{Data, Payload};
use actix_web::{HttpRequest, HttpResponse};
use tracing::{Instrument, info, warn};

use super::input;
use super::problem::Problem;
use super::state::State;
use crate::config::Limits;
use crate::convert::operation::{Answer, OperationPlan, Outcome, ServicePlan};
use crate::upstream::{self, Call, Reply, Target};

/// The operation a route serves: (service index, operation index).
#[derive(Clone, Copy)]
pub(super) struct OpRef(pub usize, pub usize);

/// Per-worker upstream clients, one per mapping.
pub(super) struct Clients(pub Vec<Option<awc::Client>>);

/// What the access line says about one request beyond its route, filled along the pipeline.
#[derive(Default)]
pub(super) struct Access {
    /// Who called (a key id, a token's subject, a user), when the route authenticates.
    identity: Option<String>,
    upstream_status: Option<u16>,
    request_bytes: Option<usize>,
    answer_bytes: Option<usize>,
}

/// Serves one request and writes its access line: one compact line of structured fields
/// (method, route, operation, status, identity, upstream status, envelope and answer sizes, time), nothing
/// formatted or allocated for it beforehand. The request span (route, operation) is at debug
/// level: with the default `info`, warnings carry the operation themselves.
pub(super) async fn handle(
    req: HttpRequest,
    payload: Payload,
    op_ref: OpRef,
    state: Data<Arc<State>>,
    clients: Data<Clients>,
) -> HttpResponse {
    let started = std::time::Instant::now();
    let route = &state.services[op_ref.0].operations[op_ref.1].route;
    let span = tracing::debug_span!(
        "request",
        route = %route.path,
        operation = %route.operation,
        identity = tracing::field::Empty
    );
    let mut access = Access::default();
    let r = pipeline(&req, payload, op_ref, &state, &clients, &mut access)
        .instrument(span)
        .await;
    let status = match &r {
        Ok(resp) => resp.status().as_u16(),
        Err(p) => p.status(),
    };
    info!(
        target: "soapbridge::access",
        method = route.method.as_str(),
        route = route.path.as_str(),
        operation = route.operation.as_str(),
        status,
        identity = access.identity.as_deref(),
        upstream_status = access.upstream_status,
        request_bytes = access.request_bytes,
        answer_bytes = access.answer_bytes,
        elapsed_us = started.elapsed().as_micros() as u64,
        "Handled"
    );
    r.unwrap_or_else(|p| p.response())
}

async fn pipeline(
    req: &HttpRequest,
    payload: Payload,
    OpRef(si, oi): OpRef,
    state: &State,
    clients: &Clients,
    access: &mut Access,
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
        access.identity = Some(label);
    }
    let body = input::json_body(req, payload, limits).await?;
    let query = input::parse_query(req.query_string())?;
    let param = |source: &_| input::values(req, &query, identity.as_ref(), source);
    let envelope = svc.build_request(op, &param, body)?;
    let (target, client) = (state.targets[si].as_ref(), clients.0[si].as_ref());
    access.request_bytes = Some(envelope.len());
    let reply = call_upstream(op, target, client, envelope, limits).await?;
    access.upstream_status = Some(reply.status);
    access.answer_bytes = Some(reply.body.len());
    let answer = read_answer(svc, op, &reply, limits)?;
    respond(op, answer)
}

/// The envelope sent, with one more try when nothing reached the service.
async fn call_upstream(
    op: &OperationPlan,
    target: Option<&Target>,
    client: Option<&awc::Client>,
    envelope: Vec<u8>,
    limits: &Limits,
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
    };
    let reply = upstream::call(client, target, call).await.map_err(|e| {
        warn!(operation = %op.route.operation, error = %e, request_bytes = sent, "Upstream call failed");
        Problem::from(e)
    })?;
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
fn respond(op: &OperationPlan, answer: Answer) -> Result<HttpResponse, Problem> {
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
            Err(Problem::Fault {
                status,
                message,
                fault,
            })
        }
    }
}
