//! Instance validation on `roxmltree` trees, in place, against a compiled [`Schema`].
//!
//! [`Validator::new`] compiles once what validation needs: each complex type's content model as
//! a counting automaton ([`automaton`]) and each simple type's enumeration and range facets as
//! values ([`value`]). [`Validator::validate_element`] then checks an element subtree (a SOAP Body
//! child) and [`Validator::validate_root`] a whole document, returning every violation with its
//! byte offset, an XPath-like path, the rule broken and a message.
//!
//! Checked: content models (sequence, choice, all, occurrences, wildcards with processContents,
//! substitution groups, abstract elements and types), attributes (required, prohibited, fixed,
//! anyAttribute), `xsi:type` (must derive from the declared type), `xsi:nil` (only when nillable,
//! then empty), element default and fixed values, simple types (whiteSpace, then the lexical space
//! of the built-in type, then facets compared by value), lists, unions, ID uniqueness and IDREF
//! targets, identity constraints (`unique`, `key`, `keyref`; [`identity`]).
//! Not done: schema-location hints in instances.

pub mod automaton;
mod fast;
pub mod identity;

use std::collections::HashSet;

use roxmltree::{Document, Node};

use self::automaton::{Automaton, Leaf, State};
use super::model::*;
use crate::xsd::value::{self, Dec, Value, normalize};

/// How deeply instance elements may nest under the validated element.
pub const MAX_DEPTH: usize = 256;
/// Violations reported for one document before the validator stops listing them.
pub const MAX_VIOLATIONS: usize = 1000;

/// One violation of the schema by the instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Byte offset of the element or attribute in the document text.
    pub offset: usize,
    /// `/Envelope/Body/GetCustomerResponse/customer[2]/id` (`/@name` for an attribute).
    pub path: String,
    /// A short name of the rule broken (`content`, `attribute`, `value`, `nil`, `type`, ...).
    pub rule: &'static str,
    pub message: String,
}

/// Enumeration and range facets of one simple type, parsed into values once.
#[derive(Debug, Default)]
struct FacetValues {
    /// For integer types without enumeration: the bounds as an inclusive i64 range, when
    /// they fit (the fast path of [`Validator::simple_check`]).
    i64_range: Option<(i64, i64)>,
    enumeration: Vec<Value>,
    min_inclusive: Option<Value>,
    max_inclusive: Option<Value>,
    min_exclusive: Option<Value>,
    max_exclusive: Option<Value>,
}

/// A schema compiled for validation.
pub struct Validator<'s> {
    schema: &'s Schema,
    c: std::sync::Arc<Prepared>,
}

/// What validation compiles once per schema: content-model automata, facet values. Owned (and
/// shared), so a service keeps it beside its schema and makes a [`Validator`] per answer for free.
#[derive(Debug)]
pub struct Prepared {
    models: Vec<Option<Result<Automaton, String>>>,
    /// Per type: its content model when it is a deterministic flat sequence ([`Flat`]).
    flat: Vec<Option<Flat>>,
    /// The namespaces of the flat sequences' particles.
    namespaces: Vec<String>,
    facets: Vec<Option<FacetValues>>,
    /// Per type: 1 when it derives from xs:ID, 2 from xs:IDREF, else 0.
    id_kind: Vec<u8>,
    /// Some element declaration has identity constraints: node types are recorded.
    has_identity: bool,
    /// Per type: a list or union that reaches itself through its item or member types (a
    /// broken schema); its values are refused instead of recursing forever.
    cyclic: Vec<bool>,
    /// Per type: how its text is checked when the value is not needed.
    plans: Vec<fast::Plan>,
    /// Per element declaration: its simple type, when a child without attributes that it
    /// matches can be checked by its text alone (not abstract, no fixed or default value, no
    /// identity constraints in the schema).
    leaf_type: Vec<Option<TypeId>>,
}

/// A content model that is one sequence (or one choice) of element particles with pairwise
/// different names and no substitution groups: each child can match at most one particle, so
/// the automaton state is a position and a count, stepped without building states. Gives
/// exactly the states the general automaton would.
#[derive(Debug)]
struct Flat {
    /// The particles are the branches of a choice (one is taken), not a sequence.
    choice: bool,
    leaves: Vec<FlatLeaf>,
    /// Per position: every later particle may be absent.
    tail_nullable: Vec<bool>,
}

#[derive(Debug)]
struct FlatLeaf {
    node: u32,
    decl: ElementId,
    min: u32,
    max: u32,
    /// The namespace, as its index in [`Prepared::namespaces`].
    ns: u32,
    /// The declaration's simple type when a child can be checked by its text alone
    /// ([`Prepared::leaf_type`]), kept here beside the name the child matched.
    leaf: Option<TypeId>,
    local: String,
}

impl Flat {
    fn new(
        schema: &Schema,
        m: &Automaton,
        namespaces: &mut Vec<String>,
        leaf_type: &[Option<TypeId>],
    ) -> Option<Flat> {
        let (leaves, choice) = match m.flat_sequence() {
            Some(l) => (l, false),
            None => (m.flat_choice()?, true),
        };
        let mut out: Vec<FlatLeaf> = Vec::with_capacity(leaves.len());
        for (node, decl, min, max) in leaves {
            let d = schema.element(decl);
            let substitutable = d.global
                && d.block & BLOCK_SUBSTITUTION == 0
                && schema.substitutes.get(&decl).is_some_and(|s| !s.is_empty());
            let ns = match namespaces.iter().position(|n| *n == d.name.ns) {
                Some(i) => i as u32,
                None => {
                    namespaces.push(d.name.ns.clone());
                    (namespaces.len() - 1) as u32
                }
            };
            if substitutable || out.iter().any(|l| l.local == d.name.local && l.ns == ns) {
                return None;
            }
            out.push(FlatLeaf {
                node,
                decl,
                min,
                max,
                ns,
                leaf: leaf_type[decl.0 as usize],
                local: d.name.local.clone(),
            });
        }
        let tail_nullable = (0..out.len())
            .map(|i| choice || out[i + 1..].iter().all(|l| l.min == 0))
            .collect();
        Some(Flat {
            choice,
            leaves: out,
            tail_nullable,
        })
    }

