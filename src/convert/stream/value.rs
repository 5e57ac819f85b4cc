//! One element's JSON, written while its XML is read: the compiled schema says, at each start
//! tag, which type is read and which slot of its parent an element fills, so the JSON comes out
//! in one pass (the call stack is the state machine's stack). Children that come in schema
//! order (what a valid answer holds) are written as they arrive; anything else the tree
//! decoder would have to sort, pick apart or refuse is a [`Fallback`].

use std::borrow::Cow;

use super::Fallback;
use super::pull::{Item, Pull};
use crate::convert::decode::write_str;
use crate::convert::model::{Body, JsonModel, Slot, TypeInfo};
use crate::convert::simple;
use crate::mapping::naming::{TEXT_KEY, TYPE_KEY};
use crate::mapping::unwrap::ListItem;
use crate::xml::{SOAP11_ENC, SOAP12_ENC, XS, XSI, is_xs_ns};
use crate::xsd::{ElementId, QName, Schema, TypeId, TypeKind};

/// How deep a value may nest (as the tree decoder's bound).
const MAX_VALUE_DEPTH: u32 = 100;

/// Reads elements as JSON, driven by the schema and its JSON view.
pub(super) struct Values<'m> {
    pub schema: &'m Schema,
    pub model: &'m JsonModel,
    /// The slots present in the objects being written, one run per open object.
    present: Vec<bool>,
    /// Text in pieces, joined.
    text: String,
}

/// Appends `"key":`, after a comma unless it is the object's first.
fn write_key(out: &mut Vec<u8>, first: &mut bool, key: &str) {
    if !*first {
        out.push(b',');
    }
    *first = false;
    write_str(out, key);
    out.push(b':');
}

