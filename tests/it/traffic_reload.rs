//! Reload under load, in-process: 100 reloads, every other one with a broken mapping, while
//! clients call the bridge without a pause; every answer must be right and none may fail, every
//! broken reload must be reported (with its place) and leave the served set as it was.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use actix_web::{App, HttpServer};
use soapbridge::config::Source;
use soapbridge::http::{Reloader, configure_live};

use super::traffic_fixture::{Bridge, FakeUpstream, Site, client, get};

const RELOADS: usize = 100;
const CLIENTS: usize = 8;

#[actix_web::test]
async fn reload_under_load_loses_nothing_and_keeps_the_old_set_when_broken() {
    let up = FakeUpstream::start();
    let site = Site::new(
        "reload: { watch: false }",
        &up.url(),
        "GET /items/{id}",
        true,
    );
    let source = Source {
        file: Some(site.settings_file()),
        ..Source::default()
    };
    let (live, reloader) = Reloader::start(source).await.expect("the first set loads");
    let app_live = live.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = HttpServer::new(move || App::new().configure(configure_live(app_live.clone())))
        .workers(2)
        .disable_signals()
        .listen(listener)
        .unwrap()
        .run();
    actix_web::rt::spawn(server);

    let stop = Arc::new(AtomicBool::new(false));
    let (ok, wrong) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let load = load(&base, &stop, &ok, &wrong);

    let started = Instant::now();
    let broken = broken_mapping(&up);
    // The reloads on their own thread (as `serve` runs them beside its workers).
    let (reload_live, url) = (live.clone(), up.url());
    let reloads = std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            for n in 0..RELOADS {
                if n % 2 == 0 {
                    site.write_mapping(&broken);
                    assert!(!reloader.reload().await, "a broken set was swapped in");
                    let problems = reload_live.readiness().reload_problems.expect("kept");
                    assert!(problems.contains("mapping.yaml:7:"), "{problems}");
                } else {
                    // A real change each time: whether the operation is idempotent.
                    site.mapping(&url, "GET /items/{id}", n % 4 == 1);
                    assert!(reloader.reload().await, "a good set was refused");
                    assert_eq!(reload_live.readiness().reload_problems, None);
                }
                actix_web::rt::time::sleep(Duration::from_millis(5)).await;
            }
        })
    });
    while !reloads.is_finished() {
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
    reloads.join().expect("the reloads went as expected");
    let elapsed = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    for l in load {
        l.await.unwrap();
    }
    let (ok, wrong) = (ok.load(Ordering::Relaxed), wrong.load(Ordering::Relaxed));
    let rate = ok as f64 / elapsed.as_secs_f64();
    eprintln!(
        "reload under load: {RELOADS} reloads, {ok} answers in {elapsed:?} ({rate:.0} req/s)"
    );
    assert_eq!(wrong, 0, "failed or wrong answers");
    assert!(ok > 0);
    assert_eq!(live.current().generation, 1 + RELOADS as u64 / 2);
    // The rate the issue asks for (500 req/s) in an optimised build; a debug build on a busy
    // machine is only asked to keep serving.
    if !cfg!(debug_assertions) {
        assert!(rate >= 500.0, "{rate:.0} req/s");
    }
}

/// The count of `series` (its whole name with labels, as written) in a `/metrics` text.
fn metric(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|l| {
        l.strip_prefix(series)?
            .strip_prefix(' ')?
            .trim()
            .parse()
            .ok()
    })
}

