//! Writing envelopes: SOAP 1.1 and 1.2 envelopes around header and body bytes (the bytes are
//! written by `convert`, from the schema), fault envelopes (the mock's), and the request's
//! `Content-Type` (SOAP 1.2 carries the action in it).

use crate::wsdl::SoapVersion;
use crate::xsd::XSI;

pub const ENV11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub const ENV12: &str = "http://www.w3.org/2003/05/soap-envelope";

/// The envelope namespace of a SOAP version.
pub(crate) fn envelope_ns(v: SoapVersion) -> &'static str {
    match v {
        SoapVersion::V11 => ENV11,
        SoapVersion::V12 => ENV12,
    }
}

/// `Content-Type` of a request (SOAP 1.2 carries the action as a parameter).
pub fn content_type(v: SoapVersion, action: Option<&str>) -> String {
    match (v, action) {
        (SoapVersion::V11, _) => "text/xml; charset=utf-8".to_string(),
        (SoapVersion::V12, Some(a)) if !a.is_empty() => format!(
            "application/soap+xml; charset=utf-8; action=\"{}\"",
            a.replace('"', "%22")
        ),
        (SoapVersion::V12, _) => "application/soap+xml; charset=utf-8".to_string(),
    }
}

/// Wraps body bytes in an envelope declaring `decls` (and `xsi:` when needed).
pub fn envelope(v: SoapVersion, decls: &[(&str, &str)], xsi: bool, body: &[u8]) -> Vec<u8> {
    envelope_with_header(v, decls, xsi, &[], body)
}

/// Wraps header blocks (none: no `soap:Header` at all) and body bytes in an envelope declaring
/// `decls` (and `xsi:` when needed).
pub fn envelope_with_header(
    v: SoapVersion,
    decls: &[(&str, &str)],
    xsi: bool,
    header: &[u8],
    body: &[u8],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(header.len() + body.len() + 256);
    out.extend_from_slice(
        b"<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"",
    );
    out.extend_from_slice(envelope_ns(v).as_bytes());
    out.push(b'"');
    if xsi {
        out.extend_from_slice(b" xmlns:xsi=\"");
        out.extend_from_slice(XSI.as_bytes());
        out.push(b'"');
    }
    for (prefix, uri) in decls {
        out.extend_from_slice(b" xmlns:");
        out.extend_from_slice(prefix.as_bytes());
        out.extend_from_slice(b"=\"");
        out.extend_from_slice(crate::xml::escape(uri, true).as_bytes());
        out.push(b'"');
    }
    out.push(b'>');
    if !header.is_empty() {
        out.extend_from_slice(b"<soap:Header>");
        out.extend_from_slice(header);
        out.extend_from_slice(b"</soap:Header>");
    }
    out.extend_from_slice(b"<soap:Body>");
    out.extend_from_slice(body);
    out.extend_from_slice(b"</soap:Body></soap:Envelope>");
    out
}

/// A fault's detail: namespace declarations, whether `xsi:` is used, the detail's XML.
pub type Detail<'a> = (&'a [(&'a str, &'a str)], bool, &'a [u8]);

/// Writes a fault envelope (for the mock): the sender's (`Client` / `Sender`) or the
/// receiver's (`Server` / `Receiver`), with a detail when given.
pub fn fault_envelope(
    v: SoapVersion,
    client: bool,
    string: &str,
    detail: Option<Detail>,
) -> Vec<u8> {
    let esc = |s: &str| crate::xml::escape(s, false).into_owned();
    // The parts that differ between the versions: code/reason markup and the detail element.
    let (head, detail_tag) = match v {
        SoapVersion::V11 => (
            format!(
                "<faultcode>soap:{}</faultcode><faultstring>{}</faultstring>",
                if client { "Client" } else { "Server" },
                esc(string)
            ),
            "detail",
        ),
        SoapVersion::V12 => (
            format!(
                "<soap:Code><soap:Value>soap:{}</soap:Value></soap:Code><soap:Reason><soap:Text xml:lang=\"en\">{}</soap:Text></soap:Reason>",
                if client { "Sender" } else { "Receiver" },
                esc(string)
            ),
            "soap:Detail",
        ),
    };
    let mut inner = format!("<soap:Fault>{head}");
    if let Some((_, _, d)) = detail {
        inner.push_str(&format!(
            "<{detail_tag}>{}</{detail_tag}>",
            String::from_utf8_lossy(d)
        ));
    }
    inner.push_str("</soap:Fault>");
    match detail {
        Some((decls, xsi, _)) => envelope(v, decls, xsi, inner.as_bytes()),
        None => envelope(v, &[], false, inner.as_bytes()),
    }
}
