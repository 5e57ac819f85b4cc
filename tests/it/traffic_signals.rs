//! Signals, through the binary: SIGTERM and SIGINT drain (0 in-flight requests lost, new ones
//! get 503 with `Connection: close`, exit 0), SIGHUP and a changed file reload (a broken set is
//! reported `file:line:col` and the old one kept).

use std::time::{Duration, Instant};

use super::traffic_fixture::{Bridge, FakeUpstream, Site, client, get};

async fn drain_on(signal: &str) {
    let up = FakeUpstream::start();
    up.seen
        .delay_ms
        .store(1500, std::sync::atomic::Ordering::SeqCst);
    let site = Site::new(
        "shutdown_timeout: 20\ndrain_delay: 1\nreload: { watch: false }",
        &up.url(),
        "GET /items/{id}",
        true,
    );
    let mut bridge = Bridge::start(&site);
    let base = site.base();
    const IN_FLIGHT: usize = 24;
    let calls: Vec<_> = (0..IN_FLIGHT)
        .map(|i| {
            let url = format!("{base}/items/{i}");
            actix_web::rt::spawn(async move { get(&client(), &url).await })
        })
        .collect();
    let started = Instant::now();
    while up.seen.total() < IN_FLIGHT {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "requests did not reach the upstream"
        );
        actix_web::rt::time::sleep(Duration::from_millis(10)).await;
    }
    bridge.signal(signal);
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    // During the drain: a new request is refused with 503 and the connection closed.
    let late = get(&client(), &format!("{base}/items/late"))
        .await
        .expect("an answer during the drain delay");
    assert_eq!(late.status, 503, "{}", late.body);
    assert_eq!(late.header("connection"), Some("close"));
    assert_eq!(late.header("retry-after"), Some("1"));
    let ready = get(&client(), &format!("{base}/readyz")).await.unwrap();
    assert_eq!(ready.status, 503);
    // Every request in flight when the signal came is answered, and right.
    for (i, call) in calls.into_iter().enumerate() {
        let a = call
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("request {i} lost"));
        assert_eq!(a.status, 200, "request {i}: {}", a.body);
        assert_eq!(a.body, format!("\"item-{i}\""));
    }
    assert_eq!(
        bridge.wait_exit(Duration::from_secs(15)),
        Some(0),
        "{}",
        bridge.log()
    );
    let log = bridge.log();
    assert!(log.contains("Draining") && log.contains(signal), "{log}");
    assert_eq!(
        up.seen.count("late"),
        0,
        "a request during the drain reached the upstream"
    );
}

#[actix_web::test]
async fn sigterm_drains_without_losing_a_request() {
    drain_on("TERM").await;
}

#[actix_web::test]
async fn sigint_drains_without_losing_a_request() {
    drain_on("INT").await;
}

/// Polls `url` until it answers `status` (at most 10 s).
async fn until_status(url: &str, status: u16) {
    let started = Instant::now();
    loop {
        if get(&client(), url)
            .await
            .is_some_and(|a| a.status == status)
        {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{url} never answered {status}"
        );
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
}

#[actix_web::test]
async fn sighup_and_changed_files_reload_and_a_broken_set_is_reported_and_kept() {
    let up = FakeUpstream::start();
    let site = Site::new(
        "reload: { watch: false }",
        &up.url(),
        "GET /items/{id}",
        true,
    );
    let bridge = Bridge::start(&site);
    let base = site.base();
    until_status(&format!("{base}/items/1"), 200).await;

    // SIGHUP: the new route is served, the old one is gone.
    site.mapping(&up.url(), "GET /things/{id}", true);
    bridge.signal("HUP");
    until_status(&format!("{base}/things/1"), 200).await;
    assert_eq!(
        get(&client(), &format!("{base}/items/1"))
            .await
            .unwrap()
            .status,
        404
    );

    // A broken mapping: reported with its place, the old set kept, the process alive.
    site.write_mapping(&format!(
        "wsdl: {}\nupstream:\n  url: {}\noperations:\n  NoSuchOperation:\n    route: GET /broken/{{id}}\n",
        super::upstream_fixture::wsdl().display(),
        up.url()
    ));
    bridge.signal("HUP");
    let started = Instant::now();
    while !bridge.log().contains("Reload failed") {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{}",
            bridge.log()
        );
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    let log = bridge.log();
    let line = log.lines().find(|l| l.contains("Reload failed")).unwrap();
    assert!(
        line.contains("mapping.yaml:5:"),
        "no file:line:col in {line}"
    );
    let a = get(&client(), &format!("{base}/things/2")).await.unwrap();
    assert_eq!((a.status, a.body.as_str()), (200, "\"item-2\""));
    drop(bridge);

    // With watching on, a changed file is picked up without a signal.
    site.settings("reload: { watch: true, debounce_ms: 100 }");
    site.mapping(&up.url(), "GET /things/{id}", true);
    let bridge = Bridge::start(&site);
    until_status(&format!("{base}/things/1"), 200).await;
    site.mapping(&up.url(), "GET /stuff/{id}", true);
    until_status(&format!("{base}/stuff/1"), 200).await;
    assert!(bridge.log().contains("Files changed"), "{}", bridge.log());
}
