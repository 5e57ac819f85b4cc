//! `soapbridge fetch URL [-o DIR]`: the one command that uses the network, and only when it is
//! run. Downloads a WSDL (e.g. `http://host/Service.svc?wsdl`) and every document it imports or
//! includes, recursively; writes each unchanged under a readable local name
//! ([`local_name`]) and `catalog.txt`, mapping every location the documents name to its local
//! copy ([`catalog_text`]), so that `generate DIR/NAME.wsdl --catalog DIR/catalog.txt` works
//! offline. Bounded: documents, bytes per document and in all, redirects per document and the
//! time of the whole fetch; http and https only. Exit status 0 all fetched; 1 the WSDL was
//! fetched but a document it names was not (each problem said, what was fetched written);
//! 2 the WSDL itself could not be fetched, or the folder not written.

use std::collections::{HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use url::Url;

use crate::sources::DEFAULT_MAX_DOCUMENT_BYTES;
use crate::sources::remote::{DocumentKind, RemoteError, catalog_text, local_name, references};
use crate::upstream::{Auth, Target};

/// `fetch` options.
#[derive(Debug, clap::Args)]
pub struct FetchArgs {
    /// The WSDL's URL, http or https (e.g. http://host/Service.svc?wsdl).
    pub url: String,
    /// The folder to write into (default: wsdl/NAME/, NAME from the URL).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Write into a folder that already holds files (files of the same names are replaced).
    #[arg(long)]
    pub force: bool,
    /// The most documents fetched, the WSDL included.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_documents: u64,
    /// The largest document fetched, bytes (default 32 MiB).
    #[arg(long, default_value_t = DEFAULT_MAX_DOCUMENT_BYTES, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_document_bytes: u64,
    /// The most bytes fetched in all (default 128 MiB).
    #[arg(long, default_value_t = 128 << 20, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_total_bytes: u64,
    /// The most redirects followed for one document.
    #[arg(long, default_value_t = 5)]
    pub max_redirects: u32,
    /// The longest the whole fetch may take, seconds.
    #[arg(long, default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: u64,
}

/// Why a document was not fetched.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// Is raised when a location is not a URL, or not one relative to its document.
    #[error("`{0}` is not a URL: {1}")]
    BadUrl(String, url::ParseError),
    /// Is raised when a URL (or a redirect's target) is not http or https.
    #[error("`{0}` is not an http or https URL")]
    Scheme(String),
    /// Is raised when the request fails: no connection, TLS, a broken answer.
    #[error("cannot fetch {0}: {1}")]
    Request(String, String),
    /// Is raised when the server answers with a status other than 2xx (or a followed 3xx).
    #[error("{0} answered HTTP {1}")]
    Status(String, u16),
    /// Is raised when a redirect has no Location, or one that is not a URL.
    #[error("{0} redirects without a usable Location")]
    BadRedirect(String),
    /// Is raised when a document redirects more often than `--max-redirects`.
    #[error("{0} redirects more than {1} times")]
    TooManyRedirects(String, u32),
    /// Is raised when a redirect leads back to a URL of the same chain.
    #[error("{0} redirects in a loop (back to {1})")]
    RedirectLoop(String, String),
    /// Is raised when a document is larger than `--max-document-bytes` (said by its
    /// Content-Length before it is read, or found while reading, which then stops).
    #[error("{0} is larger than the limit of {1} bytes per document")]
    TooLarge(String, u64),
    /// Is raised when the documents together pass `--max-total-bytes`.
    #[error("the documents pass the limit of {0} bytes in all (at {1})")]
    TotalTooLarge(u64, String),
    /// Is raised when the documents named pass `--max-documents`.
    #[error("more than {0} documents are named (at {1})")]
    TooManyDocuments(u64, String),
    /// Is raised when the whole fetch takes longer than `--timeout`.
    #[error("the fetch took longer than {0} s")]
    Timeout(u64),
    /// Is raised when a fetched document cannot be read for its references.
    #[error("{0}: {1}")]
    Document(String, RemoteError),
    /// Is raised when one location, written alike in two documents, names two documents.
    #[error("`{0}` names both {1} and {2}; the catalog maps it to the first")]
    Ambiguous(String, String, String),
}

impl FetchError {
    /// Whether the fetch stops here (a limit of the whole fetch), rather than going on with the
    /// other documents.
    fn stops(&self) -> bool {
        matches!(
            self,
            FetchError::TotalTooLarge(..)
                | FetchError::TooManyDocuments(..)
                | FetchError::Timeout(_)
        )
    }
}

/// One fetched document.
struct Fetched {
    /// The URL it was asked for, and the one it came from after redirects (its base).
    url: Url,
    file: String,
    bytes: Vec<u8>,
}

