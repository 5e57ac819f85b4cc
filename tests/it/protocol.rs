//! WS-Addressing and MTOM/XOP through the bridge, against a recording upstream that checks
//! what it receives against the specifications (`tests/protocol/files.wsdl`: a SOAP 1.1
//! binding asking for WS-Addressing 1.0 and MTOM by policy, a SOAP 1.2 binding asking for the
//! 2004/08 submission) and answers as the test says: addressed, misaddressed, as an XOP
//! package, or as a broken one.

use std::io::{BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::web::Bytes;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use crate::upstream_fixture::{Folder, plan, read_head, start_bridge};

const WSA: &str = "http://www.w3.org/2005/08/addressing";
const WSA_2004: &str = "http://schemas.xmlsoap.org/ws/2004/08/addressing";
const XOP: &str = "http://www.w3.org/2004/08/xop/include";

fn wsdl() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/protocol/files.wsdl")
}

/// One request the upstream received: headers and body bytes.
#[derive(Debug, Clone)]
struct Seen {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Seen {
    fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map_or("", |(_, v)| v.as_str())
    }
}

/// The upstream's answer: content type and body.
type Answer = (String, Vec<u8>);
type Responder = Arc<dyn Fn(&Seen) -> Answer + Send + Sync>;

/// A recording upstream on 127.0.0.1:0 answering by `respond`.
fn upstream(respond: Responder) -> (u16, Arc<Mutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let rec = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (respond, rec) = (respond.clone(), rec.clone());
            std::thread::spawn(move || {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                let mut reader = BufReader::new(stream);
                let Some((_, headers)) = read_head(&mut reader) else {
                    return;
                };
                let len: usize = headers
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
                    .and_then(|(_, v)| v.parse().ok())
                    .unwrap_or(0);
                let mut body = vec![0; len];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                let s = Seen { headers, body };
                let (ct, answer) = respond(&s);
                rec.lock().unwrap().push(s);
                let stream = reader.get_mut();
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: {ct}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    answer.len()
                );
                let _ = stream.write_all(&answer);
                let _ = stream.flush();
            });
        }
    });
    (port, seen)
}

/// The bridge for the files WSDL's `port`, with `extra` mapping lines.
fn bridge(port: u16, wsdl_port: &str, extra: &str) -> String {
    let folder = Folder::new();
    let mapping = folder.write(
        "mapping.yaml",
        &format!(
            "wsdl: {}\nport: {wsdl_port}\nupstream:\n  url: http://127.0.0.1:{port}/files\n{extra}operations:\n  PutFile:\n    route: POST /files\n  GetFile:\n    route: GET /files/{{name}}\n    request: {{ name: path.name }}\n",
            wsdl().display()
        ),
    );
    let service = plan(&mapping);
    let base = start_bridge(service);
    // The folder may go: the mapping was compiled.
    drop(folder);
    base
}

async fn call(base: &str, method: &str, path: &str, body: Option<Value>) -> (u16, String, Value) {
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(20))
        .finish();
    let url = format!("{base}{path}");
    let req = match method {
        "POST" => client.post(url),
        _ => client.get(url),
    };
    let mut resp = match body {
        Some(b) => req.send_json(&b).await.unwrap(),
        None => req.send().await.unwrap(),
    };
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let bytes = resp.body().limit(1 << 20).await.unwrap();
    let v = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
    (status, ct, v)
}

/// The request's WS-Addressing headers, checked against the spec: each once, in `ns`;
/// `wsa:MessageID` an absolute URI, `wsa:ReplyTo` the anonymous address, `wsa:Action` marked
/// mustUnderstand. Returns (Action, MessageID, To).
fn addressing(envelope: &str, ns: &str, anonymous: &str) -> (String, String, String) {
    let doc = roxmltree::Document::parse(envelope).unwrap_or_else(|e| panic!("{e}: {envelope}"));
    let header = doc
        .root_element()
        .children()
        .find(|n| n.tag_name().name() == "Header")
        .unwrap_or_else(|| panic!("no Header: {envelope}"));
    let one = |name: &str| {
        let found: Vec<_> = header
            .children()
            .filter(|n| n.tag_name().namespace() == Some(ns) && n.tag_name().name() == name)
            .collect();
        assert_eq!(found.len(), 1, "one wsa:{name} in {envelope}");
        found[0]
    };
    let action = one("Action");
    let must = action
        .attributes()
        .find(|a| a.name() == "mustUnderstand")
        .map(|a| a.value().to_string());
    assert!(
        matches!(must.as_deref(), Some("1" | "true")),
        "wsa:Action is mustUnderstand: {envelope}"
    );
    let id = one("MessageID").text().unwrap_or("").to_string();
    assert!(
        id.starts_with("urn:uuid:") && id.len() == 45,
        "a UUID URN: {id}"
    );
    let reply_to = one("ReplyTo");
    let address = reply_to
        .children()
        .find(|n| n.tag_name().namespace() == Some(ns) && n.tag_name().name() == "Address")
        .and_then(|n| n.text());
    assert_eq!(address, Some(anonymous), "{envelope}");
    let to = one("To").text().unwrap_or("").to_string();
    (action.text().unwrap_or("").to_string(), id, to)
}

