//! `soapbridge check`: compiles every mapping file given (or found in the folders given) and
//! reports every problem of each; the exit status is 0 only when all compile.

use std::path::PathBuf;

use anyhow::bail;

use super::files::mapping_files;

/// `check` options.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Mapping files or folders of them (default: mappings/).
    pub mappings: Vec<PathBuf>,
    /// Largest WSDL or XSD document loaded, bytes (default 33554432, 32 MiB).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..), default_value_t = crate::sources::DEFAULT_MAX_DOCUMENT_BYTES)]
    pub max_document_bytes: u64,
}

pub(super) fn run(args: CheckArgs) -> anyhow::Result<bool> {
    let files = mapping_files(args.mappings.clone())?;
    if files.is_empty() {
        bail!("no mapping files (*.yaml) found");
    }
    let mut ok = true;
    for f in files {
        match crate::mapping::compile::compile_file_with(&f, args.max_document_bytes) {
            Ok(c) => {
                println!(
                    "ok {}: {} routes ({}, {})",
                    f.display(),
                    c.routes.len(),
                    c.selection.describe(&c.wsdl),
                    c.soap
                );
            }
            Err(d) => {
                eprintln!("{d}");
                eprintln!("FAILED {}: {} problem(s)", f.display(), d.0.len());
                ok = false;
            }
        }
    }
    Ok(ok)
}
