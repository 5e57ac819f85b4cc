//! The standing hostile suite: the `soapbridge` binary, with a fault-injecting proxy between it
//! and its upstream, against what an attacker sends from either side. Each case is one line of
//! [`CASES`]: its name, what is sent, the limit it proves and the time it must finish in. Then
//! the suite checks the bridge itself: still running and answering `/livez` after every case
//! (0 panics), every case within its bound (0 hangs), its memory after the cases (0 unbounded
//! memory), its log free of the lines the cases tried to forge and of the secrets they sent,
//! and the answers free of those secrets. It prints one summary line.
//!
//! `SOAPBRIDGE_HOSTILE_STALLED` sets how many stalled-body connections the mass case opens
//! (default 200; `5000` by hand, as the issue's figure asks). A case with a `known` reason fails
//! for now because of work on another branch; it is listed but not run unless
//! `SOAPBRIDGE_HOSTILE_KNOWN` is set (it would hold a worker for minutes in a debug build).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::hostile_proxy::{Fault, FaultProxy, answer};
use super::traffic_fixture::{Bridge, FakeUpstream, Site};

/// What the cases share: the bridge's port, its process, the proxy.
struct Env {
    port: u16,
    pid: u32,
    proxy: FaultProxy,
    /// Every answer a case read, searched for the secrets at the end.
    answers: std::sync::Mutex<String>,
    /// Figures the cases measured, printed with the summary.
    notes: std::sync::Mutex<String>,
}

/// One hostile case: `run` returns why it failed, if it did.
struct Case {
    name: &'static str,
    sends: &'static str,
    proves: &'static str,
    bound: Duration,
    /// Why the case is known to fail for now (reported, not counted as a failure).
    known: Option<&'static str>,
    run: fn(&Env) -> Result<(), String>,
}

const fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// Secrets the cases send; none may show in the log or an answer.
const SECRETS: [&str; 3] = [
    "hostile-bearer-7c1f9e",
    "hostile-password-55aa",
    "hostile-apikey-0d0d",
];

/// A line the cases try to forge in the log; no log line may start with it.
const FORGED: &str = "FORGED-BY-HOSTILE";

