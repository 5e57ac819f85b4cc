//! One field of an element read alone: what a mapping's `response:` selects. The element's
//! children are assigned to slots as when the whole element is read, so the field holds the
//! same items.

use roxmltree::Node;

use super::content::{repeated, unexpected};
use super::decoder::{Decoder, plain_attribute};
use super::error::{DecodeError, Mismatch};
use crate::convert::model::Body;
use crate::convert::simple;
use crate::xsd::*;

impl Decoder<'_> {
    /// Writes only the value of one field (JSON key `key`) of element `n` of complex type `t`:
    /// what a mapping's `response:` selects. Absent is `null` (`[]` for a repeated field).
    pub fn write_field(
        &self,
        n: Node,
        t: TypeId,
        key: &str,
        out: &mut Vec<u8>,
    ) -> Result<(), DecodeError> {
        let Some(info) = self.model.info(t) else {
            return Err(DecodeError::at(n, Mismatch::NotComplex));
        };
        if let Some(a) = info.attrs.iter().find(|a| a.key == key) {
            let raw = if a.name.ns.is_empty() {
                plain_attribute(n, a.name.local.as_str())
            } else {
                n.attribute((a.name.ns.as_str(), a.name.local.as_str()))
            };
            return match raw {
                Some(raw) => simple::write_json(self.schema, a.type_id, raw, out)
                    .map_err(|e| DecodeError::at_attribute(n, &a.name.local, Mismatch::Value(e))),
                None => {
                    out.extend_from_slice(b"null");
                    Ok(())
                }
            };
        }
        let Body::Elements { slots, .. } = &info.body else {
            return Err(DecodeError::at(n, Mismatch::NoField(key.to_string())));
        };
        let Some(si) = slots.iter().position(|s| s.key == key) else {
            return Err(DecodeError::at(n, Mismatch::NoField(key.to_string())));
        };
        let mut items = Vec::new();
        // As the whole element is read: a name goes to the first of its slots still open, and a
        // repeated choice's wildcard takes unknown elements.
        let mut filled = vec![false; slots.len()];
        let wild = slots[si].group.as_ref().is_some_and(|g| g.wildcard);
        for c in n.children().filter(|c| c.is_element()) {
            let (ns, local) = (c.tag_name().namespace().unwrap_or(""), c.tag_name().name());
            let open = |&&(ref n, slot, _): &&(crate::xsd::Name, usize, ElementId)| {
                **n == *ns && (slots[slot].many || !filled[slot])
            };
            match info.by_name.get(local).and_then(|l| {
                l.iter()
                    .find(open)
                    .or_else(|| l.iter().find(|(n, _, _)| **n == *ns))
            }) {
                Some(&(_, slot, decl)) => {
                    filled[slot] = true;
                    if slot == si {
                        items.push((decl, c));
                    }
                }
                None if wild && !info.mixed => items.push((slots[si].element, c)),
                None if info.mixed || info.wildcard => {}
                None => return Err(unexpected(n, ns, local)),
            }
        }
        if items.is_empty() && info.required.contains(&si) {
            return Err(self.missing(n, &slots[si]));
        }
        let slot = &slots[si];
        if slot.many {
            let items: Vec<(usize, ElementId, Node)> =
                items.into_iter().map(|(d, c)| (si, d, c)).collect();
            return self.write_many(n, slot, &items, out);
        }
        match items.as_slice() {
            [] => out.extend_from_slice(b"null"),
            [(decl, c)] => {
                let el = self.schema.element(*decl);
                self.write_element(*c, el.type_id, el.nillable, out)?;
            }
            [_, (_, c), ..] => return Err(repeated(n, c)),
        }
        Ok(())
    }
}
