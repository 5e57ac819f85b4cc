//! Particle restriction (XML Schema 1.0 part 1, 3.9.6, "Particle Valid (Restriction)"): the
//! particles of a restricted content model against its base's, after both are normalized
//! ([`normalize`]), and the particle arithmetic it needs (effective ranges, emptiability,
//! wildcard namespaces and processContents).

use std::collections::HashMap;

use crate::xsd::model::*;

/// Why a particle of a restriction does not restrict its base's particle. Element names are
/// local names; types are named as messages name them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum RestrictionError {
    /// Is raised when a particle's occurrence range (`min..max`) is not within its base's.
    #[error("{what} occurs {min}..{max} where {base} allows {base_min}..{base_max}")]
    Occurs {
        what: Subject,
        min: u32,
        max: MaxOccurs,
        /// The base particle, in words (`the base`, `the base's wildcard`, ...).
        base: &'static str,
        base_min: u32,
        base_max: MaxOccurs,
    },
    /// Is raised when an element restricts a wildcard that does not allow its namespace.
    #[error("element `{element}` is not in a namespace the base's wildcard allows")]
    NamespaceNotAllowed { element: String },
    /// Is raised when a wildcard restricts a wildcard that allows fewer namespaces.
    #[error("a wildcard allows namespaces the base's wildcard does not")]
    WiderNamespaces,
    /// Is raised when a wildcard restricts a wildcard with a stricter processContents.
    #[error("a wildcard's processContents is weaker than the base's")]
    WeakerProcessContents,
    /// Is raised when a wildcard stands where the base has an element or a model group.
    #[error("a wildcard cannot restrict an element or a model group")]
    WildcardForParticle,
    /// Is raised when a model group stands where the base has an element that heads no
    /// substitution group.
    #[error("a model group cannot restrict the single element `{element}`")]
    GroupForElement { element: String },
    /// Is raised when a model group stands where the base has a group of a kind it cannot
    /// restrict (a choice or all against a sequence, ...).
    #[error("this kind of model group cannot restrict the base's")]
    GroupKind,
    /// Is raised when an element stands where the base has another element (and none of its
    /// substitution group).
    #[error("element `{element}` does not match `{base}` of the base")]
    NameMismatch { element: String, base: String },
    /// Is raised when an element blocks less than its base element.
    #[error("element `{element}` must block at least what the base's blocks")]
    WeakerBlock { element: String },
    /// Is raised when an element is nillable and its base element is not.
    #[error("element `{element}` is nillable but the base's is not")]
    Nillable { element: String },
    /// Is raised when an element drops or changes its base element's fixed value.
    #[error("element `{element}` must keep the base's fixed value {fixed:?}")]
    FixedChanged { element: String, fixed: String },
    /// Is raised when an element's type does not derive from its base element's.
    #[error(
        "element `{element}` has type `{ty}`, which does not derive from the base's `{base_ty}`"
    )]
    TypeNotDerived {
        element: String,
        ty: String,
        base_ty: String,
    },
    /// Is raised when a group restricting a wildcard occurs more often than it allows.
    #[error("the group occurs more often than the base's wildcard allows")]
    GroupExceedsWildcard,
    /// Is raised when a particle of a sequence restricting an all group matches none of its
    /// particles.
    #[error("a particle of the sequence matches nothing in the base's all group")]
    NotInAll,
    /// Is raised when a sequence restricting an all group leaves out a particle that is not
    /// emptiable.
    #[error("the restriction leaves out a required particle of the base's all group")]
    AllParticleLeftOut,
    /// Is raised when a sequence restricting a choice occurs more often than it allows.
    #[error("the sequence occurs more often than the base's choice allows")]
    SequenceExceedsChoice,
    /// Is raised when a particle of a sequence restricting a choice matches none of its
    /// branches.
    #[error("a particle of the sequence matches no branch of the base's choice")]
    NotInChoice,
    /// Is raised when a particle of the restriction matches none of the base's particles left
    /// after those already matched (order matters).
    #[error(
        "a particle of the restriction matches nothing left in the base's group (order matters)"
    )]
    NothingLeft,
    /// Is raised when the restriction leaves out a particle of the base that is not emptiable.
    #[error("the restriction leaves out a required particle of the base")]
    RequiredLeftOut,
}

