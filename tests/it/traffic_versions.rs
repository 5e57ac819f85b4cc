//! Versions side by side: two mappings of one service under `/api/v1` and `/api/v2`, the first
//! deprecated (`Deprecation`, `Sunset`, `Link` on its answers, `deprecated` in OpenAPI, calls
//! counted); a `deprecated:` that cannot be honoured is a located error.

use serde_json::Value;

use super::traffic_fixture::{FakeUpstream, Site, client, get, start_in_process};

fn mapping(base: &str, deprecated: &str, url: &str) -> String {
    format!(
        "wsdl: {}\nbase_path: {base}\n{deprecated}upstream:\n  url: {url}\noperations:\n  GetItem:\n    route: GET /items/{{id}}\n    request: {{ itemId: path.id }}\n    response: getItemResult\n",
        super::upstream_fixture::wsdl().display()
    )
}

#[actix_web::test]
async fn two_versions_side_by_side_one_deprecated() {
    let up = FakeUpstream::start();
    let site = Site::new(
        "reload: { watch: false }",
        &up.url(),
        "GET /unused/{id}",
        true,
    );
    site.write_mapping(&mapping(
        "/api/v1",
        "deprecated: { since: 2026-01-01, sunset: 2027-06-30, link: \"https://example.com/v2\" }\n",
        &up.url(),
    ));
    std::fs::write(
        site.dir.path().join("mappings/v2.yaml"),
        mapping("/api/v2", "", &up.url()),
    )
    .unwrap();
    let (_live, base) = start_in_process(&site).await;
    let c = client();
    let route = "GET /api/v1/items/{id}";
    let before = soapbridge::traffic::counters::value("soapbridge_deprecated_calls_total", route);

    let v1 = get(&c, &format!("{base}/api/v1/items/7")).await.unwrap();
    assert_eq!((v1.status, v1.body.as_str()), (200, "\"item-7\""));
    assert_eq!(v1.header("deprecation"), Some("@1767225600"));
    assert_eq!(v1.header("sunset"), Some("Wed, 30 Jun 2027 00:00:00 GMT"));
    assert_eq!(
        v1.header("link"),
        Some("<https://example.com/v2>; rel=\"deprecation\"; type=\"text/html\"")
    );
    let v2 = get(&c, &format!("{base}/api/v2/items/7")).await.unwrap();
    assert_eq!((v2.status, v2.body.as_str()), (200, "\"item-7\""));
    assert_eq!(v2.header("deprecation"), None);
    assert_eq!(v2.header("sunset"), None);
    let after = soapbridge::traffic::counters::value("soapbridge_deprecated_calls_total", route);
    assert_eq!(after, before + 1);

    let doc: Value =
        serde_json::from_str(&get(&c, &format!("{base}/openapi.json")).await.unwrap().body)
            .unwrap();
    assert_eq!(
        doc["paths"]["/api/v1/items/{id}"]["get"]["deprecated"],
        true
    );
    assert_eq!(
        doc["paths"]["/api/v2/items/{id}"]["get"].get("deprecated"),
        None
    );
}

#[test]
fn a_deprecation_that_cannot_be_honoured_is_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mapping.yaml");
    std::fs::write(
        &file,
        mapping(
            "/api/v1",
            "deprecated: { sunset: 30.06.2027, link: \"ftp://example.com\" }\n",
            "http://127.0.0.1:9/",
        ),
    )
    .unwrap();
    let err = soapbridge::mapping::compile_file(&file)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("mapping.yaml:3:") && err.contains("`30.06.2027` is not a date"),
        "{err}"
    );
    assert!(
        err.contains("`ftp://example.com` is not an http(s) URL"),
        "{err}"
    );
}
