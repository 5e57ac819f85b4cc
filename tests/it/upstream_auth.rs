//! Credentials to the upstream, end to end: a static bearer token, OAuth 2.0 client credentials
//! from a token endpoint run by the test (expiry, early refresh, one refresh under concurrency,
//! a refused client), and the WS-Security UsernameToken in the envelope (its digest recomputed
//! here, and by python-zeep in `cargo test --test it zeep -- --include-ignored`, as `.ci/run`
//! does). A bad or missing credential never reaches the upstream.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::upstream_fixture::{
    Folder, get_item, plan, start_bridge, start_token_endpoint, start_upstream,
};

const WSSE: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
const WSU: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";

#[actix_web::test]
async fn a_static_bearer_token_from_a_file() {
    let up = start_upstream(None);
    let folder = Folder::new();
    let token = folder.write("token", "st4tic-t0ken\n");
    let base = start_bridge(plan(&folder.mapping(&format!(
        "url: http://127.0.0.1:{}/svc\nauth: {{ bearer: {{ token: \"${{file:{}}}\" }} }}",
        up.port,
        token.display()
    ))));
    assert_eq!(get_item(&base, "1").await.0, 200);
    assert_eq!(
        up.received()[0].header("authorization"),
        Some("Bearer st4tic-t0ken")
    );
}

/// A mapping calling `up` with OAuth 2.0 client credentials from `token_url`.
fn oauth_bridge(folder: &Folder, up: u16, token_url: &str, secret: &str, refresh: &str) -> String {
    let secret = folder.write("client-secret", secret);
    start_bridge(plan(&folder.mapping(&format!(
        "url: http://127.0.0.1:{up}/svc\nauth:\n  oauth2:\n    token_url: {token_url}\n    client_id: bridge\n    client_secret: \"${{file:{}}}\"\n    scope: soap.read\n    refresh_before: {refresh}",
        secret.display()
    ))))
}

#[actix_web::test]
async fn oauth_one_refresh_for_many_concurrent_calls() {
    let up = start_upstream(None);
    let idp = start_token_endpoint("bridge", "cl1ent-s3cret", 3600, Duration::from_millis(400));
    let folder = Folder::new();
    let base = oauth_bridge(&folder, up.port, &idp.url, "cl1ent-s3cret", "60s");
    let calls = (0..8).map(|i| {
        let base = base.clone();
        async move { get_item(&base, &i.to_string()).await.0 }
    });
    let statuses = futures_util::future::join_all(calls).await;
    assert_eq!(statuses, vec![200; 8]);
    assert_eq!(
        idp.issued.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "one refresh"
    );
    let got = up.received();
    assert_eq!(got.len(), 8);
    assert!(
        got.iter()
            .all(|r| r.header("authorization") == Some("Bearer tok-1"))
    );
    let form = idp.forms.lock().unwrap()[0].clone();
    assert_eq!(form, "grant_type=client_credentials&scope=soap.read");
}

#[actix_web::test]
async fn oauth_tokens_are_cached_and_replaced_before_they_expire() {
    let up = start_upstream(None);
    // Valid 2 s, replaced 1 s before: from 1 s on, a call gets a new token while the old one
    // would still be accepted.
    let idp = start_token_endpoint("bridge", "s3cret", 2, Duration::ZERO);
    let folder = Folder::new();
    let base = oauth_bridge(&folder, up.port, &idp.url, "s3cret", "1s");
    assert_eq!(get_item(&base, "1").await.0, 200);
    assert_eq!(get_item(&base, "2").await.0, 200);
    let issued = || idp.issued.load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(issued(), 1, "the token is cached");
    actix_web::rt::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(get_item(&base, "3").await.0, 200);
    assert_eq!(issued(), 2, "replaced before its expiry");
    let auths: Vec<_> = up
        .received()
        .iter()
        .map(|r| r.header("authorization").unwrap_or("").to_string())
        .collect();
    assert_eq!(auths, ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]);
}

#[actix_web::test]
async fn a_refused_client_never_reaches_the_upstream() {
    let up = start_upstream(None);
    let idp = start_token_endpoint("bridge", "the-right-one", 3600, Duration::ZERO);
    let folder = Folder::new();
    let base = oauth_bridge(&folder, up.port, &idp.url, "wr0ng-s3cret", "60s");
    let (status, body) = get_item(&base, "1").await;
    assert_eq!(status, 502, "{body}");
    assert_eq!(
        body["detail"],
        "no credentials could be obtained for the legacy service"
    );
    assert!(!body.to_string().contains("wr0ng-s3cret"));
    assert!(up.received().is_empty(), "no call without a token");
    assert_eq!(idp.issued.load(std::sync::atomic::Ordering::SeqCst), 0);
}

