//! What validation compiles once per schema ([`Prepared`]: content-model automata and their flat
//! forms, facet values, text-check plans, ID kinds, cyclic types) and the [`Validator`] that
//! holds it beside its schema.

use std::collections::HashSet;
use std::sync::{Arc, OnceLock};

use super::automaton::Automaton;
use super::context::Ctx;
use super::error::ModelError;
use super::facet_values::FacetValues;
use super::fast;
use super::flat::Flat;
use crate::xsd::model::*;

/// A schema compiled for validation.
pub struct Validator<'s> {
    pub(super) schema: &'s Schema,
    pub(super) c: Arc<Prepared>,
}

/// What validation compiles once per schema: content-model automata, facet values. Owned (and
/// shared), so a service keeps it beside its schema and makes a [`Validator`] per answer for free.
#[derive(Debug)]
pub struct Prepared {
    /// Per type: its content model, compiled the first time an instance of the type is checked
    /// ([`Validator::content_model`]): a service holds the automata of the types its answers
    /// hold, not of every type its WSDL imports.
    pub(super) content: Box<[OnceLock<Option<Box<ContentModel>>>]>,
    /// The namespaces of the schema's element declarations (those of the flat sequences'
    /// particles among them), in the order first declared.
    pub(super) namespaces: Vec<String>,
    /// Boxed: most types have none, and an entry is as large as the values.
    pub(super) facets: Vec<Option<Box<FacetValues>>>,
    /// Per type: 1 when it derives from xs:ID, 2 from xs:IDREF, else 0.
    pub(super) id_kind: Vec<u8>,
    /// Some element declaration has identity constraints: node types are recorded.
    pub(super) has_identity: bool,
    /// Per type: a list or union that reaches itself through its item or member types (a
    /// broken schema); its values are refused instead of recursing forever.
    pub(super) cyclic: Vec<bool>,
    /// Per type: how its text is checked when the value is not needed.
    /// Built the first time a text of the type is checked ([`Validator::plan`]).
    /// Boxed: a cell is then two words for every type, the plans of types never checked cost
    /// nothing more.
    pub(super) plans: Box<[OnceLock<Box<fast::Plan>>]>,
    /// Per element declaration: its simple type, when a child without attributes that it
    /// matches can be checked by its text alone (not abstract, no fixed or default value, no
    /// identity constraints in the schema).
    pub(super) leaf_type: Vec<Option<TypeId>>,
}

/// A complex type's content model compiled for validation.
#[derive(Debug)]
pub(super) struct ContentModel {
    pub(super) automaton: Result<Automaton, ModelError>,
    /// The model as a deterministic flat sequence or choice ([`Flat`]), when it is one.
    pub(super) flat: Option<Flat>,
}

