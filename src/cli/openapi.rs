//! `soapbridge openapi`: the OpenAPI 3.1 document of the mappings' routes, as JSON or YAML.

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
}

pub(super) fn run(args: OpenapiArgs) -> anyhow::Result<bool> {
    let mut services = Vec::new();
    for f in mapping_files(args.mappings)? {
        services.push(service_for(&f)?);
    }
    let doc = crate::http::openapi::document(&services);
    if args.yaml {
        print!("{}", serde_saphyr::to_string(&doc)?);
    } else {
        println!("{doc:#}");
    }
    Ok(true)
}
