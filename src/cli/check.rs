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
}

pub(super) fn run(args: CheckArgs) -> anyhow::Result<bool> {
    let files = mapping_files(args.mappings)?;
    if files.is_empty() {
        bail!("no mapping files (*.yaml) found");
    }
    let mut ok = true;
    for f in files {
        match crate::mapping::compile_file(&f) {
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
