//! The WSDL passes after the schemas: messages and their parts, port types and their
//! operations, bindings, services and their ports, every reference resolved by QName. A problem
//! that concerns one message, operation or port is remembered with its [`Owner`], so that the
//! load can confine it ([`super::isolate`]).

use std::collections::{HashMap, HashSet};

use roxmltree::Node;

use super::isolate::Owner;
use super::model::*;
use super::nodes::{documentation, is_soap, is_wsdl};
use super::policy;
use crate::diag::Diagnostic;
use crate::sources::{SourceSet, at};
use crate::xsd::compile::declared_elsewhere;
use crate::xsd::{QName, SrcPos, is_xs_ns};

/// The `http:binding` extension of WSDL 1.1.
const HTTP_BINDING: &str = "http://schemas.xmlsoap.org/wsdl/http/";

/// The WSDL passes' state: the model being built, every problem found (after the schema
/// compiler's), and the owner of each problem that concerns one message, operation or port.
pub(super) struct Builder<'s, 'd> {
    pub(super) set: &'s SourceSet,
    pub(super) diags: &'d mut Vec<Diagnostic>,
    /// Index into `diags` -> what the problem concerns.
    pub(super) owners: &'d mut HashMap<usize, Owner>,
    /// What lenient mode tolerated.
    pub(super) warnings: Vec<Diagnostic>,
    /// (source, prefix) pairs read from a declaration elsewhere in their document (and
    /// reported: by the schema compiler, or here).
    prefixes_reported: HashSet<(usize, String)>,
    /// Lenient mode: prefixes bound elsewhere, looked up once per document.
    elsewhere: Elsewhere,
    pub(super) wsdl: Wsdl,
}

impl<'s, 'd> Builder<'s, 'd> {
    pub(super) fn new(
        set: &'s SourceSet,
        diags: &'d mut Vec<Diagnostic>,
        owners: &'d mut HashMap<usize, Owner>,
        prefixes_reported: HashSet<(usize, String)>,
        wsdl: Wsdl,
    ) -> Builder<'s, 'd> {
        Builder {
            set,
            diags,
            owners,
            warnings: Vec::new(),
            prefixes_reported,
            elsewhere: Elsewhere::default(),
            wsdl,
        }
    }

    fn diag(&mut self, source: usize, node: Node, message: impl Into<String>) -> &mut Diagnostic {
        let s = &self.set.sources[source];
        self.diags
            .push(at(&s.path, &s.text, node.range().start, message));
        self.diags.last_mut().expect("just pushed")
    }

