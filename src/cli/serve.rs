//! `soapbridge serve` (the default command): the settings (defaults < `soapbridge.yaml` <
//! environment < these flags), then the server until it is stopped.

use std::path::PathBuf;

use crate::config::Source;

/// `serve` options (defaults < soapbridge.yaml < environment < these).
#[derive(Debug, Default, clap::Args)]
pub struct ServeArgs {
    /// Settings file (default: ./soapbridge.yaml when it exists).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long)]
    pub listen: Option<String>,
    /// Folder of mapping files (default mappings/).
    #[arg(long)]
    pub mappings: Option<PathBuf>,
    /// Mock every mapping whose upstream URL is absent, in-process.
    #[arg(long)]
    pub mock: bool,
    /// Largest WSDL or XSD document loaded, bytes (default 33554432, 32 MiB; `limits.document_bytes`).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_document_bytes: Option<u64>,
}

pub(super) fn run(args: ServeArgs) -> anyhow::Result<bool> {
    let source = Source {
        file: args.config,
        listen: args.listen,
        mappings: args.mappings,
        mock: args.mock,
        max_document_bytes: args.max_document_bytes,
    };
    actix_web::rt::System::new().block_on(crate::http::serve(source))?;
    Ok(true)
}