#[rustfmt::skip]
const CASES: &[Case] = &[
    Case { name: "slowloris head", sends: "a request head one header line every 300 ms, never ended", proves: "limits.header_timeout_ms (the codec's 408, problem+json)", bound: secs(5), known: None, run: slowloris },
    Case { name: "stalled body", sends: "Content-Length 1000, 10 bytes, then nothing", proves: "limits.body_timeout_ms / body_min_rate (408 problem+json)", bound: secs(4), known: None, run: stalled_body },
    Case { name: "dripping body", sends: "a body at 10 bytes per second", proves: "limits.body_min_rate (408 problem+json)", bound: secs(4), known: None, run: dripping_body },
    Case { name: "expect 100-continue over the limit", sends: "Expect: 100-continue with Content-Length 100 MB", proves: "limits.body_bytes before the body (413 problem+json, no 100 Continue)", bound: secs(2), known: None, run: expect_continue },
    Case { name: "not HTTP", sends: "bytes that are not an HTTP request", proves: "the codec's 400, problem+json", bound: secs(2), known: None, run: not_http },
    Case { name: "not HTTP after an answer", sends: "a keep-alive GET, then bytes that are not HTTP", proves: "the first answer intact, then the codec's 400 as problem+json", bound: secs(2), known: None, run: not_http_after_answer },
    Case { name: "not HTTP after a HEAD", sends: "a keep-alive HEAD (its answer has a length, no body), then bytes that are not HTTP", proves: "the codec's 400 as problem+json after a bodiless answer", bound: secs(2), known: None, run: not_http_after_head },
    Case { name: "announced body over the limit", sends: "Content-Length 100 MB, no body", proves: "limits.body_bytes before the body (413 problem+json)", bound: secs(2), known: None, run: announced_too_large },
    Case { name: "chunked body over the limit", sends: "300 KB of chunked JSON", proves: "limits.body_bytes while reading (413 problem+json)", bound: secs(3), known: None, run: chunked_too_large },
    Case { name: "one huge header", sends: "one header of 9,000 bytes", proves: "limits.header_bytes (431 problem+json)", bound: secs(2), known: None, run: huge_header },
    Case { name: "headers too large together", sends: "five headers of 7,000 bytes", proves: "limits.headers_bytes (431 problem+json)", bound: secs(2), known: None, run: headers_total },
    Case { name: "head over the codec's buffer", sends: "a 140 KB request head", proves: "the codec's 128 KiB head buffer (431 problem+json)", bound: secs(2), known: None, run: head_over_codec },
    Case { name: "too many headers", sends: "100 headers", proves: "the codec's 96 headers (431 problem+json)", bound: secs(2), known: None, run: many_headers },
    Case { name: "long URL", sends: "a 9,000-byte path", proves: "limits.url_bytes (414 problem+json)", bound: secs(2), known: None, run: long_url },
    Case { name: "malformed JSON", sends: "a body that is not JSON", proves: "400 malformed_json", bound: secs(2), known: None, run: malformed_json },
    Case { name: "deep JSON", sends: "100,000 nested arrays", proves: "limits.json_depth while parsing (400)", bound: secs(2), known: None, run: deep_json },
    Case { name: "duplicate JSON keys", sends: "an object naming a key twice", proves: "400 with the duplicate's JSON pointer", bound: secs(2), known: None, run: duplicate_keys },
    Case { name: "not JSON by its type", sends: "Content-Type: text/xml", proves: "415 problem+json", bound: secs(2), known: None, run: wrong_type },
    Case { name: "client reset mid-body", sends: "half a body, then RST", proves: "the bridge goes on serving", bound: secs(3), known: None, run: client_reset },
    Case { name: "log injection by the path", sends: "CR LF and a forged log line in the path", proves: "log escaping", bound: secs(2), known: None, run: log_injection_path },
    Case { name: "header injection to the upstream", sends: "a request id holding an encoded CR LF and header", proves: "no header forged towards the upstream", bound: secs(6), known: None, run: header_injection_upstream },
    Case { name: "secrets sent by the client", sends: "a bearer token, Basic credentials and an API key in the query", proves: "no secret in the log or an answer", bound: secs(6), known: None, run: client_secrets },
    Case { name: "upstream latency", sends: "an answer 4 s late (upstream timeout 2 s)", proves: "the upstream timeout (504)", bound: secs(4), known: None, run: upstream_latency },
    Case { name: "upstream bandwidth", sends: "the answer at 200 bytes per second", proves: "a slow answer still bounded by the timeout", bound: secs(4), known: None, run: upstream_bandwidth },
    Case { name: "upstream reset mid-body", sends: "half an answer, then RST", proves: "502 problem+json", bound: secs(4), known: None, run: upstream_reset },
    Case { name: "upstream closes after reading", sends: "the request read, no answer", proves: "502, a POST not sent twice", bound: secs(4), known: None, run: upstream_close_after_read },
    Case { name: "upstream redirect", sends: "302 to another host", proves: "redirects not followed (502)", bound: secs(4), known: None, run: upstream_redirect },
    Case { name: "huge fault", sends: "a 3.9 MB SOAP fault string", proves: "the answer stays small (message cut)", bound: secs(6), known: None, run: huge_fault },
    Case { name: "answer over the limit", sends: "a 5 MB answer", proves: "limits.answer_bytes (502)", bound: secs(4), known: None, run: answer_too_large },
    Case { name: "gzip bomb", sends: "20 MB of zeros gzipped to 19 KB", proves: "no decompression bomb (502)", bound: secs(4), known: None, run: gzip_bomb },
    Case { name: "entity expansion", sends: "a billion-laughs DTD", proves: "no entity expansion (502)", bound: secs(4), known: None, run: entity_expansion },
    Case { name: "XXE", sends: "an external entity naming /etc/passwd", proves: "no file read (502, no file text)", bound: secs(4), known: None, run: xxe },
    Case { name: "forged log line from a fault", sends: "a fault string with CR LF and a log line", proves: "log escaping of upstream text", bound: secs(4), known: None, run: fault_log_injection },
    Case { name: "deep nesting", sends: "1,000,000 nested elements", proves: "limits.xml_depth (502)", bound: secs(30), known: None, run: deep_answer },
    Case { name: "stalled bodies en masse", sends: "SOAPBRIDGE_HOSTILE_STALLED connections (200 by default) stalling their bodies", proves: "every one cut within the body timeout; RSS back under 2x idle", bound: secs(90), known: None, run: stalled_en_masse },
    Case { name: "100k attributes", sends: "one element with 100,000 attributes (1.2 MB)", proves: "limits.xml_attributes checked by the pre-scan before any tree (502)", bound: secs(5), known: None, run: many_attributes },
];

// ---------------------------------------------------------------- the cases (client side)

fn slowloris(env: &Env) -> Result<(), String> {
    let mut s = connect(env)?;
    s.set_read_timeout(Some(Duration::from_millis(300))).ok();
    let _ = s.write_all(b"GET /livez HTTP/1.1\r\nHost: x\r\n");
    let started = Instant::now();
    let mut got = Vec::new();
    while started.elapsed() < secs(4) {
        if s.write_all(b"X-Slow: 1\r\n").is_err() {
            break;
        }
        let mut buf = [0; 1024];
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => break,
        }
    }
    if started.elapsed() >= secs(4) {
        return Err("the connection was still open after 4 s".into());
    }
    let r = parse_answer(&got);
    r.problem(408, "request_timeout")?;
    r.detail_has("1000 ms")?;
    r.closes()
}

fn stalled_body(env: &Env) -> Result<(), String> {
    let r = send(
        env,
        &post_head("/items/1", &[("Content-Length", "1000")]),
        b"{\"a\": 1, ",
        secs(4),
    )?;
    r.problem(408, "request_timeout")
}

