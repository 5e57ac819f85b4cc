//! The schemes of `soapbridge.yaml` loaded (files read, hashes and keys checked), and the scheme
//! names of every mapping's routes resolved against them: every problem, at its `file:line:col`.
//! `soapbridge check` reports them; `serve` refuses to start with any.

use std::sync::Arc;

use super::api_key::ApiKeys;
use super::basic::Htpasswd;
use super::client_cert::ClientCerts;
use super::guard::{Kind, Scheme, Security};
use super::jwt::JwtAuth;
use super::settings::located;
use crate::config::Config;
use crate::config::auth::Scheme as Settings;
use crate::diag::{Diagnostic, Diagnostics};
use crate::mapping::route::CompiledMapping;

impl Security {
    /// Loads every scheme and resolves the schemes each route of `mappings` names (in the order
    /// the server serves them).
    pub fn load(config: &Config, mappings: &[&CompiledMapping]) -> Result<Security, Diagnostics> {
        let file = &config.file;
        let mut diags = Vec::new();
        let mut schemes: Vec<Scheme> = Vec::new();
        for (name, settings) in &config.auth.schemes.0 {
            let valid = !name.value.is_empty()
                && name
                    .value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !valid {
                diags.push(
                    located(file, name, format!("`{}` is not a scheme name", name.value))
                        .hint("letters, digits, `-` and `_`"),
                );
                continue;
            }
            if schemes.iter().any(|s| *s.name == *name.value) {
                diags.push(located(
                    file,
                    name,
                    format!("scheme `{}` is defined twice", name.value),
                ));
                continue;
            }
            let kind = match settings {
                Settings::ApiKey(s) => ApiKeys::load(file, s).map(|k| Kind::ApiKey(Arc::new(k))),
                Settings::Jwt(s) => JwtAuth::load(file, s).map(|j| Kind::Jwt(Arc::new(j))),
                Settings::Basic(s) => {
                    if !config.tls.enabled() && !config.tls.offloaded {
                        diags.push(located(file, &s.htpasswd, format!("scheme `{}`: Basic sends passwords readable by anyone on the way, and the listener speaks plain HTTP", name.value)).hint("serve HTTPS (`tls: { cert: ..., key: ... }`), or say `tls: { offloaded: true }` when a proxy ends TLS before soapbridge"));
                    }
                    Htpasswd::load(file, s).map(|h| Kind::Basic(Arc::new(h)))
                }
                Settings::ClientCert(s) => {
                    if config.tls.client_ca.is_none() {
                        diags.push(located(file, name, format!("scheme `{}`: client certificates need `tls.client_ca`", name.value)).hint("set `tls: { cert: ..., key: ..., client_ca: ... }` so the listener asks for and verifies them"));
                    }
                    ClientCerts::load(file, s).map(Kind::ClientCert)
                }
            };
            match kind {
                Ok(kind) => schemes.push(Scheme {
                    name: name.value.as_str().into(),
                    kind,
                }),
                Err(d) => diags.extend(d),
            }
        }
        let defined: Vec<&str> = config
            .auth
            .schemes
            .0
            .iter()
            .map(|(n, _)| n.value.as_str())
            .collect();
        let mut routes = Vec::new();
        for m in mappings {
            let mut ops = Vec::new();
            for r in &m.routes {
                let mut idx = Vec::new();
                for s in &r.access.schemes {
                    match schemes.iter().position(|x| *x.name == *s.name) {
                        Some(i) => idx.push(i),
                        None if defined.contains(&s.name.as_str()) => {} // reported above
                        None => diags.push(
                            Diagnostic::new(
                                &m.file,
                                s.line,
                                s.column,
                                format!("unknown client authentication scheme `{}`", s.name),
                            )
                            .hint(if defined.is_empty() {
                                format!("define it under `auth.schemes` in {}", file.display())
                            } else {
                                format!(
                                    "the schemes defined in {} are: {}",
                                    file.display(),
                                    defined.join(", ")
                                )
                            }),
                        ),
                    }
                }
                ops.push(idx);
            }
            routes.push(ops);
        }
        if diags.is_empty() {
            Ok(Security { schemes, routes })
        } else {
            let mut seen = std::collections::HashSet::new();
            diags.retain(|d| seen.insert(d.to_string()));
            Err(Diagnostics(diags))
        }
    }

    /// Fetches the keys of every JWT scheme whose JWKS is a URL (at start-up; a failure is
    /// logged, and fetched again when a token comes).
    pub async fn fetch_keys(&self) {
        for s in &self.schemes {
            if let Kind::Jwt(j) = &s.kind
                && j.keys.is_url()
                && j.keys.claim_fetch()
            {
                j.keys.refresh().await;
            }
        }
    }

    /// Whether any route names a scheme.
    pub fn any(&self) -> bool {
        self.routes.iter().flatten().any(|r| !r.is_empty())
    }
}
