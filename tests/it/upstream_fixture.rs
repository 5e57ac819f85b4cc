//! The real parts the upstream security tests talk to, all on 127.0.0.1:0 in threads of the
//! test: certificates made with rcgen (CAs, a server certificate, client certificates), a
//! recording SOAP upstream over plain HTTP or TLS (optionally asking for a client certificate),
//! a small `CONNECT` proxy that records what it tunnels, an OAuth 2.0 token endpoint, and the
//! bridge itself for a mapping written into a temporary folder (`tests/upstream/service.wsdl`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpServer};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use soapbridge::config::Config;
use soapbridge::convert::operation::ServicePlan;
use soapbridge::http::{State, configure};
use soapbridge::upstream::Target;

/// The answer the upstream gives to `GetItem`.
pub const ANSWER: &str = "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><GetItemResponse xmlns=\"urn:test\"><GetItemResult>found</GetItemResult></GetItemResponse></soap:Body></soap:Envelope>";

/// The fixture WSDL (one `GetItem` operation).
pub fn wsdl() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/upstream/service.wsdl")
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A certificate authority made for one test.
pub struct Ca {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

/// A certificate and its key, PEM.
pub struct Leaf {
    pub cert_pem: String,
    pub key_pem: String,
}

impl Ca {
    pub fn new(name: &str) -> Ca {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        let issuer = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
        Ca { issuer }
    }

    pub fn pem(&self) -> String {
        self.issuer.pem()
    }

    /// A leaf certificate for `names` (DNS names or IP addresses) signed by this CA.
    pub fn leaf(&self, names: &[&str], cn: &str) -> Leaf {
        let mut params =
            CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
                .unwrap();
        params.distinguished_name.push(DnType::CommonName, cn);
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        Leaf {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    }
}

impl Leaf {
    pub fn chain(&self) -> Vec<CertificateDer<'static>> {
        CertificateDer::pem_slice_iter(self.cert_pem.as_bytes())
            .collect::<Result<_, _>>()
            .unwrap()
    }

    pub fn key(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::from_pem_slice(self.key_pem.as_bytes()).unwrap()
    }
}

/// A TLS server configuration: `server`'s certificate; client certificates required and
/// checked against `clients` when given.
pub fn server_tls(server: &Leaf, clients: Option<&Ca>) -> Arc<rustls::ServerConfig> {
    let builder = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap();
    let builder = match clients {
        None => builder.with_no_client_auth(),
        Some(ca) => {
            let mut roots = rustls::RootCertStore::empty();
            roots.add(ca.issuer.der().clone()).unwrap();
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                roots.into(),
                provider(),
            )
            .build()
            .unwrap();
            builder.with_client_cert_verifier(verifier)
        }
    };
    Arc::new(
        builder
            .with_single_cert(server.chain(), server.key())
            .unwrap(),
    )
}

/// One request the upstream received.
#[derive(Debug, Clone, Default)]
pub struct Received {
    /// The SNI the client sent (TLS only).
    pub sni: Option<String>,
    /// Whether the client presented a certificate (TLS only).
    pub client_cert: bool,
    pub request_line: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A recording SOAP upstream; handshakes that fail record nothing.
pub struct Upstream {
    pub port: u16,
    pub received: Arc<Mutex<Vec<Received>>>,
    /// Answer with a 500 and no envelope while set.
    pub broken: Arc<AtomicBool>,
}

impl Upstream {
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

/// Starts the recording upstream, over TLS when `tls` is given.
pub fn start_upstream(tls: Option<Arc<rustls::ServerConfig>>) -> Upstream {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let broken = Arc::new(AtomicBool::new(false));
    let (rec, brk) = (received.clone(), broken.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (tls, rec, brk) = (tls.clone(), rec.clone(), brk.clone());
            std::thread::spawn(move || serve_one(stream, tls, &rec, &brk));
        }
    });
    Upstream {
        port,
        received,
        broken,
    }
}

fn serve_one(
    stream: TcpStream,
    tls: Option<Arc<rustls::ServerConfig>>,
    rec: &Mutex<Vec<Received>>,
    broken: &AtomicBool,
) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    match tls {
        None => exchange(stream, Received::default(), rec, broken),
        Some(config) => {
            let mut conn = rustls::ServerConnection::new(config).unwrap();
            let mut stream = stream;
            while conn.is_handshaking() {
                if conn.complete_io(&mut stream).is_err() {
                    return;
                }
            }
            let seen = Received {
                sni: conn.server_name().map(str::to_string),
                client_cert: conn.peer_certificates().is_some_and(|c| !c.is_empty()),
                ..Received::default()
            };
            exchange(rustls::StreamOwned::new(conn, stream), seen, rec, broken);
        }
    }
}

