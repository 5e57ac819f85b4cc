//! The JSON view of the compiled schema, built once per mapping at start-up: for every complex
//! type, its JSON keys (after the mapping's naming rule) for attributes, child elements and text,
//! and a lookup from XML names to those keys. Per request nothing is looked up by name twice.

use std::collections::HashMap;
use std::sync::Arc;

use crate::mapping::naming::{Naming, json_keys};
use crate::xsd::*;

/// The JSON key under which an element's text goes when the element also has attributes.
pub const TEXT_KEY: &str = "value";
/// The JSON key naming the actual type under `xsi:type` polymorphism.
pub const TYPE_KEY: &str = "$type";
/// The JSON key of raw XML passthrough (`xs:any`, `anyType`).
pub const XML_KEY: &str = "$xml";

/// One attribute of a complex type.
#[derive(Debug)]
pub struct AttrInfo {
    pub key: String,
    pub name: QName,
    pub type_id: TypeId,
    pub required: bool,
    pub fixed: Option<String>,
    /// The value an absent attribute has (`default`, or `fixed`).
    pub default: Option<String>,
}

/// One child element name of a complex type (several particles with the same local name share it).
#[derive(Debug)]
pub struct Slot {
    pub key: String,
    /// The declared element (the head, for a substitution group).
    pub element: ElementId,
    /// Repeated: always a JSON array.
    pub many: bool,
    /// Inside a choice: `[]` is not written for it when absent.
    pub in_choice: bool,
}

/// What a complex type holds.
#[derive(Debug)]
pub enum Body {
    Empty,
    /// simpleContent of this simple type.
    Text(TypeId),
    /// A content model; slots in first-appearance order.
    Elements {
        particle: Particle,
        slots: Vec<Slot>,
    },
}

/// The JSON view of one complex type.
#[derive(Debug)]
pub struct TypeInfo {
    pub attrs: Vec<AttrInfo>,
    pub body: Body,
    pub mixed: bool,
    pub any_attribute: bool,
    /// (namespace, local) of every element the content may hold (substitutes included) -> slot.
    /// Keyed by local name (looked up with the `&str` from the parser, no allocation):
    /// (namespace, slot, the element declared under that name: the head or a substitute).
    pub by_name: HashMap<String, Vec<(String, usize, ElementId)>>,
    /// Element id -> slot, for writing in schema order.
    pub by_element: HashMap<ElementId, usize>,
    /// Slots that must be present (required all along their path, outside choices).
    pub required: Vec<usize>,
    /// The slots of each required choice whose branches are single elements: exactly one of
    /// each group must be present.
    pub choices: Vec<Vec<usize>>,
}

/// The JSON view of a whole schema, under one naming rule.
#[derive(Debug)]
pub struct Model {
    pub schema_types: usize,
    pub naming: Naming,
    infos: HashMap<TypeId, Arc<TypeInfo>>,
    /// Namespace -> prefix index (`ns0`, `ns1`, ...), in a deterministic order.
    pub namespaces: HashMap<String, usize>,
    pub prefixes: Vec<String>,
    pub namespace_uris: Vec<String>,
}

impl Model {
    /// Builds the view of every complex type in the schema.
    pub fn new(schema: &Schema, naming: Naming) -> Model {
        let mut infos = HashMap::new();
        for (i, t) in schema.types.iter().enumerate() {
            if let TypeKind::Complex(ct) = &t.kind {
                infos.insert(TypeId(i as u32), Arc::new(type_info(schema, ct, naming)));
            }
        }
        let mut uris: Vec<String> = schema
            .elements
            .iter()
            .map(|e| e.name.ns.clone())
            .chain(
                schema
                    .types
                    .iter()
                    .filter_map(|t| t.name.as_ref().map(|q| q.ns.clone())),
            )
            .chain(
                infos
                    .values()
                    .flat_map(|i| i.attrs.iter().map(|a| a.name.ns.clone())),
            )
            .filter(|ns| !ns.is_empty())
            .collect();
        uris.sort();
        uris.dedup();
        let namespaces = uris
            .iter()
            .enumerate()
            .map(|(i, u)| (u.clone(), i))
            .collect();
        // The XML namespace (`xml:lang`) keeps its own prefix, which is never declared.
        let prefixes = uris
            .iter()
            .enumerate()
            .map(|(i, u)| {
                if u == crate::xsd::model::XML {
                    "xml".to_string()
                } else {
                    format!("ns{i}")
                }
            })
            .collect();
        Model {
            schema_types: schema.types.len(),
            naming,
            infos,
            namespaces,
            prefixes,
            namespace_uris: uris,
        }
    }

    pub fn info(&self, t: TypeId) -> Option<&TypeInfo> {
        self.infos.get(&t).map(|a| &**a)
    }
}

