//! Who a client is, for its rate limits: the identity the client-security guard established
//! (an API key's id, a token's subject, another scheme's principal), else the client's
//! address: the peer, or, when the peer is a trusted proxy, the last address of `Forwarded`
//! (RFC 7239) or `X-Forwarded-For` that is not itself a trusted proxy.

use std::fmt;
use std::net::IpAddr;

/// The key a client's buckets are kept under.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Identity {
    /// An API key, by its id (never the key itself).
    Key(String),
    /// A token's subject.
    Subject(String),
    /// Another scheme's principal (`scheme/user`, a certificate's subject).
    Principal(String),
    /// The client's address.
    Ip(IpAddr),
    /// Nothing known (no peer address): all such clients share one bucket.
    Unknown,
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Identity::Key(k) => write!(f, "key:{k}"),
            Identity::Subject(s) => write!(f, "sub:{s}"),
            Identity::Principal(p) => write!(f, "principal:{p}"),
            Identity::Ip(ip) => write!(f, "ip:{ip}"),
            Identity::Unknown => f.write_str("unknown"),
        }
    }
}

/// Why a `trusted_proxies` entry is not usable.
#[derive(Debug, thiserror::Error)]
pub enum ProxyListError {
    /// Is raised when an entry is neither an address nor `address/prefix`.
    #[error("`{0}` is not an IP address or a CIDR block (e.g. 10.0.0.0/8)")]
    NotAnAddress(String),
    /// Is raised when the prefix length is longer than the address (32 for IPv4, 128 for IPv6).
    #[error("`{0}`: the prefix length is too long for the address")]
    Prefix(String),
}

/// The proxies whose forwarding headers are believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

impl TrustedProxies {
    /// Reads `trusted_proxies` entries (`10.0.0.0/8`, `192.168.1.7`, `::1`, `fd00::/8`).
    pub fn parse(entries: &[String]) -> Result<TrustedProxies, ProxyListError> {
        let mut out = Vec::new();
        for e in entries {
            let (addr, len) = match e.split_once('/') {
                Some((a, l)) => (a, Some(l)),
                None => (e.as_str(), None),
            };
            let ip: IpAddr = addr
                .trim()
                .parse()
                .map_err(|_| ProxyListError::NotAnAddress(e.clone()))?;
            let max = if ip.is_ipv4() { 32 } else { 128 };
            let len = match len {
                Some(l) => l
                    .trim()
                    .parse::<u8>()
                    .map_err(|_| ProxyListError::NotAnAddress(e.clone()))?,
                None => max,
            };
            if len > max {
                return Err(ProxyListError::Prefix(e.clone()));
            }
            out.push((ip, len));
        }
        Ok(TrustedProxies(out))
    }

    /// Whether `ip` is one of the trusted proxies.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|&(net, len)| match (canonical(net), ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => prefix_eq(&n.octets(), &a.octets(), len),
            (IpAddr::V6(n), IpAddr::V6(a)) => prefix_eq(&n.octets(), &a.octets(), len),
            _ => false,
        })
    }
}

/// IPv4-mapped IPv6 addresses compare as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn prefix_eq(a: &[u8], b: &[u8], len: u8) -> bool {
    let (bytes, bits) = (usize::from(len / 8), len % 8);
    if a[..bytes] != b[..bytes] {
        return false;
    }
    bits == 0 || (a[bytes] ^ b[bytes]) >> (8 - bits) == 0
}

/// The client's address: the peer unless it is a trusted proxy; then, walking the forwarding
/// chain from the nearest hop, the first address that is not a trusted proxy (the farthest one
/// when all are). `Forwarded` wins over `X-Forwarded-For` when both are present; an entry that
/// is not an address (`unknown`, an obfuscated name) ends the walk there.
pub fn client_ip(
    peer: Option<IpAddr>,
    forwarded: &[&str],
    x_forwarded_for: &[&str],
    trusted: &TrustedProxies,
) -> Option<IpAddr> {
    let peer = peer?;
    if !trusted.contains(peer) {
        return Some(peer);
    }
    let chain: Vec<&str> = if forwarded.is_empty() {
        x_forwarded_for
            .iter()
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect()
    } else {
        forwarded
            .iter()
            .flat_map(|v| v.split(','))
            .filter_map(forwarded_for)
            .collect()
    };
    let mut client = peer;
    for hop in chain.iter().rev() {
        match parse_node(hop) {
            Some(ip) => {
                client = ip;
                if !trusted.contains(ip) {
                    break;
                }
            }
            None => break,
        }
    }
    Some(client)
}

/// The `for=` parameter of one `Forwarded` element.
fn forwarded_for(element: &str) -> Option<&str> {
    element.split(';').find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("for")
            .then(|| v.trim().trim_matches('"'))
    })
}

/// An address as a forwarding header writes it: `1.2.3.4`, `1.2.3.4:80`, `[::1]`, `[::1]:80`,
/// `::1`.
fn parse_node(node: &str) -> Option<IpAddr> {
    if let Ok(ip) = node.parse() {
        return Some(ip);
    }
    if let Some(rest) = node.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    node.rsplit_once(':')?.0.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn untrusted_peers_are_the_client_whatever_they_forward() {
        let t = TrustedProxies::parse(&["10.0.0.0/8".into()]).unwrap();
        let got = client_ip(Some(ip("203.0.113.9")), &[], &["1.1.1.1"], &t);
        assert_eq!(got, Some(ip("203.0.113.9")));
    }

    #[test]
    fn trusted_hops_are_skipped_from_the_right() {
        let t = TrustedProxies::parse(&["10.0.0.0/8".into(), "192.168.1.7".into()]).unwrap();
        // The client forged the first entry; the proxies appended the real one.
        let xff = ["6.6.6.6, 198.51.100.4, 10.1.2.3"];
        assert_eq!(
            client_ip(Some(ip("192.168.1.7")), &[], &xff, &t),
            Some(ip("198.51.100.4"))
        );
        let fwd = [
            "for=6.6.6.6, for=\"[2001:db8::1]:4711\";proto=https",
            "for=10.0.0.1",
        ];
        assert_eq!(
            client_ip(Some(ip("10.9.9.9")), &fwd, &xff, &t),
            Some(ip("2001:db8::1"))
        );
        // Everything trusted: the farthest hop.
        assert_eq!(
            client_ip(Some(ip("10.0.0.2")), &[], &["10.0.0.5"], &t),
            Some(ip("10.0.0.5"))
        );
        // An unknown hop ends the walk at the last known address.
        assert_eq!(
            client_ip(Some(ip("10.0.0.2")), &["for=unknown"], &[], &t),
            Some(ip("10.0.0.2"))
        );
    }

    #[test]
    fn cidr_blocks_and_mapped_addresses() {
        let t = TrustedProxies::parse(&["172.16.0.0/12".into(), "fd00::/8".into()]).unwrap();
        assert!(t.contains(ip("172.31.255.255")));
        assert!(!t.contains(ip("172.32.0.0")));
        assert!(t.contains(ip("::ffff:172.16.0.1")));
        assert!(t.contains(ip("fd12::1")));
        assert!(!t.contains(ip("fe80::1")));
        assert!(TrustedProxies::parse(&["10.0.0.0/33".into()]).is_err());
        assert!(TrustedProxies::parse(&["proxy.local".into()]).is_err());
    }
}
