//! Schema-valid sample values: the mock's answers, generated examples, and the round-trip
//! property tests' inputs. Deterministic for a seed: seed 0 gives the "full" sample (every
//! optional field present, the first choice branch, one item per array); other seeds vary
//! optional fields, choice branches, array lengths and string contents. A walk ([`Sampler::walk`])
//! is a sampler kept across several samples that turns every choice, optional particle, optional
//! attribute, array length (1, 3, 0) and nil in turn, so a few samples cover each branch once.
//! Every `xs:ID` a sampler draws is new (`id1`, `id2`, ...) and the IDREFs of a value name its
//! first ID, so samples keep IDs unique and IDREFs resolved.

use std::collections::HashMap;

use serde_json::{Map, Number, Value};

use crate::convert::encode::Encoder;
use crate::convert::model::{Body, JsonModel, TypeInfo, first_element, is_group_choice};
use crate::convert::operation::BodyLayout;
use crate::convert::simple::{Json, json_kind};
use crate::mapping::naming::{TEXT_KEY, XML_KEY};
use crate::xsd::*;

/// How deep a sample nests at most.
const MAX_DEPTH: usize = 24;

pub struct Sampler<'m> {
    schema: &'m Schema,
    model: &'m JsonModel,
    state: u64,
    full: bool,
    depth: usize,
    /// Walk mode: (site, what) -> (visits, alternatives); `None` for a seeded sampler.
    walk: Option<HashMap<(usize, u8), (u32, u32)>>,
    /// Sampling the items of an xs:list, which cannot hold whitespace.
    in_list: bool,
    /// The next particle is taken even when optional (a repeated choice's chosen branch).
    force: bool,
    /// The `xs:ID`s drawn so far (`id1`, `id2`, ...): each one is new.
    ids: u32,
    /// The first ID of the value being drawn, which its IDREFs name.
    first_id: Option<u32>,
}

/// What an IDREF is drawn as until the value is complete and its first ID known.
const IDREF: &str = "idrefToResolve";

/// Replaces the IDREF placeholders of a value (also inside raw XML) with `target`.
fn resolve(v: &mut Value, target: &str) {
    match v {
        Value::String(s) if s.contains(IDREF) => *s = s.replace(IDREF, target),
        Value::Array(items) => items.iter_mut().for_each(|i| resolve(i, target)),
        Value::Object(o) => o.values_mut().for_each(|i| resolve(i, target)),
        _ => {}
    }
}

/// The namespace of the elements sampled for a wildcard that takes other namespaces.
const SAMPLE_NS: &str = "urn:soapbridge:sample";

/// What a walk turns at a site.
const CHOICE: u8 = 0;
const OPTIONAL: u8 = 1;
const COUNT: u8 = 2;
const NIL: u8 = 3;
const ATTRIBUTE: u8 = 4;
/// The alternative a two-way turn takes once: absent, nil.
const ONCE: usize = 1;

