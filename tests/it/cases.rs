//! Case directories: `tests/cases/<name>/` holds a `service.wsdl` (and what it imports), maybe a
//! `mapping.yaml`, and `expected.txt`: what loading (or checking the mapping) must print —
//! the `inspect` tree when it succeeds, every diagnostic when it fails. Paths are written relative
//! to the case directory. Run with `UPDATE_EXPECT=1` to rewrite the expectations, then review the diff.

use std::path::{Path, PathBuf};

fn case_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cases")
        .join(name)
}

/// What a case produces, with the case directory's absolute path taken out.
fn run(dir: &Path) -> String {
    let mapping = dir.join("mapping.yaml");
    let out = if mapping.exists() {
        match soapbridge::mapping::compile_file(&mapping) {
            Ok(c) => {
                let mut s = format!("ok: {} routes\n", c.routes.len());
                for r in &c.routes {
                    let inputs: Vec<String> = r
                        .inputs
                        .iter()
                        .map(|i| format!("{}<-{:?}", i.key, i.source))
                        .collect();
                    s.push_str(&format!(
                        "{} {} -> {} [{}] status {} faults {:?}\n",
                        r.method.as_str(),
                        r.path,
                        r.operation,
                        inputs.join(", "),
                        r.status,
                        r.faults
                    ));
                    for h in &r.headers {
                        let fields: Vec<String> = h
                            .fields
                            .iter()
                            .map(|f| format!("{}<-{:?}", f.key, f.source))
                            .collect();
                        s.push_str(&format!(
                            "  header {} must_understand={} required={} [{}]\n",
                            h.part,
                            h.must_understand,
                            h.required,
                            fields.join(", ")
                        ));
                    }
                    for h in &r.response_headers {
                        s.push_str(&format!("  answer header {} -> {:?}\n", h.part, h.target));
                    }
                }
                s
            }
            Err(d) => format!("{d}\n"),
        }
    } else {
        match soapbridge::wsdl::load(&dir.join("service.wsdl"), &Default::default()) {
            Ok(w) => soapbridge::cli::inspect::render(&w),
            Err(d) => format!("{d}\n"),
        }
    };
    out.replace(&format!("{}/", dir.display()), "")
}

fn check(name: &str) {
    let dir = case_dir(name);
    let got = run(&dir);
    let expected_file = dir.join("expected.txt");
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&expected_file, &got).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&expected_file).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_EXPECT=1 to create it)",
            expected_file.display()
        )
    });
    if got != expected {
        panic!(
            "case `{name}` differs\n--- expected ({})\n{expected}\n--- got\n{got}",
            expected_file.display()
        );
    }
}

macro_rules! case {
    ($($name:ident),* $(,)?) => { $( #[test] fn $name() { check(stringify!($name)); } )* };
}

case!(
    malformed_xml,
    unknown_references,
    wsdl_import_cycle,
    xsd_imports_cycle_chameleon_recursion,
    missing_import,
    import_outside_folder,
    url_import,
    dtd_refused,
    schema_errors,
    mapping_ok,
    mapping_headers_ok,
    mapping_header_problems,
    mapping_unknown_key,
    mapping_missing_operation,
    mapping_route_collision,
    mapping_many_problems,
    mapping_wrong_wsdl,
    mapping_upstream_security_ok,
    mapping_upstream_security_problems,
    mapping_upstream_unknown_scheme,
    mapping_upstream_tls_files,
    mapping_secrets_in_clear,
    mapping_wsdl_address_credentials,
    mapping_unenforced_pattern,
    mapping_unenforced_pattern_allowed,
    hostile_deep_nesting,
    hostile_derivation_chain,
    hostile_verb_panic,
    hostile_group_blowup,
    hostile_attrgroup_chain_overflow,
);

/// Every directory under tests/cases has a line above (a case nobody runs is a case that rots).
#[test]
fn every_case_is_listed() {
    let src =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/cases.rs"))
            .unwrap();
    for entry in
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases")).unwrap()
    {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            src.contains(&format!("    {name},")),
            "tests/cases/{name} is not listed in case!(...)"
        );
    }
}
