//! `soapbridge generate`: writes the mapping of a WSDL (its text from
//! [`mapping::generate`](crate::mapping::generate)), proved to compile before it is written;
//! an existing file is kept unless `--force`. The WSDL's warnings are printed; operations a
//! problem leaves out are listed in the mapping as comments. With `--lenient` the mapping says
//! `lenient: true` only when the WSDL needs it; without, a WSDL that only loads leniently says
//! so.

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
    /// Tolerate common mistakes in the WSDL and its schemas (each reported as a warning); the
    /// mapping gets `lenient: true` when the WSDL needs it.
    #[arg(long)]
    pub lenient: bool,
}

pub(super) fn run(args: GenerateArgs) -> anyhow::Result<bool> {
    super::files::input_file(&args.wsdl)?;
    let mut options = load_options(args.allow_paths, args.catalog.as_deref(), args.lenient)?;
    let w = match crate::wsdl::load(&args.wsdl, &options) {
        Ok(w) => w,
        Err(d) => {
            report(&d)?;
            if !options.lenient {
                suggest_lenient(&args.wsdl, &options);
            }
            return Ok(false);
        }
    };
    for warning in &w.warnings {
        eprintln!("{warning}");
    }
    let sel = select(
        &w,
        args.service.as_deref(),
        args.port.as_deref(),
        args.binding.as_deref(),
    )
    .map_err(|m| anyhow::anyhow!("{}: {m}", args.wsdl.display()))?;
    let binding = &w.bindings[sel.binding];
    if binding.operations.is_empty() && w.skipped.iter().any(|s| s.binding == sel.binding) {
        bail!(
            "{}: every operation of binding `{}` is left out (see the warnings above); pick another with --port or --binding, or fix the WSDL",
            args.wsdl.display(),
            binding.name.local
        );
    }
    if options.lenient {
        options.lenient = lenient_needed(&args.wsdl, &options, &w, sel);
    }
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
        super::out::print(&text)?;
    } else {
        write(&output, &text, args.force)?;
    }
    Ok(true)
}

/// Whether the mapping needs `lenient: true`: the WSDL does not load without it, or serves
/// fewer operations of the binding.
fn lenient_needed(
    path: &Path,
    options: &crate::sources::LoadOptions,
    lenient: &crate::wsdl::Wsdl,
    sel: crate::mapping::generate::Selection,
) -> bool {
    let strict = crate::sources::LoadOptions {
        lenient: false,
        ..options.clone()
    };
    let Ok(w) = crate::wsdl::load(path, &strict) else {
        return true;
    };
    let names = |b: &crate::wsdl::Binding| -> Vec<String> {
        b.operations.iter().map(|o| o.name.clone()).collect()
    };
    let chosen = &lenient.bindings[sel.binding];
    match w.bindings.iter().find(|b| b.name == chosen.name) {
        Some(b) => names(b) != names(chosen),
        None => true,
    }
}

/// After a failed load: if lenient mode loads the WSDL, say so.
fn suggest_lenient(path: &Path, options: &crate::sources::LoadOptions) {
    let lenient = crate::sources::LoadOptions {
        lenient: true,
        ..options.clone()
    };
    if let Ok(w) = crate::wsdl::load(path, &lenient) {
        eprintln!(
            "hint: the WSDL loads with --lenient, which tolerates its authors' mistakes ({} warning(s)); run `soapbridge generate --lenient` and review them",
            w.warnings.len()
        );
    }
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
