//! The benchmark's canned SOAP upstream (`cargo run --release --example bench-upstream`), and
//! the material the benchmark serves. Two commands:
//!
//! - `prepare DIR UPSTREAM_ADDR`: from the sample mapping (`mappings/crm.yaml`), writes into DIR
//!   one mapping per workload (`mappings/<name>.yaml`: the sample's, under `/<name>` and calling
//!   `http://UPSTREAM_ADDR/<name>`), the answer envelope the upstream gives (`<name>.answer.xml`),
//!   the request envelope the bridge sends for the workload's route (`<name>.request.xml`, which
//!   the nginx baseline sends pre-built), its SOAPAction (`<name>.action`) and the route
//!   (`<name>.route`). Workloads: `small` (GetOrderStatus, ~350 B), `medium` (FindCustomers with
//!   ~10 KiB of customers) and `large` (~100 KiB).
//! - `serve ADDR DIR [WORKERS]`: answers `POST /<name>` with the stored answer, after checking
//!   that the request's SOAPAction is the workload's (else a SOAP fault, status 500). Nothing is
//!   parsed or allocated per request beyond what actix-web does, so it is never the bottleneck.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use actix_web::web::{Bytes, Data};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::{Map, Value, json};

use soapbridge::convert::operation::{BodyLayout, OperationPlan, ServicePlan};
use soapbridge::mock::sample::Sampler;

/// One workload: its name (URL prefix), operation, route and how many customers its answer holds.
struct Workload {
    name: &'static str,
    operation: &'static str,
    /// The bridge's route, under `/<name>` (GET).
    route: &'static str,
    /// FindCustomers: customers in the answer (`None`: the mock's sample answer).
    customers: Option<usize>,
}

const WORKLOADS: [Workload; 3] = [
    Workload {
        name: "small",
        operation: "GetOrderStatus",
        route: "/api/customer/order-status/42",
        customers: None,
    },
    Workload {
        name: "medium",
        operation: "FindCustomers",
        route: "/api/customer/customers?name=Smith&maxResults=10",
        customers: Some(10),
    },
    Workload {
        name: "large",
        operation: "FindCustomers",
        route: "/api/customer/customers?name=Smith&maxResults=95",
        customers: Some(95),
    },
];

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["prepare", dir, addr] => {
            prepare(Path::new(dir), addr);
            Ok(())
        }
        ["serve", addr, dir] => serve(addr, Path::new(dir), 1),
        ["serve", addr, dir, workers] => serve(
            addr,
            Path::new(dir),
            workers.parse().expect("WORKERS is a number"),
        ),
        _ => {
            eprintln!("usage: bench-upstream prepare DIR UPSTREAM_ADDR | serve ADDR DIR [WORKERS]");
            std::process::exit(2);
        }
    }
}

/// Writes the mappings and envelopes of every workload into `dir`.
fn prepare(dir: &Path, upstream: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sample =
        std::fs::read_to_string(root.join("mappings/crm.yaml")).expect("the sample mapping");
    let wsdl = root.join("wsdl/crm.wsdl");
    let mappings = dir.join("mappings");
    std::fs::create_dir_all(&mappings).expect("the output folder");
    for w in &WORKLOADS {
        let text = sample
            .replace(
                "wsdl: ../wsdl/crm.wsdl",
                &format!("wsdl: {}", wsdl.display()),
            )
            .replace(
                "url: ${CUSTOMER_URL}",
                &format!("url: http://{upstream}/{}", w.name),
            )
            .replace(
                "base_path: /api/customer",
                &format!("base_path: /{}/api/customer", w.name),
            );
        let file = mappings.join(format!("{}.yaml", w.name));
        std::fs::write(&file, &text).expect("a mapping");
        let compiled = soapbridge::mapping::compile::compile_file(&file)
            .unwrap_or_else(|d| panic!("the workload's mapping does not compile: {d}"));
        let svc = ServicePlan::new(Arc::new(compiled));
        let op = svc
            .operation(w.operation)
            .expect("the workload's operation");
        let answer = answer(&svc, op, w.customers);
        let request = svc
            .request(op, &request_fields(w), None)
            .unwrap_or_else(|e| panic!("the workload's request: {e:?}"));
        let put = |ext: &str, bytes: &[u8]| {
            std::fs::write(dir.join(format!("{}.{ext}", w.name)), bytes).expect("a file")
        };
        put("answer.xml", &answer);
        put("request.xml", &request);
        put("action", op.action.as_deref().unwrap_or("").as_bytes());
        put("route", format!("/{}{}", w.name, w.route).as_bytes());
        eprintln!(
            "{}: {} answer {} B, request {} B",
            w.name,
            w.operation,
            answer.len(),
            request.len()
        );
    }
}

