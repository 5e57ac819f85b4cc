//! The walk of the schema-for-schemas pass: every `xs:` element in its role, its attributes
//! checked, its children matched against its grammar (the first child that cannot fit, or a
//! missing one, reported), then its co-constraints, and down into each child.

use std::collections::HashSet;

use roxmltree::Node;

use super::checker::{Checker, is_xs};
use super::grammar::{Role, all_grammar, child_role, grammar};

impl<'a, 'i> Checker<'_, 'a, 'i> {
    /// Checks `node` in `role` and everything below it; `ids` are the ids of its document.
    pub(super) fn walk(
        &mut self,
        source: usize,
        node: Node<'a, 'i>,
        role: Role,
        ids: &mut HashSet<&'a str>,
    ) {
        let name = node.tag_name().name();
        self.check_attributes(source, node, role, ids);
        if role == Role::Annotation {
            self.annotation(source, node);
            return;
        }
        let kids = self.schema_children(source, node);
        self.children_fit(source, node, role, &kids);
        for c in kids {
            let cname = c.tag_name().name();
            if let Some(r) = child_role(role, name, cname) {
                self.walk(source, c, r, ids);
            }
        }
        self.co_constraints(source, node, role);
    }

    /// An `xs:annotation`'s children: only `xs:appinfo` and `xs:documentation`, with `source`.
    fn annotation(&mut self, source: usize, node: Node<'a, 'i>) {
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
    }

    /// The `xs:` children of `node`; text and elements of other vocabularies are reported.
    fn schema_children(&mut self, source: usize, node: Node<'a, 'i>) -> Vec<Node<'a, 'i>> {
        let name = node.tag_name().name();
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
        kids
    }

    /// `kids` against the grammar of `node` in `role`.
    fn children_fit(&mut self, source: usize, node: Node<'a, 'i>, role: Role, kids: &[Node]) {
        let name = node.tag_name().name();
        let names: Vec<&str> = kids.iter().map(|c| c.tag_name().name()).collect();
        let g = if name == "all" {
            all_grammar()
        } else {
            grammar(role)
        };
        let full = g.ends(&names, &[0], false);
        if full.contains(&names.len()) {
            return;
        }
        let reach = g.ends(&names, &[0], true).into_iter().max().unwrap_or(0);
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
}
