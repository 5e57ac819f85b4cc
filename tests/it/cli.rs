//! The binary end to end: `generate` then `check` on the shipped sample, exit statuses.

use std::path::Path;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_soapbridge"))
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn generated_sample_mapping_matches_the_committed_one() {
    let tmp = tempfile::tempdir().unwrap();
    // Generate next to a copy of the layout so the relative `wsdl:` path is the same.
    let out = tmp.path().join("mappings/crm.yaml");
    std::fs::create_dir_all(tmp.path().join("wsdl")).unwrap();
    for f in ["crm.wsdl", "crm-types.xsd"] {
        std::fs::copy(root().join("wsdl").join(f), tmp.path().join("wsdl").join(f)).unwrap();
    }
    let status = bin()
        .current_dir(tmp.path())
        .args(["generate", "wsdl/crm.wsdl"])
        .status()
        .unwrap();
    assert!(status.success());
    let generated = std::fs::read_to_string(&out).unwrap();
    let committed = std::fs::read_to_string(root().join("mappings/crm.yaml")).unwrap();
    assert_eq!(
        generated, committed,
        "mappings/crm.yaml is not what `soapbridge generate wsdl/crm.wsdl` writes; regenerate it"
    );

    // A second generate refuses to overwrite reviewed edits.
    let again = bin()
        .current_dir(tmp.path())
        .args(["generate", "wsdl/crm.wsdl"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));

    let check = bin().current_dir(tmp.path()).arg("check").output().unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(String::from_utf8_lossy(&check.stdout).contains("ok mappings/crm.yaml: 8 routes"));
}

#[test]
fn check_fails_with_file_line_messages() {
    let case = root().join("tests/cases/mapping_route_collision/mapping.yaml");
    let out = bin().arg("check").arg(&case).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("mapping.yaml:6:12: route `POST /items` collides with `GetItem` (line 4)"),
        "{err}"
    );
}

#[test]
fn inspect_prints_the_tree() {
    let out = bin()
        .args(["inspect"])
        .arg(root().join("wsdl/crm.wsdl"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("port CustomerServiceSoap12  SOAP 1.2"),
        "{text}"
    );
    assert!(text.contains("PhoneNumber: PhoneNumber [0..*]"), "{text}");
    assert!(
        text.contains("Status: CustomerStatus {Active, Suspended, Closed}"),
        "{text}"
    );
}

#[test]
fn inspect_reports_a_broken_wsdl_with_status_1() {
    let out = bin()
        .args(["inspect"])
        .arg(root().join("tests/cases/malformed_xml/service.wsdl"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("service.wsdl:"));
}
