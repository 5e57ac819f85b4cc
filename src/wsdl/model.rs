//! The service model of one WSDL 1.1 document set, with every reference resolved to an index.

use crate::diag::Diagnostic;
use crate::xsd::{ElementId, QName, Schema, SrcPos, TypeId};

/// A loaded and compiled WSDL: its services and everything they use.
#[derive(Debug)]
pub struct Wsdl {
    pub target_namespace: String,
    pub documentation: Option<String>,
    pub services: Vec<Service>,
    pub bindings: Vec<Binding>,
    pub port_types: Vec<PortType>,
    pub messages: Vec<Message>,
    pub schema: Schema,
    /// What did not stop the load, each once: problems confined to some operations (which are
    /// left out, see [`Wsdl::skipped`]) or to nothing in use, ports naming a missing binding
    /// (left out), what lenient mode tolerated, and the problems of the schema files that
    /// explain them.
    pub warnings: Vec<Diagnostic>,
    /// The binding operations left out because of a problem confined to them.
    pub skipped: Vec<Skipped>,
}

/// A WSDL's schema: what a [`crate::convert::model::JsonModel`] views.
impl AsRef<Schema> for Wsdl {
    fn as_ref(&self) -> &Schema {
        &self.schema
    }
}

/// A binding operation left out of its binding: a problem makes it unusable.
#[derive(Debug, Clone)]
pub struct Skipped {
    /// Index into [`Wsdl::bindings`].
    pub binding: usize,
    /// The operation's name.
    pub name: String,
    pub pos: SrcPos,
    /// Why: indices into [`Wsdl::warnings`], the first the one to show.
    pub causes: Vec<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SoapVersion {
    V11,
    V12,
}

impl std::fmt::Display for SoapVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SoapVersion::V11 => "SOAP 1.1",
            SoapVersion::V12 => "SOAP 1.2",
        })
    }
}

/// A WS-Addressing version: which namespace the headers are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WsaVersion {
    /// WS-Addressing 1.0 (`http://www.w3.org/2005/08/addressing`), the default.
    V200508,
    /// The 2004/08 member submission (`http://schemas.xmlsoap.org/ws/2004/08/addressing`).
    V200408,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Document,
    Rpc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    Literal,
    Encoded,
}

impl Wsdl {
    /// Why the operation `name` of the binding `binding` was left out, if it was: the first
    /// problem that took it out.
    pub fn skipped(&self, binding: usize, name: &str) -> Option<&Diagnostic> {
        let s = self
            .skipped
            .iter()
            .find(|s| s.binding == binding && s.name == name)?;
        s.causes.first().map(|&c| &self.warnings[c])
    }
}

/// Names for messages: the local part, or `{namespace}local` for names whose local parts are
/// the same (two names that differ only in their namespace).
pub fn shown_names<'q>(names: impl Iterator<Item = &'q QName> + Clone) -> Vec<String> {
    names
        .clone()
        .map(|n| {
            if names.clone().filter(|o| o.local == n.local).count() > 1 {
                n.to_string()
            } else {
                n.local.to_string()
            }
        })
        .collect()
}

impl Binding {
    /// What the binding is bound to, for messages: `SOAP 1.1`, `HTTP GET`, `not SOAP`.
    pub fn kind(&self) -> String {
        match (&self.soap, &self.http_verb) {
            (Some(v), _) => v.to_string(),
            (None, Some(verb)) => format!("HTTP {verb}"),
            (None, None) => "not SOAP".to_string(),
        }
    }
}

#[derive(Debug)]
pub struct Service {
    pub name: String,
    pub documentation: Option<String>,
    pub ports: Vec<Port>,
    pub pos: SrcPos,
}

#[derive(Debug)]
pub struct Port {
    pub name: String,
    /// Index into [`Wsdl::bindings`].
    pub binding: usize,
    /// `soap:address/@location` (or soap12), when present.
    pub address: Option<String>,
    pub pos: SrcPos,
}

