//! An element's content as JSON: a simple value, a SOAP-encoded array, a list wrapper shown as
//! the array of its items (`unwrap_lists:`), or the object of a
//! complex type: `$type`, attributes (`$attributes` for those an anyAttribute takes), then the
//! child elements assigned to their slots and written in schema order (`$xml` for what a
//! wildcard or mixed content holds).

use roxmltree::Node;
use serde_json::Value;

use super::decoder::{Decoder, plain_attribute, text_of, write_key, write_str};
use super::error::{DecodeError, Mismatch};
use super::raw::{any_json, raw_xml};
use crate::convert::model::{Body, Slot, TypeInfo};
use crate::convert::simple;
use crate::mapping::naming::{ATTRS_KEY, TEXT_KEY, TYPE_KEY, XML_KEY};
use crate::mapping::unwrap::ListItem;
use crate::xsd::*;

/// Child elements assigned to their slots: (slot, the element declared under that name, node).
type Children<'a, 'i> = Vec<(usize, ElementId, Node<'a, 'i>)>;

impl Decoder<'_> {
    /// Writes the content of element `n` read as type `t` (`type_name`: the derived type an
    /// `xsi:type` named, written as `$type`).
    pub(super) fn write_content(
        &self,
        n: Node,
        t: TypeId,
        type_name: Option<&str>,
        out: &mut Vec<u8>,
    ) -> Result<(), DecodeError> {
        let info = match &self.schema.ty(t).kind {
            TypeKind::Simple(_) => {
                if let Some(c) = n.children().find(|c| c.is_element()) {
                    return Err(DecodeError::at(
                        n,
                        Mismatch::ElementInSimpleValue(c.tag_name().name().to_string()),
                    ));
                }
                return self.write_text(n, t, out);
            }
            TypeKind::Complex(_) if t == TypeId(0) => {
                let _ = serde_json::to_writer(&mut *out, &any_json(n));
                return Ok(());
            }
            TypeKind::Complex(ct) if ct.array_of.is_some() => {
                return self.write_array(n, ct.array_of.unwrap_or(TypeId(0)), out);
            }
            TypeKind::Complex(_) => match self.model.info(t) {
                Some(info) => info,
                None => {
                    out.extend_from_slice(b"null");
                    return Ok(());
                }
            },
        };
        if let (Some(list), None) = (self.model.list(t), type_name) {
            return self.write_list(n, list, out);
        }
        if let (Body::Text(_), Some(c)) = (&info.body, n.children().find(|c| c.is_element())) {
            return Err(DecodeError::at(
                n,
                Mismatch::ElementInSimpleContent(c.tag_name().name().to_string()),
            ));
        }
        // simpleContent without attributes is just the value.
        if let (Body::Text(st), true, None) = (&info.body, info.attrs.is_empty(), type_name) {
            return self.write_text(n, *st, out);
        }
        out.push(b'{');
        let mut first = true;
        if let Some(name) = type_name {
            write_key(out, &mut first, TYPE_KEY);
            write_str(out, name);
        }
        self.write_attributes(n, info, &mut first, out)?;
        match &info.body {
            Body::Empty => {
                if let Some(c) = n.children().find(|c| c.is_element()) {
                    return Err(DecodeError::at(
                        n,
                        Mismatch::ElementInEmptyContent(c.tag_name().name().to_string()),
                    ));
                }
            }
            Body::Text(st) => {
                write_key(out, &mut first, TEXT_KEY);
                self.write_text(n, *st, out)?;
            }
            Body::Elements { slots, .. } => self.write_children(n, info, slots, &mut first, out)?,
        }
        out.push(b'}');
        Ok(())
    }

    /// The text of `n` as a value of the simple type `t`.
    fn write_text(&self, n: Node, t: TypeId, out: &mut Vec<u8>) -> Result<(), DecodeError> {
        simple::write_json(self.schema, t, &text_of(n), out)
            .map_err(|e| DecodeError::at(n, Mismatch::Value(e)))
    }

    /// A list wrapper shown as the array of its items (`unwrap_lists:`): every child element is
    /// an item; none is `[]`.
    fn write_list(&self, n: Node, list: &ListItem, out: &mut Vec<u8>) -> Result<(), DecodeError> {
        let el = self.schema.element(list.element);
        out.push(b'[');
        let mut count = 0usize;
        for c in n.children() {
            if c.is_text() {
                if c.text().is_some_and(|s| !s.trim().is_empty()) {
                    return Err(DecodeError::at(n, Mismatch::TextInElementContent));
                }
                continue;
            }
            if !c.is_element() {
                continue;
            }
            let (ns, local) = (c.tag_name().namespace().unwrap_or(""), c.tag_name().name());
            if local != el.name.local || ns != el.name.ns {
                return Err(unexpected(n, ns, local));
            }
            if count > 0 {
                out.push(b',');
            }
            count += 1;
            self.write_element(c, el.type_id, el.nillable, out)?;
        }
        if count == 0 && list.particle.min > 0 {
            return Err(DecodeError::at(
                n,
                Mismatch::MissingElement(el.name.local.to_string()),
            ));
        }
        out.push(b']');
        Ok(())
    }

    /// A SOAP-encoded array: every child element is an item of type `item`.
    fn write_array(&self, n: Node, item: TypeId, out: &mut Vec<u8>) -> Result<(), DecodeError> {
        out.push(b'[');
        for (i, c) in n.children().filter(|c| c.is_element()).enumerate() {
            if i > 0 {
                out.push(b',');
            }
            self.write_element(c, item, true, out)?;
        }
        out.push(b']');
        Ok(())
    }

    /// The declared attributes (an absent one with a default has that value), then under
    /// `$attributes` those the type's anyAttribute takes.
    fn write_attributes(
        &self,
        n: Node,
        info: &TypeInfo,
        first: &mut bool,
        out: &mut Vec<u8>,
    ) -> Result<(), DecodeError> {
        for a in &info.attrs {
            let raw = if a.name.ns.is_empty() {
                plain_attribute(n, a.name.local.as_str())
            } else {
                n.attribute((a.name.ns.as_str(), a.name.local.as_str()))
            };
            // An absent attribute with a default has that value (as a validating parser says).
            match raw.or(a.default.as_deref()) {
                Some(raw) => {
                    write_key(out, first, &a.key);
                    simple::write_json(self.schema, a.type_id, raw, out).map_err(|e| {
                        DecodeError::at_attribute(n, &a.name.local, Mismatch::Value(e))
                    })?;
                }
                None if a.required => {
                    return Err(DecodeError::at(
                        n,
                        Mismatch::MissingAttribute(a.name.local.to_string()),
                    ));
                }
                None => {}
            }
        }
        if info.any_attribute {
            write_undeclared_attributes(n, info, first, out);
        }
        Ok(())
    }

    /// The child elements of `n`, each assigned to the slot its name fills; then the slots in
    /// schema order (or, for mixed content with text, the whole content raw under `$xml`).
    fn write_children(
        &self,
        n: Node,
        info: &TypeInfo,
        slots: &[Slot],
        first: &mut bool,
        out: &mut Vec<u8>,
    ) -> Result<(), DecodeError> {
        // Which slot each child fills; then the slots in schema order.
        let mut children: Children = Vec::new();
        let mut others: Vec<Node> = Vec::new();
        // Slots filled so far, for names that fill several slots; made on first need.
        let mut filled: Vec<bool> = Vec::new();
        let (wildcard, wild_slot) = (info.wildcard, info.wild_slot);
        let mut mixed_text = false;
        for c in n.children() {
            if c.is_text() {
                if c.text().is_some_and(|s| !s.trim().is_empty()) {
                    if !info.mixed {
                        return Err(DecodeError::at(n, Mismatch::TextInElementContent));
                    }
                    mixed_text = true;
                }
                continue;
            }
            if !c.is_element() {
                continue;
            }
            let (ns, local) = (c.tag_name().namespace().unwrap_or(""), c.tag_name().name());
            // A name that fills several slots (`a` alone, then a branch of a repeated
            // choice) goes to the first one still open, in document order.
            let found = match info.by_name.get(local) {
                Some(l) if l.len() > 1 => {
                    if filled.is_empty() {
                        filled = vec![false; slots.len()];
                        for &(s, _, _) in &children {
                            filled[s] = true;
                        }
                    }
                    let open = |&&(ref n, slot, _): &&(crate::xsd::Name, usize, ElementId)| {
                        **n == *ns && (slots[slot].many || !filled[slot])
                    };
                    l.iter()
                        .find(open)
                        .or_else(|| l.iter().find(|(n, _, _)| **n == *ns))
                }
                Some(l) => l.first().filter(|(n, _, _)| **n == *ns),
                None => None,
            };
            match found {
                Some(&(_, slot, decl)) => {
                    if !filled.is_empty() {
                        filled[slot] = true;
                    }
                    children.push((slot, decl, c));
                }
                None if wild_slot.is_some() && !info.mixed => {
                    let slot = wild_slot.unwrap_or_default();
                    children.push((slot, slots[slot].element, c));
                }
                None if wildcard || info.mixed => others.push(c),
                None => return Err(unexpected(n, ns, local)),
            }
        }
        if mixed_text {
            // Mixed content with text: the whole content, raw (lossless).
            write_key(out, first, XML_KEY);
            write_str(out, &raw_xml(n, n.children()));
        } else {
            self.write_slots(n, info, &children, first, out)?;
            if !others.is_empty() {
                // What the wildcards matched, raw.
                write_key(out, first, XML_KEY);
                write_str(out, &raw_xml(n, others.into_iter()));
            }
        }
        Ok(())
    }

    /// Writes the fields of `info`'s element slots from `children` (slot, declaration, node),
    /// in schema order, after checking required elements and choices.
    pub(super) fn write_slots(
        &self,
        n: Node,
        info: &TypeInfo,
        children: &[(usize, ElementId, Node)],
        first: &mut bool,
        out: &mut Vec<u8>,
    ) -> Result<(), DecodeError> {
        let Body::Elements { slots, .. } = &info.body else {
            return Ok(());
        };
        let present = |si: usize| children.iter().any(|(s, _, _)| *s == si);
        if let Some(&missing) = info.required.iter().find(|&&si| !present(si)) {
            return Err(self.missing(n, &slots[missing]));
        }
        for group in &info.choices {
            let given = group.iter().filter(|&&si| present(si)).count();
            if given != 1 {
                let names: Vec<String> = group
                    .iter()
                    .map(|&si| {
                        self.schema
                            .element(slots[si].element)
                            .name
                            .local
                            .to_string()
                    })
                    .collect();
                return Err(DecodeError::at(
                    n,
                    Mismatch::Choice {
                        names,
                        found: given,
                    },
                ));
            }
        }
        for (si, slot) in slots.iter().enumerate() {
            if slot.many && slot.group.is_none() {
                // Plain repeated elements: written straight from the children (no copy).
                let mut mine = children.iter().filter(|(s, _, _)| *s == si).peekable();
                if mine.peek().is_none() && slot.in_choice {
                    continue;
                }
                write_key(out, first, &slot.key);
                out.push(b'[');
                for (i, (_, decl, c)) in mine.enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    let el = self.schema.element(*decl);
                    self.write_element(*c, el.type_id, el.nillable, out)?;
                }
                out.push(b']');
            } else if slot.many {
                let mine: Vec<(usize, ElementId, Node)> = children
                    .iter()
                    .filter(|(s, _, _)| *s == si)
                    .copied()
                    .collect();
                if mine.is_empty() && slot.in_choice {
                    continue;
                }
                write_key(out, first, &slot.key);
                self.write_many(n, slot, &mine, out)?;
            } else {
                let mut mine = children.iter().filter(|(s, _, _)| *s == si);
                if let Some((_, decl, c)) = mine.next() {
                    if mine.next().is_some() {
                        return Err(repeated(n, c));
                    }
                    write_key(out, first, &slot.key);
                    let el = self.schema.element(*decl);
                    self.write_element(*c, el.type_id, el.nillable, out)?;
                }
            }
        }
        Ok(())
    }

    /// A required element of slot `slot` is absent from `n`.
    pub(super) fn missing(&self, n: Node, slot: &Slot) -> DecodeError {
        DecodeError::at(
            n,
            Mismatch::MissingElement(self.schema.element(slot.element).name.local.to_string()),
        )
    }

    /// Writes a repeated slot's items as an array: elements, or for a repeated choice one
    /// object per occurrence.
    pub(super) fn write_many(
        &self,
        n: Node,
        slot: &Slot,
        items: &[(usize, ElementId, Node)],
        out: &mut Vec<u8>,
    ) -> Result<(), DecodeError> {
        out.push(b'[');
        match slot.group.as_deref() {
            None => {
                for (i, (_, decl, c)) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    let el = self.schema.element(*decl);
                    self.write_element(*c, el.type_id, el.nillable, out)?;
                }
            }
            Some(group) => self.write_occurrences(n, slot, group, items, out)?,
        }
        out.push(b']');
        Ok(())
    }

    /// The items of a repeated choice, one object per occurrence: the children split where a
    /// new occurrence starts (another branch, a field already given, or a field out of schema
    /// order).
    fn write_occurrences(
        &self,
        n: Node,
        slot: &Slot,
        group: &TypeInfo,
        items: &[(usize, ElementId, Node)],
        out: &mut Vec<u8>,
    ) -> Result<(), DecodeError> {
        let mut current: Children = Vec::new();
        let mut first = true;
        let Body::Elements { slots: inner, .. } = &group.body else {
            return Err(DecodeError::at(
                n,
                Mismatch::Internal("a choice without elements"),
            ));
        };
        let mut flush = |current: &mut Children, out: &mut Vec<u8>| -> Result<(), DecodeError> {
            if current.is_empty() {
                return Ok(());
            }
            if !first {
                out.push(b',');
            }
            first = false;
            out.push(b'{');
            let mut f = true;
            match current.as_slice() {
                // What the choice's wildcard matched.
                &[(usize::MAX, _, c)] => {
                    write_key(out, &mut f, XML_KEY);
                    write_str(out, &raw_xml(n, std::iter::once(c)));
                }
                _ => self.write_slots(n, group, current, &mut f, out)?,
            }
            out.push(b'}');
            current.clear();
            Ok(())
        };
        for &(_, _, c) in items {
            let (ns, local) = (c.tag_name().namespace().unwrap_or(""), c.tag_name().name());
            let Some(&(_, si, decl)) = group
                .by_name
                .get(local)
                .and_then(|l| l.iter().find(|(n, _, _)| **n == *ns))
            else {
                if group.wildcard {
                    flush(&mut current, out)?;
                    current.push((usize::MAX, slot.element, c));
                    flush(&mut current, out)?;
                }
                continue;
            };
            let branch = group.branch.get(si).copied().unwrap_or(usize::MAX);
            let starts_new = current.last().is_some_and(|&(last, _, _)| {
                group.branch.get(last).copied().unwrap_or(usize::MAX) != branch
                    || si < last
                    || (si == last && !inner[si].many)
                    || (si != last && current.iter().any(|&(s, _, _)| s == si))
            });
            if starts_new {
                flush(&mut current, out)?;
            }
            current.push((si, decl, c));
        }
        flush(&mut current, out)
    }
}

