//! XML -> JSON in one pass over the answer's text, with no tree: quick-xml's pull parser under
//! the XML limits (`pull`), driven by the compiled schema, writing JSON as it reads (`value`),
//! from the envelope down to the Body's element (`message`).
//!
//! It takes on what answers are made of: document/literal bodies whose elements come in schema
//! order. What it does not (SOAP encoding and its references, wildcards and mixed content kept
//! as `$xml`, repeated choices, children out of schema order, a fault) or what is wrong with the
//! answer is a [`Fallback`]: the tree decoder ([`crate::convert::decode`]) then reads the answer,
//! with the same output for every answer both read, and says exactly what is wrong.
//!
//! Checked against the schema (`validate_answers`), the Body's element is validated in the same
//! pass: the pull reader shows each item it reads to the schema's streaming validator
//! ([`crate::xsd::validate::Stepper`]), which stops the stream where it cannot show the answer
//! valid; the tree validator then decides.

mod message;
mod pull;
mod value;

pub use message::{read_body_element, read_document_element};

/// Why the stream left an answer to the tree decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Fallback {
    /// Is raised when the answer is checked against the schema and the stream cannot show it
    /// valid (a violation, or a construct it leaves to the tree validator, which then decides).
    #[error("not shown valid in the stream: {0}")]
    Unproven(crate::xsd::validate::Unproven),
    /// Is raised when the answer passes an XML limit (the tree path says which).
    #[error("an XML limit is passed")]
    Limit,
    /// Is raised when the text holds a carriage return or a character XML cannot carry.
    #[error("a carriage return or a character XML cannot carry")]
    Characters,
    /// Is raised when a name is not a plain ASCII name.
    #[error("a name outside the plain ASCII ones")]
    Names,
    /// Is raised when the answer is not well-formed (or the stream cannot tell).
    #[error("not well-formed")]
    NotWellFormed,
    /// Is raised when the answer does not fit its schema (the tree decoder's error says where).
    #[error("the answer does not fit the schema")]
    Invalid,
    /// Is raised on content the tree decoder reads and the stream does not: SOAP encoding,
    /// wildcards, mixed content, repeated choices, a name that fills several slots, children
    /// out of schema order, a fault.
    #[error("content the tree decoder reads")]
    Unsupported,
}
