//! The per-operation corpus coverage suite: for every WSDL package of the corpus (the entries of
//! [`super::corpus`]) and every operation of its mapping, sample requests and responses that
//! together take every branch of the schema (each choice branch, optional particle and attribute,
//! arrays of 1, 3 and 0 items, nil where allowed: [`Sampler::walk`]) go JSON -> envelope (the
//! server's own conversion) -> an independent validator (Python `xmlschema`,
//! `tests/coverage/validate.py`, reading the WSDL itself) -> decoded back -> the same JSON.
//!
//! Runs when `SOAPBRIDGE_CORPUS` names the corpus (`.ci/run` sets it); then a missing validator
//! or corpus file is a failure, not a skip. `tests/coverage/expected.tsv` lists the operations
//! that cannot pass today, with the reason; every other operation must pass, and an operation
//! listed there that now passes fails the test too (record the improvement). Run with
//! `SOAPBRIDGE_COVERAGE_UPDATE=1` to rewrite that file from the results.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use serde_json::{Map, Value};
use soapbridge::convert::operation::{Message, Operation, Outcome, Service};
use soapbridge::mock::sample::Sampler;
use soapbridge::wsdl::Use;

use super::corpus::{ENTRIES, Expect, compile_entry, corpus, options};

/// Samples per operation and direction at most (a walk usually covers its branches sooner).
const MAX_SAMPLES: usize = 6;
const EXPECTED: &str = "tests/coverage/expected.tsv";

/// One sample's fate before the validator has spoken.
struct Sample {
    op: usize,
    file: PathBuf,
    /// Refused by the encoder, or changed by the round trip.
    failure: Option<String>,
}

struct Package {
    entry: &'static str,
    operations: Vec<String>,
    /// Operation -> why it fails (the first failure of its samples).
    failures: BTreeMap<String, String>,
    samples: usize,
    /// The package itself cannot be converted (a load error, or a schema the validator refuses).
    error: Option<String>,
}

/// Empty arrays stand for absent repeated elements on the way back; drop them on both sides.
fn normal(v: &Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(
            o.iter()
                .filter(|(_, x)| !matches!(x, Value::Array(a) if a.is_empty()))
                .map(|(k, x)| (k.clone(), normal(x)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(normal).collect()),
        other => other.clone(),
    }
}

fn one_line(s: &str, max: usize) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() > max {
        format!("{}...", s.chars().take(max).collect::<String>())
    } else {
        s
    }
}

/// A sample of a message's JSON fields.
fn sample_fields(sampler: &mut Sampler, m: &Message) -> Result<Map<String, Value>, String> {
    match m {
        Message::Element { type_id, .. } => match sampler.value(*type_id) {
            Value::Object(o) => Ok(o),
            other => Err(format!("the sampler gave a non-object: {other}")),
        },
        Message::Parts { parts, .. } => Ok(parts
            .iter()
            .map(|p| (p.key.clone(), sampler.value(p.type_id)))
            .collect()),
    }
}

fn limits() -> soapbridge::soap::XmlLimits {
    soapbridge::config::Limits::default().xml()
}

