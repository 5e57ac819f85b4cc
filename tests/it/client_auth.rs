//! Client authentication end to end over real sockets, on mappings of our own
//! (`tests/security/`): API keys (SHA-256 and argon2, header and query, from files), Basic
//! against an htpasswd file (bcrypt), scopes (403), `auth: none`, the caller's identity in the
//! envelope (a body field and a SOAP header field), CORS preflights, HEAD and OPTIONS, the
//! OpenAPI security schemes, and `soapbridge check` on bad settings. A recording upstream proves
//! that no refused request reaches the legacy service.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, web};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use soapbridge::config::Config;
use soapbridge::convert::operation::ServicePlan;
use soapbridge::http::auth::Security;
use soapbridge::http::{State, configure};
use soapbridge::mock::Mock;
use soapbridge::upstream::{Auth, Target};

/// A fixture of `tests/security/`, compiled as a service, its mapping-level `auth:` naming
/// only `schemes` (those the test defines).
pub(crate) fn fixture(name: &str, schemes: &str) -> Arc<ServicePlan> {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/security")
        .join(name);
    let text = std::fs::read_to_string(&file).unwrap();
    let text = text.replace(
        "auth: [partner-keys, staff-jwt, ops-basic, partner-cert]",
        &format!("auth: [{schemes}]"),
    );
    let compiled =
        soapbridge::mapping::compile::compile_str(&file, &text).unwrap_or_else(|d| panic!("{d}"));
    Arc::new(ServicePlan::new(Arc::new(compiled)))
}

/// Settings written to `dir/soapbridge.yaml` and loaded as `serve` loads them.
pub(crate) fn settings(dir: &Path, yaml: &str) -> Config {
    let path = dir.join("soapbridge.yaml");
    std::fs::write(&path, yaml).unwrap();
    Config::load(Some(&path)).unwrap_or_else(|d| panic!("{d}"))
}

/// An upstream on 127.0.0.1:0 answering with the service's mock and recording every envelope.
pub(crate) fn recorder(service: Arc<ServicePlan>) -> (String, Arc<Mutex<Vec<String>>>) {
    let received = Arc::new(Mutex::new(Vec::new()));
    let mock = Arc::new(Mock::new(service));
    let rec = received.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = HttpServer::new(move || {
        let (mock, rec) = (mock.clone(), rec.clone());
        App::new().default_service(web::to(move |body: web::Bytes| {
            let (mock, rec) = (mock.clone(), rec.clone());
            async move {
                rec.lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(&body).into_owned());
                let (status, ct, bytes) = mock.answer(None, &body);
                HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap())
                    .content_type(ct)
                    .body(bytes)
            }
        }))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .unwrap()
    .run();
    actix_web::rt::spawn(server);
    (format!("http://{addr}/svc"), received)
}

/// The bridge for `service` with the settings' schemes and TLS, calling `upstream`; its base
/// URL (`https://127.0.0.1:PORT` when the settings serve TLS).
pub(crate) async fn bridge(config: Config, service: Arc<ServicePlan>, upstream: &str) -> String {
    let security =
        Security::load(&config, &[service.compiled.as_ref()]).unwrap_or_else(|d| panic!("{d}"));
    security.fetch_keys().await;
    let tls = soapbridge::http::tls::listener(&config).unwrap_or_else(|d| panic!("{d:?}"));
    let target = Target::new(
        upstream.to_string(),
        Auth::None,
        Duration::from_secs(10),
        Duration::from_secs(5),
    );
    let state =
        Arc::new(State::new(config, vec![service], vec![Some(target)]).with_security(security));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = HttpServer::new(move || App::new().configure(configure(state.clone())))
        .workers(1)
        .disable_signals()
        .on_connect(soapbridge::http::tls::on_connect);
    let (server, scheme) = match tls {
        Some(t) => {
            // The watcher stays alive as long as the test runs.
            let config = t.config.clone();
            std::mem::forget(t);
            (
                server.listen_rustls_0_23(listener, config).unwrap(),
                "https",
            )
        }
        None => (server.listen(listener).unwrap(), "http"),
    };
    actix_web::rt::spawn(server.run());
    format!("{scheme}://{addr}")
}

