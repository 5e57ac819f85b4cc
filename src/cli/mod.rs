//! The command line: `inspect`, `generate`, `check`.

use std::path::{Path, PathBuf};

pub mod inspect;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};

use crate::diag::Diagnostics;
use crate::mapping::compile::compile_str;
use crate::mapping::generate::{generate, select};
use crate::sources::LoadOptions;

#[derive(Debug, Parser)]
#[command(
    name = "soapbridge",
    version,
    about = "A JSON/REST face for legacy SOAP services"
)]
pub struct Cli {
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the REST routes of every mapping (the default command).
    Serve(ServeArgs),
    /// Answer every operation of a WSDL with schema-valid sample responses.
    Mock {
        /// The WSDL (or a mapping file, to mock exactly the port it serves).
        source: PathBuf,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:9090")]
        listen: String,
        /// Folder of recorded answers, `<Operation>.xml`, served instead of samples.
        #[arg(long)]
        responses: Option<PathBuf>,
        /// Always answer an operation with one of its faults: `Operation=FaultName`.
        #[arg(long = "fault")]
        faults: Vec<String>,
    },
    /// Print the OpenAPI 3.1 document of the mappings' routes.
    Openapi {
        /// Mapping files or folders (default: mappings/).
        mappings: Vec<PathBuf>,
        /// YAML instead of JSON.
        #[arg(long)]
        yaml: bool,
    },
    /// Print the SOAP envelope the bridge would send for a request (dry run).
    Envelope {
        /// The mapping file.
        mapping: PathBuf,
        /// The WSDL operation name.
        operation: String,
        /// The JSON body (a file; `-` for standard input). Omit for none.
        request: Option<PathBuf>,
        /// A path, query or header input: `field=value` (repeatable).
        #[arg(short = 'p', long = "param")]
        params: Vec<String>,
    },
    /// Print the JSON a client would get for an upstream answer (dry run).
    Decode {
        /// The mapping file.
        mapping: PathBuf,
        /// The WSDL operation name.
        operation: String,
        /// The SOAP envelope the upstream answered.
        response: PathBuf,
    },
    /// Show a WSDL's services, ports and operations, with input/output shapes.
    Inspect {
        /// The WSDL file.
        wsdl: PathBuf,
        /// Extra folder imports may read from (default: only the WSDL's folder tree).
        #[arg(long = "allow-path")]
        allow_paths: Vec<PathBuf>,
        /// Catalog file: lines `URL = local/file.xsd` for schemas imported by absolute URL.
        #[arg(long)]
        catalog: Option<PathBuf>,
    },
    /// Write a mapping file for a WSDL (default: mappings/<wsdl name>.yaml).
    Generate {
        /// The WSDL file.
        wsdl: PathBuf,
        /// Output file; `-` prints to standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// The wsdl:service to map (default: the first with a SOAP port).
        #[arg(long)]
        service: Option<String>,
        /// The wsdl:port to map (default: the first SOAP 1.1 port, else SOAP 1.2).
        #[arg(long)]
        port: Option<String>,
        /// The wsdl:binding to map, for a WSDL without services.
        #[arg(long)]
        binding: Option<String>,
        /// Overwrite an existing mapping file (it may hold reviewed edits).
        #[arg(long)]
        force: bool,
        /// Extra folder imports may read from.
        #[arg(long = "allow-path")]
        allow_paths: Vec<PathBuf>,
        /// Catalog file: lines `URL = local/file.xsd`.
        #[arg(long)]
        catalog: Option<PathBuf>,
    },
    /// Check mapping files against their WSDLs; exit status 0 only when all compile.
    Check {
        /// Mapping files or folders of them (default: mappings/).
        mappings: Vec<PathBuf>,
    },
    /// Validate XML documents or SOAP envelopes against a schema (an .xsd, a WSDL's types, or a
    /// mapping's WSDL). Exit status 0 all valid, 1 some invalid, 2 the schema did not load.
    Validate {
        /// `schema.xsd`, `service.wsdl` or `mapping.yaml`.
        schema: PathBuf,
        /// The documents; a SOAP envelope has each Body child checked against the global
        /// element of its name.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Extra folder imports may read from.
        #[arg(long = "allow-path")]
        allow_paths: Vec<PathBuf>,
        /// Catalog file: lines `URL = local/file.xsd`.
        #[arg(long)]
        catalog: Option<PathBuf>,
    },
}

/// `serve` options (defaults < soapbridge.yaml < environment < these).
#[derive(Debug, Default, clap::Args)]
pub struct ServeArgs {
    /// Settings file (default: ./soapbridge.yaml when it exists).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long)]
    pub listen: Option<String>,
    /// Folder of mapping files (default mappings/).
    #[arg(long)]
    pub mappings: Option<PathBuf>,
    /// Mock every mapping whose upstream URL is absent, in-process.
    #[arg(long)]
    pub mock: bool,
}

