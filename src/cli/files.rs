//! What several commands read: the mapping files among their arguments, the compiled service of
//! a mapping (or of a WSDL, through its generated mapping), and the load options of
//! `--allow-path`, `--catalog` and `--lenient`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};

use crate::convert::operation::ServicePlan;
use crate::diag::Diagnostics;
use crate::mapping::compile::compile_str;
use crate::mapping::generate::{generate, relative, select};
use crate::sources::LoadOptions;

/// The compiled service of a mapping file, or of a WSDL (through its generated mapping).
pub(super) fn service_for(path: &Path) -> anyhow::Result<Arc<ServicePlan>> {
    plan_for(path).map(Arc::new)
}

/// [`service_for`], not yet shared: for a command that adjusts it first.
pub(super) fn plan_for(path: &Path) -> anyhow::Result<ServicePlan> {
    let is_mapping = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
    let compiled = if is_mapping {
        crate::mapping::compile_file(path).map_err(|d| anyhow::anyhow!("{d}"))?
    } else {
        let w =
            crate::wsdl::load(path, &LoadOptions::default()).map_err(|d| anyhow::anyhow!("{d}"))?;
        let sel =
            select(&w, None, None, None).map_err(|m| anyhow::anyhow!("{}: {m}", path.display()))?;
        let abs = std::path::absolute(path)?;
        let dir = abs.parent().map(Path::to_path_buf).unwrap_or_default();
        let text = generate(&w, &relative(&abs, &dir), sel);
        compile_str(&dir.join("generated.yaml"), &text).map_err(|d| anyhow::anyhow!("{d}"))?
    };
    Ok(ServicePlan::new(Arc::new(compiled)))
}

/// A WSDL or schema named on the command line, before it is read: a URL, or a file that does
/// not exist or is a folder, is a usage error (exit status 2), not a problem of its content.
pub(super) fn input_file(path: &Path) -> anyhow::Result<()> {
    let named = path.to_string_lossy();
    if named.starts_with("http://") || named.starts_with("https://") {
        bail!(
            "{named}: soapbridge reads WSDL and schema files, not URLs\n  hint: download the \
             document and the documents it imports into a folder, then name the local file"
        );
    }
    let meta =
        std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    if meta.is_dir() {
        bail!("{} is a folder, not a file", path.display());
    }
    Ok(())
}

/// Prints a file's problems; the command ran and found them (exit status 1).
pub(super) fn report(d: &Diagnostics) -> anyhow::Result<bool> {
    eprintln!("{d}");
    Ok(false)
}

/// `--allow-path`, `--catalog` and `--lenient`: a catalog file holds lines
/// `URL = local/file.xsd`, the local files relative to the catalog.
pub(super) fn load_options(
    allow_paths: Vec<PathBuf>,
    catalog: Option<&Path>,
    lenient: bool,
) -> anyhow::Result<LoadOptions> {
    let mut options = LoadOptions {
        allow_paths,
        lenient,
        ..LoadOptions::default()
    };
    if let Some(file) = catalog {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read catalog {}", file.display()))?;
        let dir = file.parent().unwrap_or(Path::new(""));
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((url, local)) = line.rsplit_once(" = ") else {
                bail!(
                    "{}:{}: expected `URL = local/file.xsd`",
                    file.display(),
                    i + 1
                );
            };
            options.catalog.insert(
                url.trim().to_string(),
                std::path::absolute(dir.join(local.trim()))?,
            );
        }
    }
    Ok(options)
}

/// `*.yaml` / `*.yml` files among the arguments (`mappings/` when there are none), folders
/// expanded (sorted). One that does not exist is a usage error (exit status 2).
pub(super) fn mapping_files(args: Vec<PathBuf>) -> anyhow::Result<Vec<PathBuf>> {
    if args.is_empty() && !Path::new("mappings").exists() {
        bail!(
            "no mappings/ folder here\n  hint: write one with `soapbridge generate wsdl/NAME.wsdl`, \
             or name the mapping files or folders"
        );
    }
    let args = if args.is_empty() {
        vec![PathBuf::from("mappings")]
    } else {
        args
    };
    let mut out = Vec::new();
    for a in args {
        if !a.exists() {
            bail!("{}: no such file or folder", a.display());
        }
        if a.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(&a)
                .with_context(|| format!("cannot read {}", a.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
                .collect();
            entries.sort();
            out.extend(entries);
        } else {
            out.push(a);
        }
    }
    Ok(out)
}