/// Encodes a sample, writes the envelope to `file`, decodes it back; `Err` says where it broke.
fn round_trip(
    svc: &Service,
    op: &Operation,
    input: bool,
    fields: &Map<String, Value>,
    file: &Path,
) -> Result<(), String> {
    let envelope = if input {
        svc.request(op, fields, None)
    } else {
        svc.answer(op, fields)
    }
    .map_err(|errors| {
        let list: Vec<String> = errors
            .iter()
            .take(3)
            .map(|e| format!("{}: {}", e.pointer, e.message))
            .collect();
        format!("encoder refused its sample: {}", list.join("; "))
    })?;
    std::fs::write(file, &envelope).unwrap();
    let text = String::from_utf8(envelope).map_err(|_| "the envelope is not UTF-8".to_string())?;
    let (back, expected) = if input {
        let json = svc
            .read_request(op, &text, limits())
            .map_err(|e| format!("decoding the request failed: {e}"))?;
        (json, Value::Object(fields.clone()))
    } else {
        let json = match svc.response(op, &text, limits()) {
            Ok(Outcome::Ok(json)) => json,
            Ok(Outcome::Fault { message, .. }) => {
                return Err(format!("the answer was read as a fault: {message}"));
            }
            Err(e) => return Err(format!("decoding the answer failed: {e}")),
        };
        let expected = match op.route.response {
            Some(i) => fields
                .get(&op.route.outputs[i].0)
                .cloned()
                .unwrap_or(Value::Null),
            None => Value::Object(fields.clone()),
        };
        (json, expected)
    };
    let back: Value =
        serde_json::from_str(&back).map_err(|e| format!("the decoder wrote bad JSON: {e}"))?;
    let (back, expected) = (normal(&back), normal(&expected));
    // A selected repeated field that is absent reads back as [].
    if back != expected && !(expected == Value::Null && back == Value::Array(Vec::new())) {
        return Err(format!(
            "round trip changed the JSON:\n  sent {}\n  got  {}",
            one_line(&expected.to_string(), 400),
            one_line(&back.to_string(), 400)
        ));
    }
    Ok(())
}

/// Builds every sample of a package, writes the validator's manifest; returns the samples.
fn build_samples(
    wsdl_dir: &Path,
    entry: &'static str,
    svc: &Service,
    dir: &Path,
) -> (Vec<Sample>, String) {
    let compiled = &svc.compiled;
    let wsdl = &compiled.wsdl;
    let schema = &wsdl.schema;
    let binding = &wsdl.bindings[compiled.selection.binding];
    let port_type = &wsdl.port_types[binding.port_type];
    let mut manifest = format!("wsdl\t{}\n", wsdl_dir.join(entry).display());
    for (url, file) in &options(wsdl_dir, entry).catalog {
        writeln!(manifest, "catalog\t{url}\t{}", file.display()).unwrap();
    }
    let mut samples = Vec::new();
    for (oi, op) in svc.operations.iter().enumerate() {
        let bop = &binding.operations[op.route.binding_operation];
        let pop = &port_type.operations[bop.operation];
        for (input, message, wsdl_message) in [
            (true, &op.input, pop.input),
            (false, &op.output, pop.output),
        ] {
            let Some(wm) = wsdl_message else { continue };
            let mut sampler = Sampler::walk(schema, &svc.model, oi as u64 + 1);
            for k in 0..MAX_SAMPLES {
                let file = dir.join(format!("{oi}-{}-{k}.xml", if input { "in" } else { "out" }));
                let failure = sample_fields(&mut sampler, message)
                    .and_then(|fields| round_trip(svc, op, input, &fields, &file))
                    .err();
                if file.is_file() {
                    match message {
                        Message::Parts {
                            wrapper: Some(_), ..
                        } => {
                            let name = &wsdl.messages[wm].name;
                            writeln!(
                                manifest,
                                "rpc\t{}\t{}\t{}",
                                file.display(),
                                name.ns,
                                name.local
                            )
                            .unwrap();
                        }
                        _ => writeln!(manifest, "doc\t{}", file.display()).unwrap(),
                    }
                }
                samples.push(Sample {
                    op: oi,
                    file,
                    failure,
                });
                if sampler.covered() {
                    break;
                }
            }
        }
    }
    (samples, manifest)
}

/// Starts the validator over a manifest (it runs while the next package is sampled).
fn start_validator(manifest: &Path) -> Child {
    Command::new("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/coverage/validate.py"))
        .arg(manifest)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot run python3 (the coverage suite's validator)")
}

