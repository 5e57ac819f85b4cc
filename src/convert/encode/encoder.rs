//! The [`Encoder`]'s state and the primitives the other steps share: the buffer it writes
//! into, the namespaces it used (declared once, on the Envelope), whether it needs `xsi:`, the
//! SOAP encoding, and every problem found so far. [`Encoder::finish`] hands back what was
//! written ([`Written`]) or all the problems.

use std::collections::BTreeSet;

use quick_xml::Writer;
use quick_xml::events::{BytesEnd, BytesStart, Event};

use crate::convert::error::{FieldError, NOTHING};
use crate::convert::model::JsonModel;
use crate::xsd::{QName, Schema, XML};

/// Writes elements from JSON into a buffer, remembering which namespaces it used and collecting
/// every problem with its JSON Pointer.
pub struct Encoder<'m> {
    pub(super) schema: &'m Schema,
    pub(super) model: &'m JsonModel,
    pub(super) writer: Writer<Vec<u8>>,
    /// The namespaces used, as indexes into the model's prefixes.
    pub(super) used: BTreeSet<usize>,
    pub(super) errors: Vec<FieldError>,
    /// `xsi:` is needed (nil or type).
    pub(super) xsi: bool,
    /// SOAP encoding (`use="encoded"`): its namespace. Values then carry `xsi:type`, and SOAP
    /// arrays are written as such.
    pub(super) encoding: Option<&'static str>,
    /// The current element's `$xml` went out at a wildcard already.
    pub(super) wildcard_done: bool,
    /// For the current content's shared slots: how many items the particles so far took
    /// (`usize::MAX` once the slot's error was reported).
    pub(super) taken: Vec<usize>,
    /// The namespace (an index into the model's) the last qualified name was in: a message's
    /// names are mostly in one or two, so most names need no lookup by URI.
    last_ns: Option<usize>,
    /// MTOM/XOP: base64Binary values go out as binary parts (these), referenced by
    /// `xop:Include`; `None` writes them as text.
    pub(super) attachments: Option<Vec<crate::soap::mtom::Attachment>>,
}

/// What an [`Encoder`] wrote, ready to go into an envelope.
#[derive(Debug)]
pub struct Written<'m> {
    /// The elements, without namespace declarations.
    pub xml: Vec<u8>,
    /// The `(prefix, namespace)` declarations the elements need (`xml:` is never declared).
    pub declarations: Vec<(&'m str, &'m str)>,
    /// `xsi:` must be declared too.
    pub xsi: bool,
    /// The binary parts `xml` references by `xop:Include` (MTOM only).
    pub attachments: Vec<crate::soap::mtom::Attachment>,
}

/// The prefix of an rpc wrapper whose namespace no schema uses.
const RPC_PREFIX: &str = "rpc";

/// A key or name quoted for `expected`/`found`.
pub(super) fn quote(k: &str) -> String {
    crate::xsd::facets::quote_short(k)
}

/// `"a", "b"` (the first 20, then `...`).
pub(super) fn quoted_list<'a>(keys: impl Iterator<Item = &'a str>) -> String {
    let mut out: Vec<String> = Vec::new();
    for (i, k) in keys.enumerate() {
        if i == 20 {
            out.push("...".to_string());
            break;
        }
        out.push(quote(k));
    }
    out.join(", ")
}

/// The JSON Pointer `p` extended by `key` (escaped as RFC 6901 says). One allocation, no
/// formatting: it is made for every field written.
pub(super) fn pointer_push(p: &str, key: &str) -> String {
    let mut out = String::with_capacity(p.len() + key.len() + 1);
    out.push_str(p);
    out.push('/');
    if key.contains(['~', '/']) {
        out.push_str(&key.replace('~', "~0").replace('/', "~1"));
    } else {
        out.push_str(key);
    }
    out
}

