//! JSON -> XML, driven by the schema: element names and namespaces come only from the compiled
//! types (never from the JSON), order is the schema's, and every problem in the JSON is collected
//! with its JSON Pointer before anything is sent.

use std::collections::BTreeSet;

use quick_xml::Writer;
use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};
use serde_json::{Map, Value};

use super::error::{FieldError, NOTHING};
use super::model::{Body, JsonModel, TypeInfo, first_element};
use super::simple;
use crate::mapping::naming::{ATTRS_KEY, TEXT_KEY, TYPE_KEY, XML_KEY};
use crate::xml::escape;
use crate::xsd::*;

/// Writes elements into a buffer, remembering which namespaces it used.
pub struct Encoder<'m> {
    pub schema: &'m Schema,
    pub model: &'m JsonModel,
    pub writer: Writer<Vec<u8>>,
    pub used: BTreeSet<usize>,
    pub errors: Vec<FieldError>,
    /// `xsi:` is needed (nil or type).
    pub xsi: bool,
    /// SOAP encoding (`use="encoded"`): its namespace. Values then carry `xsi:type`, and SOAP
    /// arrays are written as such.
    pub encoding: Option<&'static str>,
    /// The current element's `$xml` went out at a wildcard already.
    wildcard_done: bool,
    /// For the current content's shared slots: how many items the particles so far took
    /// (`usize::MAX` once the slot's error was reported).
    taken: Vec<usize>,
}

/// A key or name quoted for `expected`/`found`.
fn quote(k: &str) -> String {
    crate::xsd::facets::quote_short(k)
}

