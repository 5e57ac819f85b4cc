//! Identity constraints: `xs:unique`, `xs:key`, `xs:keyref`, with the restricted XPath subset
//! of XML Schema 1.0 §3.11.6 (`.//`, child steps, `*`, `prefix:*`, `.`, `|`, and `@name` in fields).
//! Field values are compared by value in the type each node was validated with (`key`), as
//! whitespace-collapsed strings when it has none.

use roxmltree::Node;

use super::error::{FieldValueError, IdentityError};
use crate::xsd::value::{is_xml_space, normalize};

/// A row of keys for messages (the type tags left out).
fn shown(row: &[String]) -> String {
    row.iter()
        .map(|k| k.split_once(':').map_or(k.as_str(), |(_, v)| v))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The key of an untyped value: its whitespace-collapsed text.
pub fn untyped_key(text: &str) -> String {
    format!(
        "s:{}",
        normalize(text.trim_matches(is_xml_space), Some(WhiteSpace::Collapse))
    )
}
use crate::xsd::model::*;

/// The key values one constraint found under one element: its name, the element, the rows.
pub struct Table<'a, 'i> {
    pub name: QName,
    pub scope: Node<'a, 'i>,
    pub rows: Vec<Vec<String>>,
}

/// A problem found: the node and why.
pub type Problem<'a, 'i> = (Node<'a, 'i>, IdentityError);

fn name_matches(node: &Node, test: &str, ns: &[(String, String)]) -> bool {
    let test = test.trim();
    let test = test
        .strip_prefix("child::")
        .or_else(|| test.strip_prefix("attribute::"))
        .unwrap_or(test);
    if test == "*" {
        return true;
    }
    let (prefix, local) = match test.split_once(':') {
        Some((p, l)) => (Some(p), l),
        None => (None, test),
    };
    let uri = match prefix {
        Some(p) => match ns.iter().find(|(n, _)| n == p) {
            Some((_, u)) => u.as_str(),
            None => return false,
        },
        None => "",
    };
    let node_ns = node.tag_name().namespace().unwrap_or("");
    node_ns == uri && (local == "*" || node.tag_name().name() == local)
}

/// The element nodes a selector path (without attribute steps) reaches from `from`.
fn select<'a, 'i>(from: Node<'a, 'i>, path: &str, ns: &[(String, String)]) -> Vec<Node<'a, 'i>> {
    let mut out = Vec::new();
    for alt in path.split('|') {
        let alt = alt.trim();
        let (descendant, rest) = match alt.strip_prefix(".//") {
            Some(r) => (true, r),
            None => (false, alt),
        };
        let mut set: Vec<Node> = if descendant {
            from.descendants().filter(|n| n.is_element()).collect()
        } else {
            vec![from]
        };
        for step in rest.split('/').map(str::trim).filter(|s| !s.is_empty()) {
            if step == "." {
                continue;
            }
            set = set
                .iter()
                .flat_map(|n| n.children().filter(|c| c.is_element()))
                .filter(|c| name_matches(c, step, ns))
                .collect();
        }
        for n in set {
            if !out.contains(&n) {
                out.push(n);
            }
        }
    }
    out
}

/// A field's value at a selected node: `Ok(None)` when absent, `Err` when several.
/// How a field value is keyed: the node, the attribute's position (`None` for the element's
/// text) and the text.
pub type KeyFn<'k> = dyn Fn(Node, Option<usize>, &str) -> String + 'k;

fn field(
    node: Node,
    path: &str,
    ns: &[(String, String)],
    key: &KeyFn,
) -> Result<Option<String>, FieldValueError> {
    let mut values = Vec::new();
    for alt in path.split('|') {
        let alt = alt.trim();
        let (elements, attr) = match alt.rsplit_once('/') {
            Some((p, last))
                if last.trim().starts_with('@') || last.trim().starts_with("attribute::") =>
            {
                (p, Some(last.trim()))
            }
            None if alt.starts_with('@') || alt.starts_with("attribute::") => (".", Some(alt)),
            _ => (alt, None),
        };
        for n in select(node, elements, ns) {
            match attr {
                Some(a) => {
                    let a = a.trim_start_matches('@');
                    let a = a.strip_prefix("attribute::").unwrap_or(a);
                    for (i, at) in n.attributes().enumerate() {
                        let (prefix, local) = match a.split_once(':') {
                            Some((p, l)) => (Some(p), l),
                            None => (None, a),
                        };
                        let uri = match prefix {
                            Some(p) => ns
                                .iter()
                                .find(|(n, _)| n == p)
                                .map_or("\u{0}", |(_, u)| u.as_str()),
                            None => "",
                        };
                        if at.namespace().unwrap_or("") == uri
                            && (local == "*" || at.name() == local)
                        {
                            values.push(key(n, Some(i), at.value()));
                        }
                    }
                }
                None => {
                    if n.children().any(|c| c.is_element()) {
                        return Err(FieldValueError::ElementContent);
                    }
                    let text: String = n.children().filter_map(|c| c.text()).collect();
                    values.push(key(n, None, &text));
                }
            }
        }
    }
    match values.len() {
        0 => Ok(None),
        1 => Ok(Some(
            normalize(
                values[0].trim_matches(is_xml_space),
                Some(WhiteSpace::Collapse),
            )
            .into_owned(),
        )),
        _ => Err(FieldValueError::SeveralValues),
    }
}

/// Checks one constraint of the element `scope`. Keyrefs look their key up in `tables` (filled
/// by the element's descendants and by its own keys, checked first).
pub fn check<'a, 'i>(
    scope: Node<'a, 'i>,
    c: &IdentityConstraint,
    tables: &mut Vec<Table<'a, 'i>>,
    problems: &mut Vec<Problem<'a, 'i>>,
    key: &KeyFn,
) {
    let mut rows = Vec::new();
    for target in select(scope, &c.selector, &c.namespaces) {
        let mut row = Vec::with_capacity(c.fields.len());
        let mut complete = true;
        for f in &c.fields {
            match field(target, f, &c.namespaces, key) {
                Ok(Some(v)) => row.push(v),
                Ok(None) => complete = false,
                Err(problem) => {
                    let constraint = c.name.local.to_string();
                    problems.push((
                        target,
                        IdentityError::Field {
                            constraint,
                            problem,
                        },
                    ));
                    complete = false;
                }
            }
        }
        if !complete {
            if c.kind == IdentityKind::Key {
                let constraint = c.name.local.to_string();
                problems.push((target, IdentityError::KeyFieldMissing { constraint }));
            }
            continue;
        }
        match &c.kind {
            IdentityKind::Unique | IdentityKind::Key => {
                if rows.contains(&row) {
                    let (constraint, values) = (c.name.local.to_string(), shown(&row));
                    let e = if c.kind == IdentityKind::Key {
                        IdentityError::DuplicateKey { constraint, values }
                    } else {
                        IdentityError::DuplicateUnique { constraint, values }
                    };
                    problems.push((target, e));
                } else {
                    rows.push(row);
                }
            }
            IdentityKind::KeyRef(refer) => {
                let found = tables.iter().any(|t| {
                    t.name == *refer
                        && t.scope.ancestors().any(|a| a == scope)
                        && t.rows.contains(&row)
                });
                if !found {
                    let e = IdentityError::KeyrefNotFound {
                        constraint: c.name.local.to_string(),
                        refer: refer.local.to_string(),
                        values: shown(&row),
                    };
                    problems.push((target, e));
                }
            }
        }
    }
    if !matches!(c.kind, IdentityKind::KeyRef(_)) {
        tables.push(Table {
            name: c.name.clone(),
            scope,
            rows,
        });
    }
}
