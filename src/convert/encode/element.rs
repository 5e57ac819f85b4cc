//! One element from a JSON value, in steps: `null` (nil), the actual type (`$type`, SOAP
//! encoding's `xsi:type`), abstract types, then simple values or complex content: attributes,
//! unknown keys, and the body (empty, simple content, raw mixed content or the content model's
//! particles); a list wrapper from the array of its items (`unwrap_lists:`).

use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};
use serde_json::{Map, Value};

use super::encoder::{Encoder, pointer_push, quote, quoted_list};
use crate::convert::error::{FieldError, NOTHING};
use crate::convert::model::{Body, TypeInfo};
use crate::convert::simple;
use crate::mapping::naming::{ATTRS_KEY, TEXT_KEY, TYPE_KEY, XML_KEY};
use crate::mapping::unwrap::ListItem;
use crate::xml::escape;
use crate::xsd::*;

impl<'m> Encoder<'m> {
    /// Writes one element named `name` of type `t` holding `v`; problems are reported at
    /// `pointer`.
    pub fn element(&mut self, name: &QName, t: TypeId, nillable: bool, v: &Value, pointer: &str) {
        let tag = self.qname(name);
        if v.is_null() {
            return self.nil(&tag, t, nillable, pointer);
        }
        let mut start = BytesStart::new(tag.as_str());
        let Some(t) = self.actual_type(t, v, &mut start, pointer) else {
            return;
        };
        if self.encoding.is_some() && !start.attributes().any(|_| true) {
            if let TypeKind::Complex(ct) = &self.schema.ty(t).kind
                && let Some(item) = ct.array_of
            {
                return self.encoded_array(start, &tag, t, item, v, pointer);
            }
            self.encoded_type(t, &mut start);
        }
        let schema: &'m Schema = self.schema;
        match &schema.ty(t).kind {
            TypeKind::Complex(ct) if ct.is_abstract => self.abstract_type(t, v, pointer),
            TypeKind::Simple(_) => match simple::lexical(schema, t, v, false) {
                Ok(text) => self.text_element(start, &tag, t, &text),
                Err(e) => self.push(FieldError::value(pointer, e)),
            },
            TypeKind::Complex(_) => self.complex(start, &tag, t, v, pointer),
        }
    }

    /// [`Encoder::element`] for a JSON object held as a map (a message's fields), without
    /// making it a `Value` first: a literal complex type without `$type` takes it as it is;
    /// anything else goes the general way, with a copy.
    pub(crate) fn element_object(
        &mut self,
        name: &QName,
        t: TypeId,
        obj: &Map<String, Value>,
        pointer: &str,
    ) {
        let model = self.model;
        let plain = match (&self.schema.ty(t).kind, model.info(t)) {
            (TypeKind::Complex(ct), Some(info)) => {
                !ct.is_abstract
                    && t != TypeId(0)
                    && self.encoding.is_none()
                    && !obj.contains_key(TYPE_KEY)
                    && !(info.mixed && matches!(info.body, Body::Elements { .. }))
                    && (ct.array_of.is_none())
                    && model.list(t).is_none()
            }
            _ => false,
        };
        if !plain {
            return self.element(name, t, false, &Value::Object(obj.clone()), pointer);
        }
        let tag = self.qname(name);
        let start = BytesStart::new(tag.as_str());
        if let Some(info) = model.info(t) {
            self.complex_object(start, &tag, t, info, obj, pointer);
        }
    }

    /// `null`: `xsi:nil`, when the element is nillable and its type has no required attribute.
    fn nil(&mut self, tag: &str, t: TypeId, nillable: bool, pointer: &str) {
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
        let mut start = BytesStart::new(tag);
        start.push_attribute(("xsi:nil", "true"));
        self.write(Event::Empty(start));
    }

