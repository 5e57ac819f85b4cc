//! Element content: the children of a complex type's element against its content model, stepped
//! as a flat sequence while it has one and by the counting automaton otherwise; each child then
//! validated by the declaration or wildcard it matched.

use roxmltree::Node;

use super::automaton::{self, Automaton, Leaf, State};
use super::context::{Buffers, Ctx, MAX_DEPTH};
use super::error::Reason;
use super::flat::Flat;
use super::instance::{lone_text, qname_of, same};
use super::prepare::Validator;
use super::wildcard::ns_allowed;
use crate::xsd::model::*;
use crate::xsd::value;

impl<'s> Validator<'s> {
    /// Element children against the content model of `t`.
    pub(super) fn children<'a, 'i>(
        &self,
        node: Node<'a, 'i>,
        t: TypeId,
        ct: &ComplexType,
        depth: usize,
        ctx: &mut Ctx<'a, 'i>,
    ) {
        let Some(compiled) = self.content_model(t) else {
            return;
        };
        let model = match &compiled.automaton {
            Ok(m) => m,
            Err(e) => {
                ctx.report(node, None, Reason::Model(*e));
                return;
            }
        };
        // A flat sequence is stepped as a position while its children match; the general
        // automaton takes over from the equivalent state at the first that does not.
        let flat = compiled.flat.as_ref();
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

    /// The children of `node` through `model`, as positions of `flat` while they match it (then
    /// as automaton states in `b`, taken from `ctx` when first needed).
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
                    let element = qname_of(&node);
                    ctx.report(node, None, Reason::TextNotAllowed { element });
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
                let element = qname_of(&c);
                ctx.report(c, None, Reason::UnexpectedElement { element, expected });
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
            let element = qname_of(&node);
            ctx.report(node, None, Reason::Incomplete { element, expected });
        }
    }

    /// A child element matched to declaration `e`: one without attributes whose declaration
    /// has a plain simple type is checked by its lone text; anything else (or invalid text)
    /// goes through [`Validator::element`], which gives the same verdict and words it.
    #[inline]
    fn child<'a, 'i>(&self, c: Node<'a, 'i>, e: ElementId, depth: usize, ctx: &mut Ctx<'a, 'i>) {
        self.child_of_type(c, e, self.c.leaf_type[e.0 as usize], depth, ctx)
    }

    /// [`Validator::child`] with the declaration's `Prepared::leaf_type` at hand.
    #[inline]
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

    /// The declaration an element particle attributes `q` to: itself, or a member of its
    /// substitution group.
    pub(super) fn matches_decl(&self, e: ElementId, ns: &str, local: &str) -> Option<ElementId> {
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

    /// What may come in `state`, worded for messages (`expected` and the names).
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
}
