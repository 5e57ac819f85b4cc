//! Per-operation isolation: a problem confined to some operations does not refuse the WSDL.
//!
//! A problem is confinable when it concerns one thing: a reference to a name nothing declares
//! (type, element, group, attribute, message) or an unbound prefix, inside one global schema
//! component, one message, one port type operation or one binding operation; or a port naming a
//! binding the WSDL does not declare. Every binding operation that reaches such a problem (through
//! its messages, their parts and the schema components they refer to, see
//! [`References`]) is left out of its binding ([`Wsdl::skipped`]); ports naming a missing binding
//! were left out already. Every problem becomes a warning ([`Wsdl::warnings`]).
//!
//! Any other problem still refuses the WSDL, and so does a WSDL that would be left with no
//! SOAP operation at all: then every problem is reported as an error, as without isolation.

use std::collections::{HashMap, HashSet};

use super::model::*;
use crate::diag::Diagnostic;
use crate::xsd::QName;
use crate::xsd::compile::{Component, ComponentKind, References};

/// What a confinable problem concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Owner {
    /// A global schema component.
    Schema(Component),
    /// A message (one of its parts).
    Message(QName),
    /// A port type's operation (port type, operation).
    Operation(QName, String),
    /// A binding's operation (binding, operation).
    BindingOperation(QName, String),
    /// A service's port (service, port).
    Port(String, String),
}

/// Confines `problems` (each with its owner, by index, when it has one) to the binding
/// operations they concern: those are left out and every problem becomes a warning, appended to
/// `wsdl.warnings`. `Err` with the problems as they were when one cannot be confined, or when no
/// SOAP operation would be left.
pub(super) fn isolate(
    wsdl: &mut Wsdl,
    problems: Vec<Diagnostic>,
    owners: &HashMap<usize, Owner>,
    references: &References,
) -> Result<(), Vec<Diagnostic>> {
    if problems.is_empty() {
        return Ok(());
    }
    if (0..problems.len()).any(|i| !owners.contains_key(&i)) {
        return Err(problems);
    }
    let mut reach: HashMap<&Component, HashSet<Component>> = HashMap::new();
    for owner in owners.values() {
        if let Owner::Schema(c) = owner {
            reach.entry(c).or_insert_with(|| references.reaching([c]));
        }
    }
    let offset = wsdl.warnings.len();
    let mut skipped = Vec::new();
    for (bi, binding) in wsdl.bindings.iter().enumerate() {
        for bop in &binding.operations {
            let uses = Uses::of(wsdl, binding, bop);
            let causes: Vec<usize> = (0..problems.len())
                .filter(|i| uses.reaches(&owners[i], &reach))
                .map(|i| offset + i)
                .collect();
            if !causes.is_empty() {
                skipped.push(Skipped {
                    binding: bi,
                    name: bop.name.clone(),
                    pos: bop.pos,
                    causes,
                });
            }
        }
    }
    let served = wsdl.bindings.iter().enumerate().any(|(bi, b)| {
        b.soap.is_some()
            && b.operations
                .iter()
                .any(|o| !skipped.iter().any(|s| s.binding == bi && s.name == o.name))
    });
    if !skipped.is_empty() && !served {
        return Err(problems);
    }
    for s in &skipped {
        wsdl.bindings[s.binding]
            .operations
            .retain(|o| o.name != s.name);
    }
    wsdl.warnings
        .extend(problems.into_iter().map(Diagnostic::warning));
    wsdl.skipped = skipped;
    Ok(())
}

/// What one binding operation uses: the names of its binding, port type, operation and
/// messages, and the schema components of their parts.
struct Uses<'w> {
    binding: &'w QName,
    port_type: &'w QName,
    operation: &'w str,
    messages: Vec<&'w QName>,
    components: Vec<Component>,
}

impl<'w> Uses<'w> {
    fn of(wsdl: &'w Wsdl, binding: &'w Binding, bop: &'w BindingOperation) -> Uses<'w> {
        let pt = &wsdl.port_types[binding.port_type];
        let op = &pt.operations[bop.operation];
        let messages: Vec<usize> = op
            .input
            .iter()
            .chain(op.output.iter())
            .chain(op.faults.iter().map(|(_, m)| m))
            .chain(
                bop.input
                    .headers
                    .iter()
                    .chain(&bop.output.headers)
                    .map(|h| &h.message),
            )
            .copied()
            .collect();
        let schema = &wsdl.schema;
        let components = messages
            .iter()
            .flat_map(|&m| &wsdl.messages[m].parts)
            .filter_map(|p| match p.kind {
                PartKind::Element(e) => Some(Component::new(
                    ComponentKind::Element,
                    schema.element(e).name.clone(),
                )),
                PartKind::Type(t) => schema
                    .ty(t)
                    .name
                    .clone()
                    .map(|n| Component::new(ComponentKind::Type, n)),
            })
            .collect();
        Uses {
            binding: &binding.name,
            port_type: &pt.name,
            operation: &op.name,
            messages: messages.iter().map(|&m| &wsdl.messages[m].name).collect(),
            components,
        }
    }

    /// Whether the problem of `owner` concerns this operation (`reach`: for each component with
    /// a problem, the components that reach it).
    fn reaches(&self, owner: &Owner, reach: &HashMap<&Component, HashSet<Component>>) -> bool {
        match owner {
            Owner::Schema(c) => reach
                .get(c)
                .is_some_and(|r| self.components.iter().any(|p| r.contains(p))),
            Owner::Message(m) => self.messages.contains(&m),
            Owner::Operation(pt, op) => pt == self.port_type && op == self.operation,
            Owner::BindingOperation(b, op) => b == self.binding && op == self.operation,
            Owner::Port(..) => false,
        }
    }
}
