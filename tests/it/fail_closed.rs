//! Fail closed: a pattern of the schema that cannot be enforced stops `check` and `serve` until
//! the mapping accepts it by name (`unenforced_patterns.allow`). The located messages are pinned
//! by the case directories `mapping_unenforced_pattern` and `mapping_unenforced_pattern_allowed`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn case_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cases")
        .join(name)
}

/// `check` fails on the unaccepted pattern and passes once it is accepted; `serve` does not
/// start with the unaccepted one, and says where it is.
#[test]
fn an_unenforced_pattern_stops_check_and_serve_until_accepted() {
    let check = |case: &str| {
        Command::new(env!("CARGO_BIN_EXE_soapbridge"))
            // Not the repository's root: it holds the user's mappings/ and soapbridge.yaml.
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests"))
            .arg("check")
            .arg(case_dir(case).join("mapping.yaml"))
            .output()
            .unwrap()
    };
    let refused = check("mapping_unenforced_pattern");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("service.wsdl:9:11: pattern `\\c{1,1000}-\\c{1,1000}-\\c{1,1000}` of type `Code` cannot be enforced"),
        "{stderr}"
    );
    let accepted = check("mapping_unenforced_pattern_allowed");
    assert!(
        accepted.status.success(),
        "{}",
        String::from_utf8_lossy(&accepted.stderr)
    );

    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(case_dir("mapping_unenforced_pattern").join("mapping.yaml"))
        .unwrap()
        .replace(
            "wsdl: service.wsdl",
            &format!(
                "wsdl: {}",
                case_dir("mapping_unenforced_pattern")
                    .join("service.wsdl")
                    .display()
            ),
        );
    std::fs::create_dir(tmp.path().join("mappings")).unwrap();
    std::fs::write(tmp.path().join("mappings/items.yaml"), text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_soapbridge"))
        .current_dir(tmp.path())
        .args([
            "serve",
            "--mock",
            "--listen",
            "127.0.0.1:0",
            "--mappings",
            "mappings",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("service.wsdl:9:11") && stderr.contains("cannot be enforced"),
        "{stderr}"
    );
}
