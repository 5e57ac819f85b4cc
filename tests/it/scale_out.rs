//! Scale-out: two `soapbridge` processes behind a real nginx, their rate limits shared through a
//! real `redis-server`, the recording upstream behind them. The limit holds across the replicas;
//! a replica drained under load (SIGTERM) loses nothing; a replica killed under load (SIGKILL)
//! loses only the calls it had in flight and none of those non-idempotent calls is sent twice; a
//! rolling restart (each replica drained and replaced in turn) loses nothing.
//!
//! nginx passes a call on to the next replica when the connection is refused or the answer is a
//! 503 (the drain's answer to new calls, sent before anything reached the service), for
//! idempotent methods only: that is what makes a drain lossless behind it. Non-idempotent calls
//! that reach a draining replica get the 503 (with `Retry-After`); a balancer that follows
//! readiness (a Kubernetes Service) stops sending them before that.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::traffic_fixture::{Bridge, FakeUpstream, Redis, Site, free_port};

const CLIENTS: usize = 8;

/// nginx in front of the replicas (round robin, keep-alive to them; a refused connection, a
/// timeout or a 503 passes an idempotent request on to the next replica, never a POST).
struct Nginx {
    dir: tempfile::TempDir,
    port: u16,
}

impl Nginx {
    fn start(replicas: &[u16]) -> Nginx {
        let nginx = Nginx {
            dir: tempfile::tempdir().unwrap(),
            port: free_port(),
        };
        nginx.configure(replicas, &[]);
        let ok = std::process::Command::new(nginx_binary())
            .args(nginx.args())
            .status()
            .expect("nginx (Debian's nginx package) is installed")
            .success();
        assert!(ok, "nginx did not start: {}", nginx.error_log());
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", nginx.port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(10), "nginx");
            std::thread::sleep(Duration::from_millis(20));
        }
        nginx
    }

    fn args(&self) -> Vec<String> {
        let d = self.dir.path().display();
        vec![
            "-p".into(),
            format!("{d}"),
            "-c".into(),
            format!("{d}/nginx.conf"),
            "-e".into(),
            format!("{d}/error.log"),
        ]
    }

    /// Writes the configuration: every replica, those in `down` marked down.
    fn configure(&self, replicas: &[u16], down: &[u16]) {
        let d = self.dir.path().display();
        let servers: String = replicas
            .iter()
            .map(|p| {
                let mark = if down.contains(p) { " down" } else { "" };
                format!("    server 127.0.0.1:{p} max_fails=0{mark};\n")
            })
            .collect();
        let conf = format!(
            "worker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\nevents {{ worker_connections 1024; }}\nhttp {{\n  access_log off;\n  client_body_temp_path {d}/body; proxy_temp_path {d}/proxy;\n  fastcgi_temp_path {d}/fastcgi; uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;\n  upstream bridges {{\n{servers}    keepalive 16;\n  }}\n  server {{\n    listen 127.0.0.1:{port};\n    location / {{\n      proxy_pass http://bridges;\n      proxy_http_version 1.1;\n      proxy_set_header Connection \"\";\n      proxy_next_upstream error timeout http_503;\n      proxy_next_upstream_tries 2;\n    }}\n  }}\n}}\n",
            port = self.port
        );
        std::fs::write(self.dir.path().join("nginx.conf"), conf).unwrap();
    }

    fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default()
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let mut args = self.args();
        args.extend(["-s".into(), "stop".into()]);
        let _ = std::process::Command::new(nginx_binary())
            .args(args)
            .status();
    }
}

fn nginx_binary() -> PathBuf {
    ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .unwrap_or_else(|| PathBuf::from("nginx"))
}

/// Two replicas' folders: the same settings and mapping, each on its own port.
fn replicas(settings: &str, up: &FakeUpstream, route: &str, idempotent: bool) -> [Site; 2] {
    [0, 1].map(|_| Site::new(settings, &up.url(), route, idempotent))
}