/// Reads one HTTP request, records it, answers and closes.
fn exchange<S: Read + Write>(
    stream: S,
    mut seen: Received,
    rec: &Mutex<Vec<Received>>,
    broken: &AtomicBool,
) {
    let mut reader = BufReader::new(stream);
    let Some((line, headers)) = read_head(&mut reader) else {
        return;
    };
    let len: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    seen.request_line = line;
    seen.headers = headers;
    seen.body = String::from_utf8_lossy(&body).into_owned();
    rec.lock().unwrap().push(seen);
    let (status, answer) = if broken.load(Ordering::SeqCst) {
        ("500 Internal Server Error", "<html>down</html>")
    } else {
        ("200 OK", ANSWER)
    };
    let stream = reader.get_mut();
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
        answer.len()
    );
    let _ = stream.flush();
}

/// A request line and its headers.
pub fn read_head<R: BufRead>(reader: &mut R) -> Option<(String, Vec<(String, String)>)> {
    let mut line = String::new();
    reader.read_line(&mut line).ok().filter(|n| *n > 0)?;
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok().filter(|n| *n > 0)?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (n, v) = h.split_once(':')?;
        headers.push((n.trim().to_string(), v.trim().to_string()));
    }
    Some((line.trim_end().to_string(), headers))
}

/// The tunnels a proxy opened: `host:port` and the `Proxy-Authorization` it got.
pub type Tunnels = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// A `CONNECT` proxy: what it was asked for, the `Proxy-Authorization` it got, the bytes it
/// relayed from the client (readable when the tunnelled traffic is plain HTTP).
pub struct ConnectProxy {
    pub port: u16,
    pub tunnels: Tunnels,
    pub relayed: Arc<Mutex<Vec<u8>>>,
}

/// Starts the proxy; with `require`, a tunnel whose `Proxy-Authorization` differs is refused
/// (407).
pub fn start_proxy(require: Option<&str>) -> ConnectProxy {
    let require = require.map(str::to_string);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let tunnels = Arc::new(Mutex::new(Vec::new()));
    let relayed = Arc::new(Mutex::new(Vec::new()));
    let (t, r) = (tunnels.clone(), relayed.clone());
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let (t, r, require) = (t.clone(), r.clone(), require.clone());
            std::thread::spawn(move || tunnel(client, &t, r, require.as_deref()));
        }
    });
    ConnectProxy {
        port,
        tunnels,
        relayed,
    }
}

fn tunnel(
    client: TcpStream,
    tunnels: &Mutex<Vec<(String, Option<String>)>>,
    relayed: Arc<Mutex<Vec<u8>>>,
    require: Option<&str>,
) {
    let _ = client.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(client);
    let Some((line, headers)) = read_head(&mut reader) else {
        return;
    };
    let target = line
        .strip_prefix("CONNECT ")
        .and_then(|r| r.split(' ').next())
        .unwrap_or("")
        .to_string();
    let auth = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("proxy-authorization"))
        .map(|(_, v)| v.clone());
    let refused = require.is_some_and(|r| auth.as_deref() != Some(r));
    tunnels.lock().unwrap().push((target.clone(), auth));
    let mut client = reader.into_inner();
    if refused {
        let _ = client
            .write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n");
        return;
    }
    let Ok(upstream) = TcpStream::connect(&target) else {
        let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n");
        return;
    };
    let _ = client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
    let (mut c_read, mut u_write) = (client.try_clone().unwrap(), upstream.try_clone().unwrap());
    let (mut u_read, mut c_write) = (upstream, client);
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = c_read.read(&mut buf) {
            if n == 0 || u_write.write_all(&buf[..n]).is_err() {
                break;
            }
            relayed.lock().unwrap().extend_from_slice(&buf[..n]);
        }
        let _ = u_write.shutdown(std::net::Shutdown::Write);
    });
    let _ = std::io::copy(&mut u_read, &mut c_write);
    let _ = c_write.shutdown(std::net::Shutdown::Both);
}

