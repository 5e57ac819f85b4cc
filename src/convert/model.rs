//! The JSON view of the compiled schema, built once per mapping at start-up: for every complex
//! type, its JSON keys (after the mapping's naming rule) for attributes, child elements and text,
//! and a lookup from XML names to those keys; and the list wrappers the mapping shows as JSON
//! arrays (`unwrap_lists:`). Per request nothing is looked up by name twice.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use crate::mapping::naming::{Naming, json_keys};
use crate::mapping::unwrap::{ListItem, list_item};
use crate::xsd::*;

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

/// One child element name of a complex type (several particles with the same local name share
/// it), or one repeated choice.
#[derive(Debug)]
pub struct Slot {
    pub key: String,
    /// The declared element; for a repeated choice, the first element of its first branch.
    pub element: ElementId,
    /// Repeated: always a JSON array.
    pub many: bool,
    /// Inside a choice: `[]` is not written for it when absent.
    pub in_choice: bool,
    /// Several particles of the content model may all occur with this name (`a, b, a`, or one
    /// element in two choices): the slot is an array of them in document order, and each
    /// particle takes its share of the items in turn.
    pub shared: bool,
    /// A repeated choice (also a repeated substitution group): a JSON array of objects, each
    /// holding the fields of one branch. The view of one occurrence: its particle is the choice,
    /// once.
    pub group: Option<Arc<TypeInfo>>,
    /// What the name of `element` alone finds ([`sole_slot`]) when that is this slot: a child
    /// met in schema order is placed by comparing its name with this one, no lookup.
    pub own: Option<ElementId>,
}

/// What a complex type holds.
#[derive(Debug)]
pub enum Body {
    Empty,
    /// simpleContent of this simple type.
    Text(TypeId),
    /// A content model; slots in first-appearance order.
    Elements {
        particle: Arc<Particle>,
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
    pub by_name: HashMap<Name, Vec<(Name, usize, ElementId)>>,
    /// Element id -> slot, for writing in schema order.
    pub by_element: HashMap<ElementId, usize>,
    /// Slots that must be present (required all along their path, outside choices).
    pub required: Vec<usize>,
    /// The slots of each required choice whose branches are single elements: exactly one of
    /// each group must be present.
    pub choices: Vec<Vec<usize>>,
    /// Repeated choices: the first element of the choice -> its slot.
    pub group_of: HashMap<ElementId, usize>,
    /// For the view of one occurrence of a repeated choice: slot -> index of its branch.
    pub branch: Vec<usize>,
    /// The content model has an element wildcard (`xs:any`).
    pub wildcard: bool,
    /// It has one outside its repeated choices (those take `$xml` in their items): the object
    /// itself may have a `$xml`.
    pub own_wildcard: bool,

    /// When the content's wildcard lies in a repeated choice: that choice's slot (the elements
    /// it takes are items of that array, `{"$xml": ...}`); else the wildcard's elements are the
    /// object's own `$xml`.
    pub wild_slot: Option<usize>,
}

/// The schema a [`JsonModel`] views, held for as long as the view is: a compiled WSDL, or a bare
/// schema.
pub type SharedSchema = Arc<dyn AsRef<Schema> + Send + Sync>;

/// The JSON view of a whole schema, under one naming rule. A type's view ([`TypeInfo`]) is built
/// the first time it is asked for and kept: a service holds the views of the types its
/// traffic and documents reach, not of every type its WSDL imports.
pub struct JsonModel {
    pub schema_types: usize,
    pub naming: Naming,
    schema: SharedSchema,
    /// Per type: its view once built (`None` for a simple type).
    infos: Box<[OnceLock<Option<Box<TypeInfo>>>]>,
    /// Namespace -> prefix index (`ns0`, `ns1`, ...), in a deterministic order.
    pub namespaces: HashMap<String, usize>,
    pub prefixes: Vec<String>,
    pub namespace_uris: Vec<String>,
    /// The list wrappers shown as JSON arrays (the mapping's `unwrap_lists:`) -> their item.
    lists: HashMap<TypeId, ListItem>,
}

impl std::fmt::Debug for JsonModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsonModel")
            .field("schema_types", &self.schema_types)
            .field("naming", &self.naming)
            .field(
                "views_built",
                &self.infos.iter().filter(|i| i.get().is_some()).count(),
            )
            .field("namespace_uris", &self.namespace_uris)
            .finish_non_exhaustive()
    }
}

