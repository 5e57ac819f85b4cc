//! A content model's particles from an object's keys, in schema order: elements (one, an
//! array, or their share of a name the content has several times), sequences, choices (the
//! branch the JSON names), repeated groups (arrays that go together by index), wildcards; with
//! the occurrence bounds checked.

use serde_json::{Map, Value};

use super::encoder::{Encoder, pointer_push, quoted_list};
use crate::convert::error::{FieldError, NOTHING};
use crate::convert::model::{Body, TypeInfo, first_element};
use crate::convert::simple;
use crate::mapping::naming::XML_KEY;
use crate::xsd::*;

impl<'m> Encoder<'m> {
    /// Writes a particle's elements from `obj` in schema order. `required` is false inside
    /// optional groups and choices. `index` picks the item of a repeated group.
    /// Returns whether anything from `obj` belonged to it.
    pub(super) fn particle(
        &mut self,
        info: &'m TypeInfo,
        p: &Particle,
        obj: &Map<String, Value>,
        pointer: &str,
        required: bool,
        index: Option<usize>,
    ) -> bool {
        let required = required && p.min > 0;
        if matches!(&p.term, Term::Choice(ps) if ps.len() > 1)
            && (p.max.is_many() || index.is_some())
            && let Some(&slot_i) = first_element(p).and_then(|e| info.group_of.get(&e))
        {
            return self.group(info, slot_i, p, obj, pointer, required, index);
        }
        match &p.term {
            Term::Element(e) => self.element_particle(info, p, *e, obj, pointer, required, index),
            Term::Sequence(ps) | Term::All(ps) | Term::Choice(ps)
                if p.max.is_many() && index.is_none() =>
            {
                self.repeated_group(info, p, ps, obj, pointer, required)
            }
            Term::Sequence(ps) | Term::All(ps) => {
                let mut any = false;
                for c in ps {
                    any |= self.particle(info, c, obj, pointer, required, index);
                }
                any
            }
            Term::Choice(ps) if ps.len() > 1 && index.is_none() => {
                self.choice(info, ps, obj, pointer, required)
            }
            Term::Choice(ps) => {
                let mut present = Vec::new();
                for c in ps {
                    if self.particle(info, c, obj, pointer, false, index) {
                        present.push(c);
                    }
                }
                if present.len() > 1 && index.is_none() && ps.len() > 1 {
                    let keys = keys_of(info, ps);
                    self.choice_many(pointer, &keys, obj);
                }
                if present.is_empty()
                    && required
                    && index.is_none()
                    && ps.len() > 1
                    && !ps.iter().any(emptiable)
                {
                    let keys = keys_of(info, ps);
                    self.choice_none(pointer, &keys);
                }
                !present.is_empty()
            }
            Term::Any(w) => self.wildcard(w, obj, pointer, required && index.is_none()),
        }
    }

    /// An element particle: its key's value, or its array's items (inside a repeated group,
    /// item `index` only).
    #[allow(clippy::too_many_arguments)]
    fn element_particle(
        &mut self,
        info: &'m TypeInfo,
        p: &Particle,
        e: ElementId,
        obj: &Map<String, Value>,
        pointer: &str,
        required: bool,
        index: Option<usize>,
    ) -> bool {
        let Some(&slot_i) = info.by_element.get(&e) else {
            return false;
        };
        let Body::Elements { slots, .. } = &info.body else {
            return false;
        };
        let slot = &slots[slot_i];
        let schema: &'m Schema = self.schema;
        let el = schema.element(e);
        let (name, ty, nillable) = (&el.name, el.type_id, el.nillable);
        let fixed = el.fixed_value();
        let key = slot.key.as_str();
        let p_key = pointer_push(pointer, key);
        if slot.shared {
            // In a repeated group too: each particle takes the next items in turn.
            return self.shared((slot_i, slots.len(), key), p, obj, &p_key, required);
        }
        let Some(v) = obj.get(key) else {
            if required && index.is_none_or(|i| i == 0) {
                self.missing(&p_key, key, "required field is missing");
            }
            return false;
        };
        if !slot.many {
            self.check_fixed(fixed, ty, v, &p_key);
            self.element(name, ty, nillable, v, &p_key);
            return true;
        }
        let Some(items) = v.as_array() else {
            self.push(
                FieldError::new(
                    &p_key,
                    "type",
                    format!("expected an array, found {}", simple::describe(v)),
                )
                .expected("an array")
                .found_value(v),
            );
            return true;
        };
        let range = self.item_range(items.len(), p, &p_key, required, index);
        for i in range {
            let pi = format!("{p_key}/{i}");
            self.check_fixed(fixed, ty, &items[i], &pi);
            self.element(name, ty, nillable, &items[i], &pi);
        }
        !items.is_empty() || index.is_none()
    }

