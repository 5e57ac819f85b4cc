//! Who a request is, for the logs and the services behind: its request id (`X-Request-Id`,
//! accepted when it is a plain token, generated otherwise, returned and sent upstream) and its
//! W3C trace context (`traceparent` / `tracestate` accepted, a new trace started without one,
//! passed on to the upstream call with that call's own span id).

use std::cell::RefCell;

use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use ring::rand::{SecureRandom, SystemRandom};

/// `X-Request-Id`.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
/// W3C Trace Context's `traceparent`.
pub const TRACEPARENT: HeaderName = HeaderName::from_static("traceparent");
/// W3C Trace Context's `tracestate`.
pub const TRACESTATE: HeaderName = HeaderName::from_static("tracestate");

/// Longest request id accepted, in bytes (a longer one is replaced by a generated id).
pub const REQUEST_ID_BYTES: usize = 128;
/// Longest `tracestate` passed on (the W3C limit is 32 members; 512 bytes covers them).
const TRACESTATE_BYTES: usize = 512;

/// A request's identity: its request id and trace context.
#[derive(Debug, Clone)]
pub struct Correlation {
    /// The request id: the client's when it was a plain token, else a generated UUID v4.
    pub request_id: HeaderValue,
    /// The trace id: the caller's, or a new one.
    pub trace_id: [u8; 16],
    /// The caller's span (`traceparent`'s parent id), when it sent one.
    pub parent_span: Option<[u8; 8]>,
    /// The request's own span id.
    pub span_id: [u8; 8],
    /// The span id of the upstream call (the parent id the legacy service sees).
    pub upstream_span: [u8; 8],
    /// Whether the caller asked for the trace to be recorded (`traceparent` flags), or `true`
    /// for a trace started here.
    pub sampled: bool,
    /// The caller's `tracestate`, passed on unchanged (only with a valid `traceparent`).
    pub tracestate: Option<HeaderValue>,
}

impl Correlation {
    /// Reads the request's `X-Request-Id`, `traceparent` and `tracestate`; makes up what is
    /// missing or malformed (a malformed `traceparent` starts a new trace, as the W3C
    /// specification says).
    pub fn from_headers(headers: &HeaderMap) -> Correlation {
        let random = random_ids();
        let request_id = headers
            .get(REQUEST_ID)
            .filter(|v| is_token(v.as_bytes()))
            .cloned()
            .unwrap_or_else(|| uuid_v4(&random[0..16]));
        let parent = headers
            .get(TRACEPARENT)
            .and_then(|v| parse_traceparent(v.as_bytes()));
        let mut span_id = [0u8; 8];
        span_id.copy_from_slice(&random[32..40]);
        let mut upstream_span = [0u8; 8];
        upstream_span.copy_from_slice(&random[40..48]);
        match parent {
            Some((trace_id, parent_span, flags)) => Correlation {
                request_id,
                trace_id,
                parent_span: Some(parent_span),
                span_id,
                upstream_span,
                sampled: flags & 1 == 1,
                tracestate: headers
                    .get(TRACESTATE)
                    .filter(|v| v.len() <= TRACESTATE_BYTES)
                    .cloned(),
            },
            None => {
                let mut trace_id = [0u8; 16];
                trace_id.copy_from_slice(&random[16..32]);
                Correlation {
                    request_id,
                    trace_id,
                    parent_span: None,
                    span_id,
                    upstream_span,
                    sampled: true,
                    tracestate: None,
                }
            }
        }
    }

    /// The request id as text (always ASCII: accepted ids are tokens).
    pub fn request_id(&self) -> &str {
        self.request_id.to_str().unwrap_or("")
    }

    /// The trace id as 32 lower-case hex digits.
    pub fn trace_id_hex(&self) -> String {
        hex(&self.trace_id)
    }

    /// The `traceparent` the upstream call carries: this trace, the upstream call's span.
    pub fn upstream_traceparent(&self) -> HeaderValue {
        // `00-` trace `-` span `-` flags, written in place (one per request).
        let mut text = *b"00-00000000000000000000000000000000-0000000000000000-00";
        hex_into(&mut text[3..35], &self.trace_id);
        hex_into(&mut text[36..52], &self.upstream_span);
        if self.sampled {
            text[54] = b'1';
        }
        HeaderValue::from_bytes(&text).unwrap_or(HeaderValue::from_static(""))
    }

