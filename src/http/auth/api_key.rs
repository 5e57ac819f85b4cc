//! API keys: where a request carries one (a header or a query parameter), and the stored
//! hashes it is checked against (`ID HASH [SCOPE ...]` lines from a file or the environment).
//! The SHA-256 of the presented key picks its candidates by its first 8 bytes (a digest tells
//! nothing of the stored keys), whose hashes are then compared in constant time; argon2 hashes
//! are verified by the argon2 crate. A key is never stored, logged or kept in clear: only its id.

use std::collections::HashMap;
use std::path::Path;

use actix_web::HttpRequest;
use actix_web::http::header::HeaderName;
use argon2::{Argon2, PasswordVerifier};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::settings::{located, unreadable_hint};
use crate::config::auth::ApiKeyScheme;
use crate::diag::Diagnostic;

/// One stored key.
#[derive(Debug)]
struct Entry {
    id: String,
    hash: Hash,
    scopes: Vec<String>,
}

#[derive(Debug)]
enum Hash {
    Sha256([u8; 32]),
    /// An argon2 PHC string.
    Argon2(String),
}

/// Where the key travels.
#[derive(Debug, Clone)]
pub(crate) enum Place {
    Header(HeaderName),
    Query(String),
}

/// An API key scheme, loaded.
#[derive(Debug)]
pub(crate) struct ApiKeys {
    pub(crate) place: Place,
    entries: Vec<Entry>,
    /// The SHA-256 entries by the first 8 bytes of their hash.
    by_prefix: HashMap<u64, Vec<usize>>,
}

/// A key that matched: its id and scopes.
pub(crate) struct Matched<'a> {
    pub(crate) id: &'a str,
    pub(crate) scopes: &'a [String],
}

impl ApiKeys {
    /// Reads the scheme's keys; every problem of the settings and of the keys file is reported
    /// (a key file's problems at its own lines).
    pub(crate) fn load(config: &Path, s: &ApiKeyScheme) -> Result<ApiKeys, Vec<Diagnostic>> {
        let mut diags = Vec::new();
        let place = match (&s.header, &s.query) {
            (Some(h), Some(_)) => {
                diags.push(
                    located(
                        config,
                        h,
                        "an API key travels in a header or a query parameter, not both",
                    )
                    .hint("keep `header:` or `query:`"),
                );
                Place::Query(String::new())
            }
            (Some(h), None) => match HeaderName::from_bytes(h.value.as_bytes()) {
                Ok(n) => Place::Header(n),
                Err(_) => {
                    diags.push(located(
                        config,
                        h,
                        format!("`{}` is not a header name", h.value),
                    ));
                    Place::Query(String::new())
                }
            },
            (None, Some(q)) if !q.value.is_empty() => Place::Query(q.value.clone()),
            (None, Some(q)) => {
                diags.push(located(config, q, "the query parameter needs a name"));
                Place::Query(String::new())
            }
            (None, None) => Place::Header(HeaderName::from_static("x-api-key")),
        };
        let entries = match (&s.keys_file, &s.keys_env) {
            (Some(f), None) => match std::fs::read_to_string(&f.value) {
                Ok(text) => parse(&text, &mut |line, col, msg: String, hint: &str| {
                    diags.push(Diagnostic::new(&f.value, line, col, msg).hint(hint))
                }),
                Err(e) => {
                    diags.push(
                        located(
                            config,
                            f,
                            format!("cannot read the keys file `{}`: {e}", f.value.display()),
                        )
                        .hint(unreadable_hint(&f.value)),
                    );
                    Vec::new()
                }
            },
            (None, Some(v)) => match std::env::var(&v.value) {
                Ok(text) => parse(
                    &text.replace(';', "\n"),
                    &mut |line, _, msg: String, hint: &str| {
                        diags.push(
                            located(config, v, format!("`{}`, entry {line}: {msg}", v.value))
                                .hint(hint),
                        )
                    },
                ),
                Err(_) => {
                    diags.push(
                        located(
                            config,
                            v,
                            format!("environment variable `{}` is not set", v.value),
                        )
                        .hint("set it to `ID sha256:HEX` entries, separated by `;` or new lines"),
                    );
                    Vec::new()
                }
            },
            (Some(f), Some(_)) => {
                diags.push(located(
                    config,
                    f,
                    "the keys come from `keys_file` or `keys_env`, not both",
                ));
                Vec::new()
            }
            (None, None) => {
                diags.push(
                    Diagnostic::new(
                        config,
                        0,
                        0,
                        "an `api_key` scheme needs `keys_file` or `keys_env`",
                    )
                    .hint("e.g. `keys_file: /run/secrets/api-keys` holding `ID sha256:HEX` lines"),
                );
                Vec::new()
            }
        };
        if diags.is_empty() && entries.is_empty() {
            let at = s
                .keys_file
                .as_ref()
                .map(|f| located(config, f, "the keys file holds no key"));
            diags.push(
                at.unwrap_or_else(|| {
                    Diagnostic::new(config, 0, 0, "the keys variable holds no key")
                })
                .hint("add `ID sha256:HEX` lines"),
            );
        }
        if diags.is_empty() {
            let mut by_prefix: HashMap<u64, Vec<usize>> = HashMap::new();
            for (i, e) in entries.iter().enumerate() {
                if let Hash::Sha256(h) = &e.hash {
                    by_prefix.entry(prefix(h)).or_default().push(i);
                }
            }
            Ok(ApiKeys {
                place,
                entries,
                by_prefix,
            })
        } else {
            Err(diags)
        }
    }

