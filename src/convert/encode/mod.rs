//! JSON -> XML, driven by the schema: element names and namespaces come only from the compiled
//! types (never from the JSON), order is the schema's, and every problem in the JSON is collected
//! with its JSON Pointer before anything is sent.
//!
//! [`Encoder`] (`encoder`: its state, [`Encoder::finish`] and [`Written`]) writes one element
//! at a time (`element`: nil, `$type`, attributes, unknown keys, simple and complex content);
//! content models in `particle` (sequences, choices, repeated groups, shared names) and `group`
//! (repeated choices); what the schema leaves open in `wildcard` (`anyType`, mixed content,
//! `$xml`, `$attributes`); SOAP encoding's `xsi:type`s and arrays in `array`.

mod array;
mod element;
mod encoder;
mod group;
mod particle;
mod wildcard;

pub use encoder::{Encoder, Written};
