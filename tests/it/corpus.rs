//! The corpus suite: every WSDL package in `../shared/corpus/wsdl` (third-party material, read in
//! place, never copied here) through `generate` then `check`, with no hand edits.
//!
//! Ignored unless asked for (`--include-ignored`, with `SOAPBRIDGE_CORPUS` naming the corpus
//! folder, absolute or relative to the crate root: `.ci/run` does both); then missing material is
//! a failure, not a skip. Each entry states its expected outcome: a mapping that
//! compiles with every operation of the chosen binding routed (and no warning, or the one
//! pinned), or a clear error (file:line and a fragment of the message). Any change either way
//! fails the test: a regression, or an improvement to record here.
//!
//! Our own packages in `tests/corpus/wsdl/sloppy` (written here, in the style of the corpus, one
//! for each sloppy shape real WSDLs have) always run, through the `generate` and `check`
//! commands as a user runs them, in strict and lenient mode, warnings and errors pinned.

use std::path::{Path, PathBuf};

use soapbridge::mapping::CompiledMapping;
use soapbridge::mapping::compile::compile_str;
use soapbridge::mapping::generate::{self, select};
use soapbridge::sources::LoadOptions;

pub(crate) enum Expect {
    /// Compiles without warnings; the number of routes (= the chosen binding's operations).
    Routes(usize),
    /// Compiles with this many routes, and warnings of which one names this file:line and
    /// contains this text.
    Warned(usize, &'static str, &'static str),
    /// Fails with a diagnostic naming this file:line and containing this text.
    Error(&'static str, &'static str),
}
use Expect::*;

