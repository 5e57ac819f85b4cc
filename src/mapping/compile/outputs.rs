//! What one operation answers: the output field that is the response body, the success status,
//! the faults mapped to HTTP statuses, and the operation's own upstream timeout.

use std::time::Duration;

use super::context::OperationCx;
use crate::diag::Diagnostic;
use crate::mapping::format::parse_duration;

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

/// `status:`: the success status (200 unless given).
pub(super) fn status(cx: &OperationCx, diags: &mut Vec<Diagnostic>) -> u16 {
    match &cx.spec.status {
        Some(s) if !(200..300).contains(&s.value) => {
            diags.push(
                cx.d(s, format!("status {} is not a success status", s.value))
                    .hint("use 200-299"),
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