/// The MessageID of a request envelope (text), or "".
fn message_id(envelope: &str, ns: &str) -> String {
    roxmltree::Document::parse(envelope)
        .ok()
        .and_then(|d| {
            d.descendants()
                .find(|n| {
                    n.tag_name().namespace() == Some(ns) && n.tag_name().name() == "MessageID"
                })
                .and_then(|n| n.text().map(str::to_string))
        })
        .unwrap_or_default()
}

/// A SOAP 1.1 answer with these headers and this body.
fn envelope11(header: &str, body: &str) -> Vec<u8> {
    format!(
        "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:a=\"{WSA}\"><s:Header>{header}</s:Header><s:Body>{body}</s:Body></s:Envelope>"
    )
    .into_bytes()
}

const GET_ANSWER: &str =
    "<GetFileResponse xmlns=\"urn:files\"><name>a.bin</name><data>AAEC</data></GetFileResponse>";

/// The root part (the XOP envelope) and the other parts by Content-ID of a multipart body.
async fn parts(content_type: &str, body: Vec<u8>) -> (String, String, Vec<(String, Vec<u8>)>) {
    let mime: mime::Mime = content_type.parse().expect("a media type");
    let boundary = mime
        .get_param(mime::BOUNDARY)
        .expect("a boundary")
        .to_string();
    let stream =
        futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(body.into()) });
    let mut mp = multer::Multipart::new(stream, boundary);
    let mut out = Vec::new();
    while let Some(field) = mp.next_field().await.unwrap() {
        let id = field
            .headers()
            .get("content-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .trim_matches(['<', '>'])
            .to_string();
        let ty = field
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        out.push((id, ty, field.bytes().await.unwrap().to_vec()));
    }
    let (root_id, root_type, root) = out.remove(0);
    let _ = root_id;
    (
        root_type,
        String::from_utf8(root).unwrap(),
        out.into_iter().map(|(i, _, b)| (i, b)).collect(),
    )
}

