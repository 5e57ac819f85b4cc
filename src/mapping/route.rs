//! What a compiled mapping is: the routes it serves, where each input comes from, the SOAP
//! header bindings, who may call (by scheme name) and the upstream settings. Built by [`super::compile`], read by the layers
//! above (conversion, calling, serving); nothing here is looked up by name per request.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::naming::Naming;
use super::shape::Field;
use crate::wsdl::{SoapVersion, Style, Wsdl};
use crate::xsd::ElementId;

/// A mapping, checked against its WSDL.
#[derive(Debug)]
pub struct CompiledMapping {
    pub file: PathBuf,
    pub wsdl: Arc<Wsdl>,
    pub wsdl_path: PathBuf,
    pub selection: super::generate::Selection,
    pub soap: SoapVersion,
    pub base_path: String,
    pub naming: Naming,
    /// The list wrapper types shown as JSON arrays (`unwrap_lists:`), never a message's own.
    pub unwrapped: std::collections::BTreeSet<crate::xsd::TypeId>,
    pub validate_answers: super::format::AnswerValidation,
    pub upstream: UpstreamSettings,
    /// Cross-origin requests allowed to this mapping's routes; `None`: no CORS.
    pub cors: Option<Cors>,
    pub routes: Vec<Route>,
}

/// `cors:`, checked: what browsers from other origins may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cors {
    /// Origins allowed; empty means any (`*`).
    pub origins: Vec<String>,
    /// Methods allowed (upper case).
    pub methods: Vec<String>,
    /// Request headers allowed (lower case); `None`: the server's defaults (`Content-Type`,
    /// `Authorization`, and the headers the routes and their schemes read).
    pub headers: Option<Vec<String>>,
    /// Response headers exposed (lower case).
    pub expose_headers: Vec<String>,
    pub credentials: bool,
    /// Seconds a preflight answer may be cached.
    pub max_age: u64,
    /// Where `cors:` is written.
    pub line: u32,
}

/// Who may call a route: the mapping's `auth:`, `scopes:` and `claims:`, or the operation's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Access {
    /// Client authentication schemes, by their name in the settings; any one suffices. Empty:
    /// anyone may call.
    pub schemes: Vec<SchemeRef>,
    /// Scopes the caller must hold, all of them.
    pub scopes: Vec<String>,
    /// Claims the caller's token must carry: (claim, accepted values).
    pub claims: Vec<(String, Vec<String>)>,
}

impl Access {
    /// Whether anyone may call (no scheme named).
    pub fn is_open(&self) -> bool {
        self.schemes.is_empty()
    }
}

/// A client authentication scheme named by a mapping, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemeRef {
    pub name: String,
    pub line: u32,
    pub column: u32,
}

/// What of the authenticated caller an input takes (`identity.NAME`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentityField {
    /// The caller's principal, whatever the scheme: a key id, a token's `sub`, a user name, a
    /// certificate's subject.
    Id,
    /// The name of the scheme that authenticated the caller.
    Scheme,
    /// The id of the API key used.
    KeyId,
    /// The token's `sub`.
    Sub,
    /// The Basic user name.
    User,
    /// The client certificate's subject.
    Subject,
    /// A text claim of the token (`identity.claims.NAME`).
    Claim(String),
}

impl IdentityField {
    /// Parses what follows `identity.`.
    pub fn parse(s: &str) -> Option<IdentityField> {
        Some(match s {
            "id" => IdentityField::Id,
            "scheme" => IdentityField::Scheme,
            "key_id" => IdentityField::KeyId,
            "sub" => IdentityField::Sub,
            "user" => IdentityField::User,
            "subject" => IdentityField::Subject,
            _ => match s.strip_prefix("claims.") {
                Some(c) if !c.is_empty() => IdentityField::Claim(c.to_string()),
                _ => return None,
            },
        })
    }

    /// How the mapping writes it, after `identity.`.
    pub fn name(&self) -> String {
        match self {
            IdentityField::Id => "id".into(),
            IdentityField::Scheme => "scheme".into(),
            IdentityField::KeyId => "key_id".into(),
            IdentityField::Sub => "sub".into(),
            IdentityField::User => "user".into(),
            IdentityField::Subject => "subject".into(),
            IdentityField::Claim(c) => format!("claims.{c}"),
        }
    }
}

/// Where and how a mapping's calls go. Every credential is a template (`${VAR}`,
/// `${file:PATH}`), resolved when serving, never here.
#[derive(Debug, Clone)]
pub struct UpstreamSettings {
    /// URL template (`${VAR}` resolved when serving); `None` = no address known.
    pub url: Option<String>,
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// (username, password) templates, resolved from the environment when serving.
    pub basic_auth: Option<(String, String)>,
    /// `Authorization: Bearer`: a static token or OAuth 2.0 client credentials.
    pub bearer: Option<BearerSettings>,
    /// A WS-Security UsernameToken in every request's `soap:Header`.
    pub wsse: Option<WsseSettings>,
    /// TLS to the upstream (and the token endpoint).
    pub tls: TlsSettings,
    /// The outbound HTTP proxy; `None` = direct.
    pub proxy: Option<ProxySettings>,
}

