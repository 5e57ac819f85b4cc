//! Documents downloaded from a service (`soapbridge fetch`), offline parts: the locations a
//! downloaded WSDL or XSD document references, a readable local file name for each URL
//! (WCF-style `Service.svc?wsdl=wsdl0` becomes `Service.wsdl0.wsdl`), and the catalog that maps
//! each location as written to its local file, in the format `--catalog` reads. The downloading
//! itself is the command's; nothing here touches the network.

use std::collections::HashSet;

use url::Url;

use super::encoding::decode;
use crate::xml::{WSDL, is_xs_ns, parse_options};

/// Why a downloaded document's references cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    /// Is raised when the bytes are not text in UTF-8 or the encoding the document declares.
    #[error("not text in UTF-8 or the encoding it declares")]
    NotText,
    /// Is raised when the document is not well-formed XML (or has a DTD, refused as always).
    #[error("not well-formed XML: {0}")]
    NotXml(#[from] roxmltree::Error),
}

/// What a downloaded document is, by its root element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    /// A WSDL 1.1 `definitions`.
    Wsdl,
    /// Anything else (an `xs:schema`, normally): saved as `.xsd`.
    Schema,
}

/// A downloaded document read for what it references.
#[derive(Debug)]
pub struct Referencing {
    /// WSDL or schema, by the root element.
    pub kind: DocumentKind,
    /// The locations it names (`wsdl:import/@location`, `xs:import`, `xs:include`,
    /// `xs:redefine`, `xs:override` `/@schemaLocation`), as written, in document order, once each.
    pub locations: Vec<String>,
}

/// Reads a downloaded document's kind and the locations it references.
pub fn references(bytes: &[u8]) -> Result<Referencing, RemoteError> {
    let (text, _) = decode(bytes.to_vec(), true).map_err(|_| RemoteError::NotText)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let doc = roxmltree::Document::parse_with_options(text, parse_options())?;
    let root = doc.root_element();
    let kind =
        if root.tag_name().namespace() == Some(WSDL) && root.tag_name().name() == "definitions" {
            DocumentKind::Wsdl
        } else {
            DocumentKind::Schema
        };
    let mut locations: Vec<String> = Vec::new();
    for node in doc.descendants().filter(|n| n.is_element()) {
        let ns = node.tag_name().namespace().unwrap_or("");
        let location = match (ns, node.tag_name().name()) {
            (WSDL, "import") => node.attribute("location"),
            (ns, "import" | "include" | "redefine" | "override") if is_xs_ns(ns) => {
                node.attribute("schemaLocation")
            }
            _ => None,
        };
        if let Some(l) = location.map(str::trim).filter(|l| !l.is_empty())
            && !locations.iter().any(|seen| seen == l)
        {
            locations.push(l.to_string());
        }
    }
    Ok(Referencing { kind, locations })
}

/// A readable local file name for a downloaded URL, not yet in `taken`: the last path segment
/// without its extension, the query's values (`?wsdl=wsdl0` -> `wsdl0`; a bare `?wsdl` adds
/// nothing), and `.wsdl` or `.xsd` by kind; `-2`, `-3`, ... when taken. Only ASCII letters,
/// digits, `.`, `-` and `_`.
pub fn local_name(url: &Url, kind: DocumentKind, taken: &HashSet<String>) -> String {
    let segment = url
        .path_segments()
        .and_then(|mut s| s.rfind(|x| !x.is_empty()))
        .unwrap_or("");
    let stem = match segment.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => segment,
    };
    let stem = match safe(stem) {
        s if s.is_empty() => safe(url.host_str().unwrap_or("service")),
        s => s,
    };
    let query: Vec<String> = url
        .query_pairs()
        .map(|(k, v)| if v.is_empty() { k } else { v })
        .filter(|v| !v.eq_ignore_ascii_case("wsdl") && !v.eq_ignore_ascii_case("singlewsdl"))
        .map(|v| safe(&v))
        .filter(|v| !v.is_empty())
        .collect();
    let base = if query.is_empty() {
        stem
    } else {
        format!("{stem}.{}", query.join("-"))
    };
    let ext = match kind {
        DocumentKind::Wsdl => "wsdl",
        DocumentKind::Schema => "xsd",
    };
    let mut name = format!("{base}.{ext}");
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{base}-{n}.{ext}");
        n += 1;
    }
    name
}

