//! Why an instance breaks its schema: the [`Reason`] of every
//! [`Violation`](super::context::Violation), with [`SimpleError`] for simple values,
//! [`ModelError`] for content models the validator cannot compile and [`IdentityError`] for
//! identity constraints. Each is built only when a check fails; its `Display` is the violation's
//! message, and [`Reason::rule`] its stable code.

use super::instance::show;
use crate::xsd::model::QName;
use crate::xsd::value::LexicalError;

/// Why the instance breaks the schema at one element or attribute.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Reason {
    /// Is raised when a document's root element has no global declaration (and no `xsi:type`).
    #[error("no global element declaration for {}", show(.element))]
    NoDeclaration { element: QName },
    /// Is raised when elements nest more than `limit` levels below the validated element.
    #[error("elements nest more than {limit} levels deep")]
    TooDeep { limit: usize },
    /// Is raised when an element's declaration is abstract.
    #[error("element {} is abstract: use an element of its substitution group", show(.element))]
    AbstractElement { element: QName },
    /// Is raised when an element's type (declared or named by `xsi:type`) is abstract; `ty` is
    /// the type as messages name it.
    #[error("type `{ty}` is abstract: name a derived type with xsi:type")]
    AbstractType { ty: String },
    /// Is raised when `xsi:nil` is not a boolean.
    #[error("xsi:nil must be true or false, found `{found}`")]
    NilNotBoolean { found: String },
    /// Is raised when `xsi:nil` appears on an element whose declaration is not nillable.
    #[error("element {} is not nillable: xsi:nil may not appear", show(.element))]
    NotNillable { element: QName },
    /// Is raised when an element declared with a fixed value is nil.
    #[error("an element with a fixed value cannot be nil")]
    NilFixed,
    /// Is raised when a nil element has text or child elements.
    #[error("a nil element (xsi:nil=\"true\") must be empty")]
    NilNotEmpty,
    /// Is raised when `xsi:type` (`xsi_type`, as written) is not a QName whose prefix is bound.
    #[error("xsi:type `{xsi_type}` is not a QName bound in scope")]
    XsiTypeNotQName { xsi_type: String },
    /// Is raised when `xsi:type` names no global type.
    #[error("xsi:type names an unknown type {}", show(.name))]
    XsiTypeUnknown { name: QName },
    /// Is raised when the type `xsi:type` names does not derive from the declared type.
    #[error("xsi:type `{xsi_type}` does not derive from the declared type `{declared}`")]
    XsiTypeNotDerived { xsi_type: String, declared: String },
    /// Is raised when the type `xsi:type` names derives from the declared type by a method the
    /// declaration or a type on the way blocks.
    #[error(
        "xsi:type `{xsi_type}` may not replace `{declared}`: the derivation is blocked (`block`)"
    )]
    XsiTypeBlocked { xsi_type: String, declared: String },
    /// Is raised when the content model of the element's type cannot be compiled.
    #[error(transparent)]
    Model(ModelError),
    /// Is raised when an element of element-only content has text other than whitespace.
    #[error("text is not allowed in element {} (element-only content)", show(.element))]
    TextNotAllowed { element: QName },
    /// Is raised when a child element is not one the content model allows at its place;
    /// `expected` says what could come instead.
    #[error("unexpected element {}; {expected}", show(.element))]
    UnexpectedElement { element: QName, expected: String },
    /// Is raised when the children of an element end before its content model is satisfied;
    /// `expected` says what is missing.
    #[error("element {} is incomplete; {expected}", show(.element))]
    Incomplete { element: QName, expected: String },
    /// Is raised when an element of a simple type has a child element.
    #[error("element {} has simple type `{ty}`: no child elements allowed", show(.element))]
    ChildOfSimpleType { element: QName, ty: String },
    /// Is raised when an element of a complex type with simple content has a child element.
    #[error("element {} has simple content: no child elements allowed", show(.element))]
    ChildOfSimpleContent { element: QName },
    /// Is raised when an element of a type with empty content has children or text.
    #[error("element {} must be empty (type `{ty}`)", show(.element))]
    NotEmpty { element: QName, ty: String },
    /// Is raised when a strict wildcard matches an element with no global declaration.
    #[error(
        "no global declaration for element {} (the wildcard is strict)",
        show(.element)
    )]
    StrictWildcard { element: QName },
    /// Is raised when an attribute in the XML Schema instance namespace is not one it defines.
    #[error("unknown xsi:{name} attribute")]
    UnknownXsiAttribute { name: String },
    /// Is raised when an element has a second attribute of type xs:ID.
    #[error("an element may have at most one attribute of type xs:ID")]
    SecondId,
    /// Is raised when a required attribute is absent.
    #[error("required attribute {} is missing", show(.attribute))]
    MissingAttribute { attribute: QName },
    /// Is raised when a strict `anyAttribute` matches an attribute with no global declaration.
    #[error(
        "no global declaration for attribute {} (anyAttribute is strict)",
        show(.attribute)
    )]
    StrictAnyAttribute { attribute: QName },
    /// Is raised when an attribute is neither declared by the element's type nor admitted by
    /// its `anyAttribute`.
    #[error(
        "attribute {} is not allowed on element {}",
        show(.attribute),
        show(.element)
    )]
    AttributeNotAllowed { attribute: QName, element: QName },
    /// Is raised when an element's text or an attribute's value is not a value of its type.
    #[error(transparent)]
    Value(SimpleError),
    /// Is raised when an element declared with a fixed value has another value (`found`, its
    /// text trimmed).
    #[error("the value must be the fixed value `{fixed}`, found `{found}`")]
    FixedValue { fixed: String, found: String },
    /// Is raised when an attribute declared with a fixed value has another value.
    #[error("attribute `{attribute}` must have the fixed value `{fixed}`")]
    FixedAttribute { attribute: String, fixed: String },
    /// Is raised when mixed content declared with a fixed value has child elements or other
    /// text.
    #[error("the content must be the fixed value `{fixed}`")]
    FixedContent { fixed: String },
    /// Is raised when an identity constraint (`unique`, `key`, `keyref`) does not hold.
    #[error(transparent)]
    Identity(IdentityError),
    /// Is raised when an IDREF names no ID of the document.
    #[error("IDREF `{idref}` names no ID in the document")]
    DanglingIdref { idref: String },
}

