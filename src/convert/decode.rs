//! XML -> JSON, driven by the schema, written straight to JSON text (no intermediate tree):
//! elements are matched on (namespace URI, local name), never prefixes; repeated elements are
//! always arrays; `xsi:nil` is `null`; keys come in schema order; unknown content is an error
//! naming where it was found.

use std::cell::Cell;
use std::collections::HashMap;

use roxmltree::Node;
use serde_json::Value;

use super::model::{Body, JsonModel, Slot, TypeInfo};
use super::simple;
use crate::mapping::naming::{ATTRS_KEY, TEXT_KEY, TYPE_KEY, XML_KEY};
use crate::xsd::*;

pub struct Decoder<'m> {
    pub schema: &'m Schema,
    pub model: &'m JsonModel,
    /// SOAP encoding: `id` -> element, for resolving `href="#id"` (1.1) and `enc:ref` (1.2)
    /// multi-references. Empty for literal messages.
    pub ids: HashMap<String, (roxmltree::NodeId, u64)>,
    /// How many more nodes references may bring in: shared values are read once per reference,
    /// so a chain of shared references could otherwise multiply the answer (a "billion laughs").
    budget: Cell<u64>,
    /// The answer is SOAP-encoded: `xsi:type`s naming a base or a twin of the declared type are
    /// accepted, references are followed.
    pub encoded: bool,
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

/// Where in the XML a problem is: a simple path of local names.
fn path_of(n: Node) -> String {
    let mut parts: Vec<&str> = n
        .ancestors()
        .filter(|a| a.is_element())
        .map(|a| a.tag_name().name())
        .collect();
    parts.reverse();
    format!("/{}", parts.join("/"))
}

/// The value of an attribute in no namespace. (roxmltree's `attribute("type")` matches any
/// namespace, so it finds `xsi:type` or `o:type` too.)
fn plain_attribute<'a>(n: Node<'a, '_>, local: &str) -> Option<&'a str> {
    n.attributes()
        .find(|a| a.namespace().is_none() && a.name() == local)
        .map(|a| a.value())
}

/// Appends `s` as a JSON string.
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    // serde_json's escaper; writing into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

fn write_key(out: &mut Vec<u8>, first: &mut bool, key: &str) {
    if !*first {
        out.push(b',');
    }
    *first = false;
    write_str(out, key);
    out.push(b':');
}

