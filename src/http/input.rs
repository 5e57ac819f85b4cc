//! What a request brings, read within the limits: the body (size capped while reading, in
//! bounded time and at a minimum rate, JSON only, depth bounded and keys distinct while parsing), the query string (decoded as HTML forms encode it), and the values a
//! mapping input's source names (path, query, header or the caller's identity).

use actix_web::HttpRequest;
use actix_web::dev::{Path, Url};
use actix_web::web::{Bytes, BytesMut, Payload};
use futures_util::StreamExt;
use serde_json::Value;
use std::time::Duration;
use tokio::time::Instant;

use super::auth::Identity;
use super::json::JsonError;
use super::problem::Problem;
use crate::config::Limits;
use crate::convert::error::FieldError;
use crate::mapping::route::InputSource;

/// The JSON body, `None` when the request has none.
pub(super) async fn json_body(
    req: &HttpRequest,
    payload: Payload,
    limits: &Limits,
) -> Result<Option<Value>, Problem> {
    let bytes = read_body(payload, limits).await?;
    if bytes.is_empty() {
        return Ok(None);
    }
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
    match super::json::parse(&bytes, limits.json_depth) {
        Ok(v) => Ok(Some(v)),
        Err(JsonError::DuplicateKey(pointer)) => Err(Problem::Invalid(vec![
            FieldError::new(
                pointer,
                "duplicateKey",
                "this key appears more than once in its object",
            )
            .expected("each key once per object"),
        ])),
        Err(e) => Err(Problem::MalformedJson(e.to_string())),
    }
}

/// The body, refused past `body_bytes`, or when it has not all come within `body_timeout_ms`,
/// or (after its first second) comes slower than `body_min_rate` bytes per second: a stalled
/// or dripping client holds its connection for a bounded time only.
async fn read_body(mut payload: Payload, limits: &Limits) -> Result<Bytes, Problem> {
    let started = Instant::now();
    let mut buf = BytesMut::new();
    loop {
        let (wait, slow) = body_wait(limits, buf.len());
        let next = match tokio::time::timeout_at(started + wait, payload.next()).await {
            Ok(next) => next,
            Err(_) if slow => {
                return Err(Problem::RequestTimeout(format!(
                    "the body came slower than {} bytes per second",
                    limits.body_min_rate
                )));
            }
            Err(_) => {
                return Err(Problem::RequestTimeout(format!(
                    "the body did not arrive within {} ms",
                    limits.body_timeout_ms
                )));
            }
        };
        let Some(chunk) = next else {
            return Ok(buf.freeze());
        };
        let chunk =
            chunk.map_err(|e| Problem::MalformedJson(format!("cannot read the body: {e}")))?;
        if buf.len() + chunk.len() > limits.body_bytes {
            return Err(Problem::TooLarge(limits.body_bytes));
        }
        buf.extend_from_slice(&chunk);
    }
}

/// How long after the body's start its next byte may come, with `received` bytes read; and
/// whether that bound is the minimum rate's (rather than the whole body's time limit).
fn body_wait(limits: &Limits, received: usize) -> (Duration, bool) {
    let total = Duration::from_millis(limits.body_timeout_ms);
    if limits.body_min_rate == 0 {
        return (total, false);
    }
    let by_rate = Duration::from_secs(1)
        + Duration::from_secs_f64((received + 1) as f64 / limits.body_min_rate as f64);
    if by_rate < total {
        (by_rate, true)
    } else {
        (total, false)
    }
}

