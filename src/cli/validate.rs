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
}

pub(super) fn run(args: ValidateArgs) -> anyhow::Result<bool> {
    let options = load_options(args.allow_paths, args.catalog.as_deref())?;
    validate_files(&args.schema, &args.files, &options)
}

/// Where the schema came from: a WSDL's types (also a mapping's WSDL) or a schema file.
enum Loaded {
    Wsdl(Arc<crate::wsdl::model::Wsdl>),
    Xsd(Box<crate::xsd::Schema>),
}

/// Loads the schema (an error when it does not load: exit status 2), then prints every
/// violation in every file.
fn validate_files(schema: &Path, files: &[PathBuf], options: &LoadOptions) -> anyhow::Result<bool> {
    let ext = schema
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let failed = |d: Diagnostics| anyhow::anyhow!("the schema did not load:\n{d}");
    let loaded = match ext.as_str() {
        "yaml" | "yml" => Loaded::Wsdl(crate::mapping::compile_file(schema).map_err(failed)?.wsdl),
        "wsdl" => Loaded::Wsdl(Arc::new(
            crate::wsdl::load(schema, options).map_err(failed)?,
        )),
        _ => Loaded::Xsd(Box::new(
            crate::xsd::load::load(schema, options).map_err(failed)?,
        )),
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