    /// A repeated group: items are written group by group, by array index. Every occurrence
    /// needs its own required fields.
    fn repeated_group(
        &mut self,
        info: &'m TypeInfo,
        p: &Particle,
        ps: &[Particle],
        obj: &Map<String, Value>,
        pointer: &str,
        required: bool,
    ) -> bool {
        let n = self.group_len(info, ps, obj);
        if required && (n as u64) < p.min as u64 {
            let keys = keys_of(info, ps);
            self.push(
                FieldError::new(
                    pointer,
                    "minOccurs",
                    format!(
                        "at least {} occurrence(s) of the repeated group of {} are required (its fields are arrays that go together by index)",
                        p.min,
                        keys.join(", ")
                    ),
                )
                .expected(format!(
                    "at least {} occurrence(s) of the group of {}",
                    p.min,
                    quoted_list(plain(&keys))
                ))
                .found(format!("{n} occurrence(s)")),
            );
        }
        for i in 0..n {
            for c in ps {
                self.particle(info, c, obj, pointer, true, Some(i));
            }
        }
        n > 0
    }

    /// A choice (once): the branch the JSON names is written, and its content is then required
    /// in full; none or several named are errors.
    fn choice(
        &mut self,
        info: &'m TypeInfo,
        ps: &[Particle],
        obj: &Map<String, Value>,
        pointer: &str,
        required: bool,
    ) -> bool {
        let named = self.named_branches(info, ps, obj);
        let at = if pointer.is_empty() { "/" } else { pointer };
        match named.as_slice() {
            [] => {
                if required && !ps.iter().any(emptiable) {
                    let keys = keys_of(info, ps);
                    self.choice_none(at, &keys);
                }
                false
            }
            [b] => {
                self.particle(info, &ps[*b], obj, pointer, true, None);
                true
            }
            _ => {
                let keys = keys_of(info, ps);
                self.choice_many(at, &keys, obj);
                true
            }
        }
    }

    /// The branches of a choice the JSON names, decided before anything is written: by a key
    /// only that branch has; keys several branches have (`(a, b) | (c, a)`) name the first of
    /// them when nothing else does.
    fn named_branches(
        &self,
        info: &TypeInfo,
        ps: &[Particle],
        obj: &Map<String, Value>,
    ) -> Vec<usize> {
        let Body::Elements { slots, .. } = &info.body else {
            return Vec::new();
        };
        let sets: Vec<Vec<usize>> = ps
            .iter()
            .map(|c| {
                let mut v = Vec::new();
                branch_slots(info, c, &mut v);
                v
            })
            .collect();
        let (wildcard_done, taken) = (self.wildcard_done, &self.taken);
        // A shared slot (one name, several particles) names a branch while it has items
        // left for it.
        let given = |s: usize| match slots.get(s) {
            Some(slot) if slot.shared => match obj.get(&slot.key) {
                Some(Value::Array(a)) => a.len() > taken.get(s).copied().unwrap_or(0),
                other => other.is_some(),
            },
            Some(slot) => obj.contains_key(&slot.key),
            None => !wildcard_done && obj.contains_key(XML_KEY),
        };
        let own = |b: usize, s: usize| {
            !sets
                .iter()
                .enumerate()
                .any(|(j, o)| j != b && o.contains(&s))
        };
        let unshared = |s: usize| slots.get(s).is_none_or(|x| !x.shared);
        let mut named: Vec<usize> = (0..ps.len())
            .filter(|&b| sets[b].iter().any(|&s| own(b, s) && given(s)))
            .collect();
        // Keys of this branch only beat a shared name, which another particle may take.
        let strict: Vec<usize> = named
            .iter()
            .copied()
            .filter(|&b| {
                sets[b]
                    .iter()
                    .any(|&s| own(b, s) && given(s) && unshared(s))
            })
            .collect();
        if strict.len() == 1 {
            named = strict;
        }
        if named.is_empty() {
            named.extend((0..ps.len()).find(|&b| sets[b].iter().any(|&s| given(s))));
        }
        named
    }

