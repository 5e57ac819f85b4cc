//! Where the schema loader and the instance validator disagreed with XML Schema 1.0, each on a
//! small schema of our own: unions of ID types, `use="prohibited"` in an extension, one
//! attribute reached through two attribute groups, simpleContent restricting an empty mixed
//! type, a redefined document that is also in force as it is, circular substitution groups,
//! attributes declared in the `xsi` namespace, references into namespaces a document does not
//! import, and `totalDigits` of values below one.

use soapbridge::sources::LoadOptions;
use soapbridge::xsd::model::Schema;
use soapbridge::xsd::validate::Validator;

const HEAD: &str = r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:t="urn:t" targetNamespace="urn:t">"#;

/// Writes `files` (name, text) into a fresh folder and loads the first as a standalone schema;
/// the diagnostics (file paths cut to their names) when it does not load.
fn load_files(files: &[(&str, &str)]) -> Result<Schema, String> {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let entry = dir.path().join(files[0].0);
    soapbridge::xsd::load::load(&entry, &LoadOptions::default()).map_err(|d| {
        d.to_string()
            .replace(&format!("{}/", dir.path().display()), "")
    })
}

/// A schema of target namespace `urn:t` (prefix `t`) with `body` inside.
fn load(body: &str) -> Result<Schema, String> {
    load_files(&[("s.xsd", &format!("{HEAD}\n{body}\n</xs:schema>"))])
}

/// The violations of a document (messages), by the validator.
fn violations(schema: &Schema, xml: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(xml).unwrap();
    Validator::new(schema)
        .validate_root(&doc)
        .into_iter()
        .map(|v| format!("{}: {}", v.path, v.message))
        .collect()
}

#[track_caller]
fn valid(schema: &Schema, xml: &str) {
    assert_eq!(violations(schema, xml), Vec::<String>::new(), "{xml}");
}

#[track_caller]
fn invalid(schema: &Schema, xml: &str, says: &str) {
    let v = violations(schema, xml);
    assert!(v.iter().any(|m| m.contains(says)), "{xml}: {v:?}");
}

#[track_caller]
fn refused(result: Result<Schema, String>, at: &str, says: &str) {
    match result {
        Ok(_) => panic!("loaded; expected `{at}`: {says}"),
        Err(e) => assert!(
            e.contains(at) && e.contains(says),
            "expected `{at}` {says:?}, got:\n{e}"
        ),
    }
}