/// `"a", "b"` (the first 20, then `...`).
fn quoted_list<'a>(keys: impl Iterator<Item = &'a str>) -> String {
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

fn pointer_push(p: &str, key: &str) -> String {
    format!("{p}/{}", key.replace('~', "~0").replace('/', "~1"))
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
        }
    }

    fn push(&mut self, e: FieldError) {
        self.errors.push(e);
    }

    /// A required field that is absent.
    fn missing(&mut self, pointer: &str, key: &str, message: impl Into<String>) {
        self.push(
            FieldError::new(pointer, "required", message)
                .expected(format!("a value for the required field {}", quote(key)))
                .found(NOTHING),
        );
    }

    /// `prefix:local` (or `local` in no namespace), marking the namespace used.
    fn qname(&mut self, q: &QName) -> String {
        if q.ns.is_empty() {
            return q.local.clone();
        }
        if q.ns == XML {
            // Predefined: binding another prefix to it is not well-formed.
            return format!("xml:{}", q.local);
        }
        match self.model.namespaces.get(&q.ns) {
            Some(&i) => {
                self.used.insert(i);
                format!("{}:{}", self.model.prefixes[i], q.local)
            }
            None => q.local.clone(),
        }
    }

    fn write(&mut self, e: Event) {
        // Writing into a Vec cannot fail.
        let _ = self.writer.write_event(e);
    }

    /// Writes one element named `name` of type `t` holding `v`.
    pub fn element(&mut self, name: &QName, t: TypeId, nillable: bool, v: &Value, pointer: &str) {
        let tag = self.qname(name);
        if v.is_null() {
            if !nillable {
                self.push(
                    FieldError::new(
                        pointer,
                        "nillable",
                        "null is not allowed here (the element is not nillable)",
                    )
                    .expected(format!("a value of {}", self.schema.type_label(t)))
                    .found("null"),
                );
                return;
            }
            if !self.model.nil_possible(t)
                && let Some(a) = self
                    .model
                    .info(t)
                    .and_then(|i| i.attrs.iter().find(|a| a.required && a.default.is_none()))
            {
                // A nil element still carries its required attributes; null cannot say them.
                let message = format!(
                    "null is not possible here: the element's required attribute `{}` must still be given",
                    a.key
                );
                let expected = format!("an object with the required attribute {}", quote(&a.key));
                self.push(
                    FieldError::new(pointer, "required", message)
                        .expected(expected)
                        .found("null"),
                );
                return;
            }
            self.xsi = true;
            let mut start = BytesStart::new(tag.as_str());
            start.push_attribute(("xsi:nil", "true"));
            self.write(Event::Empty(start));
            return;
        }
        let mut t = t;
        let mut start = BytesStart::new(tag.as_str());
        if let Some(name) = v.as_object().and_then(|o| o.get(TYPE_KEY)) {
            match name.as_str().and_then(|n| self.derived_named(t, n)) {
                Some(d) => {
                    t = d;
                    self.xsi = true;
                    let q = self
                        .schema
                        .ty(d)
                        .name
                        .clone()
                        .expect("derived types are named");
                    let qn = self.qname(&q);
                    start.push_attribute(("xsi:type", qn.as_str()));
                }
                None => {
                    let p = pointer_push(pointer, TYPE_KEY);
                    let label = self.schema.type_label(t);
                    self.push(
                        FieldError::new(
                            &p,
                            "derivation",
                            format!("{name} is not a type derived from `{label}`"),
                        )
                        .expected(format!("the name of a type derived from {label}"))
                        .found_value(name),
                    );
                    return;
                }
            }
        }
        if self.encoding.is_some() && !start.attributes().any(|_| true) {
            if let TypeKind::Complex(ct) = &self.schema.ty(t).kind
                && let Some(item) = ct.array_of
            {
                return self.encoded_array(start, &tag, t, item, v, pointer);
            }
            if let Some(q) = self.type_qname(t) {
                let qn = self.qname(&q);
                self.xsi = true;
                start.push_attribute(("xsi:type", qn.as_str()));
            }
        }
        if let TypeKind::Complex(ct) = &self.schema.ty(t).kind
            && ct.is_abstract
        {
            let derived = self.schema.derived.get(&t).map_or(0, Vec::len);
            let label = self.schema.type_label(t);
            self.push(
                FieldError::new(
                    pointer,
                    "abstract",
                    format!(
                        "`{label}` is an abstract type: name the actual one with `{TYPE_KEY}` ({derived} derived type(s))"
                    ),
                )
                .expected(format!(
                    "an object whose \"{TYPE_KEY}\" names a type derived from {label}"
                ))
                .found_value(v),
            );
            return;
        }
        match &self.schema.ty(t).kind {
            TypeKind::Simple(_) => match simple::lexical(self.schema, t, v, false) {
                Ok(text) => {
                    self.write(Event::Start(start));
                    self.write(Event::Text(BytesText::from_escaped(escape(&text, false))));
                    self.write(Event::End(BytesEnd::new(tag.as_str())));
                }
                Err(e) => self.push(FieldError::value(pointer, e)),
            },
            TypeKind::Complex(_) => {
                let Some(info) = self.model.info(t) else {
                    return;
                };
                if t == TypeId(0)
                    || (info.mixed && matches!(info.body, Body::Elements { .. }) && !v.is_object())
                {
                    return self.any_content(start, &tag, v, pointer);
                }
                // simpleContent without declared attributes is just the value (as the decoder
                // reads it), even when an anyAttribute allows undeclared ones.
                if let (Body::Text(st), true, false) =
                    (&info.body, info.attrs.is_empty(), v.is_object())
                {
                    match simple::lexical(self.schema, *st, v, false) {
                        Ok(text) => {
                            self.write(Event::Start(start));
                            self.write(Event::Text(BytesText::from_escaped(escape(&text, false))));
                            self.write(Event::End(BytesEnd::new(tag.as_str())));
                        }
                        Err(e) => self.push(FieldError::value(pointer, e)),
                    }
                    return;
                }
                let Some(obj) = v.as_object() else {
                    let label = self.schema.type_label(t);
                    let expected = match self.schema.ty(t).name {
                        Some(_) => format!("an object ({label})"),
                        None => "an object".to_string(),
                    };
                    self.push(
                        FieldError::new(
                            pointer,
                            "type",
                            format!(
                                "expected an object ({label}), found {}",
                                simple::describe(v)
                            ),
                        )
                        .expected(expected)
                        .found_value(v),
                    );
                    return;
                };
                // Attributes.
                for a in &info.attrs {
                    match obj.get(&a.key) {
                        Some(av) => {
                            let p = pointer_push(pointer, &a.key);
                            match simple::lexical(self.schema, a.type_id, av, false) {
                                Ok(s) => {
                                    if let Some(f) = a.fixed.as_ref().filter(|f| **f != s) {
                                        self.push(
                                            FieldError::new(
                                                &p,
                                                "fixed",
                                                format!("must be {f:?} (a fixed value)"),
                                            )
                                            .expected(format!("the fixed value {}", quote(f)))
                                            .found_value(av),
                                        );
                                    }
                                    let an = self.qname(&a.name);
                                    start.push_attribute(
                                        quick_xml::events::attributes::Attribute {
                                            key: quick_xml::name::QName(an.as_str()),
                                            value: escape(&s, true).into_owned().into(),
                                        },
                                    );
                                }
                                Err(e) => self.push(FieldError::value(&p, e)),
                            }
                        }
                        None if a.required => {
                            let p = pointer_push(pointer, &a.key);
                            self.push(
                                FieldError::new(&p, "required", "required attribute is missing")
                                    .expected(format!(
                                        "a value for the required attribute {}",
                                        quote(&a.key)
                                    ))
                                    .found(NOTHING),
                            );
                        }
                        None => {}
                    }
                }
                if let Some(extra) = obj.get(ATTRS_KEY) {
                    let p = pointer_push(pointer, ATTRS_KEY);
                    self.any_attributes(t, &mut start, extra, &p);
                }
                let wildcard = info.mixed || info.own_wildcard;
                let known = |k: &str| {
                    k == TYPE_KEY
                        || (k == ATTRS_KEY && info.any_attribute)
                        || (k == XML_KEY && wildcard)
                        || info.attrs.iter().any(|a| a.key == k)
                        || match &info.body {
                            Body::Elements { slots, .. } => slots.iter().any(|s| s.key == k),
                            Body::Text(_) => k == TEXT_KEY,
                            Body::Empty => false,
                        }
                };
                let unknown: Vec<&String> = obj.keys().filter(|k| !known(k)).collect();
                if !unknown.is_empty() {
                    let label = self.schema.type_label(t);
                    let keys = info.attrs.iter().map(|a| a.key.as_str());
                    let expected = match &info.body {
                        Body::Elements { slots, .. } => {
                            quoted_list(keys.chain(slots.iter().map(|s| s.key.as_str())))
                        }
                        Body::Text(_) => quoted_list(keys.chain([TEXT_KEY])),
                        Body::Empty => quoted_list(keys),
                    };
                    let expected = if expected.is_empty() {
                        format!("no fields ({label})")
                    } else {
                        format!("one of: {expected}")
                    };
                    for k in unknown {
                        let p = pointer_push(pointer, k);
                        self.push(
                            FieldError::new(
                                &p,
                                "unknownField",
                                format!("unknown field (the schema of `{label}` has no `{k}`)"),
                            )
                            .expected(expected.clone())
                            .found_value(&obj[k]),
                        );
                    }
                }
                match &info.body {
                    Body::Empty => self.write(Event::Empty(start)),
                    Body::Text(st) => {
                        let p = pointer_push(pointer, TEXT_KEY);
                        match obj.get(TEXT_KEY) {
                            Some(tv) => match simple::lexical(self.schema, *st, tv, false) {
                                Ok(text) => {
                                    self.write(Event::Start(start));
                                    self.write(Event::Text(BytesText::from_escaped(escape(
                                        &text, false,
                                    ))));
                                    self.write(Event::End(BytesEnd::new(tag.as_str())));
                                }
                                Err(e) => self.push(FieldError::value(&p, e)),
                            },
                            None => {
                                self.push(
                                    FieldError::new(
                                        &p,
                                        "required",
                                        "the element's text is missing",
                                    )
                                    .expected(format!(
                                        "the element's text under {}",
                                        quote(TEXT_KEY)
                                    ))
                                    .found(NOTHING),
                                );
                            }
                        }
                    }
                    Body::Elements { .. } if info.mixed && obj.contains_key(XML_KEY) => {
                        // Mixed content given raw: the attributes above, then the markup.
                        let p = pointer_push(pointer, XML_KEY);
                        if let Some(raw) = self.checked_raw(&obj[XML_KEY], &p) {
                            self.write(Event::Start(start));
                            self.write(Event::Text(BytesText::from_escaped(raw)));
                            self.write(Event::End(BytesEnd::new(tag.as_str())));
                        }
                    }
                    Body::Elements { particle, .. } => {
                        self.write(Event::Start(start));
                        let outer = std::mem::replace(&mut self.wildcard_done, false);
                        let taken = std::mem::take(&mut self.taken);
                        self.particle(info, particle, obj, pointer, true, None);
                        self.leftovers(info, obj, pointer);
                        self.taken = taken;
                        if wildcard && obj.contains_key(XML_KEY) && !self.wildcard_done {
                            // Not silently dropped: it had no wildcard to go to.
                            self.push(
                                FieldError::new(
                                    pointer_push(pointer, XML_KEY),
                                    "wildcard",
                                    "raw XML has no place here: no wildcard of this content takes it (a wildcard inside a repeated choice takes `$xml` in an item of the choice's array)",
                                )
                                .expected(format!("no {} here", quote(XML_KEY)))
                                .found_value(&obj[XML_KEY]),
                            );
                        }
                        self.wildcard_done = outer;
                        self.write(Event::End(BytesEnd::new(tag.as_str())));
                    }
                }
            }
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
    fn encoded_array(
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

    /// An element declared with `fixed` takes that value only (compared as a value: `1.0` is a
    /// fixed decimal `1`).
    fn check_fixed(&mut self, fixed: Option<&str>, t: TypeId, v: &Value, pointer: &str) {
        let Some(f) = fixed else { return };
        if v.is_null() || !matches!(self.schema.ty(t).kind, TypeKind::Simple(_)) {
            return;
        }
        let same = simple::lexical(self.schema, t, v, false)
            .is_ok_and(|s| crate::xsd::facets::same_value(self.schema, t, &s, f));
        if !same {
            self.push(
                FieldError::new(pointer, "fixed", format!("must be {f:?} (a fixed value)"))
                    .expected(format!("the fixed value {}", quote(f)))
                    .found_value(v),
            );
        }
    }

    /// `anyType` and mixed content: a scalar as text, or `{"$xml": "<raw/>"}` checked to be
    /// well-formed before it is passed through.
    fn any_content(&mut self, start: BytesStart, tag: &str, v: &Value, pointer: &str) {
        let text = match v {
            Value::String(s) => escape(s, false).into_owned(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
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
                        "expected a string, a number, a boolean or {\"$xml\": \"...\"} (any content)",
                    )
                    .expected("a string, a number, a boolean or {\"$xml\": \"...\"}")
                    .found_value(v),
                );
                return;
            }
        };
        self.write(Event::Start(start));
        self.write(Event::Text(BytesText::from_escaped(text)));
        self.write(Event::End(BytesEnd::new(tag)));
    }

    /// A type named `name` (local name) derived from `base`.
    fn derived_named(&self, base: TypeId, name: &str) -> Option<TypeId> {
        let mut stack = vec![base];
        let mut seen = 0;
        while let Some(t) = stack.pop() {
            seen += 1;
            if seen > 10_000 {
                return None;
            }
            if self
                .schema
                .ty(t)
                .name
                .as_ref()
                .is_some_and(|q| q.local == name)
            {
                return Some(t);
            }
            stack.extend(self.schema.derived.get(&t).into_iter().flatten().copied());
        }
        None
    }

    /// Writes a particle's elements from `obj` in schema order. `required` is false inside
    /// optional groups and choices. `index` picks the item of a repeated group.
    /// Returns whether anything from `obj` belonged to it.
    fn particle(
        &mut self,
        info: &'m TypeInfo,
        p: &Particle,
        obj: &Map<String, Value>,
        pointer: &str,
        required: bool,
        index: Option<usize>,
    ) -> bool {
        let required = required && p.min > 0;
        if matches!(&p.term, Term::Choice(ps) if ps.len() > 1)
            && (p.max.is_many() || index.is_some())
            && let Some(&slot_i) = first_element(p).and_then(|e| info.group_of.get(&e))
        {
            return self.group(info, slot_i, p, obj, pointer, required, index);
        }
        match &p.term {
            Term::Element(e) => {
                let Some(&slot_i) = info.by_element.get(e) else {
                    return false;
                };
                let Body::Elements { slots, .. } = &info.body else {
                    return false;
                };
                let slot = &slots[slot_i];
                let el = self.schema.element(*e);
                let (name, ty, nillable) = (el.name.clone(), el.type_id, el.nillable);
                let fixed = el.fixed.clone();
                let key = slot.key.clone();
                let p_key = pointer_push(pointer, &key);
                if slot.shared {
                    // In a repeated group too: each particle takes the next items in turn.
                    return self.shared((slot_i, slots.len(), &key), p, obj, &p_key, required);
                }
                let Some(v) = obj.get(&key) else {
                    if required && index.is_none_or(|i| i == 0) {
                        self.missing(&p_key, &key, "required field is missing");
                    }
                    return false;
                };
                if slot.many {
                    let Some(items) = v.as_array() else {
                        self.push(
                            FieldError::new(
                                &p_key,
                                "type",
                                format!("expected an array, found {}", simple::describe(v)),
                            )
                            .expected("an array")
                            .found_value(v),
                        );
                        return true;
                    };
                    let range = self.item_range(items.len(), p, &p_key, required, index);
                    for i in range {
                        let pi = format!("{p_key}/{i}");
                        self.check_fixed(fixed.as_deref(), ty, &items[i], &pi);
                        self.element(&name, ty, nillable, &items[i], &pi);
                    }
                    !items.is_empty() || index.is_none()
                } else {
                    self.check_fixed(fixed.as_deref(), ty, v, &p_key);
                    self.element(&name, ty, nillable, v, &p_key);
                    true
                }
            }
            Term::Sequence(ps) | Term::All(ps) | Term::Choice(ps)
                if p.max.is_many() && index.is_none() =>
            {
                // A repeated group: items are written group by group, by array index.
                // Every occurrence needs its own required fields.
                let n = self.group_len(info, ps, obj);
                if required && (n as u64) < p.min as u64 {
                    let keys = keys_of(info, ps);
                    self.push(
                        FieldError::new(
                            pointer,
                            "minOccurs",
                            format!(
                                "at least {} occurrence(s) of the repeated group of {} are required (its fields are arrays that go together by index)",
                                p.min,
                                keys.join(", ")
                            ),
                        )
                        .expected(format!(
                            "at least {} occurrence(s) of the group of {}",
                            p.min,
                            quoted_list(plain(&keys))
                        ))
                        .found(format!("{n} occurrence(s)")),
                    );
                }
                for i in 0..n {
                    for c in ps {
                        self.particle(info, c, obj, pointer, true, Some(i));
                    }
                }
                n > 0
            }
            Term::Sequence(ps) | Term::All(ps) => {
                let mut any = false;
                for c in ps {
                    any |= self.particle(info, c, obj, pointer, required, index);
                }
                any
            }
            Term::Choice(ps) if ps.len() > 1 && index.is_none() => {
                // The branch the JSON names, decided before anything is written: by a key only
                // that branch has; keys several branches have (`(a, b) | (c, a)`) name the first
                // of them when nothing else does. Its content is then required in full.
                let Body::Elements { slots, .. } = &info.body else {
                    return false;
                };
                let sets: Vec<Vec<usize>> = ps
                    .iter()
                    .map(|c| {
                        let mut v = Vec::new();
                        branch_slots(info, c, &mut v);
                        v
                    })
                    .collect();
                let (wildcard_done, taken) = (self.wildcard_done, &self.taken);
                // A shared slot (one name, several particles) names a branch while it has items
                // left for it.
                let given = |s: usize| match slots.get(s) {
                    Some(slot) if slot.shared => match obj.get(&slot.key) {
                        Some(Value::Array(a)) => a.len() > taken.get(s).copied().unwrap_or(0),
                        other => other.is_some(),
                    },
                    Some(slot) => obj.contains_key(&slot.key),
                    None => !wildcard_done && obj.contains_key(XML_KEY),
                };
                let own = |b: usize, s: usize| {
                    !sets
                        .iter()
                        .enumerate()
                        .any(|(j, o)| j != b && o.contains(&s))
                };
                let unshared = |s: usize| slots.get(s).is_none_or(|x| !x.shared);
                let mut named: Vec<usize> = (0..ps.len())
                    .filter(|&b| sets[b].iter().any(|&s| own(b, s) && given(s)))
                    .collect();
                // Keys of this branch only beat a shared name, which another particle may take.
                let strict: Vec<usize> = named
                    .iter()
                    .copied()
                    .filter(|&b| {
                        sets[b]
                            .iter()
                            .any(|&s| own(b, s) && given(s) && unshared(s))
                    })
                    .collect();
                if strict.len() == 1 {
                    named = strict;
                }
                if named.is_empty() {
                    named.extend((0..ps.len()).find(|&b| sets[b].iter().any(|&s| given(s))));
                }
                let at = if pointer.is_empty() { "/" } else { pointer };
                match named.as_slice() {
                    [] => {
                        if required && !ps.iter().any(emptiable) {
                            let keys = keys_of(info, ps);
                            self.choice_none(at, &keys);
                        }
                        false
                    }
                    [b] => {
                        self.particle(info, &ps[*b], obj, pointer, true, None);
                        true
                    }
                    _ => {
                        let keys = keys_of(info, ps);
                        self.choice_many(at, &keys, obj);
                        true
                    }
                }
            }
            Term::Choice(ps) => {
                let mut present = Vec::new();
                for c in ps {
                    if self.particle(info, c, obj, pointer, false, index) {
                        present.push(c);
                    }
                }
                if present.len() > 1 && index.is_none() && ps.len() > 1 {
                    let keys = keys_of(info, ps);
                    self.choice_many(pointer, &keys, obj);
                }
                if present.is_empty()
                    && required
                    && index.is_none()
                    && ps.len() > 1
                    && !ps.iter().any(emptiable)
                {
                    let keys = keys_of(info, ps);
                    self.choice_none(pointer, &keys);
                }
                !present.is_empty()
            }
            Term::Any(w) => {
                // The wildcard's content: `$xml`, raw, at the first wildcard.
                let Some(v) = obj.get(XML_KEY).filter(|_| !self.wildcard_done) else {
                    if required && index.is_none() && !self.wildcard_done {
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
    }

    /// A choice none of whose branches is given.
    fn choice_none(&mut self, pointer: &str, keys: &[String]) {
        self.push(
            FieldError::new(
                pointer,
                "choice",
                format!("one of {} is required (a choice)", keys.join(", ")),
            )
            .expected(format!("one of {}", quoted_list(plain(keys))))
            .found(NOTHING),
        );
    }

    /// A choice with more than one branch given.
    fn choice_many(&mut self, pointer: &str, keys: &[String], obj: &Map<String, Value>) {
        let given = quoted_list(plain(keys).filter(|k| obj.contains_key(*k)));
        let mut e = FieldError::new(
            pointer,
            "choice",
            format!("only one of {} may be given (a choice)", keys.join(", ")),
        )
        .expected(format!("only one of {}", quoted_list(plain(keys))));
        if !given.is_empty() {
            e = e.found(given);
        }
        self.push(e);
    }

    /// `$attributes`: attributes the type's `xs:anyAttribute` takes, `{"{ns}name": "value"}`.
    /// A namespace without a prefix of the model's gets one declared on the element.
    fn any_attributes(&mut self, t: TypeId, start: &mut BytesStart, v: &Value, pointer: &str) {
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

    /// Which items of an array a particle writes: all of them (with the occurrence bounds
    /// checked), or inside a repeated group only item `index` (an array shorter than its
    /// siblings is an error when the field is required).
    fn item_range(
        &mut self,
        len: usize,
        p: &Particle,
        p_key: &str,
        required: bool,
        index: Option<usize>,
    ) -> std::ops::Range<usize> {
        match index {
            Some(i) if i < len => i..i + 1,
            Some(i) => {
                if required && i == len {
                    self.push(
                        FieldError::new(p_key, "required", uneven(i))
                            .expected(format!(
                                "item {i}: the fields of a repeated group go together by index"
                            ))
                            .found(simple::array_found(len)),
                    );
                }
                0..0
            }
            None => {
                if (len as u64) < p.min as u64 && required {
                    let m = format!("at least {} items are required", p.min);
                    self.push(
                        FieldError::new(p_key, "minOccurs", m)
                            .expected(format!("at least {} items", p.min))
                            .found(simple::array_found(len)),
                    );
                }
                if let MaxOccurs::Bounded(m) = p.max
                    && len as u64 > m as u64
                    && m > 1
                {
                    self.push(
                        FieldError::new(
                            p_key,
                            "maxOccurs",
                            format!("at most {m} items are allowed"),
                        )
                        .expected(format!("at most {m} items"))
                        .found(simple::array_found(len)),
                    );
                }
                0..len
            }
        }
    }

    /// One of several particles of a shared slot (`a, b, a`): takes the next items of the
    /// array, as many as the particle allows.
    fn shared(
        &mut self,
        (slot_i, slot_count, key): (usize, usize, &str),
        p: &Particle,
        obj: &Map<String, Value>,
        p_key: &str,
        required: bool,
    ) -> bool {
        let Term::Element(e) = &p.term else {
            return false;
        };
        if self.taken.len() < slot_count {
            self.taken.resize(slot_count, 0);
        }
        let start = self.taken[slot_i];
        if start == usize::MAX {
            return false;
        }
        let items = match obj.get(key) {
            None => {
                if required {
                    self.taken[slot_i] = usize::MAX;
                    self.missing(p_key, key, "required field is missing");
                }
                return false;
            }
            Some(Value::Array(items)) => items,
            Some(v) => {
                self.taken[slot_i] = usize::MAX;
                let m = format!(
                    "expected an array (the name occurs more than once in the content), found {}",
                    simple::describe(v)
                );
                self.push(
                    FieldError::new(p_key, "type", m)
                        .expected("an array (the name occurs more than once in the content)")
                        .found_value(v),
                );
                return true;
            }
        };
        let room = match p.max {
            MaxOccurs::Bounded(m) => m as usize,
            MaxOccurs::Unbounded => usize::MAX,
        };
        let n = items.len().saturating_sub(start).min(room);
        if n < p.min as usize && required {
            self.taken[slot_i] = usize::MAX;
            self.push(
                FieldError::new(
                    p_key,
                    "minOccurs",
                    format!(
                        "too few items: the name occurs more than once in the content, and its occurrence number {} is required",
                        start + n + 1
                    ),
                )
                .expected(format!("at least {} items", start + p.min as usize))
                .found(simple::array_found(items.len())),
            );
            return n > 0;
        }
        self.taken[slot_i] = start + n;
        let el = self.schema.element(*e);
        let (name, ty, nillable) = (el.name.clone(), el.type_id, el.nillable);
        for (i, item) in items.iter().enumerate().skip(start).take(n) {
            self.element(&name, ty, nillable, item, &format!("{p_key}/{i}"));
        }
        n > 0
    }

    /// Items of shared slots that no particle took: too many.
    fn leftovers(&mut self, info: &TypeInfo, obj: &Map<String, Value>, pointer: &str) {
        let Body::Elements { slots, .. } = &info.body else {
            return;
        };
        for (si, slot) in slots.iter().enumerate() {
            let taken = self.taken.get(si).copied().unwrap_or(0);
            if !slot.shared || taken == usize::MAX {
                continue;
            }
            if let Some(Value::Array(items)) = obj.get(&slot.key)
                && items.len() > taken
            {
                let p = pointer_push(pointer, &slot.key);
                self.push(
                    FieldError::new(
                        &p,
                        "maxOccurs",
                        format!("at most {taken} items fit where the schema puts them"),
                    )
                    .expected(format!("at most {taken} items"))
                    .found(simple::array_found(items.len())),
                );
            }
        }
    }

    /// Whether well-formed raw markup is what a wildcard takes: elements only (no text), each in
    /// a namespace the wildcard allows.
    fn fits_wildcard(&mut self, w: &Wildcard, raw: &str, pointer: &str) -> bool {
        let wrapped = format!("<r>{raw}</r>");
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
    fn checked_raw(&mut self, v: &Value, pointer: &str) -> Option<String> {
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
        match roxmltree::Document::parse_with_options(&wrapped, crate::xml::parse_options()) {
            Err(e) => {
                self.push(
                    FieldError::new(pointer, "xml", format!("not well-formed XML: {e}"))
                        .expected("well-formed XML")
                        .found_value(v),
                );
                None
            }
            // SOAP forbids processing instructions (and our own reader refuses them).
            Ok(doc) if doc.descendants().any(|n| n.is_pi()) => {
                self.push(
                    FieldError::new(
                        pointer,
                        "xml",
                        "processing instructions (<?...?>) are not allowed in SOAP messages",
                    )
                    .expected("XML without processing instructions")
                    .found_value(v),
                );
                None
            }
            Ok(_) => Some(raw.to_string()),
        }
    }

    /// A repeated choice: an array of objects, each holding one branch's fields.
    #[allow(clippy::too_many_arguments)]
    fn group(
        &mut self,
        info: &'m TypeInfo,
        slot_i: usize,
        p: &Particle,
        obj: &Map<String, Value>,
        pointer: &str,
        required: bool,
        index: Option<usize>,
    ) -> bool {
        let Body::Elements { slots, .. } = &info.body else {
            return false;
        };
        let slot = &slots[slot_i];
        let Some(group) = slot.group.as_deref() else {
            return false;
        };
        let Body::Elements { particle: once, .. } = &group.body else {
            return false;
        };
        let p_key = pointer_push(pointer, &slot.key);
        let Some(v) = obj.get(&slot.key) else {
            if required && index.is_none_or(|i| i == 0) {
                self.missing(&p_key, &slot.key, "required field is missing");
            }
            return false;
        };
        let Some(items) = v.as_array() else {
            self.push(
                FieldError::new(
                    &p_key,
                    "type",
                    format!(
                        "expected an array of objects, each with one of {}, found {}",
                        branch_keys(group),
                        simple::describe(v)
                    ),
                )
                .expected(format!(
                    "an array of objects, each with one of {}",
                    branch_quoted(group)
                ))
                .found_value(v),
            );
            return true;
        };
        let range = self.item_range(items.len(), p, &p_key, required, index);
        for i in range {
            let pi = format!("{p_key}/{i}");
            let Some(item) = items[i].as_object() else {
                self.push(
                    FieldError::new(
                        &pi,
                        "type",
                        format!(
                            "expected an object with one of {}, found {}",
                            branch_keys(group),
                            simple::describe(&items[i])
                        ),
                    )
                    .expected(format!("an object with one of {}", branch_quoted(group)))
                    .found_value(&items[i]),
                );
                continue;
            };
            let Body::Elements { slots: inner, .. } = &group.body else {
                continue;
            };
            if item.is_empty() {
                self.empty_item(&pi, group, &items[i]);
                continue;
            }
            let wild = has_wildcard(&group.body);
            let unknown: Vec<String> = item
                .keys()
                .filter(|k| !(inner.iter().any(|s| s.key == **k) || (wild && *k == XML_KEY)))
                .cloned()
                .collect();
            for k in unknown {
                let pk = pointer_push(&pi, &k);
                self.push(
                    FieldError::new(
                        &pk,
                        "unknownField",
                        format!("unknown field (expected one of {})", branch_keys(group)),
                    )
                    .expected(format!("one of {}", branch_quoted(group)))
                    .found_value(&item[&k]),
                );
            }
            // Each item is its own content: its `$xml` goes to its own wildcard.
            let outer = std::mem::replace(&mut self.wildcard_done, false);
            let taken = std::mem::take(&mut self.taken);
            let before = self.writer.get_ref().len();
            let errors = self.errors.len();
            self.particle(group, once, item, &pi, true, None);
            self.leftovers(group, item, &pi);
            self.taken = taken;
            self.wildcard_done = outer;
            if self.writer.get_ref().len() == before && self.errors.len() == errors {
                // Nothing written (only empty arrays): the item would vanish on the wire.
                self.empty_item(&pi, group, &items[i]);
            }
        }
        !items.is_empty() || index.is_none()
    }

    /// An item of a repeated choice that gives no branch.
    fn empty_item(&mut self, pointer: &str, group: &TypeInfo, item: &Value) {
        self.push(
            FieldError::new(
                pointer,
                "choice",
                format!("an empty item: give one of {}", branch_keys(group)),
            )
            .expected(format!("an object with one of {}", branch_quoted(group)))
            .found_value(item),
        );
    }

    /// The longest array among the elements of a repeated group.
    fn group_len(&self, info: &TypeInfo, ps: &[Particle], obj: &Map<String, Value>) -> usize {
        let Body::Elements { slots, .. } = &info.body else {
            return 0;
        };
        let mut n = 0;
        let mut stack: Vec<&Particle> = ps.iter().collect();
        while let Some(p) = stack.pop() {
            match &p.term {
                Term::Element(e) => {
                    if let Some(&i) = info.by_element.get(e) {
                        let len = obj
                            .get(&slots[i].key)
                            .and_then(Value::as_array)
                            .map_or(0, Vec::len);
                        // A shared name (`(a, b, a)*`) gives each occurrence several items.
                        let per = if slots[i].shared {
                            ps.iter()
                                .map(|q| count_slot(info, q, i))
                                .sum::<usize>()
                                .max(1)
                        } else {
                            1
                        };
                        n = n.max(len.div_ceil(per));
                    }
                }
                Term::Choice(c) if c.len() > 1 => {
                    if let Some(&i) = first_element(p).and_then(|e| info.group_of.get(&e)) {
                        n = n.max(
                            obj.get(&slots[i].key)
                                .and_then(Value::as_array)
                                .map_or(0, Vec::len),
                        );
                    } else {
                        stack.extend(c.iter());
                    }
                }
                Term::Sequence(c) | Term::Choice(c) | Term::All(c) => stack.extend(c.iter()),
                // `$xml` is one item's worth (written with the first).
                Term::Any(_) if obj.contains_key(XML_KEY) => n = n.max(1),
                Term::Any(_) => {}
            }
        }
        n
    }
}

/// How many element particles of a content model fill slot `slot`.
fn count_slot(info: &TypeInfo, p: &Particle, slot: usize) -> usize {
    match &p.term {
        Term::Element(e) => usize::from(info.by_element.get(e) == Some(&slot)),
        Term::Sequence(c) | Term::Choice(c) | Term::All(c) => {
            c.iter().map(|q| count_slot(info, q, slot)).sum()
        }
        Term::Any(_) => 0,
    }
}

/// The message for a required field of a repeated group whose array is shorter than another's.
fn uneven(i: usize) -> String {
    format!(
        "item {i} is missing: the fields of a repeated group go together by index, and each occurrence needs this one"
    )
}

/// The slots a choice branch fills (`usize::MAX` for a wildcard: `$xml`).
fn branch_slots(info: &TypeInfo, p: &Particle, out: &mut Vec<usize>) {
    match &p.term {
        Term::Element(e) => out.extend(info.by_element.get(e)),
        Term::Choice(c)
            if c.len() > 1
                && p.max.is_many()
                && let Some(&i) = first_element(p).and_then(|e| info.group_of.get(&e)) =>
        {
            out.push(i)
        }
        Term::Sequence(c) | Term::Choice(c) | Term::All(c) => {
            c.iter().for_each(|x| branch_slots(info, x, out))
        }
        Term::Any(_) => out.push(usize::MAX),
    }
}

/// Whether a particle may match nothing.
fn emptiable(p: &Particle) -> bool {
    p.min == 0
        || match &p.term {
            Term::Sequence(c) | Term::All(c) => c.iter().all(emptiable),
            Term::Choice(c) => c.iter().any(emptiable),
            Term::Element(_) | Term::Any(_) => false,
        }
}

/// The JSON keys of the elements of some particles, for messages.
fn keys_of(info: &TypeInfo, ps: &[Particle]) -> Vec<String> {
    let Body::Elements { slots, .. } = &info.body else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut stack: Vec<&Particle> = ps.iter().rev().collect();
    while let Some(p) = stack.pop() {
        match &p.term {
            Term::Element(e) => {
                if let Some(&i) = info.by_element.get(e) {
                    out.push(format!("`{}`", slots[i].key));
                }
            }
            Term::Choice(c)
                if first_element(p).is_some_and(|e| info.group_of.contains_key(&e))
                    && c.len() > 1 =>
            {
                if let Some(&i) = first_element(p).and_then(|e| info.group_of.get(&e)) {
                    out.push(format!("`{}`", slots[i].key));
                }
            }
            Term::Sequence(c) | Term::Choice(c) | Term::All(c) => stack.extend(c.iter().rev()),
            Term::Any(_) => {}
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|k| seen.insert(k.clone()));
    out
}

/// The keys of [`keys_of`] without their backticks.
fn plain(keys: &[String]) -> impl Iterator<Item = &str> {
    keys.iter().map(|k| k.trim_matches('`'))
}

/// The keys of a repeated choice's branches, for messages: `a`, `b` or `c`.
fn branch_keys(group: &TypeInfo) -> String {
    let Body::Elements { particle, .. } = &group.body else {
        return String::new();
    };
    let Term::Choice(ps) = &particle.term else {
        return String::new();
    };
    keys_of(group, ps).join(", ")
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

/// The keys of a repeated choice's branches, quoted for `expected`: `"a", "b", "c"`.
fn branch_quoted(group: &TypeInfo) -> String {
    let Body::Elements { particle, .. } = &group.body else {
        return String::new();
    };
    let Term::Choice(ps) = &particle.term else {
        return String::new();
    };
    quoted_list(plain(&keys_of(group, ps)))
}

/// Whether a content model has a wildcard (`xs:any`).
pub fn has_wildcard(body: &Body) -> bool {
    fn any(p: &Particle) -> bool {
        match &p.term {
            Term::Any(_) => true,
            Term::Sequence(ps) | Term::Choice(ps) | Term::All(ps) => ps.iter().any(any),
            Term::Element(_) => false,
        }
    }
    matches!(body, Body::Elements { particle, .. } if any(particle))
}
