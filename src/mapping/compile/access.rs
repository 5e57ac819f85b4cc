//! Who may call and from where: `auth:`, `scopes:` and `claims:` (the mapping's, or an
//! operation's own) into a route's [`Access`]; `identity.NAME` sources; `cors:` into the
//! mapping's [`Cors`]. Scheme names are checked against the settings by the server, which knows
//! them; here only their form.

use std::path::Path;

use serde_saphyr::Spanned;

use super::context::{OperationCx, located};
use crate::diag::Diagnostic;
use crate::mapping::format::{CorsSpec, MappingFile, OrderedMap, TextList, parse_duration};
use crate::mapping::route::{Access, Cors, IdentityField, Route, SchemeRef};

/// The operation's access rule: its own `auth:`, `scopes:` and `claims:` where written, else the
/// mapping's.
pub(super) fn access(cx: &OperationCx, diags: &mut Vec<Diagnostic>) -> Access {
    let (m, spec) = (cx.mapping, cx.spec);
    let own_auth = spec.auth.is_some();
    let auth = spec.auth.as_ref().or(m.auth.as_ref());
    let schemes = auth.map(|a| schemes(cx.file, a, diags)).unwrap_or_default();
    // An operation opened with `auth: none` does not inherit the mapping's scopes and claims.
    let inherit = !(own_auth && schemes.is_empty());
    let scopes = match (&spec.scopes, &m.scopes) {
        (Some(s), _) => Some(s),
        (None, Some(s)) if inherit => Some(s),
        _ => None,
    };
    let claims = match (&spec.claims, &m.claims) {
        (Some(c), _) => Some(c),
        (None, c) if inherit => Some(c),
        _ => None,
    };
    let mut access = Access {
        schemes,
        ..Access::default()
    };
    if let Some(s) = scopes {
        access.scopes = names(cx.file, s, "scope", diags);
        if access.is_open() && !access.scopes.is_empty() {
            diags.push(
                located(
                    cx.file,
                    s,
                    "scopes need `auth:`: nobody is authenticated here",
                )
                .hint("name a scheme under `auth:`, or remove `scopes:`"),
            );
        }
    }
    if let Some(c) = claims {
        access.claims = claim_rules(cx.file, c, diags);
        if access.is_open()
            && let Some((k, _)) = c.0.first()
        {
            diags.push(
                located(
                    cx.file,
                    k,
                    "claims need `auth:`: nobody is authenticated here",
                )
                .hint("name a scheme under `auth:`, or remove `claims:`"),
            );
        }
    }
    access
}

/// `auth:`: `none`, or scheme names (at least one, each once).
fn schemes(file: &Path, a: &Spanned<TextList>, diags: &mut Vec<Diagnostic>) -> Vec<SchemeRef> {
    let list = &a.value.0;
    if list.len() == 1 && list[0] == "none" {
        return Vec::new();
    }
    let hint = "write `auth: none`, or the names of schemes defined under `auth.schemes` in soapbridge.yaml, e.g. `auth: [partner-keys, staff-jwt]`";
    if list.is_empty() || list.iter().any(|n| n == "none") {
        diags.push(located(file, a, "`auth:` is `none` or a list of scheme names").hint(hint));
        return Vec::new();
    }
    let mut out: Vec<SchemeRef> = Vec::new();
    for name in list {
        if !is_name(name) {
            diags.push(located(file, a, format!("`{name}` is not a scheme name")).hint(hint));
        } else if out.iter().any(|s| &s.name == name) {
            diags.push(located(file, a, format!("scheme `{name}` is named twice")));
        } else {
            out.push(SchemeRef {
                name: name.clone(),
                line: a.referenced.line() as u32,
                column: a.referenced.column() as u32,
            });
        }
    }
    out
}

/// Scope names: no spaces (a token's `scope` claim is space-separated).
fn names(
    file: &Path,
    s: &Spanned<TextList>,
    what: &str,
    diags: &mut Vec<Diagnostic>,
) -> Vec<String> {
    let mut out = Vec::new();
    for n in &s.value.0 {
        if n.is_empty() || n.chars().any(char::is_whitespace) {
            diags.push(located(
                file,
                s,
                format!("`{n}` is not a {what}: it is empty or holds spaces"),
            ));
        } else if !out.contains(n) {
            out.push(n.clone());
        }
    }
    out
}

/// `claims:`: each claim with the values accepted (at least one).
fn claim_rules(
    file: &Path,
    c: &OrderedMap<Spanned<String>, Spanned<TextList>>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for (k, v) in &c.0 {
        if k.value.is_empty() {
            diags.push(located(file, k, "a claim needs a name"));
        } else if v.value.0.is_empty() {
            diags.push(
                located(file, v, format!("claim `{}` accepts no value", k.value))
                    .hint("write `claim: value` or `claim: [value, other]`"),
            );
        } else {
            out.push((k.value.clone(), v.value.0.clone()));
        }
    }
    out
}