fn dripping_body(env: &Env) -> Result<(), String> {
    let mut s = connect(env)?;
    s.write_all(post_head("/items/1", &[("Content-Length", "5000")]).as_bytes())
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    while started.elapsed() < secs(3) {
        if s.write_all(b" ").is_err() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let r = read_answer(&mut s, secs(2))?;
    r.problem(408, "request_timeout")?;
    r.detail_has("slower than")
}

fn expect_continue(env: &Env) -> Result<(), String> {
    let r = send(
        env,
        &post_head(
            "/items/1",
            &[("Expect", "100-continue"), ("Content-Length", "100000000")],
        ),
        b"",
        secs(2),
    )?;
    if r.interim != 0 {
        return Err(format!("{} interim answer(s) before the 413", r.interim));
    }
    r.problem(413, "body_too_large")?;
    r.closes()
}

fn not_http(env: &Env) -> Result<(), String> {
    let r = send(env, "\x16\x03\x01 not http at all\r\n\r\n", b"", secs(2))?;
    r.problem(400, "malformed_request")?;
    r.closes()
}

/// A keep-alive request, then bytes that are not HTTP, on one connection: the first answer
/// as it is, the second the codec's 400 as problem+json.
fn after_answer(env: &Env, method: &str) -> Result<(Raw, Raw), String> {
    let mut s = connect(env)?;
    let first = format!("{method} / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    s.write_all(first.as_bytes()).map_err(|e| e.to_string())?;
    s.write_all(b"NOT HTTP\r\n\r\n")
        .map_err(|e| e.to_string())?;
    let mut got = Vec::new();
    s.set_read_timeout(Some(secs(2))).ok();
    let _ = s.read_to_end(&mut got);
    let text = String::from_utf8_lossy(&got).into_owned();
    env.answers.lock().unwrap().push_str(&text);
    let at = text[1..]
        .find("HTTP/1.1 ")
        .map(|i| i + 1)
        .ok_or_else(|| format!("one answer only: {text:?}"))?;
    Ok((parse_answer(&got[..at]), parse_answer(&got[at..])))
}

fn not_http_after_answer(env: &Env) -> Result<(), String> {
    let (first, second) = after_answer(env, "GET")?;
    first.status_is(200)?;
    first.json()?;
    second.problem(400, "malformed_request")?;
    second.closes()
}

fn not_http_after_head(env: &Env) -> Result<(), String> {
    let (first, second) = after_answer(env, "HEAD")?;
    first.status_is(200)?;
    if !first.head.to_ascii_lowercase().contains("content-length: ") || !first.body.is_empty() {
        return Err(format!("a body after HEAD: {:?}", first.body));
    }
    second.problem(400, "malformed_request")?;
    second.closes()
}

fn announced_too_large(env: &Env) -> Result<(), String> {
    let r = send(
        env,
        &post_head("/items/1", &[("Content-Length", "100000000")]),
        b"",
        secs(2),
    )?;
    r.problem(413, "body_too_large")
}

fn chunked_too_large(env: &Env) -> Result<(), String> {
    let mut body = Vec::new();
    for _ in 0..300 {
        body.extend_from_slice(b"400\r\n");
        body.extend_from_slice(&[b' '; 0x400]);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"0\r\n\r\n");
    let r = send(
        env,
        &post_head("/items/1", &[("Transfer-Encoding", "chunked")]),
        &body,
        secs(3),
    )?;
    r.problem(413, "body_too_large")
}

fn huge_header(env: &Env) -> Result<(), String> {
    let big = "a".repeat(9000);
    let r = send(env, &get_head("/livez", &[("X-Big", &big)]), b"", secs(2))?;
    r.problem(431, "headers_too_large")
}

fn headers_total(env: &Env) -> Result<(), String> {
    let v = "b".repeat(7000);
    let names = ["X-A", "X-B", "X-C", "X-D", "X-E"];
    let headers: Vec<(&str, &str)> = names.iter().map(|n| (*n, v.as_str())).collect();
    let r = send(env, &get_head("/livez", &headers), b"", secs(2))?;
    r.problem(431, "headers_too_large")
}

fn head_over_codec(env: &Env) -> Result<(), String> {
    let v = "c".repeat(7000);
    let names: Vec<String> = (0..20).map(|i| format!("X-H{i}")).collect();
    let headers: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), v.as_str())).collect();
    let r = send(env, &get_head("/livez", &headers), b"", secs(2))?;
    r.problem(431, "headers_too_large")?;
    r.detail_has("128 KiB")?;
    r.closes()
}

fn many_headers(env: &Env) -> Result<(), String> {
    let names: Vec<String> = (0..100).map(|i| format!("X-N{i}")).collect();
    let headers: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "1")).collect();
    let r = send(env, &get_head("/livez", &headers), b"", secs(2))?;
    r.problem(431, "headers_too_large")?;
    r.detail_has("96 headers")?;
    r.closes()
}

fn long_url(env: &Env) -> Result<(), String> {
    let path = format!("/items/{}", "9".repeat(9000));
    let r = send(env, &get_head(&path, &[]), b"", secs(2))?;
    r.problem(414, "url_too_long")
}

fn json_post(env: &Env, body: &[u8], ct: &str) -> Result<Raw, String> {
    let len = body.len().to_string();
    send(
        env,
        &post_head(
            "/items/1",
            &[("Content-Type", ct), ("Content-Length", len.as_str())],
        ),
        body,
        secs(2),
    )
}

fn malformed_json(env: &Env) -> Result<(), String> {
    json_post(env, b"{\"a\": tru", "application/json")?.problem(400, "malformed_json")
}

fn deep_json(env: &Env) -> Result<(), String> {
    let r = json_post(env, "[".repeat(100_000).as_bytes(), "application/json")?;
    r.problem(400, "malformed_json")?;
    r.detail_has("nests deeper than")
}