/// `a=1&b=x+y` -> pairs, decoded as `application/x-www-form-urlencoded`; a key or value that is
/// not UTF-8 once decoded is a 400 (never replaced by U+FFFD and sent on).
pub(super) fn parse_query(q: &str) -> Result<Vec<(String, String)>, Problem> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(q.as_bytes()).into_owned().collect();
    // The decoder puts U+FFFD where the bytes are not UTF-8; only then is the raw text checked
    // (the client may have sent U+FFFD itself).
    let replaced = pairs.iter().any(|(k, v)| {
        k.contains(char::REPLACEMENT_CHARACTER) || v.contains(char::REPLACEMENT_CHARACTER)
    });
    if replaced && let Some(raw) = first_not_utf8(q) {
        return Err(Problem::Invalid(vec![
            FieldError::new(
                "/",
                "encoding",
                format!("query parameter `{raw}` is not UTF-8 once decoded"),
            )
            .expected("UTF-8 text once percent-decoded")
            .found(crate::xsd::facets::quote_short(raw)),
        ]));
    }
    Ok(pairs)
}

/// The first raw key or value of a query string, in order, that is not UTF-8 once
/// percent-decoded.
fn first_not_utf8(q: &str) -> Option<&str> {
    q.split('&')
        .flat_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            [k, v]
        })
        .find(|raw| {
            percent_encoding::percent_decode_str(raw)
                .decode_utf8()
                .is_err()
        })
}

/// The values the request gives for one input source (none for the body's own sources; the
/// caller's identity for `identity.NAME`).
pub(super) fn values(
    params: &Path<Url>,
    req: &HttpRequest,
    query: &[(String, String)],
    identity: Option<&Identity>,
    source: &InputSource,
) -> Vec<String> {
    match source {
        InputSource::Path(p) => params
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
        InputSource::Identity(f) => identity.and_then(|i| i.value(f)).into_iter().collect(),
        InputSource::Body | InputSource::BodyKey => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::{body_wait, parse_query};
    use crate::config::Limits;
    use std::time::Duration;

    #[test]
    fn the_body_must_keep_the_minimum_rate_after_its_first_second() {
        let limits = Limits {
            body_timeout_ms: 30_000,
            body_min_rate: 1000,
            ..Limits::default()
        };
        // The first byte: one second of grace (and a millisecond for the byte).
        assert_eq!(body_wait(&limits, 0), (Duration::from_millis(1001), true));
        // 9,999 bytes read: the next by 11 s.
        assert_eq!(body_wait(&limits, 9_999), (Duration::from_secs(11), true));
        // Past the whole body's limit, that limit holds.
        assert_eq!(
            body_wait(&limits, 100_000),
            (Duration::from_secs(30), false)
        );
        let no_rate = Limits {
            body_min_rate: 0,
            ..limits
        };
        assert_eq!(body_wait(&no_rate, 0), (Duration::from_secs(30), false));
    }

    fn pairs(q: &str) -> Vec<(String, String)> {
        parse_query(q).unwrap_or_else(|p| panic!("{:?}", p.body()))
    }

    #[test]
    fn decodes_as_forms_do() {
        let p = |k: &str, v: &str| (k.to_string(), v.to_string());
        assert_eq!(
            pairs("a=1&b=x+y&&c&d=%C3%A9%3D&e=1=2"),
            [
                p("a", "1"),
                p("b", "x y"),
                p("c", ""),
                p("d", "é="),
                p("e", "1=2")
            ]
        );
        assert_eq!(pairs(""), []);
        // U+FFFD sent by the client is text like any other.
        assert_eq!(pairs("s=%EF%BF%BD"), [p("s", "\u{FFFD}")]);
    }

    #[test]
    fn a_key_or_value_that_is_not_utf8_is_refused_by_name() {
        for (q, raw) in [
            ("name=%FF%FEab", "%FF%FEab"),
            ("a=1&%C3=x", "%C3"),
            ("a=%C3=%A9", "%C3=%A9"),
        ] {
            let body = parse_query(q).unwrap_err().body();
            assert_eq!(body["status"], 400, "{q}");
            assert_eq!(
                body["errors"][0]["message"],
                format!("query parameter `{raw}` is not UTF-8 once decoded"),
                "{q}"
            );
        }
    }
}