impl JsonModel {
    /// The view of `schema` under `naming`: its namespaces' prefixes now, each complex type's
    /// view when first asked for ([`JsonModel::info`]).
    pub fn new(schema: SharedSchema, naming: Naming) -> JsonModel {
        let s: &Schema = (*schema).as_ref();
        // Every namespace an element, a named type or an attribute is in, sorted.
        let mut set: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
        set.extend(s.elements.iter().map(|e| e.name.ns.as_str()));
        set.extend(
            s.types
                .iter()
                .filter_map(|t| t.name.as_ref().map(|q| q.ns.as_str())),
        );
        for t in &s.types {
            if let TypeKind::Complex(ct) = &t.kind {
                set.extend(ct.attributes.iter().map(|a| a.name.ns.as_str()));
            }
        }
        set.remove("");
        let uris: Vec<String> = set.into_iter().map(str::to_string).collect();
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
        let schema_types = s.types.len();
        JsonModel {
            schema_types,
            naming,
            infos: (0..schema_types).map(|_| OnceLock::new()).collect(),
            schema,
            namespaces,
            prefixes,
            namespace_uris: uris,
            lists: HashMap::new(),
        }
    }

    /// The same view with the list wrappers `types` shown as JSON arrays of their items (those
    /// that are list wrappers; see [`list_item`]).
    pub fn with_lists(mut self, schema: &Schema, types: impl IntoIterator<Item = TypeId>) -> Self {
        self.lists = types
            .into_iter()
            .filter_map(|t| Some((t, list_item(schema, t)?)))
            .collect();
        self
    }

    /// The item of `t` when `t` is a list wrapper shown as a JSON array.
    pub fn list(&self, t: TypeId) -> Option<&ListItem> {
        self.lists.get(&t)
    }

    /// The `(prefix, namespace)` declarations of the namespaces an encoder used (indexes into
    /// [`JsonModel::prefixes`]); `xml:` is bound by definition and never declared.
    pub(crate) fn declarations(
        &self,
        used: &std::collections::BTreeSet<usize>,
    ) -> Vec<(&str, &str)> {
        used.iter()
            .map(|&i| (self.prefixes[i].as_str(), self.namespace_uris[i].as_str()))
            .filter(|(_, uri)| *uri != XML)
            .collect()
    }

    /// The view of complex type `t` (built now if it is the first time); `None` for a simple
    /// type.
    pub fn info(&self, t: TypeId) -> Option<&TypeInfo> {
        self.infos
            .get(t.0 as usize)?
            .get_or_init(|| {
                let schema: &Schema = (*self.schema).as_ref();
                match &schema.types[t.0 as usize].kind {
                    TypeKind::Complex(ct) => Some(Box::new(type_info(schema, ct, self.naming))),
                    TypeKind::Simple(_) => None,
                }
            })
            .as_deref()
    }

    /// Whether a nillable element of type `t` can be `null`: not when the type has a required
    /// attribute without a default (a nil element still carries its attributes).
    pub fn nil_possible(&self, t: TypeId) -> bool {
        self.info(t)
            .is_none_or(|i| !i.attrs.iter().any(|a| a.required && a.default.is_none()))
    }
}

/// Whether a choice is shown as an array of one-branch objects: it has several branches and
/// repeats (itself, or inside a repeated group of the same type).
pub fn is_group_choice(p: &Particle, in_many: bool) -> bool {
    matches!(&p.term, Term::Choice(ps) if ps.len() > 1) && (in_many || p.max.is_many())
}

/// The first element declared in a particle.
pub fn first_element(p: &Particle) -> Option<ElementId> {
    match &p.term {
        Term::Element(e) => Some(*e),
        Term::Sequence(ps) | Term::Choice(ps) | Term::All(ps) => ps.iter().find_map(first_element),
        Term::Any(_) => None,
    }
}

