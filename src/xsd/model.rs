//! The compiled type graph: arenas of types, elements and attribute uses, addressed by ids.
//!
//! Recursive types are fine: a particle refers to an element by [`ElementId`], an element to its
//! type by [`TypeId`], so cycles are just ids that point back.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

pub use crate::xml::{SOAP11_ENC, SOAP12_ENC, XML, XS, XS_LEGACY, XSI, is_xs_ns};

pub use super::name::Name;

/// A namespace-qualified name. `ns` is empty for names in no namespace. Both parts are
/// [`Name`]s: shared copies, so a clone allocates nothing.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QName {
    pub ns: Name,
    pub local: Name,
}

impl QName {
    pub fn new(ns: impl Into<Name>, local: impl Into<Name>) -> QName {
        QName {
            ns: ns.into(),
            local: local.into(),
        }
    }

    /// The name if both its parts are interned ([`Name::find`]); `None` says no compiled table
    /// holds it (every key of one is interned), for lookups by names read from an answer.
    pub fn find(ns: &str, local: &str) -> Option<QName> {
        Some(QName {
            ns: Name::find(ns)?,
            local: Name::find(local)?,
        })
    }
}

impl fmt::Display for QName {
    /// `{namespace}local`, or just `local` in no namespace (James Clark notation).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ns.is_empty() {
            f.write_str(&self.local)
        } else {
            write!(f, "{{{}}}{}", self.ns, self.local)
        }
    }
}

/// Index of a [`Type`] in [`Schema::types`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypeId(pub u32);
/// Index of an [`Element`] in [`Schema::elements`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ElementId(pub u32);

/// Where a declaration was written: index into [`Schema::files`] and byte offset. Line and
/// column are computed only when a message needs them ([`crate::diag::line_col`]), so loading
/// stays linear in the size of the files.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SrcPos {
    pub file: u32,
    pub offset: u32,
}

/// The compiled schema set of one WSDL (or one XSD).
#[derive(Debug, Default)]
pub struct Schema {
    pub types: Vec<Type>,
    pub elements: Vec<Element>,
    pub global_types: HashMap<QName, TypeId>,
    pub global_elements: HashMap<QName, ElementId>,
    /// Global attribute declarations (for `xs:anyAttribute` and `xsi:` attributes).
    pub global_attributes: HashMap<QName, AttributeUse>,
    /// Head element -> the global elements that may substitute for it (transitively).
    pub substitutes: HashMap<ElementId, Vec<ElementId>>,
    /// Base type -> the named types derived from it (directly), for `xsi:type` polymorphism.
    pub derived: HashMap<TypeId, Vec<TypeId>>,
    /// Every file that took part, in load order (index 0 is the entry document).
    pub files: Vec<std::path::PathBuf>,
}

/// A bare schema is its own: what a [`crate::convert::model::JsonModel`] views.
impl AsRef<Schema> for Schema {
    fn as_ref(&self) -> &Schema {
        self
    }
}

impl Schema {
    pub fn ty(&self, id: TypeId) -> &Type {
        &self.types[id.0 as usize]
    }
    pub fn element(&self, id: ElementId) -> &Element {
        &self.elements[id.0 as usize]
    }
    /// The built-in type `xs:<local>`.
    pub fn builtin(&self, local: &str) -> Option<TypeId> {
        self.global_types.get(&QName::new(XS, local)).copied()
    }
    /// A short display name for a type: its QName's local part, or `(anonymous)`.
    pub fn type_label(&self, id: TypeId) -> String {
        match &self.ty(id).name {
            Some(q) if q.ns == XS => format!("xs:{}", q.local),
            Some(q) => q.local.to_string(),
            None => match &self.ty(id).kind {
                TypeKind::Simple(s) => format!("({})", self.type_label(s.base_builtin)),
                TypeKind::Complex(_) => "(anonymous)".to_string(),
            },
        }
    }
    /// Gives back the room the arenas, tables and content models grew into while compiling
    /// (up to half of each): a compiled schema is kept as long as its mapping is served.
    pub fn shrink_to_fit(&mut self) {
        self.types.shrink_to_fit();
        self.elements.shrink_to_fit();
        self.global_types.shrink_to_fit();
        self.global_elements.shrink_to_fit();
        self.global_attributes.shrink_to_fit();
        self.substitutes.shrink_to_fit();
        self.derived.shrink_to_fit();
        for t in &mut self.types {
            let TypeKind::Complex(ct) = &mut t.kind else {
                continue;
            };
            ct.attributes.shrink_to_fit();
            // A model shared with another type is left as it is.
            let Some(p) = (match &mut ct.content {
                Content::Elements(p) => Arc::get_mut(p),
                _ => None,
            }) else {
                continue;
            };
            // Iterative: content models may nest deep.
            let mut stack = vec![p];
            while let Some(Particle { term, .. }) = stack.pop() {
                if let Term::Sequence(ps) | Term::Choice(ps) | Term::All(ps) = term {
                    ps.shrink_to_fit();
                    stack.extend(ps.iter_mut());
                }
            }
        }
    }

