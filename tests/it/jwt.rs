//! JWT bearer tokens end to end: keys made in the test (RSA by aws-lc, P-256 by rcgen), tokens
//! signed with RS256 and ES256, refused when expired, for another audience or issuer, unsigned
//! (`alg: none`), HMAC-signed with the public key, tampered, or signed by an unknown key (whose
//! `jku` is never followed); scopes (403); a JWKS served over HTTPS, rotated and fetched again at
//! most as often as allowed. The recording upstream sees only accepted requests.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use actix_web::{App, HttpResponse, HttpServer, web};
use base64::Engine;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::client_auth::{Answer, bridge, fixture, recorder, send, settings};
use crate::pki::{self, Ca};

/// A signing key of the test, with its public JWK under `kid`.
pub(crate) struct SigningKey {
    pub alg: Algorithm,
    pub kid: String,
    pub key: EncodingKey,
    pub jwk: Jwk,
}

/// A fresh RSA-2048 key (aws-lc), PKCS#8 PEM.
pub(crate) fn rsa_pem() -> String {
    use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
    let kp = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
    let der: Pkcs8V1Der = kp.as_der().unwrap();
    pem("PRIVATE KEY", der.as_ref())
}

fn pem(tag: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN {tag}-----\n{}\n-----END {tag}-----\n",
        lines.join("\n")
    )
}

impl SigningKey {
    pub(crate) fn rsa(kid: &str) -> SigningKey {
        Self::from_pem(Algorithm::RS256, kid, &rsa_pem())
    }

    pub(crate) fn ec(kid: &str) -> SigningKey {
        Self::from_pem(
            Algorithm::ES256,
            kid,
            &rcgen::KeyPair::generate().unwrap().serialize_pem(),
        )
    }

    pub(crate) fn from_pem(alg: Algorithm, kid: &str, pem: &str) -> SigningKey {
        let key = match alg {
            Algorithm::RS256 => EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
            _ => EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(),
        };
        let mut jwk = Jwk::from_encoding_key(&key, alg).unwrap();
        jwk.common.key_id = Some(kid.to_string());
        SigningKey {
            alg,
            kid: kid.to_string(),
            key,
            jwk,
        }
    }

    /// A token with `claims`, its header naming this key.
    pub(crate) fn sign(&self, claims: &Value) -> String {
        let mut h = Header::new(self.alg);
        h.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&h, claims, &self.key).unwrap()
    }
}

/// The JWKS publishing `keys`.
pub(crate) fn jwks(keys: &[&SigningKey]) -> String {
    serde_json::to_string(&JwkSet {
        keys: keys.iter().map(|k| k.jwk.clone()).collect(),
    })
    .unwrap()
}

pub(crate) fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Claims the test issuer would give `sub`, edited by `edit`.
pub(crate) fn claims(sub: &str, edit: impl Fn(&mut Value)) -> Value {
    let mut c = json!({"iss": "https://login.test/", "aud": "crm", "sub": sub, "exp": now() + 600, "iat": now(), "scope": "crm.read"});
    edit(&mut c);
    c
}

fn b64url(s: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}

fn bearer(t: &str) -> String {
    format!("Bearer {t}")
}

async fn get(url: &str, token: &str) -> Answer {
    send(None, "GET", url, &[("Authorization", &bearer(token))], None).await
}