impl Reason {
    /// The stable code of the rule broken: `declaration`, `depth`, `abstract`, `nil`, `type`,
    /// `content`, `wildcard`, `attribute`, `value`, `fixed`, `identity` or `idref`.
    pub fn rule(&self) -> &'static str {
        use Reason::*;
        match self {
            NoDeclaration { .. } => "declaration",
            TooDeep { .. } => "depth",
            AbstractElement { .. } | AbstractType { .. } => "abstract",
            NilNotBoolean { .. } | NotNillable { .. } | NilFixed | NilNotEmpty => "nil",
            XsiTypeNotQName { .. }
            | XsiTypeUnknown { .. }
            | XsiTypeNotDerived { .. }
            | XsiTypeBlocked { .. } => "type",
            Model(_)
            | TextNotAllowed { .. }
            | UnexpectedElement { .. }
            | Incomplete { .. }
            | ChildOfSimpleType { .. }
            | ChildOfSimpleContent { .. }
            | NotEmpty { .. } => "content",
            StrictWildcard { .. } => "wildcard",
            UnknownXsiAttribute { .. }
            | SecondId
            | MissingAttribute { .. }
            | StrictAnyAttribute { .. }
            | AttributeNotAllowed { .. } => "attribute",
            Value(_) => "value",
            FixedValue { .. } | FixedAttribute { .. } | FixedContent { .. } => "fixed",
            Identity(_) => "identity",
            DanglingIdref { .. } => "idref",
        }
    }
}

/// Why a text is not a value of a simple type: its lexical form, its list items or union
/// members, its ID, or a facet. `lexical` is the whitespace-normalized text the facet saw.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SimpleError {
    /// Is raised when the type is a list or union that reaches itself through its item or
    /// member types (a broken schema); `ty` is the type as messages name it.
    #[error("type `{ty}` is a list or union that contains itself")]
    Cyclic { ty: String },
    /// Is raised when the text is not in the lexical space of the type's built-in base.
    #[error(transparent)]
    Lexical(#[from] LexicalError),
    /// Is raised when an xs:ID value is used a second time in the document.
    #[error("ID `{id}` is not unique in the document")]
    DuplicateId { id: String },
    /// Is raised when an item of a list is not a value of the item type.
    #[error("list item: {0}")]
    ListItem(Box<SimpleError>),
    /// Is raised when the text (`text`, trimmed) is a value of no member type of a union
    /// (`union`, as messages name it).
    #[error("`{text}` is valid for no member of the union `{union}`")]
    NoUnionMember { text: String, union: String },
    /// Is raised when the text matches none of the patterns of one derivation step
    /// (`patterns`, joined with ` | `).
    #[error("`{lexical}` does not match the pattern {patterns}")]
    Pattern { lexical: String, patterns: String },
    /// Is raised when the length (characters, bytes or list items) is not the `length` facet.
    #[error("`{lexical}`: length must be {length}, found {found}")]
    Length {
        lexical: String,
        length: u64,
        found: u64,
    },
    /// Is raised when the length is below the `minLength` facet.
    #[error("`{lexical}`: length must be at least {min}, found {found}")]
    MinLength {
        lexical: String,
        min: u64,
        found: u64,
    },
    /// Is raised when the length is above the `maxLength` facet.
    #[error("`{lexical}`: length must be at most {max}, found {found}")]
    MaxLength {
        lexical: String,
        max: u64,
        found: u64,
    },
    /// Is raised when the value is none of the enumeration's; `values` shows the first 20,
    /// comma-separated (`, ...` after them when there are more).
    #[error("`{lexical}` is not one of: {values}")]
    Enumeration { lexical: String, values: String },
    /// Is raised when the value is below (or incomparable with) the `minInclusive` facet
    /// (`bound`, as the schema writes it).
    #[error("`{lexical}` must be at least {bound}")]
    MinInclusive { lexical: String, bound: String },
    /// Is raised when the value is above (or incomparable with) the `maxInclusive` facet.
    #[error("`{lexical}` must be at most {bound}")]
    MaxInclusive { lexical: String, bound: String },
    /// Is raised when the value is not above the `minExclusive` facet.
    #[error("`{lexical}` must be more than {bound}")]
    MinExclusive { lexical: String, bound: String },
    /// Is raised when the value is not below the `maxExclusive` facet.
    #[error("`{lexical}` must be less than {bound}")]
    MaxExclusive { lexical: String, bound: String },
    /// Is raised when a decimal has more significant digits than the `totalDigits` facet.
    #[error("`{lexical}` has more than {max} digits")]
    TotalDigits { lexical: String, max: u32 },
    /// Is raised when a decimal has more fraction digits than the `fractionDigits` facet.
    #[error("`{lexical}` has more than {max} fraction digits")]
    FractionDigits { lexical: String, max: u32 },
}