/// A scheme name: letters, digits, `-` and `_`.
fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// `identity.NAME` (what follows `identity.`), on a route that authenticates its callers.
pub(super) fn identity<T>(
    cx: &OperationCx,
    at: &Spanned<T>,
    name: &str,
    open: bool,
    diags: &mut Vec<Diagnostic>,
) -> Option<IdentityField> {
    let Some(field) = IdentityField::parse(name) else {
        diags.push(cx.d(at, format!("`identity.{name}` is not an identity value")).hint(
            "write `identity.id`, `identity.scheme`, `identity.key_id`, `identity.sub`, `identity.user`, `identity.subject` or `identity.claims.NAME`",
        ));
        return None;
    };
    if open {
        diags.push(
            cx.d(
                at,
                format!(
                    "`identity.{name}`: operation `{}` authenticates nobody",
                    cx.op()
                ),
            )
            .hint("name a scheme under `auth:` for this operation"),
        );
        return None;
    }
    Some(field)
}

/// `cors:`: origins (exact, or `*` alone, never with credentials), methods, headers, max age.
pub(super) fn cors(
    file: &Path,
    m: &MappingFile,
    routes: &[Route],
    diags: &mut Vec<Diagnostic>,
) -> Option<Cors> {
    let spec = m.cors.as_ref()?;
    let c: &CorsSpec = &spec.value;
    let mut out = Cors {
        origins: Vec::new(),
        methods: Vec::new(),
        headers: None,
        expose_headers: c
            .expose_headers
            .iter()
            .map(|h| h.value.to_ascii_lowercase())
            .collect(),
        credentials: c.credentials,
        max_age: 300,
        line: spec.referenced.line() as u32,
    };
    let any = c.origins.iter().any(|o| o.value == "*");
    if c.origins.is_empty() {
        diags.push(
            located(file, spec, "`cors:` allows no origin")
                .hint("list them: `origins: [https://app.example.com]`"),
        );
    }
    for o in &c.origins {
        if o.value == "*" {
            if c.origins.len() > 1 {
                diags.push(located(file, o, "`*` allows every origin; list no other"));
            }
            if c.credentials {
                diags.push(
                    located(
                        file,
                        o,
                        "`*` cannot go with `credentials: true` (browsers refuse it)",
                    )
                    .hint("list the origins allowed"),
                );
            }
        } else if !is_origin(&o.value) {
            diags.push(located(file, o, format!("`{}` is not an origin", o.value)).hint("an origin is `https://host` or `https://host:port`, without a path or a trailing `/`"));
        } else {
            out.origins.push(o.value.clone());
        }
    }
    if any {
        out.origins.clear();
    }
    out.methods = match &c.methods {
        Some(ms) => ms
            .iter()
            .filter_map(|mth| {
                let up = mth.value.to_ascii_uppercase();
                if matches!(
                    up.as_str(),
                    "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE"
                ) {
                    Some(up)
                } else {
                    diags.push(
                        located(
                            file,
                            mth,
                            format!("`{}` is not a method CORS can allow here", mth.value),
                        )
                        .hint("GET, HEAD, POST, PUT, PATCH or DELETE"),
                    );
                    None
                }
            })
            .collect(),
        None => {
            let mut ms: Vec<String> = Vec::new();
            for r in routes {
                let mth = r.method.as_str().to_string();
                if !ms.contains(&mth) {
                    ms.push(mth);
                }
            }
            ms
        }
    };
    if let Some(hs) = &c.headers {
        let mut v = Vec::new();
        for h in hs {
            if h.value.is_empty()
                || !h
                    .value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
            {
                diags.push(located(
                    file,
                    h,
                    format!("`{}` is not a header name", h.value),
                ));
            } else {
                v.push(h.value.to_ascii_lowercase());
            }
        }
        out.headers = Some(v);
    }
    if let Some(a) = &c.max_age {
        match parse_duration(&a.value) {
            Some(d) => out.max_age = d.as_secs(),
            None => diags.push(
                located(file, a, format!("`{}` is not a duration", a.value))
                    .hint("write e.g. `10m` or `1h`"),
            ),
        }
    }
    Some(out)
}

/// `scheme://host[:port]`, nothing after.
fn is_origin(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once("://") else {
        return false;
    };
    !scheme.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !rest.is_empty()
        && !rest.contains(['/', '?', '#', ' ', '@'])
}

#[cfg(test)]
mod tests {
    use super::is_origin;

    #[test]
    fn origins() {
        assert!(is_origin("https://app.example.com"));
        assert!(is_origin("http://localhost:3000"));
        assert!(!is_origin("https://app.example.com/"));
        assert!(!is_origin("app.example.com"));
        assert!(!is_origin("https://"));
    }
}
