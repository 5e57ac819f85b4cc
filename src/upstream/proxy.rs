//! The outbound HTTP proxy: its address and credentials from `upstream.proxy.url`, the hosts
//! reached directly (`no_proxy`, as the `NO_PROXY` convention writes them), and the `CONNECT`
//! exchange that opens a tunnel through it. TLS to an `https://` service then runs inside the
//! tunnel, end to end.

use std::net::IpAddr;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::error::TargetError;
use crate::env::{Secret, expand_env};
use crate::mapping::route::ProxySettings;

/// The most bytes of the proxy's answer to `CONNECT` read.
const ANSWER_LIMIT: usize = 8 * 1024;

/// An HTTP proxy and the hosts that bypass it. `Debug` never shows the credentials.
#[derive(Debug, Clone)]
pub(super) struct Proxy {
    pub(super) host: String,
    pub(super) port: u16,
    /// `Proxy-Authorization` value, from the URL's user and password.
    authorization: Option<Secret>,
    bypass: NoProxy,
}

impl Proxy {
    /// The settings' `${VAR}`s resolved and the URL read.
    pub(super) fn resolve(s: &ProxySettings) -> Result<Proxy, TargetError> {
        let url = expand_env(&s.url)?;
        let bypass = match &s.no_proxy {
            Some(n) => NoProxy::parse(&expand_env(n)?),
            None => NoProxy::default(),
        };
        Proxy::parse(url.trim(), bypass)
    }

    /// `http://[user:password@]host[:port]` (port 80 when absent).
    fn parse(url: &str, bypass: NoProxy) -> Result<Proxy, TargetError> {
        let rest = url
            .strip_prefix("http://")
            .ok_or(TargetError::Proxy("it must start with http://"))?;
        let authority = rest.trim_end_matches('/');
        if authority.contains(['/', '?', '#']) {
            return Err(TargetError::Proxy("it must be `http://host:port`, no path"));
        }
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        let uri: awc::http::uri::Authority = hostport
            .parse()
            .map_err(|_| TargetError::Proxy("its host and port do not parse"))?;
        let host = uri.host().trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() {
            return Err(TargetError::Proxy("it names no host"));
        }
        let authorization = userinfo.map(|u| {
            let decoded = percent_encoding::percent_decode_str(u).decode_utf8_lossy();
            Secret::new(format!("Basic {}", STANDARD.encode(decoded.as_bytes())))
        });
        Ok(Proxy {
            host: host.to_string(),
            port: uri.port_u16().unwrap_or(80),
            authorization,
            bypass,
        })
    }

    /// Whether a call to `host:port` goes through the proxy.
    pub(super) fn applies(&self, host: &str, port: u16) -> bool {
        !self.bypass.matches(host, port)
    }

    /// Asks the proxy, on `stream`, for a tunnel to `host:port`; `Ok` once it answered 2xx.
    pub(super) async fn tunnel<S>(
        &self,
        stream: &mut S,
        host: &str,
        port: u16,
    ) -> std::io::Result<()>
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    {
        let target = if host.contains(':') && !host.starts_with('[') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        let mut request = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n");
        if let Some(auth) = &self.authorization {
            request.push_str("Proxy-Authorization: ");
            request.push_str(auth.expose());
            request.push_str("\r\n");
        }
        request.push_str("\r\n");
        stream.write_all(request.as_bytes()).await?;
        let status = read_answer(stream).await?;
        if (200..300).contains(&status) {
            Ok(())
        } else {
            Err(std::io::Error::other(format!(
                "the proxy refused the tunnel with status {status}"
            )))
        }
    }
}

/// Reads the proxy's answer head (nothing after it: the service speaks only once asked) and
/// returns its status.
async fn read_answer<S: tokio::io::AsyncRead + Unpin>(stream: &mut S) -> std::io::Result<u16> {
    let mut buf = Vec::with_capacity(256);
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if buf.len() >= ANSWER_LIMIT {
            return Err(std::io::Error::other(
                "the proxy's answer head is too large",
            ));
        }
        if stream.read(&mut byte).await? == 0 {
            return Err(std::io::Error::other(
                "the proxy closed the connection before answering CONNECT",
            ));
        }
        buf.push(byte[0]);
    }
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut answer = httparse::Response::new(&mut headers);
    match answer.parse(&buf) {
        Ok(httparse::Status::Complete(_)) => answer
            .code
            .ok_or_else(|| std::io::Error::other("the proxy's answer has no status")),
        _ => Err(std::io::Error::other("the proxy's answer is not HTTP")),
    }
}

/// Hosts reached without the proxy, in `NO_PROXY` form: comma- or space-separated entries, each
/// `*` (every host), a name (`example.com` and `.example.com` both match the name and its
/// subdomains), an IP address or a CIDR block; a name or IPv4 entry may end in `:port`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct NoProxy(Vec<(Rule, Option<u16>)>);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Rule {
    All,
    Name(String),
    Ip(IpAddr),
    Block(IpAddr, u8),
}

impl NoProxy {
    pub(super) fn parse(list: &str) -> NoProxy {
        let entries = list
            .split([',', ' ', '\t'])
            .map(str::trim)
            .filter(|e| !e.is_empty());
        NoProxy(entries.filter_map(rule).collect())
    }

    pub(super) fn matches(&self, host: &str, port: u16) -> bool {
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .trim_end_matches('.')
            .to_ascii_lowercase();
        let ip = host.parse::<IpAddr>().ok();
        self.0.iter().any(|(rule, p)| {
            p.is_none_or(|p| p == port)
                && match rule {
                    Rule::All => true,
                    Rule::Name(name) => host == *name || host.ends_with(&format!(".{name}")),
                    Rule::Ip(want) => ip == Some(*want),
                    Rule::Block(net, bits) => ip.is_some_and(|ip| in_block(ip, *net, *bits)),
                }
        })
    }
}

