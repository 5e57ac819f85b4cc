//! The binary end to end: `generate` then `check` on the shipped sample, exit statuses.

use std::path::Path;
use std::process::Command;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_soapbridge"));
    // Not the repository's root: it holds the user's mappings/ and soapbridge.yaml.
    c.current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests"));
    c
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
        std::fs::copy(
            root().join("tests/sample/wsdl").join(f),
            tmp.path().join("wsdl").join(f),
        )
        .unwrap();
    }
    let status = bin()
        .current_dir(tmp.path())
        .args(["generate", "wsdl/crm.wsdl"])
        .status()
        .unwrap();
    assert!(status.success());
    let generated = std::fs::read_to_string(&out).unwrap();
    // Generated mappings unwrap list wrappers; the shipped sample keeps its wrapper objects.
    let unwrap = "# List wrappers (a type that is one repeated element, e.g. ArrayOfX) as JSON arrays;\n# `{ default: true, except: [ArrayOfX] }` keeps the named ones as objects.\nunwrap_lists: true\n";
    assert!(generated.contains(unwrap), "{generated}");
    // The golden copy, not the shipped `mappings/crm.yaml` (the user's to edit).
    let golden = std::fs::read_to_string(root().join("tests/generate/crm.yaml")).unwrap();
    assert_eq!(
        generated, golden,
        "tests/generate/crm.yaml is not what `soapbridge generate wsdl/crm.wsdl` writes; review the difference, then copy it"
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
        .arg(root().join("tests/sample/wsdl/crm.wsdl"))
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

#[test]
fn envelope_dry_run_prints_the_exact_envelope_or_the_problem() {
    let mapping = root().join("tests/sample/mappings/crm.yaml");
    let out = bin()
        .arg("envelope")
        .arg(&mapping)
        .args(["GetCustomer", "-p", "customerId=42"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("<ns0:GetCustomer><ns0:customerId>42</ns0:customerId></ns0:GetCustomer>"),
        "{text}"
    );

    let tmp = tempfile::tempdir().unwrap();
    let req = tmp.path().join("req.json");
    std::fs::write(&req, r#"{"customerId": 1, "firstName": "A"}"#).unwrap();
    let out = bin()
        .arg("envelope")
        .arg(&mapping)
        .arg("CreateCustomer")
        .arg(&req)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let problem: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(problem["status"], 400);
    assert!(
        problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["pointer"] == "/lastName"),
        "{problem}"
    );
}

#[test]
fn decode_dry_run_prints_the_json_or_the_fault() {
    let mapping = root().join("tests/sample/mappings/crm.yaml");
    let tmp = tempfile::tempdir().unwrap();
    let answer = tmp.path().join("answer.xml");
    std::fs::write(&answer, r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetOrderStatusResponse xmlns="http://example.com/crm/2009/service"><GetOrderStatusResult>Shipped</GetOrderStatusResult></GetOrderStatusResponse></s:Body></s:Envelope>"#).unwrap();
    let out = bin()
        .arg("decode")
        .arg(&mapping)
        .arg("GetOrderStatus")
        .arg(&answer)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "\"Shipped\"");

    std::fs::write(&answer, r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Server</faultcode><faultstring>db down</faultstring></s:Fault></s:Body></s:Envelope>"#).unwrap();
    let out = bin()
        .arg("decode")
        .arg(&mapping)
        .arg("GetOrderStatus")
        .arg(&answer)
        .output()
        .unwrap();
    let problem: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (
            problem["status"].as_u64(),
            problem["fault"]["code"].as_str()
        ),
        (Some(502), Some("Server"))
    );

    std::fs::write(&answer, "<html>oops</html>").unwrap();
    let out = bin()
        .arg("decode")
        .arg(&mapping)
        .arg("GetOrderStatus")
        .arg(&answer)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a SOAP envelope"));
}

/// The README's first command, on a fresh clone: `serve` (the default) with the shipped
/// soapbridge.yaml mocks the sample service in-process; the README's curl returns real JSON.
#[test]
fn default_command_serves_the_sample_through_the_mock() {
    let server = crate::serve_sample();
    let port = server.port;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut answer = None;
    while std::time::Instant::now() < deadline && answer.is_none() {
        std::thread::sleep(std::time::Duration::from_millis(100));
        answer = http_get(port, "/api/customer/customers/42");
    }
    drop(server);
    let (status, body) = answer.expect("the server answered");
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["customerId"], 42);
    assert_eq!(v["status"], "Active");
}

/// A minimal HTTP/1.1 GET over a plain socket (no client library needed in a sync test).
fn http_get(port: u16, path: &str) -> Option<(u16, String)> {
    http_get_with(port, path, "")
}

/// [`http_get`] with extra header lines (each ending in `\r\n`).
fn http_get_with(port: u16, path: &str, headers: &str) -> Option<(u16, String)> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\n{headers}Connection: close\r\n\r\n"
    )
    .ok()?;
    let mut raw = String::new();
    s.read_to_string(&mut raw).ok()?;
    let status = raw.split(' ').nth(1)?.parse().ok()?;
    let body = raw.split_once("\r\n\r\n")?.1.to_string();
    Some((status, body))
}

