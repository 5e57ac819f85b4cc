//! Writing a request: the inputs gathered and checked against the schema, the WS-Security block
//! (when the mapping has one), the SOAP header parts (constants and request values), the Body in the operation's layout (an rpc wrapper
//! around the parts, or the document element), all in one envelope; or every problem, each
//! pointing where the client gave the value.

use serde_json::{Map, Value};

use super::gather::{describe, gather_all};
use super::plan::{BodyLayout, OperationPlan, PartIo, ServicePlan};
use crate::convert::encode::Encoder;
use crate::convert::error::{FieldError, NOTHING};
use crate::mapping::naming::XML_KEY;
use crate::mapping::route::{AbsentPart, HeaderIn, HeaderSource, InputSource};
use crate::soap;
use crate::wsdl::SoapVersion;
use crate::xsd::QName;

/// A request as it goes on the wire.
#[derive(Debug)]
pub struct Outgoing {
    /// The HTTP body: the envelope, or its MTOM/XOP package.
    pub body: Vec<u8>,
    /// The package's `Content-Type` (`multipart/related`); `None`: the SOAP version's.
    pub content_type: Option<String>,
    /// The request's `wsa:MessageID`, which the answer's `wsa:RelatesTo` must name.
    pub message_id: Option<String>,
}

impl ServicePlan {
    /// The request envelope of one call, the one entry of the request path: gathers the inputs
    /// from where the mapping binds them (`param` answers the values of a path parameter, query
    /// parameter or header; `body` is the parsed JSON body), checks them against the schema and
    /// writes the envelope. Every problem is reported at once, with a pointer to where the
    /// client gave the value.
    pub fn build_request(
        &self,
        op: &OperationPlan,
        param: &dyn Fn(&InputSource) -> Vec<String>,
        body: Option<Value>,
    ) -> Result<Vec<u8>, Vec<FieldError>> {
        self.build_call(op, param, body).map(|o| o.body)
    }

    /// [`ServicePlan::build_request`] with what the call needs besides the bytes: the content
    /// type of an MTOM package and the `wsa:MessageID` the answer must relate to.
    pub fn build_call(
        &self,
        op: &OperationPlan,
        param: &dyn Fn(&InputSource) -> Vec<String>,
        body: Option<Value>,
    ) -> Result<Outgoing, Vec<FieldError>> {
        let (body, open, scalar) = open_content(op, body);
        let mut input = gather_all(&self.compiled.wsdl.schema, &op.route, param, body)?;
        input.fields.extend(open);
        self.compose(op, &input.fields, op.route.body_field(), &input.headers)
            .map_err(|mut errors| {
                if scalar {
                    // The body was the scalar content of an `anyType` element.
                    into_body(&mut errors, XML_KEY);
                }
                errors
            })
    }

    /// The request envelope for input fields (keyed as the route's inputs), with the header
    /// parts that have constants. `body_key` names the field that took the whole JSON body, so
    /// its errors point into the body itself.
    pub fn request(
        &self,
        op: &OperationPlan,
        fields: &Map<String, Value>,
        body_key: Option<&str>,
    ) -> Result<Vec<u8>, Vec<FieldError>> {
        self.request_with(op, fields, body_key, &[])
    }

    /// [`ServicePlan::request`] with the values of the header parts' request-sourced fields.
    pub fn request_with(
        &self,
        op: &OperationPlan,
        fields: &Map<String, Value>,
        body_key: Option<&str>,
        headers: &[Map<String, Value>],
    ) -> Result<Vec<u8>, Vec<FieldError>> {
        self.compose(op, fields, body_key, headers).map(|o| o.body)
    }

    /// The request of [`ServicePlan::request_with`], as it goes on the wire: the envelope
    /// with the WS-Addressing headers when the route has them (a fresh `wsa:MessageID`),
    /// packaged as MTOM/XOP when the route says so.
    fn compose(
        &self,
        op: &OperationPlan,
        fields: &Map<String, Value>,
        body_key: Option<&str>,
        headers: &[Map<String, Value>],
    ) -> Result<Outgoing, Vec<FieldError>> {
        let schema = &self.compiled.wsdl.schema;
        let mut enc = Encoder::new(schema, &self.model);
        let mut header_errors = Vec::new();
        let mut header = self.security_header(op)?;
        let message_id = op.route.addressing.as_ref().map(|a| {
            let id = soap::message_id();
            soap::AddressingHeaders {
                version: a.version,
                action: &a.action,
                message_id: &id,
                to: self.endpoint.as_deref(),
            }
            .write(op.soap, &mut header);
            id
        });
        if !op.route.headers.is_empty() {
            self.write_headers(&mut enc, op, headers, &mut header_errors);
            header.extend(enc.take_xml());
        }
        enc.set_encoding(op.input_encoding);
        enc.set_mtom(op.route.mtom);
        write_message(&mut enc, &op.input, fields, &op.route.optional_parts);
        match enc.finish() {
            Ok(body) if header_errors.is_empty() => {
                let envelope = soap::envelope_with_header(
                    op.soap,
                    &body.declarations,
                    body.xsi,
                    &header,
                    &body.xml,
                );
                let (body, content_type) = if op.route.mtom {
                    let p = soap::mtom::package(
                        op.soap,
                        op.action.as_deref(),
                        &envelope,
                        &body.attachments,
                    );
                    (p.body, Some(p.content_type))
                } else {
                    (envelope, None)
                };
                Ok(Outgoing {
                    body,
                    content_type,
                    message_id,
                })
            }
            Ok(_) => Err(header_errors),
            Err(mut errors) => {
                if let Some(k) = body_key {
                    into_body(&mut errors, k);
                }
                errors.extend(header_errors);
                Err(errors)
            }
        }
    }

