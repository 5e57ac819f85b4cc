//! The answers the HTTP/1 codec writes by itself, before any of our code sees a request, made
//! problem+json like every other refusal: 400 for bytes that are not HTTP, 431 for a head over
//! the codec's 128 KiB buffer or with more than 96 headers, 408 for a head not sent within
//! `limits.header_timeout_ms`. The codec has no hook for them, so [`Answering`] wraps each
//! accepted HTTP/1 connection (above TLS, on plaintext) and follows the answers written on it:
//! it reads each answer head, skips its body by its length or its chunks, and replaces a head
//! with status 400, 408 or 431, `content-length: 0` and no content type (the shape only the
//! codec writes; ours always carry a problem+json body) with the problem+json answer, with
//! `Connection: close` (the codec closes the connection after it). An answer to HEAD has no
//! body whatever its length says, so the intake tells the connection, in request order, which
//! requests are HEAD ([`HeadRequests`]). Where the framing cannot be followed (an upgrade, a
//! body that ends with the connection, HTTP/2), bytes pass untouched from there on.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, ready};

use actix_web::http::StatusCode;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::problem::Problem;
use super::refusals::Refusals;

/// Which of the requests the app took on a connection are HEAD, oldest first, until their
/// answers are written (kept in the connection's data; the intake pushes, the answer pops).
#[derive(Clone, Default)]
pub(super) struct HeadRequests(Rc<Requests>);

#[derive(Default)]
struct Requests {
    queue: RefCell<VecDeque<bool>>,
    /// False once the framing is no longer followed (nothing pops any more).
    followed: Cell<bool>,
}

impl HeadRequests {
    /// A request taken by the app, in order (`head`: its method is HEAD).
    pub(super) fn push(&self, head: bool) {
        if self.0.followed.get() {
            self.0.queue.borrow_mut().push_back(head);
        }
    }

    fn pop(&self) -> bool {
        self.0.queue.borrow_mut().pop_front().unwrap_or(false)
    }

    fn stop(&self) {
        self.0.followed.set(false);
        self.0.queue.borrow_mut().clear();
    }
}

/// A connection whose codec answers are replaced by problem+json ones.
pub(super) struct Answering<T> {
    io: T,
    frames: Frames,
    /// Bytes already framed but not yet accepted by `io` (the codec offers them again).
    ahead: usize,
    /// A replacement answer not yet all written.
    pending: Vec<u8>,
    header_timeout_ms: u64,
    /// Where each replaced answer is counted and logged.
    refusals: Refusals,
}

impl<T> Answering<T> {
    /// Wraps an HTTP/1 connection (`http1`); any other passes untouched. Each answer replaced
    /// is told to `refusals`.
    pub(super) fn new(
        io: T,
        http1: bool,
        header_timeout_ms: u64,
        refusals: Refusals,
    ) -> Answering<T> {
        let heads = HeadRequests::default();
        heads.0.followed.set(http1);
        let frame = if http1 { Frame::Head } else { Frame::Through };
        Answering {
            io,
            frames: Frames { frame, heads },
            ahead: 0,
            pending: Vec::new(),
            header_timeout_ms,
            refusals,
        }
    }

    /// The connection inside.
    pub(super) fn get_ref(&self) -> &T {
        &self.io
    }

    /// The queue the intake tells about HEAD requests.
    pub(super) fn head_requests(&self) -> HeadRequests {
        self.frames.heads.clone()
    }
}

/// Where in the answers the next byte written falls.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Frame {
    /// An answer head starts here.
    Head,
    /// Bytes left of a body of known length.
    Body(u64),
    /// In a chunk-size line (the size so far).
    ChunkSize(u64),
    /// Bytes left of a chunk's data and its CRLF.
    ChunkData(u64),
    /// After the last chunk: in the trailer (bytes on the current line).
    Trailer(u64),
    /// The framing is not followed from here on.
    Through,
}

struct Frames {
    frame: Frame,
    heads: HeadRequests,
}

/// What to do with the bytes offered.
enum Step {
    /// Write this many as they are.
    Pass(usize),
    /// The codec's empty answer head of this length, with this status, starts the bytes:
    /// write this instead.
    Replace(usize, Vec<u8>, u16),
}

