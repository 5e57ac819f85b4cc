//! Validation of a ~100 KB answer of the sample service (FindCustomers with 95 customers),
//! compared with parsing it. Target (release): validation adds no more than 30% to parsing.
//! `large/stream_validated` is what answers cost by default: decoded to JSON and validated in
//! one pass, no tree (compare with `convert`'s `large/answer_to_json`, the same without
//! validation).

use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use soapbridge::convert::operation::BodyLayout;
use soapbridge::soap::XmlLimits;
use soapbridge::xsd::validate::Validator;

mod common;
use common::large_find_answer;

fn bench(c: &mut Criterion) {
    let svc =
        soapbridge::http::load_services(&Path::new(env!("CARGO_MANIFEST_DIR")).join("mappings"))
            .unwrap()
            .remove(0);
    let find = svc.operation("FindCustomers").unwrap();
    let answer = large_find_answer(&svc, find);
    eprintln!("large answer {} B", answer.len());
    let schema = &svc.compiled.wsdl.schema;
    let validator = Validator::new(schema);
    let BodyLayout::Element { name, .. } = &find.output else {
        unreachable!()
    };
    let decl = schema.global_elements[name];
    let limits = XmlLimits::default();
    {
        let doc = soapbridge::soap::parse(&answer, limits).unwrap();
        let v = validator.validate_element(body_child(&doc, &name.local), decl);
        assert!(v.is_empty(), "the benchmark answer is not valid: {v:?}");
    }

    let mut g = c.benchmark_group("validate");
    g.throughput(Throughput::Bytes(answer.len() as u64));
    g.bench_function("large/parse", |b| {
        b.iter(|| {
            soapbridge::soap::parse(&answer, limits)
                .unwrap()
                .root()
                .id()
        })
    });
    // Validation alone, on a document parsed once (what parse_and_validate adds to parse).
    let parsed = soapbridge::soap::parse(&answer, limits).unwrap();
    let element = body_child(&parsed, &name.local);
    g.bench_function("large/validate", |b| {
        b.iter(|| validator.validate_element(element, decl).len())
    });
    // The default path: the streaming decoder with the schema's stepper watching its reader.
    assert!(
        svc.validation.is_some(),
        "the sample mapping validates answers"
    );
    svc.stream_response(find, &answer, limits)
        .expect("the stream shows the benchmark answer valid");
    g.bench_function("large/stream_validated", |b| {
        b.iter(|| svc.stream_response(find, &answer, limits).unwrap().len())
    });
    g.bench_function("large/parse_and_validate", |b| {
        b.iter(|| {
            let doc = soapbridge::soap::parse(&answer, limits).unwrap();
            validator
                .validate_element(body_child(&doc, &name.local), decl)
                .len()
        })
    });
    g.finish();
}

/// The Body child: the element named `local`.
fn body_child<'a, 'i>(doc: &'a roxmltree::Document<'i>, local: &str) -> roxmltree::Node<'a, 'i> {
    doc.descendants()
        .find(|n| n.is_element() && n.tag_name().name() == local)
        .unwrap()
}

criterion_group!(benches, bench);
criterion_main!(benches);