#[test]
fn every_member_of_a_union_of_id_types_is_tried() {
    let s = load(
        r#"<xs:simpleType name="A"><xs:restriction base="xs:ID"><xs:pattern value="a.*"/></xs:restriction></xs:simpleType>
           <xs:simpleType name="B"><xs:restriction base="xs:ID"><xs:pattern value="b.*"/></xs:restriction></xs:simpleType>
           <xs:simpleType name="U"><xs:union memberTypes="t:A t:B"/></xs:simpleType>
           <xs:element name="r"><xs:complexType><xs:sequence>
             <xs:element name="e" maxOccurs="unbounded"><xs:complexType><xs:attribute name="id" type="t:U"/></xs:complexType></xs:element>
           </xs:sequence></xs:complexType></xs:element>"#,
    )
    .unwrap();
    valid(&s, r#"<t:r xmlns:t="urn:t"><e id="a1"/><e id="b1"/></t:r>"#);
    invalid(
        &s,
        r#"<t:r xmlns:t="urn:t"><e id="b1"/><e id="b1"/></t:r>"#,
        "ID `b1` is not unique",
    );
    invalid(
        &s,
        r#"<t:r xmlns:t="urn:t"><e id="c1"/></t:r>"#,
        "valid for no member of the union",
    );
}

#[test]
fn prohibited_in_an_extension_keeps_the_inherited_attribute() {
    let s = load(
        r#"<xs:complexType name="Base"><xs:attribute name="a" type="xs:string" use="required"/>
             <xs:attribute name="b" type="xs:string"/></xs:complexType>
           <xs:complexType name="Ext"><xs:complexContent><xs:extension base="t:Base">
             <xs:attribute name="a" use="prohibited"/></xs:extension></xs:complexContent></xs:complexType>
           <xs:complexType name="Narrow"><xs:complexContent><xs:restriction base="t:Base">
             <xs:attribute name="b" use="prohibited"/></xs:restriction></xs:complexContent></xs:complexType>
           <xs:element name="ext" type="t:Ext"/>
           <xs:element name="narrow" type="t:Narrow"/>"#,
    )
    .unwrap();
    invalid(&s, r#"<t:ext xmlns:t="urn:t"/>"#, "`a`");
    valid(&s, r#"<t:ext xmlns:t="urn:t" a="x"/>"#);
    // Only a restriction can prohibit.
    invalid(&s, r#"<t:narrow xmlns:t="urn:t" a="x" b="y"/>"#, "`b`");
    valid(&s, r#"<t:narrow xmlns:t="urn:t" a="x"/>"#);
}

#[test]
fn one_attribute_reached_through_two_attribute_groups_is_one_attribute() {
    let s = load(
        r#"<xs:attributeGroup name="G1"><xs:attribute name="a" type="xs:int"/></xs:attributeGroup>
           <xs:attributeGroup name="G2"><xs:attributeGroup ref="t:G1"/></xs:attributeGroup>
           <xs:complexType name="T"><xs:attributeGroup ref="t:G1"/><xs:attributeGroup ref="t:G2"/></xs:complexType>
           <xs:element name="r" type="t:T"/>"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    valid(&s, r#"<t:r xmlns:t="urn:t" a="1"/>"#);
    invalid(&s, r#"<t:r xmlns:t="urn:t" a="x"/>"#, "`x`");
    // Two declarations of one name still clash.
    refused(
        load(
            r#"<xs:attributeGroup name="G1"><xs:attribute name="a" type="xs:int"/></xs:attributeGroup>
               <xs:attributeGroup name="G2"><xs:attribute name="a" type="xs:int"/></xs:attributeGroup>
               <xs:complexType name="T"><xs:attributeGroup ref="t:G1"/><xs:attributeGroup ref="t:G2"/></xs:complexType>"#,
        ),
        "s.xsd:",
        "attribute `a` is declared twice",
    );
}

#[test]
fn simple_content_may_restrict_an_empty_mixed_type() {
    let s = load(
        r#"<xs:complexType name="M" mixed="true"/>
           <xs:complexType name="S"><xs:simpleContent><xs:restriction base="t:M">
             <xs:simpleType><xs:restriction base="xs:string"><xs:maxLength value="4"/></xs:restriction></xs:simpleType>
           </xs:restriction></xs:simpleContent></xs:complexType>
           <xs:element name="r" type="t:S"/>"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    valid(&s, r#"<t:r xmlns:t="urn:t">text</t:r>"#);
    invalid(&s, r#"<t:r xmlns:t="urn:t">longer</t:r>"#, "longer");
    // Without the simple type it stays refused, and a mixed type with elements in its content
    // cannot be restricted to text.
    refused(
        load(
            r#"<xs:complexType name="M" mixed="true"/>
               <xs:complexType name="S"><xs:simpleContent><xs:restriction base="t:M"/></xs:simpleContent></xs:complexType>"#,
        ),
        "s.xsd:3:",
        "which has no simple content",
    );
}

#[test]
fn a_redefined_document_also_in_force_as_it_is_is_refused_as_such() {
    let redefining = format!(
        r#"{HEAD}
  <xs:redefine schemaLocation="b.xsd">
    <xs:complexType name="aType"><xs:complexContent><xs:extension base="t:aType">
      <xs:sequence><xs:element name="x" type="xs:int"/></xs:sequence></xs:extension></xs:complexContent></xs:complexType>
  </xs:redefine>
  <xs:element name="r" type="t:aType"/>
</xs:schema>"#
    );
    let redefined = format!(
        r#"{HEAD}
  <xs:include schemaLocation="a.xsd"/>
  <xs:complexType name="aType"><xs:sequence><xs:element name="y" type="xs:int"/></xs:sequence></xs:complexType>
</xs:schema>"#
    );
    // From the redefined side, b.xsd is in force twice: as it is, and redefined by a.xsd.
    let err = load_files(&[("b.xsd", &redefined), ("a.xsd", &redefining)]).unwrap_err();
    assert!(err.contains("a.xsd:3:"), "{err}");
    assert!(err.contains("`b.xsd` is also in force as it is"), "{err}");
    assert!(!err.contains("does not define"), "{err}");
    // From the redefining side, the cycle is harmless: b.xsd is only in force redefined.
    let s = load_files(&[("a.xsd", &redefining), ("b.xsd", &redefined)])
        .unwrap_or_else(|e| panic!("{e}"));
    valid(&s, r#"<t:r xmlns:t="urn:t"><y>1</y><x>2</x></t:r>"#);
}

#[test]
fn a_circular_substitution_group_is_refused() {
    refused(
        load(
            r#"<xs:element name="a" type="xs:string" substitutionGroup="t:b"/>
               <xs:element name="b" type="xs:string" substitutionGroup="t:c"/>
               <xs:element name="c" type="xs:string" substitutionGroup="t:a"/>"#,
        ),
        "s.xsd:2:",
        "circular substitution group",
    );
    refused(
        load(r#"<xs:element name="a" type="xs:string" substitutionGroup="t:a"/>"#),
        "s.xsd:2:",
        "circular substitution group",
    );
    assert!(
        load(
            r#"<xs:element name="a" type="xs:string" substitutionGroup="t:b"/>
               <xs:element name="b" type="xs:string"/>"#
        )
        .is_ok()
    );
}

#[test]
fn an_attribute_in_the_xsi_namespace_is_refused() {
    let xsi = r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="http://www.w3.org/2001/XMLSchema-instance""#;
    refused(
        load_files(&[(
            "x.xsd",
            &format!(r#"{xsi}><xs:attribute name="color" type="xs:string"/></xs:schema>"#),
        )]),
        "x.xsd:1:",
        "attributes cannot be declared in the XML Schema instance namespace",
    );
    refused(
        load_files(&[(
            "x.xsd",
            &format!(
                r#"{xsi} attributeFormDefault="qualified"><xs:complexType name="T"><xs:attribute name="color" type="xs:string"/></xs:complexType></xs:schema>"#
            ),
        )]),
        "x.xsd:1:",
        "attributes cannot be declared in the XML Schema instance namespace",
    );
    // Unqualified local attributes have no namespace: fine.
    assert!(
        load_files(&[(
            "x.xsd",
            &format!(
                r#"{xsi}><xs:complexType name="T"><xs:attribute name="color" type="xs:string"/></xs:complexType></xs:schema>"#
            ),
        )])
        .is_ok()
    );
}

#[test]
fn a_reference_into_a_namespace_the_document_does_not_import_is_refused() {
    let b = r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:b">
  <xs:complexType name="B"/><xs:element name="b" type="xs:int"/></xs:schema>"#;
    // A chameleon document (no target namespace) importing urn:b, included into urn:t; the
    // includer refers to urn:b without importing it itself.
    let chameleon = r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:import namespace="urn:b" schemaLocation="b.xsd"/>
  <xs:element name="a" type="xs:int"/></xs:schema>"#;
    let main = format!(
        r#"{HEAD}
  <xs:include schemaLocation="c.xsd"/>
  <xs:complexType name="T" xmlns:b="urn:b"><xs:sequence><xs:element ref="t:a"/><xs:element ref="b:b"/></xs:sequence></xs:complexType>
</xs:schema>"#
    );
    refused(
        load_files(&[("m.xsd", &main), ("c.xsd", chameleon), ("b.xsd", b)]),
        "m.xsd:3:",
        "namespace `urn:b` is not imported by this document",
    );
    // The chameleon document itself referring to a namespace it does not import.
    let chameleon = r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:b="urn:b">
  <xs:element name="a" type="b:B"/></xs:schema>"#;
    let main = format!(
        r#"{HEAD}
  <xs:import namespace="urn:b" schemaLocation="b.xsd"/>
  <xs:include schemaLocation="c.xsd"/>
</xs:schema>"#
    );
    refused(
        load_files(&[("m.xsd", &main), ("c.xsd", chameleon), ("b.xsd", b)]),
        "c.xsd:2:",
        "namespace `urn:b` is not imported by this document",
    );
    // Imported where it is used: fine.
    let main = format!(
        r#"{HEAD}
  <xs:import namespace="urn:b" schemaLocation="b.xsd"/>
  <xs:complexType name="T" xmlns:b="urn:b"><xs:sequence><xs:element ref="b:b"/></xs:sequence></xs:complexType>
</xs:schema>"#
    );
    load_files(&[("m.xsd", &main), ("b.xsd", b)]).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn total_digits_counts_the_digits_a_value_below_one_needs() {
    let s = load(
        r#"<xs:simpleType name="D"><xs:restriction base="xs:decimal"><xs:totalDigits value="3"/></xs:restriction></xs:simpleType>
           <xs:element name="r" type="t:D"/>"#,
    )
    .unwrap();
    // 0.0012 is 12 x 10^-4: four digits (XML Schema 1.0 holds the scale to totalDigits too).
    invalid(&s, r#"<t:r xmlns:t="urn:t">0.0012</t:r>"#, "0.0012");
    invalid(&s, r#"<t:r xmlns:t="urn:t">12.34</t:r>"#, "12.34");
    for ok in ["0.012", "0.120", "1.23", "-999", "000.500", "0"] {
        valid(&s, &format!(r#"<t:r xmlns:t="urn:t">{ok}</t:r>"#));
    }
}

/// The request side already counts the same way: a value the validator refuses is refused
/// before it is sent.
#[test]
fn requests_and_the_validator_agree_on_total_digits() {
    let (_d, svc) = super::examples::doc_service(
        r#"<xs:simpleType name="D"><xs:restriction base="xs:decimal"><xs:totalDigits value="3"/></xs:restriction></xs:simpleType>
           <xs:element name="In"><xs:complexType><xs:sequence><xs:element name="d" type="t:D"/></xs:sequence></xs:complexType></xs:element>
           <xs:element name="Out"><xs:complexType/></xs:element>"#,
    );
    let op = &svc.operations[0];
    let schema = &svc.compiled.wsdl.schema;
    for (text, ok) in [("0.0012", false), ("0.012", true), ("12.34", false)] {
        let body: serde_json::Value = serde_json::from_str(&format!("{{\"d\": {text}}}")).unwrap();
        let sent = svc.build_request(op, &|_| Vec::new(), Some(body)).is_ok();
        let element = format!(r#"<t:In xmlns:t="urn:t"><t:d>{text}</t:d></t:In>"#);
        let accepted = violations(schema, &element).is_empty();
        assert_eq!((sent, accepted), (ok, ok), "{text}");
    }
}