#[actix_web::test]
async fn requests_carry_ws_addressing_and_answers_must_relate_to_them() {
    // The upstream relates its answer to the request unless told to misaddress it.
    let mode = Arc::new(Mutex::new("relate"));
    let m = mode.clone();
    let (port, seen) = upstream(Arc::new(move |s: &Seen| {
        let text = String::from_utf8_lossy(&s.body).into_owned();
        let id = message_id(&text, WSA);
        let header = match *m.lock().unwrap() {
            "relate" => format!(
                "<a:Action>urn:files:Files:GetFileResponse</a:Action><a:RelatesTo>{id}</a:RelatesTo>"
            ),
            "other" => "<a:RelatesTo>urn:uuid:00000000-0000-4000-8000-000000000000</a:RelatesTo>"
                .to_string(),
            "no-action" => format!("<a:RelatesTo>{id}</a:RelatesTo>"),
            "put-action" => format!(
                "<a:Action>urn:files:Files:PutFileResponse</a:Action><a:RelatesTo>{id}</a:RelatesTo>"
            ),
            _ => String::new(),
        };
        (
            "text/xml; charset=utf-8".to_string(),
            envelope11(&header, GET_ANSWER),
        )
    }));
    // MTOM off for this one: the addressing alone.
    let base = bridge(port, "FilesPort", "mtom: false\n");
    let (status, _, v) = call(&base, "GET", "/files/a.bin", None).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["data"], "AAEC", "base64Binary stays a base64 string: {v}");
    let (status, _, _) = call(&base, "GET", "/files/b.bin", None).await;
    assert_eq!(status, 200);
    let got = seen.lock().unwrap().clone();
    assert_eq!(got.len(), 2);
    let first = String::from_utf8(got[0].body.clone()).unwrap();
    let (action, id1, to) = addressing(&first, WSA, &format!("{WSA}/anonymous"));
    // No explicit action and an empty soapAction: WS-Addressing's default action.
    assert_eq!(action, "urn:files:Files:GetFileRequest");
    assert_eq!(to, format!("http://127.0.0.1:{port}/files"));
    let (_, id2, _) = addressing(
        &String::from_utf8(got[1].body.clone()).unwrap(),
        WSA,
        &format!("{WSA}/anonymous"),
    );
    assert_ne!(id1, id2, "a fresh MessageID per request");
    assert!(got[0].header("content-type").starts_with("text/xml"));

    // An answer that relates to another message, or to none, is a 502 problem.
    for misaddressed in ["other", "none"] {
        *mode.lock().unwrap() = misaddressed;
        let (status, ct, v) = call(&base, "GET", "/files/a.bin", None).await;
        assert_eq!(status, 502, "{misaddressed}: {v}");
        assert_eq!(ct, "application/problem+json");
        assert!(
            v["detail"].as_str().unwrap_or("").contains("RelatesTo"),
            "{v}"
        );
    }
    // The answer's wsa:Action, when it has one, must be the output's (here WS-Addressing's
    // default, `urn:files:Files:GetFileResponse`); an answer without one is accepted.
    *mode.lock().unwrap() = "no-action";
    let (status, _, v) = call(&base, "GET", "/files/a.bin", None).await;
    assert_eq!(status, 200, "{v}");
    *mode.lock().unwrap() = "put-action";
    let (status, ct, v) = call(&base, "GET", "/files/a.bin", None).await;
    assert_eq!(status, 502, "{v}");
    assert_eq!(ct, "application/problem+json");
    assert_eq!(
        v["detail"],
        "the legacy service's answer has another action than the WSDL's output (WS-Addressing `Action`)"
    );
}

#[actix_web::test]
async fn the_explicit_action_and_the_2004_08_submission_over_soap_12() {
    let (port, seen) = upstream(Arc::new(|s: &Seen| {
        let text = String::from_utf8_lossy(&s.body).into_owned();
        let id = message_id(&text, WSA_2004);
        let answer = format!(
            "<e:Envelope xmlns:e=\"http://www.w3.org/2003/05/soap-envelope\" xmlns:w=\"{WSA_2004}\"><e:Header><w:Action>urn:files:putResponse</w:Action><w:RelatesTo>{id}</w:RelatesTo></e:Header><e:Body><PutFileResponse xmlns=\"urn:files\"><size>3</size><sha256>x</sha256></PutFileResponse></e:Body></e:Envelope>"
        );
        (
            "application/soap+xml; charset=utf-8".to_string(),
            answer.into_bytes(),
        )
    }));
    let base = bridge(port, "Files12Port", "");
    let (status, _, v) = call(
        &base,
        "POST",
        "/files",
        Some(json!({"name": "a.bin", "data": "AAEC"})),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["size"], 3);
    let got = seen.lock().unwrap().clone();
    let text = String::from_utf8(got[0].body.clone()).unwrap();
    let (action, _, _) = addressing(
        &text,
        WSA_2004,
        "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous",
    );
    // The input's wsam:Action; the answer carried the output's (not the default
    // `urn:files:Files:PutFileResponse`), and was accepted.
    assert_eq!(action, "urn:files:put");
    assert!(!text.contains(WSA), "only the 2004/08 namespace: {text}");
}

#[actix_web::test]
async fn the_mapping_turns_addressing_off() {
    let (port, seen) = upstream(Arc::new(|_: &Seen| {
        ("text/xml".to_string(), envelope11("", GET_ANSWER))
    }));
    let base = bridge(port, "FilesPort", "addressing: false\nmtom: false\n");
    let (status, _, v) = call(&base, "GET", "/files/a.bin", None).await;
    assert_eq!(status, 200, "{v}");
    let text = String::from_utf8(seen.lock().unwrap()[0].body.clone()).unwrap();
    assert!(!text.contains(WSA) && !text.contains("Header"), "{text}");
}

