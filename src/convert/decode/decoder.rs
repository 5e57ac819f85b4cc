//! The [`Decoder`]: reads one element as the JSON of its declared type, written straight to JSON
//! text. Here: the element itself (`xsi:nil`, `xsi:type`, SOAP encoding's `href` references,
//! the depth bound); its content is read in `content`, one field of it in `field`.

use std::cell::Cell;
use std::collections::HashMap;

use roxmltree::Node;
use serde_json::Value;

use super::error::{DecodeError, Mismatch};
use crate::convert::model::JsonModel;
use crate::xsd::*;

/// Reads XML as JSON, driven by the schema and its JSON view.
pub struct Decoder<'m> {
    pub(super) schema: &'m Schema,
    pub(super) model: &'m JsonModel,
    /// SOAP encoding: `id` -> element, for resolving `href="#id"` (1.1) and `enc:ref` (1.2)
    /// multi-references. Empty for literal messages.
    ids: HashMap<String, (roxmltree::NodeId, u64)>,
    /// How many more nodes references may bring in: shared values are read once per reference,
    /// so a chain of shared references could otherwise multiply the answer (a "billion laughs").
    budget: Cell<u64>,
    /// The answer is SOAP-encoded: `xsi:type`s naming a base or a twin of the declared type are
    /// accepted, references are followed.
    encoded: bool,
    /// How many references are being followed right now (a cycle stops at the limit).
    refs: Cell<u32>,
    /// How deep the value being written is, references followed included.
    depth: Cell<u32>,
}

/// How many `href`s may be followed inside each other (a cycle of references ends here).
const MAX_REF_DEPTH: u32 = 64;

/// How deep a value may nest, references followed included: the document's own depth is
/// bounded when it is parsed, but a reference back up the tree goes the whole depth down again
/// on every turn (64 turns of 100 levels overflowed a worker's stack). As deep as the XML itself may be.
const MAX_VALUE_DEPTH: u32 = 100;

/// The value of an attribute in no namespace. (roxmltree's `attribute("type")` matches any
/// namespace, so it finds `xsi:type` or `o:type` too.)
pub(super) fn plain_attribute<'a>(n: Node<'a, '_>, local: &str) -> Option<&'a str> {
    n.attributes()
        .find(|a| a.namespace().is_none() && a.name() == local)
        .map(|a| a.value())
}

/// Appends `s` as a JSON string (serde_json's escaping, byte for byte).
pub(crate) fn write_str(out: &mut Vec<u8>, s: &str) {
    crate::convert::simple::write_json_str(out, s);
}

/// Appends `"key":`, after a comma unless it is the object's first.
pub(super) fn write_key(out: &mut Vec<u8>, first: &mut bool, key: &str) {
    if !*first {
        out.push(b',');
    }
    *first = false;
    write_str(out, key);
    out.push(b':');
}

/// The text of an element: borrowed when it is one text node (the common case).
pub(super) fn text_of<'a>(n: Node<'a, '_>) -> std::borrow::Cow<'a, str> {
    let mut texts = n
        .children()
        .filter(|c| c.is_text())
        .filter_map(|c| c.text());
    match (texts.next(), texts.next()) {
        (None, _) => "".into(),
        (Some(t), None) => t.into(),
        (Some(a), Some(b)) => {
            let mut s = format!("{a}{b}");
            s.extend(texts);
            s.into()
        }
    }
}

