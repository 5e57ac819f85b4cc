//! Schema-document checks: the constraints of XML Schema 1.0 that the (lenient) compiler does not
//! need in order to build the type graph, checked on the documents themselves.
//!
//! [`structure`] is the "schema for schemas" pass: which children and attributes each `xs:`
//! element may have and in what order, the syntax of attribute values (NCName, QName, booleans,
//! occurrence bounds, `final`/`block`, `form`, `use`, `processContents`, namespace lists),
//! required and mutually exclusive attributes, `id` uniqueness, duplicate global names and
//! circular groups. [`components`] runs after compilation on the compiled [`Schema`]: facets
//! (applicable to the base type, consistent, values valid for the base type, only narrowing
//! the base's), default and fixed values valid for their type.
//!
//! Every problem is a [`Diagnostic`] at the offending element or attribute, with a hint.
//! These checks run for standalone schema loads ([`super::load::load`]); WSDLs in the wild are
//! sloppier and keep the compiler's leniency.

use std::collections::{HashMap, HashSet};
use std::fmt;

use roxmltree::{Document, Node};

use super::model::*;
use crate::diag::Diagnostic;
use crate::sources::{SourceSet, at};

/// Problems reported per pass before the rest are dropped.
const MAX_DIAGNOSTICS: usize = 100;

// ---------------------------------------------------------------------------------------------
// Content models of the schema for schemas.

/// A regular content model over child element names.
enum G {
    N(&'static str),
    Seq(Vec<G>),
    Alt(Vec<G>),
    Opt(Box<G>),
    Star(Box<G>),
    Plus(Box<G>),
}

use G::*;

fn n(name: &'static str) -> G {
    N(name)
}
fn opt(g: G) -> G {
    Opt(Box::new(g))
}
fn star(g: G) -> G {
    Star(Box::new(g))
}
fn alt(names: &[&'static str]) -> G {
    Alt(names.iter().map(|n| N(n)).collect())
}

impl fmt::Display for G {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |f: &mut fmt::Formatter<'_>, v: &[G], sep: &str| -> fmt::Result {
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
            N(name) => f.write_str(name),
            Seq(v) => list(f, v, ", "),
            Alt(v) => list(f, v, " | "),
            Opt(g) => write!(f, "{g}?"),
            Star(g) => write!(f, "{g}*"),
            Plus(g) => write!(f, "{g}+"),
        }
    }
}

/// The end positions reachable by matching `g` against `names` from each of `starts`.
/// `lenient` makes every term optional (used to find the first child that cannot fit).
fn ends(g: &G, names: &[&str], starts: &[usize], lenient: bool) -> Vec<usize> {
    let mut out: Vec<usize> = match g {
        N(name) => {
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
        Seq(items) => {
            let mut cur = starts.to_vec();
            for item in items {
                cur = ends(item, names, &cur, lenient);
                if cur.is_empty() {
                    break;
                }
            }
            cur
        }
        Alt(items) => items
            .iter()
            .flat_map(|item| ends(item, names, starts, lenient))
            .collect(),
        Opt(inner) => {
            let mut v = ends(inner, names, starts, lenient);
            v.extend_from_slice(starts);
            v
        }
        Star(inner) | Plus(inner) => {
            let mut all: Vec<usize> = if matches!(g, Star(_)) || lenient {
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
                for p in ends(inner, names, &frontier, lenient) {
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
    };
    out.sort_unstable();
    out.dedup();
    out
}

// ---------------------------------------------------------------------------------------------
// Roles of `xs:` elements, by context.

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Role {
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

const FACETS: &[&str] = &[
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

fn attr_decls() -> G {
    Seq(vec![
        star(alt(&["attribute", "attributeGroup"])),
        opt(n("anyAttribute")),
    ])
}

fn particle_and_attrs() -> G {
    Seq(vec![
        opt(alt(&["group", "all", "choice", "sequence"])),
        attr_decls(),
    ])
}

fn facets() -> G {
    star(Alt(FACETS.iter().map(|f| N(f)).collect()))
}

/// The content model of an element in `role`, `None` for "annotation only".
fn grammar(role: Role) -> G {
    let ann = || opt(n("annotation"));
    match role {
        Role::Schema => Seq(vec![
            star(alt(&["include", "import", "redefine", "annotation"])),
            star(Seq(vec![
                alt(&[
                    "simpleType",
                    "complexType",
                    "group",
                    "attributeGroup",
                    "element",
                    "attribute",
                    "notation",
                ]),
                star(n("annotation")),
            ])),
        ]),
        Role::Annotation => star(alt(&["appinfo", "documentation"])),
        Role::TopElement | Role::LocalElement { .. } => Seq(vec![
            ann(),
            opt(alt(&["simpleType", "complexType"])),
            star(alt(&["unique", "key", "keyref"])),
        ]),
        Role::TopComplexType | Role::LocalComplexType => Seq(vec![
            ann(),
            Alt(vec![
                n("simpleContent"),
                n("complexContent"),
                particle_and_attrs(),
            ]),
        ]),
        Role::TopSimpleType | Role::LocalSimpleType => {
            Seq(vec![ann(), alt(&["restriction", "list", "union"])])
        }
        Role::SimpleRestriction => Seq(vec![ann(), opt(n("simpleType")), facets()]),
        Role::List => Seq(vec![ann(), opt(n("simpleType"))]),
        Role::Union => Seq(vec![ann(), star(n("simpleType"))]),
        Role::SimpleContent | Role::ComplexContent => {
            Seq(vec![ann(), alt(&["restriction", "extension"])])
        }
        Role::ScRestriction => Seq(vec![ann(), opt(n("simpleType")), facets(), attr_decls()]),
        Role::ScExtension => Seq(vec![ann(), attr_decls()]),
        Role::CcDerivation => Seq(vec![ann(), particle_and_attrs()]),
        Role::GroupDef => Seq(vec![ann(), alt(&["all", "choice", "sequence"])]),
        Role::ModelGroup { .. } => Seq(vec![
            ann(),
            star(alt(&["element", "group", "choice", "sequence", "any"])),
        ]),
        Role::TopAttribute | Role::LocalAttribute => Seq(vec![ann(), opt(n("simpleType"))]),
        Role::AttrGroupDef => Seq(vec![ann(), attr_decls()]),
        Role::Redefine => star(alt(&[
            "annotation",
            "simpleType",
            "complexType",
            "group",
            "attributeGroup",
        ])),
        Role::IdConstraint => Seq(vec![ann(), n("selector"), Plus(Box::new(n("field")))]),
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
fn all_grammar() -> G {
    Seq(vec![opt(n("annotation")), star(n("element"))])
}

fn child_role(parent: Role, parent_name: &str, child: &str) -> Option<Role> {
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

/// Syntax of an attribute value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Syn {
    Text,
    NCName,
    QName,
    QNames,
    Bool,
    NonNegInt,
    MaxOccurs,
    Form,
    Use,
    Process,
    Namespaces,
    /// `#all` or a list drawn from the given words.
    Set(&'static [&'static str]),
    Token,
    AnyUri,
    WhiteSpace,
}

const DERIV: &[&str] = &["extension", "restriction"];
const BLOCK_EL: &[&str] = &["extension", "restriction", "substitution"];
const FINAL_ST: &[&str] = &["list", "union", "restriction"];
const FINAL_DEFAULT: &[&str] = &["extension", "restriction", "list", "union"];

/// The attributes an element in `role` may carry (besides `id` and foreign-namespace ones).
fn attributes(role: Role, name: &str) -> &'static [(&'static str, Syn)] {
    use Role::*;
    use Syn::*;
    match role {
        Schema => &[
            ("attributeFormDefault", Form),
            ("elementFormDefault", Form),
            ("blockDefault", Set(BLOCK_EL)),
            ("finalDefault", Set(FINAL_DEFAULT)),
            ("targetNamespace", AnyUri),
            ("version", Token),
        ],
        Annotation => &[],
        TopElement => &[
            ("name", NCName),
            ("type", QName),
            ("substitutionGroup", QName),
            ("default", Text),
            ("fixed", Text),
            ("nillable", Bool),
            ("abstract", Bool),
            ("final", Set(DERIV)),
            ("block", Set(BLOCK_EL)),
        ],
        LocalElement { .. } => &[
            ("name", NCName),
            ("ref", QName),
            ("type", QName),
            ("minOccurs", NonNegInt),
            ("maxOccurs", MaxOccurs),
            ("default", Text),
            ("fixed", Text),
            ("nillable", Bool),
            ("block", Set(BLOCK_EL)),
            ("form", Form),
        ],
        TopComplexType => &[
            ("name", NCName),
            ("mixed", Bool),
            ("abstract", Bool),
            ("final", Set(DERIV)),
            ("block", Set(DERIV)),
        ],
        LocalComplexType => &[("mixed", Bool)],
        TopSimpleType => &[("name", NCName), ("final", Set(FINAL_ST))],
        LocalSimpleType => &[],
        SimpleRestriction | ScRestriction | ScExtension | CcDerivation => &[("base", QName)],
        List => &[("itemType", QName)],
        Union => &[("memberTypes", QNames)],
        Facet => match name {
            "pattern" | "enumeration" => &[("value", Text)],
            "whiteSpace" => &[("value", WhiteSpace), ("fixed", Bool)],
            "totalDigits" | "fractionDigits" | "length" | "minLength" | "maxLength" => {
                &[("value", NonNegInt), ("fixed", Bool)]
            }
            _ => &[("value", Text), ("fixed", Bool)],
        },
        SimpleContent => &[],
        ComplexContent => &[("mixed", Bool)],
        GroupDef => &[("name", NCName)],
        GroupRef => &[
            ("ref", QName),
            ("minOccurs", NonNegInt),
            ("maxOccurs", MaxOccurs),
        ],
        ModelGroup { in_def: true } => &[],
        ModelGroup { in_def: false } => &[("minOccurs", NonNegInt), ("maxOccurs", MaxOccurs)],
        Any => &[
            ("minOccurs", NonNegInt),
            ("maxOccurs", MaxOccurs),
            ("namespace", Namespaces),
            ("processContents", Process),
        ],
        TopAttribute => &[
            ("name", NCName),
            ("type", QName),
            ("default", Text),
            ("fixed", Text),
        ],
        LocalAttribute => &[
            ("name", NCName),
            ("ref", QName),
            ("type", QName),
            ("use", Use),
            ("default", Text),
            ("fixed", Text),
            ("form", Form),
        ],
        AttrGroupDef => &[("name", NCName)],
        AttrGroupRef => &[("ref", QName)],
        AnyAttribute => &[("namespace", Namespaces), ("processContents", Process)],
        Include | Redefine => &[("schemaLocation", AnyUri)],
        Import => &[("namespace", AnyUri), ("schemaLocation", AnyUri)],
        Notation => &[("name", NCName), ("public", Token), ("system", AnyUri)],
        IdConstraint => match name {
            "keyref" => &[("name", NCName), ("refer", QName)],
            _ => &[("name", NCName)],
        },
        Selector | Field => &[("xpath", Token)],
    }
}

/// Attributes that must be present.
fn required(role: Role, name: &str) -> &'static [&'static str] {
    use Role::*;
    match role {
        TopElement | TopComplexType | TopSimpleType | GroupDef | TopAttribute | AttrGroupDef
        | Notation => &["name"],
        GroupRef | AttrGroupRef => &["ref"],
        ScRestriction | ScExtension | CcDerivation => &["base"],
        Facet => &["value"],
        Include | Redefine => &["schemaLocation"],
        IdConstraint if name == "keyref" => &["name", "refer"],
        IdConstraint => &["name"],
        Selector | Field => &["xpath"],
        _ => &[],
    }
}

pub(crate) fn is_name_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

pub(crate) fn is_name_char(c: char) -> bool {
    // XML 1.0 name characters, approximated: ASCII by the letter of the rule, every other
    // character but whitespace and a few symbols (combining marks and extenders are allowed).
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')
    } else {
        !c.is_whitespace() && !matches!(c, '\u{D7}' | '\u{F7}')
    }
}

pub(crate) fn is_ncname(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(is_name_start) && chars.all(is_name_char)
}

fn is_qname(s: &str) -> bool {
    match s.split_once(':') {
        Some((p, l)) => is_ncname(p) && is_ncname(l),
        None => is_ncname(s),
    }
}

fn is_xs(node: &Node) -> bool {
    node.is_element() && node.tag_name().namespace().is_some_and(is_xs_ns)
}

// ---------------------------------------------------------------------------------------------
// The structural pass.

/// One schema document in force: its source, root and target namespace (chameleon includes
/// take their includer's).
#[derive(Clone, Copy)]
struct Doc<'a, 'i> {
    source: usize,
    node: Node<'a, 'i>,
    tns: &'a str,
}

struct Checker<'s, 'a, 'i> {
    set: &'s SourceSet,
    docs: Vec<Doc<'a, 'i>>,
    diags: Vec<Diagnostic>,
    /// Element nodes by (source, offset), built on first use.
    index: std::cell::OnceCell<HashMap<(usize, usize), Node<'a, 'i>>>,
}

impl<'a, 'i> Checker<'_, 'a, 'i> {
    fn report(&mut self, source: usize, pos: usize, message: String, hint: Option<String>) {
        if self.diags.len() >= MAX_DIAGNOSTICS {
            return;
        }
        let s = &self.set.sources[source];
        let mut d = at(&s.path, &s.text, pos, message);
        d.hint = hint;
        self.diags.push(d);
    }

    /// The schema documents reached from `source`'s root (include, import, redefine).
    fn gather(
        &mut self,
        documents: &'a [Document<'i>],
        source: usize,
        tns_override: Option<&'a str>,
    ) {
        let root = documents[source].root_element();
        self.gather_from(documents, vec![(source, root, tns_override)]);
    }

    /// The schema documents reached from `roots` (source, `xs:schema` node, chameleon
    /// namespace), following include, import and redefine.
    fn gather_from(
        &mut self,
        documents: &'a [Document<'i>],
        mut stack: Vec<(usize, Node<'a, 'i>, Option<&'a str>)>,
    ) {
        while let Some((source, root, tns_override)) = stack.pop() {
            if !(is_xs(&root) && root.tag_name().name() == "schema") {
                continue;
            }
            let tns = root
                .attribute("targetNamespace")
                .or(tns_override)
                .unwrap_or("");
            if self
                .docs
                .iter()
                .any(|d| d.source == source && d.node == root && d.tns == tns)
            {
                continue;
            }
            self.docs.push(Doc {
                source,
                node: root,
                tns,
            });
            for c in root.children().filter(is_xs) {
                let name = c.tag_name().name();
                if !matches!(name, "include" | "import" | "redefine") {
                    continue;
                }
                let target = c
                    .attribute("schemaLocation")
                    .and_then(|l| self.set.resolve(source, l.trim()))
                    .or_else(|| {
                        (name == "import")
                            .then(|| {
                                c.attribute("namespace")
                                    .and_then(|ns| self.set.builtin_for(ns))
                            })
                            .flatten()
                    });
                let Some(target) = target else { continue };
                if self.set.sources[target].builtin {
                    continue;
                }
                let chameleon = (name != "import").then_some(tns);
                stack.push((target, documents[target].root_element(), chameleon));
            }
        }
    }

    fn walk(&mut self, source: usize, node: Node<'a, 'i>, role: Role, ids: &mut HashSet<&'a str>) {
        let name = node.tag_name().name();
        self.check_attributes(source, node, role, ids);
        if role == Role::Annotation {
            for c in node.children().filter(|c| c.is_element()) {
                if !(is_xs(&c) && matches!(c.tag_name().name(), "appinfo" | "documentation")) {
                    self.report(
                        source,
                        c.range().start,
                        format!("`{}` is not allowed in xs:annotation", c.tag_name().name()),
                        Some("an annotation holds only xs:appinfo and xs:documentation".into()),
                    );
                }
                for a in c.attributes() {
                    if a.namespace().is_none() && a.name() != "source" {
                        self.report(
                            source,
                            a.range().start,
                            format!(
                                "attribute `{}` is not allowed on xs:{}",
                                a.name(),
                                c.tag_name().name()
                            ),
                            Some("only `source` (and attributes in other namespaces)".into()),
                        );
                    }
                }
            }
            return;
        }
        // Children: text, foreign elements, and the content model.
        let mut kids: Vec<Node<'a, 'i>> = Vec::new();
        for c in node.children() {
            if c.is_text() {
                if c.text().is_some_and(|t| !t.trim().is_empty()) {
                    self.report(
                        source,
                        c.range().start,
                        format!("text is not allowed in xs:{name}"),
                        Some("schema elements hold only other elements; put prose in xs:annotation/xs:documentation".into()),
                    );
                }
            } else if c.is_element() {
                if !is_xs(&c) {
                    self.report(
                        source,
                        c.range().start,
                        format!(
                            "element `{}` (namespace `{}`) is not allowed in xs:{name}",
                            c.tag_name().name(),
                            c.tag_name().namespace().unwrap_or("")
                        ),
                        Some(
                            "elements of other vocabularies belong in xs:annotation/xs:appinfo"
                                .into(),
                        ),
                    );
                    continue;
                }
                kids.push(c);
            }
        }
        let names: Vec<&str> = kids.iter().map(|c| c.tag_name().name()).collect();
        let g = if name == "all" {
            all_grammar()
        } else {
            grammar(role)
        };
        let full = ends(&g, &names, &[0], false);
        if !full.contains(&names.len()) {
            let reach = ends(&g, &names, &[0], true).into_iter().max().unwrap_or(0);
            let hint = Some(format!("xs:{name} holds {g}"));
            if reach < kids.len() {
                let c = kids[reach];
                self.report(
                    source,
                    c.range().start,
                    format!(
                        "xs:{} is not allowed here in xs:{name}",
                        c.tag_name().name()
                    ),
                    hint,
                );
            } else {
                self.report(
                    source,
                    node.range().start,
                    format!("xs:{name} is missing a required child"),
                    hint,
                );
            }
        }
        for c in kids {
            let cname = c.tag_name().name();
            if let Some(r) = child_role(role, name, cname) {
                self.walk(source, c, r, ids);
            }
        }
        self.co_constraints(source, node, role);
    }

    fn check_attributes(
        &mut self,
        source: usize,
        node: Node<'a, 'i>,
        role: Role,
        ids: &mut HashSet<&'a str>,
    ) {
        let name = node.tag_name().name();
        let allowed = attributes(role, name);
        for a in node.attributes() {
            if a.namespace().is_some() {
                continue;
            }
            let value = a.value();
            if a.name() == "id" {
                let v = value.trim();
                if !is_ncname(v) {
                    self.report(
                        source,
                        a.range().start,
                        format!("id=\"{value}\" is not an NCName"),
                        Some(
                            "an id is a name: a letter or `_`, then letters, digits, `.`, `-`, `_`"
                                .into(),
                        ),
                    );
                } else if !ids.insert(v) {
                    self.report(
                        source,
                        a.range().start,
                        format!("id `{v}` is used twice in this document"),
                        Some("ids must be unique within a schema document".into()),
                    );
                }
                continue;
            }
            let Some(&(_, syn)) = allowed.iter().find(|(n, _)| *n == a.name()) else {
                let names: Vec<&str> = allowed.iter().map(|(n, _)| *n).collect();
                self.report(
                    source,
                    a.range().start,
                    format!("attribute `{}` is not allowed on xs:{name} here", a.name()),
                    Some(if names.is_empty() {
                        format!("xs:{name} here takes only `id`")
                    } else {
                        format!("xs:{name} here takes: id, {}", names.join(", "))
                    }),
                );
                continue;
            };
            if let Err(expected) = value_syntax(node, syn, value) {
                self.report(
                    source,
                    a.range().start,
                    format!("{}=\"{value}\" is not {expected}", a.name()),
                    None,
                );
            }
        }
        for req in required(role, name) {
            if !node.has_attribute(*req) {
                self.report(
                    source,
                    node.range().start,
                    format!("xs:{name} needs a `{req}` attribute"),
                    None,
                );
            }
        }
    }

    /// Mutually exclusive and dependent attributes and children.
    fn co_constraints(&mut self, source: usize, node: Node<'a, 'i>, role: Role) {
        let name = node.tag_name().name();
        let here = node.range().start;
        let has = |a: &str| node.has_attribute(a);
        let child = |n: &str| {
            node.children()
                .any(|c| is_xs(&c) && c.tag_name().name() == n)
        };
        let mut problems: Vec<(String, &str)> = Vec::new();
        match role {
            Role::TopElement
            | Role::LocalElement { .. }
            | Role::TopAttribute
            | Role::LocalAttribute => {
                let is_attr = name == "attribute";
                if has("default") && has("fixed") {
                    problems.push((
                        format!("xs:{name} has both `default` and `fixed`"),
                        "keep one: a fixed value is also the default",
                    ));
                }
                if has("type") && (child("simpleType") || child("complexType")) {
                    problems.push((
                        format!("xs:{name} has both a `type` attribute and an inline type"),
                        "keep one of them",
                    ));
                }
                if matches!(role, Role::LocalElement { .. } | Role::LocalAttribute) {
                    if has("ref") && has("name") {
                        problems.push((
                            format!("xs:{name} has both `ref` and `name`"),
                            "a reference takes everything from the global declaration",
                        ));
                    } else if !has("ref") && !has("name") {
                        problems.push((
                            format!("xs:{name} needs a `name` or a `ref`"),
                            "declare it here with a name, or refer to a global one",
                        ));
                    }
                    if has("ref") {
                        let banned: &[&str] = if is_attr {
                            &["type", "form"]
                        } else {
                            &["type", "form", "nillable", "default", "fixed", "block"]
                        };
                        for b in banned {
                            if has(b) {
                                problems.push((
                                    format!("xs:{name} with `ref` cannot have `{b}`"),
                                    "these belong on the global declaration",
                                ));
                            }
                        }
                        if node
                            .children()
                            .any(|c| is_xs(&c) && c.tag_name().name() != "annotation")
                        {
                            problems.push((
                                format!(
                                    "xs:{name} with `ref` cannot have an inline type or constraints"
                                ),
                                "these belong on the global declaration",
                            ));
                        }
                    }
                }
                if is_attr {
                    let use_ = node.attribute("use").map(str::trim);
                    if has("default") && use_.is_some_and(|u| u != "optional") {
                        problems.push((
                            "an attribute with a `default` must have use=\"optional\"".into(),
                            "a default only applies when the attribute may be absent",
                        ));
                    }
                    if node.attribute("name").map(str::trim) == Some("xmlns") {
                        problems.push((
                            "an attribute cannot be named `xmlns`".into(),
                            "xmlns is reserved for namespace declarations",
                        ));
                    }
                }
            }
            Role::SimpleRestriction if has("base") == child("simpleType") => {
                problems.push(("xs:restriction needs exactly one of a `base` attribute and an inline xs:simpleType".into(), "name the base type, or define it inline, not both"));
            }
            Role::List if has("itemType") == child("simpleType") => {
                problems.push(("xs:list needs exactly one of an `itemType` attribute and an inline xs:simpleType".into(), "name the item type, or define it inline, not both"));
            }
            Role::Union => {
                let members = node
                    .attribute("memberTypes")
                    .is_some_and(|m| !m.trim().is_empty());
                if !members && !child("simpleType") {
                    problems.push((
                        "xs:union needs member types".into(),
                        "list them in memberTypes or define them inline",
                    ));
                }
            }
            _ => {}
        }
        if matches!(
            role,
            Role::ModelGroup { .. } | Role::GroupRef | Role::Any | Role::LocalElement { .. }
        ) {
            let min = node
                .attribute("minOccurs")
                .map(str::trim)
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(1);
            let max = match node.attribute("maxOccurs").map(str::trim) {
                None => Some(1),
                Some("unbounded") => None,
                Some(v) => v.parse::<u64>().ok(),
            };
            if name == "all" {
                if min > 1 || max != Some(1) {
                    problems.push((
                        "xs:all must have minOccurs 0 or 1 and maxOccurs 1".into(),
                        "an all group cannot repeat",
                    ));
                }
                let top = node.parent_element().is_some_and(|p| {
                    matches!(
                        p.tag_name().name(),
                        "complexType" | "restriction" | "extension" | "group"
                    )
                });
                if !top {
                    problems.push((
                        "xs:all must be the whole content model".into(),
                        "it cannot sit inside a sequence or choice",
                    ));
                }
            }
            if matches!(role, Role::LocalElement { in_all: true }) && max.is_none_or(|m| m > 1) {
                problems.push((
                    "an element in xs:all may occur at most once (maxOccurs 0 or 1)".into(),
                    "use a sequence or choice for repeated elements",
                ));
            }
        }
        for (message, hint) in problems {
            self.report(source, here, message, Some(hint.to_string()));
        }
    }
}