/// The longest answer head followed; a longer one is passed through and framing stops.
const MAX_HEAD: usize = 64 * 1024;

/// The end of a head (built once: a searcher costs more to build than one search).
static HEAD_END: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"\r\n\r\n"));

impl Frames {
    /// Frames `buf` as far as it can be decided, and says what to write.
    fn step(&mut self, buf: &[u8], header_timeout_ms: u64) -> Step {
        let mut at = 0;
        while at < buf.len() {
            let rest = &buf[at..];
            match self.frame {
                Frame::Through => return Step::Pass(buf.len()),
                // Each head is decided at the start of the bytes offered, alone: a
                // replacement then never follows bytes of another answer.
                Frame::Head if at > 0 => return Step::Pass(at),
                Frame::Head => {
                    let Some(end) = HEAD_END.find(rest) else {
                        // The codec writes a head whole, so this is not one we can follow.
                        self.stop();
                        return Step::Pass(buf.len());
                    };
                    let len = end + 4;
                    if len > MAX_HEAD {
                        self.stop();
                        return Step::Pass(buf.len());
                    }
                    match self.head(&rest[..len], header_timeout_ms) {
                        Some((answer, code)) => return Step::Replace(len, answer, code),
                        None => at += len,
                    }
                }
                Frame::Body(left) => {
                    let n = left.min(rest.len() as u64);
                    at += n as usize;
                    self.frame = if n == left {
                        Frame::Head
                    } else {
                        Frame::Body(left - n)
                    };
                }
                Frame::ChunkData(left) => {
                    let n = left.min(rest.len() as u64);
                    at += n as usize;
                    self.frame = if n == left {
                        Frame::ChunkSize(0)
                    } else {
                        Frame::ChunkData(left - n)
                    };
                }
                Frame::ChunkSize(size) => {
                    at += 1;
                    self.frame = match rest[0] {
                        b'\n' if size == 0 => Frame::Trailer(0),
                        b'\n' => Frame::ChunkData(size + 2),
                        b'\r' => Frame::ChunkSize(size),
                        c => match (c as char).to_digit(16) {
                            Some(d) if size < (1 << 56) => {
                                Frame::ChunkSize(size * 16 + u64::from(d))
                            }
                            _ => Frame::Through,
                        },
                    };
                }
                Frame::Trailer(line) => {
                    at += 1;
                    self.frame = match rest[0] {
                        b'\n' if line == 0 => Frame::Head,
                        b'\n' => Frame::Trailer(0),
                        b'\r' => Frame::Trailer(line),
                        _ => Frame::Trailer(line + 1),
                    };
                }
            }
        }
        Step::Pass(buf.len())
    }

    fn stop(&mut self) {
        self.frame = Frame::Through;
        self.heads.stop();
    }

    /// Reads one answer head: sets the framing of its body, or gives the problem+json answer
    /// that replaces it (and the status).
    fn head(&mut self, head: &[u8], header_timeout_ms: u64) -> Option<(Vec<u8>, u16)> {
        // Uninitialised: a head is parsed per answer, and 64 empty headers cost more to write.
        let mut slots = [const { std::mem::MaybeUninit::uninit() }; 64];
        let mut parsed = httparse::Response::new(&mut []);
        let done = httparse::ParserConfig::default().parse_response_with_uninit_headers(
            &mut parsed,
            head,
            &mut slots,
        );
        let (Ok(httparse::Status::Complete(_)), Some(code)) = (done, parsed.code) else {
            self.stop();
            return None;
        };
        if (100..200).contains(&code) {
            // Interim (`100 Continue`); a switch of protocols is not followed.
            if code == 101 {
                self.stop();
            }
            return None;
        }
        let to_head = self.heads.pop();
        let (mut length, mut chunked, mut typed, mut date) = (None, false, false, None);
        for h in parsed.headers.iter() {
            if h.name.eq_ignore_ascii_case("content-length") {
                length = std::str::from_utf8(h.value)
                    .ok()
                    .and_then(|v| v.trim().parse::<u64>().ok());
            } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = h
                    .value
                    .len()
                    .checked_sub(7)
                    .is_some_and(|at| h.value[at..].eq_ignore_ascii_case(b"chunked"));
            } else if h.name.eq_ignore_ascii_case("content-type") {
                typed = true;
            } else if h.name.eq_ignore_ascii_case("date") {
                date = Some(h.value);
            }
        }
        if length == Some(0)
            && !typed
            && !chunked
            && let Some(problem) = codec_problem(code, header_timeout_ms)
        {
            self.stop();
            return Some((answer(&problem, date), code));
        }
        self.frame = match (to_head || code == 204 || code == 304, chunked, length) {
            (true, _, _) | (false, false, Some(0)) => Frame::Head,
            (false, true, _) => Frame::ChunkSize(0),
            (false, false, Some(n)) => Frame::Body(n),
            (false, false, None) => {
                self.stop();
                Frame::Through
            }
        };
        None
    }
}

