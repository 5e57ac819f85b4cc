//! WS-Addressing: the request's message addressing headers (`wsa:Action`, a fresh
//! `wsa:MessageID`, `wsa:ReplyTo` anonymous and `wsa:To` the endpoint, in the namespace of the
//! version the WSDL uses), and the checks of an answer: its `wsa:RelatesTo` names the request's
//! `MessageID`, and its `wsa:Action`, when it carries one, is the WSDL's output action.

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;

use super::write::{ENV11, ENV12};
use crate::wsdl::{SoapVersion, WsaVersion};

/// WS-Addressing 1.0's namespace.
pub const WSA_2005: &str = "http://www.w3.org/2005/08/addressing";
/// The 2004/08 member submission's namespace.
pub const WSA_2004: &str = "http://schemas.xmlsoap.org/ws/2004/08/addressing";

/// The namespace of a version's headers.
pub fn namespace(v: WsaVersion) -> &'static str {
    match v {
        WsaVersion::V200508 => WSA_2005,
        WsaVersion::V200408 => WSA_2004,
    }
}

/// The anonymous address (answers come back on the same connection).
fn anonymous(v: WsaVersion) -> &'static str {
    match v {
        WsaVersion::V200508 => "http://www.w3.org/2005/08/addressing/anonymous",
        WsaVersion::V200408 => "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous",
    }
}

/// A fresh message id: a random (version 4) UUID as a URN.
pub fn message_id() -> String {
    uuid::Uuid::new_v4().urn().to_string()
}

/// The headers of one request.
#[derive(Debug, Clone, Copy)]
pub struct Headers<'a> {
    pub version: WsaVersion,
    pub action: &'a str,
    pub message_id: &'a str,
    /// The endpoint the request is sent to (`wsa:To`); left out when unknown.
    pub to: Option<&'a str>,
}

impl Headers<'_> {
    /// Appends the header blocks to `out` (inside `soap:Header`, whose `soap:` prefix names
    /// the envelope's namespace). `wsa:Action` and `wsa:To` carry `mustUnderstand`, as
    /// WS-Addressing's SOAP binding lets a sender require.
    pub fn write(&self, soap: SoapVersion, out: &mut Vec<u8>) {
        let ns = namespace(self.version);
        let must = match soap {
            SoapVersion::V11 => " soap:mustUnderstand=\"1\"",
            SoapVersion::V12 => " soap:mustUnderstand=\"true\"",
        };
        let esc = |s: &str| crate::xml::escape(s, false).into_owned();
        let block = |name: &str, attrs: &str, content: &str| {
            format!("<wsa:{name} xmlns:wsa=\"{ns}\"{attrs}>{content}</wsa:{name}>")
        };
        out.extend_from_slice(block("Action", must, &esc(self.action)).as_bytes());
        out.extend_from_slice(block("MessageID", "", &esc(self.message_id)).as_bytes());
        let address = format!("<wsa:Address>{}</wsa:Address>", anonymous(self.version));
        out.extend_from_slice(block("ReplyTo", "", &address).as_bytes());
        if let Some(to) = self.to {
            out.extend_from_slice(block("To", must, &esc(to)).as_bytes());
        }
    }
}

/// Why an answer does not relate to its request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressingError {
    /// Is raised when the answer has no `wsa:RelatesTo` (of the reply relationship) in its
    /// Header, though the request carried a `wsa:MessageID`.
    #[error("the answer has no wsa:RelatesTo for the request's wsa:MessageID `{expected}`")]
    Missing { expected: String },
    /// Is raised when the answer's `wsa:RelatesTo` names another message.
    #[error("the answer's wsa:RelatesTo `{found}` is not the request's wsa:MessageID `{expected}`")]
    Mismatch { expected: String, found: String },
    /// Is raised when the answer's `wsa:Action` is not the action the WSDL states for the
    /// operation's output (or its default).
    #[error("the answer's wsa:Action `{found}` is not the operation's output action `{expected}`")]
    Action { expected: String, found: String },
    /// Is raised when the answer's Header cannot be read as XML.
    #[error("the answer's SOAP Header is not well-formed XML: {0}")]
    Xml(String),
}

