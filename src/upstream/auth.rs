//! How calls authenticate to the legacy service over HTTP: one [`Auth`] per target, built from
//! the mapping's settings when serving (credentials come only from `${VAR}` and
//! `${file:PATH}`), giving every call its `Authorization` value: Basic, a static bearer token, or
//! one from an OAuth 2.0 token endpoint (`oauth.rs`). The other proofs live elsewhere: a client
//! certificate (mTLS) is the target's TLS configuration (`tls.rs`), a WS-Security token is
//! written into the envelope's header by `soap::UsernameToken`.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::error::{TargetError, UpstreamError};
use super::oauth::OAuth2;
use crate::env::{Secret, expand_env, resolve_secret};
use crate::mapping::route::{BearerSettings, UpstreamSettings};

/// How calls to one target authenticate. No variant shows its credentials in `Debug`.
#[derive(Clone, Debug, Default)]
pub enum Auth {
    /// No credentials are sent.
    #[default]
    None,
    /// HTTP Basic authentication (RFC 7617).
    Basic(BasicAuth),
    /// A static bearer token (RFC 6750): `Bearer <token>`.
    Bearer(Secret),
    /// Bearer tokens from an OAuth 2.0 token endpoint (client credentials), shared by every
    /// worker's calls.
    OAuth2(Arc<OAuth2>),
}

impl Auth {
    /// The scheme the mapping's settings ask for, its `${VAR}`s resolved from the environment.
    pub(super) fn from_settings(u: &UpstreamSettings) -> Result<Auth, TargetError> {
        if let Some((user, pass)) = &u.basic_auth {
            return Ok(Auth::Basic(BasicAuth::new(
                &expand_env(user)?,
                resolve_secret(pass)?.expose(),
            )));
        }
        Ok(match &u.bearer {
            None => Auth::None,
            Some(BearerSettings::Static(token)) => Auth::Bearer(Secret::new(format!(
                "Bearer {}",
                resolve_secret(token)?.expose()
            ))),
            Some(BearerSettings::OAuth2(o)) => Auth::OAuth2(Arc::new(OAuth2::resolve(o)?)),
        })
    }

    /// The `Authorization` value of a call now (`None`: no header), asking the token endpoint
    /// when the scheme needs a new token.
    pub(super) async fn authorization(
        &self,
        client: &awc::Client,
    ) -> Result<Option<Secret>, UpstreamError> {
        Ok(match self {
            Auth::None => None,
            Auth::Basic(basic) => Some(basic.authorization.clone()),
            Auth::Bearer(token) => Some(token.clone()),
            Auth::OAuth2(oauth) => Some(oauth.authorization(client).await?),
        })
    }
}

/// HTTP Basic credentials, kept as the `Authorization` value computed once.
#[derive(Clone, Debug)]
pub struct BasicAuth {
    authorization: Secret,
}

impl BasicAuth {
    /// `Basic base64(username:password)`.
    pub fn new(username: &str, password: &str) -> BasicAuth {
        let token = STANDARD.encode(format!("{username}:{password}"));
        BasicAuth {
            authorization: Secret::new(format!("Basic {token}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Auth, BasicAuth};

    #[test]
    fn basic_is_base64_of_user_colon_password() {
        let cases = [
            (
                "Aladdin",
                "open sesame",
                "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
            ),
            ("a", "", "Basic YTo="),
            ("", "", "Basic Og=="),
        ];
        for (user, pass, expected) in cases {
            assert_eq!(BasicAuth::new(user, pass).authorization.expose(), expected);
        }
    }

    #[test]
    fn debug_hides_the_credentials() {
        let shown = format!(
            "{:?}",
            Auth::Basic(BasicAuth::new("Aladdin", "open sesame"))
        );
        assert_eq!(shown, "Basic(BasicAuth { authorization: <redacted> })");
        let shown = format!(
            "{:?}",
            Auth::Bearer(crate::env::Secret::new("Bearer t0k3n"))
        );
        assert_eq!(shown, "Bearer(<redacted>)");
    }
}
