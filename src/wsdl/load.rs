//! WSDL 1.1 documents -> [`Wsdl`]: reads the files ([`crate::sources`]), compiles their schemas
//! ([`crate::xsd::compile`]), then resolves messages, port types, bindings and services.

use std::collections::HashMap;
use std::path::Path;

use roxmltree::Node;

use super::model::*;
use crate::diag::{Diagnostic, Diagnostics};
use crate::sources::{self, LoadOptions, SourceSet, at};
use crate::xml::WSDL;
use crate::xsd::compile::Compiler;
use crate::xsd::{QName, Schema, SrcPos, is_xs_ns};

/// SOAP 1.1 binding extensions.
pub const SOAP11_BINDING: &str = "http://schemas.xmlsoap.org/wsdl/soap/";
/// SOAP 1.2 binding extensions.
pub const SOAP12_BINDING: &str = "http://schemas.xmlsoap.org/wsdl/soap12/";

/// Loads a WSDL and everything it imports, offline. Every problem is reported.
pub fn load(path: &Path, options: &LoadOptions) -> Result<Wsdl, Diagnostics> {
    let set = sources::collect(path, options)?;
    let docs = sources::parse_all(&set)?;
    let root = docs[0].root_element();
    if !(root.tag_name().namespace() == Some(WSDL) && root.tag_name().name() == "definitions") {
        let found = root.tag_name();
        return Err(Diagnostic::new(&set.sources[0].path, 1, 1, format!(
            "not a WSDL 1.1 document: the root element is `{}` in namespace `{}`",
            found.name(), found.namespace().unwrap_or(""))).hint(
            "expected <definitions xmlns=\"http://schemas.xmlsoap.org/wsdl/\">; WSDL 2.0 is not supported").into());
    }
    let (schema, definitions, mut diags) = compile_schemas(&set, &docs);
    let mut b = Builder {
        set: &set,
        diags: &mut diags,
        wsdl: Wsdl {
            target_namespace: root.attribute("targetNamespace").unwrap_or("").to_string(),
            documentation: documentation(root),
            services: Vec::new(),
            bindings: Vec::new(),
            port_types: Vec::new(),
            messages: Vec::new(),
            schema,
        },
    };
    // Messages and port types first: bindings and services need them all (imports may come in
    // any order).
    let messages = b.messages(&definitions);
    let port_types = b.port_types(&definitions, &messages);
    let bindings = b.bindings(&definitions, &port_types, &messages);
    b.services(&definitions, &bindings);
    let wsdl = b.wsdl;
    if diags.is_empty() {
        Ok(wsdl)
    } else {
        Err(Diagnostics(diags))
    }
}

/// Compiles the schemas of the loaded documents: the `types` sections of the WSDL documents
/// (the entry and its `wsdl:import`s), schemas `wsdl:import`ed directly and the built-in ones.
/// Returns the schema, the WSDL documents' roots (by source index) and the compiler's problems.
fn compile_schemas<'a, 'i>(
    set: &SourceSet,
    docs: &'a [roxmltree::Document<'i>],
) -> (Schema, Vec<(usize, Node<'a, 'i>)>, Vec<Diagnostic>) {
    let mut compiler = Compiler::new(set);
    let mut definitions = Vec::new();
    for (i, doc) in docs.iter().enumerate() {
        let r = doc.root_element();
        if set.sources[i].builtin {
            compiler.add_schema(docs, i, r, None);
        } else if r.tag_name().namespace() == Some(WSDL) && r.tag_name().name() == "definitions" {
            definitions.push((i, r));
            for types in r.children().filter(|n| is_wsdl(n, "types")) {
                for schema in types.children().filter(|n| {
                    n.is_element()
                        && n.tag_name().namespace().is_some_and(is_xs_ns)
                        && n.tag_name().name() == "schema"
                }) {
                    compiler.add_schema(docs, i, schema, None);
                }
            }
        } else if r.tag_name().namespace().is_some_and(is_xs_ns) && r.tag_name().name() == "schema"
        {
            compiler.add_schema(docs, i, r, None);
        }
    }
    compiler.compile_all();
    let diags = std::mem::take(&mut compiler.diags);
    (compiler.schema, definitions, diags)
}