/// (entry WSDL relative to corpus/wsdl, expectation). Packages whose WSDLs import from folders
/// above them get `allow_paths` below; none needs a catalog.
pub(crate) const ENTRIES: &[(&str, Expect)] = &[
    (
        "fastify-soap-client/dneonline-calculator/calculator.wsdl",
        Routes(1),
    ),
    ("gowsdl/amazon-ec2/ec2.wsdl", Routes(151)),
    (
        "gowsdl/gs1-epcis-1.2/EPCglobal-epcis-query-1_2.wsdl",
        Routes(7),
    ),
    ("gowsdl/mnb-exchange/mnb-exchange.wsdl", Routes(6)),
    // A minimised excerpt: it refers to a type it does not contain (a warning: no operation
    // uses it), and declares no operation to call.
    (
        "gowsdl/workday-time-min/workday-time-min.wsdl",
        Error(
            "workday-time-min.wsdl",
            "the WSDL has no service and no SOAP binding, so there is nothing to call",
        ),
    ),
    ("node-soap/afip-logincms/logincms.wsdl", Routes(1)),
    (
        "node-soap/cybersource-transaction-1.26/CyberSourceTransaction_1.26.wsdl",
        Routes(1),
    ),
    (
        "node-soap/gsoap-rpcexample-soap12-rpc-encoded/rpcexample.wsdl",
        Routes(13),
    ),
    ("node-soap/hello-service-rpc-encoded/hello.wsdl", Routes(1)),
    ("node-soap/w3c-wsdl11-stockquote/stockquote.wsdl", Routes(3)),
    (
        "onvif-specs/onvif-current/wsdl/ver10/device/wsdl/devicemgmt.wsdl",
        Routes(103),
    ),
    (
        "onvif-specs/onvif-current/wsdl/ver20/media/wsdl/media.wsdl",
        Routes(59),
    ),
    (
        "onvif-specs/onvif-current/wsdl/ver20/ptz/wsdl/ptz.wsdl",
        Routes(29),
    ),
    ("php-ews/exchange-ews/services.wsdl", Routes(122)),
    ("php-ews/exchange-ews/notification-service.wsdl", Routes(1)),
    (
        "python-fedex/fedex-rate-v28/RateService_v28.wsdl",
        Routes(1),
    ),
    (
        "python-fedex/fedex-track-v16/TrackService_v16.wsdl",
        Routes(3),
    ),
    (
        "python-onvif/onvif-2.x-bundle/wsdl/accesscontrol.wsdl",
        Routes(9),
    ),
    (
        "python-onvif/onvif-2.x-bundle/wsdl/actionengine.wsdl",
        Routes(10),
    ),
    (
        "python-onvif/onvif-2.x-bundle/wsdl/advancedsecurity.wsdl",
        Routes(1),
    ),
    // Its RuleEnginePort names the portType where the binding belongs: that port is left out,
    // the first service's other port is served.
    (
        "python-onvif/onvif-2.x-bundle/wsdl/analytics.wsdl",
        Warned(
            6,
            "analytics.wsdl:524:9",
            "port `RuleEnginePort` names unknown binding `tan:RuleEnginePort`",
        ),
    ),
    (
        "python-onvif/onvif-2.x-bundle/wsdl/analyticsdevice.wsdl",
        Routes(17),
    ),
    (
        "python-onvif/onvif-2.x-bundle/wsdl/deviceio.wsdl",
        Routes(27),
    ),
    (
        "python-onvif/onvif-2.x-bundle/wsdl/devicemgmt.wsdl",
        Routes(82),
    ),
    (
        "python-onvif/onvif-2.x-bundle/wsdl/display.wsdl",
        Routes(10),
    ),
    (
        "python-onvif/onvif-2.x-bundle/wsdl/doorcontrol.wsdl",
        Routes(13),
    ),
    ("python-onvif/onvif-2.x-bundle/wsdl/events.wsdl", Routes(3)),
    ("python-onvif/onvif-2.x-bundle/wsdl/imaging.wsdl", Routes(8)),
    ("python-onvif/onvif-2.x-bundle/wsdl/media.wsdl", Routes(79)),
    ("python-onvif/onvif-2.x-bundle/wsdl/ptz.wsdl", Routes(27)),
    (
        "python-onvif/onvif-2.x-bundle/wsdl/receiver.wsdl",
        Routes(8),
    ),
    // Its port names a binding of another service (`trc:DeviceBinding`): the port is left out,
    // and the message offers the binding there is.
    (
        "python-onvif/onvif-2.x-bundle/wsdl/recording.wsdl",
        Error(
            "recording.wsdl",
            "it declares the SOAP bindings RecordingBinding (SOAP 1.2): serve one with `--binding RecordingBinding`",
        ),
    ),
    // Imports WS-Addressing 2004/08 by URL; the bundle has no copy of that version, soapbridge
    // knows it without a file.
    (
        "python-onvif/onvif-2.x-bundle/wsdl/remotediscovery.wsdl",
        Routes(2),
    ),
    ("python-onvif/onvif-2.x-bundle/wsdl/replay.wsdl", Routes(4)),
    ("python-onvif/onvif-2.x-bundle/wsdl/search.wsdl", Routes(14)),
    (
        "salesforce-php-toolkit/salesforce-enterprise/enterprise.wsdl.xml",
        Routes(32),
    ),
    (
        "salesforce-php-toolkit/salesforce-metadata/metadata.wsdl.xml",
        Routes(10),
    ),
    (
        "salesforce-php-toolkit/salesforce-partner/partner.wsdl.xml",
        Routes(32),
    ),
    ("savon/amazon-ecs-awse/awse.wsdl", Routes(9)),
    ("savon/betfair-exchange/betfair.wsdl", Routes(30)),
    (
        "savon/document-literal-wrapped/document_literal_wrapped.wsdl",
        Routes(3),
    ),
    ("savon/edialog/edialog.wsdl", Routes(177)),
    ("savon/equifax/equifax.wsdl", Routes(3)),
    ("savon/eu-vies-checkvat/vies.xml", Routes(2)),
    ("savon/interhome/interhome.wsdl", Routes(22)),
    ("savon/jira-rpc-encoded/jira.wsdl", Routes(113)),
    ("savon/oracle-multiport/oracle.wsdl", Routes(9)),
    ("savon/rpc-literal/rpc_literal.wsdl", Routes(3)),
    ("savon/taxcloud/taxcloud.wsdl", Routes(13)),
    (
        "savon/telefonkatalogen-rpc-literal/telefonkatalogen.wsdl",
        Routes(1),
    ),
    ("savon/w3schools-tempconvert/temperature.wsdl", Routes(1)),
    // Kept broken on purpose: its namespace declarations were stripped.
    (
        "soap-go/dataaccess-numberconversion-BROKEN-no-xmlns/NumberConversion.wsdl",
        Error(
            "NumberConversion.wsdl:3:10",
            "unknown namespace prefix 'xs'",
        ),
    ),
    (
        "soap-go/webservicex-globalweather/GlobalWeather.wsdl",
        Routes(2),
    ),
    ("vsphere-ws/vim25/vimService.wsdl", Routes(615)),
];

