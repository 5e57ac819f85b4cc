//! XML Schema documents -> the compiled [`Schema`] graph.
//!
//! Every `xs:schema` element (standalone files, WSDL `types` sections, chameleon includes taking on
//! their includer's target namespace) becomes a [`SchemaDoc`]; their global declarations are indexed
//! by QName; then every global declaration is compiled once, references resolved by QName through
//! the index (so inline schemas that import each other by namespace alone just work).

use std::collections::{HashMap, HashSet};

use roxmltree::{Node, NodeId};

use super::model::*;
use crate::diag::Diagnostic;
use crate::sources::{SourceSet, at};

/// One `xs:schema` element in force: where it is and the target namespace it gives its declarations.
#[derive(Clone, Copy)]
pub struct SchemaDoc<'a, 'i> {
    pub source: usize,
    pub node: Node<'a, 'i>,
    pub tns: &'a str,
    pub elements_qualified: bool,
    pub attributes_qualified: bool,
    /// The schema's `blockDefault`, as `BLOCK_*` flags.
    pub block_default: u8,
}

/// `block` / `blockDefault` values -> `BLOCK_*` flags.
fn block_flags(v: &str) -> u8 {
    v.split_whitespace()
        .map(|t| match t {
            "#all" => BLOCK_EXTENSION | BLOCK_RESTRICTION | BLOCK_SUBSTITUTION,
            "extension" => BLOCK_EXTENSION,
            "restriction" => BLOCK_RESTRICTION,
            "substitution" => BLOCK_SUBSTITUTION,
            _ => 0,
        })
        .fold(0, |a, b| a | b)
}

/// How many type definitions may be compiled inside each other (derivation chains, anonymous
/// types in anonymous types). Real schemas stay below 20; the bound keeps the recursion's stack
/// use small even on a 2 MiB thread.
const MAX_TYPE_DEPTH: usize = 64;

/// How many particles and attribute uses group references may expand to, in all. Groups are
/// copied where they are referenced, so groups that reference a group twice, level after level,
/// grow exponentially; real schemas stay below a few hundred thousand.
const MAX_EXPANSION: usize = 2_000_000;

/// Problems reported before the compiler stops listing them.
const MAX_DIAGNOSTICS: usize = 200;

/// A global declaration: the schema it sits in and its node.
#[derive(Clone, Copy)]
struct Decl<'a, 'i> {
    doc: usize,
    node: Node<'a, 'i>,
}

#[derive(Default)]
struct Index<'a, 'i> {
    types: HashMap<QName, Decl<'a, 'i>>,
    elements: HashMap<QName, Decl<'a, 'i>>,
    groups: HashMap<QName, Decl<'a, 'i>>,
    attribute_groups: HashMap<QName, Decl<'a, 'i>>,
    attributes: HashMap<QName, Decl<'a, 'i>>,
}

/// Compiles schema documents into a [`Schema`].
pub struct Compiler<'a, 'i> {
    set: &'a SourceSet,
    docs: Vec<SchemaDoc<'a, 'i>>,
    index: Index<'a, 'i>,
    pub schema: Schema,
    compiling: HashSet<TypeId>,
    /// Named types given an id but not compiled yet: only derivation needs a type's content at
    /// once; a reference from an element or attribute needs just the id.
    pending: HashMap<TypeId, Decl<'a, 'i>>,
    /// The group and attribute group definitions being expanded, by (schema, node): a
    /// redefinition and the definition it redefines share a name but are different groups.
    group_stack: Vec<(usize, NodeId)>,
    /// `xs:redefine` children (by schema and node) -> the definition each replaces.
    originals: HashMap<(usize, NodeId), Decl<'a, 'i>>,
    /// The compiled ids of redefined (original) type definitions, by their redefinition.
    original_types: HashMap<(usize, NodeId), TypeId>,
    /// Redefined groups and attribute groups that do not refer to their original: each must
    /// be a valid restriction of it.
    restricting: Vec<(usize, Node<'a, 'i>)>,
    /// Types being compiled inside each other (derivation chains, anonymous types): bounded by
    /// [`MAX_TYPE_DEPTH`] so a hostile schema cannot exhaust the stack.
    depth: usize,
    /// Particles and attribute uses created so far (bounded by [`MAX_EXPANSION`]).
    expanded: usize,
    expansion_reported: bool,
    /// Patterns compiled beyond [`super::regex::PATTERN_LIMIT`] so far (bounded by
    /// [`super::regex::LARGE_PATTERNS`]: a hostile schema cannot take gigabytes).
    large_patterns: usize,
    scratch: Diagnostic,
    pub diags: Vec<Diagnostic>,
}

fn is_xs(node: &Node, name: &str) -> bool {
    node.is_element()
        && node.tag_name().name() == name
        && node.tag_name().namespace().is_some_and(is_xs_ns)
}

/// Element children in the XML Schema namespace, annotations skipped.
fn xs_children<'a, 'i>(node: Node<'a, 'i>) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(|c| {
        c.is_element()
            && c.tag_name().namespace().is_some_and(is_xs_ns)
            && c.tag_name().name() != "annotation"
    })
}

impl<'a, 'i> Compiler<'a, 'i> {
    pub fn new(set: &'a SourceSet) -> Compiler<'a, 'i> {
        let mut schema = Schema::default();
        super::builtins::install(&mut schema);
        schema.files = set.sources.iter().map(|s| s.path.clone()).collect();
        Compiler {
            set,
            docs: Vec::new(),
            index: Index::default(),
            schema,
            compiling: HashSet::new(),
            pending: HashMap::new(),
            group_stack: Vec::new(),
            originals: HashMap::new(),
            original_types: HashMap::new(),
            restricting: Vec::new(),
            depth: 0,
            expanded: 0,
            expansion_reported: false,
            large_patterns: 0,
            scratch: Diagnostic::new(std::path::Path::new(""), 0, 0, ""),
            diags: Vec::new(),
        }
    }

    fn diag(&mut self, doc: usize, node: Node, message: impl Into<String>) -> &mut Diagnostic {
        let source = &self.set.sources[self.docs[doc].source];
        if self.diags.len() >= MAX_DIAGNOSTICS {
            // Past the cap, problems are counted no more: one last line says so.
            if self.diags.len() == MAX_DIAGNOSTICS {
                self.diags.push(Diagnostic::new(
                    &source.path,
                    0,
                    0,
                    format!("more than {MAX_DIAGNOSTICS} problems; stopped reporting"),
                ));
            }
            self.scratch = Diagnostic::new(&source.path, 0, 0, "");
            return &mut self.scratch;
        }
        self.diags
            .push(at(&source.path, &source.text, node.range().start, message));
        self.diags.last_mut().expect("just pushed")
    }

