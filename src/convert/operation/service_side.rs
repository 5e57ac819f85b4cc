//! The legacy service's side of an operation, for the mock and the tests: the answer envelope
//! (or a declared fault's) an upstream would send for some JSON, written with the same encoder
//! and rpc wrapper as requests; and a request envelope read back as the input fields it carries.

use serde_json::Value;

use super::answer::read_message;
use super::plan::{BodyLayout, FaultDecl, OperationPlan, ServicePlan};
use super::request::write_parts;
use crate::convert::decode::{DecodeError, Decoder, Mismatch};
use crate::convert::encode::Encoder;
use crate::convert::error::{FieldError, RequestReadError};
use crate::convert::simple;
use crate::soap::{self, Payload, XmlLimits};

impl ServicePlan {
    /// The answer envelope an upstream would send for `body`, the output message's JSON as
    /// [`ServicePlan::response`] reads it (the document element's value, or an object of the
    /// parts; no `response:` selection): the inverse of reading an answer.
    pub fn answer(&self, op: &OperationPlan, body: &Value) -> Result<Vec<u8>, Vec<FieldError>> {
        self.answer_with(op, body, &[])
    }

    /// [`ServicePlan::answer`] with the answer header parts the mapping passes on: `headers`
    /// holds the JSON of each of `op.route.response_headers`' elements, in order (fewer leave
    /// the rest out).
    pub fn answer_with(
        &self,
        op: &OperationPlan,
        body: &Value,
        headers: &[Value],
    ) -> Result<Vec<u8>, Vec<FieldError>> {
        let schema = &self.compiled.wsdl.schema;
        let mut enc = Encoder::new(schema, &self.model);
        enc.set_encoding(op.output_encoding);
        match (&op.output, body.as_object()) {
            (BodyLayout::Element { name, type_id }, _) => {
                enc.element(name, *type_id, false, body, "")
            }
            (BodyLayout::Parts { wrapper, parts }, Some(fields)) => {
                write_parts(&mut enc, wrapper.as_ref(), parts, fields, &[])
            }
            (BodyLayout::Parts { .. }, None) => enc.push(
                FieldError::new(
                    "/",
                    "type",
                    format!("expected a JSON object, found {}", simple::describe(body)),
                )
                .expected("a JSON object")
                .found_value(body),
            ),
        }
        let body = enc.take_xml();
        for (h, v) in op.route.response_headers.iter().zip(headers) {
            let el = schema.element(h.element);
            enc.element(&el.name, el.type_id, false, v, "");
        }
        let header = enc.finish()?;
        Ok(soap::envelope_with_header(
            op.soap,
            &header.declarations,
            header.xsi,
            &header.xml,
            &body,
        ))
    }

    /// The fault envelope an upstream would send for the declared fault `fault`: the
    /// receiver's fault (`Server` / `Receiver`) with `string`, and `detail` as its detail
    /// element's JSON (ignored when the fault declares no element; the detail is then empty).
    pub fn fault_answer(
        &self,
        op: &OperationPlan,
        fault: &FaultDecl,
        string: &str,
        detail: &Value,
    ) -> Result<Vec<u8>, Vec<FieldError>> {
        let mut enc = Encoder::new(&self.compiled.wsdl.schema, &self.model);
        if let Some((q, t)) = &fault.element {
            enc.element(q, *t, false, detail, "");
        }
        let written = enc.finish()?;
        Ok(soap::fault_envelope(
            op.soap,
            false,
            string,
            Some((&written.declarations, written.xsi, &written.xml)),
        ))
    }

    /// The input fields a request envelope carries, read as the upstream would read it: the
    /// inverse of [`ServicePlan::request`] (the mock's and the tests' side), as JSON text.
    pub fn read_request(
        &self,
        op: &OperationPlan,
        text: &str,
        limits: XmlLimits,
    ) -> Result<String, RequestReadError> {
        let doc = soap::parse(text, limits)?;
        let Payload::Body(body) = soap::body_of(&doc, op.soap)? else {
            return Err(RequestReadError::Fault);
        };
        let mut dec = Decoder::new(&self.compiled.wsdl.schema, &self.model);
        if op.input_encoding.is_some() {
            dec.index_ids(&doc);
        }
        let mut out = Vec::with_capacity(text.len());
        read_message(&dec, &op.input, body, None, &mut out)?;
        String::from_utf8(out).map_err(|_| {
            DecodeError::at(body, Mismatch::Internal("the decoder wrote invalid UTF-8")).into()
        })
    }
}