fn is_wsdl(n: &Node, name: &str) -> bool {
    n.is_element() && n.tag_name().namespace() == Some(WSDL) && n.tag_name().name() == name
}

fn is_soap(n: &Node, name: &str) -> Option<SoapVersion> {
    if !n.is_element() || n.tag_name().name() != name {
        return None;
    }
    match n.tag_name().namespace() {
        Some(SOAP11_BINDING) => Some(SoapVersion::V11),
        Some(SOAP12_BINDING) => Some(SoapVersion::V12),
        _ => None,
    }
}

/// `wsdl:documentation` text, whitespace collapsed.
fn documentation(n: Node) -> Option<String> {
    let d = n.children().find(|c| is_wsdl(c, "documentation"))?;
    let text: String = d
        .descendants()
        .filter(|t| t.is_text())
        .filter_map(|t| t.text())
        .collect();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some(text)
}

struct Builder<'s, 'd> {
    set: &'s SourceSet,
    diags: &'d mut Vec<Diagnostic>,
    wsdl: Wsdl,
}

impl Builder<'_, '_> {
    fn diag(&mut self, source: usize, node: Node, message: impl Into<String>) -> &mut Diagnostic {
        let s = &self.set.sources[source];
        self.diags
            .push(at(&s.path, &s.text, node.range().start, message));
        self.diags.last_mut().expect("just pushed")
    }

    fn pos(&self, source: usize, node: Node) -> SrcPos {
        SrcPos {
            file: source as u32,
            offset: node.range().start as u32,
        }
    }

    fn name<'a>(&mut self, source: usize, node: Node<'a, '_>) -> Option<&'a str> {
        let name = node.attribute("name");
        if name.is_none() {
            self.diag(
                source,
                node,
                format!("wsdl:{} without a name", node.tag_name().name()),
            );
        }
        name
    }

    fn qname(&mut self, source: usize, node: Node, attr: &str) -> Option<QName> {
        let Some(value) = node.attribute(attr).map(str::trim) else {
            self.diag(
                source,
                node,
                format!("wsdl:{} needs a `{attr}` attribute", node.tag_name().name()),
            );
            return None;
        };
        let (prefix, local) = match value.split_once(':') {
            Some((p, l)) => (Some(p), l),
            None => (None, value),
        };
        match node.lookup_namespace_uri(prefix) {
            Some(ns) if is_xs_ns(ns) => Some(QName::new(crate::xsd::XS, local)),
            Some(ns) => Some(QName::new(ns, local)),
            None if prefix.is_none() => Some(QName::new("", local)),
            None => {
                let p = prefix.unwrap_or("");
                self.diag(
                    source,
                    node,
                    format!("unbound namespace prefix `{p}` in {attr}=\"{value}\""),
                )
                .hint = Some(format!(
                    "declare xmlns:{p}=\"...\" on this element or an ancestor"
                ));
                None
            }
        }
    }

    /// Pass 1: every document's messages and their parts, indexed by QName (the first of a
    /// name wins).
    fn messages(&mut self, definitions: &[(usize, Node)]) -> HashMap<QName, usize> {
        let mut msg_index: HashMap<QName, usize> = HashMap::new();
        for &(i, r) in definitions {
            let tns = r.attribute("targetNamespace").unwrap_or("");
            for m in r.children().filter(|n| is_wsdl(n, "message")) {
                let Some(name) = self.name(i, m) else {
                    continue;
                };
                let q = QName::new(tns, name);
                let parts = m
                    .children()
                    .filter(|n| is_wsdl(n, "part"))
                    .filter_map(|p| self.part(i, p))
                    .collect();
                msg_index.entry(q.clone()).or_insert_with(|| {
                    self.wsdl.messages.push(Message { name: q, parts });
                    self.wsdl.messages.len() - 1
                });
            }
        }
        msg_index
    }

