//! Globals across all the documents in force: a name declared twice in one symbol space, a
//! `ref` naming no global of its kind, a group holding `xs:all` used as less than a whole
//! content model, groups or attribute groups that contain themselves, and elements in their
//! own substitution group.

use std::collections::{HashMap, HashSet};

use roxmltree::Node;

use super::checker::{Checker, Doc, is_xs, split_qname};
use crate::xsd::model::QName;

/// A global declaration: its source and node.
type Decl<'a, 'i> = (usize, Node<'a, 'i>);

/// The first declaration of each global, by symbol space; groups and attribute groups also by
/// name alone.
struct Declared<'a, 'i> {
    /// (symbol space, name) -> first declaration.
    by_space: HashMap<(&'a str, QName), Decl<'a, 'i>>,
    /// Global elements -> the head of their substitution group, when they name one.
    heads: HashMap<QName, QName>,
    groups: HashMap<QName, Decl<'a, 'i>>,
    attr_groups: HashMap<QName, Decl<'a, 'i>>,
}

/// A reference to a group holding `xs:all`: (source, the reference, the group).
type AllGroupRef<'a, 'i> = (usize, Node<'a, 'i>, Node<'a, 'i>);

impl<'a, 'i> Checker<'_, 'a, 'i> {
    /// Duplicate global names, unresolved references, misused all groups and circular group /
    /// attribute group definitions.
    pub(super) fn globals(&mut self, docs: &[Doc<'a, 'i>]) {
        let declared = self.declared(docs);
        let all_groups = self.references(docs, &declared);
        self.all_group_references(docs, all_groups);
        self.circular_groups(&declared);
        self.circular_substitutions(&declared);
    }

    /// Elements whose chain of substitution group heads comes back to them (XML Schema 1.0,
    /// e-props-correct.6), each reported with the chain.
    fn circular_substitutions(&mut self, declared: &Declared<'a, 'i>) {
        let mut names: Vec<&QName> = declared.heads.keys().collect();
        names.sort();
        for q in names {
            let mut chain = vec![q.local.as_str()];
            let mut at = q;
            let circular = loop {
                let Some(head) = declared.heads.get(at) else {
                    break false;
                };
                chain.push(head.local.as_str());
                if head == q {
                    break true;
                }
                if chain.len() > 64 {
                    break false;
                }
                at = head;
            };
            if circular
                && let Some(&(source, node)) = declared.by_space.get(&("element", q.clone()))
            {
                self.report(
                    source,
                    node.range().start,
                    format!(
                        "circular substitution group: `{}` is in its own substitution group ({})",
                        q.local,
                        chain.join(" -> ")
                    ),
                    Some("the heads of substitution groups cannot lead back to the element".into()),
                );
            }
        }
    }

    /// The first declaration of every global; later ones with the same name are reported.
    fn declared(&mut self, docs: &[Doc<'a, 'i>]) -> Declared<'a, 'i> {
        let mut declared = Declared {
            by_space: HashMap::new(),
            groups: HashMap::new(),
            attr_groups: HashMap::new(),
            heads: HashMap::new(),
        };
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
                match declared.by_space.get(&(space, q.clone())) {
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
                        declared.by_space.insert((space, q.clone()), (d.source, c));
                        match kind {
                            "group" => {
                                declared.groups.insert(q, (d.source, c));
                            }
                            "element" => {
                                if let Some(head) = qname_of(c, "substitutionGroup") {
                                    declared.heads.insert(q, head);
                                }
                            }
                            "attributeGroup" => {
                                declared.attr_groups.insert(q, (d.source, c));
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
        declared
    }

    /// References into loaded namespaces must name a declaration of the right kind, also in
    /// components nothing uses (the compiler only resolves what it compiles). Returns the
    /// references to groups holding `xs:all`.
    fn references(
        &mut self,
        docs: &[Doc<'a, 'i>],
        declared: &Declared<'a, 'i>,
    ) -> Vec<AllGroupRef<'a, 'i>> {
        let loaded: HashSet<&str> = docs.iter().map(|d| d.tns).collect();
        let mut all_groups = Vec::new();
        for d in docs {
            for n in d.node.descendants().filter(is_xs) {
                let kind = n.tag_name().name();
                if !matches!(kind, "group" | "attributeGroup" | "attribute" | "element") {
                    continue;
                }
                let Some(raw) = n.attribute("ref").map(str::trim) else {
                    continue;
                };
                let (prefix, local) = split_qname(raw);
                let Some(ns) = n
                    .lookup_namespace_uri(prefix)
                    .or(prefix.is_none().then_some(""))
                else {
                    continue;
                };
                if !loaded.contains(ns) || self.set.builtin_for(ns).is_some() {
                    continue;
                }
                match declared.by_space.get(&(kind, QName::new(ns, local))) {
                    None => self.report(
                        d.source,
                        n.range().start,
                        format!("`{raw}` names no global xs:{kind}"),
                        Some("declare it at the top level of a schema for that namespace".into()),
                    ),
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
        all_groups
    }

    /// A group holding xs:all can only be a whole content model, once. A redefinition
    /// replaces the group it redefines.
    fn all_group_references(&mut self, docs: &[Doc<'a, 'i>], refs: Vec<AllGroupRef<'a, 'i>>) {
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
        for (source, r, g) in refs {
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
    }

    /// Circular groups: a group that contains a reference to itself, directly or through
    /// other groups (outside a redefine). Attribute groups likewise. The search is bounded
    /// (hostile schemas); the compiler still refuses a cycle it meets while expanding.
    fn circular_groups(&mut self, declared: &Declared<'a, 'i>) {
        let mut budget = 1_000_000usize;
        let kinds = [
            (&declared.groups, "group"),
            (&declared.attr_groups, "attributeGroup"),
        ];
        for (map, what) in kinds {
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

/// The QName an attribute of `node` holds, resolved in `node`'s scope.
fn qname_of(node: Node, attr: &str) -> Option<QName> {
    let (prefix, local) = split_qname(node.attribute(attr)?.trim());
    let ns = node
        .lookup_namespace_uri(prefix)
        .or(prefix.is_none().then_some(""))?;
    Some(QName::new(ns, local))
}

/// Whether the group (`what`: `group` or `attributeGroup`) at `node` refers to `target`,
/// directly or through the groups of `map`; bounded by `depth` and a shared `budget`.
fn reaches<'a, 'i>(
    map: &HashMap<QName, Decl<'a, 'i>>,
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
        let (prefix, local) = split_qname(raw.trim());
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
