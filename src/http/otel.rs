//! OpenTelemetry export over OTLP/HTTP (protobuf), when `tracing.otlp_endpoint` is set; off by
//! default. Each request gives three spans, written when it ends from the times the pipeline
//! noted: `request` (server; route, method, operation, SOAP action, status, fault code, request
//! id), `conversion` (internal; the JSON read and the envelope written, then the answer read)
//! and `upstream call` (client; its status). Their ids are the ones `Correlation` made, so the
//! `traceparent` the legacy service saw names the exported upstream span. Never a body, a
//! header value other than the request id, or a secret.

use std::time::{Duration, Instant, SystemTime};

use opentelemetry::trace::{
    Span, SpanContext, SpanId, SpanKind, Status, TraceContextExt, TraceFlags, TraceId, TraceState,
    Tracer, TracerProvider,
};
use opentelemetry::{Context, KeyValue};
use opentelemetry_otlp::{Protocol, WithExportConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::{SdkTracer, SdkTracerProvider};

use super::trace::Correlation;
use crate::config::TracingSettings;

/// Why the exporter could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum OtelError {
    /// Is raised when the OTLP exporter refuses the settings (an endpoint that is not a URL,
    /// no HTTP client).
    #[error("cannot export traces to `{endpoint}`: {reason}")]
    Exporter { endpoint: String, reason: String },
}

/// The exporter and its tracer, one per server; spans are batched and sent from a thread of
/// the exporter's own.
pub struct Otel {
    provider: SdkTracerProvider,
    tracer: SdkTracer,
}

impl std::fmt::Debug for Otel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Otel")
    }
}

/// What the pipeline notes about one request as it goes (times, the upstream's status, sizes),
/// for its spans and its access line.
#[derive(Debug, Default)]
pub struct Timings {
    /// Who called (a key id, a token's subject, a user), when the route authenticates.
    pub identity: Option<String>,
    /// The envelope's size, once written.
    pub sent: Option<usize>,
    /// The upstream answer's size, once read.
    pub received: Option<usize>,
    /// The JSON read and the envelope written.
    pub convert_request: Option<(Instant, Instant)>,
    /// The upstream call.
    pub upstream: Option<(Instant, Instant)>,
    /// The upstream answer read into JSON.
    pub convert_answer: Option<(Instant, Instant)>,
    /// The upstream's HTTP status, when it answered.
    pub upstream_status: Option<u16>,
    /// The SOAP fault's code, when it answered with one.
    pub fault_code: Option<String>,
}

/// What the request span says besides its times.
pub struct RequestInfo<'a> {
    pub route: &'a str,
    pub method: &'static str,
    pub operation: &'a str,
    pub soap_action: Option<&'a str>,
    pub status: u16,
}

impl Otel {
    /// The exporter when `settings` name an endpoint; `None` otherwise.
    pub fn new(settings: &TracingSettings) -> Result<Option<Otel>, OtelError> {
        if settings.otlp_endpoint.is_empty() {
            return Ok(None);
        }
        let error = |e: &dyn std::fmt::Display| OtelError::Exporter {
            endpoint: settings.otlp_endpoint.clone(),
            reason: e.to_string(),
        };
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_protocol(Protocol::HttpBinary)
            .with_endpoint(settings.otlp_endpoint.clone())
            .with_timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| error(&e))?;
        let name = settings
            .service_name
            .clone()
            .unwrap_or_else(|| "soapbridge".into());
        let provider = SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_resource(Resource::builder().with_service_name(name).build())
            .build();
        let tracer = provider.tracer("soapbridge");
        Ok(Some(Otel { provider, tracer }))
    }

    /// Sends what is batched now (tests, shutdown).
    pub fn flush(&self) {
        if let Err(e) = self.provider.force_flush() {
            tracing::warn!(error = %e, "Traces could not be exported");
        }
    }

    /// Writes the request's spans: `started` (with `wall`, the same moment on the clock) to
    /// now.
    pub fn record(
        &self,
        corr: &Correlation,
        info: &RequestInfo<'_>,
        timings: &Timings,
        (started, wall): (Instant, SystemTime),
    ) {
        let at = |i: Instant| wall + i.saturating_duration_since(started);
        let trace_id = TraceId::from_bytes(corr.trace_id);
        let flags = if corr.sampled {
            TraceFlags::SAMPLED
        } else {
            TraceFlags::default()
        };
        let parent = match corr.parent_span {
            Some(p) => Context::new().with_remote_span_context(SpanContext::new(
                trace_id,
                SpanId::from_bytes(p),
                flags,
                true,
                TraceState::default(),
            )),
            None => Context::new(),
        };
        let mut attributes = vec![
            KeyValue::new("http.route", info.route.to_string()),
            KeyValue::new("http.request.method", info.method),
            KeyValue::new("http.response.status_code", i64::from(info.status)),
            KeyValue::new("soap.operation", info.operation.to_string()),
            KeyValue::new("request.id", corr.request_id().to_string()),
        ];
        if let Some(a) = info.soap_action {
            attributes.push(KeyValue::new("soap.action", a.to_string()));
        }
        if let Some(c) = &timings.fault_code {
            attributes.push(KeyValue::new("soap.fault_code", c.clone()));
        }
        let mut request = self
            .tracer
            .span_builder("request")
            .with_kind(SpanKind::Server)
            .with_trace_id(trace_id)
            .with_span_id(SpanId::from_bytes(corr.span_id))
            .with_start_time(wall)
            .with_attributes(attributes)
            .start_with_context(&self.tracer, &parent);
        if info.status >= 500 {
            request.set_status(Status::error(format!("HTTP {}", info.status)));
        }
        let cx = parent.with_span(request);
        for (from, to) in [timings.convert_request, timings.convert_answer]
            .into_iter()
            .flatten()
        {
            self.tracer
                .span_builder("conversion")
                .with_kind(SpanKind::Internal)
                .with_start_time(at(from))
                .with_attributes([KeyValue::new("soap.operation", info.operation.to_string())])
                .start_with_context(&self.tracer, &cx)
                .end_with_timestamp(at(to));
        }
        if let Some((from, to)) = timings.upstream {
            let mut attributes = vec![KeyValue::new("soap.operation", info.operation.to_string())];
            if let Some(s) = timings.upstream_status {
                attributes.push(KeyValue::new("http.response.status_code", i64::from(s)));
            }
            self.tracer
                .span_builder("upstream call")
                .with_kind(SpanKind::Client)
                .with_span_id(SpanId::from_bytes(corr.upstream_span))
                .with_start_time(at(from))
                .with_attributes(attributes)
                .start_with_context(&self.tracer, &cx)
                .end_with_timestamp(at(to));
        }
        cx.span().end_with_timestamp(at(Instant::now()));
    }
}

impl Drop for Otel {
    fn drop(&mut self) {
        // What is still batched is sent before the exporter's thread stops.
        let _ = self.provider.shutdown();
    }
}
