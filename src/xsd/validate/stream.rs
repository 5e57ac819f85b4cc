//! Validation in the pull parser's pass, with no tree: the start tags, text and end tags of one
//! element's subtree, as they are read, checked against the schema ([`Stepper`]).
//!
//! A stepper only ever says "valid" where [`Validator::validate_element`] finds no violation:
//! on a violation, and on what it does not take on, it stops with [`Unproven`] and the tree
//! validator decides (and words the violation, its path and rule). What the stream takes on:
//! content models (flat sequences and choices stepped as positions, the counting automaton
//! otherwise, substitution groups), attributes (uses, required ones, `anyAttribute` with its
//! processContents, the `xsi:` ones), `xsi:type` and `xsi:nil`, simple values (the text-check
//! plans, the general path otherwise, element defaults), IDs and IDREFs (kept across the
//! element). What it leaves to the tree: elements a wildcard takes, identity constraints,
//! fixed values, IDs inside lists and unions.

use std::collections::HashSet;

use super::automaton::{self, Leaf, State};
use super::context::{Ctx, MAX_DEPTH};
use super::instance::{is_true, same};
use super::prepare::{ContentModel, Validator};
use super::wildcard::ns_allowed;
use crate::xsd::model::*;
use crate::xsd::value::{self, Value, is_xml_space, normalize};

/// What a stepper reads of the start tag just read, and of the scope it is in.
pub trait Tag {
    /// The local name of the start tag.
    fn local(&self) -> &str;
    /// Its namespace (empty for none).
    fn ns(&self) -> &str;
    /// Its attribute `i` (namespace declarations aside): namespace (empty for none), local
    /// name and value, normalized as XML says; `None` past the last.
    fn attribute_at(&self, i: usize) -> Option<(&str, &str, &str)>;
    /// The namespace `prefix` (`None`: the default one) is bound to where the parser is.
    fn namespace(&self, prefix: Option<&str>) -> Option<&str>;
    /// A number naming where the start tag's namespace comes from (the declaration its prefix
    /// resolves through, or none), never naming another namespace while the stepper is shown
    /// this parser's items, so a stepper may remember what it found for it; 0 (the default):
    /// not named, the namespace is looked at each time.
    fn ns_stamp(&self) -> u64 {
        0
    }
}

/// Why a stepper leaves an element to the tree validator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, thiserror::Error)]
pub enum Unproven {
    /// Is raised when the element violates the schema (the tree validator says how).
    #[error("the element violates the schema")]
    Violation,
    /// Is raised when a wildcard takes a child element.
    #[error("a wildcard takes a child element")]
    Wildcard,
    /// Is raised when a declaration has identity constraints (`unique`, `key`, `keyref`).
    #[error("identity constraints")]
    Identity,
    /// Is raised when an element or attribute declaration has a fixed value.
    #[error("a fixed value")]
    Fixed,
    /// Is raised when a list or union value may hold IDs or IDREFs.
    #[error("IDs or IDREFs in a list or union")]
    IdInList,
    /// Is raised when part of what the tree validator checks is not read in the stream (a
    /// second Body element of the message's name).
    #[error("a part of the answer the stream does not read")]
    Unread,
}

/// How the element open at one level is checked.
enum Frame<'s> {
    /// Simple-typed content: its text, gathered in `Stepper::text`, checked at the end.
    Text { t: TypeId, default: Option<&'s str> },
    /// Empty content: no element, no text unless mixed.
    Empty { mixed: bool },
    /// A nilled element: nothing at all.
    Nilled,
    /// Element content: the children stepped through the content model of `t`, as a position
    /// of its flat form (`at`) until one does not match it, then as automaton `states`.
    Elements {
        t: TypeId,
        mixed: bool,
        at: Option<(u32, u32)>,
        general: bool,
        states: Vec<State>,
    },
}

/// One element's subtree checked as it is read: [`Stepper::start`], [`Stepper::text`] and
/// [`Stepper::end`] for each item, in document order, from the element's own start tag to
/// its end tag.
pub struct Stepper<'s> {
    v: Validator<'s>,
    /// The declaration of the element the stepper was made for.
    root: ElementId,
    frames: Vec<Frame<'s>>,
    /// The text of the innermost element, when it is simple-typed.
    text: String,
    ids: HashSet<String>,
    idrefs: Vec<String>,
    /// The general automaton's working sets.
    next: Vec<(State, Leaf)>,
    merged: Vec<State>,
    scratch: automaton::Scratch,
    /// The last start tag's [`Tag::ns_stamp`] and the index of its namespace among the flat
    /// models' ones.
    ns_seen: (u64, u32),
}

