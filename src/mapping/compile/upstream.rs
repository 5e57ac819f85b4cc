//! `upstream:`: the URL (else the WSDL's address), the timeouts, the credentials (`auth`:
//! Basic, bearer, OAuth 2.0 client credentials, WS-Security), TLS (`tls`: roots, client
//! certificate, server name, version) and the proxy. Every secret must be one `${VAR}` or
//! `${file:PATH}` reference; every TLS file named literally is read and its PEM checked here, so
//! `check` finds a missing file or a bad certificate before `serve` does.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use serde_saphyr::Spanned;

use super::context::located;
use super::secrets;
use crate::diag::Diagnostic;
use crate::env::check_template;
use crate::mapping::format::{self, MappingFile, parse_duration};
use crate::mapping::route::{
    BearerSettings, OAuth2Settings, ProxySettings, TlsSettings, TlsVersion, UpstreamSettings,
    WsseSettings,
};

/// The file being checked, where its problems go, and the prefix of the variables its hints
/// suggest (`CUSTOMER` for `${CUSTOMER_URL}`).
struct Cx<'a> {
    file: &'a Path,
    diags: &'a mut Vec<Diagnostic>,
    prefix: String,
}

impl Cx<'_> {
    fn push(&mut self, s: &Spanned<String>, message: impl Into<String>, hint: impl Into<String>) {
        self.diags
            .push(located(self.file, s, message).hint(hint.into()));
    }

    /// A template (`${VAR}`, `${file:PATH}`) whose syntax must hold.
    fn template(&mut self, s: &Spanned<String>) {
        if let Err(e) = check_template(&s.value) {
            self.push(
                s,
                e.to_string(),
                "write `${NAME}`, `${NAME:-default}` or `${file:/path}`",
            );
        }
    }

    /// A secret: one reference, nothing in clear (see `secrets.rs`). The hint names the variable
    /// `<prefix>_<what>`.
    fn secret(&mut self, s: &Spanned<String>, what: &str) {
        let example = format!("{}_{what}", self.prefix);
        if let Some((message, hint)) = secrets::secret(&s.value, &example) {
            self.push(s, message, hint);
        }
    }

    /// A URL without credentials (see `secrets.rs`); false after reporting them.
    fn no_credentials(&mut self, s: &Spanned<String>, what: &str, hint: &str) -> bool {
        match secrets::url(&s.value, what, hint) {
            Some((message, hint)) => {
                self.push(s, message, hint);
                false
            }
            None => true,
        }
    }

    /// A positive duration, or `None` after reporting it.
    fn duration(&mut self, s: &Spanned<String>) -> Option<Duration> {
        match parse_duration(&s.value) {
            Some(v) if !v.is_zero() => Some(v),
            _ => {
                self.push(
                    s,
                    format!("`{}` is not a duration", s.value),
                    "write e.g. `500ms`, `10s` or `2m`",
                );
                None
            }
        }
    }
}

/// Where the upstream's credentials go instead of its URL, in variables named with `prefix`.
fn auth_from_env(prefix: &str) -> String {
    format!(
        "`upstream.auth.basic: {{ username: \"${{{prefix}_USER}}\", password: \"${{{prefix}_PASSWORD}}\" }}` (or another `upstream.auth` scheme) from the environment"
    )
}

/// The prefix of the variables a hint suggests: the URL variable's (`CUSTOMER` for
/// `${CUSTOMER_URL}`, as `generate` writes it), else the `service:` named (`ORDER` for
/// `OrderService`), else the mapping file's name (`CRM` for `crm.yaml`).
fn variable_prefix(file: &Path, url: Option<&str>, service: Option<&str>) -> String {
    let from_url = url
        .and_then(|u| u.trim().strip_prefix("${"))
        .and_then(|u| u.split(['}', ':']).next())
        .filter(|v| !v.is_empty() && !v.starts_with("file"))
        .map(|v| v.strip_suffix("_URL").unwrap_or(v).to_string());
    let upper = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect()
    };
    let from_service = service
        .map(|s| {
            s.strip_suffix("Service")
                .filter(|b| !b.is_empty())
                .unwrap_or(s)
        })
        .map(upper);
    let from_file = file.file_stem().map(|s| upper(&s.to_string_lossy()));
    from_url
        .or(from_service)
        .or(from_file)
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "SERVICE".to_string())
}

