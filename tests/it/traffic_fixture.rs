//! The real parts the traffic tests use, on 127.0.0.1: a SOAP upstream (actix, keep-alive, in
//! its own thread) that answers `GetItem` with the id it was asked for, counts every request by
//! id, can be slowed down, stopped and started again on the same port; a folder with settings
//! and a mapping of `tests/upstream/service.wsdl`; the `soapbridge` binary serving that folder,
//! its log kept; a `redis-server`; and a client.

use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpResponse, HttpServer, web};

/// What the upstream saw and how it behaves.
#[derive(Default)]
pub struct Seen {
    /// Requests per item id.
    pub by_id: Mutex<HashMap<String, usize>>,
    /// Milliseconds each answer waits.
    pub delay_ms: AtomicU64,
    /// Requests being answered now, and the most at once.
    pub in_flight: AtomicU64,
    pub max_in_flight: AtomicU64,
}

impl Seen {
    pub fn total(&self) -> usize {
        self.by_id.lock().unwrap().values().sum()
    }

    pub fn count(&self, id: &str) -> usize {
        self.by_id.lock().unwrap().get(id).copied().unwrap_or(0)
    }
}

/// The upstream: running while `handle` is `Some`.
pub struct FakeUpstream {
    pub port: u16,
    pub seen: Arc<Seen>,
    handle: Option<ServerHandle>,
}

impl FakeUpstream {
    /// Starts on a free port.
    pub fn start() -> FakeUpstream {
        let port = free_port();
        let mut u = FakeUpstream {
            port,
            seen: Arc::new(Seen::default()),
            handle: None,
        };
        u.restart();
        u
    }

    /// (Re)starts on its port, with the same record.
    pub fn restart(&mut self) {
        let (tx, rx) = std::sync::mpsc::channel();
        let (port, seen) = (self.port, self.seen.clone());
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = HttpServer::new(move || {
                    let seen = seen.clone();
                    App::new()
                        .app_data(web::PayloadConfig::new(1 << 20))
                        .default_service(web::to(move |body: web::Bytes| {
                            let seen = seen.clone();
                            async move { answer(&seen, &body).await }
                        }))
                })
                .workers(2)
                .disable_signals()
                .shutdown_timeout(0)
                .bind(("127.0.0.1", port))
                .unwrap()
                .run();
                tx.send(server.handle()).unwrap();
                let _ = server.await;
            });
        });
        self.handle = Some(rx.recv().unwrap());
    }

    /// Stops at once: connections are dropped, the port refuses.
    pub async fn stop(&mut self) {
        if let Some(h) = self.handle.take() {
            h.stop(false).await;
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/svc", self.port)
    }
}

async fn answer(seen: &Seen, body: &[u8]) -> HttpResponse {
    let text = String::from_utf8_lossy(body);
    let id = text
        .split("itemId>")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap_or("")
        .to_string();
    *seen.by_id.lock().unwrap().entry(id.clone()).or_default() += 1;
    let now = seen.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    seen.max_in_flight.fetch_max(now, Ordering::SeqCst);
    let delay = seen.delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        actix_web::rt::time::sleep(Duration::from_millis(delay)).await;
    }
    seen.in_flight.fetch_sub(1, Ordering::SeqCst);
    HttpResponse::Ok().content_type("text/xml; charset=utf-8").body(format!(
        "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><GetItemResponse xmlns=\"urn:test\"><GetItemResult>item-{id}</GetItemResult></GetItemResponse></soap:Body></soap:Envelope>"
    ))
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A `redis-server` on a free port, stopped when dropped.
pub struct Redis {
    child: std::process::Child,
    pub port: u16,
}

