//! `${VAR}` and `${file:PATH}` references in integrators' files (mappings, settings): checked
//! when a file is compiled, resolved from the environment (or the file) when serving. The one
//! place secrets enter: a resolved credential is a [`Secret`], which never shows itself.

use std::io::Read;
use std::path::PathBuf;

/// The largest file a `${file:PATH}` reference reads (a secret, not a document).
pub const SECRET_FILE_LIMIT: u64 = 64 * 1024;

/// Why a template does not check or resolve. Messages name the template, the variable or the
/// file, never a value from the environment or a file's content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvError {
    /// Is raised when a `${` (at byte `at` of the template) has no closing `}`.
    #[error("unclosed `${{` in `{template}`")]
    Unclosed { template: String, at: usize },
    /// Is raised when a reference (at byte `at` of the template) names no variable: its name is
    /// empty or has characters other than ASCII letters, digits and `_`. `reference` is the
    /// text between the braces.
    #[error("`${{{reference}}}` is not a valid environment variable reference")]
    BadName { reference: String, at: usize },
    /// Is raised when a `${file:PATH}` reference (at byte `at` of the template) names no file, or
    /// gives it a `:-default`.
    #[error(
        "`${{{reference}}}` is not a valid file reference: write `${{file:/run/secrets/name}}`"
    )]
    BadFile { reference: String, at: usize },
    /// Is raised when a variable without a default is unset or empty.
    #[error("environment variable `{name}` is not set")]
    Unset { name: String },
    /// Is raised when the file of a `${file:PATH}` reference cannot be read (`reason` is the
    /// system's, never the content).
    #[error("cannot read the secret file `{}`: {reason}", path.display())]
    File { path: PathBuf, reason: String },
    /// Is raised when the file of a `${file:PATH}` reference is larger than
    /// [`SECRET_FILE_LIMIT`] or is not UTF-8 text.
    #[error("the secret file `{}` is not a short UTF-8 text (at most {SECRET_FILE_LIMIT} bytes)", path.display())]
    FileNotText { path: PathBuf },
    /// Is raised when a value that must be a secret is written in the file itself: anything but
    /// one `${VAR}` or `${file:PATH}` reference without a default. The message never repeats it.
    #[error("a secret must come from the environment or a file, not be written here")]
    InClear,
    /// Is raised when a boolean setting's variable holds something else than one of the
    /// booleans [`boolean`] reads.
    #[error("`{name}` is not a boolean: write true or false (or 1/0, yes/no, on/off, in any case)")]
    NotBoolean { name: String },
}

/// A boolean setting from the environment variable `name`: `true`/`false`, `1`/`0`,
/// `yes`/`no`, `on`/`off`, in any case and around spaces; `Ok(None)` when unset or empty.
/// Anything else is an error, never a silent `false`.
pub fn boolean(name: &str) -> Result<Option<bool>, EnvError> {
    match std::env::var(name) {
        Ok(v) => parse_boolean(name, &v),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(EnvError::NotBoolean { name: name.into() }),
    }
}

/// [`boolean`] of the value `value` of the variable `name`.
pub fn parse_boolean(name: &str, value: &str) -> Result<Option<bool>, EnvError> {
    let v = value.trim().to_ascii_lowercase();
    match v.as_str() {
        "" => Ok(None),
        "true" | "1" | "yes" | "on" => Ok(Some(true)),
        "false" | "0" | "no" | "off" => Ok(Some(false)),
        _ => Err(EnvError::NotBoolean { name: name.into() }),
    }
}

/// A credential read from the environment or a file. `Debug` shows `<redacted>`; there is no
/// `Display`, so it cannot end up in a message by accident: [`Secret::expose`] says where it is
/// used on purpose.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a credential.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The credential itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// One reference of a template, between `${` and `}`.
enum Reference<'a> {
    /// `${NAME}` or `${NAME:-default}`.
    Var {
        name: &'a str,
        default: Option<&'a str>,
    },
    /// `${file:PATH}`.
    File(&'a str),
}

/// Reads the text between the braces of the reference at byte `at`.
fn reference(inner: &str, at: usize) -> Result<Reference<'_>, EnvError> {
    if let Some(path) = inner.strip_prefix("file:") {
        if path.trim().is_empty() || path.contains(":-") {
            return Err(EnvError::BadFile {
                reference: inner.to_string(),
                at,
            });
        }
        return Ok(Reference::File(path));
    }
    let (name, default) = match inner.split_once(":-") {
        Some((n, d)) => (n, Some(d)),
        None => (inner, None),
    };
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(EnvError::BadName {
            reference: inner.to_string(),
            at,
        });
    }
    Ok(Reference::Var { name, default })
}

