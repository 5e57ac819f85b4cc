//! WSDL model -> a mapping file an integrator can review (deterministic: same WSDL, same bytes).
//!
//! The binding is chosen by [`select`]; each operation's route comes from `draft`
//! (its verb, noun and identifier inputs), its answer from its output fields, its faults' statuses
//! from their names.

use std::fmt::Write;
use std::path::{Component, Path};

pub use super::draft::normalize;
use super::draft::{OperationInput, RouteDraft, routes};
use super::naming::{Naming, header_case, json_keys, kebab};
use crate::mapping::shape::{Field, element_fields, shape, type_fields};
use crate::sources::LoadOptions;
use crate::wsdl::{SoapVersion, Wsdl, shown_names};
use crate::xsd::{Schema, TypeKind};

/// What a mapping serves: a SOAP binding, reached through a service port when the WSDL has one.
#[derive(Debug, Clone, Copy)]
pub struct Selection {
    /// (service, port) indices; `None` for a WSDL that declares bindings but no service
    /// (ONVIF's specifications, for one), where the mapping must give the upstream URL.
    pub port: Option<(usize, usize)>,
    pub binding: usize,
}

impl Selection {
    /// `service/port`, or `binding` when there is no port.
    pub fn describe(&self, wsdl: &Wsdl) -> String {
        match self.port {
            Some((s, p)) => format!(
                "service {}, port {}",
                wsdl.services[s].name, wsdl.services[s].ports[p].name
            ),
            None => format!("binding {}", wsdl.bindings[self.binding].name.local),
        }
    }
}

/// Why no SOAP binding could be selected for a mapping.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectError {
    /// Is raised when a binding is named together with a service or port.
    #[error("give either `binding:` or `service:`/`port:`, not both")]
    BindingAndPort,
    /// Is raised when the named binding is not SOAP 1.1 or 1.2.
    #[error("binding `{0}` is not a SOAP 1.1 or 1.2 binding")]
    NotSoapBinding(String),
    /// Is raised when no binding has the given name; `known` lists the WSDL's.
    #[error("no binding `{name}` in the WSDL (it has: {known})")]
    NoBinding { name: String, known: String },
    /// Is raised when no service has the given name; `known` lists the WSDL's.
    #[error("no service `{name}` in the WSDL (it has: {known})")]
    NoService { name: String, known: String },
    /// Is raised when the named port is not bound to SOAP 1.1 or 1.2.
    #[error("port `{0}` is not bound to SOAP 1.1 or 1.2 (an HTTP binding?)")]
    NotSoapPort(String),
    /// Is raised when the service has no port of the given name; `known` lists its ports.
    #[error("no port `{name}` in service `{service}` (it has: {known})")]
    NoPort {
        name: String,
        service: String,
        known: String,
    },
    /// Is raised when a WSDL without services declares no SOAP binding either.
    #[error("the WSDL has no service and no SOAP binding, so there is nothing to call")]
    NothingToCall,
    /// Is raised when no service (of those considered) has a SOAP 1.1 or 1.2 port.
    #[error("no service in the WSDL has a SOAP 1.1 or SOAP 1.2 port")]
    NoSoapPort,
    /// Is raised when no service has a SOAP port but the WSDL declares SOAP bindings (its ports
    /// name missing bindings, or it has none); `bindings` lists them, `first` is one to offer.
    #[error(
        "no service in the WSDL has a SOAP 1.1 or SOAP 1.2 port, but it declares the SOAP bindings {bindings}: serve one with `--binding {first}` (`binding:` in the mapping)"
    )]
    OnlyBindings { bindings: String, first: String },
    /// Is raised when every binding of the WSDL is an HTTP (or other non-SOAP) binding;
    /// `found` lists its ports, or its bindings when it has no port.
    #[error(
        "the WSDL has only HTTP (non-SOAP) bindings: {found}; soapbridge calls SOAP 1.1 and 1.2 services"
    )]
    OnlyHttp { found: String },
}