impl<'m> Sampler<'m> {
    pub fn new(schema: &'m Schema, model: &'m JsonModel, seed: u64) -> Sampler<'m> {
        Sampler {
            schema,
            model,
            state: seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407)
                | 1,
            full: seed == 0,
            depth: 0,
            walk: None,
            in_list: false,
            force: false,
            ids: 0,
            first_id: None,
        }
    }

    /// A sampler for a series of samples that together take every branch: each choice, optional
    /// particle or attribute, array length (1, 3 then 0 items) and nillable element takes its next
    /// alternative at each visit, so the first sample is the fullest and later ones take the
    /// remaining branches. Simple values still vary with `seed`. Call [`Sampler::value`] until
    /// [`Sampler::covered`] (or a budget) says stop.
    pub fn walk(schema: &'m Schema, model: &'m JsonModel, seed: u64) -> Sampler<'m> {
        let mut s = Sampler::new(schema, model, seed);
        s.full = false;
        s.walk = Some(HashMap::new());
        s
    }

    /// Walk mode: every site met so far has taken each of its alternatives.
    pub fn covered(&self) -> bool {
        self.walk
            .as_ref()
            .is_none_or(|w| w.values().all(|(visits, n)| visits >= n))
    }

    /// Walk mode: (sites met, of which still with alternatives not taken), by kind of turn
    /// (choice, optional, count, nil, attribute).
    pub fn coverage(&self) -> [(usize, usize); 5] {
        let mut out = [(0, 0); 5];
        for ((_, what), (visits, n)) in self.walk.iter().flatten() {
            let slot = &mut out[*what as usize];
            slot.0 += 1;
            if visits < n {
                slot.1 += 1;
            }
        }
        out
    }

    /// Walk mode: the alternative (of `n`) a site takes at this visit, in turn; `None` when not
    /// walking. Two-way turns (optional, nil, attribute) take their second alternative once
    /// ([`ONCE`]) and then stay with the first, so what lies inside keeps being visited.
    fn turn<T>(&mut self, site: &T, what: u8, n: u32) -> Option<usize> {
        let w = self.walk.as_mut()?;
        let e = w.entry((site as *const T as usize, what)).or_insert((0, n));
        let i = if n == 2 {
            usize::from(e.0 == 1)
        } else {
            (e.0 % n.max(1)) as usize
        };
        e.0 += 1;
        Some(i)
    }

    fn next(&mut self) -> u64 {
        // xorshift64*
        let mut x = self.state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state = x;
        x.wrapping_mul(0x2545F4914F6CDD1D)
    }

    fn pick(&mut self, n: usize) -> usize {
        if self.full || n <= 1 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    /// A value for one direction's Body: the element's content, or an object of the parts.
    pub fn message(&mut self, layout: &BodyLayout) -> Value {
        self.first_id = None;
        let mut v = match layout {
            BodyLayout::Element { type_id, .. } => self.draw(*type_id),
            BodyLayout::Parts { parts, .. } => Value::Object(
                parts
                    .iter()
                    .map(|p| (p.key.clone(), self.draw(p.type_id)))
                    .collect(),
            ),
        };
        self.resolve_idrefs(&mut v);
        v
    }

    /// A value for an element of type `t`. Its `xs:ID`s differ from every other this sampler
    /// drew, and its `IDREF`s name its first ID (or, when it has none, the last one drawn).
    pub fn value(&mut self, t: TypeId) -> Value {
        self.first_id = None;
        let mut v = self.draw(t);
        self.resolve_idrefs(&mut v);
        v
    }

    /// The IDREFs of a value just drawn (placeholders until now) name the value's first ID.
    fn resolve_idrefs(&mut self, v: &mut Value) {
        let target = format!("id{}", self.first_id.unwrap_or(self.ids.max(1)));
        resolve(v, &target);
    }

    /// A value for an element of type `t`, with IDREFs still to resolve.
    fn draw(&mut self, t: TypeId) -> Value {
        match &self.schema.ty(t).kind {
            TypeKind::Simple(st) => self.simple(t, st),
            TypeKind::Complex(_) => self.complex(t),
        }
    }

    fn complex(&mut self, t: TypeId) -> Value {
        if t == TypeId(0) {
            return Value::String("sample".into());
        }
        if self.depth >= MAX_DEPTH {
            // Only a type that requires itself gets here (optional content stops at depth 4):
            // no finite value exists, so stop with one the writer refuses, not a stack overflow.
            return Value::Object(Map::new());
        }
        if let TypeKind::Complex(ct) = &self.schema.ty(t).kind
            && ct.is_abstract
        {
            // An abstract type: a value of one of its concrete derived types, named by `$type`.
            let mut concrete = Vec::new();
            let mut stack = vec![t];
            while let Some(x) = stack.pop() {
                for &d in self.schema.derived.get(&x).into_iter().flatten() {
                    if concrete.len() + stack.len() > 1000 {
                        break;
                    }
                    stack.push(d);
                    if let (TypeKind::Complex(dc), Some(q)) =
                        (&self.schema.ty(d).kind, &self.schema.ty(d).name)
                        && !dc.is_abstract
                    {
                        concrete.push((d, q.local.to_string()));
                    }
                }
            }
            concrete.sort();
            if !concrete.is_empty() {
                let (d, name) = concrete.swap_remove(self.pick(concrete.len()));
                let mut v = self.complex(d);
                if let Value::Object(o) = &mut v {
                    o.insert(
                        crate::mapping::naming::TYPE_KEY.to_string(),
                        Value::String(name),
                    );
                }
                return v;
            }
        }
        if let TypeKind::Complex(ct) = &self.schema.ty(t).kind
            && let Some(item) = ct.array_of
        {
            // A SOAP-encoded array.
            let want = self.count(ct);
            let n = if self.depth > 4 { 0 } else { want };
            self.depth += 1;
            let items = (0..n).map(|_| self.draw(item)).collect();
            self.depth -= 1;
            return Value::Array(items);
        }
        let model: &'m JsonModel = self.model;
        let Some(info) = model.info(t) else {
            return Value::Null;
        };
        self.depth += 1;
        let mut obj = Map::new();
        for a in &info.attrs {
            let present = a.required
                || self.full
                || a.default.is_some()
                || match self.turn(a, ATTRIBUTE, 2) {
                    Some(i) => i == 0,
                    None => self.pick(2) == 0,
                };
            if present {
                let v = match &a.fixed {
                    Some(f) => crate::convert::simple::to_json(self.schema, a.type_id, f)
                        .unwrap_or(Value::String(f.clone())),
                    None => self.draw(a.type_id),
                };
                obj.insert(a.key.clone(), v);
            }
        }
        match &info.body {
            Body::Empty => {}
            Body::Text(st) => {
                let v = self.draw(*st);
                if info.attrs.is_empty() {
                    self.depth -= 1;
                    return v;
                }
                obj.insert(TEXT_KEY.to_string(), v);
            }
            Body::Elements { particle, .. } => {
                self.particle(info, particle, &mut obj, false);
            }
        }
        self.depth -= 1;
        if model.list(t).is_some() {
            // A list wrapper the mapping unwraps: the array of its items in place of the object.
            return obj
                .into_iter()
                .next()
                .map_or(Value::Array(Vec::new()), |(_, v)| v);
        }
        Value::Object(obj)
    }

    /// Fills `obj` with the keys of particle `p` of `info`'s content (`in_many`: inside a
    /// repeated group, where elements are arrays).
    fn particle(
        &mut self,
        info: &'m TypeInfo,
        p: &'m Particle,
        obj: &mut Map<String, Value>,
        in_many: bool,
    ) {
        let forced = std::mem::take(&mut self.force);
        if self.leaves_out(p, in_many, forced) {
            return;
        }
        if is_group_choice(p, in_many)
            && let Some(&slot_i) = first_element(p).and_then(|e| info.group_of.get(&e))
            && let Body::Elements { slots, .. } = &info.body
            && let Some(group) = slots[slot_i].group.as_deref()
            && let Body::Elements { particle: once, .. } = &group.body
        {
            let items = self.repeated_choice(p, group, once);
            match obj.get_mut(&slots[slot_i].key) {
                Some(Value::Array(a)) => a.extend(items),
                _ => {
                    obj.insert(slots[slot_i].key.clone(), Value::Array(items));
                }
            }
            return;
        }
        match &p.term {
            Term::Element(e) => self.element_particle(info, p, *e, obj, in_many),
            Term::Sequence(ps) | Term::All(ps) => {
                let many = in_many || p.max.is_many();
                for c in ps {
                    self.particle(info, c, obj, many);
                }
            }
            Term::Choice(ps) => {
                if ps.is_empty() {
                    return;
                }
                let i = match self.turn(p, CHOICE, ps.len() as u32) {
                    Some(i) => i,
                    None => self.pick(ps.len()),
                };
                self.particle(info, &ps[i], obj, in_many || p.max.is_many());
            }
            Term::Any(w) => self.wildcard(w, obj),
        }
    }

    /// Whether an optional particle is left out: deep down (recursive types), and as the seed
    /// varies it (or, walking, at its turn; a repeated element's turn is its number of items).
    /// A particle `forced` (a repeated choice's chosen branch) is always taken.
    fn leaves_out(&mut self, p: &'m Particle, in_many: bool, forced: bool) -> bool {
        if p.min != 0 || forced {
            return false;
        }
        if self.depth > 4 {
            return true;
        }
        if self.full {
            return false;
        }
        let repeated = p.max.is_many() || in_many;
        match self.walk {
            Some(_) if repeated && matches!(p.term, Term::Element(_)) => false,
            Some(_) => self.turn(p, OPTIONAL, 2) == Some(ONCE),
            None => self.pick(3) == 0,
        }
    }

    /// How many items a repeated site gets: 1 in the full sample, else 1, 3 then 0 in turn
    /// (walking), or 0, 1 or 3 as the seed says.
    fn count<T>(&mut self, site: &T) -> usize {
        if self.full {
            1
        } else if let Some(i) = self.turn(site, COUNT, 3) {
            [1, 3, 0][i]
        } else {
            [0, 1, 3][self.pick(3)]
        }
    }

    /// The items of a repeated choice `p` (`group`: the view of one occurrence, whose particle
    /// is `once`): one-branch objects, as many as the count says within the bounds.
    fn repeated_choice(
        &mut self,
        p: &'m Particle,
        group: &'m TypeInfo,
        once: &'m Particle,
    ) -> Vec<Value> {
        let max = match p.max {
            MaxOccurs::Bounded(m) => m as usize,
            MaxOccurs::Unbounded => usize::MAX,
        };
        let want = self.count(p);
        let min = p.min as usize;
        let n = want.clamp(min, max.max(min));
        let n = if self.depth > 4 { min.min(n) } else { n };
        let mut items = Vec::with_capacity(n);
        for _ in 0..n {
            let mut item = Map::new();
            // One branch, present (an empty item would say nothing).
            if let Term::Choice(ps) = &once.term
                && !ps.is_empty()
            {
                let i = match self.turn(once, CHOICE, ps.len() as u32) {
                    Some(i) => i,
                    None => self.pick(ps.len()),
                };
                self.force = true;
                self.particle(group, &ps[i], &mut item, false);
                self.force = false;
            }
            // An item that holds nothing (only empty arrays) would write nothing: left out.
            if item
                .values()
                .any(|v| !matches!(v, Value::Array(a) if a.is_empty()))
            {
                items.push(Value::Object(item));
            }
        }
        items
    }

    /// An element particle: its key's value, or items added to its array.
    fn element_particle(
        &mut self,
        info: &'m TypeInfo,
        p: &'m Particle,
        e: ElementId,
        obj: &mut Map<String, Value>,
        in_many: bool,
    ) {
        let (Some(&slot_i), Body::Elements { slots, .. }) = (info.by_element.get(&e), &info.body)
        else {
            return;
        };
        let (key, many) = (&slots[slot_i].key, slots[slot_i].many);
        let el = self.schema.element(e);
        let (ty, nillable) = (el.type_id, el.nillable);
        if many || in_many {
            let min = p.min as usize;
            let max = match p.max {
                MaxOccurs::Bounded(m) => m as usize,
                MaxOccurs::Unbounded => usize::MAX,
            };
            let want = self.count(p);
            let n =
                want.clamp(min, max.max(min))
                    .min(if self.depth > 4 { min } else { usize::MAX });
            let items: Vec<Value> = (0..n)
                .map(|_| self.element_value(e, ty, nillable))
                .collect();
            match obj.get_mut(key) {
                Some(Value::Array(a)) => a.extend(items),
                _ => {
                    obj.insert(key.clone(), Value::Array(items));
                }
            }
        } else if !obj.contains_key(key) {
            let v = self.element_value(e, ty, nillable);
            obj.insert(key.clone(), v);
        }
    }

    /// A wildcard: one element in a namespace it allows; for strict content a declared one (of
    /// a simple type), else a made-up one.
    fn wildcard(&mut self, w: &Wildcard, obj: &mut Map<String, Value>) {
        if obj.contains_key(XML_KEY) {
            return;
        }
        if w.process == ProcessContents::Strict {
            if let Some(xml) = self.declared_element(&w.namespaces) {
                obj.insert(XML_KEY.to_string(), Value::String(xml));
            }
            return;
        }
        let ns = match &w.namespaces {
            NamespaceConstraint::Any | NamespaceConstraint::Not(_) => Some(SAMPLE_NS),
            NamespaceConstraint::List(l) => l.first().map(String::as_str),
        };
        let Some(ns) = ns else { return };
        let xml = if ns.is_empty() {
            "<sample>sample</sample>".to_string()
        } else {
            format!(
                "<sample xmlns=\"{}\">sample</sample>",
                crate::xml::escape(ns, true)
            )
        };
        obj.insert(XML_KEY.to_string(), Value::String(xml));
    }

    /// A global element of a simple type in a namespace `allowed`, as XML that declares its
    /// own prefixes (the first such declaration, so the choice is deterministic).
    fn declared_element(&mut self, allowed: &NamespaceConstraint) -> Option<String> {
        let schema: &'m Schema = self.schema;
        let mut ids: Vec<ElementId> = schema.global_elements.values().copied().collect();
        ids.sort_by_key(|e| e.0);
        let e = ids.into_iter().find(|&id| {
            let el = schema.element(id);
            let ns = el.name.ns.as_str();
            !el.is_abstract
                && el.substitution_group.is_none()
                && matches!(schema.ty(el.type_id).kind, TypeKind::Simple(_))
                && match allowed {
                    NamespaceConstraint::Any => true,
                    NamespaceConstraint::Not(tns) => !ns.is_empty() && ns != tns,
                    NamespaceConstraint::List(l) => l.iter().any(|x| x == ns),
                }
        })?;
        let el = schema.element(e);
        let v = self.element_value(e, el.type_id, false);
        let mut enc = Encoder::new(schema, self.model);
        enc.element(&el.name, el.type_id, false, &v, "");
        let written = enc.finish().ok()?;
        let decls: String = written
            .declarations
            .iter()
            .map(|(p, uri)| format!(" xmlns:{p}=\"{}\"", crate::xml::escape(uri, true)))
            .collect();
        let xml = String::from_utf8(written.xml).ok()?;
        let name_end = xml[1..]
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .map_or(xml.len(), |i| i + 1);
        Some(format!("{}{decls}{}", &xml[..name_end], &xml[name_end..]))
    }

    fn element_value(&mut self, e: ElementId, t: TypeId, nillable: bool) -> Value {
        let schema: &'m Schema = self.schema;
        if let (Some(f), TypeKind::Simple(_)) =
            (schema.element(e).fixed_value(), &schema.ty(t).kind)
        {
            return crate::convert::simple::to_json(schema, t, f)
                .unwrap_or_else(|_| Value::String(f.to_string()));
        }
        if nillable && !self.full && self.model.nil_possible(t) {
            let nil = match self.walk {
                Some(_) => {
                    let schema: &'m Schema = self.schema;
                    self.turn(schema.element(e), NIL, 2) == Some(ONCE)
                }
                None => self.pick(4) == 0,
            };
            if nil {
                return Value::Null;
            }
        }
        self.draw(t)
    }

    fn simple(&mut self, t: TypeId, st: &SimpleType) -> Value {
        match &st.variety {
            Variety::List(item) => {
                let n = if self.full { 2 } else { 1 + self.pick(3) };
                let n = n
                    .max(st.facets.min_length.unwrap_or(0) as usize)
                    .min(st.facets.max_length.map_or(usize::MAX, |m| m as usize));
                let n = st.facets.length.map_or(n, |l| l as usize);
                let outer = std::mem::replace(&mut self.in_list, true);
                let items = (0..n).map(|_| self.draw(*item)).collect();
                self.in_list = outer;
                return Value::Array(items);
            }
            Variety::Union(members) => {
                let i = self.pick(members.len());
                return members
                    .get(i)
                    .map_or(Value::String("sample".into()), |m| self.draw(*m));
            }
            Variety::Atomic => {}
        }
        let f = &st.facets;
        if !f.enumeration.is_empty() {
            let i = self.pick(f.enumeration.len());
            return crate::convert::simple::to_json(self.schema, t, &f.enumeration[i])
                .unwrap_or_else(|_| Value::String(f.enumeration[i].clone()));
        }
        let local = self
            .schema
            .ty(st.base_builtin)
            .name
            .as_ref()
            .map_or("string", |q| q.local.as_str())
            .to_string();
        match json_kind(self.schema, st) {
            Json::Bool => Value::Bool(self.full || self.pick(2) == 0),
            Json::SmallInt | Json::BigInt | Json::Decimal => {
                let lo = f
                    .min_inclusive
                    .clone()
                    .or_else(|| f.min_exclusive.as_ref().map(|m| bump(m)));
                let hi = f.max_inclusive.clone();
                let base: i128 = if self.full {
                    42
                } else {
                    (self.next() % 1000) as i128
                };
                let lo_v = lo
                    .as_deref()
                    .and_then(|s| s.split('.').next()?.parse::<i128>().ok());
                let hi_v = hi
                    .as_deref()
                    .and_then(|s| s.split('.').next()?.parse::<i128>().ok());
                let mut v = base;
                if let Some(l) = lo_v {
                    v = v.max(l);
                }
                if let Some(h) = hi_v {
                    v = v.min(h);
                }
                if let Some(td) = f.total_digits {
                    let cap = 10i128.checked_pow(td.min(30)).unwrap_or(i128::MAX) - 1;
                    v = v.min(cap);
                }
                let frac = hi_v.is_none_or(|h| v < h)
                    && matches!(local.as_str(), "decimal")
                    && f.fraction_digits != Some(0)
                    && f.total_digits
                        .is_none_or(|t| t > v.to_string().len() as u32 + 1);
                let text = if frac && !self.full {
                    format!("{v}.5")
                } else if frac {
                    format!("{v}.25")
                } else {
                    v.to_string()
                };
                let text = if frac && f.fraction_digits == Some(1) {
                    format!("{v}.5")
                } else {
                    text
                };
                Value::Number(
                    serde_json::from_str::<Number>(&text).unwrap_or_else(|_| Number::from(0)),
                )
            }
            Json::Float => Value::Number(
                serde_json::from_str::<Number>(if self.full { "1.5" } else { "-0.25" })
                    .expect("valid"),
            ),
            Json::String => Value::String(self.string(&local, f)),
        }
    }

    fn string(&mut self, local: &str, f: &Facets) -> String {
        let s = match local {
            "dateTime" => "2024-01-15T09:30:00Z".to_string(),
            "date" => "2024-01-15".to_string(),
            "time" => "09:30:00".to_string(),
            "duration" => "P1DT2H".to_string(),
            "gYear" => "2024".to_string(),
            "gYearMonth" => "2024-01".to_string(),
            "gMonth" => "--01".to_string(),
            "gDay" => "---15".to_string(),
            "gMonthDay" => "--01-15".to_string(),
            "hexBinary" => "CAFE".to_string(),
            "base64Binary" => "c29hcGJyaWRnZQ==".to_string(),
            "anyURI" => "http://example.com/sample".to_string(),
            "language" => "en".to_string(),
            "boolean" => "true".to_string(),
            "QName" | "NOTATION" => "sample".to_string(),
            "ID" => {
                self.ids += 1;
                self.first_id.get_or_insert(self.ids);
                format!("id{}", self.ids)
            }
            "IDREF" => IDREF.to_string(),
            "NCName" | "Name" | "ENTITY" | "NMTOKEN" => {
                format!("id{}", if self.full { 1 } else { self.next() % 1000 })
            }
            _ => {
                if let Some(p) = f.patterns.iter().flatten().next() {
                    // The length facets too: the pattern's last character repeated, or cut.
                    let s = pattern_sample(p);
                    let min = f.length.or(f.min_length).unwrap_or(0) as usize;
                    let max = f.length.or(f.max_length).map_or(usize::MAX, |m| m as usize);
                    let mut s: String = s.chars().take(max).collect();
                    let pad = s.chars().last().unwrap_or('x');
                    while s.chars().count() < min {
                        s.push(pad);
                    }
                    return s;
                }
                let texts = [
                    "sample",
                    "O'Brien & Sons <Ltd>",
                    "Zoë \"quoted\"",
                    "line\r\nbreak",
                    "  spaced  ",
                    "x",
                ];
                let s = if self.full {
                    texts[0].to_string()
                } else if self.in_list {
                    // List items are separated by whitespace and cannot hold any.
                    ["sample", "O'Brien&Sons<Ltd>", "Zoë\"quoted\"", "x"][self.pick(4)].to_string()
                } else {
                    texts[self.pick(texts.len())].to_string()
                };
                if matches!(local, "token" | "normalizedString") {
                    s.split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                        .replace(['\r', '\n', '\t'], " ")
                } else {
                    s
                }
            }
        };
        let min = f.length.or(f.min_length).unwrap_or(0) as usize;
        let max = f.length.or(f.max_length).map_or(usize::MAX, |m| m as usize);
        let mut s: String = s.chars().take(max).collect();
        while s.chars().count() < min {
            s.push('x');
        }
        s
    }
}