#[derive(Debug)]
pub struct Binding {
    pub name: QName,
    /// Index into [`Wsdl::port_types`].
    pub port_type: usize,
    /// `None` for non-SOAP bindings (HTTP GET/POST, ...), which soapbridge does not serve.
    pub soap: Option<SoapVersion>,
    /// `http:binding/@verb` (`GET`, `POST`) of an HTTP binding.
    pub http_verb: Option<String>,
    pub operations: Vec<BindingOperation>,
    pub pos: SrcPos,
}

#[derive(Debug)]
pub struct BindingOperation {
    pub name: String,
    /// Index into the port type's operations.
    pub operation: usize,
    pub style: Style,
    /// SOAP 1.1 `soapAction` / SOAP 1.2 `soapAction` (sent as the `action` parameter).
    pub soap_action: Option<String>,
    pub input: BodyBinding,
    pub output: BodyBinding,
    /// Fault name -> use.
    pub faults: Vec<(String, Use)>,
    /// WS-Addressing, when the WSDL asks for it (a marker or policy of the binding or the
    /// operation, or an action attribute on the operation's input), in this version.
    pub addressing: Option<WsaVersion>,
    /// The request's `wsa:Action`: the input's action attribute, else a non-empty
    /// `soapAction`, else WS-Addressing's default action.
    pub wsa_action: String,
    /// The answer's `wsa:Action`: the output's action attribute, else WS-Addressing's default
    /// action of the output; `None` for a one-way operation.
    pub wsa_reply_action: Option<String>,
    /// The WSDL's policy asks for MTOM (`wsoma:OptimizedMimeSerialization`).
    pub mtom: bool,
    pub pos: SrcPos,
}

/// `soap:body` and `soap:header` of one direction.
#[derive(Debug, Clone)]
pub struct BodyBinding {
    pub use_: Use,
    /// rpc: the namespace of the wrapper element.
    pub namespace: Option<String>,
    /// `soap:body/@parts`: the parts carried in the Body (`None` = all not bound to headers).
    pub parts: Option<Vec<String>>,
    pub encoding_style: Option<String>,
    pub headers: Vec<HeaderBinding>,
}

#[derive(Debug, Clone)]
pub struct HeaderBinding {
    /// Index into [`Wsdl::messages`].
    pub message: usize,
    pub part: String,
    pub use_: Use,
}

#[derive(Debug)]
pub struct PortType {
    pub name: QName,
    pub operations: Vec<Operation>,
}

#[derive(Debug)]
pub struct Operation {
    pub name: String,
    pub documentation: Option<String>,
    /// Index into [`Wsdl::messages`] (one-way operations have no output).
    pub input: Option<usize>,
    pub output: Option<usize>,
    /// (fault name, message index).
    pub faults: Vec<(String, usize)>,
    /// The input's WS-Addressing action attribute (`wsam:Action`, `wsaw:Action`, the 2004/08
    /// `wsa:Action`) with the version its namespace implies.
    pub input_action: Option<(String, WsaVersion)>,
    /// WS-Addressing's default action of the input (target namespace, port type, input name).
    pub default_action: String,
    /// The answer's action: the output's action attribute, else WS-Addressing's default action
    /// of the output (`...Response` by default); `None` without an output.
    pub reply_action: Option<String>,
    pub pos: SrcPos,
}

#[derive(Debug)]
pub struct Message {
    pub name: QName,
    pub parts: Vec<Part>,
}

#[derive(Debug, Clone)]
pub struct Part {
    pub name: String,
    pub kind: PartKind,
}

#[derive(Debug, Clone, Copy)]
pub enum PartKind {
    Element(ElementId),
    Type(TypeId),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_their_namespace_when_only_it_differs() {
        let names = [
            QName::new("urn:a", "Binding"),
            QName::new("urn:b", "Binding"),
            QName::new("urn:a", "Other"),
        ];
        assert_eq!(
            shown_names(names.iter()),
            ["{urn:a}Binding", "{urn:b}Binding", "Other"]
        );
    }
}