/// The fetch's limits.
struct Limits {
    documents: u64,
    document_bytes: u64,
    total_bytes: u64,
    redirects: u32,
    deadline: Instant,
    seconds: u64,
}

/// What the fetch found: the documents, the catalog lines, and each problem with the document
/// that named the one it concerns.
#[derive(Default)]
struct Outcome {
    documents: Vec<Fetched>,
    catalog: Vec<(String, String)>,
    problems: Vec<(FetchError, Option<Url>)>,
}

pub(super) fn run(args: FetchArgs) -> anyhow::Result<bool> {
    let entry = parse_http(&args.url, None)?;
    let out = args
        .output
        .clone()
        .unwrap_or_else(|| default_folder(&entry));
    if !args.force && std::fs::read_dir(&out).is_ok_and(|mut d| d.next().is_some()) {
        bail!(
            "{} already holds files; fetch into a new folder (-o DIR), or pass --force to replace files of the same names",
            out.display()
        );
    }
    let limits = Limits {
        documents: args.max_documents,
        document_bytes: args.max_document_bytes,
        total_bytes: args.max_total_bytes,
        redirects: args.max_redirects,
        deadline: Instant::now() + Duration::from_secs(args.timeout),
        seconds: args.timeout,
    };
    let outcome = actix_web::rt::System::new().block_on(fetch_all(entry.clone(), &limits));
    if outcome.documents.is_empty() {
        let mut problems = outcome.problems.into_iter().map(|(p, _)| p.to_string());
        bail!("{}", problems.next().unwrap_or_default());
    }
    write(&out, &entry, &outcome)?;
    report(&entry, &out, &outcome);
    Ok(outcome.problems.is_empty())
}

/// `wsdl/NAME/`, NAME from the URL (`http://host/Service.svc?wsdl` -> `wsdl/Service/`).
fn default_folder(entry: &Url) -> PathBuf {
    let name = local_name(entry, DocumentKind::Wsdl, &HashSet::new());
    PathBuf::from("wsdl").join(name.trim_end_matches(".wsdl"))
}

/// Parses a URL (relative to `base` when given), http or https only.
fn parse_http(text: &str, base: Option<&Url>) -> Result<Url, FetchError> {
    let url = match base {
        Some(b) => b.join(text),
        None => Url::parse(text),
    }
    .map_err(|e| FetchError::BadUrl(text.to_string(), e))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(FetchError::Scheme(url.to_string()));
    }
    Ok(url)
}

/// Fetches the entry and everything it names, breadth first, each URL once, within the limits.
/// The catalog maps every location as written (and the entry's URL) to the local file of the
/// document it names.
async fn fetch_all(entry: Url, limits: &Limits) -> Outcome {
    // The deadline of the whole fetch is kept around each document (below); the client's own
    // timeouts are only a backstop past it.
    let total = Duration::from_secs(limits.seconds);
    let connect = total.min(Duration::from_secs(10));
    let backstop = total + Duration::from_secs(5);
    let client = Target::new(entry.to_string(), Auth::None, backstop, connect).client();
    let mut out = Outcome::default();
    let mut taken = HashSet::new();
    let mut queued: HashSet<Url> = HashSet::from([entry.clone()]);
    let mut queue: VecDeque<(Url, Option<Url>)> = VecDeque::from([(entry.clone(), None)]);
    let mut fetched_bytes = 0u64;
    // Each location as written and the document it names (the entry: its URL).
    let mut named: Vec<(String, Url)> = vec![(entry.to_string(), entry)];
    while let Some((url, parent)) = queue.pop_front() {
        let remaining = limits.total_bytes.saturating_sub(fetched_bytes);
        let got = match limits.deadline.checked_duration_since(Instant::now()) {
            None => Err(FetchError::Timeout(limits.seconds)),
            Some(left) => {
                actix_web::rt::time::timeout(left, fetch_one(&client, &url, limits, remaining))
                    .await
                    .unwrap_or(Err(FetchError::Timeout(limits.seconds)))
            }
        };
        let (base, bytes) = match got {
            Ok(got) => got,
            Err(e) => {
                let stops = e.stops();
                out.problems.push((e, parent));
                if stops {
                    break;
                }
                continue;
            }
        };
        fetched_bytes += bytes.len() as u64;
        let referencing = match references(&bytes) {
            Ok(r) => r,
            Err(e) => {
                out.problems
                    .push((FetchError::Document(url.to_string(), e), parent));
                continue;
            }
        };
        let file = local_name(&url, referencing.kind, &taken);
        taken.insert(file.clone());
        for location in referencing.locations {
            let target = match parse_http(&location, Some(&base)) {
                Ok(t) => t,
                Err(e) => {
                    out.problems.push((e, Some(url.clone())));
                    continue;
                }
            };
            if let Some((_, first)) = named.iter().find(|(l, _)| *l == location) {
                if *first != target {
                    let e = FetchError::Ambiguous(location, first.to_string(), target.to_string());
                    out.problems.push((e, Some(url.clone())));
                }
                continue;
            }
            named.push((location, target.clone()));
            if queued.contains(&target) {
                continue;
            }
            if queued.len() as u64 >= limits.documents {
                let e = FetchError::TooManyDocuments(limits.documents, target.to_string());
                out.problems.push((e, Some(url.clone())));
                queue.clear();
                break;
            }
            queued.insert(target.clone());
            queue.push_back((target, Some(url.clone())));
        }
        out.documents.push(Fetched { url, file, bytes });
    }
    for (location, target) in named {
        if let Some(d) = out.documents.iter().find(|d| d.url == target) {
            out.catalog.push((location, d.file.clone()));
        }
    }
    out
}

