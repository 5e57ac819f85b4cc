//! What a client may send before anything else reads it, checked on the request head in front
//! of every route: a request target over `limits.url_bytes` (414), one header over
//! `limits.header_bytes` or all of them over `limits.headers_bytes` (431), a `Content-Length`
//! over `limits.body_bytes` (413 at once, the body unread). Each is problem+json and closes the
//! connection, as does a 408 from a body that came too slowly. Under `Expect: 100-continue` the
//! same checks run first, as the codec's expect service ([`expect`]), so a refused request gets
//! its answer instead of `100 Continue`. And the shutdown cut-off: once `shutdown_timeout` has
//! passed after SIGINT/SIGTERM, every request still in flight gets a 503 problem+json instead
//! of a closed socket. Each request's method is told to the connection (`codec_answers`), which
//! follows the answers written on it.
//!
//! A refusal of a request to a mapped route is that route's answer like any other: counted in
//! its request metrics and given an access line ([`account`]).
//!
//! The HTTP codec keeps its own, larger limits (a request head over 128 KiB or with more than
//! 96 headers: 431; a head not sent within `limits.header_timeout_ms`: 408; a head that is not
//! HTTP: 400); `codec_answers` makes those problem+json too.

use std::sync::Arc;
use std::time::Instant;

use actix_web::Error;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{
    Path, Response, ServiceFactory, ServiceRequest, ServiceResponse, Url, fn_service,
};
use actix_web::http::header::{CONTENT_LENGTH, HeaderMap};
use actix_web::http::{ConnectionType, Method, StatusCode, Uri};
use actix_web::middleware::Next;
use tokio::sync::watch;

use super::access;
use super::codec_answers::HeadRequests;
use super::live::Live;
use super::otel::Timings;
use super::problem::Problem;
use super::routes::Found;
use super::trace::Correlation;
use crate::config::Limits;

/// The limits checked on the head, the set served (whose routes' refusals are counted), and the
/// shutdown cut-off's signal.
#[derive(Clone)]
pub(super) struct Intake {
    limits: Limits,
    live: Arc<Live>,
    cutoff: watch::Receiver<bool>,
}

/// Sets the cut-off: requests still in flight get 503 from then on.
pub(super) struct CutOff(watch::Sender<bool>);

impl CutOff {
    /// Every request still in flight is answered 503 now.
    pub(super) fn cut(&self) {
        self.0.send_replace(true);
    }
}

impl Intake {
    /// The checks for `limits` on the requests to `live`'s set, and the cut-off that ends
    /// requests in flight.
    pub(super) fn new(limits: Limits, live: Arc<Live>) -> (Intake, CutOff) {
        let (tx, rx) = watch::channel(false);
        let intake = Intake {
            limits,
            live,
            cutoff: rx,
        };
        (intake, CutOff(tx))
    }

