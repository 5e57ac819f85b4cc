//! The schema for schemas, as grammars: which `xs:` children each schema element may hold and in
//! what order ([`grammar`]), and the role a child plays in its parent ([`child_role`]), which
//! decides its own grammar and attributes.

use std::fmt;

/// A regular content model over child element names (a term of the schema for schemas).
pub(super) enum Grammar {
    /// One child with this local name.
    Child(&'static str),
    Seq(Vec<Grammar>),
    Alt(Vec<Grammar>),
    Opt(Box<Grammar>),
    Star(Box<Grammar>),
    Plus(Box<Grammar>),
}

// Builders, so the grammars below read like the schema for schemas.

fn child(name: &'static str) -> Grammar {
    Grammar::Child(name)
}
fn opt(g: Grammar) -> Grammar {
    Grammar::Opt(Box::new(g))
}
fn star(g: Grammar) -> Grammar {
    Grammar::Star(Box::new(g))
}
fn plus(g: Grammar) -> Grammar {
    Grammar::Plus(Box::new(g))
}
fn seq(items: Vec<Grammar>) -> Grammar {
    Grammar::Seq(items)
}
/// One child named any of `names`.
fn alt(names: &[&'static str]) -> Grammar {
    Grammar::Alt(names.iter().map(|n| child(n)).collect())
}

impl fmt::Display for Grammar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |f: &mut fmt::Formatter<'_>, v: &[Grammar], sep: &str| -> fmt::Result {
            f.write_str("(")?;
            for (i, g) in v.iter().enumerate() {
                if i > 0 {
                    f.write_str(sep)?;
                }
                write!(f, "{g}")?;
            }
            f.write_str(")")
        };
        match self {
            Grammar::Child(name) => f.write_str(name),
            Grammar::Seq(v) => list(f, v, ", "),
            Grammar::Alt(v) => list(f, v, " | "),
            Grammar::Opt(g) => write!(f, "{g}?"),
            Grammar::Star(g) => write!(f, "{g}*"),
            Grammar::Plus(g) => write!(f, "{g}+"),
        }
    }
}

impl Grammar {
    /// The end positions reachable by matching this grammar against `names` from each of
    /// `starts`. `lenient` makes every term optional (used to find the first child that cannot
    /// fit).
    pub(super) fn ends(&self, names: &[&str], starts: &[usize], lenient: bool) -> Vec<usize> {
        let mut out: Vec<usize> = match self {
            Grammar::Child(name) => {
                let mut v: Vec<usize> = starts
                    .iter()
                    .filter(|&&p| p < names.len() && names[p] == *name)
                    .map(|&p| p + 1)
                    .collect();
                if lenient {
                    v.extend_from_slice(starts);
                }
                v
            }
            Grammar::Seq(items) => {
                let mut cur = starts.to_vec();
                for item in items {
                    cur = item.ends(names, &cur, lenient);
                    if cur.is_empty() {
                        break;
                    }
                }
                cur
            }
            Grammar::Alt(items) => items
                .iter()
                .flat_map(|item| item.ends(names, starts, lenient))
                .collect(),
            Grammar::Opt(inner) => {
                let mut v = inner.ends(names, starts, lenient);
                v.extend_from_slice(starts);
                v
            }
            Grammar::Star(inner) | Grammar::Plus(inner) => {
                let empty_ok = matches!(self, Grammar::Star(_)) || lenient;
                inner.repeated_ends(names, starts, empty_ok, lenient)
            }
        };
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The end positions of this grammar repeated (at least once unless `empty_ok`).
    fn repeated_ends(
        &self,
        names: &[&str],
        starts: &[usize],
        empty_ok: bool,
        lenient: bool,
    ) -> Vec<usize> {
        let mut all: Vec<usize> = if empty_ok {
            starts.to_vec()
        } else {
            Vec::new()
        };
        // Membership by position: `all` can hold every child of a large schema.
        let mut member = vec![false; names.len() + 1];
        for &p in &all {
            member[p] = true;
        }
        let mut frontier = starts.to_vec();
        loop {
            let mut fresh: Vec<usize> = Vec::new();
            for p in self.ends(names, &frontier, lenient) {
                if !member[p] {
                    member[p] = true;
                    fresh.push(p);
                }
            }
            if fresh.is_empty() {
                break;
            }
            all.extend_from_slice(&fresh);
            frontier = fresh;
        }
        all
    }
}

// ---------------------------------------------------------------------------------------------
// Roles of `xs:` elements, by context.

/// What an `xs:` element is in its context: one local name plays several roles (an
/// `xs:element` at the top level or inside a model group), each with its own grammar and
/// attributes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Role {
    Schema,
    Annotation,
    TopElement,
    LocalElement { in_all: bool },
    TopComplexType,
    LocalComplexType,
    TopSimpleType,
    LocalSimpleType,
    SimpleRestriction,
    List,
    Union,
    Facet,
    SimpleContent,
    ComplexContent,
    ScRestriction,
    ScExtension,
    CcDerivation,
    GroupDef,
    GroupRef,
    ModelGroup { in_def: bool },
    Any,
    TopAttribute,
    LocalAttribute,
    AttrGroupDef,
    AttrGroupRef,
    AnyAttribute,
    Include,
    Import,
    Redefine,
    Notation,
    IdConstraint,
    Selector,
    Field,
}