impl<'m> Decoder<'m> {
    pub fn new(schema: &'m Schema, model: &'m JsonModel) -> Decoder<'m> {
        Decoder {
            schema,
            model,
            ids: HashMap::new(),
            encoded: false,
            refs: Cell::new(0),
            depth: Cell::new(0),
            budget: Cell::new(0),
        }
    }

    /// Reads a SOAP-encoded answer: indexes its `id`s so `href`s can be resolved.
    pub fn index_ids(&mut self, doc: &roxmltree::Document) {
        self.encoded = true;
        let mut total: u64 = 0;
        for n in doc.descendants().filter(|n| n.is_element()) {
            total += 1;
            if let Some(id) = plain_attribute(n, "id").or_else(|| n.attribute((SOAP12_ENC, "id"))) {
                let size = n.descendants().count() as u64;
                self.ids.entry(id.to_string()).or_insert((n.id(), size));
            }
        }
        // References may bring in up to four times the answer's own size, and at least 100,000
        // nodes: enough for any sharing a real encoder does.
        self.budget.set(total.saturating_mul(4).max(100_000));
    }

    /// The element an encoded reference (`href="#id"`, or SOAP 1.2's `enc:ref="id"`) points to.
    fn referenced<'a, 'i>(&self, n: Node<'a, 'i>) -> Result<Option<Node<'a, 'i>>, DecodeError> {
        if !self.encoded {
            return Ok(None);
        }
        let target = match (plain_attribute(n, "href"), n.attribute((SOAP12_ENC, "ref"))) {
            (Some(h), _) => h.strip_prefix('#').unwrap_or(h),
            (None, Some(r)) => r,
            (None, None) => return Ok(None),
        };
        match self
            .ids
            .get(target)
            .and_then(|&(id, size)| Some((n.document().get_node(id)?, size)))
        {
            Some((t, size)) => {
                let left = self.budget.get();
                if size > left {
                    return Err(DecodeError::at(n, Mismatch::ReferencesTooLarge));
                }
                self.budget.set(left - size);
                Ok(Some(t))
            }
            None => Err(DecodeError::at(
                n,
                Mismatch::DanglingReference(target.to_string()),
            )),
        }
    }

    /// The JSON of element `n` declared with type `t`, as a value.
    pub fn element(&self, n: Node, t: TypeId, nillable: bool) -> Result<Value, DecodeError> {
        let mut out = Vec::with_capacity(256);
        self.write_element(n, t, nillable, &mut out)?;
        serde_json::from_slice(&out)
            .map_err(|_| DecodeError::at(n, Mismatch::Internal("the decoder wrote invalid JSON")))
    }

    /// Writes the JSON of element `n` declared with type `t`.
    pub fn write_element(
        &self,
        n: Node,
        t: TypeId,
        nillable: bool,
        out: &mut Vec<u8>,
    ) -> Result<(), DecodeError> {
        let depth = self.depth.get();
        if depth >= MAX_VALUE_DEPTH {
            return Err(DecodeError::at(n, Mismatch::TooDeep(MAX_VALUE_DEPTH)));
        }
        self.depth.set(depth + 1);
        let r = self.write_element_at(n, t, nillable, out);
        self.depth.set(depth);
        r
    }

    fn write_element_at(
        &self,
        n: Node,
        t: TypeId,
        nillable: bool,
        out: &mut Vec<u8>,
    ) -> Result<(), DecodeError> {
        if n.attributes().len() == 0 {
            return self.write_content(n, t, None, out);
        }
        if let Some(target) = self.referenced(n)? {
            let depth = self.refs.get();
            if depth >= MAX_REF_DEPTH {
                return Err(DecodeError::at(
                    n,
                    Mismatch::ReferencesTooDeep(MAX_REF_DEPTH),
                ));
            }
            self.refs.set(depth + 1);
            let r = self.write_element(target, t, nillable, out);
            self.refs.set(depth);
            return r;
        }
        if n.attribute((XSI, "nil"))
            .is_some_and(|v| v.trim() == "true" || v.trim() == "1")
        {
            if !nillable {
                return Err(DecodeError::at(n, Mismatch::NotNillable));
            }
            out.extend_from_slice(b"null");
            return Ok(());
        }
        let (t, type_name) = match n.attribute((XSI, "type")) {
            Some(xt) => self.actual_type(n, t, xt)?,
            None => (t, None),
        };
        self.write_content(n, t, type_name, out)
    }

    /// The type an `xsi:type="xt"` on `n` gives instead of the declared `t`, and its name for
    /// `$type` when it is a derived one.
    fn actual_type<'a>(
        &self,
        n: Node,
        t: TypeId,
        xt: &'a str,
    ) -> Result<(TypeId, Option<&'a str>), DecodeError> {
        let (prefix, local) = xt
            .trim()
            .split_once(':')
            .map_or((None, xt.trim()), |(p, l)| (Some(p), l));
        let ns = n.lookup_namespace_uri(prefix).unwrap_or("");
        let ns = if is_xs_ns(ns) { XS } else { ns };
        match QName::find(ns, local).and_then(|q| self.schema.global_types.get(&q)) {
            Some(&d) if d != t && self.schema.derives_from(d, t) => Ok((d, Some(local))),
            Some(&d) if d == t => Ok((t, None)),
            // SOAP encoding puts an xsi:type on every value, often a base or a twin of the
            // declared type (`soapenc:Array`, `xsd:string` for `soapenc:string`): the
            // declaration decides.
            _ if self.encoded || self.encoded_type(t) => Ok((t, None)),
            Some(_) => Err(DecodeError::at(n, Mismatch::NotDerived(xt.to_string()))),
            None => Err(DecodeError::at(n, Mismatch::UnknownType(xt.to_string()))),
        }
    }

    /// A type of SOAP encoding's own (`soapenc:string`, `soapenc:Array`, ...) or an encoded array.
    fn encoded_type(&self, t: TypeId) -> bool {
        let ty = self.schema.ty(t);
        ty.name
            .as_ref()
            .is_some_and(|q| q.ns == SOAP11_ENC || q.ns == SOAP12_ENC)
            || matches!(&ty.kind, TypeKind::Complex(ct) if ct.array_of.is_some())
    }
}
