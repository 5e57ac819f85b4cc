//! Lenient mode never changes what goes on the wire: for each of our sloppy packages that it
//! loads, the request envelopes the bridge writes (for the inputs as the routes gather them) from a mapping generated with `--lenient` are
//! byte for byte those it writes from a mapping generated strictly from the package with its
//! mistakes fixed by hand, for sample inputs of every operation.

use std::path::Path;

use serde_json::Value;
use soapbridge::convert::operation::ServicePlan;
use soapbridge::mock::sample::Sampler;

/// A fix by hand: in this file, this text becomes that.
type Fix = (&'static str, &'static str, &'static str);

/// (package under tests/corpus/wsdl/sloppy, its entry WSDL, the fixes).
const PACKAGES: &[(&str, &str, &[Fix])] = &[
    (
        "billing-import-namespace",
        "BillingService.wsdl",
        &[
            (
                "BillingService.wsdl",
                "namespace=\"xsd/BillingTypes.xsd\"",
                "namespace=\"http://billing.example.com/types/v3\"",
            ),
            (
                "BillingService.wsdl",
                "namespace=\"http://common.example.com/types/v1\"",
                "namespace=\"http://common.example.com/types\"",
            ),
        ],
    ),
    (
        "hr-undeclared-prefix",
        "EmployeeService.wsdl",
        &[(
            "EmployeeService.wsdl",
            "xmlns:tns=\"urn:hr.example.com:EmployeeService\"",
            "xmlns:tns=\"urn:hr.example.com:EmployeeService\" xmlns:hrc=\"urn:hr.example.com:common\" xmlns:emp=\"urn:hr.example.com:employee\"",
        )],
    ),
    (
        "shipping-chameleon",
        "ShippingService.wsdl",
        &[(
            "ShippingService.wsdl",
            "<xs:import schemaLocation=\"schemas/Address.xsd\"/>",
            "<xs:include schemaLocation=\"schemas/Address.xsd\"/>",
        )],
    ),
    (
        "tax-latin1-schema",
        "TaxService.wsdl",
        &[(
            "Steuer.xsd",
            "encoding=\"ISO-8859-1\"",
            "encoding=\"UTF-8\"",
        )],
    ),
];

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let target = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &target);
        } else {
            std::fs::copy(&p, &target).unwrap();
        }
    }
}

/// Generates the mapping of `wsdl` into `dir` (with `--lenient` when asked) and plans it.
fn plan(wsdl: &Path, dir: &Path, lenient: bool) -> ServicePlan {
    let mapping = dir.join("mapping.yaml");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_soapbridge"));
    // Not the repository's root: it holds the user's mappings/ and soapbridge.yaml.
    cmd.current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests"));
    cmd.arg("generate").arg(wsdl).arg("-o").arg(&mapping);
    if lenient {
        cmd.arg("--lenient");
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}: generate failed:\n{}",
        wsdl.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&mapping).unwrap();
    assert_eq!(
        text.contains("\nlenient: true\n"),
        lenient,
        "{}: `lenient: true` written only when needed",
        wsdl.display()
    );
    let compiled = soapbridge::mapping::compile_file(&mapping).unwrap();
    ServicePlan::new(std::sync::Arc::new(compiled))
}

#[test]
fn lenient_mode_writes_the_envelopes_of_the_fixed_wsdl() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/wsdl/sloppy");
    let tmp = tempfile::tempdir().unwrap();
    for (package, entry, fixes) in PACKAGES {
        let sloppy = tmp.path().join("sloppy").join(package);
        let fixed = tmp.path().join("fixed").join(package);
        copy_dir(&root.join(package), &sloppy);
        copy_dir(&root.join(package), &fixed);
        for (file, from, to) in *fixes {
            let path = fixed.join(file);
            let bytes = std::fs::read(&path).unwrap();
            // Read as the file declares (ISO-8859-1: every byte its code point); written as UTF-8.
            let text: String = match String::from_utf8(bytes.clone()) {
                Ok(t) => t,
                Err(_) => bytes.iter().map(|&b| b as char).collect(),
            };
            assert!(text.contains(from), "{package}/{file}: no `{from}` to fix");
            std::fs::write(&path, text.replace(from, to)).unwrap();
        }
        let lenient = plan(&sloppy.join(entry), &sloppy, true);
        let strict = plan(&fixed.join(entry), &fixed, false);
        assert_eq!(
            lenient.operations.len(),
            strict.operations.len(),
            "{package}"
        );
        assert!(!strict.operations.is_empty(), "{package}");
        for (l, s) in lenient.operations.iter().zip(&strict.operations) {
            assert_eq!(l.route.operation, s.route.operation, "{package}");
            for seed in 0..8 {
                let schema = &strict.compiled.wsdl.schema;
                let sample: Value = Sampler::new(schema, &strict.model, seed).message(&s.input);
                let fields = sample.as_object().expect("a wrapped element's fields");
                let want = strict
                    .request(s, fields, None)
                    .unwrap_or_else(|e| panic!("{package}: fixed WSDL refused {sample}: {e:?}"));
                let got = lenient
                    .request(l, fields, None)
                    .unwrap_or_else(|e| panic!("{package}: lenient mode refused {sample}: {e:?}"));
                assert_eq!(
                    String::from_utf8_lossy(&got),
                    String::from_utf8_lossy(&want),
                    "{package} {}: the envelopes differ for {sample}",
                    s.route.operation
                );
            }
        }
    }
}
