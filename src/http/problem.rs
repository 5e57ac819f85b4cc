//! RFC 9457 problem details: the one table from error kind to status and stable code, and one
//! `From` per layer's error (request fields, upstream call, answer). Public messages are fixed
//! sentences; the details are logged by the handler, never sent.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use serde_json::{Value, json};

use super::auth::AuthError;
use crate::convert::error::{AnswerError, FieldError};
use crate::upstream::UpstreamError;

/// Every error a client can get.
#[derive(Debug)]
pub enum Problem {
    /// The body is not JSON, or nests too deep.
    MalformedJson(String),
    /// The request does not fit the schema: every problem, with its JSON Pointer, the rule it
    /// breaks, and (when known) what was expected and what was found.
    Invalid(Vec<FieldError>),
    /// The body is not JSON by its content type (the content type sent).
    UnsupportedMediaType(String),
    /// The body is larger than the limit (the limit, bytes).
    TooLarge(usize),
    /// No route serves the path.
    NotFound { method: String, path: String },
    /// A route serves the path, but not with this method.
    MethodNotAllowed,
    /// A SOAP fault; `fault` holds code, string, detail (and the WSDL fault name when declared).
    Fault {
        status: u16,
        message: String,
        fault: Value,
    },
    /// The upstream failed or answered something that is not a valid answer (details logged).
    BadGateway(&'static str),
    /// The upstream did not answer before the deadline.
    Timeout,
    /// The operation cannot be served now (no upstream, a header value not configured, the
    /// server shutting down).
    Unavailable(&'static str),
    /// The client spent its rate limit (the headers say when to come back).
    RateLimited,
    /// The upstream's in-flight cap and its queue are full.
    Overloaded,
    /// The upstream's circuit is open (seconds until a call is tried again).
    CircuitOpen(u64),
    /// No credentials a scheme of the route accepts: the challenges for `WWW-Authenticate`,
    /// and why (missing, or refused and the reason).
    Unauthorized {
        challenges: Vec<String>,
        detail: String,
    },
    /// The caller is authenticated but may not call this route (a scope or claim is missing);
    /// a bearer caller gets an `insufficient_scope` challenge.
    Forbidden {
        detail: String,
        challenge: Option<String>,
    },
    /// A cross-origin request the mapping's `cors:` does not allow.
    CorsRefused(String),
    /// The client did not send its body in time, or sent it too slowly (why).
    RequestTimeout(String),
    /// A request header, or all of them together, is over the limit (which one).
    HeadersTooLarge(String),
    /// The request target (path and query) is longer than the limit (the limit, bytes).
    UrlTooLong(usize),
    /// The bytes sent are not an HTTP request (why).
    MalformedHttp(String),
}

impl Problem {
    fn parts(&self) -> (u16, &'static str, &'static str) {
        match self {
            Problem::MalformedJson(_) => (400, "malformed_json", "Malformed JSON"),
            Problem::Invalid(_) => (
                400,
                "invalid_request",
                "The request does not match the service's schema",
            ),
            Problem::UnsupportedMediaType(_) => {
                (415, "unsupported_media_type", "Unsupported media type")
            }
            Problem::TooLarge(_) => (413, "body_too_large", "Request body too large"),
            Problem::NotFound { .. } => (404, "no_such_route", "No such route"),
            Problem::MethodNotAllowed => (405, "method_not_allowed", "Method not allowed"),
            Problem::Fault { status, .. } => {
                (*status, "soap_fault", "The service answered with a fault")
            }
            Problem::BadGateway(_) => (502, "bad_gateway", "The legacy service failed"),
            Problem::Timeout => (
                504,
                "upstream_timeout",
                "The legacy service did not answer in time",
            ),
            Problem::Unavailable(_) => (503, "unavailable", "Service unavailable"),
            Problem::RateLimited => (429, "rate_limited", "Too many requests"),
            Problem::Overloaded => (
                503,
                "overloaded",
                "The legacy service has too many calls in flight",
            ),
            Problem::CircuitOpen(_) => (
                503,
                "circuit_open",
                "The legacy service is failing; calls are paused",
            ),
            Problem::Unauthorized { .. } => (401, "unauthorized", "Authentication required"),
            Problem::Forbidden { .. } => (403, "forbidden", "Forbidden"),
            Problem::CorsRefused(_) => (403, "cors_refused", "Cross-origin request refused"),
            Problem::RequestTimeout(_) => (408, "request_timeout", "Request not received in time"),
            Problem::HeadersTooLarge(_) => {
                (431, "headers_too_large", "Request header fields too large")
            }
            Problem::UrlTooLong(_) => (414, "url_too_long", "Request target too long"),
            Problem::MalformedHttp(_) => (400, "malformed_request", "Malformed HTTP request"),
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.parts().0
    }

    /// The problem+json body.
    pub fn body(&self) -> Value {
        let (status, code, title) = self.parts();
        let mut v = json!({ "type": format!("https://soapbridge.dev/problems/{code}"), "title": title, "status": status, "code": code });
        let detail = match self {
            Problem::MalformedJson(m) => Some(m.clone()),
            Problem::Invalid(errors) => {
                // Every problem, up to a bound: a hostile body must not buy a huge answer.
                const SHOWN: usize = 100;
                v["errors"] =
                    serde_json::to_value(&errors[..errors.len().min(SHOWN)]).unwrap_or(Value::Null);
                Some(if errors.len() > SHOWN {
                    format!(
                        "{} problems in the request; the first {SHOWN} are listed",
                        errors.len()
                    )
                } else {
                    format!("{} problem(s) in the request", errors.len())
                })
            }
            Problem::UnsupportedMediaType(ct) => {
                Some(format!("expected application/json, got `{ct}`"))
            }
            Problem::TooLarge(n) => Some(format!("the body may be at most {n} bytes")),
            Problem::NotFound { method, path } => Some(format!("no route for {method} {path}")),
            Problem::MethodNotAllowed => None,
            Problem::Fault { message, fault, .. } => {
                v["fault"] = fault.clone();
                Some(message.clone())
            }
            Problem::BadGateway(m) | Problem::Unavailable(m) => Some(m.to_string()),
            Problem::Timeout => None,
            Problem::RateLimited => Some("the rate limit is spent; see Retry-After".into()),
            Problem::Overloaded => Some("try again shortly".into()),
            Problem::CircuitOpen(s) => Some(format!("calls resume within {s} s")),
            Problem::Unauthorized { detail, .. }
            | Problem::Forbidden { detail, .. }
            | Problem::CorsRefused(detail)
            | Problem::RequestTimeout(detail)
            | Problem::HeadersTooLarge(detail)
            | Problem::MalformedHttp(detail) => Some(detail.clone()),
            Problem::UrlTooLong(n) => Some(format!("the path and query may be at most {n} bytes")),
        };
        if let Some(d) = detail {
            v["detail"] = Value::String(d);
        }
        v
    }

    /// The response: status, `application/problem+json`, `Retry-After` when unavailable (a
    /// rate limit's comes with its other headers), `WWW-Authenticate` when unauthorized (one per
    /// scheme) or short of a scope.
    pub fn response(&self) -> HttpResponse {
        let status = StatusCode::from_u16(self.status()).unwrap_or(StatusCode::BAD_GATEWAY);
        let mut r = HttpResponse::build(status);
        r.content_type("application/problem+json");
        match self {
            Problem::Unavailable(_) | Problem::Overloaded => {
                r.insert_header(("Retry-After", "1"));
            }
            Problem::CircuitOpen(s) => {
                r.insert_header(("Retry-After", s.to_string()));
            }
            _ => {}
        }
        let challenges = match self {
            Problem::Unauthorized { challenges, .. } => challenges.as_slice(),
            Problem::Forbidden {
                challenge: Some(c), ..
            } => std::slice::from_ref(c),
            _ => &[],
        };
        for c in challenges {
            r.append_header(("WWW-Authenticate", c.as_str()));
        }
        r.body(self.body().to_string())
    }
}

/// The request does not fit the schema: 400 with every problem.
impl From<Vec<FieldError>> for Problem {
    fn from(errors: Vec<FieldError>) -> Problem {
        Problem::Invalid(errors)
    }
}

/// No answer came: 504 on a timeout, 502 otherwise.
impl From<UpstreamError> for Problem {
    fn from(e: UpstreamError) -> Problem {
        match e {
            UpstreamError::Timeout(_) => Problem::Timeout,
            UpstreamError::Connect(_) => {
                Problem::BadGateway("cannot connect to the legacy service")
            }
            UpstreamError::TooLarge(_) => {
                Problem::BadGateway("the legacy service's answer is too large")
            }
            UpstreamError::Redirect(_) => {
                Problem::BadGateway("the legacy service answered with a redirect")
            }
            UpstreamError::Package(_) => Problem::BadGateway(
                "the legacy service's multipart (MTOM/XOP) answer cannot be read",
            ),
            UpstreamError::Addressing(crate::soap::AddressingError::Action { .. }) => {
                Problem::BadGateway(
                    "the legacy service's answer has another action than the WSDL's output (WS-Addressing `Action`)",
                )
            }
            UpstreamError::Addressing(_) => Problem::BadGateway(
                "the legacy service's answer does not relate to the request (WS-Addressing `RelatesTo`)",
            ),
            UpstreamError::Credentials(_) => {
                Problem::BadGateway("no credentials could be obtained for the legacy service")
            }
            UpstreamError::Other(_) => Problem::BadGateway("the call to the legacy service failed"),
        }
    }
}

/// The answer cannot be read as the operation's output: 502.
impl From<AnswerError> for Problem {
    fn from(e: AnswerError) -> Problem {
        match e {
            AnswerError::NotText(_) => {
                Problem::BadGateway("the legacy service's answer is not readable XML text")
            }
            AnswerError::ErrorStatus(_) => {
                Problem::BadGateway("the legacy service answered with an error status")
            }
            _ => Problem::BadGateway("the legacy service's answer does not match its contract"),
        }
    }
}

/// A request the guard stopped: 401 (missing or refused credentials), 403 (a scope or claim
/// missing) or 503 (the scheme cannot check now).
impl From<AuthError> for Problem {
    fn from(e: AuthError) -> Problem {
        match e {
            AuthError::Missing { challenges } => Problem::Unauthorized {
                challenges,
                detail: "this route needs credentials".into(),
            },
            AuthError::Refused { challenges, reason } => Problem::Unauthorized {
                challenges,
                detail: reason,
            },
            AuthError::Forbidden { reason, challenge } => Problem::Forbidden {
                detail: reason,
                challenge,
            },
            AuthError::Unavailable(why) => Problem::Unavailable(why),
        }
    }
}
