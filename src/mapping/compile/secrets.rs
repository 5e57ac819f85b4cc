//! The one rule for secrets in a mapping: every credential (a Basic or WS-Security password, a
//! bearer token, an OAuth 2.0 client secret, a SOAP header constant marked `secret: true` or
//! named like a credential) is one `${VAR}` or `${file:PATH}` reference without a default, and no
//! URL carries credentials: no user-info (`user:password@`) and no credential-named query
//! parameter written in the file, neither in the text nor in a `${VAR:-default}`'s default.
//! Each check returns the problem's message and hint, which never repeat the value; the caller
//! locates it.

use crate::env::{EnvError, check_secret, defaults, has_user_info};

/// A problem found: (message, hint).
pub(crate) type Problem = (String, String);

/// Parts of a field or parameter name that make it a credential, compared without case and
/// without `_`, `-` and `.`.
const CREDENTIAL_WORDS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "apikey",
    "accesskey",
    "privatekey",
    "credential",
];

/// Whether a name looks like it holds a credential (`Password`, `api_key`, `SessionToken`,
/// `clientSecret`, `pwd`, ...).
pub(super) fn credential_shaped(name: &str) -> bool {
    let n: String = name
        .chars()
        .filter(|c| !matches!(c, '_' | '-' | '.'))
        .flat_map(char::to_lowercase)
        .collect();
    CREDENTIAL_WORDS.iter().any(|w| n.contains(w)) || n.ends_with("pwd") || n == "pass"
}

/// A secret's template: one reference without a default, nothing in clear. `example` names a
/// variable for the hint.
pub(super) fn secret(template: &str, example: &str) -> Option<Problem> {
    match check_secret(template) {
        Ok(()) => None,
        Err(EnvError::InClear) => Some((
            "credentials must come from the environment, not the mapping file".to_string(),
            format!(
                "write `${{{example}}}` (no `:-default`) or `${{file:/run/secrets/{}}}`, and set it when serving",
                example.to_ascii_lowercase().replace('_', "-")
            ),
        )),
        Err(e) => Some((
            e.to_string(),
            "write `${NAME}` or `${file:/path}`".to_string(),
        )),
    }
}

/// A URL's template (`what` names it in the message): no user-info and no credential-named
/// query parameter in clear, in its text or in a default. `hint` says where the credential goes.
pub(crate) fn url(template: &str, what: &str, hint: &str) -> Option<Problem> {
    let written = (!template.trim_start().starts_with("${")).then_some(template);
    for text in written.into_iter().chain(defaults(template)) {
        if has_user_info(text) {
            return Some((
                format!("{what} holds credentials (`user:password@`)"),
                hint.to_string(),
            ));
        }
        if let Some(name) = query_credential(text) {
            return Some((
                format!("{what} holds a credential in its query parameter `{name}`"),
                format!(
                    "write the parameter's value as one `${{VAR}}` (no `:-default`), or the whole URL as `${{VAR}}`; {hint}"
                ),
            ));
        }
    }
    None
}

/// The first query parameter named like a credential whose value is written in the URL (not one
/// `${VAR}` reference).
fn query_credential(url: &str) -> Option<&str> {
    let query = url.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or("");
    query.split('&').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        (credential_shaped(name) && !value.is_empty() && check_secret(value).is_err())
            .then_some(name)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_names() {
        for yes in [
            "Password",
            "userPassword",
            "api_key",
            "X-Api-Key",
            "SessionToken",
            "clientSecret",
            "pwd",
            "UserPwd",
            "pass",
            "Credentials",
        ] {
            assert!(credential_shaped(yes), "{yes}");
        }
        for no in [
            "UserName",
            "passenger",
            "Keyword",
            "compass",
            "Locale",
            "id",
        ] {
            assert!(!credential_shaped(no), "{no}");
        }
    }

    #[test]
    fn urls_with_credentials() {
        let hint = "use upstream.auth";
        for bad in [
            "http://user:hunter2@crm.example/soap",
            "https://user@crm.example",
            "http://${U}:${P}@crm.example",
            "${CRM_URL:-http://user:hunter2@crm.example/soap}",
            "https://crm.example/soap?token=hunter2",
            "https://crm.example/soap?a=1&api_key=${KEY:-hunter2}",
        ] {
            let (message, _) = url(bad, "the upstream URL", hint).expect(bad);
            assert!(!message.contains("hunter2"), "{message}");
        }
        for good in [
            "http://crm.example/soap",
            "http://crm.example/a@b",
            "${CRM_URL}",
            "${CRM_URL:-http://127.0.0.1:8080/soap}",
            "https://crm.example/soap?token=${CRM_TOKEN}",
            "https://crm.example/soap?page=2",
        ] {
            assert_eq!(url(good, "the upstream URL", hint), None, "{good}");
        }
    }

    #[test]
    fn secrets_are_one_reference() {
        assert_eq!(secret("${X}", "X"), None);
        let (message, hint) = secret("${X:-hunter2}", "CRM_PASSWORD").unwrap();
        assert!(!message.contains("hunter2") && !hint.contains("hunter2"));
        assert!(hint.contains("${file:/run/secrets/crm-password}"), "{hint}");
    }
}
