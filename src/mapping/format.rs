//! The mapping file format (YAML). One file per service; written by `soapbridge generate`, owned
//! by the integrator afterwards. Unknown keys are errors. See the README's mapping reference.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{MapAccess, Visitor};
use serde_saphyr::Spanned;

use super::naming::Naming;

/// A whole mapping file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingFile {
    /// Path of the service's WSDL, relative to the mapping file. Required.
    pub wsdl: Spanned<String>,
    /// The `wsdl:service` to serve. Default: the WSDL's first service.
    #[serde(default)]
    pub service: Option<Spanned<String>>,
    /// The `wsdl:port` of that service; picks the binding and with it the SOAP version.
    /// Default: the service's first SOAP 1.1 port, else its first SOAP 1.2 port.
    #[serde(default)]
    pub port: Option<Spanned<String>>,
    /// A SOAP binding to serve directly, for a WSDL without a `wsdl:service` (then `upstream.url`
    /// is required). Default: none (the service's port decides).
    #[serde(default)]
    pub binding: Option<Spanned<String>>,
    /// Where and how to call the legacy service. Default: the port's `soap:address`.
    #[serde(default)]
    pub upstream: Option<Upstream>,
    /// Prefix of every route of this service, e.g. `/api/crm/v1`. Default: `/`.
    #[serde(default)]
    pub base_path: Option<Spanned<String>>,
    /// Every route of this mapping is deprecated (`Deprecation`, `Sunset` and `Link` headers;
    /// `deprecated` in OpenAPI). Default: none.
    #[serde(default)]
    pub deprecated: Option<Deprecated>,
    /// JSON key naming: `camelCase` (default) or `preserve` (XML local names).
    #[serde(default)]
    pub naming: Naming,
    /// List wrappers (a type whose whole content is one repeated element, such as .NET's
    /// `ArrayOfX`) as JSON arrays in place of their objects: `true`, `false`, or
    /// `{ default: BOOL, except: [TYPE, ...] }` (named types doing the opposite of `default`).
    /// Written `true` by `soapbridge generate`. Default: false (the wrapper objects).
    #[serde(default)]
    pub unwrap_lists: super::unwrap::UnwrapSetting,
    /// Local copies of schemas the WSDL imports by absolute URL: `URL: path` (relative to this
    /// file). Default: none. soapbridge never fetches anything from the network.
    #[serde(default)]
    pub catalog: OrderedMap<Spanned<String>, Spanned<String>>,
    /// Folders outside the WSDL's own folder tree that its imports may read (relative to this
    /// file). Default: none.
    #[serde(default)]
    pub allow_paths: Vec<String>,
    /// SOAP header parts sent with every operation whose binding declares them (`soap:header` in
    /// the input), keyed by the part's name. An operation's own `headers:` entry for the same part
    /// replaces this one. Default: none (no header is sent).
    #[serde(default)]
    pub headers: OrderedMap<Spanned<String>, HeaderSpec>,
    /// SOAP header parts of answers exposed to the client, for every operation whose binding
    /// declares them in the output: `Part: header.NAME` (an HTTP response header; simple-typed
    /// header elements only) or `Part: body.KEY` (a key added to the JSON object answered).
    /// Default: none (answer headers are not passed on).
    #[serde(default)]
    pub response_headers: OrderedMap<Spanned<String>, Spanned<String>>,
    /// Whether the upstream's answers are checked against the WSDL's schema: `strict` (an answer
    /// outside it is a 502; each violation is logged with its XPath), `warn` (logged and counted
    /// in `/metrics`, the answer passed on) or `off`. Default: `warn`.
    #[serde(default)]
    pub validate_answers: AnswerValidation,
    /// Load the WSDL in lenient mode: tolerate the common mistakes of WSDL and schema authors
    /// that have one reading only (a wrong `xs:import` namespace, chameleon imports, prefixes
    /// declared elsewhere in the document, files in another declared encoding than UTF-8), each
    /// reported as a warning by `soapbridge check`. Written by `soapbridge generate` only when
    /// the WSDL needs it. Default: false.
    #[serde(default)]
    pub lenient: bool,
    /// Make warnings errors: the mapping does not compile while the WSDL has operations left out
    /// or mistakes tolerated (`soapbridge check --strict` does the same for one run). Default:
    /// false.
    #[serde(default)]
    pub strict: bool,
    /// Who may call this mapping's routes: `none`, or client authentication schemes defined
    /// under `auth.schemes` in `soapbridge.yaml`, by name (a name or a list; any one suffices).
    /// Default: `none` (anyone who reaches the port).
    #[serde(default)]
    pub auth: Option<Spanned<TextList>>,
    /// Scopes every caller must hold (a JWT's `scope`/`scp`, or those an API key's line lists);
    /// a caller without one gets a 403. Default: none.
    #[serde(default)]
    pub scopes: Option<Spanned<TextList>>,
    /// JWT claims every caller's token must carry: `claim: value` (or a list of accepted values);
    /// a caller without them gets a 403. Default: none.
    #[serde(default)]
    pub claims: OrderedMap<Spanned<String>, Spanned<TextList>>,
    /// Cross-origin requests from browsers (CORS) to this mapping's routes. Default: none (no
    /// CORS headers; browsers keep other origins out).
    #[serde(default)]
    pub cors: Option<Spanned<CorsSpec>>,
    /// Patterns of the WSDL's schema that soapbridge cannot enforce (no translation to its
    /// regex engine, or too large), accepted one by one: values are then not checked against
    /// them. Default: none (such a pattern is a `check` error, and `serve` does not start).
    #[serde(default)]
    pub unenforced_patterns: Option<UnenforcedPatterns>,
    /// Send WS-Addressing headers (`wsa:Action`, `wsa:MessageID`, `wsa:To`, `wsa:ReplyTo`) and
    /// check the answer's `wsa:RelatesTo`: `true` or `false` for every operation (an
    /// operation's own `addressing:` wins). Default: what the WSDL asks (`wsaw:UsingAddressing`,
    /// an action attribute, a policy assertion).
    #[serde(default)]
    pub addressing: Option<bool>,
    /// Send requests as MTOM/XOP (`multipart/related`, base64Binary values as binary parts):
    /// `true` or `false` for every operation (an operation's own `mtom:` wins). Default: what
    /// the WSDL's policy asks (`wsoma:OptimizedMimeSerialization`). MTOM answers are read
    /// either way.
    #[serde(default)]
    pub mtom: Option<bool>,
    /// One entry per WSDL operation served, keyed by the operation's name. Required.
    pub operations: OrderedMap<Spanned<String>, OperationSpec>,
}

