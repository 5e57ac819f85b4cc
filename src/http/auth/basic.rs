//! HTTP Basic against an htpasswd file: `user:hash` lines, bcrypt (`$2y$`, `$2b$`, `$2a$`) or
//! argon2 (`$argon2id$...`). Other htpasswd formats (MD5 `$apr1$`, `{SHA}`, crypt, plain) are
//! refused when the file is read. An unknown user costs a hash check too, so timing does not
//! tell which users exist.

use std::collections::HashMap;
use std::path::Path;
use std::sync::LazyLock;

use actix_web::HttpRequest;
use argon2::{Argon2, PasswordVerifier};
use base64::Engine;

use super::settings::{located, unreadable_hint};
use crate::config::auth::BasicScheme;
use crate::diag::Diagnostic;

/// A bcrypt hash no user has, checked for unknown users (made once, at the first one).
static DECOY: LazyLock<String> =
    LazyLock::new(|| bcrypt::hash("no user has this", 10).unwrap_or_default());

#[derive(Debug)]
enum Hash {
    Bcrypt(String),
    Argon2(String),
}

/// A Basic scheme, loaded.
#[derive(Debug)]
pub(crate) struct Htpasswd {
    pub(crate) realm: String,
    users: HashMap<String, Hash>,
}

impl Htpasswd {
    /// Reads the htpasswd file; every problem at its line.
    pub(crate) fn load(config: &Path, s: &BasicScheme) -> Result<Htpasswd, Vec<Diagnostic>> {
        let path = &s.htpasswd.value;
        let text = std::fs::read_to_string(path).map_err(|e| {
            vec![
                located(
                    config,
                    &s.htpasswd,
                    format!("cannot read the htpasswd file `{}`: {e}", path.display()),
                )
                .hint(unreadable_hint(path)),
            ]
        })?;
        let mut diags = Vec::new();
        let mut users = HashMap::new();
        for (n, raw) in text.lines().enumerate() {
            let line = (n + 1) as u32;
            let t = raw.trim();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            let d = |col: usize, msg: String| Diagnostic::new(path, line, col as u32, msg);
            let Some((user, hash)) = t.split_once(':') else {
                diags.push(
                    d(1, "a line is `user:hash`".into())
                        .hint("create entries with `htpasswd -B FILE USER`"),
                );
                continue;
            };
            let col = user.len() + 2;
            let hash = if ["$2y$", "$2b$", "$2a$"].iter().any(|p| hash.starts_with(p))
                && hash.len() == 60
            {
                Hash::Bcrypt(hash.to_string())
            } else if hash.starts_with("$argon2")
                && argon2::password_hash::phc::PasswordHash::new(hash).is_ok()
            {
                Hash::Argon2(hash.to_string())
            } else {
                diags.push(d(col, format!("the hash of user `{user}` is not bcrypt or argon2: a weak hash or a password in clear text")).hint("re-create the entry with `htpasswd -B FILE USER` (bcrypt)"));
                continue;
            };
            if users.insert(user.to_string(), hash).is_some() {
                diags.push(d(1, format!("user `{user}` is listed twice")));
            }
        }
        if diags.is_empty() && users.is_empty() {
            diags.push(
                located(config, &s.htpasswd, "the htpasswd file holds no user")
                    .hint("add one with `htpasswd -B FILE USER`"),
            );
        }
        if diags.is_empty() {
            Ok(Htpasswd {
                realm: s.realm.clone().unwrap_or_else(|| "soapbridge".into()),
                users,
            })
        } else {
            Err(diags)
        }
    }

    /// Whether `user` with `password` is listed (slow by design: run it off the request thread).
    pub(crate) fn check(&self, user: &str, password: &str) -> bool {
        match self.users.get(user) {
            Some(Hash::Bcrypt(h)) => bcrypt::verify(password, h).unwrap_or(false),
            Some(Hash::Argon2(h)) => Argon2::default()
                .verify_password(password.as_bytes(), h.as_str())
                .is_ok(),
            None => {
                let _ = bcrypt::verify(password, DECOY.as_str());
                false
            }
        }
    }
}

/// The user name and password of an `Authorization: Basic` header; `Some(Err(()))` when the
/// header is Basic but not decodable.
pub(crate) fn credentials(req: &HttpRequest) -> Option<Result<(String, String), ()>> {
    let v = req.headers().get("authorization")?.to_str().ok()?;
    let (scheme, rest) = v.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(rest.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok());
    Some(match decoded.as_deref().and_then(|s| s.split_once(':')) {
        Some((u, p)) => Ok((u.to_string(), p.to_string())),
        None => Err(()),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_decoy_is_a_bcrypt_hash() {
        assert!(!bcrypt::verify("anything", super::DECOY.as_str()).unwrap());
    }
}
