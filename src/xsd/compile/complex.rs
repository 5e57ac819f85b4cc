//! Complex type definitions and their derivation: simple content (text with attributes),
//! complex content extending or restricting a base, plain content models, and SOAP-encoded
//! arrays (restrictions of `soapenc:Array`).

use std::sync::Arc;

use roxmltree::Node;

use super::{Compiler, block_flags, is_true, is_xs, xs_children};
use crate::xsd::model::*;

impl<'a, 'i> Compiler<'a, 'i> {
    /// A complex type definition: its own settings, then what it holds (simple content, complex
    /// content derived from a base, or a content model and attributes of its own) and its base.
    pub(super) fn complex_type(&mut self, doc: usize, node: Node<'a, 'i>) -> (TypeId, ComplexType) {
        let mixed = node.attribute("mixed").is_some_and(is_true);
        let is_abstract = node.attribute("abstract").is_some_and(is_true);
        let mut ct = ComplexType {
            derivation: Derivation::None,
            content: Content::Empty,
            mixed,
            is_abstract,
            attributes: Vec::new(),
            any_attribute: None,
            array_of: None,
            block: node
                .attribute("block")
                .map_or(self.docs[doc].block_default, block_flags)
                & (BLOCK_EXTENSION | BLOCK_RESTRICTION),
        };
        let first = xs_children(node).next();
        match first.map(|n| (n, n.tag_name().name())) {
            Some((sc, "simpleContent")) => self.simple_content(doc, node, sc, ct),
            Some((cc, "complexContent")) => self.complex_content(doc, node, cc, ct),
            _ => {
                if let Some(p) = self.content_particle(doc, node) {
                    ct.content = Content::Elements(Arc::new(p));
                }
                self.attributes(doc, node, &mut ct, false);
                (self.any_type(), ct)
            }
        }
    }

    /// `xs:simpleContent` of the complex type `node`: text of the base's simple type (in a
    /// restriction, with facets of its own) and the base's attributes, extended or restricted.
    fn simple_content(
        &mut self,
        doc: usize,
        node: Node<'a, 'i>,
        sc: Node<'a, 'i>,
        mut ct: ComplexType,
    ) -> (TypeId, ComplexType) {
        let any_type = self.any_type();
        let Some(def) = xs_children(sc).next() else {
            self.diag(
                doc,
                sc,
                "xs:simpleContent needs an extension or restriction",
            );
            return (any_type, ct);
        };
        let base = self.base_ref(doc, node, def);
        let Some(base_t) = self.base_of(doc, def, base) else {
            return (any_type, ct);
        };
        let extension = def.tag_name().name() == "extension";
        ct.derivation = if extension {
            Derivation::Extension
        } else {
            Derivation::Restriction
        };
        let mut text_type = match &base_t.kind {
            TypeKind::Simple(_) => base,
            TypeKind::Complex(b) => {
                ct.attributes = b.attributes.clone();
                ct.any_attribute = b.any_attribute.clone();
                match b.content {
                    Content::Simple(t) => t,
                    _ if base == any_type => self.any_simple(),
                    _ if b.mixed && !extension => self.schema.builtin("string").expect("built-in"),
                    _ => {
                        self.diag(
                            doc,
                            def,
                            format!(
                                "simpleContent derives from `{}`, which has no simple content",
                                self.schema.type_label(base)
                            ),
                        );
                        self.any_simple()
                    }
                }
            }
        };
        if !extension {
            text_type = self.restricted_text(doc, def, text_type);
        }
        ct.content = Content::Simple(text_type);
        self.derived_attributes(doc, def, &mut ct, extension);
        (base, ct)
    }

    /// The text type of a simpleContent restriction `def` of `text_type`: its inline simple
    /// type if it has one, and with facets, an anonymous simple type restricting that.
    fn restricted_text(&mut self, doc: usize, def: Node<'a, 'i>, mut text_type: TypeId) -> TypeId {
        let has_facets = xs_children(def).any(|c| {
            !matches!(
                c.tag_name().name(),
                "attribute" | "attributeGroup" | "anyAttribute" | "simpleType"
            )
        });
        let inline_base = xs_children(def).find(|c| is_xs(c, "simpleType"));
        if let Some(inline) = inline_base {
            text_type = self.anonymous_type(doc, inline);
        }
        if has_facets && let TypeKind::Simple(mut st) = self.schema.ty(text_type).kind.clone() {
            if self
                .schema
                .ty(text_type)
                .name
                .as_ref()
                .is_some_and(|q| q.ns == XS)
            {
                st.base_builtin = text_type;
            }
            self.facets(doc, def, &mut st.facets);
            let id = TypeId(self.schema.types.len() as u32);
            let pos = self.pos(doc, def);
            self.schema.types.push(Type {
                name: None,
                base: Some(text_type),
                kind: TypeKind::Simple(st),
                pos,
            });
            text_type = id;
        }
        text_type
    }

