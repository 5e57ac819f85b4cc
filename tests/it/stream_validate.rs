//! Answer validation in the streaming decoder's pass against the tree validator, on every answer
//! sample of the corpus coverage suite (`coverage.rs`'s samples) and on copies with one mutation
//! each (`differential.rs`'s: a wrong enumeration value, a missing required element, an extra
//! element, a bad number, too many items).
//!
//! For each envelope: the tree validator's verdict (valid, or its first violation's path and
//! rule) beside the stream's ([`ServicePlan::stream_response`] with validation on). Wherever the
//! stream shows an answer valid, the tree must find no violation and the JSON must be the tree
//! decoder's; where it stops, the reason is counted (a violation, or a construct it leaves to
//! the tree). Then the default path (`response_with_headers`, as `validate_answers: warn` serves)
//! must give the tree's verdict on every envelope: the answers counted invalid are exactly those
//! the tree validator refuses (their violations are the tree validator's, path and rule, since
//! only the tree path reports them).
//!
//! Needs the corpus (`SOAPBRIDGE_CORPUS`); `.ci/run` runs it with `--include-ignored`.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;

use serde_json::Value;
use soapbridge::convert::operation::{BodyLayout, OperationPlan, Outcome, ServicePlan};
use soapbridge::convert::stream::Fallback;
use soapbridge::mapping::format::AnswerValidation;
use soapbridge::mock::sample::Sampler;
use soapbridge::soap::XmlLimits;
use soapbridge::xsd::QName;
use soapbridge::xsd::validate::Validator;

use super::corpus::{ENTRIES, Expect, compile_entry, corpus};
use super::coverage::{one_line, sample_fields};
use super::differential::mutations;

/// Samples per operation at most (as the coverage suite).
const MAX_SAMPLES: usize = 24;

/// What the two validators said.
#[derive(Default)]
struct Tally {
    /// Envelopes judged, valid (by the tree) and invalid.
    valid: usize,
    invalid: usize,
    /// Valid answers the stream showed valid itself.
    proven: usize,
    /// Invalid answers the stream stopped at (a violation it saw, or earlier).
    stopped: usize,
    /// Where the stream left an answer to the tree: (valid or not, reason).
    left: BTreeMap<(bool, String), usize>,
    /// Disagreements (must stay empty).
    differences: Vec<String>,
}

/// The tree validator's verdict on an answer: `None` when valid, else the first violation's
/// path and rule (`check_answer`'s order: every Body element of the message's name).
fn tree_verdict(svc: &ServicePlan, name: &QName, text: &str) -> Option<(String, &'static str)> {
    let schema = &svc.compiled.wsdl.schema;
    let v = Validator::with(schema, svc.validation.clone().expect("validation on"));
    let doc = soapbridge::soap::parse(text, XmlLimits::default()).ok()?;
    let decl = *schema.global_elements.get(name)?;
    let body = doc
        .root_element()
        .children()
        .find(|c| c.is_element() && c.tag_name().name() == "Body")?;
    let mut violations = Vec::new();
    for c in body.children().filter(|c| c.is_element()) {
        if c.tag_name().name() == name.local && c.tag_name().namespace().unwrap_or("") == name.ns {
            violations.extend(v.validate_element(c, decl));
        }
    }
    violations.first().map(|v| (v.path.clone(), v.rule))
}

/// Judges one answer both ways and tallies it.
fn judge(
    svc: &ServicePlan,
    op: &OperationPlan,
    name: &QName,
    text: &str,
    what: &str,
    t: &mut Tally,
) {
    let limits = XmlLimits::default();
    let tree = tree_verdict(svc, name, text);
    let valid = tree.is_none();
    if valid {
        t.valid += 1;
    } else {
        t.invalid += 1;
    }
    match svc.stream_response(op, text, limits) {
        Ok(json) => {
            if let Some((path, rule)) = &tree {
                t.differences.push(format!(
                    "{} ({what}): the stream showed valid what the tree refuses at {path} ({rule}):\n  {}",
                    op.route.operation,
                    one_line(text, 600)
                ));
            } else {
                t.proven += 1;
            }
            let by_tree = svc.tree_response(op, text, limits).map(|a| a.outcome);
            if by_tree.as_ref().ok() != Some(&Outcome::Ok(json.clone())) {
                t.differences.push(format!(
                    "{} ({what}): the JSON differs:\n  tree   {}\n  stream {}",
                    op.route.operation,
                    one_line(&format!("{by_tree:?}"), 300),
                    one_line(&json, 300)
                ));
            }
        }
        Err(why) => {
            if !valid && matches!(why, Fallback::Unproven(_)) {
                t.stopped += 1;
            }
            let why = match why {
                Fallback::Unproven(u) => format!("not shown valid: {u:?}"),
                other => format!("decoder: {other:?}"),
            };
            *t.left.entry((valid, why)).or_default() += 1;
        }
    }
    // The default path: the tree's verdict, counted as the metrics count it.
    let before = svc.answers_invalid.load(Ordering::Relaxed);
    let served = svc.response_with_headers(op, text, limits);
    let counted = svc.answers_invalid.load(Ordering::Relaxed) - before;
    if counted != u64::from(!valid) {
        t.differences.push(format!(
            "{} ({what}): the default path counted {counted} invalid, the tree says {tree:?} ({}):\n  {}",
            op.route.operation,
            if served.is_ok() { "served" } else { "refused" },
            one_line(text, 600)
        ));
    }
}