/// An HTTP server counting the requests it gets (the `jku` a token names).
fn counting_server() -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = HttpServer::new(move || {
        let h = h.clone();
        App::new().default_service(web::to(move || {
            h.fetch_add(1, Ordering::SeqCst);
            async {
                HttpResponse::Ok()
                    .content_type("application/json")
                    .body(r#"{"keys":[]}"#)
            }
        }))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .unwrap()
    .run();
    actix_web::rt::spawn(server);
    (format!("http://{addr}/jwks"), hits)
}

#[actix_rt::test]
async fn rs256_and_es256_tokens_are_checked_to_the_letter() {
    let (rsa, ec, stranger) = (
        SigningKey::rsa("r1"),
        SigningKey::ec("e1"),
        SigningKey::rsa("r9"),
    );
    let dir = tempfile::tempdir().unwrap();
    let jwks_file = pki::write(dir.path(), "jwks.json", &jwks(&[&rsa, &ec]));
    let config = settings(
        dir.path(),
        &format!(
            "auth:\n  schemes:\n    staff-jwt:\n      jwt:\n        issuer: https://login.test/\n        audience: [crm, crm-admin]\n        algorithms: [RS256, ES256]\n        jwks_file: {}\n        leeway: 30s\n",
            jwks_file.display()
        ),
    );
    let svc = fixture("crm.yaml", "staff-jwt");
    let (up, received) = recorder(svc.clone());
    let base = bridge(config, svc, &up).await;
    let url = format!("{base}/api/customer/customers");

    let ok = get(&url, &rsa.sign(&claims("alice", |_| {}))).await;
    assert_eq!(ok.status, 200, "{:?}", ok.body);
    assert!(
        received.lock().unwrap()[0].contains(">alice<"),
        "the token's sub is the identity"
    );
    let ok = get(
        &url,
        &ec.sign(&claims("bob", |c| c["aud"] = json!(["other", "crm-admin"]))),
    )
    .await;
    assert_eq!(ok.status, 200, "ES256: {:?}", ok.body);
    let skewed = get(
        &url,
        &rsa.sign(&claims("carol", |c| c["exp"] = json!(now() - 10))),
    )
    .await;
    assert_eq!(skewed.status, 200, "within the leeway: {:?}", skewed.body);
    assert_eq!(received.lock().unwrap().len(), 3);

    let (jku, jku_hits) = counting_server();
    let none_token = format!(
        "{}.{}.",
        b64url(r#"{"alg":"none","typ":"JWT"}"#),
        b64url(&claims("mallory", |_| {}).to_string())
    );
    // HS256 keyed with what an attacker can know: the public key (the HS/RS confusion).
    let public = rsa.jwk.to_owned();
    let confused = jsonwebtoken::encode(
        &Header {
            kid: Some("r1".into()),
            ..Header::new(Algorithm::HS256)
        },
        &claims("mallory", |_| {}),
        &EncodingKey::from_secret(serde_json::to_string(&public).unwrap().as_bytes()).unwrap(),
    )
    .unwrap();
    let mut tampered = rsa.sign(&claims("alice", |_| {}));
    let parts: Vec<&str> = tampered.split('.').collect();
    tampered = format!(
        "{}.{}.{}",
        parts[0],
        b64url(&claims("root", |_| {}).to_string()),
        parts[2]
    );
    let mut jku_header = Header::new(Algorithm::RS256);
    jku_header.kid = Some("r9".into());
    jku_header.jku = Some(jku.clone());
    let with_jku =
        jsonwebtoken::encode(&jku_header, &claims("mallory", |_| {}), &stranger.key).unwrap();
    for (what, token, says) in [
        (
            "expired",
            rsa.sign(&claims("alice", |c| c["exp"] = json!(now() - 120))),
            "the token has expired",
        ),
        (
            "not yet valid",
            rsa.sign(&claims("alice", |c| c["nbf"] = json!(now() + 600))),
            "the token is not valid yet",
        ),
        (
            "wrong audience",
            rsa.sign(&claims("alice", |c| c["aud"] = json!("billing"))),
            "the token's audience is not accepted",
        ),
        (
            "wrong issuer",
            ec.sign(&claims("alice", |c| c["iss"] = json!("https://evil.test/"))),
            "the token's issuer is not accepted",
        ),
        (
            "no exp",
            rsa.sign(&claims("alice", |c| {
                c.as_object_mut().unwrap().remove("exp");
            })),
            "the token lacks a required claim",
        ),
        (
            "exp as text",
            rsa.sign(&claims("alice", |c| c["exp"] = json!("never"))),
            "the token lacks a required claim",
        ),
        (
            "alg none",
            none_token,
            "the token's algorithm is not accepted",
        ),
        (
            "HS/RS confusion",
            confused,
            "the token's algorithm is not accepted",
        ),
        ("tampered", tampered, "the token's signature is not valid"),
        (
            "unknown kid",
            stranger.sign(&claims("alice", |_| {})),
            "the token is signed with an unknown key",
        ),
        ("jku", with_jku, "the token is signed with an unknown key"),
        (
            "garbage",
            "not.a.token".to_string(),
            "the token is malformed",
        ),
    ] {
        let r = get(&url, &token).await;
        assert_eq!(r.status, 401, "{what}: {:?}", r.body);
        assert_eq!(r.body["detail"], says, "{what}");
        assert_eq!(
            r.header("content-type"),
            "application/problem+json",
            "{what}"
        );
        assert_eq!(
            r.header("www-authenticate"),
            format!(
                "Bearer realm=\"soapbridge\", error=\"invalid_token\", error_description=\"{says}\""
            ),
            "{what}"
        );
    }
    assert_eq!(
        jku_hits.load(Ordering::SeqCst),
        0,
        "a token's jku was followed"
    );
    assert_eq!(
        received.lock().unwrap().len(),
        3,
        "a refused token reached the upstream"
    );

    let none = send(None, "GET", &url, &[], None).await;
    assert_eq!(none.status, 401);
    assert_eq!(
        none.header("www-authenticate"),
        "Bearer realm=\"soapbridge\""
    );

    // Scopes: CreateCustomer needs `crm.write` (from `scope` or `scp`).
    let create = format!("{base}/api/customer/customers");
    let customer = json!({"customerId": 0, "firstName": "Ada", "lastName": "L", "status": "Active", "createdAt": "2024-03-01T10:00:00Z", "taxExempt": false});
    let r = send(
        None,
        "POST",
        &create,
        &[(
            "Authorization",
            &bearer(&rsa.sign(&claims("alice", |_| {}))),
        )],
        Some(customer.clone()),
    )
    .await;
    assert_eq!(r.status, 403, "{:?}", r.body);
    assert_eq!(
        r.header("www-authenticate"),
        "Bearer error=\"insufficient_scope\", scope=\"crm.write\""
    );
    assert_eq!(received.lock().unwrap().len(), 3);
    let r = send(
        None,
        "POST",
        &create,
        &[(
            "Authorization",
            &bearer(&rsa.sign(&claims("alice", |c| c["scp"] = json!(["crm.write"])))),
        )],
        Some(customer),
    )
    .await;
    assert!(r.status != 401 && r.status != 403, "{:?}", r.body);
}

/// A JWKS served over HTTPS (certificate of `ca`): the document served, and the requests got.
async fn jwks_server(
    ca: &Ca,
    dir: &std::path::Path,
    doc: String,
) -> (String, Arc<Mutex<String>>, Arc<AtomicUsize>) {
    let leaf = ca.server("jwks");
    let (cert, key) = (
        pki::write(dir, "jwks-cert.pem", &leaf.cert),
        pki::write(dir, "jwks-key.pem", &leaf.key),
    );
    let config = settings(
        dir,
        &format!(
            "tls: {{ cert: {}, key: {} }}\n",
            cert.display(),
            key.display()
        ),
    );
    let tls = soapbridge::http::tls::listener(&config).unwrap().unwrap();
    let served = Arc::new(Mutex::new(doc));
    let hits = Arc::new(AtomicUsize::new(0));
    let (s, h) = (served.clone(), hits.clone());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = HttpServer::new(move || {
        let (s, h) = (s.clone(), h.clone());
        App::new().route(
            "/jwks",
            web::get().to(move || {
                h.fetch_add(1, Ordering::SeqCst);
                let body = s.lock().unwrap().clone();
                async move {
                    HttpResponse::Ok()
                        .content_type("application/json")
                        .body(body)
                }
            }),
        )
    })
    .workers(1)
    .disable_signals()
    .listen_rustls_0_23(listener, tls.config.clone())
    .unwrap()
    .run();
    actix_web::rt::spawn(server);
    (
        format!("https://127.0.0.1:{}/jwks", addr.port()),
        served,
        hits,
    )
}

fn jwt_settings(url: &str, ca: Option<&std::path::Path>, unknown_kid_refresh: &str) -> String {
    let ca = ca
        .map(|c| format!("        jwks_ca: {}\n", c.display()))
        .unwrap_or_default();
    format!(
        "auth:\n  schemes:\n    staff-jwt:\n      jwt:\n        issuer: https://login.test/\n        audience: crm\n        jwks_url: {url}\n{ca}        unknown_kid_refresh: {unknown_kid_refresh}\n"
    )
}

#[actix_rt::test]
async fn a_jwks_over_https_is_fetched_rotated_and_fetched_again_within_bounds() {
    let ca = Ca::new("JWKS test CA");
    let dir = tempfile::tempdir().unwrap();
    let ca_file = pki::write(dir.path(), "ca.pem", &ca.pem());
    let (k1, k2, k3) = (
        SigningKey::rsa("k1"),
        SigningKey::rsa("k2"),
        SigningKey::rsa("k3"),
    );
    let (jwks_url, served, hits) = jwks_server(&ca, dir.path(), jwks(&[&k1])).await;
    let svc = fixture("crm.yaml", "staff-jwt");
    let (up, received) = recorder(svc.clone());

    let config = settings(dir.path(), &jwt_settings(&jwks_url, Some(&ca_file), "1ms"));
    let base = bridge(config, svc.clone(), &up).await;
    let url = format!("{base}/api/customer/customers");
    assert_eq!(hits.load(Ordering::SeqCst), 1, "fetched once at start-up");
    assert_eq!(
        get(&url, &k1.sign(&claims("alice", |_| {}))).await.status,
        200
    );
    assert_eq!(hits.load(Ordering::SeqCst), 1, "cached");
    // The issuer rotates to k2: its first token fetches the JWKS again.
    *served.lock().unwrap() = jwks(&[&k2]);
    std::thread::sleep(std::time::Duration::from_millis(5));
    let r = get(&url, &k2.sign(&claims("bob", |_| {}))).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(hits.load(Ordering::SeqCst), 2);
    std::thread::sleep(std::time::Duration::from_millis(5));
    let r = get(&url, &k1.sign(&claims("alice", |_| {}))).await;
    assert_eq!(r.status, 401, "k1 was rotated out");
    assert_eq!(r.body["detail"], "the token is signed with an unknown key");
    assert_eq!(received.lock().unwrap().len(), 2);

    // Unknown kids fetch again at most once per `unknown_kid_refresh`.
    let config = settings(dir.path(), &jwt_settings(&jwks_url, Some(&ca_file), "1h"));
    let before = hits.load(Ordering::SeqCst);
    let base = bridge(config, svc.clone(), &up).await;
    assert_eq!(hits.load(Ordering::SeqCst), before + 1);
    for _ in 0..5 {
        let r = get(
            &format!("{base}/api/customer/customers"),
            &k3.sign(&claims("eve", |_| {})),
        )
        .await;
        assert_eq!(r.status, 401);
    }
    assert_eq!(
        hits.load(Ordering::SeqCst),
        before + 1,
        "unknown kids hammered the issuer"
    );

    // A JWKS server the settings do not trust: no keys, so tokens cannot be checked (503).
    let config = settings(dir.path(), &jwt_settings(&jwks_url, None, "1h"));
    let base = bridge(config, svc, &up).await;
    let r = get(
        &format!("{base}/api/customer/customers"),
        &k2.sign(&claims("bob", |_| {})),
    )
    .await;
    assert_eq!(r.status, 503, "{:?}", r.body);
    assert_eq!(r.body["detail"], "the token issuer's keys cannot be loaded");
    assert_eq!(received.lock().unwrap().len(), 2);
}

#[test]
fn a_jwks_url_must_be_https() {
    let dir = tempfile::tempdir().unwrap();
    let config = settings(
        dir.path(),
        &jwt_settings("http://127.0.0.1:9/jwks", None, "30s"),
    );
    let svc = fixture("crm.yaml", "staff-jwt");
    let err = match soapbridge::http::auth::Security::load(&config, &[svc.compiled.as_ref()]) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("an http:// JWKS URL was accepted"),
    };
    assert!(
        err.contains("soapbridge.yaml:7:19: `http://127.0.0.1:9/jwks` is not an https:// URL"),
        "{err}"
    );
}