/// The `wsse:Security` block of an envelope: (its element's attributes, Timestamp
/// (created, expires), username, password type, password, nonce, created).
struct Token {
    must_understand: Option<String>,
    timestamp: Option<(String, String)>,
    username: String,
    password_type: String,
    password: String,
    nonce: Option<Vec<u8>>,
    created: Option<String>,
}

fn token_of(envelope: &str) -> Token {
    let doc = roxmltree::Document::parse(envelope).unwrap();
    let header = doc
        .descendants()
        .find(|n| n.has_tag_name("Header"))
        .expect("a soap:Header");
    let security = header.first_element_child().expect("a header block");
    assert!(
        security.has_tag_name((WSSE, "Security")),
        "Security comes first"
    );
    let child = |n: roxmltree::Node, ns, name| {
        n.children()
            .find(|c| c.has_tag_name((ns, name)))
            .map(|c| c.text().unwrap_or("").to_string())
    };
    let timestamp = security
        .children()
        .find(|c| c.has_tag_name((WSU, "Timestamp")))
        .map(|t| {
            (
                child(t, WSU, "Created").unwrap(),
                child(t, WSU, "Expires").unwrap(),
            )
        });
    let ut = security
        .children()
        .find(|c| c.has_tag_name((WSSE, "UsernameToken")))
        .unwrap();
    let password = ut
        .children()
        .find(|c| c.has_tag_name((WSSE, "Password")))
        .unwrap();
    Token {
        must_understand: security
            .attribute((
                "http://schemas.xmlsoap.org/soap/envelope/",
                "mustUnderstand",
            ))
            .map(str::to_string),
        timestamp,
        username: child(ut, WSSE, "Username").unwrap(),
        password_type: password.attribute("Type").unwrap().to_string(),
        password: password.text().unwrap_or("").to_string(),
        nonce: child(ut, WSSE, "Nonce").map(|n| STANDARD.decode(n).unwrap()),
        created: child(ut, WSU, "Created"),
    }
}

fn seconds(t: &str) -> i64 {
    let t = time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|e| panic!("{t}: {e}"));
    t.unix_timestamp()
}

#[actix_web::test]
async fn ws_security_password_digest_with_a_timestamp() {
    let up = start_upstream(None);
    let folder = Folder::new();
    let password = folder.write("wsse-password", "pä55w0rd!\n");
    let base = start_bridge(plan(&folder.mapping(&format!(
        "url: http://127.0.0.1:{}/svc\nauth:\n  wsse: {{ username: integration, password: \"${{file:{}}}\", digest: true, timestamp: 5m }}",
        up.port,
        password.display()
    ))));
    assert_eq!(get_item(&base, "1").await.0, 200);
    assert_eq!(get_item(&base, "2").await.0, 200);
    let got = up.received();
    let (a, b) = (token_of(&got[0].body), token_of(&got[1].body));
    assert_eq!(a.must_understand.as_deref(), Some("1"));
    assert_eq!(a.username, "integration");
    assert!(
        a.password_type.ends_with("#PasswordDigest"),
        "{}",
        a.password_type
    );
    let (nonce, created) = (a.nonce.clone().unwrap(), a.created.clone().unwrap());
    assert_eq!(nonce.len(), 16);
    assert_eq!(
        a.password,
        soapbridge::soap::password_digest(&nonce, &created, "pä55w0rd!")
    );
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    assert!((seconds(&created) - now).abs() < 60, "{created}");
    let (ts_created, ts_expires) = a.timestamp.clone().unwrap();
    assert_eq!(seconds(&ts_expires) - seconds(&ts_created), 300);
    assert_ne!(a.nonce, b.nonce, "a fresh nonce per request");
    assert!(
        !got[0].body.contains("pä55w0rd"),
        "the password itself is never sent"
    );
    assert!(
        got[0].body.contains(
            "<soap:Body><ns6:GetItem><ns6:itemId>1</ns6:itemId></ns6:GetItem></soap:Body>"
        ),
        "the Body is unchanged: {}",
        got[0].body
    );
}

