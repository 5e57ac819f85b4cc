//! Elements and their types: a declared element (abstract, `xsi:type` and the derivations it
//! may use, `xsi:nil`, default and fixed values, identity constraints), then its attributes and
//! content by its simple or complex type.

use roxmltree::Node;

use super::context::{Ctx, MAX_DEPTH};
use super::error::Reason;
use super::identity;
use super::instance::{is_true, qname_of, resolver, text_of};
use super::prepare::Validator;
use crate::xsd::model::*;
use crate::xsd::value::{self, Value};

impl<'s> Validator<'s> {
    /// An element with a declaration.
    pub(super) fn element<'a, 'i>(
        &self,
        node: Node<'a, 'i>,
        decl: ElementId,
        depth: usize,
        ctx: &mut Ctx<'a, 'i>,
    ) {
        if depth > MAX_DEPTH {
            ctx.report(node, None, Reason::TooDeep { limit: MAX_DEPTH });
            return;
        }
        let d = self.schema.element(decl);
        if d.is_abstract {
            let element = d.name.clone();
            ctx.report(node, None, Reason::AbstractElement { element });
        }
        let Some(t) = self.effective_type(node, d.type_id, d.block, ctx) else {
            return;
        };
        // xsi:nil
        let has_attributes = node.attributes().len() > 0;
        let nilled = if has_attributes && let Some(nil) = node.attribute((XSI, "nil")) {
            self.nil(node, d, nil, ctx)
        } else {
            false
        };
        let constraint = d
            .fixed_value()
            .map(|f| (f, true))
            .or(d.default_value().map(|f| (f, false)));
        self.typed(node, t, constraint, nilled, depth, ctx);
        if !d.identity().is_empty() {
            self.identity(node, d, ctx);
        }
    }

    /// Checks `xsi:nil` (value `nil`) on an element of declaration `d`; whether it is nilled.
    fn nil<'a, 'i>(
        &self,
        node: Node<'a, 'i>,
        d: &Element,
        nil: &str,
        ctx: &mut Ctx<'a, 'i>,
    ) -> bool {
        match is_true(nil) {
            None => {
                let found = nil.to_string();
                ctx.report(node, Some("nil"), Reason::NilNotBoolean { found })
            }
            Some(_) if !d.nillable => {
                let element = d.name.clone();
                ctx.report(node, None, Reason::NotNillable { element })
            }
            Some(true) => {
                if d.fixed_value().is_some() {
                    ctx.report(node, None, Reason::NilFixed);
                }
                if node.children().any(|c| c.is_element() || c.is_text()) {
                    ctx.report(node, None, Reason::NilNotEmpty);
                }
                return true;
            }
            Some(false) => {}
        }
        false
    }

    /// The identity constraints (`unique`, `key`, `keyref`) of declaration `d` on `node`'s
    /// subtree, with keys typed as their fields were validated.
    fn identity<'a, 'i>(&self, node: Node<'a, 'i>, d: &Element, ctx: &mut Ctx<'a, 'i>) {
        let mut problems = Vec::new();
        let keys = d
            .identity()
            .iter()
            .filter(|c| !matches!(c.kind, IdentityKind::KeyRef(_)));
        let refs = d
            .identity()
            .iter()
            .filter(|c| matches!(c.kind, IdentityKind::KeyRef(_)));
        let types = &ctx.types;
        let key = |n: Node, attr: Option<usize>, text: &str| -> String {
            let at = attr.map_or(u32::MAX, |i| i as u32);
            match types.get(&(n.id(), at)) {
                Some(&t) => self
                    .simple_value(t, text, &resolver(n), None, &mut Ctx::new())
                    .map_or_else(|_| identity::untyped_key(text), |v| v.key()),
                None => identity::untyped_key(text),
            }
        };
        for c in keys.chain(refs) {
            identity::check(node, c, &mut ctx.tables, &mut problems, &key);
        }
        for (n, e) in problems {
            ctx.report(n, None, Reason::Identity(e));
        }
    }

    /// The declared type, or the `xsi:type` that replaces it (which must derive from it).
    fn effective_type<'a, 'i>(
        &self,
        node: Node<'a, 'i>,
        declared: TypeId,
        block: u8,
        ctx: &mut Ctx<'a, 'i>,
    ) -> Option<TypeId> {
        if node.attributes().len() == 0 {
            return Some(declared);
        }
        let Some(raw) = node.attribute((XSI, "type")) else {
            return Some(declared);
        };
        let xt = self.xsi_type(node, raw, ctx)?;
        if !self.validly_derived(xt, declared) {
            let reason = Reason::XsiTypeNotDerived {
                xsi_type: raw.trim().to_string(),
                declared: self.schema.type_label(declared),
            };
            ctx.report(node, Some("type"), reason);
            return Some(declared);
        }
        if self.blocked(xt, declared, block) {
            let reason = Reason::XsiTypeBlocked {
                xsi_type: raw.trim().to_string(),
                declared: self.schema.type_label(declared),
            };
            ctx.report(node, Some("type"), reason);
            return Some(declared);
        }
        Some(xt)
    }

    /// The `BLOCK_*` flags of a type.
    fn type_block(&self, t: TypeId) -> u8 {
        match &self.schema.ty(t).kind {
            TypeKind::Complex(ct) => ct.block,
            TypeKind::Simple(_) => 0,
        }
    }

