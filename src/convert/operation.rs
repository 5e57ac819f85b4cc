//! One served operation, compiled at start-up: how its input becomes a SOAP body and how the
//! answer's body becomes JSON, for document/literal (wrapped or bare) and rpc/literal.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::decode::Decoder;
use super::encode::Encoder;
use super::error::{AnswerError, FieldError, NOTHING};
use super::model::JsonModel;
use super::simple;
use crate::mapping::format::AnswerValidation;
use crate::mapping::naming::json_keys;
use crate::mapping::route::{CompiledMapping, HeaderSource, HeaderTarget, InputSource, Route};
use crate::soap::{self, Payload, XmlLimits};
use crate::wsdl::{BodyBinding, PartKind, SoapVersion, Style, Wsdl};
use crate::xsd::{QName, TypeId, TypeKind};

/// How one direction's Body is laid out.
#[derive(Debug)]
pub enum BodyLayout {
    /// document/literal with one element part of complex type: the JSON fields are that
    /// element's content (wrapped or bare).
    Element { name: QName, type_id: TypeId },
    /// Parts as elements, under an rpc wrapper when `wrapper` is set; each part is a JSON field.
    Parts {
        wrapper: Option<QName>,
        parts: Vec<PartIo>,
    },
}

#[derive(Debug)]
pub struct PartIo {
    pub key: String,
    pub name: QName,
    pub type_id: TypeId,
    pub nillable: bool,
}

/// A declared fault of the operation.
#[derive(Debug)]
pub struct FaultDecl {
    pub name: String,
    pub element: Option<(QName, TypeId)>,
    pub status: Option<u16>,
}

#[derive(Debug)]
pub struct OperationPlan {
    pub route: Route,
    pub soap: SoapVersion,
    pub action: Option<String>,
    pub input: BodyLayout,
    pub output: BodyLayout,
    pub faults: Vec<FaultDecl>,
    /// `use="encoded"` (SOAP encoding) on the input / output: the encoding namespace.
    pub input_encoding: Option<&'static str>,
    pub output_encoding: Option<&'static str>,
    /// Per request header part (as `route.headers`): its constants, resolved from the
    /// environment at start-up, as (field key, JSON value).
    pub header_values: Vec<Vec<(String, Value)>>,
    /// Why a constant could not be resolved (an unset variable, a value of the wrong type): the
    /// operation is then unavailable (503). Names the variable, never its value.
    pub header_problem: Option<String>,
}

/// The SOAP encoding namespace a `use="encoded"` body has (none for literal).
fn encoding(soap: SoapVersion, b: &BodyBinding) -> Option<&'static str> {
    (b.use_ == crate::wsdl::Use::Encoded).then_some(match soap {
        SoapVersion::V11 => crate::xsd::SOAP11_ENC,
        SoapVersion::V12 => crate::xsd::SOAP12_ENC,
    })
}

/// Request header values (field key -> value), as `route.headers`.
pub type HeaderValues = Vec<Map<String, Value>>;

/// An operation's inputs as gathered from a request.
#[derive(Debug, Default)]
pub struct Gathered {
    /// Body fields, keyed as the route's inputs.
    pub fields: Map<String, Value>,
    /// Values of the header parts' request-sourced fields.
    pub headers: HeaderValues,
}

/// Everything needed to serve one mapping, built once.
#[derive(Debug)]
pub struct ServicePlan {
    pub compiled: Arc<CompiledMapping>,
    pub model: JsonModel,
    pub operations: Vec<OperationPlan>,
    /// The schema compiled for validating answers (`validate_answers: strict | warn`); `None`
    /// when off.
    pub validation: Option<Arc<crate::xsd::validate::Prepared>>,
    /// Answers found outside the schema (counted in `/metrics`).
    pub answers_invalid: std::sync::atomic::AtomicU64,
}

/// Violations of one answer written to the log (the rest are counted).
const LOGGED_VIOLATIONS: usize = 20;

/// An upstream answer read: what the client sees, and the HTTP response headers the answer's
/// SOAP headers fill (name, value).
#[derive(Debug, PartialEq)]
pub struct Answer {
    pub outcome: Outcome,
    pub headers: Vec<(String, String)>,
}

/// What the upstream answered, as the client will see it.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    /// The JSON text of the answer (after the mapping's `response:` selection).
    Ok(String),
    /// A SOAP fault: the status and the problem details' `fault` member.
    Fault {
        status: u16,
        fault: Value,
        message: String,
    },
}

