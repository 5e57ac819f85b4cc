//! The checks seen from a schema load: each pass refuses what it should, at the right place.

use crate::sources::LoadOptions;

/// Loads `body` as a standalone schema (target namespace `urn:t`, prefix `t`) and returns
/// every diagnostic, one per line, with the file name taken out; "ok" when it loads.
fn load(body: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.xsd");
    std::fs::write(
        &path,
        format!(
            "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" xmlns:t=\"urn:t\" targetNamespace=\"urn:t\">\n{body}\n</xs:schema>\n"
        ),
    )
    .unwrap();
    match super::super::load::load(&path, &LoadOptions::default()) {
        Ok(_) => "ok".to_string(),
        Err(d) => d
            .to_string()
            .replace(&format!("{}", path.display()), "s.xsd"),
    }
}

#[track_caller]
fn rejects(body: &str, at: &str, message: &str) {
    let got = load(body);
    assert!(
        got.contains(at) && got.contains(message),
        "expected `{at}` and `{message}`, got:\n{got}"
    );
}

#[test]
fn a_valid_schema_using_most_features_loads() {
    let got = load(
        r###"<xs:simpleType name="Code"><xs:restriction base="xs:token"><xs:maxLength value="8"/>
<xs:enumeration value="A1"/><xs:enumeration value=" B2 "/></xs:restriction></xs:simpleType>
  <xs:simpleType name="Short"><xs:restriction base="t:Code"><xs:maxLength value="4"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="Small"><xs:restriction base="xs:int"><xs:minInclusive value="-5"/><xs:maxExclusive value="10"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="Smaller"><xs:restriction base="t:Small"><xs:maxExclusive value="10"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="Codes"><xs:list itemType="t:Code"/></xs:simpleType>
  <xs:complexType name="Base"><xs:sequence>
  <xs:element name="a" type="xs:string" minOccurs="0" maxOccurs="unbounded"/>
  <xs:choice><xs:element name="b" type="xs:int"/><xs:any namespace="##other" processContents="lax"/></xs:choice>
</xs:sequence><xs:attribute name="n" type="xs:int" default="3"/><xs:anyAttribute namespace="##any"/></xs:complexType>
  <xs:complexType name="Narrow"><xs:complexContent><xs:restriction base="t:Base"><xs:sequence>
  <xs:element name="a" type="xs:string" maxOccurs="2"/><xs:element name="b" type="xs:int"/>
</xs:sequence><xs:attribute name="n" type="t:Small" fixed="4"/></xs:restriction></xs:complexContent></xs:complexType>
  <xs:complexType name="Wider"><xs:complexContent><xs:extension base="t:Base">
<xs:sequence><xs:element name="c" type="t:Codes" default="A1 B2"/></xs:sequence></xs:extension></xs:complexContent></xs:complexType>
  <xs:group name="G"><xs:sequence><xs:element ref="t:root" minOccurs="0"/></xs:sequence></xs:group>
  <xs:element name="root" type="t:Wider"><xs:unique name="u"><xs:selector xpath="t:a"/><xs:field xpath="."/></xs:unique></xs:element>"###,
    );
    assert_eq!(got, "ok");
}

#[test]
fn content_models_of_schema_elements_are_checked() {
    rejects(
        r#"<xs:complexType name="T"><xs:attribute name="a"/><xs:sequence/></xs:complexType>"#,
        "s.xsd:2:50:",
        "xs:sequence is not allowed here in xs:complexType",
    );
    rejects(
        r#"<xs:element name="e"><xs:annotation/><xs:annotation/></xs:element>"#,
        "s.xsd:2:38:",
        "xs:annotation is not allowed here in xs:element",
    );
    rejects(
        r#"<xs:element name="e">text</xs:element>"#,
        "s.xsd:2:22:",
        "text is not allowed in xs:element",
    );
}

