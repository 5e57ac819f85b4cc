//! The streaming validator ([`Stepper`]) against the tree validator: a roxmltree document's
//! items shown to a stepper in document order, as a pull parser reads them. Every validator
//! unit test runs it (`tests.rs`'s `check`): where the stepper shows an element valid, the tree
//! validator must find no violation.

use roxmltree::Node;

use super::*;
use crate::xsd::model::{QName, Schema};

/// A start or end tag of a tree, as a [`Tag`].
struct NodeTag<'a, 'i>(Node<'a, 'i>);

impl Tag for NodeTag<'_, '_> {
    fn local(&self) -> &str {
        self.0.tag_name().name()
    }

    fn ns(&self) -> &str {
        self.0.tag_name().namespace().unwrap_or("")
    }

    fn attribute_at(&self, i: usize) -> Option<(&str, &str, &str)> {
        let a = self.0.attributes().nth(i)?;
        Some((a.namespace().unwrap_or(""), a.name(), a.value()))
    }

    fn namespace(&self, prefix: Option<&str>) -> Option<&str> {
        self.0.lookup_namespace_uri(prefix)
    }
}

/// Shows `root`'s subtree to a stepper for declaration `decl`; `Ok` when it shows it valid.
pub(super) fn stepped(v: &Validator, root: Node, decl: ElementId) -> Result<(), Unproven> {
    let mut st = Stepper::new(Validator::with(v.schema, v.prepared()), decl);
    let mut done = false;
    st.start(&NodeTag(root))?;
    // The open elements, each with its next child.
    let mut open = vec![(root, root.first_child())];
    while let Some((n, next)) = open.last_mut() {
        match *next {
            Some(c) => {
                *next = c.next_sibling();
                if c.is_element() {
                    st.start(&NodeTag(c))?;
                    open.push((c, c.first_child()));
                } else if c.is_text() {
                    st.text(c.text().unwrap_or(""))?;
                }
            }
            None => {
                let n = *n;
                open.pop();
                done = st.end(&NodeTag(n))?;
            }
        }
    }
    assert!(done, "the stepper saw the root's end");
    Ok(())
}

/// The stepper's verdict on a document's root beside the tree validator's violations: never
/// valid where the tree finds a violation. `None` when the root has no declaration.
pub(super) fn agree(
    s: &Schema,
    doc: &roxmltree::Document,
    tree: &[Violation],
) -> Option<Result<(), Unproven>> {
    let root = doc.root_element();
    let q = QName::new(
        root.tag_name().namespace().unwrap_or(""),
        root.tag_name().name(),
    );
    let &decl = s.global_elements.get(&q)?;
    let v = Validator::new(s);
    let verdict = stepped(&v, root, decl);
    assert!(
        verdict.is_err() || tree.is_empty(),
        "the stepper showed valid what the tree refuses: {tree:?}"
    );
    Some(verdict)
}

fn schema(xsd: &str) -> (tempfile::TempDir, Schema) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("s.xsd");
    std::fs::write(&p, xsd).unwrap();
    let s = crate::xsd::load::load(&p, &crate::sources::LoadOptions::default()).unwrap();
    (dir, s)
}

/// The stepper's verdict on `xml` (the tree's beside it, checked to agree).
fn verdict(s: &Schema, xml: &str) -> (Vec<String>, Result<(), Unproven>) {
    let doc = roxmltree::Document::parse(xml).unwrap();
    let tree = Validator::new(s).validate_root(&doc);
    let v = agree(s, &doc, &tree).expect("a declared root");
    let shown = tree
        .iter()
        .map(|v| format!("{}: {}", v.path, v.message))
        .collect();
    (shown, v)
}

const ORDERS: &str = r###"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:t="urn:t" targetNamespace="urn:t" elementFormDefault="qualified">
  <xs:simpleType name="Code"><xs:restriction base="xs:string">
    <xs:pattern value="[A-Z]{3}"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="Status"><xs:restriction base="xs:string">
    <xs:enumeration value="open"/><xs:enumeration value="shut"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="Ints"><xs:list itemType="xs:int"/></xs:simpleType>
  <xs:simpleType name="IntOrDate"><xs:union memberTypes="xs:int xs:date"/></xs:simpleType>
  <xs:complexType name="Party"><xs:sequence>
    <xs:element name="name" type="xs:string"/></xs:sequence>
    <xs:attribute name="id" type="xs:ID"/></xs:complexType>
  <xs:complexType name="Company"><xs:complexContent><xs:extension base="t:Party">
    <xs:sequence><xs:element name="vat" type="t:Code"/></xs:sequence>
  </xs:extension></xs:complexContent></xs:complexType>
  <xs:complexType name="Money"><xs:simpleContent><xs:extension base="xs:decimal">
    <xs:attribute name="currency" type="t:Code" use="required"/>
  </xs:extension></xs:simpleContent></xs:complexType>
  <xs:element name="note" type="xs:string"/>
  <xs:element name="memo" type="xs:string" substitutionGroup="t:note"/>
  <xs:element name="orders"><xs:complexType><xs:sequence>
    <xs:element name="order" maxOccurs="unbounded"><xs:complexType><xs:sequence>
      <xs:element name="status" type="t:Status"/>
      <xs:element name="party" type="t:Party"/>
      <xs:choice><xs:element name="total" type="t:Money"/><xs:element name="free" type="xs:boolean"/></xs:choice>
      <xs:element name="lines" type="t:Ints" minOccurs="0"/>
      <xs:element name="when" type="t:IntOrDate" nillable="true" minOccurs="0"/>
      <xs:element name="prio" type="xs:int" default="3" minOccurs="0"/>
      <xs:element ref="t:note" minOccurs="0" maxOccurs="2"/>
      <xs:element name="buyer" type="xs:IDREF" minOccurs="0"/>
    </xs:sequence><xs:anyAttribute processContents="lax" namespace="##other"/></xs:complexType></xs:element>
  </xs:sequence></xs:complexType></xs:element>