/// `unenforced_patterns:`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnenforcedPatterns {
    /// Each pattern accepted unenforced, as written in the schema. Required.
    pub allow: Vec<Spanned<String>>,
}

/// `cors:`: which browser origins may call the mapping's routes, and how.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorsSpec {
    /// Origins allowed (`https://app.example.com`), or `["*"]` for any. Required.
    pub origins: Vec<Spanned<String>>,
    /// Methods allowed. Default: the methods of the mapping's routes.
    #[serde(default)]
    pub methods: Option<Vec<Spanned<String>>>,
    /// Request headers allowed. Default: `Content-Type`, `Authorization` and the headers the
    /// mapping's routes read.
    #[serde(default)]
    pub headers: Option<Vec<Spanned<String>>>,
    /// Response headers the browser may read. Default: none beyond the CORS-safelisted ones.
    #[serde(default)]
    pub expose_headers: Vec<Spanned<String>>,
    /// Whether the browser may send credentials (cookies, `Authorization`); not with `*`.
    /// Default: false.
    #[serde(default)]
    pub credentials: bool,
    /// How long a browser may cache a preflight answer, e.g. `10m`. Default: `5m`.
    #[serde(default)]
    pub max_age: Option<Spanned<String>>,
}

/// A text or a list of texts (`auth: api-keys` or `auth: [api-keys, staff]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextList(pub Vec<String>);

