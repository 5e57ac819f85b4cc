//! Reading an answer: its bytes as text in the declared encoding, the envelope parsed under
//! the limits, a fault (declared or not, whatever the HTTP status) as the client's problem
//! details, or the output message as JSON text (the mapping's `response:` selection), checked
//! against the schema when the mapping asks, with the answer's SOAP headers passed on as HTTP
//! headers or JSON keys.

use roxmltree::{Document, Node};
use serde_json::{Map, Value};

use super::plan::{BodyLayout, OperationPlan, PartIo, ServicePlan};
use crate::convert::decode::{DecodeError, Decoder, Mismatch, write_str};
use crate::convert::error::AnswerError;
use crate::convert::stream::{self, Fallback};
use crate::mapping::route::HeaderTarget;
use crate::soap::{self, Fault, Payload, XmlLimits};
use crate::xsd::QName;

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
        let text = soap::decode_text(body, content_type)?;
        let answer = self.response_with_headers(op, &text, limits)?;
        if status >= 300 && matches!(answer.outcome, Outcome::Ok(_)) {
            return Err(AnswerError::ErrorStatus(status));
        }
        Ok(answer)
    }

    /// The JSON (or fault) an answer's text means; `Err` is a malformed or unexpected answer
    /// (502).
    pub fn response(
        &self,
        op: &OperationPlan,
        text: &str,
        limits: XmlLimits,
    ) -> Result<Outcome, AnswerError> {
        self.response_with_headers(op, text, limits)
            .map(|a| a.outcome)
    }

    /// [`ServicePlan::response`], and the HTTP response headers the answer's SOAP headers fill:
    /// read in one pass with no tree when it can ([`ServicePlan::stream_response`]), else by the
    /// tree decoder.
    pub fn response_with_headers(
        &self,
        op: &OperationPlan,
        text: &str,
        limits: XmlLimits,
    ) -> Result<Answer, AnswerError> {
        let mut answer = match self.stream_response(op, text, limits) {
            Ok(json) => Answer {
                outcome: Outcome::Ok(json),
                headers: Vec::new(),
            },
            Err(_) => self.tree_response(op, text, limits)?,
        };
        // `response: { KEY: FIELD }`: the selected value under its key.
        if let (Some(key), Outcome::Ok(json)) = (&op.route.response_key, &mut answer.outcome) {
            let key = serde_json::to_string(key).unwrap_or_default();
            *json = format!("{{{key}:{json}}}");
        }
        Ok(answer)
    }

    /// The JSON of a document/literal answer without SOAP headers to pass on, read in one pass
    /// with no tree ([`crate::convert::stream`]), and checked against the schema in that pass
    /// when the mapping asks (`validate_answers`); `Err` says why the tree decoder (and
    /// validator) must read it instead (whatever else the answer holds, both write the same
    /// JSON, and only an answer the tree validator finds valid is shown valid here).
    pub fn stream_response(
        &self,
        op: &OperationPlan,
        text: &str,
        limits: XmlLimits,
    ) -> Result<String, Fallback> {
        let BodyLayout::Element { name, type_id } = &op.output else {
            return Err(Fallback::Unsupported);
        };
        if op.output_encoding.is_some() || !op.route.response_headers.is_empty() {
            return Err(Fallback::Unsupported);
        }
        let selected = op.route.response.map(|i| op.route.outputs[i].0.as_str());
        let mut out = Vec::with_capacity(text.len());
        let schema = &self.compiled.wsdl.schema;
        // The tree checks the Body elements of the message's name against their global
        // declaration (`check_answer`); the stream, the one it reads.
        let check = self.validation.as_ref().and_then(|prepared| {
            let decl = *schema.global_elements.get(name)?;
            let v = crate::xsd::validate::Validator::with(schema, prepared.clone());
            Some(crate::xsd::validate::Stepper::new(v, decl))
        });
        stream::read_body_element(
            schema,
            &self.model,
            text,
            limits,
            op.soap,
            name,
            *type_id,
            selected,
            check,
            &mut out,
        )?;
        String::from_utf8(out).map_err(|_| Fallback::Unsupported)
    }

    /// [`ServicePlan::response_with_headers`] by the tree decoder alone: the answer parsed into
    /// a tree, checked against the schema when the mapping asks, then read.
    pub fn tree_response(
        &self,
        op: &OperationPlan,
        text: &str,
        limits: XmlLimits,
    ) -> Result<Answer, AnswerError> {
        let doc = soap::parse(text, limits)?;
        let payload = soap::body_of(&doc, op.soap)?;
        let mut dec = Decoder::new(&self.compiled.wsdl.schema, &self.model);
        if op.output_encoding.is_some() {
            dec.index_ids(&doc);
        }
        match payload {
            Payload::Fault(f) => Ok(Answer {
                outcome: fault_outcome(op, &dec, &f),
                headers: Vec::new(),
            }),
            Payload::Body(body) => {
                self.check_answer(op, body)?;
                let selected = op.route.response.map(|i| op.route.outputs[i].0.as_str());
                let mut out = Vec::with_capacity(text.len());
                read_message(&dec, &op.output, body, selected, &mut out)?;
                let mut headers = Vec::new();
                if !op.route.response_headers.is_empty() {
                    self.answer_headers(op, &dec, &doc, &mut out, &mut headers)?;
                }
                let json = String::from_utf8(out).map_err(|_| {
                    DecodeError::at(body, Mismatch::Internal("the decoder wrote invalid UTF-8"))
                })?;
                Ok(Answer {
                    outcome: Outcome::Ok(json),
                    headers,
                })
            }
        }
    }

    /// The answer's SOAP headers the mapping passes on: simple ones as HTTP headers
    /// (`headers`), others as keys added to the JSON object in `out`.
    fn answer_headers(
        &self,
        op: &OperationPlan,
        dec: &Decoder,
        doc: &Document,
        out: &mut Vec<u8>,
        headers: &mut Vec<(String, String)>,
    ) -> Result<(), AnswerError> {
        let schema = &self.compiled.wsdl.schema;
        let mut keys = Vec::new();
        let header = soap::header(doc);
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
            let bad = |error: DecodeError| AnswerError::Header {
                part: h.part.clone(),
                error,
            };
            match &h.target {
                HeaderTarget::Http(name) => {
                    match dec.element(node, el.type_id, el.nillable).map_err(bad)? {
                        Value::Null => {}
                        Value::String(s) => headers.push((name.clone(), s)),
                        other => headers.push((name.clone(), other.to_string())),
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
            add_keys(out, keys);
        }
        Ok(())
    }
}

/// A fault as the client sees it: the status the mapping gives a declared fault (else 400 for
/// the sender's, 502 for the receiver's), its code, string and detail (read by the declared
/// detail element's type). An undeclared receiver fault is the service's internal error: its
/// text (often a stack trace) is logged shortened as the upstream's (`upstream_fault`), not
/// passed on.
fn fault_outcome(op: &OperationPlan, dec: &Decoder, f: &Fault) -> Outcome {
    let declared = f.detail.and_then(|d| {
        op.faults.iter().find(|fd| {
            fd.element.as_ref().is_some_and(|(q, _)| {
                d.tag_name().name() == q.local && d.tag_name().namespace().unwrap_or("") == q.ns
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
    let status = declared
        .and_then(|d| d.status)
        .unwrap_or(if f.client { 400 } else { 502 });
    let mut fault = Map::new();
    if let Some(d) = declared {
        fault.insert("name".into(), Value::String(d.name.clone()));
    }
    fault.insert("code".into(), Value::String(f.code.clone()));
    let internal = declared.is_none() && !f.client;
    let message = if internal {
        "the legacy service failed with an internal fault".to_string()
    } else {
        f.string.clone()
    };
    if internal {
        tracing::warn!(
            operation = %op.route.operation,
            upstream_fault_code = %upstream_text(&f.code),
            upstream_fault = %upstream_text(&f.string),
            upstream_fault_bytes = f.string.len(),
            "Upstream internal fault (its text is the upstream's, shortened)"
        );
    } else {
        fault.insert("string".into(), Value::String(f.string.clone()));
        fault.insert("detail".into(), detail);
    }
    Outcome::Fault {
        status,
        fault: Value::Object(fault),
        message,
    }
}

/// How much of an undeclared receiver fault's text is logged, in characters.
const LOGGED_FAULT_CHARS: usize = 200;

/// An undeclared receiver fault's text as it is logged: the upstream's words (a stack trace,
/// maybe a secret), so at most [`LOGGED_FAULT_CHARS`] characters of it, with `…` where it was
/// cut; always a structured field, so the log's escaping applies (no forged lines).
fn upstream_text(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(LOGGED_FAULT_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]).into(),
        None => text.into(),
    }
}

/// Reads a message's Body in its layout as JSON text into `out`: the document element (or only
/// its field `selected`), or the parts (under the rpc wrapper, whatever its namespace) as an
/// object (or only the part `selected`).
pub(super) fn read_message(
    dec: &Decoder,
    m: &BodyLayout,
    body: Node,
    selected: Option<&str>,
    out: &mut Vec<u8>,
) -> Result<(), DecodeError> {
    let elements: Vec<Node> = body.children().filter(|c| c.is_element()).collect();
    match m {
        BodyLayout::Element { name, type_id } => {
            let is = |n: &Node| {
                n.tag_name().name() == name.local
                    && n.tag_name().namespace().unwrap_or("") == name.ns
            };
            let Some(el) = elements.iter().find(|n| is(n)) else {
                return Err(DecodeError::at(
                    body,
                    Mismatch::BodyElement {
                        expected: name.clone(),
                        found: elements.first().map(|n| {
                            QName::new(n.tag_name().namespace().unwrap_or(""), n.tag_name().name())
                        }),
                    },
                ));
            };
            match selected {
                Some(key) => dec.write_field(*el, *type_id, key, out),
                None => dec.write_element(*el, *type_id, false, out),
            }
        }
        BodyLayout::Parts { wrapper, parts } => {
            let holder: Vec<Node> = match wrapper {
                Some(_) => {
                    // rpc: the wrapper's name is the operation's plus "Response"; stacks differ on
                    // its namespace, so any single Body child is taken.
                    let Some(w) = elements.first() else {
                        return Err(DecodeError::at(body, Mismatch::EmptyBody));
                    };
                    w.children().filter(|c| c.is_element()).collect()
                }
                None => elements,
            };
            read_parts(dec, parts, &holder, selected, out)
        }
    }
}

/// The parts found among `holder`'s elements (matched on their local name: rpc parts are
/// unqualified), as an object, or only the part `selected` (`null` when absent).
fn read_parts(
    dec: &Decoder,
    parts: &[PartIo],
    holder: &[Node],
    selected: Option<&str>,
    out: &mut Vec<u8>,
) -> Result<(), DecodeError> {
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
            write_str(out, &p.key);
            out.push(b':');
            dec.write_element(n, p.type_id, true, out)?;
        }
    }
    out.push(b'}');
    Ok(())
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
        write_str(&mut quoted, &k);
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

#[cfg(test)]
mod fault_log_tests {
    use super::*;

    #[test]
    fn upstream_fault_text_is_cut_at_a_character_boundary() {
        assert_eq!(upstream_text("db down"), "db down");
        let long = "é".repeat(300);
        let cut = upstream_text(&long);
        assert_eq!(cut.chars().count(), LOGGED_FAULT_CHARS + 1);
        assert!(cut.ends_with("é…"));
        let exact = "x".repeat(LOGGED_FAULT_CHARS);
        assert_eq!(upstream_text(&exact), exact);
    }
}
