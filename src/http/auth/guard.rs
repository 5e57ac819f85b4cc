//! The guard before the handler: the schemes a route names are tried in turn, any one that
//! accepts the request's credentials suffices; then the route's scopes and claims. The schemes
//! of every route are found once, when the server starts ([`Security::load`]), never by name
//! per request. Slow hash checks (bcrypt, argon2) run on the blocking pool.

use std::sync::Arc;

use actix_web::HttpRequest;
use tracing::warn;

use super::api_key::{ApiKeys, Place};
use super::basic::{self, Htpasswd};
use super::client_cert::ClientCerts;
use super::identity::{Identity, IdentityKind};
use super::jwt::{self, JwtAuth, TokenRefusal};
use crate::mapping::route::Access;

/// One scheme of the settings, loaded.
pub(crate) struct Scheme {
    pub(crate) name: Arc<str>,
    pub(crate) kind: Kind,
}

/// What a scheme checks against.
pub(crate) enum Kind {
    ApiKey(Arc<ApiKeys>),
    Jwt(Arc<JwtAuth>),
    Basic(Arc<Htpasswd>),
    ClientCert(ClientCerts),
}

/// Every client authentication scheme, and the schemes each route names.
#[derive(Default)]
pub struct Security {
    pub(crate) schemes: Vec<Scheme>,
    /// Per service, per operation: indexes into `schemes`.
    pub(crate) routes: Vec<Vec<Vec<usize>>>,
}

/// Why a request may not go on; the texts are safe to send.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Is raised when the request carries no credentials any scheme of the route takes.
    #[error("credentials are required")]
    Missing { challenges: Vec<String> },
    /// Is raised when credentials were presented and none was accepted.
    #[error("{reason}")]
    Refused {
        challenges: Vec<String>,
        reason: String,
    },
    /// Is raised when the caller is authenticated but lacks a scope or claim of the route.
    #[error("{reason}")]
    Forbidden {
        reason: String,
        /// `Bearer error="insufficient_scope"` for token callers.
        challenge: Option<String>,
    },
    /// Is raised when a scheme cannot check now (the issuer's keys could not be loaded, the
    /// schemes were not loaded).
    #[error("{0}")]
    Unavailable(&'static str),
}

