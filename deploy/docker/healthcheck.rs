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

fn probe() -> Result<(), String> {
    let target = target();
    let addr: SocketAddr = target
        .to_socket_addrs()
        .map_err(|e| format!("bad address `{target}`: {e}"))?
        .next()
        .ok_or_else(|| format!("`{target}` resolves to no address"))?;
    let mut stream = TcpStream::connect_timeout(&addr, TIMEOUT)
        .map_err(|e| format!("cannot connect to {addr}: {e}"))?;
    stream.set_read_timeout(Some(TIMEOUT)).map_err(|e| e.to_string())?;
    stream.set_write_timeout(Some(TIMEOUT)).map_err(|e| e.to_string())?;
    stream
        .write_all(b"GET /livez HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .map_err(|e| format!("cannot send to {addr}: {e}"))?;
    let mut head = [0u8; 64];
    let mut len = 0;
    while len < 12 {
        match stream.read(&mut head[len..]) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(e) => return Err(format!("no answer from {addr}: {e}")),
        }
    }
    let status_line = String::from_utf8_lossy(&head[..len]);
    match status_line.split_whitespace().nth(1) {
        Some("200") => Ok(()),
        Some(code) => Err(format!("/livez answered {code}")),
        None => Err(format!("/livez gave no HTTP status line ({len} bytes)")),
    }
}