impl<'de> Deserialize<'de> for TextList {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TextList;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a name or a list of names")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<TextList, E> {
                Ok(TextList(vec![v.to_string()]))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<TextList, A::Error> {
                let mut out = Vec::new();
                while let Some(v) = seq.next_element::<String>()? {
                    out.push(v);
                }
                Ok(TextList(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// An operation's `response:`: an output field, or a key and the output field it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponseSpec {
    /// `response: FIELD`: the field's value is the whole answer.
    Field(String),
    /// `response: { KEY: FIELD }`: the answer is an object whose one key holds the field's value.
    Named { key: String, field: String },
}

impl<'de> Deserialize<'de> for ResponseSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ResponseSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an output field, or one `KEY: FIELD` entry")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ResponseSpec, E> {
                Ok(ResponseSpec::Field(v.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<ResponseSpec, A::Error> {
                let Some((key, field)) = map.next_entry::<String, String>()? else {
                    return Err(serde::de::Error::custom(
                        "`response:` needs one `KEY: FIELD` entry",
                    ));
                };
                if map.next_entry::<String, String>()?.is_some() {
                    return Err(serde::de::Error::custom(
                        "`response:` takes one `KEY: FIELD` entry",
                    ));
                }
                Ok(ResponseSpec::Named { key, field })
            }
        }
        d.deserialize_any(V)
    }
}

/// `created:` of an operation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Created {
    /// `GET /path/{KEY}`: a GET route of this mapping (its parameters may be named otherwise),
    /// each `{KEY}` a key of the answer. Required.
    pub location: Spanned<String>,
}

/// `validate_answers:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub enum AnswerValidation {
    /// An answer outside the schema is a 502.
    #[serde(rename = "strict")]
    Strict,
    /// Logged and counted; the answer is passed on (default).
    #[default]
    #[serde(rename = "warn")]
    Warn,
    /// Not checked (beyond what conversion needs).
    #[serde(rename = "off")]
    Off,
}

/// `headers.<Part>:` (mapping-level or per operation): how one `soap:header` part is filled.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderSpec {
    /// The header element's fields (its attributes and child elements, keyed like body fields;
    /// a header element of simple type has one field, its own key) -> where each value comes
    /// from: `header.NAME` (HTTP request header), `query.NAME`, `path.NAME`, `body.KEY` (a
    /// top-level key of the JSON body), or `{ value: TEXT }`, a constant in which `${VAR}` is
    /// read from the environment at start-up (never logged, never in error bodies); a
    /// credential (`{ value: "${VAR}", secret: true }`, or a field named like one) must be one
    /// `${VAR}` or `${file:PATH}` without a default. Default: none.
    #[serde(default)]
    pub fields: OrderedMap<Spanned<String>, Spanned<FieldBinding>>,
    /// Marks the header `soap:mustUnderstand`. Default: false.
    #[serde(default)]
    pub must_understand: bool,
    /// A request whose sources give none of the header's values is a 400. Default: false (the
    /// header is then left out of the envelope).
    #[serde(default)]
    pub required: bool,
}

/// A header field's binding: a request source (`header.NAME`, ...) or `{ value: TEXT }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldBinding {
    Source(String),
    /// `{ value: TEXT, secret: BOOL }`: a constant. `secret: true` makes it a credential, which
    /// must be one `${VAR}` or `${file:PATH}` reference without a default. Default of `secret`:
    /// true when the field's name looks like a credential (`Password`, `Token`, `ApiKey`, ...),
    /// else false; `secret: false` says such a field is not one.
    Value {
        text: String,
        secret: Option<bool>,
    },
}

impl<'de> Deserialize<'de> for FieldBinding {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Scalar(String);
        impl<'de> Deserialize<'de> for Scalar {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl Visitor<'_> for V {
                    type Value = Scalar;
                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        f.write_str("a text, number or boolean")
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Scalar, E> {
                        Ok(Scalar(v.to_string()))
                    }
                    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Scalar, E> {
                        Ok(Scalar(v.to_string()))
                    }
                    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Scalar, E> {
                        Ok(Scalar(v.to_string()))
                    }
                    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Scalar, E> {
                        Ok(Scalar(v.to_string()))
                    }
                    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Scalar, E> {
                        Ok(Scalar(v.to_string()))
                    }
                }
                d.deserialize_any(V)
            }
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = FieldBinding;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a source such as `header.X-Session-Id`, or `{ value: TEXT }`")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<FieldBinding, E> {
                Ok(FieldBinding::Source(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FieldBinding, A::Error> {
                let mut value = None;
                let mut secret = None;
                while let Some(k) = map.next_key::<String>()? {
                    match k.as_str() {
                        "value" if value.is_none() => value = Some(map.next_value::<Scalar>()?.0),
                        "secret" if secret.is_none() => secret = Some(map.next_value::<bool>()?),
                        _ => {
                            return Err(serde::de::Error::custom(format!(
                                "unknown field `{k}`, expected `value` or `secret`"
                            )));
                        }
                    }
                }
                value
                    .map(|text| FieldBinding::Value { text, secret })
                    .ok_or_else(|| serde::de::Error::missing_field("value"))
            }
        }
        d.deserialize_any(V)
    }
}

