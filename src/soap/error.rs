//! What can go wrong reading an envelope, typed: [`TextError`] when its bytes are not text,
//! [`EnvelopeError`] when the text is not a SOAP envelope within the limits ([`LimitExceeded`]
//! says which limit, and its value). The messages say "the answer": the bridge reads answers
//! (the mock reads requests with the same rules).

use crate::wsdl::SoapVersion;

/// Why an answer's bytes are not text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// Is raised when the encoding the answer declares (its Content-Type's `charset` or its XML
    /// declaration's `encoding`) is not one we know.
    #[error("the answer's encoding `{0}` is unknown")]
    UnknownEncoding(String),
    /// Is raised when the bytes are not valid in the answer's encoding (named here).
    #[error("the answer is not valid {0}")]
    Invalid(&'static str),
}

/// A limit on XML read from an upstream ([`super::XmlLimits`]) that an answer goes beyond, with
/// the limit's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LimitExceeded {
    /// Is raised when the answer's text is longer than the limit, in bytes.
    #[error("the answer is larger than {0} bytes")]
    Size(usize),
    /// Is raised when the answer declares more namespaces than the limit (counted in the raw
    /// text, before parsing).
    #[error("the answer declares more than {0} namespaces")]
    NamespaceDeclarations(usize),
    /// Is raised when the answer has more XML nodes than the limit.
    #[error("the answer has more than {0} XML nodes")]
    Nodes(u32),
    /// Is raised when elements nest deeper than the limit.
    #[error("the answer nests elements deeper than {0}")]
    Depth(usize),
    /// Is raised when an element has more attributes (namespace declarations included) than the
    /// limit.
    #[error("an element of the answer has more than {0} attributes")]
    Attributes(usize),
    /// Is raised when an element's or attribute's name (its local part) is longer than the
    /// limit, in bytes.
    #[error("a name in the answer is longer than {0} bytes")]
    NameLength(usize),
}

/// Why an answer's text is not a SOAP envelope we read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    /// Is raised when the answer goes beyond one of the XML limits.
    #[error(transparent)]
    Limit(#[from] LimitExceeded),
    /// Is raised when the answer is not well-formed XML; the parser's error says what and where
    /// (`line:column`).
    #[error("the answer is not well-formed XML: {0}")]
    NotWellFormed(roxmltree::Error),
    /// Is raised when the answer holds a document type declaration (SOAP forbids them; nothing
    /// is expanded).
    #[error("the answer holds a DTD, which SOAP forbids (nothing was expanded)")]
    Dtd,
    /// Is raised when the answer holds a processing instruction (SOAP forbids them).
    #[error("the answer holds a processing instruction, which SOAP forbids")]
    ProcessingInstruction,
    /// Is raised when the root element is not a SOAP 1.1 or 1.2 `Envelope`.
    #[error("the answer is not a SOAP envelope (root element `{name}` in namespace `{namespace}`)")]
    NotAnEnvelope {
        /// The root element's local name.
        name: String,
        /// The root element's namespace (empty for none).
        namespace: String,
    },
    /// Is raised when the envelope has no `Body`.
    #[error("the envelope has no Body")]
    NoBody,
    /// Is raised when the envelope is of another SOAP version than the binding's.
    #[error("the answer is a {found} envelope, the binding is {expected}")]
    WrongVersion {
        /// The envelope's version.
        found: SoapVersion,
        /// The binding's.
        expected: SoapVersion,
    },
}
