//! The JSON Schema of every XSD type, from the same JSON view (`JsonModel`) that drives
//! conversion: a named type becomes a component and a `$ref`, others are inline; complex types
//! as objects (attributes, slots, choices, `$type`, `$xml`, extensions as `allOf`), list
//! wrappers the mapping unwraps as arrays. Simple types are in `simple`.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value, json};

use crate::convert::model::{Body, JsonModel, TypeInfo, wildcard_required};
use crate::mapping::naming::{ATTRS_KEY, TEXT_KEY, TYPE_KEY, XML_KEY};
use crate::mapping::unwrap::ListItem;
use crate::xml::XS;
use crate::xsd::{Derivation, MaxOccurs, Particle, Schema, Term, TypeId, TypeKind};

/// Builds the schemas of one service's types; the named ones it met become components (with
/// the service's prefix) when it finishes.
pub(super) struct Builder<'a> {
    pub(super) schema: &'a Schema,
    pub(super) model: &'a JsonModel,
    prefix: String,
    done: HashSet<TypeId>,
    todo: Vec<TypeId>,
    /// The anonymous types being written out, innermost last.
    inlining: Vec<TypeId>,
    /// Anonymous types met again inside themselves (an element whose anonymous type holds a
    /// reference to the element): components too, under these names.
    recursive: HashMap<TypeId, String>,
    components: &'a mut Map<String, Value>,
}