#[test]
fn attribute_values_and_co_occurrence_are_checked() {
    rejects(
        r#"<xs:complexType name="T"><xs:sequence><xs:any processContents="loose"/></xs:sequence></xs:complexType>"#,
        "s.xsd:2:47:",
        "processContents=\"loose\" is not `strict`, `lax` or `skip`",
    );
    rejects(
        r#"<xs:element name="e" type="xs:int" default="1" fixed="1"/>"#,
        "s.xsd:2:1:",
        "has both `default` and `fixed`",
    );
    rejects(
        r#"<xs:element name="e" colour="red"/>"#,
        "s.xsd:2:22:",
        "attribute `colour` is not allowed on xs:element",
    );
    rejects(
        r#"<xs:complexType name="T"><xs:all maxOccurs="2"><xs:element name="a"/></xs:all></xs:complexType>"#,
        "s.xsd:2:26:",
        "xs:all must have minOccurs 0 or 1 and maxOccurs 1",
    );
}

#[test]
fn duplicate_globals_and_circular_groups_are_refused() {
    rejects(
        "<xs:element name=\"e\"/>\n<xs:element name=\"e\"/>",
        "s.xsd:3:1:",
        "element `e` is declared twice",
    );
    rejects(
        r#"<xs:group name="g"><xs:sequence><xs:group ref="t:g"/></xs:sequence></xs:group>"#,
        "s.xsd:2:1:",
        "group `g` refers to itself",
    );
}

#[test]
fn facets_must_fit_and_narrow_their_base() {
    rejects(
        r#"<xs:simpleType name="S"><xs:restriction base="xs:boolean"><xs:length value="1"/></xs:restriction></xs:simpleType>"#,
        "s.xsd:2:59:",
        "facet xs:length does not apply to the base type `xs:boolean`",
    );
    rejects(
        r#"<xs:simpleType name="A"><xs:restriction base="xs:string"><xs:maxLength value="5"/></xs:restriction></xs:simpleType>
<xs:simpleType name="B"><xs:restriction base="t:A"><xs:maxLength value="6"/></xs:restriction></xs:simpleType>"#,
        "s.xsd:3:52:",
        "facet xs:maxLength=6 widens the base type's maxLength=5",
    );
    rejects(
        r#"<xs:simpleType name="S"><xs:restriction base="xs:byte"><xs:enumeration value="200"/></xs:restriction></xs:simpleType>"#,
        "s.xsd:2:56:",
        "enumeration value \"200\" is not a valid value of the base type",
    );
    rejects(
        r#"<xs:simpleType name="S"><xs:restriction base="xs:decimal"><xs:minInclusive value="5"/><xs:maxInclusive value="4"/></xs:restriction></xs:simpleType>"#,
        "s.xsd:2:25:",
        "minInclusive is greater than maxInclusive",
    );
    rejects(
        r#"<xs:simpleType name="S"><xs:restriction base="xs:decimal"><xs:totalDigits value="2"/><xs:fractionDigits value="3"/></xs:restriction></xs:simpleType>"#,
        "s.xsd:2:25:",
        "fractionDigits (3) is greater than totalDigits (2)",
    );
}

#[test]
fn default_values_must_be_valid() {
    rejects(
        r#"<xs:element name="e" type="xs:date" default="yesterday"/>"#,
        "s.xsd:2:1:",
        "the default/fixed value \"yesterday\" of element `e` is not valid",
    );
    rejects(
        r#"<xs:attribute name="a" type="xs:ID" default="x"/>"#,
        "s.xsd:2:1:",
        "an attribute of type xs:ID cannot have a default or fixed value",
    );
}

#[test]
fn restrictions_may_only_allow_less() {
    let base = r#"<xs:complexType name="B"><xs:sequence><xs:element name="a" type="xs:int"/>
  <xs:element name="b" type="xs:int" minOccurs="0"/></xs:sequence><xs:attribute name="x" use="required"/></xs:complexType>"#;
    rejects(
        &format!(
            r#"{base}
<xs:complexType name="R"><xs:complexContent><xs:restriction base="t:B"><xs:sequence>
  <xs:element name="a" type="xs:int"/><xs:element name="c" type="xs:int"/></xs:sequence>
  <xs:attribute name="x" use="required"/></xs:restriction></xs:complexContent></xs:complexType>"#
        ),
        "s.xsd:4:1:",
        "the content model is not a restriction of `B`'s",
    );
    rejects(
        &format!(
            r#"{base}
<xs:complexType name="R"><xs:complexContent><xs:restriction base="t:B"><xs:sequence>
  <xs:element name="a" type="xs:int"/></xs:sequence><xs:attribute name="x" use="prohibited"/>
  </xs:restriction></xs:complexContent></xs:complexType>"#
        ),
        "s.xsd:4:1:",
        "required attribute `x` of the base cannot be removed",
    );
    rejects(
        r#"<xs:complexType name="B" final="extension"><xs:sequence/></xs:complexType>
<xs:complexType name="E"><xs:complexContent><xs:extension base="t:B"/></xs:complexContent></xs:complexType>"#,
        "s.xsd:3:1:",
        "`B` forbids derivation by extension (final)",
    );
}