fn settings(redis: &Redis, per_client: u32) -> String {
    format!(
        "reload: {{ watch: false }}\nshutdown_timeout: 10\nrate_limits:\n  per_client: {{ requests: {per_client}, per_seconds: 60 }}\n  redis: {{ url: \"redis://127.0.0.1:{}/\", prefix: \"scale{}:\", timeout_ms: 2000 }}",
        redis.port,
        std::process::id()
    )
}

/// Waits until `/readyz` of a replica answers 200.
async fn ready(site: &Site) {
    let c = client();
    let started = Instant::now();
    loop {
        if let Ok(r) = c.get(format!("{}/readyz", site.base())).send().await
            && r.status() == 200
        {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "not ready");
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A client that opens a connection per request (so that nginx's own reloads never close a
/// connection under it: every failure counted is the bridges').
fn client() -> awc::Client {
    awc::Client::builder()
        .timeout(Duration::from_secs(30))
        .finish()
}

/// What the load saw.
#[derive(Default)]
struct Outcome {
    ok: AtomicUsize,
    failed: AtomicUsize,
    first_failures: std::sync::Mutex<Vec<String>>,
}

/// `CLIENTS` clients calling `method base/items/{unique id}` until `stop`; an answer is right
/// when it is 200 with the item of its id.
fn load(
    base: String,
    method: &'static str,
    stop: Arc<AtomicBool>,
    outcome: Arc<Outcome>,
) -> Vec<actix_web::rt::task::JoinHandle<()>> {
    (0..CLIENTS)
        .map(|c| {
            let (base, stop, outcome) = (base.clone(), stop.clone(), outcome.clone());
            actix_web::rt::spawn(async move {
                let client = client();
                let mut i = 0usize;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    let id = (c + 1) * 1_000_000 + i;
                    let url = format!("{base}/items/{id}");
                    let req = match method {
                        "POST" => client.post(url),
                        _ => client.get(url),
                    }
                    .insert_header(("Connection", "close"));
                    let seen = match req.send().await {
                        Ok(mut r) => {
                            let status = r.status().as_u16();
                            let body = r.body().await.map(|b| b.to_vec()).unwrap_or_default();
                            (status, String::from_utf8_lossy(&body).into_owned())
                        }
                        Err(e) => (0, e.to_string()),
                    };
                    if seen.0 == 200 && seen.1 == format!("\"item-{id}\"") {
                        outcome.ok.fetch_add(1, Ordering::Relaxed);
                    } else {
                        outcome.failed.fetch_add(1, Ordering::Relaxed);
                        let mut f = outcome.first_failures.lock().unwrap();
                        if f.len() < 10 {
                            f.push(format!("{id}: {} {}", seen.0, seen.1));
                        }
                    }
                }
            })
        })
        .collect()
}

async fn finish(stop: &AtomicBool, tasks: Vec<actix_web::rt::task::JoinHandle<()>>) {
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.unwrap();
    }
}

/// Ids the upstream received more than once.
fn sent_twice(up: &FakeUpstream) -> Vec<String> {
    let by_id = up.seen.by_id.lock().unwrap();
    by_id
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(id, n)| format!("{id} x{n}"))
        .collect()
}

fn replicas_log(a: &Bridge, b: &Bridge) -> String {
    format!("replica a:\n{}\nreplica b:\n{}", a.log(), b.log())
}

fn binary() -> PathBuf {
    std::env::var_os("SOAPBRIDGE_RELEASE_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_soapbridge")))
}

fn start(site: &Site) -> Bridge {
    Bridge::start_binary(site, Path::new(&binary()))
}

/// SIGTERM to a replica, then its exit code once it has drained and stopped (waited for on a
/// blocking thread, so that the clients on this runtime go on meanwhile).
async fn drain(bridge: Bridge) -> (Option<i32>, Bridge) {
    bridge.signal("TERM");
    actix_web::rt::task::spawn_blocking(move || {
        let mut bridge = bridge;
        (bridge.wait_exit(Duration::from_secs(20)), bridge)
    })
    .await
    .unwrap()
}

