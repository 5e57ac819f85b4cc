//! JWT bearer tokens (an OAuth 2.0 resource server): the algorithms pinned per issuer (never
//! `none`, never HMAC, so an RSA public key can never be used as an HMAC secret), the key chosen
//! from the issuer's JWKS by `kid` (a token's `jku`, `x5u` or embedded `jwk` is never followed),
//! then the signature and `exp`/`nbf`/`iss`/`aud` checked by `jsonwebtoken`, with a leeway of at
//! most 60 s.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use actix_web::HttpRequest;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Validation};
use serde_json::{Map, Value};

use super::jwks::{KeySet, Source};
use super::settings::{duration, jwks_source, located};
use crate::config::auth::JwtScheme;
use crate::diag::Diagnostic;

/// The algorithms a scheme may pin (asymmetric only).
const ALLOWED: &[&str] = &[
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA",
];

/// Why a token was refused; the message is safe to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum TokenRefusal {
    /// Is raised when the token is not three base64url parts of JSON.
    #[error("the token is malformed")]
    Malformed,
    /// Is raised when the token's `alg` is not one the issuer's scheme accepts (`none`, HMAC).
    #[error("the token's algorithm is not accepted")]
    Algorithm,
    /// Is raised when no key of the issuer's JWKS has the token's `kid` (after a refresh).
    #[error("the token is signed with an unknown key")]
    UnknownKey,
    /// Is raised when the signature does not verify.
    #[error("the token's signature is not valid")]
    Signature,
    /// Is raised when `exp` is past (beyond the leeway).
    #[error("the token has expired")]
    Expired,
    /// Is raised when `nbf` is still ahead (beyond the leeway).
    #[error("the token is not valid yet")]
    NotYetValid,
    /// Is raised when `aud` names none of the audiences accepted.
    #[error("the token's audience is not accepted")]
    Audience,
    /// Is raised when `iss` is not the scheme's issuer.
    #[error("the token's issuer is not accepted")]
    Issuer,
    /// Is raised when `exp`, `iss` or `aud` is missing or not of its JSON type.
    #[error("the token lacks a required claim")]
    Claims,
}

/// A JWT scheme, loaded.
pub(crate) struct JwtAuth {
    /// One validation per algorithm accepted (`jsonwebtoken` wants each key's family alone).
    validations: Vec<(Algorithm, Validation)>,
    pub(crate) keys: Arc<KeySet>,
}

/// A token's verified claims.
pub(crate) struct Verified {
    pub(crate) claims: Map<String, Value>,
}

impl JwtAuth {
    /// Checks the settings and prepares the key set (a JWKS file is read now; a URL is fetched
    /// when serving starts).
    pub(crate) fn load(config: &Path, s: &JwtScheme) -> Result<JwtAuth, Vec<Diagnostic>> {
        let mut diags = Vec::new();
        let mut algorithms = Vec::new();
        let names = s
            .algorithms
            .as_ref()
            .map(|a| a.value.clone())
            .unwrap_or_else(|| vec!["RS256".into()]);
        for n in &names {
            match n.parse::<Algorithm>() {
                Ok(a) if ALLOWED.contains(&n.as_str()) => algorithms.push(a),
                _ => {
                    let at = s
                        .algorithms
                        .as_ref()
                        .map_or(&s.issuer.referenced, |a| &a.referenced);
                    diags.push(Diagnostic::new(config, at.line() as u32, at.column() as u32, format!("algorithm `{n}` is not accepted")).hint(format!("pin asymmetric ones: {} (never `none` or HS*, so a public key can never be taken for an HMAC secret)", ALLOWED.join(", "))));
                }
            }
        }
        if names.is_empty() {
            let at = s
                .algorithms
                .as_ref()
                .map_or(&s.issuer.referenced, |a| &a.referenced);
            diags.push(
                Diagnostic::new(
                    config,
                    at.line() as u32,
                    at.column() as u32,
                    "no algorithm is accepted",
                )
                .hint("e.g. `algorithms: [RS256]`"),
            );
        }
        if s.issuer.value.is_empty() {
            diags
                .push(located(config, &s.issuer, "the issuer is empty").hint(
                    "the `iss` the issuer's tokens carry, e.g. `https://login.example.com/`",
                ));
        }
        if s.audience.value.0.is_empty() || s.audience.value.0.iter().any(String::is_empty) {
            diags.push(
                located(config, &s.audience, "the audience is empty")
                    .hint("the `aud` tokens for this API carry, e.g. `crm-api`"),
            );
        }
        let leeway = duration(
            config,
            s.leeway.as_ref(),
            Duration::from_secs(30),
            &mut diags,
        );
        if leeway > Duration::from_secs(60) {
            let at = s
                .leeway
                .as_ref()
                .expect("a leeway over the default was written");
            diags.push(
                located(config, at, "the leeway may be at most 60s")
                    .hint("clocks that drift further need fixing, not a wider window"),
            );
        }
        let refresh = duration(
            config,
            s.refresh.as_ref(),
            Duration::from_secs(3600),
            &mut diags,
        );
        let unknown = duration(
            config,
            s.unknown_kid_refresh.as_ref(),
            Duration::from_secs(30),
            &mut diags,
        );
        let source = jwks_source(config, s, &mut diags);
        let Some(source) = source else {
            return Err(diags);
        };
        let validations = algorithms
            .iter()
            .map(|&alg| {
                let mut v = Validation::new(alg);
                v.leeway = leeway.as_secs();
                v.validate_exp = true;
                v.validate_nbf = true;
                v.set_issuer(&[s.issuer.value.as_str()]);
                v.set_audience(&s.audience.value.0);
                v.set_required_spec_claims(&["exp", "iss", "aud"]);
                (alg, v)
            })
            .collect();
        let is_file = matches!(source, Source::File(_));
        let keys = KeySet::new(source, algorithms, refresh, unknown);
        if is_file && let Err(e) = keys.load_file() {
            let at = s
                .jwks_file
                .as_ref()
                .expect("a file source comes from `jwks_file`");
            diags.push(
                located(config, at, format!("{e}"))
                    .hint("a JWKS is `{\"keys\": [...]}` as the issuer publishes it"),
            );
        }
        if !diags.is_empty() {
            return Err(diags);
        }
        Ok(JwtAuth {
            validations,
            keys: Arc::new(keys),
        })
    }

