//! An issuer's signing keys (a JWKS), from a file or a fixed `https://` URL: parsed into
//! verification keys once per fetch, cached, fetched again every `refresh` (in the background,
//! the old keys serving meanwhile) and, when a token names an unknown `kid`, at most once per
//! `unknown_kid_refresh`. One fetch at a time; a failed fetch keeps the keys there were. Only
//! asymmetric signing keys are kept: a symmetric (`oct`) key in a JWKS is never used.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, JwkSet, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use tracing::{info, warn};

/// Largest JWKS document read from a URL.
const MAX_JWKS_BYTES: usize = 1024 * 1024;
/// Deadline of one JWKS fetch.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a JWKS could not be had.
#[derive(Debug, thiserror::Error)]
pub(crate) enum JwksError {
    /// Is raised when the JWKS file cannot be read.
    #[error("cannot read the JWKS file: {0}")]
    Read(#[from] std::io::Error),
    /// Is raised when the JWKS URL cannot be fetched or answers with an error status.
    #[error("cannot fetch the JWKS: {0}")]
    Fetch(String),
    /// Is raised when the document is not a JWKS.
    #[error("the JWKS is not valid JSON Web Key Set JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// Is raised when the JWKS holds no asymmetric signing key of an accepted algorithm.
    #[error(
        "the JWKS holds no usable signing key (RSA, EC or OKP, `use: sig`) of the algorithms accepted"
    )]
    NoKeys,
}

/// One verification key.
pub(crate) struct Key {
    pub(crate) kid: Option<String>,
    /// The JWK's own `alg`, when it names one: a token must then use exactly that.
    pub(crate) alg: Option<Algorithm>,
    pub(crate) key: DecodingKey,
}

/// The keys of one fetch.
pub(crate) struct Keys {
    pub(crate) keys: Vec<Key>,
    fetched: Instant,
}

impl Keys {
    /// The key a token's header names: by `kid`, or the only key of the algorithm's family when
    /// the token names none.
    pub(crate) fn find(&self, kid: Option<&str>, alg: Algorithm) -> Option<&Key> {
        let fits = |k: &&Key| k.alg.is_none_or(|a| a == alg) && k.key.family() == alg.family();
        match kid {
            Some(kid) => self
                .keys
                .iter()
                .filter(fits)
                .find(|k| k.kid.as_deref() == Some(kid)),
            None => {
                let mut it = self.keys.iter().filter(fits);
                let first = it.next();
                if it.next().is_some() { None } else { first }
            }
        }
    }
}

/// Where the keys come from.
pub(crate) enum Source {
    File(PathBuf),
    Url {
        url: String,
        tls: Arc<rustls::ClientConfig>,
    },
}

/// When a fetch was last tried.
struct Attempts {
    last: Option<Instant>,
}

/// A cached JWKS, fetched again as its settings say.
pub(crate) struct KeySet {
    source: Source,
    algorithms: Vec<Algorithm>,
    refresh: Duration,
    unknown_kid_refresh: Duration,
    keys: RwLock<Arc<Keys>>,
    attempts: Mutex<Attempts>,
    /// Held while fetching: one fetch at a time.
    flight: tokio::sync::Mutex<()>,
}

impl KeySet {
    pub(crate) fn new(
        source: Source,
        algorithms: Vec<Algorithm>,
        refresh: Duration,
        unknown_kid_refresh: Duration,
    ) -> KeySet {
        KeySet {
            source,
            algorithms,
            refresh,
            unknown_kid_refresh,
            keys: RwLock::new(Arc::new(Keys {
                keys: Vec::new(),
                fetched: Instant::now(),
            })),
            attempts: Mutex::new(Attempts { last: None }),
            flight: tokio::sync::Mutex::new(()),
        }
    }

    /// Whether the keys are fetched from a URL.
    pub(crate) fn is_url(&self) -> bool {
        matches!(self.source, Source::Url { .. })
    }