impl UpstreamSettings {
    /// Settings with an address, the timeouts and nothing else (no credentials, default TLS,
    /// no proxy).
    pub fn new(url: Option<String>, timeout: Duration, connect_timeout: Duration) -> Self {
        UpstreamSettings {
            url,
            timeout,
            connect_timeout,
            basic_auth: None,
            bearer: None,
            wsse: None,
            tls: TlsSettings::default(),
            proxy: None,
        }
    }
}

/// Where a bearer token comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BearerSettings {
    /// A token template (`${VAR}` / `${file:PATH}`).
    Static(String),
    /// The OAuth 2.0 client credentials grant.
    OAuth2(OAuth2Settings),
}

/// `upstream.auth.oauth2`: templates resolved when serving.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuth2Settings {
    pub token_url: String,
    pub client_id: String,
    pub client_secret: String,
    /// Space-separated scopes; `None` asks for the server's default.
    pub scope: Option<String>,
    /// A token is replaced this long before it expires.
    pub refresh_before: Duration,
    /// `client_secret_basic` (true) or `client_secret_post` (false).
    pub basic_client_auth: bool,
}

/// `upstream.auth.wsse`: templates resolved when serving.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WsseSettings {
    pub username: String,
    pub password: String,
    /// `PasswordDigest` rather than `PasswordText`.
    pub digest: bool,
    /// The Timestamp's time to live; `None` = no Timestamp.
    pub timestamp: Option<Duration>,
    pub must_understand: bool,
}

/// The lowest TLS version accepted from the upstream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TlsVersion {
    #[default]
    V12,
    V13,
}

/// `upstream.tls`. Paths are templates; a relative path is relative to `base`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TlsSettings {
    /// The folder relative paths start from (the mapping file's).
    pub base: PathBuf,
    /// A PEM bundle of trusted roots.
    pub ca: Option<String>,
    /// The operating system's roots instead of the built-in public web roots.
    pub system_roots: bool,
    /// Client certificate chain and key (PEM), for mutual TLS.
    pub client_cert: Option<(String, String)>,
    /// The name checked in the certificate and sent as SNI, instead of the URL's host.
    pub server_name: Option<String>,
    pub min_version: TlsVersion,
}

/// `upstream.proxy`: templates resolved when serving.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxySettings {
    pub url: String,
    /// `NO_PROXY`-style list; `None` = every host through the proxy.
    pub no_proxy: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
    Patch,
}

impl Method {
    pub(super) fn parse(s: &str) -> Option<Method> {
        Some(match s {
            "GET" => Method::Get,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "DELETE" => Method::Delete,
            "PATCH" => Method::Patch,
            _ => return None,
        })
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
            Method::Patch => "PATCH",
        }
    }
    pub fn has_body(self) -> bool {
        !matches!(self, Method::Get | Method::Delete)
    }
}

/// Where one input field's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputSource {
    Path(String),
    Query(String),
    Header(String),
    /// What the authentication of the request says of the caller.
    Identity(IdentityField),
    /// The whole JSON body.
    Body,
    /// The JSON body's key of the field's name.
    BodyKey,
}

#[derive(Debug, Clone)]
pub struct Input {
    pub field: Field,
    pub key: String,
    pub source: InputSource,
}

/// A value inside a body-bound input that comes from elsewhere in the request (`request:
/// { customer/customerId: path.customerId }`): filled into the body's object when the body
/// leaves it out; a body that gives another value is refused (400 naming both).
#[derive(Debug, Clone)]
pub struct NestedInput {
    /// The input field's key, then the key of each level below it (`["customer", "customerId"]`).
    pub pointer: Vec<String>,
    /// The innermost field: simple and single.
    pub field: Field,
    /// A path parameter, query parameter, header or identity value.
    pub source: InputSource,
}

/// Where one SOAP header field's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderSource {
    /// A path parameter, query parameter or HTTP request header.
    Request(InputSource),
    /// A top-level key of the JSON body (taken out of the body's fields).
    BodyKey(String),
    /// A constant; `${VAR}` references are resolved from the environment when serving.
    Value(String),
}

/// One bound field of a request header element.
#[derive(Debug, Clone)]
pub struct HeaderField {
    pub key: String,
    pub field: Field,
    pub source: HeaderSource,
}

/// A `soap:header` part of the request the mapping fills.
#[derive(Debug, Clone)]
pub struct HeaderIn {
    /// The part's name (the mapping's key).
    pub part: String,
    pub element: ElementId,
    /// The element is of simple type: its one field is the element's text.
    pub simple: bool,
    pub must_understand: bool,
    /// A request giving none of its values is a 400 (else the header is left out).
    pub required: bool,
    pub fields: Vec<HeaderField>,
}

/// Where a header part of the answer goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderTarget {
    /// An HTTP response header (simple-typed header elements).
    Http(String),
    /// A key added to the JSON object answered.
    BodyKey(String),
}