/// Why [`select`] found nothing to call by default, with what the WSDL has instead.
fn nothing_soap(wsdl: &Wsdl, services: bool) -> SelectError {
    let names = shown_names(wsdl.bindings.iter().map(|b| &b.name));
    let soap: Vec<usize> = (0..wsdl.bindings.len())
        .filter(|&b| wsdl.bindings[b].soap.is_some())
        .collect();
    if let Some(&first) = soap.first() {
        let listed: Vec<String> = soap
            .iter()
            .map(|&b| format!("{} ({})", names[b], wsdl.bindings[b].kind()))
            .collect();
        return SelectError::OnlyBindings {
            bindings: listed.join(", "),
            first: names[first].clone(),
        };
    }
    if wsdl.bindings.is_empty() {
        return if services {
            SelectError::NoSoapPort
        } else {
            SelectError::NothingToCall
        };
    }
    let ports: Vec<String> = wsdl
        .services
        .iter()
        .flat_map(|s| {
            s.ports.iter().map(move |p| {
                format!(
                    "port {}/{} ({})",
                    s.name,
                    p.name,
                    wsdl.bindings[p.binding].kind()
                )
            })
        })
        .collect();
    let found = if ports.is_empty() {
        names
            .iter()
            .zip(&wsdl.bindings)
            .map(|(n, b)| format!("binding {n} ({})", b.kind()))
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        ports.join(", ")
    };
    SelectError::OnlyHttp { found }
}

/// Picks a service and port by name, or a binding when the WSDL has no service; or the
/// defaults: the first service with a SOAP port, and in it the first SOAP 1.1 port, else the
/// first SOAP 1.2 port; without services, the first SOAP 1.1 (else 1.2) binding.
pub fn select(
    wsdl: &Wsdl,
    service: Option<&str>,
    port: Option<&str>,
    binding: Option<&str>,
) -> Result<Selection, SelectError> {
    let soap = |si: usize, pi: usize| wsdl.bindings[wsdl.services[si].ports[pi].binding].soap;
    if let Some(name) = binding {
        if service.is_some() || port.is_some() {
            return Err(SelectError::BindingAndPort);
        }
        let named = |b: &&crate::wsdl::Binding| b.name.local == name || b.name.to_string() == name;
        return match wsdl.bindings.iter().position(|b| named(&b)) {
            Some(b) if wsdl.bindings[b].soap.is_some() => Ok(Selection {
                port: None,
                binding: b,
            }),
            Some(_) => Err(SelectError::NotSoapBinding(name.to_string())),
            None => {
                let names = shown_names(wsdl.bindings.iter().map(|b| &b.name));
                Err(SelectError::NoBinding {
                    name: name.to_string(),
                    known: names.join(", "),
                })
            }
        };
    }
    let services: Vec<usize> = match service {
        Some(name) => match wsdl.services.iter().position(|s| s.name == name) {
            Some(i) => vec![i],
            None => {
                let names: Vec<&str> = wsdl.services.iter().map(|s| s.name.as_str()).collect();
                return Err(SelectError::NoService {
                    name: name.to_string(),
                    known: names.join(", "),
                });
            }
        },
        None => (0..wsdl.services.len()).collect(),
    };
    for si in services.iter().copied() {
        let ports = &wsdl.services[si].ports;
        let found = |pi: usize| Selection {
            port: Some((si, pi)),
            binding: ports[pi].binding,
        };
        if let Some(name) = port {
            return match ports.iter().position(|p| p.name == name) {
                Some(pi) if soap(si, pi).is_some() => Ok(found(pi)),
                Some(_) => Err(SelectError::NotSoapPort(name.to_string())),
                None => {
                    let names: Vec<&str> = ports.iter().map(|p| p.name.as_str()).collect();
                    Err(SelectError::NoPort {
                        name: name.to_string(),
                        service: wsdl.services[si].name.clone(),
                        known: names.join(", "),
                    })
                }
            };
        }
        let pick = (0..ports.len())
            .find(|&pi| soap(si, pi) == Some(SoapVersion::V11))
            .or_else(|| (0..ports.len()).find(|&pi| soap(si, pi) == Some(SoapVersion::V12)));
        if let Some(pi) = pick {
            return Ok(found(pi));
        }
    }
    if wsdl.services.is_empty() && port.is_none() && service.is_none() {
        let pick = (0..wsdl.bindings.len())
            .find(|&b| wsdl.bindings[b].soap == Some(SoapVersion::V11))
            .or_else(|| {
                (0..wsdl.bindings.len()).find(|&b| wsdl.bindings[b].soap == Some(SoapVersion::V12))
            });
        return pick
            .map(|b| Selection {
                port: None,
                binding: b,
            })
            .ok_or_else(|| nothing_soap(wsdl, false));
    }
    if port.is_none() && service.is_none() {
        return Err(nothing_soap(wsdl, true));
    }
    Err(SelectError::NoSoapPort)
}