/// An answer: status, headers, body (JSON when it parses).
pub(crate) struct Answer {
    pub status: u16,
    pub headers: actix_web::http::header::HeaderMap,
    pub body: Value,
}

impl Answer {
    pub(crate) fn header(&self, name: &str) -> String {
        self.headers
            .get_all(name)
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join(" | ")
    }
}

/// Sends a request with `headers` through `client` (plain awc when `None`).
pub(crate) async fn send(
    client: Option<&awc::Client>,
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> Answer {
    let plain = awc::Client::builder()
        .timeout(Duration::from_secs(20))
        .finish();
    let client = client.unwrap_or(&plain);
    let mut req = client.request(
        actix_web::http::Method::from_bytes(method.as_bytes()).unwrap(),
        url,
    );
    for (k, v) in headers {
        req = req.insert_header((*k, *v));
    }
    let mut resp = match body {
        Some(b) => {
            req.insert_header(("Content-Type", "application/json"))
                .send_body(b.to_string())
                .await
        }
        None => req.send().await,
    }
    .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let bytes = resp.body().limit(1 << 24).await.unwrap();
    Answer {
        status: resp.status().as_u16(),
        headers: resp.headers().clone(),
        body: serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned())),
    }
}

/// `ID sha256:HEX` for a key.
fn sha256_line(id: &str, key: &str, scopes: &str) -> String {
    format!(
        "{id} sha256:{} {scopes}\n",
        hex::encode(Sha256::digest(key.as_bytes()))
    )
}

/// A keys file with a SHA-256 key (with scope `crm.write`), a SHA-256 key without scopes and an
/// argon2 key.
fn keys_file(dir: &Path) -> PathBuf {
    use argon2::password_hash::PasswordHasher;
    let argon = argon2::Argon2::default()
        .hash_password(b"argon-key-3")
        .unwrap()
        .to_string();
    let text = format!(
        "# test keys\n{}{}partner-c {argon}\n",
        sha256_line("partner-a", "key-a-1", "crm.write"),
        sha256_line("partner-b", "key-b-2", ""),
    );
    let path = dir.join("api-keys");
    std::fs::write(&path, text).unwrap();
    path
}

#[actix_rt::test]
async fn api_keys_from_a_file_admit_their_holders_and_no_one_else() {
    let dir = tempfile::tempdir().unwrap();
    let keys = keys_file(dir.path());
    let config = settings(
        dir.path(),
        &format!(
            "auth:\n  schemes:\n    partner-keys:\n      api_key: {{ keys_file: {} }}\n",
            keys.display()
        ),
    );
    let svc = fixture("crm.yaml", "partner-keys");
    let (up, received) = recorder(svc.clone());
    let base = bridge(config, svc, &up).await;
    let url = format!("{base}/api/customer/customers?city=Paris");

    let none = send(None, "GET", &url, &[], None).await;
    assert_eq!(none.status, 401, "{:?}", none.body);
    assert_eq!(none.header("content-type"), "application/problem+json");
    assert_eq!(
        none.header("www-authenticate"),
        "ApiKey realm=\"soapbridge\", header=\"x-api-key\""
    );
    assert_eq!(none.body["code"], "unauthorized");
    assert_eq!(none.body["detail"], "this route needs credentials");

    let wrong = send(None, "GET", &url, &[("X-Api-Key", "key-a-2")], None).await;
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.body["detail"], "the API key is not valid");
    assert!(
        received.lock().unwrap().is_empty(),
        "a refused request reached the upstream"
    );

    for (key, id) in [
        ("key-a-1", "partner-a"),
        ("key-b-2", "partner-b"),
        ("argon-key-3", "partner-c"),
    ] {
        let ok = send(None, "GET", &url, &[("X-Api-Key", key)], None).await;
        assert_eq!(ok.status, 200, "{key}: {:?}", ok.body);
        let envelope = received.lock().unwrap().last().cloned().unwrap();
        assert!(
            envelope.contains(&format!(">{id}<")),
            "the key id is the identity: {envelope}"
        );
        assert!(!envelope.contains(key), "the key itself never travels on");
    }
    assert_eq!(received.lock().unwrap().len(), 3);

    // Scopes: CreateCustomer needs `crm.write`, which only partner-a's line grants.
    let create = format!("{base}/api/customer/customers");
    let customer = json!({"customerId": 0, "firstName": "Ada", "lastName": "L", "status": "Active", "createdAt": "2024-03-01T10:00:00Z", "taxExempt": false});
    let forbidden = send(
        None,
        "POST",
        &create,
        &[("X-Api-Key", "key-b-2")],
        Some(customer.clone()),
    )
    .await;
    assert_eq!(forbidden.status, 403, "{:?}", forbidden.body);
    assert_eq!(
        forbidden.body["detail"],
        "the caller lacks scope `crm.write`"
    );
    assert_eq!(forbidden.header("content-type"), "application/problem+json");
    assert_eq!(
        received.lock().unwrap().len(),
        3,
        "a forbidden request reached the upstream"
    );
    let created = send(
        None,
        "POST",
        &create,
        &[("X-Api-Key", "key-a-1")],
        Some(customer),
    )
    .await;
    assert_ne!(created.status, 401);
    assert_ne!(created.status, 403);

    // `auth: none` opens one operation.
    let open = send(
        None,
        "GET",
        &format!("{base}/api/customer/customers/7"),
        &[],
        None,
    )
    .await;
    assert_eq!(open.status, 200, "{:?}", open.body);
}

