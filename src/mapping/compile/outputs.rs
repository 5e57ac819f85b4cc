//! What one operation answers: the output field that is the response body, the success status,
//! the faults mapped to HTTP statuses, the operation's own upstream timeout, and whether it is
//! deprecated.

use std::time::Duration;

use serde_saphyr::Spanned;

use super::context::OperationCx;
use crate::diag::Diagnostic;
use crate::mapping::format::parse_duration;
use crate::mapping::route::Deprecation;

/// `response:`: the index of the output field that is the whole answer.
pub(super) fn response(
    cx: &OperationCx,
    out_keys: &[String],
    diags: &mut Vec<Diagnostic>,
) -> Option<usize> {
    let r = cx.spec.response.as_ref()?;
    let found = out_keys.iter().position(|k| *k == r.value);
    if found.is_none() {
        diags.push(
            cx.d(
                r,
                format!("operation `{}` has no output field `{}`", cx.op(), r.value),
            )
            .hint(if out_keys.is_empty() {
                "this operation returns no fields; remove `response:`".to_string()
            } else {
                format!("its output fields are: {}", out_keys.join(", "))
            }),
        );
    }
    found
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
