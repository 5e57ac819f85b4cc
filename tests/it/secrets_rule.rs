//! One rule for secrets: every credential is one `${VAR}` or `${file:PATH}` reference without a
//! default, and no URL carries credentials. The located `check` messages are pinned by the case
//! directories `mapping_secrets_in_clear` and `mapping_wsdl_address_credentials`; here: the
//! `check` command's exit status and output, a header field marked or unmarked as a secret, and a
//! URL with credentials that only shows when it is read from the environment (`serve` refuses).

use std::path::{Path, PathBuf};
use std::process::Command;

use soapbridge::mapping::compile::compile_str;
use soapbridge::mapping::route::UpstreamSettings;
use soapbridge::upstream::{Target, TargetError};

fn case_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cases")
        .join(name)
}

/// `check` fails on credentials in clear, and neither its output nor the pinned expectations
/// ever hold one of them (every credential of the cases starts with `hunter`).
#[test]
fn check_refuses_credentials_in_clear_without_repeating_them() {
    for case in [
        "mapping_secrets_in_clear",
        "mapping_wsdl_address_credentials",
    ] {
        let dir = case_dir(case);
        let out = Command::new(env!("CARGO_BIN_EXE_soapbridge"))
            // Not the repository's root: it holds the user's mappings/ and soapbridge.yaml.
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests"))
            .args(["check"])
            .arg(dir.join("mapping.yaml"))
            .output()
            .unwrap();
        let all = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{all}");
        assert!(all.contains("mapping.yaml:"), "{all}");
        assert!(!all.contains("hunter"), "{all}");
        let expected = std::fs::read_to_string(dir.join("expected.txt")).unwrap();
        assert!(!expected.contains("hunter"), "{expected}");
    }
}

/// A header field named like a credential is one unless `secret: false` says otherwise; any
/// field marked `secret: true` is one, and then passes only as one reference.
#[test]
fn header_constants_marked_or_named_as_secrets() {
    let file = case_dir("mapping_headers_ok").join("mapping.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let password = "${file:tests/cases/mapping_headers_ok/password.txt}";
    let compile = |from: &str, to: &str| {
        assert!(text.contains(from));
        compile_str(&file, &text.replace(from, to)).map_err(|d| d.to_string())
    };

    let clear = compile(password, "hunter9").unwrap_err();
    assert!(
        clear.contains("mapping.yaml:14:17: header field `password`: credentials must come from the environment"),
        "{clear}"
    );
    assert!(!clear.contains("hunter9"), "{clear}");
    let default = compile(password, "${ORDERS_PASSWORD:-hunter9}").unwrap_err();
    assert!(default.contains("header field `password`"), "{default}");
    assert!(!default.contains("hunter9"), "{default}");

    // Not a credential after all: written in the file on purpose.
    compile(
        &format!("{{ value: \"{password}\" }}"),
        "{ value: \"not-a-secret\", secret: false }",
    )
    .unwrap();
    // A field with an innocent name marked as a secret.
    let marked = compile("{ value: bridge }", "{ value: bridge, secret: true }").unwrap_err();
    assert!(
        marked.contains("mapping.yaml:13:17: header field `username`"),
        "{marked}"
    );
    compile(
        "{ value: bridge }",
        "{ value: \"${file:tests/cases/mapping_headers_ok/password.txt}\", secret: true }",
    )
    .unwrap();
    // A field named like a credential, bound to a request value: the client sends it.
    compile(
        &format!("password: {{ value: \"{password}\" }}"),
        "password: header.X-Password",
    )
    .unwrap();
}

/// A URL read from the environment (here from a file) cannot be checked by `check`: its
/// credentials are refused when it is resolved, and `serve` does not start.
#[test]
fn a_resolved_url_with_credentials_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let url_file = tmp.path().join("url");
    std::fs::write(&url_file, "http://crm-user:hunter8@127.0.0.1:9/orders\n").unwrap();
    let template = format!("${{file:{}}}", url_file.display());
    let settings = UpstreamSettings::new(
        Some(template.clone()),
        std::time::Duration::from_secs(5),
        std::time::Duration::from_secs(1),
    );
    let e = Target::resolve(&settings).unwrap_err();
    assert!(matches!(e, TargetError::UrlCredentials(_)), "{e}");
    assert!(!e.to_string().contains("hunter8"), "{e}");

    let text = std::fs::read_to_string(case_dir("mapping_ok").join("mapping.yaml"))
        .unwrap()
        .replace(
            "wsdl: service.wsdl",
            &format!(
                "wsdl: {}\nupstream: {{ url: \"{template}\" }}",
                case_dir("mapping_ok").join("service.wsdl").display()
            ),
        );
    std::fs::create_dir(tmp.path().join("mappings")).unwrap();
    std::fs::write(tmp.path().join("mappings/items.yaml"), text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_soapbridge"))
        .current_dir(tmp.path())
        .args(["serve", "--listen", "127.0.0.1:0", "--mappings", "mappings"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("items.yaml") && stderr.contains("holds credentials"),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter8"), "{stderr}");
}

/// The client side's settings follow the same rule: a JWKS URL with credentials is refused by
/// `check`, at its place in `soapbridge.yaml`, without repeating them.
#[test]
fn a_jwks_url_with_credentials_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let settings = tmp.path().join("soapbridge.yaml");
    std::fs::write(
        &settings,
        "auth:\n  schemes:\n    staff:\n      jwt:\n        issuer: https://login.example.com/\n        audience: crm\n        jwks_url: https://idp-user:hunter11@login.example.com/jwks.json\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_soapbridge"))
        // Not the repository's root: it holds the user's mappings/ and soapbridge.yaml.
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests"))
        .arg("check")
        .arg("--config")
        .arg(&settings)
        .arg(case_dir("mapping_ok").join("mapping.yaml"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("soapbridge.yaml:7:19: `jwks_url` holds credentials (`user:password@`)"),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter11"), "{stderr}");
}
