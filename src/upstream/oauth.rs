//! OAuth 2.0 client credentials (RFC 6749 section 4.4) for the upstream: a token asked of the
//! token endpoint, kept until `refresh_before` its expiry (never less than half its life), then
//! replaced by one refresh at a time, whichever worker and however many calls need it. While a
//! replacement fails, the current token serves until it expires.

use std::sync::RwLock;
use std::time::{Duration, Instant};

use actix_web::http::header::AUTHORIZATION;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use tracing::{info, warn};

use super::error::{TargetError, UpstreamError};
use crate::env::{Secret, expand_env, resolve_secret};
use crate::mapping::route::OAuth2Settings;

/// The most bytes of a token endpoint's answer read.
const ANSWER_LIMIT: usize = 64 * 1024;
/// How long a token without `expires_in` is kept.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(300);

/// A client of one token endpoint and its cached token. `Debug` never shows a secret.
#[derive(Debug)]
pub struct OAuth2 {
    token_url: String,
    client_id: String,
    client_secret: Secret,
    scope: Option<String>,
    refresh_before: Duration,
    basic_client_auth: bool,
    cached: RwLock<Option<Token>>,
    /// Held while a token is asked for: one refresh at a time.
    refreshing: tokio::sync::Mutex<()>,
}

#[derive(Debug, Clone)]
struct Token {
    /// `Bearer <token>`.
    authorization: Secret,
    /// Replaced from then on.
    refresh_at: Instant,
    /// Not sent from then on.
    expires_at: Instant,
}

/// The token endpoint's answer (RFC 6749 section 5.1).
#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
}

/// The token endpoint's error (RFC 6749 section 5.2): its code only.
#[derive(Deserialize)]
struct ErrorAnswer {
    error: String,
}

impl OAuth2 {
    /// The settings' `${VAR}` / `${file:PATH}` resolved; the token URL must be https:// (or
    /// http:// on loopback).
    pub(super) fn resolve(s: &OAuth2Settings) -> Result<OAuth2, TargetError> {
        let token_url = expand_env(&s.token_url)?;
        if crate::env::has_user_info(&token_url) {
            return Err(TargetError::UrlCredentials("the token URL"));
        }
        let uri: awc::http::Uri = token_url
            .parse()
            .map_err(|_| TargetError::TokenUrl(token_url.clone()))?;
        let loopback = uri.host().is_some_and(|h| {
            let h = h.trim_start_matches('[').trim_end_matches(']');
            h.eq_ignore_ascii_case("localhost")
                || h.parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        });
        match uri.scheme_str() {
            Some("https") => {}
            Some("http") if loopback => {}
            _ => return Err(TargetError::TokenUrl(token_url)),
        }
        Ok(OAuth2 {
            token_url,
            client_id: expand_env(&s.client_id)?,
            client_secret: resolve_secret(&s.client_secret)?,
            scope: s.scope.clone(),
            refresh_before: s.refresh_before,
            basic_client_auth: s.basic_client_auth,
            cached: RwLock::new(None),
            refreshing: tokio::sync::Mutex::new(()),
        })
    }

    /// The `Authorization` value of a call now: the cached token while fresh, else a new one.
    pub(super) async fn authorization(
        &self,
        client: &awc::Client,
    ) -> Result<Secret, UpstreamError> {
        if let Some(t) = self.fresh(Instant::now()) {
            return Ok(t);
        }
        let _one_at_a_time = self.refreshing.lock().await;
        // Another call may have refreshed it while this one waited.
        let now = Instant::now();
        if let Some(t) = self.fresh(now) {
            return Ok(t);
        }
        match self.ask(client).await {
            Ok(token) => {
                let authorization = token.authorization.clone();
                *self.cached.write().unwrap_or_else(|p| p.into_inner()) = Some(token);
                Ok(authorization)
            }
            Err(e) => match self.unexpired(now) {
                Some(t) => {
                    warn!(error = %e, "Upstream token refresh failed; the current token serves until it expires");
                    Ok(t)
                }
                None => Err(e),
            },
        }
    }

    /// The cached token if it need not be replaced yet.
    fn fresh(&self, now: Instant) -> Option<Secret> {
        let cached = self.cached.read().unwrap_or_else(|p| p.into_inner());
        cached
            .as_ref()
            .filter(|t| now < t.refresh_at)
            .map(|t| t.authorization.clone())
    }

    /// The cached token if it has not expired.
    fn unexpired(&self, now: Instant) -> Option<Secret> {
        let cached = self.cached.read().unwrap_or_else(|p| p.into_inner());
        cached
            .as_ref()
            .filter(|t| now < t.expires_at)
            .map(|t| t.authorization.clone())
    }