/// `upstream:`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Upstream {
    /// The service URL; `${VAR}` and `${VAR:-default}` are read from the environment.
    /// Default: the port's `soap:address`.
    #[serde(default)]
    pub url: Option<Spanned<String>>,
    /// Deadline for the whole upstream call, e.g. `10s`, `500ms`. Default: `30s`.
    #[serde(default)]
    pub timeout: Option<Spanned<String>>,
    /// Connect timeout. Default: `3s`.
    #[serde(default)]
    pub connect_timeout: Option<Spanned<String>>,
    /// Credentials sent to the upstream. Default: none.
    #[serde(default)]
    pub auth: Option<Auth>,
    /// TLS to an `https://` upstream (and token endpoint). Default: the public web roots, TLS 1.2
    /// or later, no client certificate, the URL's host name.
    #[serde(default)]
    pub tls: Option<Tls>,
    /// An outbound HTTP proxy the calls tunnel through (`CONNECT`). Default: none (direct).
    #[serde(default)]
    pub proxy: Option<Proxy>,
}

/// `upstream.auth:`: `basic`, `bearer` and `oauth2` each set the `Authorization` header (at
/// most one of them); `wsse` goes into the envelope and combines with any. Every secret is one
/// `${VAR}` or `${file:PATH}` reference.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Auth {
    /// HTTP Basic authentication. Default: none.
    #[serde(default)]
    pub basic: Option<Basic>,
    /// A static bearer token (`Authorization: Bearer`). Default: none.
    #[serde(default)]
    pub bearer: Option<Bearer>,
    /// Bearer tokens from an OAuth 2.0 token endpoint (client credentials grant). Default: none.
    #[serde(default)]
    pub oauth2: Option<OAuth2>,
    /// A WS-Security UsernameToken in the envelope's `soap:Header`. Default: none.
    #[serde(default)]
    pub wsse: Option<Wsse>,
}

/// `upstream.auth.basic:`; both values must come from the environment or a file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Basic {
    pub username: Spanned<String>,
    pub password: Spanned<String>,
}

/// `upstream.auth.bearer:`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bearer {
    /// The token (a secret). Required.
    pub token: Spanned<String>,
}

/// `upstream.auth.oauth2:`: the client credentials grant (RFC 6749 section 4.4).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuth2 {
    /// The token endpoint, `https://` (or `http://` on loopback); `${VAR}` allowed. Required.
    pub token_url: Spanned<String>,
    /// The client id; `${VAR}` allowed. Required.
    pub client_id: Spanned<String>,
    /// The client secret (a secret). Required.
    pub client_secret: Spanned<String>,
    /// The scopes asked for, space-separated. Default: none (the server's default).
    #[serde(default)]
    pub scope: Option<Spanned<String>>,
    /// How long before its expiry a token is replaced, e.g. `60s`. Default: `60s`.
    #[serde(default)]
    pub refresh_before: Option<Spanned<String>>,
    /// How the client authenticates to the token endpoint: `basic` (HTTP Basic) or `post`
    /// (`client_id` and `client_secret` in the form). Default: `basic`.
    #[serde(default)]
    pub client_auth: Option<Spanned<String>>,
}