/// `upstream:` checked into the settings the server resolves.
pub(super) fn upstream(
    file: &Path,
    m: &MappingFile,
    address: Option<String>,
    diags: &mut Vec<Diagnostic>,
) -> UpstreamSettings {
    let url_given = m.upstream.as_ref().is_some_and(|u| u.url.is_some());
    let prefix = variable_prefix(
        file,
        m.upstream
            .as_ref()
            .and_then(|u| u.url.as_ref())
            .map(|u| u.value.as_str()),
        m.service.as_ref().map(|s| s.value.as_str()),
    );
    let auth_from_env = auth_from_env(&prefix);
    let address_hint = format!(
        "they would not be sent: set `upstream.url` to the address without them, and {auth_from_env}"
    );
    if let Some(a) = address.as_deref().filter(|_| !url_given)
        && let Some((message, hint)) = secrets::url(a, "the WSDL's soap:address", &address_hint)
    {
        diags.push(located(file, &m.wsdl, message).hint(hint));
    }
    let mut u = UpstreamSettings::new(address, Duration::from_secs(30), Duration::from_secs(3));
    let Some(up) = &m.upstream else { return u };
    let mut cx = Cx {
        file,
        diags,
        prefix,
    };
    if let Some(url) = &up.url {
        if let Err(e) = check_template(&url.value) {
            cx.diags.push(
                located(file, url, e.to_string()).hint("write `${NAME}` or `${NAME:-default}`"),
            );
        } else if cx.no_credentials(
            url,
            "the upstream URL",
            &format!("they would not be sent: remove them from the URL and set {auth_from_env}"),
        ) && !url.value.starts_with("http://")
            && !url.value.starts_with("https://")
            && !url.value.starts_with("${")
        {
            cx.diags.push(located(
                file,
                url,
                format!("upstream url `{}` must be http:// or https://", url.value),
            ));
        }
        u.url = Some(url.value.clone());
    }
    for (field, target) in [
        (&up.timeout, &mut u.timeout),
        (&up.connect_timeout, &mut u.connect_timeout),
    ] {
        if let Some(v) = field.as_ref().and_then(|t| cx.duration(t)) {
            *target = v;
        }
    }
    if let Some(a) = &up.auth {
        auth(&mut cx, a, &mut u);
    }
    let dir = file.parent().unwrap_or(Path::new(""));
    if let Some(t) = &up.tls {
        u.tls = tls(&mut cx, t, dir);
    } else {
        u.tls.base = dir.to_path_buf();
    }
    u.proxy = up.proxy.as_ref().map(|p| proxy(&mut cx, p));
    u
}

/// `upstream.auth`: at most one scheme that sets `Authorization`, WS-Security beside it.
fn auth(cx: &mut Cx, a: &format::Auth, u: &mut UpstreamSettings) {
    let http_schemes: Vec<(&str, &Spanned<String>)> = [
        a.basic.as_ref().map(|b| ("basic", &b.username)),
        a.bearer.as_ref().map(|b| ("bearer", &b.token)),
        a.oauth2.as_ref().map(|o| ("oauth2", &o.token_url)),
    ]
    .into_iter()
    .flatten()
    .collect();
    if let [(first, _), (second, at), ..] = http_schemes.as_slice() {
        cx.push(
            at,
            format!("`upstream.auth` has both `{first}` and `{second}`: each sets the `Authorization` header"),
            "keep one of `basic`, `bearer` and `oauth2` (`wsse` goes into the envelope and combines with any)",
        );
    }
    if let Some(b) = &a.basic {
        cx.secret(&b.username, "USER");
        cx.secret(&b.password, "PASSWORD");
        u.basic_auth = Some((b.username.value.clone(), b.password.value.clone()));
    }
    if let Some(b) = &a.bearer {
        cx.secret(&b.token, "TOKEN");
        u.bearer = Some(BearerSettings::Static(b.token.value.clone()));
    }
    if let Some(o) = &a.oauth2 {
        u.bearer = Some(BearerSettings::OAuth2(oauth2(cx, o)));
    }
    if let Some(w) = &a.wsse {
        cx.template(&w.username);
        cx.secret(&w.password, "PASSWORD");
        u.wsse = Some(WsseSettings {
            username: w.username.value.clone(),
            password: w.password.value.clone(),
            digest: w.digest,
            timestamp: w.timestamp.as_ref().and_then(|t| cx.duration(t)),
            must_understand: w.must_understand.unwrap_or(true),
        });
    }
}