impl<'a> Builder<'a> {
    pub(super) fn new(
        schema: &'a Schema,
        model: &'a JsonModel,
        prefix: String,
        components: &'a mut Map<String, Value>,
    ) -> Builder<'a> {
        Builder {
            schema,
            model,
            prefix,
            done: HashSet::new(),
            todo: Vec::new(),
            inlining: Vec::new(),
            recursive: HashMap::new(),
            components,
        }
    }

    /// The prefix of this service's component names.
    pub(super) fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The component name: the service prefix and the type's local name, made safe.
    fn name(&self, t: TypeId) -> String {
        let local = self
            .schema
            .ty(t)
            .name
            .as_ref()
            .map_or("Anonymous", |q| q.local.as_str());
        format!("{}.{}", self.prefix, clean(local))
    }

    /// A field's schema: an array when repeated, `null` allowed when nillable.
    pub(super) fn field_schema(&mut self, t: TypeId, many: bool, nillable: bool) -> Value {
        let item = self.type_schema(t);
        let item = if nillable && self.model.nil_possible(t) {
            json!({"oneOf": [item, {"type": "null"}]})
        } else {
            item
        };
        if many {
            json!({"type": "array", "items": item})
        } else {
            item
        }
    }

    /// A named (non-built-in) type becomes a component and a `$ref`; others are inline, unless
    /// they contain themselves (then they are a component named after their element).
    pub(super) fn type_schema(&mut self, t: TypeId) -> Value {
        let named = self.schema.ty(t).name.as_ref().is_some_and(|q| q.ns != XS);
        if named {
            if self.done.insert(t) {
                self.todo.push(t);
            }
            return json!({"$ref": format!("#/components/schemas/{}", self.name(t))});
        }
        if let Some(name) = self.recursive.get(&t) {
            return json!({"$ref": format!("#/components/schemas/{name}")});
        }
        if self.inlining.contains(&t) {
            let name = self.anonymous_name(t);
            self.recursive.insert(t, name.clone());
            return json!({"$ref": format!("#/components/schemas/{name}")});
        }
        self.inlining.push(t);
        let s = self.inline(t);
        self.inlining.pop();
        match self.recursive.get(&t) {
            Some(name) => {
                self.components.insert(name.clone(), s);
                json!({"$ref": format!("#/components/schemas/{name}")})
            }
            None => s,
        }
    }

    /// The component name of an anonymous type that contains itself: the name of the element
    /// that declares it (`Element.type`), else the type's index.
    fn anonymous_name(&self, t: TypeId) -> String {
        let element = self
            .schema
            .elements
            .iter()
            .find(|e| e.type_id == t)
            .map(|e| clean(&e.name.local));
        match element {
            Some(local) => format!("{}.{local}.type", self.prefix),
            None => format!("{}.anonymous{}.type", self.prefix, t.0),
        }
    }

    /// Writes the components of the named types met so far (and of those they name).
    pub(super) fn finish(&mut self) {
        while let Some(t) = self.todo.pop() {
            let s = self.inline(t);
            let name = self.name(t);
            self.components.insert(name, s);
        }
    }

    /// A type's schema written out in place, a named type's too (for a request that changes it).
    pub(super) fn written_out(&mut self, t: TypeId) -> Value {
        self.inline(t)
    }

    /// A type's schema written out (never a `$ref` to itself).
    fn inline(&mut self, t: TypeId) -> Value {
        match &self.schema.ty(t).kind {
            TypeKind::Simple(st) => self.simple(st),
            TypeKind::Complex(_) if t == TypeId(0) => any_content(),
            TypeKind::Complex(ct) if ct.array_of.is_some() => {
                let item = ct.array_of.unwrap_or(TypeId(0));
                json!({"type": "array", "items": self.field_schema(item, false, true), "description": "a SOAP-encoded array"})
            }
            TypeKind::Complex(_) => self.complex(t),
        }
    }

    /// A complex type as an object (a list wrapper the mapping unwraps as an array).
    fn complex(&mut self, t: TypeId) -> Value {
        if let Some(list) = self.model.list(t) {
            return self.list(list);
        }
        let Some(info) = self.model.info(t) else {
            return json!({});
        };
        let mut props = Map::new();
        let mut required = Vec::new();
        for a in &info.attrs {
            let s = self.type_schema(a.type_id);
            props.insert(a.key.clone(), s);
            if a.required {
                required.push(json!(a.key));
            }
        }
        let mut choices = Vec::new();
        match &info.body {
            Body::Empty => {}
            Body::Text(st) => {
                let s = self.type_schema(*st);
                if info.attrs.is_empty() {
                    return s;
                }
                props.insert(TEXT_KEY.into(), s);
                required.push(json!(TEXT_KEY));
            }
            Body::Elements { .. } => {
                choices = info.choices.clone();
                self.element_fields(info, &mut props, &mut required);
            }
        }
        let derived: Vec<String> = derived_names(self.schema, t);
        if !derived.is_empty() {
            props.insert(TYPE_KEY.into(), json!({"type": "string", "enum": derived, "description": "the xsi:type, when it is a type derived from this one"}));
        }
        if info.mixed || info.own_wildcard {
            props.insert(XML_KEY.into(), json!({"type": "string", "description": "raw XML: what the wildcards (xs:any) hold, or the whole mixed content"}));
            if !info.mixed
                && matches!(&info.body, Body::Elements { particle, .. } if wildcard_required(particle))
            {
                required.push(json!(XML_KEY));
            }
        }
        if info.any_attribute {
            props.insert(ATTRS_KEY.into(), json!({"type": "object", "additionalProperties": {"type": "string"}, "description": "attributes the schema's xs:anyAttribute takes: {\"{namespace}name\": \"value\"}"}));
        }
        let mut s = json!({"type": "object", "properties": props, "additionalProperties": !derived.is_empty()});
        if !required.is_empty() {
            s["required"] = Value::Array(required);
        }
        if !choices.is_empty() {
            let all: Vec<Value> = choices
                .into_iter()
                .map(|keys: Vec<usize>| {
                    let Body::Elements { slots, .. } = &info.body else { unreachable!() };
                    json!({"oneOf": keys.iter().map(|&k| json!({"required": [slots[k].key]})).collect::<Vec<_>>()})
                })
                .collect();
            s["allOf"] = Value::Array(all);
        }
        self.as_extension(t, s)
    }

    /// A list wrapper shown as the array of its items (`unwrap_lists:`), with their bounds.
    fn list(&mut self, list: &ListItem) -> Value {
        let el = self.schema.element(list.element);
        let items = self.field_schema(el.type_id, false, el.nillable);
        let mut s = json!({"type": "array", "items": items});
        if list.particle.min > 0 {
            s["minItems"] = json!(list.particle.min);
        }
        if let MaxOccurs::Bounded(m) = list.particle.max {
            s["maxItems"] = json!(m);
        }
        s
    }

    /// The properties (and required keys) of a content model's slots.
    fn element_fields(
        &mut self,
        info: &TypeInfo,
        props: &mut Map<String, Value>,
        required: &mut Vec<Value>,
    ) {
        let Body::Elements { particle, slots } = &info.body else {
            return;
        };
        let mut bounds = HashMap::new();
        item_bounds(particle, false, info, &mut bounds);
        for (index, slot) in slots.iter().enumerate() {
            let mut s = match slot.group.as_deref() {
                Some(group) => json!({"type": "array", "items": self.choice_item(group)}),
                None => {
                    let el = self.schema.element(slot.element);
                    self.field_schema(el.type_id, slot.many, el.nillable)
                }
            };
            if let Some(Some((min, max))) = bounds.get(&index) {
                // An absent optional repeated element comes out as `[]`: only a required
                // one has a lower bound.
                if *min > 0 && info.required.contains(&index) {
                    s["minItems"] = json!(min);
                }
                if let MaxOccurs::Bounded(m) = max {
                    s["maxItems"] = json!(m);
                }
            }
            props.insert(slot.key.clone(), s);
        }
        for &i in &info.required {
            required.push(json!(slots[i].key));
        }
    }

    /// One occurrence of a repeated choice: an object with the fields of exactly one branch.
    fn choice_item(&mut self, group: &TypeInfo) -> Value {
        let (mut props, mut required) = (Map::new(), Vec::new());
        self.element_fields(group, &mut props, &mut required);
        let Body::Elements { slots, .. } = &group.body else {
            return json!({"type": "object"});
        };
        let count = group
            .branch
            .iter()
            .filter(|&&b| b != usize::MAX)
            .max()
            .map_or(0, |m| m + 1);
        // Each branch: its own keys only, and its required ones present.
        let branches: Vec<Value> = (0..count)
            .map(|b| {
                let own: Vec<usize> = (0..slots.len()).filter(|&i| group.branch.get(i) == Some(&b)).collect();
                let mut bp = Map::new();
                for &i in &own {
                    if let Some(v) = props.get(&slots[i].key) {
                        bp.insert(slots[i].key.clone(), v.clone());
                    }
                }
                let req: Vec<Value> = own
                    .iter()
                    .filter(|i| group.required.contains(i))
                    .map(|&i| json!(slots[i].key))
                    .collect();
                let mut o = json!({"type": "object", "properties": bp, "additionalProperties": false, "minProperties": 1});
                if !req.is_empty() {
                    o["required"] = Value::Array(req);
                }
                o
            })
            .chain(
                // A wildcard branch (one, however many wildcards): the element it matched, raw.
                crate::convert::model::has_wildcard(&group.body).then(|| json!({"type": "object", "properties": {XML_KEY: {"type": "string", "description": "raw XML: the one element the choice's wildcard (xs:any) matched"}}, "required": [XML_KEY], "additionalProperties": false})),
            )
            .collect();
        json!({"oneOf": branches})
    }

    /// An extension of a named complex type: `allOf: [$ref base, own fields]`, closed with
    /// `unevaluatedProperties` (the base stays open: it has derived types).
    fn as_extension(&mut self, t: TypeId, full: Value) -> Value {
        let ty = self.schema.ty(t);
        let (TypeKind::Complex(ct), Some(base)) = (&ty.kind, ty.base) else {
            return full;
        };
        let base_named = self
            .schema
            .ty(base)
            .name
            .as_ref()
            .is_some_and(|q| q.ns != XS);
        if ct.derivation != Derivation::Extension
            || !base_named
            || !matches!(self.schema.ty(base).kind, TypeKind::Complex(_))
        {
            return full;
        }
        let Some(base_info) = self.model.info(base) else {
            return full;
        };
        let mut base_keys: HashSet<String> =
            base_info.attrs.iter().map(|a| a.key.clone()).collect();
        match &base_info.body {
            Body::Elements { slots, .. } => base_keys.extend(slots.iter().map(|s| s.key.clone())),
            Body::Text(_) => {
                base_keys.insert(TEXT_KEY.to_string());
            }
            Body::Empty => {}
        }
        base_keys.insert(TYPE_KEY.to_string());
        let mut own = full.clone();
        if let Some(props) = own.get_mut("properties").and_then(Value::as_object_mut) {
            props.retain(|k, _| !base_keys.contains(k));
        }
        if let Some(req) = own.get_mut("required").and_then(Value::as_array_mut) {
            req.retain(|k| !k.as_str().is_some_and(|k| base_keys.contains(k)));
            if req.is_empty() {
                own.as_object_mut().map(|o| o.remove("required"));
            }
        }
        let open = full
            .get("additionalProperties")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if let Some(o) = own.as_object_mut() {
            o.remove("additionalProperties");
        }
        let base_ref = self.type_schema(base);
        json!({"allOf": [base_ref, own], "unevaluatedProperties": open})
    }
}