/// Checks that the answer `xml` relates to the message `message_id`: a `wsa:RelatesTo` of
/// the reply relationship in the envelope's Header names it. Reads up to the Body only.
pub fn check_relates_to(
    xml: &[u8],
    version: WsaVersion,
    message_id: &str,
) -> Result<(), AddressingError> {
    let ns = namespace(version);
    let reply = match version {
        WsaVersion::V200508 => "http://www.w3.org/2005/08/addressing/reply",
        WsaVersion::V200408 => "Reply",
    };
    let mut reader = quick_xml::NsReader::from_reader(xml);
    let mut depth = 0usize;
    // Inside a RelatesTo of the reply relationship (at the Header's child level): its text.
    let mut text: Option<String> = None;
    let mut found: Vec<String> = Vec::new();
    loop {
        let (resolved, event) = reader
            .read_resolved_event()
            .map_err(|e| AddressingError::Xml(e.to_string()))?;
        match event {
            Event::Start(e) => {
                depth += 1;
                let local = e.local_name();
                let in_ns = matches!(resolved, ResolveResult::Bound(n) if n.as_ref() == ns);
                let envelope_ns = matches!(resolved, ResolveResult::Bound(n)
                    if n.as_ref() == ENV11 || n.as_ref() == ENV12);
                if depth == 2 && envelope_ns && local.as_ref() == "Body" {
                    break;
                }
                if depth == 3 && in_ns && local.as_ref() == "RelatesTo" {
                    let kind = e
                        .try_get_attribute("RelationshipType")
                        .ok()
                        .flatten()
                        .and_then(|a| {
                            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .ok()
                                .map(|v| v.into_owned())
                        });
                    let is_reply = kind.as_deref().is_none_or(|k| {
                        let k = k.trim();
                        k == reply || k.rsplit(':').next() == Some(reply)
                    });
                    if is_reply {
                        text = Some(String::new());
                    }
                }
            }
            Event::End(_) => {
                if depth == 3
                    && let Some(t) = text.take()
                {
                    found.push(gathered(&t)?);
                }
                depth = depth.saturating_sub(1);
            }
            e @ (Event::Text(_) | Event::GeneralRef(_)) => gather(&mut text, &e),
            Event::Eof => break,
            _ => {}
        }
    }
    match found.into_iter().next() {
        Some(f) if f == message_id => Ok(()),
        Some(f) => Err(AddressingError::Mismatch {
            expected: message_id.to_string(),
            found: f,
        }),
        None => Err(AddressingError::Missing {
            expected: message_id.to_string(),
        }),
    }
}

