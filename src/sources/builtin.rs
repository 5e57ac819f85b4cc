//! The core schema documents known without a file (xml.xsd, the SOAP 1.1/1.2 envelopes and
//! encodings), present in every load: served to imports by namespace as if they were files, so
//! WSDLs that import them (or only use them) load offline. The standard schemas imported by URL
//! are in `standard`.

use crate::xml::{SOAP11_ENC, SOAP12_ENC, XML};

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
