//! The request pipeline, top to bottom in flow order: gather inputs -> envelope -> upstream ->
//! answer -> JSON.

use std::sync::Arc;

use actix_web::web::{Bytes, Data, Payload};
use actix_web::{HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde_json::Value;
use tracing::{Instrument, info, warn};

use super::State;
use super::problem::Problem;
use crate::convert::error::AnswerError;
use crate::convert::operation::Outcome;
use crate::mapping::route::InputSource;
use crate::upstream::{self, CallError};

/// The operation a route serves: (service index, operation index).
#[derive(Clone, Copy)]
pub struct OpRef(pub usize, pub usize);

/// Per-worker upstream clients, one per mapping.
pub struct Clients(pub Vec<Option<awc::Client>>);

pub async fn handle(
    req: HttpRequest,
    payload: Payload,
    op_ref: Data<OpRef>,
    state: Data<Arc<State>>,
    clients: Data<Clients>,
) -> HttpResponse {
    let svc = &state.services[op_ref.0];
    let op = &svc.operations[op_ref.1];
    let span = tracing::info_span!("request", route = %format!("{} {}", op.route.method.as_str(), op.route.path), operation = %op.route.operation, status = tracing::field::Empty);
    let result = async {
        let started = std::time::Instant::now();
        let r = pipeline(&req, payload, op_ref.0, op_ref.1, &state, &clients).await;
        let status = match &r {
            Ok(resp) => resp.status().as_u16(),
            Err(p) => p.status(),
        };
        tracing::Span::current().record("status", status);
        info!(elapsed_ms = started.elapsed().as_millis() as u64, "Handled");
        r
    }
    .instrument(span)
    .await;
    result.unwrap_or_else(|p| p.response())
}

async fn pipeline(
    req: &HttpRequest,
    payload: Payload,
    si: usize,
    oi: usize,
    state: &State,
    clients: &Clients,
) -> Result<HttpResponse, Problem> {
    let svc = &state.services[si];
    let op = &svc.operations[oi];
    let limits = &state.config.limits;
    if let Some(why) = &op.header_problem {
        warn!(reason = %why, "SOAP header value not configured");
        return Err(Problem::Unavailable(
            "a SOAP header value of this operation is not configured",
        ));
    }

    // 1. The body: size capped while reading, JSON only, depth bounded.
    let bytes = read_body(payload, limits.body_bytes).await?;
    let body = if bytes.is_empty() {
        None
    } else {
        let ct = req
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let mime = ct
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if mime != "application/json" && !mime.ends_with("+json") {
            return Err(Problem::UnsupportedMediaType(ct.to_string()));
        }
        let v: Value = serde_json::from_slice(&bytes)
            .map_err(|e| Problem::MalformedJson(format!("the body is not valid JSON: {e}")))?;
        if depth(&v) > limits.json_depth {
            return Err(Problem::MalformedJson(format!(
                "the JSON nests deeper than {} levels",
                limits.json_depth
            )));
        }
        Some(v)
    };

    // 2. Inputs from where the mapping binds them, then the envelope (every problem at once).
    let query = parse_query(req.query_string())?;
    let param = |s: &InputSource| -> Vec<String> {
        match s {
            InputSource::Path(p) => req
                .match_info()
                .get(p)
                .map(|v| vec![v.to_string()])
                .unwrap_or_default(),
            InputSource::Query(p) => query
                .iter()
                .filter(|(k, _)| k == p)
                .map(|(_, v)| v.clone())
                .collect(),
            InputSource::Header(h) => req
                .headers()
                .get_all(h.as_str())
                .filter_map(|v| v.to_str().ok())
                .map(str::to_string)
                .collect(),
            InputSource::Body | InputSource::BodyKey => Vec::new(),
        }
    };
    let mut envelope = svc
        .build_request(op, &param, body)
        .map_err(Problem::Invalid)?;

    // 3. The upstream call.
    let (Some(target), Some(client)) = (state.targets[si].as_ref(), clients.0[si].as_ref()) else {
        return Err(Problem::Unavailable(
            "this service has no upstream configured",
        ));
    };
    let sent = envelope.len();
    // One more try when nothing reached the service: a refused connect (idempotent operations
    // only), or a pooled connection the service had already closed (it never read the request).
    let mut attempts_left = 1;
    let result = loop {
        let body = if attempts_left > 0 {
            envelope.clone()
        } else {
            std::mem::take(&mut envelope)
        };
        match upstream::call(
            client,
            target,
            op.soap,
            op.action.as_deref(),
            body,
            limits.answer_bytes,
            op.route.timeout,
        )
        .await
        {
            Err(CallError::Connect(e)) if attempts_left > 0 && op.route.idempotent => {
                warn!(error = %e, "Upstream connect failed; retrying the idempotent call once");
                attempts_left -= 1;
            }
            Err(CallError::Stale) if attempts_left > 0 => {
                warn!("Pooled upstream connection was closed; retrying on a new one");
                attempts_left -= 1;
            }
            other => break other,
        }
    };
    let reply = result.map_err(|e| {
        warn!(error = %e, request_bytes = sent, "Upstream call failed");
        match e {
            CallError::Timeout(_) => Problem::Timeout,
            CallError::Connect(_) => Problem::BadGateway("cannot connect to the legacy service"),
            CallError::TooLarge(_) => {
                Problem::BadGateway("the legacy service's answer is too large")
            }
            CallError::Redirect(_) => {
                Problem::BadGateway("the legacy service answered with a redirect")
            }
            CallError::Other(_) | CallError::Stale => {
                Problem::BadGateway("the call to the legacy service failed")
            }
        }
    })?;
    info!(
        upstream_status = reply.status,
        request_bytes = sent,
        answer_bytes = reply.body.len(),
        "Upstream answered"
    );

    // 4. The answer: a SOAP envelope (fault or not), whatever the HTTP status.
    let answer = svc
        .read_answer(op, reply.status, &reply.content_type, &reply.body, limits.xml())
        .map_err(|e| {
            warn!(reason = %e, content_type = %reply.content_type, upstream_status = reply.status, "Upstream answer rejected");
            match e {
                AnswerError::NotText(_) => {
                    Problem::BadGateway("the legacy service's answer is not readable XML text")
                }
                AnswerError::ErrorStatus(_) => {
                    Problem::BadGateway("the legacy service answered with an error status")
                }
                _ => Problem::BadGateway("the legacy service's answer does not match its contract"),
            }
        })?;
    match answer.outcome {
        Outcome::Ok(v) => {
            let status = actix_web::http::StatusCode::from_u16(op.route.status)
                .unwrap_or(actix_web::http::StatusCode::OK);
            let mut resp = HttpResponse::build(status);
            resp.content_type("application/json");
            for (name, value) in answer.headers {
                // Text an HTTP header cannot carry (line breaks, control characters) is dropped.
                match actix_web::http::header::HeaderValue::from_bytes(value.as_bytes()) {
                    Ok(v) => {
                        resp.append_header((name.as_str(), v));
                    }
                    Err(_) => {
                        warn!(header = %name, "SOAP answer header value cannot be an HTTP header; dropped")
                    }
                }
            }
            Ok(resp.body(v))
        }
        Outcome::Fault {
            status,
            fault,
            message,
        } => {
            let code = fault
                .get("code")
                .and_then(|c| c.as_str())
                .unwrap_or("")
                .to_string();
            info!(fault_code = %code, "Upstream fault");
            Err(Problem::Fault {
                status,
                message,
                fault,
            })
        }
    }
}

async fn read_body(mut payload: Payload, max: usize) -> Result<Bytes, Problem> {
    let mut buf = actix_web::web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|e| Problem::MalformedJson(format!("cannot read the body: {e}")))?;
        if buf.len() + chunk.len() > max {
            return Err(Problem::TooLarge(max));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.freeze())
}

