//! CORS per mapping (`actix-cors`): the origins, methods, headers, credentials and max-age of
//! the mapping's `cors:`; a preflight is answered here, never reaching a handler (so never the
//! legacy service); a refused one is problem+json like every other error.

use actix_cors::{Cors as CorsMiddleware, CorsError};
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::{Condition, Next};

use super::problem::Problem;
use crate::mapping::route::{Cors, HeaderSource, InputSource, Route};

/// The request headers a route reads (its inputs' and its SOAP header fields'), lower case.
pub(super) fn headers_read(route: &Route) -> Vec<String> {
    let inputs = route.inputs.iter().map(|i| &i.source);
    let fields = route
        .headers
        .iter()
        .flat_map(|h| &h.fields)
        .filter_map(|f| match &f.source {
            HeaderSource::Request(s) => Some(s),
            _ => None,
        });
    inputs
        .chain(fields)
        .filter_map(|s| match s {
            InputSource::Header(h) => Some(h.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

/// The CORS middleware of a path: the mapping's policy, or none (switched off). Without
/// `headers:`, the headers allowed are `Content-Type`, `Authorization` and `read`.
pub(super) fn middleware(policy: Option<&Cors>, read: &[String]) -> Condition<CorsMiddleware> {
    let Some(p) = policy else {
        return Condition::new(false, CorsMiddleware::default());
    };
    let mut c = CorsMiddleware::default();
    c = if p.origins.is_empty() {
        c.allow_any_origin()
    } else {
        p.origins.iter().fold(c, |c, o| c.allowed_origin(o))
    };
    c = c.allowed_methods(p.methods.iter().map(String::as_str));
    let mut headers: Vec<String> = match &p.headers {
        Some(h) => h.clone(),
        None => ["content-type", "authorization"].map(String::from).to_vec(),
    };
    if p.headers.is_none() {
        headers.extend(read.iter().cloned());
    }
    headers.sort();
    headers.dedup();
    c = c.allowed_headers(headers.iter().map(String::as_str));
    if !p.expose_headers.is_empty() {
        c = c.expose_headers(p.expose_headers.iter().map(String::as_str));
    }
    if p.credentials {
        c = c.supports_credentials();
    }
    c = c.max_age(usize::try_from(p.max_age).ok());
    Condition::new(true, c)
}

/// A CORS refusal (preflight or origin) as problem+json; every other answer as it is.
pub(super) async fn problems(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let res = next.call(req).await?;
    let refused = res
        .response()
        .error()
        .and_then(|e| e.as_error::<CorsError>())
        .map(|e| e.to_string());
    Ok(match refused {
        Some(why) => res
            .into_response(Problem::CorsRefused(why).response())
            .map_into_right_body(),
        None => res.map_into_left_body(),
    })
}