impl<'m> Values<'m> {
    pub fn new(schema: &'m Schema, model: &'m JsonModel) -> Values<'m> {
        Values {
            schema,
            model,
            present: Vec::new(),
            text: String::new(),
        }
    }

    /// Writes the element whose start tag was just read, declared with type `t`, through its
    /// end tag.
    pub fn element(
        &mut self,
        p: &mut Pull,
        t: TypeId,
        nillable: bool,
        depth: u32,
        out: &mut Vec<u8>,
    ) -> Result<(), Fallback> {
        if depth >= MAX_VALUE_DEPTH {
            return Err(Fallback::Unsupported);
        }
        let mut t = t;
        let mut type_name: Option<String> = None;
        if p.has_attributes() {
            if let Some(nil) = p.attribute(XSI, "nil")
                && matches!(nil.trim(), "true" | "1")
            {
                if !nillable {
                    return Err(Fallback::Unsupported);
                }
                out.extend_from_slice(b"null");
                return p.skip();
            }
            if let Some(xt) = p.attribute(XSI, "type") {
                let (actual, name) = self.actual_type(p, t, xt)?;
                t = actual;
                type_name = name;
            }
        }
        self.content(p, t, type_name.as_deref(), depth, out)
    }

    /// The type an `xsi:type` gives instead of the declared `t` (literal messages), and its name
    /// for `$type` when it is a derived one.
    fn actual_type(
        &self,
        p: &Pull,
        t: TypeId,
        xt: &str,
    ) -> Result<(TypeId, Option<String>), Fallback> {
        let (ns, local) = p.qname(xt.trim());
        let ns = if is_xs_ns(ns) { XS } else { ns };
        match QName::find(ns, local).and_then(|q| self.schema.global_types.get(&q)) {
            Some(&d) if d != t && self.schema.derives_from(d, t) => {
                Ok((d, Some(local.to_string())))
            }
            Some(&d) if d == t => Ok((t, None)),
            _ if self.encoded_type(t) => Ok((t, None)),
            _ => Err(Fallback::Unsupported),
        }
    }

    /// A type of SOAP encoding's own, or an encoded array (as the tree decoder tells them).
    fn encoded_type(&self, t: TypeId) -> bool {
        let ty = self.schema.ty(t);
        ty.name
            .as_ref()
            .is_some_and(|q| q.ns == SOAP11_ENC || q.ns == SOAP12_ENC)
            || matches!(&ty.kind, TypeKind::Complex(ct) if ct.array_of.is_some())
    }

    /// The content of the element whose start tag was just read, as type `t`, through its end.
    fn content(
        &mut self,
        p: &mut Pull,
        t: TypeId,
        type_name: Option<&str>,
        depth: u32,
        out: &mut Vec<u8>,
    ) -> Result<(), Fallback> {
        let model = self.model;
        let info = match &self.schema.ty(t).kind {
            TypeKind::Simple(_) => return self.text_value(p, t, out),
            TypeKind::Complex(ct) if t == TypeId(0) || ct.array_of.is_some() => {
                return Err(Fallback::Unsupported);
            }
            TypeKind::Complex(_) => match model.info(t) {
                Some(info) => info,
                None => {
                    out.extend_from_slice(b"null");
                    return p.skip();
                }
            },
        };
        if let (Some(list), None) = (model.list(t), type_name) {
            return self.list(p, list, depth, out);
        }
        if let (Body::Text(st), true, None) = (&info.body, info.attrs.is_empty(), type_name) {
            return self.text_value(p, *st, out);
        }
        out.push(b'{');
        let mut first = true;
        if let Some(name) = type_name {
            write_key(out, &mut first, TYPE_KEY);
            write_str(out, name);
        }
        self.attributes(p, info, &mut first, out)?;
        match &info.body {
            Body::Empty => loop {
                match p.next()? {
                    Some(Item::Text(_)) => {}
                    Some(Item::End) => break,
                    _ => return Err(Fallback::Unsupported),
                }
            },
            Body::Text(st) => {
                write_key(out, &mut first, TEXT_KEY);
                self.text_value(p, *st, out)?;
            }
            Body::Elements { slots, .. } => {
                self.children(p, info, slots, &mut first, depth, out)?;
            }
        }
        out.push(b'}');
        Ok(())
    }

    /// A list wrapper shown as the array of its items (`unwrap_lists:`), through its end: every
    /// child element is an item; none is `[]`.
    fn list(
        &mut self,
        p: &mut Pull,
        list: &ListItem,
        depth: u32,
        out: &mut Vec<u8>,
    ) -> Result<(), Fallback> {
        let el = self.schema.element(list.element);
        out.push(b'[');
        let mut count = 0usize;
        loop {
            match p.next()? {
                Some(Item::Start) => {}
                Some(Item::Text(s)) if s.trim().is_empty() => continue,
                Some(Item::End) => break,
                _ => return Err(Fallback::Unsupported),
            }
            if p.local() != el.name.local || p.ns() != el.name.ns {
                return Err(Fallback::Unsupported);
            }
            if count > 0 {
                out.push(b',');
            }
            count += 1;
            self.element(p, el.type_id, el.nillable, depth + 1, out)?;
        }
        if count == 0 && list.particle.min > 0 {
            return Err(Fallback::Invalid);
        }
        out.push(b']');
        Ok(())
    }

    /// The declared attributes (an absent one with a default has that value); a type with an
    /// anyAttribute is left to the tree.
    fn attributes(
        &self,
        p: &Pull,
        info: &TypeInfo,
        first: &mut bool,
        out: &mut Vec<u8>,
    ) -> Result<(), Fallback> {
        if info.any_attribute {
            return Err(Fallback::Unsupported);
        }
        for a in &info.attrs {
            let raw = p.attribute(&a.name.ns, &a.name.local);
            match raw.or(a.default.as_deref()) {
                Some(raw) => {
                    write_key(out, first, &a.key);
                    simple::write_json(self.schema, a.type_id, raw, out)
                        .map_err(|_| Fallback::Invalid)?;
                }
                None if a.required => return Err(Fallback::Invalid),
                None => {}
            }
        }
        Ok(())
    }

    /// The text of the element whose start tag was just read, through its end, as a value of
    /// the simple type `t`.
    fn text_value(&mut self, p: &mut Pull, t: TypeId, out: &mut Vec<u8>) -> Result<(), Fallback> {
        // One piece (the common case) is used as it is; more are joined in `self.text`.
        let mut one: Option<Cow<str>> = None;
        let mut joined = false;
        loop {
            match p.next()? {
                Some(Item::Text(s)) if one.is_none() && !joined => one = Some(s),
                Some(Item::Text(s)) => {
                    if !joined {
                        self.text.clear();
                        self.text.push_str(one.as_deref().unwrap_or(""));
                        joined = true;
                    }
                    self.text.push_str(&s);
                }
                Some(Item::End) => break,
                _ => return Err(Fallback::Invalid),
            }
        }
        let text = if joined {
            self.text.as_str()
        } else {
            one.as_deref().unwrap_or("")
        };
        simple::write_json(self.schema, t, text, out).map_err(|_| Fallback::Invalid)
    }

    /// The slot and declaration a child element named (`ns`, `local`) fills: only a name that
    /// fills one slot, in its namespace (the rest is the tree's).
    fn slot_of(info: &TypeInfo, ns: &str, local: &str) -> Option<(usize, ElementId)> {
        crate::convert::model::sole_slot(&info.by_name, ns, local)
    }

    /// [`Values::slot_of`], first trying the slots from `from` on (children come in schema
    /// order), whose own element names are compared: a slot that name alone finds
    /// ([`Slot::own`]) needs no lookup. Gives exactly what [`Values::slot_of`] gives.
    fn place(
        &self,
        info: &TypeInfo,
        slots: &[Slot],
        from: usize,
        ns: &str,
        local: &str,
    ) -> Option<(usize, ElementId)> {
        let schema = self.schema;
        for (si, slot) in slots.iter().enumerate().skip(from) {
            let name = &schema.element(slot.element).name;
            if name.local != local || name.ns != ns {
                continue;
            }
            return match slot.own {
                Some(decl) => Some((si, decl)),
                None => Self::slot_of(info, ns, local),
            };
        }
        Self::slot_of(info, ns, local)
    }

    /// The child elements of a complex type's content, written as they come while they come in
    /// schema order: `[]` for the repeated slots none of them fill, required elements and
    /// choices checked at the end.
    fn children(
        &mut self,
        p: &mut Pull,
        info: &TypeInfo,
        slots: &[Slot],
        first: &mut bool,
        depth: u32,
        out: &mut Vec<u8>,
    ) -> Result<(), Fallback> {
        let base = self.present.len();
        self.present.resize(base + slots.len(), false);
        // The slot written last; its array is open when it is repeated.
        let mut at: Option<usize> = None;
        loop {
            match p.next()? {
                Some(Item::Start) => {}
                Some(Item::Text(s)) if s.trim().is_empty() => continue,
                Some(Item::End) => break,
                _ => return Err(Fallback::Unsupported),
            }
            let Some((si, decl)) = self.place(info, slots, at.unwrap_or(0), p.ns(), p.local())
            else {
                return Err(Fallback::Unsupported);
            };
            let slot = &slots[si];
            if slot.group.is_some() {
                return Err(Fallback::Unsupported);
            }
            match at {
                Some(a) if a == si && slot.many => out.push(b','),
                Some(a) if a >= si => return Err(Fallback::Unsupported),
                _ => {
                    if let Some(a) = at
                        && slots[a].many
                    {
                        out.push(b']');
                    }
                    let from = at.map_or(0, |a| a + 1);
                    empty_arrays(&slots[from..si], first, out);
                    write_key(out, first, &slot.key);
                    if slot.many {
                        out.push(b'[');
                    }
                    at = Some(si);
                }
            }
            self.present[base + si] = true;
            let el = self.schema.element(decl);
            self.element(p, el.type_id, el.nillable, depth + 1, out)?;
        }
        if let Some(a) = at
            && slots[a].many
        {
            out.push(b']');
        }
        empty_arrays(&slots[at.map_or(0, |a| a + 1)..], first, out);
        let present = &self.present[base..];
        let complete = info.required.iter().all(|&si| present[si])
            && info
                .choices
                .iter()
                .all(|g| g.iter().filter(|&&si| present[si]).count() == 1);
        self.present.truncate(base);
        if complete {
            Ok(())
        } else {
            Err(Fallback::Invalid)
        }
    }

    /// Only the field `key` of the element whose start tag was just read (complex type `t`),
    /// through its end: what a mapping's `response:` selects. Absent is `null` (`[]` for a
    /// repeated field). The other children are skipped unread, as the tree decoder leaves them.
    pub fn field(
        &mut self,
        p: &mut Pull,
        t: TypeId,
        key: &str,
        out: &mut Vec<u8>,
    ) -> Result<(), Fallback> {
        let model = self.model;
        let info = model.info(t).ok_or(Fallback::Invalid)?;
        if let Some(a) = info.attrs.iter().find(|a| a.key == key) {
            match p.attribute(&a.name.ns, &a.name.local) {
                Some(raw) => simple::write_json(self.schema, a.type_id, raw, out)
                    .map_err(|_| Fallback::Invalid)?,
                None => out.extend_from_slice(b"null"),
            }
            return p.skip();
        }
        let Body::Elements { slots, .. } = &info.body else {
            return Err(Fallback::Invalid);
        };
        let si = slots
            .iter()
            .position(|s| s.key == key)
            .ok_or(Fallback::Invalid)?;
        let slot = &slots[si];
        if slot.group.is_some() {
            return Err(Fallback::Unsupported);
        }
        let mut items = 0usize;
        loop {
            match p.next()? {
                Some(Item::Start) => {}
                Some(Item::Text(_)) => continue,
                Some(Item::End) => break,
                None => return Err(Fallback::NotWellFormed),
            }
            match info.by_name.get(p.local()).map(Vec::as_slice) {
                Some([(n, s, decl)]) if **n == *p.ns() => {
                    if *s != si {
                        p.skip()?;
                        continue;
                    }
                    if slot.many {
                        out.push(if items == 0 { b'[' } else { b',' });
                    } else if items > 0 {
                        return Err(Fallback::Invalid);
                    }
                    items += 1;
                    let el = self.schema.element(*decl);
                    self.element(p, el.type_id, el.nillable, 0, out)?;
                }
                Some([_]) | None if info.mixed || info.wildcard => p.skip()?,
                _ => return Err(Fallback::Unsupported),
            }
        }
        if items == 0 && info.required.contains(&si) {
            return Err(Fallback::Invalid);
        }
        match (slot.many, items) {
            (true, 0) => out.extend_from_slice(b"[]"),
            (true, _) => out.push(b']'),
            (false, 0) => out.extend_from_slice(b"null"),
            (false, _) => {}
        }
        Ok(())
    }
}

/// `"key":[]` for the repeated slots among `slots` that no child filled (not those in a choice).
fn empty_arrays(slots: &[Slot], first: &mut bool, out: &mut Vec<u8>) {
    for s in slots.iter().filter(|s| s.many && !s.in_choice) {
        write_key(out, first, &s.key);
        out.extend_from_slice(b"[]");
    }
}