impl<'s> Stepper<'s> {
    /// A stepper for an element of declaration `decl`, its start tag not yet shown.
    pub fn new(v: Validator<'s>, decl: ElementId) -> Stepper<'s> {
        Stepper {
            v,
            root: decl,
            frames: Vec::new(),
            text: String::new(),
            ids: HashSet::new(),
            idrefs: Vec::new(),
            next: Vec::new(),
            merged: Vec::new(),
            scratch: automaton::Scratch::default(),
            ns_seen: (0, 0),
        }
    }

    /// The schema it checks against.
    pub fn schema(&self) -> &'s Schema {
        self.v.schema
    }

    /// A start tag: the element's own (first), or a child of the innermost open element.
    pub fn start(&mut self, tag: &impl Tag) -> Result<(), Unproven> {
        let decl = match self.frames.last_mut() {
            None => self.root,
            Some(Frame::Elements {
                t,
                at,
                general,
                states,
                ..
            }) => {
                let t = *t;
                let (ns, local) = (tag.ns(), tag.local());
                let Some(ContentModel {
                    automaton: Ok(model),
                    flat,
                }) = self.v.content_model(t)
                else {
                    return Err(Unproven::Violation);
                };
                let flat = flat.as_ref();
                let mut found = None;
                if !*general && let Some(flat) = flat {
                    let stamp = tag.ns_stamp();
                    let nsi = if stamp != 0 && self.ns_seen.0 == stamp {
                        self.ns_seen.1
                    } else {
                        let nsi = self
                            .v
                            .c
                            .namespaces
                            .iter()
                            .position(|n| same(n, ns))
                            .map_or(u32::MAX, |i| i as u32);
                        self.ns_seen = (stamp, nsi);
                        nsi
                    };
                    match flat.step(*at, nsi, local) {
                        Some(next) => {
                            *at = Some(next);
                            found = Some(flat.leaves[next.0 as usize].decl);
                        }
                        None => {
                            *general = true;
                            states.push(flat.state(model, *at));
                        }
                    }
                } else if !*general {
                    *general = true;
                    states.push(State::new());
                }
                match found {
                    Some(d) => d,
                    None => {
                        let v = &self.v;
                        let (next, merged, scratch) =
                            (&mut self.next, &mut self.merged, &mut self.scratch);
                        step_general(v, model, states, ns, local, next, merged, scratch)?
                    }
                }
            }
            Some(_) => return Err(Unproven::Violation),
        };
        self.element(tag, decl)
    }

    /// A piece of text (character data, a CDATA section or a reference) in the innermost
    /// open element.
    pub fn text(&mut self, s: &str) -> Result<(), Unproven> {
        match self.frames.last() {
            Some(Frame::Text { .. }) => {
                self.text.push_str(s);
                Ok(())
            }
            Some(Frame::Elements { mixed: false, .. }) if !s.chars().all(is_xml_space) => {
                Err(Unproven::Violation)
            }
            Some(Frame::Empty { mixed: false }) if !s.is_empty() => Err(Unproven::Violation),
            Some(Frame::Nilled) => Err(Unproven::Violation),
            _ => Ok(()),
        }
    }

    /// The end tag of the innermost open element (`tag` gives the scope it closes, for QName
    /// values); `true` when it is the element's own: the whole element is valid.
    pub fn end(&mut self, tag: &impl Tag) -> Result<bool, Unproven> {
        match self.frames.pop() {
            None => return Err(Unproven::Violation),
            Some(Frame::Text { t, default }) => {
                let text = std::mem::take(&mut self.text);
                let raw = match default {
                    Some(d) if text.is_empty() => d,
                    _ => text.as_str(),
                };
                let result = self.value_ok(t, raw, tag);
                self.text = text;
                self.text.clear();
                result?;
            }
            Some(Frame::Elements {
                t,
                at,
                general,
                states,
                ..
            }) => {
                let Some(ContentModel {
                    automaton: Ok(model),
                    flat,
                }) = self.v.content_model(t)
                else {
                    return Err(Unproven::Violation);
                };
                let accepts = match (general, flat.as_ref(), at) {
                    (true, _, _) => states.iter().any(|s| model.accepts(s)),
                    (false, Some(flat), Some((i, c))) => {
                        (c >= flat.leaves[i as usize].min && flat.tail_nullable[i as usize])
                            || model.accepts(&flat.state(model, at))
                    }
                    (false, _, _) => model.accepts(&State::new()),
                };
                self.scratch.pool.extend(states);
                if !accepts {
                    return Err(Unproven::Violation);
                }
            }
            Some(Frame::Empty { .. } | Frame::Nilled) => {}
        }
        if !self.frames.is_empty() {
            return Ok(false);
        }
        if self.idrefs.iter().any(|r| !self.ids.contains(r)) {
            return Err(Unproven::Violation);
        }
        Ok(true)
    }

