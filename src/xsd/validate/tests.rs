//! Validator unit tests: behaviour on small schemas, and hostile input.

use super::*;
use crate::sources::LoadOptions;

fn schema(xsd: &str) -> (tempfile::TempDir, Schema) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("s.xsd");
    std::fs::write(&p, xsd).unwrap();
    let s = crate::xsd::load::load(&p, &LoadOptions::default()).unwrap();
    (dir, s)
}

fn check(s: &Schema, xml: &str) -> Vec<Violation> {
    let doc = Document::parse(xml).unwrap();
    Validator::new(s).validate_root(&doc)
}

const XS_OPEN: &str = r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">"#;

#[test]
fn sequence_counts_and_paths() {
    let (_d, s) = schema(&format!(
        r#"{XS_OPEN}
  <xs:element name="r"><xs:complexType><xs:sequence>
    <xs:element name="c" maxOccurs="2"><xs:complexType><xs:sequence>
      <xs:element name="id" type="xs:int"/></xs:sequence></xs:complexType></xs:element>
  </xs:sequence></xs:complexType></xs:element></xs:schema>"#
    ));
    assert!(check(&s, "<r><c><id>1</id></c></r>").is_empty());
    let v = check(&s, "<r><c><id>1</id></c><c><id>x</id></c></r>");
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0].path, "/r/c[2]/id");
    assert_eq!(v[0].rule, "value");
    let v = check(
        &s,
        "<r><c><id>1</id></c><c><id>1</id></c><c><id>1</id></c></r>",
    );
    assert_eq!(v.len(), 1, "{v:?}");
    assert!(v[0].message.contains("unexpected element"), "{v:?}");
}