impl<'m> Encoder<'m> {
    pub fn new(schema: &'m Schema, model: &'m JsonModel) -> Encoder<'m> {
        Encoder {
            schema,
            model,
            writer: Writer::new(Vec::with_capacity(1024)),
            used: BTreeSet::new(),
            errors: Vec::new(),
            xsi: false,
            encoding: None,
            wildcard_done: false,
            taken: Vec::new(),
            last_ns: None,
            attachments: None,
        }
    }

    /// Writes base64Binary values as MTOM/XOP binary parts (`true`) or as text.
    pub(crate) fn set_mtom(&mut self, on: bool) {
        self.attachments = on.then(Vec::new);
    }

    /// The text `text` of a value of type `t` written as the content of an element: as text,
    /// or (MTOM, a base64Binary value) as an `xop:Include` of a new binary part.
    pub(super) fn value_content(&mut self, t: crate::xsd::TypeId, text: &str) {
        use crate::xsd::{Primitive, TypeKind};
        let binary = matches!(&self.schema.ty(t).kind,
            TypeKind::Simple(st) if st.primitive == Primitive::Base64Binary);
        if let (true, Some(parts)) = (binary && !text.trim().is_empty(), &mut self.attachments)
            && let Some(part) = crate::soap::mtom::Attachment::from_base64(text)
        {
            let include = part.include();
            parts.push(part);
            self.write(Event::Empty(include));
            return;
        }
        self.write(Event::Text(quick_xml::events::BytesText::from_escaped(
            crate::xml::escape(text, false),
        )));
    }

    /// Writes what follows SOAP-encoded (`use="encoded"`, this encoding namespace) or literal
    /// (`None`, the default).
    pub(crate) fn set_encoding(&mut self, encoding: Option<&'static str>) {
        self.encoding = encoding;
    }

    /// What was written, with the declarations it needs; or every problem found.
    pub fn finish(self) -> Result<Written<'m>, Vec<FieldError>> {
        if !self.errors.is_empty() {
            return Err(self.errors);
        }
        Ok(Written {
            declarations: self.model.declarations(&self.used),
            xsi: self.xsi,
            attachments: self.attachments.unwrap_or_default(),
            xml: self.writer.into_inner(),
        })
    }

    /// Takes what was written so far (header blocks before the body, say); the namespaces used
    /// and the problems stay for [`Encoder::finish`].
    pub(crate) fn take_xml(&mut self) -> Vec<u8> {
        std::mem::replace(&mut self.writer, Writer::new(Vec::with_capacity(1024))).into_inner()
    }

    /// Writes one element ([`Encoder::element`]) and hands back its problems rather than keeping
    /// them; `Ok` is where its start tag begins in the buffer.
    pub(crate) fn element_alone(
        &mut self,
        name: &QName,
        t: crate::xsd::TypeId,
        nillable: bool,
        v: &serde_json::Value,
        pointer: &str,
    ) -> Result<usize, Vec<FieldError>> {
        let before = self.errors.len();
        let start = self.writer.get_ref().len();
        self.element(name, t, nillable, v, pointer);
        if self.errors.len() > before {
            return Err(self.errors.drain(before..).collect());
        }
        Ok(start)
    }

    /// Adds the attribute text `attribute` (` name="value"`, escaped) to the start tag written
    /// at `start` (as [`Encoder::element_alone`] said).
    pub(crate) fn add_attribute(&mut self, start: usize, attribute: &str) {
        let buf = self.writer.get_mut();
        if let Some(at) = buf
            .get(start + 1..)
            .and_then(|tag| tag.iter().position(|b| matches!(b, b' ' | b'>' | b'/')))
        {
            let at = start + 1 + at;
            buf.splice(at..at, attribute.bytes());
        }
    }

    /// Opens an rpc wrapper named `w` (with `soap:encodingStyle` when encoded) and returns its
    /// tag for [`Encoder::end`]. Its namespace goes on a prefix, never the default namespace,
    /// which the unqualified part accessors inside would fall into.
    pub(crate) fn start_wrapper(&mut self, w: &QName) -> String {
        let (tag, own_ns) = if w.ns.is_empty() {
            (w.local.to_string(), None)
        } else {
            match self.model.namespaces.get(&*w.ns) {
                Some(&i) => {
                    self.used.insert(i);
                    (format!("{}:{}", self.model.prefixes[i], w.local), None)
                }
                // A namespace no schema declares: a prefix of its own.
                None => (format!("{RPC_PREFIX}:{}", w.local), Some(w.ns.as_str())),
            }
        };
        let mut start = BytesStart::new(tag.as_str());
        if let Some(ns) = own_ns {
            start.push_attribute((format!("xmlns:{RPC_PREFIX}").as_str(), ns));
        }
        if let Some(ns) = self.encoding {
            // `soap:` is declared on the Envelope.
            start.push_attribute(("soap:encodingStyle", ns));
        }
        self.write(Event::Start(start));
        tag
    }

    /// Closes the element `tag`.
    pub(crate) fn end(&mut self, tag: &str) {
        self.write(Event::End(BytesEnd::new(tag)));
    }

    /// Records a problem.
    pub(crate) fn push(&mut self, e: FieldError) {
        self.errors.push(e);
    }

    /// A required field that is absent.
    pub(super) fn missing(&mut self, pointer: &str, key: &str, message: impl Into<String>) {
        self.push(
            FieldError::new(pointer, "required", message)
                .expected(format!("a value for the required field {}", quote(key)))
                .found(NOTHING),
        );
    }

    /// `prefix:local` (or `local` in no namespace), marking the namespace used.
    pub(super) fn qname(&mut self, q: &QName) -> String {
        let prefixed = |prefix: &str| {
            let mut name = String::with_capacity(prefix.len() + 1 + q.local.len());
            name.push_str(prefix);
            name.push(':');
            name.push_str(&q.local);
            name
        };
        if q.ns.is_empty() {
            return q.local.to_string();
        }
        if q.ns == XML {
            // Predefined: binding another prefix to it is not well-formed.
            return prefixed("xml");
        }
        let model = self.model;
        let found = match self.last_ns {
            Some(i) if model.namespace_uris[i] == q.ns => Some(i),
            _ => model.namespaces.get(&*q.ns).copied(),
        };
        match found {
            Some(i) => {
                if self.last_ns != Some(i) {
                    self.used.insert(i);
                    self.last_ns = Some(i);
                }
                prefixed(&model.prefixes[i])
            }
            None => q.local.to_string(),
        }
    }

    pub(super) fn write(&mut self, e: Event) {
        // Writing into a Vec cannot fail.
        let _ = self.writer.write_event(e);
    }
}
