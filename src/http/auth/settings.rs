//! Reading the schemes' settings: problems placed at the value of `soapbridge.yaml` they are
//! about, durations, PEM certificates, and where a JWT scheme's JWKS comes from.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use serde_saphyr::Spanned;

use super::jwks::Source;
use crate::config::auth::JwtScheme;
use crate::diag::Diagnostic;
use crate::mapping::format::parse_duration;

/// A problem at the place `s` was written in the settings file.
pub(crate) fn located<T>(file: &Path, s: &Spanned<T>, message: impl Into<String>) -> Diagnostic {
    Diagnostic::new(
        file,
        s.referenced.line() as u32,
        s.referenced.column() as u32,
        message,
    )
}

/// The hint for a file that cannot be read.
pub(crate) fn unreadable_hint(path: &Path) -> String {
    if path.is_relative() {
        let here = std::env::current_dir().unwrap_or_default();
        format!(
            "a relative path is read from the working directory ({})",
            here.display()
        )
    } else {
        "check the path and that soapbridge may read it".to_string()
    }
}

/// A duration setting, or its default.
pub(crate) fn duration(
    file: &Path,
    s: Option<&Spanned<String>>,
    default: Duration,
    diags: &mut Vec<Diagnostic>,
) -> Duration {
    let Some(s) = s else { return default };
    match parse_duration(&s.value) {
        Some(d) if !d.is_zero() => d,
        _ => {
            diags.push(
                located(file, s, format!("`{}` is not a duration", s.value))
                    .hint("write e.g. `30s`, `10m` or `1h`"),
            );
            default
        }
    }
}

/// The certificates of a PEM file (at least one), or a problem at the setting naming it.
pub(crate) fn certificates(
    file: &Path,
    s: &Spanned<PathBuf>,
) -> Result<Vec<CertificateDer<'static>>, Diagnostic> {
    let path = &s.value;
    if let Err(e) = std::fs::metadata(path) {
        return Err(
            located(file, s, format!("cannot read `{}`: {e}", path.display()))
                .hint(unreadable_hint(path)),
        );
    }
    let certs: Result<Vec<_>, _> =
        CertificateDer::pem_file_iter(path).and_then(|it| it.collect::<Result<Vec<_>, _>>());
    match certs {
        Ok(c) if !c.is_empty() => Ok(c),
        Ok(_) => Err(located(
            file,
            s,
            format!("`{}` holds no PEM certificate", path.display()),
        )
        .hint("a certificate file holds `-----BEGIN CERTIFICATE-----` blocks")),
        Err(e) => Err(located(
            file,
            s,
            format!(
                "`{}` is not a valid PEM certificate file: {e}",
                path.display()
            ),
        )
        .hint("a certificate file holds `-----BEGIN CERTIFICATE-----` blocks")),
    }
}

/// `jwks_file` or `jwks_url` (HTTPS only, trusting the public web roots and `jwks_ca`).
pub(crate) fn jwks_source(
    file: &Path,
    s: &JwtScheme,
    diags: &mut Vec<Diagnostic>,
) -> Option<Source> {
    match (&s.jwks_file, &s.jwks_url) {
        (Some(f), None) => {
            if s.jwks_ca.is_some() {
                diags.push(located(
                    file,
                    f,
                    "`jwks_ca` is for `jwks_url`; a JWKS file needs none",
                ));
            }
            Some(Source::File(f.value.clone()))
        }
        (None, Some(u)) => {
            if let Some((message, hint)) = crate::mapping::compile::secrets::url(
                &u.value,
                "`jwks_url`",
                "a JWKS is public: fetch it without credentials",
            ) {
                diags.push(located(file, u, message).hint(hint));
                return None;
            }
            if !u.value.starts_with("https://") {
                diags.push(
                    located(file, u, format!("`{}` is not an https:// URL", u.value))
                        .hint("keys are fetched over HTTPS only; for keys on disk use `jwks_file`"),
                );
                return None;
            }
            let mut roots = rustls::RootCertStore::empty();
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            if let Some(ca) = &s.jwks_ca {
                match certificates(file, ca) {
                    Ok(certs) => {
                        for c in certs {
                            if roots.add(c).is_err() {
                                diags.push(located(
                                    file,
                                    ca,
                                    "a certificate of `jwks_ca` is not a valid CA certificate",
                                ));
                            }
                        }
                    }
                    Err(d) => diags.push(d),
                }
            }
            let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .ok()?
            .with_root_certificates(roots)
            .with_no_client_auth();
            Some(Source::Url {
                url: u.value.clone(),
                tls: Arc::new(tls),
            })
        }
        (Some(f), Some(_)) => {
            diags.push(located(
                file,
                f,
                "the keys come from `jwks_file` or `jwks_url`, not both",
            ));
            None
        }
        (None, None) => {
            diags.push(
                located(
                    file,
                    &s.issuer,
                    "a `jwt` scheme needs `jwks_file` or `jwks_url`",
                )
                .hint("e.g. `jwks_url: https://login.example.com/.well-known/jwks.json`"),
            );
            None
        }
    }
}