/// Attributes the type does not declare, which its anyAttribute takes: kept under
/// `$attributes` as `{"{namespace}name": "value"}`.
fn write_undeclared_attributes(n: Node, info: &TypeInfo, first: &mut bool, out: &mut Vec<u8>) {
    let mut extra = serde_json::Map::new();
    for a in n.attributes() {
        let ns = a.namespace().unwrap_or("");
        if ns == XSI
            || info
                .attrs
                .iter()
                .any(|d| d.name.local == a.name() && d.name.ns == ns)
        {
            continue;
        }
        let key = if ns.is_empty() {
            a.name().to_string()
        } else {
            format!("{{{ns}}}{}", a.name())
        };
        extra.insert(key, Value::String(a.value().to_string()));
    }
    if !extra.is_empty() {
        write_key(out, first, ATTRS_KEY);
        let _ = serde_json::to_writer(&mut *out, &extra);
    }
}

/// A child element of `n` that no slot or wildcard takes.
pub(super) fn unexpected(n: Node, ns: &str, local: &str) -> DecodeError {
    DecodeError::at(
        n,
        Mismatch::UnexpectedElement {
            name: local.to_string(),
            namespace: ns.to_string(),
        },
    )
}

/// A child `c` of `n` that may occur once, found again.
pub(super) fn repeated(n: Node, c: &Node) -> DecodeError {
    DecodeError::at(n, Mismatch::Repeated(c.tag_name().name().to_string()))
}