fn bump(s: &str) -> String {
    s.split('.')
        .next()
        .and_then(|i| i.parse::<i128>().ok())
        .map_or_else(|| s.to_string(), |i| (i + 1).to_string())
}

/// A string matching a (simple) XSD pattern: literals, classes, escapes, groups with
/// alternatives (the first is taken) and quantifiers (the minimum, at least once for `*`/`+`).
pub fn pattern_sample(p: &str) -> String {
    let chars: Vec<char> = p.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    gen_seq(&chars, &mut i, &mut out, 0);
    out
}

fn gen_seq(c: &[char], i: &mut usize, out: &mut String, depth: usize) {
    while *i < c.len() {
        match c[*i] {
            ')' => return,
            '|' => {
                // Skip the other alternatives of this group.
                let mut level = 0;
                while *i < c.len() {
                    match c[*i] {
                        '\\' => *i += 1,
                        '(' => level += 1,
                        ')' if level == 0 => return,
                        ')' => level -= 1,
                        _ => {}
                    }
                    *i += 1;
                }
                return;
            }
            _ => {}
        }
        let mut atom = String::new();
        match c[*i] {
            '(' => {
                *i += 1;
                if depth < 20 {
                    gen_seq(c, i, &mut atom, depth + 1);
                }
                *i += 1; // ')'
            }
            '[' => {
                let start = *i;
                *i += 1;
                let neg = c.get(*i) == Some(&'^');
                let mut first: Option<char> = None;
                while *i < c.len() && c[*i] != ']' {
                    if c[*i] == '\\' {
                        *i += 1;
                        if first.is_none() {
                            first = Some(escape_char(c.get(*i).copied().unwrap_or('a')));
                        }
                    } else if first.is_none() && !(neg && *i == start + 1) {
                        first = Some(c[*i]);
                    }
                    *i += 1;
                }
                *i += 1;
                atom.push(if neg { 'x' } else { first.unwrap_or('a') });
            }
            '\\' => {
                *i += 1;
                let e = c.get(*i).copied().unwrap_or('a');
                if e == 'p' || e == 'P' {
                    while *i < c.len() && c[*i] != '}' {
                        *i += 1;
                    }
                    atom.push('a');
                } else {
                    atom.push(escape_char(e));
                }
                *i += 1;
            }
            '.' => {
                atom.push('a');
                *i += 1;
            }
            ch => {
                atom.push(ch);
                *i += 1;
            }
        }
        // Quantifier.
        let mut times = 1;
        if let Some(&q) = c.get(*i) {
            match q {
                '?' | '*' => {
                    *i += 1;
                }
                '+' => *i += 1,
                '{' => {
                    let close = c[*i..].iter().position(|&x| x == '}').map(|p| *i + p);
                    if let Some(close) = close {
                        let inner: String = c[*i + 1..close].iter().collect();
                        times = inner
                            .split(',')
                            .next()
                            .and_then(|n| n.trim().parse().ok())
                            .unwrap_or(1);
                        *i = close + 1;
                    }
                }
                _ => {}
            }
        }
        for _ in 0..times.min(1000) {
            out.push_str(&atom);
        }
    }
}

fn escape_char(e: char) -> char {
    match e {
        'd' => '1',
        'w' | 'i' | 'c' => 'a',
        's' => ' ',
        'n' => '\n',
        't' => '\t',
        'D' | 'W' | 'S' => '-',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::pattern_sample;

    #[test]
    fn patterns() {
        assert_eq!(pattern_sample("[A-Z]{3}-[0-9]{6}"), "AAA-000000");
        assert_eq!(pattern_sample("[A-Z]{3}"), "AAA");
        assert_eq!(pattern_sample(r"[0-9]{5}(-[0-9]{4})?"), "00000-0000");
        assert_eq!(pattern_sample(r"\d+(\.\d{2})?|N/A"), "1.11");
    }
}