/// The same in the `soapbridge` binary given by `SOAPBRIDGE_RELEASE_BIN` (an optimised build, as
/// deployed; `.ci/run` passes the release build it makes), reloaded by SIGHUP: 100 reloads,
/// every other one broken, each waited for on `/metrics`, while clients call without a pause;
/// at least 500 answers a second, none wrong, every broken reload shown in `/readyz`.
#[actix_web::test]
#[ignore = "needs SOAPBRIDGE_RELEASE_BIN (an optimised soapbridge binary; .ci/run builds one)"]
async fn reload_by_sighup_under_load_in_the_release_binary() {
    let Some(binary) = std::env::var_os("SOAPBRIDGE_RELEASE_BIN") else {
        panic!("SOAPBRIDGE_RELEASE_BIN names the binary");
    };
    let up = FakeUpstream::start();
    let site = Site::new(
        "reload: { watch: false }",
        &up.url(),
        "GET /items/{id}",
        true,
    );
    let bridge = Bridge::start_binary(&site, std::path::Path::new(&binary));
    let base = site.base();

    let stop = Arc::new(AtomicBool::new(false));
    let (ok, wrong) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let load = load(&base, &stop, &ok, &wrong);

    let broken = broken_mapping(&up);
    let probe = client();
    let scrape = async |path: &str| {
        get(&probe, &format!("{base}{path}"))
            .await
            .map(|a| a.body)
            .unwrap_or_default()
    };
    let started = Instant::now();
    let (mut failures, mut generation) = (0.0, 1.0);
    for n in 0..RELOADS {
        if n % 2 == 0 {
            site.write_mapping(&broken);
            failures += 1.0;
        } else {
            site.mapping(&up.url(), "GET /items/{id}", n % 4 == 1);
            generation += 1.0;
        }
        bridge.signal("HUP");
        let waited = Instant::now();
        loop {
            let text = scrape("/metrics").await;
            let f = metric(&text, "soapbridge_reloads_total{result=\"failure\"}");
            let g = metric(&text, "soapbridge_mappings_generation");
            if f == Some(failures) && g == Some(generation) {
                break;
            }
            assert!(
                waited.elapsed() < Duration::from_secs(10),
                "reload {n} not seen: failures {f:?} generation {g:?}\n{}",
                bridge.log()
            );
            actix_web::rt::time::sleep(Duration::from_millis(2)).await;
        }
        let readyz = scrape("/readyz").await;
        if n % 2 == 0 {
            assert!(readyz.contains("mapping.yaml:7:"), "{readyz}");
        } else {
            assert!(!readyz.contains("last_reload"), "{readyz}");
        }
    }
    let elapsed = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    for l in load {
        l.await.unwrap();
    }
    let (ok, wrong) = (ok.load(Ordering::Relaxed), wrong.load(Ordering::Relaxed));
    let rate = ok as f64 / elapsed.as_secs_f64();
    eprintln!(
        "reload by SIGHUP under load (release binary): {RELOADS} reloads, {ok} answers in {elapsed:?} ({rate:.0} req/s)"
    );
    assert_eq!(wrong, 0, "failed or wrong answers");
    assert!(rate >= 500.0, "{rate:.0} req/s");
}

/// `CLIENTS` clients calling `GET base/items/{unique id}` until `stop`, counting right answers
/// (200 with the item of the id asked for) in `ok` and every other outcome in `wrong`.
fn load(
    base: &str,
    stop: &Arc<AtomicBool>,
    ok: &Arc<AtomicUsize>,
    wrong: &Arc<AtomicUsize>,
) -> Vec<actix_web::rt::task::JoinHandle<()>> {
    (0..CLIENTS)
        .map(|c| {
            let (stop, ok, wrong, base) =
                (stop.clone(), ok.clone(), wrong.clone(), base.to_string());
            actix_web::rt::spawn(async move {
                let client = client();
                let mut i = 0usize;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    let id = c * 1_000_000 + i;
                    match get(&client, &format!("{base}/items/{id}")).await {
                        Some(a) if a.status == 200 && a.body == format!("\"item-{id}\"") => {
                            ok.fetch_add(1, Ordering::Relaxed);
                        }
                        other => {
                            let seen = other.map(|a| format!("{} {}", a.status, a.body));
                            eprintln!("wrong answer for {id}: {seen:?}");
                            wrong.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            })
        })
        .collect()
}

/// A mapping that does not compile: its request names a path parameter the route lacks (line 7).
fn broken_mapping(up: &FakeUpstream) -> String {
    format!(
        "wsdl: {}\nupstream:\n  url: {}\noperations:\n  GetItem:\n    route: GET /items/{{id}}\n    request: {{ itemId: path.nothing }}\n    response: getItemResult\n",
        super::upstream_fixture::wsdl().display(),
        up.url()
    )
}
