//! XML basics every layer shares, at the bottom of the house: the well-known namespaces, the
//! parser options for untrusted documents, and lossless escaping for what we write.

/// The XML Schema namespace.
pub const XS: &str = "http://www.w3.org/2001/XMLSchema";
/// Pre-Recommendation XML Schema namespaces (2000/10 and 1999), still found in old WSDLs (the
/// W3C WSDL 1.1 note's own examples use them). Read as [`XS`].
pub const XS_LEGACY: [&str; 2] = [
    "http://www.w3.org/2000/10/XMLSchema",
    "http://www.w3.org/1999/XMLSchema",
];

/// Whether `ns` is the XML Schema namespace (or a legacy draft of it).
pub fn is_xs_ns(ns: &str) -> bool {
    ns == XS || XS_LEGACY.contains(&ns)
}

/// The XML Schema instance namespace (`xsi:type`, `xsi:nil`).
pub const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";
/// The `xml:` namespace.
pub const XML: &str = "http://www.w3.org/XML/1998/namespace";
/// SOAP 1.1 encoding.
pub const SOAP11_ENC: &str = "http://schemas.xmlsoap.org/soap/encoding/";
/// SOAP 1.2 encoding.
pub const SOAP12_ENC: &str = "http://www.w3.org/2003/05/soap-encoding";

/// The WSDL 1.1 namespace.
pub const WSDL: &str = "http://schemas.xmlsoap.org/wsdl/";

/// Parse options for every untrusted XML file: no DTD (so no entity expansion).
pub fn parse_options<'i>() -> roxmltree::ParsingOptions<'i> {
    roxmltree::ParsingOptions {
        allow_dtd: false,
        ..roxmltree::ParsingOptions::default()
    }
}

/// A hint for an XML parse error.
pub fn xml_hint(e: &roxmltree::Error) -> &'static str {
    match e {
        roxmltree::Error::UnknownNamespace(..) => {
            "the document uses a namespace prefix it never declares (xmlns:prefix=\"...\"); it is not namespace-well-formed, so no tool can tell which namespace is meant. Restore the declarations from the original WSDL"
        }
        roxmltree::Error::DtdDetected => {
            "DTDs are refused (entity expansion attacks); remove the <!DOCTYPE> declaration"
        }
        _ => "the file must be well-formed XML 1.0",
    }
}

/// Escapes text or an attribute value losslessly: `\r` and (in attributes) tabs and newlines
/// as character references, so the receiver's normalisation does not change them.
pub fn escape(s: &str, attribute: bool) -> std::borrow::Cow<'_, str> {
    let needs = |c: char| {
        matches!(c, '<' | '>' | '&' | '\r') || (attribute && matches!(c, '"' | '\n' | '\t'))
    };
    if !s.chars().any(needs) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\r' => out.push_str("&#13;"),
            '"' if attribute => out.push_str("&quot;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Characters XML 1.0 cannot carry.
pub fn bad_char(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}
