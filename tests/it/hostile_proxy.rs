//! A fault-injecting proxy between the bridge and its upstream, on 127.0.0.1 in threads of the
//! test: each connection carries one exchange (the request is passed on with `Connection:
//! close`), and the fault set now decides what the bridge gets back: the upstream's answer as it
//! is, late, slowly, cut by a reset in the middle of its body, nothing (the request read, then
//! the connection closed), or a canned answer in the upstream's place (a bomb, a redirect, a
//! huge fault). It keeps the last request head it passed, to check what reached the upstream.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the proxy does to the next exchanges.
#[derive(Clone, Debug)]
pub enum Fault {
    /// Passes the answer as it comes.
    Pass,
    /// Waits this long before passing the answer.
    Latency(Duration),
    /// Passes the answer at this many bytes per second.
    Bandwidth(usize),
    /// Passes the answer's head and this many bytes of its body, then resets the connection.
    ResetMidBody(usize),
    /// Reads the request, then closes the connection without answering.
    CloseAfterRead,
    /// Answers these bytes (a whole HTTP response) itself; the upstream is not called.
    Answer(Arc<Vec<u8>>),
}

/// The proxy: its port, the fault in force, the exchanges it saw, the last request head.
pub struct FaultProxy {
    pub port: u16,
    fault: Arc<Mutex<Fault>>,
    pub exchanges: Arc<AtomicUsize>,
    pub last_head: Arc<Mutex<String>>,
}

impl FaultProxy {
    /// Listens on a free port of 127.0.0.1, in front of `upstream`.
    pub fn start(upstream: SocketAddr) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let proxy = FaultProxy {
            port,
            fault: Arc::new(Mutex::new(Fault::Pass)),
            exchanges: Arc::default(),
            last_head: Arc::default(),
        };
        let (fault, exchanges, last_head) = (
            proxy.fault.clone(),
            proxy.exchanges.clone(),
            proxy.last_head.clone(),
        );
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { continue };
                let fault = fault.lock().unwrap().clone();
                exchanges.fetch_add(1, Ordering::SeqCst);
                let last_head = last_head.clone();
                std::thread::spawn(move || {
                    let _ = exchange(conn, upstream, &fault, &last_head);
                });
            }
        });
        proxy
    }

    /// The fault for the exchanges from now on.
    pub fn set(&self, fault: Fault) {
        *self.fault.lock().unwrap() = fault;
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/soap", self.port)
    }
}

/// One request in, one answer (or fault) out.
fn exchange(
    conn: TcpStream,
    upstream: SocketAddr,
    fault: &Fault,
    last_head: &Mutex<String>,
) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut head = String::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        if line == "\r\n" {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        if !lower.starts_with("connection:") {
            head.push_str(&line);
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    *last_head.lock().unwrap() = head.clone();
    let mut conn = conn;
    let answer = match fault {
        Fault::CloseAfterRead => return conn.shutdown(std::net::Shutdown::Both),
        Fault::Answer(bytes) => {
            conn.write_all(bytes)?;
            return conn.shutdown(std::net::Shutdown::Write);
        }
        _ => {
            let mut up = TcpStream::connect(upstream)?;
            up.write_all(head.as_bytes())?;
            up.write_all(b"Connection: close\r\n\r\n")?;
            up.write_all(&body)?;
            let mut answer = Vec::new();
            up.read_to_end(&mut answer)?;
            answer
        }
    };
    match fault {
        Fault::Latency(d) => {
            std::thread::sleep(*d);
            conn.write_all(&answer)?;
        }
        Fault::Bandwidth(rate) => {
            let step = (rate / 10).max(1);
            for piece in answer.chunks(step) {
                conn.write_all(piece)?;
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        Fault::ResetMidBody(n) => {
            let body_at = answer
                .windows(4)
                .position(|w| w == b"\r\n\r\n")
                .map_or(0, |p| p + 4);
            conn.write_all(&answer[..(body_at + n).min(answer.len())])?;
            conn.flush()?;
            std::thread::sleep(Duration::from_millis(50));
            // A linger of zero makes the close a reset.
            linger_zero(&conn);
            return Ok(());
        }
        _ => conn.write_all(&answer)?,
    }
    conn.shutdown(std::net::Shutdown::Write)
}

/// `SO_LINGER` 0: the close that follows sends RST.
pub fn linger_zero(conn: &TcpStream) {
    use std::os::fd::AsRawFd;
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: a valid socket and a correctly sized option value.
    unsafe {
        libc::setsockopt(
            conn.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&linger as *const libc::linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        );
    }
}

/// A whole HTTP answer: status line, content type, the body with its length.
pub fn answer(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Arc<Vec<u8>> {
    let mut out = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\n", body.len());
    for (n, v) in headers {
        out.push_str(&format!("{n}: {v}\r\n"));
    }
    out.push_str("Connection: close\r\n\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    Arc::new(bytes)
}