/// One document: its final URL (after redirects) and its bytes, within the limits.
async fn fetch_one(
    client: &awc::Client,
    url: &Url,
    limits: &Limits,
    remaining_total: u64,
) -> Result<(Url, Vec<u8>), FetchError> {
    let mut current = url.clone();
    let mut chain = vec![current.clone()];
    loop {
        let mut res = client
            .get(current.as_str())
            .insert_header(("Accept", "application/xml, text/xml, */*"))
            .send()
            .await
            .map_err(|e| FetchError::Request(current.to_string(), e.to_string()))?;
        let status = res.status();
        if status.is_redirection() {
            let next = res
                .headers()
                .get(awc::http::header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .and_then(|l| current.join(l).ok())
                .ok_or_else(|| FetchError::BadRedirect(current.to_string()))?;
            if !matches!(next.scheme(), "http" | "https") {
                return Err(FetchError::Scheme(next.to_string()));
            }
            if chain.contains(&next) {
                return Err(FetchError::RedirectLoop(url.to_string(), next.to_string()));
            }
            if chain.len() as u32 > limits.redirects {
                return Err(FetchError::TooManyRedirects(
                    url.to_string(),
                    limits.redirects,
                ));
            }
            chain.push(next.clone());
            current = next;
            continue;
        }
        if !status.is_success() {
            return Err(FetchError::Status(current.to_string(), status.as_u16()));
        }
        let limit = limits.document_bytes.min(remaining_total);
        let over = |current: &Url| {
            if limits.document_bytes <= remaining_total {
                FetchError::TooLarge(current.to_string(), limits.document_bytes)
            } else {
                FetchError::TotalTooLarge(limits.total_bytes, current.to_string())
            }
        };
        let declared = res
            .headers()
            .get(awc::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit) {
            return Err(over(&current));
        }
        let body = res
            .body()
            .limit(usize::try_from(limit).unwrap_or(usize::MAX))
            .await;
        return match body {
            Ok(bytes) => Ok((current, bytes.to_vec())),
            Err(awc::error::PayloadError::Overflow) => Err(over(&current)),
            Err(e) => Err(FetchError::Request(current.to_string(), e.to_string())),
        };
    }
}

/// Writes the documents, unchanged, and `catalog.txt` into `out`.
fn write(out: &Path, entry: &Url, outcome: &Outcome) -> anyhow::Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    for d in &outcome.documents {
        let path = out.join(&d.file);
        std::fs::write(&path, &d.bytes)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    let path = out.join(CATALOG);
    std::fs::write(&path, catalog_text(entry, &outcome.catalog))
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// The catalog's file name in the output folder.
const CATALOG: &str = "catalog.txt";

/// What was fetched (standard output), each problem (standard error), and the next command.
fn report(entry: &Url, out: &Path, outcome: &Outcome) {
    let bytes: usize = outcome.documents.iter().map(|d| d.bytes.len()).sum();
    println!(
        "fetched {} document{} ({bytes} bytes) from {entry} into {}/",
        outcome.documents.len(),
        if outcome.documents.len() == 1 {
            ""
        } else {
            "s"
        },
        out.display()
    );
    for d in &outcome.documents {
        println!("  {:<32} {:>9} bytes  {}", d.file, d.bytes.len(), d.url);
    }
    println!("  {CATALOG:<32} {:>9} locations", outcome.catalog.len());
    for (problem, from) in &outcome.problems {
        match from {
            Some(from) => eprintln!("error: {problem} (named by {from})"),
            None => eprintln!("error: {problem}"),
        }
    }
    if !outcome.problems.is_empty() {
        eprintln!(
            "  hint: the documents fetched are written; fix the service or raise the limit (see `soapbridge fetch --help`) and fetch again"
        );
    }
    let first = &outcome.documents[0].file;
    println!(
        "next: soapbridge generate {} --catalog {}",
        out.join(first).display(),
        out.join(CATALOG).display()
    );
}
