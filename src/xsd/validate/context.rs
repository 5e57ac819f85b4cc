//! What one validation run keeps: the violations found (each with its byte offset and path), the
//! IDs and IDREFs seen, the tables identity constraints fill, and the content-model buffers reused
//! from element to element.

use std::collections::{HashMap, HashSet};

use roxmltree::Node;

use super::automaton::{self, Leaf, State};
use super::error::Reason;
use super::identity;
use crate::xsd::model::TypeId;

/// How deeply instance elements may nest under the validated element.
pub const MAX_DEPTH: usize = 256;
/// Violations reported for one document before the validator stops listing them.
pub const MAX_VIOLATIONS: usize = 1000;

/// One violation of the schema by the instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Byte offset of the element or attribute in the document text.
    pub offset: usize,
    /// `/Envelope/Body/GetCustomerResponse/customer[2]/id` (`/@name` for an attribute).
    pub path: String,
    /// A short name of the rule broken (`content`, `attribute`, `value`, `nil`, `type`, ...):
    /// [`Reason::rule`].
    pub rule: &'static str,
    /// The reason in words, for people: `reason`'s `Display`.
    pub message: String,
    /// Why, as a value to match on.
    pub reason: Reason,
}

/// Per-document state: the violations found and the IDs seen.
pub(super) struct Ctx<'a, 'i> {
    pub(super) out: Vec<Violation>,
    pub(super) ids: HashSet<String>,
    pub(super) idrefs: Vec<(String, Node<'a, 'i>)>,
    /// Key and unique tables of the elements validated so far, for keyrefs above them.
    pub(super) tables: Vec<identity::Table<'a, 'i>>,
    /// The simple type each element's text (attribute position `u32::MAX`) or attribute was
    /// validated with, when identity constraints need typed values.
    pub(super) types: HashMap<(roxmltree::NodeId, u32), TypeId>,
    /// Namespace names of the document by address and length (a document's elements share
    /// them), with their index in `Prepared::namespaces` (`u32::MAX`: none).
    namespaces: Vec<(usize, usize, u32)>,
    /// Buffers of the general automaton, kept for their allocations.
    pub(super) buffers: Vec<Buffers>,
}

/// The general automaton's working sets for one element's children.
#[derive(Default)]
pub(super) struct Buffers {
    pub(super) states: Vec<State>,
    pub(super) next: Vec<(State, Leaf)>,
    pub(super) merged: Vec<State>,
    pub(super) scratch: automaton::Scratch,
}

impl<'a, 'i> Ctx<'a, 'i> {
    pub(super) fn new() -> Ctx<'a, 'i> {
        Ctx {
            out: Vec::new(),
            ids: HashSet::new(),
            idrefs: Vec::new(),
            tables: Vec::new(),
            types: HashMap::new(),
            namespaces: Vec::new(),
            buffers: Vec::new(),
        }
    }

    /// The index of namespace name `ns` in `known`, or `u32::MAX`.
    #[inline]
    pub(super) fn namespace(&mut self, ns: &str, known: &[String]) -> u32 {
        let key = (ns.as_ptr() as usize, ns.len());
        if let Some(&(_, _, id)) = self.namespaces.iter().find(|(p, l, _)| (*p, *l) == key) {
            return id;
        }
        let id = known
            .iter()
            .position(|n| n == ns)
            .map_or(u32::MAX, |i| i as u32);
        if self.namespaces.len() < 16 {
            self.namespaces.push((key.0, key.1, id));
        }
        id
    }

    /// Records a violation at `node` (or its attribute `attr`), until [`MAX_VIOLATIONS`].
    pub(super) fn report(&mut self, node: Node, attr: Option<&str>, reason: Reason) {
        if self.out.len() >= MAX_VIOLATIONS {
            return;
        }
        let mut path = path_of(node);
        let mut offset = node.range().start;
        if let Some(a) = attr {
            path.push_str("/@");
            path.push_str(a);
            if let Some(at) = node.attributes().find(|x| x.name() == a) {
                offset = at.range().start;
            }
        }
        self.out.push(Violation {
            offset,
            path,
            rule: reason.rule(),
            message: reason.to_string(),
            reason,
        });
    }
}

/// `/a/b[2]/c`: local names, with a position among same-named siblings when there are several.
pub fn path_of(node: Node) -> String {
    let mut parts = Vec::new();
    let mut cur = Some(node);
    while let Some(n) = cur {
        if n.is_element() {
            let name = n.tag_name();
            let same = |s: &Node| s.is_element() && s.tag_name() == name;
            let before = n.prev_siblings().skip(1).filter(same).count();
            let after = n.next_siblings().skip(1).filter(same).count();
            if before + after > 0 {
                parts.push(format!("{}[{}]", name.name(), before + 1));
            } else {
                parts.push(name.name().to_string());
            }
        }
        cur = n.parent();
    }
    parts.reverse();
    format!("/{}", parts.join("/"))
}