    /// The position after a child named (`ns`, `local`) from `at` (`None`: before the first
    /// child; else the position and its count), or `None` when it matches nothing. `ns` is
    /// the index of the child's namespace in [`Prepared::namespaces`].
    fn step(&self, at: Option<(u32, u32)>, ns: u32, local: &str) -> Option<(u32, u32)> {
        let is = |l: &FlatLeaf| l.max > 0 && l.ns == ns && same(&l.local, local);
        if self.choice {
            // The first child takes a branch; later ones can only repeat it.
            return match at {
                None => self.leaves.iter().position(is).map(|j| (j as u32, 1)),
                Some((i, c)) => {
                    let l = &self.leaves[i as usize];
                    (c < l.max && is(l)).then_some((i, c + 1))
                }
            };
        }
        let from = match at {
            None => 0,
            Some((i, c)) => {
                let l = &self.leaves[i as usize];
                if c < l.max && is(l) {
                    return Some((i, c + 1));
                }
                if c < l.min {
                    return None;
                }
                i as usize + 1
            }
        };
        for (j, l) in self.leaves.iter().enumerate().skip(from) {
            if is(l) {
                return Some((j as u32, 1));
            }
            if l.min > 0 {
                return None;
            }
        }
        None
    }

    fn state(&self, m: &Automaton, at: Option<(u32, u32)>) -> State {
        match at {
            None => State::new(),
            Some((i, c)) => m.flat_state(self.leaves[i as usize].node, i, c),
        }
    }
}

/// Per-document state: the violations found and the IDs seen.
struct Ctx<'a, 'i> {
    out: Vec<Violation>,
    ids: HashSet<String>,
    idrefs: Vec<(String, Node<'a, 'i>)>,
    /// Key and unique tables of the elements validated so far, for keyrefs above them.
    tables: Vec<identity::Table<'a, 'i>>,
    /// The simple type each element's text (attribute position `u32::MAX`) or attribute was
    /// validated with, when identity constraints need typed values.
    types: std::collections::HashMap<(roxmltree::NodeId, u32), TypeId>,
    /// Namespace names of the document by address and length (a document's elements share
    /// them), with their index in [`Prepared::namespaces`] (`u32::MAX`: none).
    namespaces: Vec<(usize, usize, u32)>,
    /// Buffers of the general automaton, kept for their allocations.
    buffers: Vec<Buffers>,
}

#[derive(Default)]
struct Buffers {
    states: Vec<State>,
    next: Vec<(State, Leaf)>,
    merged: Vec<State>,
    scratch: automaton::Scratch,
}

impl<'a, 'i> Ctx<'a, 'i> {
    fn new() -> Ctx<'a, 'i> {
        Ctx {
            out: Vec::new(),
            ids: HashSet::new(),
            idrefs: Vec::new(),
            tables: Vec::new(),
            types: std::collections::HashMap::new(),
            namespaces: Vec::new(),
            buffers: Vec::new(),
        }
    }

    /// The index of namespace name `ns` in `known`, or `u32::MAX`.
    fn namespace(&mut self, ns: &str, known: &[String]) -> u32 {
        let key = (ns.as_ptr() as usize, ns.len());
        if let Some(&(_, _, id)) = self.namespaces.iter().find(|(p, l, _)| (*p, *l) == key) {
            return id;
        }
        let id = known
            .iter()
            .position(|n| n == ns)
            .map_or(u32::MAX, |i| i as u32);
        if self.namespaces.len() < 16 {
            self.namespaces.push((key.0, key.1, id));
        }
        id
    }