/// An OAuth 2.0 token endpoint (`POST /token`, client credentials, HTTP Basic client auth):
/// each token it gives is `tok-<n>`, valid `expires_in` seconds; it answers after `delay`.
pub struct TokenEndpoint {
    pub url: String,
    pub issued: Arc<AtomicUsize>,
    pub forms: Arc<Mutex<Vec<String>>>,
}

pub fn start_token_endpoint(
    client_id: &str,
    client_secret: &str,
    expires_in: u64,
    delay: Duration,
) -> TokenEndpoint {
    use base64::Engine;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{client_id}:{client_secret}"))
    );
    let issued = Arc::new(AtomicUsize::new(0));
    let forms = Arc::new(Mutex::new(Vec::new()));
    let (iss, frm) = (issued.clone(), forms.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (iss, frm, expected) = (iss.clone(), frm.clone(), expected.clone());
            std::thread::spawn(move || {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                let mut reader = BufReader::new(stream);
                let Some((_, headers)) = read_head(&mut reader) else {
                    return;
                };
                let get = |name: &str| {
                    headers
                        .iter()
                        .find(|(n, _)| n.eq_ignore_ascii_case(name))
                        .map(|(_, v)| v.clone())
                };
                let len: usize = get("content-length")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                let mut body = vec![0; len];
                let _ = reader.read_exact(&mut body);
                frm.lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(&body).into_owned());
                std::thread::sleep(delay);
                let form_ok =
                    String::from_utf8_lossy(&body).contains("grant_type=client_credentials");
                let (status, json) = if get("authorization").as_deref() == Some(expected.as_str())
                    && form_ok
                {
                    let n = iss.fetch_add(1, Ordering::SeqCst) + 1;
                    (
                        "200 OK",
                        format!(
                            r#"{{"access_token":"tok-{n}","token_type":"Bearer","expires_in":{expires_in}}}"#
                        ),
                    )
                } else {
                    (
                        "401 Unauthorized",
                        r#"{"error":"invalid_client"}"#.to_string(),
                    )
                };
                let stream = reader.get_mut();
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{json}",
                    json.len()
                );
            });
        }
    });
    TokenEndpoint {
        url: format!("http://127.0.0.1:{port}/token"),
        issued,
        forms,
    }
}

/// A temporary folder holding a mapping of the fixture WSDL with the given `upstream:` section
/// (indented two spaces under it), and any files written beside it.
pub struct Folder {
    pub dir: tempfile::TempDir,
}

impl Folder {
    pub fn new() -> Folder {
        Folder {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// `mapping.yaml` with this `upstream:` body.
    pub fn mapping(&self, upstream: &str) -> PathBuf {
        let text = format!(
            "wsdl: {}\nupstream:\n{}\noperations:\n  GetItem:\n    route: GET /items/{{id}}\n    request: {{ itemId: path.id }}\n    response: getItemResult\n",
            wsdl().display(),
            upstream
                .lines()
                .map(|l| format!("  {l}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
        self.write("mapping.yaml", &text)
    }
}

/// The mapping compiled (panics with its diagnostics).
pub fn plan(mapping: &Path) -> Arc<ServicePlan> {
    let compiled = soapbridge::mapping::compile_file(mapping).unwrap_or_else(|d| panic!("{d}"));
    Arc::new(ServicePlan::new(Arc::new(compiled)))
}

/// The bridge for one mapping on 127.0.0.1:0, its target resolved from the mapping as `serve`
/// does; returns its base URL.
pub fn start_bridge(service: Arc<ServicePlan>) -> String {
    let target = Target::resolve(&service.compiled.upstream)
        .unwrap_or_else(|e| panic!("{e}"))
        .expect("the mapping has an upstream URL");
    let state = Arc::new(State::new(
        Config::default(),
        vec![service],
        vec![Some(target)],
    ));
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = HttpServer::new(move || App::new().configure(configure(state.clone())))
        .workers(2)
        .disable_signals()
        .listen(listener)
        .unwrap()
        .run();
    actix_web::rt::spawn(server);
    format!("http://{addr}")
}

/// `GET /items/<id>` on the bridge: status and body.
pub async fn get_item(base: &str, id: &str) -> (u16, serde_json::Value) {
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(20))
        .finish();
    let mut resp = client
        .get(format!("{base}/items/{id}"))
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let bytes = resp.body().limit(1 << 20).await.unwrap();
    let v = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(&bytes).into()));
    (status, v)
}
