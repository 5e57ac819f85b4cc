//! Content models must be deterministic and consistent: Unique Particle Attribution (no
//! element can be matched by two particles without looking ahead, checked on a Glushkov
//! automaton of the model) and Element Declarations Consistent (one name, one type).

use std::collections::{HashMap, HashSet};

use roxmltree::Node;

use super::checker::Checker;
use super::finals::blocked_set;
use super::particles::{ns_allowed, too_deep};
use crate::xsd::model::*;

/// Why a content model is not deterministic or not consistent. Particles are named in words
/// (`` element `id` ``, `a wildcard`); types as messages name them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum ContentModelError {
    /// Is raised when two particles can match the same element without looking ahead (Unique
    /// Particle Attribution).
    #[error(
        "content model is ambiguous: {first} and {second} can both match the same element (Unique Particle Attribution)"
    )]
    Ambiguous { first: String, second: String },
    /// Is raised when one element name has two types within a content model (Element
    /// Declarations Consistent).
    #[error(
        "element `{element}` appears twice in the content model with different types (`{first_ty}` and `{second_ty}`)"
    )]
    Inconsistent {
        element: String,
        first_ty: String,
        second_ty: String,
    },
}

/// What a leaf particle matches.
enum Symbol {
    /// Element names (the declaration's and its substitution group's).
    Names(Vec<QName>),
    Wild(Wildcard),
}

/// Whether some element can match both symbols.
fn overlap(a: &Symbol, b: &Symbol) -> bool {
    match (a, b) {
        (Symbol::Names(x), Symbol::Names(y)) => x.iter().any(|n| y.contains(n)),
        (Symbol::Names(x), Symbol::Wild(w)) | (Symbol::Wild(w), Symbol::Names(x)) => {
            x.iter().any(|n| ns_allowed(w, &n.ns))
        }
        (Symbol::Wild(v), Symbol::Wild(w)) => match (&v.namespaces, &w.namespaces) {
            (NamespaceConstraint::Any, _) | (_, NamespaceConstraint::Any) => true,
            (NamespaceConstraint::Not(_), NamespaceConstraint::Not(_)) => true,
            (NamespaceConstraint::List(l), _) => l.iter().any(|n| ns_allowed(w, n)),
            (_, NamespaceConstraint::List(l)) => l.iter().any(|n| ns_allowed(v, n)),
        },
    }
}

/// A Glushkov position automaton over a content model, occurrence bounds unrolled a little.
struct Glushkov<'s> {
    /// Per position: the identity (address) of the original leaf particle, and the particle.
    pos: Vec<(usize, &'s Particle)>,
    /// Per position: the positions that may follow it.
    follow: Vec<Vec<usize>>,
    /// Positions that may still be added; past it the check is abandoned.
    budget: usize,
    /// Follow-set entries added so far (bounded by [`MAX_EDGES`]).
    edges: usize,
}

/// A sub-automaton: the positions it can start and end with, and whether it matches nothing.
struct Fragment {
    first: Vec<usize>,
    last: Vec<usize>,
    nullable: bool,
}

impl<'s> Glushkov<'s> {
    /// A new position for the leaf particle `p`.
    fn leaf(&mut self, p: &'s Particle) -> Option<Fragment> {
        if self.budget == 0 {
            return None;
        }
        self.budget -= 1;
        let i = self.pos.len();
        self.pos.push((p as *const Particle as usize, p));
        self.follow.push(Vec::new());
        Some(Fragment {
            first: vec![i],
            last: vec![i],
            nullable: false,
        })
    }

    /// Adds follow edges from every position in `from` to every one in `to` (none once the
    /// bound is passed: the check is then abandoned).
    fn link(&mut self, from: &[usize], to: &[usize]) {
        self.edges = self
            .edges
            .saturating_add(from.len().saturating_mul(to.len()));
        if self.edges > MAX_EDGES {
            return;
        }
        for &l in from {
            self.follow[l].extend_from_slice(to);
        }
    }