/// `upstream.auth.oauth2`.
fn oauth2(cx: &mut Cx, o: &format::OAuth2) -> OAuth2Settings {
    cx.template(&o.token_url);
    let url = &o.token_url.value;
    let clean = cx.no_credentials(
        &o.token_url,
        "token_url",
        "the client authenticates with `client_id` and `client_secret`",
    );
    if clean && !url.starts_with("${") {
        if !url.starts_with("https://") && !url.starts_with("http://") {
            cx.push(
                &o.token_url,
                format!("token_url `{url}` must be https://"),
                "the OAuth 2.0 token endpoint, e.g. `https://login.example.com/oauth2/token`",
            );
        } else if url.starts_with("http://") && !loopback(url) {
            cx.push(
                &o.token_url,
                format!("token_url `{url}` must be https:// (the client secret would cross the network in clear)"),
                "plain http:// is accepted on 127.0.0.1, [::1] and localhost only",
            );
        }
    }
    cx.template(&o.client_id);
    cx.secret(&o.client_secret, "CLIENT_SECRET");
    let refresh_before = match &o.refresh_before {
        Some(r) => cx.duration(r).unwrap_or(Duration::from_secs(60)),
        None => Duration::from_secs(60),
    };
    let basic_client_auth = match &o.client_auth {
        None => true,
        Some(c) if c.value == "basic" => true,
        Some(c) if c.value == "post" => false,
        Some(c) => {
            cx.push(
                c,
                format!("unknown client_auth `{}`", c.value),
                "write `basic` (HTTP Basic, the default) or `post` (client_id and client_secret in the form)",
            );
            true
        }
    };
    OAuth2Settings {
        token_url: url.clone(),
        client_id: o.client_id.value.clone(),
        client_secret: o.client_secret.value.clone(),
        scope: o.scope.as_ref().map(|s| s.value.clone()),
        refresh_before,
        basic_client_auth,
    }
}

/// `upstream.tls`: files named literally are read now; `${VAR}` paths when serving.
fn tls(cx: &mut Cx, t: &format::Tls, dir: &Path) -> TlsSettings {
    let mut s = TlsSettings {
        base: dir.to_path_buf(),
        system_roots: t.system_roots,
        ..TlsSettings::default()
    };
    if let Some(ca) = &t.ca {
        if let Some(path) = literal_path(cx, ca, dir) {
            certificates(cx, ca, &path, "a CA bundle");
        }
        s.ca = Some(ca.value.clone());
    }
    match (&t.client_cert, &t.client_key) {
        (Some(cert), Some(key)) => {
            let certs = literal_path(cx, cert, dir)
                .and_then(|p| certificates(cx, cert, &p, "a client certificate"));
            let private = literal_path(cx, key, dir).and_then(|p| private_key(cx, key, &p));
            if let (Some(certs), Some(private)) = (certs, private) {
                key_matches(cx, key, certs, private);
            }
            s.client_cert = Some((cert.value.clone(), key.value.clone()));
        }
        (Some(one), None) | (None, Some(one)) => cx.push(
            one,
            "a client certificate needs both `client_cert` and `client_key`",
            "give the certificate chain (PEM) and its private key (PEM) together",
        ),
        (None, None) => {}
    }
    if let Some(name) = &t.server_name {
        if ServerName::try_from(name.value.as_str()).is_err() {
            cx.push(
                name,
                format!(
                    "server_name `{}` is not a DNS name or an IP address",
                    name.value
                ),
                "the name in the upstream's certificate, e.g. `legacy.corp.example`",
            );
        }
        s.server_name = Some(name.value.clone());
    }
    if let Some(v) = &t.min_version {
        s.min_version = match v.value.trim() {
            "1.2" => TlsVersion::V12,
            "1.3" => TlsVersion::V13,
            other => {
                cx.push(
                    v,
                    format!("unknown TLS version `{other}`"),
                    "write \"1.2\" or \"1.3\" (older versions are never used)",
                );
                TlsVersion::V12
            }
        };
    }
    s
}

/// The file a literal path names (relative to the mapping), or `None` for a `${VAR}` path
/// (checked when serving) or a bad template (reported).
fn literal_path(cx: &mut Cx, s: &Spanned<String>, dir: &Path) -> Option<PathBuf> {
    if s.value.contains("${") {
        cx.template(s);
        return None;
    }
    Some(dir.join(&s.value))
}

/// The certificates of a PEM file, or `None` after reporting why there are none.
fn certificates(
    cx: &mut Cx,
    s: &Spanned<String>,
    path: &Path,
    what: &str,
) -> Option<Vec<CertificateDer<'static>>> {
    if let Err(e) = std::fs::metadata(path) {
        cx.push(
            s,
            format!("cannot read `{}`: {}", s.value, e.kind()),
            "paths are relative to the mapping file",
        );
        return None;
    }
    match CertificateDer::pem_file_iter(path).and_then(|i| i.collect::<Result<Vec<_>, _>>()) {
        Ok(certs) if !certs.is_empty() => Some(certs),
        Ok(_) => {
            cx.push(
                s,
                format!("`{}` holds no PEM certificate", s.value),
                format!("{what} is one or more `-----BEGIN CERTIFICATE-----` blocks"),
            );
            None
        }
        Err(e) => {
            cx.push(
                s,
                format!("`{}` is not a PEM certificate file: {e}", s.value),
                format!("{what} is one or more `-----BEGIN CERTIFICATE-----` blocks"),
            );
            None
        }
    }
}