/// Runs a command; `Ok(false)` means it ran and found problems (exit status 1).
pub fn run(cli: Cli) -> anyhow::Result<bool> {
    match cli.command.unwrap_or(Command::Serve(ServeArgs::default())) {
        Command::Serve(args) => {
            let mut config = crate::config::Config::load(args.config.as_deref())
                .map_err(|d| anyhow::anyhow!("{d}"))?;
            if let Some(l) = args.listen {
                config.listen = l;
            }
            if let Some(m) = args.mappings {
                config.mappings = m;
            }
            config.mock |= args.mock;
            actix_web::rt::System::new().block_on(crate::http::serve(config))?;
            Ok(true)
        }
        Command::Mock {
            source,
            listen,
            responses,
            faults,
        } => {
            let service = service_for(&source)?;
            let mut mock = crate::mock::Mock::new(service);
            mock.responses = responses;
            for f in faults {
                let (op, fault) = f.split_once('=').ok_or_else(|| {
                    anyhow::anyhow!("--fault takes Operation=FaultName, got `{f}`")
                })?;
                mock.forced_faults.insert(op.to_string(), fault.to_string());
            }
            actix_web::rt::System::new().block_on(async move {
                let (server, addr) = crate::http::start_mock(mock, &listen)?;
                eprintln!("mock of {} listening on http://{addr}/", source.display());
                let handle = server.handle();
                actix_web::rt::spawn(async move {
                    let _ = tokio::signal::ctrl_c().await;
                    handle.stop(true).await;
                });
                server.await?;
                anyhow::Ok(())
            })?;
            Ok(true)
        }
        Command::Openapi { mappings, yaml } => {
            let files = mapping_files(if mappings.is_empty() {
                vec![PathBuf::from("mappings")]
            } else {
                mappings
            })?;
            let mut services = Vec::new();
            for f in files {
                services.push(service_for(&f)?);
            }
            let doc = crate::http::openapi::document(&services);
            if yaml {
                print!("{}", serde_saphyr::to_string(&doc)?);
            } else {
                println!("{doc:#}");
            }
            Ok(true)
        }
        Command::Envelope {
            mapping,
            operation,
            request,
            params,
        } => {
            let service = service_for(&mapping)?;
            let op = service
                .operation(&operation)
                .ok_or_else(|| anyhow::anyhow!("the mapping serves no operation `{operation}`"))?;
            let body = match request {
                None => None,
                Some(p) => {
                    let text = if p.as_os_str() == "-" {
                        std::io::read_to_string(std::io::stdin())?
                    } else {
                        std::fs::read_to_string(&p)
                            .with_context(|| format!("cannot read {}", p.display()))?
                    };
                    match serde_json::from_str(&text) {
                        Ok(v) => Some(v),
                        Err(e) => {
                            println!(
                                "{:#}",
                                crate::http::problem::Problem::MalformedJson(format!(
                                    "the body is not valid JSON: {e}"
                                ))
                                .body()
                            );
                            return Ok(false);
                        }
                    }
                }
            };
            let params: Vec<(String, String)> = params
                .iter()
                .filter_map(|p| {
                    p.split_once('=')
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                })
                .collect();
            let param = |s: &crate::mapping::route::InputSource| -> Vec<String> {
                let key = op
                    .route
                    .inputs
                    .iter()
                    .find(|i| &i.source == s)
                    .map(|i| i.key.as_str())
                    .or_else(|| {
                        // A SOAP header field bound to this source takes `-p <field>=...`.
                        op.route
                            .headers
                            .iter()
                            .flat_map(|h| &h.fields)
                            .find(|f| {
                                f.source == crate::mapping::route::HeaderSource::Request(s.clone())
                            })
                            .map(|f| f.key.as_str())
                    })
                    .unwrap_or("");
                params
                    .iter()
                    .filter(|(k, _)| k == key)
                    .map(|(_, v)| v.clone())
                    .collect()
            };
            let result = service.build_request(op, &param, body);
            match result {
                Ok(envelope) => {
                    println!("{}", String::from_utf8_lossy(&envelope));
                    Ok(true)
                }
                Err(errors) => {
                    println!(
                        "{:#}",
                        crate::http::problem::Problem::Invalid(errors).body()
                    );
                    Ok(false)
                }
            }
        }
        Command::Decode {
            mapping,
            operation,
            response,
        } => {
            let service = service_for(&mapping)?;
            let op = service
                .operation(&operation)
                .ok_or_else(|| anyhow::anyhow!("the mapping serves no operation `{operation}`"))?;
            let bytes = std::fs::read(&response)
                .with_context(|| format!("cannot read {}", response.display()))?;
            let answer =
                service.read_answer(op, 200, "", &bytes, crate::config::Limits::default().xml());
            match answer.map(|a| a.outcome) {
                Ok(crate::convert::operation::Outcome::Ok(text)) => {
                    let v: serde_json::Value = serde_json::from_str(&text)?;
                    println!("{v:#}");
                    Ok(true)
                }
                Ok(crate::convert::operation::Outcome::Fault {
                    status,
                    fault,
                    message,
                }) => {
                    println!(
                        "{:#}",
                        crate::http::problem::Problem::Fault {
                            status,
                            message,
                            fault
                        }
                        .body()
                    );
                    Ok(true)
                }
                Err(crate::convert::error::AnswerError::NotText(e)) => {
                    Err(anyhow::anyhow!("{}: {e}", response.display()))
                }
                Err(why) => {
                    eprintln!("{}: {why}", response.display());
                    println!(
                        "{:#}",
                        crate::http::problem::Problem::BadGateway(
                            "the legacy service's answer does not match its contract"
                        )
                        .body()
                    );
                    Ok(false)
                }
            }
        }
        Command::Inspect {
            wsdl,
            allow_paths,
            catalog,
        } => {
            let options = load_options(allow_paths, catalog.as_deref())?;
            match crate::wsdl::load(&wsdl, &options) {
                Ok(w) => {
                    print!("{}", inspect::render(&w));
                    Ok(true)
                }
                Err(d) => report(&d),
            }
        }
        Command::Generate {
            wsdl,
            output,
            service,
            port,
            binding,
            force,
            allow_paths,
            catalog,
        } => {
            let options = load_options(allow_paths, catalog.as_deref())?;
            let w = match crate::wsdl::load(&wsdl, &options) {
                Ok(w) => w,
                Err(d) => return report(&d),
            };
            let sel = select(&w, service.as_deref(), port.as_deref(), binding.as_deref())
                .map_err(|m| anyhow::anyhow!("{}: {m}", wsdl.display()))?;
            let output = output.unwrap_or_else(|| {
                let stem = wsdl
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "service".into());
                PathBuf::from("mappings").join(format!("{stem}.yaml"))
            });
            let to_stdout = output.as_os_str() == "-";
            let out_dir = if to_stdout {
                std::env::current_dir()?
            } else {
                std::path::absolute(&output)?
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or_default()
            };
            let wsdl_ref = relative(&std::path::absolute(&wsdl)?, &out_dir);
            let mut text = generate(&w, &wsdl_ref, sel);
            if !options.allow_paths.is_empty() {
                text.push_str("allow_paths:\n");
                for p in &options.allow_paths {
                    text.push_str(&format!(
                        "  - {}\n",
                        crate::mapping::generate::yaml_str(&relative(
                            &std::path::absolute(p)?,
                            &out_dir
                        ))
                    ));
                }
            }
            if catalog.is_some() {
                text.push_str("catalog:\n");
                let mut entries: Vec<_> = options.catalog.iter().collect();
                entries.sort();
                for (url, local) in entries {
                    text.push_str(&format!(
                        "  {}: {}\n",
                        crate::mapping::generate::yaml_str(url),
                        crate::mapping::generate::yaml_str(&relative(
                            &std::path::absolute(local)?,
                            &out_dir
                        ))
                    ));
                }
            }
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
                if output.exists() && !force {
                    bail!(
                        "{} exists and may hold reviewed edits; pass --force to overwrite it, or -o another file",
                        output.display()
                    );
                }
                if let Some(dir) = output.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)
                        .with_context(|| format!("cannot create {}", dir.display()))?;
                }
                std::fs::write(&output, &text)
                    .with_context(|| format!("cannot write {}", output.display()))?;
                let routes = text.matches("\n    route: ").count();
                eprintln!("wrote {} ({routes} routes)", output.display());
            }
            Ok(true)
        }
        Command::Validate {
            schema,
            files,
            allow_paths,
            catalog,
        } => {
            let options = load_options(allow_paths, catalog.as_deref())?;
            validate_files(&schema, &files, &options)
        }
        Command::Check { mappings } => {
            let files = mapping_files(if mappings.is_empty() {
                vec![PathBuf::from("mappings")]
            } else {
                mappings
            })?;
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
    }
}

