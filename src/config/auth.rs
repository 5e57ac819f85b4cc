//! `auth:` in `soapbridge.yaml`: the client authentication schemes mappings name in their
//! `auth:`. Only their shape here; the server loads and checks them (files, hashes, keys).

use std::path::PathBuf;

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::mapping::format::{OrderedMap, TextList};

/// `auth:`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthSettings {
    /// Client authentication schemes by name (letters, digits, `-`, `_`); mappings name them in
    /// `auth:`. Default: none.
    pub schemes: OrderedMap<Spanned<String>, Scheme>,
}

/// One scheme: exactly one of its kinds.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum Scheme {
    /// An API key in a header or a query parameter, checked against stored hashes.
    ApiKey(Box<ApiKeyScheme>),
    /// A JWT bearer token (OAuth 2.0 resource server), checked against an issuer's keys.
    Jwt(Box<JwtScheme>),
    /// HTTP Basic, checked against an htpasswd file.
    Basic(BasicScheme),
    /// A client certificate verified by the TLS listener (`tls.client_ca`).
    ClientCert(ClientCertScheme),
}

impl Scheme {
    /// The kind's name, as written.
    pub fn kind(&self) -> &'static str {
        match self {
            Scheme::ApiKey(_) => "api_key",
            Scheme::Jwt(_) => "jwt",
            Scheme::Basic(_) => "basic",
            Scheme::ClientCert(_) => "client_cert",
        }
    }
}

/// `api_key:`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiKeyScheme {
    /// The request header carrying the key. Default: `X-Api-Key` (unless `query` is set).
    #[serde(default)]
    pub header: Option<Spanned<String>>,
    /// The query parameter carrying the key, instead of a header. Default: none.
    #[serde(default)]
    pub query: Option<Spanned<String>>,
    /// A file of keys, one per line: `ID HASH [SCOPE ...]`, where HASH is `sha256:` and the
    /// key's SHA-256 in hex, or an argon2 PHC string (`$argon2id$...`). Never the key itself.
    /// One of `keys_file` and `keys_env` is required.
    #[serde(default)]
    pub keys_file: Option<Spanned<PathBuf>>,
    /// An environment variable holding the same lines (`;` may separate them). Default: none.
    #[serde(default)]
    pub keys_env: Option<Spanned<String>>,
}

/// `jwt:`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JwtScheme {
    /// The issuer (`iss`) tokens must name. Required.
    pub issuer: Spanned<String>,
    /// The audience (`aud`), or a list of which tokens must name one. Required.
    pub audience: Spanned<TextList>,
    /// The signature algorithms accepted from this issuer: `RS256`, `RS384`, `RS512`, `PS256`,
    /// `PS384`, `PS512`, `ES256`, `ES384`, `EdDSA`. Default: `[RS256]`.
    #[serde(default)]
    pub algorithms: Option<Spanned<Vec<String>>>,
    /// The issuer's keys as a JWKS file. One of `jwks_file` and `jwks_url` is required.
    #[serde(default)]
    pub jwks_file: Option<Spanned<PathBuf>>,
    /// The issuer's JWKS URL (`https://` only), fetched at start-up and cached. Default: none.
    #[serde(default)]
    pub jwks_url: Option<Spanned<String>>,
    /// Extra CA certificates (PEM) trusted for `jwks_url`, e.g. a corporate root. Default: the
    /// public web roots only.
    #[serde(default)]
    pub jwks_ca: Option<Spanned<PathBuf>>,
    /// How often the JWKS is fetched again. Default: `1h`.
    #[serde(default)]
    pub refresh: Option<Spanned<String>>,
    /// A token with an unknown `kid` fetches the JWKS again, at most this often. Default: `30s`.
    #[serde(default)]
    pub unknown_kid_refresh: Option<Spanned<String>>,
    /// Clock skew allowed on `exp` and `nbf`, at most `60s`. Default: `30s`.
    #[serde(default)]
    pub leeway: Option<Spanned<String>>,
}

/// `basic:`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasicScheme {
    /// An htpasswd file: `user:hash` lines, bcrypt (`htpasswd -B`) or argon2 hashes. Required.
    pub htpasswd: Spanned<PathBuf>,
    /// The realm named in `WWW-Authenticate`. Default: `soapbridge`.
    #[serde(default)]
    pub realm: Option<String>,
}

/// `client_cert:`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClientCertScheme {
    /// Subjects accepted, as written in RFC 4514 form (`CN=billing,O=Acme`). Default: any
    /// certificate the listener's `tls.client_ca` verifies.
    pub subjects: Vec<Spanned<String>>,
}
