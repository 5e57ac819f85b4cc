//! Content models as counting automata.
//!
//! A particle tree is flattened once into an arena of [`MNode`]s. A state of the automaton is a
//! path from the root particle to the particle that matched the last child, each step carrying
//! its occurrence count: `maxOccurs="999999999"` is one counter, never 999999999 states. A step
//! computes every state that can consume the next child; for a schema that obeys Unique Particle
//! Attribution there is exactly one, so matching is deterministic and linear in the number of
//! children. The number of states kept is bounded for schemas that do not.

use super::error::ModelError;
use crate::xsd::model::*;

/// How many alternative states are followed at once (only ambiguous models need more than 1).
pub const MAX_STATES: usize = 64;

/// A leaf: what a child element can be attributed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leaf {
    Element(ElementId),
    /// Index into [`Automaton::wildcards`].
    Any(u32),
}

#[derive(Debug, Clone)]
enum Kind {
    Leaf(Leaf),
    Seq(Vec<u32>),
    Choice(Vec<u32>),
    All(Vec<u32>),
}

#[derive(Debug, Clone)]
struct MNode {
    min: u32,
    /// `u32::MAX` for unbounded.
    max: u32,
    kind: Kind,
    /// One iteration can match nothing.
    body_nullable: bool,
}

impl MNode {
    fn nullable(&self) -> bool {
        self.min == 0 || self.body_nullable
    }
}

/// One step of a state: a particle, its iteration (or occurrence) count, and for a sequence the
/// child in progress, for a choice the branch taken, for an all the children done (bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame {
    node: u32,
    count: u32,
    pos: u32,
    done: u64,
}

/// A state: the frames from the root particle down to the leaf that matched last. Empty before
/// the first child.
pub type State = Vec<Frame>;

/// Buffers reused from step to step.
#[derive(Debug, Default)]
pub struct Scratch {
    prefix: Vec<Frame>,
    /// States no longer in use, kept for their allocation.
    pub pool: Vec<State>,
}

/// A compiled content model.
#[derive(Debug, Clone)]
pub struct Automaton {
    nodes: Vec<MNode>,
    root: u32,
    pub wildcards: Vec<Wildcard>,
}

impl Automaton {
    /// Flattens a particle tree. Returns an error for an `xs:all` with more than 64 children.
    pub fn new(p: &Particle) -> Result<Automaton, ModelError> {
        let mut m = Automaton {
            nodes: Vec::new(),
            root: 0,
            wildcards: Vec::new(),
        };
        m.root = m.add(p, 0)?;
        // Kept as long as the schema is served: no growth room.
        m.nodes.shrink_to_fit();
        m.wildcards.shrink_to_fit();
        Ok(m)
    }

    fn add(&mut self, p: &Particle, depth: usize) -> Result<u32, ModelError> {
        if depth > 512 {
            return Err(ModelError::TooDeep);
        }
        let max = match p.max {
            MaxOccurs::Bounded(n) => n,
            MaxOccurs::Unbounded => u32::MAX,
        };
        let (kind, body_nullable) = match &p.term {
            Term::Element(e) => (Kind::Leaf(Leaf::Element(*e)), false),
            Term::Any(w) => {
                self.wildcards.push((**w).clone());
                (
                    Kind::Leaf(Leaf::Any(self.wildcards.len() as u32 - 1)),
                    false,
                )
            }
            Term::Sequence(cs) | Term::Choice(cs) | Term::All(cs) => {
                let mut ids = Vec::with_capacity(cs.len());
                for c in cs {
                    ids.push(self.add(c, depth + 1)?);
                }
                let nullable = |ids: &[u32], any: bool| {
                    let mut it = ids.iter().map(|&i| self.nodes[i as usize].nullable());
                    if any {
                        ids.is_empty() || it.any(|n| n)
                    } else {
                        it.all(|n| n)
                    }
                };
                match &p.term {
                    Term::Sequence(_) => {
                        let n = nullable(&ids, false);
                        (Kind::Seq(ids), n)
                    }
                    Term::Choice(_) => {
                        let n = nullable(&ids, true);
                        (Kind::Choice(ids), n)
                    }
                    _ => {
                        if ids.len() > 64 {
                            return Err(ModelError::AllTooLarge {
                                particles: ids.len(),
                            });
                        }
                        let n = nullable(&ids, false);
                        (Kind::All(ids), n)
                    }
                }
            }
        };
        self.nodes.push(MNode {
            min: p.min,
            max,
            kind,
            body_nullable,
        });
        Ok(self.nodes.len() as u32 - 1)
    }

    fn node(&self, i: u32) -> &MNode {
        &self.nodes[i as usize]
    }

    /// Whether the rest of the current iteration of `f` can match nothing.
    fn iteration_rest_nullable(&self, f: &Frame) -> bool {
        match &self.node(f.node).kind {
            Kind::Leaf(_) | Kind::Choice(_) => true,
            Kind::Seq(cs) => cs[f.pos as usize + 1..]
                .iter()
                .all(|&c| self.node(c).nullable()),
            Kind::All(cs) => cs
                .iter()
                .enumerate()
                .all(|(j, &c)| f.done & (1 << j) != 0 || self.node(c).nullable()),
        }
    }

