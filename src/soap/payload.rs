//! What an envelope holds: its Body's children or the fault the Body holds (either version,
//! whatever the HTTP status), and its Header.

use roxmltree::{Document, Node};

use super::error::EnvelopeError;
use super::write::{ENV11, ENV12, envelope_ns};
use crate::wsdl::SoapVersion;

/// A SOAP fault, in either version.
#[derive(Debug, Clone)]
pub struct Fault<'a, 'i> {
    /// Local part of the code (`Client`, `Server.Database`, `Sender`, ...).
    pub code: String,
    /// The sender's fault (`Client` / `Sender`), as opposed to the receiver's.
    pub client: bool,
    pub string: String,
    pub detail: Option<Node<'a, 'i>>,
}

/// The Body's children, or the fault it holds.
pub enum Payload<'a, 'i> {
    Body(Node<'a, 'i>),
    Fault(Fault<'a, 'i>),
}

/// Finds the Body of an envelope (either version).
pub fn body<'a, 'i>(
    doc: &'a Document<'i>,
) -> Result<(SoapVersion, Payload<'a, 'i>), EnvelopeError> {
    let root = doc.root_element();
    let version = match (root.tag_name().namespace(), root.tag_name().name()) {
        (Some(ENV11), "Envelope") => SoapVersion::V11,
        (Some(ENV12), "Envelope") => SoapVersion::V12,
        (ns, name) => {
            return Err(EnvelopeError::NotAnEnvelope {
                name: name.to_string(),
                namespace: ns.unwrap_or("").to_string(),
            });
        }
    };
    let env = envelope_ns(version);
    let body = child(root, Some(env), "Body").ok_or(EnvelopeError::NoBody)?;
    if let Some(f) = child(body, Some(env), "Fault") {
        return Ok((version, Payload::Fault(fault(version, f))));
    }
    Ok((version, Payload::Body(body)))
}

/// Finds the Body of an envelope that must be of the binding's SOAP version.
pub fn body_of<'a, 'i>(
    doc: &'a Document<'i>,
    expected: SoapVersion,
) -> Result<Payload<'a, 'i>, EnvelopeError> {
    let (found, payload) = body(doc)?;
    if found != expected {
        return Err(EnvelopeError::WrongVersion { found, expected });
    }
    Ok(payload)
}

/// The envelope's `Header`, if it has one (either version).
pub fn header<'a, 'i>(doc: &'a Document<'i>) -> Option<Node<'a, 'i>> {
    let root = doc.root_element();
    let env = root.tag_name().namespace()?;
    if env != ENV11 && env != ENV12 {
        return None;
    }
    child(root, Some(env), "Header")
}

fn child<'a, 'i>(n: Node<'a, 'i>, ns: Option<&str>, name: &str) -> Option<Node<'a, 'i>> {
    n.children().find(|c| {
        c.is_element()
            && c.tag_name().name() == name
            && (ns.is_none() || c.tag_name().namespace() == ns)
    })
}

fn fault<'a, 'i>(v: SoapVersion, f: Node<'a, 'i>) -> Fault<'a, 'i> {
    let text = |n: Option<Node>| {
        n.map(|n| {
            n.descendants()
                .filter_map(|t| if t.is_text() { t.text() } else { None })
                .collect::<String>()
                .trim()
                .to_string()
        })
        .unwrap_or_default()
    };
    let local = |q: &str| q.rsplit_once(':').map_or(q, |(_, l)| l).to_string();
    match v {
        SoapVersion::V11 => {
            // faultcode, faultstring, detail are unqualified in SOAP 1.1 (some stacks qualify them).
            let code = local(&text(child(f, None, "faultcode")));
            let client = code.starts_with("Client");
            Fault {
                client,
                code,
                string: text(child(f, None, "faultstring")),
                detail: child(f, None, "detail")
                    .and_then(|d| d.children().find(|c| c.is_element())),
            }
        }
        SoapVersion::V12 => {
            let code_el = child(f, Some(ENV12), "Code");
            let mut code = local(&text(code_el.and_then(|c| child(c, Some(ENV12), "Value"))));
            let client = code == "Sender";
            if let Some(sub) = code_el
                .and_then(|c| child(c, Some(ENV12), "Subcode"))
                .and_then(|s| child(s, Some(ENV12), "Value"))
            {
                code = format!("{code}.{}", local(&text(Some(sub))));
            }
            let reason =
                child(f, Some(ENV12), "Reason").and_then(|r| child(r, Some(ENV12), "Text"));
            Fault {
                client,
                code,
                string: text(reason),
                detail: child(f, Some(ENV12), "Detail")
                    .and_then(|d| d.children().find(|c| c.is_element())),
            }
        }
    }
}
