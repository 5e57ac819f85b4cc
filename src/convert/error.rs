//! The errors of conversion, one per direction: [`FieldError`] for a request that does not fit
//! the schema (each becomes one entry of a 400's `errors`), [`AnswerError`] for an upstream answer
//! that cannot be read as the operation's output (a 502; it wraps the envelope's and the
//! decoder's own errors). `http/problem.rs` turns both into problem+json; their messages name
//! places, never the secrets of a configured value. [`RequestReadError`] is the other side's:
//! a request envelope read back as JSON, as the tests do.

use serde_json::Value;

use super::decode::DecodeError;
use super::simple;
use crate::soap::{EnvelopeError, TextError};

/// One problem in the request JSON, as the `errors` of a 400 `invalid_request` answer.
///
/// `rule` is a stable code in XSD's own spelling (lowerCamelCase): the facet broken
/// (`enumeration`, `pattern`, `length`, `minLength`, `maxLength`, `minInclusive`,
/// `maxInclusive`, `minExclusive`, `maxExclusive`, `totalDigits`, `fractionDigits`), the
/// constraint (`minOccurs`, `maxOccurs`, `choice`, `nillable`, `fixed`, `abstract`,
/// `derivation`, `wildcard`), or `type` (the wrong JSON type, or not a value of the built-in
/// type), `required`, `unknownField`, `xml` (raw XML that is not well-formed or holds
/// processing instructions), `encoding` (a query string that is not UTF-8).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// JSON Pointer (RFC 6901) into the request, e.g. `/customer/billingAddress/city`.
    pub pointer: String,
    /// The rule broken (see above).
    pub rule: &'static str,
    /// What the schema takes there, for people: `one of: "A", "B"`, `at most 3 items`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// What the client sent, short: a scalar's JSON (long strings cut with `…`), `an object`,
    /// `an array of 5 items`, `nothing` when absent. Never a configured (secret) value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub found: Option<String>,
    /// The full sentence.
    pub message: String,
}

impl FieldError {
    /// A problem at `pointer` (`""` is the whole request: `/`).
    pub fn new(pointer: impl Into<String>, rule: &'static str, message: impl Into<String>) -> Self {
        let pointer = pointer.into();
        FieldError {
            pointer: if pointer.is_empty() {
                "/".to_string()
            } else {
                pointer
            },
            rule,
            expected: None,
            found: None,
            message: message.into(),
        }
    }

    /// A simple value refused at `pointer` (at its item, for a list item).
    pub fn value(pointer: impl Into<String>, e: crate::xsd::facets::ValueError) -> Self {
        let mut pointer = pointer.into();
        if let Some(i) = e.item {
            pointer = format!("{pointer}/{i}");
        }
        FieldError {
            expected: Some(e.expected),
            found: e.found,
            ..FieldError::new(pointer, e.rule, e.message)
        }
    }

    /// With what the schema takes there.
    pub fn expected(mut self, expected: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self
    }

    /// With what the client sent there.
    pub fn found(mut self, found: impl Into<String>) -> Self {
        self.found = Some(found.into());
        self
    }

    /// `found` is what the JSON value `v` is (see [`simple::found`]).
    pub fn found_value(self, v: &Value) -> Self {
        self.found(simple::found(v))
    }
}

/// `found` for an absent field.
pub const NOTHING: &str = "nothing";

/// Why an upstream answer could not be turned into the client's JSON (a 502). The message is
/// logged at the boundary, never sent to the client.
#[derive(Debug, thiserror::Error)]
pub enum AnswerError {
    /// Is raised when the answer's bytes are not text in its declared encoding (BOM, `charset`,
    /// XML declaration).
    #[error("the answer is not readable text: {0}")]
    NotText(#[from] TextError),
    /// Is raised when the answer is not a well-formed SOAP envelope within the XML limits, or
    /// not of the binding's SOAP version.
    #[error(transparent)]
    Envelope(#[from] EnvelopeError),
    /// Is raised when the Body does not match the operation's output message: a missing or
    /// unexpected element, a value outside its type, a bad reference (the error says where).
    #[error(transparent)]
    Content(#[from] DecodeError),
    /// Is raised when a SOAP header of the answer that the mapping passes on does not match its
    /// declaration.
    #[error("SOAP header `{part}`: {error}")]
    Header {
        /// The header part's name in the output message.
        part: String,
        /// What does not match, and where.
        error: DecodeError,
    },
    /// Is raised with `validate_answers: strict` when the answer violates the schema.
    #[error("the answer violates the schema in {count} place(s), first at {path}: {message}")]
    OutsideSchema {
        /// How many violations.
        count: usize,
        /// Where the first one is.
        path: String,
        /// The first one.
        message: String,
    },
    /// Is raised when the HTTP status is not a success and the envelope holds no fault.
    #[error("the upstream answered HTTP {0} without a SOAP fault")]
    ErrorStatus(u16),
}

/// Why a request envelope could not be read back as the operation's input fields: the legacy
/// service's side of [`super::operation::ServicePlan::build_request`], as the tests read what
/// the bridge sends.
#[derive(Debug, thiserror::Error)]
pub enum RequestReadError {
    /// Is raised when the request is not a well-formed SOAP envelope within the XML limits, or
    /// not of the binding's SOAP version.
    #[error(transparent)]
    Envelope(#[from] EnvelopeError),
    /// Is raised when the request's Body holds a fault.
    #[error("the request is a fault")]
    Fault,
    /// Is raised when the Body does not match the operation's input message.
    #[error(transparent)]
    Content(#[from] DecodeError),
}