    /// The key the request carries, if any (the first value).
    pub(crate) fn presented(&self, req: &HttpRequest) -> Option<String> {
        match &self.place {
            Place::Header(h) => req
                .headers()
                .get(h)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.trim().to_string()),
            Place::Query(q) => form_urlencoded::parse(req.query_string().as_bytes())
                .find(|(k, _)| k == q)
                .map(|(_, v)| v.into_owned()),
        }
        .filter(|k| !k.is_empty())
    }

    /// Whether any stored key needs the slow (argon2) check.
    pub(crate) fn has_slow_hashes(&self) -> bool {
        self.entries
            .iter()
            .any(|e| matches!(e.hash, Hash::Argon2(_)))
    }

    /// The SHA-256 entry matching `key`: the candidates its digest picks, each compared in
    /// constant time.
    pub(crate) fn check_fast(&self, key: &str) -> Option<Matched<'_>> {
        let digest: [u8; 32] = Sha256::digest(key.as_bytes()).into();
        let mut found = None;
        for &i in self.by_prefix.get(&prefix(&digest))?.iter() {
            let e = &self.entries[i];
            if let Hash::Sha256(h) = &e.hash
                && bool::from(h.ct_eq(&digest))
                && found.is_none()
            {
                found = Some(e);
            }
        }
        found.map(Entry::matched)
    }

    /// The argon2 entry matching `key` (slow by design: run it off the request thread).
    pub(crate) fn check_slow(&self, key: &str) -> Option<Matched<'_>> {
        let argon = Argon2::default();
        self.entries
            .iter()
            .find(|e| match &e.hash {
                Hash::Argon2(phc) => argon.verify_password(key.as_bytes(), phc.as_str()).is_ok(),
                Hash::Sha256(_) => false,
            })
            .map(Entry::matched)
    }
}

/// The first 8 bytes of a digest.
fn prefix(d: &[u8; 32]) -> u64 {
    u64::from_le_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
}

impl Entry {
    fn matched(&self) -> Matched<'_> {
        Matched {
            id: &self.id,
            scopes: &self.scopes,
        }
    }
}

/// `ID HASH [SCOPE ...]` lines (`#` comments, blank lines skipped); `report(line, col, message,
/// hint)` gets every problem.
fn parse(text: &str, report: &mut dyn FnMut(u32, u32, String, &str)) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = (n + 1) as u32;
        let t = raw.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let mut words = t.split_whitespace();
        let id = words.next().unwrap_or("");
        let col = (raw.len() - raw.trim_start().len() + 1) as u32;
        let Some(hash) = words.next() else {
            report(
                line,
                col,
                format!("key `{id}` has no hash: is this a key in clear text?"),
                "write `ID sha256:HEX`, the key's SHA-256 (`printf %s \"$KEY\" | sha256sum`), never the key itself",
            );
            continue;
        };
        if !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.@".contains(c))
        {
            report(
                line,
                col,
                format!("`{id}` is not a key id"),
                "a key id is letters, digits, `-`, `_`, `.` or `@`; it is what the logs show",
            );
            continue;
        }
        let hash_col = col
            + raw.trim_start()[id.len()..]
                .find(hash)
                .map_or(0, |i| i + id.len()) as u32;
        let parsed = if let Some(hex) = hash.strip_prefix("sha256:") {
            let mut d = [0u8; 32];
            hex::decode_to_slice(hex, &mut d)
                .ok()
                .map(|()| Hash::Sha256(d))
        } else if hash.starts_with("$argon2") {
            argon2::password_hash::phc::PasswordHash::new(hash)
                .ok()
                .map(|_| Hash::Argon2(hash.to_string()))
        } else {
            None
        };
        let Some(hash) = parsed else {
            report(
                line,
                hash_col,
                format!(
                    "the hash of key `{id}` is neither `sha256:` and 64 hex digits nor an argon2 PHC string: is this a key in clear text?"
                ),
                "store `sha256:` and the key's SHA-256 (`printf %s \"$KEY\" | sha256sum`), or an argon2 hash; never the key itself",
            );
            continue;
        };
        if out.iter().any(|e| e.id == id) {
            report(
                line,
                col,
                format!("key id `{id}` is used twice"),
                "give each key an id of its own",
            );
            continue;
        }
        out.push(Entry {
            id: id.to_string(),
            hash,
            scopes: words.map(str::to_string).collect(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn lines_with_hashes_only() {
        let mut problems = Vec::new();
        let text = "# partners\npartner-a sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 crm.read\n\n  leaked s3cr3t-key\nbare\n";
        let entries = parse(text, &mut |l, c, m, _| {
            problems.push(format!("{l}:{c}: {m}"))
        });
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].id, "partner-a");
        assert_eq!(entries[0].scopes, ["crm.read"]);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems[0].starts_with("4:10: the hash of key `leaked`"),
            "{problems:?}"
        );
        assert!(
            problems[1].starts_with("5:1: key `bare` has no hash"),
            "{problems:?}"
        );
    }
}