/// The validator's verdicts: file -> `None` (valid) or the reason; or the schema error.
fn verdicts(child: Child) -> Result<BTreeMap<String, Option<String>>, String> {
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut map = BTreeMap::new();
    for line in stdout.lines() {
        let cols: Vec<&str> = line.splitn(3, '\t').collect();
        match cols.as_slice() {
            ["schema-error", why] => {
                return Err(format!("the validator cannot build the schema: {why}"));
            }
            ["note", _] => {}
            [file, "ok"] => {
                map.insert(file.to_string(), None);
            }
            [file, "error", why] => {
                map.insert(file.to_string(), Some(why.to_string()));
            }
            _ => {}
        }
    }
    if !out.status.success() {
        return Err(format!(
            "the validator failed ({}): {}",
            out.status,
            one_line(&String::from_utf8_lossy(&out.stderr), 600)
        ));
    }
    Ok(map)
}

/// Names the failure's category for the expected table.
fn categorize(svc: &Service, op: &Operation, why: &str) -> String {
    let binding = &svc.compiled.wsdl.bindings[svc.compiled.selection.binding];
    let bop = &binding.operations[op.route.binding_operation];
    if bop.input.use_ == Use::Encoded || bop.output.use_ == Use::Encoded {
        return format!("needs rpc/encoded: {why}");
    }
    why.to_string()
}

fn finish(
    pkg: &mut Package,
    svc: &Service,
    samples: Vec<Sample>,
    verdicts: Result<BTreeMap<String, Option<String>>, String>,
) {
    pkg.samples = samples.len();
    let verdicts = match verdicts {
        Ok(v) => v,
        Err(e) => {
            pkg.error = Some(e.clone());
            for op in &svc.operations {
                pkg.failures.insert(op.route.operation.clone(), e.clone());
            }
            return;
        }
    };
    for s in samples {
        let op = &svc.operations[s.op];
        if pkg.failures.contains_key(&op.route.operation) {
            continue;
        }
        let key = s.file.display().to_string();
        let why = match (&s.failure, verdicts.get(&key)) {
            (Some(f), Some(Some(v))) => Some(format!("invalid: {v}; {f}")),
            (Some(f), _) => Some(f.clone()),
            (None, Some(None)) => None,
            (None, Some(Some(v))) => Some(format!("invalid: {v}")),
            (None, None) => Some("the validator gave no verdict".to_string()),
        };
        if let Some(why) = why {
            let sample = s.file.file_name().unwrap().to_string_lossy().to_string();
            pkg.failures.insert(
                op.route.operation.clone(),
                one_line(&categorize(svc, op, &format!("{sample}: {why}")), 300),
            );
        }
    }
}

/// The expected table: (entry, operation) -> reason.
fn read_expected() -> BTreeMap<(String, String), String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(EXPECTED);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.splitn(3, '\t').collect();
            assert!(cols.len() == 3, "{EXPECTED}: bad line {l:?}");
            (
                (cols[0].to_string(), cols[1].to_string()),
                cols[2].to_string(),
            )
        })
        .collect()
}

fn write_expected(packages: &[Package]) {
    let mut text = String::from(
        "# Operations of the corpus that do not pass the coverage suite today (tests/it/coverage.rs),\n\
         # with the reason: entry<TAB>operation<TAB>reason. Every operation not listed must pass.\n\
         # Rewritten by SOAPBRIDGE_COVERAGE_UPDATE=1 cargo test --test it coverage.\n",
    );
    for p in packages {
        for (op, why) in &p.failures {
            writeln!(text, "{}\t{op}\t{}", p.entry, why.replace('\t', " ")).unwrap();
        }
    }
    std::fs::write(Path::new(env!("CARGO_MANIFEST_DIR")).join(EXPECTED), text).unwrap();
}

