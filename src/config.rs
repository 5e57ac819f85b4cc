//! Server settings: defaults < `soapbridge.yaml` < environment (`SOAPBRIDGE_LISTEN`,
//! `SOAPBRIDGE_MAPPINGS`, `SOAPBRIDGE_MOCK`) < command line. Validated once at start-up.
//! `auth` holds the client authentication schemes' settings, `tls` the listener's.

pub mod auth;
pub mod tls;

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diag::Diagnostic;

pub use auth::AuthSettings;
pub use tls::TlsSettings;

/// `soapbridge.yaml`. Every key is optional; its default is written beside it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address to listen on. Default `127.0.0.1:8080`.
    pub listen: String,
    /// Folder of mapping files (`*.yaml`). Default `mappings`.
    pub mappings: PathBuf,
    /// Run the built-in mock, in-process, for every mapping whose upstream URL is absent
    /// (unset). Default `false`.
    pub mock: bool,
    /// HTTP worker threads; 0 = one per core. Default `0`.
    pub workers: usize,
    /// Seconds to let in-flight requests finish on shutdown. Default `30`.
    pub shutdown_timeout: u64,
    /// Seconds between a SIGINT/SIGTERM and closing the listener, while readiness fails and
    /// new requests get 503 with `Connection: close` (so load balancers notice). Default `0`.
    pub drain_delay: u64,
    /// `reload:`: reloading on SIGHUP and on changed files.
    pub reload: Reload,
    /// `limits:`, each with its default below.
    pub limits: Limits,
    /// `auth:`: client authentication schemes, named by the mappings. Default: none.
    pub auth: AuthSettings,
    /// `tls:`: HTTPS on the listener. Default: none (plain HTTP).
    pub tls: TlsSettings,
    /// The settings file read, for messages (relative paths in it are read from the working
    /// directory). Default: `soapbridge.yaml`.
    #[serde(skip)]
    pub file: PathBuf,
    /// `rate_limits:`: token buckets per client and per route. Default: none.
    pub rate_limits: crate::traffic::settings::RateLimits,
    /// `upstreams:`: in-flight cap, queue, circuit breaker and retries per upstream.
    pub upstreams: crate::traffic::settings::Upstreams,
    /// `cache:`: answers of idempotent GET routes. Off by default.
    pub cache: crate::traffic::settings::Cache,
    /// Count the series of `/metrics` (and serve it). Default `true`.
    pub metrics: bool,
    /// `log:`: the log's format and the access log.
    pub log: LogSettings,
    /// `tracing:`: OpenTelemetry export (off by default).
    pub tracing: TracingSettings,
    /// `readiness:`: what `/readyz` fails on besides loading and drain.
    pub readiness: ReadinessSettings,
}

/// `reload:`. SIGHUP always reloads.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Reload {
    /// Reload when a file in the mappings folder, a WSDL/XSD folder they use, or this settings
    /// file changes. Default `true`.
    pub watch: bool,
    /// Quiet time after the last change before reloading, milliseconds. Default `500`.
    pub debounce_ms: u64,
}

impl Default for Reload {
    fn default() -> Self {
        Reload {
            watch: true,
            debounce_ms: 500,
        }
    }
}

/// `log:`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogSettings {
    /// `text` (one human line per event) or `json` (one JSON object per line). Default `text`.
    pub format: LogFormat,
    /// Whether one line per request is written (target `soapbridge::access`). Default `true`.
    pub access_log: bool,
    /// The share of requests answered below 500 whose access line is written, 0.0 to 1.0
    /// (answers of 500 and more are always written). Default `1.0`.
    pub access_sample: f64,
}

impl Default for LogSettings {
    fn default() -> Self {
        LogSettings {
            format: LogFormat::Text,
            access_log: true,
            access_sample: 1.0,
        }
    }
}

/// The log's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human text, coloured only on a terminal.
    Text,
    /// One JSON object per line.
    Json,
}

/// `tracing:`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TracingSettings {
    /// OTLP/HTTP traces endpoint (e.g. `http://collector:4318/v1/traces`); empty = no export.
    /// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` overrides it. Default empty.
    pub otlp_endpoint: String,
    /// The `service.name` resource attribute. Default `soapbridge`.
    pub service_name: Option<String>,
}

/// `readiness:`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReadinessSettings {
    /// `/readyz` fails while an upstream's circuit is open. Default `false` (an open circuit
    /// is shown in the detail only: when every replica shares the upstream, taking them all
    /// out of the load balancer helps nobody).
    pub fail_on_open_circuit: bool,
}

/// `limits:` (DESIGN.md's defaults).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest request body, bytes (413 beyond). Default `262144` (256 KiB).
    pub body_bytes: usize,
    /// Deepest JSON nesting accepted. Default `32`.
    pub json_depth: usize,
    /// Largest upstream answer, bytes, counted while reading (502 beyond). Default `4194304`.
    pub answer_bytes: usize,
    /// Deepest XML nesting in an answer. Default `100`.
    pub xml_depth: usize,
    /// Most attributes on one element of an answer (namespace declarations included). Default
    /// `500`.
    pub xml_attributes: usize,
    /// Most XML nodes in an answer. Default `200000`.
    pub xml_nodes: u32,
    /// Longest element or attribute name (its local part) in an answer, bytes. Default `1024`.
    pub xml_name_bytes: usize,
    /// Largest WSDL or XSD document loaded, bytes (refused before it is read). Default
    /// `33554432` (32 MiB).
    pub document_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            body_bytes: 256 * 1024,
            json_depth: 32,
            answer_bytes: 4 * 1024 * 1024,
            xml_depth: 100,
            xml_attributes: 500,
            xml_nodes: 200_000,
            xml_name_bytes: 1024,
            document_bytes: crate::sources::DEFAULT_MAX_DOCUMENT_BYTES,
        }
    }
}

