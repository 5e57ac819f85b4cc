//! Instance validation against a compiled [`Schema`](crate::xsd::Schema): on `roxmltree` trees,
//! in place, or in a pull parser's pass (`stream`).
//!
//! [`Validator::new`] compiles once what validation needs ([`Prepared`], in `prepare`): each
//! complex type's content model as a counting automaton (`automaton`) and, when it is one, as a
//! flat sequence stepped without states (`flat`); each simple type's enumeration and range facets
//! as values (`facet_values`) and a plan to check its text without building its value (`fast`).
//! [`Validator::validate_element`] then checks an element subtree (a SOAP Body child) and
//! [`Validator::validate_root`] a whole document, returning every violation with its byte
//! offset, an XPath-like path, the rule broken, a message and its [`Reason`] as a value to match
//! on (collected in `context`; the reasons, with [`SimpleError`] for simple values, in `error`).
//!
//! The driver follows the instance: `element` (declarations, `xsi:type`, `xsi:nil`, types),
//! `attributes`, `content` (children against content models), `wildcard` (processContents),
//! `simple` (simple values: whiteSpace, then the lexical space of the built-in type, then facets
//! compared by value; lists, unions, IDs and IDREFs) and `identity` (`unique`, `key`, `keyref`).
//! `stream` checks an element in the pull parser's pass instead, with no tree ([`Stepper`]): it
//! shows the common answer valid, and leaves the rest (and every violation) to the tree.
//!
//! Checked: content models (sequence, choice, all, occurrences, wildcards with processContents,
//! substitution groups, abstract elements and types), attributes (required, prohibited, fixed,
//! anyAttribute), `xsi:type` (must derive from the declared type), `xsi:nil` (only when nillable,
//! then empty), element default and fixed values, simple types, ID uniqueness and IDREF targets,
//! identity constraints. Not done: schema-location hints in instances.

mod attributes;
mod automaton;
mod content;
mod context;
mod element;
mod error;
mod facet_values;
mod fast;
mod flat;
mod identity;
mod instance;
mod prepare;
mod simple;
mod stream;
mod wildcard;

use roxmltree::{Document, Node};

use self::context::Ctx;
pub use self::context::{MAX_DEPTH, MAX_VIOLATIONS, Violation, path_of};
pub use self::error::{FieldValueError, IdentityError, ModelError, Reason, SimpleError};
use self::instance::qname_of;
pub use self::prepare::{Prepared, Validator};
pub use self::stream::{Stepper, Tag, Unproven};
use crate::xsd::model::{ElementId, XSI};

impl Validator<'_> {
    /// Validates a whole document from its root element, found among the global elements by
    /// name (or typed by the root's `xsi:type`).
    pub fn validate_root(&self, doc: &Document) -> Vec<Violation> {
        let root = doc.root_element();
        let q = qname_of(&root);
        match self.schema.global_elements.get(&q) {
            Some(&e) => self.validate_element(root, e),
            None => {
                let mut ctx = Ctx::new();
                if root.attribute((XSI, "type")).is_some() {
                    self.by_xsi_type_only(root, 0, &mut ctx, true);
                } else {
                    ctx.report(root, None, Reason::NoDeclaration { element: q });
                }
                self.finish(ctx)
            }
        }
    }

    /// Validates the subtree at `node` against the element declaration `decl`.
    pub fn validate_element(&self, node: Node, decl: ElementId) -> Vec<Violation> {
        let mut ctx = Ctx::new();
        self.element(node, decl, 0, &mut ctx);
        self.finish(ctx)
    }

    /// The violations of one run, with the IDREFs that name no ID, in document order.
    fn finish(&self, mut ctx: Ctx) -> Vec<Violation> {
        let refs = std::mem::take(&mut ctx.idrefs);
        for (r, node) in refs {
            if !ctx.ids.contains(&r) {
                ctx.report(node, None, Reason::DanglingIdref { idref: r });
            }
        }
        ctx.out.sort_by_key(|v| v.offset);
        ctx.out
    }
}

#[cfg(test)]
mod stream_tests;
#[cfg(test)]
mod tests;
