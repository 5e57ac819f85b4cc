//! What can go wrong reading XML as JSON, typed: where ([`DecodeError::path`], the path of local
//! names from the root, `/@name` for an attribute) and what was expected and found
//! ([`DecodeError::mismatch`]).

use roxmltree::Node;

use crate::xsd::QName;
use crate::xsd::facets::ValueError;

/// XML that does not fit its declaration, and where. Boxed, so that the decoder's results stay
/// one word wide on the hot path (nothing is allocated unless something does not fit).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}: {}", .0.path, .0.mismatch)]
pub struct DecodeError(Box<Located>);

#[derive(Debug, Clone)]
struct Located {
    path: String,
    mismatch: Mismatch,
}

impl DecodeError {
    /// A mismatch at element `n`.
    pub(crate) fn at(n: Node, mismatch: Mismatch) -> DecodeError {
        DecodeError(Box::new(Located {
            path: path_of(n),
            mismatch,
        }))
    }

    /// A mismatch at the attribute `local` of element `n`.
    pub(super) fn at_attribute(n: Node, local: &str, mismatch: Mismatch) -> DecodeError {
        DecodeError(Box::new(Located {
            path: format!("{}/@{local}", path_of(n)),
            mismatch,
        }))
    }

    /// Where: the element's path of local names from the root
    /// (`/Envelope/Body/GetOrderResponse/item`), plus `/@name` for one of its attributes.
    pub fn path(&self) -> &str {
        &self.0.path
    }

    /// What was expected, and what was found there.
    pub fn mismatch(&self) -> &Mismatch {
        &self.0.mismatch
    }
}

/// What does not fit.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Mismatch {
    /// Is raised when a required child element is absent (its local name).
    #[error("required element `{0}` is missing")]
    MissingElement(String),
    /// Is raised when a required attribute is absent (its local name).
    #[error("required attribute `{0}` is missing")]
    MissingAttribute(String),
    /// Is raised when a child element is not one the content model takes (and no wildcard
    /// takes it).
    #[error("unexpected element `{name}` (namespace `{namespace}`)")]
    UnexpectedElement {
        /// Its local name.
        name: String,
        /// Its namespace (empty for none).
        namespace: String,
    },
    /// Is raised when an element of a simple type has a child element.
    #[error("unexpected element `{0}` in a simple value")]
    ElementInSimpleValue(String),
    /// Is raised when an element of a type with simple content has a child element.
    #[error("unexpected element `{0}` in simple content")]
    ElementInSimpleContent(String),
    /// Is raised when an element of a type with empty content has a child element.
    #[error("unexpected element `{0}` (the type has no content)")]
    ElementInEmptyContent(String),
    /// Is raised when an element with element-only content holds text (other than whitespace).
    #[error("unexpected text in element-only content")]
    TextInElementContent,
    /// Is raised when an element that may occur once occurs again (its local name).
    #[error("`{0}` appears more than once")]
    Repeated(String),
    /// Is raised when a required choice of single elements has none or several of them.
    #[error("exactly one of {} is allowed (a choice), found {found}", .names.join(", "))]
    Choice {
        /// The local names of the choice's elements.
        names: Vec<String>,
        /// How many of them were found.
        found: usize,
    },
    /// Is raised when a text or an attribute value is not a value of its simple type (the error
    /// says what the type takes).
    #[error("{0}")]
    Value(ValueError),
    /// Is raised when `xsi:nil` marks an element whose declaration is not nillable.
    #[error("xsi:nil on an element that is not nillable")]
    NotNillable,
    /// Is raised when `xsi:type` names a type not derived from the declared one (literal
    /// messages).
    #[error("xsi:type `{0}` is not derived from the declared type")]
    NotDerived(String),
    /// Is raised when `xsi:type` names a type the schema does not have (literal messages).
    #[error("unknown xsi:type `{0}`")]
    UnknownType(String),
    /// Is raised when an encoded reference (`href="#id"`, `enc:ref`) names no element's `id`.
    #[error("the reference `{0}` points to no element")]
    DanglingReference(String),
    /// Is raised when following shared references would read more elements than the answer's
    /// budget (four times its own size, at least 100,000).
    #[error(
        "the answer's references expand to too many elements (shared references nested in shared references?)"
    )]
    ReferencesTooLarge,
    /// Is raised when references are followed inside each other deeper than the limit (a cycle).
    #[error("references nest deeper than {0} (a cycle?)")]
    ReferencesTooDeep(u32),
    /// Is raised when a value nests deeper than the limit, references followed included.
    #[error("the answer's values nest deeper than {0} (references followed included)")]
    TooDeep(u32),
    /// Is raised when one field of an element is read from an element whose type is not
    /// complex.
    #[error("not a complex type")]
    NotComplex,
    /// Is raised when one field of an element is read and its type has no field of that key.
    #[error("no field `{0}`")]
    NoField(String),
    /// Is raised when the Body does not hold the element the operation's message declares:
    /// another element, or nothing. Names carry their namespace when only that differs.
    #[error("expected {} in the Body, found {}", shown(.expected, .found.as_ref()).0, shown(.expected, .found.as_ref()).1)]
    BodyElement {
        /// The element the message declares.
        expected: QName,
        /// The Body's first element, if any.
        found: Option<QName>,
    },
    /// Is raised when an rpc answer's Body holds no wrapper element.
    #[error("the Body is empty")]
    EmptyBody,
    /// Is raised when the decoder itself went wrong (a bug, never the answer's fault).
    #[error("internal: {0}")]
    Internal(&'static str),
}