    /// `a` then `b`.
    fn concat(&mut self, a: Fragment, b: Fragment) -> Fragment {
        self.link(&a.last, &b.first);
        let mut first = a.first.clone();
        if a.nullable {
            first.extend(&b.first);
        }
        let mut last = b.last.clone();
        if b.nullable {
            last.extend(&a.last);
        }
        Fragment {
            first,
            last,
            nullable: a.nullable && b.nullable,
        }
    }

    /// The fragment matching only the empty sequence.
    fn empty() -> Fragment {
        Fragment {
            first: Vec::new(),
            last: Vec::new(),
            nullable: true,
        }
    }

    /// The term once (no occurrence bounds).
    fn term(&mut self, p: &'s Particle) -> Option<Fragment> {
        match &p.term {
            Term::Element(_) | Term::Any(_) => self.leaf(p),
            Term::Sequence(v) => {
                let mut acc = Self::empty();
                for c in v {
                    let f = self.particle(c)?;
                    acc = self.concat(acc, f);
                }
                Some(acc)
            }
            Term::Choice(v) => {
                let mut out = Fragment {
                    first: Vec::new(),
                    last: Vec::new(),
                    nullable: v.is_empty(),
                };
                for c in v {
                    let f = self.particle(c)?;
                    out.first.extend(f.first);
                    out.last.extend(f.last);
                    out.nullable |= f.nullable;
                }
                Some(out)
            }
            Term::All(v) => {
                let frags: Vec<Fragment> =
                    v.iter().map(|c| self.particle(c)).collect::<Option<_>>()?;
                let mut out = Fragment {
                    first: Vec::new(),
                    last: Vec::new(),
                    nullable: frags.iter().all(|f| f.nullable),
                };
                for (i, a) in frags.iter().enumerate() {
                    for (j, b) in frags.iter().enumerate() {
                        if i != j {
                            self.link(&a.last, &b.first);
                        }
                    }
                    out.first.extend(&a.first);
                    out.last.extend(&a.last);
                }
                Some(out)
            }
        }
    }

    /// The particle with its occurrence bounds: up to two required copies, then up to two
    /// optional ones or a starred one.
    fn particle(&mut self, p: &'s Particle) -> Option<Fragment> {
        let required = p.min.min(2);
        let mut acc = Self::empty();
        for _ in 0..required {
            let f = self.term(p)?;
            acc = self.concat(acc, f);
        }
        match p.max {
            MaxOccurs::Unbounded => {
                let mut f = self.term(p)?;
                self.link(&f.last.clone(), &f.first.clone());
                f.nullable = true;
                acc = self.concat(acc, f);
            }
            MaxOccurs::Bounded(max) => {
                let optional = max.saturating_sub(p.min).min(2);
                for _ in 0..optional {
                    let mut f = self.term(p)?;
                    f.nullable = true;
                    acc = self.concat(acc, f);
                }
            }
        }
        Some(acc)
    }
}

/// What the leaf `p` matches: an element's name and, unless its head is `blocked`, its
/// substitution group's; or a wildcard.
fn symbol(schema: &Schema, p: &Particle, blocked: &HashSet<ElementId>) -> Symbol {
    match &p.term {
        Term::Element(e) => {
            let mut names = vec![schema.element(*e).name.clone()];
            if blocked.contains(e) {
                return Symbol::Names(names);
            }
            if let Some(subs) = schema.substitutes.get(e) {
                names.extend(subs.iter().map(|s| schema.element(*s).name.clone()));
            }
            Symbol::Names(names)
        }
        Term::Any(w) => Symbol::Wild((**w).clone()),
        _ => Symbol::Names(Vec::new()),
    }
}

/// A leaf particle, for messages.
fn leaf_label(schema: &Schema, p: &Particle) -> String {
    match &p.term {
        Term::Element(e) => format!("element `{}`", schema.element(*e).name.local),
        _ => "a wildcard".to_string(),
    }
}

