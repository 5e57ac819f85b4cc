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
}

pub(super) fn run(args: ServeArgs) -> anyhow::Result<bool> {
    let source = Source {
        file: args.config,
        listen: args.listen,
        mappings: args.mappings,
        mock: args.mock,
    };
    actix_web::rt::System::new().block_on(crate::http::serve(source))?;
    Ok(true)
}
