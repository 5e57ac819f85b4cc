//! Reading an answer: its bytes as text in the declared encoding ([`decode_text`]), then parsed
//! under the [`XmlLimits`] ([`parse`]): no DTD (so no entity expansion), no processing
//! instructions, bounded depth, attributes, nodes, names and namespace declarations.

use std::borrow::Cow;

use roxmltree::Document;

use super::error::{EnvelopeError, LimitExceeded, TextError};

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
pub fn prescan(text: &str, limits: XmlLimits) -> Result<(), LimitExceeded> {
    let declarations = memchr::memmem::find_iter(text.as_bytes(), b"xmlns")
        .take(limits.namespace_declarations + 1)
        .count();
    if declarations > limits.namespace_declarations {
        return Err(LimitExceeded::NamespaceDeclarations(
            limits.namespace_declarations,
        ));
    }
    Ok(())
}

/// The answer's bytes as text: UTF-8 unless a BOM, the Content-Type's `charset` or the XML
/// declaration's `encoding` says otherwise (ISO-8859-1, windows-1252, UTF-16, ...: what legacy
/// Java and PHP stacks send). An unknown encoding or bytes invalid in it are an error.
pub fn decode_text<'b>(bytes: &'b [u8], content_type: &str) -> Result<Cow<'b, str>, TextError> {
    let from_header = content_type
        .split(';')
        .filter_map(|p| p.trim().strip_prefix("charset="))
        .map(|c| c.trim_matches('"').to_string())
        .next();
    let (encoding, bom_len) = match encoding_rs::Encoding::for_bom(bytes) {
        Some((e, n)) => (e, n),
        None => {
            let label = from_header
                .or_else(|| declared_encoding(bytes))
                .unwrap_or_else(|| "utf-8".into());
            (
                encoding_rs::Encoding::for_label(label.as_bytes())
                    .ok_or(TextError::UnknownEncoding(label))?,
                0,
            )
        }
    };
    let body = &bytes[bom_len..];
    if encoding == encoding_rs::UTF_8 {
        return std::str::from_utf8(body)
            .map(Cow::Borrowed)
            .map_err(|_| TextError::Invalid("UTF-8"));
    }
    encoding
        .decode_without_bom_handling_and_without_replacement(body)
        .ok_or(TextError::Invalid(encoding.name()))
}

/// The `encoding` of the XML declaration the bytes start with, if any.
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(200)];
    let head = std::str::from_utf8(head)
        .ok()
        .or_else(|| std::str::from_utf8(&head[..head.len().saturating_sub(3)]).ok())?;
    let decl = head.strip_prefix("<?xml")?.split("?>").next()?;
    let at = decl.find("encoding")?;
    let rest = decl[at + 8..].trim_start().strip_prefix('=')?.trim_start();
    let q = rest.chars().next()?;
    Some(rest[1..].split(q).next()?.to_string())
}

/// Parses an upstream answer under the limits.
pub fn parse<'i>(text: &'i str, limits: XmlLimits) -> Result<Document<'i>, EnvelopeError> {
    prescan(text, limits)?;
    let opts = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: limits.nodes,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = Document::parse_with_options(text, opts).map_err(|e| match e {
        roxmltree::Error::DtdDetected => EnvelopeError::Dtd,
        roxmltree::Error::NodesLimitReached => LimitExceeded::Nodes(limits.nodes).into(),
        e => EnvelopeError::NotWellFormed(e),
    })?;
    check_tree(&doc, limits)?;
    Ok(doc)
}

/// The limits checked on the parsed tree: depth, attributes, names; and no processing
/// instructions.
fn check_tree(doc: &Document, limits: XmlLimits) -> Result<(), EnvelopeError> {
    // Depth by a stack of open elements along document order: one pass, no recursion.
    let mut open: Vec<roxmltree::NodeId> = Vec::with_capacity(32);
    for n in doc.descendants() {
        if !n.is_element() {
            if n.is_pi() {
                return Err(EnvelopeError::ProcessingInstruction);
            }
            continue;
        }
        let parent = n.parent().map(|p| p.id());
        while open.last().is_some_and(|top| Some(*top) != parent) {
            open.pop();
        }
        open.push(n.id());
        if open.len() > limits.depth {
            return Err(LimitExceeded::Depth(limits.depth).into());
        }
        if n.attributes().len() > limits.attributes {
            return Err(LimitExceeded::Attributes(limits.attributes).into());
        }
        if n.tag_name().name().len() > limits.name_len {
            return Err(LimitExceeded::NameLength(limits.name_len).into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_limit_says_which_and_its_value() {
        let limits = XmlLimits {
            depth: 2,
            attributes: 1,
            nodes: 10,
            name_len: 3,
            namespace_declarations: 1,
        };
        let refused = |xml: &str| parse(xml, limits).err();
        assert_eq!(
            refused("<a><b><c/></b></a>"),
            Some(LimitExceeded::Depth(2).into())
        );
        assert_eq!(
            refused("<a x='1' y='2'/>"),
            Some(LimitExceeded::Attributes(1).into())
        );
        assert_eq!(
            refused("<abcd/>"),
            Some(LimitExceeded::NameLength(3).into())
        );
        assert_eq!(
            refused("<a xmlns='urn:a'><b xmlns='urn:b'/></a>"),
            Some(LimitExceeded::NamespaceDeclarations(1).into())
        );
        assert_eq!(
            refused(&format!("<a>{}</a>", "<b/>".repeat(20))),
            Some(LimitExceeded::Nodes(10).into())
        );
        assert_eq!(refused("<!DOCTYPE a><a/>"), Some(EnvelopeError::Dtd));
        assert_eq!(
            refused("<a><?pi x?></a>"),
            Some(EnvelopeError::ProcessingInstruction)
        );
        let e = refused("<a><b></a>").unwrap();
        assert!(matches!(e, EnvelopeError::NotWellFormed(_)), "{e}");
        assert!(e.to_string().contains("1:"), "a position: {e}");
    }

    #[test]
    fn text_errors_name_the_encoding() {
        assert_eq!(
            decode_text(b"<a/>", "text/xml; charset=klingon").unwrap_err(),
            TextError::UnknownEncoding("klingon".into())
        );
        assert_eq!(
            decode_text(b"<a>\xff</a>", "").unwrap_err().to_string(),
            "the answer is not valid UTF-8"
        );
    }
}
