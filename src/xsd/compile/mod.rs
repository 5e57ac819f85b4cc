//! XML Schema documents -> the compiled [`Schema`] graph.
//!
//! Every `xs:schema` element (standalone files, WSDL `types` sections, chameleon includes taking on
//! their includer's target namespace) becomes a [`SchemaDoc`]; their global declarations are indexed
//! by QName; then every global declaration is compiled once, references resolved by QName through
//! the index (so inline schemas that import each other by namespace alone just work).
//!
//! One [`Compiler`] holds the state; its methods are spread over the files by what they compile:
//! - `documents`: adding schema documents (includes, imports, redefines) and indexing their
//!   global declarations;
//! - `names`: QName-valued attributes and references to types, resolved through the index;
//! - `redefine`: `xs:redefine`, its self-references and the restriction witnesses;
//! - `types`: the slot of every type definition, compiled once (global, anonymous, on use);
//! - `simple`: simple types (restriction, list, union) and their facets;
//! - `complex`: complex types and their derivation (simple and complex content), SOAP-encoded
//!   arrays;
//! - `particles`: content models: particles, occurrences, group references, wildcards;
//! - `elements`: element declarations, substitution groups, identity constraints;
//! - `attributes`: attribute uses, attribute group references, attribute wildcards;
//! - `components`: the global component each reference problem lies in and the references
//!   between components, to confine problems to the WSDL operations they concern;
//! - `lenient`: the tolerances of lenient mode (import namespaces, chameleon imports, prefixes
//!   declared elsewhere), each a warning.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use roxmltree::{Node, NodeId};

use super::model::*;
use crate::diag::Diagnostic;
use crate::sources::{SourceSet, at};

mod attributes;
mod complex;
mod components;
mod documents;
mod elements;
mod lenient;
mod names;
mod particles;
mod redefine;
mod simple;
mod types;

pub use components::{Component, ComponentKind, References};
pub use lenient::declared_elsewhere;

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

/// How deep content models may nest, counting the model groups of the groups they refer to and
/// those of the anonymous types inside them (each sequence, choice, all or group reference is a
/// level). Every walk over a content model (the compiler's, the JSON view's, the OpenAPI
/// schemas', the mock's, the validators') recurses along it, so the bound keeps their stacks
/// small; real schemas stay below 30.
const MAX_PARTICLE_DEPTH: usize = 256;

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
    /// The attribute declarations (by schema and node) merged into the complex type whose
    /// attributes are being gathered: one reached again through another attribute group is
    /// the same attribute, not a second one.
    merged_attributes: Vec<(usize, NodeId)>,
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
    /// Content-model levels being compiled inside each other (bounded by
    /// [`MAX_PARTICLE_DEPTH`]), and whether going past it was reported.
    particle_depth: usize,
    nesting_reported: bool,
    /// Patterns compiled beyond [`super::regex::PATTERN_LIMIT`] so far (bounded by
    /// [`super::regex::LARGE_PATTERNS`]: a hostile schema cannot take gigabytes).
    large_patterns: usize,
    scratch: Diagnostic,
    pub diags: Vec<Diagnostic>,
    /// The reference problems among [`Compiler::diags`] (names nothing declares, unbound
    /// prefixes), by index, with the global component each lies in: what a WSDL load may
    /// confine to the operations reaching it.
    pub confined: HashMap<usize, Component>,
    /// What lenient mode tolerated, as warnings.
    pub warnings: Vec<Diagnostic>,
    /// The documents of the set, once a schema was added (chameleon imports are added late).
    documents: &'a [roxmltree::Document<'i>],
    /// Schemas imported without a target namespace that lenient mode may read as chameleons.
    chameleons: Vec<lenient::Chameleon<'a, 'i>>,
    /// The chameleon candidates declaring each name (in the namespace they would take).
    chameleon_names: HashMap<QName, Vec<usize>>,
    /// Lenient mode: the namespace each (source, prefix) is bound to elsewhere in its document.
    elsewhere: RefCell<HashMap<(usize, String), Option<&'a str>>>,
    /// Where reference problems were reported (source, offset), with their component.
    unresolved_spots: HashMap<(usize, usize), Component>,
    /// Lenient mode: the (source, prefix) pairs reported as read from elsewhere.
    prefixes_reported: HashSet<(usize, String)>,
}

/// Whether `node` is the XML Schema element `name`.
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
    /// A compiler for schemas in the documents of `set`, the built-in types installed.
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
            merged_attributes: Vec::new(),
            originals: HashMap::new(),
            original_types: HashMap::new(),
            restricting: Vec::new(),
            depth: 0,
            expanded: 0,
            expansion_reported: false,
            particle_depth: 0,
            nesting_reported: false,
            large_patterns: 0,
            scratch: Diagnostic::new(std::path::Path::new(""), 0, 0, ""),
            diags: Vec::new(),
            confined: HashMap::new(),
            warnings: Vec::new(),
            documents: &[],
            chameleons: Vec::new(),
            chameleon_names: HashMap::new(),
            elsewhere: RefCell::new(HashMap::new()),
            prefixes_reported: HashSet::new(),
            unresolved_spots: HashMap::new(),
        }
    }

    /// Reports a problem at `node` of the schema `doc`; past [`MAX_DIAGNOSTICS`] one last line
    /// says so and the rest go to a scratch diagnostic.
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
        let spot = (self.docs[doc].source, node.range().start);
        if let Some(owner) = self.unresolved_spots.get(&spot) {
            // A consequence of a reference problem at the same place (the type nothing
            // declares read as xs:anyType) is confined with it.
            self.confined.insert(self.diags.len(), owner.clone());
        }
        self.diags
            .push(at(&source.path, &source.text, node.range().start, message));
        self.diags.last_mut().expect("just pushed")
    }

    /// Where `node` of the schema `doc` is, for the compiled model.
    fn pos(&self, doc: usize, node: Node) -> SrcPos {
        SrcPos {
            file: self.docs[doc].source as u32,
            offset: node.range().start as u32,
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
        self.substitution_groups();
        self.record_derivations();
        self.redefinition_witnesses();
    }
}

/// A boolean attribute value that is true.
fn is_true(v: &str) -> bool {
    matches!(v.trim(), "true" | "1")
}