/// The inputs of the workload's route, as the bridge gathers them from its URL.
fn request_fields(w: &Workload) -> Map<String, Value> {
    let mut m = Map::new();
    match w.customers {
        None => {
            m.insert("orderId".into(), json!(42));
        }
        Some(n) => {
            m.insert("name".into(), json!("Smith"));
            m.insert("maxResults".into(), json!(n));
        }
    }
    m
}

/// The workload's answer envelope: the mock's sample, or `customers` sample customers.
fn answer(svc: &ServicePlan, op: &OperationPlan, customers: Option<usize>) -> Vec<u8> {
    let BodyLayout::Element { type_id, .. } = &op.output else {
        panic!("the sample's operations are document/literal");
    };
    let schema = &svc.compiled.wsdl.schema;
    let mut body = Sampler::new(schema, &svc.model, 0).value(*type_id);
    if let Some(n) = customers {
        let one = body["findCustomersResult"]["customer"][0].clone();
        let all: Vec<Value> = (0..n)
            .map(|i| {
                let mut c = one.clone();
                c["customerId"] = json!(i);
                c
            })
            .collect();
        body = json!({ "findCustomersResult": { "customer": all } });
    }
    svc.answer(op, &body)
        .unwrap_or_else(|e| panic!("the workload's answer: {e:?}"))
}

/// A stored answer and the SOAPAction header value that asks for it.
struct Canned {
    action: String,
    answer: Bytes,
}

/// Serves the stored answers of `dir` on `addr`.
fn serve(addr: &str, dir: &Path, workers: usize) -> std::io::Result<()> {
    let mut canned: HashMap<String, Canned> = HashMap::new();
    for w in &WORKLOADS {
        let read = |ext: &str| -> Vec<u8> {
            let f: PathBuf = dir.join(format!("{}.{ext}", w.name));
            std::fs::read(&f).unwrap_or_else(|e| panic!("{}: {e} (run prepare first)", f.display()))
        };
        let action = String::from_utf8(read("action")).expect("UTF-8");
        canned.insert(
            format!("/{}", w.name),
            Canned {
                action: format!("\"{action}\""),
                answer: Bytes::from(read("answer.xml")),
            },
        );
    }
    let canned = Data::new(canned);
    actix_web::rt::System::new().block_on(
        HttpServer::new(move || {
            App::new()
                .app_data(canned.clone())
                .default_service(web::to(answer_one))
        })
        .workers(workers)
        .backlog(1024)
        .bind(addr)?
        .run(),
    )
}

/// The stored answer for the request's path, when its SOAPAction is the workload's. The request's
/// body is read (and dropped): a server closes a connection whose request it left unread.
async fn answer_one(
    req: HttpRequest,
    _body: Bytes,
    canned: Data<HashMap<String, Canned>>,
) -> HttpResponse {
    let action = req
        .headers()
        .get("soapaction")
        .map(|v| v.as_bytes())
        .unwrap_or(b"");
    match canned.get(req.path()) {
        Some(c) if c.action.as_bytes() == action => HttpResponse::Ok()
            .content_type("text/xml; charset=utf-8")
            .body(c.answer.clone()),
        _ => HttpResponse::InternalServerError()
            .content_type("text/xml; charset=utf-8")
            .body(
                "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>\
                 <soap:Fault><faultcode>soap:Client</faultcode><faultstring>no canned answer for \
                 this path and SOAPAction</faultstring></soap:Fault></soap:Body></soap:Envelope>",
            ),
    }
}