    /// A choice none of whose branches is given.
    fn choice_none(&mut self, pointer: &str, keys: &[String]) {
        self.push(
            FieldError::new(
                pointer,
                "choice",
                format!("one of {} is required (a choice)", keys.join(", ")),
            )
            .expected(format!("one of {}", quoted_list(plain(keys))))
            .found(NOTHING),
        );
    }

    /// A choice with more than one branch given.
    fn choice_many(&mut self, pointer: &str, keys: &[String], obj: &Map<String, Value>) {
        let given = quoted_list(plain(keys).filter(|k| obj.contains_key(*k)));
        let mut e = FieldError::new(
            pointer,
            "choice",
            format!("only one of {} may be given (a choice)", keys.join(", ")),
        )
        .expected(format!("only one of {}", quoted_list(plain(keys))));
        if !given.is_empty() {
            e = e.found(given);
        }
        self.push(e);
    }

    /// Which items of an array a particle writes: all of them (with the occurrence bounds
    /// checked), or inside a repeated group only item `index` (an array shorter than its
    /// siblings is an error when the field is required).
    pub(super) fn item_range(
        &mut self,
        len: usize,
        p: &Particle,
        p_key: &str,
        required: bool,
        index: Option<usize>,
    ) -> std::ops::Range<usize> {
        match index {
            Some(i) if i < len => i..i + 1,
            Some(i) => {
                if required && i == len {
                    self.push(
                        FieldError::new(p_key, "required", uneven(i))
                            .expected(format!(
                                "item {i}: the fields of a repeated group go together by index"
                            ))
                            .found(simple::array_found(len)),
                    );
                }
                0..0
            }
            None => {
                if (len as u64) < p.min as u64 && required {
                    let m = format!("at least {} items are required", p.min);
                    self.push(
                        FieldError::new(p_key, "minOccurs", m)
                            .expected(format!("at least {} items", p.min))
                            .found(simple::array_found(len)),
                    );
                }
                if let MaxOccurs::Bounded(m) = p.max
                    && len as u64 > m as u64
                    && m > 1
                {
                    self.push(
                        FieldError::new(
                            p_key,
                            "maxOccurs",
                            format!("at most {m} items are allowed"),
                        )
                        .expected(format!("at most {m} items"))
                        .found(simple::array_found(len)),
                    );
                }
                0..len
            }
        }
    }

    /// One of several particles of a shared slot (`a, b, a`): takes the next items of the
    /// array, as many as the particle allows.
    fn shared(
        &mut self,
        (slot_i, slot_count, key): (usize, usize, &str),
        p: &Particle,
        obj: &Map<String, Value>,
        p_key: &str,
        required: bool,
    ) -> bool {
        let Term::Element(e) = &p.term else {
            return false;
        };
        if self.taken.len() < slot_count {
            self.taken.resize(slot_count, 0);
        }
        let start = self.taken[slot_i];
        if start == usize::MAX {
            return false;
        }
        let items = match obj.get(key) {
            None => {
                if required {
                    self.taken[slot_i] = usize::MAX;
                    self.missing(p_key, key, "required field is missing");
                }
                return false;
            }
            Some(Value::Array(items)) => items,
            Some(v) => {
                self.taken[slot_i] = usize::MAX;
                let m = format!(
                    "expected an array (the name occurs more than once in the content), found {}",
                    simple::describe(v)
                );
                self.push(
                    FieldError::new(p_key, "type", m)
                        .expected("an array (the name occurs more than once in the content)")
                        .found_value(v),
                );
                return true;
            }
        };
        let room = match p.max {
            MaxOccurs::Bounded(m) => m as usize,
            MaxOccurs::Unbounded => usize::MAX,
        };
        let n = items.len().saturating_sub(start).min(room);
        if n < p.min as usize && required {
            self.taken[slot_i] = usize::MAX;
            self.push(
                FieldError::new(
                    p_key,
                    "minOccurs",
                    format!(
                        "too few items: the name occurs more than once in the content, and its occurrence number {} is required",
                        start + n + 1
                    ),
                )
                .expected(format!("at least {} items", start + p.min as usize))
                .found(simple::array_found(items.len())),
            );
            return n > 0;
        }
        self.taken[slot_i] = start + n;
        let schema: &'m Schema = self.schema;
        let el = schema.element(*e);
        for (i, item) in items.iter().enumerate().skip(start).take(n) {
            self.element(
                &el.name,
                el.type_id,
                el.nillable,
                item,
                &format!("{p_key}/{i}"),
            );
        }
        n > 0
    }

