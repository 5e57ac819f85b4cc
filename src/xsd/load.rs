//! Standalone schema documents -> [`Schema`]: the entry point for `soapbridge validate` on an
//! `.xsd` and for the conformance suite. WSDLs go through `wsdl::load` instead.

use std::path::Path;

use super::check;
use super::compile::Compiler;
use super::model::{Schema, is_xs_ns};
use crate::diag::{Diagnostic, Diagnostics};
use crate::sources::{self, LoadOptions};

/// Loads the schema document at `path` and everything it includes or imports, offline, and
/// compiles it. Every problem is reported.
pub fn load(path: &Path, options: &LoadOptions) -> Result<Schema, Diagnostics> {
    let set = sources::collect(path, options)?;
    let docs = sources::parse_all(&set)?;
    let root = docs[0].root_element();
    if !(root.tag_name().namespace().is_some_and(is_xs_ns) && root.tag_name().name() == "schema") {
        let found = root.tag_name();
        return Err(Diagnostic::new(
            &set.sources[0].path,
            1,
            1,
            format!(
                "not an XML Schema document: the root element is `{}` in namespace `{}`",
                found.name(),
                found.namespace().unwrap_or("")
            ),
        )
        .hint("expected <xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">")
        .into());
    }
    // The schema-for-schemas pass first: a document that breaks it is reported as such, and
    // the compiler's own complaint about the same spot is dropped.
    let structural = check::structure(&set, &docs);
    let mut compiler = Compiler::new(&set);
    for (i, doc) in docs.iter().enumerate() {
        if i == 0 || set.sources[i].builtin {
            compiler.add_schema(&docs, i, doc.root_element(), None);
        }
    }
    compiler.compile_all();
    let mut diags = structural;
    for d in std::mem::take(&mut compiler.diags) {
        if !diags
            .iter()
            .any(|s| s.file == d.file && s.line == d.line && s.col == d.col)
        {
            diags.push(d);
        }
    }
    if diags.is_empty() {
        diags = check::components(&set, &docs, &compiler.schema);
    }
    if diags.is_empty() {
        compiler.schema.shrink_to_fit();
        Ok(compiler.schema)
    } else {
        Err(Diagnostics(diags))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_a_schema_with_an_include_and_reports_unknown_types() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("a.xsd"),
            r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:a" xmlns:a="urn:a">
  <xs:include schemaLocation="b.xsd"/>
  <xs:element name="root" type="a:B"/>
</xs:schema>"#,
        )
        .unwrap();
        std::fs::write(
            dir.path().join("b.xsd"),
            r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:complexType name="B"><xs:sequence><xs:element name="x" type="xs:int"/></xs:sequence></xs:complexType>
</xs:schema>"#,
        )
        .unwrap();
        let schema = load(&dir.path().join("a.xsd"), &LoadOptions::default()).unwrap();
        assert!(
            schema
                .global_elements
                .contains_key(&super::super::QName::new("urn:a", "root"))
        );

        std::fs::write(
            dir.path().join("c.xsd"),
            r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:element name="root" type="Nope"/>
</xs:schema>"#,
        )
        .unwrap();
        let err = load(&dir.path().join("c.xsd"), &LoadOptions::default()).unwrap_err();
        assert!(err.to_string().contains("c.xsd:2:"), "{err}");
        assert!(err.to_string().contains("unknown type"), "{err}");
    }

    #[test]
    fn a_chameleon_include_refers_to_its_own_components_in_the_includers_namespace() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("a.xsd"),
            r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:a" xmlns:a="urn:a">
  <xs:include schemaLocation="b.xsd"/>
  <xs:element name="root"><xs:complexType><xs:attributeGroup ref="a:G"/></xs:complexType></xs:element>
</xs:schema>"#,
        )
        .unwrap();
        std::fs::write(
            dir.path().join("b.xsd"),
            r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:attributeGroup name="G"><xs:attribute name="code" type="Code"/></xs:attributeGroup>
  <xs:simpleType name="Code"><xs:restriction base="xs:string"><xs:length value="3"/></xs:restriction></xs:simpleType>
</xs:schema>"#,
        )
        .unwrap();
        let schema = load(&dir.path().join("a.xsd"), &LoadOptions::default())
            .unwrap_or_else(|d| panic!("{d}"));
        assert!(
            schema
                .global_types
                .contains_key(&super::super::QName::new("urn:a", "Code"))
        );
    }
}
