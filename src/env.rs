//! `${VAR}` references in integrators' files (mappings, settings): checked when a file is
//! compiled, resolved from the environment when serving. The one place secrets enter.

/// Checks `${VAR}` / `${VAR:-default}` syntax.
pub fn check_template(s: &str) -> Result<(), String> {
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        let Some(end) = rest[i..].find('}') else {
            return Err(format!("unclosed `${{` in `{s}`"));
        };
        let inner = &rest[i + 2..i + end];
        let name = inner.split(":-").next().unwrap_or("");
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!(
                "`${{{inner}}}` is not a valid environment variable reference"
            ));
        }
        rest = &rest[i + end + 1..];
    }
    Ok(())
}

/// Replaces `${VAR}` / `${VAR:-default}` with the environment's values.
pub fn expand_env(s: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let end = rest[i..]
            .find('}')
            .ok_or_else(|| format!("unclosed `${{` in `{s}`"))?;
        let inner = &rest[i + 2..i + end];
        let (name, default) = match inner.split_once(":-") {
            Some((n, d)) => (n, Some(d)),
            None => (inner, None),
        };
        match (std::env::var(name), default) {
            (Ok(v), _) if !v.is_empty() => out.push_str(&v),
            (_, Some(d)) => out.push_str(d),
            _ => return Err(format!("environment variable `{name}` is not set")),
        }
        rest = &rest[i + end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}
