//! Kill the upstream under load: while it is down the bridge answers fast (502, then 503 with
//! `Retry-After` once the circuit opens, readiness naming it), retries only idempotent calls,
//! and after it returns one half-open probe closes the circuit; no non-idempotent request is
//! ever sent twice.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::traffic_fixture::{FakeUpstream, Site, client, get, start_in_process};

/// (when, status, how long it took) of every answer.
type Log = Arc<Mutex<Vec<(Instant, u16, Duration)>>>;

fn load(
    base: &str,
    prefix: &'static str,
    stop: Arc<AtomicBool>,
    log: Log,
) -> Vec<actix_web::rt::task::JoinHandle<()>> {
    (0..4)
        .map(|c| {
            let (base, stop, log) = (base.to_string(), stop.clone(), log.clone());
            actix_web::rt::spawn(async move {
                let client = client();
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    let started = Instant::now();
                    let status = get(&client, &format!("{base}/{prefix}/{}", c * 1_000_000 + i))
                        .await
                        .map_or(0, |a| a.status);
                    log.lock()
                        .unwrap()
                        .push((started, status, started.elapsed()));
                    actix_web::rt::time::sleep(Duration::from_millis(5)).await;
                }
            })
        })
        .collect()
}

#[actix_web::test]
async fn kill_the_upstream_under_load() {
    let mut up = FakeUpstream::start();
    let site = Site::new(
        "reload: { watch: false }\nupstreams:\n  breaker: { failures: 3, open_seconds: 1 }\n  retries: { attempts: 2, backoff_ms: 10 }",
        &up.url(),
        "GET /items/{id}",
        false,
    );
    std::fs::write(
        site.dir.path().join("mappings/safe.yaml"),
        format!(
            "wsdl: {}\nupstream:\n  url: {}\n  timeout: 5s\noperations:\n  GetItem:\n    route: GET /safe/{{id}}\n    idempotent: true\n    request: {{ itemId: path.id }}\n    response: getItemResult\n",
            super::upstream_fixture::wsdl().display(),
            up.url()
        ),
    )
    .unwrap();
    let (live, base) = start_in_process(&site).await;
    let stop = Arc::new(AtomicBool::new(false));
    let log: Log = Arc::default();
    let mut clients = load(&base, "items", stop.clone(), log.clone());
    let started = Instant::now();
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;

    up.stop().await;
    let killed = Instant::now();
    // The idempotent route's connect failures are retried (and counted) before they fail.
    let retries_before = soapbridge::traffic::counters::value("soapbridge_retries_total", "sent");
    let a = get(&client(), &format!("{base}/safe/1")).await.unwrap();
    assert_eq!(a.status, 502, "{}", a.body);
    assert!(
        soapbridge::traffic::counters::value("soapbridge_retries_total", "sent")
            >= retries_before + 2
    );
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    let open = live.readiness().open_circuits;
    assert_eq!(
        open,
        ["mapping"],
        "the circuit of the killed upstream is open"
    );
    let a = get(&client(), &format!("{base}/items/x")).await.unwrap();
    assert_eq!(a.status, 503);
    assert!(a.body.contains("circuit_open"), "{}", a.body);
    let wait: u64 = a.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=1).contains(&wait));
    actix_web::rt::time::sleep(Duration::from_millis(1200)).await;

    up.restart();
    let back = Instant::now();
    actix_web::rt::time::sleep(Duration::from_millis(1500)).await;
    stop.store(true, Ordering::Relaxed);
    for c in clients.drain(..) {
        c.await.unwrap();
    }
    let log = log.lock().unwrap().clone();
    let before: Vec<_> = log
        .iter()
        .filter(|(t, _, took)| *t + *took < killed)
        .collect();
    let down: Vec<_> = log
        .iter()
        .filter(|(t, ..)| *t > killed && *t < back)
        .collect();
    let after: Vec<_> = log
        .iter()
        .filter(|(t, ..)| *t > back + Duration::from_millis(50))
        .collect();
    eprintln!(
        "kill the upstream: {} answers before, {} while down, {} after, in {:?}",
        before.len(),
        down.len(),
        after.len(),
        started.elapsed()
    );
    assert!(before.iter().all(|(_, s, _)| *s == 200));
    // Down: only 502/503, and fast.
    assert!(!down.is_empty());
    assert!(
        down.iter()
            .all(|(_, s, took)| (*s == 502 || *s == 503) && *took < Duration::from_millis(500)),
        "{down:?}"
    );
    assert!(down.iter().any(|(_, s, _)| *s == 503));
    // Back: no 502 after the upstream returned (the first probe closed the circuit), and 200s
    // within the open time.
    assert!(
        after.iter().all(|(_, s, _)| *s == 200 || *s == 503),
        "{after:?}"
    );
    let first_ok = after.iter().find(|(_, s, _)| *s == 200).expect("recovered");
    assert!(first_ok.0 - back < Duration::from_millis(1300));
    let closed = first_ok.0 + first_ok.2;
    let later: Vec<_> = after.iter().filter(|(t, ..)| *t > closed).collect();
    assert!(later.iter().all(|(_, s, _)| *s == 200), "{later:?}");
    assert!(live.readiness().open_circuits.is_empty());
    // No non-idempotent request was sent twice.
    let twice: Vec<_> = up
        .seen
        .by_id
        .lock()
        .unwrap()
        .iter()
        .filter(|(id, n)| **n > 1 && id.parse::<u64>().is_ok_and(|i| i != 1))
        .map(|(id, n)| format!("{id}x{n}"))
        .collect();
    assert!(twice.is_empty(), "sent twice: {twice:?}");
}