    fn report(&mut self, node: Node, attr: Option<&str>, rule: &'static str, message: String) {
        if self.out.len() >= MAX_VIOLATIONS {
            return;
        }
        let mut path = path_of(node);
        let mut offset = node.range().start;
        if let Some(a) = attr {
            path.push_str("/@");
            path.push_str(a);
            if let Some(at) = node.attributes().find(|x| x.name() == a) {
                offset = at.range().start;
            }
        }
        self.out.push(Violation {
            offset,
            path,
            rule,
            message,
        });
    }
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

/// `/a/b[2]/c`: local names, with a position among same-named siblings when there are several.
pub fn path_of(node: Node) -> String {
    let mut parts = Vec::new();
    let mut cur = Some(node);
    while let Some(n) = cur {
        if n.is_element() {
            let name = n.tag_name();
            let same = |s: &Node| s.is_element() && s.tag_name() == name;
            let before = n.prev_siblings().skip(1).filter(same).count();
            let after = n.next_siblings().skip(1).filter(same).count();
            if before + after > 0 {
                parts.push(format!("{}[{}]", name.name(), before + 1));
            } else {
                parts.push(name.name().to_string());
            }
        }
        cur = n.parent();
    }
    parts.reverse();
    format!("/{}", parts.join("/"))
}

fn qname_of(node: &Node) -> QName {
    QName::new(
        node.tag_name().namespace().unwrap_or(""),
        node.tag_name().name(),
    )
}

fn show(q: &QName) -> String {
    if q.ns.is_empty() {
        format!("`{}`", q.local)
    } else {
        format!("`{}` (namespace `{}`)", q.local, q.ns)
    }
}

/// Whether a wildcard admits a namespace (`""` = no namespace).
pub fn ns_allowed(w: &Wildcard, ns: &str) -> bool {
    match &w.namespaces {
        NamespaceConstraint::Any => true,
        NamespaceConstraint::Not(tns) => !ns.is_empty() && ns != tns,
        NamespaceConstraint::List(l) => l.iter().any(|n| n == ns),
    }
}

fn is_true(s: &str) -> Option<bool> {
    match s.trim() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// The text content of an element (its text and CDATA children, concatenated).
fn text_of<'a>(node: Node<'a, '_>) -> std::borrow::Cow<'a, str> {
    let mut texts = node.children().filter(|c| c.is_text());
    match (texts.next(), texts.next()) {
        (None, _) => "".into(),
        (Some(t), None) => t.text().unwrap_or("").into(),
        _ => node
            .children()
            .filter(|c| c.is_text())
            .filter_map(|c| c.text())
            .collect::<String>()
            .into(),
    }
}

/// String equality for the short names and values validation compares all the time, without
/// a call into the C library's `memcmp` per comparison (which dominated the profile).
#[inline(always)]
pub(super) fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    let n = a.len();
    let word = |s: &[u8]| u64::from_ne_bytes(s.try_into().unwrap_or([0; 8]));
    while n - i >= 8 {
        if word(&a[i..i + 8]) != word(&b[i..i + 8]) {
            return false;
        }
        i += 8;
    }
    if n - i >= 4 {
        let half = |s: &[u8]| u32::from_ne_bytes(s.try_into().unwrap_or([0; 4]));
        if half(&a[i..i + 4]) != half(&b[i..i + 4]) {
            return false;
        }
        i += 4;
    }
    if n - i >= 2 {
        if a[i..i + 2] != b[i..i + 2] {
            return false;
        }
        i += 2;
    }
    i == n || a[i] == b[i]
}

/// The text of an element whose only child is one text node (`""` without children); `None`
/// for anything else (child elements, comments, several text nodes).
#[inline]
fn lone_text<'a>(node: Node<'a, '_>) -> Option<&'a str> {
    let mut children = node.children();
    match (children.next(), children.next()) {
        (None, _) => Some(""),
        (Some(t), None) if t.is_text() => t.text(),
        _ => None,
    }
}

fn resolver<'n>(node: Node<'n, 'n>) -> impl Fn(Option<&str>) -> Option<String> + 'n {
    move |prefix| match prefix {
        Some("xml") => Some(XML.to_string()),
        p => node.lookup_namespace_uri(p).map(str::to_string),
    }
}

impl<'s> Validator<'s> {
    /// Compiles every content model and facet value of `schema`.
    pub fn new(schema: &'s Schema) -> Validator<'s> {
        let (id, idref) = (schema.builtin("ID"), schema.builtin("IDREF"));
        let id_kind = (0..schema.types.len())
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
            .collect();
        let models: Vec<Option<Result<Automaton, String>>> = schema
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
        let leaf_type: Vec<Option<TypeId>> = schema
            .elements
            .iter()
            .map(|d| {
                let simple = matches!(schema.ty(d.type_id).kind, TypeKind::Simple(_));
                (simple
                    && !d.is_abstract
                    && d.fixed.is_none()
                    && d.default.is_none()
                    && !has_identity)
                    .then_some(d.type_id)
            })
            .collect();
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
            c: std::sync::Arc::new(Prepared {
                models,
                flat,
                namespaces,
                facets: (0..schema.types.len()).map(|_| None).collect(),
                id_kind,
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
                if let Some(c) = std::sync::Arc::get_mut(&mut v.c) {
                    c.facets[i] = f;
                }
            }
        }
        let plans = (0..schema.types.len())
            .map(|i| match &schema.types[i].kind {
                TypeKind::Simple(st) if !v.c.cyclic[i] => fast::Plan::new(
                    st,
                    v.builtin_name(st),
                    v.c.id_kind[i] != 0,
                    v.c.facets[i].as_ref(),
                ),
                _ => fast::Plan::General,
            })
            .collect();
        if let Some(c) = std::sync::Arc::get_mut(&mut v.c) {
            c.plans = plans;
        }
        v
    }

    /// A validator for `schema` from what [`Validator::prepared`] kept (nothing is recompiled).
    /// `prepared` must come from the same schema.
    pub fn with(schema: &'s Schema, prepared: std::sync::Arc<Prepared>) -> Validator<'s> {
        Validator {
            schema,
            c: prepared,
        }
    }

    /// What this validator compiled, to keep.
    pub fn prepared(&self) -> std::sync::Arc<Prepared> {
        self.c.clone()
    }

    pub fn schema(&self) -> &'s Schema {
        self.schema
    }

    fn facet_values(&self, t: TypeId) -> Option<FacetValues> {
        let ty = self.schema.ty(t);
        let TypeKind::Simple(st) = &ty.kind else {
            return None;
        };
        let f = &st.facets;
        if f.enumeration.is_empty()
            && f.min_inclusive.is_none()
            && f.max_inclusive.is_none()
            && f.min_exclusive.is_none()
            && f.max_exclusive.is_none()
        {
            return None;
        }
        let none = |_: Option<&str>| None;
        let base = ty.base.unwrap_or(t);
        let enumeration = f
            .enumeration
            .iter()
            .filter_map(|e| {
                if matches!(st.primitive, Primitive::QName | Primitive::Notation) {
                    return Some(Value::Str(e.trim().to_string()));
                }
                let mut ctx = Ctx::new();
                self.simple_value(base, e, &none, None, &mut ctx)
                    .ok()
                    .or_else(|| self.lexical_value(st, e))
            })
            .collect();
        let bound = |b: &Option<String>| b.as_deref().and_then(|s| self.lexical_value(st, s));
        let i64_range = (st.primitive == Primitive::Decimal
            && value::is_integer_builtin(self.builtin_name(st))
            && f.enumeration.is_empty())
        .then(|| {
            let int = |b: &Option<String>, delta: i64| -> Option<Option<i64>> {
                match b {
                    None => Some(None),
                    Some(v) => value::small_integer(v.trim())
                        .and_then(|(n, _)| n.checked_add(delta))
                        .map(Some),
                }
            };
            let lo = [int(&f.min_inclusive, 0)?, int(&f.min_exclusive, 1)?]
                .into_iter()
                .flatten()
                .max()
                .unwrap_or(i64::MIN);
            let hi = [int(&f.max_inclusive, 0)?, int(&f.max_exclusive, -1)?]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(i64::MAX);
            Some((lo, hi))
        })
        .flatten();
        Some(FacetValues {
            i64_range,
            enumeration,
            min_inclusive: bound(&f.min_inclusive),
            max_inclusive: bound(&f.max_inclusive),
            min_exclusive: bound(&f.min_exclusive),
            max_exclusive: bound(&f.max_exclusive),
        })
    }

    /// A facet value read by the primitive's lexical rules only.
    fn lexical_value(&self, st: &SimpleType, s: &str) -> Option<Value> {
        let name = self.builtin_name(st);
        let s = normalize(s, Some(WhiteSpace::Collapse));
        value::parse(st.primitive, name, &s, &|_| None).ok()
    }

    fn builtin_name(&self, st: &SimpleType) -> &'s str {
        self.schema
            .ty(st.base_builtin)
            .name
            .as_ref()
            .map_or("anySimpleType", |q| q.local.as_str())
    }

    /// Validates a whole document from its root element, found among the global elements by
    /// name (or typed by the root's `xsi:type`).
    pub fn validate_root(&self, doc: &Document) -> Vec<Violation> {
        let root = doc.root_element();
        let q = qname_of(&root);
        match self.schema.global_elements.get(&q) {
            Some(&e) => self.validate_element(root, e),
            None => {
                let mut ctx = Ctx::new();
                if root.attribute((XSI, "type")).is_some() {
                    self.by_xsi_type_only(root, 0, &mut ctx, true);
                } else {
                    ctx.report(
                        root,
                        None,
                        "declaration",
                        format!("no global element declaration for {}", show(&q)),
                    );
                }
                self.finish(ctx)
            }
        }
    }

    /// Validates the subtree at `node` against the element declaration `decl`.
    pub fn validate_element(&self, node: Node, decl: ElementId) -> Vec<Violation> {
        let mut ctx = Ctx::new();
        self.element(node, decl, 0, &mut ctx);
        self.finish(ctx)
    }

