//! The built-in types of XML Schema 1.0, and the schemas every WSDL may use without a file:
//! `xml.xsd` (the `xml:` attributes) and the SOAP 1.1 / 1.2 encoding schemas.

use super::model::*;

/// (local name, base local name, primitive, list item) for every built-in simple type, in an order
/// where each base comes before the types derived from it.
const SIMPLE: &[(&str, &str, Primitive)] = &[
    ("anySimpleType", "anyType", Primitive::AnySimple),
    ("string", "anySimpleType", Primitive::String),
    ("boolean", "anySimpleType", Primitive::Boolean),
    ("decimal", "anySimpleType", Primitive::Decimal),
    ("float", "anySimpleType", Primitive::Float),
    ("double", "anySimpleType", Primitive::Double),
    ("duration", "anySimpleType", Primitive::Duration),
    ("dateTime", "anySimpleType", Primitive::DateTime),
    ("time", "anySimpleType", Primitive::Time),
    ("date", "anySimpleType", Primitive::Date),
    ("gYearMonth", "anySimpleType", Primitive::GYearMonth),
    ("gYear", "anySimpleType", Primitive::GYear),
    ("gMonthDay", "anySimpleType", Primitive::GMonthDay),
    ("gDay", "anySimpleType", Primitive::GDay),
    ("gMonth", "anySimpleType", Primitive::GMonth),
    ("hexBinary", "anySimpleType", Primitive::HexBinary),
    ("base64Binary", "anySimpleType", Primitive::Base64Binary),
    ("anyURI", "anySimpleType", Primitive::AnyUri),
    ("QName", "anySimpleType", Primitive::QName),
    ("NOTATION", "anySimpleType", Primitive::Notation),
    ("normalizedString", "string", Primitive::String),
    ("token", "normalizedString", Primitive::String),
    ("language", "token", Primitive::String),
    ("NMTOKEN", "token", Primitive::String),
    ("Name", "token", Primitive::String),
    ("NCName", "Name", Primitive::String),
    ("ID", "NCName", Primitive::String),
    ("IDREF", "NCName", Primitive::String),
    ("ENTITY", "NCName", Primitive::String),
    ("integer", "decimal", Primitive::Decimal),
    ("nonPositiveInteger", "integer", Primitive::Decimal),
    ("negativeInteger", "nonPositiveInteger", Primitive::Decimal),
    ("long", "integer", Primitive::Decimal),
    ("int", "long", Primitive::Decimal),
    ("short", "int", Primitive::Decimal),
    ("byte", "short", Primitive::Decimal),
    ("nonNegativeInteger", "integer", Primitive::Decimal),
    ("unsignedLong", "nonNegativeInteger", Primitive::Decimal),
    ("unsignedInt", "unsignedLong", Primitive::Decimal),
    ("unsignedShort", "unsignedInt", Primitive::Decimal),
    ("unsignedByte", "unsignedShort", Primitive::Decimal),
    ("positiveInteger", "nonNegativeInteger", Primitive::Decimal),
];

/// Built-in list types: (name, item type).
const LISTS: &[(&str, &str)] = &[
    ("NMTOKENS", "NMTOKEN"),
    ("IDREFS", "IDREF"),
    ("ENTITIES", "ENTITY"),
];

fn facets_of(local: &str) -> Facets {
    let range = |min: &str, max: &str| Facets {
        min_inclusive: (!min.is_empty()).then(|| min.to_string()),
        max_inclusive: (!max.is_empty()).then(|| max.to_string()),
        fraction_digits: Some(0),
        white_space: Some(WhiteSpace::Collapse),
        ..Facets::default()
    };
    match local {
        // anySimpleType is no atomic type: its text is taken as is (XSD 1.0 Part 2, 4.3.6).
        "string" | "anySimpleType" => Facets {
            white_space: Some(WhiteSpace::Preserve),
            ..Facets::default()
        },
        "normalizedString" => Facets {
            white_space: Some(WhiteSpace::Replace),
            ..Facets::default()
        },
        "integer" => range("", ""),
        "nonPositiveInteger" => range("", "0"),
        "negativeInteger" => range("", "-1"),
        "long" => range("-9223372036854775808", "9223372036854775807"),
        "int" => range("-2147483648", "2147483647"),
        "short" => range("-32768", "32767"),
        "byte" => range("-128", "127"),
        "nonNegativeInteger" => range("0", ""),
        "unsignedLong" => range("0", "18446744073709551615"),
        "unsignedInt" => range("0", "4294967295"),
        "unsignedShort" => range("0", "65535"),
        "unsignedByte" => range("0", "255"),
        "positiveInteger" => range("1", ""),
        _ => Facets {
            white_space: Some(WhiteSpace::Collapse),
            ..Facets::default()
        },
    }
}