#[test]
fn every_operation_round_trips_through_schema_valid_envelopes() {
    let Some(corpus) = corpus() else {
        eprintln!("coverage suite not requested (set SOAPBRIDGE_CORPUS=../shared/corpus)");
        return;
    };
    let check = Command::new("python3")
        .args(["-c", "import xmlschema, lxml; print(xmlschema.__version__)"])
        .output();
    match check {
        Ok(o) if o.status.success() => {}
        other => panic!(
            "the coverage suite's validator needs python3 with xmlschema and lxml \
             (pip install -r tests/interop/requirements.txt): {other:?}"
        ),
    }
    let wsdl_dir = corpus.join("wsdl");
    let tmp = tempfile::tempdir().unwrap();
    let mut packages: Vec<Package> = Vec::new();
    // The validator of the previous package runs while this one is sampled.
    let mut pending: Option<(usize, Arc<Service>, Vec<Sample>, Child)> = None;
    for (i, (entry, expect)) in ENTRIES.iter().enumerate() {
        assert!(
            wsdl_dir.join(entry).is_file(),
            "corpus file missing: {}",
            wsdl_dir.join(entry).display()
        );
        let mut pkg = Package {
            entry,
            operations: Vec::new(),
            failures: BTreeMap::new(),
            samples: 0,
            error: None,
        };
        let dir = tmp.path().join(i.to_string());
        std::fs::create_dir_all(&dir).unwrap();
        let compiled = match compile_entry(&wsdl_dir, entry, &dir) {
            Ok(c) => c,
            Err(e) => {
                assert!(
                    matches!(expect, Expect::Error(..)),
                    "{entry} no longer compiles (see the corpus suite): {e}"
                );
                pkg.error = Some(one_line(&e, 300));
                packages.push(pkg);
                continue;
            }
        };
        let svc = Arc::new(Service::new(Arc::new(compiled)));
        pkg.operations = svc
            .operations
            .iter()
            .map(|o| o.route.operation.clone())
            .collect();
        let (samples, manifest) = build_samples(&wsdl_dir, entry, &svc, &dir);
        let manifest_file = dir.join("manifest.tsv");
        std::fs::write(&manifest_file, manifest).unwrap();
        if let Some((j, svc, samples, child)) = pending.take() {
            let v = verdicts(child);
            finish(&mut packages[j], &svc, samples, v);
        }
        let child = start_validator(&manifest_file);
        packages.push(pkg);
        pending = Some((packages.len() - 1, svc, samples, child));
    }
    if let Some((j, svc, samples, child)) = pending.take() {
        let v = verdicts(child);
        finish(&mut packages[j], &svc, samples, v);
    }

    println!(
        "{:<72} {:>10} {:>7} {:>6}",
        "package", "operations", "samples", "passed"
    );
    let (mut ops, mut passed, mut samples) = (0, 0, 0);
    for p in &packages {
        let n = p.operations.len();
        let ok = n - p.failures.len();
        (ops, passed, samples) = (ops + n, passed + ok, samples + p.samples);
        println!("{:<72} {n:>10} {:>7} {ok:>6}", p.entry, p.samples);
        if let Some(e) = &p.error {
            println!("    error: {e}");
        }
    }
    println!("{:<72} {ops:>10} {samples:>7} {passed:>6}", "total");

    if std::env::var_os("SOAPBRIDGE_COVERAGE_UPDATE").is_some() {
        write_expected(&packages);
        return;
    }
    let expected = read_expected();
    let mut changes = Vec::new();
    for p in &packages {
        for op in &p.operations {
            let key = (p.entry.to_string(), op.clone());
            match (expected.get(&key), p.failures.get(op)) {
                (None, Some(why)) => changes.push(format!("{}: {op} now fails: {why}", p.entry)),
                (Some(_), None) => changes.push(format!(
                    "{}: {op} now passes: remove it from {EXPECTED}",
                    p.entry
                )),
                _ => {}
            }
        }
    }
    for (entry, op) in expected.keys() {
        if !packages
            .iter()
            .any(|p| p.entry == entry && p.operations.contains(op))
        {
            changes.push(format!(
                "{entry}: {op} is in {EXPECTED} but not in the corpus"
            ));
        }
    }
    assert!(
        changes.is_empty(),
        "{} coverage changes:\n{}",
        changes.len(),
        changes.join("\n")
    );
}
