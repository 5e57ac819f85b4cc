//! Fuzzing on stable, as properties: the four entries that read outside input — a request
//! body through JSON to the envelope, an upstream answer through the parser and decoder, a
//! WSDL/XSD document through the loader, a mapping through its compiler — each fed its seeds
//! (fixtures under `tests/`, and the corpus's WSDLs when `SOAPBRIDGE_CORPUS` names it) mutated
//! at random (bytes flipped, cut, repeated, markup tokens spliced in). The property: never a
//! panic; always a value or an error that says something.
//!
//! `SOAPBRIDGE_FUZZ_CASES` sets the cases per target (default 256, a smoke run); a long run is
//! `SOAPBRIDGE_FUZZ_CASES=1000000 cargo test --release --test it fuzz_`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;
use soapbridge::convert::operation::ServicePlan;
use soapbridge::soap::XmlLimits;

fn cases() -> u32 {
    std::env::var("SOAPBRIDGE_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

/// Splices that tend to reach the parsers' corners.
const TOKENS: &[&str] = &[
    "<",
    ">",
    "&",
    "&amp;",
    "&#0;",
    "&#x10FFFF;",
    "<![CDATA[",
    "]]>",
    "<!--",
    "-->",
    "<?xml ",
    "<!DOCTYPE a [<!ENTITY e \"x\">]>",
    "&e;",
    "xmlns:p=\"urn:x\"",
    "p:",
    "xsi:nil=\"true\"",
    "\"",
    "'",
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    "\\u0000",
    "\\ud800",
    "1e999",
    "-0",
    "null",
    "\u{FEFF}",
    "\u{FFFD}",
    "\r\n",
    "\t",
    "\0",
    "ref=\"",
    "type=\"xs:",
    "maxOccurs=\"unbounded\"",
    "  - ",
    ": |",
    "*",
    "&a",
    "!!binary",
    "${",
    "}\n",
];

/// One change to a seed: at a place (a fraction of its length), of a kind, with a byte or token.
type Mutation = (u16, u8, u8, u16);

fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    prop::collection::vec((any::<u16>(), 0u8..7, any::<u8>(), any::<u16>()), 0..8)
}

fn mutate(seed: &[u8], muts: &[Mutation]) -> Vec<u8> {
    let mut b = seed.to_vec();
    for &(at, kind, byte, n) in muts {
        let len = b.len();
        let at = if len == 0 {
            0
        } else {
            at as usize * len / (u16::MAX as usize + 1)
        };
        let n = n as usize % 64 + 1;
        match kind {
            0 if at < len => b[at] = byte,
            1 => b.insert(at, byte),
            2 => {
                let end = (at + n).min(len);
                b.drain(at..end);
            }
            3 => {
                let end = (at + n).min(len);
                let piece = b[at..end].to_vec();
                for _ in 0..(byte % 8 + 1) {
                    b.splice(at..at, piece.iter().copied());
                }
            }
            4 => {
                let t = TOKENS[n % TOKENS.len()].as_bytes();
                b.splice(at..at, t.iter().copied());
            }
            5 => b.truncate(at),
            _ => {
                // A bit flipped.
                if at < len {
                    b[at] ^= 1 << (byte % 8);
                }
            }
        }
    }
    b
}

fn run<S: Strategy>(name: &str, strategy: S, test: impl Fn(S::Value) -> Result<(), String>) {
    let started = std::time::Instant::now();
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&strategy, |v| test(v).map_err(TestCaseError::fail));
    eprintln!(
        "fuzz {name}: {} cases in {:.1} s",
        cases(),
        started.elapsed().as_secs_f64()
    );
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
}

/// The test service: `tests/upstream/service.wsdl` with a body route and a path route.
fn service() -> &'static (tempfile::TempDir, Arc<ServicePlan>) {
    static S: OnceLock<(tempfile::TempDir, Arc<ServicePlan>)> = OnceLock::new();
    S.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("m.yaml"), mapping_text()).unwrap();
        let svc = soapbridge::http::load_services(dir.path())
            .unwrap_or_else(|e| panic!("{e}"))
            .remove(0);
        (dir, svc)
    })
}

fn mapping_text() -> String {
    format!(
        "wsdl: {}\nupstream:\n  url: http://127.0.0.1:9/x\n  timeout: 2s\noperations:\n  GetItem:\n    route: GET /items/{{id}}\n    request: {{ itemId: path.id }}\n    response: getItemResult\n  FindItems:\n    route: POST /items/search\n",
        fixtures().join("upstream/service.wsdl").display()
    )
}

const JSON_SEEDS: &[&str] = &[
    r#"{"name": "a", "tag": ["x", "y"]}"#,
    r#"{"name": "<&>]]>", "tag": []}"#,
    r#"{"name": 12, "tag": "x", "other": {"a": [1, 2.5e3, null, true]}}"#,
    r#"[{"name": "a"}]"#,
    r#""text""#,
];