/// Adds `xs:anyType` and every built-in simple type to an empty schema.
pub fn install(schema: &mut Schema) {
    debug_assert!(schema.types.is_empty());
    let any_type = TypeId(0);
    let any_wildcard = Wildcard {
        namespaces: NamespaceConstraint::Any,
        process: ProcessContents::Lax,
    };
    schema.types.push(Type {
        name: Some(QName::new(XS, "anyType")),
        base: None,
        kind: TypeKind::Complex(ComplexType {
            derivation: Derivation::None,
            content: Content::Elements(Particle {
                min: 0,
                max: MaxOccurs::Unbounded,
                term: Term::Any(any_wildcard.clone()),
            }),
            mixed: true,
            is_abstract: false,
            attributes: Vec::new(),
            any_attribute: Some(any_wildcard),
            array_of: None,
            block: 0,
        }),
        pos: SrcPos::default(),
    });
    schema
        .global_types
        .insert(QName::new(XS, "anyType"), any_type);
    for (local, base, primitive) in SIMPLE {
        let id = TypeId(schema.types.len() as u32);
        let base = schema.global_types[&QName::new(XS, *base)];
        schema.types.push(Type {
            name: Some(QName::new(XS, *local)),
            base: Some(base),
            kind: TypeKind::Simple(SimpleType {
                primitive: *primitive,
                base_builtin: id,
                variety: Variety::Atomic,
                facets: facets_of(local),
            }),
            pos: SrcPos::default(),
        });
        schema.global_types.insert(QName::new(XS, *local), id);
    }
    for (local, item) in LISTS {
        let id = TypeId(schema.types.len() as u32);
        let item = schema.global_types[&QName::new(XS, *item)];
        schema.types.push(Type {
            name: Some(QName::new(XS, *local)),
            base: schema.builtin("anySimpleType"),
            kind: TypeKind::Simple(SimpleType {
                primitive: Primitive::String,
                base_builtin: id,
                variety: Variety::List(item),
                facets: Facets {
                    min_length: Some(1),
                    ..Facets::default()
                },
            }),
            pos: SrcPos::default(),
        });
        schema.global_types.insert(QName::new(XS, *local), id);
    }
}

/// Schemas known without a file, by namespace: (namespace, virtual file name, text).
pub const KNOWN_SCHEMAS: &[(&str, &str, &str)] = &[
    (XML, "xml.xsd", XML_XSD),
    (SOAP11_ENC, "soap-encoding-1.1.xsd", SOAP11_ENC_XSD),
    (SOAP12_ENC, "soap-encoding-1.2.xsd", SOAP12_ENC_XSD),
    (
        "http://schemas.xmlsoap.org/soap/envelope/",
        "soap-envelope-1.1.xsd",
        SOAP11_ENV_XSD,
    ),
    (
        "http://www.w3.org/2003/05/soap-envelope",
        "soap-envelope-1.2.xsd",
        SOAP12_ENV_XSD,
    ),
];