    /// The type the value is written as: the declared `t`, or the derived type its `$type`
    /// names (then given as `xsi:type` on `start`). `None` when `$type` names no such type.
    fn actual_type(
        &mut self,
        t: TypeId,
        v: &Value,
        start: &mut BytesStart,
        pointer: &str,
    ) -> Option<TypeId> {
        let Some(name) = v.as_object().and_then(|o| o.get(TYPE_KEY)) else {
            return Some(t);
        };
        match name.as_str().and_then(|n| self.derived_named(t, n)) {
            Some(d) => {
                self.xsi = true;
                let schema: &'m Schema = self.schema;
                let q = schema.ty(d).name.as_ref().expect("derived types are named");
                let qn = self.qname(q);
                start.push_attribute(("xsi:type", qn.as_str()));
                Some(d)
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
                None
            }
        }
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

    /// An abstract type cannot be written: `$type` must name a concrete one.
    fn abstract_type(&mut self, t: TypeId, v: &Value, pointer: &str) {
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
    }

    /// `<tag ...>text</tag>` (the text of a value of type `t`, escaped here; an MTOM part
    /// for a base64Binary value when the encoder writes MTOM).
    fn text_element(&mut self, start: BytesStart, tag: &str, t: TypeId, text: &str) {
        self.write(Event::Start(start));
        self.value_content(t, text);
        self.write(Event::End(BytesEnd::new(tag)));
    }

    /// An element of complex type `t`.
    fn complex(&mut self, start: BytesStart, tag: &str, t: TypeId, v: &Value, pointer: &str) {
        let model = self.model;
        let Some(info) = model.info(t) else {
            return;
        };
        if t == TypeId(0)
            || (info.mixed && matches!(info.body, Body::Elements { .. }) && !v.is_object())
        {
            return self.any_content(start, tag, v, pointer);
        }
        // simpleContent without declared attributes is just the value (as the decoder reads
        // it), even when an anyAttribute allows undeclared ones.
        if let (Body::Text(st), true, false) = (&info.body, info.attrs.is_empty(), v.is_object()) {
            match simple::lexical(self.schema, *st, v, false) {
                Ok(text) => self.text_element(start, tag, *st, &text),
                Err(e) => self.push(FieldError::value(pointer, e)),
            }
            return;
        }
        if let Some(list) = model.list(t) {
            return self.list(start, tag, list, v, pointer);
        }
        let Some(obj) = v.as_object() else {
            return self.not_an_object(t, v, pointer);
        };
        self.complex_object(start, tag, t, info, obj, pointer);
    }

    /// A list wrapper shown as the array of its items (`unwrap_lists:`): each item is one
    /// element of the wrapper, its occurrence bounds checked; `[]` is the empty wrapper.
    fn list(&mut self, start: BytesStart, tag: &str, list: &ListItem, v: &Value, pointer: &str) {
        let Some(items) = v.as_array() else {
            self.push(
                FieldError::new(
                    pointer,
                    "type",
                    format!("expected an array, found {}", simple::describe(v)),
                )
                .expected("an array")
                .found_value(v),
            );
            return;
        };
        let schema: &'m Schema = self.schema;
        let el = schema.element(list.element);
        let range = self.item_range(items.len(), &list.particle, pointer, true, None);
        self.write(Event::Start(start));
        for i in range {
            let pi = format!("{pointer}/{i}");
            self.check_fixed(el.fixed_value(), el.type_id, &items[i], &pi);
            self.element(&el.name, el.type_id, el.nillable, &items[i], &pi);
        }
        self.write(Event::End(BytesEnd::new(tag)));
    }

    /// The attributes and content of an element of complex type `t` from its JSON object.
    fn complex_object(
        &mut self,
        mut start: BytesStart,
        tag: &str,
        t: TypeId,
        info: &'m TypeInfo,
        obj: &Map<String, Value>,
        pointer: &str,
    ) {
        self.attributes(info, obj, &mut start, pointer);
        if let Some(extra) = obj.get(ATTRS_KEY) {
            let p = pointer_push(pointer, ATTRS_KEY);
            self.any_attributes(t, &mut start, extra, &p);
        }
        self.unknown_keys(t, info, obj, pointer);
        self.content(info, start, tag, obj, pointer);
    }

    /// A value of complex type `t` that is not an object.
    fn not_an_object(&mut self, t: TypeId, v: &Value, pointer: &str) {
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
    }

    /// The declared attributes the object gives, onto `start`; required ones it lacks.
    fn attributes(
        &mut self,
        info: &TypeInfo,
        obj: &Map<String, Value>,
        start: &mut BytesStart,
        pointer: &str,
    ) {
        for a in &info.attrs {
            match obj.get(&a.key) {
                Some(av) => {
                    let p = || pointer_push(pointer, &a.key);
                    match simple::lexical(self.schema, a.type_id, av, false) {
                        Ok(s) => {
                            if let Some(f) = a.fixed.as_ref().filter(|f| **f != s) {
                                self.push(
                                    FieldError::new(
                                        p(),
                                        "fixed",
                                        format!("must be {f:?} (a fixed value)"),
                                    )
                                    .expected(format!("the fixed value {}", quote(f)))
                                    .found_value(av),
                                );
                            }
                            let an = self.qname(&a.name);
                            start.push_attribute(quick_xml::events::attributes::Attribute {
                                key: quick_xml::name::QName(an.as_str()),
                                value: escape(&s, true).into_owned().into(),
                            });
                        }
                        Err(e) => self.push(FieldError::value(p(), e)),
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
    }

    /// Keys of the object that are no attribute, element, text or raw XML of type `t`.
    fn unknown_keys(
        &mut self,
        t: TypeId,
        info: &TypeInfo,
        obj: &Map<String, Value>,
        pointer: &str,
    ) {
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
        if unknown.is_empty() {
            return;
        }
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

    /// The element's body: empty, simple content (`value`), raw mixed content (`$xml`), or the
    /// content model's particles.
    fn content(
        &mut self,
        info: &'m TypeInfo,
        start: BytesStart,
        tag: &str,
        obj: &Map<String, Value>,
        pointer: &str,
    ) {
        match &info.body {
            Body::Empty => self.write(Event::Empty(start)),
            Body::Text(st) => {
                let p = pointer_push(pointer, TEXT_KEY);
                match obj.get(TEXT_KEY) {
                    Some(tv) => match simple::lexical(self.schema, *st, tv, false) {
                        Ok(text) => self.text_element(start, tag, *st, &text),
                        Err(e) => self.push(FieldError::value(&p, e)),
                    },
                    None => {
                        self.push(
                            FieldError::new(&p, "required", "the element's text is missing")
                                .expected(format!("the element's text under {}", quote(TEXT_KEY)))
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
                    self.write(Event::End(BytesEnd::new(tag)));
                }
            }
            Body::Elements { particle, .. } => {
                self.write(Event::Start(start));
                let outer = std::mem::replace(&mut self.wildcard_done, false);
                let taken = std::mem::take(&mut self.taken);
                self.particle(info, particle, obj, pointer, true, None);
                self.leftovers(info, obj, pointer);
                self.taken = taken;
                let wildcard = info.mixed || info.own_wildcard;
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
                self.write(Event::End(BytesEnd::new(tag)));
            }
        }
    }

    /// An element declared with `fixed` takes that value only (compared as a value: `1.0` is a
    /// fixed decimal `1`).
    pub(super) fn check_fixed(&mut self, fixed: Option<&str>, t: TypeId, v: &Value, pointer: &str) {
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
}