    /// Pass 2: every document's port types and their operations, indexed by QName (the first
    /// of a name wins).
    fn port_types(
        &mut self,
        definitions: &[(usize, Node)],
        msg_index: &HashMap<QName, usize>,
    ) -> HashMap<QName, usize> {
        let mut pt_index: HashMap<QName, usize> = HashMap::new();
        for &(i, r) in definitions {
            let tns = r.attribute("targetNamespace").unwrap_or("");
            for pt in r.children().filter(|n| is_wsdl(n, "portType")) {
                let Some(name) = self.name(i, pt) else {
                    continue;
                };
                let operations = self.operations(i, pt, name, msg_index);
                let q = QName::new(tns, name);
                pt_index.entry(q.clone()).or_insert_with(|| {
                    self.wsdl.port_types.push(PortType {
                        name: q,
                        operations,
                    });
                    self.wsdl.port_types.len() - 1
                });
            }
        }
        pt_index
    }

    /// The operations of the port type `pt` (named `name`), their messages resolved; an
    /// overloaded name is refused.
    fn operations(
        &mut self,
        i: usize,
        pt: Node,
        name: &str,
        msg_index: &HashMap<QName, usize>,
    ) -> Vec<Operation> {
        let mut operations: Vec<Operation> = Vec::new();
        for op in pt.children().filter(|n| is_wsdl(n, "operation")) {
            let Some(op_name) = self.name(i, op) else {
                continue;
            };
            if operations.iter().any(|o| o.name == op_name) {
                self.diag(i, op, format!("operation `{op_name}` is declared twice in portType `{name}` (overloading)"))
                    .hint = Some("soapbridge needs unique operation names; WS-I Basic Profile forbids overloading".into());
                continue;
            }
            let msg = |b: &mut Builder, dir: &str| -> Option<usize> {
                let n = op.children().find(|n| is_wsdl(n, dir))?;
                b.message_ref(i, n, msg_index)
            };
            let input = msg(self, "input");
            let output = msg(self, "output");
            let mut faults = Vec::new();
            for f in op.children().filter(|n| is_wsdl(n, "fault")) {
                let Some(fname) = self.name(i, f) else {
                    continue;
                };
                if let Some(m) = self.message_ref(i, f, msg_index) {
                    faults.push((fname.to_string(), m));
                }
            }
            let pos = self.pos(i, op);
            operations.push(Operation {
                name: op_name.to_string(),
                documentation: documentation(op),
                input,
                output,
                faults,
                pos,
            });
        }
        operations
    }

    /// Pass 3: every document's bindings, indexed by QName (the first of a name wins).
    fn bindings(
        &mut self,
        definitions: &[(usize, Node)],
        pt_index: &HashMap<QName, usize>,
        msg_index: &HashMap<QName, usize>,
    ) -> HashMap<QName, usize> {
        let mut binding_index: HashMap<QName, usize> = HashMap::new();
        for &(i, r) in definitions {
            let tns = r.attribute("targetNamespace").unwrap_or("");
            for bn in r.children().filter(|n| is_wsdl(n, "binding")) {
                let Some(name) = self.name(i, bn) else {
                    continue;
                };
                let Some(binding) = self.binding(i, bn, QName::new(tns, name), pt_index, msg_index)
                else {
                    continue;
                };
                let q = binding.name.clone();
                binding_index.entry(q).or_insert_with(|| {
                    self.wsdl.bindings.push(binding);
                    self.wsdl.bindings.len() - 1
                });
            }
        }
        binding_index
    }

    /// Pass 4: every document's services and their ports.
    fn services(&mut self, definitions: &[(usize, Node)], binding_index: &HashMap<QName, usize>) {
        for &(i, r) in definitions {
            for s in r.children().filter(|n| is_wsdl(n, "service")) {
                let Some(name) = self.name(i, s) else {
                    continue;
                };
                let ports = s
                    .children()
                    .filter(|n| is_wsdl(n, "port"))
                    .filter_map(|p| self.port(i, p, binding_index))
                    .collect();
                let pos = self.pos(i, s);
                self.wsdl.services.push(Service {
                    name: name.to_string(),
                    documentation: documentation(s),
                    ports,
                    pos,
                });
            }
        }
    }