/// JSON nesting depth, without recursion.
fn depth(v: &Value) -> usize {
    let mut max = 0;
    let mut stack = vec![(v, 1usize)];
    while let Some((v, d)) = stack.pop() {
        max = max.max(d);
        match v {
            Value::Array(a) => stack.extend(a.iter().map(|x| (x, d + 1))),
            Value::Object(o) => stack.extend(o.values().map(|x| (x, d + 1))),
            _ => {}
        }
    }
    max
}

/// `a=1&b=x+y` -> pairs, percent-decoded; a value that is not UTF-8 is a 400 (never replaced by
/// U+FFFD and sent on).
fn parse_query(q: &str) -> Result<Vec<(String, String)>, Problem> {
    let decode = |s: &str| -> Result<String, Problem> {
        let plus = s.replace('+', " ");
        percent_encoding::percent_decode_str(&plus)
            .decode_utf8()
            .map(|c| c.into_owned())
            .map_err(|_| {
                Problem::Invalid(vec![
                    crate::convert::error::FieldError::new(
                        "/",
                        "encoding",
                        format!("query parameter `{s}` is not UTF-8 once decoded"),
                    )
                    .expected("UTF-8 text once percent-decoded")
                    .found(crate::xsd::facets::quote_short(s)),
                ])
            })
    };
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            Ok((decode(k)?, decode(v)?))
        })
        .collect()
}
