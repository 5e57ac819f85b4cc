//! `soapbridge generate`: writes the mapping of a WSDL (its text from
//! [`mapping::generate`](crate::mapping::generate)), proved to compile before it is written;
//! an existing file is kept unless `--force`.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use super::files::{load_options, report};
use crate::mapping::compile::compile_str;
use crate::mapping::generate::{mapping_file, select};

/// `generate` options.
#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// The WSDL file.
    pub wsdl: PathBuf,
    /// Output file; `-` prints to standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// The wsdl:service to map (default: the first with a SOAP port).
    #[arg(long)]
    pub service: Option<String>,
    /// The wsdl:port to map (default: the first SOAP 1.1 port, else SOAP 1.2).
    #[arg(long)]
    pub port: Option<String>,
    /// The wsdl:binding to map, for a WSDL without services.
    #[arg(long)]
    pub binding: Option<String>,
    /// Overwrite an existing mapping file (it may hold reviewed edits).
    #[arg(long)]
    pub force: bool,
    /// Extra folder imports may read from.
    #[arg(long = "allow-path")]
    pub allow_paths: Vec<PathBuf>,
    /// Catalog file: lines `URL = local/file.xsd`.
    #[arg(long)]
    pub catalog: Option<PathBuf>,
}

pub(super) fn run(args: GenerateArgs) -> anyhow::Result<bool> {
    let options = load_options(args.allow_paths, args.catalog.as_deref())?;
    let w = match crate::wsdl::load(&args.wsdl, &options) {
        Ok(w) => w,
        Err(d) => return report(&d),
    };
    let sel = select(
        &w,
        args.service.as_deref(),
        args.port.as_deref(),
        args.binding.as_deref(),
    )
    .map_err(|m| anyhow::anyhow!("{}: {m}", args.wsdl.display()))?;
    let output = args.output.unwrap_or_else(|| default_output(&args.wsdl));
    let to_stdout = output.as_os_str() == "-";
    let out_dir = if to_stdout {
        std::env::current_dir()?
    } else {
        std::path::absolute(&output)?
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    };
    let text = mapping_file(&w, &args.wsdl, sel, &options, &out_dir)?;
    // The generated file must pass `check` as it is: prove it before writing.
    let probe = if to_stdout {
        out_dir.join("generated.yaml")
    } else {
        std::path::absolute(&output)?
    };
    if let Err(d) = compile_str(&probe, &text) {
        eprintln!("{d}");
        bail!(
            "the generated mapping does not compile; this is a soapbridge bug, please report it with the WSDL"
        );
    }
    if to_stdout {
        print!("{text}");
    } else {
        write(&output, &text, args.force)?;
    }
    Ok(true)
}

/// `mappings/<wsdl name>.yaml`.
fn default_output(wsdl: &Path) -> PathBuf {
    let stem = wsdl
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "service".into());
    PathBuf::from("mappings").join(format!("{stem}.yaml"))
}

/// Writes the mapping file (its folder created), unless one exists and `force` is not given.
fn write(output: &Path, text: &str, force: bool) -> anyhow::Result<()> {
    if output.exists() && !force {
        bail!(
            "{} exists and may hold reviewed edits; pass --force to overwrite it, or -o another file",
            output.display()
        );
    }
    if let Some(dir) = output.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(output, text).with_context(|| format!("cannot write {}", output.display()))?;
    let routes = text.matches("\n    route: ").count();
    eprintln!("wrote {} ({routes} routes)", output.display());
    Ok(())
}
