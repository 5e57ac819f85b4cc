//! Limits on integrators' files: a WSDL or XSD document over the size limit (32 MiB by default,
//! `limits.document_bytes` in soapbridge.yaml, `--max-document-bytes` on `check` and `serve`) is
//! refused from its size, before it is read, with the place that named it.

use std::path::Path;
use std::process::Command;

/// A WSDL (copied from the `mapping_ok` case) importing `big.xsd`, and its mapping.
fn service(dir: &Path, big_xsd_len: u64) {
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/mapping_ok");
    let wsdl = std::fs::read_to_string(cases.join("service.wsdl"))
        .unwrap()
        .replace(
            "<xs:schema targetNamespace=\"urn:test\" elementFormDefault=\"qualified\">",
            "<xs:schema targetNamespace=\"urn:test\" elementFormDefault=\"qualified\">\n      <xs:import namespace=\"urn:big\" schemaLocation=\"big.xsd\"/>",
        );
    assert!(wsdl.contains("big.xsd"));
    std::fs::write(dir.join("service.wsdl"), wsdl).unwrap();
    std::fs::copy(cases.join("mapping.yaml"), dir.join("mapping.yaml")).unwrap();
    // A sparse file: its size is all that is looked at.
    let big = std::fs::File::create(dir.join("big.xsd")).unwrap();
    big.set_len(big_xsd_len).unwrap();
}

fn check(dir: &Path, extra: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_soapbridge"))
        .current_dir(dir)
        .arg("check")
        .args(extra)
        .arg("mapping.yaml")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr).replace(&format!("{}/", dir.display()), "");
    (out.status.code(), text)
}

#[test]
fn a_document_over_the_default_limit_is_refused_where_it_is_imported() {
    let tmp = tempfile::tempdir().unwrap();
    service(tmp.path(), 32 * 1024 * 1024 + 1);
    let started = std::time::Instant::now();
    let (code, text) = check(tmp.path(), &[]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains(
            "service.wsdl:6:7: `big.xsd` is too large to load: 33554433 bytes, over the limit of 33554432 bytes per WSDL or XSD document\n  hint: if the file is trusted, raise `limits.document_bytes` in soapbridge.yaml or pass `--max-document-bytes`\n"
        ),
        "{text}"
    );
    // Refused from its size: nothing was read (a generous bound, not a benchmark).
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}

#[test]
fn the_limit_is_settable_on_the_command_line_and_in_the_settings() {
    let tmp = tempfile::tempdir().unwrap();
    service(tmp.path(), 10);
    let wsdl_len = std::fs::metadata(tmp.path().join("service.wsdl"))
        .unwrap()
        .len();

    // Below the WSDL's own size: the entry document is refused, at its file.
    let limit = (wsdl_len - 1).to_string();
    let (code, text) = check(tmp.path(), &["--max-document-bytes", &limit]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains(&format!(
            "service.wsdl: the file is too large to load: {wsdl_len} bytes, over the limit of {limit} bytes"
        )),
        "{text}"
    );
    let (code, text) = check(tmp.path(), &["--max-document-bytes", "0"]);
    assert_eq!(code, Some(2), "{text}");

    // `serve` takes it from soapbridge.yaml, and the flag wins over the file.
    std::fs::create_dir(tmp.path().join("mappings")).unwrap();
    let text = std::fs::read_to_string(tmp.path().join("mapping.yaml"))
        .unwrap()
        .replace("wsdl: service.wsdl", "wsdl: ../service.wsdl");
    std::fs::write(tmp.path().join("mappings/items.yaml"), text).unwrap();
    std::fs::write(
        tmp.path().join("soapbridge.yaml"),
        "limits:\n  document_bytes: 9\n",
    )
    .unwrap();
    for (flag, limit) in [(None, "9"), (Some("5"), "5")] {
        let mut serve = Command::new(env!("CARGO_BIN_EXE_soapbridge"));
        serve
            .current_dir(tmp.path())
            .args(["serve", "--mock", "--listen", "127.0.0.1:0"]);
        if let Some(f) = flag {
            serve.args(["--max-document-bytes", f]);
        }
        let out = serve.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{stderr}");
        assert!(
            stderr.contains(&format!(
                "service.wsdl: the file is too large to load: {wsdl_len} bytes, over the limit of {limit} bytes"
            )),
            "{stderr}"
        );
    }
}
