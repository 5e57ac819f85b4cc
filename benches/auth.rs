//! What client authentication adds to a request: the guard (`Security::authenticate`) on a
//! request carrying an API key (SHA-256, among 100 stored keys) and one carrying an RS256 JWT
//! (a 2048-bit key, signature and claims checked), beside an open route for reference.
//! Targets (release, one core): under 5 µs for the API key, under 30 µs for the RS256 JWT.
//! Each is measured twice: wall time (`authenticate`), and the thread's CPU time
//! (`authenticate_cpu`), which a busy shared machine's preemption does not inflate.

use std::path::Path;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use futures_util::FutureExt;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;
use sha2::{Digest, Sha256};

use soapbridge::config::Config;
use soapbridge::convert::operation::ServicePlan;
use soapbridge::http::auth::Security;

/// The fixture service, its mapping-level `auth:` naming `scheme`.
fn service(scheme: &str) -> Arc<ServicePlan> {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/security/crm.yaml");
    let text = std::fs::read_to_string(&file).unwrap().replace(
        "auth: [partner-keys, staff-jwt, ops-basic, partner-cert]",
        &format!("auth: [{scheme}]"),
    );
    let compiled = soapbridge::mapping::compile::compile_str(&file, &text).unwrap();
    Arc::new(ServicePlan::new(Arc::new(compiled)))
}

/// A fresh RSA-2048 signing key (PKCS#8 PEM).
fn rsa_pem() -> String {
    use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
    use base64::Engine;
    let kp = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
    let der: Pkcs8V1Der = kp.as_der().unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(der.as_ref());
    format!("-----BEGIN PRIVATE KEY-----\n{b64}\n-----END PRIVATE KEY-----\n")
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut keys = String::new();
    for i in 0..100 {
        let digest = Sha256::digest(format!("key-{i}").as_bytes());
        keys.push_str(&format!("partner-{i} sha256:{}\n", hex::encode(digest)));
    }
    std::fs::write(d.join("keys"), keys).unwrap();
    let pem = rsa_pem();
    let signing = EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap();
    let mut jwk = Jwk::from_encoding_key(&signing, Algorithm::RS256).unwrap();
    jwk.common.key_id = Some("k1".into());
    let jwks = serde_json::to_string(&JwkSet { keys: vec![jwk] }).unwrap();
    std::fs::write(d.join("jwks.json"), jwks).unwrap();
    let settings = d.join("soapbridge.yaml");
    std::fs::write(
        &settings,
        format!(
            "auth:\n  schemes:\n    partner-keys:\n      api_key: {{ keys_file: {} }}\n    staff-jwt:\n      jwt: {{ issuer: https://login.test/, audience: crm, jwks_file: {} }}\n",
            d.join("keys").display(),
            d.join("jwks.json").display()
        ),
    )
    .unwrap();
    let config = Config::load(Some(&settings)).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("k1".into());
    let token = jsonwebtoken::encode(
        &header,
        &json!({"iss": "https://login.test/", "aud": "crm", "sub": "alice", "exp": now + 3600, "scope": "crm.read"}),
        &signing,
    )
    .unwrap();

    let mut cases = Vec::new();
    let mut g = c.benchmark_group("authenticate");
    for (name, scheme, header) in [
        (
            "api_key",
            "partner-keys",
            ("X-Api-Key", "key-57".to_string()),
        ),
        (
            "rs256_jwt",
            "staff-jwt",
            ("Authorization", format!("Bearer {token}")),
        ),
    ] {
        let svc = service(scheme);
        let security = Security::load(&config, &[svc.compiled.as_ref()]).unwrap();
        let oi = svc
            .operations
            .iter()
            .position(|o| o.route.operation == "FindCustomers")
            .unwrap();
        let access = svc.operations[oi].route.access.clone();
        let req = actix_web::test::TestRequest::get()
            .uri("/api/customer/customers")
            .insert_header(header)
            .to_http_request();
        let once = security.authenticate(&req, 0, oi, &access).now_or_never();
        assert!(matches!(once, Some(Ok(Some(_)))), "{name}: {once:?}");
        g.bench_function(name, |b| {
            b.iter(|| security.authenticate(&req, 0, oi, &access).now_or_never())
        });
        cases.push((name, security, req, oi, access));
    }
    g.finish();
    let mut g = c.benchmark_group("authenticate_cpu");
    for (name, security, req, oi, access) in &cases {
        g.bench_function(*name, |b| {
            b.iter_custom(|iters| {
                let start = thread_cpu();
                for _ in 0..iters {
                    std::hint::black_box(security.authenticate(req, 0, *oi, access).now_or_never());
                }
                thread_cpu() - start
            })
        });
    }
    g.finish();
}

/// The calling thread's CPU time.
fn thread_cpu() -> std::time::Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid timespec for the call to fill.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    assert_eq!(rc, 0);
    std::time::Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

criterion_group!(benches, bench);
criterion_main!(benches);