/// A piece of a template: text, or a reference.
enum Piece<'a> {
    Text(&'a str),
    Ref(Reference<'a>),
}

/// Walks a template's pieces in order, each given to `each`.
fn walk<'a>(
    s: &'a str,
    mut each: impl FnMut(Piece<'a>) -> Result<(), EnvError>,
) -> Result<(), EnvError> {
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        let at = s.len() - rest.len() + i;
        each(Piece::Text(&rest[..i]))?;
        let Some(end) = rest[i..].find('}') else {
            return Err(EnvError::Unclosed {
                template: s.to_string(),
                at,
            });
        };
        each(Piece::Ref(reference(&rest[i + 2..i + end], at)?))?;
        rest = &rest[i + end + 1..];
    }
    each(Piece::Text(rest))
}

/// Checks `${VAR}` / `${VAR:-default}` / `${file:PATH}` syntax.
pub fn check_template(s: &str) -> Result<(), EnvError> {
    walk(s, |_| Ok(()))
}

/// Checks that a secret's template is one `${VAR}` or `${file:PATH}` reference without a
/// default, so that no credential is written in the file.
pub fn check_secret(s: &str) -> Result<(), EnvError> {
    let t = s.trim();
    let whole = t.starts_with("${") && t.ends_with('}') && t[2..].find('}') == Some(t.len() - 3);
    if !whole {
        return Err(EnvError::InClear);
    }
    match reference(&t[2..t.len() - 1], 0)? {
        Reference::Var {
            default: Some(_), ..
        } => Err(EnvError::InClear),
        _ => Ok(()),
    }
}

/// The defaults written in a template's `${VAR:-default}` references, in order (text in the
/// file, which a check may look at: a default is never a place for a secret). A template that
/// does not check gives none.
pub fn defaults(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let _ = walk(s, |piece| {
        if let Piece::Ref(Reference::Var {
            default: Some(d), ..
        }) = piece
        {
            out.push(d);
        }
        Ok(())
    });
    out
}

/// Whether a URL's authority has a user-info part (`scheme://user[:password]@host`): credentials
/// in a URL, which soapbridge never takes from there.
pub fn has_user_info(url: &str) -> bool {
    let Some((_, rest)) = url.split_once("://") else {
        return false;
    };
    rest.split(['/', '?', '#'])
        .next()
        .is_some_and(|authority| authority.contains('@'))
}

/// Replaces `${VAR}` / `${VAR:-default}` with the environment's values and `${file:PATH}` with
/// the file's text (without its final line break).
pub fn expand_env(s: &str) -> Result<String, EnvError> {
    let mut out = String::new();
    walk(s, |piece| {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Ref(r) => out.push_str(&resolve(r)?),
        }
        Ok(())
    })?;
    Ok(out)
}

/// Resolves a secret's template (see [`check_secret`]) into a [`Secret`].
pub fn resolve_secret(s: &str) -> Result<Secret, EnvError> {
    expand_env(s.trim()).map(Secret)
}

/// One reference's value.
fn resolve(r: Reference<'_>) -> Result<String, EnvError> {
    match r {
        Reference::Var { name, default } => match (std::env::var(name), default) {
            (Ok(v), _) if !v.is_empty() => Ok(v),
            (_, Some(d)) => Ok(d.to_string()),
            _ => Err(EnvError::Unset {
                name: name.to_string(),
            }),
        },
        Reference::File(path) => read_secret_file(path.trim()),
    }
}