/// Usage and I/O errors exit with 2, as the README says (1 is for problems found in the files).
#[test]
fn usage_and_input_errors_exit_with_2() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = bin().current_dir(tmp.path()).args(args).output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, err) = run(&["generate", "nope.wsdl"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("cannot read nope.wsdl"), "{err}");
    assert!(!tmp.path().join("mappings").exists(), "nothing written");

    let (code, err) = run(&["check"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("no mappings/ folder") && err.contains("soapbridge generate"),
        "{err}"
    );
    let (code, err) = run(&["check", "missing.yaml"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("missing.yaml: no such file or folder"),
        "{err}"
    );

    for cmd in ["inspect", "generate"] {
        let (code, err) = run(&[cmd, "http://legacy.example/Service.svc?wsdl"]);
        assert_eq!(code, Some(2), "{cmd}: {err}");
        assert!(
            err.contains("not URLs") && err.contains("hint:"),
            "{cmd}: {err}"
        );
    }
    let (code, err) = run(&["validate", "nope.xsd", "doc.xml"]);
    assert_eq!(code, Some(2), "{err}");
}

/// Standard output closed by its reader before the command writes (`| head -1` that already
/// exited): the command ends quietly with status 0, no panic.
#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    let tmp = tempfile::tempdir().unwrap();
    let answer = tmp.path().join("answer.xml");
    std::fs::write(&answer, r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetOrderStatusResponse xmlns="http://example.com/crm/2009/service"><GetOrderStatusResult>Shipped</GetOrderStatusResult></GetOrderStatusResponse></s:Body></s:Envelope>"#).unwrap();
    let mapping = root().join("tests/sample/mappings/crm.yaml");
    let wsdl = root().join("tests/sample/wsdl/crm.wsdl");
    let commands: Vec<Vec<std::ffi::OsString>> = vec![
        vec!["openapi".into(), mapping.clone().into()],
        vec!["openapi".into(), "--yaml".into(), mapping.clone().into()],
        vec![
            "decode".into(),
            mapping.clone().into(),
            "GetOrderStatus".into(),
            answer.into(),
        ],
        vec!["inspect".into(), wsdl.clone().into()],
        vec!["generate".into(), wsdl.into(), "-o".into(), "-".into()],
        vec!["check".into(), mapping.into()],
        vec!["completions".into(), "bash".into()],
        vec!["man".into()],
    ];
    for args in commands {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = bin()
            .args(&args)
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
        assert!(
            !err.contains("panicked") && !err.contains("Broken pipe"),
            "{args:?}: {err}"
        );
    }
}

/// `soapbridge completions <shell>` prints a script the shell accepts; `soapbridge man` a roff
/// page that `man` renders, and `-o DIR` a page per command.
#[test]
fn completions_and_manual_pages() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = bin().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}");
        let script = String::from_utf8_lossy(&out.stdout);
        assert!(
            script.contains("soapbridge") && script.contains("generate"),
            "{shell}"
        );
    }
    let bash = bin().args(["completions", "bash"]).output().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let script = tmp.path().join("soapbridge.bash");
    std::fs::write(&script, &bash.stdout).unwrap();
    // Sourced by bash, it registers a completion for the command, and completes its commands.
    let shell = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source '{}' && complete -p soapbridge && COMP_WORDS=(soapbridge ge) COMP_CWORD=1 \
             COMP_LINE='soapbridge ge' COMP_POINT=13 && _soapbridge soapbridge ge soapbridge \
             && printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            script.display()
        ))
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&shell.stdout);
    assert!(
        shell.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&shell.stderr)
    );
    assert!(said.contains("-F _soapbridge"), "{said}");
    assert!(said.lines().any(|l| l == "generate"), "{said}");

    let page = bin().arg("man").output().unwrap();
    assert!(page.status.success());
    let text = String::from_utf8_lossy(&page.stdout);
    assert!(text.contains(".TH soapbridge 1"), "{text}");
    assert!(
        text.contains("completions") && text.contains("generate"),
        "{text}"
    );
    if Path::new("/usr/bin/groff").exists() {
        let page_file = tmp.path().join("soapbridge.1");
        std::fs::write(&page_file, &page.stdout).unwrap();
        let shown = Command::new("groff")
            .args(["-man", "-Tutf8", "-ww", "-z"])
            .arg(&page_file)
            .output()
            .unwrap();
        assert!(shown.status.success());
        assert!(
            shown.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&shown.stderr)
        );
    }

    let dir = tmp.path().join("man1");
    let out = bin().arg("man").arg("-o").arg(&dir).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for page in [
        "soapbridge.1",
        "soapbridge-serve.1",
        "soapbridge-generate.1",
        "soapbridge-man.1",
    ] {
        assert!(dir.join(page).is_file(), "{page}");
    }
}