/// [`start`] on a blocking thread, so that the clients on this runtime go on meanwhile.
async fn start_off_thread(site: &Site) -> Bridge {
    let (dir, port) = (site.dir.path().to_path_buf(), site.port);
    actix_web::rt::task::spawn_blocking(move || Bridge::start_in(&dir, port, Path::new(&binary())))
        .await
        .unwrap()
}

#[actix_web::test]
#[ignore = "needs SOAPBRIDGE_SCALE_OUT (nginx and redis-server installed; .ci/run installs them)"]
async fn the_rate_limit_holds_across_replicas_behind_a_balancer() {
    let redis = Redis::start();
    let up = FakeUpstream::start();
    let s = settings(&redis, 6);
    let [sa, sb] = replicas(&s, &up, "GET /items/{id}", true);
    let (a, b) = (start(&sa), start(&sb));
    ready(&sa).await;
    ready(&sb).await;
    let nginx = Nginx::start(&[sa.port, sb.port]);
    let c = client();
    let mut statuses = Vec::new();
    for n in 0..14 {
        let r = c
            .get(format!("{}/items/{n}", nginx.base()))
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
        if r.status() == 429 {
            assert!(r.headers().contains_key("retry-after"));
        }
    }
    // One budget of 6 for the one client, whichever replica answers.
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        6,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        8,
        "{statuses:?}"
    );
    assert_eq!(&statuses[..6], &[200; 6], "{statuses:?}");
    // Redis answered every decision (a replica that could not reach it in time would have
    // counted alone), and both replicas served (round robin): the budget really was shared.
    for site in [&sa, &sb] {
        let text = c
            .get(format!("{}/metrics", site.base()))
            .send()
            .await
            .unwrap()
            .body()
            .await
            .unwrap();
        let text = String::from_utf8_lossy(&text);
        assert!(
            !text.contains("soapbridge_rate_limit_redis_fallback_total "),
            "{text}"
        );
    }
    for (name, bridge) in [("a", &a), ("b", &b)] {
        assert!(
            bridge.log().contains("/items/"),
            "replica {name} served nothing: {}",
            replicas_log(&a, &b)
        );
    }
}

#[actix_web::test]
#[ignore = "needs SOAPBRIDGE_SCALE_OUT (nginx and redis-server installed; .ci/run installs them)"]
async fn a_replica_drained_under_load_loses_nothing() {
    let redis = Redis::start();
    let up = FakeUpstream::start();
    up.seen.delay_ms.store(5, Ordering::SeqCst);
    let s = settings(&redis, 1_000_000);
    let [sa, sb] = replicas(&s, &up, "GET /items/{id}", true);
    let (a, b) = (start(&sa), start(&sb));
    ready(&sa).await;
    ready(&sb).await;
    let nginx = Nginx::start(&[sa.port, sb.port]);
    let (stop, outcome) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(Outcome::default()),
    );
    let tasks = load(nginx.base(), "GET", stop.clone(), outcome.clone());
    actix_web::rt::time::sleep(Duration::from_millis(1000)).await;
    let before = outcome.ok.load(Ordering::Relaxed);
    let (code, a) = drain(a).await;
    actix_web::rt::time::sleep(Duration::from_millis(1000)).await;
    finish(&stop, tasks).await;
    let (ok, failed) = (
        outcome.ok.load(Ordering::Relaxed),
        outcome.failed.load(Ordering::Relaxed),
    );
    eprintln!("drain under load: {ok} answers, {failed} failed");
    assert_eq!(code, Some(0), "{}", replicas_log(&a, &b));
    assert_eq!(
        failed,
        0,
        "{:?}\n{}",
        outcome.first_failures.lock().unwrap(),
        replicas_log(&a, &b)
    );
    assert!(
        before > 0 && ok > before,
        "the load went on: {before} then {ok}"
    );
}