/// Why the corpus tests are ignored by a plain `cargo test`.
pub(crate) const NEEDS_CORPUS: &str = "needs SOAPBRIDGE_CORPUS";

/// The corpus folder `SOAPBRIDGE_CORPUS` names. Every test that calls this is
/// `#[ignore = "needs SOAPBRIDGE_CORPUS"]`: asked for (`--include-ignored`, as `.ci/run` does), a
/// missing corpus is a failure, never a skip.
pub(crate) fn corpus() -> PathBuf {
    let named = std::env::var_os("SOAPBRIDGE_CORPUS").unwrap_or_else(|| {
        panic!("{NEEDS_CORPUS}: set SOAPBRIDGE_CORPUS=../shared/corpus (.ci/run sets it)")
    });
    let dir = resolve(Path::new(&named));
    assert!(
        dir.join("wsdl").is_dir(),
        "SOAPBRIDGE_CORPUS={} has no wsdl/ folder: the corpus is missing",
        dir.display()
    );
    dir
}

/// A folder named by a variable: a relative path is read from the crate root (where `cargo test`
/// runs the tests, whatever folder the command was typed in), made absolute and without `..`
/// (the tests hand it to child processes and compute paths relative to it).
pub(crate) fn resolve(named: &Path) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(named);
    dir.canonicalize().unwrap_or(dir)
}

/// `SOAPBRIDGE_CORPUS=../shared/corpus` (the README's form) names the same folder as its absolute
/// path: relative paths are read from the crate root.
#[test]
fn a_relative_folder_is_read_from_the_crate_root() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .canonicalize()
        .unwrap();
    assert_eq!(resolve(Path::new("tests/cases")), root.join("tests/cases"));
    let crate_dir = root.file_name().unwrap();
    let up = Path::new("..").join(crate_dir).join("tests/corpus");
    assert_eq!(resolve(&up), root.join("tests/corpus"));
    assert_eq!(resolve(&root.join("tests")), root.join("tests"));
}

/// The corpus as the README names it, relative (`../shared/corpus` from the crate root), is the
/// folder the absolute variable names.
#[test]
#[ignore = "needs SOAPBRIDGE_CORPUS"]
fn the_corpus_named_relatively_is_found() {
    let dir = corpus();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .canonicalize()
        .unwrap();
    let mut up = PathBuf::new();
    let mut base = root.as_path();
    while !dir.starts_with(base) {
        up.push("..");
        base = base.parent().unwrap();
    }
    let relative = up.join(dir.strip_prefix(base).unwrap());
    assert!(relative.is_relative(), "{}", relative.display());
    assert_eq!(resolve(&relative), dir);
    assert!(resolve(&relative).join("wsdl").is_dir());
}

pub(crate) fn options(wsdl_dir: &Path, entry: &str) -> LoadOptions {
    let mut o = LoadOptions::default();
    if entry.starts_with("onvif-specs/") {
        // The ONVIF specs import ../../../ver10/schema from each service folder (the folder
        // policy asks for --allow-path), and four W3C / OASIS schemas by URL, which soapbridge
        // knows without a file: no catalog.
        o.allow_paths = vec![wsdl_dir.join("onvif-specs/onvif-current")];
    }
    o
}