fn duplicate_keys(env: &Env) -> Result<(), String> {
    let r = json_post(env, br#"{"x": {"a": 1, "a": 2}}"#, "application/json")?;
    r.problem(400, "invalid_request")?;
    let pointer = r.json()?["errors"][0]["pointer"].clone();
    if pointer != "/x/a" {
        return Err(format!("pointer {pointer}, expected /x/a"));
    }
    Ok(())
}

fn wrong_type(env: &Env) -> Result<(), String> {
    json_post(env, b"<a/>", "text/xml")?.problem(415, "unsupported_media_type")
}

fn client_reset(env: &Env) -> Result<(), String> {
    let s = connect(env)?;
    let mut w = &s;
    w.write_all(post_head("/items/1", &[("Content-Length", "1000")]).as_bytes())
        .and_then(|()| w.write_all(&[b' '; 500]))
        .map_err(|e| e.to_string())?;
    super::hostile_proxy::linger_zero(&s);
    drop(s);
    livez(env)
}

fn log_injection_path(env: &Env) -> Result<(), String> {
    let path = format!("/items/1%0d%0a{FORGED}%20level=ERROR%0a{FORGED}");
    let r = send(env, &get_head(&path, &[]), b"", secs(2))?;
    if r.status == 0 {
        return Err("no answer".into());
    }
    Ok(())
}

fn header_injection_upstream(env: &Env) -> Result<(), String> {
    env.proxy.set(Fault::Pass);
    let r = send(
        env,
        &post_head(
            "/items/7",
            &[
                ("Content-Length", "0"),
                ("X-Request-Id", "abc%0d%0aX-Injected: 1"),
                ("traceparent", "00-\r\n"),
            ],
        ),
        b"",
        secs(5),
    )?;
    let head = env.proxy.last_head.lock().unwrap().to_ascii_lowercase();
    if head.lines().any(|l| l.starts_with("x-injected")) {
        return Err(format!("a header was forged towards the upstream: {head}"));
    }
    if r.head.to_ascii_lowercase().contains("\nx-injected") {
        return Err("a header was forged in the answer".into());
    }
    Ok(())
}

fn client_secrets(env: &Env) -> Result<(), String> {
    env.proxy.set(Fault::Pass);
    let bearer = format!("Bearer {}", SECRETS[0]);
    let basic = format!(
        "Basic {}",
        base64_encode(format!("user:{}", SECRETS[1]).as_bytes())
    );
    for auth in [bearer.as_str(), basic.as_str()] {
        send(
            env,
            &post_head(
                &format!("/items/8?api_key={}", SECRETS[2]),
                &[("Content-Length", "0"), ("Authorization", auth)],
            ),
            b"",
            secs(5),
        )?
        .status_is(200)?;
    }
    Ok(())
}

// ---------------------------------------------------------------- the cases (upstream side)

/// `POST /items/{id}` with no body, through the proxy with `fault`.
fn call(env: &Env, id: u32, fault: Fault) -> Result<Raw, String> {
    env.proxy.set(fault);
    let r = send(
        env,
        &post_head(&format!("/items/{id}"), &[("Content-Length", "0")]),
        b"",
        secs(120),
    );
    env.proxy.set(Fault::Pass);
    r
}

fn soap(status: &str, body: &str) -> Fault {
    Fault::Answer(answer(
        status,
        &[("Content-Type", "text/xml; charset=utf-8")],
        body.as_bytes(),
    ))
}

fn upstream_latency(env: &Env) -> Result<(), String> {
    call(env, 1, Fault::Latency(secs(4)))?.problem(504, "upstream_timeout")
}

fn upstream_bandwidth(env: &Env) -> Result<(), String> {
    let r = call(env, 2, Fault::Bandwidth(200))?;
    if r.status == 200 || r.status == 504 {
        Ok(())
    } else {
        Err(format!("status {}: {}", r.status, r.body))
    }
}

fn upstream_reset(env: &Env) -> Result<(), String> {
    call(env, 3, Fault::ResetMidBody(60))?.problem(502, "bad_gateway")
}

fn upstream_close_after_read(env: &Env) -> Result<(), String> {
    let before = env
        .proxy
        .exchanges
        .load(std::sync::atomic::Ordering::SeqCst);
    call(env, 4, Fault::CloseAfterRead)?.problem(502, "bad_gateway")?;
    let after = env
        .proxy
        .exchanges
        .load(std::sync::atomic::Ordering::SeqCst);
    if after - before != 1 {
        return Err(format!(
            "the POST reached the upstream {} times",
            after - before
        ));
    }
    Ok(())
}

fn upstream_redirect(env: &Env) -> Result<(), String> {
    let f = Fault::Answer(answer(
        "302 Found",
        &[("Location", "http://127.0.0.1:9/elsewhere")],
        b"",
    ));
    call(env, 5, f)?.problem(502, "bad_gateway")
}

const ENVELOPE: &str =
    "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>";
const END: &str = "</soap:Body></soap:Envelope>";

fn huge_fault(env: &Env) -> Result<(), String> {
    let text = "x".repeat(3_900_000);
    let body = format!(
        "{ENVELOPE}<soap:Fault><faultcode>soap:Server</faultcode><faultstring>{text}</faultstring></soap:Fault>{END}"
    );
    let r = call(env, 6, soap("500 Internal Server Error", &body))?;
    if r.status < 500 {
        return Err(format!("status {}", r.status));
    }
    if r.body.len() > 64 * 1024 {
        return Err(format!("a {} byte answer to a huge fault", r.body.len()));
    }
    Ok(())
}

fn answer_too_large(env: &Env) -> Result<(), String> {
    let body = format!(
        "{ENVELOPE}<GetItemResponse xmlns=\"urn:test\"><GetItemResult>{}</GetItemResult></GetItemResponse>{END}",
        "y".repeat(5_000_000)
    );
    call(env, 7, soap("200 OK", &body))?.problem(502, "bad_gateway")
}

fn gzip_bomb(env: &Env) -> Result<(), String> {
    let bomb = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile/zeros-20mb.gz"),
    )
    .map_err(|e| e.to_string())?;
    let f = Fault::Answer(answer(
        "200 OK",
        &[
            ("Content-Type", "text/xml; charset=utf-8"),
            ("Content-Encoding", "gzip"),
        ],
        &bomb,
    ));
    call(env, 8, f)?.problem(502, "bad_gateway")
}