#[actix_web::test]
#[ignore = "needs SOAPBRIDGE_SCALE_OUT (nginx and redis-server installed; .ci/run installs them)"]
async fn a_killed_replica_loses_only_its_in_flight_calls_and_none_is_sent_twice() {
    let redis = Redis::start();
    let up = FakeUpstream::start();
    // Slow answers: every client has a call in flight most of the time.
    up.seen.delay_ms.store(50, Ordering::SeqCst);
    let s = settings(&redis, 1_000_000);
    let [sa, sb] = replicas(&s, &up, "POST /items/{id}", false);
    let (mut a, b) = (start(&sa), start(&sb));
    ready(&sa).await;
    ready(&sb).await;
    let nginx = Nginx::start(&[sa.port, sb.port]);
    let (stop, outcome) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(Outcome::default()),
    );
    let tasks = load(nginx.base(), "POST", stop.clone(), outcome.clone());
    actix_web::rt::time::sleep(Duration::from_millis(1000)).await;
    let before = outcome.ok.load(Ordering::Relaxed);
    a.child.kill().unwrap();
    a.child.wait().unwrap();
    actix_web::rt::time::sleep(Duration::from_millis(1500)).await;
    finish(&stop, tasks).await;
    let (ok, failed) = (
        outcome.ok.load(Ordering::Relaxed),
        outcome.failed.load(Ordering::Relaxed),
    );
    eprintln!("kill under load: {ok} answers, {failed} failed");
    // Each client has at most one call in flight, so at most CLIENTS calls were on the killed
    // replica; every later call went to the other one.
    assert!(
        failed <= CLIENTS,
        "{failed} lost: {:?}",
        outcome.first_failures.lock().unwrap()
    );
    assert!(ok > before, "the load went on");
    let twice = sent_twice(&up);
    assert!(
        twice.is_empty(),
        "sent twice: {twice:?}\n{}",
        replicas_log(&a, &b)
    );
}

#[actix_web::test]
#[ignore = "needs SOAPBRIDGE_SCALE_OUT (nginx and redis-server installed; .ci/run installs them)"]
async fn a_rolling_restart_loses_nothing() {
    let redis = Redis::start();
    let up = FakeUpstream::start();
    up.seen.delay_ms.store(5, Ordering::SeqCst);
    let s = settings(&redis, 1_000_000);
    let sites = replicas(&s, &up, "GET /items/{id}", true);
    let ports = [sites[0].port, sites[1].port];
    let mut bridges: Vec<Bridge> = sites.iter().map(start).collect();
    for site in &sites {
        ready(site).await;
    }
    let nginx = Nginx::start(&ports);
    let (stop, outcome) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(Outcome::default()),
    );
    let tasks = load(nginx.base(), "GET", stop.clone(), outcome.clone());
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    for (i, site) in sites.iter().enumerate() {
        // Drained (its new calls get 503 and nginx passes them on to the other replica, its
        // calls in flight finish), replaced by a new process of the same set.
        let (code, old) = drain(bridges.remove(i)).await;
        assert_eq!(code, Some(0), "{}", old.log());
        // Started off the runtime's thread: the load goes on meanwhile.
        bridges.insert(i, start_off_thread(site).await);
        ready(site).await;
        actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    }
    finish(&stop, tasks).await;
    let (ok, failed) = (
        outcome.ok.load(Ordering::Relaxed),
        outcome.failed.load(Ordering::Relaxed),
    );
    eprintln!("rolling restart under load: {ok} answers, {failed} failed");
    assert_eq!(
        failed,
        0,
        "{:?}\n{}",
        outcome.first_failures.lock().unwrap(),
        replicas_log(&bridges[0], &bridges[1])
    );
    assert!(ok > 0);
    assert!(sent_twice(&up).is_empty());
}