/// Why a complex type's content model cannot be compiled into an automaton (its elements are
/// then reported instead of checked).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// Is raised when model groups nest more than 512 levels deep.
    #[error("content model nests too deeply")]
    TooDeep,
    /// Is raised when an `xs:all` has more than 64 particles (the automaton keeps them as bits).
    #[error("xs:all with {particles} particles (at most 64 are supported)")]
    AllTooLarge { particles: usize },
}

/// Why an identity constraint does not hold at a selected element. `constraint` is the
/// constraint's local name; `values` a row of field values, comma-separated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    /// Is raised when a field of the constraint does not select one simple value.
    #[error("{constraint}: {problem}")]
    Field {
        constraint: String,
        problem: FieldValueError,
    },
    /// Is raised when a field of a `key` selects nothing.
    #[error("key `{constraint}`: a field has no value")]
    KeyFieldMissing { constraint: String },
    /// Is raised when two elements selected by a `key` have the same values.
    #[error("key `{constraint}`: the value ({values}) is not unique")]
    DuplicateKey { constraint: String, values: String },
    /// Is raised when two elements selected by a `unique` have the same values.
    #[error("unique `{constraint}`: the value ({values}) is not unique")]
    DuplicateUnique { constraint: String, values: String },
    /// Is raised when no element selected by the key or unique constraint `refer` has the
    /// values of a `keyref`.
    #[error("keyref `{constraint}`: no `{refer}` has the value ({values})")]
    KeyrefNotFound {
        constraint: String,
        refer: String,
        values: String,
    },
}

/// Why a field of an identity constraint gives no value to compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FieldValueError {
    /// Is raised when the field selects an element that has child elements.
    #[error("a field selects an element with element content")]
    ElementContent,
    /// Is raised when the field selects more than one element or attribute.
    #[error("a field selects more than one value")]
    SeveralValues,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xsd::value::Value;

    /// A simple value's error takes no more room than the value it stands in for, so the
    /// validator's `Result`s are no larger than the value alone.
    #[test]
    fn errors_stay_small() {
        use std::mem::size_of;
        assert_eq!(size_of::<Result<Value, SimpleError>>(), size_of::<Value>());
        assert!(size_of::<SimpleError>() <= 56);
    }

    #[test]
    fn rules_and_words() {
        let q = QName::new("urn:x", "order");
        let e = Reason::Incomplete {
            element: q.clone(),
            expected: "expected `id`".into(),
        };
        assert_eq!(e.rule(), "content");
        assert_eq!(
            e.to_string(),
            "element `order` (namespace `urn:x`) is incomplete; expected `id`"
        );
        let e = Reason::Value(SimpleError::ListItem(Box::new(SimpleError::MaxLength {
            lexical: "abcd".into(),
            max: 3,
            found: 4,
        })));
        assert_eq!(e.rule(), "value");
        assert_eq!(
            e.to_string(),
            "list item: `abcd`: length must be at most 3, found 4"
        );
        let e = Reason::Identity(IdentityError::Field {
            constraint: "k".into(),
            problem: FieldValueError::SeveralValues,
        });
        assert_eq!(
            (e.rule(), e.to_string().as_str()),
            ("identity", "k: a field selects more than one value")
        );
        let e = Reason::Model(ModelError::AllTooLarge { particles: 65 });
        assert_eq!(
            e.to_string(),
            "xs:all with 65 particles (at most 64 are supported)"
        );
        assert_eq!(
            Reason::TooDeep { limit: 256 }.to_string(),
            "elements nest more than 256 levels deep"
        );
    }
}
