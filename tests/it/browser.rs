//! The /docs page in a real browser: Debian's headless Chromium driven by playwright-core
//! (tests/browser/docs.mjs): no console errors, no request outside the bridge, the sample's
//! routes listed, a "try it" call answered with the mock's JSON, no sideways scrolling on a
//! phone. Screenshots land in target/docs-screenshot.png and target/docs-screenshot-phone.png.
//!
//! Runs when `SOAPBRIDGE_BROWSER=1` (`.ci/run` installs chromium and the npm package and sets
//! it); then a missing browser is a failure, not a skip.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn docs_page_in_headless_chromium() {
    if std::env::var_os("SOAPBRIDGE_BROWSER").is_none() {
        eprintln!(
            "browser test not requested (set SOAPBRIDGE_BROWSER=1 after installing chromium and tests/browser's npm packages)"
        );
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_soapbridge"))
        .current_dir(root)
        .env("SOAPBRIDGE_LISTEN", format!("127.0.0.1:{port}"))
        .env_remove("CUSTOMER_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the server did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let shot = root.join("target/docs-screenshot.png");
    let out = Command::new("node")
        .arg(root.join("tests/browser/docs.mjs"))
        .arg(format!("http://127.0.0.1:{port}"))
        .arg(&shot)
        .output();
    let _ = server.kill();
    let _ = server.wait();
    let out = out.expect("node runs");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(shot.exists(), "a screenshot was taken");
}
