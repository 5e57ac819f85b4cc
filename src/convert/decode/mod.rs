//! XML -> JSON, driven by the schema, written straight to JSON text (no intermediate tree):
//! elements are matched on (namespace URI, local name), never prefixes; repeated elements are
//! always arrays; `xsi:nil` is `null`; keys come in schema order; unknown content is an error
//! naming where it was found.
//!
//! [`Decoder`] reads one element (`xsi:nil`, `xsi:type`, SOAP encoding's references) in
//! `decoder`, its content (simple values, attributes, children in their slots, repeated
//! choices) in `content`, one field of it alone in `field`; content kept as XML (`$xml`) in
//! `raw`; what does not fit is a [`DecodeError`] (`error`).

mod content;
mod decoder;
mod error;
mod field;
mod raw;

pub use decoder::Decoder;
pub(crate) use decoder::write_str;
pub use error::{DecodeError, Mismatch};