fn type_info(schema: &Schema, ct: &ComplexType, naming: Naming) -> TypeInfo {
    let mut elements: Vec<(ElementId, bool, bool)> = Vec::new();
    let body = match &ct.content {
        Content::Empty => Body::Empty,
        Content::Simple(t) => Body::Text(*t),
        Content::Elements(p) => {
            collect(p, false, false, &mut elements);
            Body::Elements {
                particle: p.clone(),
                slots: Vec::new(),
            }
        }
    };
    // One slot per distinct local name, in first-appearance order.
    let mut slot_elems: Vec<(ElementId, bool, bool)> = Vec::new();
    let mut slot_of: HashMap<ElementId, usize> = HashMap::new();
    for (e, many, in_choice) in &elements {
        let local = &schema.element(*e).name.local;
        match slot_elems
            .iter()
            .position(|(x, _, _)| schema.element(*x).name.local == *local)
        {
            Some(i) => {
                slot_elems[i].1 |= *many;
                slot_of.insert(*e, i);
            }
            None => {
                slot_of.insert(*e, slot_elems.len());
                slot_elems.push((*e, *many, *in_choice));
            }
        }
    }
    let names: Vec<(&str, bool)> = ct
        .attributes
        .iter()
        .map(|a| (a.name.local.as_str(), true))
        .chain(
            slot_elems
                .iter()
                .map(|(e, _, _)| (schema.element(*e).name.local.as_str(), false)),
        )
        .collect();
    let keys = json_keys(naming, &names);
    let attrs = ct
        .attributes
        .iter()
        .zip(&keys)
        .map(|(a, k)| AttrInfo {
            key: k.clone(),
            name: a.name.clone(),
            type_id: a.type_id,
            required: a.required,
            fixed: a.fixed.clone(),
            default: a.default.clone().or_else(|| a.fixed.clone()),
        })
        .collect();
    let slots: Vec<Slot> = slot_elems
        .iter()
        .zip(&keys[ct.attributes.len()..])
        .map(|((e, many, in_choice), k)| Slot {
            key: k.clone(),
            element: *e,
            many: *many,
            in_choice: *in_choice,
        })
        .collect();
    let mut by_name: HashMap<String, Vec<(String, usize, ElementId)>> = HashMap::new();
    let mut by_element = HashMap::new();
    let mut add = |q: &QName, slot: usize, e: ElementId| {
        let list = by_name.entry(q.local.clone()).or_default();
        if !list.iter().any(|(ns, _, _)| *ns == q.ns) {
            list.push((q.ns.clone(), slot, e));
        }
    };
    let mut ordered: Vec<(&ElementId, &usize)> = slot_of.iter().collect();
    ordered.sort();
    for (e, &slot) in ordered {
        by_element.insert(*e, slot);
        add(&schema.element(*e).name, slot, *e);
        for s in schema.substitutes.get(e).into_iter().flatten() {
            add(&schema.element(*s).name, slot, *s);
        }
    }
    let body = match body {
        Body::Elements { particle, .. } => Body::Elements { particle, slots },
        other => other,
    };
    let (mut required, mut choices) = (Vec::new(), Vec::new());
    if let Body::Elements { particle, .. } = &body {
        walk(particle, true, &by_element, &mut required, &mut choices);
    }
    required.sort();
    required.dedup();
    TypeInfo {
        required,
        choices,
        attrs,
        body,
        mixed: ct.mixed,
        any_attribute: ct.any_attribute.is_some(),
        by_name,
        by_element,
    }
}

fn collect(p: &Particle, many: bool, in_choice: bool, out: &mut Vec<(ElementId, bool, bool)>) {
    let many = many || p.max.is_many();
    match &p.term {
        Term::Element(e) => out.push((*e, many, in_choice)),
        Term::Sequence(ps) | Term::All(ps) => {
            ps.iter().for_each(|c| collect(c, many, in_choice, out))
        }
        Term::Choice(ps) => ps
            .iter()
            .for_each(|c| collect(c, many, in_choice || ps.len() > 1, out)),
        Term::Any(_) => {}
    }
}

/// Collects required slots and required single-element choices of a content model.
fn walk(
    p: &Particle,
    required: bool,
    slots: &HashMap<ElementId, usize>,
    out: &mut Vec<usize>,
    choices: &mut Vec<Vec<usize>>,
) {
    let required = required && p.min > 0;
    match &p.term {
        Term::Element(e) => {
            if let (true, Some(&i)) = (required, slots.get(e)) {
                out.push(i);
            }
        }
        Term::Sequence(ps) | Term::All(ps) => ps
            .iter()
            .for_each(|c| walk(c, required && !p.max.is_many(), slots, out, choices)),
        Term::Choice(ps) if ps.len() > 1 => {
            if required && !p.max.is_many() {
                let keys: Vec<usize> = ps
                    .iter()
                    .filter_map(|c| match &c.term {
                        // A branch that may be empty (minOccurs="0") lets the whole choice be
                        // empty: then no branch is required.
                        Term::Element(e) if !c.max.is_many() && c.min > 0 => slots.get(e).copied(),
                        _ => None,
                    })
                    .collect();
                if keys.len() == ps.len() {
                    choices.push(keys);
                }
            }
            ps.iter().for_each(|c| walk(c, false, slots, out, choices));
        }
        Term::Choice(ps) => ps
            .iter()
            .for_each(|c| walk(c, required, slots, out, choices)),
        Term::Any(_) => {}
    }
}