    /// The headers sent with the upstream call: request id, `traceparent` and, when the caller
    /// sent one, `tracestate`.
    pub fn upstream_headers(&self) -> Vec<(HeaderName, HeaderValue)> {
        let mut h = vec![
            (REQUEST_ID, self.request_id.clone()),
            (TRACEPARENT, self.upstream_traceparent()),
        ];
        if let Some(state) = &self.tracestate {
            h.push((TRACESTATE, state.clone()));
        }
        h
    }
}

/// Random bytes a worker thread takes from the operating system's generator at once: one system
/// call per 64 requests rather than one each.
const RANDOM_BATCH: usize = 48 * 64;

thread_local! {
    /// This thread's batch of random bytes, and how many of them were handed out.
    static RANDOM: RefCell<(Box<[u8; RANDOM_BATCH]>, usize)> =
        RefCell::new((Box::new([0; RANDOM_BATCH]), RANDOM_BATCH));
}

/// 48 bytes from the operating system's generator, each handed out once: the ids of one
/// request (request id, trace id, its span and the upstream call's).
fn random_ids() -> [u8; 48] {
    RANDOM.with(|cell| {
        let mut batch = cell.borrow_mut();
        let (bytes, used) = &mut *batch;
        if *used == RANDOM_BATCH {
            // The operating system's generator does not fail on the systems served.
            let _ = SystemRandom::new().fill(&mut bytes[..]);
            *used = 0;
        }
        let mut out = [0u8; 48];
        out.copy_from_slice(&bytes[*used..*used + 48]);
        *used += 48;
        out
    })
}

/// A request id that may be logged and passed on as it is: 1 to [`REQUEST_ID_BYTES`] bytes of
/// letters, digits and `-._~:/+=@`. Nothing that could split or forge a log line.
fn is_token(v: &[u8]) -> bool {
    !v.is_empty()
        && v.len() <= REQUEST_ID_BYTES
        && v.iter()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~:/+=@".contains(b))
}

/// `traceparent` version 00 (and, as the specification asks, later versions read as 00):
/// trace id, parent id and flags; `None` when malformed or all-zero.
fn parse_traceparent(v: &[u8]) -> Option<([u8; 16], [u8; 8], u8)> {
    let text = std::str::from_utf8(v).ok()?.trim();
    let mut parts = text.split('-');
    let (version, trace, parent, flags) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let version = unhex::<1>(version)?[0];
    if version == 0xff || (version == 0 && parts.next().is_some()) {
        return None;
    }
    let trace = unhex::<16>(trace)?;
    let parent = unhex::<8>(parent)?;
    let flags = unhex::<1>(flags)?[0];
    if trace == [0; 16] || parent == [0; 8] {
        return None;
    }
    Some((trace, parent, flags))
}