    /// Whether `derived` is `base` or derives from it by any number of steps.
    pub fn derives_from(&self, derived: TypeId, base: TypeId) -> bool {
        let mut cur = Some(derived);
        let mut steps = 0;
        while let Some(t) = cur {
            if t == base {
                return true;
            }
            steps += 1;
            if steps > 1000 {
                return false;
            }
            cur = self.ty(t).base;
        }
        false
    }
}

/// A simple or complex type, named (global) or anonymous.
#[derive(Debug, Clone)]
pub struct Type {
    pub name: Option<QName>,
    /// The type this one derives from (`None` only for `xs:anyType`).
    pub base: Option<TypeId>,
    pub kind: TypeKind,
    pub pos: SrcPos,
}

#[derive(Debug, Clone)]
pub enum TypeKind {
    Simple(SimpleType),
    Complex(ComplexType),
}

/// The built-in primitive (or special) type at the root of a simple type's derivation.
/// Derived built-ins (`xs:int`, `xs:token`, ...) are simple types restricting these with facets,
/// and are named by [`SimpleType::base_builtin`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Primitive {
    AnySimple,
    String,
    Boolean,
    Decimal,
    Float,
    Double,
    Duration,
    DateTime,
    Time,
    Date,
    GYearMonth,
    GYear,
    GMonthDay,
    GDay,
    GMonth,
    HexBinary,
    Base64Binary,
    AnyUri,
    QName,
    Notation,
}

#[derive(Debug, Clone)]
pub struct SimpleType {
    pub primitive: Primitive,
    /// The nearest built-in type in the derivation chain (itself for built-ins): `xs:int` for a
    /// restriction of `xs:int`. Drives the JSON representation.
    pub base_builtin: TypeId,
    pub variety: Variety,
    /// Boxed: most types are complex, and a type's size is its largest kind's.
    pub facets: Box<Facets>,
}

#[derive(Debug, Clone)]
pub enum Variety {
    Atomic,
    List(TypeId),
    Union(Vec<TypeId>),
}

/// Constraining facets, as written (values stay lexical; validation interprets them).
#[derive(Debug, Clone, Default)]
pub struct Facets {
    pub enumeration: Vec<String>,
    /// Each restriction step's patterns; a value must match one pattern of every step.
    pub patterns: Vec<Vec<String>>,
    /// The steps of `patterns` translated and compiled (pattern text, regex), checked on every
    /// value. A step with a pattern that has no translation is left out (and listed in
    /// `unenforced`). Shared: a pattern is compiled once for every schema holding it.
    pub regexes: Vec<Vec<(String, Arc<regex::Regex>)>>,
    /// The patterns of the steps left out of `regexes`: values are not checked against them.
    pub unenforced: Vec<Unenforced>,
    pub length: Option<u64>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub min_inclusive: Option<String>,
    pub max_inclusive: Option<String>,
    pub min_exclusive: Option<String>,
    pub max_exclusive: Option<String>,
    pub total_digits: Option<u32>,
    pub fraction_digits: Option<u32>,
    pub white_space: Option<WhiteSpace>,
}