    /// A service's port `p`: its binding resolved and its address.
    fn port(&mut self, i: usize, p: Node, binding_index: &HashMap<QName, usize>) -> Option<Port> {
        let pname = self.name(i, p)?;
        let bq = self.qname(i, p, "binding")?;
        let Some(&binding) = binding_index.get(&bq) else {
            self.diag(
                i,
                p,
                format!(
                    "port `{pname}` names unknown binding `{}`",
                    p.attribute("binding").unwrap_or("")
                ),
            )
            .hint = Some(format!(
                "declare <binding name=\"{}\"> in namespace `{}`",
                bq.local, bq.ns
            ));
            return None;
        };
        let address = p
            .children()
            .find(|n| n.is_element() && n.tag_name().name() == "address")
            .and_then(|a| a.attribute("location"))
            .map(str::to_string);
        let pos = self.pos(i, p);
        Some(Port {
            name: pname.to_string(),
            binding,
            address,
            pos,
        })
    }

    fn part(&mut self, source: usize, p: Node) -> Option<Part> {
        let name = self.name(source, p)?.to_string();
        let kind = if p.has_attribute("element") {
            let q = self.qname(source, p, "element")?;
            match self.wsdl.schema.global_elements.get(&q) {
                Some(&e) => PartKind::Element(e),
                None => {
                    self.diag(
                        source,
                        p,
                        format!(
                            "part `{name}` names unknown element `{}` ({q})",
                            p.attribute("element").unwrap_or("")
                        ),
                    )
                    .hint = Some(format!(
                        "declare a global <xs:element name=\"{}\"> in a schema with targetNamespace `{}`",
                        q.local, q.ns
                    ));
                    return None;
                }
            }
        } else if p.has_attribute("type") {
            let q = self.qname(source, p, "type")?;
            match self.wsdl.schema.global_types.get(&q) {
                Some(&t) => PartKind::Type(t),
                None => {
                    self.diag(
                        source,
                        p,
                        format!(
                            "part `{name}` names unknown type `{}` ({q})",
                            p.attribute("type").unwrap_or("")
                        ),
                    )
                    .hint = Some(format!(
                        "declare a global type `{}` in a schema with targetNamespace `{}`",
                        q.local, q.ns
                    ));
                    return None;
                }
            }
        } else {
            self.diag(
                source,
                p,
                format!("part `{name}` needs an element or a type attribute"),
            );
            return None;
        };
        Some(Part { name, kind })
    }

    fn message_ref(
        &mut self,
        source: usize,
        node: Node,
        index: &HashMap<QName, usize>,
    ) -> Option<usize> {
        let q = self.qname(source, node, "message")?;
        match index.get(&q) {
            Some(&m) => Some(m),
            None => {
                self.diag(
                    source,
                    node,
                    format!(
                        "unknown message `{}` ({q})",
                        node.attribute("message").unwrap_or("")
                    ),
                )
                .hint = Some(format!(
                    "declare <message name=\"{}\"> in a WSDL with targetNamespace `{}`",
                    q.local, q.ns
                ));
                None
            }
        }
    }

    fn body(
        &mut self,
        source: usize,
        dir: Option<Node>,
        msg_index: &HashMap<QName, usize>,
    ) -> BodyBinding {
        let mut b = BodyBinding {
            use_: Use::Literal,
            namespace: None,
            parts: None,
            encoding_style: None,
            headers: Vec::new(),
        };
        let Some(dir) = dir else { return b };
        for c in dir.children().filter(|c| c.is_element()) {
            if is_soap(&c, "body").is_some() {
                b.use_ = self.use_attr(source, c);
                b.namespace = c.attribute("namespace").map(str::to_string);
                b.parts = c
                    .attribute("parts")
                    .map(|p| p.split_whitespace().map(str::to_string).collect());
                b.encoding_style = c.attribute("encodingStyle").map(str::to_string);
            } else if is_soap(&c, "header").is_some() {
                let Some(message) = self.message_ref(source, c, msg_index) else {
                    continue;
                };
                let Some(part) = c.attribute("part") else {
                    self.diag(source, c, "soap:header needs a `part` attribute");
                    continue;
                };
                if !self.wsdl.messages[message]
                    .parts
                    .iter()
                    .any(|p| p.name == part)
                {
                    self.diag(
                        source,
                        c,
                        format!(
                            "soap:header names part `{part}`, which message `{}` does not have",
                            self.wsdl.messages[message].name.local
                        ),
                    );
                    continue;
                }
                let use_ = self.use_attr(source, c);
                b.headers.push(HeaderBinding {
                    message,
                    part: part.to_string(),
                    use_,
                });
            }
        }
        b
    }