    /// The WS-Security block the mapping asks for (`upstream.auth.wsse`), first in the Header:
    /// written per request (a fresh nonce and time); empty when there is none.
    fn security_header(&self, op: &OperationPlan) -> Result<Vec<u8>, Vec<FieldError>> {
        let mut out = Vec::new();
        match &self.security {
            Some(token) => token.write(op.soap, &mut out).map_err(|e| {
                vec![FieldError::new("/", "unavailable", e.to_string()).found(NOTHING)]
            })?,
            None if self.compiled.upstream.wsse.is_some() => {
                return Err(vec![
                    FieldError::new(
                        "/",
                        "unavailable",
                        "the WS-Security credentials (`upstream.auth.wsse`) are not configured",
                    )
                    .found(NOTHING),
                ]);
            }
            None => {}
        }
        Ok(out)
    }

    /// Writes the request's header parts: each one with a constant or a value from the request
    /// (or marked required); errors point where the value came from.
    fn write_headers(
        &self,
        enc: &mut Encoder,
        op: &OperationPlan,
        given: &[Map<String, Value>],
        errors: &mut Vec<FieldError>,
    ) {
        let schema = &self.compiled.wsdl.schema;
        for (i, h) in op.route.headers.iter().enumerate() {
            let consts = op.header_values.get(i).map_or(&[][..], Vec::as_slice);
            let from_request = given.get(i).filter(|g| !g.is_empty());
            if consts.is_empty() && from_request.is_none() {
                if h.required {
                    errors.push(header_required(h));
                }
                continue;
            }
            let mut obj = Map::new();
            for (k, v) in consts {
                obj.insert(k.clone(), v.clone());
            }
            if let Some(g) = from_request {
                for (k, v) in g {
                    obj.insert(k.clone(), v.clone());
                }
            }
            let before = errors.len();
            errors.extend(
                h.fields
                    .iter()
                    .filter(|f| f.field.min > 0 && !obj.contains_key(&f.key))
                    .map(|f| header_field_missing(h, &f.source, &f.key)),
            );
            if errors.len() > before {
                continue;
            }
            let el = schema.element(h.element);
            let value = if h.simple {
                obj.into_iter()
                    .next()
                    .map(|(_, v)| v)
                    .unwrap_or(Value::Null)
            } else {
                Value::Object(obj)
            };
            match enc.element_alone(&el.name, el.type_id, el.nillable, &value, "") {
                Ok(start) if h.must_understand => enc.add_attribute(
                    start,
                    match op.soap {
                        SoapVersion::V11 => " soap:mustUnderstand=\"1\"",
                        SoapVersion::V12 => " soap:mustUnderstand=\"true\"",
                    },
                ),
                Ok(_) => {}
                Err(found) => errors.extend(found.into_iter().map(|e| header_error(h, e))),
            }
        }
    }
}

/// Takes out of the JSON body the keys of the input element's own open content (`$xml`,
/// `$attributes`: no mapped fields). A scalar body of an `anyType` element is its text content,
/// as `$xml` (the flag says so). Returns the body left, those keys, and the flag.
fn open_content(
    op: &OperationPlan,
    body: Option<Value>,
) -> (Option<Value>, Map<String, Value>, bool) {
    let mut open = Map::new();
    match body {
        Some(Value::Object(mut o)) => {
            for k in &op.open_keys {
                if let Some(v) = o.shift_remove(k.key) {
                    open.insert(k.key.to_string(), v);
                }
            }
            (Some(Value::Object(o)), open, false)
        }
        Some(v @ (Value::String(_) | Value::Number(_) | Value::Bool(_))) if op.any_body() => {
            let text = match &v {
                Value::String(s) => crate::xml::escape(s, false).into_owned(),
                other => other.to_string(),
            };
            open.insert(XML_KEY.to_string(), Value::String(text));
            (None, open, true)
        }
        other => (other, open, false),
    }
}

/// Errors of the field that took the whole JSON body point into the body itself.
fn into_body(errors: &mut [FieldError], body_key: &str) {
    let prefix = format!("/{body_key}");
    for e in errors {
        if let Some(rest) = e.pointer.strip_prefix(&prefix) {
            e.pointer = if rest.is_empty() {
                "/".to_string()
            } else {
                rest.to_string()
            };
        }
    }
}