/// The SOAP 1.1 envelope schema, reduced to its types (WSDLs refer to `Envelope`, `Fault`, ...).
const SOAP11_ENV_XSD: &str = r###"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:tns="http://schemas.xmlsoap.org/soap/envelope/"
    targetNamespace="http://schemas.xmlsoap.org/soap/envelope/">
  <xs:element name="Envelope" type="tns:Envelope"/>
  <xs:complexType name="Envelope">
    <xs:sequence>
      <xs:element ref="tns:Header" minOccurs="0"/>
      <xs:element ref="tns:Body"/>
      <xs:any namespace="##other" minOccurs="0" maxOccurs="unbounded" processContents="lax"/>
    </xs:sequence>
    <xs:anyAttribute namespace="##other" processContents="lax"/>
  </xs:complexType>
  <xs:element name="Header" type="tns:Header"/>
  <xs:complexType name="Header">
    <xs:sequence><xs:any namespace="##other" minOccurs="0" maxOccurs="unbounded" processContents="lax"/></xs:sequence>
    <xs:anyAttribute namespace="##other" processContents="lax"/>
  </xs:complexType>
  <xs:element name="Body" type="tns:Body"/>
  <xs:complexType name="Body">
    <xs:sequence><xs:any namespace="##any" minOccurs="0" maxOccurs="unbounded" processContents="lax"/></xs:sequence>
    <xs:anyAttribute namespace="##any" processContents="lax"/>
  </xs:complexType>
  <xs:attribute name="mustUnderstand"><xs:simpleType><xs:restriction base="xs:boolean"><xs:pattern value="0|1"/></xs:restriction></xs:simpleType></xs:attribute>
  <xs:attribute name="actor" type="xs:anyURI"/>
  <xs:attribute name="encodingStyle" type="xs:string"/>
  <xs:element name="Fault" type="tns:Fault"/>
  <xs:complexType name="Fault" final="extension">
    <xs:sequence>
      <xs:element name="faultcode" type="xs:QName"/>
      <xs:element name="faultstring" type="xs:string"/>
      <xs:element name="faultactor" type="xs:anyURI" minOccurs="0"/>
      <xs:element name="detail" type="tns:detail" minOccurs="0"/>
    </xs:sequence>
  </xs:complexType>
  <xs:complexType name="detail">
    <xs:sequence><xs:any namespace="##any" minOccurs="0" maxOccurs="unbounded" processContents="lax"/></xs:sequence>
    <xs:anyAttribute namespace="##any" processContents="lax"/>
  </xs:complexType>
</xs:schema>"###;

/// The SOAP 1.2 envelope schema, reduced to its types.
const SOAP12_ENV_XSD: &str = r###"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:tns="http://www.w3.org/2003/05/soap-envelope"
    targetNamespace="http://www.w3.org/2003/05/soap-envelope" elementFormDefault="qualified">
  <xs:element name="Envelope" type="tns:Envelope"/>
  <xs:complexType name="Envelope">
    <xs:sequence>
      <xs:element ref="tns:Header" minOccurs="0"/>
      <xs:element ref="tns:Body"/>
    </xs:sequence>
    <xs:anyAttribute namespace="##other" processContents="lax"/>
  </xs:complexType>
  <xs:element name="Header" type="tns:Header"/>
  <xs:complexType name="Header">
    <xs:sequence><xs:any namespace="##any" minOccurs="0" maxOccurs="unbounded" processContents="lax"/></xs:sequence>
    <xs:anyAttribute namespace="##other" processContents="lax"/>
  </xs:complexType>
  <xs:element name="Body" type="tns:Body"/>
  <xs:complexType name="Body">
    <xs:sequence><xs:any namespace="##any" minOccurs="0" maxOccurs="unbounded" processContents="lax"/></xs:sequence>
    <xs:anyAttribute namespace="##other" processContents="lax"/>
  </xs:complexType>
  <xs:attribute name="mustUnderstand" type="xs:boolean"/>
  <xs:attribute name="relay" type="xs:boolean"/>
  <xs:attribute name="role" type="xs:anyURI"/>
  <xs:attribute name="encodingStyle" type="xs:anyURI"/>
  <xs:element name="Fault" type="tns:Fault"/>
  <xs:complexType name="Fault" final="extension">
    <xs:sequence>
      <xs:element name="Code" type="tns:faultcode"/>
      <xs:element name="Reason" type="tns:faultreason"/>
      <xs:element name="Node" type="xs:anyURI" minOccurs="0"/>
      <xs:element name="Role" type="xs:anyURI" minOccurs="0"/>
      <xs:element name="Detail" type="tns:detail" minOccurs="0"/>
    </xs:sequence>
  </xs:complexType>
  <xs:complexType name="faultreason">
    <xs:sequence><xs:element name="Text" type="tns:reasontext" maxOccurs="unbounded"/></xs:sequence>
  </xs:complexType>
  <xs:complexType name="reasontext">
    <xs:simpleContent><xs:extension base="xs:string"><xs:attribute ref="xml:lang" use="required"/></xs:extension></xs:simpleContent>
  </xs:complexType>
  <xs:complexType name="faultcode">
    <xs:sequence>
      <xs:element name="Value" type="tns:faultcodeEnum"/>
      <xs:element name="Subcode" type="tns:subcode" minOccurs="0"/>
    </xs:sequence>
  </xs:complexType>
  <xs:simpleType name="faultcodeEnum">
    <xs:restriction base="xs:QName">
      <xs:enumeration value="tns:DataEncodingUnknown"/>
      <xs:enumeration value="tns:MustUnderstand"/>
      <xs:enumeration value="tns:Receiver"/>
      <xs:enumeration value="tns:Sender"/>
      <xs:enumeration value="tns:VersionMismatch"/>
    </xs:restriction>
  </xs:simpleType>
  <xs:complexType name="subcode">
    <xs:sequence>
      <xs:element name="Value" type="xs:QName"/>
      <xs:element name="Subcode" type="tns:subcode" minOccurs="0"/>
    </xs:sequence>
  </xs:complexType>
  <xs:complexType name="detail">
    <xs:sequence><xs:any namespace="##any" minOccurs="0" maxOccurs="unbounded" processContents="lax"/></xs:sequence>
    <xs:anyAttribute namespace="##other" processContents="lax"/>
  </xs:complexType>
