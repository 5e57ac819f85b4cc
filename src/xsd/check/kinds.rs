//! Kinds of types where the schema needs one kind: attributes, list items and union members
//! have simple types; simple content derives from a type with simple content; an extension
//! keeps its base's mixed or element-only content and cannot combine an all group; no
//! attribute in the XML Schema instance namespace; at most one xs:ID attribute per type.

use std::collections::HashSet;

use roxmltree::Node;

use super::checker::{Checker, Doc, is_xs, named_type, type_named};
use super::particles::{emptiable, normalize, too_deep};
use super::values::is_id;
use crate::xsd::model::*;

/// A problem found on a node: its message and hint.
type Problem = (String, &'static str);

impl Checker<'_, '_, '_> {
    /// Every schema element (each document once) whose type references need another kind of
    /// type, then the complex types with more than one ID attribute.
    pub(super) fn type_kinds(&mut self, schema: &Schema) {
        let docs = self.docs.clone();
        let mut problems: Vec<(usize, usize, String, &str)> = Vec::new();
        let mut seen = HashSet::new();
        for d in &docs {
            if !seen.insert((d.source, d.node)) {
                continue;
            }
            for n in d.node.descendants().filter(is_xs) {
                for (m, hint) in node_problems(schema, d, n) {
                    problems.push((d.source, n.range().start, m, hint));
                }
            }
        }
        for t in &schema.types {
            let TypeKind::Complex(ct) = &t.kind else {
                continue;
            };
            if !self.is_user_source(t.pos.file as usize) {
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

/// Whether a simpleContent restriction `n` declares its text's simple type.
fn has_simple_type(n: Node) -> bool {
    n.children()
        .any(|c| is_xs(&c) && c.tag_name().name() == "simpleType")
}

/// Whether `t` is a simple type.
fn is_simple(schema: &Schema, t: TypeId) -> bool {
    matches!(schema.ty(t).kind, TypeKind::Simple(_))
}

/// The kind problems of schema element `n` of document `d`.
fn node_problems(schema: &Schema, d: &Doc, n: Node) -> Vec<Problem> {
    let parent = n
        .parent_element()
        .map(|p| p.tag_name().name())
        .unwrap_or("");
    let mut problems: Vec<Problem> = Vec::new();
    match n.tag_name().name() {
        "attribute" => {
            if let Some(t) = named_type(schema, n, "type")
                && !is_simple(schema, t)
            {
                problems.push((
                    format!(
                        "attribute type `{}` is a complex type",
                        schema.type_label(t)
                    ),
                    "attributes have simple types",
                ));
            }
            let qualified = match n.attribute("form").map(str::trim) {
                Some(form) => form == "qualified",
                None => {
                    d.node.attribute("attributeFormDefault").map(str::trim) == Some("qualified")
                }
            };
            if d.tns == XSI && n.has_attribute("name") && (parent == "schema" || qualified) {
                problems.push(("attributes cannot be declared in the XML Schema instance namespace".into(), "xsi:type, xsi:nil, xsi:schemaLocation and xsi:noNamespaceSchemaLocation are built in"));
            }
        }
        "list" => problems.extend(list_item_problem(schema, n)),
        "union" => {
            for m in n
                .attribute("memberTypes")
                .unwrap_or("")
                .split_ascii_whitespace()
            {
                if let Some(t) = type_named(schema, n, m)
                    && !is_simple(schema, t)
                {
                    problems.push((
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
                "a simple type cannot restrict xs:anySimpleType directly".into(),
                "restrict a primitive type such as xs:string instead",
            ));
        }
        "restriction" | "extension" if parent == "simpleContent" => {
            problems.extend(simple_content_problem(schema, n));
        }
        "extension" if parent == "complexContent" => {
            problems.extend(complex_extension_problem(schema, n));
        }
        _ => {}
    }
    problems
}

/// A list's item type must be atomic or a union.
fn list_item_problem(schema: &Schema, n: Node) -> Option<Problem> {
    let t = named_type(schema, n, "itemType")?;
    let message = match &schema.ty(t).kind {
        TypeKind::Complex(_) => format!(
            "list item type `{}` is a complex type",
            schema.type_label(t)
        ),
        TypeKind::Simple(st) if matches!(st.variety, Variety::List(_)) => {
            format!("list item type `{}` is itself a list", schema.type_label(t))
        }
        _ => return None,
    };
    Some((
        message,
        "a list's items have an atomic or union simple type",
    ))
}

/// The base of simpleContent (`n`, a restriction or extension) has simple content; a
/// restriction's base is not a simple type.
fn simple_content_problem(schema: &Schema, n: Node) -> Option<Problem> {
    let no_simple_content =
        named_type(schema, n, "base").is_some_and(|t| match &schema.ty(t).kind {
            TypeKind::Simple(_) => false,
            TypeKind::Complex(b) => match &b.content {
                Content::Simple(_) => false,
                Content::Elements(p) if n.tag_name().name() == "restriction" && b.mixed => {
                    !too_deep(p) && normalize(p).is_some_and(|p| !emptiable(&p))
                        || !has_simple_type(n)
                }
                // Mixed with no particle: the content is an empty sequence, mixed.
                Content::Empty if n.tag_name().name() == "restriction" && b.mixed => {
                    !has_simple_type(n)
                }
                _ => true,
            },
        });
    if no_simple_content {
        return Some((
            format!(
                "simpleContent derives from `{}`, which has no simple content",
                n.attribute("base").unwrap_or("").trim()
            ),
            "the base of simpleContent is a simple type (extension) or a complex type with simple content",
        ));
    }
    if n.tag_name().name() == "restriction"
        && let Some(t) = named_type(schema, n, "base")
        && is_simple(schema, t)
    {
        return Some((
            format!(
                "simpleContent restricts `{}`, a simple type",
                schema.type_label(t)
            ),
            "restrict a complex type with simple content, or use xs:extension to add attributes to a simple type",
        ));
    }
    None
}

/// A complexContent extension (`n`) keeps its base's mixed or element-only content, and
/// combines no all group with other particles.
fn complex_extension_problem(schema: &Schema, n: Node) -> Option<Problem> {
    if mixed_changes(schema, n) {
        return Some((
            "an extension must keep its base's content mixed or element-only".into(),
            "set mixed the same as on the base type",
        ));
    }
    let own = n
        .children()
        .filter(is_xs)
        .find(|c| matches!(c.tag_name().name(), "all" | "sequence" | "choice" | "group"));
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
            return Some((
                format!(
                    "cannot extend `{}`: an xs:all group cannot be combined with other particles",
                    schema.type_label(t)
                ),
                "an all group must be the whole content model; XML Schema 1.0 cannot extend to or from one",
            ));
        }
    }
    None
}

/// Whether the extension `n` makes its base's element content mixed, or (with particles of
/// its own) element-only content of a mixed base.
fn mixed_changes(schema: &Schema, n: Node) -> bool {
    let own_mixed = n
        .parent_element()
        .and_then(|cc| {
            cc.attribute("mixed")
                .or_else(|| cc.parent_element().and_then(|ct| ct.attribute("mixed")))
        })
        .is_some_and(|m| matches!(m.trim(), "true" | "1"));
    named_type(schema, n, "base").is_some_and(|t| match &schema.ty(t).kind {
        TypeKind::Complex(b) => {
            t != TypeId(0)
                && matches!(&b.content, Content::Elements(p) if !too_deep(p) && normalize(p).is_some())
                && (own_mixed && !b.mixed
                    || b.mixed && !own_mixed && {
                        // Only an extension with particles of its own has a content type of
                        // its own.
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
}