/// The particle an occurrence range belongs to, as [`RestrictionError::Occurs`] names it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum Subject {
    /// An element particle (its local name).
    #[error("element `{0}`")]
    Element(String),
    #[error("a wildcard")]
    Wildcard,
    /// A sequence or all group against one of its kind.
    #[error("a group")]
    Group,
    #[error("a choice")]
    Choice,
    #[error("a sequence")]
    Sequence,
}

/// The effective range of a particle: (min, max), `None` max = unbounded.
fn effective_range(p: &Particle) -> (u64, Option<u64>) {
    let own_max = max_u64(p.max);
    let mul = |a: Option<u64>, b: Option<u64>| match (a, b) {
        (Some(0), _) | (_, Some(0)) => Some(0),
        (Some(x), Some(y)) => Some(x.saturating_mul(y)),
        _ => None,
    };
    let min = u64::from(p.min);
    match &p.term {
        Term::Element(_) | Term::Any(_) => (min, own_max),
        Term::Sequence(v) | Term::All(v) => {
            let mut lo = 0u64;
            let mut hi = Some(0u64);
            for c in v {
                let (a, b) = effective_range(c);
                lo = lo.saturating_add(a);
                hi = match (hi, b) {
                    (Some(x), Some(y)) => Some(x.saturating_add(y)),
                    _ => None,
                };
            }
            (min.saturating_mul(lo), mul(own_max, hi))
        }
        Term::Choice(v) => {
            if v.is_empty() {
                return (0, Some(0));
            }
            let mut lo = u64::MAX;
            let mut hi = Some(0u64);
            for c in v {
                let (a, b) = effective_range(c);
                lo = lo.min(a);
                hi = match (hi, b) {
                    (Some(x), Some(y)) => Some(x.max(y)),
                    _ => None,
                };
            }
            (min.saturating_mul(lo), mul(own_max, hi))
        }
    }
}

/// Whether a content model nests deeper than the recursive checks go (hostile schemas: group
/// references can nest model groups far beyond any document's own depth). Iterative.
pub(super) fn too_deep(p: &Particle) -> bool {
    let mut stack = vec![(p, 0usize)];
    while let Some((q, d)) = stack.pop() {
        if d > 200 {
            return true;
        }
        if let Term::Sequence(v) | Term::Choice(v) | Term::All(v) = &q.term {
            stack.extend(v.iter().map(|c| (c, d + 1)));
        }
    }
    false
}

/// A maximum occurrence as a number, `None` for unbounded.
fn max_u64(m: MaxOccurs) -> Option<u64> {
    match m {
        MaxOccurs::Bounded(n) => Some(u64::from(n)),
        MaxOccurs::Unbounded => None,
    }
}

/// `(rmin, rmax)` lies within `(bmin, bmax)`.
fn range_ok(rmin: u64, rmax: Option<u64>, bmin: u64, bmax: Option<u64>) -> bool {
    rmin >= bmin
        && match (rmax, bmax) {
            (_, None) => true,
            (None, Some(_)) => false,
            (Some(r), Some(b)) => r <= b,
        }
}

/// `Err` naming `what` (and `base`) when `r`'s occurrence range is not within `b`'s.
fn occurs_within(
    r: &Particle,
    b: &Particle,
    what: impl FnOnce() -> Subject,
    base: &'static str,
) -> Result<(), RestrictionError> {
    if range_ok(
        u64::from(r.min),
        max_u64(r.max),
        u64::from(b.min),
        max_u64(b.max),
    ) {
        return Ok(());
    }
    Err(RestrictionError::Occurs {
        what: what(),
        min: r.min,
        max: r.max,
        base,
        base_min: b.min,
        base_max: b.max,
    })
}

/// Whether a particle can match nothing at all.
pub(super) fn emptiable(p: &Particle) -> bool {
    effective_range(p).0 == 0
}

