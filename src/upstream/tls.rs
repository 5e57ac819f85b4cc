//! The rustls client configuration of one target, built once at start-up from the mapping's
//! `upstream.tls`: the roots trusted (a CA bundle, the operating system's store, or the public
//! web roots), the client certificate for mutual TLS, the lowest version. The server name
//! override is the connector's (`connect.rs`): it is the name the handshake checks.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ClientConfig, RootCertStore};

use super::error::TargetError;
use crate::env::expand_env;
use crate::mapping::route::{TlsSettings, TlsVersion};

/// The client configuration the settings describe, with `alpn` offered.
pub(super) fn client_config(s: &TlsSettings) -> Result<Arc<ClientConfig>, TargetError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let versions: &[&rustls::SupportedProtocolVersion] = match s.min_version {
        TlsVersion::V12 => &[&rustls::version::TLS13, &rustls::version::TLS12],
        TlsVersion::V13 => &[&rustls::version::TLS13],
    };
    let builder = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .map_err(|e| TargetError::Tls(e.to_string()))?
        .with_root_certificates(roots(s)?);
    let mut config = match &s.client_cert {
        None => builder.with_no_client_auth(),
        Some((cert, key)) => {
            let chain = certificates(&path(s, cert)?, "the client certificate")?;
            let key = private_key(&path(s, key)?)?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| TargetError::Tls(e.to_string()))?
        }
    };
    // As awc offers by default: HTTP/2 when the service speaks it, else HTTP/1.1.
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// The public web roots (what a target trusts without settings).
pub(super) fn default_config() -> Arc<ClientConfig> {
    client_config(&TlsSettings::default()).expect("the built-in roots and versions are valid")
}

/// The roots trusted: the CA bundle and/or the system's store; the public web roots when
/// neither is asked for.
fn roots(s: &TlsSettings) -> Result<RootCertStore, TargetError> {
    let mut roots = RootCertStore::empty();
    if let Some(ca) = &s.ca {
        let path = path(s, ca)?;
        for cert in certificates(&path, "the CA bundle")? {
            roots.add(cert).map_err(|e| TargetError::TlsFile {
                what: "the CA bundle",
                path: path.clone(),
                reason: e.to_string(),
            })?;
        }
    }
    if s.system_roots {
        let found = rustls_native_certs::load_native_certs();
        let (added, _) = roots.add_parsable_certificates(found.certs);
        if added == 0 {
            return Err(TargetError::Tls(
                "`system_roots` is set but the operating system's store holds no usable root"
                    .into(),
            ));
        }
    }
    if s.ca.is_none() && !s.system_roots {
        roots = actix_tls::connect::rustls_0_23::webpki_roots_cert_store();
    }
    Ok(roots)
}

/// A settings path, its `${VAR}`s resolved, relative to the mapping's folder.
fn path(s: &TlsSettings, template: &str) -> Result<PathBuf, TargetError> {
    Ok(s.base.join(expand_env(template)?))
}

/// Every certificate of a PEM file (at least one).
fn certificates(
    path: &Path,
    what: &'static str,
) -> Result<Vec<CertificateDer<'static>>, TargetError> {
    let fail = |reason: String| TargetError::TlsFile {
        what,
        path: path.to_path_buf(),
        reason,
    };
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|i| i.collect::<Result<Vec<_>, _>>())
        .map_err(|e| fail(e.to_string()))?;
    if certs.is_empty() {
        return Err(fail("no PEM certificate in it".into()));
    }
    Ok(certs)
}

/// The private key of a PEM file (never shown).
fn private_key(path: &Path) -> Result<PrivateKeyDer<'static>, TargetError> {
    PrivateKeyDer::from_pem_file(path).map_err(|e| TargetError::TlsFile {
        what: "the client key",
        path: path.to_path_buf(),
        reason: match e {
            rustls::pki_types::pem::Error::Io(io) => io.kind().to_string(),
            _ => "no PEM private key in it".into(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pem_pair(name: &str) -> (String, String) {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec![name.to_string()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        (cert.pem(), key.serialize_pem())
    }

    #[test]
    fn files_are_read_relative_to_the_mapping_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = pem_pair("bridge.test");
        let (_, other_key) = pem_pair("other.test");
        std::fs::write(dir.path().join("ca.pem"), &cert).unwrap();
        std::fs::write(dir.path().join("client.pem"), &cert).unwrap();
        std::fs::write(dir.path().join("client.key"), &key).unwrap();
        std::fs::write(dir.path().join("other.key"), &other_key).unwrap();
        std::fs::write(dir.path().join("junk.pem"), "not PEM").unwrap();
        let settings = |ca: &str, client: Option<(&str, &str)>| TlsSettings {
            base: dir.path().to_path_buf(),
            ca: Some(ca.into()),
            client_cert: client.map(|(c, k)| (c.into(), k.into())),
            ..TlsSettings::default()
        };
        let config =
            client_config(&settings("ca.pem", Some(("client.pem", "client.key")))).unwrap();
        assert!(config.client_auth_cert_resolver.has_certs());
        assert_eq!(
            config.alpn_protocols,
            [b"h2".to_vec(), b"http/1.1".to_vec()]
        );

        let e = client_config(&settings("missing.pem", None)).unwrap_err();
        assert!(
            matches!(&e, TargetError::TlsFile { what: "the CA bundle", reason, .. } if reason.contains("No such file")),
            "{e}"
        );
        let e = client_config(&settings("junk.pem", None)).unwrap_err();
        assert!(e.to_string().contains("no PEM certificate"), "{e}");
        let e = client_config(&settings("ca.pem", Some(("client.pem", "other.key")))).unwrap_err();
        assert!(matches!(e, TargetError::Tls(_)), "{e}");
        let e = client_config(&settings("ca.pem", Some(("client.pem", "junk.pem")))).unwrap_err();
        assert!(e.to_string().contains("no PEM private key"), "{e}");
        assert!(!e.to_string().contains("PRIVATE"), "{e}");
    }

    #[test]
    fn roots_and_versions() {
        let public = roots(&TlsSettings::default()).unwrap();
        assert!(public.len() > 50, "the public web roots");
        let system = TlsSettings {
            system_roots: true,
            ..TlsSettings::default()
        };
        let found = rustls_native_certs::load_native_certs().certs;
        match roots(&system) {
            Ok(r) => assert!(!found.is_empty() && !r.is_empty()),
            Err(e) => assert!(found.is_empty(), "{e}"),
        }
        let v13 = TlsSettings {
            min_version: TlsVersion::V13,
            ..TlsSettings::default()
        };
        assert!(client_config(&v13).is_ok());
    }
}