/// A secret file's text, at most [`SECRET_FILE_LIMIT`] bytes, without its final line break.
fn read_secret_file(path: &str) -> Result<String, EnvError> {
    let path = PathBuf::from(path);
    let file = std::fs::File::open(&path).map_err(|e| EnvError::File {
        path: path.clone(),
        reason: e.kind().to_string(),
    })?;
    let mut bytes = Vec::new();
    file.take(SECRET_FILE_LIMIT + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| EnvError::File {
            path: path.clone(),
            reason: e.kind().to_string(),
        })?;
    if bytes.len() as u64 > SECRET_FILE_LIMIT {
        return Err(EnvError::FileNotText { path });
    }
    let mut text = String::from_utf8(bytes).map_err(|_| EnvError::FileNotText { path })?;
    if text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_by_kind_with_their_words() {
        let e = check_template("a${OPEN").unwrap_err();
        assert_eq!(
            e,
            EnvError::Unclosed {
                template: "a${OPEN".into(),
                at: 1
            }
        );
        assert_eq!(e.to_string(), "unclosed `${` in `a${OPEN`");
        let e = check_template("x${A}${A-B}").unwrap_err();
        assert_eq!(
            e,
            EnvError::BadName {
                reference: "A-B".into(),
                at: 5
            }
        );
        assert_eq!(
            e.to_string(),
            "`${A-B}` is not a valid environment variable reference"
        );
        let e = expand_env("${SOAPBRIDGE_TEST_UNSET_VAR_2}").unwrap_err();
        assert_eq!(
            e.to_string(),
            "environment variable `SOAPBRIDGE_TEST_UNSET_VAR_2` is not set"
        );
        assert!(matches!(e, EnvError::Unset { name } if name == "SOAPBRIDGE_TEST_UNSET_VAR_2"));
    }

    #[test]
    fn file_references_read_the_file_without_its_line_break() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "s3cr3t-from-file\r\n").unwrap();
        let template = format!("${{file:{}}}", path.display());
        assert_eq!(check_template(&template), Ok(()));
        assert_eq!(check_secret(&template), Ok(()));
        assert_eq!(
            resolve_secret(&template).unwrap().expose(),
            "s3cr3t-from-file"
        );
        assert_eq!(
            expand_env(&format!("Bearer {template}!")).unwrap(),
            "Bearer s3cr3t-from-file!"
        );

        let missing = format!("${{file:{}}}", dir.path().join("absent").display());
        let e = expand_env(&missing).unwrap_err();
        assert!(matches!(&e, EnvError::File { reason, .. } if reason == "entity not found"));
        assert!(e.to_string().contains("absent"), "{e}");

        std::fs::write(&path, vec![b'x'; SECRET_FILE_LIMIT as usize + 1]).unwrap();
        assert!(matches!(
            expand_env(&template),
            Err(EnvError::FileNotText { .. })
        ));
        std::fs::write(&path, [0xff, 0xfe]).unwrap();
        assert!(matches!(
            expand_env(&template),
            Err(EnvError::FileNotText { .. })
        ));

        assert!(matches!(
            check_template("${file:}"),
            Err(EnvError::BadFile { at: 0, .. })
        ));
        assert!(matches!(
            check_template("x${file:/a:-b}"),
            Err(EnvError::BadFile { at: 1, .. })
        ));
    }

    #[test]
    fn a_secret_is_one_reference_without_a_default() {
        for ok in ["${TOKEN}", " ${file:/run/secrets/token} ", "${A_1}"] {
            assert_eq!(check_secret(ok), Ok(()), "{ok}");
        }
        for clear in [
            "hunter2",
            "${USER}:hunter2",
            "pre${TOKEN}",
            "${TOKEN:-hunter2}",
            "${A}${B}",
            "",
        ] {
            let e = check_secret(clear).unwrap_err();
            assert_eq!(e, EnvError::InClear, "{clear}");
            assert!(!e.to_string().contains("hunter2"));
        }
        assert!(matches!(
            check_secret("${A-B}"),
            Err(EnvError::BadName { .. })
        ));
    }

    #[test]
    fn defaults_are_listed_in_order() {
        assert_eq!(
            defaults("${A:-http://u:p@h}/x/${B}${C:-}${file:/s}"),
            ["http://u:p@h", ""]
        );
        assert!(defaults("no ${reference").is_empty());
    }

    #[test]
    fn user_info_in_urls() {
        assert!(has_user_info("http://u:p@h/x"));
        assert!(has_user_info("https://u@h"));
        assert!(!has_user_info("http://h/a@b"));
        assert!(!has_user_info("http://h?x=a@b"));
        assert!(!has_user_info("mailto:a@b"));
    }

    #[test]
    fn booleans_in_any_case_or_an_error() {
        for v in ["TRUE", "true", "True", " 1 ", "yes", "YES", "On"] {
            assert_eq!(parse_boolean("X", v), Ok(Some(true)), "{v}");
        }
        for v in ["FALSE", "false", "0", "No", "OFF"] {
            assert_eq!(parse_boolean("X", v), Ok(Some(false)), "{v}");
        }
        assert_eq!(parse_boolean("X", ""), Ok(None));
        let e = parse_boolean("SOAPBRIDGE_MOCK", "maybe").unwrap_err();
        assert_eq!(
            e,
            EnvError::NotBoolean {
                name: "SOAPBRIDGE_MOCK".into()
            }
        );
        assert!(e.to_string().contains("`SOAPBRIDGE_MOCK` is not a boolean"));
        assert_eq!(boolean("SOAPBRIDGE_TEST_UNSET_BOOLEAN"), Ok(None));
    }

    #[test]
    fn secrets_never_show_themselves() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(s.expose(), "hunter2");
    }
}
