//! `xs:redefine` on small schemas written for these tests: a redefined type, group and
//! attribute group take effect everywhere (also in the redefined schema), their self-references
//! mean the original, chains work, and invalid redefinitions are refused with a place.

use std::path::Path;

use super::validate::Validator;
use super::*;
use crate::diag::Diagnostics;

const XS: &str = r#"xmlns:xs="http://www.w3.org/2001/XMLSchema""#;

/// Writes `files` (name, schema body inside `<xs:schema targetNamespace="urn:r" xmlns:r="urn:r">`)
/// and loads the first.
fn load(files: &[(&str, &str)]) -> (tempfile::TempDir, Result<Schema, Diagnostics>) {
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in files {
        std::fs::write(
            dir.path().join(name),
            format!(
                r#"<xs:schema {XS} targetNamespace="urn:r" xmlns:r="urn:r">{body}</xs:schema>"#
            ),
        )
        .unwrap();
    }
    let result = load::load(&dir.path().join(files[0].0), &Default::default());
    (dir, result)
}

/// The problems `schema` finds in `instance` (empty: valid).
fn problems(schema: &Schema, instance: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(instance).unwrap();
    Validator::new(schema)
        .validate_root(&doc)
        .iter()
        .map(|v| format!("{v:?}"))
        .collect()
}

fn q(local: &str) -> QName {
    QName::new("urn:r", local)
}

const BASE: &str = r#"
  <xs:complexType name="Person"><xs:sequence><xs:element name="name" type="xs:string"/></xs:sequence></xs:complexType>
  <xs:simpleType name="Code"><xs:restriction base="xs:string"><xs:maxLength value="5"/></xs:restriction></xs:simpleType>
  <xs:group name="G"><xs:sequence><xs:element name="a" type="xs:int"/></xs:sequence></xs:group>
  <xs:attributeGroup name="AG"><xs:attribute name="x" type="xs:int"/></xs:attributeGroup>
  <xs:element name="person" type="r:Person"/>
  <xs:element name="code" type="r:Code"/>
  <xs:element name="g"><xs:complexType><xs:group ref="r:G"/><xs:attributeGroup ref="r:AG"/></xs:complexType></xs:element>"#;