    fn finish(&self, mut ctx: Ctx) -> Vec<Violation> {
        let refs = std::mem::take(&mut ctx.idrefs);
        for (r, node) in refs {
            if !ctx.ids.contains(&r) {
                ctx.report(
                    node,
                    None,
                    "idref",
                    format!("IDREF `{r}` names no ID in the document"),
                );
            }
        }
        ctx.out.sort_by_key(|v| v.offset);
        ctx.out
    }

    /// An element with a declaration.
    fn element<'a, 'i>(
        &self,
        node: Node<'a, 'i>,
        decl: ElementId,
        depth: usize,
        ctx: &mut Ctx<'a, 'i>,
    ) {
        if depth > MAX_DEPTH {
            ctx.report(
                node,
                None,
                "depth",
                format!("elements nest more than {MAX_DEPTH} levels deep"),
            );
            return;
        }
        let d = self.schema.element(decl);
        if d.is_abstract {
            ctx.report(
                node,
                None,
                "abstract",
                format!(
                    "element {} is abstract: use an element of its substitution group",
                    show(&d.name)
                ),
            );
        }
        let Some(t) = self.effective_type(node, d.type_id, d.block, ctx) else {
            return;
        };
        // xsi:nil
        let mut nilled = false;
        let has_attributes = node.attributes().len() > 0;
        if has_attributes && let Some(nil) = node.attribute((XSI, "nil")) {
            match is_true(nil) {
                None => ctx.report(
                    node,
                    Some("nil"),
                    "nil",
                    format!("xsi:nil must be true or false, found `{nil}`"),
                ),
                Some(_) if !d.nillable => ctx.report(
                    node,
                    None,
                    "nil",
                    format!(
                        "element {} is not nillable: xsi:nil may not appear",
                        show(&d.name)
                    ),
                ),
                Some(true) => {
                    nilled = true;
                    if d.fixed.is_some() {
                        ctx.report(
                            node,
                            None,
                            "nil",
                            "an element with a fixed value cannot be nil".to_string(),
                        );
                    }
                    if node.children().any(|c| c.is_element() || c.is_text()) {
                        ctx.report(
                            node,
                            None,
                            "nil",
                            "a nil element (xsi:nil=\"true\") must be empty".to_string(),
                        );
                    }
                }
                Some(false) => {}
            }
        }
        let constraint = d
            .fixed
            .as_deref()
            .map(|f| (f, true))
            .or(d.default.as_deref().map(|f| (f, false)));
        self.typed(node, t, constraint, nilled, depth, ctx);
        if !d.identity.is_empty() {
            let mut problems = Vec::new();
            let keys = d
                .identity
                .iter()
                .filter(|c| !matches!(c.kind, IdentityKind::KeyRef(_)));
            let refs = d
                .identity
                .iter()
                .filter(|c| matches!(c.kind, IdentityKind::KeyRef(_)));
            let types = &ctx.types;
            let key = |n: Node, attr: Option<usize>, text: &str| -> String {
                let at = attr.map_or(u32::MAX, |i| i as u32);
                match types.get(&(n.id(), at)) {
                    Some(&t) => self
                        .simple_value(t, text, &resolver(n), None, &mut Ctx::new())
                        .map_or_else(|_| identity::untyped_key(text), |v| v.key()),
                    None => identity::untyped_key(text),
                }
            };
            for c in keys.chain(refs) {
                identity::check(node, c, &mut ctx.tables, &mut problems, &key);
            }
            for (n, m) in problems {
                ctx.report(n, None, "identity", m);
            }
        }
    }

    /// The declared type, or the `xsi:type` that replaces it (which must derive from it).
    fn effective_type<'a, 'i>(
        &self,
        node: Node<'a, 'i>,
        declared: TypeId,
        block: u8,
        ctx: &mut Ctx<'a, 'i>,
    ) -> Option<TypeId> {
        if node.attributes().len() == 0 {
            return Some(declared);
        }
        let Some(raw) = node.attribute((XSI, "type")) else {
            return Some(declared);
        };
        let xt = self.xsi_type(node, raw, ctx)?;
        if !self.validly_derived(xt, declared) {
            ctx.report(
                node,
                Some("type"),
                "type",
                format!(
                    "xsi:type `{}` does not derive from the declared type `{}`",
                    raw.trim(),
                    self.schema.type_label(declared)
                ),
            );
            return Some(declared);
        }
        if self.blocked(xt, declared, block) {
            ctx.report(
                node,
                Some("type"),
                "type",
                format!(
                    "xsi:type `{}` may not replace `{}`: the derivation is blocked (`block`)",
                    raw.trim(),
                    self.schema.type_label(declared)
                ),
            );
            return Some(declared);
        }
        Some(xt)
    }

    /// The `BLOCK_*` flags of a type.
    fn type_block(&self, t: TypeId) -> u8 {
        match &self.schema.ty(t).kind {
            TypeKind::Complex(ct) => ct.block,
            TypeKind::Simple(_) => 0,
        }
    }

    /// Whether deriving `t` from `base` uses a method that `block`, `base`'s own block or an
    /// intermediate type's block refuses.
    fn blocked(&self, t: TypeId, base: TypeId, block: u8) -> bool {
        let set = block | self.type_block(base);
        let mut cur = t;
        let mut steps = 0;
        while cur != base && steps < 1000 {
            let ty = self.schema.ty(cur);
            let method = match &ty.kind {
                TypeKind::Complex(ct) if ct.derivation == Derivation::Extension => BLOCK_EXTENSION,
                _ => BLOCK_RESTRICTION,
            };
            let inter = if cur != t { self.type_block(cur) } else { 0 };
            if method & (set | inter) != 0 {
                return true;
            }
            match ty.base {
                Some(b) => cur = b,
                None => return false,
            }
            steps += 1;
        }
        false
    }

    fn xsi_type<'a, 'i>(
        &self,
        node: Node<'a, 'i>,
        raw: &str,
        ctx: &mut Ctx<'a, 'i>,
    ) -> Option<TypeId> {
        let r = resolver(node);
        let q = match value::parse(Primitive::QName, "QName", raw.trim(), &r) {
            Ok(Value::QName(ns, local)) => {
                QName::new(if is_xs_ns(&ns) { XS.to_string() } else { ns }, local)
            }
            _ => {
                ctx.report(
                    node,
                    Some("type"),
                    "type",
                    format!("xsi:type `{raw}` is not a QName bound in scope"),
                );
                return None;
            }
        };
        match self.schema.global_types.get(&q) {
            Some(&t) => Some(t),
            None => {
                ctx.report(
                    node,
                    Some("type"),
                    "type",
                    format!("xsi:type names an unknown type {}", show(&q)),
                );
                None
            }
        }
    }