/// Where in the XML a node is: a simple path of local names.
pub(super) fn path_of(n: Node) -> String {
    let mut parts: Vec<&str> = n
        .ancestors()
        .filter(|a| a.is_element())
        .map(|a| a.tag_name().name())
        .collect();
    parts.reverse();
    format!("/{}", parts.join("/"))
}

/// The expected and the found name for a message: local names, or both with their namespace
/// (`{urn:a}Name`, `Name` (no namespace)) when only the namespace differs.
fn shown(expected: &QName, found: Option<&QName>) -> (String, String) {
    let qualified = |q: &QName| {
        if q.ns.is_empty() {
            format!("`{}` (no namespace)", q.local)
        } else {
            format!("`{q}`")
        }
    };
    match found {
        None => (format!("`{}`", expected.local), "nothing".to_string()),
        Some(f) if f.local == expected.local => (qualified(expected), qualified(f)),
        Some(f) => (format!("`{}`", expected.local), format!("`{}`", f.local)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_element_names_carry_their_namespace_when_only_it_differs() {
        let expected = QName::new("urn:a", "TestResponse");
        let says = |found: Option<QName>| {
            Mismatch::BodyElement {
                expected: expected.clone(),
                found,
            }
            .to_string()
        };
        assert_eq!(
            says(Some(QName::new("", "TestResponse"))),
            "expected `{urn:a}TestResponse` in the Body, found `TestResponse` (no namespace)"
        );
        assert_eq!(
            says(Some(QName::new("urn:a", "Other"))),
            "expected `TestResponse` in the Body, found `Other`"
        );
        assert_eq!(
            says(None),
            "expected `TestResponse` in the Body, found nothing"
        );
    }

    #[test]
    fn errors_say_where() {
        let doc = roxmltree::Document::parse("<a><b x='1'/></a>").unwrap();
        let b = doc.root_element().first_child().unwrap();
        let e = DecodeError::at(b, Mismatch::MissingElement("c".into()));
        assert_eq!(e.path(), "/a/b");
        assert_eq!(e.to_string(), "/a/b: required element `c` is missing");
        let e = DecodeError::at_attribute(b, "x", Mismatch::NotNillable);
        assert_eq!(e.path(), "/a/b/@x");
        assert!(matches!(e.mismatch(), Mismatch::NotNillable));
    }
}
