//! `soapbridge fetch` against a loopback HTTP server serving a WCF-style WSDL in five documents
//! (`tests/fetch/wcf`): every document fetched unchanged under a readable name with a catalog, so
//! that `generate` and `check` then work offline (the server stopped); and the bounds:
//! documents, bytes per document and in all, redirects (followed, too many, a loop), time,
//! http/https only, a folder that already holds files, with the exit statuses the README gives.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};

/// The loopback server: the fixture documents with `{BASE}` made its address, and the hostile
/// answers the bounds are tested with. Stopped when dropped.
struct Server {
    base: String,
    handle: actix_web::dev::ServerHandle,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        let _ = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(handle.stop(false));
        })
        .join();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn fixture(name: &str) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fetch/wcf");
    std::fs::read_to_string(dir.join(name)).unwrap()
}

/// What the server answers for a path and query (`None`: 404).
fn answer(base: &str, path: &str, query: &str) -> Option<HttpResponse> {
    let doc = |name: &str| {
        Some(
            HttpResponse::Ok()
                .content_type("text/xml; charset=utf-8")
                .body(fixture(name).replace("{BASE}", base)),
        )
    };
    let redirect = |to: &str| {
        Some(
            HttpResponse::Found()
                .insert_header(("Location", to.to_string()))
                .finish(),
        )
    };
    match (path, query) {
        ("/Service.svc", "wsdl") => doc("service.wsdl"),
        ("/Service.svc", "wsdl=wsdl0") => doc("wsdl0.wsdl"),
        ("/Service.svc", "xsd=xsd0") => doc("xsd0.xsd"),
        ("/Service.svc", "xsd=xsd1") => doc("xsd1.xsd"),
        ("/types/common.xsd", "") => doc("common.xsd"),
        ("/moved", "") => redirect("/Service.svc?wsdl"),
        ("/loop/a", "") => redirect("/loop/b"),
        ("/loop/b", "") => redirect("/loop/a"),
        ("/big.xsd", "") => Some(HttpResponse::Ok().body(format!(
            "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\"><!--{}--></xs:schema>",
            "x".repeat(4000)
        ))),
        ("/imports-big.wsdl", "") => Some(HttpResponse::Ok().body(format!(
            r#"<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:xs="http://www.w3.org/2001/XMLSchema"><types><xs:schema><xs:import namespace="urn:big" schemaLocation="{base}/big.xsd"/></xs:schema></types></definitions>"#
        ))),
        ("/imports-elsewhere.wsdl", "") => Some(HttpResponse::Ok().body(format!(
            r#"<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"><import namespace="urn:a" location="{base}/missing.wsdl"/><import namespace="urn:b" location="file:///etc/passwd"/><import namespace="urn:c" location="{base}/Service.svc?wsdl"/></definitions>"#
        ))),
        _ => None,
    }
}

async fn handler(req: HttpRequest) -> HttpResponse {
    let base = format!("http://{}", req.connection_info().host());
    if req.path() == "/slow" {
        actix_web::rt::time::sleep(Duration::from_secs(30)).await;
    }
    answer(&base, req.path(), req.query_string())
        .unwrap_or_else(|| HttpResponse::NotFound().finish())
}

fn serve() -> Server {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let thread = std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = HttpServer::new(|| App::new().default_service(web::to(handler)))
                .workers(1)
                .listen(listener)
                .unwrap()
                .run();
            tx.send(server.handle()).unwrap();
            let _ = server.await;
        });
    });
    let handle = rx.recv().unwrap();
    Server {
        base: format!("http://{addr}"),
        handle,
        thread: Some(thread),
    }
}

fn soapbridge(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_soapbridge"))
        .args(args)
        .current_dir(dir)
        .env("NO_PROXY", "*")
        .output()
        .unwrap()
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn a_wcf_style_wsdl_is_fetched_whole_and_generates_offline() {
    let tmp = tempfile::tempdir().unwrap();
    let server = serve();
    let base = server.base.clone();
    let url = format!("{base}/Service.svc?wsdl");
    let o = soapbridge(tmp.path(), &["fetch", &url]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    // Served at the URL's name: wsdl/Service/.
    let dir = tmp.path().join("wsdl/Service");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "Service.wsdl",
            "Service.wsdl0.wsdl",
            "Service.xsd0.xsd",
            "Service.xsd1.xsd",
            "catalog.txt",
            "common.xsd"
        ]
    );
    // Unchanged: byte for byte what the server sent.
    for (file, fixture_name) in [
        ("Service.wsdl", "service.wsdl"),
        ("Service.wsdl0.wsdl", "wsdl0.wsdl"),
        ("Service.xsd0.xsd", "xsd0.xsd"),
        ("Service.xsd1.xsd", "xsd1.xsd"),
        ("common.xsd", "common.xsd"),
    ] {
        let got = std::fs::read_to_string(dir.join(file)).unwrap();
        assert_eq!(
            got,
            fixture(fixture_name).replace("{BASE}", &base),
            "{file}"
        );
    }
    let catalog = std::fs::read_to_string(dir.join("catalog.txt")).unwrap();
    for line in [
        format!("{base}/Service.svc?wsdl = Service.wsdl"),
        format!("{base}/Service.svc?wsdl=wsdl0 = Service.wsdl0.wsdl"),
        format!("{base}/Service.svc?xsd=xsd0 = Service.xsd0.xsd"),
        format!("{base}/Service.svc?xsd=xsd1 = Service.xsd1.xsd"),
        "types/common.xsd = common.xsd".to_string(),
    ] {
        assert!(
            catalog.lines().any(|l| l == line),
            "{line} not in\n{catalog}"
        );
    }
    assert!(out.contains("fetched 5 documents"), "{out}");
    assert!(
        out.contains(
            "next: soapbridge generate wsdl/Service/Service.wsdl --catalog wsdl/Service/catalog.txt"
        ),
        "{out}"
    );
    // Offline from here on.
    drop(server);
    let g = soapbridge(
        tmp.path(),
        &[
            "generate",
            "wsdl/Service/Service.wsdl",
            "--catalog",
            "wsdl/Service/catalog.txt",
            "-o",
            "orders.yaml",
        ],
    );
    assert_eq!(g.status.code(), Some(0), "{:?}", text(&g));
    let c = soapbridge(tmp.path(), &["check", "orders.yaml"]);
    assert_eq!(c.status.code(), Some(0), "{:?}", text(&c));
    // Fetching into the same folder again is refused without --force.
    let again = soapbridge(tmp.path(), &["fetch", &url]);
    let (_, err) = text(&again);
    assert_eq!(again.status.code(), Some(2), "{err}");
    assert!(err.contains("already holds files"), "{err}");
}