fn entity_expansion(env: &Env) -> Result<(), String> {
    let mut dtd = String::from("<!DOCTYPE lolz [<!ENTITY lol \"lol\">");
    for i in 1..10 {
        let prev = if i == 1 {
            "lol".to_string()
        } else {
            format!("lol{}", i - 1)
        };
        dtd.push_str(&format!(
            "<!ENTITY lol{i} \"{}\">",
            format!("&{prev};").repeat(10)
        ));
    }
    dtd.push(']');
    dtd.push('>');
    let body = format!(
        "<?xml version=\"1.0\"?>{dtd}{ENVELOPE}<GetItemResponse xmlns=\"urn:test\"><GetItemResult>&lol9;</GetItemResult></GetItemResponse>{END}"
    );
    call(env, 9, soap("200 OK", &body))?.problem(502, "bad_gateway")
}

fn xxe(env: &Env) -> Result<(), String> {
    let body = format!(
        "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>{ENVELOPE}<GetItemResponse xmlns=\"urn:test\"><GetItemResult>&x;</GetItemResult></GetItemResponse>{END}"
    );
    let r = call(env, 10, soap("200 OK", &body))?;
    if r.body.contains("root:") {
        return Err("the answer holds /etc/passwd".into());
    }
    r.problem(502, "bad_gateway")
}

fn fault_log_injection(env: &Env) -> Result<(), String> {
    let body = format!(
        "{ENVELOPE}<soap:Fault><faultcode>soap:Server</faultcode><faultstring>boom\r\n{FORGED} INFO soapbridge: all good&#10;{FORGED} again</faultstring></soap:Fault>{END}"
    );
    let r = call(env, 11, soap("500 Internal Server Error", &body))?;
    if r.status < 500 {
        return Err(format!("status {}", r.status));
    }
    Ok(())
}

fn many_attributes(env: &Env) -> Result<(), String> {
    let attrs: String = (0..100_000).map(|i| format!(" a{i}=\"1\"")).collect();
    let body = format!(
        "{ENVELOPE}<GetItemResponse xmlns=\"urn:test\"{attrs}><GetItemResult>x</GetItemResult></GetItemResponse>{END}"
    );
    call(env, 12, soap("200 OK", &body))?.problem(502, "bad_gateway")
}

fn deep_answer(env: &Env) -> Result<(), String> {
    let body = format!(
        "{ENVELOPE}<GetItemResponse xmlns=\"urn:test\">{}{}</GetItemResponse>{END}",
        "<a>".repeat(1_000_000),
        "</a>".repeat(1_000_000)
    );
    let f = Fault::Answer(answer(
        "200 OK",
        &[("Content-Type", "text/xml; charset=utf-8")],
        &body.as_bytes()[..body.len().min(4 * 1024 * 1024 - 1)],
    ));
    call(env, 13, f)?.problem(502, "bad_gateway")
}