impl Redis {
    pub fn start() -> Redis {
        let port = free_port();
        let child = std::process::Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server (Debian's redis-server package) is installed");
        let started = std::time::Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "redis did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Redis { child, port }
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A folder with `soapbridge.yaml` and `mappings/mapping.yaml`.
pub struct Site {
    pub dir: tempfile::TempDir,
    pub port: u16,
}

impl Site {
    /// Settings (`listen:` and `mappings:` added) and one mapping routing `GetItem` at `route`
    /// (e.g. `GET /items/{id}`), idempotent or not.
    pub fn new(settings: &str, upstream: &str, route: &str, idempotent: bool) -> Site {
        let site = Site {
            dir: tempfile::tempdir().unwrap(),
            port: free_port(),
        };
        std::fs::create_dir(site.dir.path().join("mappings")).unwrap();
        site.settings(settings);
        site.mapping(upstream, route, idempotent);
        site
    }

    pub fn settings(&self, text: &str) {
        let all = format!(
            "listen: 127.0.0.1:{}\nmappings: {}\n{text}\n",
            self.port,
            self.dir.path().join("mappings").display()
        );
        std::fs::write(self.settings_file(), all).unwrap();
    }

    pub fn settings_file(&self) -> PathBuf {
        self.dir.path().join("soapbridge.yaml")
    }

    /// Writes the mapping (in one rename, as editors and deploy tools do).
    pub fn mapping(&self, upstream: &str, route: &str, idempotent: bool) {
        let text = format!(
            "wsdl: {}\nupstream:\n  url: {upstream}\n  timeout: 5s\noperations:\n  GetItem:\n    route: {route}\n    idempotent: {idempotent}\n    request: {{ itemId: path.id }}\n    response: getItemResult\n",
            super::upstream_fixture::wsdl().display()
        );
        self.write_mapping(&text);
    }

    /// Writes `text` as the mapping.
    pub fn write_mapping(&self, text: &str) {
        let tmp = self.dir.path().join("mapping.tmp");
        std::fs::write(&tmp, text).unwrap();
        std::fs::rename(&tmp, self.dir.path().join("mappings/mapping.yaml")).unwrap();
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// The binary serving a site; its log (stderr) kept; killed when dropped.
pub struct Bridge {
    pub child: std::process::Child,
    pub log: Arc<Mutex<String>>,
}

impl Bridge {
    pub fn start(site: &Site) -> Bridge {
        Bridge::start_binary(site, std::path::Path::new(env!("CARGO_BIN_EXE_soapbridge")))
    }

    /// The given `soapbridge` binary (e.g. a release build) serving a site.
    pub fn start_binary(site: &Site, binary: &std::path::Path) -> Bridge {
        Bridge::start_in(site.dir.path(), site.port, binary)
    }

    /// The given binary serving the site in `dir` (its `soapbridge.yaml`) on `port`.
    pub fn start_in(dir: &std::path::Path, port: u16, binary: &std::path::Path) -> Bridge {
        let mut child = std::process::Command::new(binary)
            .arg("serve")
            .arg("--config")
            .arg(dir.join("soapbridge.yaml"))
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .env("SOAPBRIDGE_LOG", "info")
            .env_remove("SOAPBRIDGE_LISTEN")
            .env_remove("SOAPBRIDGE_MAPPINGS")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let mut stderr = child.stderr.take().unwrap();
        let sink = log.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let bridge = Bridge { child, log };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "the bridge did not start: {}",
                bridge.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        bridge
    }

    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Sends a signal (`TERM`, `INT`, `HUP`) with kill(1).
    pub fn signal(&self, name: &str) {
        let ok = std::process::Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -{name} failed");
    }

    /// Waits for the exit (at most `limit`); its code.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<i32> {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            assert!(
                started.elapsed() < limit,
                "the bridge did not exit: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The bridge in this process for a site (its settings file read as `serve` reads it), on a
/// free port; returns the served set and the base URL.
pub async fn start_in_process(site: &Site) -> (Arc<soapbridge::http::Live>, String) {
    let source = soapbridge::config::Source {
        file: Some(site.settings_file()),
        ..Default::default()
    };
    let (live, _reloader) = soapbridge::http::Reloader::start(source)
        .await
        .expect("the set loads");
    let app_live = live.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = HttpServer::new(move || {
        App::new().configure(soapbridge::http::configure_live(app_live.clone()))
    })
    .workers(2)
    .disable_signals()
    .listen(listener)
    .unwrap()
    .run();
    actix_web::rt::spawn(server);
    (live, base)
}

/// A response: status, headers (lower-case names), body.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// `GET url` with `client`; `None` when no answer came (connection refused or reset).
pub async fn get(client: &awc::Client, url: &str) -> Option<Answer> {
    get_with(client, url, &[]).await
}

/// `GET url` with extra headers.
pub async fn get_with(client: &awc::Client, url: &str, headers: &[(&str, &str)]) -> Option<Answer> {
    let mut req = client.get(url);
    for (n, v) in headers {
        req = req.insert_header((*n, *v));
    }
    let mut resp = req.send().await.ok()?;
    let status = resp.status().as_u16();
    let headers = resp
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let body = resp.body().limit(1 << 20).await.ok()?;
    Some(Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

/// A client with a generous timeout.
pub fn client() -> awc::Client {
    awc::Client::builder()
        .timeout(Duration::from_secs(30))
        .finish()
}