/// The private key of a PEM file, or `None` after reporting it (never its content).
fn private_key(cx: &mut Cx, s: &Spanned<String>, path: &Path) -> Option<PrivateKeyDer<'static>> {
    if let Err(e) = std::fs::metadata(path) {
        cx.push(
            s,
            format!("cannot read `{}`: {}", s.value, e.kind()),
            "paths are relative to the mapping file",
        );
        return None;
    }
    match PrivateKeyDer::from_pem_file(path) {
        Ok(k) => Some(k),
        Err(_) => {
            cx.push(
                s,
                format!("`{}` holds no PEM private key", s.value),
                "a `-----BEGIN PRIVATE KEY-----` (PKCS#8), `RSA PRIVATE KEY` or `EC PRIVATE KEY` block, unencrypted",
            );
            None
        }
    }
}

/// The client key must be the certificate's.
fn key_matches(
    cx: &mut Cx,
    at: &Spanned<String>,
    certs: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) {
    let matches = rustls::crypto::ring::default_provider()
        .key_provider
        .load_private_key(key)
        .map(|k| rustls::sign::CertifiedKey::new(certs, k).keys_match());
    match matches {
        Ok(Ok(()))
        | Ok(Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::Unknown))) => {}
        Ok(Err(rustls::Error::InconsistentKeys(_))) => cx.push(
            at,
            "the client key does not belong to the client certificate",
            "give the key the certificate was issued for",
        ),
        Ok(Err(e)) => cx.push(
            at,
            format!("the client certificate cannot be used: {e}"),
            "an X.509 v3 certificate in PEM, the end entity first",
        ),
        Err(_) => cx.push(
            at,
            "the client key's algorithm is not supported",
            "use an RSA, ECDSA (P-256, P-384) or Ed25519 key",
        ),
    }
}

/// Whether an `http://` URL's host is the loopback interface.
fn loopback(url: &str) -> bool {
    let authority = url
        .strip_prefix("http://")
        .and_then(|r| r.split(['/', '?', '#']).next())
        .unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.split(':').next().unwrap_or(""),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// `upstream.proxy`.
fn proxy(cx: &mut Cx, p: &format::Proxy) -> ProxySettings {
    cx.template(&p.url);
    let url = p.url.value.trim();
    if !url.starts_with("${") {
        let rest = url.strip_prefix("http://");
        match rest {
            None => cx.push(
                &p.url,
                "the proxy URL must be `http://host:port`",
                "calls to an https:// service are tunnelled with CONNECT, so TLS still runs end to end",
            ),
            Some(rest) if rest.split('/').next().unwrap_or("").contains('@') => cx.push(
                &p.url,
                "credentials must come from the environment, not the mapping file",
                "write the whole URL as `${HTTPS_PROXY}` and set it when serving",
            ),
            Some(_) => {}
        }
    } else {
        cx.no_credentials(
            &p.url,
            "the proxy URL's default",
            "proxy credentials come only from the environment: write `${HTTPS_PROXY}` without a default",
        );
    }
    if let Some(n) = &p.no_proxy {
        cx.template(n);
    }
    ProxySettings {
        url: p.url.value.clone(),
        no_proxy: p.no_proxy.as_ref().map(|n| n.value.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_name_the_mappings_own_variables() {
        let file = Path::new("mappings/billing.yaml");
        let order = Some("OrderService");
        assert_eq!(
            variable_prefix(file, Some("${CUSTOMER_URL}"), order),
            "CUSTOMER"
        );
        assert_eq!(variable_prefix(file, Some("${ERP:-http://h}"), None), "ERP");
        assert_eq!(
            variable_prefix(file, Some("https://h/soap"), order),
            "ORDER"
        );
        assert_eq!(variable_prefix(file, None, Some("Ledger")), "LEDGER");
        assert_eq!(variable_prefix(file, None, None), "BILLING");
        assert_eq!(
            variable_prefix(Path::new("my-crm.yaml"), Some("${file:/x}"), None),
            "MY_CRM"
        );
        assert!(auth_from_env("CUSTOMER").contains("${CUSTOMER_PASSWORD}"));
    }
}
