//! Client certificates as identities: the TLS listener verifies the chain (`tls.client_ca`) and
//! keeps the subject of the connection's certificate ([`PeerSubject`]); a `client_cert` scheme
//! accepts it, any or only the subjects it lists.

use std::path::Path;

use actix_web::HttpRequest;

use super::settings::located;
use crate::config::auth::ClientCertScheme;
use crate::diag::Diagnostic;

/// The subject (RFC 4514 form, `CN=billing,O=Acme`) of the verified client certificate of a
/// connection; kept in the connection's data by the TLS listener.
#[derive(Debug, Clone)]
pub struct PeerSubject(pub String);

impl PeerSubject {
    /// The subject of a DER certificate (already verified by the handshake).
    pub fn of(der: &[u8]) -> Option<PeerSubject> {
        let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
        Some(PeerSubject(normalize(&cert.subject().to_string())))
    }
}

/// A `client_cert` scheme, loaded.
#[derive(Debug)]
pub(crate) struct ClientCerts {
    /// Subjects accepted, normalized; empty: any verified certificate.
    subjects: Vec<String>,
}

impl ClientCerts {
    pub(crate) fn load(
        config: &Path,
        s: &ClientCertScheme,
    ) -> Result<ClientCerts, Vec<Diagnostic>> {
        let mut diags = Vec::new();
        for subj in &s.subjects {
            if !subj.value.contains('=') {
                diags.push(
                    located(config, subj, format!("`{}` is not a subject", subj.value))
                        .hint("write it as `CN=name,O=organisation`"),
                );
            }
        }
        if !diags.is_empty() {
            return Err(diags);
        }
        Ok(ClientCerts {
            subjects: s.subjects.iter().map(|s| normalize(&s.value)).collect(),
        })
    }

    /// The connection's verified subject; `Some(Err(()))` when it is not one accepted.
    pub(crate) fn check(&self, req: &HttpRequest) -> Option<Result<String, ()>> {
        let subject = req.conn_data::<PeerSubject>()?;
        Some(
            if self.subjects.is_empty() || self.subjects.contains(&subject.0) {
                Ok(subject.0.clone())
            } else {
                Err(())
            },
        )
    }
}

/// `CN=a, O=b` and `CN=a,O=b` are the same subject.
fn normalize(s: &str) -> String {
    s.split(',').map(str::trim).collect::<Vec<_>>().join(",")
}
