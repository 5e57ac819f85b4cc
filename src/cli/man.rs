//! `soapbridge man`: the manual page (roff, by `clap_mangen` from the parser's own definitions):
//! `soapbridge.1` on standard output, or with `-o DIR` that page and one per command
//! (`soapbridge-serve.1`, ...) written into DIR.

use std::path::PathBuf;

use anyhow::Context;
use clap::CommandFactory;

/// `man` options.
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write `soapbridge.1` and a page per command into this folder (created if missing).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

pub(super) fn run(args: ManArgs) -> anyhow::Result<bool> {
    let cmd = super::Cli::command();
    match args.output {
        Some(dir) => {
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            clap_mangen::generate_to(cmd, &dir)
                .with_context(|| format!("cannot write the pages into {}", dir.display()))?;
            eprintln!("wrote the manual pages into {}", dir.display());
        }
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(cmd).render(&mut page)?;
            super::out::print(String::from_utf8_lossy(&page))?;
        }
    }
    Ok(true)
}