    /// The start tag of an element of declaration `decl`: the declaration, `xsi:type`,
    /// `xsi:nil`, the attributes, then the frame its content is checked in.
    fn element(&mut self, tag: &impl Tag, decl: ElementId) -> Result<(), Unproven> {
        let schema = self.v.schema;
        if self.frames.len() > MAX_DEPTH {
            return Err(Unproven::Violation);
        }
        let d = schema.element(decl);
        if d.is_abstract {
            return Err(Unproven::Violation);
        }
        if !d.identity().is_empty() {
            return Err(Unproven::Identity);
        }
        if d.fixed_value().is_some() {
            return Err(Unproven::Fixed);
        }
        let mut t = d.type_id;
        let mut nilled = false;
        if tag.attribute_at(0).is_some() {
            if let Some(raw) = attribute(tag, XSI, "type") {
                t = self.xsi_type(tag, raw, d)?;
            }
            if let Some(nil) = attribute(tag, XSI, "nil") {
                match is_true(nil) {
                    None => return Err(Unproven::Violation),
                    Some(_) if !d.nillable => return Err(Unproven::Violation),
                    Some(nil) => nilled = nil,
                }
            }
        }
        let default = d.default_value();
        let frame = match &schema.ty(t).kind {
            TypeKind::Simple(_) => {
                self.attributes(tag, None)?;
                Frame::Text { t, default }
            }
            TypeKind::Complex(ct) => {
                if ct.is_abstract {
                    return Err(Unproven::Violation);
                }
                self.attributes(tag, Some(ct))?;
                match &ct.content {
                    Content::Empty => Frame::Empty { mixed: ct.mixed },
                    Content::Simple(st) => Frame::Text { t: *st, default },
                    Content::Elements(_) => Frame::Elements {
                        t,
                        mixed: ct.mixed,
                        at: None,
                        general: false,
                        states: Vec::new(),
                    },
                }
            }
        };
        self.frames.push(if nilled { Frame::Nilled } else { frame });
        Ok(())
    }

    /// The type an `xsi:type` value names in place of the declared one, when it may.
    fn xsi_type(&self, tag: &impl Tag, raw: &str, d: &Element) -> Result<TypeId, Unproven> {
        let r = resolver(tag);
        // Looked up, not interned: a name no table holds names no type.
        let q = match value::parse(Primitive::QName, "QName", raw.trim(), &r) {
            Ok(Value::QName(ns, local)) => {
                QName::find(if is_xs_ns(&ns) { XS } else { &ns }, &local)
            }
            _ => return Err(Unproven::Violation),
        };
        let Some(&xt) = q.and_then(|q| self.v.schema.global_types.get(&q)) else {
            return Err(Unproven::Violation);
        };
        if !self.v.validly_derived(xt, d.type_id) || self.v.blocked(xt, d.type_id, d.block) {
            return Err(Unproven::Violation);
        }
        Ok(xt)
    }

    /// The attributes of a start tag against a complex type's uses and wildcard (`None`: a
    /// simple type, which has none).
    fn attributes(&mut self, tag: &impl Tag, ct: Option<&'s ComplexType>) -> Result<(), Unproven> {
        let required = ct.is_some_and(|ct| ct.attributes.iter().any(|u| u.required));
        if tag.attribute_at(0).is_none() && !required {
            return Ok(());
        }
        let mut id_attributes = 0;
        for i in 0.. {
            let Some((ns, local, value)) = tag.attribute_at(i) else {
                break;
            };
            if ns == XSI {
                match local {
                    "type" | "nil" | "schemaLocation" | "noNamespaceSchemaLocation" => continue,
                    _ => return Err(Unproven::Violation),
                }
            }
            let use_ = ct.and_then(|ct| {
                ct.attributes
                    .iter()
                    .find(|u| same(&u.name.local, local) && same(&u.name.ns, ns))
            });
            let decl = match use_ {
                Some(u) => u,
                None => match self.undeclared_attribute(ct, ns, local)? {
                    Some(g) => g,
                    None => continue,
                },
            };
            if self.v.c.id_kind[decl.type_id.0 as usize] == 1 {
                id_attributes += 1;
                if id_attributes == 2 {
                    return Err(Unproven::Violation);
                }
            }
            if decl.fixed.is_some() {
                return Err(Unproven::Fixed);
            }
            self.value_ok(decl.type_id, value, tag)?;
        }
        if let Some(ct) = ct {
            for u in ct.attributes.iter().filter(|u| u.required) {
                if attribute(tag, &u.name.ns, &u.name.local).is_none() {
                    return Err(Unproven::Violation);
                }
            }
        }
        Ok(())
    }