/// The local names of the constraining facets.
pub(super) const FACETS: &[&str] = &[
    "minExclusive",
    "minInclusive",
    "maxExclusive",
    "maxInclusive",
    "totalDigits",
    "fractionDigits",
    "length",
    "minLength",
    "maxLength",
    "enumeration",
    "whiteSpace",
    "pattern",
];

/// Attribute declarations, then an optional attribute wildcard.
fn attr_decls() -> Grammar {
    seq(vec![
        star(alt(&["attribute", "attributeGroup"])),
        opt(child("anyAttribute")),
    ])
}

/// An optional model group (or group reference), then attribute declarations.
fn particle_and_attrs() -> Grammar {
    seq(vec![
        opt(alt(&["group", "all", "choice", "sequence"])),
        attr_decls(),
    ])
}

/// Any facets, in any order.
fn facets() -> Grammar {
    star(alt(FACETS))
}

/// The content model of an element in `role` (a bare optional annotation for the elements
/// that hold nothing else).
pub(super) fn grammar(role: Role) -> Grammar {
    let ann = || opt(child("annotation"));
    match role {
        Role::Schema => seq(vec![
            star(alt(&["include", "import", "redefine", "annotation"])),
            star(seq(vec![
                alt(&[
                    "simpleType",
                    "complexType",
                    "group",
                    "attributeGroup",
                    "element",
                    "attribute",
                    "notation",
                ]),
                star(child("annotation")),
            ])),
        ]),
        Role::Annotation => star(alt(&["appinfo", "documentation"])),
        Role::TopElement | Role::LocalElement { .. } => seq(vec![
            ann(),
            opt(alt(&["simpleType", "complexType"])),
            star(alt(&["unique", "key", "keyref"])),
        ]),
        Role::TopComplexType | Role::LocalComplexType => seq(vec![
            ann(),
            Grammar::Alt(vec![
                child("simpleContent"),
                child("complexContent"),
                particle_and_attrs(),
            ]),
        ]),
        Role::TopSimpleType | Role::LocalSimpleType => {
            seq(vec![ann(), alt(&["restriction", "list", "union"])])
        }
        Role::SimpleRestriction => seq(vec![ann(), opt(child("simpleType")), facets()]),
        Role::List => seq(vec![ann(), opt(child("simpleType"))]),
        Role::Union => seq(vec![ann(), star(child("simpleType"))]),
        Role::SimpleContent | Role::ComplexContent => {
            seq(vec![ann(), alt(&["restriction", "extension"])])
        }
        Role::ScRestriction => seq(vec![
            ann(),
            opt(child("simpleType")),
            facets(),
            attr_decls(),
        ]),
        Role::ScExtension => seq(vec![ann(), attr_decls()]),
        Role::CcDerivation => seq(vec![ann(), particle_and_attrs()]),
        Role::GroupDef => seq(vec![ann(), alt(&["all", "choice", "sequence"])]),
        Role::ModelGroup { .. } => seq(vec![
            ann(),
            star(alt(&["element", "group", "choice", "sequence", "any"])),
        ]),
        Role::TopAttribute | Role::LocalAttribute => seq(vec![ann(), opt(child("simpleType"))]),
        Role::AttrGroupDef => seq(vec![ann(), attr_decls()]),
        Role::Redefine => star(alt(&[
            "annotation",
            "simpleType",
            "complexType",
            "group",
            "attributeGroup",
        ])),
        Role::IdConstraint => seq(vec![ann(), child("selector"), plus(child("field"))]),
        Role::Facet
        | Role::GroupRef
        | Role::Any
        | Role::AttrGroupRef
        | Role::AnyAttribute
        | Role::Include
        | Role::Import
        | Role::Notation
        | Role::Selector
        | Role::Field => ann(),
    }
}

