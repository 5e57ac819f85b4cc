//! How calls authenticate to the legacy service: one [`Auth`] per target, built from the
//! mapping's settings when serving (credentials come only from `${VAR}`s), applied to every
//! request. A new scheme is a variant here: a bearer token or OAuth client credentials set the
//! `Authorization` value in [`Auth::apply`]; a client certificate (mTLS) goes to the target's
//! connector; a WS-Security token is handed to `soap/` for the envelope's header.

use actix_web::http::header::AUTHORIZATION;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::error::TargetError;
use crate::env::expand_env;
use crate::mapping::route::UpstreamSettings;

/// How calls to one target authenticate. No variant shows its credentials in `Debug`.
#[derive(Clone, Debug, Default)]
pub enum Auth {
    /// No credentials are sent.
    #[default]
    None,
    /// HTTP Basic authentication (RFC 7617).
    Basic(BasicAuth),
}

impl Auth {
    /// The scheme the mapping's settings ask for, its `${VAR}`s resolved from the environment.
    pub(super) fn from_settings(u: &UpstreamSettings) -> Result<Auth, TargetError> {
        let Some((user, pass)) = &u.basic_auth else {
            return Ok(Auth::None);
        };
        let resolve = |template: &str| expand_env(template).map_err(TargetError::Env);
        Ok(Auth::Basic(BasicAuth::new(
            &resolve(user)?,
            &resolve(pass)?,
        )))
    }

    /// Adds this scheme's credentials to a request.
    pub(super) fn apply(&self, req: awc::ClientRequest) -> awc::ClientRequest {
        match self {
            Auth::None => req,
            Auth::Basic(basic) => {
                req.insert_header((AUTHORIZATION, basic.authorization.0.as_str()))
            }
        }
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
            authorization: Secret(format!("Basic {token}")),
        }
    }
}

/// A credential: shown as `<redacted>` in `Debug`, never logged.
#[derive(Clone)]
struct Secret(String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
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
            assert_eq!(BasicAuth::new(user, pass).authorization.0, expected);
        }
    }

    #[test]
    fn debug_hides_the_credentials() {
        let shown = format!(
            "{:?}",
            Auth::Basic(BasicAuth::new("Aladdin", "open sesame"))
        );
        assert_eq!(shown, "Basic(BasicAuth { authorization: <redacted> })");
    }
}