/// `anyType` content: a scalar (the text), or raw XML under `$xml` (`{}`: no content).
fn any_content() -> Value {
    json!({
        "description": "any content: a scalar (the text), or {\"$xml\": \"<raw/>\"} ({} for none)",
        "oneOf": [
            {"type": ["string", "number", "boolean"]},
            {"type": "object", "properties": {XML_KEY: {"type": "string", "description": "the content as raw XML"}}, "additionalProperties": false}
        ]
    })
}

/// A name made safe for a component name (`^[a-zA-Z0-9._-]+$`).
fn clean(local: &str) -> String {
    local
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// minItems/maxItems of repeated elements, when the repetition is the element's own (not a
/// repeated group's) and the slot appears once; `None` when it cannot be said.
fn item_bounds(
    p: &Particle,
    in_many: bool,
    info: &TypeInfo,
    out: &mut HashMap<usize, Option<(u32, MaxOccurs)>>,
) {
    if crate::convert::model::is_group_choice(p, in_many) {
        if let Some(&i) =
            crate::convert::model::first_element(p).and_then(|e| info.group_of.get(&e))
        {
            let v = (!in_many).then_some((p.min, p.max));
            out.entry(i).and_modify(|x| *x = None).or_insert(v);
        }
        return;
    }
    match &p.term {
        Term::Element(e) => {
            if let Some(&i) = info.by_element.get(e) {
                let v = (!in_many && p.max.is_many()).then_some((p.min, p.max));
                out.entry(i).and_modify(|x| *x = None).or_insert(v);
            }
        }
        Term::Sequence(ps) | Term::All(ps) | Term::Choice(ps) => {
            let in_many = in_many || p.max.is_many();
            ps.iter().for_each(|c| item_bounds(c, in_many, info, out));
        }
        Term::Any(_) => {}
    }
}

/// The names of the types derived from `t`, at any depth (at most about 500), sorted.
fn derived_names(schema: &Schema, t: TypeId) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack: Vec<TypeId> = schema.derived.get(&t).cloned().unwrap_or_default();
    while let Some(d) = stack.pop() {
        if out.len() > 500 {
            break;
        }
        if let Some(q) = &schema.ty(d).name {
            out.push(q.local.to_string());
        }
        stack.extend(schema.derived.get(&d).into_iter().flatten().copied());
    }
    out.sort();
    out.dedup();
    out
}