    /// A problem that concerns `owner` only.
    fn owned(
        &mut self,
        owner: Owner,
        source: usize,
        node: Node,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.owners.insert(self.diags.len(), owner);
        self.diag(source, node, message)
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

    /// The QName-valued attribute `attr` of `node` (its absence, or an unbound prefix, is a
    /// problem of `owner`, or of the whole WSDL). In lenient mode a prefix declared elsewhere in
    /// the document is read as declared there, and reported once.
    fn qname(
        &mut self,
        source: usize,
        node: Node,
        attr: &str,
        owner: Option<Owner>,
    ) -> Option<QName> {
        let Some(value) = node.attribute(attr).map(str::trim) else {
            self.diag(
                source,
                node,
                format!("wsdl:{} needs a `{attr}` attribute", node.tag_name().name()),
            );
            return None;
        };
        let elsewhere = self.set.lenient.then_some(&mut self.elsewhere);
        match resolve(node, value, elsewhere) {
            Resolved::Here(q) => Some(q),
            Resolved::Elsewhere(q, prefix, line) => {
                if self.prefixes_reported.insert((source, prefix.to_string())) {
                    let s = &self.set.sources[source];
                    self.warnings.push(
                        at(&s.path, &s.text, node.range().start, format!(
                            "prefix `{prefix}` is not declared here; read as `{}`, as line {line} declares it (lenient)", q.ns))
                        .hint(format!("declare xmlns:{prefix}=\"{}\" on this element or an ancestor to load without --lenient", q.ns))
                        .warning(),
                    );
                }
                Some(q)
            }
            Resolved::Unbound(p) => {
                let message = format!("unbound namespace prefix `{p}` in {attr}=\"{value}\"");
                let d = match owner {
                    Some(owner) => self.owned(owner, source, node, message),
                    None => self.diag(source, node, message),
                };
                d.hint = Some(format!(
                    "declare xmlns:{p}=\"...\" on this element or an ancestor"
                ));
                None
            }
        }
    }

    /// Pass 1: every document's messages and their parts, indexed by QName (the first of a
    /// name wins).
    pub(super) fn messages(&mut self, definitions: &[(usize, Node)]) -> HashMap<QName, usize> {
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
                    .filter_map(|p| self.part(i, p, &q))
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
    pub(super) fn port_types(
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
                let q = QName::new(tns, name);
                let operations = self.operations(i, pt, &q, msg_index);
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

    /// The operations of the port type `pt` (named `pt_name`), their messages resolved; an
    /// overloaded name is refused.
    fn operations(
        &mut self,
        i: usize,
        pt: Node,
        pt_name: &QName,
        msg_index: &HashMap<QName, usize>,
    ) -> Vec<Operation> {
        let name = pt_name.local.as_str();
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
            let owner = || Owner::Operation(pt_name.clone(), op_name.to_string());
            let msg = |b: &mut Builder, dir: &str| -> Option<usize> {
                let n = op.children().find(|n| is_wsdl(n, dir))?;
                b.message_ref(i, n, msg_index, owner())
            };
            let input = msg(self, "input");
            let output = msg(self, "output");
            let input_node = op.children().find(|n| is_wsdl(n, "input"));
            let input_action = input_node.and_then(policy::input_action);
            let default_action = policy::default_action(
                &pt_name.ns,
                name,
                op_name,
                input_node.and_then(|n| n.attribute("name")),
            );
            let reply_action = op.children().find(|n| is_wsdl(n, "output")).map(|n| {
                policy::input_action(n)
                    .map(|(a, _)| a)
                    .filter(|a| !a.is_empty())
                    .unwrap_or_else(|| {
                        policy::default_output_action(
                            &pt_name.ns,
                            name,
                            op_name,
                            n.attribute("name"),
                        )
                    })
            });
            let mut faults = Vec::new();
            for f in op.children().filter(|n| is_wsdl(n, "fault")) {
                let Some(fname) = self.name(i, f) else {
                    continue;
                };
                if let Some(m) = self.message_ref(i, f, msg_index, owner()) {
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
                input_action,
                default_action,
                reply_action,
                pos,
            });
        }
        operations
    }

    /// Pass 3: every document's bindings, indexed by QName (the first of a name wins).
    pub(super) fn bindings(
        &mut self,
        definitions: &[(usize, Node)],
        pt_index: &HashMap<QName, usize>,
        msg_index: &HashMap<QName, usize>,
    ) -> HashMap<QName, usize> {
        let mut binding_index: HashMap<QName, usize> = HashMap::new();
        let roots: Vec<Node> = definitions.iter().map(|&(_, r)| r).collect();
        for &(i, r) in definitions {
            let tns = r.attribute("targetNamespace").unwrap_or("");
            for bn in r.children().filter(|n| is_wsdl(n, "binding")) {
                let Some(name) = self.name(i, bn) else {
                    continue;
                };
                let Some(mut binding) =
                    self.binding(i, bn, QName::new(tns, name), pt_index, msg_index)
                else {
                    continue;
                };
                self.protocol(&mut binding, bn, &roots);
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
    pub(super) fn services(
        &mut self,
        definitions: &[(usize, Node)],
        binding_index: &HashMap<QName, usize>,
    ) {
        for &(i, r) in definitions {
            for s in r.children().filter(|n| is_wsdl(n, "service")) {
                let Some(name) = self.name(i, s) else {
                    continue;
                };
                let ports = s
                    .children()
                    .filter(|n| is_wsdl(n, "port"))
                    .filter_map(|p| self.port(i, name, p, binding_index))
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

    /// A port `p` of the service `service`: its binding resolved and its address. A port
    /// naming a binding the WSDL does not declare is left out (a problem of that port only).
    fn port(
        &mut self,
        i: usize,
        service: &str,
        p: Node,
        binding_index: &HashMap<QName, usize>,
    ) -> Option<Port> {
        let pname = self.name(i, p)?;
        let owner = || Owner::Port(service.to_string(), pname.to_string());
        let bq = self.qname(i, p, "binding", Some(owner()))?;
        let Some(&binding) = binding_index.get(&bq) else {
            let hint = self.missing_binding_hint(&bq);
            self.owned(
                owner(),
                i,
                p,
                format!(
                    "port `{pname}` names unknown binding `{}`",
                    p.attribute("binding").unwrap_or("")
                ),
            )
            .hint = Some(hint);
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

    /// What to do about a port naming the binding `q`, which the WSDL does not declare: the
    /// bindings it does declare, and `--binding`.
    fn missing_binding_hint(&self, q: &QName) -> String {
        let bindings = &self.wsdl.bindings;
        let mut hint = String::from("the port is left out");
        if let Some(same) = bindings.iter().find(|b| b.name.local == q.local) {
            hint.push_str(&format!(
                "; a binding `{}` is declared in namespace `{}`, not `{}`: check the prefix",
                q.local, same.name.ns, q.ns
            ));
        } else if self.wsdl.port_types.iter().any(|p| p.name == *q) {
            hint.push_str(&format!("; `{}` is a portType, not a binding", q.local));
        }
        let names = shown_names(bindings.iter().map(|b| &b.name));
        let listed: Vec<String> = names
            .iter()
            .zip(bindings)
            .map(|(n, b)| format!("{n} ({})", b.kind()))
            .collect();
        match bindings.iter().position(|b| b.soap.is_some()) {
            Some(first) => hint.push_str(&format!(
                ". The WSDL declares the bindings {}; serve one with `soapbridge generate --binding {}` (`binding:` in the mapping)",
                listed.join(", "),
                names[first]
            )),
            None if listed.is_empty() => hint.push_str(&format!(
                ". The WSDL declares no binding: declare <binding name=\"{}\"> in namespace `{}`",
                q.local, q.ns
            )),
            None => hint.push_str(&format!(
                ". The WSDL declares only the bindings {}, none of them SOAP",
                listed.join(", ")
            )),
        }
        hint
    }

    /// A part of the message `message`; a name nothing declares is a problem of that message.
    fn part(&mut self, source: usize, p: Node, message: &QName) -> Option<Part> {
        let name = self.name(source, p)?.to_string();
        let owner = || Owner::Message(message.clone());
        let kind = if p.has_attribute("element") {
            let q = self.qname(source, p, "element", Some(owner()))?;
            match self.wsdl.schema.global_elements.get(&q) {
                Some(&e) => PartKind::Element(e),
                None => {
                    self.owned(
                        owner(),
                        source,
                        p,
                        format!(
                            "part `{name}` names unknown element `{}` ({q})",
                            p.attribute("element").unwrap_or("")
                        ),
                    )
                    .hint = Some(missing_hint(
                        &q,
                        self.wsdl.schema.global_elements.keys(),
                        format!(
                            "declare a global <xs:element name=\"{}\"> in a schema with targetNamespace `{}`",
                            q.local, q.ns
                        ),
                    ));
                    return None;
                }
            }
        } else if p.has_attribute("type") {
            let q = self.qname(source, p, "type", Some(owner()))?;
            match self.wsdl.schema.global_types.get(&q) {
                Some(&t) => PartKind::Type(t),
                None => {
                    self.owned(
                        owner(),
                        source,
                        p,
                        format!(
                            "part `{name}` names unknown type `{}` ({q})",
                            p.attribute("type").unwrap_or("")
                        ),
                    )
                    .hint = Some(missing_hint(
                        &q,
                        self.wsdl.schema.global_types.keys(),
                        format!(
                            "declare a global type `{}` in a schema with targetNamespace `{}`",
                            q.local, q.ns
                        ),
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

    /// The message `node` names; a name nothing declares is a problem of `owner`.
    fn message_ref(
        &mut self,
        source: usize,
        node: Node,
        index: &HashMap<QName, usize>,
        owner: Owner,
    ) -> Option<usize> {
        let q = self.qname(source, node, "message", Some(owner.clone()))?;
        match index.get(&q) {
            Some(&m) => Some(m),
            None => {
                let hint = missing_hint(
                    &q,
                    self.wsdl.messages.iter().map(|m| &m.name),
                    format!(
                        "declare <message name=\"{}\"> in a WSDL with targetNamespace `{}`",
                        q.local, q.ns
                    ),
                );
                self.owned(
                    owner,
                    source,
                    node,
                    format!(
                        "unknown message `{}` ({q})",
                        node.attribute("message").unwrap_or("")
                    ),
                )
                .hint = Some(hint);
                None
            }
        }
    }

    /// `soap:body` and `soap:header` of one direction of the binding operation `owner`.
    fn body(
        &mut self,
        source: usize,
        dir: Option<Node>,
        msg_index: &HashMap<QName, usize>,
        owner: &Owner,
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
                let Some(message) = self.message_ref(source, c, msg_index, owner.clone()) else {
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
                    self.owned(
                        owner.clone(),
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

    /// What the WSDL asks of each operation of the binding `bn` beyond the envelope
    /// (WS-Addressing, MTOM: the binding's markers and policies, the operation's and its
    /// input's, an action attribute on the port type's input), and its `wsa:Action`.
    fn protocol(&self, binding: &mut Binding, bn: Node, roots: &[Node]) {
        let on_binding = policy::markers(&[bn], roots);
        let port_type = &self.wsdl.port_types[binding.port_type];
        for bop in &mut binding.operations {
            let op = &port_type.operations[bop.operation];
            let mut nodes: Vec<Node> = Vec::new();
            if let Some(n) = bn
                .children()
                .find(|n| is_wsdl(n, "operation") && n.attribute("name") == Some(&bop.name))
            {
                nodes.push(n);
                nodes.extend(n.children().filter(|c| is_wsdl(c, "input")));
            }
            let m = on_binding.or(policy::markers(&nodes, roots));
            let explicit = op.input_action.as_ref();
            bop.addressing = m.addressing.or(explicit.map(|(_, v)| *v));
            bop.mtom = m.mtom;
            bop.wsa_action = match (explicit, &bop.soap_action) {
                (Some((a, _)), _) if !a.is_empty() => a.clone(),
                (_, Some(a)) if !a.trim().is_empty() => a.trim().to_string(),
                _ => op.default_action.clone(),
            };
            bop.wsa_reply_action = op.reply_action.clone();
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
        let tq = self.qname(source, bn, "type", None)?;
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
            .hint = Some(missing_hint(
                &tq,
                self.wsdl.port_types.iter().map(|p| &p.name),
                format!(
                    "declare <portType name=\"{}\"> in namespace `{}`",
                    tq.local, tq.ns
                ),
            ));
            return None;
        };
        let http_verb = bn
            .children()
            .find(|c| {
                c.is_element()
                    && c.tag_name().namespace() == Some(HTTP_BINDING)
                    && c.tag_name().name() == "binding"
            })
            .map(|c| c.attribute("verb").unwrap_or("").trim().to_string());
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
            let owner = Owner::BindingOperation(name.clone(), op_name.to_string());
            let input = self.body(
                source,
                op.children().find(|n| is_wsdl(n, "input")),
                msgs,
                &owner,
            );
            let output = self.body(
                source,
                op.children().find(|n| is_wsdl(n, "output")),
                msgs,
                &owner,
            );
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
                addressing: None,
                wsa_action: String::new(),
                wsa_reply_action: None,
                mtom: false,
                pos,
            });
        }
        let pos = self.pos(source, bn);
        Some(Binding {
            name,
            port_type,
            soap,
            http_verb,
            operations,
            pos,
        })
    }
}

/// A QName value read at a node.
pub(super) enum Resolved<'v> {
    /// Its prefix is bound here (or it has none).
    Here(QName),
    /// Lenient mode: its prefix, bound nowhere here, is bound to one namespace elsewhere in the
    /// document (at this line).
    Elsewhere(QName, &'v str, u32),
    /// Its prefix is bound nowhere (here, or, in lenient mode, anywhere in the document).
    Unbound(&'v str),
}

/// Lenient mode: for each document (by its text) and prefix, the one namespace the prefix is
/// bound to in it and the line of the first binding; each looked up once.
#[derive(Default)]
pub(super) struct Elsewhere(HashMap<(usize, String), Option<(String, u32)>>);

impl Elsewhere {
    fn find(&mut self, node: Node, prefix: &str) -> Option<(String, u32)> {
        let text = node.document().input_text();
        let key = (text.as_ptr() as usize, prefix.to_string());
        self.0
            .entry(key)
            .or_insert_with(|| {
                declared_elsewhere(node, prefix).map(|(ns, decl)| {
                    let (line, _) = crate::diag::line_col(text, decl.range().start);
                    (ns.to_string(), line)
                })
            })
            .clone()
    }
}

/// Resolves the QName `value` written at `node`; in lenient mode (`elsewhere` given) a prefix
/// bound nowhere here by its one binding elsewhere in the document.
pub(super) fn resolve<'v>(
    node: Node,
    value: &'v str,
    elsewhere: Option<&mut Elsewhere>,
) -> Resolved<'v> {
    let (prefix, local) = match value.split_once(':') {
        Some((p, l)) => (Some(p), l),
        None => (None, value),
    };
    let q = |ns: &str| {
        if is_xs_ns(ns) {
            QName::new(crate::xsd::XS, local)
        } else {
            QName::new(ns, local)
        }
    };
    match (node.lookup_namespace_uri(prefix), prefix) {
        (Some(ns), _) => Resolved::Here(q(ns)),
        (None, None) => Resolved::Here(QName::new("", local)),
        (None, Some(p)) => match elsewhere.and_then(|e| e.find(node, p)) {
            Some((ns, line)) => Resolved::Elsewhere(q(&ns), p, line),
            None => Resolved::Unbound(p),
        },
    }
}

/// The hint for `q`, which nothing declares among `declared`: `default`, and the namespace a
/// name of the same local part is declared in (two names that differ only there).
fn missing_hint<'q>(
    q: &QName,
    declared: impl Iterator<Item = &'q QName>,
    default: String,
) -> String {
    let mut others: Vec<&str> = declared
        .filter(|d| d.local == q.local && d.ns != q.ns)
        .map(|d| d.ns.as_str())
        .collect();
    others.sort_unstable();
    others.dedup();
    match others.as_slice() {
        [] => default,
        [ns] => format!(
            "{default}; `{}` is declared in namespace `{ns}`: check the namespace the prefix is bound to",
            q.local
        ),
        more => format!(
            "{default}; `{}` is declared in the namespaces {}: check the namespace the prefix is bound to",
            q.local,
            more.iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}
