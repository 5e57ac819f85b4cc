//! The built-in mock of a legacy service: answers every operation of a WSDL binding with a
//! schema-valid, deterministic sample response ([`sample`]), or a recorded response file, and
//! with a declared fault on request.
//!
//! Faults on request: a request header `X-Mock-Fault: <FaultName>` (or `Server` / `Client` for a
//! plain fault), a text value `mock-fault:<FaultName>` anywhere in the request, or a fault forced
//! per operation when the mock is created (`--fault Operation=FaultName`).

pub mod sample;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::convert::encode::Encoder;
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

    /// Answers one SOAP request.
    pub fn answer(&self, fault_header: Option<&str>, body: &[u8]) -> Answer {
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
            Err(e) => return client_fault(&e),
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
            return client_fault(&format!("no operation takes `{local}`"));
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

    /// The deterministic sample answer of an operation (seed 0: the full sample).
    pub fn sample_response(&self, op: &OperationPlan, seed: u64) -> Vec<u8> {
        let svc = &self.service;
        let schema = &svc.compiled.wsdl.schema;
        let mut sampler = sample::Sampler::new(schema, &svc.model, seed);
        let mut enc = Encoder::new(schema, &svc.model);
        enc.encoding = op.output_encoding;
        match &op.output {
            BodyLayout::Element { name, type_id } => {
                let v = sampler.value(*type_id);
                enc.element(name, *type_id, false, &v, "");
            }
            BodyLayout::Parts { wrapper, parts } => {
                // A prefix, not a default namespace: the parts inside stay unqualified.
                let tag = wrapper.as_ref().map(|w| {
                    if w.ns.is_empty() {
                        w.local.clone()
                    } else {
                        format!("rpc:{}", w.local)
                    }
                });
                if let (Some(tag), Some(w)) = (&tag, wrapper) {
                    // A prefix, not a default namespace: the unqualified parts inside stay so.
                    let mut start = quick_xml::events::BytesStart::new(tag.as_str());
                    if !w.ns.is_empty() {
                        start.push_attribute(("xmlns:rpc", w.ns.as_str()));
                    }
                    if let Some(ns) = enc.encoding {
                        start.push_attribute(("soap:encodingStyle", ns));
                    }
                    let _ = enc
                        .writer
                        .write_event(quick_xml::events::Event::Start(start));
                }
                for p in parts {
                    let v = sampler.value(p.type_id);
                    enc.element(&p.name, p.type_id, p.nillable, &v, "");
                }
                if let Some(tag) = &tag {
                    let _ = enc.writer.write_event(quick_xml::events::Event::End(
                        quick_xml::events::BytesEnd::new(tag.as_str()),
                    ));
                }
            }
        }
        // The answer header parts the mapping passes on, sampled after the body (as the OpenAPI
        // examples are).
        let body = std::mem::replace(&mut enc.writer, quick_xml::Writer::new(Vec::new()));
        for h in &op.route.response_headers {
            let el = schema.element(h.element);
            let v = sampler.value(el.type_id);
            enc.element(&el.name, el.type_id, false, &v, "");
        }
        let header = enc.writer.into_inner();
        let decls = svc.model.declarations(&enc.used);
        soap::envelope_with_header(
            svc.compiled.soap,
            &decls,
            enc.xsi,
            &header,
            &body.into_inner(),
        )
    }

    fn fault(&self, op: &OperationPlan, name: &str) -> Answer {
        let svc = &self.service;
        let v = svc.compiled.soap;
        let ct = Self::content_type(v);
        match op.faults.iter().find(|f| f.name == name) {
            Some(fd) => {
                let schema = &svc.compiled.wsdl.schema;
                let mut enc = Encoder::new(schema, &svc.model);
                if let Some((q, t)) = &fd.element {
                    let value = sample::Sampler::new(schema, &svc.model, 0).value(*t);
                    enc.element(q, *t, false, &value, "");
                }
                let decls = svc.model.declarations(&enc.used);
                let xsi = enc.xsi;
                let detail = enc.writer.into_inner();
                (
                    500,
                    ct,
                    soap::fault_envelope(
                        v,
                        false,
                        &format!("{name} (mock)"),
                        Some((&decls, xsi, &detail)),
                    ),
                )
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
