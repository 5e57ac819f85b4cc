//! `soapbridge envelope` (dry run): the SOAP envelope the bridge would send for a request, built
//! by the same [`ServicePlan::build_request`](crate::convert::operation::ServicePlan::build_request)
//! the HTTP handler calls; or the problem+json body a client would get. A WS-Security password
//! is printed as a placeholder ([`MASKED_PASSWORD`](crate::soap::MASKED_PASSWORD)), never in
//! clear.

use std::path::PathBuf;

use anyhow::Context;

use super::files::plan_for;
use crate::http::problem::Problem;
use crate::mapping::route::{InputSource, Route};

/// `envelope` options.
#[derive(Debug, clap::Args)]
pub struct EnvelopeArgs {
    /// The mapping file.
    pub mapping: PathBuf,
    /// The WSDL operation name.
    pub operation: String,
    /// The JSON body (a file; `-` for standard input). Omit for none.
    pub request: Option<PathBuf>,
    /// A path, query or header input: `field=value` (repeatable).
    #[arg(short = 'p', long = "param")]
    pub params: Vec<String>,
}

pub(super) fn run(args: EnvelopeArgs) -> anyhow::Result<bool> {
    let mut service = plan_for(&args.mapping)?;
    service.security = service.security.as_ref().map(|t| t.masked());
    let op = service
        .operation(&args.operation)
        .ok_or_else(|| anyhow::anyhow!("the mapping serves no operation `{}`", args.operation))?;
    let body = match &args.request {
        None => None,
        Some(p) => {
            let text = if p.as_os_str() == "-" {
                std::io::read_to_string(std::io::stdin())?
            } else {
                std::fs::read_to_string(p)
                    .with_context(|| format!("cannot read {}", p.display()))?
            };
            match serde_json::from_str(&text) {
                Ok(v) => Some(v),
                Err(e) => {
                    let problem =
                        Problem::MalformedJson(format!("the body is not valid JSON: {e}"));
                    super::out::println(format_args!("{:#}", problem.body()))?;
                    return Ok(false);
                }
            }
        }
    };
    let params: Vec<(&str, &str)> = args
        .params
        .iter()
        .filter_map(|p| p.split_once('='))
        .collect();
    let param = |s: &InputSource| param_values(&op.route, &params, s);
    match service.build_request(op, &param, body) {
        Ok(envelope) => {
            super::out::println(String::from_utf8_lossy(&envelope))?;
            Ok(true)
        }
        Err(errors) => {
            super::out::println(format_args!("{:#}", Problem::Invalid(errors).body()))?;
            Ok(false)
        }
    }
}

/// The values `-p field=value` gives the request source `s`: the field is the input field bound
/// to it, or the SOAP header field bound to it, or a value inside a body field
/// (`-p customer/customerId=42`).
fn param_values(route: &Route, params: &[(&str, &str)], s: &InputSource) -> Vec<String> {
    let nested = route.nested.iter().find(|n| &n.source == s);
    let nested = nested.map(|n| n.pointer.join("/")).unwrap_or_default();
    let key = route.key_of(s).unwrap_or(&nested);
    params
        .iter()
        .filter(|(k, _)| *k == key)
        .map(|(_, v)| v.to_string())
        .collect()
}