/// A `soap:header` part of the answer the mapping exposes.
#[derive(Debug, Clone)]
pub struct HeaderOut {
    pub part: String,
    pub element: ElementId,
    pub target: HeaderTarget,
}

/// A deprecated route's dates (Unix seconds, UTC) and link.
#[derive(Debug, Clone, PartialEq)]
pub struct Deprecation {
    pub since: i64,
    pub sunset: Option<i64>,
    pub link: Option<String>,
}

/// One served operation.
#[derive(Debug, Clone)]
pub struct Route {
    pub operation: String,
    /// Index into the binding's operations.
    pub binding_operation: usize,
    pub method: Method,
    /// Full path, base path included, with `{name}` placeholders.
    pub path: String,
    pub style: Style,
    pub inputs: Vec<Input>,
    /// Values inside body-bound inputs taken from the path, query, headers or identity.
    pub nested: Vec<NestedInput>,
    pub outputs: Vec<(String, Field)>,
    /// Index into `outputs` of the field that is the response body.
    pub response: Option<usize>,
    /// The one key of the JSON object answered, holding the `response` field's value
    /// (`response: { KEY: FIELD }`); `None`: the value is the whole answer.
    pub response_key: Option<String>,
    /// Where what this operation creates is read: the `Location` of a successful answer.
    pub created: Option<Location>,
    pub status: u16,
    pub idempotent: bool,
    /// Set when the route is deprecated (its own `deprecated:` or the mapping's).
    pub deprecation: Option<Deprecation>,
    /// This operation's upstream deadline, when it differs from the mapping's.
    pub timeout: Option<Duration>,
    pub faults: Vec<(String, u16)>,
    /// Request header parts sent (those the mapping fills), in binding order.
    pub headers: Vec<HeaderIn>,
    /// Answer header parts passed on to the client.
    pub response_headers: Vec<HeaderOut>,
    /// Who may call.
    pub access: Access,
    /// SOAP-encoded input parts a request may leave out (by field key), and what is sent then.
    pub optional_parts: Vec<(String, AbsentPart)>,
    /// WS-Addressing headers sent (and `wsa:RelatesTo` checked), when on.
    pub addressing: Option<Addressing>,
    /// Requests go out as MTOM/XOP.
    pub mtom: bool,
    pub line: u32,
}

/// The WS-Addressing of a route: the version its headers are in and the request's action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addressing {
    pub version: crate::wsdl::WsaVersion,
    pub action: String,
    /// The answer's `wsa:Action` the WSDL states (or its default); an answer that carries
    /// another is refused, one that carries none is accepted.
    pub reply_action: Option<String>,
}

/// A `Location` template: the full path of the route that reads a created resource, its
/// parameters filled from keys of the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub parts: Vec<LocationPart>,
    /// Where `created.location` is written.
    pub line: u32,
    pub column: u32,
}

/// A piece of a [`Location`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocationPart {
    /// Path text, as is.
    Text(String),
    /// The answer's top-level key of this name, as one path segment.
    Key(String),
}

impl Location {
    /// The location for an answer's JSON object; `None` when a key is missing, null or not a
    /// string, number or boolean.
    pub fn fill(&self, answer: &serde_json::Value) -> Option<String> {
        use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
        const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
            .remove(b'-')
            .remove(b'.')
            .remove(b'_')
            .remove(b'~');
        let mut out = String::new();
        for p in &self.parts {
            match p {
                LocationPart::Text(t) => out.push_str(t),
                LocationPart::Key(k) => {
                    let text = match answer.get(k)? {
                        serde_json::Value::String(s) => s.clone(),
                        v @ (serde_json::Value::Number(_) | serde_json::Value::Bool(_)) => {
                            v.to_string()
                        }
                        _ => return None,
                    };
                    if text.is_empty() {
                        return None;
                    }
                    out.extend(utf8_percent_encode(&text, SEGMENT));
                }
            }
        }
        Some(out)
    }
}

/// What is sent for a SOAP-encoded input part a request leaves out (`optional_parts:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbsentPart {
    /// No accessor (SOAP 1.1 section 5.1 lets an accessor be omitted).
    Omit,
    /// The accessor with `xsi:nil="true"`.
    Nil,
}

impl Route {
    /// The input field that takes the whole JSON body, if any.
    pub fn body_field(&self) -> Option<&str> {
        self.inputs
            .iter()
            .find(|i| i.source == InputSource::Body)
            .map(|i| i.key.as_str())
    }

    /// The key of the field a request value fills: the input field bound to `source`, else the
    /// SOAP header field bound to it.
    pub fn key_of(&self, source: &InputSource) -> Option<&str> {
        let input = self.inputs.iter().find(|i| &i.source == source);
        input.map(|i| i.key.as_str()).or_else(|| {
            self.headers
                .iter()
                .flat_map(|h| &h.fields)
                .find(|f| matches!(&f.source, HeaderSource::Request(s) if s == source))
                .map(|f| f.key.as_str())
        })
    }
}
