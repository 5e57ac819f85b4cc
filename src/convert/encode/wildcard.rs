//! Content the schema leaves open: `anyType` and mixed content, an `xs:any` wildcard's elements
//! (`$xml`, raw markup checked to be well-formed and to be what the wildcard takes), and
//! `$attributes` for an `xs:anyAttribute`.

use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};
use serde_json::{Map, Value};

use super::encoder::{Encoder, pointer_push, quote};
use crate::convert::error::{FieldError, NOTHING};
use crate::convert::simple;
use crate::mapping::naming::XML_KEY;
use crate::xml::escape;
use crate::xsd::*;

impl Encoder<'_> {
    /// `anyType` and mixed content: a scalar as text, `{"$xml": "<raw/>"}` checked to be
    /// well-formed before it is passed through, or `{}` for no content.
    pub(super) fn any_content(&mut self, start: BytesStart, tag: &str, v: &Value, pointer: &str) {
        let text = match v {
            Value::String(s) => escape(s, false).into_owned(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Object(o) if o.is_empty() => String::new(),
            Value::Object(o) if o.len() == 1 && o.get(XML_KEY).is_some_and(Value::is_string) => {
                let p = pointer_push(pointer, XML_KEY);
                match self.checked_raw(&o[XML_KEY], &p) {
                    Some(raw) => raw,
                    None => return,
                }
            }
            _ => {
                self.push(
                    FieldError::new(
                        pointer,
                        "type",
                        "expected a string, a number, a boolean, {\"$xml\": \"...\"} or {} (any content)",
                    )
                    .expected("a string, a number, a boolean, {\"$xml\": \"...\"} or {}")
                    .found_value(v),
                );
                return;
            }
        };
        self.write(Event::Start(start));
        self.write(Event::Text(BytesText::from_escaped(text)));
        self.write(Event::End(BytesEnd::new(tag)));
    }

    /// `$attributes`: attributes the type's `xs:anyAttribute` takes, `{"{ns}name": "value"}`.
    /// A namespace without a prefix of the model's gets one declared on the element.
    pub(super) fn any_attributes(
        &mut self,
        t: TypeId,
        start: &mut BytesStart,
        v: &Value,
        pointer: &str,
    ) {
        let TypeKind::Complex(ct) = &self.schema.ty(t).kind else {
            return;
        };
        let Some(w) = ct.any_attribute.clone() else {
            return;
        };
        let Some(extra) = v.as_object() else {
            self.push(
                FieldError::new(
                    pointer,
                    "type",
                    format!(
                        "expected an object of attributes (\"{{namespace}}name\": \"value\"), found {}",
                        simple::describe(v)
                    ),
                )
                .expected("an object of attributes (\"{namespace}name\": \"value\")")
                .found_value(v),
            );
            return;
        };
        let mut own = 0;
        for (k, value) in extra {
            let p = pointer_push(pointer, k);
            let (ns, local) = match k.strip_prefix('{').and_then(|r| r.split_once('}')) {
                Some((ns, local)) => (ns, local),
                None => ("", k.as_str()),
            };
            let name_ok = !local.is_empty()
                && local.chars().enumerate().all(|(i, c)| {
                    c.is_alphabetic()
                        || c == '_'
                        || (i > 0 && (c.is_alphanumeric() || matches!(c, '-' | '.')))
                });
            if !name_ok || ns == XSI || local.starts_with("xmlns") {
                self.push(
                    FieldError::new(&p, "wildcard", "not an attribute name this element may carry")
                        .expected("an attribute name, as \"{namespace}name\" or \"name\" (not xmlns or an xsi: attribute)")
                        .found(quote(k)),
                );
                continue;
            }
            let allowed = match &w.namespaces {
                NamespaceConstraint::Any => true,
                NamespaceConstraint::Not(tns) => !ns.is_empty() && ns != tns,
                NamespaceConstraint::List(l) => l.iter().any(|x| x == ns),
            };
            if !allowed {
                self.push(
                    FieldError::new(
                        &p,
                        "wildcard",
                        format!(
                            "the type's xs:anyAttribute does not take attributes in namespace `{ns}`"
                        ),
                    )
                    .expected(format!("an attribute in {}", namespaces_wanted(&w.namespaces)))
                    .found(format!("an attribute in {}", namespace_found(ns))),
                );
                continue;
            }
            let Some(text) = value.as_str() else {
                self.push(
                    FieldError::new(
                        &p,
                        "type",
                        format!("expected a string, found {}", simple::describe(value)),
                    )
                    .expected("a string")
                    .found_value(value),
                );
                continue;
            };
            if let Some(c) = text.chars().find(|&c| crate::xml::bad_char(c)) {
                self.push(
                    FieldError::new(
                        &p,
                        "type",
                        format!("the character U+{:04X} cannot be carried by XML", c as u32),
                    )
                    .expected("characters XML can carry (no control characters but tab, newline and carriage return)")
                    .found_value(value),
                );
                continue;
            }
            let name = if ns.is_empty() {
                local.to_string()
            } else if self.model.namespaces.contains_key(ns) {
                self.qname(&QName::new(ns, local))
            } else {
                let prefix = format!("a{own}");
                own += 1;
                start.push_attribute((
                    format!("xmlns:{prefix}").as_str(),
                    escape(ns, true).as_ref(),
                ));
                format!("{prefix}:{local}")
            };
            start.push_attribute(quick_xml::events::attributes::Attribute {
                key: quick_xml::name::QName(name.as_str()),
                value: escape(text, true).into_owned().into(),
            });
        }
    }

    /// Whether well-formed raw markup is what a wildcard takes: elements only (no text), each in
    /// a namespace the wildcard allows.
    fn fits_wildcard(&mut self, w: &Wildcard, raw: &str, pointer: &str) -> bool {
        let wrapped = format!("<r>{raw}</r>");
        if crate::xml::scan(&wrapped, &crate::xml::XmlLimits::default()).is_err() {
            return false;
        }
        let Ok(doc) =
            roxmltree::Document::parse_with_options(&wrapped, crate::xml::parse_options())
        else {
            return false;
        };
        for c in doc.root_element().children() {
            if c.is_text() && c.text().is_some_and(|t| !t.trim().is_empty()) {
                self.push(
                    FieldError::new(
                        pointer,
                        "wildcard",
                        "text is not allowed here: a wildcard (xs:any) takes elements only",
                    )
                    .expected("elements only (xs:any)")
                    .found(format!("text {}", quote(c.text().unwrap_or("").trim()))),
                );
                return false;
            }
            if !c.is_element() {
                continue;
            }
            let ns = c.tag_name().namespace().unwrap_or("");
            let allowed = match &w.namespaces {
                NamespaceConstraint::Any => true,
                NamespaceConstraint::Not(tns) => !ns.is_empty() && ns != tns,
                NamespaceConstraint::List(l) => l.iter().any(|x| x == ns),
            };
            if !allowed {
                let wanted = namespaces_wanted(&w.namespaces);
                let name = c.tag_name().name();
                let m = format!(
                    "element `{name}` in namespace `{ns}` is not allowed here: the wildcard (xs:any) takes {wanted}"
                );
                self.push(
                    FieldError::new(pointer, "wildcard", m)
                        .expected(format!("elements in {wanted}"))
                        .found(format!(
                            "element {} in {}",
                            quote(name),
                            namespace_found(ns)
                        )),
                );
                return false;
            }
        }
        true
    }

    /// Raw markup from the client, checked to be well-formed (with every prefix declared).
    pub(super) fn checked_raw(&mut self, v: &Value, pointer: &str) -> Option<String> {
        let Some(raw) = v.as_str() else {
            self.push(
                FieldError::new(
                    pointer,
                    "type",
                    format!("expected a string of XML, found {}", simple::describe(v)),
                )
                .expected("a string of XML")
                .found_value(v),
            );
            return None;
        };
        let wrapped = format!("<r>{raw}</r>");
        // The limits first, in one linear pass (the tree parser's work can grow faster); SOAP
        // forbids processing instructions (and our own reader refuses them).
        match crate::xml::scan(&wrapped, &crate::xml::XmlLimits::default()) {
            Ok(()) => {}
            Err(r) if r.breach == crate::xml::Breach::ProcessingInstruction => {
                self.push(
                    FieldError::new(
                        pointer,
                        "xml",
                        "processing instructions (<?...?>) are not allowed in SOAP messages",
                    )
                    .expected("XML without processing instructions")
                    .found_value(v),
                );
                return None;
            }
            Err(r) => {
                self.push(
                    FieldError::new(pointer, "xml", format!("the XML {}", r.breach))
                        .expected("XML within the limits")
                        .found_value(v),
                );
                return None;
            }
        }
        match roxmltree::Document::parse_with_options(&wrapped, crate::xml::parse_options()) {
            Err(e) => {
                self.push(
                    FieldError::new(pointer, "xml", format!("not well-formed XML: {e}"))
                        .expected("well-formed XML")
                        .found_value(v),
                );
                None
            }
            Ok(_) => Some(raw.to_string()),
        }
    }

    /// The wildcard particle `w`: the object's `$xml`, raw, at the first wildcard of the
    /// content. Returns whether it was given.
    pub(super) fn wildcard(
        &mut self,
        w: &Wildcard,
        obj: &Map<String, Value>,
        pointer: &str,
        required: bool,
    ) -> bool {
        let Some(v) = obj.get(XML_KEY).filter(|_| !self.wildcard_done) else {
            if required && !self.wildcard_done {
                self.push(
                    FieldError::new(
                        pointer_push(pointer, XML_KEY),
                        "required",
                        "required field is missing (the elements the schema's xs:any takes, as XML)",
                    )
                    .expected(format!(
                        "the elements the schema's xs:any takes, as XML under {}",
                        quote(XML_KEY)
                    ))
                    .found(NOTHING),
                );
            }
            return false;
        };
        self.wildcard_done = true;
        let p = pointer_push(pointer, XML_KEY);
        if let Some(raw) = self.checked_raw(v, &p)
            && self.fits_wildcard(w, &raw, &p)
        {
            self.write(Event::Text(BytesText::from_escaped(raw)));
        }
        true
    }
}

/// `namespace "urn:x"`, or `no namespace`, for `found`.
fn namespace_found(ns: &str) -> String {
    if ns.is_empty() {
        "no namespace".to_string()
    } else {
        format!("namespace {}", quote(ns))
    }
}

/// The namespaces a wildcard takes, for messages.
fn namespaces_wanted(c: &NamespaceConstraint) -> String {
    match c {
        NamespaceConstraint::Any => "any namespace".to_string(),
        NamespaceConstraint::Not(tns) => format!("a namespace other than `{tns}` (and not none)"),
        NamespaceConstraint::List(l) => format!("one of the namespaces {l:?}"),
    }
}