/// `soapbridge validate`: loads the schema (an error when it does not load: exit status 2), then
/// prints every violation in every file as `file:line:col: path: message`.
fn validate_files(schema: &Path, files: &[PathBuf], options: &LoadOptions) -> anyhow::Result<bool> {
    let ext = schema
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    /// Where the schema came from: a WSDL's types (also a mapping's WSDL) or a schema file.
    enum Loaded {
        Wsdl(std::sync::Arc<crate::wsdl::model::Wsdl>),
        Xsd(Box<crate::xsd::Schema>),
    }
    let failed = |d: Diagnostics| anyhow::anyhow!("the schema did not load:\n{d}");
    let loaded = match ext.as_str() {
        "yaml" | "yml" => Loaded::Wsdl(crate::mapping::compile_file(schema).map_err(failed)?.wsdl),
        "wsdl" => Loaded::Wsdl(std::sync::Arc::new(
            crate::wsdl::load(schema, options).map_err(failed)?,
        )),
        _ => Loaded::Xsd(Box::new(
            crate::xsd::load::load(schema, options).map_err(failed)?,
        )),
    };
    let schema_set = match &loaded {
        Loaded::Wsdl(w) => &w.schema,
        Loaded::Xsd(s) => s,
    };
    let validator = crate::xsd::validate::Validator::new(schema_set);
    let mut all_valid = true;
    for f in files {
        let problems = validate_file(&validator, f);
        if !problems.is_empty() {
            all_valid = false;
            for p in &problems {
                println!("{p}");
            }
        }
    }
    Ok(all_valid)
}