/// What `generate` answers with: the only output field (an element), a single value (or a
/// list of them) under a key of its own, never bare: the created resource's `id`, `result` for a
/// `...Result`/`...Response`/`...Return`, else the field's own key.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Selected {
    /// The output field's key.
    field: String,
    /// The key the value is answered under.
    key: Option<String>,
    /// The top-level keys of the answer (none when it is a list).
    keys: Vec<String>,
}

/// The answer of an operation returning `output`; `creates` when its route answers 201.
fn response(schema: &Schema, output: &[Field], naming: Naming, creates: bool) -> Option<Selected> {
    let [f] = output else {
        return None;
    };
    if f.attribute {
        return None;
    }
    let field = json_keys(naming, &[(f.name.as_str(), false)]).remove(0);
    if !matches!(schema.ty(f.type_id).kind, TypeKind::Simple(_)) {
        let keys = if f.max.is_many() {
            Vec::new()
        } else {
            let fields = type_fields(schema, f.type_id);
            let names: Vec<(&str, bool)> = fields
                .iter()
                .map(|f| (f.name.as_str(), f.attribute))
                .collect();
            json_keys(naming, &names)
        };
        return Some(Selected {
            field,
            key: None,
            keys,
        });
    }
    let lower = f.name.to_ascii_lowercase();
    let key = if creates && !f.max.is_many() {
        "id".to_string()
    } else if ["result", "response", "return"]
        .iter()
        .any(|s| lower.ends_with(s))
    {
        "result".to_string()
    } else {
        field.clone()
    };
    Some(Selected {
        field,
        keys: vec![key.clone()],
        key: Some(key),
    })
}

/// The GET route that reads what the route `d` creates (`POST /customers` ->
/// `GET /customers/{id}`), filled from the answer's keys: `created.location`.
fn location(d: &RouteDraft, answer: Option<&Selected>, drafts: &[RouteDraft]) -> Option<String> {
    let answer = answer?;
    if d.status != Some(201) {
        return None;
    }
    let prefix = format!("{}/{{", d.path);
    drafts.iter().find_map(|g| {
        let param = g.path.strip_prefix(&prefix)?.strip_suffix('}')?;
        if g.method != "GET" || param.contains(['/', '{', '}']) {
            return None;
        }
        let key = if answer.keys.iter().any(|k| k == param) {
            param
        } else if answer.keys == ["id"] {
            "id"
        } else {
            return None;
        };
        Some(format!("GET {}/{{{key}}}", d.path))
    })
}

/// Fault name heuristics: NotFound -> 404, validation -> 400, permission -> 403, conflict -> 409.
fn fault_status(name: &str) -> Option<u16> {
    let l = name.to_ascii_lowercase();
    if l.contains("notfound")
        || l.contains("not_found")
        || l.contains("unknown")
        || l.contains("nosuch")
    {
        Some(404)
    } else if l.contains("valid")
        || l.contains("argument")
        || l.contains("malformed")
        || l.contains("badrequest")
    {
        Some(400)
    } else if l.contains("denied")
        || l.contains("permission")
        || l.contains("forbidden")
        || l.contains("unauthori")
    {
        Some(403)
    } else if l.contains("conflict") || l.contains("duplicate") || l.contains("alreadyexists") {
        Some(409)
    } else {
        None
    }
}