/// A pattern facet that cannot be enforced (no translation to the regex engine, or too large
/// within the schema's budget), and where it is written: a mapping must accept it by name
/// (`unenforced_patterns`), else `check` refuses it there.
#[derive(Debug, Clone, PartialEq)]
pub struct Unenforced {
    /// The pattern as written.
    pub pattern: String,
    /// Why its step cannot be compiled (the step's first pattern that failed).
    pub reason: crate::xsd::regex::RegexError,
    /// The file of the `xs:pattern` element, and its 1-based line and column.
    pub file: std::path::PathBuf,
    pub line: u32,
    pub col: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhiteSpace {
    Preserve,
    Replace,
    Collapse,
}

#[derive(Debug, Clone)]
pub struct ComplexType {
    pub derivation: Derivation,
    pub content: Content,
    pub mixed: bool,
    pub is_abstract: bool,
    /// Attribute uses, inherited ones included (base first).
    pub attributes: Vec<AttributeUse>,
    /// Boxed: most types have none, and a type's size is its largest kind's.
    pub any_attribute: Option<Box<Wildcard>>,
    /// For a SOAP-encoded array (a restriction of `soapenc:Array` with `wsdl:arrayType`): the item type.
    pub array_of: Option<TypeId>,
    /// `block` (or the schema's `blockDefault`): derivation methods ([`BLOCK_EXTENSION`],
    /// [`BLOCK_RESTRICTION`]) by which derived types may not replace this one in instances.
    pub block: u8,
}

/// `block`/`blockDefault` flag: no substitution by types derived by extension.
pub const BLOCK_EXTENSION: u8 = 1;
/// `block`/`blockDefault` flag: no substitution by types derived by restriction.
pub const BLOCK_RESTRICTION: u8 = 2;
/// `block`/`blockDefault` flag (elements only): no substitution-group members.
pub const BLOCK_SUBSTITUTION: u8 = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Derivation {
    None,
    Extension,
    Restriction,
}

#[derive(Debug, Clone)]
pub enum Content {
    /// No children, no text.
    Empty,
    /// Text of the given simple type (simpleContent).
    Simple(TypeId),
    /// Child elements (the effective content model, inherited particles first). Shared: a type
    /// that only inherits its base's model, and the JSON view of a model with nothing to
    /// substitute, hold the same one.
    Elements(Arc<Particle>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaxOccurs {
    Bounded(u32),
    Unbounded,
}

impl MaxOccurs {
    /// True when the particle can occur more than once (a JSON array).
    pub fn is_many(self) -> bool {
        !matches!(self, MaxOccurs::Bounded(0 | 1))
    }
}

impl fmt::Display for MaxOccurs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MaxOccurs::Bounded(n) => write!(f, "{n}"),
            MaxOccurs::Unbounded => f.write_str("*"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Particle {
    pub min: u32,
    pub max: MaxOccurs,
    pub term: Term,
}

#[derive(Debug, Clone)]
pub enum Term {
    Element(ElementId),
    Sequence(Vec<Particle>),
    Choice(Vec<Particle>),
    All(Vec<Particle>),
    /// Boxed: wildcards are rare, and a particle is as large as its largest term.
    Any(Box<Wildcard>),
}

/// `xs:any` / `xs:anyAttribute`.
#[derive(Debug, Clone)]
pub struct Wildcard {
    pub namespaces: NamespaceConstraint,
    pub process: ProcessContents,
}

impl Wildcard {
    /// The union of two wildcards (an extension adding an `anyAttribute` to its base's), with
    /// `self`'s processContents. Where XSD 1.0 says the union is not expressible, the wider
    /// constraint is kept.
    pub fn union(&self, other: &Wildcard) -> Wildcard {
        use NamespaceConstraint::*;
        let namespaces = match (&self.namespaces, &other.namespaces) {
            (Any, _) | (_, Any) => Any,
            (List(a), List(b)) => {
                let mut l = a.clone();
                l.extend(b.iter().filter(|n| !a.contains(n)).cloned());
                List(l)
            }
            (Not(a), Not(b)) if a == b => Not(a.clone()),
            (Not(_), Not(_)) => Not(String::new()),
            (Not(t), List(l)) | (List(l), Not(t)) => {
                if l.contains(t) && l.iter().any(String::is_empty) {
                    Any
                } else if l.contains(t) {
                    Not(String::new())
                } else {
                    Not(t.clone())
                }
            }
        };
        Wildcard {
            namespaces,
            process: self.process,
        }
    }

    /// The intersection of two wildcards (attribute groups' and a type's own `anyAttribute`),
    /// with `self`'s processContents.
    pub fn intersect(&self, other: &Wildcard) -> Wildcard {
        use NamespaceConstraint::*;
        let namespaces = match (&self.namespaces, &other.namespaces) {
            (Any, x) | (x, Any) => x.clone(),
            (List(a), List(b)) => List(a.iter().filter(|n| b.contains(n)).cloned().collect()),
            (Not(a), Not(_)) => Not(a.clone()),
            (Not(t), List(l)) | (List(l), Not(t)) => List(
                l.iter()
                    .filter(|n| *n != t && !n.is_empty())
                    .cloned()
                    .collect(),
            ),
        };
        Wildcard {
            namespaces,
            process: self.process,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NamespaceConstraint {
    Any,
    /// `##other`: any namespace but this one (the schema's target namespace) and no namespace.
    Not(String),
    /// An explicit list (`""` stands for `##local`).
    List(Vec<String>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcessContents {
    Strict,
    Lax,
    Skip,
}

#[derive(Debug, Clone)]
pub struct Element {
    /// The name as it appears in XML: namespace set when the element is qualified.
    pub name: QName,
    pub type_id: TypeId,
    pub nillable: bool,
    pub is_abstract: bool,
    /// Global (top-level) declaration.
    pub global: bool,
    /// `block` (or the schema's `blockDefault`): [`BLOCK_EXTENSION`], [`BLOCK_RESTRICTION`],
    /// [`BLOCK_SUBSTITUTION`] flags.
    pub block: u8,
    /// The head of this element's substitution group.
    pub substitution_group: Option<ElementId>,
    pub pos: SrcPos,
    /// The rare parts (a value constraint, identity constraints), boxed: a declaration without
    /// them keeps one word for them all ([`Element::default_value`], [`Element::fixed_value`],
    /// [`Element::identity`]).
    pub rare: Option<Box<ElementRare>>,
}

/// What few element declarations have.
#[derive(Debug, Clone, Default)]
pub struct ElementRare {
    pub default: Option<Box<str>>,
    pub fixed: Option<Box<str>>,
    /// `xs:unique`, `xs:key` and `xs:keyref` of this declaration.
    pub identity: Box<[IdentityConstraint]>,
}

impl Element {
    /// The `default` value.
    pub fn default_value(&self) -> Option<&str> {
        self.rare.as_ref()?.default.as_deref()
    }

    /// The `fixed` value.
    pub fn fixed_value(&self) -> Option<&str> {
        self.rare.as_ref()?.fixed.as_deref()
    }

    /// The identity constraints (`xs:unique`, `xs:key`, `xs:keyref`).
    pub fn identity(&self) -> &[IdentityConstraint] {
        self.rare.as_ref().map_or(&[], |r| &r.identity)
    }

    /// Sets the rare parts; none given keeps none.
    pub fn set_rare(&mut self, rare: ElementRare) {
        self.rare = (rare.default.is_some() || rare.fixed.is_some() || !rare.identity.is_empty())
            .then(|| Box::new(rare));
    }
}

/// An identity constraint of an element declaration.
#[derive(Debug, Clone)]
pub struct IdentityConstraint {
    pub name: QName,
    pub kind: IdentityKind,
    /// The selector's XPath (restricted XPath of XML Schema 1.0 §3.11.6), as written.
    pub selector: String,
    /// Each field's XPath, as written.
    pub fields: Vec<String>,
    /// Namespace prefixes in scope of the constraint, for the XPaths: (prefix, URI).
    pub namespaces: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentityKind {
    Unique,
    Key,
    /// The key or unique constraint referred to.
    KeyRef(QName),
}

#[derive(Debug, Clone)]
pub struct AttributeUse {
    pub name: QName,
    pub type_id: TypeId,
    pub required: bool,
    pub default: Option<String>,
    pub fixed: Option<String>,
}
