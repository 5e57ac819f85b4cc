//! SOAP encoding (`use="encoded"`): every value carries its `xsi:type`, and a SOAP array is
//! written with its item type and count (`soapenc:arrayType`, or SOAP 1.2's `itemType` and
//! `arraySize`), one element per JSON array item.

use quick_xml::events::{BytesEnd, BytesStart, Event};
use serde_json::Value;

use super::encoder::Encoder;
use crate::convert::error::FieldError;
use crate::convert::simple;
use crate::xsd::*;

impl Encoder<'_> {
    /// Under SOAP encoding: the value's `xsi:type`, on `start`.
    pub(super) fn encoded_type(&mut self, t: TypeId, start: &mut BytesStart) {
        if let Some(q) = self.type_qname(t) {
            let qn = self.qname(&q);
            self.xsi = true;
            start.push_attribute(("xsi:type", qn.as_str()));
        }
    }

    /// The name `xsi:type` gives a value of type `t` under SOAP encoding: the type's own, or for
    /// an anonymous simple type its built-in base.
    fn type_qname(&self, t: TypeId) -> Option<QName> {
        let ty = self.schema.ty(t);
        match (&ty.name, &ty.kind) {
            (Some(q), _) if t != TypeId(0) => Some(q.clone()),
            (None, TypeKind::Simple(st)) => self.schema.ty(st.base_builtin).name.clone(),
            _ => None,
        }
    }

    /// A SOAP-encoded array: `xsi:type="soapenc:Array"`, the item type and count, and one
    /// `<item>` per JSON array item.
    pub(super) fn encoded_array(
        &mut self,
        mut start: BytesStart,
        tag: &str,
        t: TypeId,
        item: TypeId,
        v: &Value,
        pointer: &str,
    ) {
        let Some(items) = v.as_array() else {
            self.push(
                FieldError::new(
                    pointer,
                    "type",
                    format!(
                        "expected an array (a SOAP array), found {}",
                        simple::describe(v)
                    ),
                )
                .expected("an array (a SOAP array)")
                .found_value(v),
            );
            return;
        };
        let enc = self.encoding.unwrap_or(SOAP11_ENC);
        let item_q = self
            .type_qname(item)
            .unwrap_or_else(|| QName::new(XS, "anyType"));
        let item_qn = self.qname(&item_q);
        let array_qn = self.qname(&QName::new(enc, "Array"));
        // The declared array type when it has a name (schema-valid: `soapenc:Array` is only its
        // base), else `soapenc:Array`.
        let type_qn = match self.schema.ty(t).name.clone() {
            Some(q) => self.qname(&q),
            None => array_qn.clone(),
        };
        self.xsi = true;
        start.push_attribute(("xsi:type", type_qn.as_str()));
        let prefix = array_qn.split(':').next().unwrap_or("").to_string();
        if enc == SOAP11_ENC {
            let attr = format!("{prefix}:arrayType");
            let value = format!("{item_qn}[{}]", items.len());
            start.push_attribute((attr.as_str(), value.as_str()));
        } else {
            let (it, size) = (format!("{prefix}:itemType"), format!("{prefix}:arraySize"));
            start.push_attribute((it.as_str(), item_qn.as_str()));
            let n = items.len().to_string();
            start.push_attribute((size.as_str(), n.as_str()));
        }
        self.write(Event::Start(start));
        // Items are `<item>`, unless the array type names its item element (gSOAP does).
        let name = match &self.schema.ty(t).kind {
            TypeKind::Complex(ComplexType {
                content: Content::Elements(p),
                ..
            }) => match &p.term {
                Term::Element(e) => Some(*e),
                Term::Sequence(ps) => match ps.as_slice() {
                    [
                        Particle {
                            term: Term::Element(e),
                            ..
                        },
                    ] => Some(*e),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        }
        .map_or_else(
            || QName::new("", "item"),
            |e| self.schema.element(e).name.clone(),
        );
        for (i, x) in items.iter().enumerate() {
            self.element(&name, item, true, x, &format!("{pointer}/{i}"));
        }
        self.write(Event::End(BytesEnd::new(tag)));
    }
}