/// `upstream.auth.wsse:`: a WS-Security UsernameToken (OASIS UsernameToken Profile 1.1).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Wsse {
    /// The user name; `${VAR}` allowed. Required.
    pub username: Spanned<String>,
    /// The password (a secret). Required.
    pub password: Spanned<String>,
    /// Send `PasswordDigest` (Base64(SHA-1(nonce + created + password)) with a fresh nonce and
    /// `Created`) instead of `PasswordText`. Default: false.
    #[serde(default)]
    pub digest: bool,
    /// Adds a `wsu:Timestamp` whose `Expires` is this long after `Created`, e.g. `5m`.
    /// Default: none (no Timestamp).
    #[serde(default)]
    pub timestamp: Option<Spanned<String>>,
    /// Marks the `wsse:Security` header `soap:mustUnderstand`. Default: true.
    #[serde(default)]
    pub must_understand: Option<bool>,
}

/// `upstream.tls:`. Paths are relative to the mapping file; `${VAR}` allowed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tls {
    /// A PEM bundle of the roots to trust (a corporate CA): with it, only these roots (and the
    /// system's, with `system_roots`) are trusted. Default: none.
    #[serde(default)]
    pub ca: Option<Spanned<String>>,
    /// Trust the operating system's store of roots instead of the built-in public web roots.
    /// Default: false.
    #[serde(default)]
    pub system_roots: bool,
    /// The client certificate chain (PEM) for mutual TLS; needs `client_key`. Default: none.
    #[serde(default)]
    pub client_cert: Option<Spanned<String>>,
    /// The client certificate's private key (PEM: PKCS#8, PKCS#1 or SEC1). Default: none.
    #[serde(default)]
    pub client_key: Option<Spanned<String>>,
    /// The name the upstream's certificate is checked against and sent as SNI, for a service
    /// called by IP address. Default: the URL's host.
    #[serde(default)]
    pub server_name: Option<Spanned<String>>,
    /// The lowest TLS version accepted: `"1.2"` or `"1.3"`. Default: `"1.2"`.
    #[serde(default)]
    pub min_version: Option<Spanned<String>>,
}

/// `upstream.proxy:`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Proxy {
    /// `http://[user:password@]host:port`, usually `${HTTPS_PROXY}`; credentials only through
    /// `${VAR}`. Required.
    pub url: Spanned<String>,
    /// Hosts reached directly, comma-separated as in `NO_PROXY`: `*`, names (`.corp.example`
    /// also matches its subdomains), IP addresses or CIDR blocks, each maybe with `:port`;
    /// `${VAR}` allowed. Default: none.
    #[serde(default)]
    pub no_proxy: Option<Spanned<String>>,
}

/// `deprecated:` of a mapping or an operation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deprecated {
    /// Since when, `YYYY-MM-DD` (the `Deprecation` header, RFC 9745). Default: when the mapping
    /// was loaded.
    #[serde(default)]
    pub since: Option<Spanned<String>>,
    /// When the route goes away, `YYYY-MM-DD` (the `Sunset` header, RFC 8594). Default: none.
    #[serde(default)]
    pub sunset: Option<Spanned<String>>,
    /// A page saying what to use instead (`Link: <url>; rel="deprecation"`), http(s). Default:
    /// none.
    #[serde(default)]
    pub link: Option<Spanned<String>>,
}