    fn validly_derived(&self, t: TypeId, base: TypeId) -> bool {
        if self.schema.derives_from(t, base) || base == TypeId(0) {
            return true;
        }
        // A member of a union may stand for the union.
        if let TypeKind::Simple(SimpleType {
            variety: Variety::Union(members),
            ..
        }) = &self.schema.ty(base).kind
        {
            return members.iter().any(|&m| self.validly_derived(t, m));
        }
        if let TypeKind::Simple(_) = self.schema.ty(t).kind
            && self.schema.builtin("anySimpleType") == Some(base)
        {
            return true;
        }
        false
    }

    /// An element without a declaration but with an `xsi:type`.
    fn by_xsi_type_only<'a, 'i>(
        &self,
        node: Node<'a, 'i>,
        depth: usize,
        ctx: &mut Ctx<'a, 'i>,
        strict: bool,
    ) {
        let raw = node.attribute((XSI, "type")).unwrap_or("");
        if let Some(t) = self.xsi_type(node, raw, ctx) {
            self.typed(node, t, None, false, depth, ctx);
        } else if !strict {
            self.lax_children(node, depth, ctx);
        }
    }

    /// Attributes and content of `node` against type `t`.
    fn typed<'a, 'i>(
        &self,
        node: Node<'a, 'i>,
        t: TypeId,
        constraint: Option<(&str, bool)>,
        nilled: bool,
        depth: usize,
        ctx: &mut Ctx<'a, 'i>,
    ) {
        match &self.schema.ty(t).kind {
            TypeKind::Simple(_) => {
                self.attributes(node, None, ctx);
                if let Some(child) = node.children().find(|c| c.is_element()) {
                    ctx.report(
                        child,
                        None,
                        "content",
                        format!(
                            "element {} has simple type `{}`: no child elements allowed",
                            show(&qname_of(&node)),
                            self.schema.type_label(t)
                        ),
                    );
                    return;
                }
                if !nilled {
                    if self.c.has_identity {
                        ctx.types.insert((node.id(), u32::MAX), t);
                    }
                    self.text_value(node, t, constraint, ctx);
                }
            }
            TypeKind::Complex(ct) => {
                if ct.is_abstract {
                    ctx.report(
                        node,
                        None,
                        "abstract",
                        format!(
                            "type `{}` is abstract: name a derived type with xsi:type",
                            self.schema.type_label(t)
                        ),
                    );
                }
                self.attributes(node, Some(ct), ctx);
                if nilled {
                    return;
                }
                match &ct.content {
                    Content::Empty => {
                        if let Some(c) = node.children().find(|c| {
                            c.is_element()
                                || (c.is_text() && !ct.mixed && !c.text().unwrap_or("").is_empty())
                        }) {
                            ctx.report(
                                if c.is_element() { c } else { node },
                                None,
                                "content",
                                format!(
                                    "element {} must be empty (type `{}`)",
                                    show(&qname_of(&node)),
                                    self.schema.type_label(t)
                                ),
                            );
                        }
                    }
                    Content::Simple(st) => {
                        if let Some(child) = node.children().find(|c| c.is_element()) {
                            ctx.report(
                                child,
                                None,
                                "content",
                                format!(
                                    "element {} has simple content: no child elements allowed",
                                    show(&qname_of(&node))
                                ),
                            );
                            return;
                        }
                        if self.c.has_identity {
                            ctx.types.insert((node.id(), u32::MAX), *st);
                        }
                        self.text_value(node, *st, constraint, ctx);
                    }
                    Content::Elements(_) => self.children(node, t, ct, depth, ctx),
                }
                // A fixed value on mixed content: the text, with no child elements.
                if let Some((fixed, true)) = constraint
                    && ct.mixed
                    && !matches!(ct.content, Content::Simple(_))
                    && node.children().any(|c| c.is_text() || c.is_element())
                    && (node.children().any(|c| c.is_element()) || text_of(node) != fixed)
                {
                    ctx.report(
                        node,
                        None,
                        "fixed",
                        format!("the content must be the fixed value `{fixed}`"),
                    );
                }
            }
        }
    }

    /// The text of a simple-typed element (or simple content), with its default or fixed value.
    fn text_value<'a, 'i>(
        &self,
        node: Node<'a, 'i>,
        t: TypeId,
        constraint: Option<(&str, bool)>,
        ctx: &mut Ctx<'a, 'i>,
    ) {
        let text = text_of(node);
        let r = resolver(node);
        let empty = !node.children().any(|c| c.is_text());
        let (raw, is_default) = match constraint {
            Some((c, _)) if empty || text.is_empty() => (std::borrow::Cow::Borrowed(c), true),
            _ => (text, false),
        };
        if !matches!(constraint, Some((_, true))) {
            if let Err(m) = self.simple_check(t, &raw, &r, node, ctx) {
                ctx.report(node, None, "value", m);
            }
            return;
        }
        match self.simple_value(t, &raw, &r, Some(node), ctx) {
            Ok(v) => {
                if let Some((fixed, true)) = constraint
                    && !is_default
                {
                    let same = self
                        .simple_value(t, fixed, &r, None, &mut Ctx::new())
                        .is_ok_and(|f| f.same(&v));
                    if !same {
                        ctx.report(
                            node,
                            None,
                            "fixed",
                            format!(
                                "the value must be the fixed value `{fixed}`, found `{}`",
                                raw.trim()
                            ),
                        );
                    }
                }
            }
            Err(m) => ctx.report(node, None, "value", m),
        }
    }

    /// Like [`Validator::simple_value`] when the value itself is not needed: the type's
    /// [`fast::Plan`] first, the general path when it has none or finds the text invalid (so
    /// the message is the general path's).
    fn simple_check<'a, 'i>(
        &self,
        t: TypeId,
        raw: &str,
        resolve: &dyn Fn(Option<&str>) -> Option<String>,
        at: Node<'a, 'i>,
        ctx: &mut Ctx<'a, 'i>,
    ) -> Result<(), String> {
        if self.text_ok(t, raw) {
            return Ok(());
        }
        self.simple_value(t, raw, resolve, Some(at), ctx)
            .map(|_| ())
    }

    /// Whether the type's plan shows `raw` valid (`false`: no plan, or not valid).
    fn text_ok(&self, t: TypeId, raw: &str) -> bool {
        match &self.c.plans[t.0 as usize] {
            fast::Plan::Any => true,
            fast::Plan::Check {
                white_space,
                kind,
                patterns,
            } => {
                // Numbers, booleans and dates take no space at all: text their check accepts
                // as it is needs no whitespace normalization.
                let s = if kind.refuses_spaces() && kind.ok(raw) {
                    std::borrow::Cow::Borrowed(raw)
                } else {
                    let s = normalize(raw, *white_space);
                    if !kind.ok(&s) {
                        return false;
                    }
                    s
                };
                patterns
                    .iter()
                    .all(|step| step.iter().any(|p| p.is_match(&s)))
            }
            fast::Plan::General => false,
        }
    }

