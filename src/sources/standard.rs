//! The standard schemas that WSDLs import by URL, known without a file: W3C xmlmime and XOP
//! include, WS-Addressing (2004/08 and 1.0), and the OASIS WS-BaseNotification, WS-Topics,
//! WS-BaseFaults and WS-ResourceProperties schemas the ONVIF specifications import. Each is the
//! text its publisher wrote, embedded unmodified with its notice (where each came from and its
//! licence: `THIRD-PARTY-NOTICES.md`).
//!
//! Unlike the core schemas of `builtin` (always present), a standard schema joins a load only
//! when a document imports its namespace by URL or by namespace alone and no file read provides
//! that namespace; then the standard schemas it imports join too.

/// Standard schemas, by namespace: (namespace, virtual file name, text). The file names are the
/// ones the schemas' own imports name (`./ws-addr.xsd`, `./bf-2.xsd`, ...), so they find each
/// other as files would.
pub(super) const STANDARD_SCHEMAS: &[(&str, &str, &str)] = &[
    (
        "http://www.w3.org/2005/05/xmlmime",
        "xmlmime.xsd",
        include_str!("schemas/xmlmime.xsd"),
    ),
    (
        "http://www.w3.org/2004/08/xop/include",
        "xop-include.xsd",
        include_str!("schemas/xop-include.xsd"),
    ),
    (
        "http://www.w3.org/2005/08/addressing",
        "ws-addr.xsd",
        include_str!("schemas/ws-addr.xsd"),
    ),
    (
        "http://schemas.xmlsoap.org/ws/2004/08/addressing",
        "ws-addressing-2004-08.xsd",
        include_str!("schemas/ws-addressing-2004-08.xsd"),
    ),
    (
        "http://docs.oasis-open.org/wsn/b-2",
        "b-2.xsd",
        include_str!("schemas/b-2.xsd"),
    ),
    (
        "http://docs.oasis-open.org/wsn/t-1",
        "t-1.xsd",
        include_str!("schemas/t-1.xsd"),
    ),
    (
        "http://docs.oasis-open.org/wsrf/bf-2",
        "bf-2.xsd",
        include_str!("schemas/bf-2.xsd"),
    ),
    (
        "http://docs.oasis-open.org/wsrf/r-2",
        "r-2.xsd",
        include_str!("schemas/r-2.xsd"),
    ),
];

/// The standard schema of a namespace: (virtual file name, text without a byte-order mark).
pub(super) fn standard_schema(namespace: &str) -> Option<(&'static str, &'static str)> {
    STANDARD_SCHEMAS
        .iter()
        .find(|(ns, _, _)| *ns == namespace)
        .map(|(_, file, text)| (*file, text.strip_prefix('\u{feff}').unwrap_or(text)))
}

/// The namespaces a standard schema imports (every `xs:import` of its root), in document order.
pub(super) fn imported_namespaces(text: &str) -> Vec<String> {
    let Ok(doc) = roxmltree::Document::parse_with_options(text, crate::xml::parse_options()) else {
        return Vec::new();
    };
    doc.root_element()
        .children()
        .filter(|n| n.is_element() && n.tag_name().name() == "import")
        .filter_map(|n| n.attribute("namespace").map(str::to_string))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every standard schema is well-formed XML Schema in the namespace it is listed under.
    #[test]
    fn each_schema_declares_its_namespace() {
        for (ns, file, _) in STANDARD_SCHEMAS {
            let (_, text) = standard_schema(ns).unwrap();
            let doc = roxmltree::Document::parse_with_options(text, crate::xml::parse_options())
                .unwrap_or_else(|e| panic!("{file}: {e}"));
            let root = doc.root_element();
            assert_eq!(root.tag_name().name(), "schema", "{file}");
            assert_eq!(root.attribute("targetNamespace"), Some(*ns), "{file}");
        }
    }

    /// What the schemas import is either another standard schema or a core one.
    #[test]
    fn imports_stay_among_the_known_schemas() {
        let core: Vec<&str> = super::super::builtin::KNOWN_SCHEMAS
            .iter()
            .map(|(ns, _, _)| *ns)
            .collect();
        for (ns, file, _) in STANDARD_SCHEMAS {
            let (_, text) = standard_schema(ns).unwrap();
            for imported in imported_namespaces(text) {
                assert!(
                    standard_schema(&imported).is_some() || core.contains(&imported.as_str()),
                    "{file} imports {imported}, which is not known"
                );
            }
        }
        assert_eq!(
            imported_namespaces(
                standard_schema("http://docs.oasis-open.org/wsn/b-2")
                    .unwrap()
                    .1
            ),
            [
                "http://www.w3.org/2005/08/addressing",
                "http://docs.oasis-open.org/wsrf/bf-2",
                "http://docs.oasis-open.org/wsn/t-1"
            ]
        );
    }
}
