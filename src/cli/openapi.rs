//! `soapbridge openapi`: the OpenAPI 3.1 document of the mappings' routes (and the settings'
//! client authentication schemes), as JSON or YAML.

use std::path::PathBuf;

use super::files::{mapping_files, service_for};

/// `openapi` options.
#[derive(Debug, clap::Args)]
pub struct OpenapiArgs {
    /// Mapping files or folders (default: mappings/).
    pub mappings: Vec<PathBuf>,
    /// YAML instead of JSON.
    #[arg(long)]
    pub yaml: bool,
    /// Settings file whose client authentication schemes the document declares (default:
    /// ./soapbridge.yaml when it exists).
    #[arg(long)]
    pub config: Option<PathBuf>,
}

pub(super) fn run(args: OpenapiArgs) -> anyhow::Result<bool> {
    let mut services = Vec::new();
    for f in mapping_files(args.mappings)? {
        services.push(service_for(&f)?);
    }
    let config =
        crate::config::Config::load(args.config.as_deref()).map_err(|d| anyhow::anyhow!("{d}"))?;
    if args.yaml {
        super::out::print(crate::http::openapi::yaml(&services, &config.auth)?)?;
    } else {
        let doc = crate::http::openapi::json_pretty(&services, &config.auth);
        super::out::println(format_args!("{}", String::from_utf8_lossy(&doc)))?;
    }
    Ok(true)
}
