//! `soapbridge check`: compiles every mapping file given (or found in the folders given) and
//! reports every problem of each, and every warning (operations of the WSDL left out, mistakes
//! lenient mode tolerated), then checks the settings' client authentication schemes and TLS
//! (files, hashes, keys, certificates) and the scheme names the mappings use; the exit status is
//! 0 only when all is well. `--strict` makes warnings errors, as a mapping's `strict: true` does.

use std::path::PathBuf;

use anyhow::bail;

use super::files::mapping_files;
use crate::config::Config;
use crate::mapping::route::CompiledMapping;

/// `check` options.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Mapping files or folders of them (default: mappings/).
    pub mappings: Vec<PathBuf>,
    /// Warnings are errors (for CI): operations left out, mistakes tolerated.
    #[arg(long)]
    pub strict: bool,
    /// Settings file whose `auth:` and `tls:` are checked too (default: ./soapbridge.yaml when
    /// it exists).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Largest WSDL or XSD document loaded, bytes (default: the settings' `limits.document_bytes`,
    /// 33554432 = 32 MiB).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_document_bytes: Option<u64>,
}

pub(super) fn run(args: CheckArgs) -> anyhow::Result<bool> {
    let files = mapping_files(args.mappings.clone())?;
    if files.is_empty() {
        bail!("no mapping files (*.yaml) found");
    }
    let config = Config::load(args.config.as_deref()).map_err(|d| anyhow::anyhow!("{d}"))?;
    let mut ok = true;
    let mut compiled = Vec::new();
    for f in files {
        let options = crate::mapping::compile::CompileOptions {
            strict: args.strict,
            max_document_bytes: args
                .max_document_bytes
                .unwrap_or(config.limits.document_bytes),
        };
        match crate::mapping::compile::compile_file_options(&f, options) {
            Ok(c) => {
                let warnings = crate::mapping::compile::warnings(&c);
                for w in &warnings {
                    eprintln!("{w}");
                }
                let noted = match warnings.len() {
                    0 => String::new(),
                    n => format!(", {n} warning(s)"),
                };
                super::out::println(format_args!(
                    "ok {}: {} routes ({}, {}){noted}",
                    f.display(),
                    c.routes.len(),
                    c.selection.describe(&c.wsdl),
                    c.soap
                ))?;
                compiled.push(c);
            }
            Err(d) => {
                eprintln!("{d}");
                let errors = d.0.iter().filter(|p| !p.is_warning()).count();
                eprintln!("FAILED {}: {errors} problem(s)", f.display());
                ok = false;
            }
        }
    }
    let mappings: Vec<&CompiledMapping> = compiled.iter().collect();
    let problems = crate::http::check_settings(&config, &mappings);
    let schemes = config.auth.schemes.0.len();
    if !problems.is_empty() {
        for d in &problems {
            eprintln!("{d}");
        }
        eprintln!(
            "FAILED {}: {} problem(s)",
            config.file.display(),
            problems.len()
        );
        ok = false;
    } else if schemes > 0 || config.tls.enabled() {
        super::out::println(format_args!(
            "ok {}: {schemes} client authentication scheme(s), {}",
            config.file.display(),
            if config.tls.enabled() {
                "HTTPS"
            } else {
                "plain HTTP"
            }
        ))?;
    }
    Ok(ok)
}
