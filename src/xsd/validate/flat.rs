//! Flat content models: one sequence (or one choice) of element particles with different names,
//! stepped as a position and a count instead of automaton states (the common case of answers).

use super::automaton::{Automaton, State};
use super::instance::same;
use crate::xsd::model::*;

/// A content model that is one sequence (or one choice) of element particles with pairwise
/// different names and no substitution groups: each child can match at most one particle, so
/// the automaton state is a position and a count, stepped without building states. Gives
/// exactly the states the general automaton would.
#[derive(Debug)]
pub(super) struct Flat {
    /// The particles are the branches of a choice (one is taken), not a sequence.
    choice: bool,
    pub(super) leaves: Vec<FlatLeaf>,
    /// Per position: every later particle may be absent.
    pub(super) tail_nullable: Vec<bool>,
}

/// One particle of a [`Flat`] model.
#[derive(Debug)]
pub(super) struct FlatLeaf {
    node: u32,
    pub(super) decl: ElementId,
    pub(super) min: u32,
    max: u32,
    /// The namespace, as its index in `Prepared::namespaces`.
    ns: u32,
    /// The declaration's simple type when a child can be checked by its text alone
    /// (`Prepared::leaf_type`), kept here beside the name the child matched.
    pub(super) leaf: Option<TypeId>,
    local: String,
}

impl Flat {
    /// The flat form of `m`, when it has one; `namespaces` holds the namespace of every element
    /// declaration of the schema.
    pub(super) fn new(
        schema: &Schema,
        m: &Automaton,
        namespaces: &[String],
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
            let ns = namespaces.iter().position(|n| *n == d.name.ns)? as u32;
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
                local: d.name.local.to_string(),
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
    /// the index of the child's namespace in `Prepared::namespaces`.
    #[inline]
    pub(super) fn step(&self, at: Option<(u32, u32)>, ns: u32, local: &str) -> Option<(u32, u32)> {
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

    /// The general automaton's state equal to position `at`.
    pub(super) fn state(&self, m: &Automaton, at: Option<(u32, u32)>) -> State {
        match at {
            None => State::new(),
            Some((i, c)) => m.flat_state(self.leaves[i as usize].node, i, c),
        }
    }
}