/// Replaces every element that heads a substitution group by a choice of the elements that may
/// stand for it (itself unless abstract, then its non-abstract substitutes), so that the actual
/// element name is the JSON key. `heads` records the first member of each such choice -> head.
fn expand_substitutions(
    schema: &Schema,
    p: &Particle,
    heads: &mut HashMap<ElementId, ElementId>,
) -> Particle {
    let term = match &p.term {
        Term::Element(e) => match schema.substitutes.get(e) {
            Some(subs) if !subs.is_empty() => {
                let members: Vec<ElementId> = std::iter::once(*e)
                    .chain(subs.iter().copied())
                    .filter(|m| !schema.element(*m).is_abstract)
                    .collect();
                let branches: Vec<Particle> = members
                    .iter()
                    .map(|m| Particle {
                        min: 1,
                        max: MaxOccurs::Bounded(1),
                        term: Term::Element(*m),
                    })
                    .collect();
                if let Some(first) = members.first() {
                    heads.insert(*first, *e);
                }
                match branches.len() {
                    // Abstract with no substitutes: nothing can be written; keep the head.
                    0 => Term::Element(*e),
                    1 => branches[0].term.clone(),
                    _ => Term::Choice(branches),
                }
            }
            _ => Term::Element(*e),
        },
        Term::Sequence(ps) => Term::Sequence(
            ps.iter()
                .map(|c| expand_substitutions(schema, c, heads))
                .collect(),
        ),
        Term::Choice(ps) => Term::Choice(
            ps.iter()
                .map(|c| expand_substitutions(schema, c, heads))
                .collect(),
        ),
        Term::All(ps) => Term::All(
            ps.iter()
                .map(|c| expand_substitutions(schema, c, heads))
                .collect(),
        ),
        Term::Any(w) => Term::Any(w.clone()),
    };
    Particle {
        min: p.min,
        max: p.max,
        term,
    }
}

/// Whether [`expand_substitutions`] would change `p`: some element in it heads a substitution
/// group. When none does, the view shares the schema's model.
fn substitutes_any(schema: &Schema, p: &Particle) -> bool {
    // Iterative: content models may nest deep.
    let mut stack = vec![p];
    while let Some(p) = stack.pop() {
        match &p.term {
            Term::Element(e) => {
                if schema.substitutes.get(e).is_some_and(|s| !s.is_empty()) {
                    return true;
                }
            }
            Term::Sequence(ps) | Term::Choice(ps) | Term::All(ps) => stack.extend(ps),
            Term::Any(_) => {}
        }
    }
    false
}

fn type_info(schema: &Schema, ct: &ComplexType, naming: Naming) -> TypeInfo {
    let body = match &ct.content {
        Content::Empty => Body::Empty,
        Content::Simple(t) => Body::Text(*t),
        Content::Elements(p) => {
            let mut heads = HashMap::new();
            let p = if substitutes_any(schema, p) {
                Arc::new(expand_substitutions(schema, p, &mut heads))
            } else {
                Arc::clone(p)
            };
            return elements_info(schema, &ct.attributes, p, &heads, naming, ct);
        }
    };
    let names: Vec<(&str, bool)> = ct
        .attributes
        .iter()
        .map(|a| (a.name.local.as_str(), true))
        .collect();
    let keys = json_keys(naming, &names);
    TypeInfo {
        attrs: attr_infos(&ct.attributes, &keys),
        body,
        mixed: ct.mixed,
        any_attribute: ct.any_attribute.is_some(),
        by_name: HashMap::new(),
        by_element: HashMap::new(),
        required: Vec::new(),
        choices: Vec::new(),
        group_of: HashMap::new(),
        branch: Vec::new(),
        wildcard: false,
        own_wildcard: false,
        wild_slot: None,
    }
}

fn attr_infos(attributes: &[AttributeUse], keys: &[String]) -> Vec<AttrInfo> {
    attributes
        .iter()
        .zip(keys)
        .map(|(a, k)| AttrInfo {
            key: k.clone(),
            name: a.name.clone(),
            type_id: a.type_id,
            required: a.required,
            fixed: a.fixed.clone(),
            default: a.default.clone().or_else(|| a.fixed.clone()),
        })
        .collect()
}