fn stalled_en_masse(env: &Env) -> Result<(), String> {
    let count: usize = std::env::var("SOAPBRIDGE_HOSTILE_STALLED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    stalled_bodies(env, count)
}

/// `count` connections each announce a 100 KB body and send 1,000 bytes of it: every one is
/// answered 408 (or closed) within the body timeout (2 s) of the last one opened, plus a loaded
/// machine's slack, and the bridge's RSS is back under twice its idle figure afterwards.
fn stalled_bodies(env: &Env, count: usize) -> Result<(), String> {
    // Let what the earlier cases freed settle before the idle figure.
    std::thread::sleep(secs(1));
    let idle = rss_kib(env.pid);
    let started = Instant::now();
    let mut conns = Vec::with_capacity(count);
    let head = post_head("/items/1", &[("Content-Length", "100000")]);
    for i in 0..count {
        let mut s = connect(env).map_err(|e| format!("connection {i}: {e}"))?;
        s.write_all(head.as_bytes())
            .and_then(|()| s.write_all(&[b' '; 1000]))
            .map_err(|e| format!("connection {i}: {e}"))?;
        conns.push(s);
    }
    let opened = started.elapsed();
    let peak = rss_kib(env.pid);
    let deadline = Instant::now() + secs(30);
    let mut cut = 0;
    let mut others = std::collections::BTreeMap::new();
    for s in &mut conns {
        let wait = deadline.saturating_duration_since(Instant::now());
        match read_answer(s, wait.max(Duration::from_millis(1))) {
            Ok(r) if r.status == 408 || r.status == 0 => cut += 1,
            Ok(r) => *others.entry(r.status.to_string()).or_insert(0) += 1,
            Err(_) => *others.entry("still open".to_string()).or_insert(0) += 1,
        }
    }
    let last_cut = started.elapsed() - opened;
    drop(conns);
    // The server closes its side once the client has; then its memory is freed.
    std::thread::sleep(secs(3));
    let after = rss_kib(env.pid);
    let figures = format!(
        "hostile: {count} stalled bodies: opened in {:.1} s, all cut {:.1} s after the last was opened (body timeout 2 s); RSS idle {idle} KiB, peak {peak} KiB, after {after} KiB",
        opened.as_secs_f64(),
        last_cut.as_secs_f64()
    );
    println!("{figures}");
    env.notes.lock().unwrap().push_str(&figures);
    if cut != count {
        return Err(format!(
            "{} of {count} connections were not cut: {others:?}",
            count - cut
        ));
    }
    // The body timeout, and the time a loaded machine takes to get through them all.
    if last_cut > secs(2 + 8) {
        return Err(format!(
            "the last connection was cut {last_cut:?} after the last opened"
        ));
    }
    if after > 2 * idle {
        return Err(format!("RSS {after} KiB after, {idle} KiB idle"));
    }
    Ok(())
}

// ---------------------------------------------------------------- raw HTTP

/// An answer read off the socket: status (0 when the connection closed without one), head
/// and body (after any 1xx).
struct Raw {
    status: u16,
    head: String,
    body: String,
    /// Interim (1xx) answers before it.
    interim: usize,
}

impl Raw {
    /// The answer says it closes the connection.
    fn closes(&self) -> Result<(), String> {
        if self.head.to_ascii_lowercase().contains("connection: close") {
            Ok(())
        } else {
            Err(format!("no `Connection: close`: {}", self.head))
        }
    }

    fn status_is(&self, status: u16) -> Result<(), String> {
        if self.status == status {
            Ok(())
        } else {
            Err(format!(
                "status {}, expected {status}: {}",
                self.status,
                cut(&self.body)
            ))
        }
    }

    fn json(&self) -> Result<Value, String> {
        serde_json::from_str(&self.body).map_err(|e| format!("{e}: {}", cut(&self.body)))
    }

    /// The status, problem+json with this code, and a closed connection for the refusals.
    fn problem(&self, status: u16, code: &str) -> Result<(), String> {
        self.status_is(status)?;
        if !self
            .head
            .to_ascii_lowercase()
            .contains("content-type: application/problem+json")
        {
            return Err(format!("not problem+json: {}", self.head));
        }
        let v = self.json()?;
        if v["code"] != code {
            return Err(format!("code {}, expected {code}", v["code"]));
        }
        Ok(())
    }

    fn detail_has(&self, text: &str) -> Result<(), String> {
        let v = self.json()?;
        let d = v["detail"].as_str().unwrap_or("");
        if d.contains(text) {
            Ok(())
        } else {
            Err(format!("detail {d:?} lacks {text:?}"))
        }
    }
}

fn cut(s: &str) -> &str {
    &s[..s.floor_char_boundary(300)]
}

fn connect(env: &Env) -> Result<TcpStream, String> {
    TcpStream::connect(("127.0.0.1", env.port)).map_err(|e| e.to_string())
}

fn get_head(path: &str, headers: &[(&str, &str)]) -> String {
    head("GET", path, headers)
}

fn post_head(path: &str, headers: &[(&str, &str)]) -> String {
    let mut all = vec![("Content-Type", "application/json")];
    all.extend_from_slice(headers);
    if headers.iter().any(|(n, _)| *n == "Content-Type") {
        all.remove(0);
    }
    head("POST", path, &all)
}

fn head(method: &str, path: &str, headers: &[(&str, &str)]) -> String {
    let mut h = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    for (n, v) in headers {
        h.push_str(&format!("{n}: {v}\r\n"));
    }
    h.push_str("\r\n");
    h
}

/// Sends a head and body on a new connection; reads the answer (at most `wait`).
fn send(env: &Env, head: &str, body: &[u8], wait: Duration) -> Result<Raw, String> {
    let mut s = connect(env)?;
    s.write_all(head.as_bytes()).map_err(|e| e.to_string())?;
    // The server may answer (and close) before the body is all sent.
    let _ = s.write_all(body);
    let r = read_answer(&mut s, wait)?;
    env.answers.lock().unwrap().push_str(&r.head);
    env.answers.lock().unwrap().push_str(&r.body);
    Ok(r)
}

/// Reads until the server closes (or `wait` passes): the last non-1xx answer.
fn read_answer(s: &mut TcpStream, wait: Duration) -> Result<Raw, String> {
    let started = Instant::now();
    let mut got = Vec::new();
    let mut buf = vec![0; 64 * 1024];
    loop {
        let left = wait.saturating_sub(started.elapsed());
        if left.is_zero() {
            return Err(format!("no end of answer within {wait:?}"));
        }
        s.set_read_timeout(Some(left)).ok();
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            // A reset after the answer was written still leaves the answer read.
            Err(_) => break,
        }
    }
    Ok(parse_answer(&got))
}

/// The last non-1xx answer in the bytes read.
fn parse_answer(got: &[u8]) -> Raw {
    let mut text = String::from_utf8_lossy(got).into_owned();
    let mut interim = 0;
    loop {
        let Some((head, rest)) = text.split_once("\r\n\r\n") else {
            return Raw {
                status: 0,
                head: text,
                body: String::new(),
                interim,
            };
        };
        let status: u16 = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        if (100..200).contains(&status) {
            text = rest.to_string();
            interim += 1;
            continue;
        }
        let (head, rest) = (head.to_string(), rest.to_string());
        return Raw {
            status,
            head,
            body: rest,
            interim,
        };
    }
}

