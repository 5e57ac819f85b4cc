//! The command line: one file per subcommand, each with its arguments beside its code.
//!
//! [`serve`](ServeArgs) (the default) serves the mappings' routes; [`mock`](MockArgs) stands in
//! for a legacy service; [`openapi`](OpenapiArgs) prints the OpenAPI document; the dry runs
//! [`envelope`](EnvelopeArgs) and [`decode`](DecodeArgs) show what the bridge would send and
//! answer; [`inspect`](InspectArgs) shows a WSDL; [`fetch`](FetchArgs) downloads one with its
//! imports (the only command that uses the network); [`generate`](GenerateArgs) writes a mapping;
//! [`check`](CheckArgs) checks mappings; [`validate`](ValidateArgs) validates XML documents
//! against a schema; [`completions`](CompletionsArgs) and [`man`](ManArgs) print the shell
//! completions and the manual page. [`run`] dispatches; a reader that closes standard output
//! early ends a command quietly (`out`).

mod check;
mod completions;
mod decode;
mod envelope;
mod fetch;
mod files;
mod generate;
pub mod inspect;
pub mod logging;
mod man;
mod mock;
mod openapi;
mod out;
mod serve;
mod validate;

use clap::{Parser, Subcommand};

pub use check::CheckArgs;
pub use completions::CompletionsArgs;
pub use decode::DecodeArgs;
pub use envelope::EnvelopeArgs;
pub use fetch::FetchArgs;
pub use generate::GenerateArgs;
pub use inspect::InspectArgs;
pub use man::ManArgs;
pub use mock::MockArgs;
pub use openapi::OpenapiArgs;
pub use serve::ServeArgs;
pub use validate::ValidateArgs;

#[derive(Debug, Parser)]
#[command(
    name = "soapbridge",
    version,
    about = "A JSON/REST face for legacy SOAP services"
)]
pub struct Cli {
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

// The doc comments are the help text clap prints (`<wsdl name>` is not an HTML tag there).
#[allow(rustdoc::invalid_html_tags)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the REST routes of every mapping (the default command).
    Serve(ServeArgs),
    /// Answer every operation of a WSDL with schema-valid sample responses.
    Mock(MockArgs),
    /// Print the OpenAPI 3.1 document of the mappings' routes.
    Openapi(OpenapiArgs),
    /// Print the SOAP envelope the bridge would send for a request (dry run).
    Envelope(EnvelopeArgs),
    /// Print the JSON a client would get for an upstream answer (dry run).
    Decode(DecodeArgs),
    /// Show a WSDL's services, ports and operations, with input/output shapes.
    Inspect(InspectArgs),
    /// Write a mapping file for a WSDL (default: mappings/<wsdl name>.yaml).
    Generate(GenerateArgs),
    /// Download a WSDL and every document it imports into a folder, with a catalog, so that
    /// `generate` works offline (the only command that uses the network).
    Fetch(FetchArgs),
    /// Check mapping files against their WSDLs; exit status 0 only when all compile.
    Check(CheckArgs),
    /// Validate XML documents or SOAP envelopes against a schema (an .xsd, a WSDL's types, or a
    /// mapping's WSDL). Exit status 0 all valid, 1 some invalid, 2 the schema did not load.
    Validate(ValidateArgs),
    /// Print the shell completion script (bash, elvish, fish, powershell, zsh).
    Completions(CompletionsArgs),
    /// Print the manual page (roff), or write it and a page per command with `-o DIR`.
    Man(ManArgs),
}

/// Runs a command; `Ok(false)` means it ran and found problems (exit status 1). A reader that
/// closed standard output before the command wrote all of it is not an error: the command ends
/// quietly, as `head` expects.
pub fn run(cli: Cli) -> anyhow::Result<bool> {
    match dispatch(cli) {
        Err(e) if out::closed_pipe(&e) => Ok(true),
        result => result,
    }
}

fn dispatch(cli: Cli) -> anyhow::Result<bool> {
    match cli.command.unwrap_or(Command::Serve(ServeArgs::default())) {
        Command::Serve(args) => serve::run(args),
        Command::Mock(args) => mock::run(args),
        Command::Openapi(args) => openapi::run(args),
        Command::Envelope(args) => envelope::run(args),
        Command::Decode(args) => decode::run(args),
        Command::Inspect(args) => inspect::run(args),
        Command::Generate(args) => generate::run(args),
        Command::Fetch(args) => fetch::run(args),
        Command::Check(args) => check::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
    }
}
