//! XML basics every layer shares, at the bottom of the house: the well-known namespaces, the
//! parser options for untrusted documents, the limits every untrusted document is held to and
//! the one linear pass that checks them before a tree is built ([`scan`]), and lossless escaping
//! for what we write.

use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

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

/// Limits on untrusted XML (an upstream's answer, a client's `$xml`, an integrator's file):
/// everything that makes a parser's work grow faster than the text is bounded before a tree is
/// built.
#[derive(Debug, Clone, Copy)]
pub struct XmlLimits {
    pub depth: usize,
    /// Attributes per element, namespace declarations included.
    pub attributes: usize,
    pub nodes: u32,
    /// The longest name (of an element or attribute, its local part), bytes.
    pub name_len: usize,
    /// Namespace declarations in the whole document: roxmltree's namespace scoping costs
    /// (declarations in scope x elements declaring), so many of them are refused up front.
    pub namespace_declarations: usize,
    /// The whole text, bytes.
    pub bytes: usize,
    /// Whether processing instructions are taken (SOAP forbids them; schema files may carry a
    /// stylesheet's).
    pub processing_instructions: bool,
}

impl Default for XmlLimits {
    /// An answer's limits (DESIGN.md defaults; `bytes` as `limits.answer_bytes`).
    fn default() -> Self {
        XmlLimits {
            depth: 100,
            attributes: 500,
            nodes: 200_000,
            name_len: 1024,
            namespace_declarations: 1000,
            bytes: 4 * 1024 * 1024,
            processing_instructions: false,
        }
    }
}

impl XmlLimits {
    /// The limits of an integrator's WSDL or XSD document (its size is bounded where it is
    /// read): deeper than any real schema nests, and as many attributes, nodes and namespace
    /// declarations as the largest files of the corpus hold (the W3C suite's 2,000 attributes
    /// on one element; 94 `xmlns` in one WSDL), many times over.
    pub const DOCUMENT: XmlLimits = XmlLimits {
        depth: 128,
        attributes: 10_000,
        nodes: u32::MAX,
        name_len: 4096,
        namespace_declarations: 100_000,
        bytes: usize::MAX,
        processing_instructions: true,
    };
}

/// A limit an XML document goes beyond, with the limit's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Breach {
    /// Is raised when the text is longer than the limit, in bytes.
    #[error("is larger than {0} bytes")]
    Size(usize),
    /// Is raised when the text declares more namespaces than the limit (every `xmlns` counted).
    #[error("declares more than {0} namespaces")]
    NamespaceDeclarations(usize),
    /// Is raised when the document has more XML nodes than the limit.
    #[error("has more than {0} XML nodes")]
    Nodes(u32),
    /// Is raised when elements nest deeper than the limit.
    #[error("nests elements deeper than {0}")]
    Depth(usize),
    /// Is raised when an element has more attributes (namespace declarations included) than
    /// the limit.
    #[error("has an element with more than {0} attributes")]
    Attributes(usize),
    /// Is raised when the local part of an element's or attribute's name is longer than the
    /// limit, in bytes.
    #[error("has a name longer than {0} bytes")]
    NameLength(usize),
    /// Is raised when the document holds a processing instruction (other than the XML
    /// declaration) and the limits refuse them.
    #[error("holds a processing instruction")]
    ProcessingInstruction,
}

/// A [`Breach`] and the byte offset in the text where it was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the document {breach}")]
pub struct Refused {
    pub breach: Breach,
    /// Byte offset of the markup that passes the limit.
    pub offset: usize,
}

/// Checks `text` against `limits` in one linear pass with quick-xml's pull reader, before a
/// tree parser (whose attribute and namespace handling is quadratic) sees it: size, namespace
/// declarations (every `xmlns` in the text, an upper bound), then in document order depth,
/// nodes (elements, runs of text, comments), attributes per element, name lengths and
/// processing instructions. A document refused here costs time proportional to its length.
///
/// Well-formedness is the parser's to judge: at the first markup the reader cannot read, or a
/// DTD (which the parser refuses at once), the pass stops with `Ok`, and the parser says what
/// is wrong and where; the parser stops there too, so the text it reads is the text scanned.
pub fn scan(text: &str, limits: &XmlLimits) -> Result<(), Refused> {
    let refuse = |breach, offset| Err(Refused { breach, offset });
    if text.len() > limits.bytes {
        return refuse(Breach::Size(limits.bytes), limits.bytes);
    }
    let mut declarations =
        memchr::memmem::find_iter(text.as_bytes(), b"xmlns").skip(limits.namespace_declarations);
    if let Some(at) = declarations.next() {
        return refuse(
            Breach::NamespaceDeclarations(limits.namespace_declarations),
            at,
        );
    }
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = false;
    let (mut depth, mut nodes, mut in_text) = (0usize, 1u64, false);
    loop {
        let offset = reader.buffer_position() as usize;
        let Ok(event) = reader.read_event() else {
            return Ok(());
        };
        let mut node = true;
        match &event {
            Event::Start(start) | Event::Empty(start) => {
                if depth + 1 > limits.depth {
                    return refuse(Breach::Depth(limits.depth), offset);
                }
                if let Some(breach) = element(start, limits) {
                    return refuse(breach, offset);
                }
                if matches!(event, Event::Start(_)) {
                    depth += 1;
                }
                in_text = false;
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                (node, in_text) = (false, false);
            }
            // A run of text, CDATA and references is one text node.
            Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) => {
                node = !in_text;
                in_text = true;
            }
            Event::Comment(_) => in_text = false,
            Event::PI(_) if !limits.processing_instructions => {
                return refuse(Breach::ProcessingInstruction, offset);
            }
            Event::PI(_) => in_text = false,
            Event::Decl(_) => node = false,
            Event::DocType(_) | Event::Eof => return Ok(()),
        }
        if node {
            nodes += 1;
            if nodes > u64::from(limits.nodes) {
                return refuse(Breach::Nodes(limits.nodes), offset);
            }
        }
    }
}

