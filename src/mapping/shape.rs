//! What an operation takes and returns, as fields: the wrapper's child elements for
//! document/literal (wrapped or bare), the message parts for rpc. These are the names a mapping
//! binds (`request:` / `response:`) and the top-level keys of the JSON.

use crate::wsdl::*;
use crate::xsd::{Content, MaxOccurs, Particle, Schema, Term, TypeId, TypeKind};

/// One top-level input or output value.
#[derive(Debug, Clone)]
pub struct Field {
    /// The XML local name (element, attribute or part name).
    pub name: String,
    pub type_id: TypeId,
    pub min: u32,
    pub max: MaxOccurs,
    pub nillable: bool,
    pub attribute: bool,
}

impl Field {
    /// A single value of a simple type: can travel in a path segment, query parameter or header.
    pub fn is_simple(&self, schema: &Schema) -> bool {
        !self.max.is_many() && matches!(schema.ty(self.type_id).kind, TypeKind::Simple(_))
    }
}

/// How one direction of an operation is carried.
#[derive(Debug, Clone)]
pub struct Shape {
    pub fields: Vec<Field>,
}

/// The fields of a message as the binding carries it in the Body.
pub fn shape(wsdl: &Wsdl, style: Style, body: &BodyBinding, message: Option<usize>) -> Shape {
    let Some(m) = message else {
        return Shape { fields: Vec::new() };
    };
    let parts = body_parts(wsdl, body, m);
    let schema = &wsdl.schema;
    if style == Style::Document
        && let [part] = parts.as_slice()
        && let PartKind::Element(e) = part.kind
    {
        let el = schema.element(e);
        return match &schema.ty(el.type_id).kind {
            TypeKind::Complex(ct) => {
                let mut fields: Vec<Field> = ct
                    .attributes
                    .iter()
                    .map(|a| Field {
                        name: a.name.local.to_string(),
                        type_id: a.type_id,
                        min: a.required as u32,
                        max: MaxOccurs::Bounded(1),
                        nillable: false,
                        attribute: true,
                    })
                    .collect();
                if let Content::Elements(p) = &ct.content {
                    flatten(schema, p, 1, false, &mut fields);
                }
                Shape { fields }
            }
            TypeKind::Simple(_) => Shape {
                fields: vec![Field {
                    name: el.name.local.to_string(),
                    type_id: el.type_id,
                    min: 1,
                    max: MaxOccurs::Bounded(1),
                    nillable: el.nillable,
                    attribute: false,
                }],
            },
        };
    }
    let fields = parts
        .iter()
        .map(|p| {
            let (type_id, nillable) = match p.kind {
                PartKind::Element(e) => (schema.element(e).type_id, schema.element(e).nillable),
                PartKind::Type(t) => (t, false),
            };
            Field {
                name: p.name.clone(),
                type_id,
                min: 1,
                max: MaxOccurs::Bounded(1),
                nillable,
                attribute: false,
            }
        })
        .collect();
    Shape { fields }
}

/// The parts of message `m` the binding carries in the Body (`soap:body/@parts`, or all those
/// not bound to a `soap:header`).
pub fn body_parts<'w>(wsdl: &'w Wsdl, body: &BodyBinding, m: usize) -> Vec<&'w Part> {
    wsdl.messages[m]
        .parts
        .iter()
        .filter(|p| match &body.parts {
            Some(list) => list.contains(&p.name),
            None => !body
                .headers
                .iter()
                .any(|h| h.message == m && h.part == p.name),
        })
        .collect()
}

/// The top-level fields of a value of type `t`: its attributes and child elements (none for a
/// simple type or simple content).
pub fn type_fields(schema: &Schema, t: TypeId) -> Vec<Field> {
    let TypeKind::Complex(ct) = &schema.ty(t).kind else {
        return Vec::new();
    };
    let mut fields: Vec<Field> = ct
        .attributes
        .iter()
        .map(|a| Field {
            name: a.name.local.to_string(),
            type_id: a.type_id,
            min: a.required as u32,
            max: MaxOccurs::Bounded(1),
            nillable: false,
            attribute: true,
        })
        .collect();
    if let Content::Elements(p) = &ct.content {
        flatten(schema, p, 1, false, &mut fields);
    }
    fields
}

/// The fields of a header element: its attributes and top-level child elements (and `value`, the
/// text of simple content); for an element of simple type, one field named after the element.
pub fn element_fields(schema: &Schema, e: crate::xsd::ElementId) -> Vec<Field> {
    let el = schema.element(e);
    match &schema.ty(el.type_id).kind {
        TypeKind::Complex(ct) => {
            let mut fields: Vec<Field> = ct
                .attributes
                .iter()
                .map(|a| Field {
                    name: a.name.local.to_string(),
                    type_id: a.type_id,
                    min: a.required as u32,
                    max: MaxOccurs::Bounded(1),
                    nillable: false,
                    attribute: true,
                })
                .collect();
            match &ct.content {
                Content::Elements(p) => flatten(schema, p, 1, false, &mut fields),
                Content::Simple(t) => fields.push(Field {
                    name: crate::mapping::naming::TEXT_KEY.to_string(),
                    type_id: *t,
                    min: 1,
                    max: MaxOccurs::Bounded(1),
                    nillable: false,
                    attribute: false,
                }),
                Content::Empty => {}
            }
            fields
        }
        TypeKind::Simple(_) => vec![Field {
            name: el.name.local.to_string(),
            type_id: el.type_id,
            min: 1,
            max: MaxOccurs::Bounded(1),
            nillable: el.nillable,
            attribute: false,
        }],
    }
}

/// Top-level elements of a content model. Elements under a repeated group are arrays; under a
/// choice or an optional group, optional.
fn flatten(schema: &Schema, p: &Particle, min: u32, many: bool, out: &mut Vec<Field>) {
    let min = min.min(p.min);
    let many = many || p.max.is_many();
    match &p.term {
        Term::Element(e) => {
            let el = schema.element(*e);
            if out.iter().any(|f| f.name == el.name.local && !f.attribute) {
                return;
            }
            out.push(Field {
                name: el.name.local.to_string(),
                type_id: el.type_id,
                min,
                max: if many {
                    MaxOccurs::Unbounded
                } else {
                    MaxOccurs::Bounded(1)
                },
                nillable: el.nillable,
                attribute: false,
            });
        }
        Term::Sequence(ps) | Term::All(ps) => {
            ps.iter().for_each(|c| flatten(schema, c, min, many, out))
        }
        Term::Choice(ps) => {
            let min = if ps.len() > 1 { 0 } else { min };
            ps.iter().for_each(|c| flatten(schema, c, min, many, out));
        }
        Term::Any(_) => {}
    }
}
