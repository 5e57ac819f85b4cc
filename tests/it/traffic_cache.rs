//! The answer cache: off by default; when on, an idempotent GET route's answer is served again
//! (with `Age`) without calling the upstream, the client's `Cache-Control` is honoured, and a
//! route not marked idempotent is never cached.

use super::traffic_fixture::{FakeUpstream, Site, client, get, get_with, start_in_process};

#[actix_web::test]
async fn off_by_default() {
    let up = FakeUpstream::start();
    let site = Site::new(
        "reload: { watch: false }",
        &up.url(),
        "GET /items/{id}",
        true,
    );
    let (_live, base) = start_in_process(&site).await;
    for _ in 0..3 {
        assert_eq!(
            get(&client(), &format!("{base}/items/5"))
                .await
                .unwrap()
                .status,
            200
        );
    }
    assert_eq!(up.seen.count("5"), 3);
}

#[actix_web::test]
async fn idempotent_get_answers_are_kept_and_cache_control_is_honoured() {
    let up = FakeUpstream::start();
    let site = Site::new(
        "reload: { watch: false }\ncache: { enabled: true, ttl_seconds: 30 }",
        &up.url(),
        "GET /items/{id}",
        true,
    );
    let (_live, base) = start_in_process(&site).await;
    let c = client();
    let url = format!("{base}/items/5");
    let first = get(&c, &url).await.unwrap();
    assert_eq!((first.status, first.header("age")), (200, None));
    let again = get(&c, &url).await.unwrap();
    assert_eq!((again.status, again.body.as_str()), (200, "\"item-5\""));
    assert_eq!(again.header("age"), Some("0"));
    assert_eq!(up.seen.count("5"), 1, "served from the cache");
    // no-cache: fetched again (and kept); no-store: fetched, not read from nor written to.
    get_with(&c, &url, &[("Cache-Control", "no-cache")])
        .await
        .unwrap();
    assert_eq!(up.seen.count("5"), 2);
    get_with(&c, &url, &[("Cache-Control", "no-store")])
        .await
        .unwrap();
    assert_eq!(up.seen.count("5"), 3);
    get(&c, &url).await.unwrap();
    assert_eq!(up.seen.count("5"), 3);
    // Another item, another entry.
    get(&c, &format!("{base}/items/6")).await.unwrap();
    assert_eq!(up.seen.count("6"), 1);
    // Someone else's credentials never get this client's entry.
    get_with(&c, &url, &[("Authorization", "Bearer other")])
        .await
        .unwrap();
    assert_eq!(up.seen.count("5"), 4);
}

#[actix_web::test]
async fn a_route_not_marked_idempotent_is_never_cached() {
    let up = FakeUpstream::start();
    let site = Site::new(
        "reload: { watch: false }\ncache: { enabled: true }",
        &up.url(),
        "GET /items/{id}",
        false,
    );
    let (_live, base) = start_in_process(&site).await;
    for _ in 0..2 {
        get(&client(), &format!("{base}/items/5")).await.unwrap();
    }
    assert_eq!(up.seen.count("5"), 2);
}