fn livez(env: &Env) -> Result<(), String> {
    send(env, &get_head("/livez", &[]), b"", secs(120))?.status_is(200)
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

// ---------------------------------------------------------------- the suite

/// The settings the suite runs the bridge with: short client time limits, no breaker (every
/// case reaches the upstream), the upstream's timeout 2 s.
const SETTINGS: &str = "shutdown_timeout: 2
reload: { watch: false }
upstreams: { breaker: { failures: 0 } }
limits: { header_timeout_ms: 1000, body_timeout_ms: 2000, body_min_rate: 512 }";

/// The bridge (`binary`) with the suite's settings, the proxy in front of a fake upstream.
fn start(binary: &std::path::Path) -> (FakeUpstream, Site, Bridge, Arc<Env>) {
    let up = FakeUpstream::start();
    let proxy = FaultProxy::start(([127, 0, 0, 1], up.port).into());
    let site = Site::new(SETTINGS, &proxy.url(), "POST /items/{id}", false);
    site.write_mapping(&format!(
        "wsdl: {}\nupstream:\n  url: {}\n  timeout: 2s\noperations:\n  GetItem:\n    route: POST /items/{{id}}\n    request: {{ itemId: path.id }}\n    response: getItemResult\n",
        super::upstream_fixture::wsdl().display(),
        proxy.url()
    ));
    let bridge = Bridge::start_binary(&site, binary);
    let env = Arc::new(Env {
        port: site.port,
        pid: bridge.child.id(),
        proxy,
        answers: Default::default(),
        notes: Default::default(),
    });
    livez(&env).expect("the bridge answers /livez");
    (up, site, bridge, env)
}

#[actix_web::test]
async fn hostile_suite() {
    let (_up, _site, mut bridge, env) =
        start(std::path::Path::new(env!("CARGO_BIN_EXE_soapbridge")));
    let (mut passed, mut hangs, mut panics, mut memory) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    let mut known = Vec::new();
    let run_known = std::env::var_os("SOAPBRIDGE_HOSTILE_KNOWN").is_some();
    let mut tried = 0;
    for case in CASES {
        if let (Some(why), false) = (case.known, run_known) {
            known.push(format!("{}: not run (known: {why})", case.name));
            continue;
        }
        tried += 1;
        let started = Instant::now();
        let env2 = env.clone();
        let run = case.run;
        let outcome = actix_web::rt::task::spawn_blocking(move || run(&env2))
            .await
            .unwrap_or_else(|e| Err(format!("the case panicked: {e}")));
        let took = started.elapsed();
        let alive = bridge.child.try_wait().ok().flatten().is_none();
        let outcome = match outcome {
            _ if !alive => {
                panics += 1;
                Err("the bridge exited".to_string())
            }
            Ok(()) if took > case.bound => {
                if case.known.is_none() {
                    hangs += 1;
                }
                Err(format!("took {took:?}, bound {:?}", case.bound))
            }
            other => other,
        };
        let outcome = outcome.and_then(|()| {
            let env2 = env.clone();
            std::thread::spawn(move || livez(&env2))
                .join()
                .unwrap_or(Err("livez panicked".into()))
        });
        match outcome {
            Ok(()) => passed += 1,
            Err(why) if case.known.is_some() => {
                known.push(format!(
                    "{}: {why} (known: {})",
                    case.name,
                    case.known.unwrap_or("")
                ));
            }
            Err(why) => {
                if case.name == "stalled bodies en masse" && why.contains("RSS") {
                    memory += 1;
                }
                failures.push(format!("{}: {why}", case.name));
            }
        }
        eprintln!(
            "hostile: {:<36} {:>6.2} s (bound {:>2} s)  sends: {}; proves: {}",
            case.name,
            took.as_secs_f64(),
            case.bound.as_secs(),
            case.sends,
            case.proves
        );
    }
    // Let the access lines of the last cases be written.
    std::thread::sleep(Duration::from_millis(300));
    let log = bridge.log();
    if log.contains("panicked") {
        panics += 1;
    }
    let forged = log
        .lines()
        .filter(|l| l.trim_start().starts_with(FORGED))
        .count();
    let answers = env.answers.lock().unwrap().clone();
    let secrets = SECRETS
        .iter()
        .filter(|s| log.contains(*s) || answers.contains(*s))
        .count();
    println!("{}", env.notes.lock().unwrap());
    for k in &known {
        println!("hostile: known to fail for now: {k}");
    }
    println!(
        "hostile: {tried} cases tried, {passed} passed, {} known to fail, {panics} panics, {hangs} hangs, {memory} unbounded memory, {forged} forged log lines, {secrets} secrets in logs or answers",
        known.len()
    );
    assert!(
        failures.is_empty() && panics == 0 && forged == 0 && secrets == 0,
        "{}\n--- log (last 4000 bytes) ---\n{}",
        failures.join("\n"),
        &log[log.floor_char_boundary(log.len().saturating_sub(4000))..]
    );
    bridge.signal("TERM");
    assert_eq!(bridge.wait_exit(secs(10)), Some(0), "{}", bridge.log());
}

/// The issue's figure, in the optimised binary as shipped: 5,000 connections stalling their
/// bodies are all cut within the body timeout, and the memory they held is given back (RSS
/// under twice the idle figure afterwards). A debug build is too slow for the first figure,
/// and glibc's allocator (of the debug build) keeps the pages it freed, so this runs the
/// release binary (static, musl's allocator).
#[actix_web::test]
#[ignore = "needs SOAPBRIDGE_RELEASE_BIN (an optimised soapbridge binary; .ci/run builds one)"]
async fn five_thousand_stalled_bodies_are_cut_and_their_memory_given_back() {
    let Some(binary) = std::env::var_os("SOAPBRIDGE_RELEASE_BIN") else {
        panic!("SOAPBRIDGE_RELEASE_BIN names the binary");
    };
    let (_up, _site, mut bridge, env) = start(std::path::Path::new(&binary));
    let env2 = env.clone();
    actix_web::rt::task::spawn_blocking(move || stalled_bodies(&env2, 5000))
        .await
        .unwrap()
        .unwrap();
    livez(&env).expect("the bridge answers /livez afterwards");
    bridge.signal("TERM");
    assert_eq!(bridge.wait_exit(secs(10)), Some(0), "{}", bridge.log());
}

/// Past `shutdown_timeout`, a request still in flight gets a 503 problem+json (with
/// `Connection: close`), not a closed socket; then the process exits 0.
#[actix_web::test]
async fn past_the_shutdown_timeout_in_flight_requests_get_503() {
    let up = FakeUpstream::start();
    let proxy = FaultProxy::start(([127, 0, 0, 1], up.port).into());
    proxy.set(Fault::Latency(secs(20)));
    let site = Site::new(
        "shutdown_timeout: 1\nreload: { watch: false }",
        &proxy.url(),
        "POST /items/{id}",
        false,
    );
    site.write_mapping(&format!(
        "wsdl: {}\nupstream:\n  url: {}\n  timeout: 30s\noperations:\n  GetItem:\n    route: POST /items/{{id}}\n    request: {{ itemId: path.id }}\n    response: getItemResult\n",
        super::upstream_fixture::wsdl().display(),
        proxy.url()
    ));
    let mut bridge = Bridge::start(&site);
    let env = Arc::new(Env {
        port: site.port,
        pid: bridge.child.id(),
        proxy,
        answers: Default::default(),
        notes: Default::default(),
    });
    let env2 = env.clone();
    let call = std::thread::spawn(move || {
        send(
            &env2,
            &post_head("/items/1", &[("Content-Length", "0")]),
            b"",
            secs(15),
        )
    });
    let started = Instant::now();
    while env
        .proxy
        .exchanges
        .load(std::sync::atomic::Ordering::SeqCst)
        == 0
    {
        assert!(
            started.elapsed() < secs(10),
            "the call did not reach the upstream"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    bridge.signal("TERM");
    let signalled = Instant::now();
    let r = call.join().unwrap().expect("an answer");
    let took = signalled.elapsed();
    r.problem(503, "unavailable").unwrap();
    assert!(
        r.head.to_ascii_lowercase().contains("connection: close"),
        "{}",
        r.head
    );
    assert!(took < secs(5), "answered {took:?} after the signal");
    assert_eq!(bridge.wait_exit(secs(10)), Some(0), "{}", bridge.log());
    assert!(
        bridge.log().contains("Shutdown timeout passed"),
        "{}",
        bridge.log()
    );
}

/// Over HTTPS the listener still offers HTTP/2 by ALPN, and the codec's own answers are
/// problem+json above the TLS layer: bytes that are not HTTP get the 400, a head over the
/// codec's 96 headers the 431, each with `Connection: close`, inside the TLS session.
#[actix_web::test]
async fn over_https_the_codecs_answers_are_problem_json() {
    use super::pki;
    let ca = pki::Ca::new("Hostile CA");
    let leaf = ca.server("bridge");
    let up = FakeUpstream::start();
    let dir = tempfile::tempdir().unwrap();
    let cert = pki::write(dir.path(), "cert.pem", &leaf.cert);
    let key = pki::write(dir.path(), "key.pem", &leaf.key);
    let site = Site::new(
        &format!(
            "reload: {{ watch: false }}\ntls: {{ cert: {}, key: {} }}",
            cert.display(),
            key.display()
        ),
        &format!("http://127.0.0.1:{}", up.port),
        "POST /items/{id}",
        false,
    );
    let mut bridge = Bridge::start(&site);
    let mut resp = pki::https(&ca.pem(), None)
        .get(format!("https://127.0.0.1:{}/livez", site.port))
        .send()
        .await
        .expect("an HTTPS answer");
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.version(), actix_web::http::Version::HTTP_2);
    let _ = resp.body().await;
    let many: String = (0..100).map(|i| format!("X-N{i}: 1\r\n")).collect();
    for (sent, code, status) in [
        ("NOT HTTP\r\n\r\n".to_string(), "malformed_request", 400),
        (
            format!("GET /livez HTTP/1.1\r\nHost: x\r\n{many}\r\n"),
            "headers_too_large",
            431,
        ),
    ] {
        let port = site.port;
        let ca = ca.pem();
        let got = std::thread::spawn(move || over_tls(port, &ca, sent.as_bytes()))
            .join()
            .unwrap();
        let r = parse_answer(&got);
        r.problem(status, code).unwrap();
        r.closes().unwrap();
    }
    assert!(
        bridge.child.try_wait().unwrap().is_none(),
        "{}",
        bridge.log()
    );
}

/// Sends `bytes` over TLS with HTTP/1.1 by ALPN; everything read until the server closes.
fn over_tls(port: u16, ca: &str, bytes: &[u8]) -> Vec<u8> {
    let mut cfg = super::pki::client_config(ca, None, rustls::DEFAULT_VERSIONS);
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    let conn =
        rustls::ClientConnection::new(Arc::new(cfg), "127.0.0.1".try_into().unwrap()).unwrap();
    let tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.set_read_timeout(Some(secs(5))).unwrap();
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    tls.write_all(bytes).unwrap();
    let mut got = Vec::new();
    let mut buf = [0; 4096];
    loop {
        match tls.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
    got
}
