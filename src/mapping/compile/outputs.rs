//! What one operation answers: the output field that is the response body (and the key it is
//! answered under), where what it creates is read (`Location`), the success status,
//! the faults mapped to HTTP statuses, the operation's own upstream timeout, and whether it is
//! deprecated.

use std::path::Path;
use std::time::Duration;

use serde_saphyr::Spanned;

use super::context::OperationCx;
use crate::diag::Diagnostic;
use crate::mapping::format::{ResponseSpec, parse_duration};
use crate::mapping::generate::normalize;
use crate::mapping::route::{Deprecation, Location, LocationPart, Method, Route};
use crate::mapping::shape::type_fields;

/// `response:`: the index of the output field that is the answer, and the key it is answered
/// under (`response: { KEY: FIELD }`).
pub(super) fn response(
    cx: &OperationCx,
    out_keys: &[String],
    diags: &mut Vec<Diagnostic>,
) -> (Option<usize>, Option<String>) {
    let Some(r) = cx.spec.response.as_ref() else {
        return (None, None);
    };
    let (key, field) = match &r.value {
        ResponseSpec::Field(f) => (None, f),
        ResponseSpec::Named { key, field } => (Some(key), field),
    };
    if let Some(k) = key
        && k.is_empty()
    {
        diags.push(
            cx.d(r, "the key of `response:` is empty")
                .hint("e.g. `response: { id: createCustomerResult }`"),
        );
    }
    let found = out_keys.iter().position(|k| k == field);
    if found.is_none() {
        diags.push(
            cx.d(
                r,
                format!("operation `{}` has no output field `{field}`", cx.op()),
            )
            .hint(if out_keys.is_empty() {
                "this operation returns no fields; remove `response:`".to_string()
            } else {
                format!("its output fields are: {}", out_keys.join(", "))
            }),
        );
    }
    (found, key.cloned())
}

/// The top-level keys of the JSON object an operation answers (none when it answers a single
/// value or a list).
pub(super) fn answer_keys(
    cx: &OperationCx,
    out_keys: &[String],
    (response, key): (Option<usize>, Option<&str>),
) -> Vec<String> {
    if let Some(k) = key {
        return vec![k.to_string()];
    }
    let Some(i) = response else {
        return out_keys.to_vec();
    };
    let f = &cx.output[i];
    if f.max.is_many() {
        return Vec::new();
    }
    cx.keys(&type_fields(&cx.wsdl.schema, f.type_id))
}

/// `created:`: the `Location` template, checked against the answer's keys (the route it names
/// is looked up once every operation is compiled, by [`locations`]).
pub(super) fn created(
    cx: &OperationCx,
    answer_keys: &[String],
    diags: &mut Vec<Diagnostic>,
) -> Option<Location> {
    let at = &cx.spec.created.as_ref()?.location;
    let text = at.value.trim();
    let Some(path) = text.strip_prefix("GET ").map(str::trim) else {
        diags.push(
            cx.d(
                at,
                format!("`created.location` `{text}` must be `GET /path`"),
            )
            .hint("name the GET route that reads the created resource, e.g. `GET /customers/{id}`"),
        );
        return None;
    };
    if !path.starts_with('/') {
        diags.push(cx.d(
            at,
            format!("`created.location` path `{path}` must start with `/`"),
        ));
        return None;
    }
    let mut parts = vec![LocationPart::Text(cx.base_path.to_string())];
    for seg in path.split('/').skip(1) {
        let text = match parts.last_mut() {
            Some(LocationPart::Text(t)) => t,
            _ => {
                parts.push(LocationPart::Text(String::new()));
                let Some(LocationPart::Text(t)) = parts.last_mut() else {
                    unreachable!("a text part was just pushed")
                };
                t
            }
        };
        text.push('/');
        match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(k) if answer_keys.iter().any(|a| a == k) => {
                parts.push(LocationPart::Key(k.to_string()))
            }
            Some(k) => {
                diags.push(
                    cx.d(at, format!("`{{{k}}}` in `created.location` is not a key of the answer"))
                        .hint(if answer_keys.is_empty() {
                            "the answer is no object: name it, e.g. `response: { id: createCustomerResult }`".to_string()
                        } else {
                            format!("the answer's keys are: {}", answer_keys.join(", "))
                        }),
                );
                return None;
            }
            None => text.push_str(seg),
        }
    }
    Some(Location {
        parts,
        line: at.referenced.line() as u32,
        column: at.referenced.column() as u32,
    })
}

/// Every `created.location` names a GET route of the mapping (its parameters may be named
/// otherwise: paths are compared with them left out).
pub(super) fn locations(file: &Path, routes: &[Route], diags: &mut Vec<Diagnostic>) {
    for r in routes {
        let Some(loc) = &r.created else {
            continue;
        };
        let path: String = loc
            .parts
            .iter()
            .map(|p| match p {
                LocationPart::Text(t) => t.clone(),
                LocationPart::Key(k) => format!("{{{k}}}"),
            })
            .collect();
        let reads = routes
            .iter()
            .any(|g| g.method == Method::Get && normalize(&g.path) == normalize(&path));
        if !reads {
            let gets: Vec<&str> = routes
                .iter()
                .filter(|g| g.method == Method::Get)
                .map(|g| g.path.as_str())
                .collect();
            diags.push(
                Diagnostic::new(
                    file,
                    loc.line,
                    loc.column,
                    format!("`created.location` names no route of this mapping: no `GET {path}`"),
                )
                .hint(if gets.is_empty() {
                    "the mapping has no GET route".to_string()
                } else {
                    format!("its GET routes are: {}", gets.join(", "))
                }),
            );
        }
    }
}

