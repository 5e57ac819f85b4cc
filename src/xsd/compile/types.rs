//! Type definitions: each gets its slot (an id) once, global or anonymous, and is compiled on
//! first use (pending until then), bounded in depth, refusing circular derivation.

use roxmltree::Node;

use super::{Compiler, MAX_TYPE_DEPTH, is_xs};
use crate::xsd::model::*;

impl<'a, 'i> Compiler<'a, 'i> {
    /// Compiles every type that was referenced but not compiled yet.
    pub fn drain_pending(&mut self) {
        while let Some(&id) = self.pending.keys().min() {
            self.ensure_filled(id);
        }
    }

    fn ensure_filled(&mut self, id: TypeId) {
        if let Some(decl) = self.pending.remove(&id) {
            self.fill_type(id, decl.doc, decl.node);
        }
    }

    /// A new type's id, its definition not compiled yet (a placeholder until it is filled).
    pub(super) fn type_slot(&mut self, name: Option<QName>, pos: SrcPos) -> TypeId {
        let id = TypeId(self.schema.types.len() as u32);
        self.schema.types.push(Type {
            name,
            base: None,
            kind: TypeKind::Complex(placeholder_complex()),
            pos,
        });
        id
    }

    /// Whether a type is simple, also before it is compiled.
    pub(super) fn is_simple(&self, id: TypeId) -> bool {
        match self.pending.get(&id) {
            Some(decl) => is_xs(&decl.node, "simpleType"),
            None => matches!(self.schema.ty(id).kind, TypeKind::Simple(_)),
        }
    }

    pub(super) fn global_type(&mut self, q: &QName, doc: usize, node: Node<'a, 'i>) -> TypeId {
        if let Some(&id) = self.schema.global_types.get(q) {
            self.ensure_filled(id);
            return id;
        }
        let pos = self.pos(doc, node);
        let id = self.type_slot(Some(q.clone()), pos);
        self.schema.global_types.insert(q.clone(), id);
        self.fill_type(id, doc, node);
        id
    }

    pub(super) fn anonymous_type(&mut self, doc: usize, node: Node<'a, 'i>) -> TypeId {
        let pos = self.pos(doc, node);
        let id = self.type_slot(None, pos);
        self.fill_type(id, doc, node);
        id
    }

    fn fill_type(&mut self, id: TypeId, doc: usize, node: Node<'a, 'i>) {
        if self.depth >= MAX_TYPE_DEPTH {
            self.diag(
                doc,
                node,
                format!("type definitions nest or derive more than {MAX_TYPE_DEPTH} levels deep"),
            )
            .hint = Some("no real schema does this; check for a generated or hostile file".into());
            return;
        }
        self.depth += 1;
        self.compiling.insert(id);
        let (base, kind) = if is_xs(&node, "simpleType") {
            let (base, st) = self.simple_type(doc, node);
            (Some(base), TypeKind::Simple(st))
        } else {
            let (base, ct) = self.complex_type(doc, node);
            (Some(base), TypeKind::Complex(ct))
        };
        if self.originals.contains_key(&(doc, node.id())) {
            let original = self.original_type(doc, node);
            if base != Some(original) {
                let local = node.attribute("name").unwrap_or("").trim();
                self.diag(
                    doc,
                    node,
                    format!("the redefinition of type `{local}` does not derive from `{local}`"),
                )
                .hint = Some(format!(
                    "a type in xs:redefine must be a restriction or extension with base=\"{local}\" (meaning the definition it replaces)"
                ));
            }
        }
        let t = &mut self.schema.types[id.0 as usize];
        t.base = base;
        t.kind = kind;
        self.compiling.remove(&id);
        self.depth -= 1;
    }

    /// The named types derived from each type, once all are compiled.
    pub(super) fn record_derivations(&mut self) {
        for (i, t) in self.schema.types.iter().enumerate() {
            if let (Some(base), Some(_)) = (t.base, &t.name) {
                self.schema
                    .derived
                    .entry(base)
                    .or_default()
                    .push(TypeId(i as u32));
            }
        }
    }

    /// A base type's compiled form, refusing circular derivation.
    pub(super) fn base_of(&mut self, doc: usize, node: Node<'a, 'i>, base: TypeId) -> Option<Type> {
        self.ensure_filled(base);
        if self.compiling.contains(&base) {
            self.diag(
                doc,
                node,
                format!(
                    "circular derivation: `{}` derives from itself",
                    self.schema.type_label(base)
                ),
            );
            return None;
        }
        Some(self.schema.ty(base).clone())
    }
}

/// An empty complex type with no derivation: what a type is until it is compiled.
pub(super) fn placeholder_complex() -> ComplexType {
    ComplexType {
        derivation: Derivation::None,
        content: Content::Empty,
        mixed: false,
        is_abstract: false,
        attributes: Vec::new(),
        any_attribute: None,
        array_of: None,
        block: 0,
    }
}