/// What [`collect`] finds: an element, or a repeated choice.
enum Found<'p> {
    /// The element, whether it repeats, whether it is inside a choice, and the choice
    /// branches it sits in (choice, branch).
    Element(ElementId, bool, bool, Vec<(usize, usize)>),
    Group(&'p Particle, bool),
}

/// The JSON name of a repeated choice: its branches' first element names joined with `Or`
/// (JAXB's convention; after four branches, the first three and `Other`), or the head's name
/// for a substitution group.
fn group_name(schema: &Schema, p: &Particle, heads: &HashMap<ElementId, ElementId>) -> String {
    let Term::Choice(ps) = &p.term else {
        return String::new();
    };
    let first = first_element(p);
    if let Some(head) = first.and_then(|f| heads.get(&f)) {
        return schema.element(*head).name.local.to_string();
    }
    fn branch_names<'s>(schema: &'s Schema, ps: &[Particle], out: &mut Vec<&'s str>) {
        for b in ps {
            match &b.term {
                Term::Choice(inner) if !b.max.is_many() => branch_names(schema, inner, out),
                _ => match first_element(b) {
                    Some(e) => out.push(schema.element(e).name.local.as_str()),
                    None if matches!(b.term, Term::Any(_)) => out.push("any"),
                    None => {}
                },
            }
        }
    }
    let mut names = Vec::new();
    branch_names(schema, ps, &mut names);
    let shown = if names.len() > 4 {
        &names[..3]
    } else {
        &names[..]
    };
    let mut out = String::new();
    for (i, n) in shown.iter().enumerate() {
        if i == 0 {
            out.push_str(n);
        } else {
            out.push_str("Or");
            let mut cs = n.chars();
            if let Some(c) = cs.next() {
                out.extend(c.to_uppercase());
                out.push_str(cs.as_str());
            }
        }
    }
    if names.len() > 4 {
        out.push_str("OrOther");
    }
    out
}

/// One slot in the making: a distinct local name, or a repeated choice.
struct Pending<'p> {
    element: ElementId,
    many: bool,
    in_choice: bool,
    group: Option<&'p Particle>,
    name: String,
    /// The choice branches of each particle of this name.
    paths: Vec<&'p [(usize, usize)]>,
    shared: bool,
}

/// The slots of a content model in the making: one per distinct local name, in
/// first-appearance order, and one per repeated choice; which slot each element fills, and
/// which slot each repeated choice (by its first element) is.
struct Draft<'p> {
    pending: Vec<Pending<'p>>,
    slot_of: HashMap<ElementId, usize>,
    group_of: HashMap<ElementId, usize>,
}

/// Local name -> (namespace, slot, the element declared under that name).
type ByName = HashMap<Name, Vec<(Name, usize, ElementId)>>;

/// The slot and declaration of a child named (`ns`, `local`), when that name belongs to one
/// slot only ([`TypeInfo::by_name`]).
pub fn sole_slot(by_name: &ByName, ns: &str, local: &str) -> Option<(usize, ElementId)> {
    match by_name.get(local).map(Vec::as_slice) {
        Some([(n, slot, decl)]) if **n == *ns => Some((*slot, *decl)),
        _ => None,
    }
}