    /// Items of shared slots that no particle took: too many.
    pub(super) fn leftovers(&mut self, info: &TypeInfo, obj: &Map<String, Value>, pointer: &str) {
        let Body::Elements { slots, .. } = &info.body else {
            return;
        };
        for (si, slot) in slots.iter().enumerate() {
            let taken = self.taken.get(si).copied().unwrap_or(0);
            if !slot.shared || taken == usize::MAX {
                continue;
            }
            if let Some(Value::Array(items)) = obj.get(&slot.key)
                && items.len() > taken
            {
                let p = pointer_push(pointer, &slot.key);
                self.push(
                    FieldError::new(
                        &p,
                        "maxOccurs",
                        format!("at most {taken} items fit where the schema puts them"),
                    )
                    .expected(format!("at most {taken} items"))
                    .found(simple::array_found(items.len())),
                );
            }
        }
    }
}

/// The message for a required field of a repeated group whose array is shorter than another's.
fn uneven(i: usize) -> String {
    format!(
        "item {i} is missing: the fields of a repeated group go together by index, and each occurrence needs this one"
    )
}

/// The slots a choice branch fills (`usize::MAX` for a wildcard: `$xml`).
fn branch_slots(info: &TypeInfo, p: &Particle, out: &mut Vec<usize>) {
    match &p.term {
        Term::Element(e) => out.extend(info.by_element.get(e)),
        Term::Choice(c)
            if c.len() > 1
                && p.max.is_many()
                && let Some(&i) = first_element(p).and_then(|e| info.group_of.get(&e)) =>
        {
            out.push(i)
        }
        Term::Sequence(c) | Term::Choice(c) | Term::All(c) => {
            c.iter().for_each(|x| branch_slots(info, x, out))
        }
        Term::Any(_) => out.push(usize::MAX),
    }
}

/// Whether a particle may match nothing.
fn emptiable(p: &Particle) -> bool {
    p.min == 0
        || match &p.term {
            Term::Sequence(c) | Term::All(c) => c.iter().all(emptiable),
            Term::Choice(c) => c.iter().any(emptiable),
            Term::Element(_) | Term::Any(_) => false,
        }
}

/// The JSON keys of the elements of some particles, for messages.
pub(super) fn keys_of(info: &TypeInfo, ps: &[Particle]) -> Vec<String> {
    let Body::Elements { slots, .. } = &info.body else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut stack: Vec<&Particle> = ps.iter().rev().collect();
    while let Some(p) = stack.pop() {
        match &p.term {
            Term::Element(e) => {
                if let Some(&i) = info.by_element.get(e) {
                    out.push(format!("`{}`", slots[i].key));
                }
            }
            Term::Choice(c)
                if first_element(p).is_some_and(|e| info.group_of.contains_key(&e))
                    && c.len() > 1 =>
            {
                if let Some(&i) = first_element(p).and_then(|e| info.group_of.get(&e)) {
                    out.push(format!("`{}`", slots[i].key));
                }
            }
            Term::Sequence(c) | Term::Choice(c) | Term::All(c) => stack.extend(c.iter().rev()),
            Term::Any(_) => {}
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|k| seen.insert(k.clone()));
    out
}

/// The keys of [`keys_of`] without their backticks.
pub(super) fn plain(keys: &[String]) -> impl Iterator<Item = &str> {
    keys.iter().map(|k| k.trim_matches('`'))
}
