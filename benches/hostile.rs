//! Hostile upstream answers refused (issue 14): 100,000 attributes on one element (1.2 MB),
//! elements nested 1,000,000 deep, 4 MiB (just under the answer cap) of empty elements, each
//! read the way the server reads an answer (`read_answer`: the stream, then the tree path with
//! its linear pre-pass). Target (release, this machine): each refused in under 100 ms of CPU
//! (the `hostile_cpu` group; `hostile` is wall time). The README has the figures.

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
    let refuse = |answer: &String| {
        svc.read_answer(op, 200, "text/xml", answer.as_bytes(), limits.xml())
            .unwrap_err()
    };
    let mut g = c.benchmark_group("hostile");
    g.sample_size(10);
    for (name, answer) in &answers {
        eprintln!("{name}: {} B", answer.len());
        assert!(answer.len() <= limits.answer_bytes);
        let refused = svc.read_answer(op, 200, "text/xml", answer.as_bytes(), limits.xml());
        assert!(refused.is_err(), "{name} was not refused");
        g.bench_function(*name, |b| b.iter(|| refuse(answer)));
    }
    g.finish();
    // The same in CPU time of the reading thread (the target's unit; preemption on a shared
    // machine does not count).
    let mut g = c.benchmark_group("hostile_cpu");
    g.sample_size(10);
    for (name, answer) in &answers {
        g.bench_function(*name, |b| {
            b.iter_custom(|iters| {
                let start = thread_cpu();
                for _ in 0..iters {
                    std::hint::black_box(refuse(answer));
                }
                thread_cpu() - start
            })
        });
    }
    g.finish();
}

/// The calling thread's CPU time.
fn thread_cpu() -> std::time::Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid timespec for the call to fill.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    assert_eq!(rc, 0);
    std::time::Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

criterion_group!(benches, bench);
criterion_main!(benches);