/// The catalog the independent validators (Python, xmllint) need for an entry: the ONVIF specs
/// import W3C / OASIS schemas by URL, which soapbridge knows without a file but those tools do
/// not; the python-onvif bundle holds copies of the same texts (the SOAP 1.2 envelope schema is
/// in the validator's own catalog).
pub(crate) fn validator_catalog(wsdl_dir: &Path, entry: &str) -> Vec<(&'static str, PathBuf)> {
    if entry.ends_with("remotediscovery.wsdl") {
        // WS-Addressing 2004/08 by URL: the copy soapbridge embeds.
        let copy = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src/sources/schemas/ws-addressing-2004-08.xsd");
        return vec![("http://schemas.xmlsoap.org/ws/2004/08/addressing", copy)];
    }
    if !entry.starts_with("onvif-specs/") {
        return Vec::new();
    }
    let bundle = wsdl_dir.join("python-onvif/onvif-2.x-bundle/wsdl");
    [
        ("https://www.w3.org/2005/05/xmlmime", "xmlmime"),
        ("http://docs.oasis-open.org/wsn/b-2.xsd", "b-2.xsd"),
        ("https://www.w3.org/2004/08/xop/include", "include"),
    ]
    .into_iter()
    .map(|(url, file)| (url, bundle.join(file)))
    .collect()
}

/// Loads an entry, generates its mapping into `tmp` and compiles the file as written, through the
/// same path `soapbridge check` takes.
pub(crate) fn compile_entry(
    wsdl_dir: &Path,
    entry: &str,
    tmp: &Path,
) -> Result<CompiledMapping, String> {
    compile_entry_unwrap(wsdl_dir, entry, tmp, true)
}

/// Whether a compiled mapping's schema has a list wrapper (else `unwrap_lists` changes nothing
/// and a run with it off repeats the run with it on).
pub(crate) fn has_list_wrappers(compiled: &CompiledMapping) -> bool {
    let schema = &compiled.wsdl.schema;
    (0..schema.types.len() as u32).any(|t| {
        soapbridge::mapping::unwrap::list_item(schema, soapbridge::xsd::TypeId(t)).is_some()
    })
}

/// [`compile_entry`] with the generated `unwrap_lists: true` (list wrappers as JSON arrays) as
/// written, or turned to `false` (the wrapper objects).
pub(crate) fn compile_entry_unwrap(
    wsdl_dir: &Path,
    entry: &str,
    tmp: &Path,
    unwrap: bool,
) -> Result<CompiledMapping, String> {
    let (mapping_file, text) = generate_entry(wsdl_dir, entry, tmp, unwrap)?;
    compile_str(&mapping_file, &text).map_err(|d| d.to_string())
}

/// The mapping file of an entry in `tmp` ([`entry_mapping_file`]), as `soapbridge generate`
/// writes it (with `unwrap_lists:` as [`compile_entry_unwrap`] says): its path and text. The WSDL
/// loaded to write it is dropped before this returns.
pub(crate) fn generate_entry(
    wsdl_dir: &Path,
    entry: &str,
    tmp: &Path,
    unwrap: bool,
) -> Result<(PathBuf, String), String> {
    let path = wsdl_dir.join(entry);
    let options = options(wsdl_dir, entry);
    let wsdl = soapbridge::wsdl::load(&path, &options).map_err(|d| d.to_string())?;
    let sel = select(&wsdl, None, None, None).map_err(|m| format!("{}: {m}", path.display()))?;
    let mapping_file = entry_mapping_file(entry, tmp);
    // What `soapbridge generate` writes: the WSDL, `allow_paths:` and `catalog:` relative to tmp.
    let text = generate::mapping_file(&wsdl, &path, sel, &options, tmp).unwrap();
    assert!(text.contains("\nunwrap_lists: true\n"), "{text}");
    let text = if unwrap {
        text
    } else {
        text.replace("\nunwrap_lists: true\n", "\nunwrap_lists: false\n")
    };
    std::fs::write(&mapping_file, &text).unwrap();
    Ok((mapping_file, text))
}

/// Where [`generate_entry`] writes an entry's mapping file in `tmp`.
pub(crate) fn entry_mapping_file(entry: &str, tmp: &Path) -> PathBuf {
    tmp.join(format!("{}.yaml", entry.replace('/', "_")))
}

