//! `soapbridge decode` (dry run): the JSON a client would get for an upstream answer, read by the
//! same [`ServicePlan::read_answer`](crate::convert::operation::ServicePlan::read_answer) the
//! HTTP handler calls; or the problem+json body of a fault or of an answer that breaks the
//! contract.

use std::path::PathBuf;

use anyhow::Context;

use super::files::service_for;
use crate::config::Limits;
use crate::convert::error::AnswerError;
use crate::convert::operation::Outcome;
use crate::http::problem::Problem;

/// `decode` options.
#[derive(Debug, clap::Args)]
pub struct DecodeArgs {
    /// The mapping file.
    pub mapping: PathBuf,
    /// The WSDL operation name.
    pub operation: String,
    /// The SOAP envelope the upstream answered.
    pub response: PathBuf,
}

pub(super) fn run(args: DecodeArgs) -> anyhow::Result<bool> {
    let service = service_for(&args.mapping)?;
    let op = service
        .operation(&args.operation)
        .ok_or_else(|| anyhow::anyhow!("the mapping serves no operation `{}`", args.operation))?;
    let response = &args.response;
    let bytes =
        std::fs::read(response).with_context(|| format!("cannot read {}", response.display()))?;
    let answer = service.read_answer(op, 200, "", &bytes, Limits::default().xml());
    match answer.map(|a| a.outcome) {
        Ok(Outcome::Ok(text)) => {
            let v: serde_json::Value = serde_json::from_str(&text)?;
            super::out::println(format_args!("{v:#}"))?;
            Ok(true)
        }
        Ok(Outcome::Fault {
            status,
            fault,
            message,
        }) => {
            let problem = Problem::Fault {
                status,
                message,
                fault,
            };
            super::out::println(format_args!("{:#}", problem.body()))?;
            Ok(true)
        }
        Err(AnswerError::NotText(e)) => Err(anyhow::anyhow!("{}: {e}", response.display())),
        Err(why) => {
            eprintln!("{}: {why}", response.display());
            let problem =
                Problem::BadGateway("the legacy service's answer does not match its contract");
            super::out::println(format_args!("{:#}", problem.body()))?;
            Ok(false)
        }
    }
}
