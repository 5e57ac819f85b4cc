//! Per-request conversion on the sample service: request JSON -> envelope bytes, and response
//! bytes -> JSON, for a small (~350 B) and a large (~100 KB) payload.
//! Targets (release, one core): small round trip under 20 µs; the large answer decoded at
//! 400 MB/s or more (`large/answer_to_json`, the streaming decoder; `large/answer_to_json_tree`
//! is the tree decoder on the same answer); answer validation adding at most 15% to that
//! (`large/answer_to_json_validated`); a large request envelope written at 300 MB/s or more
//! (`large/request_json_to_envelope`, throughput counted in envelope bytes).
//! `bench/criterion.sh` saves and compares baselines of these.

use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::{Map, json};

use soapbridge::convert::operation::ServicePlan;
use soapbridge::mock::Mock;
use soapbridge::soap::XmlLimits;

mod common;
use common::{large_find_answer, large_order_request};

fn bench(c: &mut Criterion) {
    // Conversion alone: the sample mapping with answer validation off (as the serve issue's
    // figures were taken); `validated` below adds the default `warn` check of answers.
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("mappings/crm.yaml");
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("validate_answers: warn\n", "validate_answers: off\n");
    assert!(text.contains("validate_answers: off\n"));
    let svc = std::sync::Arc::new(ServicePlan::new(std::sync::Arc::new(
        soapbridge::mapping::compile::compile_str(&file, &text).unwrap(),
    )));
    let validated =
        soapbridge::http::load_services(&Path::new(env!("CARGO_MANIFEST_DIR")).join("mappings"))
            .unwrap()
            .remove(0);
    let mock = Mock::new(svc.clone());
    let op = |n: &str| svc.operation(n).unwrap();

    // Small: GetCustomer's request, GetOrderStatus's answer.
    let mut fields = Map::new();
    fields.insert("customerId".into(), json!(42));
    let get_customer = op("GetCustomer");
    let small_request = svc.request(get_customer, &fields, None).unwrap();
    let status_op = op("GetOrderStatus");
    let small_answer = String::from_utf8(mock.sample_response(status_op, 0)).unwrap();
    eprintln!(
        "small request {} B, small answer {} B",
        small_request.len(),
        small_answer.len()
    );

    // Large: FindCustomers answering ~100 KB of customers.
    let find = op("FindCustomers");
    let large_answer = large_find_answer(&svc, find);
    eprintln!("large answer {} B", large_answer.len());

    let limits = XmlLimits::default();
    let mut g = c.benchmark_group("convert");
    g.bench_function("small/request_json_to_envelope", |b| {
        b.iter(|| svc.request(get_customer, &fields, None).unwrap())
    });
    g.bench_function("small/answer_to_json", |b| {
        b.iter(|| svc.response(status_op, &small_answer, limits).unwrap())
    });
    g.bench_function("small/round_trip", |b| {
        b.iter(|| {
            let env = svc.request(get_customer, &fields, None).unwrap();
            let out = svc.response(status_op, &small_answer, limits).unwrap();
            (env, out)
        })
    });
    g.throughput(Throughput::Bytes(large_answer.len() as u64));
    g.bench_function("large/xml_parse_only", |b| {
        b.iter(|| {
            soapbridge::soap::parse(&large_answer, limits)
                .unwrap()
                .descendants()
                .count()
        })
    });
    g.bench_function("large/answer_to_json", |b| {
        b.iter(|| svc.response(find, &large_answer, limits).unwrap())
    });
    g.bench_function("large/answer_to_json_tree", |b| {
        b.iter(|| svc.tree_response(find, &large_answer, limits).unwrap())
    });
    let find_validated = validated.operation("FindCustomers").unwrap();
    g.bench_function("large/answer_to_json_validated", |b| {
        b.iter(|| {
            validated
                .response(find_validated, &large_answer, limits)
                .unwrap()
        })
    });
    // Large request: PlaceOrder with 400 lines, JSON fields -> envelope.
    let place = op("PlaceOrder");
    let order = large_order_request(&svc, place);
    let envelope_len = svc.request(place, &order, None).unwrap().len();
    eprintln!("large request envelope {envelope_len} B");
    g.throughput(Throughput::Bytes(envelope_len as u64));
    g.bench_function("large/request_json_to_envelope", |b| {
        b.iter(|| svc.request(place, &order, None).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