    /// Asks the token endpoint for a token (`grant_type=client_credentials`).
    async fn ask(&self, client: &awc::Client) -> Result<Token, UpstreamError> {
        let fail = |why: String| UpstreamError::Credentials(why);
        let mut form: Vec<(&str, &str)> = vec![("grant_type", "client_credentials")];
        if let Some(scope) = &self.scope {
            form.push(("scope", scope));
        }
        let mut req = client.post(&self.token_url);
        if self.basic_client_auth {
            // RFC 6749 section 2.3.1: both form-encoded before the Basic encoding.
            let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
            let pair = format!(
                "{}:{}",
                enc(&self.client_id),
                enc(self.client_secret.expose())
            );
            req = req.insert_header((AUTHORIZATION, format!("Basic {}", STANDARD.encode(pair))));
        } else {
            form.push(("client_id", &self.client_id));
            form.push(("client_secret", self.client_secret.expose()));
        }
        let asked = Instant::now();
        let mut resp = req
            .insert_header(("Accept", "application/json"))
            .send_form(&form)
            .await
            .map_err(|e| fail(format!("the token endpoint cannot be reached: {e}")))?;
        let status = resp.status();
        let body = resp
            .body()
            .limit(ANSWER_LIMIT)
            .await
            .map_err(|e| fail(format!("the token endpoint's answer cannot be read: {e}")))?;
        if !status.is_success() {
            let code = serde_json::from_slice::<ErrorAnswer>(&body)
                .map(|e| format!(" ({})", e.error.chars().take(64).collect::<String>()))
                .unwrap_or_default();
            return Err(fail(format!("the token endpoint answered {status}{code}")));
        }
        let answer: TokenAnswer = serde_json::from_slice(&body)
            .map_err(|_| fail("the token endpoint's answer holds no access_token".into()))?;
        if answer
            .token_type
            .as_deref()
            .is_some_and(|t| !t.eq_ignore_ascii_case("bearer"))
        {
            return Err(fail(
                "the token endpoint gave a token that is not a bearer token".into(),
            ));
        }
        let lifetime = lifetime(answer.expires_in.as_ref());
        info!(expires_in_s = lifetime.as_secs(), "Upstream token obtained");
        let keep = lifetime
            .saturating_sub(self.refresh_before)
            .max(lifetime / 2);
        Ok(Token {
            authorization: Secret::new(format!("Bearer {}", answer.access_token)),
            refresh_at: asked + keep,
            expires_at: asked + lifetime,
        })
    }
}

/// `expires_in` (seconds; a number, or a numeric string as some servers send).
fn lifetime(expires_in: Option<&serde_json::Value>) -> Duration {
    let secs = match expires_in {
        Some(serde_json::Value::Number(n)) => n.as_u64(),
        Some(serde_json::Value::String(s)) => s.parse().ok(),
        _ => None,
    };
    secs.map_or(DEFAULT_LIFETIME, Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes() {
        assert_eq!(
            lifetime(Some(&serde_json::json!(3600))),
            Duration::from_secs(3600)
        );
        assert_eq!(
            lifetime(Some(&serde_json::json!("60"))),
            Duration::from_secs(60)
        );
        assert_eq!(lifetime(Some(&serde_json::json!(-1))), DEFAULT_LIFETIME);
        assert_eq!(lifetime(None), DEFAULT_LIFETIME);
    }

    #[test]
    fn token_urls_are_https_or_loopback() {
        let settings = |url: &str| OAuth2Settings {
            token_url: url.into(),
            client_id: "id".into(),
            client_secret: "${HOME}".into(),
            scope: None,
            refresh_before: Duration::from_secs(60),
            basic_client_auth: true,
        };
        for ok in [
            "https://idp.example/token",
            "http://127.0.0.1:8080/token",
            "http://localhost/t",
            "http://[::1]:1/t",
        ] {
            assert!(OAuth2::resolve(&settings(ok)).is_ok(), "{ok}");
        }
        for bad in ["http://idp.example/token", "ftp://127.0.0.1/t", "not a url"] {
            assert!(
                matches!(
                    OAuth2::resolve(&settings(bad)),
                    Err(TargetError::TokenUrl(_))
                ),
                "{bad}"
            );
        }
        let e = OAuth2::resolve(&settings("https://id:hunter2@idp.example/token")).unwrap_err();
        assert!(matches!(e, TargetError::UrlCredentials(_)), "{e}");
        assert!(!e.to_string().contains("hunter2"), "{e}");
        let client = OAuth2::resolve(&settings("https://idp.example/token")).unwrap();
        let home = std::env::var("HOME").unwrap();
        assert!(!format!("{client:?}").contains(&format!("\"{home}\"")));
    }
}
