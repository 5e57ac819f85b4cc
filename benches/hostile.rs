//! Hostile upstream answers refused (issue 14): 100,000 attributes on one element (1.2 MB),
//! elements nested 1,000,000 deep, 4 MiB (just under the answer cap) of empty elements, each
//! read the way the server reads an answer (`read_answer`: the stream, then the tree path with
//! its linear pre-pass). Target (release, this machine): each refused in under 100 ms.

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};

use soapbridge::config::Limits;

fn envelope(inner: &str) -> String {
    format!(
        r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>{inner}</s:Body></s:Envelope>"#
    )
}

fn bench(c: &mut Criterion) {
    let svc =
        soapbridge::http::load_services(&Path::new(env!("CARGO_MANIFEST_DIR")).join("mappings"))
            .unwrap()
            .remove(0);
    let op = svc.operation("GetCustomer").unwrap();
    let limits = Limits::default();
    let attributes: String = (0..100_000).map(|i| format!(" a{i}=\"v\"")).collect();
    let answers = [
        ("100k_attributes", envelope(&format!("<x{attributes}/>"))),
        ("1e6_deep", envelope(&"<a>".repeat(1_000_000))),
        (
            "4mib_of_nodes",
            envelope(&"<b/>".repeat((limits.answer_bytes - 200) / 4)),
        ),
    ];
    let mut g = c.benchmark_group("hostile");
    g.sample_size(10);
    for (name, answer) in &answers {
        eprintln!("{name}: {} B", answer.len());
        assert!(answer.len() <= limits.answer_bytes);
        let refused = svc.read_answer(op, 200, "text/xml", answer.as_bytes(), limits.xml());
        assert!(refused.is_err(), "{name} was not refused");
        g.bench_function(*name, |b| {
            b.iter(|| {
                svc.read_answer(op, 200, "text/xml", answer.as_bytes(), limits.xml())
                    .unwrap_err()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