    /// A child element matched to declaration `e`: one without attributes whose declaration
    /// has a plain simple type is checked by its lone text; anything else (or invalid text)
    /// goes through [`Validator::element`], which gives the same verdict and words it.
    fn child<'a, 'i>(&self, c: Node<'a, 'i>, e: ElementId, depth: usize, ctx: &mut Ctx<'a, 'i>) {
        self.child_of_type(c, e, self.c.leaf_type[e.0 as usize], depth, ctx)
    }

    /// [`Validator::child`] with the declaration's [`Prepared::leaf_type`] at hand.
    fn child_of_type<'a, 'i>(
        &self,
        c: Node<'a, 'i>,
        e: ElementId,
        leaf: Option<TypeId>,
        depth: usize,
        ctx: &mut Ctx<'a, 'i>,
    ) {
        if let Some(t) = leaf
            && depth < MAX_DEPTH
            && c.attributes().len() == 0
            && let Some(text) = lone_text(c)
            && self.text_ok(t, text)
        {
            return;
        }
        self.element(c, e, depth + 1, ctx);
    }

    /// Validates `raw` against simple type `t`; IDs and IDREFs are recorded when `at` is given.
    fn simple_value<'a, 'i>(
        &self,
        t: TypeId,
        raw: &str,
        resolve: &dyn Fn(Option<&str>) -> Option<String>,
        at: Option<Node<'a, 'i>>,
        ctx: &mut Ctx<'a, 'i>,
    ) -> Result<Value, String> {
        let st = match &self.schema.ty(t).kind {
            TypeKind::Simple(st) => st,
            // anyType used as a simple type (an attribute of no declared type): anything.
            TypeKind::Complex(_) => return Ok(Value::Str(raw.to_string())),
        };
        if self.c.cyclic.get(t.0 as usize).copied().unwrap_or(false) {
            return Err(format!(
                "type `{}` is a list or union that contains itself",
                self.schema.type_label(t)
            ));
        }
        let (value, lexical) = match &st.variety {
            Variety::Atomic => {
                let s = normalize(raw, st.facets.white_space);
                if st.primitive == Primitive::AnySimple {
                    return Ok(Value::Str(s.into_owned()));
                }
                let v = value::parse(st.primitive, self.builtin_name(st), &s, resolve)?;
                if let Some(node) = at {
                    match self.c.id_kind[t.0 as usize] {
                        1 if !ctx.ids.insert(s.to_string()) => {
                            return Err(format!("ID `{s}` is not unique in the document"));
                        }
                        2 => ctx.idrefs.push((s.to_string(), node)),
                        _ => {}
                    }
                }
                (v, s)
            }
            Variety::List(item) => {
                let s = normalize(raw, Some(WhiteSpace::Collapse));
                let mut items = Vec::new();
                for part in s.split(' ').filter(|p| !p.is_empty()) {
                    items.push(
                        self.simple_value(*item, part, resolve, at, ctx)
                            .map_err(|m| format!("list item: {m}"))?,
                    );
                }
                (Value::List(items), s)
            }
            Variety::Union(members) => {
                let mut found = None;
                for &m in members {
                    if let Ok(v) = self.simple_value(m, raw, resolve, at, ctx) {
                        found = Some(v);
                        break;
                    }
                }
                let Some(v) = found else {
                    return Err(format!(
                        "`{}` is valid for no member of the union `{}`",
                        raw.trim(),
                        self.schema.type_label(t)
                    ));
                };
                (v, normalize(raw, Some(WhiteSpace::Collapse)))
            }
        };
        self.facets_ok(t, st, &lexical, &value)?;
        Ok(value)
    }

    fn facets_ok(
        &self,
        t: TypeId,
        st: &SimpleType,
        lexical: &str,
        v: &Value,
    ) -> Result<(), String> {
        let f = &st.facets;
        for step in &f.regexes {
            if !step.iter().any(|(_, r)| r.is_match(lexical)) {
                let shown: Vec<&str> = step.iter().map(|(p, _)| p.as_str()).collect();
                return Err(format!(
                    "`{lexical}` does not match the pattern {}",
                    shown.join(" | ")
                ));
            }
        }
        if f.length.is_some() || f.min_length.is_some() || f.max_length.is_some() {
            let len = match v {
                Value::List(items) => Some(items.len() as u64),
                Value::Binary(b) => Some(b.len() as u64),
                Value::Str(s) => Some(s.chars().count() as u64),
                _ => None,
            };
            if let Some(len) = len {
                if let Some(n) = f.length.filter(|&n| n != len) {
                    return Err(format!("`{lexical}`: length must be {n}, found {len}"));
                }
                if let Some(n) = f.min_length.filter(|&n| len < n) {
                    return Err(format!(
                        "`{lexical}`: length must be at least {n}, found {len}"
                    ));
                }
                if let Some(n) = f.max_length.filter(|&n| len > n) {
                    return Err(format!(
                        "`{lexical}`: length must be at most {n}, found {len}"
                    ));
                }
            }
        }
        if let Some(fv) = &self.c.facets[t.0 as usize] {
            if !f.enumeration.is_empty() {
                let ok = match v {
                    Value::QName(..) => f.enumeration.iter().any(|e| e.trim() == lexical),
                    _ => fv.enumeration.iter().any(|e| e.same(v)),
                };
                if !ok {
                    let shown: Vec<&str> =
                        f.enumeration.iter().take(20).map(String::as_str).collect();
                    return Err(format!(
                        "`{lexical}` is not one of: {}{}",
                        shown.join(", "),
                        if f.enumeration.len() > 20 {
                            ", ..."
                        } else {
                            ""
                        }
                    ));
                }
            }
            use std::cmp::Ordering::*;
            let check = |b: &Option<Value>,
                         ok: &[std::cmp::Ordering],
                         what: &str,
                         raw: &Option<String>| {
                match b {
                    Some(b) if !v.partial_cmp(b).is_some_and(|o| ok.contains(&o)) => Err(format!(
                        "`{lexical}` must be {what} {}",
                        raw.as_deref().unwrap_or("")
                    )),
                    _ => Ok(()),
                }
            };
            check(
                &fv.min_inclusive,
                &[Greater, Equal],
                "at least",
                &f.min_inclusive,
            )?;
            check(
                &fv.max_inclusive,
                &[Less, Equal],
                "at most",
                &f.max_inclusive,
            )?;
            check(&fv.min_exclusive, &[Greater], "more than", &f.min_exclusive)?;
            check(&fv.max_exclusive, &[Less], "less than", &f.max_exclusive)?;
        }
        if let Value::Decimal(d) = v {
            if let Some(n) = f
                .total_digits
                .filter(|&n| d.total_digits() as u64 > n as u64)
            {
                return Err(format!("`{lexical}` has more than {n} digits"));
            }
            if let Some(n) = f
                .fraction_digits
                .filter(|&n| d.frac.len() as u64 > n as u64)
            {
                return Err(format!("`{lexical}` has more than {n} fraction digits"));
            }
        }
        let _ = Dec::zero;
        Ok(())
    }

