//! The observability stack's cost: the same requests through the bridge with everything on
//! (metrics, request ids and trace context, the request span, JSON access log sampled at 1%,
//! tracing without an exporter) and with everything off (`metrics: false`, no access log, the
//! log filtered off). Both bridges call the same in-process mock over loopback; each iteration
//! sends 16 requests at once. Target: "on" within 10% of "off" in throughput (README:
//! Operations).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use soapbridge::config::{Config, LogFormat, LogSettings};
use soapbridge::http::{State, configure, load_services, start_mock};
use soapbridge::mock::Mock;
use soapbridge::upstream::{Auth, Target};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

const BATCH: usize = 16;

/// Starts a server on its own thread and runtime; returns its address.
fn spawn<F>(make: F) -> std::net::SocketAddr
where
    F: FnOnce() -> (actix_web::dev::Server, std::net::SocketAddr) + Send + 'static,
{
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let (server, addr) = make();
            tx.send(addr).unwrap();
            server.await.unwrap();
        })
    });
    rx.recv().unwrap()
}

fn bridge(config: Config, upstream: String) -> std::net::SocketAddr {
    spawn(move || {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("mappings");
        let service = load_services(&dir).unwrap().remove(0);
        let target = Target::new(
            upstream,
            Auth::None,
            Duration::from_secs(5),
            Duration::from_secs(2),
        );
        let state = Arc::new(State::new(config, vec![service], vec![Some(target)]));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = actix_web::HttpServer::new(move || {
            actix_web::App::new().configure(configure(state.clone()))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .unwrap()
        .run();
        (server, addr)
    })
}

fn bench_observe(c: &mut Criterion) {
    // The log as `log.format: json` writes it, into a sink through the same non-blocking
    // writer; its filter switched between the runs.
    let (writer, _guard) = tracing_appender::non_blocking(std::io::sink());
    let (filter, handle) = tracing_subscriber::reload::Layer::new(EnvFilter::new("off"));
    tracing_subscriber::registry()
        .with(filter)
        .with(
            tracing_subscriber::fmt::layer()
                .json()
                .flatten_event(true)
                .with_current_span(true)
                .with_span_list(false)
                .with_writer(writer),
        )
        .init();
    let upstream = spawn(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("mappings");
        let service = load_services(&dir).unwrap().remove(0);
        start_mock(Mock::new(service), "127.0.0.1:0").unwrap()
    });
    let upstream = format!("http://{upstream}/mock");
    let off = Config {
        metrics: false,
        log: LogSettings {
            access_log: false,
            ..LogSettings::default()
        },
        ..Config::default()
    };
    let on = Config {
        log: LogSettings {
            format: LogFormat::Json,
            access_log: true,
            access_sample: 0.01,
        },
        ..Config::default()
    };
    let bridges = [
        ("off", bridge(off, upstream.clone()), "off"),
        ("on", bridge(on, upstream), "info"),
    ];
    let rt = actix_web::rt::System::new();
    let client = rt.block_on(async { awc::Client::default() });
    let mut group = c.benchmark_group("observability");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.sample_size(30);
    for (name, addr, level) in bridges {
        handle.reload(EnvFilter::new(level)).unwrap();
        let url = format!("http://{addr}/api/customer/customers/7");
        group.bench_function(name, |b| {
            b.iter(|| {
                rt.block_on(async {
                    let calls = (0..BATCH).map(|_| async {
                        let mut r = client.get(&url).send().await.unwrap();
                        assert_eq!(r.status(), 200);
                        r.body().await.unwrap();
                    });
                    futures_util::future::join_all(calls).await;
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_observe);
criterion_main!(benches);
