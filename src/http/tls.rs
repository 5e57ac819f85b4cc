//! HTTPS on the listener (rustls): the certificate and key from files, served again when either
//! file changes (a watcher on their folders; a pair that does not load keeps the one there
//! was), TLS 1.2 or 1.3 at the least, HTTP/2 and HTTP/1.1 by ALPN, and optional client
//! certificates verified against `tls.client_ca`, their subject kept for the `client_cert`
//! schemes ([`on_connect`]).

use std::any::Any;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use actix_web::dev::Extensions;
use notify::{RecursiveMode, Watcher};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::PrivateKeyDer;
use rustls::pki_types::pem::PemObject;
use rustls::server::{ClientHello, ResolvesServerCert, WebPkiClientVerifier};
use rustls::sign::CertifiedKey;
use tracing::{info, warn};

use super::auth::{PeerSubject, certificates, located};
use crate::config::Config;
use crate::config::tls::ClientCertMode;
use crate::diag::Diagnostic;

/// The listener's TLS, and the watcher that keeps its certificate fresh (alive as long as
/// this is).
pub struct Listener {
    pub config: rustls::ServerConfig,
    _watcher: Option<notify::RecommendedWatcher>,
}

/// The certificate served, swapped when the files change.
#[derive(Debug)]
struct Reloading {
    current: RwLock<Arc<CertifiedKey>>,
    cert: PathBuf,
    key: PathBuf,
    provider: Arc<CryptoProvider>,
}

impl ResolvesServerCert for Reloading {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(
            self.current
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .clone(),
        )
    }
}

impl Reloading {
    /// Reads the pair again; keeps the old one when the new one does not load.
    fn reload(&self) {
        match certified_key(&self.cert, &self.key, &self.provider) {
            Ok(k) => {
                let mut current = self.current.write().unwrap_or_else(|p| p.into_inner());
                if current.cert != k.cert {
                    *current = Arc::new(k);
                    info!(cert = %self.cert.display(), "TLS certificate reloaded");
                }
            }
            Err(e) => {
                warn!(error = %e, cert = %self.cert.display(), "TLS certificate not reloaded; the one there was stays")
            }
        }
    }
}

/// The listener's TLS from `tls:` (`None` for plain HTTP), or every problem of its settings.
pub fn listener(config: &Config) -> Result<Option<Listener>, Vec<Diagnostic>> {
    let (file, t) = (&config.file, &config.tls);
    if !t.enabled() {
        if let Some(ca) = &t.client_ca {
            return Err(vec![
                located(file, ca, "client certificates need HTTPS on the listener")
                    .hint("set `tls.cert` and `tls.key` too"),
            ]);
        }
        return Ok(None);
    }
    let (Some(cert), Some(key)) = (&t.cert, &t.key) else {
        let at = t
            .cert
            .as_ref()
            .or(t.key.as_ref())
            .expect("enabled() means one is set");
        return Err(vec![
            located(file, at, "HTTPS needs both `tls.cert` and `tls.key`")
                .hint("`cert` is the PEM certificate chain, `key` its PEM private key"),
        ]);
    };
    let mut diags = Vec::new();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let certified = match certificates(file, cert) {
        Err(d) => {
            diags.push(d);
            None
        }
        Ok(_) => match certified_key(&cert.value, &key.value, &provider) {
            Ok(k) => Some(k),
            Err(e) => {
                diags.push(located(file, key, e.to_string()).hint("the key is a PEM private key (PKCS#8, PKCS#1 or SEC1) matching the certificate"));
                None
            }
        },
    };
    let versions: &[&rustls::SupportedProtocolVersion] =
        match t.min_version.as_ref().map(|v| v.value.as_str()) {
            None | Some("1.2") => &[&rustls::version::TLS13, &rustls::version::TLS12],
            Some("1.3") => &[&rustls::version::TLS13],
            Some(other) => {
                let at = t.min_version.as_ref().expect("matched Some");
                diags.push(
                    located(
                        file,
                        at,
                        format!("`{other}` is not a TLS version soapbridge serves"),
                    )
                    .hint("write `1.2` or `1.3` (older versions are not safe)"),
                );
                &[&rustls::version::TLS13]
            }
        };
    let verifier = match &t.client_ca {
        None => None,
        Some(ca) => match certificates(file, ca) {
            Err(d) => {
                diags.push(d);
                None
            }
            Ok(certs) => {
                let mut roots = rustls::RootCertStore::empty();
                let (_, bad) = roots.add_parsable_certificates(certs);
                let mut b =
                    WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone());
                if t.client_cert == ClientCertMode::Optional {
                    b = b.allow_unauthenticated();
                }
                match b.build() {
                    Ok(v) if bad == 0 => Some(v),
                    _ => {
                        diags.push(located(file, ca, "`tls.client_ca` holds a certificate that is not a valid CA certificate"));
                        None
                    }
                }
            }
        },
    };
    let (Some(certified), true) = (certified, diags.is_empty()) else {
        return Err(diags);
    };
    let resolver = Arc::new(Reloading {
        current: RwLock::new(Arc::new(certified)),
        cert: cert.value.clone(),
        key: key.value.clone(),
        provider: provider.clone(),
    });
    let builder = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .map_err(|e| vec![Diagnostic::new(file, 0, 0, format!("TLS: {e}"))])?;
    let builder = match verifier {
        Some(v) => builder.with_client_cert_verifier(v),
        None => builder.with_no_client_auth(),
    };
    let config = builder.with_cert_resolver(resolver.clone());
    Ok(Some(Listener {
        config,
        _watcher: watch(resolver),
    }))
}

