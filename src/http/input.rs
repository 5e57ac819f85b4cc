//! What a request brings, read within the limits: the body (size capped while reading, JSON
//! only, depth bounded), the query string (decoded as HTML forms encode it), and the values a
//! mapping input's source names (path, query, header or the caller's identity).

use actix_web::HttpRequest;
use actix_web::dev::{Path, Url};
use actix_web::web::{Bytes, BytesMut, Payload};
use futures_util::StreamExt;
use serde_json::Value;

use super::auth::Identity;
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
    let bytes = read_body(payload, limits.body_bytes).await?;
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
    let v: Value = serde_json::from_slice(&bytes)
        .map_err(|e| Problem::MalformedJson(format!("the body is not valid JSON: {e}")))?;
    if depth(&v) > limits.json_depth {
        return Err(Problem::MalformedJson(format!(
            "the JSON nests deeper than {} levels",
            limits.json_depth
        )));
    }
    Ok(Some(v))
}

async fn read_body(mut payload: Payload, max: usize) -> Result<Bytes, Problem> {
    let mut buf = BytesMut::new();
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
    use super::parse_query;

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
