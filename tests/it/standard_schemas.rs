//! The standard schemas soapbridge knows without a file (W3C xmlmime and XOP include,
//! WS-Addressing 2004/08 and 1.0, OASIS WS-Notification / WS-Resource): a WSDL that imports them
//! by URL, or by namespace alone, loads offline with no catalog; only the ones imported (and what
//! they import) join the load; a file the WSDL ships for the same namespace wins.

use std::path::{Path, PathBuf};

use soapbridge::sources::{LoadOptions, collect};

/// A WSDL whose types import `imports` and whose one operation sends `element`.
fn wsdl(imports: &str, element: &str) -> String {
    format!(
        r#"<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:tns="urn:t" xmlns:wsnt="http://docs.oasis-open.org/wsn/b-2"
    xmlns:wsa04="http://schemas.xmlsoap.org/ws/2004/08/addressing"
    xmlns:xmime="http://www.w3.org/2005/05/xmlmime" targetNamespace="urn:t">
  <types>
    <xs:schema targetNamespace="urn:t" elementFormDefault="qualified">
      {imports}
      <xs:element name="Blob">
        <xs:complexType><xs:sequence>
          <xs:element name="data" type="xmime:base64Binary"/>
          <xs:element ref="wsa04:EndpointReference" minOccurs="0"/>
        </xs:sequence></xs:complexType>
      </xs:element>
    </xs:schema>
  </types>
  <message name="In"><part name="body" element="{element}"/></message>
  <message name="Out"><part name="body" element="tns:Blob"/></message>
  <portType name="P"><operation name="Notify"><input message="tns:In"/><output message="tns:Out"/></operation></portType>
  <binding name="B" type="tns:P">
    <soap:binding transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="Notify"><soap:operation soapAction="urn:notify"/>
      <input><soap:body use="literal"/></input><output><soap:body use="literal"/></output></operation>
  </binding>
  <service name="S"><port name="Port" binding="tns:B"><soap:address location="http://localhost/s"/></port></service>
</definitions>"#
    )
}

const BY_URL: &str = r#"<xs:import namespace="http://docs.oasis-open.org/wsn/b-2" schemaLocation="http://docs.oasis-open.org/wsn/b-2.xsd"/>
      <xs:import namespace="http://www.w3.org/2005/05/xmlmime" schemaLocation="https://www.w3.org/2005/05/xmlmime"/>
      <xs:import namespace="http://schemas.xmlsoap.org/ws/2004/08/addressing"/>"#;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// The built-in documents of a load, by virtual file name.
fn builtins(path: &Path) -> Vec<String> {
    let set = collect(path, &LoadOptions::default()).unwrap();
    set.sources
        .iter()
        .filter(|s| s.builtin)
        .map(|s| s.path.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn imports_by_url_or_namespace_load_offline_with_no_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "s.wsdl", &wsdl(BY_URL, "wsnt:Notify"));
    let w =
        soapbridge::wsdl::load(&path, &LoadOptions::default()).unwrap_or_else(|d| panic!("{d}"));
    assert!(w.warnings.is_empty(), "{:?}", w.warnings);
    let b = &w.bindings[0];
    assert_eq!(b.operations.len(), 1);
    // b-2 and what it imports (WS-Addressing 1.0, WS-BaseFaults, WS-Topics), xmlmime and
    // WS-Addressing 2004/08; not WS-ResourceProperties nor XOP, which nothing imports.
    let got = builtins(&path);
    for file in [
        "b-2.xsd",
        "ws-addr.xsd",
        "bf-2.xsd",
        "t-1.xsd",
        "xmlmime.xsd",
        "ws-addressing-2004-08.xsd",
    ] {
        assert!(got.iter().any(|g| g == file), "{file} missing from {got:?}");
    }
    for file in ["r-2.xsd", "xop-include.xsd"] {
        assert!(!got.iter().any(|g| g == file), "{file} loaded: {got:?}");
    }
    // The whole generate + check path, as `soapbridge generate` and `check` run it.
    let text = soapbridge::mapping::generate::mapping_file(
        &w,
        &path,
        soapbridge::mapping::generate::select(&w, None, None, None).unwrap(),
        &LoadOptions::default(),
        dir.path(),
    )
    .unwrap();
    assert!(!text.contains("catalog"), "{text}");
    let mapping = write(dir.path(), "s.yaml", &text);
    let compiled = soapbridge::mapping::compile::compile_str(&mapping, &text)
        .unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(compiled.routes.len(), 1);
}

#[test]
fn a_wsdl_that_imports_none_gets_only_the_core_schemas() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "s.wsdl", &wsdl("", "tns:Blob"));
    let got = builtins(&path);
    assert_eq!(
        got,
        [
            "xml.xsd",
            "soap-encoding-1.1.xsd",
            "soap-encoding-1.2.xsd",
            "soap-envelope-1.1.xsd",
            "soap-envelope-1.2.xsd"
        ]
    );
    // Without the imports, the standard types are unknown, as before.
    let err = soapbridge::wsdl::load(&path, &LoadOptions::default()).unwrap_err();
    assert!(
        err.to_string().contains("xmime:base64Binary") || err.to_string().contains("base64Binary"),
        "{err}"
    );
}

#[test]
fn a_copy_the_wsdl_ships_wins_over_the_built_in_text() {
    let dir = tempfile::tempdir().unwrap();
    // The WSDL's own WS-Addressing 1.0 schema (a stand-in declaring one type b-2 does not use).
    write(
        dir.path(),
        "my-addr.xsd",
        r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="http://www.w3.org/2005/08/addressing">
  <xs:complexType name="Mine"><xs:sequence/></xs:complexType>
</xs:schema>"#,
    );
    let imports = format!(
        r#"<xs:import namespace="http://www.w3.org/2005/08/addressing" schemaLocation="my-addr.xsd"/>
      {BY_URL}"#
    );
    let path = write(dir.path(), "s.wsdl", &wsdl(&imports, "tns:Blob"));
    let got = builtins(&path);
    assert!(got.iter().any(|g| g == "b-2.xsd"), "{got:?}");
    assert!(!got.iter().any(|g| g == "ws-addr.xsd"), "{got:?}");
    let set = collect(&path, &LoadOptions::default()).unwrap();
    assert!(set.sources.iter().any(|s| s.path.ends_with("my-addr.xsd")));
}

#[test]
fn an_unknown_url_still_needs_a_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let imports = r#"<xs:import namespace="urn:elsewhere" schemaLocation="http://example.com/elsewhere.xsd"/>"#;
    let path = write(dir.path(), "s.wsdl", &wsdl(imports, "tns:Blob"));
    let err = collect(&path, &LoadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("cannot resolve `http://example.com/elsewhere.xsd` offline"),
        "{err}"
    );
    assert!(err.contains("--catalog"), "{err}");
}