#[test]
fn redirects_are_followed_within_bounds_and_loops_stop() {
    let tmp = tempfile::tempdir().unwrap();
    let server = serve();
    let moved = format!("{}/moved", server.base);
    let o = soapbridge(tmp.path(), &["fetch", &moved, "-o", "a"]);
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    assert!(tmp.path().join("a/moved.wsdl").is_file());
    assert!(tmp.path().join("a/Service.wsdl0.wsdl").is_file());

    let o = soapbridge(
        tmp.path(),
        &["fetch", &moved, "-o", "b", "--max-redirects", "0"],
    );
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("redirects more than 0 times"), "{err}");

    let looping = format!("{}/loop/a", server.base);
    let o = soapbridge(tmp.path(), &["fetch", &looping, "-o", "c"]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("redirects in a loop"), "{err}");
    assert!(!tmp.path().join("c").exists());
}

#[test]
fn documents_bytes_and_time_are_bounded() {
    let tmp = tempfile::tempdir().unwrap();
    let server = serve();
    let url = format!("{}/Service.svc?wsdl", server.base);
    // Documents: the WSDL names one, which names two more.
    let o = soapbridge(
        tmp.path(),
        &["fetch", &url, "-o", "d", "--max-documents", "2"],
    );
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}\n{err}");
    assert!(err.contains("more than 2 documents are named"), "{err}");
    assert!(out.contains("fetched 2 documents"), "{out}");

    // Bytes per document: the WSDL is fetched, the schema it imports is too large.
    let big = format!("{}/imports-big.wsdl", server.base);
    let o = soapbridge(
        tmp.path(),
        &["fetch", &big, "-o", "e", "--max-document-bytes", "1000"],
    );
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("big.xsd is larger than the limit of 1000 bytes per document"),
        "{err}"
    );
    assert!(err.contains("named by"), "{err}");

    // Bytes in all.
    let o = soapbridge(
        tmp.path(),
        &["fetch", &url, "-o", "f", "--max-total-bytes", "2000"],
    );
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("pass the limit of 2000 bytes in all"), "{err}");

    // Time: a server that does not answer.
    let slow = format!("{}/slow", server.base);
    let started = std::time::Instant::now();
    let o = soapbridge(tmp.path(), &["fetch", &slow, "-o", "g", "--timeout", "1"]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("took longer than 1 s"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn only_http_and_https_and_every_problem_is_said() {
    let tmp = tempfile::tempdir().unwrap();
    let server = serve();
    let o = soapbridge(tmp.path(), &["fetch", "ftp://example.com/s.wsdl"]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("is not an http or https URL"), "{err}");

    let o = soapbridge(tmp.path(), &["fetch", "not a url"]);
    assert_eq!(o.status.code(), Some(2));

    // The entry answers 404: nothing is written.
    let missing = format!("{}/nothing.wsdl", server.base);
    let o = soapbridge(tmp.path(), &["fetch", &missing, "-o", "h"]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("answered HTTP 404"), "{err}");
    assert!(!tmp.path().join("h").exists());

    // A WSDL naming a missing document, a file: URL and a good one: both problems said, the
    // rest fetched and catalogued.
    let mixed = format!("{}/imports-elsewhere.wsdl", server.base);
    let o = soapbridge(tmp.path(), &["fetch", &mixed, "-o", "i"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}\n{err}");
    assert!(err.contains("missing.wsdl answered HTTP 404"), "{err}");
    assert!(
        err.contains("`file:///etc/passwd` is not an http or https URL"),
        "{err}"
    );
    assert!(out.contains("fetched 6 documents"), "{out}");
    let catalog = std::fs::read_to_string(tmp.path().join("i/catalog.txt")).unwrap();
    assert!(!catalog.contains("missing.wsdl"), "{catalog}");
    assert!(!catalog.contains("passwd"), "{catalog}");
}