/// Checks `value` against `syn`; `Err` says what was expected.
fn value_syntax(node: Node, syn: Syn, value: &str) -> Result<(), String> {
    let v = value.trim_matches([' ', '\t', '\n', '\r']);
    let ok = match syn {
        Syn::Text | Syn::Token => true,
        Syn::AnyUri => true,
        Syn::NCName => is_ncname(v),
        Syn::QName => {
            if !is_qname(v) {
                return Err("a QName (prefix:name)".into());
            }
            match v.split_once(':') {
                Some((p, _)) if p != "xml" && node.lookup_namespace_uri(Some(p)).is_none() => {
                    return Err(format!(
                        "a QName with a declared prefix (`{p}` is not declared)"
                    ));
                }
                _ => true,
            }
        }
        Syn::QNames => {
            for item in v.split_ascii_whitespace() {
                value_syntax(node, Syn::QName, item)?;
            }
            true
        }
        Syn::Bool => matches!(v, "true" | "false" | "1" | "0"),
        Syn::NonNegInt => {
            !v.is_empty()
                && v.trim_start_matches('+')
                    .bytes()
                    .all(|b| b.is_ascii_digit())
                && !v.trim_start_matches('+').is_empty()
        }
        Syn::MaxOccurs => {
            v == "unbounded"
                || (!v.is_empty()
                    && v.trim_start_matches('+')
                        .bytes()
                        .all(|b| b.is_ascii_digit())
                    && !v.trim_start_matches('+').is_empty())
        }
        Syn::Form => matches!(v, "qualified" | "unqualified"),
        Syn::Use => matches!(v, "optional" | "prohibited" | "required"),
        Syn::Process => matches!(v, "skip" | "lax" | "strict"),
        Syn::WhiteSpace => matches!(v, "preserve" | "replace" | "collapse"),
        Syn::Namespaces => {
            v == "##any"
                || v == "##other"
                || v.split_ascii_whitespace()
                    .all(|t| !t.starts_with("##") || matches!(t, "##targetNamespace" | "##local"))
        }
        Syn::Set(words) => v == "#all" || v.split_ascii_whitespace().all(|w| words.contains(&w)),
    };
    if ok {
        Ok(())
    } else {
        Err(match syn {
            Syn::NCName => "an NCName (a name without a colon)".into(),
            Syn::Bool => "a boolean (true, false, 1 or 0)".into(),
            Syn::NonNegInt => "a non-negative integer".into(),
            Syn::MaxOccurs => "a non-negative integer or `unbounded`".into(),
            Syn::Form => "`qualified` or `unqualified`".into(),
            Syn::Use => "`optional`, `required` or `prohibited`".into(),
            Syn::Process => "`strict`, `lax` or `skip`".into(),
            Syn::WhiteSpace => "`preserve`, `replace` or `collapse`".into(),
            Syn::Namespaces => {
                "a namespace constraint: ##any, ##other, or a list of URIs, ##targetNamespace and ##local".into()
            }
            Syn::Set(words) => format!("`#all` or a list of: {}", words.join(", ")),
            _ => "valid here".into(),
        })
    }
}