/// The grammar for `xs:all` (only local elements).
pub(super) fn all_grammar() -> Grammar {
    seq(vec![opt(child("annotation")), star(child("element"))])
}

/// The role of an `xs:{child}` element inside `parent` (an `xs:{parent_name}`), `None` when it
/// has no place there.
pub(super) fn child_role(parent: Role, parent_name: &str, child: &str) -> Option<Role> {
    use Role::*;
    Some(match (parent, child) {
        (_, "annotation") => Annotation,
        (Schema | Redefine, "element") => TopElement,
        (Schema | Redefine, "complexType") => TopComplexType,
        (Schema | Redefine, "simpleType") => TopSimpleType,
        (Schema | Redefine, "group") => GroupDef,
        (Schema | Redefine, "attributeGroup") => AttrGroupDef,
        (Schema, "attribute") => TopAttribute,
        (Schema, "include") => Include,
        (Schema, "import") => Import,
        (Schema, "redefine") => Redefine,
        (Schema, "notation") => Notation,
        (TopElement | LocalElement { .. }, "complexType") => LocalComplexType,
        (TopElement | LocalElement { .. }, "simpleType") => LocalSimpleType,
        (TopElement | LocalElement { .. }, "unique" | "key" | "keyref") => IdConstraint,
        (TopComplexType | LocalComplexType, "simpleContent") => SimpleContent,
        (TopComplexType | LocalComplexType, "complexContent") => ComplexContent,
        (TopComplexType | LocalComplexType | CcDerivation, "group") => GroupRef,
        (TopComplexType | LocalComplexType | CcDerivation, "all" | "choice" | "sequence") => {
            ModelGroup { in_def: false }
        }
        (
            TopComplexType | LocalComplexType | CcDerivation | ScRestriction | ScExtension
            | AttrGroupDef,
            "attribute",
        ) => LocalAttribute,
        (
            TopComplexType | LocalComplexType | CcDerivation | ScRestriction | ScExtension
            | AttrGroupDef,
            "attributeGroup",
        ) => AttrGroupRef,
        (
            TopComplexType | LocalComplexType | CcDerivation | ScRestriction | ScExtension
            | AttrGroupDef,
            "anyAttribute",
        ) => AnyAttribute,
        (SimpleContent, "restriction") => ScRestriction,
        (SimpleContent, "extension") => ScExtension,
        (ComplexContent, "restriction" | "extension") => CcDerivation,
        (TopSimpleType | LocalSimpleType, "restriction") => SimpleRestriction,
        (TopSimpleType | LocalSimpleType, "list") => List,
        (TopSimpleType | LocalSimpleType, "union") => Union,
        (
            SimpleRestriction | List | Union | ScRestriction | TopAttribute | LocalAttribute,
            "simpleType",
        ) => LocalSimpleType,
        (SimpleRestriction | ScRestriction, f) if FACETS.contains(&f) => Facet,
        (GroupDef, "all" | "choice" | "sequence") => ModelGroup { in_def: true },
        (ModelGroup { .. }, "element") => LocalElement {
            in_all: parent_name == "all",
        },
        (ModelGroup { .. }, "group") => GroupRef,
        (ModelGroup { .. }, "choice" | "sequence") => ModelGroup { in_def: false },
        (ModelGroup { .. }, "any") => Any,
        (IdConstraint, "selector") => Selector,
        (IdConstraint, "field") => Field,
        _ => return None,
    })
}