/// Removes pointless particles: groups occurring exactly once with one child become the
/// child; a sequence in a sequence (or a choice in a choice) occurring once is spliced in.
pub(super) fn normalize(p: &Particle) -> Option<Particle> {
    if p.max == MaxOccurs::Bounded(0) {
        // A particle that cannot occur is as if absent.
        return None;
    }
    let once = p.min == 1 && p.max == MaxOccurs::Bounded(1);
    let kids = |v: &[Particle], same: fn(&Term) -> bool| -> Vec<Particle> {
        let mut out = Vec::new();
        for c in v.iter().filter_map(normalize) {
            let c_once = c.min == 1 && c.max == MaxOccurs::Bounded(1);
            match &c.term {
                t if same(t) && c_once => {
                    if let Term::Sequence(inner) | Term::Choice(inner) = &c.term {
                        out.extend(inner.iter().cloned());
                    }
                }
                _ => out.push(c),
            }
        }
        out
    };
    let term = match &p.term {
        Term::Sequence(v) => Term::Sequence(kids(v, |t| matches!(t, Term::Sequence(_)))),
        Term::Choice(v) => Term::Choice(kids(v, |t| matches!(t, Term::Choice(_)))),
        Term::All(v) => Term::All(v.iter().filter_map(normalize).collect()),
        t => t.clone(),
    };
    match &term {
        Term::Sequence(v) | Term::Choice(v) | Term::All(v) if v.is_empty() => {
            // An empty group contributes nothing.
            None
        }
        Term::Sequence(v) | Term::Choice(v) | Term::All(v) if v.len() == 1 && once => {
            Some(v[0].clone())
        }
        _ => Some(Particle {
            min: p.min,
            max: p.max,
            term,
        }),
    }
}

/// Whether wildcard `w` allows namespace `ns` (empty: no namespace).
pub(super) fn ns_allowed(w: &Wildcard, ns: &str) -> bool {
    match &w.namespaces {
        NamespaceConstraint::Any => true,
        NamespaceConstraint::Not(t) => ns != t && !ns.is_empty(),
        NamespaceConstraint::List(l) => l.iter().any(|x| x == ns),
    }
}

/// Whether wildcard `r` allows no namespace that wildcard `b` does not.
pub(super) fn ns_subset(r: &Wildcard, b: &Wildcard) -> bool {
    match (&r.namespaces, &b.namespaces) {
        (_, NamespaceConstraint::Any) => true,
        (NamespaceConstraint::Any, _) => false,
        (NamespaceConstraint::Not(x), NamespaceConstraint::Not(y)) => x == y,
        (NamespaceConstraint::Not(_), NamespaceConstraint::List(_)) => false,
        (NamespaceConstraint::List(l), _) => l.iter().all(|n| ns_allowed(b, n)),
    }
}

/// Whether processContents `r` is at least as strict as `b`.
pub(super) fn process_ok(r: ProcessContents, b: ProcessContents) -> bool {
    use ProcessContents::*;
    match b {
        Strict => r == Strict,
        Lax => r != Skip,
        Skip => true,
    }
}

/// What particle restriction needs besides the schema: the substitutions each element
/// declaration blocks (bit 0 extension, 1 restriction, 2 substitution), read from the documents.
pub(super) struct RestrictionContext<'s> {
    pub(super) schema: &'s Schema,
    pub(super) blocks: HashMap<ElementId, u8>,
    /// Steps left for the current type: nested groups tried against each other can branch;
    /// past the budget a content model is given the benefit of the doubt.
    pub(super) steps: std::cell::Cell<u32>,
}

/// Particle comparisons allowed per restricted type.
pub(super) const MAX_STEPS: u32 = 200_000;

/// The substitutions a `block` value names, as the bits of [`RestrictionContext::blocks`].
pub(super) fn block_bits(words: &[String]) -> u8 {
    words.iter().fold(0, |acc, w| {
        acc | match w.as_str() {
            "extension" => 1,
            "restriction" => 2,
            "substitution" => 4,
            _ => 0,
        }
    })
}