    /// Whether `f` may end here (its inner frames being complete).
    fn complete(&self, f: &Frame) -> bool {
        let n = self.node(f.node);
        self.iteration_rest_nullable(f) && (f.count >= n.min || n.body_nullable)
    }

    /// Whether the content may end in `state`.
    pub fn accepts(&self, state: &State) -> bool {
        if state.is_empty() {
            return self.node(self.root).nullable();
        }
        state.iter().all(|f| self.complete(f))
    }

    /// Every state reachable from `state` by consuming one child that `matches` accepts.
    /// Each result comes with the leaf the child is attributed to.
    pub fn step(
        &self,
        state: &State,
        matches: &mut dyn FnMut(Leaf) -> bool,
        out: &mut Vec<(State, Leaf)>,
    ) {
        self.step_with(state, matches, out, &mut Scratch::default());
    }

    /// [`Automaton::step`] with reusable buffers: no allocation once they have grown.
    pub fn step_with(
        &self,
        state: &State,
        matches: &mut dyn FnMut(Leaf) -> bool,
        out: &mut Vec<(State, Leaf)>,
        scratch: &mut Scratch,
    ) {
        scratch.pool.extend(out.drain(..).map(|(s, _)| s));
        let mut prefix = std::mem::take(&mut scratch.prefix);
        prefix.clear();
        if state.is_empty() {
            self.enter(self.root, 1, &mut prefix, matches, out, scratch);
            scratch.prefix = prefix;
            return;
        }
        for d in (0..state.len()).rev() {
            let f = state[d];
            let n = self.node(f.node);
            prefix.clear();
            prefix.extend_from_slice(&state[..d]);
            // Move on within the current iteration.
            match &n.kind {
                Kind::Seq(cs) => {
                    for (j, &c) in cs.iter().enumerate().skip(f.pos as usize + 1) {
                        prefix.push(Frame { pos: j as u32, ..f });
                        self.enter(c, 1, &mut prefix, matches, out, scratch);
                        prefix.pop();
                        if !self.node(c).nullable() {
                            break;
                        }
                    }
                }
                Kind::All(cs) => {
                    for (j, &c) in cs.iter().enumerate() {
                        if f.done & (1 << j) == 0 {
                            prefix.push(Frame {
                                pos: j as u32,
                                done: f.done | (1 << j),
                                ..f
                            });
                            self.enter(c, 1, &mut prefix, matches, out, scratch);
                            prefix.pop();
                        }
                    }
                }
                Kind::Leaf(_) | Kind::Choice(_) => {}
            }
            // Start another iteration.
            if f.count < n.max && self.iteration_rest_nullable(&f) {
                self.enter(f.node, f.count + 1, &mut prefix, matches, out, scratch);
            }
            if out.len() >= MAX_STATES || !self.complete(&f) {
                break;
            }
        }
        scratch.prefix = prefix;
        out.truncate(MAX_STATES);
        let mut i = 1;
        while i < out.len() {
            if out[..i].iter().any(|(s, _)| *s == out[i].0) {
                out.remove(i);
            } else {
                i += 1;
            }
        }
    }

    fn enter(
        &self,
        node: u32,
        count: u32,
        prefix: &mut Vec<Frame>,
        matches: &mut dyn FnMut(Leaf) -> bool,
        out: &mut Vec<(State, Leaf)>,
        scratch: &mut Scratch,
    ) {
        let n = self.node(node);
        if n.max == 0 || out.len() >= MAX_STATES {
            return;
        }
        let frame = Frame {
            node,
            count,
            pos: 0,
            done: 0,
        };
        match &n.kind {
            Kind::Leaf(l) => {
                if matches(*l) {
                    prefix.push(frame);
                    let mut s = scratch.pool.pop().unwrap_or_default();
                    s.clear();
                    s.extend_from_slice(prefix);
                    out.push((s, *l));
                    prefix.pop();
                }
            }
            Kind::Seq(cs) => {
                for (j, &c) in cs.iter().enumerate() {
                    prefix.push(Frame {
                        pos: j as u32,
                        ..frame
                    });
                    self.enter(c, 1, prefix, matches, out, scratch);
                    prefix.pop();
                    if !self.node(c).nullable() {
                        break;
                    }
                }
            }
            Kind::Choice(cs) => {
                for (j, &c) in cs.iter().enumerate() {
                    prefix.push(Frame {
                        pos: j as u32,
                        ..frame
                    });
                    self.enter(c, 1, prefix, matches, out, scratch);
                    prefix.pop();
                }
            }
            Kind::All(cs) => {
                for (j, &c) in cs.iter().enumerate() {
                    prefix.push(Frame {
                        pos: j as u32,
                        done: 1 << j,
                        ..frame
                    });
                    self.enter(c, 1, prefix, matches, out, scratch);
                    prefix.pop();
                }
            }
        }
    }