/// Keeps ASCII letters, digits, `.`, `-` and `_`; anything else becomes `_`; no leading dot.
fn safe(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    s.trim_start_matches('.').chars().take(80).collect()
}

/// The catalog text: a comment naming where the documents came from, then one line
/// `LOCATION = FILE` per (location as written, local file name), sorted, as `--catalog` reads.
pub fn catalog_text(source: &Url, entries: &[(String, String)]) -> String {
    let mut lines: Vec<&(String, String)> = entries.iter().collect();
    lines.sort();
    lines.dedup();
    let mut out = format!(
        "# Written by `soapbridge fetch {source}`: each location the documents name, as written,\n# and the local copy it reads offline.\n"
    );
    for (location, file) in lines {
        out.push_str(&format!("{location} = {file}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(url: &str, kind: DocumentKind) -> String {
        local_name(&Url::parse(url).unwrap(), kind, &HashSet::new())
    }

    #[test]
    fn wcf_style_urls_get_readable_names() {
        use DocumentKind::*;
        assert_eq!(name("http://h/Svc/Service.svc?wsdl", Wsdl), "Service.wsdl");
        assert_eq!(
            name("http://h/Svc/Service.svc?singleWsdl", Wsdl),
            "Service.wsdl"
        );
        assert_eq!(
            name("http://h/Service.svc?wsdl=wsdl0", Wsdl),
            "Service.wsdl0.wsdl"
        );
        assert_eq!(
            name("http://h/Service.svc?xsd=xsd0", Schema),
            "Service.xsd0.xsd"
        );
        assert_eq!(name("http://h/a/types.xsd", Schema), "types.xsd");
        assert_eq!(name("http://h/", Wsdl), "h.wsdl");
        assert_eq!(
            name("http://h/x?a=../../etc/passwd", Schema),
            "x._.._etc_passwd.xsd"
        );
        let taken = HashSet::from(["types.xsd".to_string(), "types-2.xsd".to_string()]);
        let url = Url::parse("http://h/b/types.xsd").unwrap();
        assert_eq!(local_name(&url, Schema, &taken), "types-3.xsd");
    }

    #[test]
    fn references_in_document_order_once_each() {
        let wsdl = br#"<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <import namespace="urn:a" location="http://h/S.svc?wsdl=wsdl0"/>
  <types><xs:schema><xs:import namespace="urn:b" schemaLocation="http://h/S.svc?xsd=xsd0"/>
    <xs:include schemaLocation="inc.xsd"/><xs:import namespace="urn:c"/>
    <xs:import namespace="urn:b" schemaLocation="http://h/S.svc?xsd=xsd0"/></xs:schema></types>
</definitions>"#;
        let r = references(wsdl).unwrap();
        assert_eq!(r.kind, DocumentKind::Wsdl);
        assert_eq!(
            r.locations,
            [
                "http://h/S.svc?wsdl=wsdl0",
                "http://h/S.svc?xsd=xsd0",
                "inc.xsd"
            ]
        );
        assert!(matches!(references(b"<a>"), Err(RemoteError::NotXml(_))));
        let dtd = br#"<!DOCTYPE x [<!ENTITY e "e">]><x/>"#;
        assert!(references(dtd).is_err());
    }

    #[test]
    fn the_catalog_is_sorted_and_reads_back() {
        let source = Url::parse("http://h/S.svc?wsdl").unwrap();
        let text = catalog_text(
            &source,
            &[
                ("http://h/S.svc?xsd=xsd0".into(), "S.xsd0.xsd".into()),
                ("http://h/S.svc?wsdl=wsdl0".into(), "S.wsdl0.wsdl".into()),
            ],
        );
        let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(
            lines,
            [
                "http://h/S.svc?wsdl=wsdl0 = S.wsdl0.wsdl",
                "http://h/S.svc?xsd=xsd0 = S.xsd0.xsd"
            ]
        );
    }
}