/// Whether `r` validly restricts `b` (both normalized); `Err` says why not.
pub(super) fn restricts(
    cx: &RestrictionContext,
    r: &Particle,
    b: &Particle,
    depth: usize,
) -> Result<(), RestrictionError> {
    let schema = cx.schema;
    let left = cx.steps.get();
    if left == 0 {
        return Ok(());
    }
    cx.steps.set(left - 1);
    if depth > 64 {
        return Ok(());
    }
    match (&r.term, &b.term) {
        (Term::Element(re), Term::Element(be)) => element_restricts_element(cx, r, b, *re, *be),
        (Term::Element(re), Term::Any(w)) => {
            let name = &schema.element(*re).name;
            let element = || Subject::Element(name.local.to_string());
            occurs_within(r, b, element, "the base's wildcard")?;
            if !ns_allowed(w, &name.ns) {
                return Err(RestrictionError::NamespaceNotAllowed {
                    element: name.local.to_string(),
                });
            }
            Ok(())
        }
        (Term::Any(rw), Term::Any(bw)) => {
            occurs_within(r, b, || Subject::Wildcard, "the base's")?;
            if !ns_subset(rw, bw) {
                return Err(RestrictionError::WiderNamespaces);
            }
            if !process_ok(rw.process, bw.process) {
                return Err(RestrictionError::WeakerProcessContents);
            }
            Ok(())
        }
        (Term::Sequence(v) | Term::Choice(v) | Term::All(v), Term::Any(_)) => {
            group_restricts_wildcard(cx, r, v, b, depth)
        }
        (Term::Any(_), _) => Err(RestrictionError::WildcardForParticle),
        (Term::Element(_), Term::Sequence(_) | Term::Choice(_) | Term::All(_)) => {
            // RecurseAsIfGroup: the element as the only particle of a group of the base's
            // kind occurring once.
            let inner = r.clone();
            let group = Particle {
                min: 1,
                max: MaxOccurs::Bounded(1),
                term: match &b.term {
                    Term::Sequence(_) => Term::Sequence(vec![inner]),
                    Term::Choice(_) => Term::Choice(vec![inner]),
                    _ => Term::All(vec![inner]),
                },
            };
            restricts(cx, &group, b, depth + 1)
        }
        (Term::Sequence(_) | Term::Choice(_) | Term::All(_), Term::Element(be))
            if schema.substitutes.get(be).is_some_and(|m| !m.is_empty()) =>
        {
            // A substitution group head stands for a choice of the head and its members.
            let once = |e: ElementId| Particle {
                min: 1,
                max: MaxOccurs::Bounded(1),
                term: Term::Element(e),
            };
            let mut members = vec![once(*be)];
            members.extend(schema.substitutes[be].iter().map(|m| once(*m)));
            let choice = Particle {
                min: b.min,
                max: b.max,
                term: Term::Choice(members),
            };
            restricts(cx, r, &choice, depth + 1)
        }
        (Term::Sequence(_) | Term::Choice(_) | Term::All(_), Term::Element(be)) => {
            Err(RestrictionError::GroupForElement {
                element: schema.element(*be).name.local.to_string(),
            })
        }
        (Term::All(rv), Term::All(bv)) | (Term::Sequence(rv), Term::Sequence(bv)) => {
            occurs_within(r, b, || Subject::Group, "the base's")?;
            recurse(cx, rv, bv, false, depth)
        }
        (Term::Choice(rv), Term::Choice(bv)) => {
            occurs_within(r, b, || Subject::Choice, "the base's")?;
            recurse(cx, rv, bv, true, depth)
        }
        (Term::Sequence(rv), Term::All(bv)) => sequence_restricts_all(cx, r, rv, b, bv, depth),
        (Term::Sequence(rv), Term::Choice(bv)) => {
            sequence_restricts_choice(cx, r, rv, b, bv, depth)
        }
        (Term::Choice(_) | Term::All(_), _) => Err(RestrictionError::GroupKind),
    }
}

/// NameAndTypeOK: element `re` (particle `r`) against element `be` (particle `b`).
fn element_restricts_element(
    cx: &RestrictionContext,
    r: &Particle,
    b: &Particle,
    re: ElementId,
    be: ElementId,
) -> Result<(), RestrictionError> {
    let schema = cx.schema;
    let (rel, bel) = (schema.element(re), schema.element(be));
    let name = &rel.name.local;
    let element = || name.to_string();
    if rel.name != bel.name {
        // An element may stand for a member of the base element's substitution group.
        let member = schema.substitutes.get(&be).is_some_and(|m| m.contains(&re));
        if !member {
            return Err(RestrictionError::NameMismatch {
                element: element(),
                base: bel.name.local.to_string(),
            });
        }
    }
    occurs_within(r, b, || Subject::Element(element()), "the base")?;
    let (rb, bb) = (
        cx.blocks.get(&re).copied().unwrap_or(0),
        cx.blocks.get(&be).copied().unwrap_or(0),
    );
    if rb & bb != bb {
        return Err(RestrictionError::WeakerBlock { element: element() });
    }
    if rel.nillable && !bel.nillable {
        return Err(RestrictionError::Nillable { element: element() });
    }
    if let Some(f) = bel.fixed_value()
        && rel.fixed_value().map(str::trim) != Some(f.trim())
    {
        return Err(RestrictionError::FixedChanged {
            element: element(),
            fixed: f.to_string(),
        });
    }
    if !type_ok(schema, rel.type_id, bel.type_id, 0) {
        return Err(RestrictionError::TypeNotDerived {
            element: element(),
            ty: schema.type_label(rel.type_id),
            base_ty: schema.type_label(bel.type_id),
        });
    }
    Ok(())
}

