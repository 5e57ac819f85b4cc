//! Validator unit tests: behaviour on small schemas, and hostile input.

use super::*;
use crate::sources::LoadOptions;
use crate::xsd::model::{QName, Schema};

fn schema(xsd: &str) -> (tempfile::TempDir, Schema) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("s.xsd");
    std::fs::write(&p, xsd).unwrap();
    let s = crate::xsd::load::load(&p, &LoadOptions::default()).unwrap();
    (dir, s)
}

/// A schema as a WSDL carries it: loaded without the standalone schema checks (such as Unique
/// Particle Attribution), as integrators' WSDLs are, so the validator must cope with what they
/// let through.
fn wsdl_schema(xsd: &str) -> (tempfile::TempDir, Schema) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("s.wsdl");
    std::fs::write(
        &p,
        format!(
            r#"<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" targetNamespace="urn:t"><types>{xsd}</types></definitions>"#
        ),
    )
    .unwrap();
    let w = crate::wsdl::load(&p, &LoadOptions::default()).unwrap();
    (dir, w.schema)
}

/// The tree validator's violations; the streaming validator checked beside it
/// (`stream_tests::agree`: never valid where the tree finds a violation).
fn check(s: &Schema, xml: &str) -> Vec<Violation> {
    let doc = Document::parse(xml).unwrap();
    let tree = Validator::new(s).validate_root(&doc);
    super::stream_tests::agree(s, &doc, &tree);
    tree
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

#[test]
fn values_compare_by_value_with_arbitrary_precision() {
    let (_d, s) = schema(&format!(
        r#"{XS_OPEN}
  <xs:element name="r"><xs:complexType><xs:sequence>
    <xs:element name="d" maxOccurs="unbounded"><xs:simpleType><xs:restriction base="xs:decimal">
      <xs:minExclusive value="0.10000000000000000000000000001"/>
      <xs:maxInclusive value="99999999999999999999999999999"/>
      <xs:totalDigits value="30"/><xs:fractionDigits value="30"/>
    </xs:restriction></xs:simpleType></xs:element>
    <xs:element name="e" minOccurs="0"><xs:simpleType><xs:restriction base="xs:float">
      <xs:enumeration value="1.5"/><xs:enumeration value="INF"/>
    </xs:restriction></xs:simpleType></xs:element>
  </xs:sequence></xs:complexType></xs:element></xs:schema>"#
    ));
    assert!(check(&s, "<r><d>0.100000000000000000000000000011</d><d> +099999999999999999999999999999.000 </d><e>1.50E0</e></r>").is_empty());
    let v = check(
        &s,
        "<r><d>0.10000000000000000000000000001</d><d>100000000000000000000000000000</d><e>2</e></r>",
    );
    let rules: Vec<&str> = v.iter().map(|x| x.path.as_str()).collect();
    assert_eq!(rules, ["/r/d[1]", "/r/d[2]", "/r/e"], "{v:?}");
    assert!(v[0].message.contains("more than"), "{v:?}");
    assert!(v[2].message.contains("not one of"), "{v:?}");
}

#[test]
fn xsi_type_nil_substitution_and_attributes() {
    let (_d, s) = schema(
        r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:t="urn:t" targetNamespace="urn:t" elementFormDefault="qualified">
  <xs:complexType name="Base"><xs:sequence><xs:element name="a" type="xs:string"/></xs:sequence>
    <xs:attribute name="id" type="xs:ID"/></xs:complexType>
  <xs:complexType name="Ext"><xs:complexContent><xs:extension base="t:Base"><xs:sequence>
    <xs:element name="b" type="xs:int"/></xs:sequence></xs:extension></xs:complexContent></xs:complexType>
  <xs:complexType name="Other"><xs:sequence/></xs:complexType>
  <xs:element name="head" type="t:Base" nillable="true"/>
  <xs:element name="member" type="t:Ext" substitutionGroup="t:head"/>
  <xs:element name="r"><xs:complexType><xs:sequence>
    <xs:element ref="t:head" maxOccurs="unbounded"/>
  </xs:sequence><xs:attribute name="n" type="xs:QName" use="required"/></xs:complexType></xs:element>
</xs:schema>"#,
    );
    let ok = r#"<r xmlns="urn:t" xmlns:t="urn:t" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" n="t:x">
  <head id="a1"><a/></head>
  <head xsi:type="t:Ext" id="a2"><a/><b>2</b></head>
  <member><a/><b>3</b></member>
  <head xsi:nil="true"/>
</r>"#;
    assert!(check(&s, ok).is_empty(), "{:?}", check(&s, ok));
    let bad = r#"<r xmlns="urn:t" xmlns:t="urn:t" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" n="u:x" extra="1">
  <head id="a1"><a/></head>
  <head xsi:type="t:Other"/>
  <member id="a1"><a/></member>
  <head xsi:nil="true"><a/></head>
</r>"#;
    let v = check(&s, bad);
    let got: Vec<(&str, &str)> = v.iter().map(|x| (x.path.as_str(), x.rule)).collect();
    assert_eq!(
        got,
        [
            ("/r/@n", "value"),
            ("/r/@extra", "attribute"),
            ("/r/head[2]", "content"),
            ("/r/head[2]/@type", "type"),
            ("/r/member", "content"),
            ("/r/member/@id", "value"),
            ("/r/head[3]", "nil"),
        ],
        "{v:#?}"
    );
}

#[test]
fn lists_unions_and_builtin_lexical_spaces() {
    let (_d, s) = schema(&format!(
        r#"{XS_OPEN}
  <xs:simpleType name="ints"><xs:list itemType="xs:int"/></xs:simpleType>
  <xs:element name="r"><xs:complexType><xs:sequence>
    <xs:element name="l"><xs:simpleType><xs:restriction base="ints"><xs:maxLength value="3"/></xs:restriction></xs:simpleType></xs:element>
    <xs:element name="u"><xs:simpleType><xs:union memberTypes="xs:date xs:boolean"/></xs:simpleType></xs:element>
    <xs:element name="t" type="xs:dateTime"/>
    <xs:element name="b" type="xs:base64Binary"/>
    <xs:element name="g" type="xs:language"/>
    <xs:element name="x" type="xs:unsignedByte"/>
  </xs:sequence></xs:complexType></xs:element></xs:schema>"#
    ));
    let ok = "<r><l> 1  2\n3 </l><u>true</u><t>2024-02-29T24:00:00-14:00</t><b>QUJD</b><g>en-GB</g><x>255</x></r>";
    assert!(check(&s, ok).is_empty(), "{:?}", check(&s, ok));
    let bad = "<r><l>1 2 3 4</l><u>2023-02-29</u><t>2024-01-01T10:00:00+14:30</t><b>QUJ</b><g>toolonglanguage</g><x>256</x></r>";
    let v = check(&s, bad);
    assert_eq!(v.len(), 6, "{v:#?}");
    assert!(v.iter().all(|x| x.rule == "value"), "{v:#?}");
}

/// `maxOccurs="999999999"` is a counter, not 999999999 states; a huge minOccurs is reported,
/// not unrolled.
#[test]
fn hostile_huge_occurrence_counts() {
    let (_d, s) = schema(&format!(
        r#"{XS_OPEN}
  <xs:element name="r"><xs:complexType><xs:sequence maxOccurs="999999999">
    <xs:element name="a" maxOccurs="999999999"/>
    <xs:element name="b" minOccurs="0" maxOccurs="999999999"/>
  </xs:sequence></xs:complexType></xs:element>
  <xs:element name="m"><xs:complexType><xs:sequence>
    <xs:element name="a" minOccurs="999999999" maxOccurs="unbounded"/>
  </xs:sequence></xs:complexType></xs:element></xs:schema>"#
    ));
    // Bounded work: an exponential automaton or a backtracking pattern would not finish here.
    let mut xml = String::from("<r>");
    for i in 0..50_000 {
        xml.push_str(if i % 3 == 2 { "<b/>" } else { "<a/>" });
    }
    xml.push_str("</r>");
    assert!(check(&s, &xml).is_empty());
    let v = check(&s, "<m><a/><a/></m>");
    assert_eq!(v.len(), 1, "{v:?}");
    assert!(v[0].message.contains("incomplete"), "{v:?}");
}

/// An ambiguous model (not UPA-conforming) keeps a bounded set of states.
#[test]
fn hostile_ambiguous_model_stays_bounded() {
    let (_d, s) = wsdl_schema(&format!(
        r#"{XS_OPEN}
  <xs:element name="r"><xs:complexType><xs:choice maxOccurs="unbounded">
    <xs:sequence maxOccurs="unbounded"><xs:element name="a" maxOccurs="7"/><xs:element name="b" minOccurs="0"/></xs:sequence>
    <xs:sequence maxOccurs="unbounded"><xs:element name="a" maxOccurs="5"/><xs:element name="c" minOccurs="0"/></xs:sequence>
  </xs:choice></xs:complexType></xs:element></xs:schema>"#
    ));
    // Bounded work: an exponential automaton or a backtracking pattern would not finish here.
    let xml = format!(
        "<r>{}<c/>{}</r>",
        "<a/>".repeat(20_000),
        "<a/>".repeat(20_000)
    );
    assert!(check(&s, &xml).is_empty());
    assert!(!check(&s, "<r><b/></r>").is_empty());
}

/// Deep instance nesting is cut off with a clear message, not a stack overflow.
#[test]
fn hostile_deep_nesting() {
    let (_d, s) = schema(&format!(
        r#"{XS_OPEN}
  <xs:complexType name="N"><xs:sequence><xs:element name="n" type="N" minOccurs="0"/></xs:sequence></xs:complexType>
  <xs:element name="n" type="N"/></xs:schema>"#
    ));
    let depth = 5_000;
    let xml = format!("{}{}", "<n>".repeat(depth), "</n>".repeat(depth));
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let v = Validator::new(&s).validate_root(&doc);
    assert_eq!(v.len(), 1, "{:?}", v.first());
    assert_eq!(v[0].rule, "depth");
    assert!(v[0].message.contains(&MAX_DEPTH.to_string()));
}

/// Patterns that make backtracking engines explode run in linear time (the regex crate).
#[test]
fn hostile_patterns_are_linear() {
    let (_d, s) = schema(&format!(
        r#"{XS_OPEN}
  <xs:element name="p"><xs:simpleType><xs:restriction base="xs:string">
    <xs:pattern value="(a*)*b"/><xs:pattern value="(a|aa)+c"/>
  </xs:restriction></xs:simpleType></xs:element></xs:schema>"#
    ));
    // Bounded work: an exponential automaton or a backtracking pattern would not finish here.
    let xml = format!("<p>{}x</p>", "a".repeat(100_000));
    let v = check(&s, &xml);
    assert_eq!(v.len(), 1);
    assert!(v[0].message.contains("does not match the pattern"));
    assert!(check(&s, &format!("<p>{}b</p>", "a".repeat(1000))).is_empty());
}

#[test]
fn identity_constraints() {
    let (_d, s) = schema(
        r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:t="urn:t" targetNamespace="urn:t" elementFormDefault="qualified">
  <xs:element name="r"><xs:complexType><xs:sequence>
    <xs:element name="item" maxOccurs="unbounded"><xs:complexType>
      <xs:attribute name="id" type="xs:token"/><xs:attribute name="ref" type="xs:token"/>
    </xs:complexType></xs:element>
  </xs:sequence></xs:complexType>
  <xs:key name="k"><xs:selector xpath="t:item"/><xs:field xpath="@id"/></xs:key>
  <xs:keyref name="kr" refer="t:k"><xs:selector xpath=".//t:item"/><xs:field xpath="@ref"/></xs:keyref>
  </xs:element></xs:schema>"#,
    );
    let ok = r#"<r xmlns="urn:t"><item id="a"/><item id="b" ref="a"/></r>"#;
    assert!(check(&s, ok).is_empty(), "{:?}", check(&s, ok));
    let v = check(
        &s,
        r#"<r xmlns="urn:t"><item id="a"/><item id=" a " ref="c"/><item/></r>"#,
    );
    let got: Vec<(&str, &str)> = v
        .iter()
        .map(|x| (x.path.as_str(), x.message.as_str()))
        .collect();
    assert_eq!(got.len(), 3, "{got:#?}");
    assert!(
        got[0].1.contains("not unique") && got[0].0 == "/r/item[2]",
        "{got:#?}"
    );
    assert!(got[1].1.contains("no `k` has the value (c)"), "{got:#?}");
    assert!(
        got[2].1.contains("has no value") && got[2].0 == "/r/item[3]",
        "{got:#?}"
    );
}

/// A union that contains itself, huge durations and odd values: errors, never a panic or a hang.
#[test]
fn hostile_simple_types() {
    let (_d, s) = schema(&format!(
        r#"{XS_OPEN}
  <xs:simpleType name="u"><xs:union memberTypes="u xs:int"/></xs:simpleType>
  <xs:element name="r"><xs:complexType><xs:sequence>
    <xs:element name="u" type="u"/>
    <xs:element name="d" maxOccurs="unbounded"><xs:simpleType><xs:restriction base="xs:duration">
      <xs:maxInclusive value="P1Y"/></xs:restriction></xs:simpleType></xs:element>
  </xs:sequence></xs:complexType></xs:element></xs:schema>"#
    ));
    let v = check(
        &s,
        "<r><u>1</u><d>P999999999999999999999999999999Y</d><d>-P99999999999999999999999999MT1.5S</d></r>",
    );
    let got: Vec<&str> = v.iter().map(|x| x.path.as_str()).collect();
    assert_eq!(got, ["/r/u", "/r/d[1]"], "{v:#?}");
    assert!(v[0].message.contains("contains itself"), "{v:#?}");
}

/// Flat sequences are stepped as a position and a count: every child sequence over a small
/// alphabet gets exactly the violations the general automaton gives.
#[test]
fn flat_sequences_agree_with_the_general_automaton() {
    let valid = flat_agrees(
        r#"<xs:sequence>
    <xs:element name="a" type="xs:boolean" minOccurs="2" maxOccurs="3"/>
    <xs:element name="b" type="xs:date" minOccurs="0"/>
    <xs:element name="c"><xs:simpleType><xs:restriction base="xs:string">
      <xs:maxLength value="2"/></xs:restriction></xs:simpleType></xs:element>
    <xs:element name="d" type="xs:dateTime" minOccurs="0" maxOccurs="unbounded"/>
  </xs:sequence>"#,
    );
    // Up to five children: aac, aaac, aabc, aacd, aaabc, aaacd, aabcd, aacdd.
    assert_eq!(valid, 8);
}

/// The same for a choice stepped as a flat model: one branch, repeated within its bounds.
#[test]
fn flat_choices_agree_with_the_general_automaton() {
    let valid = flat_agrees(
        r#"<xs:choice>
    <xs:element name="a" type="xs:boolean" minOccurs="2" maxOccurs="3"/>
    <xs:element name="b" type="xs:date" minOccurs="0"/>
    <xs:element name="c" type="xs:string"/>
    <xs:element name="d" type="xs:dateTime" maxOccurs="unbounded"/>
  </xs:choice>"#,
    );
    // "", aa, aaa, b, c, d, dd, ddd, dddd, ddddd (b is optional: the choice may be empty).
    assert_eq!(valid, 10);
}

/// Every child sequence of up to five elements over the model's names and one unknown name
/// gets the same violations with and without the flat stepping; returns how many are valid.
fn flat_agrees(model: &str) -> usize {
    let (_d, s) = schema(&format!(
        r#"{XS_OPEN}
  <xs:element name="r"><xs:complexType>{model}</xs:complexType></xs:element></xs:schema>"#
    ));
    let fast = Validator::new(&s);
    use crate::xsd::{ComplexType, Content, TypeId, TypeKind};
    let types = (0..s.types.len() as u32).map(TypeId);
    assert!(
        types
            .clone()
            .any(|t| fast.content_model(t).is_some_and(|m| m.flat.is_some()))
    );
    // The general one: every content model compiled now, without its flat form.
    let general = Validator::new(&s);
    for t in types {
        if let Some(m) = fast.content_model(t) {
            let TypeKind::Complex(ComplexType {
                content: Content::Elements(p),
                ..
            }) = &s.ty(t).kind
            else {
                unreachable!("{t:?} has a content model");
            };
            assert!(m.automaton.is_ok());
            let model = super::prepare::ContentModel {
                automaton: super::automaton::Automaton::new(p),
                flat: None,
            };
            general.c.content[t.0 as usize]
                .set(Some(Box::new(model)))
                .unwrap();
        }
    }
    let names = ["a", "b", "c", "d", "x"];
    let mut seqs: Vec<Vec<&str>> = vec![vec![]];
    for _ in 0..5 {
        let longer: Vec<Vec<&str>> = seqs
            .iter()
            .filter(|s| s.len() == seqs.last().unwrap().len())
            .flat_map(|s| {
                names.iter().map(move |n| {
                    let mut s = s.clone();
                    s.push(*n);
                    s
                })
            })
            .collect();
        seqs.extend(longer);
    }
    let mut valid = 0;
    for seq in &seqs {
        let body: String = seq.iter().map(|n| format!("<{n}/>")).collect();
        let xml = format!("<r>{body}</r>");
        let doc = Document::parse(&xml).unwrap();
        let (f, g) = (fast.validate_root(&doc), general.validate_root(&doc));
        let content = |v: &[Violation]| -> Vec<Violation> {
            v.iter().filter(|x| x.rule == "content").cloned().collect()
        };
        assert_eq!(content(&f), content(&g), "{xml}");
        assert_eq!(f, g, "{xml}");
        valid += usize::from(content(&f).is_empty());
    }
    valid
}

/// The lexical fast paths of `simple_check` give the answers (and messages) of `simple_value`.
#[test]
fn simple_check_fast_paths_agree_with_simple_value() {
    let (_d, s) = schema(&format!(
        r#"{XS_OPEN}
  <xs:simpleType name="short"><xs:restriction base="xs:string">
    <xs:minLength value="1"/><xs:maxLength value="3"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="day"><xs:restriction base="xs:date">
    <xs:pattern value="2.*"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="colour"><xs:restriction base="xs:token">
    <xs:enumeration value="red"/><xs:enumeration value=" ab "/></xs:restriction></xs:simpleType>
  <xs:simpleType name="money"><xs:restriction base="xs:decimal">
    <xs:totalDigits value="5"/><xs:fractionDigits value="2"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="percent"><xs:restriction base="xs:int">
    <xs:minInclusive value="1"/><xs:maxExclusive value="100"/><xs:totalDigits value="2"/>
  </xs:restriction></xs:simpleType>
  <xs:simpleType name="zip"><xs:restriction base="xs:string">
    <xs:pattern value="[0-9]{{5}}(-[0-9]{{4}})?"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="zipOrShort"><xs:restriction base="zip">
    <xs:pattern value="1.*"/><xs:pattern value=".{{1,3}}"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="status"><xs:restriction base="xs:string">
    <xs:enumeration value="Active"/><xs:enumeration value="1"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="three"><xs:restriction base="xs:string">
    <xs:length value="3"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="flag"><xs:restriction base="xs:boolean">
    <xs:pattern value="true|false"/></xs:restriction></xs:simpleType>
  <xs:element name="r" type="xs:string"/></xs:schema>"#
    ));
    let v = Validator::new(&s);
    let ty = |n: &str| s.global_types[&QName::new("", n)];
    let xs = |n: &str| s.builtin(n).unwrap();
    let types = [
        xs("boolean"),
        xs("date"),
        xs("dateTime"),
        xs("time"),
        xs("gYear"),
        ty("short"),
        ty("day"),
        ty("colour"),
        ty("money"),
        ty("percent"),
        ty("zip"),
        ty("zipOrShort"),
        ty("status"),
        ty("three"),
        ty("flag"),
        xs("string"),
        xs("token"),
        xs("decimal"),
        xs("int"),
        xs("unsignedByte"),
        xs("long"),
        xs("NCName"),
        xs("Name"),
        xs("NMTOKEN"),
        xs("language"),
        xs("gMonthDay"),
    ];
    let values = [
        "",
        " true ",
        "1",
        "yes",
        "2024-02-29",
        "2023-02-29",
        "1999-01-01",
        " 2024-01-01Z",
        "2024-01-01T10:00:00",
        "2024-01-01T25:00:00",
        "10:00:00",
        "2024",
        "ab",
        "abcd",
        "é€x",
        "1.50",
        "123.456",
        "-0.00",
        "999.99",
        "1000.0",
        "+12",
        " 99 ",
        "0099",
        "100",
        "255",
        "256",
        "-1",
        "1e3",
        ".5",
        "5.",
        "9223372036854775807",
        "9223372036854775808",
        "12345",
        "12345-6789",
        "1234",
        "Active",
        "active",
        "ab cd",
        "en-US",
        "x:y",
        "_a.b-c",
        "-a",
        "--12-31",
        "٣",
        "false",
    ];
    let doc = Document::parse("<r/>").unwrap();
    let none = |_: Option<&str>| None;
    for &t in &types {
        for raw in values {
            let a = v.simple_check(t, raw, &none, doc.root_element(), &mut Ctx::new());
            let b = v
                .simple_value(t, raw, &none, Some(doc.root_element()), &mut Ctx::new())
                .map(|_| ());
            assert_eq!(a, b, "{} {raw:?}", s.type_label(t));
        }
    }
}

/// Violations carry their reason as a value: counted and matched by kind, not by words.
#[test]
fn reasons_by_kind() {
    use crate::xsd::value::LexicalError;
    let (_d, s) = schema(&format!(
        r#"{XS_OPEN}
  <xs:element name="r"><xs:complexType><xs:sequence>
    <xs:element name="id" type="xs:int" maxOccurs="unbounded"/>
    <xs:element name="code" minOccurs="0"><xs:simpleType><xs:restriction base="xs:string">
      <xs:maxLength value="3"/></xs:restriction></xs:simpleType></xs:element>
  </xs:sequence><xs:attribute name="a" type="xs:int" use="required"/></xs:complexType>
  <xs:unique name="u"><xs:selector xpath="id"/><xs:field xpath="."/></xs:unique></xs:element>
</xs:schema>"#
    ));
    let v = check(
        &s,
        "<r b='1'><id>x</id><id>2</id><id>2</id><code>abcd</code><z/></r>",
    );
    let kinds: Vec<&Reason> = v.iter().map(|v| &v.reason).collect();
    assert!(
        kinds.iter().any(
            |r| matches!(r, Reason::AttributeNotAllowed { attribute, .. } if attribute.local == "b")
        ),
        "{v:?}"
    );
    assert!(
        kinds
            .iter()
            .any(|r| matches!(r, Reason::MissingAttribute { .. }))
    );
    assert!(kinds.iter().any(|r| matches!(
        r,
        Reason::Value(SimpleError::Lexical(LexicalError::Invalid { builtin, .. })) if &**builtin == "int"
    )));
    assert!(kinds.iter().any(|r| matches!(
        r,
        Reason::Value(SimpleError::MaxLength {
            max: 3,
            found: 4,
            ..
        })
    )));
    assert!(
        kinds.iter().any(
            |r| matches!(r, Reason::UnexpectedElement { element, .. } if element.local == "z")
        )
    );
    assert!(
        kinds
            .iter()
            .any(|r| matches!(r, Reason::Identity(IdentityError::DuplicateUnique { .. })))
    );
    for x in &v {
        assert_eq!(x.rule, x.reason.rule());
        assert_eq!(x.message, x.reason.to_string());
    }
}
