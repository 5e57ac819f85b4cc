//! The mock's answers: the operation a SOAP request is for (by its Body's first element), then
//! a fault when one is asked for, a recorded answer, or a sample answer written through the
//! bridge's own `ServicePlan`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;

use super::sample;
use crate::convert::operation::{BodyLayout, OperationPlan, ServicePlan};
use crate::soap;
use crate::wsdl::SoapVersion;

/// A mock of one service.
pub struct Mock {
    pub service: Arc<ServicePlan>,
    /// Operation -> fault name to answer with.
    pub forced_faults: HashMap<String, String>,
    /// Folder of recorded answers, `<Operation>.xml`.
    pub responses: Option<PathBuf>,
}

/// An HTTP answer: status, content type, body.
pub type Answer = (u16, String, Vec<u8>);

impl Mock {
    pub fn new(service: Arc<ServicePlan>) -> Mock {
        Mock {
            service,
            forced_faults: HashMap::new(),
            responses: None,
        }
    }

    fn content_type(v: SoapVersion) -> String {
        soap::content_type(v, None)
    }

    /// Answers one SOAP request; an addressed request (a `wsa:MessageID`) gets an answer that
    /// relates to it, as a WS-Addressing service's does.
    pub fn answer(&self, fault_header: Option<&str>, body: &[u8]) -> Answer {
        let (status, ct, bytes) = self.answer_plain(fault_header, body);
        let related = std::str::from_utf8(body)
            .ok()
            .and_then(|t| soap::parse(t, soap::XmlLimits::default()).ok())
            .and_then(|doc| soap::request_message_id(&doc));
        match related {
            Some((version, id)) => (status, ct, soap::add_relates_to(&bytes, version, &id)),
            None => (status, ct, bytes),
        }
    }

    fn answer_plain(&self, fault_header: Option<&str>, body: &[u8]) -> Answer {
        let v = self.service.compiled.soap;
        let client_fault = |msg: &str| {
            (
                500,
                Self::content_type(v),
                soap::fault_envelope(v, true, msg, None),
            )
        };
        let Ok(text) = std::str::from_utf8(body) else {
            return client_fault("the request is not UTF-8");
        };
        let doc = match soap::parse(text, soap::XmlLimits::default()) {
            Ok(d) => d,
            Err(e) => return client_fault(&e.to_string()),
        };
        let Ok((_, soap::Payload::Body(b))) = soap::body(&doc) else {
            return client_fault("the request is not a SOAP envelope with a Body");
        };
        let Some(first) = b.children().find(|c| c.is_element()) else {
            return client_fault("the Body is empty");
        };
        let (ns, local) = (
            first.tag_name().namespace().unwrap_or(""),
            first.tag_name().name(),
        );
        let op = self.service.operations.iter().find(|o| match &o.input {
            BodyLayout::Element { name, .. } => name.ns == ns && name.local == local,
            BodyLayout::Parts {
                wrapper: Some(w), ..
            } => w.local == local,
            BodyLayout::Parts {
                wrapper: None,
                parts,
            } => parts
                .first()
                .is_some_and(|p| p.name.ns == ns && p.name.local == local),
        });
        let Some(op) = op else {
            let name = crate::xsd::QName::new(ns, local);
            return client_fault(&format!("no operation takes `{name}`"));
        };
        let marker = doc.descendants().filter(|n| n.is_text()).find_map(|n| {
            n.text()?
                .trim()
                .strip_prefix("mock-fault:")
                .map(str::to_string)
        });
        let fault = fault_header
            .map(str::to_string)
            .or(marker)
            .or_else(|| self.forced_faults.get(&op.route.operation).cloned());
        if let Some(name) = fault {
            return self.fault(op, &name);
        }
        if let Some(dir) = &self.responses
            && let Ok(bytes) = std::fs::read(dir.join(format!("{}.xml", op.route.operation)))
        {
            return (200, Self::content_type(v), bytes);
        }
        (200, Self::content_type(v), self.sample_response(op, 0))
    }

    /// The deterministic sample answer of an operation (seed 0: the full sample), with the
    /// answer header parts the mapping passes on (sampled after the body, as the OpenAPI
    /// examples are). A sample the schema refuses (a type that requires itself has none) is
    /// answered with a receiver fault saying so.
    pub fn sample_response(&self, op: &OperationPlan, seed: u64) -> Vec<u8> {
        let svc = &self.service;
        let schema = &svc.compiled.wsdl.schema;
        let mut sampler = sample::Sampler::new(schema, &svc.model, seed);
        let body = sampler.message(&op.output);
        let headers: Vec<Value> = op
            .route
            .response_headers
            .iter()
            .map(|h| sampler.value(schema.element(h.element).type_id))
            .collect();
        svc.answer_with(op, &body, &headers)
            .unwrap_or_else(|errors| {
                let why = errors.first().map_or("", |e| e.message.as_str());
                soap::fault_envelope(
                    op.soap,
                    false,
                    &format!("the mock has no valid sample answer: {why}"),
                    None,
                )
            })
    }

    fn fault(&self, op: &OperationPlan, name: &str) -> Answer {
        let svc = &self.service;
        let v = svc.compiled.soap;
        let ct = Self::content_type(v);
        match op.faults.iter().find(|f| f.name == name) {
            Some(fd) => {
                let schema = &svc.compiled.wsdl.schema;
                let detail = fd.element.as_ref().map_or(Value::Null, |(_, t)| {
                    sample::Sampler::new(schema, &svc.model, 0).value(*t)
                });
                let string = format!("{name} (mock)");
                let envelope = svc
                    .fault_answer(op, fd, &string, &detail)
                    .unwrap_or_else(|_| soap::fault_envelope(v, false, &string, None));
                (500, ct, envelope)
            }
            None if name.eq_ignore_ascii_case("client") || name.eq_ignore_ascii_case("sender") => (
                500,
                ct,
                soap::fault_envelope(v, true, "rejected by the mock", None),
            ),
            None => (
                500,
                ct,
                soap::fault_envelope(v, false, "internal error in the mock", None),
            ),
        }
    }
}
