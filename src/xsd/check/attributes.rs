//! Attributes of schema elements: which each role allows and requires ([`allowed_attributes`],
//! [`required_attributes`]), the syntax of their values ([`value_syntax`]: NCName, QName,
//! booleans, occurrence bounds, `final`/`block`, `form`, `use`, `processContents`, namespace
//! lists), `id` uniqueness, and the co-constraints between attributes and children (`default`
//! with `fixed`, `ref` with `name`, `xs:all`'s occurrences).

use std::collections::HashSet;

use roxmltree::Node;

use super::checker::{Checker, is_xs};
use super::grammar::Role;
use super::names::{is_ncname, is_qname};

/// Syntax of an attribute value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Syntax {
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
fn allowed_attributes(role: Role, name: &str) -> &'static [(&'static str, Syntax)] {
    use Role::*;
    use Syntax::*;
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
fn required_attributes(role: Role, name: &str) -> &'static [&'static str] {
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

impl<'a, 'i> Checker<'_, 'a, 'i> {
    /// The attributes of `node` in `role`: each allowed there with a value of its syntax,
    /// `id`s NCNames unique in the document (`ids`), and the required ones present.
    pub(super) fn check_attributes(
        &mut self,
        source: usize,
        node: Node<'a, 'i>,
        role: Role,
        ids: &mut HashSet<&'a str>,
    ) {
        let name = node.tag_name().name();
        let allowed = allowed_attributes(role, name);
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
            let Some(&(_, syntax)) = allowed.iter().find(|(n, _)| *n == a.name()) else {
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
            if let Err(expected) = value_syntax(node, syntax, value) {
                self.report(
                    source,
                    a.range().start,
                    format!("{}=\"{value}\" is not {expected}", a.name()),
                    None,
                );
            }
        }
        for req in required_attributes(role, name) {
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
    pub(super) fn co_constraints(&mut self, source: usize, node: Node<'a, 'i>, role: Role) {
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
            | Role::LocalAttribute => declaration_constraints(node, role, &mut problems),
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
            occurrence_constraints(node, role, &mut problems);
        }
        for (message, hint) in problems {
            self.report(source, node.range().start, message, Some(hint.to_string()));
        }
    }
}

/// The co-constraints of an element or attribute declaration: `default` with `fixed`, `type`
/// with an inline type, `ref` with `name` and with what belongs on the global declaration.
fn declaration_constraints(node: Node, role: Role, problems: &mut Vec<(String, &str)>) {
    let name = node.tag_name().name();
    let has = |a: &str| node.has_attribute(a);
    let child = |n: &str| {
        node.children()
            .any(|c| is_xs(&c) && c.tag_name().name() == n)
    };
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
                    format!("xs:{name} with `ref` cannot have an inline type or constraints"),
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

/// The occurrence bounds of `xs:all` and of the elements in it.
fn occurrence_constraints(node: Node, role: Role, problems: &mut Vec<(String, &str)>) {
    let name = node.tag_name().name();
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

/// Why an attribute value of a schema element is not of its syntax; the words say what was
/// expected (`a QName (prefix:name)`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum SyntaxError {
    /// Is raised when a QName-valued attribute is not a QName.
    #[error("a QName (prefix:name)")]
    NotQName,
    /// Is raised when a QName's prefix is declared nowhere in scope.
    #[error("a QName with a declared prefix (`{prefix}` is not declared)")]
    UndeclaredPrefix { prefix: String },
    /// Is raised when the value is not of the attribute's syntax (any other than QNames).
    #[error("{}", expected(*.0))]
    Expected(Syntax),
}

/// What a value of `syntax` looks like, for [`SyntaxError::Expected`].
fn expected(syntax: Syntax) -> String {
    match syntax {
        Syntax::NCName => "an NCName (a name without a colon)".into(),
        Syntax::Bool => "a boolean (true, false, 1 or 0)".into(),
        Syntax::NonNegInt => "a non-negative integer".into(),
        Syntax::MaxOccurs => "a non-negative integer or `unbounded`".into(),
        Syntax::Form => "`qualified` or `unqualified`".into(),
        Syntax::Use => "`optional`, `required` or `prohibited`".into(),
        Syntax::Process => "`strict`, `lax` or `skip`".into(),
        Syntax::WhiteSpace => "`preserve`, `replace` or `collapse`".into(),
        Syntax::Namespaces => {
            "a namespace constraint: ##any, ##other, or a list of URIs, ##targetNamespace and ##local".into()
        }
        Syntax::Set(words) => format!("`#all` or a list of: {}", words.join(", ")),
        _ => "valid here".into(),
    }
}

/// Checks `value` against `syntax`.
fn value_syntax(node: Node, syntax: Syntax, value: &str) -> Result<(), SyntaxError> {
    let v = value.trim_matches([' ', '\t', '\n', '\r']);
    let ok = match syntax {
        Syntax::Text | Syntax::Token => true,
        Syntax::AnyUri => true,
        Syntax::NCName => is_ncname(v),
        Syntax::QName => {
            if !is_qname(v) {
                return Err(SyntaxError::NotQName);
            }
            match v.split_once(':') {
                Some((p, _)) if p != "xml" && node.lookup_namespace_uri(Some(p)).is_none() => {
                    return Err(SyntaxError::UndeclaredPrefix {
                        prefix: p.to_string(),
                    });
                }
                _ => true,
            }
        }
        Syntax::QNames => {
            for item in v.split_ascii_whitespace() {
                value_syntax(node, Syntax::QName, item)?;
            }
            true
        }
        Syntax::Bool => matches!(v, "true" | "false" | "1" | "0"),
        Syntax::NonNegInt => {
            !v.is_empty()
                && v.trim_start_matches('+')
                    .bytes()
                    .all(|b| b.is_ascii_digit())
                && !v.trim_start_matches('+').is_empty()
        }
        Syntax::MaxOccurs => {
            v == "unbounded"
                || (!v.is_empty()
                    && v.trim_start_matches('+')
                        .bytes()
                        .all(|b| b.is_ascii_digit())
                    && !v.trim_start_matches('+').is_empty())
        }
        Syntax::Form => matches!(v, "qualified" | "unqualified"),
        Syntax::Use => matches!(v, "optional" | "prohibited" | "required"),
        Syntax::Process => matches!(v, "skip" | "lax" | "strict"),
        Syntax::WhiteSpace => matches!(v, "preserve" | "replace" | "collapse"),
        Syntax::Namespaces => {
            v == "##any"
                || v == "##other"
                || v.split_ascii_whitespace()
                    .all(|t| !t.starts_with("##") || matches!(t, "##targetNamespace" | "##local"))
        }
        Syntax::Set(words) => v == "#all" || v.split_ascii_whitespace().all(|w| words.contains(&w)),
    };
    if ok {
        Ok(())
    } else {
        Err(SyntaxError::Expected(syntax))
    }
}