#[test]
#[ignore = "needs SOAPBRIDGE_CORPUS"]
fn every_corpus_wsdl_generates_a_mapping_that_checks() {
    let corpus = corpus();
    let wsdl_dir = corpus.join("wsdl");
    let tmp = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    println!("{:<72} {:>7} {:>9}", "entry", "routes", "load+gen");
    for (entry, expect) in ENTRIES {
        let path = wsdl_dir.join(entry);
        assert!(path.is_file(), "corpus file missing: {}", path.display());
        let started = std::time::Instant::now();
        let outcome: Result<(usize, Vec<String>), String> = (|| {
            let compiled = compile_entry(&wsdl_dir, entry, tmp.path())?;
            let ops = compiled.wsdl.bindings[compiled.selection.binding]
                .operations
                .len();
            if compiled.routes.len() != ops {
                return Err(format!(
                    "{} routes for {ops} operations",
                    compiled.routes.len()
                ));
            }
            let warnings = soapbridge::mapping::compile::warnings(&compiled)
                .iter()
                .map(|w| w.to_string())
                .collect();
            Ok((compiled.routes.len(), warnings))
        })();
        let ms = started.elapsed().as_millis();
        let shown = match &outcome {
            Ok((n, _)) => n.to_string(),
            Err(_) => "error".to_string(),
        };
        println!("{entry:<72} {shown:>7} {ms:>7}ms");
        let warned = |ws: &[String], at: &str, text: &str| {
            ws.iter().any(|w| w.contains(at) && w.contains(text))
        };
        match (expect, outcome) {
            (Routes(n), Ok((got, ws))) if *n == got && ws.is_empty() => {}
            (Warned(n, at, text), Ok((got, ws))) if *n == got && warned(&ws, at, text) => {}
            (Error(at, text), Err(msg)) if msg.contains(at) && msg.contains(text) => {}
            (Routes(n), got) => failures.push(format!(
                "{entry}: expected {n} routes and no warning, got {got:?}"
            )),
            (Warned(n, at, text), got) => failures.push(format!(
                "{entry}: expected {n} routes and a warning at {at} saying {text:?}, got {got:?}"
            )),
            (Error(at, text), got) => failures.push(format!(
                "{entry}: expected an error at {at} saying {text:?}, got {got:?}"
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} corpus entries changed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Every WSDL file in the corpus has an entry above (no package is silently skipped).
#[test]
#[ignore = "needs SOAPBRIDGE_CORPUS"]
fn every_corpus_wsdl_is_listed() {
    let corpus = corpus();
    let wsdl_dir = corpus.join("wsdl");
    let mut stack = vec![wsdl_dir.clone()];
    let mut missing = Vec::new();
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let rel = p
                .strip_prefix(&wsdl_dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let name = p.file_name().unwrap().to_string_lossy();
            let is_wsdl = name.ends_with(".wsdl")
                || name.ends_with(".wsdl.xml")
                || rel == "savon/eu-vies-checkvat/vies.xml";
            // Documents imported by another WSDL rather than entries of their own.
            let imported = [
                "vsphere-ws/vim25/vim.wsdl",
                "python-onvif/onvif-2.x-bundle/wsdl/bw-2.wsdl",
                "python-onvif/onvif-2.x-bundle/wsdl/rw-2.wsdl",
            ];
            if is_wsdl
                && !imported.contains(&rel.as_str())
                && !ENTRIES.iter().any(|(e, _)| *e == rel)
            {
                missing.push(rel);
            }
        }
    }
    assert!(
        missing.is_empty(),
        "corpus WSDLs without an entry: {missing:?}"
    );
}

/// What `soapbridge generate` then `soapbridge check` make of one of our own sloppy WSDLs.
pub(crate) enum Sloppy {
    /// `generate` writes a mapping (saying `lenient: true` exactly when the bool says) that
    /// `check` accepts with this many routes and exactly these warnings, each naming its
    /// file:line:col and containing its text; `check --strict` refuses it when there are any.
    Served(usize, bool, &'static [(&'static str, &'static str)]),
    /// `generate` refuses, and says each of these (a place and a text; a place of "" is any).
    Refused(&'static [(&'static str, &'static str)]),
}

/// (entry WSDL relative to tests/corpus/wsdl, generated with `--lenient`, expectation): our own
/// packages, written in the style of the corpus for each sloppy shape found in real WSDLs. A
/// shape lenient mode tolerates is listed twice: refused exactly as before without
/// `--lenient`, served with every tolerance named with it.
pub(crate) const SLOPPY: &[(&str, bool, Sloppy)] = &[
    // xs:import namespaces: a file name, and a version the schema does not have.
    (
        "sloppy/billing-import-namespace/BillingService.wsdl",
        false,
        Sloppy::Refused(&[
            (
                "BillingService.wsdl:14:7",
                "imports namespace `xsd/BillingTypes.xsd` but `xsd/BillingTypes.xsd` has targetNamespace `http://billing.example.com/types/v3`",
            ),
            (
                "BillingService.wsdl:15:7",
                "imports namespace `http://common.example.com/types/v1` but `xsd/Common.xsd` has targetNamespace `http://common.example.com/types`",
            ),
            ("", "the WSDL loads with --lenient"),
        ]),
    ),
    (
        "sloppy/billing-import-namespace/BillingService.wsdl",
        true,
        Sloppy::Served(
            2,
            true,
            &[
                (
                    "BillingService.wsdl:14:7",
                    "warning: imports namespace `xsd/BillingTypes.xsd` but `xsd/BillingTypes.xsd` has targetNamespace `http://billing.example.com/types/v3`; read in `http://billing.example.com/types/v3` (lenient)",
                ),
                (
                    "BillingService.wsdl:15:7",
                    "read in `http://common.example.com/types` (lenient)",
                ),
            ],
        ),
    ),
    // Prefixes declared on the sibling schema that used them first: `hrc` used in the other
    // schema and in a fault message, `emp` in the messages; each reported once.
    (
        "sloppy/hr-undeclared-prefix/EmployeeService.wsdl",
        false,
        Sloppy::Refused(&[
            (
                "EmployeeService.wsdl:30:13",
                "unbound namespace prefix `hrc` in type=\"hrc:EmployeeNumber\"",
            ),
            (
                "EmployeeService.wsdl:51:5",
                "unbound namespace prefix `emp` in element=\"emp:FindEmployee\"",
            ),
            (
                "EmployeeService.wsdl:57:5",
                "unbound namespace prefix `hrc` in element=\"hrc:EmployeeNotFound\"",
            ),
            ("", "the WSDL loads with --lenient"),
        ]),
    ),
    (
        "sloppy/hr-undeclared-prefix/EmployeeService.wsdl",
        true,
        Sloppy::Served(
            1,
            true,
            &[
                (
                    "EmployeeService.wsdl:43:11",
                    "warning: prefix `hrc` is not declared here; read as `urn:hr.example.com:common`, as line 10 declares it (lenient)",
                ),
                (
                    "EmployeeService.wsdl:51:5",
                    "warning: prefix `emp` is not declared here; read as `urn:hr.example.com:employee`, as line 24 declares it (lenient)",
                ),
            ],
        ),
    ),
    // A chameleon import: a schema without targetNamespace, imported rather than included.
    (
        "sloppy/shipping-chameleon/ShippingService.wsdl",
        false,
        Sloppy::Refused(&[
            (
                "ShippingService.wsdl:14:13",
                "unknown type `tns:Address` ({http://ship.example.org/2019/shipping}Address)",
            ),
            ("", "a type `Address` is declared without a namespace"),
            ("", "the WSDL loads with --lenient"),
        ]),
    ),
    (
        "sloppy/shipping-chameleon/ShippingService.wsdl",
        true,
        Sloppy::Served(
            1,
            true,
            &[(
                "ShippingService.wsdl:10:7",
                "warning: `schemas/Address.xsd` has no targetNamespace but `Address` is referred to in `http://ship.example.org/2019/shipping`: its components are also read in `http://ship.example.org/2019/shipping` (chameleon import; lenient)",
            )],
        ),
    ),
    // A schema saved in ISO-8859-1 (and declaring it), with non-ASCII element names.
    (
        "sloppy/tax-latin1-schema/TaxService.wsdl",
        false,
        Sloppy::Refused(&[
            ("TaxService.wsdl:11:7", "Steuer.xsd` is not UTF-8"),
            ("", "it declares ISO-8859-1"),
            ("", "the WSDL loads with --lenient"),
        ]),
    ),
    (
        "sloppy/tax-latin1-schema/TaxService.wsdl",
        true,
        Sloppy::Served(
            1,
            true,
            &[(
                "TaxService.wsdl:11:7",
                "Steuer.xsd` is in ISO-8859-1, not UTF-8; read in ISO-8859-1, as it declares (lenient)",
            )],
        ),
    ),
    // Operations referring to a dropped schema and to messages that are not there: left out,
    // the others served, in both modes.
    (
        "sloppy/orders-partial/OrderService.wsdl",
        false,
        Sloppy::Served(
            2,
            false,
            &[
                (
                    "OrderService.wsdl:45:13",
                    "warning: operation `RequestReturn` is left out: unbound namespace prefix `ret` in type=\"ret:ReturnReason\"",
                ),
                (
                    "OrderService.wsdl:51:23",
                    "warning: operation `RequestReturn` is left out: unknown type `tns:RmaNumber` ({http://orders.example.net/OrderService}RmaNumber)",
                ),
                (
                    "OrderService.wsdl:76:7",
                    "warning: operation `CancelReturn` is left out: unknown message `tns:CancelReturnSoapIn`",
                ),
                (
                    "OrderService.wsdl:77:7",
                    "warning: operation `CancelReturn` is left out: unknown message `tns:CancelReturnSoapOut`",
                ),
            ],
        ),
    ),
    (
        "sloppy/orders-partial/OrderService.wsdl",
        true,
        Sloppy::Served(
            2,
            false,
            &[
                ("OrderService.wsdl:45:13", "`RequestReturn` is left out"),
                ("OrderService.wsdl:51:23", "`tns:RmaNumber`"),
                ("OrderService.wsdl:76:7", "`CancelReturn` is left out"),
                ("OrderService.wsdl:77:7", "`tns:CancelReturnSoapOut`"),
            ],
        ),
    ),
    // Two WSDL documents importing each other (the abstract and the concrete half).
    (
        "sloppy/crm-mutual-imports/CrmService.wsdl",
        false,
        Sloppy::Served(2, false, &[]),
    ),
    (
        "sloppy/crm-mutual-imports/CrmService.wsdl",
        true,
        Sloppy::Served(2, false, &[]),
    ),
    // An included schema's problem is reported at its own line, and only its operation goes.
    (
        "sloppy/catalog-included-invalid/CatalogService.wsdl",
        false,
        Sloppy::Served(
            1,
            false,
            &[(
                "xsd/Legacy.xsd:15:7",
                "warning: operation `ImportBatch` is left out: unknown type `cat:UnitCode` ({http://catalog.example.com/schema}UnitCode)",
            )],
        ),
    ),
    // The only port names the portType: the message lists the bindings and offers --binding.
    (
        "sloppy/inventory-port-names-porttype/InventoryService.wsdl",
        false,
        Sloppy::Refused(&[
            (
                "InventoryService.wsdl:45:5",
                "warning: port `InventoryPort` names unknown binding `tns:Inventory`",
            ),
            ("", "`Inventory` is a portType, not a binding"),
            (
                "InventoryService.wsdl",
                "it declares the SOAP bindings InventorySoap (SOAP 1.1), InventorySoap12 (SOAP 1.2): serve one with `--binding InventorySoap`",
            ),
        ]),
    ),
    // The HTTP GET/POST half of an ASMX description.
    (
        "sloppy/weather-http-only/WeatherService.wsdl",
        false,
        Sloppy::Refused(&[(
            "WeatherService.wsdl",
            "the WSDL has only HTTP (non-SOAP) bindings: port Weather/WeatherHttpGet (HTTP GET), port Weather/WeatherHttpPost (HTTP POST); soapbridge calls SOAP 1.1 and 1.2 services",
        )]),
    ),
    // Messages named in the service's namespace but declared in the imported document's: the
    // message says where they are (and lenient mode does not guess: that would be another name).
    (
        "sloppy/payments-names-namespace/PaymentService.wsdl",
        false,
        Sloppy::Refused(&[(
            "PaymentService.wsdl:12:7",
            "unknown message `tns:AuthorizeRequest` ({urn:payments:service}AuthorizeRequest)\n  hint: declare <message name=\"AuthorizeRequest\"> in a WSDL with targetNamespace `urn:payments:service`; `AuthorizeRequest` is declared in namespace `urn:payments:messages`",
        )]),
    ),
    (
        "sloppy/payments-names-namespace/PaymentService.wsdl",
        true,
        Sloppy::Refused(&[(
            "PaymentService.wsdl:13:7",
            "`AuthorizeResponse` is declared in namespace `urn:payments:messages`",
        )]),
    ),
];

/// Runs the binary with `args`: (success, stdout, stderr).
fn soapbridge(args: &[&std::ffi::OsStr]) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_soapbridge"))
        // Not the repository's root: it holds the user's mappings/ and soapbridge.yaml.
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Our sloppy packages, always run: each through `generate` (with `--lenient` where listed)
/// and `check`, as a user would.
#[test]
fn our_sloppy_wsdls_are_served_or_explained() {
    let wsdl_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/wsdl");
    let tmp = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for (i, (entry, lenient, expect)) in SLOPPY.iter().enumerate() {
        let wsdl = wsdl_dir.join(entry);
        let mapping = tmp.path().join(format!("{i}.yaml"));
        let mut args = vec![
            "generate".as_ref(),
            wsdl.as_os_str(),
            "-o".as_ref(),
            mapping.as_os_str(),
        ];
        if *lenient {
            args.push("--lenient".as_ref());
        }
        let (generated, _, generate_err) = soapbridge(&args);
        let mode = if *lenient { "--lenient" } else { "strict" };
        let says = |text: &str, at: &str, what: &str| {
            text.split("\n/")
                .any(|d| (at.is_empty() || d.contains(&format!("{at}:"))) && d.contains(what))
                || (at.is_empty() && text.contains(what))
        };
        match expect {
            Sloppy::Refused(pinned) => {
                if generated {
                    failures.push(format!("{entry} ({mode}): generated, expected a refusal"));
                    continue;
                }
                for (at, what) in *pinned {
                    if !says(&generate_err, at, what) {
                        failures.push(format!(
                            "{entry} ({mode}): expected {at} saying {what:?}, got:\n{generate_err}"
                        ));
                    }
                }
            }
            Sloppy::Served(routes, says_lenient, pinned) => {
                if !generated {
                    failures.push(format!("{entry} ({mode}): refused:\n{generate_err}"));
                    continue;
                }
                let text = std::fs::read_to_string(&mapping).unwrap();
                if text.contains("\nlenient: true\n") != *says_lenient {
                    failures.push(format!(
                        "{entry} ({mode}): `lenient: true` written: {}, expected {says_lenient}",
                        !says_lenient
                    ));
                }
                let (ok, out, err) = soapbridge(&["check".as_ref(), mapping.as_os_str()]);
                let counted = format!(": {routes} routes (");
                if !ok || !out.contains(&counted) {
                    failures.push(format!(
                        "{entry} ({mode}): check: expected {routes} routes, got:\n{out}{err}"
                    ));
                }
                let warnings = err.matches(": warning: ").count();
                if warnings != pinned.len() {
                    failures.push(format!(
                        "{entry} ({mode}): check: {warnings} warnings, expected {}:\n{err}",
                        pinned.len()
                    ));
                }
                for (at, what) in *pinned {
                    if !says(&err, at, what) {
                        failures.push(format!(
                            "{entry} ({mode}): check: expected {at} saying {what:?}, got:\n{err}"
                        ));
                    }
                }
                let (strict_ok, _, _) =
                    soapbridge(&["check".as_ref(), "--strict".as_ref(), mapping.as_os_str()]);
                let strict_should_pass = pinned.is_empty();
                if strict_ok != strict_should_pass {
                    failures.push(format!(
                        "{entry} ({mode}): check --strict passed: {strict_ok}, expected {strict_should_pass}"
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} sloppy entries changed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Every package under tests/corpus/wsdl has its entry point listed in [`SLOPPY`].
#[test]
fn every_sloppy_package_is_listed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/wsdl/sloppy");
    for e in std::fs::read_dir(&root).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            SLOPPY
                .iter()
                .any(|(entry, ..)| entry.starts_with(&format!("sloppy/{name}/"))),
            "tests/corpus/wsdl/sloppy/{name} has no entry in SLOPPY"
        );
    }
}