fn reaches<'a, 'i>(
    map: &HashMap<QName, (usize, Node<'a, 'i>)>,
    what: &str,
    node: Node<'a, 'i>,
    target: &QName,
    visited: &mut HashSet<QName>,
    depth: usize,
    budget: &mut usize,
) -> bool {
    if depth > 64 || *budget == 0 {
        return false;
    }
    let mut refs = Vec::new();
    group_refs(node, what, &mut refs);
    *budget = budget.saturating_sub(refs.len() + 1);
    for r in refs {
        let Some(raw) = r.attribute("ref") else {
            continue;
        };
        let raw = raw.trim();
        let (prefix, local) = match raw.split_once(':') {
            Some((p, l)) => (Some(p), l),
            None => (None, raw),
        };
        let Some(ns) = r
            .lookup_namespace_uri(prefix)
            .or(prefix.is_none().then_some(""))
        else {
            continue;
        };
        let q = QName::new(ns, local);
        if &q == target {
            return true;
        }
        if !visited.insert(q.clone()) {
            continue;
        }
        if let Some(&(_, next)) = map.get(&q)
            && reaches(map, what, next, target, visited, depth + 1, budget)
        {
            return true;
        }
    }
    false
}

/// The `xs:group` (or `xs:attributeGroup`) references in `node`'s model, not entering local
/// element declarations (a reference inside an element's own type is recursion, not a cycle).
fn group_refs<'a, 'i>(node: Node<'a, 'i>, what: &str, out: &mut Vec<Node<'a, 'i>>) {
    for c in node.children().filter(is_xs) {
        match c.tag_name().name() {
            "element" => {}
            n if n == what && c.has_attribute("ref") => out.push(c),
            _ => group_refs(c, what, out),
        }
    }
}

/// The schema-for-schemas pass over the entry document (source 0) and every schema document it
/// reaches. Returns every problem found (capped).
pub fn structure<'a, 'i>(set: &SourceSet, documents: &'a [Document<'i>]) -> Vec<Diagnostic> {
    let mut c = Checker {
        set,
        docs: Vec::new(),
        diags: Vec::new(),
        index: std::cell::OnceCell::new(),
    };
    c.gather(documents, 0, None);
    c.structure_of_docs()
}

/// The schema-for-schemas pass over the schemas of a WSDL: every `xs:schema` in the `types`
/// of every WSDL document in the set, and the schema documents they reach. Not part of
/// [`crate::wsdl::load()`] (real WSDLs are sloppy); available to a stricter mode.
pub fn structure_wsdl<'a, 'i>(set: &SourceSet, documents: &'a [Document<'i>]) -> Vec<Diagnostic> {
    let mut c = Checker {
        set,
        docs: Vec::new(),
        diags: Vec::new(),
        index: std::cell::OnceCell::new(),
    };
    c.gather_from(documents, wsdl_roots(documents));
    c.structure_of_docs()
}

impl Checker<'_, '_, '_> {
    fn structure_of_docs(mut self) -> Vec<Diagnostic> {
        let mut seen = HashSet::new();
        let docs = self.docs.clone();
        for d in &docs {
            if !seen.insert((d.source, d.node)) {
                continue;
            }
            // ids are unique per document (file).
            let mut ids = HashSet::new();
            self.walk(d.source, d.node, Role::Schema, &mut ids);
        }
        self.globals(&docs);
        self.diags
    }
}

