//! `soapbridge validate`: the sample service's answers (from the built-in mock) are valid against
//! the mapping, the WSDL and the schema file; a broken answer is reported as
//! `file:line:col: path: message` with exit status 1; a schema that does not load exits with 2.

use std::path::Path;
use std::process::{Command, Output};

use soapbridge::mock::Mock;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn validate(args: &[&Path]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_soapbridge"))
        // Not the repository's root: it holds the user's mappings/ and soapbridge.yaml.
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests"))
        .arg("validate")
        .args(args)
        .output()
        .unwrap()
}

/// Every operation's sample answer, written to `dir` (one file each).
fn sample_answers(dir: &Path) -> Vec<std::path::PathBuf> {
    let svc = soapbridge::http::load_services(&root().join("tests/sample/mappings"))
        .unwrap()
        .remove(0);
    let mock = Mock::new(svc.clone());
    let binding = &svc.compiled.wsdl.bindings[svc.compiled.selection.binding];
    binding
        .operations
        .iter()
        .map(|op| {
            let o = svc.operation(&op.name).unwrap();
            let path = dir.join(format!("{}.xml", op.name));
            std::fs::write(&path, mock.sample_response(o, 0)).unwrap();
            path
        })
        .collect()
}

#[test]
fn mock_answers_are_valid_and_a_broken_one_is_located() {
    let tmp = tempfile::tempdir().unwrap();
    let answers = sample_answers(tmp.path());
    assert!(answers.len() >= 8, "{answers:?}");
    for schema in ["mappings/crm.yaml", "wsdl/crm.wsdl"] {
        let mut args = vec![root().join("tests/sample").join(schema)];
        args.extend(answers.iter().cloned());
        let args: Vec<&Path> = args.iter().map(|p| p.as_path()).collect();
        let out = validate(&args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{schema}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    // GetCustomer's answer with a customer id that is not an integer.
    let get = tmp.path().join("GetCustomer.xml");
    let text = std::fs::read_to_string(&get).unwrap();
    let start = text.find("CustomerId>").expect("a CustomerId element") + "CustomerId>".len();
    let end = start + text[start..].find('<').unwrap();
    let broken = format!("{}not-a-number{}", &text[..start], &text[end..]);
    let bad = tmp.path().join("broken.xml");
    std::fs::write(&bad, &broken).unwrap();
    let out = validate(&[&root().join("tests/sample/mappings/crm.yaml"), &bad, &get]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    let (line, col) = soapbridge::diag::line_col(&broken, broken[..start].rfind('<').unwrap());
    let prefix = format!("{}:{line}:{col}: ", bad.display());
    assert!(
        lines[0].starts_with(&prefix),
        "{stdout} (expected {prefix})"
    );
    assert!(lines[0].contains("/Envelope/Body/"), "{stdout}");
    assert!(lines[0].contains("/CustomerId: "), "{stdout}");
    assert!(lines[0].contains("not-a-number"), "{stdout}");
}

#[test]
fn a_schema_that_does_not_load_exits_with_2() {
    let tmp = tempfile::tempdir().unwrap();
    let xsd = tmp.path().join("bad.xsd");
    std::fs::write(
        &xsd,
        r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="a" type="Nope"/></xs:schema>"#,
    )
    .unwrap();
    let doc = tmp.path().join("a.xml");
    std::fs::write(&doc, "<a/>").unwrap();
    let out = validate(&[&xsd, &doc]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.xsd:1:"));

    // The same document against a schema that loads: a plain (non-SOAP) document by its root.
    std::fs::write(
        &xsd,
        r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
<xs:element name="a"><xs:complexType><xs:attribute name="n" type="xs:int" use="required"/></xs:complexType></xs:element>
</xs:schema>"#,
    )
    .unwrap();
    let out = validate(&[&xsd, &doc]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout.trim(),
        format!(
            "{}:1:1: /a: required attribute `n` is missing",
            doc.display()
        )
    );
    std::fs::write(&doc, r#"<a n="7"/>"#).unwrap();
    assert_eq!(validate(&[&xsd, &doc]).status.code(), Some(0));
}