    /// The leaves of a model that is one sequence (occurring once) of element particles, in
    /// order: (node, declaration, minOccurs, maxOccurs). `None` for any other shape.
    pub fn flat_sequence(&self) -> Option<Vec<(u32, ElementId, u32, u32)>> {
        match &self.node(self.root).kind {
            Kind::Seq(cs) => self.flat_leaves(cs),
            _ => None,
        }
    }

    /// The leaves of a model that is one choice (occurring at most once) of element
    /// particles, as [`Automaton::flat_sequence`] gives them. Its states have the shape of a flat
    /// sequence's: the branch taken and its count ([`Automaton::flat_state`]).
    pub fn flat_choice(&self) -> Option<Vec<(u32, ElementId, u32, u32)>> {
        match &self.node(self.root).kind {
            Kind::Choice(cs) => self.flat_leaves(cs),
            _ => None,
        }
    }

    fn flat_leaves(&self, cs: &[u32]) -> Option<Vec<(u32, ElementId, u32, u32)>> {
        let root = self.node(self.root);
        if root.max != 1 || root.min > 1 {
            return None;
        }
        cs.iter()
            .map(|&c| match self.node(c) {
                MNode {
                    kind: Kind::Leaf(Leaf::Element(e)),
                    min,
                    max,
                    ..
                } => Some((c, *e, *min, *max)),
                _ => None,
            })
            .collect()
    }

    /// The state of a flat sequence or choice ([`Automaton::flat_sequence`], [`Automaton::flat_choice`])
    /// after its leaf at `pos` matched `count` times.
    pub fn flat_state(&self, leaf_node: u32, pos: u32, count: u32) -> State {
        vec![
            Frame {
                node: self.root,
                count: 1,
                pos,
                done: 0,
            },
            Frame {
                node: leaf_node,
                count,
                pos: 0,
                done: 0,
            },
        ]
    }

    /// The element declarations and wildcards that could come next in `state`, for messages.
    pub fn expected(&self, state: &State) -> Vec<Leaf> {
        let mut seen = Vec::new();
        let mut out = Vec::new();
        self.step(
            state,
            &mut |l| {
                if !seen.contains(&l) {
                    seen.push(l);
                }
                false
            },
            &mut out,
        );
        seen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(i: u32, min: u32, max: MaxOccurs) -> Particle {
        Particle {
            min,
            max,
            term: Term::Element(ElementId(i)),
        }
    }

    /// Runs the automaton over every state at once (as the validator does).
    fn run(m: &Automaton, input: &[u32]) -> bool {
        let mut states = vec![State::new()];
        let mut out = Vec::new();
        for &x in input {
            let mut next = Vec::new();
            for state in &states {
                m.step(state, &mut |l| l == Leaf::Element(ElementId(x)), &mut out);
                for (s, _) in out.drain(..) {
                    if !next.contains(&s) {
                        next.push(s);
                    }
                }
            }
            if next.is_empty() {
                return false;
            }
            states = next;
        }
        states.iter().any(|s| m.accepts(s))
    }

    #[test]
    fn sequences_choices_and_counts() {
        use MaxOccurs::*;
        let p = Particle {
            min: 1,
            max: Bounded(2),
            term: Term::Sequence(vec![
                el(0, 1, Bounded(1)),
                Particle {
                    min: 0,
                    max: Unbounded,
                    term: Term::Choice(vec![el(1, 1, Bounded(1)), el(2, 2, Bounded(3))]),
                },
            ]),
        };
        let m = Automaton::new(&p).unwrap();
        assert!(run(&m, &[0]));
        assert!(run(&m, &[0, 1, 2, 2, 1, 0]));
        assert!(!run(&m, &[0, 2]));
        assert!(!run(&m, &[0, 0, 0]));
        assert!(!run(&m, &[]));
        assert!(run(&m, &[0, 2, 2, 2]));
        // Two iterations of the choice: 2 2 | 2 2.
        assert!(run(&m, &[0, 2, 2, 2, 2]));
    }

    #[test]
    fn huge_max_occurs_is_a_counter() {
        let p = el(0, 3, MaxOccurs::Bounded(999_999_999));
        let m = Automaton::new(&p).unwrap();
        assert!(!run(&m, &[0, 0]));
        let many = vec![0; 100_000];
        assert!(run(&m, &many));
        let p = el(0, 0, MaxOccurs::Bounded(4));
        let m = Automaton::new(&p).unwrap();
        assert!(run(&m, &[0, 0, 0, 0]) && !run(&m, &[0, 0, 0, 0, 0]));
    }

    #[test]
    fn all_groups() {
        use MaxOccurs::*;
        let p = Particle {
            min: 1,
            max: Bounded(1),
            term: Term::All(vec![el(0, 1, Bounded(1)), el(1, 0, Bounded(1))]),
        };
        let m = Automaton::new(&p).unwrap();
        assert!(run(&m, &[1, 0]) && run(&m, &[0]) && !run(&m, &[1]) && !run(&m, &[0, 0]));
    }
}