/// Checks that the answer `xml`'s `wsa:Action` (in the Header, in `version`'s namespace) is
/// `expected`. An answer without one is accepted: WS-Addressing requires it of a reply, but
/// services that relate their answers and leave the action out are common, and the
/// `RelatesTo` check already ties the answer to its request. Reads up to the Body only.
pub fn check_action(
    xml: &[u8],
    version: WsaVersion,
    expected: &str,
) -> Result<(), AddressingError> {
    let ns = namespace(version);
    let mut reader = quick_xml::NsReader::from_reader(xml);
    let mut depth = 0usize;
    let mut text: Option<String> = None;
    loop {
        let (resolved, event) = reader
            .read_resolved_event()
            .map_err(|e| AddressingError::Xml(e.to_string()))?;
        match event {
            Event::Start(e) => {
                depth += 1;
                let local = e.local_name();
                let bound =
                    |n: &str| matches!(resolved, ResolveResult::Bound(b) if b.as_ref() == n);
                if depth == 2 && (bound(ENV11) || bound(ENV12)) && local.as_ref() == "Body" {
                    return Ok(());
                }
                if depth == 3 && bound(ns) && local.as_ref() == "Action" {
                    text = Some(String::new());
                }
            }
            Event::End(_) => {
                if depth == 3
                    && let Some(t) = text.take()
                {
                    let found = gathered(&t)?;
                    if found == expected {
                        return Ok(());
                    }
                    return Err(AddressingError::Action {
                        expected: expected.to_string(),
                        found,
                    });
                }
                depth = depth.saturating_sub(1);
            }
            e @ (Event::Text(_) | Event::GeneralRef(_)) => gather(&mut text, &e),
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

/// Adds a text event of the header element being read (`text` is `Some` while one is) to its
/// text: the text as written, an entity reference as `&name;` (both unescaped at its end).
fn gather(text: &mut Option<String>, event: &Event<'_>) {
    let Some(buf) = text.as_mut() else {
        return;
    };
    match event {
        Event::Text(t) => buf.push_str(t),
        Event::GeneralRef(r) => {
            buf.push('&');
            buf.push_str(r);
            buf.push(';');
        }
        _ => {}
    }
}

/// A header element's gathered text, unescaped and trimmed.
fn gathered(text: &str) -> Result<String, AddressingError> {
    let t = quick_xml::escape::unescape(text).map_err(|e| AddressingError::Xml(e.to_string()))?;
    Ok(t.trim().to_string())
}

/// The `wsa:MessageID` of a request (the other side's view: the mock's), with its version.
pub fn request_message_id(doc: &roxmltree::Document) -> Option<(WsaVersion, String)> {
    let header = doc
        .root_element()
        .children()
        .find(|n| n.is_element() && n.tag_name().name() == "Header")?;
    header.children().find_map(|n| {
        let version = match n.tag_name().namespace() {
            Some(WSA_2005) => WsaVersion::V200508,
            Some(WSA_2004) => WsaVersion::V200408,
            _ => return None,
        };
        (n.tag_name().name() == "MessageID")
            .then(|| (version, n.text().unwrap_or("").trim().to_string()))
    })
}

/// `envelope` (an answer) with a `wsa:RelatesTo` naming `id` first in its Header (a Header
/// added when it has none); unchanged when its Envelope and Body cannot be found.
pub fn add_relates_to(envelope: &[u8], version: WsaVersion, id: &str) -> Vec<u8> {
    let block = format!(
        "<wsa:RelatesTo xmlns:wsa=\"{}\">{}</wsa:RelatesTo>",
        namespace(version),
        crate::xml::escape(id, false)
    );
    let mut reader = quick_xml::NsReader::from_reader(envelope);
    let mut depth = 0usize;
    let mut prefix = String::new();
    loop {
        let before = reader.buffer_position() as usize;
        let Ok((_, event)) = reader.read_resolved_event() else {
            return envelope.to_vec();
        };
        match event {
            Event::Start(e) => {
                depth += 1;
                if depth == 1 {
                    let name = e.name().as_ref().to_string();
                    prefix = name
                        .split_once(':')
                        .map_or(String::new(), |(p, _)| format!("{p}:"));
                }
                let (at, wrap) = match (depth, e.local_name().as_ref()) {
                    (2, "Header") => (reader.buffer_position() as usize, false),
                    (2, "Body") => (before, true),
                    _ => continue,
                };
                let mut out = Vec::with_capacity(envelope.len() + block.len() + 40);
                out.extend_from_slice(&envelope[..at]);
                if wrap {
                    out.extend_from_slice(
                        format!("<{prefix}Header>{block}</{prefix}Header>").as_bytes(),
                    );
                } else {
                    out.extend_from_slice(block.as_bytes());
                }
                out.extend_from_slice(&envelope[at..]);
                return out;
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Eof => return envelope.to_vec(),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(header: &str) -> String {
        format!(
            r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:a="http://www.w3.org/2005/08/addressing"><s:Header>{header}</s:Header><s:Body><a:RelatesTo>urn:other</a:RelatesTo></s:Body></s:Envelope>"#
        )
    }

    #[test]
    fn the_request_headers_are_in_the_version_namespace() {
        let mut out = Vec::new();
        Headers {
            version: WsaVersion::V200408,
            action: "urn:a&b",
            message_id: "urn:uuid:1",
            to: Some("http://h/x"),
        }
        .write(SoapVersion::V11, &mut out);
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with(&format!(
            "<wsa:Action xmlns:wsa=\"{WSA_2004}\" soap:mustUnderstand=\"1\">urn:a&amp;b</wsa:Action>"
        )));
        assert!(text.contains("<wsa:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:Address>"));
        assert!(text.ends_with("<wsa:To xmlns:wsa=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" soap:mustUnderstand=\"1\">http://h/x</wsa:To>"));
    }

    #[test]
    fn an_answer_gets_the_relates_to_of_its_request() {
        let plain = br#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><r/></soap:Body></soap:Envelope>"#;
        let out = add_relates_to(plain, WsaVersion::V200508, "urn:uuid:9");
        assert_eq!(
            check_relates_to(&out, WsaVersion::V200508, "urn:uuid:9"),
            Ok(())
        );
        let with_header = answer("<x/>");
        let out = add_relates_to(with_header.as_bytes(), WsaVersion::V200508, "urn:uuid:9");
        assert_eq!(
            check_relates_to(&out, WsaVersion::V200508, "urn:uuid:9"),
            Ok(())
        );
        let text = answer("<a:MessageID> urn:uuid:9 </a:MessageID>");
        let request = roxmltree::Document::parse(&text).unwrap();
        assert_eq!(
            request_message_id(&request),
            Some((WsaVersion::V200508, "urn:uuid:9".to_string()))
        );
    }

    #[test]
    fn the_answer_action_is_checked_when_present() {
        let ok = answer("<a:Action> urn:x/OpResponse </a:Action>");
        assert_eq!(
            check_action(ok.as_bytes(), WsaVersion::V200508, "urn:x/OpResponse"),
            Ok(())
        );
        assert_eq!(
            check_action(ok.as_bytes(), WsaVersion::V200508, "urn:x/Other"),
            Err(AddressingError::Action {
                expected: "urn:x/Other".into(),
                found: "urn:x/OpResponse".into()
            })
        );
        // Absent: accepted (in the Body, or in another version's namespace, it is not there).
        assert_eq!(
            check_action(answer("").as_bytes(), WsaVersion::V200508, "urn:x/Other"),
            Ok(())
        );
        assert_eq!(
            check_action(ok.as_bytes(), WsaVersion::V200408, "urn:x/Other"),
            Ok(())
        );
        let body_only = r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:a="http://www.w3.org/2005/08/addressing"><s:Body><a:Action>urn:y</a:Action></s:Body></s:Envelope>"#;
        assert_eq!(
            check_action(body_only.as_bytes(), WsaVersion::V200508, "urn:x"),
            Ok(())
        );
    }

    #[test]
    fn message_ids_are_fresh_uuid_urns() {
        let (a, b) = (message_id(), message_id());
        assert!(a.starts_with("urn:uuid:") && a.len() == 45, "{a}");
        assert_ne!(a, b);
    }

    #[test]
    fn relates_to_is_checked_in_the_header_only() {
        let ok = answer("<a:RelatesTo> urn:uuid:1 </a:RelatesTo>");
        assert_eq!(
            check_relates_to(ok.as_bytes(), WsaVersion::V200508, "urn:uuid:1"),
            Ok(())
        );
        let other = answer("<a:RelatesTo>urn:uuid:2</a:RelatesTo>");
        assert!(matches!(
            check_relates_to(other.as_bytes(), WsaVersion::V200508, "urn:uuid:1"),
            Err(AddressingError::Mismatch { found, .. }) if found == "urn:uuid:2"
        ));
        // The RelatesTo in the Body does not count.
        assert!(matches!(
            check_relates_to(answer("").as_bytes(), WsaVersion::V200508, "urn:other"),
            Err(AddressingError::Missing { .. })
        ));
        // Another relationship does not count either.
        let related = answer("<a:RelatesTo RelationshipType=\"urn:x\">urn:uuid:1</a:RelatesTo>");
        assert!(matches!(
            check_relates_to(related.as_bytes(), WsaVersion::V200508, "urn:uuid:1"),
            Err(AddressingError::Missing { .. })
        ));
        // Another version's namespace does not count.
        assert!(matches!(
            check_relates_to(ok.as_bytes(), WsaVersion::V200408, "urn:uuid:1"),
            Err(AddressingError::Missing { .. })
        ));
    }
}
