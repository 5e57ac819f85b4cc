//! The service model of one WSDL 1.1 document set, with every reference resolved to an index.

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