    /// The middleware: refuses a head over a limit, else runs the request until it answers or
    /// the cut-off comes.
    pub(super) async fn check(
        self,
        req: ServiceRequest,
        next: Next<impl MessageBody + 'static>,
    ) -> Result<ServiceResponse<BoxBody>, Error> {
        if let Some(heads) = req.conn_data::<HeadRequests>() {
            heads.push(req.method() == Method::HEAD);
        }
        let started = Instant::now();
        if let Some(problem) = refusal(req.uri(), req.headers(), &self.limits) {
            let head = (req.method(), req.uri(), req.headers());
            account(&self.live, head, problem.status(), started);
            return Ok(req.into_response(closing(problem.response())));
        }
        let mut cutoff = self.cutoff;
        let cut = async move {
            if cutoff.wait_for(|c| *c).await.is_err() {
                // No cut-off will come (the server is not shutting down this way).
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            res = next.call(req) => {
                let mut res = res?.map_into_boxed_body();
                if res.status() == StatusCode::REQUEST_TIMEOUT {
                    res.response_mut().head_mut().set_connection_type(ConnectionType::Close);
                }
                Ok(res)
            }
            () = cut => {
                // The request was moved into the call (and cannot be cloned before routing):
                // the answer goes back as an error that carries its own response.
                tracing::warn!("Shutdown timeout: a request still in flight is answered 503");
                let problem = Problem::Unavailable("the server stopped before the answer was ready");
                let response = closing(problem.response());
                Err(actix_web::error::InternalError::from_response("cut off at shutdown", response).into())
            }
        }
    }
}

/// The answer closes the connection (the rest of the request is not read).
fn closing(mut r: actix_web::HttpResponse) -> actix_web::HttpResponse {
    r.head_mut().set_connection_type(ConnectionType::Close);
    r
}

/// The codec's service for requests with `Expect: 100-continue`: a head over a limit is
/// answered (problem+json, closing the connection) instead of `100 Continue`, and accounted as
/// the answer of `live`'s route it was sent to.
pub(super) fn expect(
    limits: Limits,
    live: Arc<Live>,
) -> impl ServiceFactory<
    actix_http::Request,
    Config = (),
    Response = actix_http::Request,
    Error = Response<BoxBody>,
    InitError = (),
> {
    fn_service(move |req: actix_http::Request| {
        let live = live.clone();
        async move {
            let started = Instant::now();
            match refusal(req.uri(), &req.head().headers, &limits) {
                Some(problem) => {
                    let head = (req.method(), req.uri(), &req.head().headers);
                    account(&live, head, problem.status(), started);
                    Err(closing(problem.response()).into())
                }
                None => Ok(req),
            }
        }
    })
}

/// A request refused with `status`: when it was sent to a mapped route (HEAD to its GET), it
/// is counted in that route's request metrics and gets its access line (sampled), as the
/// route's other answers do. A refusal of a path nothing serves is neither, as a 404 is not.
fn account(
    live: &Live,
    (method, uri, headers): (&Method, &Uri, &HeaderMap),
    status: u16,
    started: Instant,
) {
    let state = live.current();
    let method = match *method {
        Method::HEAD => Method::GET,
        ref m => m.clone(),
    };
    let Found::Route(op) = state
        .routes
        .find(&method, &mut Path::new(Url::new(uri.clone())))
    else {
        return;
    };
    let labels = &state.labels[op.0][op.1];
    state.metrics.request_started(labels);
    state
        .metrics
        .request_finished(labels, status, started.elapsed());
    if state.access.writes(status) {
        let corr = Correlation::from_headers(headers);
        access::Line {
            route: &state.services[op.0].operations[op.1].route,
            status,
            timings: &Timings::default(),
            elapsed: started.elapsed(),
            corr: &corr,
            trace_id: &corr.trace_id_hex(),
        }
        .write();
    }
}

/// The problem with the request head, if any.
fn refusal(uri: &Uri, headers: &HeaderMap, limits: &Limits) -> Option<Problem> {
    let target = uri.path_and_query().map_or(0, |pq| pq.as_str().len());
    if target > limits.url_bytes {
        return Some(Problem::UrlTooLong(limits.url_bytes));
    }
    let mut total = 0;
    for (name, value) in headers {
        let size = name.as_str().len() + value.len();
        if size > limits.header_bytes {
            return Some(Problem::HeadersTooLarge(format!(
                "the header {} is over {} bytes",
                crate::xsd::facets::quote_short(name.as_str()),
                limits.header_bytes
            )));
        }
        // Each line also holds `: ` and CRLF.
        total += size + 4;
    }
    if total > limits.headers_bytes {
        return Some(Problem::HeadersTooLarge(format!(
            "the headers are over {} bytes together",
            limits.headers_bytes
        )));
    }
    let announced = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    match announced {
        Some(n) if n > limits.body_bytes as u64 => Some(Problem::TooLarge(limits.body_bytes)),
        _ => None,
    }
}
