//! The hot path's workloads, for counting their instructions (`bench/instructions.sh` runs each
//! under callgrind, counting only inside [`measured`]): `bench-count WORKLOAD ITERATIONS`.
//!
//! Workloads, on the sample mapping (`mappings/crm.yaml`; answer validation off unless named):
//! - `small_round_trip`: GetCustomer's request JSON -> envelope, and GetOrderStatus's ~350 B
//!   answer -> JSON (what `cargo bench --bench convert` calls `small/round_trip`);
//! - `large_decode`: FindCustomers' ~100 KiB answer -> JSON (the streaming decoder);
//! - `large_decode_tree`: the same answer read by the tree decoder;
//! - `large_decode_validated`: the same answer with `validate_answers: warn` (the default: the
//!   streaming decoder, validating in its pass);
//! - `large_decode_validated_tree`: the same, by the tree decoder and validator (what answers
//!   cost before validation moved into the stream; not in the default list);
//! - `large_encode`: a ~100 KiB PlaceOrder request JSON -> envelope.

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;

use serde_json::{Map, json};

use soapbridge::convert::operation::ServicePlan;
use soapbridge::mock::Mock;
use soapbridge::soap::XmlLimits;

#[path = "../benches/common/mod.rs"]
mod common;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [workload, n] = args.as_slice() else {
        eprintln!("usage: bench-count WORKLOAD ITERATIONS");
        std::process::exit(2);
    };
    let n: usize = n.parse().expect("ITERATIONS is a number");
    let limits = XmlLimits::default();
    let run: Box<dyn Fn()> = match workload.as_str() {
        "small_round_trip" => {
            let svc = plan(false);
            let (get, status) = (index(&svc, "GetCustomer"), index(&svc, "GetOrderStatus"));
            let mut fields = Map::new();
            fields.insert("customerId".into(), json!(42));
            let mock = Mock::new(svc.clone());
            let answer =
                String::from_utf8(mock.sample_response(&svc.operations[status], 0)).unwrap();
            Box::new(move || {
                black_box(svc.request(&svc.operations[get], &fields, None).unwrap());
                black_box(
                    svc.response(&svc.operations[status], &answer, limits)
                        .unwrap(),
                );
            })
        }
        "large_decode"
        | "large_decode_tree"
        | "large_decode_validated"
        | "large_decode_validated_tree" => {
            let svc = plan(workload.starts_with("large_decode_validated"));
            let find = index(&svc, "FindCustomers");
            let answer = common::large_find_answer(&svc, &svc.operations[find]);
            let tree = workload.ends_with("_tree");
            Box::new(move || {
                let op = &svc.operations[find];
                if tree {
                    black_box(svc.tree_response(op, &answer, limits).unwrap());
                } else {
                    black_box(svc.response(op, &answer, limits).unwrap());
                }
            })
        }
        "large_encode" => {
            let svc = plan(false);
            let place = index(&svc, "PlaceOrder");
            let fields = common::large_order_request(&svc, &svc.operations[place]);
            Box::new(move || {
                black_box(svc.request(&svc.operations[place], &fields, None).unwrap());
            })
        }
        other => {
            eprintln!("unknown workload {other}");
            std::process::exit(2);
        }
    };
    run();
    measured(&*run, n);
}

/// The index of the sample's operation `name`.
fn index(svc: &ServicePlan, name: &str) -> usize {
    svc.operations
        .iter()
        .position(|o| o.route.operation == name)
        .expect("an operation of the sample")
}

/// The iterations counted (callgrind's `--toggle-collect` names this function).
#[inline(never)]
fn measured(run: &dyn Fn(), n: usize) {
    for _ in 0..n {
        run();
    }
}

/// The sample mapping, with answer validation as shipped (`warn`) or off.
fn plan(validate: bool) -> Arc<ServicePlan> {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("mappings/crm.yaml");
    let mut text = std::fs::read_to_string(&file).unwrap();
    if !validate {
        text = text.replace("validate_answers: warn\n", "validate_answers: off\n");
    }
    let compiled = soapbridge::mapping::compile::compile_str(&file, &text).unwrap();
    Arc::new(ServicePlan::new(Arc::new(compiled)))
}
