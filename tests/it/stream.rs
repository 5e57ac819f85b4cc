//! The streaming decoder against the tree decoder, on every sample of the corpus coverage suite
//! (`coverage.rs`'s samples: every operation of every corpus package, requests and answers that
//! together take every branch of the schema): wherever the stream reads a message itself, its
//! JSON must be the tree decoder's, byte for byte; where it leaves the message to the tree,
//! the reason is counted. The hostile suite (`hostile_convert.rs`) checks every document it
//! decodes the same way.
//!
//! Needs the corpus (`SOAPBRIDGE_CORPUS`); `.ci/run` runs it with `--include-ignored`.

use std::collections::BTreeMap;

use serde_json::Value;
use soapbridge::convert::operation::{BodyLayout, OperationPlan, Outcome, ServicePlan};
use soapbridge::convert::stream::{self, Fallback};
use soapbridge::mock::sample::Sampler;
use soapbridge::soap::XmlLimits;

use super::corpus::{ENTRIES, Expect, compile_entry_unwrap, corpus, has_list_wrappers};
use super::coverage::{one_line, sample_fields};

/// Samples per operation and direction at most (as the coverage suite).
const MAX_SAMPLES: usize = 24;

/// How the two decoders read one envelope.
#[derive(Default)]
struct Tally {
    samples: usize,
    /// Read by both, the same bytes.
    equal: usize,
    /// Left to the tree, by reason (and whether the tree read it).
    fallbacks: BTreeMap<(String, bool), usize>,
    /// Differences (must stay empty).
    differences: Vec<String>,
}

/// Reads one envelope with both decoders and tallies the outcome.
fn compare(svc: &ServicePlan, op: &OperationPlan, input: bool, text: &str, t: &mut Tally) {
    let limits = XmlLimits::default();
    t.samples += 1;
    let (tree, streamed): (Result<String, String>, Result<String, Fallback>) = if input {
        let tree = svc
            .read_request(op, text, limits)
            .map_err(|e| e.to_string());
        let streamed = match (&op.input, op.input_encoding) {
            (BodyLayout::Element { name, type_id }, None) => {
                let mut out = Vec::new();
                stream::read_body_element(
                    &svc.compiled.wsdl.schema,
                    &svc.model,
                    text,
                    limits,
                    op.soap,
                    name,
                    *type_id,
                    None,
                    None,
                    &mut out,
                )
                .map(|()| String::from_utf8(out).unwrap())
            }
            _ => Err(Fallback::Unsupported),
        };
        (tree, streamed)
    } else {
        let tree = match svc.tree_response(op, text, limits) {
            Ok(a) => match a.outcome {
                Outcome::Ok(json) => Ok(json),
                Outcome::Fault { message, .. } => Err(format!("a fault: {message}")),
            },
            Err(e) => Err(e.to_string()),
        };
        (tree, svc.stream_response(op, text, limits))
    };
    match (tree, streamed) {
        (Ok(a), Ok(b)) if a == b => t.equal += 1,
        (tree, Ok(b)) => t.differences.push(format!(
            "{} {}:\n  tree   {}\n  stream {}\n  envelope {}",
            op.route.operation,
            if input { "request" } else { "answer" },
            one_line(&format!("{tree:?}"), 300),
            one_line(&b, 300),
            one_line(text, 600),
        )),
        (tree, Err(why)) => {
            *t.fallbacks
                .entry((format!("{why:?}"), tree.is_ok()))
                .or_default() += 1
        }
    }
}

#[test]
#[ignore = "needs SOAPBRIDGE_CORPUS (the corpus); .ci/run runs it"]
fn the_streaming_decoder_writes_what_the_tree_decoder_writes_on_every_coverage_sample() {
    both_decoders(true);
}

/// The same with `unwrap_lists: false` (the wrapper objects).
#[test]
#[ignore = "needs SOAPBRIDGE_CORPUS (the corpus); .ci/run runs it"]
fn the_streaming_decoder_writes_what_the_tree_decoder_writes_with_unwrap_lists_off() {
    both_decoders(false);
}

/// Every coverage sample read by both decoders, list wrappers unwrapped (as generated) or not.
fn both_decoders(unwrap: bool) {
    let corpus = corpus();
    let wsdl_dir = corpus.join("wsdl");
    let tmp = tempfile::tempdir().unwrap();
    let mut t = Tally::default();
    let mut per_entry = Vec::new();
    for (i, (entry, expect)) in ENTRIES.iter().enumerate() {
        if matches!(expect, Expect::Error(..)) {
            continue;
        }
        let dir = tmp.path().join(i.to_string());
        std::fs::create_dir_all(&dir).unwrap();
        let compiled =
            compile_entry_unwrap(&wsdl_dir, entry, &dir, unwrap).unwrap_or_else(|e| panic!("{e}"));
        if !unwrap && !has_list_wrappers(&compiled) {
            // Nothing to unwrap: the run with `unwrap_lists: true` read the same.
            continue;
        }
        let mut svc = ServicePlan::new(std::sync::Arc::new(compiled));
        // The decoders alone (`stream_validate.rs` compares the stream validating as it reads).
        svc.validation = None;
        let schema = &svc.compiled.wsdl.schema;
        let (before, equal_before) = (t.samples, t.equal);
        for (oi, op) in svc.operations.iter().enumerate() {
            for (input, layout) in [(true, &op.input), (false, &op.output)] {
                let mut sampler = Sampler::walk(schema, &svc.model, oi as u64 + 1);
                for _ in 0..MAX_SAMPLES {
                    let Ok(fields) = sample_fields(&mut sampler, layout) else {
                        break;
                    };
                    let envelope = if input {
                        svc.request(op, &fields, None)
                    } else {
                        svc.answer(op, &Value::Object(fields))
                    };
                    if let Ok(envelope) = envelope {
                        compare(
                            &svc,
                            op,
                            input,
                            &String::from_utf8(envelope).unwrap(),
                            &mut t,
                        );
                    }
                    if sampler.covered() {
                        break;
                    }
                }
            }
        }
        per_entry.push(format!(
            "{entry:<72} {:>6} {:>6}",
            t.samples - before,
            t.equal - equal_before
        ));
    }
    println!("{:<72} {:>6} {:>6}", "entry", "read", "streamed");
    for line in &per_entry {
        println!("{line}");
    }
    println!(
        "{} envelopes: {} streamed with the same JSON, {} left to the tree",
        t.samples,
        t.equal,
        t.samples - t.equal - t.differences.len()
    );
    for ((why, tree_read), n) in &t.fallbacks {
        println!(
            "  left to the tree ({why}), {}: {n}",
            if *tree_read {
                "tree read it"
            } else {
                "tree refused it"
            }
        );
    }
    assert!(
        t.differences.is_empty(),
        "{} envelopes read differently:\n{}",
        t.differences.len(),
        t.differences.join("\n")
    );
    // The coverage suite's ~10,500 envelopes; most of them the stream reads itself.
    // (With unwrap_lists off, only the entries that have list wrappers: fewer.)
    let least = if unwrap { 10_000 } else { 1_000 };
    assert!(t.samples > least, "only {} samples", t.samples);
    assert!(
        t.equal * 2 > t.samples,
        "the stream read only {} of {}",
        t.equal,
        t.samples
    );
}
