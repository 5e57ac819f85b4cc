//! The container's `HEALTHCHECK`: `GET /livez` on the local soapbridge, exit status 0 when it
//! answers 200 within two seconds, 1 otherwise (one line on stderr says why).
//!
//! The runtime image has no shell, curl or wget, so this tiny static program is built beside
//! soapbridge (`rustc`, no dependencies) and copied next to it. The port is the one of
//! `SOAPBRIDGE_LISTEN` when that is set (the address itself is replaced by 127.0.0.1, since a
//! wildcard address cannot be dialled), else 8080; `SOAPBRIDGE_HEALTHCHECK_ADDR` overrides the
//! whole `host:port`.
//!
//! Build: `rustc --edition 2021 -O -C strip=symbols --target x86_64-unknown-linux-musl
//! deploy/docker/healthcheck.rs -o soapbridge-healthcheck`.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(2);

fn main() -> ExitCode {
    match probe() {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            eprintln!("soapbridge-healthcheck: {why}");
            ExitCode::from(1)
        }
    }
}

/// `host:port` to dial: the override, else loopback on the port soapbridge listens on.
fn target() -> String {
    if let Ok(addr) = std::env::var("SOAPBRIDGE_HEALTHCHECK_ADDR") {
        return addr;
    }
    let port = std::env::var("SOAPBRIDGE_LISTEN")
        .ok()
        .and_then(|listen| listen.rsplit_once(':').map(|(_, p)| p.to_owned()))
        .filter(|p| p.parse::<u16>().is_ok())
        .unwrap_or_else(|| "8080".to_owned());
    format!("127.0.0.1:{port}")
}

/// Why the probe failed (one line on stderr). Plain std: this program is built by `rustc` alone.
enum Failure {
    /// Is raised when the target does not parse or resolve.
    BadAddress(String, std::io::Error),
    /// Is raised when the target resolves to no address.
    NoAddress(String),
    /// Is raised when the TCP connection fails or times out.
    Connect(SocketAddr, std::io::Error),
    /// Is raised when the socket's timeouts cannot be set.
    Socket(std::io::Error),
    /// Is raised when the request cannot be sent.
    Send(SocketAddr, std::io::Error),
    /// Is raised when reading the answer fails or times out.
    Receive(SocketAddr, std::io::Error),
    /// Is raised when /livez answers another status than 200.
    Status(String),
    /// Is raised when the answer has no HTTP status line.
    NoStatus(usize),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::BadAddress(target, e) => write!(f, "bad address `{target}`: {e}"),
            Failure::NoAddress(target) => write!(f, "`{target}` resolves to no address"),
            Failure::Connect(addr, e) => write!(f, "cannot connect to {addr}: {e}"),
            Failure::Socket(e) => write!(f, "{e}"),
            Failure::Send(addr, e) => write!(f, "cannot send to {addr}: {e}"),
            Failure::Receive(addr, e) => write!(f, "no answer from {addr}: {e}"),
            Failure::Status(code) => write!(f, "/livez answered {code}"),
            Failure::NoStatus(len) => write!(f, "/livez gave no HTTP status line ({len} bytes)"),
        }
    }
}

fn probe() -> Result<(), Failure> {
    let target = target();
    let addr: SocketAddr = target
        .to_socket_addrs()
        .map_err(|e| Failure::BadAddress(target.clone(), e))?
        .next()
        .ok_or_else(|| Failure::NoAddress(target.clone()))?;
    let mut stream =
        TcpStream::connect_timeout(&addr, TIMEOUT).map_err(|e| Failure::Connect(addr, e))?;
    stream
        .set_read_timeout(Some(TIMEOUT))
        .map_err(Failure::Socket)?;
    stream
        .set_write_timeout(Some(TIMEOUT))
        .map_err(Failure::Socket)?;
    stream
        .write_all(b"GET /livez HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .map_err(|e| Failure::Send(addr, e))?;
    let mut head = [0u8; 64];
    let mut len = 0;
    while len < 12 {
        match stream.read(&mut head[len..]) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(e) => return Err(Failure::Receive(addr, e)),
        }
    }
    let status_line = String::from_utf8_lossy(&head[..len]);
    match status_line.split_whitespace().nth(1) {
        Some("200") => Ok(()),
        Some(code) => Err(Failure::Status(code.to_owned())),
        None => Err(Failure::NoStatus(len)),
    }
}
