//! `soapbridge validate`: XML documents (or the Body children of SOAP envelopes) checked against
//! a schema: an `.xsd`, a WSDL's types or a mapping's WSDL. Every violation is printed as
//! `file:line:col: path: message`; exit status 0 all valid, 1 some invalid, 2 the schema did not
//! load.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::files::load_options;
use crate::diag::{Diagnostics, line_col};
use crate::sources::LoadOptions;
use crate::xsd::validate::Validator;

/// `validate` options.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// `schema.xsd`, `service.wsdl` or `mapping.yaml`.
    pub schema: PathBuf,
    /// The documents; a SOAP envelope has each Body child checked against the global
    /// element of its name.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Extra folder imports may read from.
    #[arg(long = "allow-path")]
    pub allow_paths: Vec<PathBuf>,
    /// Catalog file: lines `URL = local/file.xsd`.
    #[arg(long)]
    pub catalog: Option<PathBuf>,
    /// Tolerate common mistakes in a WSDL and its schemas (not for an .xsd; for a mapping: its
    /// `lenient:` key).
    #[arg(long)]
    pub lenient: bool,
}

pub(super) fn run(args: ValidateArgs) -> anyhow::Result<bool> {
    let options = load_options(args.allow_paths, args.catalog.as_deref(), args.lenient)?;
    validate_files(&args.schema, &args.files, &options)
}

/// Where the schema came from: a WSDL's types (also a mapping's WSDL) or a schema file.
enum Loaded {
    Wsdl(Arc<crate::wsdl::model::Wsdl>),
    Xsd(Box<crate::xsd::Schema>),
}

/// Loads the schema (an error when it does not load: exit status 2), then prints every
/// violation in every file. A mapping is known by its extension; a WSDL by its root element,
/// whatever its file is called (`service.wsdl`, `service.xml`, `service.wsdl.xml`).
fn validate_files(schema: &Path, files: &[PathBuf], options: &LoadOptions) -> anyhow::Result<bool> {
    let ext = schema
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let failed = |d: Diagnostics| anyhow::anyhow!("the schema did not load:\n{d}");
    let loaded = if ext == "yaml" || ext == "yml" {
        Loaded::Wsdl(crate::mapping::compile_file(schema).map_err(failed)?.wsdl)
    } else if ext == "wsdl" || is_wsdl(schema) {
        let w = crate::wsdl::load(schema, options).map_err(failed)?;
        for warning in &w.warnings {
            eprintln!("{warning}");
        }
        Loaded::Wsdl(Arc::new(w))
    } else {
        // A schema document is held to XML Schema itself: lenient mode is for WSDLs.
        let strict = LoadOptions {
            lenient: false,
            ..options.clone()
        };
        Loaded::Xsd(Box::new(
            crate::xsd::load::load(schema, &strict).map_err(failed)?,
        ))
    };
    let schema_set = match &loaded {
        Loaded::Wsdl(w) => &w.schema,
        Loaded::Xsd(s) => s,
    };
    let validator = Validator::new(schema_set);
    let mut all_valid = true;
    for f in files {
        let problems = validate_file(&validator, f);
        if !problems.is_empty() {
            all_valid = false;
            for p in &problems {
                println!("{p}");
            }
        }
    }
    Ok(all_valid)
}

/// Whether the file's root element is a WSDL 1.1 `definitions` (read as far as its first
/// element; a file that cannot be read or parsed is left to the schema loader to report).
fn is_wsdl(file: &Path) -> bool {
    let Ok(bytes) = std::fs::read(file) else {
        return false;
    };
    let mut reader = quick_xml::NsReader::from_reader(bytes.as_slice());
    let mut buf = Vec::new();
    loop {
        match reader.read_resolved_event_into(&mut buf) {
            Ok((ns, quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e))) => {
                let wsdl = quick_xml::name::ResolveResult::Bound(quick_xml::name::Namespace(
                    crate::xml::WSDL,
                ));
                return ns == wsdl && e.local_name().as_ref() == "definitions";
            }
            Ok((_, quick_xml::events::Event::Eof)) | Err(_) => return false,
            Ok(_) => buf.clear(),
        }
    }
}