    /// The global declaration an attribute without a use is checked by (`None`: not checked),
    /// as the type's `anyAttribute` says.
    fn undeclared_attribute(
        &self,
        ct: Option<&'s ComplexType>,
        ns: &str,
        local: &str,
    ) -> Result<Option<&'s AttributeUse>, Unproven> {
        let schema = self.v.schema;
        match ct.and_then(|ct| ct.any_attribute.as_ref()) {
            Some(w) if ns_allowed(w, ns) => {
                let global = QName::find(ns, local).and_then(|q| schema.global_attributes.get(&q));
                match (w.process, global) {
                    (ProcessContents::Skip, _) => Ok(None),
                    (_, Some(g)) => Ok(Some(g)),
                    (ProcessContents::Lax, None) => Ok(None),
                    (ProcessContents::Strict, None) if ns == XML => Ok(None),
                    (ProcessContents::Strict, None) => Err(Unproven::Violation),
                }
            }
            _ => Err(Unproven::Violation),
        }
    }

    /// A simple value (`raw`, read where `tag` is) of type `t`: the type's text-check plan, else
    /// the general path; an ID or IDREF recorded.
    fn value_ok(&mut self, t: TypeId, raw: &str, tag: &impl Tag) -> Result<(), Unproven> {
        if self.v.text_ok(t, raw) {
            return Ok(());
        }
        let kind = self.v.c.id_kind[t.0 as usize];
        let atomic = match &self.v.schema.ty(t).kind {
            TypeKind::Simple(st) => matches!(st.variety, Variety::Atomic).then_some(st),
            TypeKind::Complex(_) => None,
        };
        if atomic.is_none() && !self.id_free(t, 0) {
            return Err(Unproven::IdInList);
        }
        let r = resolver(tag);
        self.v
            .simple_value(t, raw, &r, None, &mut Ctx::new())
            .map_err(|_| Unproven::Violation)?;
        if let Some(st) = atomic {
            let lexical = || normalize(raw, st.facets.white_space).into_owned();
            match kind {
                1 if !self.ids.insert(lexical()) => return Err(Unproven::Violation),
                2 => self.idrefs.push(lexical()),
                _ => {}
            }
        }
        Ok(())
    }

    /// Whether no value of `t` (a list or union, through its items and members) is an ID or
    /// an IDREF.
    fn id_free(&self, t: TypeId, depth: usize) -> bool {
        if depth > 16 {
            return false;
        }
        match &self.v.schema.ty(t).kind {
            TypeKind::Simple(st) => match &st.variety {
                Variety::Atomic => self.v.c.id_kind[t.0 as usize] == 0,
                Variety::List(item) => self.id_free(*item, depth + 1),
                Variety::Union(members) => members.iter().all(|&m| self.id_free(m, depth + 1)),
            },
            TypeKind::Complex(_) => true,
        }
    }
}

/// A child named (`ns`, `local`) stepped through `model` from `states` (every state the children
/// so far lead to, replaced by those after it): the declaration it is attributed to.
#[allow(clippy::too_many_arguments)]
fn step_general(
    v: &Validator,
    model: &automaton::Automaton,
    states: &mut Vec<State>,
    ns: &str,
    local: &str,
    next: &mut Vec<(State, Leaf)>,
    merged: &mut Vec<State>,
    scratch: &mut automaton::Scratch,
) -> Result<ElementId, Unproven> {
    let mut attributed: Option<ElementId> = None;
    let mut leaf_found: Option<Leaf> = None;
    scratch.pool.append(merged);
    for state in states.iter() {
        model.step_with(
            state,
            &mut |leaf| match leaf {
                Leaf::Element(e) => match v.matches_decl(e, ns, local) {
                    Some(m) => {
                        attributed.get_or_insert(m);
                        true
                    }
                    None => false,
                },
                Leaf::Any(w) => ns_allowed(&model.wildcards[w as usize], ns),
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
    std::mem::swap(states, merged);
    match leaf_found {
        None => Err(Unproven::Violation),
        Some(Leaf::Any(_)) => Err(Unproven::Wildcard),
        Some(Leaf::Element(_)) => attributed.ok_or(Unproven::Violation),
    }
}

/// The value of a start tag's attribute `local` in namespace `ns`.
fn attribute<'t>(tag: &'t impl Tag, ns: &str, local: &str) -> Option<&'t str> {
    (0..)
        .map_while(|i| tag.attribute_at(i))
        .find(|(n, l, _)| *n == ns && *l == local)
        .map(|(_, _, v)| v)
}

/// The namespace a prefix is bound to where `tag` is (`xml` always), for QName values.
fn resolver(tag: &impl Tag) -> impl Fn(Option<&str>) -> Option<String> + '_ {
    move |prefix| match prefix {
        Some("xml") => Some(XML.to_string()),
        p => tag.namespace(p).map(str::to_string),
    }
}