/// The text of an element: borrowed when it is one text node (the common case).
fn text_of<'a>(n: Node<'a, '_>) -> std::borrow::Cow<'a, str> {
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
    fn referenced<'a, 'i>(&self, n: Node<'a, 'i>) -> Result<Option<Node<'a, 'i>>, String> {
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
                    return Err(format!(
                        "{}: the answer's references expand to too many elements (shared references nested in shared references?)",
                        path_of(n)
                    ));
                }
                self.budget.set(left - size);
                Ok(Some(t))
            }
            None => Err(format!(
                "{}: the reference `{target}` points to no element",
                path_of(n)
            )),
        }
    }

    /// The JSON of element `n` declared with type `t`, as a value.
    pub fn element(&self, n: Node, t: TypeId, nillable: bool) -> Result<Value, String> {
        let mut out = Vec::with_capacity(256);
        self.write_element(n, t, nillable, &mut out)?;
        serde_json::from_slice(&out)
            .map_err(|e| format!("internal: the decoder wrote invalid JSON: {e}"))
    }

    /// Writes the JSON of element `n` declared with type `t`.
    pub fn write_element(
        &self,
        n: Node,
        t: TypeId,
        nillable: bool,
        out: &mut Vec<u8>,
    ) -> Result<(), String> {
        let depth = self.depth.get();
        if depth >= MAX_VALUE_DEPTH {
            return Err(format!(
                "{}: the answer's values nest deeper than {MAX_VALUE_DEPTH} (references followed included)",
                path_of(n)
            ));
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
    ) -> Result<(), String> {
        if n.attributes().len() == 0 {
            return self.write_content(n, t, None, out);
        }
        if let Some(target) = self.referenced(n)? {
            let depth = self.refs.get();
            if depth >= MAX_REF_DEPTH {
                return Err(format!(
                    "{}: references nest deeper than {MAX_REF_DEPTH} (a cycle?)",
                    path_of(n)
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
                return Err(format!(
                    "{}: xsi:nil on an element that is not nillable",
                    path_of(n)
                ));
            }
            out.extend_from_slice(b"null");
            return Ok(());
        }
        let mut t = t;
        let mut type_name = None;
        if let Some(xt) = n.attribute((XSI, "type")) {
            let (prefix, local) = xt
                .trim()
                .split_once(':')
                .map_or((None, xt.trim()), |(p, l)| (Some(p), l));
            let ns = n.lookup_namespace_uri(prefix).unwrap_or("");
            let ns = if is_xs_ns(ns) { XS } else { ns };
            match self.schema.global_types.get(&QName::new(ns, local)) {
                Some(&d) if d != t && self.schema.derives_from(d, t) => {
                    t = d;
                    type_name = Some(local);
                }
                Some(&d) if d == t => {}
                // SOAP encoding puts an xsi:type on every value, often a base or a twin of the
                // declared type (`soapenc:Array`, `xsd:string` for `soapenc:string`): the
                // declaration decides.
                _ if self.encoded || self.encoded_type(t) => {}
                Some(_) => {
                    return Err(format!(
                        "{}: xsi:type `{xt}` is not derived from the declared type",
                        path_of(n)
                    ));
                }
                None if self.encoded_type(t) => {}
                None => return Err(format!("{}: unknown xsi:type `{xt}`", path_of(n))),
            }
        }
        self.write_content(n, t, type_name, out)
    }

    /// Writes only the value of one field (JSON key `key`) of element `n` of complex type `t`:
    /// what a mapping's `response:` selects. Absent is `null` (`[]` for a repeated field).
    pub fn write_field(
        &self,
        n: Node,
        t: TypeId,
        key: &str,
        out: &mut Vec<u8>,
    ) -> Result<(), String> {
        let Some(info) = self.model.info(t) else {
            return Err(format!("{}: not a complex type", path_of(n)));
        };
        if let Some(a) = info.attrs.iter().find(|a| a.key == key) {
            let raw = if a.name.ns.is_empty() {
                plain_attribute(n, a.name.local.as_str())
            } else {
                n.attribute((a.name.ns.as_str(), a.name.local.as_str()))
            };
            return match raw {
                Some(raw) => simple::write_json(self.schema, a.type_id, raw, out)
                    .map_err(|e| format!("{}/@{}: {e}", path_of(n), a.name.local)),
                None => {
                    out.extend_from_slice(b"null");
                    Ok(())
                }
            };
        }
        let Body::Elements { slots, .. } = &info.body else {
            return Err(format!("{}: no field `{key}`", path_of(n)));
        };
        let Some(si) = slots.iter().position(|s| s.key == key) else {
            return Err(format!("{}: no field `{key}`", path_of(n)));
        };
        let mut items = Vec::new();
        // As the whole element is read: a name goes to the first of its slots still open, and a
        // repeated choice's wildcard takes unknown elements.
        let mut filled = vec![false; slots.len()];
        let wild = slots[si]
            .group
            .as_ref()
            .is_some_and(|g| super::encode::has_wildcard(&g.body));
        for c in n.children().filter(|c| c.is_element()) {
            let (ns, local) = (c.tag_name().namespace().unwrap_or(""), c.tag_name().name());
            let open = |&&(ref n, slot, _): &&(String, usize, ElementId)| {
                n == ns && (slots[slot].many || !filled[slot])
            };
            match info.by_name.get(local).and_then(|l| {
                l.iter()
                    .find(open)
                    .or_else(|| l.iter().find(|(n, _, _)| n == ns))
            }) {
                Some(&(_, slot, decl)) => {
                    filled[slot] = true;
                    if slot == si {
                        items.push((decl, c));
                    }
                }
                None if wild && !info.mixed => items.push((slots[si].element, c)),
                None if info.mixed || super::encode::has_wildcard(&info.body) => {}
                None => {
                    return Err(format!(
                        "{}: unexpected element `{local}` (namespace `{ns}`)",
                        path_of(n)
                    ));
                }
            }
        }
        if items.is_empty() && info.required.contains(&si) {
            return Err(format!(
                "{}: required element `{}` is missing",
                path_of(n),
                self.schema.element(slots[si].element).name.local
            ));
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
            [_, (_, c), ..] => {
                return Err(format!(
                    "{}: `{}` appears more than once",
                    path_of(n),
                    c.tag_name().name()
                ));
            }
        }
        Ok(())
    }

    /// Writes a repeated slot's items as an array: elements, or for a repeated choice one
    /// object per occurrence.
    fn write_many(
        &self,
        n: Node,
        slot: &Slot,
        items: &[(usize, ElementId, Node)],
        out: &mut Vec<u8>,
    ) -> Result<(), String> {
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
            Some(group) => {
                // Split the children into occurrences of the choice: a new one starts with
                // another branch, a field already given, or a field out of schema order.
                let mut current: Vec<(usize, ElementId, Node)> = Vec::new();
                let mut first = true;
                let Body::Elements { slots: inner, .. } = &group.body else {
                    return Err(format!(
                        "{}: internal: a choice without elements",
                        path_of(n)
                    ));
                };
                let mut flush = |current: &mut Vec<(usize, ElementId, Node)>,
                                 out: &mut Vec<u8>|
                 -> Result<(), String> {
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
                        .and_then(|l| l.iter().find(|(n, _, _)| n == ns))
                    else {
                        if super::encode::has_wildcard(&group.body) {
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
                flush(&mut current, out)?;
            }
        }
        out.push(b']');
        Ok(())
    }

    /// Writes the fields of `info`'s element slots from `children` (slot, declaration, node),
    /// in schema order, after checking required elements and choices.
    fn write_slots(
        &self,
        n: Node,
        info: &TypeInfo,
        children: &[(usize, ElementId, Node)],
        first: &mut bool,
        out: &mut Vec<u8>,
    ) -> Result<(), String> {
        let Body::Elements { slots, .. } = &info.body else {
            return Ok(());
        };
        let present = |si: usize| children.iter().any(|(s, _, _)| *s == si);
        if let Some(&missing) = info.required.iter().find(|&&si| !present(si)) {
            return Err(format!(
                "{}: required element `{}` is missing",
                path_of(n),
                self.schema.element(slots[missing].element).name.local
            ));
        }
        for group in &info.choices {
            let given = group.iter().filter(|&&si| present(si)).count();
            if given != 1 {
                let names: Vec<&str> = group
                    .iter()
                    .map(|&si| self.schema.element(slots[si].element).name.local.as_str())
                    .collect();
                return Err(format!(
                    "{}: exactly one of {} is allowed (a choice), found {given}",
                    path_of(n),
                    names.join(", ")
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
                        return Err(format!(
                            "{}: `{}` appears more than once",
                            path_of(n),
                            c.tag_name().name()
                        ));
                    }
                    write_key(out, first, &slot.key);
                    let el = self.schema.element(*decl);
                    self.write_element(*c, el.type_id, el.nillable, out)?;
                }
            }
        }
        Ok(())
    }

    fn write_content(
        &self,
        n: Node,
        t: TypeId,
        type_name: Option<&str>,
        out: &mut Vec<u8>,
    ) -> Result<(), String> {
        let info = match &self.schema.ty(t).kind {
            TypeKind::Simple(_) => {
                if let Some(c) = n.children().find(|c| c.is_element()) {
                    return Err(format!(
                        "{}: unexpected element `{}` in a simple value",
                        path_of(n),
                        c.tag_name().name()
                    ));
                }
                return simple::write_json(self.schema, t, &text_of(n), out)
                    .map_err(|e| format!("{}: {e}", path_of(n)));
            }
            TypeKind::Complex(_) if t == TypeId(0) => {
                let _ = serde_json::to_writer(&mut *out, &any_json(n));
                return Ok(());
            }
            TypeKind::Complex(ct) if ct.array_of.is_some() => {
                // A SOAP-encoded array: every child element is an item.
                let item = ct.array_of.unwrap_or(TypeId(0));
                out.push(b'[');
                for (i, c) in n.children().filter(|c| c.is_element()).enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    self.write_element(c, item, true, out)?;
                }
                out.push(b']');
                return Ok(());
            }
            TypeKind::Complex(_) => match self.model.info(t) {
                Some(info) => info,
                None => {
                    out.extend_from_slice(b"null");
                    return Ok(());
                }
            },
        };
        if let (Body::Text(_), Some(c)) = (&info.body, n.children().find(|c| c.is_element())) {
            return Err(format!(
                "{}: unexpected element `{}` in simple content",
                path_of(n),
                c.tag_name().name()
            ));
        }
        // simpleContent without attributes is just the value.
        if let (Body::Text(st), true, None) = (&info.body, info.attrs.is_empty(), type_name) {
            return simple::write_json(self.schema, *st, &text_of(n), out)
                .map_err(|e| format!("{}: {e}", path_of(n)));
        }
        out.push(b'{');
        let mut first = true;
        if let Some(name) = type_name {
            write_key(out, &mut first, TYPE_KEY);
            write_str(out, name);
        }
        for a in &info.attrs {
            let raw = if a.name.ns.is_empty() {
                plain_attribute(n, a.name.local.as_str())
            } else {
                n.attribute((a.name.ns.as_str(), a.name.local.as_str()))
            };
            // An absent attribute with a default has that value (as a validating parser says).
            match raw.or(a.default.as_deref()) {
                Some(raw) => {
                    write_key(out, &mut first, &a.key);
                    simple::write_json(self.schema, a.type_id, raw, out)
                        .map_err(|e| format!("{}/@{}: {e}", path_of(n), a.name.local))?;
                }
                None if a.required => {
                    return Err(format!(
                        "{}: required attribute `{}` is missing",
                        path_of(n),
                        a.name.local
                    ));
                }
                None => {}
            }
        }
        if info.any_attribute {
            // Attributes the type does not declare, which its anyAttribute takes: kept.
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
                write_key(out, &mut first, ATTRS_KEY);
                let _ = serde_json::to_writer(&mut *out, &extra);
            }
        }
        match &info.body {
            Body::Empty => {
                if let Some(c) = n.children().find(|c| c.is_element()) {
                    return Err(format!(
                        "{}: unexpected element `{}` (the type has no content)",
                        path_of(n),
                        c.tag_name().name()
                    ));
                }
            }
            Body::Text(st) => {
                write_key(out, &mut first, TEXT_KEY);
                simple::write_json(self.schema, *st, &text_of(n), out)
                    .map_err(|e| format!("{}: {e}", path_of(n)))?;
            }
            Body::Elements { slots, .. } => {
                // Which slot each child fills; then the slots in schema order.
                let mut children: Vec<(usize, ElementId, Node)> = Vec::new();
                let mut others: Vec<Node> = Vec::new();
                // Slots filled so far, for names that fill several slots; made on first need.
                let mut filled: Vec<bool> = Vec::new();
                let (wildcard, wild_slot) = (info.wildcard, info.wild_slot);
                let mut mixed_text = false;
                for c in n.children() {
                    if c.is_text() {
                        if c.text().is_some_and(|s| !s.trim().is_empty()) {
                            if !info.mixed {
                                return Err(format!(
                                    "{}: unexpected text in element-only content",
                                    path_of(n)
                                ));
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
                            let open = |&&(ref n, slot, _): &&(String, usize, ElementId)| {
                                n == ns && (slots[slot].many || !filled[slot])
                            };
                            l.iter()
                                .find(open)
                                .or_else(|| l.iter().find(|(n, _, _)| n == ns))
                        }
                        Some(l) => l.first().filter(|(n, _, _)| n == ns),
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
                        None => {
                            return Err(format!(
                                "{}: unexpected element `{local}` (namespace `{ns}`)",
                                path_of(n)
                            ));
                        }
                    }
                }
                if mixed_text {
                    // Mixed content with text: the whole content, raw (lossless).
                    write_key(out, &mut first, XML_KEY);
                    write_str(out, &raw_xml(n, n.children()));
                } else {
                    self.write_slots(n, info, &children, &mut first, out)?;
                    if !others.is_empty() {
                        // What the wildcards matched, raw.
                        write_key(out, &mut first, XML_KEY);
                        write_str(out, &raw_xml(n, others.into_iter()));
                    }
                }
            }
        }
        out.push(b'}');
        Ok(())
    }
}

impl Decoder<'_> {
    /// A type of SOAP encoding's own (`soapenc:string`, `soapenc:Array`, ...) or an encoded array.
    fn encoded_type(&self, t: TypeId) -> bool {
        let ty = self.schema.ty(t);
        ty.name
            .as_ref()
            .is_some_and(|q| q.ns == SOAP11_ENC || q.ns == SOAP12_ENC)
            || matches!(&ty.kind, TypeKind::Complex(ct) if ct.array_of.is_some())
    }
}

/// `anyType` content: its text when it has no child elements, else `{"$xml": "<raw/>"}`.
fn any_json(n: Node) -> Value {
    if !n.children().any(|c| c.is_element()) {
        return Value::String(n.children().filter_map(|c| c.text()).collect());
    }
    let mut o = serde_json::Map::new();
    o.insert(XML_KEY.to_string(), Value::String(raw_xml(n, n.children())));
    Value::Object(o)
}

/// Some children of `parent` as they were written, each element made standalone: the namespace
/// declarations it inherits from its ancestors are copied onto it, so the markup means the same
/// wherever it is put (and parses on its own).
pub fn raw_xml<'a, 'i: 'a>(
    parent: Node<'a, 'i>,
    nodes: impl Iterator<Item = Node<'a, 'i>>,
) -> String {
    let doc = parent.document().input_text();
    let mut out = String::new();
    for c in nodes {
        if c.is_text() {
            // Written again from its value: a text node that runs through CDATA sections (or
            // starts with one) is several pieces of markup, and its range covers only the first.
            out.push_str(&crate::xml::escape(c.text().unwrap_or(""), false));
            continue;
        }
        let text = &doc[c.range()];
        if !c.is_element() {
            out.push_str(text);
            continue;
        }
        let (head_end, tag_end) = start_tag_bounds(text);
        let head = &text[..tag_end];
        // A prefix is declared when the markup mentions it (in a name or a value, as in
        // `xsi:type="p:T"`); the default namespace when an element of the subtree is in it.
        let mut uris: Vec<&str> = Vec::new();
        for d in c.descendants().filter(|d| d.is_element()) {
            uris.extend(d.tag_name().namespace());
        }
        let mut decls = String::new();
        for ns in parent.namespaces() {
            let attr = match ns.name() {
                Some("xml") => continue,
                Some(p) => format!("xmlns:{p}"),
                None => "xmlns".to_string(),
            };
            let needed = match ns.name() {
                Some(p) => text.contains(&format!("{p}:")),
                None => uris.contains(&ns.uri()),
            };
            if !needed || declares(head, &attr) {
                continue;
            }
            decls.push(' ');
            decls.push_str(&attr);
            decls.push_str("=\"");
            decls.push_str(
                &ns.uri()
                    .replace('&', "&amp;")
                    .replace('"', "&quot;")
                    .replace('<', "&lt;"),
            );
            decls.push('"');
        }
        out.push_str(&text[..head_end]);
        out.push_str(&decls);
        out.push_str(&text[head_end..]);
    }
    out
}

/// In an element's text: where its name ends, and where its start tag ends (quotes respected).
fn start_tag_bounds(text: &str) -> (usize, usize) {
    let bytes = text.as_bytes();
    let head_end = bytes
        .iter()
        .skip(1)
        .position(|&b| b.is_ascii_whitespace() || b == b'/' || b == b'>')
        .map_or(text.len(), |i| i + 1);
    let mut quote = None;
    for (i, &b) in bytes.iter().enumerate().skip(head_end) {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), b) if b == q => quote = None,
            (None, b'>') => return (head_end, i),
            _ => {}
        }
    }
    (head_end, text.len())
}

/// Whether a start tag declares the attribute `name` (`xmlns:p` or `xmlns`): its attribute
/// names, read past quoted values (a value may hold ` xmlns="..."` too).
fn declares(head: &str, name: &str) -> bool {
    let bytes = head.as_bytes();
    // Past the element's name.
    let mut i = bytes
        .iter()
        .skip(1)
        .position(|&b| b.is_ascii_whitespace() || b == b'/' || b == b'>')
        .map_or(bytes.len(), |p| p + 1);
    loop {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && !b"=/>".contains(&bytes[i]) {
            i += 1;
        }
        if start == i {
            return false;
        }
        if &head[start..i] == name {
            return true;
        }
        // `= "value"`
        while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\'' {
            i += 1;
        }
        let Some(&quote) = bytes.get(i) else {
            return false;
        };
        i += 1;
        while i < bytes.len() && bytes[i] != quote {
            i += 1;
        }
        i += 1;
    }
}