    fn pos(&self, doc: usize, node: Node) -> SrcPos {
        SrcPos {
            file: self.docs[doc].source as u32,
            offset: node.range().start as u32,
        }
    }

    /// Adds an `xs:schema` element and, transitively, what it includes and imports by location.
    /// `tns_override` is the includer's namespace for a chameleon include.
    pub fn add_schema(
        &mut self,
        docs: &'a [roxmltree::Document<'i>],
        source: usize,
        node: Node<'a, 'i>,
        tns_override: Option<&'a str>,
    ) {
        let own_tns = node.attribute("targetNamespace");
        let tns = own_tns.or(tns_override).unwrap_or("");
        if self
            .docs
            .iter()
            .any(|d| d.source == source && d.node == node && d.tns == tns)
        {
            return;
        }
        let doc_index = self.docs.len();
        self.docs.push(SchemaDoc {
            source,
            node,
            tns,
            elements_qualified: node.attribute("elementFormDefault") == Some("qualified"),
            attributes_qualified: node.attribute("attributeFormDefault") == Some("qualified"),
            block_default: node.attribute("blockDefault").map_or(0, block_flags),
        });
        for child in xs_children(node) {
            let name = child.tag_name().name();
            match name {
                "include" | "import" | "redefine" | "override" => {
                    let target = child
                        .attribute("schemaLocation")
                        .and_then(|l| self.set.resolve(source, l.trim()));
                    let target = target.or_else(|| {
                        (name == "import")
                            .then(|| {
                                child
                                    .attribute("namespace")
                                    .and_then(|ns| self.set.builtin_for(ns))
                            })
                            .flatten()
                    });
                    let Some(target) = target else { continue };
                    let root = docs[target].root_element();
                    if !is_xs(&root, "schema") {
                        if child.attribute("schemaLocation").is_some() {
                            self.diag(
                                doc_index,
                                child,
                                format!(
                                    "`{}` is not an XML Schema document (its root is `{}`)",
                                    child.attribute("schemaLocation").unwrap_or(""),
                                    root.tag_name().name()
                                ),
                            );
                        }
                        continue;
                    }
                    if name == "import" {
                        let declared = child.attribute("namespace").unwrap_or("");
                        let actual = root.attribute("targetNamespace").unwrap_or("");
                        if declared != actual {
                            self.diag(doc_index, child, format!(
                                "imports namespace `{declared}` but `{}` has targetNamespace `{actual}`",
                                child.attribute("schemaLocation").unwrap_or("")))
                                .hint = Some("the namespace attribute of xs:import must match the imported schema's targetNamespace".into());
                        }
                        self.add_schema(docs, target, root, None);
                    } else {
                        if name == "override" {
                            self.diag(doc_index, child, "xs:override (XML Schema 1.1) is not supported")
                                .hint = Some(
                                "use xs:redefine, or copy the overriding components into the schema".into(),
                            );
                        }
                        let included = root.attribute("targetNamespace");
                        if included.is_some() && included != Some(tns) {
                            self.diag(
                                doc_index,
                                child,
                                format!(
                                    "{} schema has targetNamespace `{}`, the {} schema `{tns}`",
                                    if name == "redefine" {
                                        "redefined"
                                    } else {
                                        "included"
                                    },
                                    included.unwrap_or(""),
                                    if name == "redefine" {
                                        "redefining"
                                    } else {
                                        "including"
                                    }
                                ),
                            )
                            .hint = Some(format!(
                                "xs:{name} needs the same target namespace (or none); use xs:import for another namespace"
                            ));
                            continue;
                        }
                        self.add_schema(docs, target, root, Some(tns));
                        if name == "redefine" {
                            self.redefine(doc_index, child);
                        }
                    }
                }
                "element" | "complexType" | "simpleType" | "group" | "attributeGroup"
                | "attribute" => {
                    let Some(local) = child.attribute("name") else {
                        self.diag(doc_index, child, format!("global xs:{name} without a name"));
                        continue;
                    };
                    let qname = QName::new(tns, local);
                    let decl = Decl {
                        doc: doc_index,
                        node: child,
                    };
                    let map = match name {
                        "element" => &mut self.index.elements,
                        "complexType" | "simpleType" => &mut self.index.types,
                        "group" => &mut self.index.groups,
                        "attributeGroup" => &mut self.index.attribute_groups,
                        _ => &mut self.index.attributes,
                    };
                    map.entry(qname).or_insert(decl);
                }
                _ => {}
            }
        }
    }

    /// Compiles every global declaration, then substitution groups and derivations.
    pub fn compile_all(&mut self) {
        let mut types: Vec<QName> = self.index.types.keys().cloned().collect();
        types.sort();
        for q in types {
            let decl = self.index.types[&q];
            self.global_type(&q, decl.doc, decl.node);
        }
        let mut elements: Vec<QName> = self.index.elements.keys().cloned().collect();
        elements.sort();
        for q in elements {
            let decl = self.index.elements[&q];
            self.global_element(&q, decl.doc, decl.node);
        }
        let mut attributes: Vec<QName> = self.index.attributes.keys().cloned().collect();
        attributes.sort();
        for q in attributes {
            let decl = self.index.attributes[&q];
            if let Some(mut a) = self.attribute_use(decl.doc, decl.node) {
                a.name = q.clone();
                a.required = false;
                self.schema.global_attributes.insert(q, a);
            }
        }
        self.drain_pending();
        // Substitution groups, transitively.
        let mut direct: HashMap<ElementId, Vec<ElementId>> = HashMap::new();
        for (i, e) in self.schema.elements.iter().enumerate() {
            if let Some(head) = e.substitution_group {
                direct.entry(head).or_default().push(ElementId(i as u32));
            }
        }
        let mut heads: Vec<ElementId> = direct.keys().copied().collect();
        heads.sort();
        for head in heads {
            let mut seen = HashSet::new();
            let mut stack = direct[&head].clone();
            while let Some(m) = stack.pop() {
                if m == head || !seen.insert(m) {
                    continue;
                }
                if let Some(more) = direct.get(&m) {
                    stack.extend(more.iter().copied());
                }
            }
            let mut all: Vec<ElementId> = seen.into_iter().collect();
            all.sort();
            self.schema.substitutes.insert(head, all);
        }
        for (i, t) in self.schema.types.iter().enumerate() {
            if let (Some(base), Some(_)) = (t.base, &t.name) {
                self.schema
                    .derived
                    .entry(base)
                    .or_default()
                    .push(TypeId(i as u32));
            }
        }
        self.redefinition_witnesses();
    }

    /// Resolves a QName-valued attribute (`type="tns:Foo"`) against the node's namespaces.
    fn qname_attr(&mut self, doc: usize, node: Node<'a, 'i>, attr: &str) -> Option<QName> {
        let value = node.attribute(attr)?.trim();
        self.resolve_qname(doc, node, value, attr)
    }

    /// A QName value resolved against the node's namespaces; `None` for an unbound prefix.
    fn quiet_qname(&self, doc: usize, node: Node, value: &str) -> Option<QName> {
        let value = value.trim();
        let (prefix, local) = match value.split_once(':') {
            Some((p, l)) => (Some(p), l),
            None => (None, value),
        };
        match node.lookup_namespace_uri(prefix) {
            Some(ns) if is_xs_ns(ns) => Some(QName::new(XS, local)),
            Some(ns) => Some(QName::new(ns, local)),
            None if prefix == Some("xml") => Some(QName::new(XML, local)),
            None if prefix.is_none() => {
                // A chameleon include (no targetNamespace of its own) takes its includer's
                // namespace, references to no namespace included.
                let d = self.docs[doc];
                let chameleon = d.node.attribute("targetNamespace").is_none() && !d.tns.is_empty();
                Some(QName::new(if chameleon { d.tns } else { "" }, local))
            }
            None => None,
        }
    }

    fn resolve_qname(
        &mut self,
        doc: usize,
        node: Node<'a, 'i>,
        value: &str,
        attr: &str,
    ) -> Option<QName> {
        let prefix = value.split_once(':').map(|(p, _)| p);
        match self.quiet_qname(doc, node, value) {
            Some(q) => Some(q),
            None => {
                self.diag(
                    doc,
                    node,
                    format!(
                        "unbound namespace prefix `{}` in {attr}=\"{value}\"",
                        prefix.unwrap_or("")
                    ),
                )
                .hint = Some(format!(
                    "declare it, e.g. xmlns:{}=\"...\", on this element or an ancestor",
                    prefix.unwrap_or("")
                ));
                None
            }
        }
    }

    /// `<xs:redefine>`: its type, group and attribute group definitions replace the ones of the
    /// same name that the redefined schema (just added) put in the index; each remembers the
    /// definition it replaces, which its self-reference means. A redefinition of a redefinition
    /// replaces the previous one the same way.
    fn redefine(&mut self, doc: usize, redefine: Node<'a, 'i>) {
        let tns = self.docs[doc].tns;
        let location = redefine.attribute("schemaLocation").unwrap_or("").trim();
        for c in xs_children(redefine) {
            let kind = c.tag_name().name();
            if !matches!(
                kind,
                "simpleType" | "complexType" | "group" | "attributeGroup"
            ) {
                self.diag(doc, c, format!("xs:{kind} cannot be redefined"))
                    .hint = Some("xs:redefine holds only simpleType, complexType, group and attributeGroup definitions".into());
                continue;
            }
            let Some(local) = c.attribute("name").map(str::trim) else {
                self.diag(doc, c, format!("xs:{kind} in xs:redefine without a name"));
                continue;
            };
            let q = QName::new(tns, local);
            let old = match kind {
                "group" => self.index.groups.get(&q),
                "attributeGroup" => self.index.attribute_groups.get(&q),
                _ => self.index.types.get(&q),
            }
            .copied();
            let Some(old) = old else {
                self.diag(doc, c, format!("xs:redefine redefines {kind} `{local}`, which `{location}` does not define"))
                    .hint = Some("a redefinition replaces a definition of the same kind and name in the redefined schema".into());
                continue;
            };
            if old.node.tag_name().name() != kind {
                self.diag(
                    doc,
                    c,
                    format!(
                        "`{local}` is redefined as an xs:{kind}, but `{location}` defines an xs:{}",
                        old.node.tag_name().name()
                    ),
                )
                .hint = Some("a simple type can only be redefined by a simple type, a complex type by a complex type".into());
                continue;
            }
            if old.doc == doc && old.node.parent() == Some(redefine) {
                self.diag(
                    doc,
                    c,
                    format!("{kind} `{local}` is redefined twice in one xs:redefine"),
                );
                continue;
            }
            if matches!(kind, "group" | "attributeGroup")
                && self.check_self_references(doc, c, &q, kind) == 0
            {
                self.restricting.push((doc, c));
            }
            self.originals.insert((doc, c.id()), old);
            let decl = Decl { doc, node: c };
            match kind {
                "group" => self.index.groups.insert(q, decl),
                "attributeGroup" => self.index.attribute_groups.insert(q, decl),
                _ => self.index.types.insert(q, decl),
            };
        }
    }

    /// A redefined group or attribute group may refer to itself (the definition it replaces)
    /// once; a group's self-reference must occur exactly once (minOccurs = maxOccurs = 1).
    /// Returns how many self-references there are.
    fn check_self_references(
        &mut self,
        doc: usize,
        def: Node<'a, 'i>,
        q: &QName,
        kind: &str,
    ) -> usize {
        let refs: Vec<Node<'a, 'i>> = def
            .descendants()
            .filter(|n| {
                is_xs(n, kind)
                    && n.attribute("ref")
                        .and_then(|r| self.quiet_qname(doc, *n, r))
                        .is_some_and(|r| &r == q)
            })
            .collect();
        if let Some(second) = refs.get(1) {
            self.diag(
                doc,
                *second,
                format!(
                    "the redefinition of {kind} `{}` refers to itself {} times",
                    q.local,
                    refs.len()
                ),
            )
            .hint = Some(format!(
                "a redefined xs:{kind} may refer once to the definition it replaces"
            ));
        }
        if kind == "group"
            && let Some(r) = refs.first()
        {
            let one = |a: &str| r.attribute(a).is_none_or(|v| v.trim() == "1");
            if !one("minOccurs") || !one("maxOccurs") {
                self.diag(doc, *r, format!("the reference to the redefined group `{}` must occur exactly once", q.local))
                    .hint = Some("minOccurs and maxOccurs must be 1 (the default) on a redefined group's reference to itself".into());
            }
        }
        refs.len()
    }

    /// A redefined group or attribute group without a self-reference must restrict the one it
    /// replaces. Each pair becomes two unreachable complex types named like the group (the
    /// original's content or attributes, and the redefinition's as a restriction of it),
    /// which the complex-restriction checks ([`super::check::components`]) then compare.
    /// Skipped when the schema already has problems (the groups would report them twice).
    fn redefinition_witnesses(&mut self) {
        for (doc, node) in std::mem::take(&mut self.restricting) {
            if !self.diags.is_empty() {
                return;
            }
            let Some(original) = self.originals.get(&(doc, node.id())).copied() else {
                continue;
            };
            let name = QName::new(
                self.docs[doc].tns,
                node.attribute("name").unwrap_or("").trim(),
            );
            let base = self.witness(original.doc, original.node, &name, None);
            self.witness(doc, node, &name, Some(base));
        }
    }

    fn witness(
        &mut self,
        doc: usize,
        node: Node<'a, 'i>,
        name: &QName,
        base: Option<TypeId>,
    ) -> TypeId {
        let mut ct = placeholder_complex();
        if base.is_some() {
            ct.derivation = Derivation::Restriction;
        }
        self.group_stack.push((doc, node.id()));
        if is_xs(&node, "group") {
            let inner = xs_children(node)
                .find(|c| matches!(c.tag_name().name(), "sequence" | "choice" | "all"));
            if let Some(p) = inner.and_then(|c| self.particle(doc, c)) {
                ct.content = Content::Elements(p);
            }
        } else {
            self.attributes(doc, node, &mut ct, false);
        }
        self.group_stack.pop();
        let id = TypeId(self.schema.types.len() as u32);
        let pos = self.pos(doc, node);
        self.schema.types.push(Type {
            name: Some(name.clone()),
            base: Some(base.unwrap_or(self.any_type())),
            kind: TypeKind::Complex(ct),
            pos,
        });
        id
    }

    /// The group or attribute group a reference to `q` means: inside the redefinition of `q`,
    /// the definition it replaces; elsewhere the one in the index (`decl`).
    fn redefined(
        &self,
        doc: usize,
        reference: Node<'a, 'i>,
        q: &QName,
        kind: &str,
        decl: Decl<'a, 'i>,
    ) -> Decl<'a, 'i> {
        let top = reference
            .ancestors()
            .find(|a| a.parent().is_some_and(|p| is_xs(&p, "redefine")));
        match top {
            Some(top)
                if is_xs(&top, kind)
                    && top.attribute("name").map(str::trim) == Some(q.local.as_str())
                    && self.docs[doc].tns == q.ns =>
            {
                self.originals
                    .get(&(doc, top.id()))
                    .copied()
                    .unwrap_or(decl)
            }
            _ => decl,
        }
    }

    /// The base of a type's derivation. In a redefinition, a base named like the type itself
    /// is the definition it replaces.
    fn base_ref(&mut self, doc: usize, node: Node<'a, 'i>, def: Node<'a, 'i>) -> TypeId {
        if !self.originals.contains_key(&(doc, node.id())) {
            return self.type_ref(doc, def, "base");
        }
        let Some(q) = self.qname_attr(doc, def, "base") else {
            return self.any_type();
        };
        let own = QName::new(
            self.docs[doc].tns,
            node.attribute("name").unwrap_or("").trim(),
        );
        if q == own {
            self.original_type(doc, node)
        } else {
            self.lookup_type(doc, def, &q, "base")
        }
    }

    /// The id of the type definition that the redefinition `node` replaces, compiled on use.
    fn original_type(&mut self, doc: usize, node: Node<'a, 'i>) -> TypeId {
        let key = (doc, node.id());
        if let Some(&id) = self.original_types.get(&key) {
            return id;
        }
        let original = self.originals[&key];
        let id = TypeId(self.schema.types.len() as u32);
        let pos = self.pos(original.doc, original.node);
        self.schema.types.push(Type {
            name: Some(QName::new(
                self.docs[doc].tns,
                node.attribute("name").unwrap_or("").trim(),
            )),
            base: None,
            kind: placeholder(),
            pos,
        });
        self.pending.insert(id, original);
        self.original_types.insert(key, id);
        id
    }

    fn any_type(&self) -> TypeId {
        TypeId(0)
    }

    fn any_simple(&self) -> TypeId {
        self.schema.builtin("anySimpleType").expect("built-in")
    }

    /// The type a QName names, compiled on first use.
    fn type_ref(&mut self, doc: usize, node: Node<'a, 'i>, attr: &str) -> TypeId {
        let Some(q) = self.qname_attr(doc, node, attr) else {
            return self.any_type();
        };
        self.lookup_type(doc, node, &q, attr)
    }

    fn lookup_type(&mut self, doc: usize, node: Node<'a, 'i>, q: &QName, attr: &str) -> TypeId {
        if let Some(&id) = self.schema.global_types.get(q) {
            return id;
        }
        let chameleon = {
            let d = self.docs[doc];
            d.node.attribute("targetNamespace").is_none() && !d.tns.is_empty() && q.ns == d.tns
        };
        if (q.ns.is_empty() || chameleon) && !self.index.types.contains_key(q) {
            // `type="string"` with no default namespace: pre-2001 WSDLs (the W3C WSDL 1.1 note's
            // own examples) mean the built-in type.
            if let Some(id) = self.schema.builtin(&q.local) {
                return id;
            }
        }
        if let Some(decl) = self.index.types.get(q).copied() {
            let id = TypeId(self.schema.types.len() as u32);
            let pos = self.pos(decl.doc, decl.node);
            self.schema.types.push(Type {
                name: Some(q.clone()),
                base: None,
                kind: placeholder(),
                pos,
            });
            self.schema.global_types.insert(q.clone(), id);
            self.pending.insert(id, decl);
            return id;
        }
        let hint = self.missing_hint(q, "type");
        let raw = node.attribute(attr).unwrap_or("");
        self.diag(doc, node, format!("unknown type `{raw}` ({q})"))
            .hint = Some(hint);
        self.any_type()
    }

    fn missing_hint(&self, q: &QName, kind: &str) -> String {
        if q.ns == XS {
            return format!("`{}` is not a built-in XML Schema 1.0 type", q.local);
        }
        if self.docs.iter().any(|d| d.tns == q.ns) {
            format!(
                "no global {kind} named `{}` is declared in namespace `{}`",
                q.local, q.ns
            )
        } else {
            format!(
                "no schema for namespace `{}` is loaded; import it with a schemaLocation",
                q.ns
            )
        }
    }

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

    /// Whether a type is simple, also before it is compiled.
    fn is_simple(&self, id: TypeId) -> bool {
        match self.pending.get(&id) {
            Some(decl) => is_xs(&decl.node, "simpleType"),
            None => matches!(self.schema.ty(id).kind, TypeKind::Simple(_)),
        }
    }

    fn global_type(&mut self, q: &QName, doc: usize, node: Node<'a, 'i>) -> TypeId {
        if let Some(&id) = self.schema.global_types.get(q) {
            self.ensure_filled(id);
            return id;
        }
        let id = TypeId(self.schema.types.len() as u32);
        let pos = self.pos(doc, node);
        self.schema.types.push(Type {
            name: Some(q.clone()),
            base: None,
            kind: placeholder(),
            pos,
        });
        self.schema.global_types.insert(q.clone(), id);
        self.fill_type(id, doc, node);
        id
    }

    fn anonymous_type(&mut self, doc: usize, node: Node<'a, 'i>) -> TypeId {
        let id = TypeId(self.schema.types.len() as u32);
        let pos = self.pos(doc, node);
        self.schema.types.push(Type {
            name: None,
            base: None,
            kind: placeholder(),
            pos,
        });
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

    /// A base type's compiled form, refusing circular derivation.
    fn base_of(&mut self, doc: usize, node: Node<'a, 'i>, base: TypeId) -> Option<Type> {
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

    fn simple_type(&mut self, doc: usize, node: Node<'a, 'i>) -> (TypeId, SimpleType) {
        let any_simple = self.any_simple();
        let fallback = |s: &Self| SimpleType {
            primitive: Primitive::String,
            base_builtin: s.schema.builtin("string").expect("built-in"),
            variety: Variety::Atomic,
            facets: Facets::default(),
        };
        let Some(def) = xs_children(node).next() else {
            self.diag(
                doc,
                node,
                "xs:simpleType needs a restriction, list or union",
            );
            return (any_simple, fallback(self));
        };
        match def.tag_name().name() {
            "restriction" => {
                let base = if def.has_attribute("base") {
                    self.base_ref(doc, node, def)
                } else if let Some(inline) = xs_children(def).find(|c| is_xs(c, "simpleType")) {
                    self.anonymous_type(doc, inline)
                } else {
                    self.diag(
                        doc,
                        def,
                        "xs:restriction needs a base attribute or an inline xs:simpleType",
                    );
                    any_simple
                };
                let Some(base_t) = self.base_of(doc, def, base) else {
                    return (any_simple, fallback(self));
                };
                let TypeKind::Simple(mut st) = base_t.kind else {
                    self.diag(doc, def, format!("simple type restricts `{}`, which is a complex type", self.schema.type_label(base)))
                        .hint = Some("a simple type can only restrict a simple type; use complexType/simpleContent".into());
                    return (any_simple, fallback(self));
                };
                if base_t.name.as_ref().is_some_and(|q| q.ns == XS) {
                    st.base_builtin = base;
                }
                self.facets(doc, def, &mut st.facets);
                (base, st)
            }
            "list" => {
                let item = if def.has_attribute("itemType") {
                    self.type_ref(doc, def, "itemType")
                } else if let Some(inline) = xs_children(def).find(|c| is_xs(c, "simpleType")) {
                    self.anonymous_type(doc, inline)
                } else {
                    self.diag(
                        doc,
                        def,
                        "xs:list needs an itemType attribute or an inline xs:simpleType",
                    );
                    self.schema.builtin("string").expect("built-in")
                };
                let st = SimpleType {
                    primitive: Primitive::String,
                    base_builtin: any_simple,
                    variety: Variety::List(item),
                    facets: Facets {
                        white_space: Some(WhiteSpace::Collapse),
                        ..Facets::default()
                    },
                };
                (any_simple, st)
            }
            "union" => {
                let mut members = Vec::new();
                if let Some(list) = def.attribute("memberTypes") {
                    for m in list.split_whitespace() {
                        if let Some(q) = self.resolve_qname(doc, def, m, "memberTypes") {
                            members.push(self.lookup_type(doc, def, &q, "memberTypes"));
                        }
                    }
                }
                for inline in xs_children(def).filter(|c| is_xs(c, "simpleType")) {
                    members.push(self.anonymous_type(doc, inline));
                }
                if members.is_empty() {
                    self.diag(doc, def, "xs:union without member types");
                }
                let st = SimpleType {
                    primitive: Primitive::AnySimple,
                    base_builtin: any_simple,
                    variety: Variety::Union(members),
                    facets: Facets::default(),
                };
                (any_simple, st)
            }
            other => {
                self.diag(doc, def, format!("unexpected xs:{other} in xs:simpleType"));
                (any_simple, fallback(self))
            }
        }
    }

    fn facets(&mut self, doc: usize, def: Node<'a, 'i>, f: &mut Facets) {
        let mut patterns = Vec::new();
        let mut enumeration = Vec::new();
        for c in xs_children(def) {
            let value = c.attribute("value");
            let name = c.tag_name().name();
            if matches!(
                name,
                "simpleType"
                    | "attribute"
                    | "attributeGroup"
                    | "anyAttribute"
                    | "sequence"
                    | "choice"
                    | "all"
                    | "group"
            ) {
                continue;
            }
            let Some(value) = value else {
                self.diag(doc, c, format!("facet xs:{name} without a value"));
                continue;
            };
            let number = |s: &mut Self| -> Option<u64> {
                match value.trim().parse::<u64>() {
                    Ok(n) => Some(n),
                    Err(_) => {
                        s.diag(
                            doc,
                            c,
                            format!(
                                "facet xs:{name} needs a non-negative integer, found `{value}`"
                            ),
                        );
                        None
                    }
                }
            };
            match name {
                "enumeration" => enumeration.push(value.to_string()),
                "pattern" => patterns.push(value.to_string()),
                "length" => f.length = number(self),
                "minLength" => f.min_length = number(self),
                "maxLength" => f.max_length = number(self),
                "totalDigits" => {
                    f.total_digits = number(self).map(|n| n.min(u32::MAX as u64) as u32)
                }
                "fractionDigits" => {
                    f.fraction_digits = number(self).map(|n| n.min(u32::MAX as u64) as u32)
                }
                "minInclusive" => f.min_inclusive = Some(value.trim().to_string()),
                "maxInclusive" => f.max_inclusive = Some(value.trim().to_string()),
                "minExclusive" => f.min_exclusive = Some(value.trim().to_string()),
                "maxExclusive" => f.max_exclusive = Some(value.trim().to_string()),
                "whiteSpace" => {
                    f.white_space = match value.trim() {
                        "preserve" => Some(WhiteSpace::Preserve),
                        "replace" => Some(WhiteSpace::Replace),
                        "collapse" => Some(WhiteSpace::Collapse),
                        other => {
                            self.diag(doc, c, format!("whiteSpace must be preserve, replace or collapse, found `{other}`"));
                            f.white_space
                        }
                    }
                }
                "assertion" | "explicitTimezone" => {}
                other => {
                    self.diag(doc, c, format!("unknown facet xs:{other}"));
                }
            }
        }
        if !patterns.is_empty() {
            use super::regex::{LARGE_PATTERN_LIMIT, LARGE_PATTERNS, PATTERN_LIMIT, PatternError};
            let compiled: Result<Vec<(String, regex::Regex)>, PatternError> = patterns
                .iter()
                .map(|p| {
                    let r = match super::regex::compile_with(p, PATTERN_LIMIT) {
                        Err(PatternError::TooBig) if self.large_patterns < LARGE_PATTERNS => {
                            self.large_patterns += 1;
                            super::regex::compile_with(p, LARGE_PATTERN_LIMIT)
                        }
                        r => r,
                    };
                    r.map(|r| (p.clone(), r))
                })
                .collect();
            match compiled {
                Ok(step) => f.regexes.push(step),
                Err(_) => f.unenforced.extend(patterns.iter().cloned()),
            }
            f.patterns.push(patterns);
        }
        if !enumeration.is_empty() {
            // Enumeration values are compared after whitespace normalisation.
            f.enumeration = enumeration
                .into_iter()
                .map(|v| match f.white_space {
                    Some(WhiteSpace::Collapse) => {
                        v.split_ascii_whitespace().collect::<Vec<_>>().join(" ")
                    }
                    Some(WhiteSpace::Replace) => v.replace(['\t', '\n', '\r'], " "),
                    _ => v,
                })
                .collect();
        }
    }

    fn complex_type(&mut self, doc: usize, node: Node<'a, 'i>) -> (TypeId, ComplexType) {
        let any_type = self.any_type();
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
        match first.as_ref().map(|n| n.tag_name().name()) {
            Some("simpleContent") => {
                let sc = first.expect("matched");
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
                            _ if b.mixed && !extension => {
                                self.schema.builtin("string").expect("built-in")
                            }
                            _ => {
                                self.diag(doc, def, format!("simpleContent derives from `{}`, which has no simple content",
                                    self.schema.type_label(base)));
                                self.any_simple()
                            }
                        }
                    }
                };
                if !extension {
                    // Facets on the text: an anonymous simple type restricting the base text type.
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
                    if has_facets
                        && let TypeKind::Simple(mut st) = self.schema.ty(text_type).kind.clone()
                    {
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
                }
                ct.content = Content::Simple(text_type);
                let base_wildcard = ct.any_attribute.take();
                self.attributes(doc, def, &mut ct, !extension);
                if extension {
                    ct.any_attribute = combine_extension(base_wildcard, ct.any_attribute.take());
                }
                (base, ct)
            }
            Some("complexContent") => {
                let cc = first.expect("matched");
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
                    ct.content = match (b.content.clone(), own) {
                        (Content::Elements(bp), Some(op)) => Content::Elements(Particle {
                            min: 1,
                            max: MaxOccurs::Bounded(1),
                            term: Term::Sequence(vec![bp, op]),
                        }),
                        (Content::Elements(bp), None) => Content::Elements(bp),
                        (Content::Empty, Some(op)) => Content::Elements(op),
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
                    };
                } else {
                    ct.derivation = Derivation::Restriction;
                    ct.content = own.map_or(Content::Empty, Content::Elements);
                    if self.is_soap_array(base) {
                        ct.array_of = self.encoded_array_item(doc, def, base);
                    }
                }
                let base_wildcard = ct.any_attribute.take();
                self.attributes(doc, def, &mut ct, !extension);
                if extension {
                    ct.any_attribute = combine_extension(base_wildcard, ct.any_attribute.take());
                }
                (base, ct)
            }
            _ => {
                if let Some(p) = self.content_particle(doc, node) {
                    ct.content = Content::Elements(p);
                }
                self.attributes(doc, node, &mut ct, false);
                (any_type, ct)
            }
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

    /// The particle a complexType or derivation holds directly (sequence/choice/all/group).
    fn content_particle(&mut self, doc: usize, node: Node<'a, 'i>) -> Option<Particle> {
        let c = xs_children(node)
            .find(|c| matches!(c.tag_name().name(), "sequence" | "choice" | "all" | "group"))?;
        self.particle(doc, c)
    }

    fn occurs(&mut self, doc: usize, node: Node<'a, 'i>) -> (u32, MaxOccurs) {
        let min = match node.attribute("minOccurs").map(str::trim) {
            None => 1,
            Some(v) => count(v).unwrap_or_else(|| {
                self.diag(
                    doc,
                    node,
                    format!("minOccurs must be a non-negative integer, found `{v}`"),
                );
                1
            }),
        };
        let max = match node.attribute("maxOccurs").map(str::trim) {
            None => MaxOccurs::Bounded(1),
            Some("unbounded") => MaxOccurs::Unbounded,
            Some(v) => {
                match count(v) {
                    Some(n) => MaxOccurs::Bounded(n),
                    None => {
                        self.diag(doc, node, format!("maxOccurs must be a non-negative integer or `unbounded`, found `{v}`"));
                        MaxOccurs::Bounded(1)
                    }
                }
            }
        };
        if let MaxOccurs::Bounded(m) = max
            && m < min
        {
            self.diag(
                doc,
                node,
                format!("maxOccurs ({m}) is less than minOccurs ({min})"),
            );
        }
        (min, max)
    }

    /// Counts one more particle or attribute use; false (reported once) past the bound.
    fn expand(&mut self, doc: usize, node: Node<'a, 'i>) -> bool {
        self.expanded += 1;
        if self.expanded <= MAX_EXPANSION {
            return true;
        }
        if !self.expansion_reported {
            self.expansion_reported = true;
            self.diag(doc, node, format!("group references expand to more than {MAX_EXPANSION} particles and attributes"))
                .hint = Some("groups referring to other groups several times, level after level, grow exponentially; no real schema does this".into());
        }
        false
    }

    fn particle(&mut self, doc: usize, node: Node<'a, 'i>) -> Option<Particle> {
        if !self.expand(doc, node) {
            return None;
        }
        let (min, max) = self.occurs(doc, node);
        let term = match node.tag_name().name() {
            "element" => Term::Element(self.element_particle(doc, node)?),
            "sequence" | "choice" | "all" => {
                let children: Vec<Particle> = xs_children(node)
                    .filter_map(|c| self.particle(doc, c))
                    .collect();
                match node.tag_name().name() {
                    "sequence" => Term::Sequence(children),
                    "choice" => Term::Choice(children),
                    _ => Term::All(children),
                }
            }
            "group" => {
                let q = self.qname_attr(doc, node, "ref")?;
                let Some(decl) = self.index.groups.get(&q).copied() else {
                    let hint = self.missing_hint(&q, "group");
                    self.diag(
                        doc,
                        node,
                        format!("unknown group `{}`", node.attribute("ref").unwrap_or("")),
                    )
                    .hint = Some(hint);
                    return None;
                };
                let decl = self.redefined(doc, node, &q, "group", decl);
                let key = (decl.doc, decl.node.id());
                if self.group_stack.contains(&key) {
                    self.diag(doc, node, format!("group `{}` refers to itself", q.local));
                    return None;
                }
                if self.group_stack.len() >= crate::sources::MAX_DEPTH {
                    self.diag(
                        doc,
                        node,
                        format!(
                            "group references nest more than {} levels deep",
                            crate::sources::MAX_DEPTH
                        ),
                    );
                    return None;
                }
                self.group_stack.push(key);
                let inner = xs_children(decl.node)
                    .find(|c| matches!(c.tag_name().name(), "sequence" | "choice" | "all"));
                let p = inner.and_then(|c| self.particle(decl.doc, c));
                self.group_stack.pop();
                let mut p = p?;
                // The group's own model group has no occurrence attributes; the ref's apply.
                p.min = min;
                p.max = max;
                return Some(p);
            }
            "any" => Term::Any(self.wildcard(doc, node)),
            other => {
                self.diag(
                    doc,
                    node,
                    format!("unexpected xs:{other} in a content model"),
                );
                return None;
            }
        };
        Some(Particle { min, max, term })
    }

    fn wildcard(&mut self, doc: usize, node: Node<'a, 'i>) -> Wildcard {
        let tns = self.docs[doc].tns;
        let namespaces = match node.attribute("namespace").map(str::trim) {
            None | Some("##any") => NamespaceConstraint::Any,
            Some("##other") => NamespaceConstraint::Not(tns.to_string()),
            Some(list) => NamespaceConstraint::List(
                list.split_whitespace()
                    .map(|n| match n {
                        "##targetNamespace" => tns.to_string(),
                        "##local" => String::new(),
                        other => other.to_string(),
                    })
                    .collect(),
            ),
        };
        let process = match node.attribute("processContents") {
            Some("lax") => ProcessContents::Lax,
            Some("skip") => ProcessContents::Skip,
            _ => ProcessContents::Strict,
        };
        Wildcard {
            namespaces,
            process,
        }
    }

    fn element_particle(&mut self, doc: usize, node: Node<'a, 'i>) -> Option<ElementId> {
        if node.has_attribute("ref") {
            let q = self.qname_attr(doc, node, "ref")?;
            return self.element_by_name(doc, node, &q);
        }
        let Some(local) = node.attribute("name") else {
            self.diag(doc, node, "xs:element needs a name or a ref");
            return None;
        };
        let d = self.docs[doc];
        let qualified = match node.attribute("form") {
            Some("qualified") => true,
            Some("unqualified") => false,
            _ => d.elements_qualified,
        };
        let name = QName::new(if qualified { d.tns } else { "" }, local);
        let id = ElementId(self.schema.elements.len() as u32);
        self.schema
            .elements
            .push(placeholder_element(name, self.pos(doc, node)));
        self.fill_element(id, doc, node, false);
        Some(id)
    }

    fn element_by_name(&mut self, doc: usize, node: Node<'a, 'i>, q: &QName) -> Option<ElementId> {
        if let Some(&id) = self.schema.global_elements.get(q) {
            return Some(id);
        }
        match self.index.elements.get(q).copied() {
            Some(decl) => Some(self.global_element(q, decl.doc, decl.node)),
            None => {
                let hint = self.missing_hint(q, "element");
                let raw = node
                    .attribute("ref")
                    .or(node.attribute("element"))
                    .unwrap_or("");
                self.diag(doc, node, format!("unknown element `{raw}` ({q})"))
                    .hint = Some(hint);
                None
            }
        }
    }

    /// A global element by QName, for WSDL message parts. Reports at `node` when it is unknown.
    pub fn element_for(&mut self, doc: usize, node: Node<'a, 'i>, q: &QName) -> Option<ElementId> {
        self.element_by_name(doc, node, q)
    }

    /// A type by QName, for WSDL message parts.
    pub fn type_for(&mut self, doc: usize, node: Node<'a, 'i>, q: &QName, attr: &str) -> TypeId {
        self.lookup_type(doc, node, q, attr)
    }

    fn global_element(&mut self, q: &QName, doc: usize, node: Node<'a, 'i>) -> ElementId {
        if let Some(&id) = self.schema.global_elements.get(q) {
            return id;
        }
        let id = ElementId(self.schema.elements.len() as u32);
        self.schema
            .elements
            .push(placeholder_element(q.clone(), self.pos(doc, node)));
        self.schema.global_elements.insert(q.clone(), id);
        self.fill_element(id, doc, node, true);
        id
    }

    fn fill_element(&mut self, id: ElementId, doc: usize, node: Node<'a, 'i>, global: bool) {
        if self.depth >= MAX_TYPE_DEPTH {
            self.diag(doc, node, format!("element declarations (substitution groups) chain more than {MAX_TYPE_DEPTH} levels deep"))
                .hint = Some("no real schema does this; check for a generated or hostile file".into());
            return;
        }
        self.depth += 1;
        self.fill_element_inner(id, doc, node, global);
        self.depth -= 1;
    }

    fn fill_element_inner(&mut self, id: ElementId, doc: usize, node: Node<'a, 'i>, global: bool) {
        let mut head = None;
        if global
            && node.has_attribute("substitutionGroup")
            && let Some(q) = self.qname_attr(doc, node, "substitutionGroup")
        {
            head = self.element_by_name(doc, node, &q);
        }
        let type_id = if node.has_attribute("type") {
            self.type_ref(doc, node, "type")
        } else if let Some(inline) =
            xs_children(node).find(|c| is_xs(c, "complexType") || is_xs(c, "simpleType"))
        {
            self.anonymous_type(doc, inline)
        } else if let Some(h) = head {
            self.schema.element(h).type_id
        } else {
            self.any_type()
        };
        let e = &mut self.schema.elements[id.0 as usize];
        e.type_id = type_id;
        e.nillable = node.attribute("nillable").is_some_and(is_true);
        e.default = node.attribute("default").map(str::to_string);
        e.fixed = node.attribute("fixed").map(str::to_string);
        e.is_abstract = node.attribute("abstract").is_some_and(is_true);
        e.substitution_group = head;
        e.global = global;
        e.block = node
            .attribute("block")
            .map_or(self.docs[doc].block_default, block_flags);
        let identity = self.identity_constraints(doc, node);
        self.schema.elements[id.0 as usize].identity = identity;
    }

    /// The `xs:unique`, `xs:key` and `xs:keyref` children of an element declaration.
    fn identity_constraints(&mut self, doc: usize, node: Node<'a, 'i>) -> Vec<IdentityConstraint> {
        let tns = self.docs[doc].tns;
        let mut out = Vec::new();
        for c in xs_children(node) {
            let kind = match c.tag_name().name() {
                "unique" => IdentityKind::Unique,
                "key" => IdentityKind::Key,
                "keyref" => match self.qname_attr(doc, c, "refer") {
                    Some(q) => IdentityKind::KeyRef(q),
                    None => continue,
                },
                _ => continue,
            };
            let xpath = |n: Node| n.attribute("xpath").unwrap_or("").to_string();
            let selector = xs_children(c)
                .find(|x| x.tag_name().name() == "selector")
                .map(xpath)
                .unwrap_or_default();
            let fields = xs_children(c)
                .filter(|x| x.tag_name().name() == "field")
                .map(xpath)
                .collect();
            out.push(IdentityConstraint {
                name: QName::new(tns, c.attribute("name").unwrap_or("")),
                kind,
                selector,
                fields,
                namespaces: c
                    .namespaces()
                    .map(|n| (n.name().unwrap_or("").to_string(), n.uri().to_string()))
                    .collect(),
            });
        }
        out
    }

    /// Attribute uses, attribute group refs and anyAttribute under `node`, merged into `ct`.
    /// In a restriction a use overrides the inherited one; `use="prohibited"` removes it.
    fn attributes(
        &mut self,
        doc: usize,
        node: Node<'a, 'i>,
        ct: &mut ComplexType,
        restriction: bool,
    ) {
        for c in xs_children(node) {
            if !self.expand(doc, c) {
                return;
            }
            match c.tag_name().name() {
                "attribute" => {
                    let prohibited = c.attribute("use") == Some("prohibited");
                    let Some(a) = self.attribute_use(doc, c) else {
                        continue;
                    };
                    let existing = ct.attributes.iter().position(|x| x.name == a.name);
                    match (existing, prohibited) {
                        (Some(i), true) => {
                            ct.attributes.remove(i);
                        }
                        (None, true) => {}
                        (Some(i), false) if restriction => ct.attributes[i] = a,
                        (Some(_), false) => {
                            self.diag(
                                doc,
                                c,
                                format!("attribute `{}` is declared twice", a.name.local),
                            );
                        }
                        (None, false) => ct.attributes.push(a),
                    }
                }
                "attributeGroup" => {
                    let Some(q) = self.qname_attr(doc, c, "ref") else {
                        continue;
                    };
                    let Some(decl) = self.index.attribute_groups.get(&q).copied() else {
                        let hint = self.missing_hint(&q, "attributeGroup");
                        self.diag(
                            doc,
                            c,
                            format!(
                                "unknown attributeGroup `{}`",
                                c.attribute("ref").unwrap_or("")
                            ),
                        )
                        .hint = Some(hint);
                        continue;
                    };
                    let decl = self.redefined(doc, c, &q, "attributeGroup", decl);
                    let key = (decl.doc, decl.node.id());
                    if self.group_stack.contains(&key) {
                        self.diag(
                            doc,
                            c,
                            format!("attributeGroup `{}` refers to itself", q.local),
                        );
                        continue;
                    }
                    if self.group_stack.len() >= crate::sources::MAX_DEPTH {
                        self.diag(
                            doc,
                            c,
                            format!(
                                "attribute group references nest more than {} levels deep",
                                crate::sources::MAX_DEPTH
                            ),
                        );
                        continue;
                    }
                    self.group_stack.push(key);
                    self.attributes(decl.doc, decl.node, ct, restriction);
                    self.group_stack.pop();
                }
                "anyAttribute" => {
                    let w = self.wildcard(doc, c);
                    ct.any_attribute = Some(match ct.any_attribute.take() {
                        Some(prev) => w.intersect(&prev),
                        None => w,
                    });
                }
                _ => {}
            }
        }
    }

    fn attribute_use(&mut self, doc: usize, node: Node<'a, 'i>) -> Option<AttributeUse> {
        let required = node.attribute("use") == Some("required");
        let (name, decl_doc, decl) = if node.has_attribute("ref") {
            let q = self.qname_attr(doc, node, "ref")?;
            let Some(d) = self.index.attributes.get(&q).copied() else {
                let hint = self.missing_hint(&q, "attribute");
                self.diag(
                    doc,
                    node,
                    format!(
                        "unknown attribute `{}`",
                        node.attribute("ref").unwrap_or("")
                    ),
                )
                .hint = Some(hint);
                return None;
            };
            (q, d.doc, d.node)
        } else {
            let Some(local) = node.attribute("name") else {
                self.diag(doc, node, "xs:attribute needs a name or a ref");
                return None;
            };
            let d = self.docs[doc];
            let qualified = match node.attribute("form") {
                Some("qualified") => true,
                Some("unqualified") => false,
                _ => d.attributes_qualified,
            };
            (
                QName::new(if qualified { d.tns } else { "" }, local),
                doc,
                node,
            )
        };
        let type_id = if decl.has_attribute("type") {
            self.type_ref(decl_doc, decl, "type")
        } else if let Some(inline) = xs_children(decl).find(|c| is_xs(c, "simpleType")) {
            self.anonymous_type(decl_doc, inline)
        } else {
            self.any_simple()
        };
        if !self.is_simple(type_id) && !self.compiling.contains(&type_id) {
            self.diag(
                decl_doc,
                decl,
                format!(
                    "attribute `{}` has complex type `{}`",
                    name.local,
                    self.schema.type_label(type_id)
                ),
            )
            .hint = Some("attributes must have simple types".into());
        }
        let default = node
            .attribute("default")
            .or(decl.attribute("default"))
            .map(str::to_string);
        let fixed = node
            .attribute("fixed")
            .or(decl.attribute("fixed"))
            .map(str::to_string);
        Some(AttributeUse {
            name,
            type_id,
            required,
            default,
            fixed,
        })
    }
}

/// An occurrence bound: a non-negative integer, saturated at `u32::MAX` (schemas write
/// 79228162514244337593543950335 and mean "many").
fn count(v: &str) -> Option<u32> {
    let digits = v.strip_prefix('+').unwrap_or(v);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(digits.parse::<u32>().unwrap_or(u32::MAX))
}

/// An extension's attribute wildcard: the union of its base's and its own.
fn combine_extension(base: Option<Wildcard>, own: Option<Wildcard>) -> Option<Wildcard> {
    match (base, own) {
        (Some(b), Some(o)) => Some(o.union(&b)),
        (b, o) => o.or(b),
    }
}

fn is_true(v: &str) -> bool {
    matches!(v.trim(), "true" | "1")
}

fn placeholder() -> TypeKind {
    TypeKind::Complex(placeholder_complex())
}

fn placeholder_complex() -> ComplexType {
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

fn placeholder_element(name: QName, pos: SrcPos) -> Element {
    Element {
        name,
        type_id: TypeId(0),
        nillable: false,
        default: None,
        fixed: None,
        is_abstract: false,
        substitution_group: None,
        global: false,
        block: 0,
        identity: Vec::new(),
        pos,
    }
}