/// NSRecurseCheckCardinality: every particle of the group `r` (children `v`) against the
/// wildcard `b`, and the group's range within the wildcard's.
fn group_restricts_wildcard(
    cx: &RestrictionContext,
    r: &Particle,
    v: &[Particle],
    b: &Particle,
    depth: usize,
) -> Result<(), RestrictionError> {
    let (lo, hi) = effective_range(r);
    for c in v {
        let inner = Particle {
            min: 0,
            max: MaxOccurs::Unbounded,
            term: b.term.clone(),
        };
        restricts(cx, c, &inner, depth + 1)?;
    }
    if !range_ok(lo, hi, u64::from(b.min), max_u64(b.max)) {
        return Err(RestrictionError::GroupExceedsWildcard);
    }
    Ok(())
}

/// RecurseUnordered: each particle of the sequence `r` (children `rv`) matches a distinct
/// particle of the all group `b` (children `bv`); those left out must be emptiable.
fn sequence_restricts_all(
    cx: &RestrictionContext,
    r: &Particle,
    rv: &[Particle],
    b: &Particle,
    bv: &[Particle],
    depth: usize,
) -> Result<(), RestrictionError> {
    occurs_within(r, b, || Subject::Sequence, "the base's all group")?;
    let mut used = vec![false; bv.len()];
    'next: for rc in rv {
        for (i, bc) in bv.iter().enumerate() {
            if !used[i] && restricts(cx, rc, bc, depth + 1).is_ok() {
                used[i] = true;
                continue 'next;
            }
        }
        return Err(RestrictionError::NotInAll);
    }
    if bv.iter().zip(&used).any(|(bc, u)| !u && !emptiable(bc)) {
        return Err(RestrictionError::AllParticleLeftOut);
    }
    Ok(())
}

/// MapAndSum: each particle of the sequence `r` (children `rv`) matches a branch of the
/// choice `b` (children `bv`), and the sequence's range fits the choice's.
fn sequence_restricts_choice(
    cx: &RestrictionContext,
    r: &Particle,
    rv: &[Particle],
    b: &Particle,
    bv: &[Particle],
    depth: usize,
) -> Result<(), RestrictionError> {
    let (lo, hi) = {
        let n = rv.len() as u64;
        let lo = u64::from(r.min).saturating_mul(n);
        let hi = max_u64(r.max).map(|m| m.saturating_mul(n));
        (lo, hi)
    };
    if !range_ok(lo, hi, u64::from(b.min), max_u64(b.max)) {
        return Err(RestrictionError::SequenceExceedsChoice);
    }
    for rc in rv {
        if !bv.iter().any(|bc| restricts(cx, rc, bc, depth + 1).is_ok()) {
            return Err(RestrictionError::NotInChoice);
        }
    }
    Ok(())
}

/// `r` is `b`, derives from it, or derives from a member of union `b`.
pub(super) fn type_ok(schema: &Schema, r: TypeId, b: TypeId, depth: usize) -> bool {
    if r == b || b == TypeId(0) || schema.derives_from(r, b) {
        return true;
    }
    if depth > 16 {
        return false;
    }
    if schema.builtin("anySimpleType") == Some(b)
        && matches!(schema.ty(r).kind, TypeKind::Simple(_))
    {
        return true;
    }
    match &schema.ty(b).kind {
        TypeKind::Simple(SimpleType {
            variety: Variety::Union(members),
            ..
        }) => members.iter().any(|m| type_ok(schema, r, *m, depth + 1)),
        _ => false,
    }
}

/// Recurse (order-preserving); `lax` for choice against choice (base particles may be left
/// out freely).
fn recurse(
    cx: &RestrictionContext,
    rv: &[Particle],
    bv: &[Particle],
    lax: bool,
    depth: usize,
) -> Result<(), RestrictionError> {
    let mut bi = 0;
    for rc in rv {
        loop {
            let Some(bc) = bv.get(bi) else {
                return Err(RestrictionError::NothingLeft);
            };
            bi += 1;
            match restricts(cx, rc, bc, depth + 1) {
                Ok(()) => break,
                Err(e) => {
                    if !lax && !emptiable(bc) {
                        return Err(e);
                    }
                }
            }
        }
    }
    if !lax && bv[bi..].iter().any(|bc| !emptiable(bc)) {
        return Err(RestrictionError::RequiredLeftOut);
    }
    Ok(())
}