/// `status:`: the success status (200 unless given). 204 answers no body, so it is refused for
/// an operation whose answer has fields (they would be dropped without a word).
pub(super) fn status(cx: &OperationCx, diags: &mut Vec<Diagnostic>) -> u16 {
    match &cx.spec.status {
        Some(s) if !(200..300).contains(&s.value) => {
            diags.push(
                cx.d(s, format!("status {} is not a success status", s.value))
                    .hint("use 200-299"),
            );
            200
        }
        Some(s) if s.value == 204 && !cx.output.is_empty() => {
            let keys = cx.keys(cx.output);
            diags.push(
                cx.d(
                    s,
                    format!(
                        "status 204 answers no body, but operation `{}` answers fields ({})",
                        cx.op(),
                        keys.join(", ")
                    ),
                )
                .hint("use 200 (or 201, 202) to send them; 204 fits an operation that answers nothing"),
            );
            200
        }
        Some(s) => s.value,
        None => 200,
    }
}

/// `faults:`: (fault name, HTTP status) for each declared fault mapped.
pub(super) fn faults(cx: &OperationCx, diags: &mut Vec<Diagnostic>) -> Vec<(String, u16)> {
    let mut out = Vec::new();
    for (fname, st) in &cx.spec.faults.0 {
        if !cx.faults.iter().any(|(n, _)| *n == fname.value) {
            let names: Vec<&str> = cx.faults.iter().map(|(n, _)| n.as_str()).collect();
            diags.push(
                cx.d(
                    fname,
                    format!(
                        "operation `{}` declares no fault `{}`",
                        cx.op(),
                        fname.value
                    ),
                )
                .hint(if names.is_empty() {
                    "this operation declares no wsdl:fault".to_string()
                } else {
                    format!("its faults are: {}", names.join(", "))
                }),
            );
            continue;
        }
        if !(400..600).contains(&st.value) {
            diags.push(
                cx.d(
                    st,
                    format!("fault status {} is not an error status", st.value),
                )
                .hint("use 400-599"),
            );
        }
        out.push((fname.value.clone(), st.value));
    }
    out
}

/// `timeout:`: this operation's upstream deadline, when it differs from the mapping's.
pub(super) fn timeout(cx: &OperationCx, diags: &mut Vec<Diagnostic>) -> Option<Duration> {
    let t = cx.spec.timeout.as_ref()?;
    match parse_duration(&t.value) {
        Some(v) if !v.is_zero() => Some(v),
        _ => {
            diags.push(
                cx.d(t, format!("`{}` is not a duration", t.value))
                    .hint("write e.g. `500ms`, `10s` or `2m`"),
            );
            None
        }
    }
}

/// `deprecated:` of the operation, else of the mapping: dates as `YYYY-MM-DD`, the link
/// http(s) and fit for a header.
pub(super) fn deprecation(cx: &OperationCx, diags: &mut Vec<Diagnostic>) -> Option<Deprecation> {
    let d = cx
        .spec
        .deprecated
        .as_ref()
        .or(cx.mapping.deprecated.as_ref())?;
    let date = |s: &Option<Spanned<String>>, diags: &mut Vec<Diagnostic>| {
        let s = s.as_ref()?;
        let parsed = parse_date(s.value.trim());
        if parsed.is_none() {
            diags.push(
                cx.d(s, format!("`{}` is not a date", s.value))
                    .hint("write it as YYYY-MM-DD, e.g. 2027-06-30"),
            );
        }
        parsed
    };
    let since = date(&d.since, diags);
    let sunset = date(&d.sunset, diags);
    if let Some(l) = &d.link {
        let v = l.value.trim();
        let http = v.starts_with("https://") || v.starts_with("http://");
        if !http || v.contains(|c: char| c.is_control() || c.is_whitespace() || c == '>') {
            diags.push(
                cx.d(l, format!("`{v}` is not an http(s) URL"))
                    .hint("e.g. link: https://developer.example.com/crm/v2-migration"),
            );
        }
    }
    let loaded = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    Some(Deprecation {
        since: since.unwrap_or(loaded),
        sunset,
        link: d.link.as_ref().map(|l| l.value.trim().to_string()),
    })
}

/// `YYYY-MM-DD` as Unix seconds at midnight UTC.
fn parse_date(s: &str) -> Option<i64> {
    let mut parts = s.splitn(3, '-');
    let year: i32 = parts.next()?.parse().ok()?;
    let month: u8 = parts.next()?.parse().ok()?;
    let day: u8 = parts.next()?.parse().ok()?;
    let month = time::Month::try_from(month).ok()?;
    let date = time::Date::from_calendar_date(year, month, day).ok()?;
    Some(date.midnight().assume_utc().unix_timestamp())
}