/// The JSON view of a type whose content is a content model (`particle`, substitution groups
/// already expanded): its slots and keys, name lookups, what is required, wildcards.
fn elements_info(
    schema: &Schema,
    attributes: &[AttributeUse],
    particle: Arc<Particle>,
    heads: &HashMap<ElementId, ElementId>,
    naming: Naming,
    ct: &ComplexType,
) -> TypeInfo {
    let mut found: Vec<Found> = Vec::new();
    collect(&particle, false, false, &mut found);
    let Draft {
        pending,
        slot_of,
        group_of,
    } = draft_slots(schema, &found, heads);
    let names: Vec<(&str, bool)> = attributes
        .iter()
        .map(|a| (a.name.local.as_str(), true))
        .chain(pending.iter().map(|x| (x.name.as_str(), false)))
        .collect();
    let keys = json_keys(naming, &names);
    let attrs = attr_infos(attributes, &keys);
    let mut by_name = ByName::new();
    let mut ordered: Vec<(&ElementId, &usize)> = slot_of.iter().collect();
    ordered.sort();
    let mut by_element = HashMap::new();
    for (e, &slot) in ordered {
        by_element.insert(*e, slot);
        add_name(&mut by_name, &schema.element(*e).name, slot, *e);
    }
    let keys = &keys[attributes.len()..];
    let mut slots: Vec<Slot> = pending
        .iter()
        .zip(keys)
        .enumerate()
        .map(|(i, (x, k))| Slot {
            key: k.clone(),
            element: x.element,
            many: x.many,
            in_choice: x.in_choice,
            shared: x.shared,
            group: x
                .group
                .map(|p| Arc::new(group_info(schema, p, i, heads, naming, ct, &mut by_name))),
            own: None,
        })
        .collect();
    // Once every name is in `by_name` (the repeated choices add theirs).
    for (i, slot) in slots.iter_mut().enumerate() {
        let name = &schema.element(slot.element).name;
        slot.own = sole_slot(&by_name, &name.ns, &name.local)
            .and_then(|(s, decl)| (s == i).then_some(decl));
    }
    let (mut required, mut choices) = (Vec::new(), Vec::new());
    let shared: Vec<bool> = slots.iter().map(|s| s.shared).collect();
    walk(
        &particle,
        true,
        false,
        (&by_element, &group_of, &shared),
        &mut required,
        &mut choices,
    );
    required.sort();
    required.dedup();
    let wild_slot = wild_group(&particle, false, &group_of).flatten();
    let branch = branches(&particle, &slot_of, &group_of, slots.len());
    let wildcard = has_any(&particle);
    let own_wildcard = own_wildcard(&particle, false);
    // Kept as long as the mapping is served: no growth room (most names fill one slot).
    by_name.values_mut().for_each(Vec::shrink_to_fit);
    by_name.shrink_to_fit();
    by_element.shrink_to_fit();
    TypeInfo {
        required,
        choices,
        attrs,
        body: Body::Elements { particle, slots },
        mixed: ct.mixed,
        any_attribute: ct.any_attribute.is_some(),
        by_name,
        by_element,
        group_of,
        branch,
        wildcard,
        own_wildcard,
        wild_slot,
    }
}

/// The slots of what [`collect`] found: a name met again joins its slot (which then repeats
/// unless the two are in different branches of one choice); each repeated choice is a slot.
fn draft_slots<'p>(
    schema: &Schema,
    found: &'p [Found<'p>],
    heads: &HashMap<ElementId, ElementId>,
) -> Draft<'p> {
    let mut pending: Vec<Pending> = Vec::new();
    let mut slot_of: HashMap<ElementId, usize> = HashMap::new();
    let mut group_of: HashMap<ElementId, usize> = HashMap::new();
    for f in found {
        match f {
            Found::Element(e, many, in_choice, path) => {
                let local = &schema.element(*e).name.local;
                match pending.iter().position(|x| {
                    x.group.is_none() && schema.element(x.element).name.local == *local
                }) {
                    Some(i) => {
                        // Two particles of one name both occur unless they are in different
                        // branches of one choice.
                        let exclusive = |other: &[(usize, usize)]| {
                            other
                                .iter()
                                .any(|(c, b)| path.iter().any(|(c2, b2)| c == c2 && b != b2))
                        };
                        if !pending[i].paths.iter().all(|o| exclusive(o)) {
                            pending[i].many = true;
                            pending[i].shared = true;
                        }
                        pending[i].many |= *many;
                        pending[i].paths.push(path);
                        slot_of.insert(*e, i);
                    }
                    None => {
                        slot_of.insert(*e, pending.len());
                        pending.push(Pending {
                            element: *e,
                            many: *many,
                            in_choice: *in_choice,
                            group: None,
                            name: local.to_string(),
                            paths: vec![path],
                            shared: false,
                        });
                    }
                }
            }
            Found::Group(p, in_choice) => {
                let Some(first) = first_element(p) else {
                    continue;
                };
                group_of.entry(first).or_insert(pending.len());
                pending.push(Pending {
                    element: first,
                    many: true,
                    in_choice: *in_choice,
                    group: Some(p),
                    name: group_name(schema, p, heads),
                    paths: Vec::new(),
                    shared: false,
                });
            }
        }
    }
    Draft {
        pending,
        slot_of,
        group_of,
    }
}