    /// Attributes of `node` against a complex type's uses and wildcard (`None`: simple type).
    fn attributes<'a, 'i>(
        &self,
        node: Node<'a, 'i>,
        ct: Option<&ComplexType>,
        ctx: &mut Ctx<'a, 'i>,
    ) {
        if node.attributes().len() == 0
            && ct.is_none_or(|ct| !ct.attributes.iter().any(|u| u.required))
        {
            return;
        }
        let r = resolver(node);
        let mut id_attributes = 0;
        for (position, a) in node.attributes().enumerate() {
            let ns = a.namespace().unwrap_or("");
            if ns == XSI {
                match a.name() {
                    "type" | "nil" | "schemaLocation" | "noNamespaceSchemaLocation" => continue,
                    other => {
                        ctx.report(
                            node,
                            Some(a.name()),
                            "attribute",
                            format!("unknown xsi:{other} attribute"),
                        );
                        continue;
                    }
                }
            }
            let use_ = ct.and_then(|ct| {
                ct.attributes
                    .iter()
                    .find(|u| same(&u.name.local, a.name()) && same(&u.name.ns, ns))
            });
            let decl = match use_ {
                Some(u) => Some(u),
                None => {
                    let w = ct.and_then(|ct| ct.any_attribute.as_ref());
                    match w {
                        Some(w) if ns_allowed(w, ns) => {
                            let global =
                                self.schema.global_attributes.get(&QName::new(ns, a.name()));
                            match (w.process, global) {
                                (ProcessContents::Skip, _) => None,
                                (_, Some(g)) => Some(g),
                                (ProcessContents::Lax, None) => None,
                                (ProcessContents::Strict, None) => {
                                    if ns == XML {
                                        None
                                    } else {
                                        ctx.report(
                                            node,
                                            Some(a.name()),
                                            "attribute",
                                            format!(
                                                "no global declaration for attribute {} (anyAttribute is strict)",
                                                show(&QName::new(ns, a.name()))
                                            ),
                                        );
                                        None
                                    }
                                }
                            }
                        }
                        _ => {
                            ctx.report(
                                node,
                                Some(a.name()),
                                "attribute",
                                format!(
                                    "attribute {} is not allowed on element {}",
                                    show(&QName::new(ns, a.name())),
                                    show(&qname_of(&node))
                                ),
                            );
                            None
                        }
                    }
                }
            };
            let Some(decl) = decl else { continue };
            if self.c.has_identity {
                ctx.types.insert((node.id(), position as u32), decl.type_id);
            }
            if self.c.id_kind[decl.type_id.0 as usize] == 1 {
                id_attributes += 1;
                if id_attributes == 2 {
                    ctx.report(
                        node,
                        Some(a.name()),
                        "attribute",
                        "an element may have at most one attribute of type xs:ID".to_string(),
                    );
                }
            }
            if decl.fixed.is_none() {
                if let Err(m) = self.simple_check(decl.type_id, a.value(), &r, node, ctx) {
                    ctx.report(node, Some(a.name()), "value", m);
                }
                continue;
            }
            match self.simple_value(decl.type_id, a.value(), &r, Some(node), ctx) {
                Ok(v) => {
                    if let Some(fixed) = &decl.fixed {
                        let mut scratch = Ctx::new();
                        let same = self
                            .simple_value(decl.type_id, fixed, &r, None, &mut scratch)
                            .is_ok_and(|f| f.same(&v));
                        if !same {
                            ctx.report(
                                node,
                                Some(a.name()),
                                "fixed",
                                format!(
                                    "attribute `{}` must have the fixed value `{fixed}`",
                                    a.name()
                                ),
                            );
                        }
                    }
                }
                Err(m) => ctx.report(node, Some(a.name()), "value", m),
            }
        }
        if let Some(ct) = ct {
            for u in ct.attributes.iter().filter(|u| u.required) {
                let present = node
                    .attributes()
                    .any(|a| a.name() == u.name.local && a.namespace().unwrap_or("") == u.name.ns);
                if !present {
                    ctx.report(
                        node,
                        None,
                        "attribute",
                        format!("required attribute {} is missing", show(&u.name)),
                    );
                }
            }
        }
    }