    /// The keys there are now.
    pub(crate) fn current(&self) -> Arc<Keys> {
        self.keys
            .read()
            .map(|k| k.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }

    /// Whether the keys are older than the refresh interval (or were never had).
    pub(crate) fn stale(&self) -> bool {
        let k = self.current();
        k.keys.is_empty() || k.fetched.elapsed() >= self.refresh
    }

    /// Claims the next fetch: true (and the time noted) when none was tried within
    /// `unknown_kid_refresh`, so neither unknown `kid`s nor stale keys fetch more often.
    pub(crate) fn claim_fetch(&self) -> bool {
        let mut a = self.attempts.lock().unwrap_or_else(|p| p.into_inner());
        if a.last
            .is_some_and(|t| t.elapsed() < self.unknown_kid_refresh)
        {
            return false;
        }
        a.last = Some(Instant::now());
        true
    }

    /// Reads a JWKS file now (at start-up, and by `check`).
    pub(crate) fn load_file(&self) -> Result<(), JwksError> {
        if let Source::File(path) = &self.source {
            let text = std::fs::read_to_string(path)?;
            self.install(parse(&text, &self.algorithms)?);
        }
        Ok(())
    }

    /// Fetches the keys again (callers claim the fetch first, [`KeySet::claim_fetch`]), unless
    /// another fetch is under way (then waits for that one).
    pub(crate) async fn refresh(&self) {
        let Ok(_flight) = self.flight.try_lock() else {
            let _wait = self.flight.lock().await;
            return;
        };
        let got = match &self.source {
            Source::File(path) => std::fs::read_to_string(path)
                .map_err(JwksError::from)
                .and_then(|t| parse(&t, &self.algorithms)),
            Source::Url { url, tls } => fetch(url, tls.clone())
                .await
                .and_then(|t| parse(&t, &self.algorithms)),
        };
        match got {
            Ok(keys) => {
                info!(keys = keys.keys.len(), source = %self.describe(), "JWKS loaded");
                self.install(keys);
            }
            Err(e) => {
                warn!(error = %e, source = %self.describe(), "JWKS refresh failed; the keys there were stay")
            }
        }
    }

    fn install(&self, keys: Keys) {
        let mut k = self.keys.write().unwrap_or_else(|p| p.into_inner());
        *k = Arc::new(keys);
    }

    fn describe(&self) -> String {
        match &self.source {
            Source::File(p) => p.display().to_string(),
            Source::Url { url, .. } => url.clone(),
        }
    }
}

/// The JWKS at `url`, over HTTPS only, bounded in time and size; redirects are not followed.
async fn fetch(url: &str, tls: Arc<rustls::ClientConfig>) -> Result<String, JwksError> {
    let client = awc::Client::builder()
        .connector(
            awc::Connector::new()
                .rustls_0_23(tls)
                .timeout(FETCH_TIMEOUT),
        )
        .timeout(FETCH_TIMEOUT)
        .disable_redirects()
        .finish();
    let mut resp = client
        .get(url)
        .insert_header(("Accept", "application/json"))
        .send()
        .await
        .map_err(|e| JwksError::Fetch(e.to_string()))?;
    if !resp.status().is_success() {
        return Err(JwksError::Fetch(format!(
            "HTTP status {}",
            resp.status().as_u16()
        )));
    }
    let body = resp
        .body()
        .limit(MAX_JWKS_BYTES)
        .await
        .map_err(|e| JwksError::Fetch(e.to_string()))?;
    String::from_utf8(body.to_vec()).map_err(|_| JwksError::Fetch("the answer is not UTF-8".into()))
}

/// The signing keys of a JWKS document usable with `algorithms`.
pub(crate) fn parse(text: &str, algorithms: &[Algorithm]) -> Result<Keys, JwksError> {
    let set: JwkSet = serde_json::from_str(text)?;
    let mut keys = Vec::new();
    for jwk in &set.keys {
        if matches!(jwk.common.public_key_use, Some(ref u) if *u != PublicKeyUse::Signature) {
            continue;
        }
        if matches!(jwk.algorithm, AlgorithmParameters::OctetKey(_)) {
            continue;
        }
        let alg = jwk
            .common
            .key_algorithm
            .and_then(|a| a.to_string().parse::<Algorithm>().ok());
        let Ok(key) = DecodingKey::from_jwk(jwk) else {
            continue;
        };
        let usable = match alg {
            Some(a) => algorithms.contains(&a) && a.family() == key.family(),
            None => algorithms.iter().any(|a| a.family() == key.family()),
        };
        if usable {
            keys.push(Key {
                kid: jwk.common.key_id.clone(),
                alg,
                key,
            });
        }
    }
    if keys.is_empty() {
        return Err(JwksError::NoKeys);
    }
    Ok(Keys {
        keys,
        fetched: Instant::now(),
    })
}