    /// Whether deriving `t` from `base` uses a method that `block`, `base`'s own block or an
    /// intermediate type's block refuses.
    pub(super) fn blocked(&self, t: TypeId, base: TypeId, block: u8) -> bool {
        let set = block | self.type_block(base);
        let mut cur = t;
        let mut steps = 0;
        while cur != base && steps < 1000 {
            let ty = self.schema.ty(cur);
            let method = match &ty.kind {
                TypeKind::Complex(ct) if ct.derivation == Derivation::Extension => BLOCK_EXTENSION,
                _ => BLOCK_RESTRICTION,
            };
            let inter = if cur != t { self.type_block(cur) } else { 0 };
            if method & (set | inter) != 0 {
                return true;
            }
            match ty.base {
                Some(b) => cur = b,
                None => return false,
            }
            steps += 1;
        }
        false
    }

    /// The global type an `xsi:type` value names (`None`, reported, when it names none).
    fn xsi_type<'a, 'i>(
        &self,
        node: Node<'a, 'i>,
        raw: &str,
        ctx: &mut Ctx<'a, 'i>,
    ) -> Option<TypeId> {
        let r = resolver(node);
        let (ns, local) = match value::parse(Primitive::QName, "QName", raw.trim(), &r) {
            Ok(Value::QName(ns, local)) => (if is_xs_ns(&ns) { XS.to_string() } else { ns }, local),
            _ => {
                let xsi_type = raw.to_string();
                ctx.report(node, Some("type"), Reason::XsiTypeNotQName { xsi_type });
                return None;
            }
        };
        // Looked up, not interned: a name no table holds names no type (the error's copy is made
        // only then).
        match QName::find(&ns, &local).and_then(|q| self.schema.global_types.get(&q)) {
            Some(&t) => Some(t),
            None => {
                let name = QName::new(ns, local);
                ctx.report(node, Some("type"), Reason::XsiTypeUnknown { name });
                None
            }
        }
    }

    /// Whether `t` may stand for `base` (through `xsi:type`): derived from it or from a
    /// member of the union `base`, or any simple type for xs:anySimpleType.
    pub(super) fn validly_derived(&self, t: TypeId, base: TypeId) -> bool {
        if self.schema.derives_from(t, base) || base == TypeId(0) {
            return true;
        }
        // A member of a union may stand for the union.
        if let TypeKind::Simple(SimpleType {
            variety: Variety::Union(members),
            ..
        }) = &self.schema.ty(base).kind
        {
            return members.iter().any(|&m| self.validly_derived(t, m));
        }
        if let TypeKind::Simple(_) = self.schema.ty(t).kind
            && self.schema.builtin("anySimpleType") == Some(base)
        {
            return true;
        }
        false
    }

    /// An element without a declaration but with an `xsi:type`.
    pub(super) fn by_xsi_type_only<'a, 'i>(
        &self,
        node: Node<'a, 'i>,
        depth: usize,
        ctx: &mut Ctx<'a, 'i>,
        strict: bool,
    ) {
        let raw = node.attribute((XSI, "type")).unwrap_or("");
        if let Some(t) = self.xsi_type(node, raw, ctx) {
            self.typed(node, t, None, false, depth, ctx);
        } else if !strict {
            self.lax_children(node, depth, ctx);
        }
    }

    /// Attributes and content of `node` against type `t`.
    fn typed<'a, 'i>(
        &self,
        node: Node<'a, 'i>,
        t: TypeId,
        constraint: Option<(&str, bool)>,
        nilled: bool,
        depth: usize,
        ctx: &mut Ctx<'a, 'i>,
    ) {
        match &self.schema.ty(t).kind {
            TypeKind::Simple(_) => {
                self.attributes(node, None, ctx);
                if let Some(child) = node.children().find(|c| c.is_element()) {
                    let reason = Reason::ChildOfSimpleType {
                        element: qname_of(&node),
                        ty: self.schema.type_label(t),
                    };
                    ctx.report(child, None, reason);
                    return;
                }
                if !nilled {
                    if self.c.has_identity {
                        ctx.types.insert((node.id(), u32::MAX), t);
                    }
                    self.text_value(node, t, constraint, ctx);
                }
            }
            TypeKind::Complex(ct) => {
                if ct.is_abstract {
                    let ty = self.schema.type_label(t);
                    ctx.report(node, None, Reason::AbstractType { ty });
                }
                self.attributes(node, Some(ct), ctx);
                if nilled {
                    return;
                }
                match &ct.content {
                    Content::Empty => {
                        if let Some(c) = node.children().find(|c| {
                            c.is_element()
                                || (c.is_text() && !ct.mixed && !c.text().unwrap_or("").is_empty())
                        }) {
                            let reason = Reason::NotEmpty {
                                element: qname_of(&node),
                                ty: self.schema.type_label(t),
                            };
                            ctx.report(if c.is_element() { c } else { node }, None, reason);
                        }
                    }
                    Content::Simple(st) => {
                        if let Some(child) = node.children().find(|c| c.is_element()) {
                            let element = qname_of(&node);
                            ctx.report(child, None, Reason::ChildOfSimpleContent { element });
                            return;
                        }
                        if self.c.has_identity {
                            ctx.types.insert((node.id(), u32::MAX), *st);
                        }
                        self.text_value(node, *st, constraint, ctx);
                    }
                    Content::Elements(_) => self.children(node, t, ct, depth, ctx),
                }
                // A fixed value on mixed content: the text, with no child elements.
                if let Some((fixed, true)) = constraint
                    && ct.mixed
                    && !matches!(ct.content, Content::Simple(_))
                    && node.children().any(|c| c.is_text() || c.is_element())
                    && (node.children().any(|c| c.is_element()) || text_of(node) != fixed)
                {
                    let fixed = fixed.to_string();
                    ctx.report(node, None, Reason::FixedContent { fixed });
                }
            }
        }
    }
}