    fn use_attr(&mut self, source: usize, n: Node) -> Use {
        match n.attribute("use") {
            Some("encoded") => Use::Encoded,
            Some("literal") | None => Use::Literal,
            Some(other) => {
                self.diag(
                    source,
                    n,
                    format!("use must be `literal` or `encoded`, found `{other}`"),
                );
                Use::Literal
            }
        }
    }

    fn binding(
        &mut self,
        source: usize,
        bn: Node,
        name: QName,
        pts: &HashMap<QName, usize>,
        msgs: &HashMap<QName, usize>,
    ) -> Option<Binding> {
        let tq = self.qname(source, bn, "type")?;
        let Some(&port_type) = pts.get(&tq) else {
            self.diag(
                source,
                bn,
                format!(
                    "binding `{}` names unknown portType `{}`",
                    name.local,
                    bn.attribute("type").unwrap_or("")
                ),
            )
            .hint = Some(format!(
                "declare <portType name=\"{}\"> in namespace `{}`",
                tq.local, tq.ns
            ));
            return None;
        };
        let soap_binding = bn.children().find(|c| is_soap(c, "binding").is_some());
        let soap = soap_binding.and_then(|c| is_soap(&c, "binding"));
        let default_style = match soap_binding.and_then(|c| c.attribute("style")) {
            Some("rpc") => Style::Rpc,
            _ => Style::Document,
        };
        let mut operations = Vec::new();
        for op in bn.children().filter(|n| is_wsdl(n, "operation")) {
            let Some(op_name) = self.name(source, op) else {
                continue;
            };
            let Some(index) = self.wsdl.port_types[port_type]
                .operations
                .iter()
                .position(|o| o.name == op_name)
            else {
                self.diag(
                    source,
                    op,
                    format!(
                        "binding operation `{op_name}` is not in portType `{}`",
                        tq.local
                    ),
                );
                continue;
            };
            let soap_op = op.children().find(|c| is_soap(c, "operation").is_some());
            let style = match soap_op.and_then(|c| c.attribute("style")) {
                Some("rpc") => Style::Rpc,
                Some("document") => Style::Document,
                _ => default_style,
            };
            let soap_action = soap_op
                .and_then(|c| c.attribute("soapAction"))
                .map(str::to_string);
            let input = self.body(source, op.children().find(|n| is_wsdl(n, "input")), msgs);
            let output = self.body(source, op.children().find(|n| is_wsdl(n, "output")), msgs);
            let mut faults = Vec::new();
            for f in op.children().filter(|n| is_wsdl(n, "fault")) {
                let Some(fname) = self.name(source, f) else {
                    continue;
                };
                if !self.wsdl.port_types[port_type].operations[index]
                    .faults
                    .iter()
                    .any(|(n, _)| n == fname)
                {
                    self.diag(
                        source,
                        f,
                        format!("binding fault `{fname}` is not a fault of operation `{op_name}`"),
                    );
                    continue;
                }
                let use_ = f
                    .children()
                    .find(|c| is_soap(c, "fault").is_some())
                    .map_or(Use::Literal, |c| self.use_attr(source, c));
                faults.push((fname.to_string(), use_));
            }
            let pos = self.pos(source, op);
            operations.push(BindingOperation {
                name: op_name.to_string(),
                operation: index,
                style,
                soap_action,
                input,
                output,
                faults,
                pos,
            });
        }
        let pos = self.pos(source, bn);
        Some(Binding {
            name,
            port_type,
            soap,
            operations,
            pos,
        })
    }
}