/// What one scheme made of the request.
enum Attempt {
    Absent,
    Accepted(Identity),
    Refused(String),
    Unavailable(&'static str),
}

impl Security {
    /// The caller of operation `oi` of service `si`, when its access names schemes; `None` when
    /// anyone may call.
    pub async fn authenticate(
        &self,
        req: &HttpRequest,
        si: usize,
        oi: usize,
        access: &Access,
    ) -> Result<Option<Identity>, AuthError> {
        if access.is_open() {
            return Ok(None);
        }
        let Some(indexes) = self.routes.get(si).and_then(|s| s.get(oi)) else {
            return Err(AuthError::Unavailable(
                "client authentication is not configured",
            ));
        };
        let mut refused: Option<String> = None;
        let mut forbidden: Option<AuthError> = None;
        let mut unavailable = None;
        for &i in indexes {
            let s = &self.schemes[i];
            match attempt(s, req).await {
                Attempt::Absent => {}
                Attempt::Refused(r) => {
                    warn!(scheme = %s.name, reason = %r, "Credentials refused");
                    refused.get_or_insert(r);
                }
                Attempt::Unavailable(why) => unavailable = Some(why),
                Attempt::Accepted(identity) => match allowed(&identity, access) {
                    Ok(()) => return Ok(Some(identity)),
                    Err(e) => {
                        warn!(identity = %identity.label(), reason = %e, "Caller lacks a scope or claim");
                        forbidden.get_or_insert(e);
                    }
                },
            }
        }
        if let Some(f) = forbidden {
            return Err(f);
        }
        if let Some(why) = unavailable {
            return Err(AuthError::Unavailable(why));
        }
        let challenges = indexes
            .iter()
            .filter_map(|&i| challenge(&self.schemes[i], refused.as_deref()))
            .collect();
        Err(match refused {
            Some(reason) => AuthError::Refused { challenges, reason },
            None => AuthError::Missing { challenges },
        })
    }
}

impl Security {
    /// The request headers the schemes of a route read besides `Authorization` (API keys' own
    /// headers), lower case.
    pub(crate) fn headers_read(&self, si: usize, oi: usize) -> Vec<String> {
        let Some(indexes) = self.routes.get(si).and_then(|s| s.get(oi)) else {
            return Vec::new();
        };
        indexes
            .iter()
            .filter_map(|&i| match &self.schemes[i].kind {
                Kind::ApiKey(k) => match &k.place {
                    Place::Header(h) => Some(h.as_str().to_string()),
                    Place::Query(_) => None,
                },
                _ => None,
            })
            .collect()
    }
}

/// One scheme's verdict on the request.
async fn attempt(s: &Scheme, req: &HttpRequest) -> Attempt {
    let identity = |kind, id: String, scopes: Vec<String>| Identity {
        scheme: s.name.clone(),
        kind,
        id,
        scopes,
        claims: None,
    };
    match &s.kind {
        Kind::ApiKey(keys) => {
            let Some(key) = keys.presented(req) else {
                return Attempt::Absent;
            };
            if let Some(m) = keys.check_fast(&key) {
                return Attempt::Accepted(identity(
                    IdentityKind::ApiKey,
                    m.id.to_string(),
                    m.scopes.to_vec(),
                ));
            }
            if keys.has_slow_hashes() {
                let keys = keys.clone();
                let found = actix_web::web::block(move || {
                    keys.check_slow(&key)
                        .map(|m| (m.id.to_string(), m.scopes.to_vec()))
                })
                .await;
                if let Ok(Some((id, scopes))) = found {
                    return Attempt::Accepted(identity(IdentityKind::ApiKey, id, scopes));
                }
            }
            Attempt::Refused("the API key is not valid".into())
        }
        Kind::Jwt(j) => match jwt::bearer(req) {
            None => Attempt::Absent,
            Some(token) => token_attempt(s, j, token).await,
        },
        Kind::Basic(h) => match basic::credentials(req) {
            None => Attempt::Absent,
            Some(Err(())) => Attempt::Refused("the Basic credentials are malformed".into()),
            Some(Ok((user, password))) => {
                let (h, u) = (h.clone(), user.clone());
                match actix_web::web::block(move || h.check(&u, &password)).await {
                    Ok(true) => Attempt::Accepted(identity(IdentityKind::Basic, user, Vec::new())),
                    _ => Attempt::Refused("the user name or password is not valid".into()),
                }
            }
        },
        Kind::ClientCert(c) => match c.check(req) {
            None => Attempt::Absent,
            Some(Ok(subject)) => {
                Attempt::Accepted(identity(IdentityKind::ClientCert, subject, Vec::new()))
            }
            Some(Err(())) => {
                Attempt::Refused("the client certificate's subject is not accepted".into())
            }
        },
    }
}

/// A bearer token checked; an unknown `kid` fetches the issuer's keys again and tries once more;
/// stale keys are fetched again in the background; both at most once per `unknown_kid_refresh`.
async fn token_attempt(s: &Scheme, j: &Arc<JwtAuth>, token: &str) -> Attempt {
    let keys = &j.keys;
    if keys.stale() && !keys.current().keys.is_empty() && keys.claim_fetch() {
        let k = keys.clone();
        actix_web::rt::spawn(async move { k.refresh().await });
    }
    let mut verdict = j.verify(token);
    if verdict.as_ref().err() == Some(&TokenRefusal::UnknownKey) && keys.claim_fetch() {
        keys.refresh().await;
        verdict = j.verify(token);
    }
    match verdict {
        Ok(v) => Attempt::Accepted(Identity {
            scheme: s.name.clone(),
            kind: IdentityKind::Jwt,
            id: jwt::subject(&v.claims),
            scopes: jwt::scopes(&v.claims),
            claims: Some(v.claims),
        }),
        Err(TokenRefusal::UnknownKey) if keys.current().keys.is_empty() => {
            Attempt::Unavailable("the token issuer's keys cannot be loaded")
        }
        Err(r) => Attempt::Refused(r.to_string()),
    }
}

/// The route's scopes and claims, all held.
fn allowed(identity: &Identity, access: &Access) -> Result<(), AuthError> {
    let bearer = identity.kind == IdentityKind::Jwt;
    if let Some(missing) = access.scopes.iter().find(|s| !identity.scopes.contains(s)) {
        return Err(AuthError::Forbidden {
            reason: format!("the caller lacks scope `{missing}`"),
            challenge: bearer.then(|| {
                format!(
                    "Bearer error=\"insufficient_scope\", scope=\"{}\"",
                    access.scopes.join(" ")
                )
            }),
        });
    }
    if let Some((claim, _)) = access
        .claims
        .iter()
        .find(|(c, values)| !identity.has_claim(c, values))
    {
        return Err(AuthError::Forbidden {
            reason: format!("the caller's token lacks claim `{claim}` with an accepted value"),
            challenge: None,
        });
    }
    Ok(())
}

/// The `WWW-Authenticate` challenge of a scheme (with the refusal, for a bearer token).
fn challenge(s: &Scheme, refused: Option<&str>) -> Option<String> {
    Some(match &s.kind {
        Kind::ApiKey(k) => match &k.place {
            Place::Header(h) => format!("ApiKey realm=\"soapbridge\", header=\"{h}\""),
            Place::Query(q) => format!("ApiKey realm=\"soapbridge\", query=\"{q}\""),
        },
        Kind::Jwt(_) => match refused {
            Some(r) if r.starts_with("the token") => format!(
                "Bearer realm=\"soapbridge\", error=\"invalid_token\", error_description=\"{r}\""
            ),
            _ => "Bearer realm=\"soapbridge\"".to_string(),
        },
        Kind::Basic(h) => format!(
            "Basic realm=\"{}\", charset=\"UTF-8\"",
            h.realm.replace('"', "'")
        ),
        Kind::ClientCert(_) => return None,
    })
}