impl<'a, 'i> Checker<'_, 'a, 'i> {
    /// Duplicate global names and circular group / attribute group definitions.
    fn globals(&mut self, docs: &[Doc<'a, 'i>]) {
        // (symbol space, qname) -> first node
        let mut seen: HashMap<(&str, QName), (usize, Node<'a, 'i>)> = HashMap::new();
        let mut groups: HashMap<QName, (usize, Node<'a, 'i>)> = HashMap::new();
        let mut attr_groups: HashMap<QName, (usize, Node<'a, 'i>)> = HashMap::new();
        for d in docs {
            for c in d.node.children().filter(is_xs) {
                let kind = c.tag_name().name();
                let space = match kind {
                    "complexType" | "simpleType" => "type",
                    "element" | "attribute" | "group" | "attributeGroup" | "notation" => kind,
                    _ => continue,
                };
                let Some(local) = c.attribute("name") else {
                    continue;
                };
                let q = QName::new(d.tns, local.trim());
                match seen.get(&(space, q.clone())) {
                    Some(&(s, first)) if !(s == d.source && first == c) => {
                        let (line, _) =
                            crate::diag::line_col(&self.set.sources[s].text, first.range().start);
                        self.report(
                            d.source,
                            c.range().start,
                            format!("{space} `{}` is declared twice", q.local),
                            Some(format!(
                                "the first declaration is at {}:{line}; global names must be unique per kind and namespace",
                                self.set.sources[s].path.display()
                            )),
                        );
                    }
                    Some(_) => {}
                    None => {
                        seen.insert((space, q.clone()), (d.source, c));
                        match kind {
                            "group" => {
                                groups.insert(q, (d.source, c));
                            }
                            "attributeGroup" => {
                                attr_groups.insert(q, (d.source, c));
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
        // References into loaded namespaces must name a declaration of the right kind, also
        // in components nothing uses (the compiler only resolves what it compiles).
        let loaded: HashSet<&str> = docs.iter().map(|d| d.tns).collect();
        let mut unresolved: Vec<(usize, usize, String)> = Vec::new();
        let mut all_groups: Vec<(usize, Node<'a, 'i>, Node<'a, 'i>)> = Vec::new();
        for d in docs {
            for n in d.node.descendants().filter(is_xs) {
                let kind = n.tag_name().name();
                if !matches!(kind, "group" | "attributeGroup" | "attribute" | "element") {
                    continue;
                }
                let Some(raw) = n.attribute("ref").map(str::trim) else {
                    continue;
                };
                let (prefix, local) = match raw.split_once(':') {
                    Some((p, l)) => (Some(p), l),
                    None => (None, raw),
                };
                let Some(ns) = n
                    .lookup_namespace_uri(prefix)
                    .or(prefix.is_none().then_some(""))
                else {
                    continue;
                };
                if !loaded.contains(ns) || self.set.builtin_for(ns).is_some() {
                    continue;
                }
                match seen.get(&(kind, QName::new(ns, local))) {
                    None => unresolved.push((
                        d.source,
                        n.range().start,
                        format!("`{raw}` names no global xs:{kind}"),
                    )),
                    Some(&(_, g)) if kind == "group" => {
                        let all = g
                            .children()
                            .any(|c| is_xs(&c) && c.tag_name().name() == "all");
                        if all {
                            all_groups.push((d.source, n, g));
                        }
                    }
                    Some(_) => {}
                }
            }
        }
        for (source, offset, m) in unresolved {
            self.report(
                source,
                offset,
                m,
                Some("declare it at the top level of a schema for that namespace".into()),
            );
        }
        // A group holding xs:all can only be a whole content model, once.
        // A redefinition replaces the group it redefines.
        let redefined: HashSet<QName> = docs
            .iter()
            .flat_map(|d| {
                d.node
                    .children()
                    .filter(|c| is_xs(c) && c.tag_name().name() == "redefine")
                    .flat_map(|r| {
                        r.children()
                            .filter(|c| is_xs(c) && c.tag_name().name() == "group")
                    })
                    .filter_map(|g| g.attribute("name").map(|n| QName::new(d.tns, n.trim())))
                    .collect::<Vec<_>>()
            })
            .collect();
        for (source, r, g) in all_groups {
            let name = g.attribute("name").unwrap_or("").trim();
            if redefined.iter().any(|q| q.local == name) {
                continue;
            }
            let top = r.parent_element().is_some_and(|p| {
                matches!(
                    p.tag_name().name(),
                    "complexType" | "restriction" | "extension"
                )
            });
            let once = r.attribute("maxOccurs").is_none_or(|m| m.trim() == "1")
                && r.attribute("minOccurs")
                    .is_none_or(|m| matches!(m.trim(), "0" | "1"));
            if !top || !once {
                self.report(
                    source,
                    r.range().start,
                    "a group holding xs:all can only be referred to as a whole content model, at most once".into(),
                    Some("an all group cannot sit inside a sequence or choice, nor repeat".into()),
                );
            }
        }
        // Circular groups: a group that contains a reference to itself, directly or through
        // other groups (outside a redefine). Attribute groups likewise. The search is bounded
        // (hostile schemas); the compiler still refuses a cycle it meets while expanding.
        let mut budget = 1_000_000usize;
        for (map, what) in [(&groups, "group"), (&attr_groups, "attributeGroup")] {
            let mut keys: Vec<&QName> = map.keys().collect();
            keys.sort();
            for q in keys {
                let (source, node) = map[q];
                if reaches(map, what, node, q, &mut HashSet::new(), 0, &mut budget) {
                    self.report(
                        source,
                        node.range().start,
                        format!("{what} `{}` refers to itself (circular definition)", q.local),
                        Some(format!("an xs:{what} cannot contain a reference to itself, directly or through other groups")),
                    );
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Component checks on the compiled schema.

/// Checks on the compiled schema (facets, value constraints), run when the documents passed
/// [`structure`] and compiled.
pub fn components<'a, 'i>(
    set: &SourceSet,
    documents: &'a [Document<'i>],
    schema: &Schema,
) -> Vec<Diagnostic> {
    let mut c = Checker {
        set,
        docs: Vec::new(),
        diags: Vec::new(),
        index: std::cell::OnceCell::new(),
    };
    c.gather(documents, 0, None);
    c.components_of(schema)
}

/// [`components`] for the schemas of a WSDL (see [`structure_wsdl`]); `schema` is the WSDL's
/// compiled schema, from the same source set.
pub fn components_wsdl<'a, 'i>(
    set: &SourceSet,
    documents: &'a [Document<'i>],
    schema: &Schema,
) -> Vec<Diagnostic> {
    let mut c = Checker {
        set,
        docs: Vec::new(),
        diags: Vec::new(),
        index: std::cell::OnceCell::new(),
    };
    c.gather_from(documents, wsdl_roots(documents));
    c.components_of(schema)
}

/// Every `xs:schema` in the `types` of every WSDL document.
fn wsdl_roots<'a, 'i>(
    documents: &'a [Document<'i>],
) -> Vec<(usize, Node<'a, 'i>, Option<&'a str>)> {
    let mut roots = Vec::new();
    for (i, d) in documents.iter().enumerate() {
        let root = d.root_element();
        if root.tag_name().namespace() != Some(crate::xml::WSDL) {
            continue;
        }
        for types in root
            .children()
            .filter(|c| c.is_element() && c.tag_name().name() == "types")
        {
            for schema in types
                .children()
                .filter(|c| is_xs(c) && c.tag_name().name() == "schema")
            {
                roots.push((i, schema, None));
            }
        }
    }
    roots
}

impl Checker<'_, '_, '_> {
    fn components_of(mut self, schema: &Schema) -> Vec<Diagnostic> {
        let c = &mut self;
        let set = c.set;
        let by_pos: HashMap<(u32, u32), TypeId> = schema
            .types
            .iter()
            .enumerate()
            .filter(|(_, t)| t.name.as_ref().is_none_or(|q| q.ns != XS))
            .map(|(i, t)| ((t.pos.file, t.pos.offset), TypeId(i as u32)))
            .collect();
        let mut seen = HashSet::new();
        let docs = c.docs.clone();
        for d in &docs {
            if !seen.insert((d.source, d.node)) {
                continue;
            }
            for node in d.node.descendants().filter(is_xs) {
                if node.tag_name().name() != "restriction" {
                    continue;
                }
                let Some(parent) = node.parent_element() else {
                    continue;
                };
                let key = match parent.tag_name().name() {
                    "simpleType" => parent.range().start,
                    "simpleContent" => node.range().start,
                    _ => continue,
                };
                let Some(&t) = by_pos.get(&(d.source as u32, key as u32)) else {
                    continue;
                };
                c.facets(schema, d.source, node, t);
            }
        }
        let nodes = c.nodes();
        c.restrictions(schema, &nodes);
        c.type_kinds(schema);
        c.finals(schema, &nodes);
        c.content_models(schema, &nodes);
        // Value constraints of element declarations.
        for e in &schema.elements {
            let value = match (&e.default, &e.fixed) {
                (Some(v), _) | (None, Some(v)) => v,
                _ => continue,
            };
            let source = e.pos.file as usize;
            if source >= set.sources.len() || set.sources[source].builtin {
                continue;
            }
            if let Err(m) = element_value(schema, e.type_id, value) {
                c.report(
                    source,
                    e.pos.offset as usize,
                    format!(
                        "the default/fixed value {value:?} of element `{}` is not valid: {m}",
                        e.name.local
                    ),
                    Some("a value constraint must be a valid value of the element's type".into()),
                );
            }
        }
        // Value constraints of attribute declarations (global and local).
        let mut global_attrs: HashMap<(&str, &str), Node> = HashMap::new();
        for g in &docs {
            for a in g
                .node
                .children()
                .filter(|c| is_xs(c) && c.tag_name().name() == "attribute")
            {
                if let Some(name) = a.attribute("name") {
                    global_attrs.entry((g.tns, name.trim())).or_insert(a);
                }
            }
        }
        for d in &docs {
            for node in d
                .node
                .descendants()
                .filter(|n| is_xs(n) && n.tag_name().name() == "attribute")
            {
                if let Some(raw) = node.attribute("ref").map(str::trim) {
                    let (prefix, local) = match raw.split_once(':') {
                        Some((p, l)) => (Some(p), l),
                        None => (None, raw),
                    };
                    let ns = node.lookup_namespace_uri(prefix).unwrap_or("");
                    let global = global_attrs.get(&(ns, local)).copied();
                    if let Some(gf) = global.and_then(|g| g.attribute("fixed")) {
                        let clash = node.has_attribute("default")
                            || node
                                .attribute("fixed")
                                .is_some_and(|f| f.trim() != gf.trim());
                        if clash {
                            c.report(
                                d.source,
                                node.range().start,
                                format!("attribute `{raw}` is declared with fixed value {gf:?}; a reference cannot change it"),
                                Some("drop the default/fixed here, or repeat the same fixed value".into()),
                            );
                        }
                    }
                }
                let Some(value) = node.attribute("default").or(node.attribute("fixed")) else {
                    continue;
                };
                let t = if let Some(raw) = node.attribute("type") {
                    let raw = raw.trim();
                    let (prefix, local) = match raw.split_once(':') {
                        Some((p, l)) => (Some(p), l),
                        None => (None, raw),
                    };
                    let ns = node.lookup_namespace_uri(prefix).unwrap_or("");
                    let ns = if is_xs_ns(ns) { XS } else { ns };
                    schema.global_types.get(&QName::new(ns, local)).copied()
                } else if let Some(inline) = node
                    .children()
                    .find(|c| is_xs(c) && c.tag_name().name() == "simpleType")
                {
                    by_pos
                        .get(&(d.source as u32, inline.range().start as u32))
                        .copied()
                } else {
                    None
                };
                let Some(t) = t else { continue };
                if is_id(schema, t) {
                    c.report(
                        d.source,
                        node.range().start,
                        "an attribute of type xs:ID cannot have a default or fixed value".into(),
                        Some(
                            "ID values must be unique per document, so no value can be preset"
                                .into(),
                        ),
                    );
                    continue;
                }
                if let Err(m) = simple_value(schema, t, value) {
                    c.report(
                    d.source,
                    node.range().start,
                    format!("the default/fixed value {value:?} is not valid for the attribute's type: {m}"),
                    Some("a value constraint must be a valid value of the attribute's type".into()),
                );
                }
            }
        }
        self.diags
    }
}

fn builtin_name(schema: &Schema, t: TypeId) -> &str {
    schema.ty(t).name.as_ref().map_or("", |q| q.local.as_str())
}

/// Whether a simple type is (or derives from) xs:ID.
fn is_id(schema: &Schema, t: TypeId) -> bool {
    match &schema.ty(t).kind {
        TypeKind::Simple(st) => {
            matches!(st.variety, Variety::Atomic) && builtin_name(schema, st.base_builtin) == "ID"
        }
        _ => false,
    }
}

/// A default or fixed value of an element of type `t`.
fn element_value(schema: &Schema, t: TypeId, value: &str) -> Result<(), String> {
    match &schema.ty(t).kind {
        TypeKind::Simple(_) => {
            if is_id(schema, t) {
                return Err("an element of type xs:ID cannot have one".into());
            }
            simple_value(schema, t, value)
        }
        TypeKind::Complex(ct) => match &ct.content {
            Content::Simple(st) => simple_value(schema, *st, value),
            Content::Empty => Err("the type has empty content".into()),
            Content::Elements(p) if ct.mixed => {
                if too_deep(p) || emptiable(schema, p) {
                    Ok(())
                } else {
                    Err("the type's mixed content has required elements".into())
                }
            }
            Content::Elements(_) => Err("the type has element-only content".into()),
        },
    }
}

fn emptiable(_schema: &Schema, p: &Particle) -> bool {
    if p.min == 0 {
        return true;
    }
    match &p.term {
        Term::Element(_) | Term::Any(_) => false,
        Term::Sequence(v) | Term::All(v) => v.iter().all(|q| emptiable(_schema, q)),
        Term::Choice(v) => v.is_empty() || v.iter().any(|q| emptiable(_schema, q)),
    }
}

/// Whether `value` is a valid value of simple type `t` (lexical form and facets).
fn simple_value(schema: &Schema, t: TypeId, value: &str) -> Result<(), String> {
    match &schema.ty(t).kind {
        TypeKind::Simple(st) => st_value(schema, st, value, 0),
        TypeKind::Complex(_) => Ok(()),
    }
}

fn st_value(schema: &Schema, st: &SimpleType, value: &str, depth: usize) -> Result<(), String> {
    if depth > 32 {
        return Ok(());
    }
    match &st.variety {
        Variety::List(item) => {
            for v in value.split_ascii_whitespace() {
                if let TypeKind::Simple(it) = &schema.ty(*item).kind {
                    st_value(schema, it, v, depth + 1)?;
                }
            }
            let joined = value.split_ascii_whitespace().collect::<Vec<_>>().join(" ");
            crate::xsd::facets::check(schema, st, &joined).map_err(String::from)
        }
        Variety::Union(members) => {
            let mut last = "not a value of any member type".to_string();
            for m in members {
                if let TypeKind::Simple(ms) = &schema.ty(*m).kind {
                    match st_value(schema, ms, value, depth + 1) {
                        Ok(()) => {
                            let v = value.trim();
                            return crate::xsd::facets::check(schema, st, v).map_err(String::from);
                        }
                        Err(e) => last = e,
                    }
                }
            }
            Err(last)
        }
        Variety::Atomic => {
            let lexical = lexical(schema, st, value)?;
            crate::xsd::facets::check(schema, st, &lexical)?;
            bounds(st, &lexical)
        }
    }
}

/// The lexical form of `value` for an atomic type's built-in base, or why it is not one.
fn lexical(schema: &Schema, st: &SimpleType, value: &str) -> Result<String, String> {
    let ws = st
        .facets
        .white_space
        .or(match &schema.ty(st.base_builtin).kind {
            TypeKind::Simple(b) => b.facets.white_space,
            _ => None,
        });
    let v = match ws {
        Some(WhiteSpace::Collapse) => value.split_ascii_whitespace().collect::<Vec<_>>().join(" "),
        Some(WhiteSpace::Replace) => value.replace(['\t', '\n', '\r'], " "),
        _ => value.to_string(),
    };
    let ok = match builtin_name(schema, st.base_builtin) {
        "Name" => {
            v.split(':').all(|p| p.chars().all(is_name_char))
                && v.chars()
                    .next()
                    .is_some_and(|c| is_name_start(c) || c == ':')
        }
        "NCName" | "ID" | "IDREF" | "ENTITY" => is_ncname(&v),
        "NMTOKEN" => !v.is_empty() && v.chars().all(|c| is_name_char(c) || c == ':'),
        "QName" | "NOTATION" => is_qname(&v),
        _ => true,
    };
    if !ok {
        return Err(format!(
            "{v:?} is not a valid xs:{}",
            builtin_name(schema, st.base_builtin)
        ));
    }
    match st.primitive {
        Primitive::Float | Primitive::Double => {
            if float(&v).is_none() {
                return Err(format!("{v:?} is not a valid floating-point number"));
            }
            return Ok(v);
        }
        Primitive::Decimal if decimal(&v).is_none() => {
            return Err(format!("{v:?} is not a valid decimal number"));
        }
        _ => {}
    }
    crate::xsd::facets::text_value(schema, st.base_builtin, &v)
        .map(|_| v)
        .map_err(String::from)
}

fn float(s: &str) -> Option<f64> {
    match s {
        "INF" => return Some(f64::INFINITY),
        "-INF" => return Some(f64::NEG_INFINITY),
        "NaN" => return Some(f64::NAN),
        _ => {}
    }
    let ok = s
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'))
        && s.bytes().any(|b| b.is_ascii_digit());
    if ok { s.parse().ok() } else { None }
}

/// (negative, integer digits without leading zeros, fraction digits without trailing zeros).
fn decimal(s: &str) -> Option<(bool, String, String)> {
    let (neg, rest) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (int, frac) = rest.split_once('.').unwrap_or((rest, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let int = int.trim_start_matches('0').to_string();
    let frac = frac.trim_end_matches('0').to_string();
    let neg = neg && !(int.is_empty() && frac.is_empty());
    Some((neg, int, frac))
}

/// Compares two values of a primitive type; `None` when they are not comparable here.
fn compare(p: Primitive, a: &str, b: &str) -> Option<std::cmp::Ordering> {
    use std::cmp::Ordering;
    match p {
        Primitive::Decimal => {
            let (x, y) = (decimal(a)?, decimal(b)?);
            let sign = |d: &(bool, String, String)| -> i8 {
                if d.1.is_empty() && d.2.is_empty() {
                    0
                } else if d.0 {
                    -1
                } else {
                    1
                }
            };
            let o = sign(&x).cmp(&sign(&y));
            if o != Ordering::Equal {
                return Some(o);
            }
            let mag =
                x.1.len()
                    .cmp(&y.1.len())
                    .then_with(|| x.1.cmp(&y.1))
                    .then_with(|| x.2.cmp(&y.2));
            Some(if sign(&x) < 0 { mag.reverse() } else { mag })
        }
        Primitive::Float | Primitive::Double => float(a)?.partial_cmp(&float(b)?),
        Primitive::DateTime
        | Primitive::Date
        | Primitive::Time
        | Primitive::GYear
        | Primitive::GYearMonth
        | Primitive::GMonthDay
        | Primitive::GDay
        | Primitive::GMonth => {
            // Only the easy case: same shape, no time zone on either side.
            let zoned = |s: &str| {
                s.ends_with('Z')
                    || s.len() > 6
                        && matches!(s.as_bytes()[s.len() - 6], b'+' | b'-')
                        && s.as_bytes()[s.len() - 3] == b':'
            };
            if zoned(a)
                || zoned(b)
                || a.starts_with('-') && !a.starts_with("--")
                || b.starts_with('-') && !b.starts_with("--")
            {
                return None;
            }
            let head = |s: &str| s.split('.').next().unwrap_or("").len();
            if head(a) != head(b) {
                return None;
            }
            let pad = |s: &str| {
                let (h, f) = s.split_once('.').unwrap_or((s, ""));
                (h.to_string(), f.trim_end_matches('0').to_string())
            };
            Some(pad(a).cmp(&pad(b)))
        }
        _ => None,
    }
}

/// The bound facets of an atomic type, against a value (decimals are also checked by
/// `convert::simple::facets`; this covers floats and dates).
fn bounds(st: &SimpleType, v: &str) -> Result<(), String> {
    use std::cmp::Ordering::*;
    let f = &st.facets;
    let p = st.primitive;
    let checks: [(&Option<String>, &[std::cmp::Ordering], &str); 4] = [
        (&f.min_inclusive, &[Greater, Equal], "at least"),
        (&f.min_exclusive, &[Greater], "more than"),
        (&f.max_inclusive, &[Less, Equal], "at most"),
        (&f.max_exclusive, &[Less], "less than"),
    ];
    for (bound, allowed, what) in checks {
        if let Some(b) = bound
            && let Some(o) = compare(p, v, b)
            && !allowed.contains(&o)
        {
            return Err(format!("{v:?} must be {what} {b}"));
        }
    }
    Ok(())
}

/// (lower bound, upper bound, allowed orderings of lower against upper, message).
type BoundPair<'f> = (
    &'f Option<String>,
    &'f Option<String>,
    &'f [std::cmp::Ordering],
    &'f str,
);

const FACET_FIELDS: &[&str] = &[
    "length",
    "minLength",
    "maxLength",
    "totalDigits",
    "fractionDigits",
    "minInclusive",
    "maxInclusive",
    "minExclusive",
    "maxExclusive",
    "enumeration",
    "pattern",
    "whiteSpace",
];

/// Which facets apply to a simple type (its variety and primitive).
fn applicable(st: &SimpleType, facet: &str) -> bool {
    let common = matches!(facet, "pattern" | "enumeration" | "whiteSpace");
    match st.variety {
        Variety::Union(_) => matches!(facet, "pattern" | "enumeration"),
        Variety::List(_) => common || matches!(facet, "length" | "minLength" | "maxLength"),
        Variety::Atomic => match st.primitive {
            Primitive::AnySimple => true,
            Primitive::String
            | Primitive::AnyUri
            | Primitive::QName
            | Primitive::Notation
            | Primitive::HexBinary
            | Primitive::Base64Binary => {
                common || matches!(facet, "length" | "minLength" | "maxLength")
            }
            Primitive::Boolean => matches!(facet, "pattern" | "whiteSpace"),
            Primitive::Decimal => {
                common
                    || facet.starts_with("min") && !facet.ends_with("Length")
                    || facet.starts_with("max") && !facet.ends_with("Length")
                    || matches!(facet, "totalDigits" | "fractionDigits")
            }
            _ => {
                common
                    || matches!(
                        facet,
                        "minInclusive" | "maxInclusive" | "minExclusive" | "maxExclusive"
                    )
            }
        },
    }
}

impl<'a, 'i> Checker<'_, 'a, 'i> {
    /// The facets of one restriction step (`node`, compiled into type `t`) against its base.
    fn facets(&mut self, schema: &Schema, source: usize, node: Node<'a, 'i>, t: TypeId) {
        let TypeKind::Simple(derived) = &schema.ty(t).kind else {
            return;
        };
        let Some(base_id) = schema.ty(t).base else {
            return;
        };
        let base = match &schema.ty(base_id).kind {
            TypeKind::Simple(b) => b.clone(),
            // simpleContent: the base's text type.
            TypeKind::Complex(ct) => match &ct.content {
                Content::Simple(s) => match &schema.ty(*s).kind {
                    TypeKind::Simple(b) => b.clone(),
                    _ => return,
                },
                _ => return,
            },
        };
        let base_fixed = self.fixed_facets(schema, base_id);
        let mut seen: HashMap<&str, Node> = HashMap::new();
        let mut problems: Vec<(Node, String)> = Vec::new();
        for f in node
            .children()
            .filter(|c| is_xs(c) && FACET_FIELDS.contains(&c.tag_name().name()))
        {
            let name = f.tag_name().name();
            let value = f.attribute("value").unwrap_or("");
            if !applicable(&base, name) {
                problems.push((
                    f,
                    format!(
                        "facet xs:{name} does not apply to the base type `{}`",
                        schema.type_label(base_id)
                    ),
                ));
                continue;
            }
            if !matches!(name, "enumeration" | "pattern") && seen.insert(name, f).is_some() {
                problems.push((
                    f,
                    format!("facet xs:{name} is given twice in one restriction"),
                ));
                continue;
            }
            if base_fixed.contains(&name) {
                let same = match name {
                    "length" => base.facets.length.map(|n| n.to_string()),
                    "minLength" => base.facets.min_length.map(|n| n.to_string()),
                    "maxLength" => base.facets.max_length.map(|n| n.to_string()),
                    "totalDigits" => base.facets.total_digits.map(|n| n.to_string()),
                    "fractionDigits" => base.facets.fraction_digits.map(|n| n.to_string()),
                    "minInclusive" => base.facets.min_inclusive.clone(),
                    "maxInclusive" => base.facets.max_inclusive.clone(),
                    "minExclusive" => base.facets.min_exclusive.clone(),
                    "maxExclusive" => base.facets.max_exclusive.clone(),
                    "whiteSpace" => base
                        .facets
                        .white_space
                        .map(|w| format!("{w:?}").to_lowercase()),
                    _ => None,
                };
                if same.as_deref() != Some(value.trim()) {
                    problems.push((
                        f,
                        format!(
                            "facet xs:{name} is fixed in the base type `{}` and cannot change",
                            schema.type_label(base_id)
                        ),
                    ));
                    continue;
                }
            }
            let num = value.trim().parse::<u64>().ok();
            match name {
                "length" | "minLength" | "maxLength" | "totalDigits" | "fractionDigits" => {
                    let Some(n) = num else { continue };
                    let (b, narrower) = match name {
                        "length" => (
                            base.facets.length,
                            base.facets.length.is_none_or(|b| n == b),
                        ),
                        "minLength" => (
                            base.facets.min_length,
                            base.facets.min_length.is_none_or(|b| n >= b),
                        ),
                        "maxLength" => (
                            base.facets.max_length,
                            base.facets.max_length.is_none_or(|b| n <= b),
                        ),
                        "totalDigits" => (
                            base.facets.total_digits.map(u64::from),
                            base.facets.total_digits.is_none_or(|b| n <= u64::from(b)),
                        ),
                        _ => (
                            base.facets.fraction_digits.map(u64::from),
                            base.facets
                                .fraction_digits
                                .is_none_or(|b| n <= u64::from(b)),
                        ),
                    };
                    if name == "totalDigits" && n == 0 {
                        problems.push((f, "totalDigits must be at least 1".into()));
                    } else if !narrower {
                        problems.push((
                            f,
                            format!(
                                "facet xs:{name}={n} widens the base type's {name}={}",
                                b.unwrap_or(0)
                            ),
                        ));
                    }
                    if name == "length"
                        && (base.facets.min_length.is_some_and(|m| n < m)
                            || base.facets.max_length.is_some_and(|m| n > m))
                    {
                        problems.push((
                            f,
                            format!("length {n} is outside the base type's minLength/maxLength"),
                        ));
                    }
                    if name == "minLength" && base.facets.length.is_some_and(|l| n > l)
                        || name == "maxLength" && base.facets.length.is_some_and(|l| n < l)
                    {
                        problems
                            .push((f, format!("{name} {n} contradicts the base type's length")));
                    }
                }
                "minInclusive" | "maxInclusive" | "minExclusive" | "maxExclusive" => {
                    let mut lax = base.clone();
                    match name {
                        "minInclusive" | "minExclusive" => {
                            if name == "minExclusive" {
                                lax.facets.min_exclusive = None
                            } else {
                                lax.facets.min_inclusive = None
                            }
                        }
                        _ => {
                            if name == "maxExclusive" {
                                lax.facets.max_exclusive = None
                            } else {
                                lax.facets.max_inclusive = None
                            }
                        }
                    }
                    // An exclusive bound may equal the base's inclusive one on its side... only
                    // for the same kind; the comparisons below handle that.
                    if let Err(m) = st_value(schema, &lax, value, 0) {
                        problems.push((
                            f,
                            format!(
                                "{name}=\"{value}\" is not a valid value of the base type: {m}"
                            ),
                        ));
                        continue;
                    }
                    let own = match name {
                        "minInclusive" => &base.facets.min_inclusive,
                        "maxInclusive" => &base.facets.max_inclusive,
                        "minExclusive" => &base.facets.min_exclusive,
                        _ => &base.facets.max_exclusive,
                    };
                    if let Some(b) = own
                        && let Some(o) = compare(base.primitive, value.trim(), b)
                    {
                        let widens = if name.starts_with("min") {
                            o == std::cmp::Ordering::Less
                        } else {
                            o == std::cmp::Ordering::Greater
                        };
                        if widens {
                            problems.push((
                                f,
                                format!(
                                    "{name}={} widens the base type's {name}={b}",
                                    value.trim()
                                ),
                            ));
                        }
                    }
                }
                "enumeration" => {
                    if let Err(m) = st_value(schema, &base, value, 0) {
                        problems.push((f, format!("enumeration value {value:?} is not a valid value of the base type: {m}")));
                    }
                }
                "whiteSpace" => {
                    let rank = |w: &str| match w {
                        "preserve" => 0,
                        "replace" => 1,
                        _ => 2,
                    };
                    let b = base.facets.white_space.map_or(0, |w| match w {
                        WhiteSpace::Preserve => 0,
                        WhiteSpace::Replace => 1,
                        WhiteSpace::Collapse => 2,
                    });
                    let non_string = matches!(base.variety, Variety::List(_))
                        || !matches!(base.primitive, Primitive::String | Primitive::AnySimple);
                    if rank(value.trim()) < b || non_string && value.trim() != "collapse" {
                        problems.push((
                            f,
                            format!(
                                "whiteSpace=\"{}\" loosens the base type's whitespace handling",
                                value.trim()
                            ),
                        ));
                    }
                }
                _ => {}
            }
        }
        // Consistency of the facets in force after this step.
        let d = &derived.facets;
        let here_len = seen.contains_key("length");
        // A minLength/maxLength that only repeats the base's value adds nothing.
        let new_bound = |name: &str, base_value: Option<u64>| {
            seen.get(name).is_some_and(|f| {
                f.attribute("value")
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    != base_value
            })
        };
        if here_len
            && (new_bound("minLength", base.facets.min_length)
                || new_bound("maxLength", base.facets.max_length))
        {
            problems.push((
                node,
                "length cannot be combined with minLength or maxLength".into(),
            ));
        }
        if let (Some(a), Some(b)) = (d.min_length, d.max_length)
            && a > b
        {
            problems.push((
                node,
                format!("minLength ({a}) is greater than maxLength ({b})"),
            ));
        }
        if let (Some(td), Some(fd)) = (d.total_digits, d.fraction_digits)
            && fd > td
        {
            problems.push((
                node,
                format!("fractionDigits ({fd}) is greater than totalDigits ({td})"),
            ));
        }
        if seen.contains_key("minInclusive") && seen.contains_key("minExclusive") {
            problems.push((
                node,
                "minInclusive and minExclusive cannot both be given".into(),
            ));
        }
        if seen.contains_key("maxInclusive") && seen.contains_key("maxExclusive") {
            problems.push((
                node,
                "maxInclusive and maxExclusive cannot both be given".into(),
            ));
        }
        use std::cmp::Ordering::*;
        let p = derived.primitive;
        let pairs: [BoundPair; 4] = [
            (
                &d.min_inclusive,
                &d.max_inclusive,
                &[Less, Equal],
                "minInclusive is greater than maxInclusive",
            ),
            (
                &d.min_exclusive,
                &d.max_exclusive,
                &[Less],
                "minExclusive must be less than maxExclusive",
            ),
            (
                &d.min_inclusive,
                &d.max_exclusive,
                &[Less],
                "minInclusive must be less than maxExclusive",
            ),
            (
                &d.min_exclusive,
                &d.max_inclusive,
                &[Less],
                "minExclusive must be less than maxInclusive",
            ),
        ];
        for (lo, hi, ok, msg) in pairs {
            if let (Some(lo), Some(hi)) = (lo, hi)
                && let Some(o) = compare(p, lo, hi)
                && !ok.contains(&o)
            {
                problems.push((node, format!("{msg} ({lo} vs {hi})")));
            }
        }
        // A restriction's own inclusive/exclusive pair against the base's opposite kind.
        for (f, msg) in problems {
            self.report(
                source,
                f.range().start,
                msg,
                Some("a restriction can only narrow its base type: facets must apply to it, agree with each other, and stay within the base's".into()),
            );
        }
    }

    /// The facets marked fixed="true" on a type's own restriction (built-ins: integer's
    /// fractionDigits and the whiteSpace of non-string types).
    fn fixed_facets(&self, schema: &Schema, t: TypeId) -> Vec<&'static str> {
        let ty = schema.ty(t);
        if let Some(q) = &ty.name
            && q.ns == XS
        {
            return match &ty.kind {
                TypeKind::Simple(st)
                    if st.primitive == Primitive::Decimal && q.local != "decimal" =>
                {
                    vec!["fractionDigits", "whiteSpace"]
                }
                TypeKind::Simple(st)
                    if !matches!(st.primitive, Primitive::String | Primitive::AnySimple) =>
                {
                    vec!["whiteSpace"]
                }
                _ => Vec::new(),
            };
        }
        let mut out = Vec::new();
        let mut cur = Some(t);
        let mut steps = 0;
        while let Some(id) = cur {
            steps += 1;
            if steps > 64 {
                break;
            }
            let ty = schema.ty(id);
            if ty.name.as_ref().is_some_and(|q| q.ns == XS) {
                out.extend(self.fixed_facets(schema, id));
                break;
            }
            let file = ty.pos.file as usize;
            if let Some(src) = self.set.sources.get(file)
                && let Some(node) = self.node_at(file, ty.pos.offset as usize, &src.text)
            {
                let restriction = if node.tag_name().name() == "restriction" {
                    Some(node)
                } else {
                    node.children()
                        .find(|c| is_xs(c) && c.tag_name().name() == "restriction")
                };
                if let Some(r) = restriction {
                    for f in r.children().filter(is_xs) {
                        if f.attribute("fixed")
                            .is_some_and(|v| matches!(v.trim(), "true" | "1"))
                            && let Some(n) =
                                FACET_FIELDS.iter().find(|n| **n == f.tag_name().name())
                        {
                            out.push(*n);
                        }
                    }
                }
            }
            cur = ty.base;
        }
        out
    }

    fn node_at(&self, source: usize, offset: usize, _text: &str) -> Option<Node<'a, 'i>> {
        self.index
            .get_or_init(|| self.nodes())
            .get(&(source, offset))
            .copied()
    }
}

// ---------------------------------------------------------------------------------------------
// Particle restriction (XSD 1.0 3.9.6, "Particle Valid (Restriction)").

/// The effective range of a particle: (min, max), `None` max = unbounded.
fn effective_range(p: &Particle) -> (u64, Option<u64>) {
    let own_max = match p.max {
        MaxOccurs::Bounded(n) => Some(u64::from(n)),
        MaxOccurs::Unbounded => None,
    };
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
fn too_deep(p: &Particle) -> bool {
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
    what: impl std::fmt::Display,
    base: &str,
) -> Result<(), String> {
    if range_ok(
        u64::from(r.min),
        max_u64(r.max),
        u64::from(b.min),
        max_u64(b.max),
    ) {
        return Ok(());
    }
    Err(format!(
        "{what} occurs {}..{} where {base} allows {}..{}",
        r.min, r.max, b.min, b.max
    ))
}

fn emptiable_p(p: &Particle) -> bool {
    effective_range(p).0 == 0
}

/// Removes pointless particles: groups occurring exactly once with one child become the
/// child; a sequence in a sequence (or a choice in a choice) occurring once is spliced in.
fn normalize(p: &Particle) -> Option<Particle> {
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

fn ns_allowed(w: &Wildcard, ns: &str) -> bool {
    match &w.namespaces {
        NamespaceConstraint::Any => true,
        NamespaceConstraint::Not(t) => ns != t && !ns.is_empty(),
        NamespaceConstraint::List(l) => l.iter().any(|x| x == ns),
    }
}

fn ns_subset(r: &Wildcard, b: &Wildcard) -> bool {
    match (&r.namespaces, &b.namespaces) {
        (_, NamespaceConstraint::Any) => true,
        (NamespaceConstraint::Any, _) => false,
        (NamespaceConstraint::Not(x), NamespaceConstraint::Not(y)) => x == y,
        (NamespaceConstraint::Not(_), NamespaceConstraint::List(_)) => false,
        (NamespaceConstraint::List(l), _) => l.iter().all(|n| ns_allowed(b, n)),
    }
}

fn process_ok(r: ProcessContents, b: ProcessContents) -> bool {
    use ProcessContents::*;
    match b {
        Strict => r == Strict,
        Lax => r != Skip,
        Skip => true,
    }
}

/// What particle restriction needs besides the schema: the substitutions each element
/// declaration blocks (bit 0 extension, 1 restriction, 2 substitution), read from the documents.
struct Cx<'s> {
    schema: &'s Schema,
    blocks: HashMap<ElementId, u8>,
    /// Steps left for the current type: nested groups tried against each other can branch;
    /// past the budget a content model is given the benefit of the doubt.
    steps: std::cell::Cell<u32>,
}

/// Particle comparisons allowed per restricted type.
const MAX_STEPS: u32 = 200_000;

fn block_bits(words: &[String]) -> u8 {
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
fn restricts(cx: &Cx, r: &Particle, b: &Particle, depth: usize) -> Result<(), String> {
    let schema = cx.schema;
    let left = cx.steps.get();
    if left == 0 {
        return Ok(());
    }
    cx.steps.set(left - 1);
    if depth > 64 {
        return Ok(());
    }
    let name = |e: ElementId| schema.element(e).name.local.clone();
    match (&r.term, &b.term) {
        (Term::Element(re), Term::Element(be)) => {
            let (rel, bel) = (schema.element(*re), schema.element(*be));
            if rel.name != bel.name {
                // An element may stand for a member of the base element's substitution group.
                let member = schema.substitutes.get(be).is_some_and(|m| m.contains(re));
                if !member {
                    return Err(format!(
                        "element `{}` does not match `{}` of the base",
                        name(*re),
                        name(*be)
                    ));
                }
            }
            occurs_within(r, b, format!("element `{}`", name(*re)), "the base")?;
            let (rb, bb) = (
                cx.blocks.get(re).copied().unwrap_or(0),
                cx.blocks.get(be).copied().unwrap_or(0),
            );
            if rb & bb != bb {
                return Err(format!(
                    "element `{}` must block at least what the base's blocks",
                    name(*re)
                ));
            }
            if rel.nillable && !bel.nillable {
                return Err(format!(
                    "element `{}` is nillable but the base's is not",
                    name(*re)
                ));
            }
            if let Some(f) = &bel.fixed
                && rel.fixed.as_deref().map(str::trim) != Some(f.trim())
            {
                return Err(format!(
                    "element `{}` must keep the base's fixed value {f:?}",
                    name(*re)
                ));
            }
            if rel.type_id != bel.type_id
                && bel.type_id != TypeId(0)
                && !schema.derives_from(rel.type_id, bel.type_id)
                && !simple_restricts(schema, rel.type_id, bel.type_id)
            {
                return Err(format!(
                    "element `{}` has type `{}`, which does not derive from the base's `{}`",
                    name(*re),
                    schema.type_label(rel.type_id),
                    schema.type_label(bel.type_id)
                ));
            }
            Ok(())
        }
        (Term::Element(re), Term::Any(w)) => {
            occurs_within(
                r,
                b,
                format!("element `{}`", name(*re)),
                "the base's wildcard",
            )?;
            if !ns_allowed(w, &schema.element(*re).name.ns) {
                return Err(format!(
                    "element `{}` is not in a namespace the base's wildcard allows",
                    name(*re)
                ));
            }
            Ok(())
        }
        (Term::Any(rw), Term::Any(bw)) => {
            occurs_within(r, b, "a wildcard", "the base's")?;
            if !ns_subset(rw, bw) {
                return Err("a wildcard allows namespaces the base's wildcard does not".into());
            }
            if !process_ok(rw.process, bw.process) {
                return Err("a wildcard's processContents is weaker than the base's".into());
            }
            Ok(())
        }
        (Term::Sequence(v) | Term::Choice(v) | Term::All(v), Term::Any(_)) => {
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
                return Err("the group occurs more often than the base's wildcard allows".into());
            }
            Ok(())
        }
        (Term::Any(_), _) => Err("a wildcard cannot restrict an element or a model group".into()),
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
        (Term::Sequence(_) | Term::Choice(_) | Term::All(_), Term::Element(be)) => Err(format!(
            "a model group cannot restrict the single element `{}`",
            name(*be)
        )),
        (Term::All(rv), Term::All(bv)) | (Term::Sequence(rv), Term::Sequence(bv)) => {
            occurs_within(r, b, "a group", "the base's")?;
            recurse(cx, rv, bv, false, depth)
        }
        (Term::Choice(rv), Term::Choice(bv)) => {
            occurs_within(r, b, "a choice", "the base's")?;
            recurse(cx, rv, bv, true, depth)
        }
        (Term::Sequence(rv), Term::All(bv)) => {
            occurs_within(r, b, "a sequence", "the base's all group")?;
            let mut used = vec![false; bv.len()];
            'next: for rc in rv {
                for (i, bc) in bv.iter().enumerate() {
                    if !used[i] && restricts(cx, rc, bc, depth + 1).is_ok() {
                        used[i] = true;
                        continue 'next;
                    }
                }
                return Err(
                    "a particle of the sequence matches nothing in the base's all group".into(),
                );
            }
            if bv.iter().zip(&used).any(|(bc, u)| !u && !emptiable_p(bc)) {
                return Err(
                    "the restriction leaves out a required particle of the base's all group".into(),
                );
            }
            Ok(())
        }
        (Term::Sequence(rv), Term::Choice(bv)) => {
            // MapAndSum.
            let (lo, hi) = {
                let n = rv.len() as u64;
                let lo = u64::from(r.min).saturating_mul(n);
                let hi = max_u64(r.max).map(|m| m.saturating_mul(n));
                (lo, hi)
            };
            if !range_ok(lo, hi, u64::from(b.min), max_u64(b.max)) {
                return Err("the sequence occurs more often than the base's choice allows".into());
            }
            for rc in rv {
                if !bv.iter().any(|bc| restricts(cx, rc, bc, depth + 1).is_ok()) {
                    return Err(
                        "a particle of the sequence matches no branch of the base's choice".into(),
                    );
                }
            }
            Ok(())
        }
        (Term::Choice(_) | Term::All(_), _) => {
            Err("this kind of model group cannot restrict the base's".into())
        }
    }
}

/// Whether a simple type restricts another only through anonymous steps the compiler made
/// (an element's inline simple type restricting the base's named one).
fn simple_restricts(schema: &Schema, r: TypeId, b: TypeId) -> bool {
    type_ok(schema, r, b, 0)
}

/// `r` is `b`, derives from it, or derives from a member of union `b`.
fn type_ok(schema: &Schema, r: TypeId, b: TypeId, depth: usize) -> bool {
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
    cx: &Cx,
    rv: &[Particle],
    bv: &[Particle],
    lax: bool,
    depth: usize,
) -> Result<(), String> {
    let mut bi = 0;
    for rc in rv {
        loop {
            let Some(bc) = bv.get(bi) else {
                return Err("a particle of the restriction matches nothing left in the base's group (order matters)".into());
            };
            bi += 1;
            match restricts(cx, rc, bc, depth + 1) {
                Ok(()) => break,
                Err(e) => {
                    if !lax && !emptiable_p(bc) {
                        return Err(e);
                    }
                }
            }
        }
    }
    if !lax && bv[bi..].iter().any(|bc| !emptiable_p(bc)) {
        return Err("the restriction leaves out a required particle of the base".into());
    }
    Ok(())
}

impl Checker<'_, '_, '_> {
    /// Complex content restrictions: the content model and the attributes of each derived
    /// type against its base.
    fn restrictions<'a, 'i>(
        &mut self,
        schema: &Schema,
        nodes: &HashMap<(usize, usize), Node<'a, 'i>>,
    ) {
        let blocks = schema
            .elements
            .iter()
            .enumerate()
            .filter_map(|(i, e)| {
                let n = nodes.get(&(e.pos.file as usize, e.pos.offset as usize))?;
                let bits = block_bits(&blocked_set(*n, "block", "blockDefault"));
                (bits != 0).then_some((ElementId(i as u32), bits))
            })
            .collect();
        let cx = &Cx {
            schema,
            blocks,
            steps: std::cell::Cell::new(0),
        };
        for (i, t) in schema.types.iter().enumerate() {
            let TypeKind::Complex(ct) = &t.kind else {
                continue;
            };
            if ct.derivation != Derivation::Restriction
                || t.name.as_ref().is_some_and(|q| q.ns == XS)
            {
                continue;
            }
            let source = t.pos.file as usize;
            if self.set.sources.get(source).is_none_or(|s| s.builtin) {
                continue;
            }
            let Some(base_id) = t.base else { continue };
            let TypeKind::Complex(bt) = &schema.ty(base_id).kind else {
                continue;
            };
            // SOAP-encoded arrays restrict soapenc:Array with attributes (wsdl:arrayType) the
            // encoding schemas never declared; every SOAP toolkit accepts them.
            let encoding = schema
                .ty(base_id)
                .name
                .as_ref()
                .is_some_and(|q| q.ns == SOAP11_ENC || q.ns == SOAP12_ENC);
            if base_id == TypeId(0) || encoding {
                continue;
            }
            let _ = i;
            let mut problems: Vec<String> = Vec::new();
            if ct.mixed && !bt.mixed {
                problems.push("a restriction cannot make element-only content mixed".into());
            }
            let deep = |c: &Content| matches!(c, Content::Elements(p) if too_deep(p));
            if deep(&ct.content) || deep(&bt.content) {
                continue;
            }
            match (&ct.content, &bt.content) {
                (Content::Elements(r), Content::Elements(b)) => {
                    let (r, b) = (normalize(r), normalize(b));
                    match (r, b) {
                        (Some(r), Some(b)) => {
                            cx.steps.set(MAX_STEPS);
                            if let Err(e) = restricts(cx, &r, &b, 0) {
                                problems.push(format!(
                                    "the content model is not a restriction of `{}`'s: {e}",
                                    schema.type_label(base_id)
                                ));
                            }
                        }
                        (Some(_), None) => problems.push(format!(
                            "`{}` has no content model; a restriction cannot add elements",
                            schema.type_label(base_id)
                        )),
                        (None, Some(b)) if !emptiable_p(&b) => problems.push(format!(
                            "the restriction has empty content but `{}` requires elements",
                            schema.type_label(base_id)
                        )),
                        _ => {}
                    }
                }
                (Content::Empty, Content::Elements(b))
                    if normalize(b).is_some_and(|b| !emptiable_p(&b)) =>
                {
                    problems.push(format!(
                        "the restriction has empty content but `{}` requires elements",
                        schema.type_label(base_id)
                    ));
                }
                (Content::Elements(r), Content::Empty) if normalize(r).is_some() => {
                    problems.push(format!(
                        "`{}` has empty content; a restriction cannot add elements",
                        schema.type_label(base_id)
                    ));
                }
                (Content::Elements(_), Content::Simple(_)) => {
                    problems.push(format!(
                        "`{}` has simple content; complexContent cannot restrict it",
                        schema.type_label(base_id)
                    ));
                }
                _ => {}
            }
            // Attributes: every use allowed by the base, required ones kept, fixed values kept,
            // types derived.
            for a in &ct.attributes {
                match bt.attributes.iter().find(|x| x.name == a.name) {
                    Some(ba) => {
                        if ba.required && !a.required {
                            problems.push(format!(
                                "attribute `{}` is required in the base and must stay required",
                                a.name.local
                            ));
                        }
                        if let Some(f) = &ba.fixed
                            && a.fixed.as_deref().map(str::trim) != Some(f.trim())
                        {
                            problems.push(format!(
                                "attribute `{}` must keep the base's fixed value {f:?}",
                                a.name.local
                            ));
                        }
                        if !type_ok(schema, a.type_id, ba.type_id, 0) {
                            problems.push(format!("attribute `{}` has type `{}`, which does not derive from the base's `{}`", a.name.local, schema.type_label(a.type_id), schema.type_label(ba.type_id)));
                        }
                    }
                    None => {
                        if !bt
                            .any_attribute
                            .as_ref()
                            .is_some_and(|w| ns_allowed(w, &a.name.ns))
                        {
                            problems.push(format!(
                                "attribute `{}` is not allowed by the base type `{}`",
                                a.name.local,
                                schema.type_label(base_id)
                            ));
                        }
                    }
                }
            }
            for ba in bt.attributes.iter().filter(|x| x.required) {
                if !ct.attributes.iter().any(|a| a.name == ba.name) {
                    problems.push(format!(
                        "required attribute `{}` of the base cannot be removed",
                        ba.name.local
                    ));
                }
            }
            if let Some(w) = &ct.any_attribute {
                match &bt.any_attribute {
                    None => problems.push(
                        "the base has no anyAttribute, so the restriction cannot have one".into(),
                    ),
                    Some(bw) => {
                        if !ns_subset(w, bw) {
                            problems.push(
                                "the anyAttribute allows namespaces the base's does not".into(),
                            );
                        } else if !process_ok(w.process, bw.process) {
                            problems.push(
                                "the anyAttribute's processContents is weaker than the base's"
                                    .into(),
                            );
                        }
                    }
                }
            }
            for p in problems {
                self.report(
                    source,
                    t.pos.offset as usize,
                    p,
                    Some("a complexContent restriction may only allow less than its base: read XML Schema 1.0 part 1, 3.9.6 (particles) and 3.4.6 (attributes)".into()),
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Unique Particle Attribution and Element Declarations Consistent.

/// What a leaf particle matches.
enum Sym {
    /// Element names (the declaration's and its substitution group's).
    Names(Vec<QName>),
    Wild(Wildcard),
}

fn overlap(a: &Sym, b: &Sym) -> bool {
    match (a, b) {
        (Sym::Names(x), Sym::Names(y)) => x.iter().any(|n| y.contains(n)),
        (Sym::Names(x), Sym::Wild(w)) | (Sym::Wild(w), Sym::Names(x)) => {
            x.iter().any(|n| ns_allowed(w, &n.ns))
        }
        (Sym::Wild(v), Sym::Wild(w)) => match (&v.namespaces, &w.namespaces) {
            (NamespaceConstraint::Any, _) | (_, NamespaceConstraint::Any) => true,
            (NamespaceConstraint::Not(_), NamespaceConstraint::Not(_)) => true,
            (NamespaceConstraint::List(l), _) => l.iter().any(|n| ns_allowed(w, n)),
            (_, NamespaceConstraint::List(l)) => l.iter().any(|n| ns_allowed(v, n)),
        },
    }
}

/// A Glushkov position automaton over a content model, occurrence bounds unrolled a little.
struct Glushkov<'s> {
    /// (original leaf particle, symbol) per position.
    pos: Vec<(usize, &'s Particle)>,
    follow: Vec<Vec<usize>>,
    budget: usize,
    /// Follow-set entries added so far (bounded by [`MAX_EDGES`]).
    edges: usize,
}

struct Frag {
    first: Vec<usize>,
    last: Vec<usize>,
    nullable: bool,
}

impl<'s> Glushkov<'s> {
    fn leaf(&mut self, p: &'s Particle) -> Option<Frag> {
        if self.budget == 0 {
            return None;
        }
        self.budget -= 1;
        let i = self.pos.len();
        self.pos.push((p as *const Particle as usize, p));
        self.follow.push(Vec::new());
        Some(Frag {
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

    fn concat(&mut self, a: Frag, b: Frag) -> Frag {
        self.link(&a.last, &b.first);
        let mut first = a.first.clone();
        if a.nullable {
            first.extend(&b.first);
        }
        let mut last = b.last.clone();
        if b.nullable {
            last.extend(&a.last);
        }
        Frag {
            first,
            last,
            nullable: a.nullable && b.nullable,
        }
    }

    fn empty() -> Frag {
        Frag {
            first: Vec::new(),
            last: Vec::new(),
            nullable: true,
        }
    }

    /// The term once (no occurrence bounds).
    fn term(&mut self, p: &'s Particle) -> Option<Frag> {
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
                let mut out = Frag {
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
                let frags: Vec<Frag> = v.iter().map(|c| self.particle(c)).collect::<Option<_>>()?;
                let mut out = Frag {
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
    fn particle(&mut self, p: &'s Particle) -> Option<Frag> {
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

fn sym(schema: &Schema, p: &Particle, blocked: &HashSet<ElementId>) -> Sym {
    match &p.term {
        Term::Element(e) => {
            let mut names = vec![schema.element(*e).name.clone()];
            if blocked.contains(e) {
                return Sym::Names(names);
            }
            if let Some(subs) = schema.substitutes.get(e) {
                names.extend(subs.iter().map(|s| schema.element(*s).name.clone()));
            }
            Sym::Names(names)
        }
        Term::Any(w) => Sym::Wild(w.clone()),
        _ => Sym::Names(Vec::new()),
    }
}

fn leaf_label(schema: &Schema, p: &Particle) -> String {
    match &p.term {
        Term::Element(e) => format!("element `{}`", schema.element(*e).name.local),
        _ => "a wildcard".to_string(),
    }
}

/// The first Unique Particle Attribution violation in a content model, if any.
fn upa(schema: &Schema, p: &Particle, blocked: &HashSet<ElementId>) -> Option<String> {
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
    let syms: Vec<Sym> = g.pos.iter().map(|(_, p)| sym(schema, p, blocked)).collect();
    let conflict = |a: usize, b: usize| {
        Some(format!(
            "content model is ambiguous: {} and {} can both match the same element (Unique Particle Attribution)",
            leaf_label(schema, g.pos[a].1),
            leaf_label(schema, g.pos[b].1)
        ))
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
                Sym::Names(names) => {
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
                Sym::Wild(_) => wild.push(a),
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
fn edc(schema: &Schema, p: &Particle, seen: &mut HashMap<QName, TypeId>) -> Option<String> {
    match &p.term {
        Term::Element(e) => {
            let el = schema.element(*e);
            match seen.get(&el.name) {
                Some(&t) if t != el.type_id => Some(format!(
                    "element `{}` appears twice in the content model with different types (`{}` and `{}`)",
                    el.name.local,
                    schema.type_label(t),
                    schema.type_label(el.type_id)
                )),
                Some(_) => None,
                None => {
                    seen.insert(el.name.clone(), el.type_id);
                    None
                }
            }
        }
        Term::Any(_) => None,
        Term::Sequence(v) | Term::Choice(v) | Term::All(v) => {
            v.iter().find_map(|c| edc(schema, c, seen))
        }
    }
}

impl Checker<'_, '_, '_> {
    /// UPA and EDC over every complex type's content model.
    fn content_models<'a, 'i>(
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
            if self.set.sources.get(source).is_none_or(|s| s.builtin) {
                continue;
            }
            let hint = "XML Schema 1.0 requires that each element can be matched to one particle without looking ahead, and that one name has one type within a content model";
            if let Some(m) = edc(schema, p, &mut HashMap::new()) {
                self.report(source, t.pos.offset as usize, m, Some(hint.into()));
            } else if let Some(m) = upa(schema, p, &blocked) {
                self.report(source, t.pos.offset as usize, m, Some(hint.into()));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// `final` and `block`: derivations and substitutions the schema forbids.

/// The derivation methods a `final`/`block` value (or its schema-wide default) names.
fn blocked_set(node: Node, attr: &str, default_attr: &str) -> Vec<String> {
    let value = node.attribute(attr).or_else(|| {
        node.ancestors()
            .find(|a| is_xs(a) && a.tag_name().name() == "schema")
            .and_then(|s| s.attribute(default_attr))
    });
    match value.map(str::trim) {
        Some("#all") => ["extension", "restriction", "substitution", "list", "union"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        Some(v) => v.split_ascii_whitespace().map(str::to_string).collect(),
        None => Vec::new(),
    }
}

impl<'a, 'i> Checker<'_, 'a, 'i> {
    /// Every element node of the schema documents by (source, offset).
    fn nodes(&self) -> HashMap<(usize, usize), Node<'a, 'i>> {
        let mut out = HashMap::new();
        for d in &self.docs {
            for n in d.node.descendants().filter(is_xs) {
                out.insert((d.source, n.range().start), n);
            }
        }
        out
    }

    /// Derivations from types whose `final` forbids them; substitution group members whose
    /// head's `final` forbids their type's derivation.
    fn finals(&mut self, schema: &Schema, nodes: &HashMap<(usize, usize), Node<'a, 'i>>) {
        let node_of = |t: &Type| {
            nodes
                .get(&(t.pos.file as usize, t.pos.offset as usize))
                .copied()
        };
        let mut problems: Vec<(usize, usize, String)> = Vec::new();
        for t in &schema.types {
            if t.name.as_ref().is_some_and(|q| q.ns == XS) {
                continue;
            }
            let Some(base) = t.base else { continue };
            let at = (t.pos.file as usize, t.pos.offset as usize);
            if self.set.sources.get(at.0).is_none_or(|s| s.builtin) {
                continue;
            }
            let mut check = |from: TypeId, method: &str| {
                let ft = schema.ty(from);
                if ft.name.as_ref().is_some_and(|q| q.ns == XS) {
                    return;
                }
                let Some(n) = node_of(ft) else { return };
                if n.tag_name().name() != "simpleType" && n.tag_name().name() != "complexType" {
                    return;
                }
                if blocked_set(n, "final", "finalDefault")
                    .iter()
                    .any(|m| m == method)
                {
                    problems.push((
                        at.0,
                        at.1,
                        format!(
                            "`{}` forbids derivation by {method} (final)",
                            schema.type_label(from)
                        ),
                    ));
                }
            };
            match &t.kind {
                TypeKind::Complex(ct) => match ct.derivation {
                    Derivation::Extension => check(base, "extension"),
                    Derivation::Restriction => check(base, "restriction"),
                    Derivation::None => {}
                },
                TypeKind::Simple(st) => match &st.variety {
                    Variety::Atomic => check(base, "restriction"),
                    Variety::List(item) => {
                        if matches!(
                            node_of(t).map(|n| n
                                .children()
                                .filter(is_xs)
                                .any(|c| c.tag_name().name() == "list")),
                            Some(true)
                        ) {
                            check(*item, "list");
                        } else {
                            check(base, "restriction");
                        }
                    }
                    Variety::Union(members) => {
                        if matches!(
                            node_of(t).map(|n| n
                                .children()
                                .filter(is_xs)
                                .any(|c| c.tag_name().name() == "union")),
                            Some(true)
                        ) {
                            for m in members {
                                check(*m, "union");
                            }
                        } else {
                            check(base, "restriction");
                        }
                    }
                },
            }
        }
        // Substitution groups.
        for e in &schema.elements {
            let Some(head) = e.substitution_group else {
                continue;
            };
            let h = schema.element(head);
            let at = (e.pos.file as usize, e.pos.offset as usize);
            if self.set.sources.get(at.0).is_none_or(|s| s.builtin) {
                continue;
            }
            if e.type_id == h.type_id || h.type_id == TypeId(0) {
                continue;
            }
            if !type_ok(schema, e.type_id, h.type_id, 0) {
                problems.push((at.0, at.1, format!(
                    "element `{}` has type `{}`, which does not derive from the type `{}` of its substitution group head `{}`",
                    e.name.local, schema.type_label(e.type_id), schema.type_label(h.type_id), h.name.local
                )));
                continue;
            }
            let Some(hn) = nodes.get(&(h.pos.file as usize, h.pos.offset as usize)) else {
                continue;
            };
            let finals = blocked_set(*hn, "final", "finalDefault");
            let mut cur = e.type_id;
            let mut steps = 0;
            while cur != h.type_id && steps < 64 {
                steps += 1;
                let ty = schema.ty(cur);
                let method = match &ty.kind {
                    TypeKind::Complex(ct) if ct.derivation == Derivation::Extension => "extension",
                    _ => "restriction",
                };
                if finals.iter().any(|m| m == method) {
                    problems.push((at.0, at.1, format!(
                        "substitution group head `{}` forbids members whose type derives by {method} (final)",
                        h.name.local
                    )));
                    break;
                }
                let Some(b) = ty.base else { break };
                cur = b;
            }
        }
        for (source, offset, m) in problems {
            self.report(
                source,
                offset,
                m,
                Some("remove the derivation or relax the base's `final` (or the schema's finalDefault)".into()),
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Kinds of types where the schema needs one kind.

/// The type a QName-valued attribute of `node` names, when it is known.
fn named_type(schema: &Schema, node: Node, attr: &str) -> Option<TypeId> {
    let raw = node.attribute(attr)?.trim();
    let (prefix, local) = match raw.split_once(':') {
        Some((p, l)) => (Some(p), l),
        None => (None, raw),
    };
    let ns = node.lookup_namespace_uri(prefix).unwrap_or("");
    let ns = if is_xs_ns(ns) { XS } else { ns };
    schema.global_types.get(&QName::new(ns, local)).copied()
}

impl Checker<'_, '_, '_> {
    fn type_kinds(&mut self, schema: &Schema) {
        let is_simple = |t: TypeId| matches!(schema.ty(t).kind, TypeKind::Simple(_));
        let docs = self.docs.clone();
        let mut problems: Vec<(usize, usize, String, &str)> = Vec::new();
        let mut seen = HashSet::new();
        for d in &docs {
            if !seen.insert((d.source, d.node)) {
                continue;
            }
            for n in d.node.descendants().filter(is_xs) {
                let at = (d.source, n.range().start);
                let parent = n
                    .parent_element()
                    .map(|p| p.tag_name().name())
                    .unwrap_or("");
                match n.tag_name().name() {
                    "attribute" => {
                        if let Some(t) = named_type(schema, n, "type")
                            && !is_simple(t)
                        {
                            problems.push((
                                at.0,
                                at.1,
                                format!(
                                    "attribute type `{}` is a complex type",
                                    schema.type_label(t)
                                ),
                                "attributes have simple types",
                            ));
                        }
                        if parent == "schema" && d.tns == XSI {
                            problems.push((at.0, at.1, "attributes cannot be declared in the XML Schema instance namespace".into(), "xsi:type, xsi:nil, xsi:schemaLocation and xsi:noNamespaceSchemaLocation are built in"));
                        }
                    }
                    "list" => {
                        if let Some(t) = named_type(schema, n, "itemType") {
                            match &schema.ty(t).kind {
                                TypeKind::Complex(_) => problems.push((
                                    at.0,
                                    at.1,
                                    format!(
                                        "list item type `{}` is a complex type",
                                        schema.type_label(t)
                                    ),
                                    "a list's items have an atomic or union simple type",
                                )),
                                TypeKind::Simple(st) if matches!(st.variety, Variety::List(_)) => {
                                    problems.push((
                                        at.0,
                                        at.1,
                                        format!(
                                            "list item type `{}` is itself a list",
                                            schema.type_label(t)
                                        ),
                                        "a list's items have an atomic or union simple type",
                                    ))
                                }
                                _ => {}
                            }
                        }
                    }
                    "union" => {
                        for m in n
                            .attribute("memberTypes")
                            .unwrap_or("")
                            .split_ascii_whitespace()
                        {
                            let (prefix, local) = match m.split_once(':') {
                                Some((p, l)) => (Some(p), l),
                                None => (None, m),
                            };
                            let ns = n.lookup_namespace_uri(prefix).unwrap_or("");
                            let ns = if is_xs_ns(ns) { XS } else { ns };
                            if let Some(&t) = schema.global_types.get(&QName::new(ns, local))
                                && !is_simple(t)
                            {
                                problems.push((
                                    at.0,
                                    at.1,
                                    format!(
                                        "union member type `{}` is a complex type",
                                        schema.type_label(t)
                                    ),
                                    "union members are simple types",
                                ));
                            }
                        }
                    }
                    "restriction"
                        if parent == "simpleType"
                            && named_type(schema, n, "base") == schema.builtin("anySimpleType") =>
                    {
                        problems.push((
                            at.0,
                            at.1,
                            "a simple type cannot restrict xs:anySimpleType directly".into(),
                            "restrict a primitive type such as xs:string instead",
                        ));
                    }
                    "restriction" | "extension"
                        if parent == "simpleContent"
                            && named_type(schema, n, "base").is_some_and(|t| {
                                match &schema.ty(t).kind {
                                    TypeKind::Simple(_) => false,
                                    TypeKind::Complex(b) => match &b.content {
                                        Content::Simple(_) => false,
                                        Content::Elements(p)
                                            if n.tag_name().name() == "restriction" && b.mixed =>
                                        {
                                            !too_deep(p)
                                                && normalize(p).is_some_and(|p| !emptiable_p(&p))
                                                || !n.children().any(|c| {
                                                    is_xs(&c) && c.tag_name().name() == "simpleType"
                                                })
                                        }
                                        _ => true,
                                    },
                                }
                            }) =>
                    {
                        problems.push((
                            at.0,
                            at.1,
                            format!(
                                "simpleContent derives from `{}`, which has no simple content",
                                n.attribute("base").unwrap_or("").trim()
                            ),
                            "the base of simpleContent is a simple type (extension) or a complex type with simple content",
                        ));
                    }
                    "restriction" if parent == "simpleContent" => {
                        if let Some(t) = named_type(schema, n, "base")
                            && is_simple(t)
                        {
                            problems.push((at.0, at.1, format!("simpleContent restricts `{}`, a simple type", schema.type_label(t)), "restrict a complex type with simple content, or use xs:extension to add attributes to a simple type"));
                        }
                    }
                    "extension"
                        if parent == "complexContent"
                            && {
                                let own_mixed = n
                                    .parent_element()
                                    .and_then(|cc| {
                                        cc.attribute("mixed").or_else(|| {
                                            cc.parent_element().and_then(|ct| ct.attribute("mixed"))
                                        })
                                    })
                                    .is_some_and(|m| matches!(m.trim(), "true" | "1"));
                                named_type(schema, n, "base").is_some_and(|t| match &schema.ty(t).kind {
                            TypeKind::Complex(b) => {
                                t != TypeId(0)
                                    && matches!(&b.content, Content::Elements(p) if !too_deep(p) && normalize(p).is_some())
                                    && (own_mixed && !b.mixed
                                        || b.mixed && !own_mixed && {
                                            // Only an extension with particles of its own
                                            // has a content type of its own.
                                            n.children().any(|c| {
                                                is_xs(&c)
                                                    && matches!(c.tag_name().name(), "sequence" | "choice" | "all" | "group")
                                                    && (c.tag_name().name() == "group"
                                                        || c.children().any(|x| is_xs(&x) && x.tag_name().name() != "annotation"))
                                            })
                                        })
                            }
                            _ => false,
                        })
                            } =>
                    {
                        problems.push((
                            at.0,
                            at.1,
                            "an extension must keep its base's content mixed or element-only"
                                .into(),
                            "set mixed the same as on the base type",
                        ));
                    }
                    "extension" if parent == "complexContent" => {
                        let own = n.children().filter(is_xs).find(|c| {
                            matches!(c.tag_name().name(), "all" | "sequence" | "choice" | "group")
                        });
                        let own_all = own.is_some_and(|c| c.tag_name().name() == "all");
                        if let Some(t) = named_type(schema, n, "base")
                            && let TypeKind::Complex(bt) = &schema.ty(t).kind
                            && let Content::Elements(bp) = &bt.content
                            && !too_deep(bp)
                            && let Some(bp) = normalize(bp)
                        {
                            let base_all = matches!(bp.term, Term::All(_));
                            let own_nonempty = own.is_some_and(|c| {
                                c.children()
                                    .any(|x| is_xs(&x) && x.tag_name().name() != "annotation")
                                    || c.tag_name().name() == "group"
                            });
                            if own_nonempty && (own_all || base_all) {
                                problems.push((at.0, at.1, format!("cannot extend `{}`: an xs:all group cannot be combined with other particles", schema.type_label(t)), "an all group must be the whole content model; XML Schema 1.0 cannot extend to or from one"));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        for t in &schema.types {
            let TypeKind::Complex(ct) = &t.kind else {
                continue;
            };
            if self
                .set
                .sources
                .get(t.pos.file as usize)
                .is_none_or(|s| s.builtin)
            {
                continue;
            }
            let ids = ct
                .attributes
                .iter()
                .filter(|a| is_id(schema, a.type_id))
                .count();
            if ids > 1 {
                problems.push((
                    t.pos.file as usize,
                    t.pos.offset as usize,
                    "a complex type can have at most one attribute of type xs:ID".into(),
                    "an element has one identity; keep one ID attribute",
                ));
            }
        }
        for (source, offset, m, hint) in problems {
            self.report(source, offset, m, Some(hint.into()));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::sources::LoadOptions;

    /// Loads `body` as a standalone schema (target namespace `urn:t`, prefix `t`) and returns
    /// every diagnostic, one per line, with the file name taken out; "ok" when it loads.
    fn load(body: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.xsd");
        std::fs::write(
            &path,
            format!(
                "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" xmlns:t=\"urn:t\" targetNamespace=\"urn:t\">\n{body}\n</xs:schema>\n"
            ),
        )
        .unwrap();
        match super::super::load::load(&path, &LoadOptions::default()) {
            Ok(_) => "ok".to_string(),
            Err(d) => d
                .to_string()
                .replace(&format!("{}", path.display()), "s.xsd"),
        }
    }

    #[track_caller]
    fn rejects(body: &str, at: &str, message: &str) {
        let got = load(body);
        assert!(
            got.contains(at) && got.contains(message),
            "expected `{at}` and `{message}`, got:\n{got}"
        );
    }

    #[test]
    fn a_valid_schema_using_most_features_loads() {
        let got = load(
            r###"<xs:simpleType name="Code"><xs:restriction base="xs:token"><xs:maxLength value="8"/>
    <xs:enumeration value="A1"/><xs:enumeration value=" B2 "/></xs:restriction></xs:simpleType>
  <xs:simpleType name="Short"><xs:restriction base="t:Code"><xs:maxLength value="4"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="Small"><xs:restriction base="xs:int"><xs:minInclusive value="-5"/><xs:maxExclusive value="10"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="Smaller"><xs:restriction base="t:Small"><xs:maxExclusive value="10"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="Codes"><xs:list itemType="t:Code"/></xs:simpleType>
  <xs:complexType name="Base"><xs:sequence>
      <xs:element name="a" type="xs:string" minOccurs="0" maxOccurs="unbounded"/>
      <xs:choice><xs:element name="b" type="xs:int"/><xs:any namespace="##other" processContents="lax"/></xs:choice>
    </xs:sequence><xs:attribute name="n" type="xs:int" default="3"/><xs:anyAttribute namespace="##any"/></xs:complexType>
  <xs:complexType name="Narrow"><xs:complexContent><xs:restriction base="t:Base"><xs:sequence>
      <xs:element name="a" type="xs:string" maxOccurs="2"/><xs:element name="b" type="xs:int"/>
    </xs:sequence><xs:attribute name="n" type="t:Small" fixed="4"/></xs:restriction></xs:complexContent></xs:complexType>
  <xs:complexType name="Wider"><xs:complexContent><xs:extension base="t:Base">
    <xs:sequence><xs:element name="c" type="t:Codes" default="A1 B2"/></xs:sequence></xs:extension></xs:complexContent></xs:complexType>
  <xs:group name="G"><xs:sequence><xs:element ref="t:root" minOccurs="0"/></xs:sequence></xs:group>
  <xs:element name="root" type="t:Wider"><xs:unique name="u"><xs:selector xpath="t:a"/><xs:field xpath="."/></xs:unique></xs:element>"###,
        );
        assert_eq!(got, "ok");
    }

    #[test]
    fn content_models_of_schema_elements_are_checked() {
        rejects(
            r#"<xs:complexType name="T"><xs:attribute name="a"/><xs:sequence/></xs:complexType>"#,
            "s.xsd:2:50:",
            "xs:sequence is not allowed here in xs:complexType",
        );
        rejects(
            r#"<xs:element name="e"><xs:annotation/><xs:annotation/></xs:element>"#,
            "s.xsd:2:38:",
            "xs:annotation is not allowed here in xs:element",
        );
        rejects(
            r#"<xs:element name="e">text</xs:element>"#,
            "s.xsd:2:22:",
            "text is not allowed in xs:element",
        );
    }

    #[test]
    fn attribute_values_and_co_occurrence_are_checked() {
        rejects(
            r#"<xs:complexType name="T"><xs:sequence><xs:any processContents="loose"/></xs:sequence></xs:complexType>"#,
            "s.xsd:2:47:",
            "processContents=\"loose\" is not `strict`, `lax` or `skip`",
        );
        rejects(
            r#"<xs:element name="e" type="xs:int" default="1" fixed="1"/>"#,
            "s.xsd:2:1:",
            "has both `default` and `fixed`",
        );
        rejects(
            r#"<xs:element name="e" colour="red"/>"#,
            "s.xsd:2:22:",
            "attribute `colour` is not allowed on xs:element",
        );
        rejects(
            r#"<xs:complexType name="T"><xs:all maxOccurs="2"><xs:element name="a"/></xs:all></xs:complexType>"#,
            "s.xsd:2:26:",
            "xs:all must have minOccurs 0 or 1 and maxOccurs 1",
        );
    }

    #[test]
    fn duplicate_globals_and_circular_groups_are_refused() {
        rejects(
            "<xs:element name=\"e\"/>\n<xs:element name=\"e\"/>",
            "s.xsd:3:1:",
            "element `e` is declared twice",
        );
        rejects(
            r#"<xs:group name="g"><xs:sequence><xs:group ref="t:g"/></xs:sequence></xs:group>"#,
            "s.xsd:2:1:",
            "group `g` refers to itself",
        );
    }

    #[test]
    fn facets_must_fit_and_narrow_their_base() {
        rejects(
            r#"<xs:simpleType name="S"><xs:restriction base="xs:boolean"><xs:length value="1"/></xs:restriction></xs:simpleType>"#,
            "s.xsd:2:59:",
            "facet xs:length does not apply to the base type `xs:boolean`",
        );
        rejects(
            r#"<xs:simpleType name="A"><xs:restriction base="xs:string"><xs:maxLength value="5"/></xs:restriction></xs:simpleType>
<xs:simpleType name="B"><xs:restriction base="t:A"><xs:maxLength value="6"/></xs:restriction></xs:simpleType>"#,
            "s.xsd:3:52:",
            "facet xs:maxLength=6 widens the base type's maxLength=5",
        );
        rejects(
            r#"<xs:simpleType name="S"><xs:restriction base="xs:byte"><xs:enumeration value="200"/></xs:restriction></xs:simpleType>"#,
            "s.xsd:2:56:",
            "enumeration value \"200\" is not a valid value of the base type",
        );
        rejects(
            r#"<xs:simpleType name="S"><xs:restriction base="xs:decimal"><xs:minInclusive value="5"/><xs:maxInclusive value="4"/></xs:restriction></xs:simpleType>"#,
            "s.xsd:2:25:",
            "minInclusive is greater than maxInclusive",
        );
        rejects(
            r#"<xs:simpleType name="S"><xs:restriction base="xs:decimal"><xs:totalDigits value="2"/><xs:fractionDigits value="3"/></xs:restriction></xs:simpleType>"#,
            "s.xsd:2:25:",
            "fractionDigits (3) is greater than totalDigits (2)",
        );
    }

    #[test]
    fn default_values_must_be_valid() {
        rejects(
            r#"<xs:element name="e" type="xs:date" default="yesterday"/>"#,
            "s.xsd:2:1:",
            "the default/fixed value \"yesterday\" of element `e` is not valid",
        );
        rejects(
            r#"<xs:attribute name="a" type="xs:ID" default="x"/>"#,
            "s.xsd:2:1:",
            "an attribute of type xs:ID cannot have a default or fixed value",
        );
    }

    #[test]
    fn restrictions_may_only_allow_less() {
        let base = r#"<xs:complexType name="B"><xs:sequence><xs:element name="a" type="xs:int"/>
  <xs:element name="b" type="xs:int" minOccurs="0"/></xs:sequence><xs:attribute name="x" use="required"/></xs:complexType>"#;
        rejects(
            &format!(
                r#"{base}
<xs:complexType name="R"><xs:complexContent><xs:restriction base="t:B"><xs:sequence>
  <xs:element name="a" type="xs:int"/><xs:element name="c" type="xs:int"/></xs:sequence>
  <xs:attribute name="x" use="required"/></xs:restriction></xs:complexContent></xs:complexType>"#
            ),
            "s.xsd:4:1:",
            "the content model is not a restriction of `B`'s",
        );
        rejects(
            &format!(
                r#"{base}
<xs:complexType name="R"><xs:complexContent><xs:restriction base="t:B"><xs:sequence>
  <xs:element name="a" type="xs:int"/></xs:sequence><xs:attribute name="x" use="prohibited"/>
  </xs:restriction></xs:complexContent></xs:complexType>"#
            ),
            "s.xsd:4:1:",
            "required attribute `x` of the base cannot be removed",
        );
        rejects(
            r#"<xs:complexType name="B" final="extension"><xs:sequence/></xs:complexType>
<xs:complexType name="E"><xs:complexContent><xs:extension base="t:B"/></xs:complexContent></xs:complexType>"#,
            "s.xsd:3:1:",
            "`B` forbids derivation by extension (final)",
        );
    }

    #[test]
    fn types_are_of_the_kind_their_use_needs() {
        rejects(
            r#"<xs:complexType name="T"><xs:attribute name="a" type="xs:ID"/><xs:attribute name="b" type="xs:ID"/></xs:complexType>"#,
            "s.xsd:2:1:",
            "a complex type can have at most one attribute of type xs:ID",
        );
        rejects(
            r#"<xs:complexType name="T"><xs:simpleContent><xs:extension base="xs:anyType"/></xs:simpleContent></xs:complexType>"#,
            "s.xsd:2:44:",
            "simpleContent derives from `xs:anyType`, which has no simple content",
        );
        rejects(
            r#"<xs:complexType name="C"><xs:sequence/></xs:complexType>
<xs:simpleType name="L"><xs:list itemType="t:C"/></xs:simpleType>"#,
            "s.xsd:3:25:",
            "list item type `C` is a complex type",
        );
        rejects(
            r#"<xs:attributeGroup name="g"><xs:attributeGroup ref="t:missing"/></xs:attributeGroup>"#,
            "s.xsd:2:29:",
            "`t:missing` names no global xs:attributeGroup",
        );
        rejects(
            r#"<xs:group name="g"><xs:all><xs:element name="a"/></xs:all></xs:group>
<xs:complexType name="T"><xs:sequence><xs:group ref="t:g"/></xs:sequence></xs:complexType>"#,
            "s.xsd:3:39:",
            "a group holding xs:all can only be referred to as a whole content model",
        );
    }

    #[test]
    fn content_models_must_be_deterministic_and_consistent() {
        rejects(
            r#"<xs:complexType name="T"><xs:sequence><xs:element name="a" type="xs:int" minOccurs="0"/>
  <xs:element name="a" type="xs:int"/></xs:sequence></xs:complexType>"#,
            "s.xsd:2:1:",
            "element `a` and element `a` can both match the same element (Unique Particle Attribution)",
        );
        rejects(
            r#"<xs:complexType name="T"><xs:choice><xs:element name="a" type="xs:int"/>
  <xs:element name="a" type="xs:string"/></xs:choice></xs:complexType>"#,
            "s.xsd:2:1:",
            "element `a` appears twice in the content model with different types",
        );
    }
}