/// Adds a name a slot takes (one entry per slot a name fills; the first is the one most
/// lookups take).
fn add_name(by_name: &mut ByName, q: &QName, slot: usize, e: ElementId) {
    let list = by_name
        .entry(q.local.clone())
        .or_insert_with(|| Vec::with_capacity(1));
    if !list.iter().any(|(ns, s, _)| *ns == q.ns && *s == slot) {
        list.push((q.ns.clone(), slot, e));
    }
}

/// The view of one occurrence of the repeated choice `p` (its particle is the choice, once),
/// which fills slot `slot`: every element of the choice, at any depth, is a name of that slot.
fn group_info(
    schema: &Schema,
    p: &Particle,
    slot: usize,
    heads: &HashMap<ElementId, ElementId>,
    naming: Naming,
    ct: &ComplexType,
    by_name: &mut ByName,
) -> TypeInfo {
    let once = Particle {
        min: 1,
        max: MaxOccurs::Bounded(1),
        term: p.term.clone(),
    };
    let mut info = elements_info(schema, &[], Arc::new(once), heads, naming, ct);
    info.mixed = false;
    info.any_attribute = false;
    for (local, list) in &info.by_name {
        for (ns, _, e) in list {
            add_name(by_name, &QName::new(ns, local), slot, *e);
        }
    }
    info
}

/// Where the wildcard's elements go: its repeated choice, when it lies in one.
fn wild_group(
    p: &Particle,
    in_many: bool,
    groups: &HashMap<ElementId, usize>,
) -> Option<Option<usize>> {
    if is_group_choice(p, in_many) {
        return has_any(p).then(|| first_element(p).and_then(|e| groups.get(&e).copied()));
    }
    let in_many = in_many || p.max.is_many();
    match &p.term {
        Term::Any(_) => Some(None),
        Term::Element(_) => None,
        Term::Sequence(ps) | Term::Choice(ps) | Term::All(ps) => {
            ps.iter().find_map(|c| wild_group(c, in_many, groups))
        }
    }
}

/// Whether a particle holds a wildcard (`xs:any`).
fn has_any(p: &Particle) -> bool {
    match &p.term {
        Term::Any(_) => true,
        Term::Element(_) => false,
        Term::Sequence(ps) | Term::Choice(ps) | Term::All(ps) => ps.iter().any(has_any),
    }
}

/// Whether a content model has a wildcard (`xs:any`): [`TypeInfo::wildcard`], from a body.
pub fn has_wildcard(body: &Body) -> bool {
    matches!(body, Body::Elements { particle, .. } if has_any(particle))
}

/// For the view of one occurrence of a choice (a content that is one choice, once): which
/// branch each slot belongs to. Empty for any other content.
fn branches(
    particle: &Particle,
    slot_of: &HashMap<ElementId, usize>,
    group_of: &HashMap<ElementId, usize>,
    slot_count: usize,
) -> Vec<usize> {
    let Term::Choice(ps) = &particle.term else {
        return Vec::new();
    };
    if particle.max != MaxOccurs::Bounded(1) || particle.min != 1 {
        return Vec::new();
    }
    // Branches of nested choices count as branches of their own.
    fn flat<'p>(ps: &'p [Particle], out: &mut Vec<&'p Particle>) {
        for c in ps {
            match &c.term {
                Term::Choice(inner) if !c.max.is_many() => flat(inner, out),
                _ => out.push(c),
            }
        }
    }
    let mut branches = Vec::new();
    flat(ps, &mut branches);
    let mut b = vec![usize::MAX; slot_count];
    for (bi, c) in branches.into_iter().enumerate() {
        let mut elems = Vec::new();
        collect(c, false, false, &mut elems);
        for f in elems {
            let slot = match f {
                Found::Element(e, _, _, _) => slot_of.get(&e).copied(),
                Found::Group(g, _) => first_element(g).and_then(|e| group_of.get(&e).copied()),
            };
            if let Some(s) = slot
                && b[s] == usize::MAX
            {
                b[s] = bi;
            }
        }
    }
    b
}