#[actix_rt::test]
async fn an_api_key_in_the_query_and_the_identity_in_a_soap_header() {
    let dir = tempfile::tempdir().unwrap();
    let keys = keys_file(dir.path());
    let config = settings(
        dir.path(),
        &format!(
            "auth:\n  schemes:\n    partner-keys:\n      api_key: {{ query: api_key, keys_file: {} }}\n",
            keys.display()
        ),
    );
    let svc = fixture("orders.yaml", "");
    let (up, received) = recorder(svc.clone());
    let base = bridge(config, svc, &up).await;
    let header_only = send(
        None,
        "GET",
        &format!("{base}/api/orders/orders/5"),
        &[("X-Api-Key", "key-b-2")],
        None,
    )
    .await;
    assert_eq!(header_only.status, 401, "the key travels in the query here");
    assert_eq!(
        header_only.header("www-authenticate"),
        "ApiKey realm=\"soapbridge\", query=\"api_key\""
    );
    let ok = send(
        None,
        "GET",
        &format!("{base}/api/orders/orders/5?api_key=key-b-2"),
        &[],
        None,
    )
    .await;
    assert_eq!(ok.status, 200, "{:?}", ok.body);
    let envelope = received.lock().unwrap().last().cloned().unwrap();
    assert!(
        envelope.contains("<Username>partner-b</Username>")
            || envelope.contains(":Username>partner-b</"),
        "{envelope}"
    );
    assert_eq!(received.lock().unwrap().len(), 1);
}

/// An htpasswd file with `ops` (bcrypt).
fn htpasswd(dir: &Path) -> PathBuf {
    let path = dir.join("htpasswd");
    std::fs::write(
        &path,
        format!("ops:{}\n", bcrypt::hash("correct horse", 4).unwrap()),
    )
    .unwrap();
    path
}

