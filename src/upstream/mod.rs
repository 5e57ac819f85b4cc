//! Calling the legacy service with awc: one client per worker and mapping (keep-alive pooled),
//! connect timeout, per-operation deadline, the answer's size capped while reading, redirects
//! never followed, rustls for https, HTTP basic auth from the environment.

use std::time::Duration;

use actix_web::web::Bytes;

use crate::env::expand_env;
use crate::mapping::route::UpstreamSettings;
use crate::wsdl::SoapVersion;

/// Where one mapping's calls go, resolved once at start-up.
#[derive(Clone)]
pub struct Target {
    pub url: String,
    /// `Basic ...`, precomputed; never logged.
    pub authorization: Option<String>,
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Set once the service answered HTTP/1.0 without keep-alive: it closes every connection,
    /// so each call gets a fresh one (awc would otherwise pool it as if it stayed open).
    pub closes_connections: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("url", &self.url)
            .field(
                "authorization",
                &self.authorization.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

impl Target {
    /// Resolves `${VAR}`s; `Ok(None)` when the URL is absent (unset or empty).
    pub fn resolve(u: &UpstreamSettings) -> Result<Option<Target>, String> {
        let Some(template) = &u.url else {
            return Ok(None);
        };
        let url = match expand_env(template) {
            Ok(url) if url.trim().is_empty() => return Ok(None),
            Ok(url) => url,
            Err(_) if template.trim_start().starts_with("${") && !template.contains(":-") => {
                return Ok(None);
            }
            Err(e) => return Err(e),
        };
        if !url.starts_with("http://") && !url.starts_with("https://") {
            return Err(format!("upstream URL `{url}` is not http:// or https://"));
        }
        let authorization = match &u.basic_auth {
            Some((user, pass)) => {
                let user = expand_env(user)?;
                let pass = expand_env(pass)?;
                Some(format!(
                    "Basic {}",
                    base64(format!("{user}:{pass}").as_bytes())
                ))
            }
            None => None,
        };
        Ok(Some(Target::new(
            url,
            authorization,
            u.timeout,
            u.connect_timeout,
        )))
    }

    pub fn new(
        url: String,
        authorization: Option<String>,
        timeout: Duration,
        connect_timeout: Duration,
    ) -> Target {
        Target {
            url,
            authorization,
            timeout,
            connect_timeout,
            closes_connections: Default::default(),
        }
    }

    /// The awc client for this target (one per worker).
    pub fn client(&self) -> awc::Client {
        // rustls needs a process-wide crypto provider; ring is the one compiled in.
        let _ = rustls::crypto::ring::default_provider().install_default();
        awc::Client::builder()
            .connector(awc::Connector::new().timeout(self.connect_timeout))
            .disable_redirects()
            .timeout(self.timeout)
            .finish()
    }
}

/// Why an upstream call gave no answer to convert.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// Is raised when the connection could not be made (refused, DNS, TLS, connect timeout).
    #[error("cannot connect to the upstream: {0}")]
    Connect(String),
    /// Is raised when no complete answer came before the operation's deadline.
    #[error("the upstream did not answer within {0:?}")]
    Timeout(Duration),
    /// Is raised when the answer grew past the configured limit.
    #[error("the upstream's answer is larger than {0} bytes")]
    TooLarge(usize),
    /// Is raised for a 3xx: redirects are not followed.
    #[error("the upstream answered with a redirect ({0}), which is not followed")]
    Redirect(u16),
    /// Is raised when a pooled connection turned out closed before any answer came: the service
    /// did not read the request.
    #[error("the upstream closed the connection before answering")]
    Stale,
    /// Is raised when sending or reading failed otherwise.
    #[error("the upstream call failed: {0}")]
    Other(String),
}

/// An upstream answer: status, content type, body.
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub body: Bytes,
}

/// Sends an envelope and reads the answer (at most `max` bytes) before `deadline` (default:
/// the target's timeout).
pub async fn call(
    client: &awc::Client,
    target: &Target,
    version: SoapVersion,
    action: Option<&str>,
    envelope: Vec<u8>,
    max: usize,
    deadline: Option<Duration>,
) -> Result<Reply, CallError> {
    // The operation's own deadline, else the target's.
    let deadline = deadline.unwrap_or(target.timeout);
    let mut req = client
        .post(&target.url)
        .insert_header(("Content-Type", crate::soap::content_type(version, action)))
        .timeout(deadline);
    if version == SoapVersion::V11 {
        req = req.insert_header((
            "SOAPAction",
            format!("\"{}\"", action.unwrap_or("").replace('"', "%22")),
        ));
    }
    if let Some(a) = &target.authorization {
        req = req.insert_header(("Authorization", a.as_str()));
    }
    let closes = target
        .closes_connections
        .load(std::sync::atomic::Ordering::Relaxed);
    if closes {
        req = req.force_close();
    }
    let work = async {
        let mut resp = req.send_body(envelope).await.map_err(|e| match e {
            awc::error::SendRequestError::Timeout => CallError::Timeout(deadline),
            awc::error::SendRequestError::Connect(awc::error::ConnectError::Timeout) => {
                CallError::Connect("connect timeout".into())
            }
            awc::error::SendRequestError::Connect(c) => CallError::Connect(c.to_string()),
            other => CallError::Other(other.to_string()),
        })?;
        let status = resp.status().as_u16();
        let keep_alive = resp
            .headers()
            .get("connection")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("keep-alive"));
        if resp.version() == awc::http::Version::HTTP_10 && !keep_alive && !closes {
            target
                .closes_connections
                .store(true, std::sync::atomic::Ordering::Relaxed);
        }
        if (300..400).contains(&status) {
            return Err(CallError::Redirect(status));
        }
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let body = resp.body().limit(max).await.map_err(|e| match e {
            awc::error::PayloadError::Overflow => CallError::TooLarge(max),
            other => CallError::Other(other.to_string()),
        })?;
        Ok(Reply {
            status,
            content_type,
            body,
        })
    };
    match tokio::time::timeout(deadline, work).await {
        Ok(r) => r,
        Err(_) => Err(CallError::Timeout(deadline)),
    }
}

fn base64(input: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64() {
        assert_eq!(
            super::base64(b"Aladdin:open sesame"),
            "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        assert_eq!(super::base64(b"ab"), "YWI=");
        assert_eq!(super::base64(b""), "");
    }
}