#[test]
fn fuzz_json_to_envelope() {
    let (_, svc) = service();
    let strategy = (0..JSON_SEEDS.len(), mutations(), any::<i64>());
    run("JSON -> envelope", strategy, |(seed, muts, id)| {
        let bytes = mutate(JSON_SEEDS[seed].as_bytes(), &muts);
        let body = match soapbridge::http::json::parse(&bytes, 32) {
            Ok(v) => v,
            Err(e) if !e.to_string().is_empty() => return Ok(()),
            Err(_) => return Err("an empty error".into()),
        };
        for op in &svc.operations {
            let id = id.to_string();
            let param = |s: &soapbridge::mapping::route::InputSource| match s {
                soapbridge::mapping::route::InputSource::Path(_) => vec![id.clone()],
                _ => Vec::new(),
            };
            match svc.build_request(op, &param, Some(body.clone())) {
                Ok(env) => {
                    let text = String::from_utf8(env).map_err(|e| e.to_string())?;
                    soapbridge::soap::parse(&text, XmlLimits::default())
                        .map_err(|e| format!("an envelope that does not parse: {e}\n{text}"))?;
                }
                Err(errors) if errors.iter().all(|e| !e.message.is_empty()) => {}
                Err(_) => return Err("an error without a message".into()),
            }
        }
        Ok(())
    });
}

const ENV: &str =
    "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>";
const END: &str = "</soap:Body></soap:Envelope>";

fn answer_seeds() -> Vec<String> {
    vec![
        format!(
            "<?xml version=\"1.0\"?>{ENV}<GetItemResponse xmlns=\"urn:test\"><GetItemResult>item</GetItemResult></GetItemResponse>{END}"
        ),
        format!(
            "{ENV}<FindItemsResponse xmlns=\"urn:test\"><FindItemsResult>a</FindItemsResult><FindItemsResult>b &amp; c</FindItemsResult></FindItemsResponse>{END}"
        ),
        format!(
            "{ENV}<soap:Fault><faultcode>soap:Server</faultcode><faultstring>boom</faultstring><detail><ItemNotFound xmlns=\"urn:test\">7</ItemNotFound></detail></soap:Fault>{END}"
        ),
        format!(
            "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Header><h xmlns=\"urn:h\">1</h></soap:Header><soap:Body><GetItemResponse xmlns=\"urn:test\"><GetItemResult><![CDATA[x]]></GetItemResult></GetItemResponse>{END}"
        ),
    ]
}

#[test]
fn fuzz_answer_decoder() {
    let (_, svc) = service();
    let seeds = answer_seeds();
    let strategy = (0..seeds.len(), mutations(), 0usize..3);
    run("answer parser/decoder", strategy, |(seed, muts, ct)| {
        let bytes = mutate(seeds[seed].as_bytes(), &muts);
        let content_type = [
            "text/xml; charset=utf-8",
            "text/xml; charset=iso-8859-1",
            "application/soap+xml",
        ][ct];
        for op in &svc.operations {
            match svc.read_answer(op, 200, content_type, &bytes, XmlLimits::default()) {
                Ok(_) => {}
                Err(e) if !e.to_string().is_empty() => {}
                Err(_) => return Err("an error without a message".into()),
            }
        }
        Ok(())
    });
}

/// The documents the loader is fed: the fixtures' WSDL and schemas, and the corpus's WSDLs
/// under 64 KiB when `SOAPBRIDGE_CORPUS` names it.
fn document_seeds() -> Vec<(String, Vec<u8>)> {
    let mut seeds = Vec::new();
    let mut add = |p: &Path| {
        if let Ok(b) = std::fs::read(p) {
            let ext = p
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("")
                .to_string();
            seeds.push((ext, b));
        }
    };
    add(&fixtures().join("upstream/service.wsdl"));
    for name in ["groups.xsd", "loop.xsd", "xml.xsd"] {
        add(&fixtures().join("hostile").join(name));
    }
    if let Some(corpus) = std::env::var_os("SOAPBRIDGE_CORPUS") {
        let mut stack = vec![PathBuf::from(corpus).join("wsdl")];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "wsdl")
                    && e.metadata().is_ok_and(|m| m.len() < 64 * 1024)
                {
                    add(&p);
                }
            }
        }
    }
    seeds
}

#[test]
fn fuzz_wsdl_xsd_loader() {
    let seeds = document_seeds();
    let dir = tempfile::tempdir().unwrap();
    let strategy = (0..seeds.len(), mutations());
    run("WSDL/XSD loader", strategy, |(seed, muts)| {
        let (ext, text) = &seeds[seed];
        let path = dir.path().join(format!("doc.{ext}"));
        std::fs::write(&path, mutate(text, &muts)).map_err(|e| e.to_string())?;
        let message = if ext == "wsdl" {
            soapbridge::wsdl::load::load(&path, &Default::default())
                .err()
                .map(|d| d.to_string())
        } else {
            soapbridge::xsd::load::load(&path, &Default::default())
                .err()
                .map(|d| d.to_string())
        };
        match message {
            Some(m) if m.trim().is_empty() => Err("an error without a message".into()),
            _ => Ok(()),
        }
    });
}

#[test]
fn fuzz_mapping_loader() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("m.yaml");
    let seed = mapping_text();
    let strategy = mutations();
    run("mapping loader", strategy, |muts| {
        let text = String::from_utf8_lossy(&mutate(seed.as_bytes(), &muts)).into_owned();
        match soapbridge::mapping::compile::compile_str(&file, &text) {
            Ok(_) => Ok(()),
            Err(d) if !d.to_string().trim().is_empty() => Ok(()),
            Err(_) => Err("an error without a message".into()),
        }
    });
}

#[test]
fn mutations_change_seeds() {
    assert_eq!(mutate(b"abc", &[]), b"abc");
    assert_eq!(mutate(b"abc", &[(0, 5, 0, 0)]), b"");
    assert_eq!(mutate(b"abc", &[(0, 1, b'x', 0)]), b"xabc");
    let _: Value = serde_json::from_str(JSON_SEEDS[0]).unwrap();
}
