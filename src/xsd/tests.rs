//! Schema compiler unit tests on small inline schemas.

use super::*;

/// Loads `schema` (an `xs:schema` with target namespace `urn:t`) as a standalone schema
/// document, the prefixes `xs` and `t` declared on it.
fn load(schema: &str) -> Schema {
    let text = schema.replacen(
        "<xs:schema",
        r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:t="urn:t""#,
        1,
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.xsd");
    std::fs::write(&path, text).unwrap();
    load::load(&path, &Default::default()).unwrap_or_else(|d| panic!("{d}"))
}

fn complex<'a>(s: &'a Schema, local: &str) -> &'a ComplexType {
    match &s.ty(s.global_types[&QName::new("urn:t", local)]).kind {
        TypeKind::Complex(c) => c,
        other => panic!("{local} is {other:?}"),
    }
}

#[test]
fn extension_puts_base_particles_first_and_merges_attributes() {
    let s = &load(
        r#"<xs:schema targetNamespace="urn:t" elementFormDefault="qualified">
        <xs:complexType name="Base"><xs:sequence><xs:element name="a" type="xs:int"/></xs:sequence>
          <xs:attribute name="id" type="xs:long" use="required"/></xs:complexType>
        <xs:complexType name="Derived"><xs:complexContent><xs:extension base="t:Base">
          <xs:sequence><xs:element name="b" type="xs:string" minOccurs="0"/></xs:sequence>
          <xs:attribute name="note" type="xs:string"/></xs:extension></xs:complexContent></xs:complexType>
      </xs:schema>"#,
    );
    let d = complex(s, "Derived");
    assert_eq!(d.derivation, Derivation::Extension);
    let names: Vec<&str> = d.attributes.iter().map(|a| a.name.local.as_str()).collect();
    assert_eq!(names, ["id", "note"]);
    let Content::Elements(p) = &d.content else {
        panic!("{:?}", d.content)
    };
    let Particle {
        term: Term::Sequence(parts),
        ..
    } = &**p
    else {
        panic!("{:?}", d.content)
    };
    let first = match &parts[0].term {
        Term::Sequence(inner) => match &inner[0].term {
            Term::Element(e) => s.element(*e).name.clone(),
            t => panic!("{t:?}"),
        },
        t => panic!("{t:?}"),
    };
    assert_eq!(first, QName::new("urn:t", "a"));
    let base = s.global_types[&QName::new("urn:t", "Base")];
    assert!(s.derived[&base].contains(&s.global_types[&QName::new("urn:t", "Derived")]));
}

#[test]
fn forms_qualify_locals_per_schema() {
    let s = &load(
        r#"<xs:schema targetNamespace="urn:t">
        <xs:element name="E"><xs:complexType><xs:sequence>
          <xs:element name="plain" type="xs:string"/>
          <xs:element name="q" type="xs:string" form="qualified"/>
        </xs:sequence><xs:attribute name="at" type="xs:string" form="qualified"/></xs:complexType></xs:element>
      </xs:schema>"#,
    );
    let e = s.element(s.global_elements[&QName::new("urn:t", "E")]);
    assert_eq!(e.name.ns, "urn:t");
    let TypeKind::Complex(ct) = &s.ty(e.type_id).kind else {
        panic!()
    };
    let Content::Elements(p) = &ct.content else {
        panic!()
    };
    let Particle {
        term: Term::Sequence(ps),
        ..
    } = &**p
    else {
        panic!()
    };
    let names: Vec<QName> = ps
        .iter()
        .map(|p| match p.term {
            Term::Element(e) => s.element(e).name.clone(),
            _ => panic!(),
        })
        .collect();
    assert_eq!(names, [QName::new("", "plain"), QName::new("urn:t", "q")]);
    assert_eq!(ct.attributes[0].name, QName::new("urn:t", "at"));
}

#[test]
fn simple_types_keep_facets_lists_and_unions() {
    let s = &load(
        r#"<xs:schema targetNamespace="urn:t">
        <xs:simpleType name="Money"><xs:restriction base="xs:decimal"><xs:totalDigits value="18"/><xs:fractionDigits value="2"/></xs:restriction></xs:simpleType>
        <xs:simpleType name="Cents"><xs:restriction base="t:Money"><xs:minInclusive value="0"/><xs:pattern value="\d+"/></xs:restriction></xs:simpleType>
        <xs:simpleType name="Codes"><xs:list itemType="xs:token"/></xs:simpleType>
        <xs:simpleType name="IntOrAuto"><xs:union memberTypes="xs:int"><xs:simpleType><xs:restriction base="xs:string"><xs:enumeration value="auto"/></xs:restriction></xs:simpleType></xs:union></xs:simpleType>
      </xs:schema>"#,
    );
    let simple = |n: &str| match &s.ty(s.global_types[&QName::new("urn:t", n)]).kind {
        TypeKind::Simple(st) => st.clone(),
        _ => panic!(),
    };
    let cents = simple("Cents");
    assert_eq!(cents.primitive, Primitive::Decimal);
    assert_eq!(cents.base_builtin, s.builtin("decimal").unwrap());
    assert_eq!(cents.facets.total_digits, Some(18));
    assert_eq!(cents.facets.min_inclusive.as_deref(), Some("0"));
    assert_eq!(cents.facets.patterns, vec![vec![r"\d+".to_string()]]);
    assert!(
        matches!(simple("Codes").variety, Variety::List(t) if t == s.builtin("token").unwrap())
    );
    let Variety::Union(members) = simple("IntOrAuto").variety else {
        panic!()
    };
    assert_eq!(members.len(), 2);
}