#[actix_rt::test]
async fn basic_users_from_an_htpasswd_file_behind_a_tls_proxy() {
    let dir = tempfile::tempdir().unwrap();
    let file = htpasswd(dir.path());
    let config = settings(
        dir.path(),
        &format!(
            "tls:\n  offloaded: true\nauth:\n  schemes:\n    ops-basic:\n      basic: {{ htpasswd: {}, realm: CRM }}\n",
            file.display()
        ),
    );
    let svc = fixture("crm.yaml", "ops-basic");
    let (up, received) = recorder(svc.clone());
    let base = bridge(config, svc, &up).await;
    let url = format!("{base}/api/customer/customers");
    let b64 = |s: &str| {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(s)
    };
    let none = send(None, "GET", &url, &[], None).await;
    assert_eq!(none.status, 401);
    assert_eq!(
        none.header("www-authenticate"),
        "Basic realm=\"CRM\", charset=\"UTF-8\""
    );
    for bad in ["ops:wrong", "nobody:correct horse"] {
        let r = send(
            None,
            "GET",
            &url,
            &[("Authorization", &format!("Basic {}", b64(bad)))],
            None,
        )
        .await;
        assert_eq!(r.status, 401, "{bad}");
        assert_eq!(r.body["detail"], "the user name or password is not valid");
    }
    assert!(received.lock().unwrap().is_empty());
    let ok = send(
        None,
        "GET",
        &url,
        &[(
            "Authorization",
            &format!("Basic {}", b64("ops:correct horse")),
        )],
        None,
    )
    .await;
    assert_eq!(ok.status, 200, "{:?}", ok.body);
    assert!(received.lock().unwrap()[0].contains(">ops<"));
}

#[test]
fn basic_over_plain_http_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let file = htpasswd(dir.path());
    let config = settings(
        dir.path(),
        &format!(
            "auth:\n  schemes:\n    ops-basic:\n      basic: {{ htpasswd: {} }}\n",
            file.display()
        ),
    );
    let svc = fixture("crm.yaml", "ops-basic");
    let err = match Security::load(&config, &[svc.compiled.as_ref()]) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("Basic over plain HTTP was accepted"),
    };
    assert!(
        err.contains("soapbridge.yaml:4:26: scheme `ops-basic`"),
        "{err}"
    );
    assert!(err.contains("the listener speaks plain HTTP"), "{err}");
    assert!(err.contains("offloaded: true"), "{err}");
}

#[actix_rt::test]
async fn cors_preflights_head_and_options_never_reach_the_upstream() {
    let dir = tempfile::tempdir().unwrap();
    let keys = keys_file(dir.path());
    let config = settings(
        dir.path(),
        &format!(
            "auth:\n  schemes:\n    partner-keys:\n      api_key: {{ keys_file: {} }}\n",
            keys.display()
        ),
    );
    let svc = fixture("crm.yaml", "partner-keys");
    let (up, received) = recorder(svc.clone());
    let base = bridge(config, svc, &up).await;
    let url = format!("{base}/api/customer/customers");
    let preflight = [
        ("Origin", "https://app.example.com"),
        ("Access-Control-Request-Method", "GET"),
        ("Access-Control-Request-Headers", "x-api-key"),
    ];
    let ok = send(None, "OPTIONS", &url, &preflight, None).await;
    assert_eq!(ok.status, 200, "{:?}", ok.body);
    assert_eq!(
        ok.header("access-control-allow-origin"),
        "https://app.example.com"
    );
    assert_eq!(ok.header("access-control-allow-credentials"), "true");
    assert_eq!(ok.header("access-control-max-age"), "600");
    assert!(
        ok.header("access-control-allow-headers")
            .contains("x-api-key"),
        "{}",
        ok.header("access-control-allow-headers")
    );
    let evil = send(
        None,
        "OPTIONS",
        &url,
        &[
            ("Origin", "https://evil.example.com"),
            ("Access-Control-Request-Method", "GET"),
        ],
        None,
    )
    .await;
    assert_eq!(evil.status, 403, "{:?}", evil.body);
    assert_eq!(evil.header("content-type"), "application/problem+json");
    assert_eq!(evil.body["code"], "cors_refused");
    // A 401 is readable by the allowed origin.
    let refused = send(
        None,
        "GET",
        &url,
        &[("Origin", "https://app.example.com")],
        None,
    )
    .await;
    assert_eq!(refused.status, 401);
    assert_eq!(
        refused.header("access-control-allow-origin"),
        "https://app.example.com"
    );
    // OPTIONS without a preflight, and HEAD as GET without a body.
    let options = send(None, "OPTIONS", &url, &[], None).await;
    assert_eq!(options.status, 204);
    assert_eq!(options.header("allow"), "GET, HEAD, POST, OPTIONS");
    assert!(
        received.lock().unwrap().is_empty(),
        "a preflight or OPTIONS reached the upstream"
    );
    let head = send(None, "HEAD", &format!("{url}/7"), &[], None).await;
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-type"), "application/json");
    assert_eq!(
        head.body,
        Value::String(String::new()),
        "HEAD answers no body"
    );
    let not_allowed = send(None, "PATCH", &url, &[], None).await;
    assert_eq!(not_allowed.status, 405);
    assert_eq!(not_allowed.header("allow"), "GET, HEAD, POST, OPTIONS");
}