</xs:schema>"###;

const XML_XSD: &str = r###"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
    targetNamespace="http://www.w3.org/XML/1998/namespace">
  <xs:attribute name="lang" type="xs:language"/>
  <xs:attribute name="space">
    <xs:simpleType>
      <xs:restriction base="xs:NCName">
        <xs:enumeration value="default"/>
        <xs:enumeration value="preserve"/>
      </xs:restriction>
    </xs:simpleType>
  </xs:attribute>
  <xs:attribute name="base" type="xs:anyURI"/>
  <xs:attribute name="id" type="xs:ID"/>
  <xs:attributeGroup name="specialAttrs">
    <xs:attribute ref="xml:base"/>
    <xs:attribute ref="xml:lang"/>
    <xs:attribute ref="xml:space"/>
    <xs:attribute ref="xml:id"/>
  </xs:attributeGroup>
</xs:schema>"###;

/// The SOAP 1.1 encoding schema, reduced to what a WSDL refers to. The encoded simple types are
/// plain restrictions of the XML Schema ones (their `id`/`href` attributes belong to the
/// encoding layer, not to the JSON).
const SOAP11_ENC_XSD: &str = r###"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:tns="http://schemas.xmlsoap.org/soap/encoding/"
    targetNamespace="http://schemas.xmlsoap.org/soap/encoding/">
  <xs:attribute name="root"><xs:simpleType><xs:restriction base="xs:boolean"><xs:pattern value="0|1"/></xs:restriction></xs:simpleType></xs:attribute>
  <xs:attributeGroup name="commonAttributes">
    <xs:attribute name="id" type="xs:ID"/>
    <xs:attribute name="href" type="xs:anyURI"/>
    <xs:anyAttribute namespace="##other" processContents="lax"/>
  </xs:attributeGroup>
  <xs:simpleType name="arrayCoordinate"><xs:restriction base="xs:string"/></xs:simpleType>
  <xs:attribute name="arrayType" type="xs:string"/>
  <xs:attribute name="offset" type="tns:arrayCoordinate"/>
  <xs:attribute name="position" type="tns:arrayCoordinate"/>
  <xs:attributeGroup name="arrayAttributes">
    <xs:attribute ref="tns:arrayType"/>
    <xs:attribute ref="tns:offset"/>
  </xs:attributeGroup>
  <xs:group name="Array">
    <xs:sequence><xs:any namespace="##any" minOccurs="0" maxOccurs="unbounded" processContents="lax"/></xs:sequence>
  </xs:group>
  <xs:complexType name="Array">
    <xs:group ref="tns:Array" minOccurs="0"/>
    <xs:attributeGroup ref="tns:arrayAttributes"/>
    <xs:attributeGroup ref="tns:commonAttributes"/>
  </xs:complexType>
  <xs:element name="Array" type="tns:Array"/>
  <xs:complexType name="Struct">
    <xs:sequence><xs:any namespace="##any" minOccurs="0" maxOccurs="unbounded" processContents="lax"/></xs:sequence>
    <xs:attributeGroup ref="tns:commonAttributes"/>
  </xs:complexType>
  <xs:element name="Struct" type="tns:Struct"/>
  <xs:simpleType name="base64"><xs:restriction base="xs:base64Binary"/></xs:simpleType>
  <xs:simpleType name="string"><xs:restriction base="xs:string"/></xs:simpleType>
  <xs:simpleType name="normalizedString"><xs:restriction base="xs:normalizedString"/></xs:simpleType>
  <xs:simpleType name="token"><xs:restriction base="xs:token"/></xs:simpleType>
  <xs:simpleType name="boolean"><xs:restriction base="xs:boolean"/></xs:simpleType>
  <xs:simpleType name="decimal"><xs:restriction base="xs:decimal"/></xs:simpleType>
  <xs:simpleType name="integer"><xs:restriction base="xs:integer"/></xs:simpleType>
  <xs:simpleType name="long"><xs:restriction base="xs:long"/></xs:simpleType>
  <xs:simpleType name="int"><xs:restriction base="xs:int"/></xs:simpleType>
  <xs:simpleType name="short"><xs:restriction base="xs:short"/></xs:simpleType>
  <xs:simpleType name="byte"><xs:restriction base="xs:byte"/></xs:simpleType>
  <xs:simpleType name="float"><xs:restriction base="xs:float"/></xs:simpleType>
  <xs:simpleType name="double"><xs:restriction base="xs:double"/></xs:simpleType>
  <xs:simpleType name="dateTime"><xs:restriction base="xs:dateTime"/></xs:simpleType>
  <xs:simpleType name="date"><xs:restriction base="xs:date"/></xs:simpleType>
  <xs:simpleType name="time"><xs:restriction base="xs:time"/></xs:simpleType>
  <xs:simpleType name="base64Binary"><xs:restriction base="xs:base64Binary"/></xs:simpleType>
  <xs:simpleType name="hexBinary"><xs:restriction base="xs:hexBinary"/></xs:simpleType>
  <xs:simpleType name="anyURI"><xs:restriction base="xs:anyURI"/></xs:simpleType>
  <xs:simpleType name="QName"><xs:restriction base="xs:QName"/></xs:simpleType>
  <xs:simpleType name="unsignedLong"><xs:restriction base="xs:unsignedLong"/></xs:simpleType>
  <xs:simpleType name="unsignedInt"><xs:restriction base="xs:unsignedInt"/></xs:simpleType>
  <xs:simpleType name="unsignedShort"><xs:restriction base="xs:unsignedShort"/></xs:simpleType>
  <xs:simpleType name="unsignedByte"><xs:restriction base="xs:unsignedByte"/></xs:simpleType>
  <xs:simpleType name="nonNegativeInteger"><xs:restriction base="xs:nonNegativeInteger"/></xs:simpleType>
  <xs:simpleType name="positiveInteger"><xs:restriction base="xs:positiveInteger"/></xs:simpleType>
  <xs:simpleType name="duration"><xs:restriction base="xs:duration"/></xs:simpleType>
