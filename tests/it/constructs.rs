//! One directory per XSD construct: `tests/constructs/<name>/` holds a `service.wsdl` whose
//! schema is `types.xsd`, and JSON files `<Element>.<variant>.json`. Each JSON is written as
//! the global element `<Element>` (what an upstream would receive inside the Body), compared with
//! `<Element>.<variant>.xml` beside it, read back and compared with the JSON. Files ending in
//! `.bad.json` must be refused; their errors (pointer, rule, message, then `expected` and `found`
//! when known) are compared with `.bad.txt`. `UPDATE_EXPECT=1`
//! rewrites the expected files. With `SOAPBRIDGE_XMLLINT=1` (set by `.ci/run`) every written
//! document is also validated by `xmllint --schema types.xsd`, an independent validator.

use std::path::{Path, PathBuf};

use serde_json::Value;
use soapbridge::convert::decode::Decoder;
use soapbridge::convert::encode::Encoder;
use soapbridge::convert::model::JsonModel;
use soapbridge::mapping::naming::Naming;
use soapbridge::xsd::QName;

fn dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/constructs")
        .join(name)
}

/// Absent repeated elements come back as `[]`: drop empty arrays on both sides.
fn normal(v: &Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(
            o.iter()
                .filter(|(_, x)| !matches!(x, Value::Array(a) if a.is_empty()))
                .map(|(k, x)| (k.clone(), normal(x)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(normal).collect()),
        other => other.clone(),
    }
}

fn expect(file: &Path, got: &str, problems: &mut Vec<String>) {
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(file, got).unwrap();
        return;
    }
    match std::fs::read_to_string(file) {
        Ok(expected) if expected == got => {}
        Ok(expected) => problems.push(format!(
            "{} differs\n--- expected\n{expected}\n--- got\n{got}",
            file.display()
        )),
        Err(e) => problems.push(format!(
            "{}: {e} (run with UPDATE_EXPECT=1 to create it)\n--- got\n{got}",
            file.display()
        )),
    }
}

/// The element as a standalone document: the namespace declarations the envelope would carry
/// go on the element itself.
fn standalone(decls: &[(&str, &str)], xsi: bool, xml: &str) -> String {
    let end = xml
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .expect("a start tag");
    let mut attrs = String::new();
    if xsi {
        attrs.push_str(" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"");
    }
    for (p, uri) in decls {
        attrs.push_str(&format!(" xmlns:{p}=\"{uri}\""));
    }
    format!("{}{attrs}{}\n", &xml[..end], &xml[end..])
}

fn xmllint(schema: &Path, doc: &str) -> Result<(), String> {
    let tmp = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(tmp.path(), doc).unwrap();
    let out = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(schema)
        .arg(tmp.path())
        .output()
        .expect("SOAPBRIDGE_XMLLINT is set but xmllint cannot run (apt-get install libxml2-utils)");
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn run(name: &str) {
    let d = dir(name);
    let wsdl = std::sync::Arc::new(
        soapbridge::wsdl::load(&d.join("service.wsdl"), &Default::default())
            .unwrap_or_else(|e| panic!("{name}: {e}")),
    );
    let schema = &wsdl.schema;
    let model = JsonModel::new(wsdl.clone(), Naming::CamelCase);
    let lint = std::env::var_os("SOAPBRIDGE_XMLLINT").is_some();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&d)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{name}: no JSON files");
    let mut problems = Vec::new();
    for file in files {
        let stem = file.file_stem().unwrap().to_string_lossy().to_string();
        let element = stem.split('.').next().unwrap();
        let bad = stem.ends_with(".bad");
        let q = schema
            .global_elements
            .keys()
            .find(|q| q.local == element)
            .cloned()
            .unwrap_or_else(|| panic!("{name}: no global element `{element}`"));
        let decl = schema.element(schema.global_elements[&q]);
        let json: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let mut enc = Encoder::new(schema, &model);
        enc.element(
            &QName::new(q.ns.clone(), q.local.clone()),
            decl.type_id,
            decl.nillable,
            &json,
            "",
        );
        let written = enc.finish();
        if bad {
            let errors = written.err().unwrap_or_default();
            let got: Vec<String> = errors
                .iter()
                .map(|e| {
                    let mut line = format!("{} [{}] {}\n", e.pointer, e.rule, e.message);
                    for (what, v) in [("expected", &e.expected), ("found", &e.found)] {
                        if let Some(v) = v {
                            line.push_str(&format!("    {what}: {v}\n"));
                        }
                    }
                    line
                })
                .collect();
            if got.is_empty() {
                problems.push(format!("{}: was accepted", file.display()));
            }
            expect(&file.with_extension("txt"), &got.concat(), &mut problems);
            continue;
        }
        let written = match written {
            Ok(w) => w,
            Err(errors) => {
                problems.push(format!("{}: refused: {errors:?}", file.display()));
                continue;
            }
        };
        let body = String::from_utf8(written.xml).unwrap();
        let xml = standalone(&written.declarations, written.xsi, &body);
        expect(&file.with_extension("xml"), &xml, &mut problems);
        if lint && let Err(e) = xmllint(&d.join("types.xsd"), &xml) {
            problems.push(format!("{}: xmllint rejects the XML:\n{e}", file.display()));
        }
        let doc = roxmltree::Document::parse(&xml).unwrap();
        match Decoder::new(schema, &model).element(doc.root_element(), decl.type_id, decl.nillable)
        {
            Ok(back) if normal(&back) == normal(&json) => {}
            Ok(back) => problems.push(format!(
                "{}: read back differently\n--- sent\n{json:#}\n--- read back\n{back:#}",
                file.display()
            )),
            Err(e) => problems.push(format!("{}: cannot read back: {e}", file.display())),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

macro_rules! construct {
    ($($name:ident),* $(,)?) => { $( #[test] fn $name() { run(stringify!($name)); } )* };
}

construct!(
    repeated_choice,
    substitution_groups,
    all_groups_attribute_groups,
    derivation,
    simple_values,
    wildcards_mixed,
    namespaces,
    recursion,
);

/// Every directory under tests/constructs has a line above.
#[test]
fn every_construct_is_listed() {
    let src = std::fs::read_to_string(file!()).unwrap();
    let listed = &src[src.find("construct!(").unwrap()..];
    let listed = &listed[..listed.find(");").unwrap()];
    for e in std::fs::read_dir(dir("")).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().to_string();
        assert!(
            listed.contains(&name),
            "tests/constructs/{name} is not listed in construct!(...)"
        );
    }
}