#[test]
#[ignore = "needs SOAPBRIDGE_CORPUS (the corpus); .ci/run runs it"]
fn the_streaming_validator_gives_the_tree_validators_verdict_on_every_coverage_answer() {
    let corpus = corpus();
    let wsdl_dir = corpus.join("wsdl");
    let tmp = tempfile::tempdir().unwrap();
    let mut t = Tally::default();
    for (i, (entry, expect)) in ENTRIES.iter().enumerate() {
        if matches!(expect, Expect::Error(..)) {
            continue;
        }
        let dir = tmp.path().join(i.to_string());
        std::fs::create_dir_all(&dir).unwrap();
        let compiled = compile_entry(&wsdl_dir, entry, &dir).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(compiled.validate_answers, AnswerValidation::Warn, "{entry}");
        let svc = ServicePlan::new(std::sync::Arc::new(compiled));
        let schema = &svc.compiled.wsdl.schema;
        for (oi, op) in svc.operations.iter().enumerate() {
            let BodyLayout::Element { name, .. } = &op.output else {
                continue;
            };
            if op.output_encoding.is_some() {
                continue;
            }
            let mut sampler = Sampler::walk(schema, &svc.model, oi as u64 + 1);
            for _ in 0..MAX_SAMPLES {
                let Ok(fields) = sample_fields(&mut sampler, &op.output) else {
                    break;
                };
                if let Ok(envelope) = svc.answer(op, &Value::Object(fields)) {
                    let text = String::from_utf8(envelope).unwrap();
                    judge(&svc, op, name, &text, "sample", &mut t);
                    for (kind, mutated, what) in mutations(schema, &text) {
                        let what = format!("{}: {what}", kind.name());
                        judge(&svc, op, name, &mutated, &what, &mut t);
                    }
                }
                if sampler.covered() {
                    break;
                }
            }
        }
    }
    println!(
        "{} answers valid by the tree, {} shown valid in the stream; {} invalid, {} stopped in the stream",
        t.valid, t.proven, t.invalid, t.stopped
    );
    for ((valid, why), n) in &t.left {
        let kind = if *valid { "valid" } else { "invalid" };
        println!("  left to the tree, {kind}, {why}: {n}");
    }
    assert!(
        t.differences.is_empty(),
        "{} disagreements:\n{}",
        t.differences.len(),
        t.differences.join("\n")
    );
    // Thousands of answers and their mutations. Of the valid answers the streaming decoder reads
    // itself (the rest, wildcards and the like, the tree decoder reads whatever validation
    // says), most the stream shows valid in the same pass.
    assert!(
        t.valid > 3_000 && t.invalid > 3_000,
        "{} / {}",
        t.valid,
        t.invalid
    );
    let decoded = t.valid
        - t.left
            .iter()
            .filter(|((valid, why), _)| *valid && why.starts_with("decoder"))
            .map(|(_, n)| n)
            .sum::<usize>();
    assert!(
        t.proven * 4 > decoded * 3,
        "the stream showed only {} of the {} valid answers it decodes valid",
        t.proven,
        decoded
    );
}

/// With `validate_answers` on (here `strict`), a valid answer is read and shown valid in one
/// pass; an invalid one is stopped in the stream and refused with the tree validator's first
/// violation (path and message), counted once.
#[test]
fn answers_are_validated_in_the_stream_and_violations_worded_by_the_tree() {
    let (_d, svc) = super::examples::doc_service(
        r#"<xs:element name="In" type="xs:string"/>
  <xs:element name="Out"><xs:complexType><xs:sequence>
    <xs:element name="n" type="xs:int" maxOccurs="2"/>
    <xs:element name="s" type="xs:string" minOccurs="0"/>
  </xs:sequence><xs:attribute name="v" type="xs:int"/></xs:complexType></xs:element>"#,
    );
    let op = svc.operation("Op").unwrap();
    let name = QName::new("urn:t", "Out");
    let envelope = |body: &str| {
        format!(
            r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><t:Out xmlns:t="urn:t" v="1">{body}</t:Out></s:Body></s:Envelope>"#
        )
    };
    let limits = XmlLimits::default();
    let valid = envelope("<t:n>1</t:n><t:n>2</t:n><t:s>x</t:s>");
    let json = svc.stream_response(op, &valid, limits).unwrap();
    assert_eq!(json, r#"{"v":1,"n":[1,2],"s":"x"}"#);
    assert_eq!(
        svc.response(op, &valid, limits).unwrap(),
        Outcome::Ok(json.clone())
    );
    assert_eq!(svc.answers_invalid.load(Ordering::Relaxed), 0);
    for (body, path) in [
        ("<t:n>1</t:n><t:n>x</t:n>", "/Envelope/Body/Out/n[2]"),
        (
            "<t:n>1</t:n><t:n>2</t:n><t:n>3</t:n>",
            "/Envelope/Body/Out/n[3]",
        ),
        ("<t:s>x</t:s>", "/Envelope/Body/Out"),
    ] {
        let text = envelope(body);
        assert_eq!(
            svc.stream_response(op, &text, limits),
            Err(Fallback::Unproven(
                soapbridge::xsd::validate::Unproven::Violation
            )),
            "{body}"
        );
        let (first, _) = tree_verdict(&svc, &name, &text).expect("invalid");
        assert_eq!(first, path);
        let before = svc.answers_invalid.load(Ordering::Relaxed);
        let e = svc.response(op, &text, limits).unwrap_err();
        assert!(
            matches!(&e, soapbridge::convert::error::AnswerError::OutsideSchema { path: p, .. } if p == path),
            "{e:?}"
        );
        assert_eq!(svc.answers_invalid.load(Ordering::Relaxed), before + 1);
    }
}