/// Quotes a YAML scalar unless it is plainly safe.
fn yaml_str(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || " _./{}-$:".contains(c))
        && s.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '/' || c == '_' || c == '.')
        && !s.ends_with(' ')
        && !s.contains(": ")
        && !s.contains(" #")
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n"
        )
        && s.parse::<f64>().is_err();
    if plain {
        s.to_string()
    } else {
        serde_json::to_string(s).unwrap_or_default()
    }
}

/// Writes the mapping file for one service/port of a WSDL.
pub fn generate(wsdl: &Wsdl, wsdl_ref: &str, sel: Selection) -> String {
    let naming = Naming::CamelCase;
    let binding = &wsdl.bindings[sel.binding];
    let pt = &wsdl.port_types[binding.port_type];
    let version = binding.soap.map_or("?".to_string(), |v| v.to_string());
    let mut y = String::new();
    let _ = writeln!(
        y,
        "# soapbridge mapping, generated by `soapbridge generate` {} from {wsdl_ref}",
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(
        y,
        "# ({}, {version}). Review and edit it; `soapbridge check` validates it.",
        sel.describe(wsdl)
    );
    let (name, address) = port_lines(wsdl, &sel, binding, wsdl_ref, &mut y);
    let base = upstream_lines(&name, address, &mut y);
    let shapes: Vec<(Vec<Field>, Vec<Field>)> = binding
        .operations
        .iter()
        .map(|bop| {
            let op = &pt.operations[bop.operation];
            (
                shape(wsdl, bop.style, &bop.input, op.input).fields,
                shape(wsdl, bop.style, &bop.output, op.output).fields,
            )
        })
        .collect();
    let ops: Vec<OperationInput> = binding
        .operations
        .iter()
        .zip(&shapes)
        .map(|(bop, (input, _))| OperationInput {
            name: &pt.operations[bop.operation].name,
            input,
        })
        .collect();
    let (base_path, drafts) = routes(&wsdl.schema, &ops, naming, &base);
    let _ = writeln!(y, "base_path: {base_path}");
    let _ = writeln!(y, "naming: {}", naming.as_str());
    y.push_str("# List wrappers (a type that is one repeated element, e.g. ArrayOfX) as JSON arrays;\n# `{ default: true, except: [ArrayOfX] }` keeps the named ones as objects.\nunwrap_lists: true\n");
    let _ = writeln!(
        y,
        "# Answers checked against the WSDL's schema: strict (502), warn (logged, counted), off."
    );
    let _ = writeln!(y, "validate_answers: warn");
    headers(wsdl, binding, naming, &mut y);
    let _ = writeln!(y, "operations:");
    for ((bop, d), (_, output)) in binding.operations.iter().zip(&drafts).zip(&shapes) {
        operation_lines(
            wsdl,
            &pt.operations[bop.operation],
            d,
            &drafts,
            output,
            naming,
            &mut y,
        );
    }
    left_out(wsdl, wsdl_ref, sel, &mut y);
    y
}

/// The lines naming the WSDL, the service and port (or the binding), and the other ports; the
/// service's name and the port's address.
fn port_lines(
    wsdl: &Wsdl,
    sel: &Selection,
    binding: &crate::wsdl::Binding,
    wsdl_ref: &str,
    y: &mut String,
) -> (String, Option<String>) {
    let mine = sel.port.map(|(s, p)| {
        format!(
            "{}/{}",
            wsdl.services[s].name, wsdl.services[s].ports[p].name
        )
    });
    let others: Vec<String> = wsdl
        .services
        .iter()
        .flat_map(|s| {
            s.ports
                .iter()
                .map(move |p| format!("{}/{}", s.name, p.name))
        })
        .filter(|n| Some(n) != mine.as_ref())
        .collect();
    if !others.is_empty() {
        let _ = writeln!(y, "# Other ports in the WSDL: {}.", others.join(", "));
    }
    let _ = writeln!(y, "wsdl: {}", yaml_str(wsdl_ref));
    let (name, address) = match sel.port {
        Some((s, p)) => {
            let service = &wsdl.services[s];
            let _ = writeln!(y, "service: {}", yaml_str(&service.name));
            let _ = writeln!(y, "port: {}", yaml_str(&service.ports[p].name));
            (service.name.clone(), service.ports[p].address.clone())
        }
        None => {
            let _ = writeln!(y, "binding: {}", yaml_str(&binding.name.local));
            (
                binding.name.local.trim_end_matches("Binding").to_string(),
                None,
            )
        }
    };
    (name, address)
}

/// The `upstream:` lines (the URL from a variable named after the service); the service's
/// name in kebab case, the base of its routes.
fn upstream_lines(name: &str, address: Option<String>, y: &mut String) -> String {
    let mut base = kebab(name);
    for suffix in [
        "-web-service",
        "-service",
        "-services",
        "-soap",
        "-ws",
        "-binding",
    ] {
        if base.len() > suffix.len() && base.ends_with(suffix) {
            base.truncate(base.len() - suffix.len());
            break;
        }
    }
    // The URL comes from the environment: the WSDL's address is usually a developer's machine,
    // and `serve --mock` stands in for the service while the variable is unset.
    let var: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect::<String>()
        + "_URL";
    let _ = writeln!(y, "upstream:");
    match address.filter(|a| a.starts_with("http://") || a.starts_with("https://")) {
        Some(a) => {
            let _ = writeln!(y, "  # The WSDL's soap:address is {a}");
        }
        None => {
            let _ = writeln!(y, "  # The WSDL gives no address for this binding.");
        }
    }
    let _ = writeln!(y, "  url: ${{{var}}}\n  timeout: 30s");
    upstream_security(var.trim_end_matches("_URL"), y);
    base
}

/// One operation's lines under `operations:`.
fn operation_lines(
    wsdl: &Wsdl,
    op: &crate::wsdl::Operation,
    d: &RouteDraft,
    drafts: &[RouteDraft],
    output: &[Field],
    naming: Naming,
    y: &mut String,
) {
    let response = response(&wsdl.schema, output, naming, d.status == Some(201));
    let created = location(d, response.as_ref(), drafts);
    if let Some(doc) = &op.documentation {
        let short: String = doc.chars().take(110).collect();
        let _ = writeln!(
            y,
            "  # {}{}",
            short,
            if short.len() < doc.len() { "..." } else { "" }
        );
    }
    let _ = writeln!(y, "  {}:", yaml_str(&op.name));
    if let Some(note) = &d.note {
        let _ = writeln!(y, "    # {note}");
    }
    let _ = writeln!(
        y,
        "    route: {}",
        yaml_str(&format!("{} {}", d.method, d.path))
    );
    if !d.request.is_empty() {
        let _ = writeln!(y, "    request:");
        for (k, v) in &d.request {
            let _ = writeln!(y, "      {}: {}", yaml_str(k), yaml_str(v));
        }
    }
    match &response {
        Some(Selected {
            field,
            key: Some(k),
            ..
        }) => {
            let _ = writeln!(
                y,
                "    response: {{ {}: {} }}",
                yaml_str(k),
                yaml_str(field)
            );
        }
        Some(r) => {
            let _ = writeln!(y, "    response: {}", yaml_str(&r.field));
        }
        None => {}
    }
    if let Some(s) = d.status {
        let _ = writeln!(y, "    status: {s}");
    }
    if let Some(l) = created {
        let _ = writeln!(y, "    created:\n      location: {}", yaml_str(&l));
    }
    let faults: Vec<(&str, u16)> = op
        .faults
        .iter()
        .filter_map(|(n, _)| fault_status(n).map(|s| (n.as_str(), s)))
        .collect();
    if !faults.is_empty() {
        let _ = writeln!(y, "    faults:");
        for (n, s) in faults {
            let _ = writeln!(y, "      {}: {s}", yaml_str(n));
        }
    }
}

/// The operations of the binding that the WSDL's problems leave out, as comments under
/// `operations:`, each with the problem and where it is (relative to the mapping's folder).
fn left_out(wsdl: &Wsdl, wsdl_ref: &str, sel: Selection, y: &mut String) {
    let skipped: Vec<_> = wsdl
        .skipped
        .iter()
        .filter(|s| s.binding == sel.binding)
        .collect();
    if skipped.is_empty() {
        return;
    }
    let _ = writeln!(
        y,
        "  # Left out: the WSDL's problems make these operations unusable (`soapbridge check` lists"
    );
    let _ = writeln!(
        y,
        "  # every warning); fix the WSDL, then generate again or add them by hand."
    );
    // The WSDL's own folder, as the mapping names it, and on disk.
    let ref_dir = wsdl_ref.rsplit_once('/').map_or("", |(d, _)| d);
    let wsdl_dir = wsdl
        .schema
        .files
        .first()
        .and_then(|f| f.parent())
        .unwrap_or(Path::new(""));
    for s in skipped {
        let cause = &wsdl.warnings[s.causes[0]];
        let file = match relative(&cause.file, wsdl_dir) {
            r if ref_dir.is_empty() => r,
            r => format!("{ref_dir}/{r}"),
        };
        let one_line = cause.message.replace('\n', " ");
        let _ = writeln!(
            y,
            "  # {}: {one_line} ({file}:{}:{})",
            s.name, cause.line, cause.col
        );
    }
}

/// The `headers:` and `response_headers:` sections: every simple field of a request header part
/// from an HTTP header `X-<Field>` (`X-<Part>-<Field>` when two parts share a field name); a part
/// that needs a structured value is written commented out. Answer header parts of simple type
/// become HTTP response headers `X-<Part>`; structured ones are offered as a commented `body.KEY`.
fn headers(wsdl: &Wsdl, binding: &crate::wsdl::Binding, naming: Naming, y: &mut String) {
    let inputs = header_parts(wsdl, binding, true);
    if !inputs.is_empty() {
        request_headers(wsdl, &inputs, naming, y);
    }
    let outputs = header_parts(wsdl, binding, false);
    if !outputs.is_empty() {
        answer_headers(wsdl, &outputs, naming, y);
    }
}

/// A header part: its name, and its element (`None` when declared by type).
type HeaderPart = (String, Option<crate::xsd::ElementId>);

/// The header parts of the binding's requests (`input`) or answers, in first-seen order.
fn header_parts(wsdl: &Wsdl, binding: &crate::wsdl::Binding, input: bool) -> Vec<HeaderPart> {
    let mut parts: Vec<HeaderPart> = Vec::new();
    for bop in &binding.operations {
        let hs = if input {
            &bop.input.headers
        } else {
            &bop.output.headers
        };
        for h in hs {
            if parts.iter().any(|(p, _)| *p == h.part) {
                continue;
            }
            let el = wsdl.messages[h.message]
                .parts
                .iter()
                .find(|p| p.name == h.part)
                .and_then(|p| match p.kind {
                    crate::wsdl::PartKind::Element(e) => Some(e),
                    crate::wsdl::PartKind::Type(_) => None,
                });
            parts.push((h.part.clone(), el));
        }
    }
    parts
}

/// An HTTP header name made of `X-` and words: ASCII tokens only, other characters left out.
fn header_name(words: &str) -> String {
    let name: String = format!("X-{words}")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    name.trim_end_matches('-').to_string()
}

/// The `headers:` section.
fn request_headers(wsdl: &Wsdl, inputs: &[HeaderPart], naming: Naming, y: &mut String) {
    let schema = &wsdl.schema;
    let fields: Vec<(String, Vec<(String, Field)>)> = inputs
        .iter()
        .filter_map(|(p, e)| e.map(|e| (p, e)))
        .map(|(p, e)| {
            let fs = element_fields(schema, e);
            let keys = json_keys(
                naming,
                &fs.iter()
                    .map(|f| (f.name.as_str(), f.attribute))
                    .collect::<Vec<_>>(),
            );
            (p.clone(), keys.into_iter().zip(fs).collect())
        })
        .collect();
    let mut count = std::collections::HashMap::new();
    for (_, fs) in &fields {
        for (k, _) in fs {
            *count
                .entry(header_case(k).to_ascii_lowercase())
                .or_insert(0) += 1;
        }
    }
    let _ = writeln!(
        y,
        "# SOAP headers the binding declares, sent when a request gives one of their values."
    );
    let _ = writeln!(
        y,
        "# Bind fields to `header.NAME`, `query.NAME`, `path.NAME`, `body.KEY` or `{{ value: TEXT }}`"
    );
    let _ = writeln!(y, "# (`${{VAR}}` in a value is read from the environment).");
    let _ = writeln!(y, "headers:");
    for (part, _) in inputs {
        let Some((_, fs)) = fields.iter().find(|(p, _)| p == part) else {
            let _ = writeln!(
                y,
                "  # {}: declared by type, not element; not supported",
                yaml_str(part)
            );
            continue;
        };
        let needs_structure = fs.iter().any(|(_, f)| f.min > 0 && !f.is_simple(schema));
        let any_simple = fs.iter().any(|(_, f)| f.is_simple(schema));
        let c = if needs_structure || !any_simple {
            "# "
        } else {
            ""
        };
        if !c.is_empty() {
            let _ = writeln!(
                y,
                "  # {part} needs a structured value: bind it to `body.KEY`, then uncomment."
            );
        }
        let _ = writeln!(y, "  {c}{}:", yaml_str(part));
        let _ = writeln!(y, "  {c}  fields:");
        for (k, f) in fs {
            if !f.is_simple(schema) {
                let _ = writeln!(y, "  {c}    # {}: body.{k}", yaml_str(k));
                continue;
            }
            // The text of simple content is named after the part (`X-Mailbox-Culture`).
            let name = if k == crate::mapping::naming::TEXT_KEY && !f.attribute {
                header_name(&header_case(part))
            } else if count[&header_case(k).to_ascii_lowercase()] > 1 {
                header_name(&format!("{}-{}", header_case(part), header_case(k)))
            } else {
                header_name(&header_case(k))
            };
            let _ = writeln!(y, "  {c}    {}: header.{name}", yaml_str(k));
        }
    }
}

/// The `response_headers:` section. An entry that needs review is commented out; when every
/// entry is, so is the section (`# response_headers:`), so that removing the first `# ` of each
/// line of the block gives a valid section.
fn answer_headers(wsdl: &Wsdl, outputs: &[HeaderPart], naming: Naming, out: &mut String) {
    let schema = &wsdl.schema;
    let _ = writeln!(
        out,
        "# SOAP headers of answers passed on: `header.NAME` (HTTP response header) or `body.KEY`."
    );
    let mut entries: Vec<(bool, String)> = Vec::new();
    for (part, el) in outputs {
        match el {
            Some(e)
                if matches!(
                    schema.ty(schema.element(*e).type_id).kind,
                    TypeKind::Simple(_)
                ) =>
            {
                let name = header_name(&header_case(part));
                entries.push((true, format!("{}: header.{name}", yaml_str(part))));
            }
            Some(_) => {
                let key = json_keys(naming, &[(part.as_str(), false)]).remove(0);
                entries.push((false, format!("{}: body.{key}", yaml_str(part))));
            }
            None => {
                let note = format!(
                    "# {}: declared by type, not element; not supported",
                    yaml_str(part)
                );
                entries.push((false, note));
            }
        }
    }
    if entries.iter().any(|(active, _)| *active) {
        let _ = writeln!(out, "response_headers:");
        for (active, entry) in &entries {
            let _ = writeln!(out, "  {}{entry}", if *active { "" } else { "# " });
        }
    } else {
        let _ = writeln!(out, "# response_headers:");
        for (_, entry) in &entries {
            let _ = writeln!(out, "#   {entry}");
        }
    }
}

/// The upstream's credentials, TLS and proxy, commented out: what a service may need, its
/// variables named with the URL variable's prefix `v` (secrets only as `${VAR}` or
/// `${file:PATH}`).
fn upstream_security(v: &str, y: &mut String) {
    let file = v.to_ascii_lowercase().replace('_', "-");
    let _ = writeln!(
        y,
        "  # Credentials (one of basic, bearer, oauth2; wsse beside any), TLS and proxy, as the service
  # needs them; secrets only as \"${{VAR}}\" or \"${{file:/path}}\" (README: upstream security).
  # auth:
  #   basic: {{ username: \"${{{v}_USER}}\", password: \"${{{v}_PASSWORD}}\" }}
  #   bearer: {{ token: \"${{file:/run/secrets/{file}-token}}\" }}
  #   oauth2: {{ token_url: https://login.example.com/oauth2/token, client_id: \"${{{v}_CLIENT_ID}}\", client_secret: \"${{{v}_CLIENT_SECRET}}\" }}
  #   wsse: {{ username: \"${{{v}_USER}}\", password: \"${{{v}_PASSWORD}}\", digest: true, timestamp: 5m }}
  # tls: {{ ca: certs/corporate-roots.pem, client_cert: certs/client.pem, client_key: certs/client.key }}
  # proxy: {{ url: \"${{HTTPS_PROXY}}\", no_proxy: \"${{NO_PROXY:-}}\" }}"
    );
}

/// The mapping file of a WSDL written into the folder `out_dir`: [`generate`]'s text, the WSDL
/// named relative to that folder, then the [`source_options`] the WSDL was loaded with.
pub fn mapping_file(
    wsdl: &Wsdl,
    wsdl_path: &Path,
    sel: Selection,
    options: &LoadOptions,
    out_dir: &Path,
) -> std::io::Result<String> {
    let wsdl_ref = relative(&std::path::absolute(wsdl_path)?, out_dir);
    let mut text = generate(wsdl, &wsdl_ref, sel);
    text.push_str(&source_options(options, out_dir)?);
    Ok(text)
}

/// The `lenient:`, `allow_paths:` and `catalog:` sections of a mapping file in the folder
/// `out_dir` (each left out when empty or false), paths relative to that folder, catalog
/// entries sorted by URL.
pub fn source_options(options: &LoadOptions, out_dir: &Path) -> std::io::Result<String> {
    let local = |p: &Path| -> std::io::Result<String> {
        Ok(yaml_str(&relative(&std::path::absolute(p)?, out_dir)))
    };
    let mut y = String::new();
    if options.lenient {
        y.push_str(
            "# The WSDL loads only with tolerances for its authors' mistakes; `soapbridge check`\n",
        );
        y.push_str("# names each one.\n");
        y.push_str("lenient: true\n");
    }
    if !options.allow_paths.is_empty() {
        y.push_str("allow_paths:\n");
        for p in &options.allow_paths {
            let _ = writeln!(y, "  - {}", local(p)?);
        }
    }
    if !options.catalog.is_empty() {
        y.push_str("catalog:\n");
        let mut entries: Vec<_> = options.catalog.iter().collect();
        entries.sort();
        for (url, file) in entries {
            let _ = writeln!(y, "  {}: {}", yaml_str(url), local(file)?);
        }
    }
    Ok(y)
}

/// `target` relative to the folder `from`, with `/` separators (both absolute).
pub fn relative(target: &Path, from: &Path) -> String {
    let norm = |p: &Path| -> Vec<String> {
        let mut v: Vec<String> = Vec::new();
        for c in p.components() {
            match c {
                Component::ParentDir => {
                    v.pop();
                }
                Component::CurDir => {}
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_quoting() {
        assert_eq!(yaml_str("GET /customers/{id}"), "GET /customers/{id}");
        assert_eq!(yaml_str("true"), "\"true\"");
        assert_eq!(yaml_str("a: b"), "\"a: b\"");
        assert_eq!(yaml_str("http://x/y"), "http://x/y");
        assert_eq!(yaml_str("12"), "\"12\"");
        assert_eq!(yaml_str("*x"), "\"*x\"");
    }
}