#[actix_web::test]
async fn mtom_requests_are_xop_packages_and_xop_answers_are_read() {
    let payload: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    let (port, seen) = upstream(Arc::new(|s: &Seen| {
        let text = String::from_utf8_lossy(&s.body).into_owned();
        // The MessageID sits in the root part, as text.
        let id = text
            .split("<wsa:MessageID")
            .nth(1)
            .and_then(|r| r.split('>').nth(1))
            .and_then(|r| r.split('<').next())
            .unwrap_or("")
            .to_string();
        let header = format!("<a:RelatesTo>{id}</a:RelatesTo>");
        if text.contains("PutFile") {
            let answer = "<PutFileResponse xmlns=\"urn:files\"><size>3000</size><sha256>x</sha256></PutFileResponse>";
            return ("text/xml".to_string(), envelope11(&header, answer));
        }
        // An XOP package whose data is a binary part (with CR LF and a would-be boundary
        // inside).
        let root = envelope11(
            &header,
            &format!(
                "<GetFileResponse xmlns=\"urn:files\"><name>a.bin</name><data><xop:Include xmlns:xop=\"{XOP}\" href=\"cid:data%40files\"/></data></GetFileResponse>"
            ),
        );
        let mut body = Vec::new();
        body.extend_from_slice(b"--uuid:b1\r\nContent-Type: application/xop+xml; charset=utf-8; type=\"text/xml\"\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <root.message@files>\r\n\r\n");
        body.extend_from_slice(&root);
        body.extend_from_slice(b"\r\n--uuid:b1\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <data@files>\r\n\r\n");
        body.extend_from_slice(b"\x00\x01\r\n--uuid:b\xff");
        body.extend_from_slice(b"\r\n--uuid:b1--\r\n");
        (
            "multipart/related; type=\"application/xop+xml\"; start=\"<root.message@files>\"; start-info=\"text/xml\"; boundary=\"uuid:b1\"".to_string(),
            body,
        )
    }));
    let base = bridge(port, "FilesPort", "");
    // The request: MTOM (the WSDL's policy asks), the data a binary part.
    let (status, _, v) = call(
        &base,
        "POST",
        "/files",
        Some(json!({"name": "a.bin", "data": STANDARD.encode(&payload)})),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["size"], 3000);
    let got = seen.lock().unwrap().clone();
    let ct = got[0].header("content-type").to_string();
    assert!(
        ct.starts_with("multipart/related")
            && ct.contains("type=\"application/xop+xml\"")
            && ct.contains("start-info=\"text/xml\""),
        "{ct}"
    );
    assert_eq!(got[0].header("soapaction"), "\"urn:files:put\"");
    let (root_type, root, binary) = parts(&ct, got[0].body.clone()).await;
    assert!(
        root_type.starts_with("application/xop+xml") && root_type.contains("type=\"text/xml\""),
        "{root_type}"
    );
    let doc = roxmltree::Document::parse(&root).unwrap();
    let include = doc
        .descendants()
        .find(|n| n.tag_name().namespace() == Some(XOP) && n.tag_name().name() == "Include")
        .unwrap_or_else(|| panic!("an xop:Include: {root}"));
    assert_eq!(include.parent().unwrap().tag_name().name(), "data");
    let cid = include
        .attribute("href")
        .unwrap()
        .strip_prefix("cid:")
        .unwrap();
    assert_eq!(binary.len(), 1);
    assert_eq!(binary[0].0, cid);
    assert_eq!(binary[0].1, payload, "the part holds the bytes themselves");

    // The answer: the XOP package read, the part put back as base64.
    let (status, _, v) = call(&base, "GET", "/files/a.bin", None).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        v["data"],
        STANDARD.encode(b"\x00\x01\r\n--uuid:b\xff"),
        "{v}"
    );
}