/// The first Unique Particle Attribution violation in a content model, if any.
fn upa_violation(
    schema: &Schema,
    p: &Particle,
    blocked: &HashSet<ElementId>,
) -> Option<ContentModelError> {
    let mut g = Glushkov {
        pos: Vec::new(),
        follow: Vec::new(),
        budget: 1000,
        edges: 0,
    };
    let root = g.particle(p)?;
    if g.edges > MAX_EDGES {
        return None;
    }
    let syms: Vec<Symbol> = g
        .pos
        .iter()
        .map(|(_, p)| symbol(schema, p, blocked))
        .collect();
    let conflict = |a: usize, b: usize| {
        Some(ContentModelError::Ambiguous {
            first: leaf_label(schema, g.pos[a].1),
            second: leaf_label(schema, g.pos[b].1),
        })
    };
    let sets = std::iter::once(&root.first).chain(g.follow.iter());
    for set in sets {
        let mut set = set.clone();
        set.sort_unstable();
        set.dedup();
        // Names by hashing; wildcards against every other position (there are few).
        let mut by_name: HashMap<&QName, usize> = HashMap::new();
        let mut wild = Vec::new();
        for &a in &set {
            match &syms[a] {
                Symbol::Names(names) => {
                    for n in names {
                        match by_name.get(n) {
                            Some(&b) if g.pos[b].0 != g.pos[a].0 => return conflict(b, a),
                            Some(_) => {}
                            None => {
                                by_name.insert(n, a);
                            }
                        }
                    }
                }
                Symbol::Wild(_) => wild.push(a),
            }
        }
        for &w in &wild {
            for &a in &set {
                if a != w && g.pos[a].0 != g.pos[w].0 && overlap(&syms[w], &syms[a]) {
                    return conflict(w.min(a), w.max(a));
                }
            }
        }
    }
    None
}

/// Follow-set entries a content model may produce before the UPA check gives up on it.
const MAX_EDGES: usize = 2_000_000;

/// Element Declarations Consistent: the same name with two types in one content model.
fn edc_violation(
    schema: &Schema,
    p: &Particle,
    seen: &mut HashMap<QName, TypeId>,
) -> Option<ContentModelError> {
    match &p.term {
        Term::Element(e) => {
            let el = schema.element(*e);
            match seen.get(&el.name) {
                Some(&t) if t != el.type_id => Some(ContentModelError::Inconsistent {
                    element: el.name.local.to_string(),
                    first_ty: schema.type_label(t),
                    second_ty: schema.type_label(el.type_id),
                }),
                Some(_) => None,
                None => {
                    seen.insert(el.name.clone(), el.type_id);
                    None
                }
            }
        }
        Term::Any(_) => None,
        Term::Sequence(v) | Term::Choice(v) | Term::All(v) => {
            v.iter().find_map(|c| edc_violation(schema, c, seen))
        }
    }
}

impl Checker<'_, '_, '_> {
    /// UPA and EDC over every complex type's content model.
    pub(super) fn content_models<'a, 'i>(
        &mut self,
        schema: &Schema,
        nodes: &HashMap<(usize, usize), Node<'a, 'i>>,
    ) {
        // Heads whose `block` stops substitution.
        let blocked: HashSet<ElementId> = schema
            .substitutes
            .keys()
            .copied()
            .filter(|h| {
                let e = schema.element(*h);
                nodes
                    .get(&(e.pos.file as usize, e.pos.offset as usize))
                    .is_some_and(|n| {
                        blocked_set(*n, "block", "blockDefault")
                            .iter()
                            .any(|m| m == "substitution")
                    })
            })
            .collect();
        for t in &schema.types {
            let TypeKind::Complex(ct) = &t.kind else {
                continue;
            };
            let Content::Elements(p) = &ct.content else {
                continue;
            };
            if t.name.as_ref().is_some_and(|q| q.ns == XS) || too_deep(p) {
                continue;
            }
            let source = t.pos.file as usize;
            if !self.is_user_source(source) {
                continue;
            }
            let hint = "XML Schema 1.0 requires that each element can be matched to one particle without looking ahead, and that one name has one type within a content model";
            let violation = edc_violation(schema, p, &mut HashMap::new())
                .or_else(|| upa_violation(schema, p, &blocked));
            if let Some(e) = violation {
                self.report(
                    source,
                    t.pos.offset as usize,
                    e.to_string(),
                    Some(hint.into()),
                );
            }
        }
    }
}
