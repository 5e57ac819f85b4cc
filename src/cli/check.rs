//! `soapbridge check`: compiles every mapping file given (or found in the folders given) and
//! reports every problem of each, and every warning (operations of the WSDL left out, mistakes
//! lenient mode tolerated); the exit status is 0 only when all compile. `--strict` makes
//! warnings errors, as a mapping's `strict: true` does.

use std::path::PathBuf;

use anyhow::bail;

use super::files::mapping_files;

/// `check` options.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Mapping files or folders of them (default: mappings/).
    pub mappings: Vec<PathBuf>,
    /// Warnings are errors (for CI): operations left out, mistakes tolerated.
    #[arg(long)]
    pub strict: bool,
}

pub(super) fn run(args: CheckArgs) -> anyhow::Result<bool> {
    let files = mapping_files(args.mappings)?;
    if files.is_empty() {
        bail!("no mapping files (*.yaml) found");
    }
    let mut ok = true;
    for f in files {
        match crate::mapping::compile::compile_file_with(&f, args.strict) {
            Ok(c) => {
                let warnings = crate::mapping::compile::warnings(&c);
                for w in &warnings {
                    eprintln!("{w}");
                }
                let noted = match warnings.len() {
                    0 => String::new(),
                    n => format!(", {n} warning(s)"),
                };
                println!(
                    "ok {}: {} routes ({}, {}){noted}",
                    f.display(),
                    c.routes.len(),
                    c.selection.describe(&c.wsdl),
                    c.soap
                );
            }
            Err(d) => {
                eprintln!("{d}");
                let errors = d.0.iter().filter(|p| !p.is_warning()).count();
                eprintln!("FAILED {}: {errors} problem(s)", f.display());
                ok = false;
            }
        }
    }
    Ok(ok)
}