/// `operations.<Name>:`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationSpec {
    /// `METHOD /path/{param}` under `base_path`. Required.
    pub route: Spanned<String>,
    /// Where each input field comes from: `path.NAME`, `query.NAME`, `header.NAME`, or `body`
    /// (the whole JSON body is that field). Fields not listed are read from the JSON body's keys.
    /// Default: every field from the body.
    #[serde(default)]
    pub request: OrderedMap<Spanned<String>, Spanned<String>>,
    /// The output field whose value is the JSON response body (`response: FIELD`), or the one key
    /// of the JSON object answered and the output field it holds (`response: { KEY: FIELD }`).
    /// Default: the whole output object.
    #[serde(default)]
    pub response: Option<Spanned<ResponseSpec>>,
    /// The route that reads what this operation creates: `{ location: "GET /customers/{id}" }`,
    /// each `{KEY}` filled from the answer's key of that name, written as the `Location` header of
    /// a successful answer. Default: no `Location`.
    #[serde(default)]
    pub created: Option<Created>,
    /// HTTP status of a successful answer. Default: 200.
    #[serde(default)]
    pub status: Option<Spanned<u16>>,
    /// Safe to retry when the connection failed before anything was sent. Default: true for GET.
    #[serde(default)]
    pub idempotent: Option<bool>,
    /// This route is deprecated (replaces the mapping's `deprecated:`). Default: the mapping's.
    #[serde(default)]
    pub deprecated: Option<Deprecated>,
    /// WSDL fault name -> HTTP status (400-599). Default: unmapped faults follow the error table.
    #[serde(default)]
    pub faults: OrderedMap<Spanned<String>, Spanned<u16>>,
    /// Deadline of this operation's upstream call, e.g. `2m` for a slow report. Default: the
    /// mapping's `upstream.timeout`.
    #[serde(default)]
    pub timeout: Option<Spanned<String>>,
    /// SOAP header parts of this operation's request, as the mapping-level `headers:` (whose
    /// entry for the same part this replaces). Default: the mapping-level entries.
    #[serde(default)]
    pub headers: OrderedMap<Spanned<String>, HeaderSpec>,
    /// Answer header parts exposed, as the mapping-level `response_headers:` (whose entry for the
    /// same part this replaces). Default: the mapping-level entries.
    #[serde(default)]
    pub response_headers: OrderedMap<Spanned<String>, Spanned<String>>,
    /// Who may call this operation, as the mapping-level `auth:` (which this replaces; `none`
    /// opens the operation to anyone). Default: the mapping's `auth:`.
    #[serde(default)]
    pub auth: Option<Spanned<TextList>>,
    /// Scopes a caller of this operation must hold (replacing the mapping's). Default: the
    /// mapping's `scopes:`.
    #[serde(default)]
    pub scopes: Option<Spanned<TextList>>,
    /// JWT claims a caller of this operation must carry (replacing the mapping's). Default: the
    /// mapping's `claims:`.
    #[serde(default)]
    pub claims: Option<OrderedMap<Spanned<String>, Spanned<TextList>>>,
    /// SOAP-encoded operations: input parts a request may leave out (by field key) -> what is
    /// sent then: `omit` (no accessor, SOAP 1.1 section 5.1) or `nil` (`xsi:nil="true"`).
    /// Default: every part is required.
    #[serde(default)]
    pub optional_parts: OrderedMap<Spanned<String>, Spanned<String>>,
    /// WS-Addressing for this operation (replacing the mapping's `addressing:`). Default: the
    /// mapping's, else what the WSDL asks.
    #[serde(default)]
    pub addressing: Option<bool>,
    /// MTOM/XOP requests for this operation (replacing the mapping's `mtom:`). Default: the
    /// mapping's, else what the WSDL's policy asks.
    #[serde(default)]
    pub mtom: Option<bool>,
}

/// A YAML mapping kept in file order.
#[derive(Debug, Clone)]
pub struct OrderedMap<K, V>(pub Vec<(K, V)>);

impl<K, V> Default for OrderedMap<K, V> {
    fn default() -> Self {
        OrderedMap(Vec::new())
    }
}

impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> Deserialize<'de> for OrderedMap<K, V> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V_<K, V>(PhantomData<(K, V)>);
        impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> Visitor<'de> for V_<K, V> {
            type Value = OrderedMap<K, V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping")
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Ok(OrderedMap(Vec::new()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry()? {
                    out.push((k, v));
                }
                Ok(OrderedMap(out))
            }
        }
        d.deserialize_map(V_(PhantomData))
    }
}

/// Parses `10s`, `500ms`, `2m`, `1h` into a duration.
pub fn parse_duration(s: &str) -> Option<std::time::Duration> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = s.split_at(split);
    let n: u64 = n.parse().ok()?;
    Some(match unit {
        "ms" => std::time::Duration::from_millis(n),
        "s" => std::time::Duration::from_secs(n),
        "m" => std::time::Duration::from_secs(n.checked_mul(60)?),
        "h" => std::time::Duration::from_secs(n.checked_mul(3600)?),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::parse_duration;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10s"), Some(Duration::from_secs(10)));
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("2m"), Some(Duration::from_secs(120)));
        assert_eq!(parse_duration("soon"), None);
        assert_eq!(parse_duration("10"), None);
        assert_eq!(parse_duration("99999999999999999999h"), None);
    }
}
