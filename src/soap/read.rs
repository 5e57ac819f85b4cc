//! Reading an answer: its bytes as text in the declared encoding ([`decode_text`]), then parsed
//! under the [`XmlLimits`] ([`parse`]): size, depth, attributes, nodes, names and namespace
//! declarations checked in one linear pass before the tree is built, no processing
//! instructions, no DTD (so no entity expansion).

use std::borrow::Cow;

use roxmltree::Document;

use super::error::{EnvelopeError, LimitExceeded, TextError};
use crate::xml::Breach;
pub use crate::xml::XmlLimits;

/// The answer's text within the size limit and with no more `xmlns` in it than the namespace
/// declarations limit: the cheap checks the stream makes before it reads (the rest it checks as
/// it reads).
pub fn prescan(text: &str, limits: XmlLimits) -> Result<(), LimitExceeded> {
    if text.len() > limits.bytes {
        return Err(LimitExceeded::Size(limits.bytes));
    }
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

/// Parses an upstream answer under the limits, checked first in one linear pass
/// ([`crate::xml::scan`]) so that a refused answer costs time proportional to its length.
pub fn parse<'i>(text: &'i str, limits: XmlLimits) -> Result<Document<'i>, EnvelopeError> {
    crate::xml::scan(text, &limits).map_err(|r| match r.breach {
        Breach::Size(n) => EnvelopeError::from(LimitExceeded::Size(n)),
        Breach::NamespaceDeclarations(n) => LimitExceeded::NamespaceDeclarations(n).into(),
        Breach::Nodes(n) => LimitExceeded::Nodes(n).into(),
        Breach::Depth(n) => LimitExceeded::Depth(n).into(),
        Breach::Attributes(n) => LimitExceeded::Attributes(n).into(),
        Breach::NameLength(n) => LimitExceeded::NameLength(n).into(),
        Breach::ProcessingInstruction => EnvelopeError::ProcessingInstruction,
    })?;
    let opts = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: limits.nodes,
        ..roxmltree::ParsingOptions::default()
    };
    Document::parse_with_options(text, opts).map_err(|e| match e {
        roxmltree::Error::DtdDetected => EnvelopeError::Dtd,
        roxmltree::Error::NodesLimitReached => LimitExceeded::Nodes(limits.nodes).into(),
        e => EnvelopeError::NotWellFormed(e),
    })
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
            bytes: 100,
            processing_instructions: false,
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
        assert_eq!(
            refused(&format!("<a>{}</a>", " ".repeat(100))),
            Some(LimitExceeded::Size(100).into())
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