    /// `xs:complexContent` of the complex type `node`: the base's content model and attributes,
    /// extended (the base's particles first) or restricted (the own particles replace them).
    fn complex_content(
        &mut self,
        doc: usize,
        node: Node<'a, 'i>,
        cc: Node<'a, 'i>,
        mut ct: ComplexType,
    ) -> (TypeId, ComplexType) {
        let any_type = self.any_type();
        if cc.attribute("mixed").is_some_and(is_true) {
            ct.mixed = true;
        }
        let Some(def) = xs_children(cc).next() else {
            self.diag(
                doc,
                cc,
                "xs:complexContent needs an extension or restriction",
            );
            return (any_type, ct);
        };
        let base = self.base_ref(doc, node, def);
        let Some(base_t) = self.base_of(doc, def, base) else {
            return (any_type, ct);
        };
        let TypeKind::Complex(b) = base_t.kind else {
            self.diag(
                doc,
                def,
                format!(
                    "complexContent derives from `{}`, a simple type",
                    self.schema.type_label(base)
                ),
            )
            .hint = Some("use xs:simpleContent to add attributes to a simple type".into());
            return (any_type, ct);
        };
        let own = self.content_particle(doc, def);
        let extension = def.tag_name().name() == "extension";
        ct.attributes = b.attributes.clone();
        ct.any_attribute = b.any_attribute.clone();
        if extension {
            ct.derivation = Derivation::Extension;
            ct.mixed |= b.mixed;
            ct.content = self.extended_content(doc, def, base, b.content.clone(), own);
        } else {
            ct.derivation = Derivation::Restriction;
            ct.content = own.map_or(Content::Empty, |p| Content::Elements(Arc::new(p)));
            if self.is_soap_array(base) {
                ct.array_of = self.encoded_array_item(doc, def, base);
            }
        }
        self.derived_attributes(doc, def, &mut ct, extension);
        (base, ct)
    }

    /// An extension's content: the base's particle followed by its own, in a sequence. Elements
    /// cannot be added to simple content.
    fn extended_content(
        &mut self,
        doc: usize,
        def: Node<'a, 'i>,
        base: TypeId,
        base_content: Content,
        own: Option<Particle>,
    ) -> Content {
        match (base_content, own) {
            (Content::Elements(bp), Some(op)) => Content::Elements(Arc::new(Particle {
                min: 1,
                max: MaxOccurs::Bounded(1),
                term: Term::Sequence(vec![Arc::unwrap_or_clone(bp), op]),
            })),
            (Content::Elements(bp), None) => Content::Elements(bp),
            (Content::Empty, Some(op)) => Content::Elements(Arc::new(op)),
            (Content::Empty, None) => Content::Empty,
            (Content::Simple(t), None) => Content::Simple(t),
            (Content::Simple(_), Some(_)) => {
                self.diag(
                    doc,
                    def,
                    format!(
                        "cannot add elements to `{}`, which has simple content",
                        self.schema.type_label(base)
                    ),
                );
                Content::Empty
            }
        }
    }

    /// The derivation `def`'s own attributes merged into the inherited ones in `ct`; an
    /// extension's attribute wildcard is the union of its base's and its own.
    fn derived_attributes(
        &mut self,
        doc: usize,
        def: Node<'a, 'i>,
        ct: &mut ComplexType,
        extension: bool,
    ) {
        let base_wildcard = ct.any_attribute.take();
        self.attributes(doc, def, ct, !extension);
        if extension {
            ct.any_attribute = combine_extension(base_wildcard, ct.any_attribute.take());
        }
    }

    fn is_soap_array(&self, t: TypeId) -> bool {
        [SOAP11_ENC, SOAP12_ENC].iter().any(|ns| {
            self.schema
                .global_types
                .get(&QName::new(*ns, "Array"))
                .is_some_and(|&a| self.schema.derives_from(t, a))
        })
    }

    /// `<attribute ref="soapenc:arrayType" wsdl:arrayType="tns:Item[]"/>` -> the item type.
    /// Jagged arrays (`T[][]`) have items that are arrays themselves (anonymous array types);
    /// a multi-dimensional `T[,]` is written flat, so its items are `T`.
    fn encoded_array_item(
        &mut self,
        doc: usize,
        def: Node<'a, 'i>,
        base: TypeId,
    ) -> Option<TypeId> {
        const WSDL: &str = crate::xml::WSDL;
        for a in xs_children(def).filter(|c| is_xs(c, "attribute")) {
            let Some(value) = a.attribute((WSDL, "arrayType")) else {
                continue;
            };
            let item = value
                .trim()
                .trim_end_matches(|c: char| c == ']' || c == '[' || c == ',' || c.is_ascii_digit());
            let q = self.resolve_qname(doc, a, item, "wsdl:arrayType")?;
            let mut t = self.lookup_type(doc, a, &q, "wsdl:arrayType");
            // Each `[...]` beyond the last is one more level of arrays.
            let levels = value.matches('[').count().saturating_sub(1).min(8);
            for _ in 0..levels {
                let pos = self.pos(doc, a);
                self.schema.types.push(Type {
                    name: None,
                    base: Some(base),
                    kind: TypeKind::Complex(ComplexType {
                        derivation: Derivation::Restriction,
                        content: Content::Empty,
                        mixed: false,
                        is_abstract: false,
                        attributes: Vec::new(),
                        any_attribute: None,
                        array_of: Some(t),
                        block: 0,
                    }),
                    pos,
                });
                t = TypeId(self.schema.types.len() as u32 - 1);
            }
            return Some(t);
        }
        // A restriction with an element sequence describes its items itself.
        None
    }
}

/// An extension's attribute wildcard: the union of its base's and its own.
fn combine_extension(
    base: Option<Box<Wildcard>>,
    own: Option<Box<Wildcard>>,
) -> Option<Box<Wildcard>> {
    match (base, own) {
        (Some(b), Some(o)) => Some(Box::new(o.union(&b))),
        (b, o) => o.or(b),
    }
}