/// One entry: the rule and its port, if any (an entry that says nothing usable is dropped).
fn rule(entry: &str) -> Option<(Rule, Option<u16>)> {
    let entry = entry.to_ascii_lowercase();
    if entry == "*" {
        return Some((Rule::All, None));
    }
    if let Some((net, bits)) = entry.split_once('/') {
        let net: IpAddr = net
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse()
            .ok()?;
        let bits: u8 = bits.parse().ok()?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        return (bits <= max).then_some((Rule::Block(net, bits), None));
    }
    let bare = entry.trim_start_matches('[');
    if let Some((v6, rest)) = bare.split_once(']') {
        let port = rest.strip_prefix(':').and_then(|p| p.parse().ok());
        return Some((Rule::Ip(v6.parse().ok()?), port));
    }
    if let Ok(ip) = entry.parse::<IpAddr>() {
        return Some((Rule::Ip(ip), None));
    }
    let (name, port) = match entry.rsplit_once(':') {
        Some((n, p)) => (n, Some(p.parse().ok()?)),
        None => (entry.as_str(), None),
    };
    if let Ok(ip) = name.parse::<IpAddr>() {
        return Some((Rule::Ip(ip), port));
    }
    let name = name.trim_start_matches("*.").trim_start_matches('.');
    (!name.is_empty()).then(|| (Rule::Name(name.trim_end_matches('.').to_string()), port))
}

/// Whether `ip` is in the block `net/bits` (addresses of different families never are).
fn in_block(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(a) & mask == u32::from(b) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(a) & mask == u128::from(b) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_proxy_entries() {
        let n = NoProxy::parse(
            "localhost, .corp.example,legacy.example:8443 10.0.0.0/8 ::1 [fd00::1]:443 192.168.1.7:81",
        );
        for (host, port, direct) in [
            ("localhost", 80, true),
            ("LOCALHOST.", 80, true),
            ("corp.example", 443, true),
            ("a.b.corp.example", 443, true),
            ("notcorp.example", 443, false),
            ("legacy.example", 8443, true),
            ("legacy.example", 443, false),
            ("10.20.30.40", 80, true),
            ("11.0.0.1", 80, false),
            ("::1", 80, true),
            ("[::1]", 80, true),
            ("fd00::1", 443, true),
            ("fd00::1", 80, false),
            ("192.168.1.7", 81, true),
            ("192.168.1.7", 80, false),
            ("example.com", 80, false),
        ] {
            assert_eq!(n.matches(host, port), direct, "{host}:{port}");
        }
        assert!(NoProxy::parse("*").matches("anything.example", 1));
        assert!(!NoProxy::parse("").matches("anything.example", 1));
        assert!(NoProxy::parse("0.0.0.0/0").matches("203.0.113.9", 1));
        assert!(!NoProxy::parse("0.0.0.0/0").matches("::1", 1));
        assert_eq!(NoProxy::parse("10.0.0.0/99, :x"), NoProxy::default());
    }

    #[test]
    fn proxy_urls() {
        let p = Proxy::parse("http://proxy.corp:3128/", NoProxy::default()).unwrap();
        assert_eq!((p.host.as_str(), p.port), ("proxy.corp", 3128));
        assert!(p.authorization.is_none());
        let p = Proxy::parse("http://us%40er:p%3Ass@10.1.2.3", NoProxy::default()).unwrap();
        assert_eq!((p.host.as_str(), p.port), ("10.1.2.3", 80));
        assert_eq!(
            p.authorization.as_ref().unwrap().expose(),
            format!("Basic {}", STANDARD.encode("us@er:p:ss"))
        );
        assert!(!format!("{p:?}").contains("p:ss"));
        for bad in [
            "https://proxy:3128",
            "proxy:3128",
            "http://",
            "http://proxy/x",
        ] {
            let e = Proxy::parse(bad, NoProxy::default()).unwrap_err();
            assert!(matches!(e, TargetError::Proxy(_)), "{bad}: {e}");
        }
        let e = Proxy::parse("http://user:hunter2@:3128", NoProxy::default()).unwrap_err();
        assert!(!e.to_string().contains("hunter2"), "{e}");
    }

    #[actix_rt::test]
    async fn connect_exchange() {
        let p = Proxy::parse("http://u:p@proxy:3128", NoProxy::default()).unwrap();
        let (mut ours, mut theirs) = tokio::io::duplex(4096);
        let answer = tokio::spawn(async move {
            let mut head = vec![0u8; 1024];
            let n = theirs.read(&mut head).await.unwrap();
            theirs
                .write_all(b"HTTP/1.1 200 Connection established\r\nVia: test\r\n\r\n")
                .await
                .unwrap();
            String::from_utf8(head[..n].to_vec()).unwrap()
        });
        p.tunnel(&mut ours, "legacy.example", 443).await.unwrap();
        let head = answer.await.unwrap();
        assert_eq!(
            head,
            format!(
                "CONNECT legacy.example:443 HTTP/1.1\r\nHost: legacy.example:443\r\nProxy-Authorization: Basic {}\r\n\r\n",
                STANDARD.encode("u:p")
            )
        );

        let (mut ours, mut theirs) = tokio::io::duplex(4096);
        tokio::spawn(async move {
            let mut head = vec![0u8; 1024];
            let _ = theirs.read(&mut head).await;
            let _ = theirs
                .write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n")
                .await;
        });
        let e = p.tunnel(&mut ours, "::1", 8443).await.unwrap_err();
        assert!(e.to_string().contains("407"), "{e}");
    }
}