#[test]
fn substitution_groups_are_transitive() {
    let s = &load(
        r#"<xs:schema targetNamespace="urn:t">
        <xs:element name="Shape" abstract="true" type="xs:anyType"/>
        <xs:element name="Circle" substitutionGroup="t:Shape"/>
        <xs:element name="Ring" substitutionGroup="t:Circle"/>
      </xs:schema>"#,
    );
    let id = |n: &str| s.global_elements[&QName::new("urn:t", n)];
    let mut subs = s.substitutes[&id("Shape")].clone();
    subs.sort();
    let mut want = vec![id("Circle"), id("Ring")];
    want.sort();
    assert_eq!(subs, want);
    assert!(s.element(id("Shape")).is_abstract);
}

/// A pattern too large for the usual limit (a counted Unicode class, repeated) is compiled
/// with the larger one, for at most `LARGE_PATTERNS` patterns of a schema; later ones are
/// listed as unenforced instead of taking unbounded memory.
#[test]
fn large_patterns_are_enforced_within_a_budget() {
    use super::regex::{LARGE_PATTERNS, PATTERN_LIMIT, RegexError, compile_with};
    let big = r"\c{3,6}://(\c{1,9}\.){1,4}\c{3} \c{3,6}://(\c{1,5}\.){1,3}\c{3}";
    assert!(matches!(
        compile_with(big, PATTERN_LIMIT),
        Err(RegexError::TooBig {
            limit: PATTERN_LIMIT
        })
    ));
    let types: String = (0..LARGE_PATTERNS + 1)
        .map(|i| {
            format!(
                r#"<xs:simpleType name="u{i}"><xs:restriction base="xs:string">
                     <xs:pattern value="{big}"/></xs:restriction></xs:simpleType>"#
            )
        })
        .collect();
    let s = &load(&format!(
        r#"<xs:schema targetNamespace="urn:t">{types}</xs:schema>"#
    ));
    let facets = |i: usize| match &s
        .ty(s.global_types[&QName::new("urn:t", format!("u{i}"))])
        .kind
    {
        TypeKind::Simple(st) => st.facets.clone(),
        other => panic!("{other:?}"),
    };
    let enforced = (0..=LARGE_PATTERNS)
        .filter(|&i| facets(i).regexes.len() == 1)
        .count();
    assert_eq!(enforced, LARGE_PATTERNS);
    let f = facets(LARGE_PATTERNS);
    assert!(
        f.regexes.is_empty()
            && f.unenforced.iter().map(|u| u.pattern.as_str()).eq([big])
            && matches!(f.unenforced[0].reason, RegexError::TooBig { .. })
            && f.unenforced[0].line > 0,
        "{f:?}"
    );
    let r = &facets(0).regexes[0][0].1;
    assert!(r.is_match("http://ab.cd.org ftp://x.y.com"));
    // The first host part has 67 characters: more than four labels of nine can hold.
    assert!(!r.is_match(
        "http://NISTpopular.creationre.includethisdo.enablingthemr.thestandard.com ftp://x.y.com"
    ));
}

/// Two schemas with the same pattern (two WSDLs importing one XSD) hold one compiled program;
/// once neither holds it, the next schema compiles it again.
#[test]
fn schemas_share_their_compiled_patterns() {
    let text = r#"<xs:schema targetNamespace="urn:t"><xs:simpleType name="zip">
        <xs:restriction base="xs:string"><xs:pattern value="[0-9]{5}(-[0-9]{4})?z{0,3}"/>
        </xs:restriction></xs:simpleType></xs:schema>"#;
    let regex = |s: &Schema| match &s.ty(s.global_types[&QName::new("urn:t", "zip")]).kind {
        TypeKind::Simple(st) => st.facets.regexes[0][0].1.clone(),
        other => panic!("{other:?}"),
    };
    let (a, b) = (load(text), load(text));
    let shared = regex(&a);
    assert!(std::sync::Arc::ptr_eq(&shared, &regex(&b)));
    assert!(shared.is_match("12345-6789z") && !shared.is_match("1234"));
    let weak = std::sync::Arc::downgrade(&shared);
    drop((a, b, shared));
    assert!(weak.upgrade().is_none(), "no schema holds it: freed");
    let c = load(text);
    assert!(regex(&c).is_match("12345"));
}