impl Limits {
    /// The limits an upstream answer is parsed under.
    pub fn xml(&self) -> crate::soap::XmlLimits {
        crate::soap::XmlLimits {
            depth: self.xml_depth,
            attributes: self.xml_attributes,
            nodes: self.xml_nodes,
            name_len: self.xml_name_bytes,
            bytes: self.answer_bytes,
            ..Default::default()
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".into(),
            mappings: "mappings".into(),
            mock: false,
            workers: 0,
            shutdown_timeout: 30,
            drain_delay: 0,
            reload: Reload::default(),
            limits: Limits::default(),
            auth: AuthSettings::default(),
            tls: TlsSettings::default(),
            file: PathBuf::from("soapbridge.yaml"),
            rate_limits: Default::default(),
            upstreams: Default::default(),
            cache: Default::default(),
            metrics: true,
            log: LogSettings::default(),
            tracing: TracingSettings::default(),
            readiness: ReadinessSettings::default(),
        }
    }
}

/// Where the settings come from (the file, then the command line's overrides), kept so that a
/// reload reads them the same way.
#[derive(Debug, Clone, Default)]
pub struct Source {
    /// `--config`; `None` reads `./soapbridge.yaml` when it exists.
    pub file: Option<PathBuf>,
    /// `--listen`.
    pub listen: Option<String>,
    /// `--mappings`.
    pub mappings: Option<PathBuf>,
    /// `--mock`.
    pub mock: bool,
    /// `--max-document-bytes`.
    pub max_document_bytes: Option<u64>,
}

impl Source {
    /// The settings: defaults < file < environment < command line.
    pub fn load(&self) -> Result<Config, Diagnostic> {
        let mut config = Config::load(self.file.as_deref())?;
        if let Some(l) = &self.listen {
            config.listen = l.clone();
        }
        if let Some(m) = &self.mappings {
            config.mappings = m.clone();
        }
        config.mock |= self.mock;
        if let Some(n) = self.max_document_bytes {
            config.limits.document_bytes = n;
        }
        Ok(config)
    }

    /// The settings file a change of which triggers a reload.
    pub fn file(&self) -> PathBuf {
        self.file
            .clone()
            .unwrap_or_else(|| PathBuf::from("soapbridge.yaml"))
    }
}

impl Config {
    /// Reads the file when it exists (an explicitly named file must exist), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Config, Diagnostic> {
        let (path, required) = match file {
            Some(p) => (p.to_path_buf(), true),
            None => (PathBuf::from("soapbridge.yaml"), false),
        };
        let mut c = match std::fs::read_to_string(&path) {
            Ok(text) => serde_saphyr::from_str::<Config>(&text).map_err(|e| {
                let (line, col) = e
                    .location()
                    .map_or((0, 0), |l| (l.line() as u32, l.column() as u32));
                let msg = e.to_string();
                let msg = msg.lines().next().unwrap_or("");
                let msg = msg
                    .strip_prefix("error: line ")
                    .and_then(|r| r.split_once(": "))
                    .map_or(msg, |(_, m)| m);
                Diagnostic::new(&path, line, col, msg.to_string())
                    .hint("every key of soapbridge.yaml is documented in the README")
            })?,
            Err(_) if !required => Config::default(),
            Err(e) => {
                return Err(Diagnostic::new(
                    &path,
                    0,
                    0,
                    format!("cannot read the settings: {e}"),
                ));
            }
        };
        c.file = path.clone();
        if let Ok(v) = std::env::var("SOAPBRIDGE_LISTEN") {
            c.listen = v;
        }
        if let Ok(v) = std::env::var("SOAPBRIDGE_MAPPINGS") {
            c.mappings = v.into();
        }
        if let Ok(v) = std::env::var("SOAPBRIDGE_MOCK") {
            c.mock = matches!(v.as_str(), "1" | "true" | "yes");
        }
        if let Ok(v) = std::env::var("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") {
            c.tracing.otlp_endpoint = v;
        }
        if !(0.0..=1.0).contains(&c.log.access_sample) {
            return Err(Diagnostic::new(
                &path,
                0,
                0,
                "log.access_sample must be between 0.0 and 1.0",
            ));
        }
        if c.limits.body_bytes == 0
            || c.limits.answer_bytes == 0
            || c.limits.json_depth == 0
            || c.limits.document_bytes == 0
        {
            return Err(Diagnostic::new(
                &path,
                0,
                0,
                "limits must be greater than zero",
            ));
        }
        c.check_traffic(&path)?;
        Ok(c)
    }

    /// The traffic settings make sense: addresses, non-zero quotas.
    fn check_traffic(&self, path: &Path) -> Result<(), Diagnostic> {
        let bad = |msg: String| {
            Diagnostic::new(path, 0, 0, msg)
                .hint("every key of soapbridge.yaml is documented in the README")
        };
        crate::traffic::TrustedProxies::parse(&self.rate_limits.trusted_proxies)
            .map_err(|e| bad(format!("rate_limits.trusted_proxies: {e}")))?;
        let quotas = self
            .rate_limits
            .per_client
            .iter()
            .map(|q| ("per_client", q));
        let routes = self.rate_limits.routes.iter().map(|(r, q)| (r.as_str(), q));
        for (name, q) in quotas.chain(routes) {
            if q.requests == 0 || q.per_seconds == 0 || q.burst == Some(0) {
                return Err(bad(format!(
                    "rate_limits `{name}`: requests, per_seconds and burst must be greater than zero"
                )));
            }
        }
        Ok(())
    }
}