/// Exactly `2 * N` lower-case hex digits.
fn unhex<const N: usize>(s: &str) -> Option<[u8; N]> {
    let b = s.as_bytes();
    if b.len() != 2 * N {
        return None;
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let mut out = [0u8; N];
    for (i, o) in out.iter_mut().enumerate() {
        *o = digit(b[2 * i])? << 4 | digit(b[2 * i + 1])?;
    }
    Some(out)
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    let mut out = vec![0; bytes.len() * 2];
    hex_into(&mut out, bytes);
    // Hex digits are ASCII.
    String::from_utf8(out).unwrap_or_default()
}

/// `bytes` as lower-case hex into `out` (twice as long).
fn hex_into(out: &mut [u8], bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for (pair, b) in out.chunks_exact_mut(2).zip(bytes) {
        pair[0] = DIGITS[(b >> 4) as usize];
        pair[1] = DIGITS[(b & 15) as usize];
    }
}

/// A UUID version 4 from 16 random bytes.
fn uuid_v4(random: &[u8]) -> HeaderValue {
    let mut b = [0u8; 16];
    b.copy_from_slice(random);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    // 8-4-4-4-12 hex digits, written in place (one per request without an id).
    let mut text = [b'-'; 36];
    for (range, bytes) in [
        (0..8, 0..4),
        (9..13, 4..6),
        (14..18, 6..8),
        (19..23, 8..10),
        (24..36, 10..16),
    ] {
        hex_into(&mut text[range], &b[bytes]);
    }
    HeaderValue::from_bytes(&text).unwrap_or(HeaderValue::from_static("-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (n, v) in pairs {
            h.insert(HeaderName::from_static(n), HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn a_plain_request_id_is_kept_and_anything_else_replaced() {
        let c = Correlation::from_headers(&headers(&[("x-request-id", "abc-123.x")]));
        assert_eq!(c.request_id(), "abc-123.x");
        for bad in ["a b", "a\"b", "x\\y", "{json}", ""] {
            let mut h = HeaderMap::new();
            h.insert(REQUEST_ID, HeaderValue::from_str(bad).unwrap());
            let c = Correlation::from_headers(&h);
            assert_ne!(c.request_id(), bad);
            assert_eq!(c.request_id().len(), 36, "a UUID replaces `{bad}`");
        }
        let long = "a".repeat(REQUEST_ID_BYTES + 1);
        let mut h = HeaderMap::new();
        h.insert(REQUEST_ID, HeaderValue::from_str(&long).unwrap());
        assert_eq!(Correlation::from_headers(&h).request_id().len(), 36);
        let a = Correlation::from_headers(&HeaderMap::new());
        let b = Correlation::from_headers(&HeaderMap::new());
        assert_ne!(a.request_id(), b.request_id());
        assert_eq!(
            &a.request_id()[14..15],
            "4",
            "version 4: {}",
            a.request_id()
        );
    }

    #[test]
    fn traceparent_is_continued_with_a_new_parent_id_and_tracestate_kept() {
        let c = Correlation::from_headers(&headers(&[
            (
                "traceparent",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            ),
            ("tracestate", "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"),
        ]));
        assert_eq!(c.trace_id_hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
        let sent = c.upstream_traceparent();
        let sent = sent.to_str().unwrap();
        assert!(
            sent.starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-"),
            "{sent}"
        );
        assert!(sent.ends_with("-01"));
        assert!(
            !sent.contains("00f067aa0ba902b7"),
            "a new parent id: {sent}"
        );
        let h = c.upstream_headers();
        assert_eq!(h[2].1, "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
        // Not sampled by the caller: not sampled here either.
        let c = Correlation::from_headers(&headers(&[(
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00",
        )]));
        assert!(c.upstream_traceparent().to_str().unwrap().ends_with("-00"));
    }

    #[test]
    fn a_malformed_traceparent_starts_a_new_trace_and_drops_tracestate() {
        for bad in [
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
        ] {
            let mut h = HeaderMap::new();
            h.insert(TRACEPARENT, HeaderValue::from_str(bad).unwrap());
            h.insert(TRACESTATE, HeaderValue::from_static("a=b"));
            let c = Correlation::from_headers(&h);
            assert_ne!(
                c.trace_id_hex(),
                "4bf92f3577b34da6a3ce929d0e0e4736",
                "{bad}"
            );
            assert!(c.parent_span.is_none(), "{bad}");
            assert!(c.tracestate.is_none(), "{bad}");
        }
    }

    #[test]
    fn ids_are_written_as_the_specifications_spell_them() {
        let random: Vec<u8> = (0u8..16).map(|i| i * 17).collect();
        assert_eq!(
            uuid_v4(&random),
            "00112233-4455-4677-8899-aabbccddeeff",
            "version 4, variant 10"
        );
        let mut corr = Correlation::from_headers(&HeaderMap::new());
        corr.trace_id.copy_from_slice(&random);
        corr.upstream_span = [0xa0, 1, 2, 3, 4, 5, 6, 0xff];
        assert_eq!(
            corr.upstream_traceparent(),
            "00-00112233445566778899aabbccddeeff-a0010203040506ff-01"
        );
        corr.sampled = false;
        assert!(
            corr.upstream_traceparent()
                .to_str()
                .unwrap()
                .ends_with("-00")
        );
        assert_eq!(corr.trace_id_hex(), "00112233445566778899aabbccddeeff");
    }

    #[test]
    fn every_request_gets_ids_of_its_own() {
        let ids: std::collections::HashSet<[u8; 48]> =
            (0..3 * RANDOM_BATCH / 48).map(|_| random_ids()).collect();
        assert_eq!(ids.len(), 3 * RANDOM_BATCH / 48, "across batches too");
        let a = Correlation::from_headers(&HeaderMap::new());
        let b = Correlation::from_headers(&HeaderMap::new());
        assert_ne!(a.request_id, b.request_id);
        assert_ne!(a.trace_id, b.trace_id);
        assert_ne!(a.span_id, a.upstream_span);
    }
}