/// Whether a content model has a wildcard outside its repeated choices (those take `$xml` in
/// their items): whether its own object may have a `$xml`.
fn own_wildcard(p: &Particle, in_many: bool) -> bool {
    if is_group_choice(p, in_many) {
        return false;
    }
    let in_many = in_many || p.max.is_many();
    match &p.term {
        Term::Any(_) => true,
        Term::Sequence(ps) | Term::Choice(ps) | Term::All(ps) => {
            ps.iter().any(|c| own_wildcard(c, in_many))
        }
        Term::Element(_) => false,
    }
}

/// Whether a content model's own wildcard must hold something (`$xml` is then required): it lies
/// on a path of required sequences, outside choices and repeated groups, as the writer checks.
pub fn wildcard_required(p: &Particle) -> bool {
    p.min > 0
        && match &p.term {
            Term::Any(_) => true,
            Term::Sequence(ps) | Term::All(ps) => {
                !p.max.is_many() && ps.iter().any(wildcard_required)
            }
            Term::Choice(_) | Term::Element(_) => false,
        }
}

fn collect<'p>(p: &'p Particle, many: bool, in_choice: bool, out: &mut Vec<Found<'p>>) {
    collect_in(p, many, in_choice, &mut Vec::new(), out)
}

fn collect_in<'p>(
    p: &'p Particle,
    many: bool,
    in_choice: bool,
    path: &mut Vec<(usize, usize)>,
    out: &mut Vec<Found<'p>>,
) {
    if is_group_choice(p, many) {
        out.push(Found::Group(p, in_choice));
        return;
    }
    let many = many || p.max.is_many();
    match &p.term {
        Term::Element(e) => out.push(Found::Element(*e, many, in_choice, path.clone())),
        Term::Sequence(ps) | Term::All(ps) => ps
            .iter()
            .for_each(|c| collect_in(c, many, in_choice, path, out)),
        Term::Choice(ps) => {
            // The choice is known by its address while the content model is walked.
            let id = p as *const Particle as usize;
            for (b, c) in ps.iter().enumerate() {
                path.push((id, b));
                collect_in(c, many, in_choice || ps.len() > 1, path, out);
                path.pop();
            }
        }
        Term::Any(_) => {}
    }
}

/// Element -> slot, first element of a repeated choice -> slot, and which slots are shared.
type Slots<'a> = (
    &'a HashMap<ElementId, usize>,
    &'a HashMap<ElementId, usize>,
    &'a [bool],
);

/// Collects required slots and required single-element choices of a content model.
fn walk(
    p: &Particle,
    required: bool,
    in_many: bool,
    maps: Slots,
    out: &mut Vec<usize>,
    choices: &mut Vec<Vec<usize>>,
) {
    let (slots, groups, shared) = maps;
    if is_group_choice(p, in_many) {
        if required
            && p.min > 0
            && !in_many
            && let Some(i) = first_element(p).and_then(|e| groups.get(&e))
        {
            out.push(*i);
        }
        return;
    }
    let required = required && p.min > 0;
    let in_many = in_many || p.max.is_many();
    match &p.term {
        Term::Element(e) => {
            if let (true, Some(&i)) = (required, slots.get(e)) {
                out.push(i);
            }
        }
        Term::Sequence(ps) | Term::All(ps) => ps
            .iter()
            .for_each(|c| walk(c, required && !p.max.is_many(), in_many, maps, out, choices)),
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
                // A shared slot's items may belong to another particle: no count to check.
                if keys.len() == ps.len() && !keys.iter().any(|&k| shared[k]) {
                    choices.push(keys);
                }
            }
            ps.iter()
                .for_each(|c| walk(c, false, in_many, maps, out, choices));
        }
        Term::Choice(ps) => ps
            .iter()
            .for_each(|c| walk(c, required, in_many, maps, out, choices)),
        Term::Any(_) => {}
    }
}
