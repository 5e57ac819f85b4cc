//! Simple type definitions: restrictions of a base (with their facets), lists and unions.

use std::sync::Arc;

use roxmltree::Node;

use super::{Compiler, is_xs, xs_children};
use crate::xsd::model::*;

impl<'a, 'i> Compiler<'a, 'i> {
    pub(super) fn simple_type(&mut self, doc: usize, node: Node<'a, 'i>) -> (TypeId, SimpleType) {
        let any_simple = self.any_simple();
        let fallback = |s: &Self| SimpleType {
            primitive: Primitive::String,
            base_builtin: s.schema.builtin("string").expect("built-in"),
            variety: Variety::Atomic,
            facets: Box::default(),
        };
        let Some(def) = xs_children(node).next() else {
            self.diag(
                doc,
                node,
                "xs:simpleType needs a restriction, list or union",
            );
            return (any_simple, fallback(self));
        };
        match def.tag_name().name() {
            "restriction" => {
                let base = if def.has_attribute("base") {
                    self.base_ref(doc, node, def)
                } else if let Some(inline) = xs_children(def).find(|c| is_xs(c, "simpleType")) {
                    self.anonymous_type(doc, inline)
                } else {
                    self.diag(
                        doc,
                        def,
                        "xs:restriction needs a base attribute or an inline xs:simpleType",
                    );
                    any_simple
                };
                let Some(base_t) = self.base_of(doc, def, base) else {
                    return (any_simple, fallback(self));
                };
                let TypeKind::Simple(mut st) = base_t.kind else {
                    self.diag(doc, def, format!("simple type restricts `{}`, which is a complex type", self.schema.type_label(base)))
                        .hint = Some("a simple type can only restrict a simple type; use complexType/simpleContent".into());
                    return (any_simple, fallback(self));
                };
                if base_t.name.as_ref().is_some_and(|q| q.ns == XS) {
                    st.base_builtin = base;
                }
                self.facets(doc, def, &mut st.facets);
                (base, st)
            }
            "list" => {
                let item = if def.has_attribute("itemType") {
                    self.type_ref(doc, def, "itemType")
                } else if let Some(inline) = xs_children(def).find(|c| is_xs(c, "simpleType")) {
                    self.anonymous_type(doc, inline)
                } else {
                    self.diag(
                        doc,
                        def,
                        "xs:list needs an itemType attribute or an inline xs:simpleType",
                    );
                    self.schema.builtin("string").expect("built-in")
                };
                let st = SimpleType {
                    primitive: Primitive::String,
                    base_builtin: any_simple,
                    variety: Variety::List(item),
                    facets: Box::new(Facets {
                        white_space: Some(WhiteSpace::Collapse),
                        ..Facets::default()
                    }),
                };
                (any_simple, st)
            }
            "union" => {
                let mut members = Vec::new();
                if let Some(list) = def.attribute("memberTypes") {
                    for m in list.split_whitespace() {
                        if let Some(q) = self.resolve_qname(doc, def, m, "memberTypes") {
                            members.push(self.lookup_type(doc, def, &q, "memberTypes"));
                        }
                    }
                }
                for inline in xs_children(def).filter(|c| is_xs(c, "simpleType")) {
                    members.push(self.anonymous_type(doc, inline));
                }
                if members.is_empty() {
                    self.diag(doc, def, "xs:union without member types");
                }
                let st = SimpleType {
                    primitive: Primitive::AnySimple,
                    base_builtin: any_simple,
                    variety: Variety::Union(members),
                    facets: Box::default(),
                };
                (any_simple, st)
            }
            other => {
                self.diag(doc, def, format!("unexpected xs:{other} in xs:simpleType"));
                (any_simple, fallback(self))
            }
        }
    }