#[test]
fn the_openapi_document_declares_every_scheme() {
    let dir = tempfile::tempdir().unwrap();
    let config = settings(
        dir.path(),
        "auth:\n  schemes:\n    partner-keys:\n      api_key: { header: X-Partner-Key, keys_file: keys }\n    staff-jwt:\n      jwt: { issuer: https://login.example.com/, audience: crm, jwks_file: jwks.json }\n    ops-basic:\n      basic: { htpasswd: htpasswd }\n    partner-cert:\n      client_cert: {}\n",
    );
    let svc = fixture(
        "crm.yaml",
        "partner-keys, staff-jwt, ops-basic, partner-cert",
    );
    let mut doc = soapbridge::http::openapi::document(std::slice::from_ref(&svc));
    soapbridge::http::openapi::secure(&mut doc, std::slice::from_ref(&svc), &config.auth);
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(
        schemes["partner-keys"],
        json!({"type": "apiKey", "in": "header", "name": "X-Partner-Key", "description": "An API key issued by the operators"})
    );
    assert_eq!(schemes["staff-jwt"]["scheme"], "bearer");
    assert_eq!(schemes["staff-jwt"]["bearerFormat"], "JWT");
    assert_eq!(
        schemes["ops-basic"],
        json!({"type": "http", "scheme": "basic"})
    );
    assert_eq!(schemes["partner-cert"]["type"], "mutualTLS");
    let find = &doc["paths"]["/api/customer/customers"]["get"];
    assert_eq!(
        find["security"],
        json!([{"partner-keys": []}, {"staff-jwt": []}, {"ops-basic": []}, {"partner-cert": []}])
    );
    assert!(find["responses"]["401"].is_object());
    let create = &doc["paths"]["/api/customer/customers"]["post"];
    assert_eq!(create["security"][1], json!({"staff-jwt": ["crm.write"]}));
    assert!(create["responses"]["403"].is_object());
    let open = &doc["paths"]["/api/customer/customers/{customerId}"]["get"];
    assert!(open.get("security").is_none(), "`auth: none` needs nothing");
    // The identity input is filled by soapbridge, never asked of the client.
    let params: Vec<&str> = find["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(params, ["city"]);
    let text = doc.to_string();
    assert!(
        !text.contains("keys_file") && !text.contains("htpasswd\""),
        "no file of a scheme is described"
    );
}

/// `soapbridge check` on settings and mappings of `dir`: (exit status, stdout, stderr).
fn check(dir: &Path, mappings: &[&Path], env: &[(&str, &str)]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_soapbridge"))
        .current_dir(dir)
        .arg("check")
        .args(mappings)
        .arg("--config")
        .arg(dir.join("soapbridge.yaml"))
        .envs(env.iter().copied())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn check_reports_every_bad_setting_at_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("keys"), "partner-a s3cr3t-in-clear\n").unwrap();
    std::fs::write(
        d.join("cert.pem"),
        "-----BEGIN CERTIFICATE-----\nnot base64 !!\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    std::fs::write(
        d.join("htpasswd"),
        "ops:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n",
    )
    .unwrap();
    let yaml = "tls:\n  cert: cert.pem\n  key: missing-key.pem\nauth:\n  schemes:\n    partner-keys:\n      api_key: { keys_file: keys }\n    staff-jwt:\n      jwt: { issuer: https://login.example.com/, audience: crm, algorithms: [HS256], jwks_file: nowhere.json, leeway: 5m }\n    ops-basic:\n      basic: { htpasswd: htpasswd }\n    env-keys:\n      api_key: { keys_env: SOAPBRIDGE_TEST_KEYS }\n";
    std::fs::write(d.join("soapbridge.yaml"), yaml).unwrap();
    let crm = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/security/crm.yaml");
    let (status, _, err) = check(d, &[&crm], &[("SOAPBRIDGE_TEST_KEYS", "a sha256:00")]);
    assert_eq!(status, 1, "{err}");
    let yaml_at = |l: u32| format!("{}:{l}:", d.join("soapbridge.yaml").display());
    for (at, says) in [
        ("keys:1:11:".to_string(), "is this a key in clear text?"),
        (yaml_at(9), "algorithm `HS256` is not accepted"),
        (yaml_at(9), "the leeway may be at most 60s"),
        (yaml_at(9), "cannot read the JWKS file"),
        ("htpasswd:1:5:".to_string(), "not bcrypt or argon2"),
        (
            yaml_at(13),
            "`SOAPBRIDGE_TEST_KEYS`, entry 1: the hash of key `a`",
        ),
        (yaml_at(2), "is not a valid PEM certificate file"),
        (
            format!("{}:9:7:", crm.display()),
            "unknown client authentication scheme `partner-cert`",
        ),
    ] {
        assert!(
            err.lines().any(|l| l.contains(&at) && l.contains(says)),
            "no `{at} ... {says}` in:\n{err}"
        );
    }
    assert!(err.contains("hint:"), "{err}");
    assert!(
        !err.contains("s3cr3t-in-clear"),
        "a key in clear text is never repeated"
    );

    // An unknown scheme kind is a YAML error at its line.
    std::fs::write(
        d.join("soapbridge.yaml"),
        "auth:\n  schemes:\n    x:\n      oauth: {}\n",
    )
    .unwrap();
    let (status, _, err) = check(d, &[&crm], &[]);
    assert_ne!(status, 0);
    assert!(
        err.contains("soapbridge.yaml:4:") && err.contains("oauth"),
        "{err}"
    );
}