/// The limits one start tag can pass: its name's length, its attributes' count and names. The
/// attributes are counted without the reader's duplicate check (quadratic); a tag the reader
/// cannot split into attributes is the parser's to refuse.
fn element(start: &BytesStart, limits: &XmlLimits) -> Option<Breach> {
    let too_long = |qname: &str| {
        let local = qname.rsplit(':').next().unwrap_or(qname);
        local.len() > limits.name_len
    };
    if too_long(start.name().0) {
        return Some(Breach::NameLength(limits.name_len));
    }
    let mut attributes = start.attributes();
    attributes.with_checks(false);
    for (count, a) in attributes.enumerate() {
        let Ok(a) = a else {
            return None;
        };
        if count + 1 > limits.attributes {
            return Some(Breach::Attributes(limits.attributes));
        }
        if too_long(a.key.0) {
            return Some(Breach::NameLength(limits.name_len));
        }
    }
    None
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

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> XmlLimits {
        XmlLimits {
            depth: 3,
            attributes: 2,
            nodes: 20,
            name_len: 4,
            namespace_declarations: 1,
            bytes: 1000,
            processing_instructions: false,
        }
    }

    fn breach(text: &str) -> Option<Breach> {
        scan(text, &limits()).err().map(|r| r.breach)
    }

    #[test]
    fn each_limit_is_found_with_its_place() {
        assert_eq!(breach("<a><b><c/></b></a>"), None);
        assert_eq!(breach("<a><b><c><d/></c></b></a>"), Some(Breach::Depth(3)));
        let r = scan("<a>\n <b x='1' y='2' z='3'/></a>", &limits()).unwrap_err();
        assert_eq!((r.breach, r.offset), (Breach::Attributes(2), 5));
        // Declarations count as attributes.
        assert_eq!(
            breach("<a xmlns:q='urn:a' x='1' y='2'/>"),
            Some(Breach::Attributes(2))
        );
        assert_eq!(breach("<abcde/>"), Some(Breach::NameLength(4)));
        assert_eq!(breach("<p:abcd/>"), None);
        assert_eq!(breach("<a abcde='1'/>"), Some(Breach::NameLength(4)));
        assert_eq!(
            breach("<a xmlns='urn:a'><b xmlns='urn:b'/></a>"),
            Some(Breach::NamespaceDeclarations(1))
        );
        assert_eq!(
            breach(&format!("<a>{}</a>", "<b/>".repeat(20))),
            Some(Breach::Nodes(20))
        );
        assert_eq!(breach(&" ".repeat(1001)), Some(Breach::Size(1000)));
        assert_eq!(
            breach("<a><?pi x?></a>"),
            Some(Breach::ProcessingInstruction)
        );
        assert_eq!(breach("<?xml version='1.0'?><a/>"), None);
        let stylesheet = "<?xml-stylesheet href='a.xsl'?><a/>";
        assert_eq!(scan(stylesheet, &XmlLimits::DOCUMENT), Ok(()));
    }

    #[test]
    fn a_run_of_text_and_references_is_one_node() {
        let text = format!("<a>{}</a>", "x&amp;<![CDATA[y]]>".repeat(50));
        assert_eq!(breach(&text), None);
    }

    #[test]
    fn what_the_reader_cannot_read_is_left_to_the_parser() {
        // Not well-formed, or a DTD: the parser refuses it, at once, and says where.
        assert_eq!(breach("<a><b></a>"), None);
        assert_eq!(breach("<a x='1></a>"), None);
        assert_eq!(
            breach("<!DOCTYPE a [<!ENTITY e 'x'>]><a><b><c><d/></c></b></a>"),
            None
        );
    }

    #[test]
    fn a_hostile_document_is_refused_in_one_pass() {
        let many = (0..100_000)
            .map(|i| format!(" a{i}='v'"))
            .collect::<String>();
        let wide = format!("<e{many}/>");
        let limits = XmlLimits::default();
        let r = scan(
            &wide,
            &XmlLimits {
                bytes: usize::MAX,
                ..limits
            },
        )
        .unwrap_err();
        assert_eq!(r.breach, Breach::Attributes(500));
        let deep = "<a>".repeat(1_000_000);
        let r = scan(
            &deep,
            &XmlLimits {
                bytes: usize::MAX,
                ..limits
            },
        )
        .unwrap_err();
        assert_eq!(r.breach, Breach::Depth(100));
    }
}