    /// One restriction step's patterns compiled into `f.regexes`, or, when one of them cannot
    /// be, each listed (with its place) in `f.unenforced`.
    fn pattern_step(&mut self, doc: usize, patterns: Vec<(String, Node<'a, 'i>)>, f: &mut Facets) {
        use crate::xsd::regex::{LARGE_PATTERN_LIMIT, LARGE_PATTERNS, PATTERN_LIMIT, RegexError};
        let compiled: Result<Vec<(String, Arc<regex::Regex>)>, RegexError> = patterns
            .iter()
            .map(|(p, _)| {
                let r = match crate::xsd::regex::compile_shared(p, PATTERN_LIMIT) {
                    Err(RegexError::TooBig { .. }) if self.large_patterns < LARGE_PATTERNS => {
                        self.large_patterns += 1;
                        crate::xsd::regex::compile_shared(p, LARGE_PATTERN_LIMIT)
                    }
                    r => r,
                };
                r.map(|r| (p.clone(), r))
            })
            .collect();
        match compiled {
            Ok(step) => f.regexes.push(step),
            Err(reason) => {
                let source = &self.set.sources[self.docs[doc].source];
                for (p, node) in &patterns {
                    let (line, col) = crate::diag::line_col(&source.text, node.range().start);
                    f.unenforced.push(Unenforced {
                        pattern: p.clone(),
                        reason: reason.clone(),
                        file: source.path.clone(),
                        line,
                        col,
                    });
                }
            }
        }
        f.patterns
            .push(patterns.into_iter().map(|(p, _)| p).collect());
    }

    pub(super) fn facets(&mut self, doc: usize, def: Node<'a, 'i>, f: &mut Facets) {
        let mut patterns = Vec::new();
        let mut enumeration = Vec::new();
        for c in xs_children(def) {
            let value = c.attribute("value");
            let name = c.tag_name().name();
            if matches!(
                name,
                "simpleType"
                    | "attribute"
                    | "attributeGroup"
                    | "anyAttribute"
                    | "sequence"
                    | "choice"
                    | "all"
                    | "group"
            ) {
                continue;
            }
            let Some(value) = value else {
                self.diag(doc, c, format!("facet xs:{name} without a value"));
                continue;
            };
            let number = |s: &mut Self| -> Option<u64> {
                match value.trim().parse::<u64>() {
                    Ok(n) => Some(n),
                    Err(_) => {
                        s.diag(
                            doc,
                            c,
                            format!(
                                "facet xs:{name} needs a non-negative integer, found `{value}`"
                            ),
                        );
                        None
                    }
                }
            };
            match name {
                "enumeration" => enumeration.push(value.to_string()),
                "pattern" => patterns.push((value.to_string(), c)),
                "length" => f.length = number(self),
                "minLength" => f.min_length = number(self),
                "maxLength" => f.max_length = number(self),
                "totalDigits" => {
                    f.total_digits = number(self).map(|n| n.min(u32::MAX as u64) as u32)
                }
                "fractionDigits" => {
                    f.fraction_digits = number(self).map(|n| n.min(u32::MAX as u64) as u32)
                }
                "minInclusive" => f.min_inclusive = Some(value.trim().to_string()),
                "maxInclusive" => f.max_inclusive = Some(value.trim().to_string()),
                "minExclusive" => f.min_exclusive = Some(value.trim().to_string()),
                "maxExclusive" => f.max_exclusive = Some(value.trim().to_string()),
                "whiteSpace" => {
                    f.white_space = match value.trim() {
                        "preserve" => Some(WhiteSpace::Preserve),
                        "replace" => Some(WhiteSpace::Replace),
                        "collapse" => Some(WhiteSpace::Collapse),
                        other => {
                            self.diag(doc, c, format!("whiteSpace must be preserve, replace or collapse, found `{other}`"));
                            f.white_space
                        }
                    }
                }
                "assertion" | "explicitTimezone" => {}
                other => {
                    self.diag(doc, c, format!("unknown facet xs:{other}"));
                }
            }
        }
        if !patterns.is_empty() {
            self.pattern_step(doc, patterns, f);
        }
        if !enumeration.is_empty() {
            // Enumeration values are compared after whitespace normalisation.
            f.enumeration = enumeration
                .into_iter()
                .map(|v| match f.white_space {
                    Some(WhiteSpace::Collapse) => {
                        v.split_ascii_whitespace().collect::<Vec<_>>().join(" ")
                    }
                    Some(WhiteSpace::Replace) => v.replace(['\t', '\n', '\r'], " "),
                    _ => v,
                })
                .collect();
        }
    }
}