#[test]
fn check_passes_good_settings() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    keys_file(d);
    std::fs::write(
        d.join("soapbridge.yaml"),
        "auth:\n  schemes:\n    partner-keys:\n      api_key: { keys_file: api-keys }\n    env-keys:\n      api_key: { keys_env: SOAPBRIDGE_TEST_KEYS }\n",
    )
    .unwrap();
    let orders = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/security/orders.yaml");
    let entries = format!(
        "{};{}",
        sha256_line("a", "k1", "").trim(),
        sha256_line("b", "k2", "x.read").trim()
    );
    let (status, out, err) = check(d, &[&orders], &[("SOAPBRIDGE_TEST_KEYS", &entries)]);
    assert_eq!(status, 0, "{err}");
    assert!(
        out.contains("2 client authentication scheme(s), plain HTTP"),
        "{out}"
    );
    let (status, _, err) = check(d, &[&orders], &[]);
    assert_eq!(status, 1);
    assert!(
        err.contains("environment variable `SOAPBRIDGE_TEST_KEYS` is not set"),
        "{err}"
    );
}

#[test]
fn identity_and_scopes_need_authentication() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/security/crm.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let compile = |t: &str| {
        soapbridge::mapping::compile::compile_str(&file, t)
            .unwrap_err()
            .to_string()
    };
    let scoped = compile(&text.replace("    auth: none\n", "    auth: none\n    scopes: [x]\n"));
    assert!(
        scoped.contains("crm.yaml:21:13: scopes need `auth:`"),
        "{scoped}"
    );
    let open = compile(&text.replace(
        "    response: findCustomersResult\n",
        "    response: findCustomersResult\n    auth: none\n",
    ));
    assert!(
        open.contains(
            "crm.yaml:24:13: `identity.id`: operation `FindCustomers` authenticates nobody"
        ),
        "{open}"
    );
    let unknown = compile(&text.replace("identity.id", "identity.email"));
    assert!(
        unknown.contains("`identity.email` is not an identity value"),
        "{unknown}"
    );
}