#[actix_web::test]
async fn ws_security_password_text_beside_basic_auth() {
    let up = start_upstream(None);
    let folder = Folder::new();
    let user = folder.write("user", "svc-user");
    let password = folder.write("password", "t3xt<&>pass");
    let base = start_bridge(plan(&folder.mapping(&format!(
        "url: http://127.0.0.1:{port}/svc\nauth:\n  basic: {{ username: \"${{file:{u}}}\", password: \"${{file:{p}}}\" }}\n  wsse: {{ username: \"${{file:{u}}}\", password: \"${{file:{p}}}\", must_understand: false }}",
        port = up.port,
        u = user.display(),
        p = password.display()
    ))));
    assert_eq!(get_item(&base, "1").await.0, 200);
    let got = &up.received()[0];
    let token = token_of(&got.body);
    assert_eq!(token.must_understand, None);
    assert!(token.password_type.ends_with("#PasswordText"));
    assert_eq!(
        (token.username.as_str(), token.password.as_str()),
        ("svc-user", "t3xt<&>pass")
    );
    assert!(token.nonce.is_none() && token.timestamp.is_none());
    assert_eq!(
        got.header("authorization"),
        Some(format!("Basic {}", STANDARD.encode("svc-user:t3xt<&>pass")).as_str())
    );
}

#[actix_web::test]
async fn a_missing_ws_security_secret_is_503_and_never_reaches_the_upstream() {
    let up = start_upstream(None);
    let folder = Folder::new();
    let service = plan(&folder.mapping(&format!(
        "url: http://127.0.0.1:{}/svc\nauth:\n  wsse: {{ username: u, password: \"${{file:{}}}\" }}",
        up.port,
        folder.dir.path().join("absent").display()
    )));
    let problem = service.operations[0].header_problem.as_ref().unwrap();
    assert!(problem.to_string().contains("absent"), "{problem}");
    let base = start_bridge(service);
    let (status, body) = get_item(&base, "1").await;
    assert_eq!(status, 503, "{body}");
    assert!(up.received().is_empty());
}

/// python-zeep, the independent WS-Security implementation (`tests/interop/wsse_zeep.py`).
fn zeep(args: &[&str], stdin: &str, password: &str) -> (bool, String) {
    use std::io::Write;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/wsse_zeep.py");
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let mut child = Command::new(&python)
        .arg(&script)
        .args(args)
        .env("WSSE_USERNAME", "integration")
        .env("WSSE_PASSWORD", password)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

#[actix_web::test]
#[ignore = "needs python-zeep (tests/interop/requirements.txt): .ci/run installs it and runs these"]
async fn zeep_accepts_our_ws_security_headers() {
    let up = start_upstream(None);
    let folder = Folder::new();
    let password = folder.write("password", "pä55w0rd!");
    for (auth, ttl) in [
        ("digest: true, timestamp: 5m", "300"),
        ("digest: true", "0"),
        ("digest: false, timestamp: 30s", "30"),
    ] {
        let base = start_bridge(plan(&folder.mapping(&format!(
            "url: http://127.0.0.1:{}/svc\nauth:\n  wsse: {{ username: integration, password: \"${{file:{}}}\", {auth} }}",
            up.port,
            password.display()
        ))));
        assert_eq!(get_item(&base, "1").await.0, 200);
        let envelope = up.received().last().unwrap().body.clone();
        let (ok, verdict) = zeep(&["verify", ttl], &envelope, "pä55w0rd!");
        assert!(ok, "{auth}: {verdict}\n{envelope}");
        // And zeep says no when the password is not the one the digest was made with.
        let (ok, verdict) = zeep(&["verify", ttl], &envelope, "another");
        assert!(!ok, "{auth}: {verdict}");
    }
}

#[test]
#[ignore = "needs python-zeep (tests/interop/requirements.txt): .ci/run installs it and runs these"]
fn our_digest_is_zeeps() {
    for password in ["pä55w0rd!", "plain", ""] {
        let (ok, xml) = zeep(&["produce"], "", password);
        assert!(ok, "{xml}");
        let token = token_of(&format!(
            "<Envelope><Header>{}</Header></Envelope>",
            xml.trim()
        ));
        let nonce = token.nonce.unwrap();
        assert_eq!(
            soapbridge::soap::password_digest(&nonce, &token.created.unwrap(), password),
            token.password,
            "{xml}"
        );
    }
}