/// `X-Mock-Fault` on a request to `serve --mock` reaches the built-in mock, which answers the
/// fault: a declared one is mapped as the mapping says (404), `Server` is a 502.
#[test]
fn the_mock_fault_header_works_through_serve() {
    let server = crate::serve_sample();
    let port = server.port;
    let get = |headers: &str| {
        http_get_with(port, "/api/customer/customers/42", headers).expect("an answer")
    };
    let (status, body) = get("X-Mock-Fault: CustomerNotFoundFault\r\n");
    assert_eq!(status, 404, "{body}");
    let problem: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(problem["status"], 404, "{problem}");
    let (status, body) = get("X-Mock-Fault: Server\r\n");
    assert_eq!(status, 502, "{body}");
    let (status, body) = get("");
    assert_eq!(status, 200, "{body}");
}

/// `SOAPBRIDGE_MOCK=TRUE` (any case, 1/yes/on too) switches the mock on over the settings'
/// `mock: false`; a value that is not a boolean stops the command with exit status 2, never a
/// silent false.
#[test]
fn boolean_environment_settings_in_any_case_or_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let settings = tmp.path().join("soapbridge.yaml");
    std::fs::write(
        &settings,
        format!(
            "listen: 127.0.0.1:{port}\nmock: false\nmappings: {}\n",
            root().join("tests/sample/mappings").display()
        ),
    )
    .unwrap();
    let child = bin()
        .current_dir(tmp.path())
        .arg("serve")
        .env("SOAPBRIDGE_MOCK", "TRUE")
        .env_remove("CUSTOMER_URL")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let server = crate::Served { child, port };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut answer = None;
    while std::time::Instant::now() < deadline && answer.is_none() {
        std::thread::sleep(std::time::Duration::from_millis(100));
        answer = http_get(port, "/api/customer/customers/42");
    }
    drop(server);
    let (status, body) = answer.expect("SOAPBRIDGE_MOCK=TRUE serves through the mock");
    assert_eq!(status, 200, "{body}");

    for value in ["maybe", "ture"] {
        let mapping = root().join("tests/sample/mappings/crm.yaml");
        let check = ["check".into(), mapping.into_os_string()];
        let serve = ["serve".into()];
        for cmd in [&check[..], &serve[..]] {
            let out = bin()
                .current_dir(tmp.path())
                .args(cmd)
                .arg("--config")
                .arg(&settings)
                .env("SOAPBRIDGE_MOCK", value)
                .output()
                .unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{cmd:?} {value}: {err}");
            assert!(err.contains("`SOAPBRIDGE_MOCK` is not a boolean"), "{err}");
            assert!(!err.contains(value), "{err}");
        }
    }
}

/// The README installs the binary before its Workflow section's first `soapbridge` command, and
/// its long-id example shows what it claims: every digit of the xs:long in the envelope.
#[test]
fn readme_installs_first_and_its_long_id_example_keeps_every_digit() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let workflow = &readme[readme.find("## Workflow").expect("a Workflow section")..];
    let install = workflow
        .find("cargo install --locked --path .")
        .expect("an install step");
    let first_use = workflow
        .find("\nsoapbridge ")
        .expect("a soapbridge command");
    assert!(
        install < first_use,
        "install before {}",
        &workflow[first_use..first_use + 40]
    );

    let example = "soapbridge envelope mappings/crm.yaml GetOrder -p orderId=9223372036854775807";
    assert!(
        readme.contains(example),
        "the README shows the long id in the envelope"
    );
    let out = bin()
        .current_dir(root().join("tests/sample"))
        .args(["envelope", "mappings/crm.yaml", "GetOrder", "-p"])
        .arg("orderId=9223372036854775807")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let envelope = String::from_utf8_lossy(&out.stdout);
    assert!(
        envelope.contains(":orderId>9223372036854775807</"),
        "{envelope}"
    );
}