/// Why a certificate and key pair does not load.
#[derive(Debug, thiserror::Error)]
enum PairError {
    /// Is raised when the certificate file cannot be read or is not PEM.
    #[error("cannot read the certificate `{}`: {source}", path.display())]
    CertUnreadable {
        path: PathBuf,
        source: rustls::pki_types::pem::Error,
    },
    /// Is raised when the certificate file holds no certificate.
    #[error("`{}` holds no PEM certificate", .0.display())]
    NoCertificate(PathBuf),
    /// Is raised when the key file cannot be read or holds no PEM private key.
    #[error("cannot read the private key `{}`: {source}", path.display())]
    KeyUnreadable {
        path: PathBuf,
        source: rustls::pki_types::pem::Error,
    },
    /// Is raised when the key is of a kind the TLS provider cannot sign with.
    #[error("the private key `{}` cannot sign: {source}", path.display())]
    KeyUnusable {
        path: PathBuf,
        source: rustls::Error,
    },
    /// Is raised when the key is not the certificate's.
    #[error("the private key `{}` does not match the certificate: {source}", path.display())]
    Mismatch {
        path: PathBuf,
        source: rustls::Error,
    },
}

/// Reads a certificate chain and its key, checked to belong together.
fn certified_key(
    cert: &Path,
    key: &Path,
    provider: &CryptoProvider,
) -> Result<CertifiedKey, PairError> {
    let chain = rustls::pki_types::CertificateDer::pem_file_iter(cert)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|source| PairError::CertUnreadable {
            path: cert.to_path_buf(),
            source,
        })?;
    if chain.is_empty() {
        return Err(PairError::NoCertificate(cert.to_path_buf()));
    }
    let der = PrivateKeyDer::from_pem_file(key).map_err(|source| PairError::KeyUnreadable {
        path: key.to_path_buf(),
        source,
    })?;
    let signing = provider
        .key_provider
        .load_private_key(der)
        .map_err(|source| PairError::KeyUnusable {
            path: key.to_path_buf(),
            source,
        })?;
    let k = CertifiedKey::new(chain, signing);
    k.keys_match().map_err(|source| PairError::Mismatch {
        path: key.to_path_buf(),
        source,
    })?;
    Ok(k)
}

/// Watches the folders of the certificate and the key; any change there reloads the pair.
fn watch(resolver: Arc<Reloading>) -> Option<notify::RecommendedWatcher> {
    let r = resolver.clone();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if event.is_ok_and(|e| !e.kind.is_access()) {
            r.reload();
        }
    })
    .map_err(
        |e| warn!(error = %e, "Cannot watch the TLS files; a renewed certificate needs a restart"),
    )
    .ok()?;
    for f in [&resolver.cert, &resolver.key] {
        let dir = f
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if let Err(e) = watcher.watch(dir, RecursiveMode::NonRecursive) {
            warn!(error = %e, dir = %dir.display(), "Cannot watch a TLS folder; a renewed certificate needs a restart");
        }
    }
    Some(watcher)
}

/// Keeps the subject of a connection's verified client certificate in its data (given to
/// the listener's connection hook).
pub fn on_connect(conn: &dyn Any, data: &mut Extensions) {
    type Tls = actix_tls::accept::rustls_0_23::TlsStream<actix_web::rt::net::TcpStream>;
    if let Some(tls) = conn.downcast_ref::<Tls>()
        && let Some(first) = tls.get_ref().1.peer_certificates().and_then(|c| c.first())
        && let Some(subject) = PeerSubject::of(first)
    {
        data.insert(subject);
    }
}