impl<'s> Validator<'s> {
    /// Compiles the facet values of `schema` (content models and text-check plans are compiled
    /// when first needed: [`Validator::content_model`], [`Validator::plan`]).
    pub fn new(schema: &'s Schema) -> Validator<'s> {
        let has_identity = schema.elements.iter().any(|e| !e.identity().is_empty());
        let leaf_type = leaf_types(schema, has_identity);
        let mut namespaces: Vec<String> = Vec::new();
        for e in &schema.elements {
            if !namespaces.iter().any(|n| *n == e.name.ns) {
                namespaces.push(e.name.ns.to_string());
            }
        }
        let mut v = Validator {
            schema,
            c: Arc::new(Prepared {
                content: (0..schema.types.len()).map(|_| OnceLock::new()).collect(),
                namespaces,
                facets: (0..schema.types.len()).map(|_| None).collect(),
                id_kind: id_kinds(schema),
                has_identity,
                cyclic: cyclic_simple_types(schema),
                plans: (0..schema.types.len()).map(|_| OnceLock::new()).collect(),
                leaf_type,
            }),
        };
        // Twice: facet values of a type are read in its base type, which may come later.
        for _ in 0..2 {
            for i in 0..schema.types.len() {
                let f = v.facet_values(TypeId(i as u32));
                if let Some(c) = Arc::get_mut(&mut v.c) {
                    c.facets[i] = f.map(Box::new);
                }
            }
        }
        v
    }

    /// A validator for `schema` from what [`Validator::prepared`] kept (nothing is recompiled).
    /// `prepared` must come from the same schema.
    pub fn with(schema: &'s Schema, prepared: Arc<Prepared>) -> Validator<'s> {
        Validator {
            schema,
            c: prepared,
        }
    }

    /// The content model of type `t` compiled for validation (now, if it is the first time);
    /// `None` when `t` has no element content.
    pub(super) fn content_model(&self, t: TypeId) -> Option<&ContentModel> {
        self.c
            .content
            .get(t.0 as usize)?
            .get_or_init(|| {
                let TypeKind::Complex(ComplexType {
                    content: Content::Elements(p),
                    ..
                }) = &self.schema.ty(t).kind
                else {
                    return None;
                };
                let automaton = Automaton::new(p);
                let flat = automaton
                    .as_ref()
                    .ok()
                    .and_then(|m| Flat::new(self.schema, m, &self.c.namespaces, &self.c.leaf_type));
                Some(Box::new(ContentModel { automaton, flat }))
            })
            .as_deref()
    }

    /// How a text of type `t` is checked when its value is not needed (built now, if it is the
    /// first time).
    #[inline]
    pub(super) fn plan(&self, t: TypeId) -> &fast::Plan {
        let i = t.0 as usize;
        self.c.plans[i].get_or_init(|| {
            Box::new(match &self.schema.types[i].kind {
                TypeKind::Simple(st) if !self.c.cyclic[i] => fast::Plan::new(
                    st,
                    self.builtin_name(st),
                    self.c.id_kind[i] != 0,
                    self.c.facets[i].as_deref(),
                ),
                _ => fast::Plan::General,
            })
        })
    }

    /// What this validator compiled, to keep.
    pub fn prepared(&self) -> Arc<Prepared> {
        self.c.clone()
    }

    pub fn schema(&self) -> &'s Schema {
        self.schema
    }

    /// The enumeration and range facets of type `t` as values; an enumeration value is read as
    /// a value of the base type (with the facet values the base type has so far).
    fn facet_values(&self, t: TypeId) -> Option<FacetValues> {
        let ty = self.schema.ty(t);
        let TypeKind::Simple(st) = &ty.kind else {
            return None;
        };
        let none = |_: Option<&str>| None;
        let base = ty.base.unwrap_or(t);
        FacetValues::new(st, self.builtin_name(st), |e| {
            let mut ctx = Ctx::new();
            self.simple_value(base, e, &none, None, &mut ctx).ok()
        })
    }

    /// The local name of the built-in type `st` derives from.
    pub(super) fn builtin_name(&self, st: &SimpleType) -> &'s str {
        self.schema
            .ty(st.base_builtin)
            .name
            .as_ref()
            .map_or("anySimpleType", |q| q.local.as_str())
    }
}

/// Per type: 1 when it derives from xs:ID, 2 from xs:IDREF, else 0.
fn id_kinds(schema: &Schema) -> Vec<u8> {
    let (id, idref) = (schema.builtin("ID"), schema.builtin("IDREF"));
    (0..schema.types.len())
        .map(|i| {
            let t = TypeId(i as u32);
            if id.is_some_and(|id| schema.derives_from(t, id)) {
                1
            } else if idref.is_some_and(|r| schema.derives_from(t, r)) {
                2
            } else {
                0
            }
        })
        .collect()
}

/// Per element declaration: its simple type when a child it matches can be checked by its text
/// alone ([`Prepared::leaf_type`]).
fn leaf_types(schema: &Schema, has_identity: bool) -> Vec<Option<TypeId>> {
    schema
        .elements
        .iter()
        .map(|d| {
            let simple = matches!(schema.ty(d.type_id).kind, TypeKind::Simple(_));
            (simple
                && !d.is_abstract
                && d.fixed_value().is_none()
                && d.default_value().is_none()
                && !has_identity)
                .then_some(d.type_id)
        })
        .collect()
}

/// Marks the simple types from which a list item or union member chain leads back to the
/// type itself (iteratively: no recursion on hostile schemas).
fn cyclic_simple_types(schema: &Schema) -> Vec<bool> {
    let edges = |t: usize| -> Vec<usize> {
        match &schema.types[t].kind {
            TypeKind::Simple(SimpleType {
                variety: Variety::List(i),
                ..
            }) => vec![i.0 as usize],
            TypeKind::Simple(SimpleType {
                variety: Variety::Union(m),
                ..
            }) => m.iter().map(|x| x.0 as usize).collect(),
            _ => Vec::new(),
        }
    };
    let n = schema.types.len();
    (0..n)
        .map(|start| {
            let mut stack = edges(start);
            let mut seen = HashSet::new();
            while let Some(t) = stack.pop() {
                if t == start {
                    return true;
                }
                if t < n && seen.insert(t) {
                    stack.extend(edges(t));
                }
            }
            false
        })
        .collect()
}
