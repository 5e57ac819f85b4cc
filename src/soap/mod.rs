//! SOAP envelopes: writing 1.1 and 1.2 envelopes around header and body bytes with the HTTP
//! headers each version needs (`write`); reading an answer under limits: its text in the
//! declared encoding, parsed with no DTD and bounded depth, attributes, nodes and names
//! (`read`); the Body, the Header, or the fault the Body holds in either version, also with
//! HTTP 200 (`payload`); and what can go wrong reading, typed (`error`). `wsse` writes the
//! WS-Security header block of a request (UsernameToken with a password text or digest, and a
//! Timestamp); `mtom` packages a request as MTOM/XOP and unpacks an XOP answer; `addressing` writes the WS-Addressing headers of a request and checks the
//! answer's `wsa:RelatesTo`.

mod addressing;
mod error;
pub mod mtom;
mod payload;
mod read;
mod write;
mod wsse;

pub use addressing::{
    AddressingError, Headers as AddressingHeaders, WSA_2004, WSA_2005, add_relates_to,
    check_action, check_relates_to, message_id, request_message_id,
};
pub use error::{EnvelopeError, LimitExceeded, TextError};
pub use payload::{Fault, Payload, body, body_of, header};
pub use read::{XmlLimits, decode_text, parse, prescan};
pub use write::{
    Detail, ENV11, ENV12, content_type, envelope, envelope_with_header, fault_envelope,
};
pub use wsse::{MASKED_PASSWORD, UsernameToken, WSSE_NS, WSU_NS, WsseError, password_digest};