</xs:schema>"###;

const XSI_DECL: &str = r#"xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance""#;

fn orders(order: &str) -> String {
    format!(r#"<orders xmlns="urn:t" xmlns:t="urn:t" {XSI_DECL}>{order}</orders>"#)
}

#[test]
fn the_stepper_shows_valid_what_the_tree_finds_valid() {
    let (_d, s) = schema(ORDERS);
    let valid = [
        "<order><status>open</status><party id='p1'><name>A</name></party><total currency='EUR'>1.5</total></order>",
        "<order><status>shut</status><party xsi:type='t:Company'><name>B</name><vat>ABC</vat></party>\
         <free>true</free><lines> 1 2  3 </lines><when xsi:nil='true'/><prio/>\
         <memo>m</memo><note>n</note></order>",
        "<order x:a='1' xmlns:x='urn:x'><status>open</status><party id='p2'><name>C</name></party>\
         <free>0</free><when>2024-01-31</when><prio>7</prio></order>\
         <order><status>open</status><party><name>D<!-- c --> &amp; E</name></party><free>1</free>\
         <buyer>p2</buyer></order>",
    ];
    for order in valid {
        let (tree, v) = verdict(&s, &orders(order));
        assert_eq!((tree, v), (vec![], Ok(())), "{order}");
    }
}

#[test]
fn every_violation_is_left_to_the_tree() {
    let (_d, s) = schema(ORDERS);
    let ok = "<status>open</status><party><name>A</name></party><free>1</free>";
    let invalid = [
        // Content: a missing, an extra, an unexpected element; text where none may be.
        "<order><status>open</status><free>1</free></order>".to_string(),
        format!("<order>{ok}<free>1</free></order>"),
        format!("<order>{ok}<status>open</status></order>"),
        format!("<order>{ok}text</order>"),
        // Values: enumeration, pattern, list item, union, default's type kept.
        format!("<order>{}</order>", ok.replace("open", "ajar")),
        "<order><status>open</status><party><name>A</name></party><total currency='eur'>1</total></order>".into(),
        format!("<order>{ok}<lines>1 x</lines></order>"),
        format!("<order>{ok}<when>soon</when></order>"),
        format!("<order>{ok}<prio>high</prio></order>"),
        // Attributes: required missing, undeclared, xsi:type not derived, nil not nillable.
        "<order><status>open</status><party><name>A</name></party><total>1</total></order>".into(),
        format!("<order>{}</order>", ok.replace("<party>", "<party bad='1'>")),
        format!("<order>{}</order>", ok.replace("<party>", "<party xsi:type='t:Money'>")),
        format!("<order>{}</order>", ok.replace("<free>", "<free xsi:nil='true'>")),
        format!("<order>{ok}<when xsi:nil='true'>2024-01-31</when></order>"),
        // IDs: a duplicate, a dangling IDREF.
        "<order><status>open</status><party id='a'><name>A</name></party><free>1</free></order>\
         <order><status>open</status><party id='a'><name>A</name></party><free>1</free></order>"
            .into(),
        format!("<order>{ok}<buyer>nobody</buyer></order>"),
        // Simple content with a child element.
        format!("<order>{}</order>", ok.replace("<name>A</name>", "<name>A<b/></name>")),
    ];
    for order in &invalid {
        let (tree, v) = verdict(&s, &orders(order));
        assert!(!tree.is_empty(), "the tree refuses {order}");
        assert_eq!(v, Err(Unproven::Violation), "{order}");
    }
}

#[test]
fn constructs_the_stream_leaves_to_the_tree_are_named() {
    let (_d, s) = schema(
        r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:element name="w"><xs:complexType><xs:sequence>
    <xs:any processContents="lax" maxOccurs="unbounded"/></xs:sequence></xs:complexType></xs:element>
  <xs:element name="f" type="xs:string" fixed="x"/>
  <xs:element name="k"><xs:complexType><xs:sequence>
    <xs:element name="i" type="xs:int" maxOccurs="unbounded"/></xs:sequence></xs:complexType>
    <xs:unique name="u"><xs:selector xpath="i"/><xs:field xpath="."/></xs:unique></xs:element>
  <xs:element name="r" type="xs:IDREFS"/>
</xs:schema>"#,
    );
    assert_eq!(
        verdict(&s, "<w><x/></w>"),
        (vec![], Err(Unproven::Wildcard))
    );
    assert_eq!(verdict(&s, "<w/>").1, Err(Unproven::Violation));
    assert_eq!(verdict(&s, "<f>x</f>"), (vec![], Err(Unproven::Fixed)));
    assert_eq!(
        verdict(&s, "<k><i>1</i></k>"),
        (vec![], Err(Unproven::Identity))
    );
    assert_eq!(verdict(&s, "<r>a b</r>").1, Err(Unproven::IdInList));
}
