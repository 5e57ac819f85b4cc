//! SOAP envelopes: writing 1.1 and 1.2 envelopes around a body, the HTTP headers each version
//! needs, and reading an answer under limits (no DTD, bounded depth, attributes, nodes and
//! names), faults recognised in either version, also with HTTP 200.

use roxmltree::{Document, Node};

use crate::wsdl::SoapVersion;
use crate::xsd::XSI;

pub const ENV11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub const ENV12: &str = "http://www.w3.org/2003/05/soap-envelope";

pub fn envelope_ns(v: SoapVersion) -> &'static str {
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

/// Limits on XML read from an upstream (DESIGN.md defaults).
#[derive(Debug, Clone, Copy)]
pub struct XmlLimits {
    pub depth: usize,
    /// Attributes per element, namespace declarations included.
    pub attributes: usize,
    pub nodes: u32,
    pub name_len: usize,
    /// Namespace declarations in the whole answer: roxmltree's namespace scoping costs
    /// (declarations in scope x elements declaring), so many of them are refused up front.
    pub namespace_declarations: usize,
}

impl Default for XmlLimits {
    fn default() -> Self {
        XmlLimits {
            depth: 100,
            attributes: 500,
            nodes: 200_000,
            name_len: 1024,
            namespace_declarations: 1000,
        }
    }
}

/// A linear pre-pass over the raw bytes: roxmltree's namespace scoping costs (declarations in
/// scope) x (elements that declare), so an answer may not declare more than the limit. Every
/// `xmlns` in the text counts (an upper bound; a false positive only refuses a pathological
/// answer). Depth, attributes, names, DTDs and PIs are checked on the parsed tree.
fn prescan(text: &str, limits: XmlLimits) -> Result<(), String> {
    let declarations = memchr::memmem::find_iter(text.as_bytes(), b"xmlns")
        .take(limits.namespace_declarations + 1)
        .count();
    if declarations > limits.namespace_declarations {
        return Err(format!(
            "the answer declares more than {} namespaces",
            limits.namespace_declarations
        ));
    }
    Ok(())
}

/// The answer's bytes as text: UTF-8 unless a BOM, the Content-Type's `charset` or the XML
/// declaration's `encoding` says otherwise (ISO-8859-1, windows-1252, UTF-16, ...: what legacy
/// Java and PHP stacks send). An unknown encoding or bytes invalid in it are an error.
pub fn decode_text<'b>(
    bytes: &'b [u8],
    content_type: &str,
) -> Result<std::borrow::Cow<'b, str>, String> {
    let from_header = content_type
        .split(';')
        .filter_map(|p| p.trim().strip_prefix("charset="))
        .map(|c| c.trim_matches('"').to_string())
        .next();
    let from_decl = || {
        let head = &bytes[..bytes.len().min(200)];
        let head = std::str::from_utf8(head)
            .ok()
            .or_else(|| std::str::from_utf8(&head[..head.len().saturating_sub(3)]).ok())?;
        let decl = head.strip_prefix("<?xml")?.split("?>").next()?;
        let at = decl.find("encoding")?;
        let rest = decl[at + 8..].trim_start().strip_prefix('=')?.trim_start();
        let q = rest.chars().next()?;
        Some(rest[1..].split(q).next()?.to_string())
    };
    let (encoding, bom_len) = match encoding_rs::Encoding::for_bom(bytes) {
        Some((e, n)) => (e, n),
        None => {
            let label = from_header
                .or_else(from_decl)
                .unwrap_or_else(|| "utf-8".into());
            (
                encoding_rs::Encoding::for_label(label.as_bytes())
                    .ok_or_else(|| format!("the answer's encoding `{label}` is unknown"))?,
                0,
            )
        }
    };
    let body = &bytes[bom_len..];
    if encoding == encoding_rs::UTF_8 {
        return std::str::from_utf8(body)
            .map(std::borrow::Cow::Borrowed)
            .map_err(|_| "the answer is not valid UTF-8".to_string());
    }
    encoding
        .decode_without_bom_handling_and_without_replacement(body)
        .ok_or_else(|| format!("the answer is not valid {}", encoding.name()))
}

/// Parses an upstream answer under the limits.
pub fn parse<'i>(text: &'i str, limits: XmlLimits) -> Result<Document<'i>, String> {
    prescan(text, limits)?;
    let opts = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: limits.nodes,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = Document::parse_with_options(text, opts).map_err(|e| match e {
        roxmltree::Error::DtdDetected => {
            "the answer holds a DTD, which SOAP forbids (nothing was expanded)".to_string()
        }
        roxmltree::Error::NodesLimitReached => {
            format!("the answer has more than {} XML nodes", limits.nodes)
        }
        e => format!("the answer is not well-formed XML: {e}"),
    })?;
    // Depth by a stack of open elements along document order: one pass, no recursion.
    let mut open: Vec<roxmltree::NodeId> = Vec::with_capacity(32);
    for n in doc.descendants() {
        if !n.is_element() {
            if n.is_pi() {
                return Err(
                    "the answer holds a processing instruction, which SOAP forbids".to_string(),
                );
            }
            continue;
        }
        let parent = n.parent().map(|p| p.id());
        while open.last().is_some_and(|top| Some(*top) != parent) {
            open.pop();
        }
        open.push(n.id());
        if open.len() > limits.depth {
            return Err(format!(
                "the answer nests elements deeper than {}",
                limits.depth
            ));
        }
        if n.attributes().len() > limits.attributes {
            return Err(format!(
                "an element of the answer has more than {} attributes",
                limits.attributes
            ));
        }
        if n.tag_name().name().len() > limits.name_len {
            return Err(format!(
                "an element name of the answer is longer than {} bytes",
                limits.name_len
            ));
        }
    }
    Ok(doc)
}

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
pub fn body<'a, 'i>(doc: &'a Document<'i>) -> Result<(SoapVersion, Payload<'a, 'i>), String> {
    let root = doc.root_element();
    let version = match (root.tag_name().namespace(), root.tag_name().name()) {
        (Some(ENV11), "Envelope") => SoapVersion::V11,
        (Some(ENV12), "Envelope") => SoapVersion::V12,
        (ns, name) => {
            return Err(format!(
                "the answer is not a SOAP envelope (root element `{name}` in namespace `{}`)",
                ns.unwrap_or("")
            ));
        }
    };
    let env = envelope_ns(version);
    let body = root
        .children()
        .find(|c| {
            c.is_element() && c.tag_name().namespace() == Some(env) && c.tag_name().name() == "Body"
        })
        .ok_or("the envelope has no Body")?;
    if let Some(f) = body.children().find(|c| {
        c.is_element() && c.tag_name().namespace() == Some(env) && c.tag_name().name() == "Fault"
    }) {
        return Ok((version, Payload::Fault(fault(version, f))));
    }
    Ok((version, Payload::Body(body)))
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

/// A fault's detail: namespace declarations, whether `xsi:` is used, the detail's XML.
pub type Detail<'a> = (&'a [(&'a str, &'a str)], bool, &'a [u8]);

/// Writes a fault envelope (for the mock).
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
