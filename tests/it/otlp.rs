//! OpenTelemetry export against a real OTLP/HTTP receiver: a server on 127.0.0.1 that decodes
//! each export as the OTLP protobuf (`ExportTraceServiceRequest`, from `opentelemetry-proto`).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value as Any;
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message;
use soapbridge::config::Config;

use super::observe::{Mode, get, sample_service, start_bridge, start_upstream};

/// Every span the receiver decoded, with its resource's `service.name`.
type Received = Arc<Mutex<Vec<(String, Span)>>>;

/// Starts the receiver; its traces URL and what it decodes.
fn start_receiver() -> (String, Received) {
    let spans = Arc::new(Mutex::new(Vec::new()));
    let s = spans.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = HttpServer::new(move || {
        let s = s.clone();
        App::new().route(
            "/v1/traces",
            web::post().to(move |req: HttpRequest, body: web::Bytes| {
                let s = s.clone();
                async move {
                    assert_eq!(
                        req.headers().get("content-type").unwrap(),
                        "application/x-protobuf"
                    );
                    let export = ExportTraceServiceRequest::decode(body.as_ref())
                        .expect("an OTLP protobuf export");
                    for rs in export.resource_spans {
                        let service = rs
                            .resource
                            .iter()
                            .flat_map(|r| &r.attributes)
                            .find(|a| a.key == "service.name")
                            .and_then(|a| a.value.as_ref()?.value.as_ref())
                            .map(|v| match v {
                                Any::StringValue(s) => s.clone(),
                                _ => String::new(),
                            })
                            .unwrap_or_default();
                        for ss in rs.scope_spans {
                            for span in ss.spans {
                                s.lock().unwrap().push((service.clone(), span));
                            }
                        }
                    }
                    HttpResponse::Ok()
                        .content_type("application/x-protobuf")
                        .body(Vec::new())
                }
            }),
        )
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .unwrap()
    .run();
    actix_web::rt::spawn(server);
    (format!("http://{addr}/v1/traces"), spans)
}

fn attr(span: &Span, key: &str) -> Option<String> {
    let v = span.attributes.iter().find(|a| a.key == key)?;
    match v.value.as_ref()?.value.as_ref()? {
        Any::StringValue(s) => Some(s.clone()),
        Any::IntValue(i) => Some(i.to_string()),
        other => Some(format!("{other:?}")),
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[actix_web::test]
async fn spans_for_the_request_the_conversion_and_the_upstream_call_reach_an_otlp_receiver() {
    let (endpoint, spans) = start_receiver();
    let service = sample_service();
    let up = start_upstream(service.clone());
    let mut config = Config::default();
    config.tracing.otlp_endpoint = endpoint;
    config.tracing.service_name = Some("bridge-under-test".into());
    let (base, state) = start_bridge(service, &up.url, Duration::from_secs(2), config);
    *up.mode.lock().unwrap() = Mode::Fault("Client");
    let (status, _, _) = get(
        &base,
        "/api/customer/customers/7",
        &[
            ("X-Request-Id", "otlp-1"),
            (
                "traceparent",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            ),
        ],
    )
    .await;
    assert_eq!(status, 400);
    let otel = state.otel.as_ref().expect("export configured");
    // The batch is sent from the exporter's thread; flush it from a thread too.
    let started = Instant::now();
    loop {
        actix_web::rt::task::spawn_blocking({
            let state = state.clone();
            move || state.otel.as_ref().unwrap().flush()
        })
        .await
        .unwrap();
        if spans.lock().unwrap().len() >= 4 || started.elapsed() > Duration::from_secs(10) {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = otel;
    let spans = spans.lock().unwrap().clone();
    let names: Vec<&str> = spans.iter().map(|(_, s)| s.name.as_str()).collect();
    assert_eq!(spans.len(), 4, "{names:?}");
    assert!(spans.iter().all(|(svc, _)| svc == "bridge-under-test"));
    let find = |n: &str| spans.iter().map(|(_, s)| s).find(|s| s.name == n).unwrap();
    let request = find("request");
    let upstream = find("upstream call");
    assert!(
        names.iter().filter(|n| **n == "conversion").count() == 2,
        "{names:?}"
    );
    // One trace, the caller's; the request's parent is the caller's span.
    for (_, s) in &spans {
        assert_eq!(hex(&s.trace_id), "4bf92f3577b34da6a3ce929d0e0e4736");
    }
    assert_eq!(hex(&request.parent_span_id), "00f067aa0ba902b7");
    assert_eq!(upstream.parent_span_id, request.span_id);
    // The upstream saw the exported upstream span as its parent.
    let seen = up.received.lock().unwrap()[0]["traceparent"].clone();
    assert_eq!(
        seen,
        format!(
            "00-4bf92f3577b34da6a3ce929d0e0e4736-{}-01",
            hex(&upstream.span_id)
        )
    );
    assert_eq!(
        attr(request, "http.route").as_deref(),
        Some("/api/customer/customers/{customerId}")
    );
    assert_eq!(
        attr(request, "http.response.status_code").as_deref(),
        Some("400")
    );
    assert_eq!(
        attr(request, "soap.operation").as_deref(),
        Some("GetCustomer")
    );
    assert_eq!(attr(request, "request.id").as_deref(), Some("otlp-1"));
    assert!(attr(request, "soap.fault_code").is_some());
    assert!(attr(request, "soap.action").is_some());
    assert_eq!(
        attr(upstream, "http.response.status_code").as_deref(),
        Some("500")
    );
    assert!(request.start_time_unix_nano <= upstream.start_time_unix_nano);
    assert!(upstream.end_time_unix_nano <= request.end_time_unix_nano);
    // Never a body: no attribute holds the envelope or the fault's text.
    for (_, s) in &spans {
        for a in &s.attributes {
            let v = format!("{:?}", a.value);
            assert!(!v.contains("Envelope") && !v.contains("faultstring"), "{v}");
        }
    }
}

#[actix_web::test]
async fn no_endpoint_no_exporter() {
    let service = sample_service();
    let up = start_upstream(service.clone());
    let (_, state) = start_bridge(service, &up.url, Duration::from_secs(2), Config::default());
    assert!(state.otel.is_none());
}
