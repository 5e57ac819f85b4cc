//! Repeated choices (and repeated substitution groups): a JSON array of objects, each one
//! occurrence holding the fields of one branch, written in turn; and how many occurrences the
//! arrays of a repeated group make.

use serde_json::{Map, Value};

use super::encoder::{Encoder, pointer_push, quoted_list};
use super::particle::{keys_of, plain};
use crate::convert::error::FieldError;
use crate::convert::model::{Body, TypeInfo, first_element};
use crate::convert::simple;
use crate::mapping::naming::XML_KEY;
use crate::xsd::*;

impl<'m> Encoder<'m> {
    /// A repeated choice: an array of objects, each holding one branch's fields.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn group(
        &mut self,
        info: &'m TypeInfo,
        slot_i: usize,
        p: &Particle,
        obj: &Map<String, Value>,
        pointer: &str,
        required: bool,
        index: Option<usize>,
    ) -> bool {
        let Body::Elements { slots, .. } = &info.body else {
            return false;
        };
        let slot = &slots[slot_i];
        let Some(group) = slot.group.as_deref() else {
            return false;
        };
        let Body::Elements { particle: once, .. } = &group.body else {
            return false;
        };
        let p_key = pointer_push(pointer, &slot.key);
        let Some(v) = obj.get(&slot.key) else {
            if required && index.is_none_or(|i| i == 0) {
                self.missing(&p_key, &slot.key, "required field is missing");
            }
            return false;
        };
        let Some(items) = v.as_array() else {
            self.push(
                FieldError::new(
                    &p_key,
                    "type",
                    format!(
                        "expected an array of objects, each with one of {}, found {}",
                        branch_keys(group),
                        simple::describe(v)
                    ),
                )
                .expected(format!(
                    "an array of objects, each with one of {}",
                    branch_quoted(group)
                ))
                .found_value(v),
            );
            return true;
        };
        let range = self.item_range(items.len(), p, &p_key, required, index);
        for i in range {
            let pi = format!("{p_key}/{i}");
            let Some(item) = items[i].as_object() else {
                self.push(
                    FieldError::new(
                        &pi,
                        "type",
                        format!(
                            "expected an object with one of {}, found {}",
                            branch_keys(group),
                            simple::describe(&items[i])
                        ),
                    )
                    .expected(format!("an object with one of {}", branch_quoted(group)))
                    .found_value(&items[i]),
                );
                continue;
            };
            let Body::Elements { slots: inner, .. } = &group.body else {
                continue;
            };
            if item.is_empty() {
                self.empty_item(&pi, group, &items[i]);
                continue;
            }
            let wild = group.wildcard;
            let unknown: Vec<String> = item
                .keys()
                .filter(|k| !(inner.iter().any(|s| s.key == **k) || (wild && *k == XML_KEY)))
                .cloned()
                .collect();
            for k in unknown {
                let pk = pointer_push(&pi, &k);
                self.push(
                    FieldError::new(
                        &pk,
                        "unknownField",
                        format!("unknown field (expected one of {})", branch_keys(group)),
                    )
                    .expected(format!("one of {}", branch_quoted(group)))
                    .found_value(&item[&k]),
                );
            }
            // Each item is its own content: its `$xml` goes to its own wildcard.
            let outer = std::mem::replace(&mut self.wildcard_done, false);
            let taken = std::mem::take(&mut self.taken);
            let before = self.writer.get_ref().len();
            let errors = self.errors.len();
            self.particle(group, once, item, &pi, true, None);
            self.leftovers(group, item, &pi);
            self.taken = taken;
            self.wildcard_done = outer;
            if self.writer.get_ref().len() == before && self.errors.len() == errors {
                // Nothing written (only empty arrays): the item would vanish on the wire.
                self.empty_item(&pi, group, &items[i]);
            }
        }
        !items.is_empty() || index.is_none()
    }

    /// An item of a repeated choice that gives no branch.
    fn empty_item(&mut self, pointer: &str, group: &TypeInfo, item: &Value) {
        self.push(
            FieldError::new(
                pointer,
                "choice",
                format!("an empty item: give one of {}", branch_keys(group)),
            )
            .expected(format!("an object with one of {}", branch_quoted(group)))
            .found_value(item),
        );
    }

    /// The longest array among the elements of a repeated group.
    pub(super) fn group_len(
        &self,
        info: &TypeInfo,
        ps: &[Particle],
        obj: &Map<String, Value>,
    ) -> usize {
        let Body::Elements { slots, .. } = &info.body else {
            return 0;
        };
        let mut n = 0;
        let mut stack: Vec<&Particle> = ps.iter().collect();
        while let Some(p) = stack.pop() {
            match &p.term {
                Term::Element(e) => {
                    if let Some(&i) = info.by_element.get(e) {
                        let len = obj
                            .get(&slots[i].key)
                            .and_then(Value::as_array)
                            .map_or(0, Vec::len);
                        // A shared name (`(a, b, a)*`) gives each occurrence several items.
                        let per = if slots[i].shared {
                            ps.iter()
                                .map(|q| count_slot(info, q, i))
                                .sum::<usize>()
                                .max(1)
                        } else {
                            1
                        };
                        n = n.max(len.div_ceil(per));
                    }
                }
                Term::Choice(c) if c.len() > 1 => {
                    if let Some(&i) = first_element(p).and_then(|e| info.group_of.get(&e)) {
                        n = n.max(
                            obj.get(&slots[i].key)
                                .and_then(Value::as_array)
                                .map_or(0, Vec::len),
                        );
                    } else {
                        stack.extend(c.iter());
                    }
                }
                Term::Sequence(c) | Term::Choice(c) | Term::All(c) => stack.extend(c.iter()),
                // `$xml` is one item's worth (written with the first).
                Term::Any(_) if obj.contains_key(XML_KEY) => n = n.max(1),
                Term::Any(_) => {}
            }
        }
        n
    }
}

/// How many element particles of a content model fill slot `slot`.
fn count_slot(info: &TypeInfo, p: &Particle, slot: usize) -> usize {
    match &p.term {
        Term::Element(e) => usize::from(info.by_element.get(e) == Some(&slot)),
        Term::Sequence(c) | Term::Choice(c) | Term::All(c) => {
            c.iter().map(|q| count_slot(info, q, slot)).sum()
        }
        Term::Any(_) => 0,
    }
}

/// The keys of a repeated choice's branches, for messages: `a`, `b` or `c`.
fn branch_keys(group: &TypeInfo) -> String {
    let Body::Elements { particle, .. } = &group.body else {
        return String::new();
    };
    let Term::Choice(ps) = &particle.term else {
        return String::new();
    };
    keys_of(group, ps).join(", ")
}

/// The keys of a repeated choice's branches, quoted for `expected`: `"a", "b", "c"`.
fn branch_quoted(group: &TypeInfo) -> String {
    let Body::Elements { particle, .. } = &group.body else {
        return String::new();
    };
    let Term::Choice(ps) = &particle.term else {
        return String::new();
    };
    quoted_list(plain(&keys_of(group, ps)))
}