/// The violations in one document, as printed lines.
fn validate_file(v: &Validator, file: &Path) -> Vec<String> {
    const ENVELOPES: [&str; 2] = [
        "http://schemas.xmlsoap.org/soap/envelope/",
        "http://www.w3.org/2003/05/soap-envelope",
    ];
    let shown = file.display();
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => return vec![format!("{shown}: cannot read: {e}")],
    };
    let text = match crate::soap::decode_text(&bytes, "") {
        Ok(t) => t,
        Err(e) => return vec![format!("{shown}: {e}")],
    };
    if let Err(r) = crate::xml::scan(&text, &crate::xml::XmlLimits::DOCUMENT) {
        let (line, col) = crate::diag::line_col(&text, r.offset);
        return vec![format!("{shown}:{line}:{col}: {r}")];
    }
    let doc = match roxmltree::Document::parse_with_options(&text, crate::xml::parse_options()) {
        Ok(d) => d,
        Err(e) => {
            let p = e.pos();
            return vec![format!(
                "{shown}:{}:{}: not well-formed XML: {e}",
                p.row, p.col
            )];
        }
    };
    let root = doc.root_element();
    let is_envelope = root.tag_name().name() == "Envelope"
        && root
            .tag_name()
            .namespace()
            .is_some_and(|n| ENVELOPES.contains(&n));
    let mut violations = Vec::new();
    if is_envelope {
        let body = root
            .children()
            .find(|c| c.is_element() && c.tag_name().name() == "Body");
        let Some(body) = body else {
            let (l, c) = line_col(&text, root.range().start);
            return vec![format!(
                "{shown}:{l}:{c}: /Envelope: the envelope has no Body"
            )];
        };
        for child in body.children().filter(|c| c.is_element()) {
            let q = crate::xsd::QName::new(
                child.tag_name().namespace().unwrap_or(""),
                child.tag_name().name(),
            );
            match v.schema().global_elements.get(&q) {
                Some(&e) => violations.extend(v.validate_element(child, e)),
                None => violations.push(crate::xsd::validate::Violation {
                    offset: child.range().start,
                    path: crate::xsd::validate::path_of(child),
                    rule: "declaration",
                    message: format!("no global element declaration for {q}"),
                    reason: crate::xsd::validate::Reason::NoDeclaration { element: q },
                }),
            }
        }
    } else {
        violations = v.validate_root(&doc);
    }
    violations
        .iter()
        .map(|x| {
            let (l, c) = line_col(&text, x.offset);
            format!("{shown}:{l}:{c}: {}: {}", x.path, x.message)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const WSDL: &str = r#"<?xml version="1.0"?>
<!-- saved as .xml -->
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:t">
  <wsdl:types>
    <xs:schema targetNamespace="urn:t" elementFormDefault="qualified">
      <xs:element name="Echo"><xs:complexType><xs:sequence><xs:element name="n" type="xs:int"/></xs:sequence></xs:complexType></xs:element>
    </xs:schema>
  </wsdl:types>
</wsdl:definitions>"#;

    #[test]
    fn a_wsdl_saved_as_xml_is_read_as_a_wsdl() {
        let dir = tempfile::tempdir().unwrap();
        let wsdl = dir.path().join("service.xml");
        std::fs::write(&wsdl, WSDL).unwrap();
        assert!(is_wsdl(&wsdl));
        let good = dir.path().join("good.xml");
        std::fs::write(&good, r#"<Echo xmlns="urn:t"><n>1</n></Echo>"#).unwrap();
        let bad = dir.path().join("bad.xml");
        std::fs::write(&bad, r#"<Echo xmlns="urn:t"><n>one</n></Echo>"#).unwrap();
        let options = LoadOptions::default();
        assert!(validate_files(&wsdl, &[good], &options).unwrap());
        assert!(!validate_files(&wsdl, &[bad], &options).unwrap());
    }

    #[test]
    fn a_schema_is_not_a_wsdl() {
        let dir = tempfile::tempdir().unwrap();
        let xsd = dir.path().join("types.xml");
        std::fs::write(
            &xsd,
            r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>"#,
        )
        .unwrap();
        assert!(!is_wsdl(&xsd));
        assert!(!is_wsdl(&dir.path().join("missing.xml")));
    }
}
