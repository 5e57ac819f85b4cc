//! Load + compile time of the largest WSDLs in the corpus (vim25, Exchange EWS, the ONVIF bundle):
//! read every file, compile the schemas, resolve the service model, and compile a generated
//! mapping. Target: each under 250 ms (release, 2 cores).
//!
//! Reads `../shared/corpus` (or `SOAPBRIDGE_CORPUS`); fails loudly when it is missing.

use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use soapbridge::mapping::compile::compile_str;
use soapbridge::mapping::generate::{generate, select};
use soapbridge::sources::LoadOptions;

fn corpus() -> PathBuf {
    let dir = std::env::var_os("SOAPBRIDGE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    assert!(
        dir.join("wsdl").is_dir(),
        "corpus not found at {} (set SOAPBRIDGE_CORPUS)",
        dir.display()
    );
    dir
}

fn bench_load(c: &mut Criterion) {
    let wsdl = corpus().join("wsdl");
    let cases = [
        ("vim25", "vsphere-ws/vim25/vimService.wsdl"),
        ("exchange-ews", "php-ews/exchange-ews/services.wsdl"),
        (
            "onvif-bundle-media",
            "python-onvif/onvif-2.x-bundle/wsdl/media.wsdl",
        ),
        (
            "onvif-bundle-devicemgmt",
            "python-onvif/onvif-2.x-bundle/wsdl/devicemgmt.wsdl",
        ),
        (
            "salesforce-enterprise",
            "salesforce-php-toolkit/salesforce-enterprise/enterprise.wsdl.xml",
        ),
    ];
    let mut group = c.benchmark_group("load");
    group.sample_size(20);
    for (name, entry) in cases {
        let path = wsdl.join(entry);
        let options = LoadOptions::default();
        group.bench_function(format!("{name}/wsdl"), |b| {
            b.iter(|| soapbridge::wsdl::load(&path, &options).expect("loads"));
        });
        // Mapping compile includes loading the WSDL again: what `check` and start-up do.
        let w = soapbridge::wsdl::load(&path, &options).expect("loads");
        let sel = select(&w, None, None, None).expect("a SOAP port");
        let text = generate(&w, entry, sel);
        let mapping = wsdl.join(format!("{name}.bench.yaml"));
        group.bench_function(format!("{name}/wsdl+mapping"), |b| {
            b.iter(|| compile_str(&mapping, &text).expect("compiles"));
        });
    }
    group.finish();
}

criterion_group!(benches, bench_load);
criterion_main!(benches);