#[test]
fn types_are_of_the_kind_their_use_needs() {
    rejects(
        r#"<xs:complexType name="T"><xs:attribute name="a" type="xs:ID"/><xs:attribute name="b" type="xs:ID"/></xs:complexType>"#,
        "s.xsd:2:1:",
        "a complex type can have at most one attribute of type xs:ID",
    );
    rejects(
        r#"<xs:complexType name="T"><xs:simpleContent><xs:extension base="xs:anyType"/></xs:simpleContent></xs:complexType>"#,
        "s.xsd:2:44:",
        "simpleContent derives from `xs:anyType`, which has no simple content",
    );
    rejects(
        r#"<xs:complexType name="C"><xs:sequence/></xs:complexType>
<xs:simpleType name="L"><xs:list itemType="t:C"/></xs:simpleType>"#,
        "s.xsd:3:25:",
        "list item type `C` is a complex type",
    );
    rejects(
        r#"<xs:attributeGroup name="g"><xs:attributeGroup ref="t:missing"/></xs:attributeGroup>"#,
        "s.xsd:2:29:",
        "`t:missing` names no global xs:attributeGroup",
    );
    rejects(
        r#"<xs:group name="g"><xs:all><xs:element name="a"/></xs:all></xs:group>
<xs:complexType name="T"><xs:sequence><xs:group ref="t:g"/></xs:sequence></xs:complexType>"#,
        "s.xsd:3:39:",
        "a group holding xs:all can only be referred to as a whole content model",
    );
}

#[test]
fn content_models_must_be_deterministic_and_consistent() {
    rejects(
        r#"<xs:complexType name="T"><xs:sequence><xs:element name="a" type="xs:int" minOccurs="0"/>
  <xs:element name="a" type="xs:int"/></xs:sequence></xs:complexType>"#,
        "s.xsd:2:1:",
        "element `a` and element `a` can both match the same element (Unique Particle Attribution)",
    );
    rejects(
        r#"<xs:complexType name="T"><xs:choice><xs:element name="a" type="xs:int"/>
  <xs:element name="a" type="xs:string"/></xs:choice></xs:complexType>"#,
        "s.xsd:2:1:",
        "element `a` appears twice in the content model with different types",
    );
}

/// The checker's own errors are values; their words are the diagnostics' (which the tests
/// above and the W3C suite pin).
#[test]
fn typed_errors_keep_their_words() {
    use super::particles::{RestrictionError, Subject};
    use super::values::SchemaValueError;
    use crate::xsd::model::MaxOccurs;
    let e = RestrictionError::Occurs {
        what: Subject::Element("a".into()),
        min: 0,
        max: MaxOccurs::Unbounded,
        base: "the base",
        base_min: 1,
        base_max: MaxOccurs::Bounded(1),
    };
    assert_eq!(
        e.to_string(),
        "element `a` occurs 0..* where the base allows 1..1"
    );
    let e = RestrictionError::FixedChanged {
        element: "a".into(),
        fixed: "x".into(),
    };
    assert_eq!(
        e.to_string(),
        "element `a` must keep the base's fixed value \"x\""
    );
    let e = SchemaValueError::MaxExclusive {
        text: "2.5".into(),
        bound: "2".into(),
    };
    assert_eq!(e.to_string(), "\"2.5\" must be less than 2");
    let e = SchemaValueError::Name {
        text: "a b".into(),
        builtin: "NCName".into(),
    };
    assert_eq!(e.to_string(), "\"a b\" is not a valid xs:NCName");
}
