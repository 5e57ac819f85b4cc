//! `${VAR}` references in integrators' files (mappings, settings): checked when a file is
//! compiled, resolved from the environment when serving. The one place secrets enter.

/// Why a `${VAR}` template does not check or resolve. Messages name the template or the
/// variable, never a value from the environment.
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
    /// Is raised when a variable without a default is unset or empty.
    #[error("environment variable `{name}` is not set")]
    Unset { name: String },
}

/// Checks `${VAR}` / `${VAR:-default}` syntax.
pub fn check_template(s: &str) -> Result<(), EnvError> {
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        let at = s.len() - rest.len() + i;
        let Some(end) = rest[i..].find('}') else {
            return Err(EnvError::Unclosed {
                template: s.to_string(),
                at,
            });
        };
        let inner = &rest[i + 2..i + end];
        let name = inner.split(":-").next().unwrap_or("");
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(EnvError::BadName {
                reference: inner.to_string(),
                at,
            });
        }
        rest = &rest[i + end + 1..];
    }
    Ok(())
}

/// Replaces `${VAR}` / `${VAR:-default}` with the environment's values.
pub fn expand_env(s: &str) -> Result<String, EnvError> {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let end = rest[i..].find('}').ok_or_else(|| EnvError::Unclosed {
            template: s.to_string(),
            at: s.len() - rest.len() + i,
        })?;
        let inner = &rest[i + 2..i + end];
        let (name, default) = match inner.split_once(":-") {
            Some((n, d)) => (n, Some(d)),
            None => (inner, None),
        };
        match (std::env::var(name), default) {
            (Ok(v), _) if !v.is_empty() => out.push_str(&v),
            (_, Some(d)) => out.push_str(d),
            _ => {
                return Err(EnvError::Unset {
                    name: name.to_string(),
                });
            }
        }
        rest = &rest[i + end + 1..];
    }
    out.push_str(rest);
    Ok(out)
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
}