/// The problem of an empty answer the codec writes with this status.
fn codec_problem(code: u16, header_timeout_ms: u64) -> Option<Problem> {
    match code {
        400 => Some(Problem::MalformedHttp(
            "the request is not valid HTTP/1.1".into(),
        )),
        408 => Some(Problem::RequestTimeout(format!(
            "the request head did not come within {header_timeout_ms} ms"
        ))),
        431 => Some(Problem::HeadersTooLarge(
            "the request head is over 128 KiB or has more than 96 headers".into(),
        )),
        _ => None,
    }
}

/// The whole problem+json answer, closing the connection (`date`: the codec's).
fn answer(problem: &Problem, date: Option<&[u8]>) -> Vec<u8> {
    let status = StatusCode::from_u16(problem.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let body = problem.body().to_string();
    let mut out = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/problem+json\r\ncontent-length: {}\r\nconnection: close\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or(""),
        body.len()
    )
    .into_bytes();
    if let Some(d) = date {
        out.extend_from_slice(b"date: ");
        out.extend_from_slice(d);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body.as_bytes());
    out
}

impl<T: AsyncWrite + Unpin> Answering<T> {
    /// Writes what is left of a replacement answer.
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while !self.pending.is_empty() {
            let n = ready!(Pin::new(&mut self.io).poll_write(cx, &self.pending))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.pending.drain(..n);
        }
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Answering<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Answering<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let len = if this.ahead > 0 {
            this.ahead.min(buf.len())
        } else {
            match this.frames.step(buf, this.header_timeout_ms) {
                Step::Pass(n) => n,
                Step::Replace(head, answer, code) => {
                    this.refusals.refused(code);
                    this.pending = answer;
                    // Taken: written by the next write, flush or shutdown if not now.
                    let _ = this.poll_pending(cx)?;
                    return Poll::Ready(Ok(head));
                }
            }
        };
        let n = ready!(Pin::new(&mut this.io).poll_write(cx, &buf[..len]))?;
        this.ahead = len - n.min(len);
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        Pin::new(&mut this.io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        Pin::new(&mut this.io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames() -> Frames {
        let heads = HeadRequests::default();
        heads.0.followed.set(true);
        Frames {
            frame: Frame::Head,
            heads,
        }
    }

    /// Steps through `bytes` as the codec would offer them; the bytes written.
    fn run(f: &mut Frames, bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut at = 0;
        while at < bytes.len() {
            match f.step(&bytes[at..], 1000) {
                Step::Pass(n) => {
                    out.extend_from_slice(&bytes[at..at + n]);
                    at += n;
                }
                Step::Replace(n, with, _) => {
                    out.extend_from_slice(&with);
                    at += n;
                }
            }
        }
        out
    }

    const EMPTY_400: &[u8] =
        b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\ndate: Sun, 06 Dec 2026 11:00:00 GMT\r\n\r\n";

    #[test]
    fn the_codecs_empty_400_becomes_problem_json() {
        let out = String::from_utf8(run(&mut frames(), EMPTY_400)).unwrap();
        assert!(out.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{out}");
        assert!(out.contains("content-type: application/problem+json\r\n"));
        assert!(out.contains("connection: close\r\n"));
        assert!(out.contains("date: Sun, 06 Dec 2026 11:00:00 GMT\r\n"));
        let (head, body) = out.split_once("\r\n\r\n").unwrap();
        assert!(head.contains(&format!("content-length: {}", body.len())));
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(v["status"], 400);
        assert_eq!(v["code"], "malformed_request");
    }

    #[test]
    fn an_empty_400_after_answers_with_bodies_is_replaced_and_the_bodies_are_not() {
        // A sized body that looks like the codec's answer, then a chunked one, then the codec's.
        let mut bytes = format!(
            "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n",
            EMPTY_400.len()
        )
        .into_bytes();
        bytes.extend_from_slice(EMPTY_400);
        bytes.extend_from_slice(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n");
        bytes.extend_from_slice(format!("{:X}\r\n", EMPTY_400.len()).as_bytes());
        bytes.extend_from_slice(EMPTY_400);
        bytes.extend_from_slice(b"\r\n0\r\n\r\n");
        let kept = bytes.len();
        bytes.extend_from_slice(EMPTY_400);
        let out = run(&mut frames(), &bytes);
        assert_eq!(out[..kept], bytes[..kept]);
        assert!(
            String::from_utf8_lossy(&out[kept..]).contains("application/problem+json"),
            "{}",
            String::from_utf8_lossy(&out)
        );
    }

    #[test]
    fn an_answer_to_head_has_no_body_whatever_its_length() {
        let f = &mut frames();
        f.heads.push(true);
        let mut bytes = b"HTTP/1.1 200 OK\r\ncontent-length: 500\r\n\r\n".to_vec();
        bytes.extend_from_slice(EMPTY_400);
        let out = run(f, &bytes);
        assert!(String::from_utf8_lossy(&out).contains("malformed_request"));
    }

    #[test]
    fn our_own_400_with_a_body_and_interim_answers_pass_untouched() {
        let bytes = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 400 Bad Request\r\ncontent-length: 2\r\ncontent-type: application/problem+json\r\n\r\n{}HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\ncontent-type: text/plain\r\n\r\n";
        assert_eq!(run(&mut frames(), bytes), bytes);
    }

    #[test]
    fn the_codecs_408_and_431_name_their_limits() {
        for (code, reason, text) in [
            (408, "Request Timeout", "1000 ms"),
            (431, "Request Header Fields Too Large", "96 headers"),
        ] {
            let head = format!("HTTP/1.1 {code} {reason}\r\ncontent-length: 0\r\n\r\n");
            let out = String::from_utf8(run(&mut frames(), head.as_bytes())).unwrap();
            assert!(out.contains("application/problem+json"), "{out}");
            assert!(out.contains(text), "{out}");
        }
    }

    #[test]
    fn a_body_that_ends_with_the_connection_is_not_followed() {
        let f = &mut frames();
        let mut bytes = b"HTTP/1.0 200 OK\r\n\r\n".to_vec();
        bytes.extend_from_slice(EMPTY_400);
        assert_eq!(run(f, &bytes), bytes);
        assert_eq!(f.frame, Frame::Through);
        f.heads.push(true);
        assert!(f.heads.0.queue.borrow().is_empty());
    }

    /// Takes at most 7 bytes a write, as a full socket would.
    struct Trickle(Vec<u8>);

    impl AsyncWrite for Trickle {
        fn poll_write(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<io::Result<usize>> {
            let n = buf.len().min(7);
            self.get_mut().0.extend_from_slice(&buf[..n]);
            Poll::Ready(Ok(n))
        }
        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
        fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }

    #[actix_web::test]
    async fn short_writes_keep_the_framing() {
        use tokio::io::AsyncWriteExt;
        let mut bytes = b"HTTP/1.1 200 OK\r\ncontent-length: 30\r\n\r\n".to_vec();
        bytes.extend_from_slice(&[b'x'; 30]);
        let kept = bytes.len();
        bytes.extend_from_slice(EMPTY_400);
        let metrics = std::sync::Arc::new(super::super::metrics::Metrics::new());
        let refusals = Refusals::new(metrics.clone());
        let mut io = Answering::new(Trickle(Vec::new()), true, 1000, refusals);
        io.write_all(&bytes).await.unwrap();
        io.shutdown().await.unwrap();
        let out = io.io.0;
        assert_eq!(out[..kept], bytes[..kept]);
        let rest = String::from_utf8_lossy(&out[kept..]);
        assert!(rest.contains("malformed_request"), "{rest}");
        let text = metrics.text();
        assert!(
            text.contains("soapbridge_protocol_refusals_total{status=\"400\"} 1\n"),
            "{text}"
        );
    }
}
