//! The route table as clients meet it: one trailing slash is the same route (no redirect), two
//! are not; a parameter is one non-empty segment; 405 with `Allow`, OPTIONS and HEAD on a
//! path with a trailing slash as without; the built-in pages redirect (308) to their path
//! without the slash; `/` points at the documents (JSON, or a page for a browser). Served
//! in-process over this suite's own copy of the sample mapping, its built-in mock upstream.

use actix_web::http::header;
use actix_web::test::{self, TestRequest};
use actix_web::{App, body::MessageBody};

use soapbridge::http::configure;

#[actix_web::test]
async fn trailing_slash_root_and_builtin_pages() {
    let state = crate::state_over_mock("tests/observe/mappings");
    let app = test::init_service(App::new().configure(configure(state))).await;
    let send = |method: &str, uri: &str| {
        TestRequest::default()
            .method(method.parse().unwrap())
            .uri(uri)
            .to_request()
    };

    // One trailing slash: the same route, the same answer.
    let plain = test::call_service(&app, send("GET", "/api/customer/customers/42")).await;
    assert_eq!(plain.status(), 200);
    let plain = plain.into_body().try_into_bytes().unwrap();
    let slash = test::call_service(&app, send("GET", "/api/customer/customers/42/")).await;
    assert_eq!(slash.status(), 200);
    assert_eq!(slash.into_body().try_into_bytes().unwrap(), plain);
    let head = test::call_service(&app, send("HEAD", "/api/customer/customers/42/")).await;
    assert_eq!(head.status(), 200);
    // Not two, and a parameter is never empty.
    for uri in [
        "/api/customer/customers/42//",
        "/api/customer/customers//",
        "/api/customer/orders//",
    ] {
        let r = test::call_service(&app, send("GET", uri)).await;
        assert_eq!(r.status(), 404, "{uri}");
    }
    // Other methods: 405 with Allow, OPTIONS 204 with Allow, slash or not.
    for uri in ["/api/customer/orders/7", "/api/customer/orders/7/"] {
        let r = test::call_service(&app, send("DELETE", uri)).await;
        assert_eq!(r.status(), 405, "{uri}");
        assert_eq!(
            r.headers().get(header::ALLOW).unwrap(),
            "GET, HEAD, OPTIONS"
        );
        let r = test::call_service(&app, send("OPTIONS", uri)).await;
        assert_eq!(r.status(), 204, "{uri}");
        assert_eq!(
            r.headers().get(header::ALLOW).unwrap(),
            "GET, HEAD, OPTIONS"
        );
    }

    // The built-in pages redirect to their own path, query kept.
    for (uri, to) in [
        ("/docs/", "/docs"),
        ("/openapi.json/?x=1", "/openapi.json?x=1"),
        ("/livez/", "/livez"),
    ] {
        let r = test::call_service(&app, send("GET", uri)).await;
        assert_eq!(r.status(), 308, "{uri}");
        assert_eq!(r.headers().get(header::LOCATION).unwrap(), to);
    }

    // `/`: links, as JSON for a program and as a page for a browser.
    let r = test::call_service(&app, send("GET", "/")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers().get(header::CONTENT_TYPE).unwrap(),
        "application/json"
    );
    assert!(
        r.headers()
            .get(header::LINK)
            .unwrap()
            .to_str()
            .unwrap()
            .contains("</docs>; rel=\"service-doc\""),
    );
    let body: serde_json::Value =
        serde_json::from_slice(&r.into_body().try_into_bytes().unwrap()).unwrap();
    assert_eq!(body["docs"], "/docs");
    assert_eq!(body["openapi"], "/openapi.json");
    let page = TestRequest::get()
        .uri("/")
        .insert_header((header::ACCEPT, "text/html,application/xhtml+xml,*/*;q=0.8"))
        .to_request();
    let r = test::call_service(&app, page).await;
    assert_eq!(r.status(), 200);
    let html = String::from_utf8(r.into_body().try_into_bytes().unwrap().to_vec()).unwrap();
    assert!(html.contains("href=\"/docs\"") && html.contains("href=\"/openapi.json\""));
    let r = test::call_service(&app, send("POST", "/")).await;
    assert_eq!(r.status(), 404, "only GET and HEAD");
}