    /// Element children against the content model of `t`.
    fn children<'a, 'i>(
        &self,
        node: Node<'a, 'i>,
        t: TypeId,
        ct: &ComplexType,
        depth: usize,
        ctx: &mut Ctx<'a, 'i>,
    ) {
        let model = match &self.c.models[t.0 as usize] {
            Some(Ok(m)) => m,
            Some(Err(e)) => {
                ctx.report(node, None, "content", e.clone());
                return;
            }
            None => return,
        };
        // A flat sequence is stepped as a position while its children match; the general
        // automaton takes over from the equivalent state at the first that does not.
        let flat = self.c.flat[t.0 as usize].as_ref();
        // The general automaton's buffers (taken when needed), reused from element to element.
        let mut b = None;
        self.children_in(node, ct, model, flat, depth, ctx, &mut b);
        if let Some(mut b) = b {
            b.scratch.pool.append(&mut b.states);
            b.scratch.pool.append(&mut b.merged);
            b.scratch.pool.extend(b.next.drain(..).map(|(s, _)| s));
            if ctx.buffers.len() < 8 {
                ctx.buffers.push(b);
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn children_in<'a, 'i>(
        &self,
        node: Node<'a, 'i>,
        ct: &ComplexType,
        model: &Automaton,
        flat: Option<&Flat>,
        depth: usize,
        ctx: &mut Ctx<'a, 'i>,
        b: &mut Option<Buffers>,
    ) {
        fn take<'b>(b: &'b mut Option<Buffers>, ctx: &mut Ctx) -> &'b mut Buffers {
            b.get_or_insert_with(|| ctx.buffers.pop().unwrap_or_default())
        }
        let mut at: Option<(u32, u32)> = None;
        let mut fast = flat.is_some();
        // `states`: every state the children so far can lead to (one for a UPA-conforming
        // model).
        if !fast {
            take(b, ctx).states.push(State::new());
        }
        for c in node.children() {
            if c.is_text() {
                if !ct.mixed && !c.text().unwrap_or("").chars().all(value::is_xml_space) {
                    ctx.report(
                        node,
                        None,
                        "content",
                        format!(
                            "text is not allowed in element {} (element-only content)",
                            show(&qname_of(&node))
                        ),
                    );
                }
                continue;
            }
            if !c.is_element() {
                continue;
            }
            let name = c.tag_name();
            let (c_ns, c_local) = (name.namespace().unwrap_or(""), name.name());
            if fast && let Some(flat) = flat {
                let ns = ctx.namespace(c_ns, &self.c.namespaces);
                if let Some(next_at) = flat.step(at, ns, c_local) {
                    at = Some(next_at);
                    let l = &flat.leaves[next_at.0 as usize];
                    self.child_of_type(c, l.decl, l.leaf, depth, ctx);
                    continue;
                }
                fast = false;
                take(b, ctx).states.push(flat.state(model, at));
            }
            let Buffers {
                states,
                next,
                merged,
                scratch,
            } = take(b, ctx);
            let mut attributed: Option<ElementId> = None;
            let mut leaf_found: Option<Leaf> = None;
            scratch.pool.append(merged);
            for state in states.iter() {
                model.step_with(
                    state,
                    &mut |leaf| match leaf {
                        Leaf::Element(e) => match self.matches_decl(e, c_ns, c_local) {
                            Some(m) => {
                                attributed.get_or_insert(m);
                                true
                            }
                            None => false,
                        },
                        Leaf::Any(w) => ns_allowed(&model.wildcards[w as usize], c_ns),
                    },
                    next,
                    scratch,
                );
                for (s, leaf) in next.drain(..) {
                    leaf_found.get_or_insert(leaf);
                    if merged.len() < automaton::MAX_STATES && !merged.contains(&s) {
                        merged.push(s);
                    }
                }
            }
            let Some(leaf) = leaf_found else {
                let expected = self.describe_expected(model, &states[0]);
                ctx.report(
                    c,
                    None,
                    "content",
                    format!("unexpected element {}; {expected}", show(&qname_of(&c))),
                );
                continue;
            };
            std::mem::swap(states, merged);
            match leaf {
                Leaf::Element(_) => {
                    let e = attributed.expect("a leaf matched");
                    self.child(c, e, depth, ctx);
                }
                Leaf::Any(w) => {
                    self.wildcard_child(c, &model.wildcards[w as usize], depth + 1, ctx)
                }
            }
        }
        if fast && let Some(flat) = flat {
            let accepts = match at {
                None => model.accepts(&State::new()),
                Some((i, c)) => c >= flat.leaves[i as usize].min && flat.tail_nullable[i as usize],
            };
            if accepts {
                return;
            }
            take(b, ctx).states.push(flat.state(model, at));
        }
        let states = &take(b, ctx).states;
        if !states.iter().any(|s| model.accepts(s)) {
            let expected = self.describe_expected(model, &states[0]);
            ctx.report(
                node,
                None,
                "content",
                format!(
                    "element {} is incomplete; {expected}",
                    show(&qname_of(&node))
                ),
            );
        }
    }

    /// The declaration an element particle attributes `q` to: itself, or a member of its
    /// substitution group.
    fn matches_decl(&self, e: ElementId, ns: &str, local: &str) -> Option<ElementId> {
        let d = self.schema.element(e);
        if same(&d.name.local, local) && same(&d.name.ns, ns) {
            return Some(e);
        }
        if !d.global || d.block & BLOCK_SUBSTITUTION != 0 {
            return None;
        }
        self.schema.substitutes.get(&e)?.iter().copied().find(|&s| {
            let m = self.schema.element(s);
            same(&m.name.local, local)
                && same(&m.name.ns, ns)
                && !self.blocked(m.type_id, d.type_id, d.block)
        })
    }

    fn describe_expected(&self, model: &Automaton, state: &State) -> String {
        let leaves = model.expected(state);
        if leaves.is_empty() {
            return "no more elements are allowed here".to_string();
        }
        let names: Vec<String> = leaves
            .iter()
            .take(10)
            .map(|l| match l {
                Leaf::Element(e) => format!("`{}`", self.schema.element(*e).name.local),
                Leaf::Any(_) => "any element (wildcard)".to_string(),
            })
            .collect();
        format!("expected {}", names.join(" or "))
    }

    fn wildcard_child<'a, 'i>(
        &self,
        c: Node<'a, 'i>,
        w: &Wildcard,
        depth: usize,
        ctx: &mut Ctx<'a, 'i>,
    ) {
        if w.process == ProcessContents::Skip {
            return;
        }
        if depth > MAX_DEPTH {
            ctx.report(
                c,
                None,
                "depth",
                format!("elements nest more than {MAX_DEPTH} levels deep"),
            );
            return;
        }
        let q = qname_of(&c);
        if let Some(&e) = self.schema.global_elements.get(&q) {
            self.element(c, e, depth, ctx);
        } else if c.attribute((XSI, "type")).is_some() {
            self.by_xsi_type_only(c, depth, ctx, w.process == ProcessContents::Strict);
        } else if w.process == ProcessContents::Strict {
            ctx.report(
                c,
                None,
                "wildcard",
                format!(
                    "no global declaration for element {} (the wildcard is strict)",
                    show(&q)
                ),
            );
        } else {
            self.lax_children(c, depth, ctx);
        }
    }

    /// Lax assessment of an undeclared element: its attributes and children are checked where
    /// declarations exist.
    fn lax_children<'a, 'i>(&self, node: Node<'a, 'i>, depth: usize, ctx: &mut Ctx<'a, 'i>) {
        let lax = Wildcard {
            namespaces: NamespaceConstraint::Any,
            process: ProcessContents::Lax,
        };
        let r = resolver(node);
        for a in node.attributes() {
            let q = QName::new(a.namespace().unwrap_or(""), a.name());
            if let Some(g) = self.schema.global_attributes.get(&q)
                && let Err(m) = self.simple_value(g.type_id, a.value(), &r, Some(node), ctx)
            {
                ctx.report(node, Some(a.name()), "value", m);
            }
        }
        for c in node.children().filter(|c| c.is_element()) {
            self.wildcard_child(c, &lax, depth + 1, ctx);
        }
    }
}

#[cfg(test)]
mod tests;