/// The violations in one document, as printed lines.
fn validate_file(v: &crate::xsd::validate::Validator, file: &Path) -> Vec<String> {
    use crate::diag::line_col;
    const ENVELOPES: [&str; 2] = [
        "http://schemas.xmlsoap.org/soap/envelope/",
        "http://www.w3.org/2003/05/soap-envelope",
    ];
    let shown = file.display();
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => return vec![format!("{shown}: cannot read: {e}")],
    };
    let text = match crate::soap::decode_text(&bytes, "") {
        Ok(t) => t,
        Err(e) => return vec![format!("{shown}: {e}")],
    };
    let doc = match roxmltree::Document::parse_with_options(&text, crate::xml::parse_options()) {
        Ok(d) => d,
        Err(e) => {
            let p = e.pos();
            return vec![format!(
                "{shown}:{}:{}: not well-formed XML: {e}",
                p.row, p.col
            )];
        }
    };
    let root = doc.root_element();
    let is_envelope = root.tag_name().name() == "Envelope"
        && root
            .tag_name()
            .namespace()
            .is_some_and(|n| ENVELOPES.contains(&n));
    let mut violations = Vec::new();
    if is_envelope {
        let body = root
            .children()
            .find(|c| c.is_element() && c.tag_name().name() == "Body");
        let Some(body) = body else {
            let (l, c) = line_col(&text, root.range().start);
            return vec![format!(
                "{shown}:{l}:{c}: /Envelope: the envelope has no Body"
            )];
        };
        for child in body.children().filter(|c| c.is_element()) {
            let q = crate::xsd::QName::new(
                child.tag_name().namespace().unwrap_or(""),
                child.tag_name().name(),
            );
            match v.schema().global_elements.get(&q) {
                Some(&e) => violations.extend(v.validate_element(child, e)),
                None => violations.push(crate::xsd::validate::Violation {
                    offset: child.range().start,
                    path: crate::xsd::validate::path_of(child),
                    rule: "declaration",
                    message: format!("no global element declaration for {q}"),
                }),
            }
        }
    } else {
        violations = v.validate_root(&doc);
    }
    violations
        .iter()
        .map(|x| {
            let (l, c) = line_col(&text, x.offset);
            format!("{shown}:{l}:{c}: {}: {}", x.path, x.message)
        })
        .collect()
}

/// The compiled service of a mapping file, or of a WSDL (through its generated mapping).
fn service_for(
    path: &Path,
) -> anyhow::Result<std::sync::Arc<crate::convert::operation::ServicePlan>> {
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
    Ok(std::sync::Arc::new(
        crate::convert::operation::ServicePlan::new(std::sync::Arc::new(compiled)),
    ))
}

fn report(d: &Diagnostics) -> anyhow::Result<bool> {
    eprintln!("{d}");
    Ok(false)
}

fn load_options(allow_paths: Vec<PathBuf>, catalog: Option<&Path>) -> anyhow::Result<LoadOptions> {
    let mut options = LoadOptions {
        allow_paths,
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

/// `*.yaml` / `*.yml` files among the arguments, folders expanded (sorted).
fn mapping_files(args: Vec<PathBuf>) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for a in args {
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

/// `target` relative to the folder `from`, with `/` separators (both absolute).
pub fn relative(target: &Path, from: &Path) -> String {
    let norm = |p: &Path| -> Vec<String> {
        let mut v: Vec<String> = Vec::new();
        for c in p.components() {
            match c {
                std::path::Component::ParentDir => {
                    v.pop();
                }
                std::path::Component::CurDir => {}
                c => v.push(c.as_os_str().to_string_lossy().into_owned()),
            }
        }
        v
    };
    let t = norm(target);
    let f = norm(from);
    let common = t.iter().zip(&f).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = std::iter::repeat_n("..".to_string(), f.len() - common).collect();
    parts.extend(t[common..].iter().cloned());
    parts.join("/")
}