    /// Verifies a token against the keys there are now; `UnknownKey` says a refresh may help.
    pub(crate) fn verify(&self, token: &str) -> Result<Verified, TokenRefusal> {
        let header = jsonwebtoken::decode_header(token).map_err(|e| match e.kind() {
            ErrorKind::InvalidAlgorithmName | ErrorKind::UnsupportedAlgorithm => {
                TokenRefusal::Algorithm
            }
            // `alg: none` (or any name the crate does not know) is refused as an algorithm.
            _ if named_alg(token).is_some() => TokenRefusal::Algorithm,
            _ => TokenRefusal::Malformed,
        })?;
        let Some((_, validation)) = self.validations.iter().find(|(a, _)| *a == header.alg) else {
            return Err(TokenRefusal::Algorithm);
        };
        let keys = self.keys.current();
        let key = keys
            .find(header.kid.as_deref(), header.alg)
            .ok_or(TokenRefusal::UnknownKey)?;
        let data = jsonwebtoken::decode::<Map<String, Value>>(token, &key.key, validation)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => TokenRefusal::Expired,
                ErrorKind::ImmatureSignature => TokenRefusal::NotYetValid,
                ErrorKind::InvalidAudience => TokenRefusal::Audience,
                ErrorKind::InvalidIssuer => TokenRefusal::Issuer,
                ErrorKind::InvalidSignature => TokenRefusal::Signature,
                ErrorKind::InvalidAlgorithm | ErrorKind::MissingAlgorithm => {
                    TokenRefusal::Algorithm
                }
                ErrorKind::MissingRequiredClaim(_) | ErrorKind::InvalidClaimFormat(_) => {
                    TokenRefusal::Claims
                }
                _ => TokenRefusal::Malformed,
            })?;
        Ok(Verified {
            claims: data.claims,
        })
    }
}

/// The `alg` a token's header names, read as plain JSON (when the crate cannot read it).
fn named_alg(token: &str) -> Option<String> {
    use base64::Engine;
    let head = token.split('.').next()?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(head.trim_end_matches('='))
        .ok()?;
    let v: Value = serde_json::from_slice(&bytes).ok()?;
    v.get("alg")?.as_str().map(str::to_string)
}

/// The bearer token of an `Authorization: Bearer` header.
pub(crate) fn bearer(req: &HttpRequest) -> Option<&str> {
    let v = req.headers().get("authorization")?.to_str().ok()?;
    let (scheme, token) = v.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// The scopes a token grants: `scope` (space-separated) and `scp` (a text or a list).
pub(crate) fn scopes(claims: &Map<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    for k in ["scope", "scp"] {
        match claims.get(k) {
            Some(Value::String(s)) => out.extend(s.split_whitespace().map(str::to_string)),
            Some(Value::Array(a)) => {
                out.extend(a.iter().filter_map(|v| v.as_str()).map(str::to_string))
            }
            _ => {}
        }
    }
    out
}

/// The caller a token names: `sub`, else `client_id` or `azp` (client-credentials tokens).
pub(crate) fn subject(claims: &Map<String, Value>) -> String {
    ["sub", "client_id", "azp"]
        .iter()
        .find_map(|k| claims.get(*k).and_then(|v| v.as_str()))
        .unwrap_or("")
        .to_string()
}
