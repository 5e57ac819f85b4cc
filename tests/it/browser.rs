//! The /docs page in a real browser: Debian's headless Chromium driven by playwright-core
//! (tests/browser/docs.mjs): no console errors, no request outside the bridge, the sample's
//! routes listed, a "try it" call answered with the mock's JSON, no sideways scrolling on a
//! phone. Screenshots land in target/docs-screenshot.png and target/docs-screenshot-phone.png.
//!
//! Runs when `SOAPBRIDGE_BROWSER=1` (`.ci/run` installs chromium and the npm package and sets
//! it); then a missing browser is a failure, not a skip.

use std::path::Path;
use std::process::Command;

#[test]
fn docs_page_in_headless_chromium() {
    if std::env::var_os("SOAPBRIDGE_BROWSER").is_none() {
        eprintln!(
            "browser test not requested (set SOAPBRIDGE_BROWSER=1 after installing chromium and tests/browser's npm packages)"
        );
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let server = crate::serve_sample();
    let port = server.port;
    let shot = root.join("target/docs-screenshot.png");
    let out = Command::new("node")
        .arg(root.join("tests/browser/docs.mjs"))
        .arg(format!("http://127.0.0.1:{port}"))
        .arg(&shot)
        .output();
    drop(server);
    let out = out.expect("node runs");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(shot.exists(), "a screenshot was taken");
}