impl ServicePlan {
    pub fn new(compiled: Arc<CompiledMapping>) -> ServicePlan {
        let wsdl = &compiled.wsdl;
        let model = JsonModel::new(&wsdl.schema, compiled.naming);
        let binding = &wsdl.bindings[compiled.selection.binding];
        let pt = &wsdl.port_types[binding.port_type];
        let operations = compiled
            .routes
            .iter()
            .map(|r| {
                let bop = &binding.operations[r.binding_operation];
                let op = &pt.operations[bop.operation];
                let faults = op
                    .faults
                    .iter()
                    .map(|(name, m)| {
                        let element = wsdl.messages[*m].parts.first().and_then(|p| match p.kind {
                            PartKind::Element(e) => Some((
                                wsdl.schema.element(e).name.clone(),
                                wsdl.schema.element(e).type_id,
                            )),
                            PartKind::Type(_) => None,
                        });
                        let status = r.faults.iter().find(|(n, _)| n == name).map(|(_, s)| *s);
                        FaultDecl {
                            name: name.clone(),
                            element,
                            status,
                        }
                    })
                    .collect();
                let (header_values, header_problem) = header_constants(&wsdl.schema, r);
                OperationPlan {
                    header_values,
                    header_problem,
                    route: r.clone(),
                    soap: compiled.soap,
                    action: bop.soap_action.clone(),
                    input: message(wsdl, &model, bop.style, &bop.input, op.input, &op.name),
                    output: message(
                        wsdl,
                        &model,
                        bop.style,
                        &bop.output,
                        op.output,
                        &format!("{}Response", op.name),
                    ),
                    faults,
                    input_encoding: encoding(compiled.soap, &bop.input),
                    output_encoding: encoding(compiled.soap, &bop.output),
                }
            })
            .collect();
        let validation = (compiled.validate_answers != AnswerValidation::Off)
            .then(|| crate::xsd::validate::Validator::new(&compiled.wsdl.schema).prepared());
        // Neither requests nor answers are checked against a pattern that could not be
        // compiled (no translation, or too large within the schema's budget): say so at load.
        let schema = &compiled.wsdl.schema;
        for (i, t) in schema.types.iter().enumerate() {
            if let TypeKind::Simple(st) = &t.kind {
                for p in &st.facets.unenforced {
                    tracing::warn!(
                        r#type = %schema.type_label(TypeId(i as u32)),
                        pattern = %p,
                        "Pattern not enforced: no translation to the regex engine, or beyond the size limits"
                    );
                }
            }
        }
        ServicePlan {
            compiled,
            model,
            operations,
            validation,
            answers_invalid: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// Checks an answer's Body against the schema (`validate_answers`): the elements of a
    /// document-style answer, each against its global declaration. rpc parts (local accessors
    /// typed by the message) and SOAP-encoded answers (not literal XML Schema) are not checked.
    /// `strict`: an error naming the violations; `warn`: logged and counted.
    fn check_answer(&self, op: &OperationPlan, body: roxmltree::Node) -> Result<(), String> {
        let Some(compiled) = &self.validation else {
            return Ok(());
        };
        if op.output_encoding.is_some() {
            return Ok(());
        }
        let names: Vec<&QName> = match &op.output {
            BodyLayout::Element { name, .. } => vec![name],
            BodyLayout::Parts {
                wrapper: None,
                parts,
            } => parts.iter().map(|p| &p.name).collect(),
            BodyLayout::Parts { .. } => return Ok(()),
        };
        let schema = &self.compiled.wsdl.schema;
        let validator = crate::xsd::validate::Validator::with(schema, compiled.clone());
        let mut violations = Vec::new();
        for c in body.children().filter(|c| c.is_element()) {
            let q = QName::new(c.tag_name().namespace().unwrap_or(""), c.tag_name().name());
            if !names.contains(&&q) {
                continue;
            }
            if let Some(&decl) = schema.global_elements.get(&q) {
                violations.extend(validator.validate_element(c, decl));
            }
        }
        if violations.is_empty() {
            return Ok(());
        }
        self.answers_invalid
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let strict = self.compiled.validate_answers == AnswerValidation::Strict;
        for v in violations.iter().take(LOGGED_VIOLATIONS) {
            tracing::warn!(operation = %op.route.operation, path = %v.path, rule = v.rule, problem = %v.message, strict, "Answer outside the schema");
        }
        if strict {
            let first = &violations[0];
            return Err(format!(
                "the answer violates the schema in {} place(s), first at {}: {}",
                violations.len(),
                first.path,
                first.message
            ));
        }
        Ok(())
    }

    pub fn operation(&self, name: &str) -> Option<&OperationPlan> {
        self.operations.iter().find(|o| o.route.operation == name)
    }

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
        let input = gather_all(&self.compiled.wsdl.schema, &op.route, param, body)?;
        self.request_with(op, &input.fields, op.route.body_field(), &input.headers)
    }

    /// What an upstream answer means for the client, the one entry of the answer path: the
    /// bytes read as text in their declared encoding, the envelope parsed under `limits`, a
    /// fault (whatever the HTTP `status`) or the output as JSON with the HTTP headers its SOAP
    /// headers fill. A success status is needed for a non-fault answer.
    pub fn read_answer(
        &self,
        op: &OperationPlan,
        status: u16,
        content_type: &str,
        body: &[u8],
        limits: XmlLimits,
    ) -> Result<Answer, AnswerError> {
        let text = soap::decode_text(body, content_type).map_err(AnswerError::NotText)?;
        let (outcome, headers) = self
            .response_with_headers(op, &text, limits)
            .map_err(AnswerError::Content)?;
        if status >= 300 && matches!(outcome, Outcome::Ok(_)) {
            return Err(AnswerError::ErrorStatus(status));
        }
        Ok(Answer { outcome, headers })
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
        let schema = &self.compiled.wsdl.schema;
        let mut enc = Encoder::new(schema, &self.model);
        let mut header_errors = Vec::new();
        let header = if op.route.headers.is_empty() {
            Vec::new()
        } else {
            self.write_headers(&mut enc, op, headers, &mut header_errors);
            std::mem::replace(
                &mut enc.writer,
                quick_xml::Writer::new(Vec::with_capacity(1024)),
            )
            .into_inner()
        };
        enc.encoding = op.input_encoding;
        write_message(&mut enc, &op.input, fields);
        if !enc.errors.is_empty() || !header_errors.is_empty() {
            let mut errors = enc.errors;
            if let Some(k) = body_key {
                let prefix = format!("/{k}");
                for e in &mut errors {
                    if let Some(rest) = e.pointer.strip_prefix(&prefix) {
                        e.pointer = if rest.is_empty() {
                            "/".to_string()
                        } else {
                            rest.to_string()
                        };
                    }
                }
            }
            errors.extend(header_errors);
            return Err(errors);
        }
        let decls = self.model.declarations(&enc.used);
        Ok(soap::envelope_with_header(
            op.soap,
            &decls,
            enc.xsi,
            &header,
            &enc.writer.into_inner(),
        ))
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
                    let names: Vec<String> = h
                        .fields
                        .iter()
                        .map(|f| describe_header_source(&f.source))
                        .collect();
                    errors.push(
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
                        .found(NOTHING),
                    );
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
            let mut complete = true;
            for f in &h.fields {
                if f.field.min > 0 && !obj.contains_key(&f.key) {
                    complete = false;
                    let (pointer, what) = match &f.source {
                        HeaderSource::BodyKey(k) => {
                            (format!("/{k}"), "required field is missing".to_string())
                        }
                        other => (
                            format!("/{}", f.key),
                            format!("{} is required", describe_header_source(other)),
                        ),
                    };
                    errors.push(
                        FieldError::new(
                            pointer,
                            "required",
                            format!("{what} (it fills the SOAP header `{}`)", h.part),
                        )
                        .expected(format!(
                            "a value from {}",
                            describe_header_source(&f.source)
                        ))
                        .found(NOTHING),
                    );
                }
            }
            if !complete {
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
            let before = enc.errors.len();
            let start = enc.writer.get_ref().len();
            enc.element(&el.name, el.type_id, el.nillable, &value, "");
            let failed = enc.errors.len() > before;
            // Errors point where the values came from: a body key, or the field a request value fills.
            for e in enc.errors.drain(before..) {
                let first = e.pointer.trim_start_matches('/');
                let (head, rest) = first.split_once('/').map_or((first, ""), |(a, b)| (a, b));
                let field = if h.simple {
                    h.fields.first()
                } else {
                    h.fields.iter().find(|f| f.key == head)
                };
                let rest = if h.simple { first } else { rest };
                let sep = if rest.is_empty() { "" } else { "/" };
                errors.push(match field.map(|f| (&f.source, &f.key)) {
                    Some((HeaderSource::BodyKey(k), _)) => FieldError {
                        pointer: format!("/{k}{sep}{rest}"),
                        ..e
                    },
                    Some((HeaderSource::Request(src), key)) => FieldError {
                        pointer: format!("/{key}"),
                        message: format!("{}: {}", describe(src), e.message),
                        ..e
                    },
                    // A configured value (maybe a secret from the environment): the rule and
                    // what the schema takes, never the value (`found`, or a message quoting it).
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
                });
            }
            if h.must_understand && !failed {
                let buf = enc.writer.get_mut();
                if let Some(at) = buf
                    .get(start + 1..)
                    .and_then(|tag| tag.iter().position(|b| matches!(b, b' ' | b'>' | b'/')))
                {
                    let value = match op.soap {
                        SoapVersion::V11 => " soap:mustUnderstand=\"1\"",
                        SoapVersion::V12 => " soap:mustUnderstand=\"true\"",
                    };
                    let at = start + 1 + at;
                    buf.splice(at..at, value.bytes());
                }
            }
        }
    }

    /// The answer envelope an upstream would send for output fields (keyed as the output
    /// message's JSON): the mock's and the tests' side of [`ServicePlan::response`].
    pub fn answer(
        &self,
        op: &OperationPlan,
        fields: &Map<String, Value>,
    ) -> Result<Vec<u8>, Vec<FieldError>> {
        let mut enc = Encoder::new(&self.compiled.wsdl.schema, &self.model);
        enc.encoding = op.output_encoding;
        write_message(&mut enc, &op.output, fields);
        if !enc.errors.is_empty() {
            return Err(enc.errors);
        }
        let decls = self.model.declarations(&enc.used);
        Ok(soap::envelope(
            op.soap,
            &decls,
            enc.xsi,
            &enc.writer.into_inner(),
        ))
    }

    /// The input fields a request envelope carries, read as the upstream would read it: the
    /// inverse of [`ServicePlan::request`] (the mock's and the tests' side), as JSON text.
    pub fn read_request(
        &self,
        op: &OperationPlan,
        text: &str,
        limits: XmlLimits,
    ) -> Result<String, String> {
        let doc = soap::parse(text, limits)?;
        let (version, payload) = soap::body(&doc)?;
        if version != op.soap {
            return Err(format!(
                "the request is a {version} envelope, the binding is {}",
                op.soap
            ));
        }
        let Payload::Body(body) = payload else {
            return Err("the request is a fault".to_string());
        };
        let mut dec = Decoder::new(&self.compiled.wsdl.schema, &self.model);
        if op.input_encoding.is_some() {
            dec.index_ids(&doc);
        }
        let mut out = Vec::with_capacity(text.len());
        read_message(&dec, &op.input, body, None, &mut out)?;
        String::from_utf8(out).map_err(|_| "internal: the decoder wrote invalid UTF-8".to_string())
    }

    /// The JSON (or fault) an answer means; `Err` is a malformed or unexpected answer (502).
    pub fn response(
        &self,
        op: &OperationPlan,
        text: &str,
        limits: XmlLimits,
    ) -> Result<Outcome, String> {
        self.response_with_headers(op, text, limits).map(|(o, _)| o)
    }

    /// [`ServicePlan::response`], and the HTTP response headers the answer's SOAP headers fill.
    pub fn response_with_headers(
        &self,
        op: &OperationPlan,
        text: &str,
        limits: XmlLimits,
    ) -> Result<(Outcome, Vec<(String, String)>), String> {
        let doc = soap::parse(text, limits)?;
        let (version, payload) = soap::body(&doc)?;
        if version != op.soap {
            return Err(format!(
                "the answer is a {version} envelope, the binding is {}",
                op.soap
            ));
        }
        let mut dec = Decoder::new(&self.compiled.wsdl.schema, &self.model);
        if op.output_encoding.is_some() {
            dec.index_ids(&doc);
        }
        match payload {
            Payload::Fault(f) => {
                let declared = f.detail.and_then(|d| {
                    op.faults.iter().find(|fd| {
                        fd.element.as_ref().is_some_and(|(q, _)| {
                            d.tag_name().name() == q.local
                                && d.tag_name().namespace().unwrap_or("") == q.ns
                        })
                    })
                });
                let detail = match (declared, f.detail) {
                    (Some(fd), Some(d)) => fd
                        .element
                        .as_ref()
                        .map(|(_, t)| dec.element(d, *t, true))
                        .transpose()
                        .ok()
                        .flatten()
                        .unwrap_or(Value::Null),
                    _ => Value::Null,
                };
                let status =
                    declared
                        .and_then(|d| d.status)
                        .unwrap_or(if f.client { 400 } else { 502 });
                let mut fault = Map::new();
                if let Some(d) = declared {
                    fault.insert("name".into(), Value::String(d.name.clone()));
                }
                fault.insert("code".into(), Value::String(f.code.clone()));
                // An undeclared receiver fault is the service's internal error: its text (often
                // a stack trace) is logged, not passed on.
                let internal = declared.is_none() && !f.client;
                let message = if internal {
                    "the legacy service failed with an internal fault".to_string()
                } else {
                    f.string.clone()
                };
                if internal {
                    tracing::warn!(fault_code = %f.code, fault_string = %f.string, "Upstream internal fault");
                } else {
                    fault.insert("string".into(), Value::String(f.string.clone()));
                    fault.insert("detail".into(), detail);
                }
                Ok((
                    Outcome::Fault {
                        status,
                        fault: Value::Object(fault),
                        message,
                    },
                    Vec::new(),
                ))
            }
            Payload::Body(body) => {
                self.check_answer(op, body)?;
                let selected = op.route.response.map(|i| op.route.outputs[i].0.as_str());
                let mut out = Vec::with_capacity(text.len());
                read_message(&dec, &op.output, body, selected, &mut out)?;
                let mut http = Vec::new();
                if !op.route.response_headers.is_empty() {
                    let schema = &self.compiled.wsdl.schema;
                    let mut keys = Vec::new();
                    let header = soap::header(&doc);
                    for h in &op.route.response_headers {
                        let el = schema.element(h.element);
                        let Some(node) = header.and_then(|hd| {
                            hd.children().find(|c| {
                                c.is_element()
                                    && c.tag_name().name() == el.name.local
                                    && c.tag_name().namespace().unwrap_or("") == el.name.ns
                            })
                        }) else {
                            continue;
                        };
                        let bad = |e: String| format!("SOAP header `{}`: {e}", h.part);
                        match &h.target {
                            HeaderTarget::Http(name) => {
                                match dec.element(node, el.type_id, el.nillable).map_err(bad)? {
                                    Value::Null => {}
                                    Value::String(s) => http.push((name.clone(), s)),
                                    other => http.push((name.clone(), other.to_string())),
                                }
                            }
                            HeaderTarget::BodyKey(k) => {
                                let mut json = Vec::with_capacity(128);
                                dec.write_element(node, el.type_id, el.nillable, &mut json)
                                    .map_err(bad)?;
                                keys.push((k.clone(), json));
                            }
                        }
                    }
                    if !keys.is_empty() {
                        add_keys(&mut out, keys);
                    }
                }
                Ok((
                    Outcome::Ok(
                        String::from_utf8(out)
                            .map_err(|_| "internal: the decoder wrote invalid UTF-8".to_string())?,
                    ),
                    http,
                ))
            }
        }
    }
}

fn message(
    wsdl: &Wsdl,
    model: &JsonModel,
    style: Style,
    body: &BodyBinding,
    msg: Option<usize>,
    rpc_name: &str,
) -> BodyLayout {
    let Some(m) = msg else {
        return BodyLayout::Parts {
            wrapper: None,
            parts: Vec::new(),
        };
    };
    let schema = &wsdl.schema;
    let parts = crate::mapping::shape::body_parts(wsdl, body, m);
    if style == Style::Document
        && let [p] = parts.as_slice()
        && let PartKind::Element(e) = p.kind
    {
        let el = schema.element(e);
        if matches!(schema.ty(el.type_id).kind, TypeKind::Complex(_)) {
            return BodyLayout::Element {
                name: el.name.clone(),
                type_id: el.type_id,
            };
        }
        let key = json_keys(model.naming, &[(el.name.local.as_str(), false)]).remove(0);
        return BodyLayout::Parts {
            wrapper: None,
            parts: vec![PartIo {
                key,
                name: el.name.clone(),
                type_id: el.type_id,
                nillable: el.nillable,
            }],
        };
    }
    let names: Vec<(&str, bool)> = parts.iter().map(|p| (p.name.as_str(), false)).collect();
    let keys = json_keys(model.naming, &names);
    let parts = parts
        .iter()
        .zip(keys)
        .map(|(p, key)| match p.kind {
            PartKind::Element(e) => {
                let el = schema.element(e);
                PartIo {
                    key,
                    name: el.name.clone(),
                    type_id: el.type_id,
                    nillable: el.nillable,
                }
            }
            PartKind::Type(t) => PartIo {
                key,
                name: QName::new("", p.name.clone()),
                type_id: t,
                nillable: true,
            },
        })
        .collect();
    let wrapper = (style == Style::Rpc).then(|| {
        QName::new(
            body.namespace
                .clone()
                .unwrap_or_else(|| wsdl.target_namespace.clone()),
            rpc_name,
        )
    });
    BodyLayout::Parts { wrapper, parts }
}

/// The prefix of an rpc wrapper whose namespace no schema uses.
const RPC_PREFIX: &str = "rpc";

fn write_message(enc: &mut Encoder, m: &BodyLayout, fields: &Map<String, Value>) {
    match m {
        BodyLayout::Element { name, type_id } => {
            enc.element(name, *type_id, false, &Value::Object(fields.clone()), "")
        }
        BodyLayout::Parts { wrapper, parts } => {
            for k in fields.keys() {
                if !parts.iter().any(|p| &p.key == k) {
                    let keys: Vec<String> = parts
                        .iter()
                        .map(|p| crate::xsd::facets::quote_short(&p.key))
                        .collect();
                    enc.errors.push(
                        FieldError::new(format!("/{k}"), "unknownField", "unknown field")
                            .expected(format!("one of: {}", keys.join(", ")))
                            .found_value(&fields[k]),
                    );
                }
            }
            let tag = wrapper.as_ref().map(|w| {
                if w.ns.is_empty() {
                    return (w.local.clone(), None);
                }
                let i = *enc.model.namespaces.get(&w.ns).unwrap_or(&usize::MAX);
                if i == usize::MAX {
                    // A namespace no schema declares: a prefix of its own. Never a default
                    // namespace, which the unqualified part accessors inside would fall into.
                    return (format!("{RPC_PREFIX}:{}", w.local), Some(w.ns.clone()));
                }
                enc.used.insert(i);
                (format!("{}:{}", enc.model.prefixes[i], w.local), None)
            });
            if let Some((tag, own_ns)) = &tag {
                let mut start = quick_xml::events::BytesStart::new(tag.as_str());
                if let Some(ns) = own_ns {
                    start.push_attribute((format!("xmlns:{RPC_PREFIX}").as_str(), ns.as_str()));
                }
                if let Some(ns) = enc.encoding {
                    // `soap:` is declared on the Envelope.
                    start.push_attribute(("soap:encodingStyle", ns));
                }
                let _ = enc
                    .writer
                    .write_event(quick_xml::events::Event::Start(start));
            }
            for p in parts {
                match fields.get(&p.key) {
                    Some(v) => {
                        enc.element(&p.name, p.type_id, p.nillable, v, &format!("/{}", p.key))
                    }
                    None => enc.errors.push(
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
            if let Some((tag, _)) = &tag {
                let _ = enc.writer.write_event(quick_xml::events::Event::End(
                    quick_xml::events::BytesEnd::new(tag.as_str()),
                ));
            }
        }
    }
}

fn read_message(
    dec: &Decoder,
    m: &BodyLayout,
    body: roxmltree::Node,
    selected: Option<&str>,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    let elements: Vec<roxmltree::Node> = body.children().filter(|c| c.is_element()).collect();
    let is = |n: &roxmltree::Node, q: &QName| {
        n.tag_name().name() == q.local && n.tag_name().namespace().unwrap_or("") == q.ns
    };
    match m {
        BodyLayout::Element { name, type_id } => {
            let Some(el) = elements.iter().find(|n| is(n, name)) else {
                let found = elements.first().map_or("nothing".to_string(), |n| {
                    format!("`{}`", n.tag_name().name())
                });
                return Err(format!(
                    "expected `{}` in the Body, found {found}",
                    name.local
                ));
            };
            match selected {
                Some(key) => dec.write_field(*el, *type_id, key, out),
                None => dec.write_element(*el, *type_id, false, out),
            }
        }
        BodyLayout::Parts { wrapper, parts } => {
            let holder: Vec<roxmltree::Node> = match wrapper {
                Some(_) => {
                    // rpc: the wrapper's name is the operation's plus "Response"; stacks differ on
                    // its namespace, so any single Body child is taken.
                    let Some(w) = elements.first() else {
                        return Err("the Body is empty".to_string());
                    };
                    w.children().filter(|c| c.is_element()).collect()
                }
                None => elements,
            };
            // rpc parts are unqualified; match on the local name.
            let find = |p: &PartIo| {
                holder
                    .iter()
                    .find(|n| n.tag_name().name() == p.name.local)
                    .copied()
            };
            if let Some(key) = selected {
                return match parts
                    .iter()
                    .find(|p| p.key == key)
                    .and_then(|p| find(p).map(|n| (p, n)))
                {
                    Some((p, n)) => dec.write_element(n, p.type_id, true, out),
                    None => {
                        out.extend_from_slice(b"null");
                        Ok(())
                    }
                };
            }
            out.push(b'{');
            let mut first = true;
            for p in parts {
                if let Some(n) = find(p) {
                    if !first {
                        out.push(b',');
                    }
                    first = false;
                    super::decode::write_str(out, &p.key);
                    out.push(b':');
                    dec.write_element(n, p.type_id, true, out)?;
                }
            }
            out.push(b'}');
            Ok(())
        }
    }
}

/// Gathers an operation's input fields and header values from where the mapping binds them:
/// `param` answers the values of a path parameter, query parameter or header; `body` is the
/// parsed JSON body (header fields bound to `body.KEY` are taken out of it first).
pub fn gather_all(
    schema: &crate::xsd::Schema,
    route: &Route,
    param: &dyn Fn(&InputSource) -> Vec<String>,
    mut body: Option<Value>,
) -> Result<Gathered, Vec<FieldError>> {
    let mut headers: HeaderValues = vec![Map::new(); route.headers.len()];
    let mut errors = Vec::new();
    for (i, h) in route.headers.iter().enumerate() {
        for f in &h.fields {
            match &f.source {
                HeaderSource::Value(_) => {}
                HeaderSource::BodyKey(k) => {
                    if let Some(Value::Object(o)) = body.as_mut()
                        && let Some(v) = o.shift_remove(k)
                    {
                        headers[i].insert(f.key.clone(), v);
                    }
                }
                HeaderSource::Request(src) => {
                    let values = param(src);
                    match values.as_slice() {
                        [] => {}
                        [one] => match simple::from_text(schema, f.field.type_id, one) {
                            Ok(v) => {
                                headers[i].insert(f.key.clone(), v);
                            }
                            Err(e) => errors.push(FieldError {
                                message: format!("{}: {}", describe(src), e.message),
                                ..FieldError::value(format!("/{}", f.key), e)
                            }),
                        },
                        many => errors.push(
                            FieldError::new(
                                format!("/{}", f.key),
                                "maxOccurs",
                                format!(
                                    "{} is given {} times; it takes one value",
                                    describe(src),
                                    many.len()
                                ),
                            )
                            .expected("one value")
                            .found(format!("{} values", many.len())),
                        ),
                    }
                }
            }
        }
    }
    // A body holding only header keys is no body for the fields.
    if route.headers.iter().any(|h| {
        h.fields
            .iter()
            .any(|f| matches!(f.source, HeaderSource::BodyKey(_)))
    }) && matches!(&body, Some(Value::Object(o)) if o.is_empty())
    {
        body = None;
    }
    match gather(schema, route, param, body) {
        Ok(fields) if errors.is_empty() => Ok(Gathered { fields, headers }),
        Ok(_) => Err(errors),
        Err(mut e) => {
            e.extend(errors);
            Err(e)
        }
    }
}

/// Gathers an operation's input fields from where the mapping binds them: `param` answers the
/// values of a path parameter, query parameter or header; `body` is the parsed JSON body.
pub fn gather(
    schema: &crate::xsd::Schema,
    route: &Route,
    param: &dyn Fn(&InputSource) -> Vec<String>,
    body: Option<Value>,
) -> Result<Map<String, Value>, Vec<FieldError>> {
    let mut fields = Map::new();
    let mut errors = Vec::new();
    let takes_body = route.body_field().is_some();
    match body {
        Some(Value::Object(o)) if !takes_body => {
            for (k, v) in o {
                match route.inputs.iter().find(|i| i.key == k) {
                    Some(i) if i.source == InputSource::BodyKey => {
                        fields.insert(k, v);
                    }
                    Some(i) => errors.push(
                        FieldError::new(
                            format!("/{k}"),
                            "unknownField",
                            format!("`{k}` comes from {}, not the body", describe(&i.source)),
                        )
                        .expected(format!("`{k}` in {}", describe(&i.source)))
                        .found_value(&v),
                    ),
                    None => {
                        let keys: Vec<String> = route
                            .inputs
                            .iter()
                            .filter(|i| i.source == InputSource::BodyKey)
                            .map(|i| crate::xsd::facets::quote_short(&i.key))
                            .collect();
                        let expected = if keys.is_empty() {
                            "no fields in the body".to_string()
                        } else {
                            format!("one of: {}", keys.join(", "))
                        };
                        errors.push(
                            FieldError::new(format!("/{k}"), "unknownField", "unknown field")
                                .expected(expected)
                                .found_value(&v),
                        )
                    }
                }
            }
        }
        Some(v) if takes_body => {
            fields.insert(route.body_field().unwrap_or_default().to_string(), v);
        }
        Some(Value::Null) | None => {}
        Some(other) => errors.push(
            FieldError::new(
                "/",
                "type",
                format!("expected a JSON object, found {}", simple::describe(&other)),
            )
            .expected("a JSON object")
            .found_value(&other),
        ),
    }
    for input in &route.inputs {
        if matches!(input.source, InputSource::Body | InputSource::BodyKey) {
            continue;
        }
        let values = param(&input.source);
        if values.is_empty() {
            continue;
        }
        let t = input.field.type_id;
        let convert = |s: &str| simple::from_text(schema, t, s);
        let pointer = format!("/{}", input.key);
        let v = if input.field.max.is_many() {
            values
                .iter()
                .map(|s| convert(s))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array)
                .map_err(|e| FieldError::value(pointer, e))
        } else if values.len() > 1 {
            Err(FieldError::new(
                pointer,
                "maxOccurs",
                format!("is given {} times; it takes one value", values.len()),
            )
            .expected("one value")
            .found(format!("{} values", values.len())))
        } else {
            convert(&values[0]).map_err(|e| FieldError::value(pointer, e))
        };
        match v {
            Ok(v) => {
                fields.insert(input.key.clone(), v);
            }
            Err(e) => errors.push(FieldError {
                message: format!("{}: {}", describe(&input.source), e.message),
                ..e
            }),
        }
    }
    if errors.is_empty() {
        Ok(fields)
    } else {
        Err(errors)
    }
}

/// Adds keys to the JSON object in `out` (nothing when it is not an object; a key the object
/// already has is kept and the header dropped). The object is spliced, not re-parsed, unless the
/// key's text occurs in it.
fn add_keys(out: &mut Vec<u8>, keys: Vec<(String, Vec<u8>)>) {
    if out.first() != Some(&b'{') || out.last() != Some(&b'}') {
        return;
    }
    for (k, v) in keys {
        let mut quoted = Vec::with_capacity(k.len() + 3);
        super::decode::write_str(&mut quoted, &k);
        quoted.push(b':');
        if memchr::memmem::find(out, &quoted).is_some() {
            // Maybe a nested key or text: look at the top level properly.
            if let Ok(Value::Object(mut o)) = serde_json::from_slice::<Value>(out)
                && let Ok(v) = serde_json::from_slice::<Value>(&v)
            {
                if o.contains_key(&k) {
                    tracing::warn!(key = %k, "Answer already has the key a SOAP header is exposed under; header dropped");
                } else {
                    o.insert(k, v);
                    *out = Value::Object(o).to_string().into_bytes();
                }
            }
            continue;
        }
        out.pop();
        if out.len() > 1 {
            out.push(b',');
        }
        out.extend_from_slice(&quoted);
        out.extend_from_slice(&v);
        out.push(b'}');
    }
}

fn describe_header_source(s: &HeaderSource) -> String {
    match s {
        HeaderSource::Request(src) => describe(src),
        HeaderSource::BodyKey(k) => format!("body key `{k}`"),
        HeaderSource::Value(_) => "a configured value".to_string(),
    }
}

/// The constants of each request header part, resolved from the environment: (values per part,
/// the first problem). A problem names the variable or field, never the value.
fn header_constants(
    schema: &crate::xsd::Schema,
    route: &Route,
) -> (Vec<Vec<(String, Value)>>, Option<String>) {
    let mut problem = None;
    let values = route
        .headers
        .iter()
        .map(|h| {
            h.fields
                .iter()
                .filter_map(|f| {
                    let HeaderSource::Value(template) = &f.source else {
                        return None;
                    };
                    let secret = template.contains("${");
                    let text = match crate::env::expand_env(template) {
                        Ok(t) => t,
                        Err(e) => {
                            problem.get_or_insert(format!(
                                "SOAP header `{}` field `{}`: {e}",
                                h.part, f.key
                            ));
                            return None;
                        }
                    };
                    match simple::from_text(schema, f.field.type_id, &text) {
                        Ok(v) => Some((f.key.clone(), v)),
                        Err(e) => {
                            problem.get_or_insert(if secret {
                                format!(
                                    "SOAP header `{}` field `{}`: the value from the environment is not a valid {}",
                                    h.part,
                                    f.key,
                                    schema.type_label(f.field.type_id)
                                )
                            } else {
                                format!("SOAP header `{}` field `{}`: {e}", h.part, f.key)
                            });
                            None
                        }
                    }
                })
                .collect()
        })
        .collect();
    (values, problem)
}

fn describe(s: &InputSource) -> String {
    match s {
        InputSource::Path(p) => format!("path parameter `{p}`"),
        InputSource::Query(p) => format!("query parameter `{p}`"),
        InputSource::Header(p) => format!("header `{p}`"),
        InputSource::Body | InputSource::BodyKey => "the body".to_string(),
    }
}

#[cfg(test)]
mod header_tests {
    use super::*;

    #[test]
    fn keys_are_spliced_into_objects() {
        let add = |json: &str, k: &str, v: Value| {
            let mut out = json.as_bytes().to_vec();
            add_keys(&mut out, vec![(k.to_string(), v.to_string().into_bytes())]);
            String::from_utf8(out).unwrap()
        };
        assert_eq!(add("{}", "s", Value::from(1)), r#"{"s":1}"#);
        assert_eq!(
            add(r#"{"a":1}"#, "s", Value::from("x")),
            r#"{"a":1,"s":"x"}"#
        );
        // A nested key of the same name: still added at the top level.
        assert_eq!(
            add(r#"{"a":{"s":1}}"#, "s", Value::from(2)),
            r#"{"a":{"s":1},"s":2}"#
        );
        // A top-level key already there wins; non-objects are left alone.
        assert_eq!(add(r#"{"s":1}"#, "s", Value::from(2)), r#"{"s":1}"#);
        assert_eq!(add("null", "s", Value::from(2)), "null");
        assert_eq!(add("[1]", "s", Value::from(2)), "[1]");
    }
}
