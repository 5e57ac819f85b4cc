//! What validation compiles once per schema ([`Prepared`]: content-model automata and their flat
//! forms, facet values, text-check plans, ID kinds, cyclic types) and the [`Validator`] that
//! holds it beside its schema.

use std::collections::HashSet;
use std::sync::Arc;

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
    pub(super) models: Vec<Option<Result<Automaton, ModelError>>>,
    /// Per type: its content model when it is a deterministic flat sequence ([`Flat`]).
    pub(super) flat: Vec<Option<Flat>>,
    /// The namespaces of the flat sequences' particles.
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
    pub(super) plans: Vec<fast::Plan>,
    /// Per element declaration: its simple type, when a child without attributes that it
    /// matches can be checked by its text alone (not abstract, no fixed or default value, no
    /// identity constraints in the schema).
    pub(super) leaf_type: Vec<Option<TypeId>>,
}

impl<'s> Validator<'s> {
    /// Compiles every content model and facet value of `schema`.
    pub fn new(schema: &'s Schema) -> Validator<'s> {
        let models: Vec<Option<Result<Automaton, ModelError>>> = schema
            .types
            .iter()
            .map(|t| match &t.kind {
                TypeKind::Complex(ComplexType {
                    content: Content::Elements(p),
                    ..
                }) => Some(Automaton::new(p)),
                _ => None,
            })
            .collect();
        let has_identity = schema.elements.iter().any(|e| !e.identity.is_empty());
        let leaf_type = leaf_types(schema, has_identity);
        let mut namespaces = Vec::new();
        let flat = models
            .iter()
            .map(|m| match m {
                Some(Ok(m)) => Flat::new(schema, m, &mut namespaces, &leaf_type),
                _ => None,
            })
            .collect();
        let mut v = Validator {
            schema,
            c: Arc::new(Prepared {
                models,
                flat,
                namespaces,
                facets: (0..schema.types.len()).map(|_| None).collect(),
                id_kind: id_kinds(schema),
                has_identity,
                cyclic: cyclic_simple_types(schema),
                plans: Vec::new(),
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
        let plans = (0..schema.types.len())
            .map(|i| match &schema.types[i].kind {
                TypeKind::Simple(st) if !v.c.cyclic[i] => fast::Plan::new(
                    st,
                    v.builtin_name(st),
                    v.c.id_kind[i] != 0,
                    v.c.facets[i].as_deref(),
                ),
                _ => fast::Plan::General,
            })
            .collect();
        if let Some(c) = Arc::get_mut(&mut v.c) {
            c.plans = plans;
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
            (simple && !d.is_abstract && d.fixed.is_none() && d.default.is_none() && !has_identity)
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