#[actix_web::test]
async fn broken_xop_answers_are_502_problems() {
    let cases: Vec<(&str, Vec<u8>)> = vec![
        // No closing boundary.
        ("multipart/related; boundary=B", b"--B\r\nContent-Type: text/xml\r\n\r\n<x/>".to_vec()),
        // An include of a part that is not there.
        (
            "multipart/related; type=\"application/xop+xml\"; boundary=B",
            format!("--B\r\nContent-Type: application/xop+xml; type=\"text/xml\"\r\n\r\n<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><GetFileResponse xmlns=\"urn:files\"><name>a</name><data><i:Include xmlns:i=\"{XOP}\" href=\"cid:gone\"/></data></GetFileResponse></s:Body></s:Envelope>\r\n--B--\r\n").into_bytes(),
        ),
        // No boundary at all.
        ("multipart/related", b"whatever".to_vec()),
        // Too many parts.
        ("multipart/related; boundary=B", {
            let mut b = Vec::new();
            for i in 0..100 {
                b.extend_from_slice(format!("--B\r\nContent-ID: <p{i}>\r\n\r\nx\r\n").as_bytes());
            }
            b.extend_from_slice(b"--B--\r\n");
            b
        }),
    ];
    for (ct, body) in cases {
        let answer = (ct.to_string(), body);
        let (port, _) = upstream(Arc::new(move |_: &Seen| answer.clone()));
        let base = bridge(port, "FilesPort", "addressing: false\nmtom: false\n");
        let (status, problem_type, v) = call(&base, "GET", "/files/a.bin", None).await;
        assert_eq!(status, 502, "{ct}: {v}");
        assert_eq!(problem_type, "application/problem+json");
        assert!(
            v["detail"].as_str().unwrap_or("").contains("multipart"),
            "{ct}: {v}"
        );
    }
}

/// The Python file store (`tests/interop/files_service.py`): it reads our MTOM request with
/// zeep's own XOP reading, refuses requests whose WS-Addressing headers break the spec or a
/// PutFile that is not MTOM, and answers GetFile with an XOP package from Python's email
/// package.
#[actix_web::test]
#[ignore = "needs SOAPBRIDGE_INTEROP (zeep and lxml from tests/interop/requirements.txt; .ci/run)"]
async fn a_python_store_that_requires_addressing_and_mtom() {
    use crate::interop_support::{require, start};
    require("SOAPBRIDGE_INTEROP");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/files_service.py");
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let log = tempfile::NamedTempFile::new().unwrap();
    let mut command = std::process::Command::new(python);
    command.arg("-u").arg(&script).arg("0");
    let service = start(command, "the Python file store", log.path());
    let base = bridge(service.port, "FilesPort", "");
    let payload: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let (status, _, v) = call(
        &base,
        "POST",
        "/files",
        Some(json!({"name": "big.bin", "data": STANDARD.encode(&payload)})),
    )
    .await;
    let refused = std::fs::read_to_string(log.path()).unwrap_or_default();
    assert_eq!(status, 200, "{v}\n{refused}");
    assert_eq!(v["size"], 70_000);
    let digest = ring::digest::digest(&ring::digest::SHA256, &payload);
    let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(v["sha256"], hex, "the bytes arrived intact");

    let (status, _, v) = call(&base, "GET", "/files/big.bin", None).await;
    assert_eq!(status, 200, "{v}");
    let mut stored: Vec<u8> = (0..=255u8).collect::<Vec<_>>().repeat(4);
    stored.extend_from_slice(b"\r\n--not-a-boundary\r\n");
    assert_eq!(v["name"], "big.bin");
    assert_eq!(v["data"], STANDARD.encode(&stored), "{v}");

    // Without the addressing the store requires, its fault comes through.
    let base = bridge(service.port, "FilesPort", "addressing: false\n");
    let (status, _, v) = call(&base, "GET", "/files/big.bin", None).await;
    assert!(status >= 400, "{v}");
    assert!(v.to_string().contains("WS-Addressing is required"), "{v}");
}

/// `serve --mock` in front of a WSDL that asks for WS-Addressing and MTOM: the mock reads the
/// XOP package and relates its answer to the request, so the bridge accepts it.
#[actix_web::test]
async fn the_mock_answers_addressed_mtom_requests() {
    let folder = Folder::new();
    let mapping = folder.write(
        "mapping.yaml",
        &format!(
            "wsdl: {}\nport: FilesPort\nupstream:\n  url: http://127.0.0.1:9/files\noperations:\n  PutFile:\n    route: POST /files\n  GetFile:\n    route: GET /files/{{name}}\n    request: {{ name: path.name }}\n",
            wsdl().display()
        ),
    );
    let mock = soapbridge::mock::Mock::new(plan(&mapping));
    let (server, addr) = soapbridge::http::start_mock(mock, "127.0.0.1:0").unwrap();
    actix_web::rt::spawn(server);
    let base = bridge(addr.port(), "FilesPort", "");
    let (status, _, v) = call(
        &base,
        "POST",
        "/files",
        Some(json!({"name": "a.bin", "data": "AAEC"})),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert!(v["size"].is_number(), "{v}");
    let (status, _, v) = call(&base, "GET", "/files/a.bin", None).await;
    assert_eq!(status, 200, "{v}");
}