/// A required header part none of whose fields has a value.
fn header_required(h: &HeaderIn) -> FieldError {
    let names: Vec<String> = h
        .fields
        .iter()
        .map(|f| describe_header_source(&f.source))
        .collect();
    FieldError::new(
        "/",
        "required",
        format!(
            "the SOAP header `{}` is required: give {}",
            h.part,
            names.join(" or ")
        ),
    )
    .expected(names.join(" or "))
    .found(NOTHING)
}

/// A required field of a header part that has no value.
fn header_field_missing(h: &HeaderIn, source: &HeaderSource, key: &str) -> FieldError {
    let (pointer, what) = match source {
        HeaderSource::BodyKey(k) => (format!("/{k}"), "required field is missing".to_string()),
        other => (
            format!("/{key}"),
            format!("{} is required", describe_header_source(other)),
        ),
    };
    FieldError::new(
        pointer,
        "required",
        format!("{what} (it fills the SOAP header `{}`)", h.part),
    )
    .expected(format!("a value from {}", describe_header_source(source)))
    .found(NOTHING)
}

/// An error of a header part's element, pointing where its value came from: a body key, or
/// the field a request value fills. A configured value (maybe a secret from the environment)
/// gets the rule and what the schema takes, never the value.
fn header_error(h: &HeaderIn, e: FieldError) -> FieldError {
    let first = e.pointer.trim_start_matches('/');
    let (head, rest) = first.split_once('/').map_or((first, ""), |(a, b)| (a, b));
    let field = if h.simple {
        h.fields.first()
    } else {
        h.fields.iter().find(|f| f.key == head)
    };
    let rest = if h.simple { first } else { rest };
    let sep = if rest.is_empty() { "" } else { "/" };
    match field.map(|f| (&f.source, &f.key)) {
        Some((HeaderSource::BodyKey(k), _)) => FieldError {
            pointer: format!("/{k}{sep}{rest}"),
            ..e
        },
        Some((HeaderSource::Request(src), key)) => FieldError {
            pointer: format!("/{key}"),
            message: format!("{}: {}", describe(src), e.message),
            ..e
        },
        _ => FieldError {
            found: None,
            expected: e.expected,
            ..FieldError::new(
                "/",
                e.rule,
                format!(
                    "a configured value of the SOAP header `{}` is not valid",
                    h.part
                ),
            )
        },
    }
}

fn describe_header_source(s: &HeaderSource) -> String {
    match s {
        HeaderSource::Request(src) => describe(src),
        HeaderSource::BodyKey(k) => format!("body key `{k}`"),
        HeaderSource::Value(_) => "a configured value".to_string(),
    }
}

/// Writes a request's Body in the message's layout from input fields (`optional`: the parts
/// it may leave out, and what is sent for them then).
fn write_message(
    enc: &mut Encoder,
    m: &BodyLayout,
    fields: &Map<String, Value>,
    optional: &[(String, AbsentPart)],
) {
    match m {
        BodyLayout::Element { name, type_id } => enc.element_object(name, *type_id, fields, ""),
        BodyLayout::Parts { wrapper, parts } => {
            write_parts(enc, wrapper.as_ref(), parts, fields, optional)
        }
    }
}

/// The parts of a message, each from the field of its key, under the rpc wrapper when there is
/// one: the one writer of rpc wrappers, for requests and (the mock's) answers. A part without
/// a field is refused, unless `optional` lists it: then it is left out or sent nil.
pub(super) fn write_parts(
    enc: &mut Encoder,
    wrapper: Option<&QName>,
    parts: &[PartIo],
    fields: &Map<String, Value>,
    optional: &[(String, AbsentPart)],
) {
    for k in fields.keys() {
        if !parts.iter().any(|p| &p.key == k) {
            let keys: Vec<String> = parts
                .iter()
                .map(|p| crate::xsd::facets::quote_short(&p.key))
                .collect();
            enc.push(
                FieldError::new(format!("/{k}"), "unknownField", "unknown field")
                    .expected(format!("one of: {}", keys.join(", ")))
                    .found_value(&fields[k]),
            );
        }
    }
    let tag = wrapper.map(|w| enc.start_wrapper(w));
    for p in parts {
        let absent = optional.iter().find(|(k, _)| *k == p.key).map(|(_, a)| *a);
        match (fields.get(&p.key), absent) {
            (Some(v), _) => enc.element(&p.name, p.type_id, p.nillable, v, &format!("/{}", p.key)),
            (None, Some(AbsentPart::Omit)) => {}
            (None, Some(AbsentPart::Nil)) => enc.element(
                &p.name,
                p.type_id,
                true,
                &Value::Null,
                &format!("/{}", p.key),
            ),
            (None, None) => enc.push(
                FieldError::new(
                    format!("/{}", p.key),
                    "required",
                    "required field is missing",
                )
                .expected(format!(
                    "a value for the required field {}",
                    crate::xsd::facets::quote_short(&p.key)
                ))
                .found(NOTHING),
            ),
        }
    }
    if let Some(tag) = &tag {
        enc.end(tag);
    }
}
