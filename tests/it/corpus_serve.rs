//! Every corpus mapping served at once, as one deployment would: a mapping generated for every
//! corpus WSDL that compiles (with the options `corpus.rs` gives it, each under a base path of
//! its own so that no two collide), `soapbridge serve --mock` started over the whole folder, its
//! `/openapi.json` fetched and checked (every mapping's routes there, every `$ref` resolved),
//! then one route of each mapping called with its OpenAPI examples and answered by the mock.
//! Walking the type graphs of all of them (the OpenAPI schemas, the mock's samples, the JSON
//! models) must neither overflow a stack nor fail. Needs `SOAPBRIDGE_CORPUS` (`.ci/run` sets it).

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::corpus::{ENTRIES, compile_entry, corpus};
use crate::serve::call;

/// Generates and compiles a mapping for every corpus entry that compiles, in `dir`, each under
/// `/cNN` + its generated base path. Returns (mapping file stem, routes) of each.
pub(crate) fn generate_all(
    wsdl_dir: &std::path::Path,
    dir: &std::path::Path,
) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for (i, (entry, _)) in ENTRIES.iter().enumerate() {
        let Ok(compiled) = compile_entry(wsdl_dir, entry, dir) else {
            // The entries that fail do so on purpose (corpus.rs pins their errors): no file.
            let _ = std::fs::remove_file(dir.join(format!("{}.yaml", entry.replace('/', "_"))));
            continue;
        };
        let file = compiled.file.clone();
        let text = std::fs::read_to_string(&file).unwrap();
        let text = text.replacen("\nbase_path: /", &format!("\nbase_path: /c{i:02}/"), 1);
        std::fs::write(&file, text).unwrap();
        let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
        out.push((stem, compiled.routes.len()));
    }
    out
}

/// Every `"$ref"` of the document names a component it holds.
fn unresolved_refs(doc: &Value) -> BTreeSet<String> {
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let mut missing = BTreeSet::new();
    let mut stack = vec![doc];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(o) => {
                if let Some(Value::String(r)) = o.get("$ref") {
                    let name = r.strip_prefix("#/components/schemas/").unwrap_or(r);
                    if !schemas.contains_key(name) {
                        missing.insert(r.clone());
                    }
                }
                stack.extend(o.values());
            }
            Value::Array(a) => stack.extend(a),
            _ => {}
        }
    }
    missing
}

/// A path with its examples put in, and the body example.
fn request_of(path: &str, op: &Value) -> (String, Option<Value>) {
    let mut url = path.to_string();
    let mut query = Vec::new();
    for p in op["parameters"].as_array().into_iter().flatten() {
        let text = match &p["example"] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let text: String = text
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        let name = p["name"].as_str().unwrap();
        match p["in"].as_str().unwrap() {
            "path" => url = url.replace(&format!("{{{name}}}"), &text),
            "query" => query.push(format!("{name}={text}")),
            _ => {}
        }
    }
    if !query.is_empty() {
        url = format!("{url}?{}", query.join("&"));
    }
    let body = op["requestBody"]["content"]["application/json"]["example"].clone();
    (url, (!body.is_null()).then_some(body))
}

#[actix_web::test]
#[ignore = "needs SOAPBRIDGE_CORPUS (the corpus folder; .ci/run sets it)"]
async fn every_corpus_mapping_served_at_once_with_its_openapi_document() {
    let corpus = corpus();
    let tmp = tempfile::tempdir().unwrap();
    // `SOAPBRIDGE_CORPUS_MAPPINGS=DIR` writes the folder there and keeps it (the README's memory
    // figures serve it with `bench/memory.sh DIR`).
    let kept = std::env::var_os("SOAPBRIDGE_CORPUS_MAPPINGS").map(std::path::PathBuf::from);
    let dir = kept.as_deref().unwrap_or(tmp.path());
    std::fs::create_dir_all(dir).unwrap();
    let mappings = generate_all(&corpus.join("wsdl"), dir);
    assert!(mappings.len() > 40, "{} mappings", mappings.len());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let log = tmp.path().join("serve.log");
    let child = Command::new(env!("CARGO_BIN_EXE_soapbridge"))
        .args(["serve", "--mock", "--mappings"])
        .arg(dir)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .current_dir(dir)
        .env_remove("SOAPBRIDGE_LOG")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut server = crate::Served { child, port };
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        let exited = server.child.try_wait().unwrap();
        assert!(
            exited.is_none() && started.elapsed() < Duration::from_secs(300),
            "serve did not start ({exited:?}): {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let base = format!("http://127.0.0.1:{port}");

    let (status, ct, doc) = call(&base, "GET", "/openapi.json", None).await;
    assert_eq!((status, ct.as_str()), (200, "application/json"));
    assert_eq!(doc["openapi"], "3.1.0");
    let missing = unresolved_refs(&doc);
    assert!(missing.is_empty(), "unresolved: {missing:?}");
    // Each mapping's operations, by tag (its file stem), in the document's order.
    let mut by_tag: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let tag = op["tags"][0].as_str().unwrap().to_string();
            by_tag
                .entry(tag)
                .or_default()
                .push((path.clone(), method.clone()));
        }
    }
    for (stem, routes) in &mappings {
        let ops = by_tag.get(stem).map_or(0, Vec::len);
        assert_eq!(ops, *routes, "{stem}: operations in /openapi.json");
    }

    let mut failures = Vec::new();
    for (stem, _) in &mappings {
        let (path, method) = &by_tag[stem][0];
        let op = &doc["paths"][path][method];
        let (url, body) = request_of(path, op);
        let (status, _, answer) = call(&base, &method.to_uppercase(), &url, body).await;
        if !(200..300).contains(&status) {
            failures.push(format!("{stem}: {method} {url}: {status} {answer}"));
        }
    }
    assert!(server.child.try_wait().unwrap().is_none(), "serve exited");
    server.child.kill().unwrap();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