#[test]
fn a_redefined_type_extends_its_original_and_replaces_it_everywhere() {
    let (_dir, s) = load(&[
        (
            "a.xsd",
            r#"<xs:redefine schemaLocation="b.xsd">
              <xs:complexType name="Person"><xs:complexContent><xs:extension base="r:Person">
                <xs:sequence><xs:element name="age" type="xs:int"/></xs:sequence>
              </xs:extension></xs:complexContent></xs:complexType>
              <xs:simpleType name="Code"><xs:restriction base="r:Code"><xs:minLength value="2"/></xs:restriction></xs:simpleType>
            </xs:redefine>"#,
        ),
        ("b.xsd", BASE),
    ]);
    let s = s.unwrap_or_else(|e| panic!("{e}"));
    let person = s.global_types[&q("Person")];
    let original = s.ty(person).base.expect("derives from the original");
    assert_ne!(original, person);
    assert_eq!(s.ty(original).name, Some(q("Person")));
    // The element declared in the redefined schema uses the redefinition.
    assert_eq!(s.element(s.global_elements[&q("person")]).type_id, person);
    let doc = r#"<r:person xmlns:r="urn:r"><name>Ann</name><age>40</age></r:person>"#;
    assert_eq!(problems(&s, doc), Vec::<String>::new());
    let without_age = r#"<r:person xmlns:r="urn:r"><name>Ann</name></r:person>"#;
    assert!(!problems(&s, without_age).is_empty());
    // The simple type keeps the original's maxLength and adds minLength.
    assert!(problems(&s, r#"<r:code xmlns:r="urn:r">abc</r:code>"#).is_empty());
    assert!(!problems(&s, r#"<r:code xmlns:r="urn:r">a</r:code>"#).is_empty());
    assert!(!problems(&s, r#"<r:code xmlns:r="urn:r">abcdef</r:code>"#).is_empty());
}

#[test]
fn a_redefined_group_and_attribute_group_include_their_originals() {
    let (_dir, s) = load(&[
        (
            "a.xsd",
            r#"<xs:redefine schemaLocation="b.xsd">
              <xs:group name="G"><xs:sequence><xs:group ref="r:G"/><xs:element name="b" type="xs:int"/></xs:sequence></xs:group>
              <xs:attributeGroup name="AG"><xs:attributeGroup ref="r:AG"/><xs:attribute name="y" type="xs:int" use="required"/></xs:attributeGroup>
            </xs:redefine>"#,
        ),
        ("b.xsd", BASE),
    ]);
    let s = s.unwrap_or_else(|e| panic!("{e}"));
    let g = s.element(s.global_elements[&q("g")]).type_id;
    let TypeKind::Complex(ct) = &s.ty(g).kind else {
        panic!("g is simple")
    };
    let names: Vec<&str> = ct
        .attributes
        .iter()
        .map(|a| a.name.local.as_str())
        .collect();
    assert_eq!(names, ["x", "y"]);
    let valid = r#"<r:g xmlns:r="urn:r" x="1" y="2"><a>1</a><b>2</b></r:g>"#;
    assert_eq!(problems(&s, valid), Vec::<String>::new());
    // The original alone is no longer enough: `b` and `y` are required.
    assert!(!problems(&s, r#"<r:g xmlns:r="urn:r" x="1" y="2"><a>1</a></r:g>"#).is_empty());
    assert!(!problems(&s, r#"<r:g xmlns:r="urn:r" x="1"><a>1</a><b>2</b></r:g>"#).is_empty());
}

#[test]
fn a_redefinition_without_a_self_reference_may_restrict_the_original() {
    let (_dir, s) = load(&[
        (
            "a.xsd",
            r#"<xs:redefine schemaLocation="b.xsd">
              <xs:group name="G"><xs:sequence><xs:element name="a" type="xs:byte"/></xs:sequence></xs:group>
              <xs:attributeGroup name="AG"><xs:attribute name="x" type="xs:int" use="required"/></xs:attributeGroup>
            </xs:redefine>"#,
        ),
        ("b.xsd", BASE),
    ]);
    let s = s.unwrap_or_else(|e| panic!("{e}"));
    assert!(problems(&s, r#"<r:g xmlns:r="urn:r" x="1"><a>1</a></r:g>"#).is_empty());
    assert!(!problems(&s, r#"<r:g xmlns:r="urn:r"><a>1</a></r:g>"#).is_empty());
    assert!(!problems(&s, r#"<r:g xmlns:r="urn:r" x="1"><a>1000</a></r:g>"#).is_empty());
}

#[test]
fn a_redefinition_of_a_redefinition_builds_on_it() {
    let (_dir, s) = load(&[
        (
            "top.xsd",
            r#"<xs:redefine schemaLocation="a.xsd">
              <xs:group name="G"><xs:sequence><xs:group ref="r:G"/><xs:element name="c" type="xs:int"/></xs:sequence></xs:group>
            </xs:redefine>"#,
        ),
        (
            "a.xsd",
            r#"<xs:redefine schemaLocation="b.xsd">
              <xs:group name="G"><xs:sequence><xs:group ref="r:G"/><xs:element name="b" type="xs:int"/></xs:sequence></xs:group>
            </xs:redefine>"#,
        ),
        ("b.xsd", BASE),
    ]);
    let s = s.unwrap_or_else(|e| panic!("{e}"));
    let valid = r#"<r:g xmlns:r="urn:r"><a>1</a><b>2</b><c>3</c></r:g>"#;
    assert_eq!(problems(&s, valid), Vec::<String>::new());
    assert!(!problems(&s, r#"<r:g xmlns:r="urn:r"><a>1</a><b>2</b></r:g>"#).is_empty());
}

/// Loads `a.xsd` redefining [`BASE`] with `redefine` and returns its problems.
fn refused(redefine: &str) -> String {
    let (dir, s) = load(&[
        (
            "a.xsd",
            &format!(r#"<xs:redefine schemaLocation="b.xsd">{redefine}</xs:redefine>"#),
        ),
        ("b.xsd", BASE),
    ]);
    let err = match s {
        Ok(_) => panic!("accepted: {redefine}"),
        Err(e) => e.to_string(),
    };
    let a = dir.path().join("a.xsd");
    assert!(
        err.contains(&format!("{}:1:", Path::new(&a).display())),
        "no place in a.xsd: {err}"
    );
    err
}

#[test]
fn invalid_redefinitions_are_refused_with_a_place() {
    let err = refused(
        r#"<xs:complexType name="Person"><xs:sequence><xs:element name="other" type="xs:int"/></xs:sequence></xs:complexType>"#,
    );
    assert!(err.contains("does not derive from `Person`"), "{err}");
    let err =
        refused(r#"<xs:simpleType name="Code"><xs:restriction base="xs:string"/></xs:simpleType>"#);
    assert!(err.contains("does not derive from `Code`"), "{err}");
    let err = refused(
        r#"<xs:group name="G"><xs:sequence><xs:group ref="r:G"/><xs:group ref="r:G"/></xs:sequence></xs:group>"#,
    );
    assert!(err.contains("refers to itself 2 times"), "{err}");
    let err = refused(
        r#"<xs:group name="G"><xs:sequence><xs:group ref="r:G" maxOccurs="2"/></xs:sequence></xs:group>"#,
    );
    assert!(err.contains("must occur exactly once"), "{err}");
    let err =
        refused(r#"<xs:attributeGroup name="Nope"><xs:attribute name="z"/></xs:attributeGroup>"#);
    assert!(err.contains("which `b.xsd` does not define"), "{err}");
    let err = refused(
        r#"<xs:complexType name="Code"><xs:simpleContent><xs:extension base="r:Code"/></xs:simpleContent></xs:complexType>"#,
    );
    assert!(err.contains("redefined as an xs:complexType"), "{err}");
    // Without a self-reference, a redefinition must restrict the original.
    let err = refused(
        r#"<xs:group name="G"><xs:sequence><xs:element name="z" type="xs:int"/></xs:sequence></xs:group>"#,
    );
    assert!(err.contains("not a restriction"), "{err}");
    let err = refused(
        r#"<xs:attributeGroup name="AG"><xs:attribute name="z" type="xs:int"/></xs:attributeGroup>"#,
    );
    assert!(err.contains("attribute `z` is not allowed"), "{err}");
}

#[test]
fn schemas_that_redefine_each_other_stop_with_an_error() {
    let (_dir, s) = load(&[
        (
            "a.xsd",
            r#"<xs:redefine schemaLocation="b.xsd"><xs:group name="B"><xs:sequence><xs:group ref="r:B"/></xs:sequence></xs:group></xs:redefine>
               <xs:group name="A"><xs:sequence><xs:element name="a"/></xs:sequence></xs:group>"#,
        ),
        (
            "b.xsd",
            r#"<xs:redefine schemaLocation="a.xsd"><xs:group name="A"><xs:sequence><xs:group ref="r:A"/></xs:sequence></xs:group></xs:redefine>
               <xs:group name="B"><xs:sequence><xs:element name="b"/></xs:sequence></xs:group>"#,
        ),
    ]);
    let err = s.expect_err("mutual redefinition is refused").to_string();
    // Said as what it is: a.xsd, loaded as it is, comes back redefined by b.xsd.
    assert!(
        err.contains("b.xsd:1:")
            && err.contains(
                "group `A` is redefined from `a.xsd`, but `a.xsd` is also in force as it is"
            ),
        "{err}"
    );
    assert!(!err.contains("does not define"), "{err}");
}

#[test]
fn a_missing_file_matters_only_when_something_is_redefined() {
    let (_dir, s) = load(&[(
        "a.xsd",
        r#"<xs:redefine schemaLocation="missing.xsd"><xs:annotation/></xs:redefine>
           <xs:element name="e" type="xs:int"/>"#,
    )]);
    let s = s.unwrap_or_else(|e| panic!("{e}"));
    assert!(s.global_elements.contains_key(&q("e")));
    let (_dir, s) = load(&[(
        "a.xsd",
        r#"<xs:redefine schemaLocation="missing.xsd"><xs:group name="G"><xs:sequence/></xs:group></xs:redefine>"#,
    )]);
    let err = s
        .expect_err("a missing redefined file is refused")
        .to_string();
    assert!(
        err.contains("a.xsd:1:") && err.contains("missing.xsd"),
        "{err}"
    );
}