</xs:schema>"###;

/// The SOAP 1.2 encoding schema, reduced likewise.
const SOAP12_ENC_XSD: &str = r###"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:tns="http://www.w3.org/2003/05/soap-encoding"
    targetNamespace="http://www.w3.org/2003/05/soap-encoding">
  <xs:attribute name="id" type="xs:ID"/>
  <xs:attribute name="ref" type="xs:IDREF"/>
  <xs:attribute name="nodeType"><xs:simpleType><xs:restriction base="xs:string"><xs:enumeration value="simple"/><xs:enumeration value="struct"/><xs:enumeration value="array"/></xs:restriction></xs:simpleType></xs:attribute>
  <xs:attribute name="itemType" type="xs:QName"/>
  <xs:attribute name="arraySize" type="xs:string"/>
  <!-- Not in SOAP 1.2 encoding, but gSOAP writes SOAP 1.1-style arrayType in this namespace. -->
  <xs:attribute name="arrayType" type="xs:string"/>
  <xs:attributeGroup name="commonAttributes">
    <xs:attribute ref="tns:id"/>
    <xs:attribute ref="tns:ref"/>
    <xs:anyAttribute namespace="##other" processContents="lax"/>
  </xs:attributeGroup>
  <xs:complexType name="Array">
    <xs:sequence><xs:any namespace="##any" minOccurs="0" maxOccurs="unbounded" processContents="lax"/></xs:sequence>
    <xs:attribute ref="tns:itemType"/>
    <xs:attribute ref="tns:arraySize"/>
    <xs:attributeGroup ref="tns:commonAttributes"/>
  </xs:complexType>
  <xs:complexType name="Struct">
    <xs:sequence><xs:any namespace="##any" minOccurs="0" maxOccurs="unbounded" processContents="lax"/></xs:sequence>
    <xs:attributeGroup ref="tns:commonAttributes"/>
  </xs:complexType>
</xs:schema>"###;
