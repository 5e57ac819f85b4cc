//! Mapping file + WSDL model -> checked routes. Every problem is reported with the mapping's
//! `file:line`, and a hint; nothing is checked again per request.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde_saphyr::Spanned;

use super::format::{
    FieldBinding, HeaderSpec, MappingFile, OperationSpec, OrderedMap, parse_duration,
};
use super::generate::{normalize, select};
use super::naming::{Naming, json_keys};
use super::route::*;
use super::shape::{Field, element_fields, shape};
use crate::diag::{Diagnostic, Diagnostics};
use crate::sources::LoadOptions;
use crate::wsdl::{self, BindingOperation, HeaderBinding, PartKind, Wsdl};
use crate::xsd::ElementId;

/// Reads and checks one mapping file.
pub fn compile_file(file: &Path) -> Result<CompiledMapping, Diagnostics> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| Diagnostic::new(file, 0, 0, format!("cannot read the mapping: {e}")))?;
    compile_str(file, &text)
}

/// Checks a mapping's text; `file` names it in messages and anchors its relative paths.
pub fn compile_str(file: &Path, text: &str) -> Result<CompiledMapping, Diagnostics> {
    let m: MappingFile = serde_saphyr::from_str(text).map_err(|e| {
        let (line, col) = e
            .location()
            .map_or((0, 0), |l| (l.line() as u32, l.column() as u32));
        let msg = e.to_string();
        let msg = msg.lines().next().unwrap_or("");
        // serde-saphyr prefixes `error: line L column C: `; we say `file:L:C:` instead.
        let msg = match msg
            .strip_prefix("error: line ")
            .and_then(|rest| rest.split_once(": "))
        {
            Some((_, m)) => m.to_string(),
            None => msg.to_string(),
        };
        let hint = if msg.contains("unknown field") {
            "the mapping keys are documented in the README (mapping reference); check the spelling"
        } else {
            "the mapping file is YAML; see the README's mapping reference"
        };
        Diagnostic::new(file, line, col, msg).hint(hint)
    })?;
    let dir = file.parent().unwrap_or(Path::new(""));
    let mut diags = Vec::new();
    let d = |s: &Spanned<String>, message: String| {
        Diagnostic::new(
            file,
            s.referenced.line() as u32,
            s.referenced.column() as u32,
            message,
        )
    };

    let wsdl_path = dir.join(&m.wsdl.value);
    let mut options = LoadOptions {
        allow_paths: m.allow_paths.iter().map(|p| dir.join(p)).collect(),
        ..LoadOptions::default()
    };
    for (url, local) in &m.catalog.0 {
        options
            .catalog
            .insert(url.value.clone(), dir.join(&local.value));
    }
    let wsdl = match wsdl::load(&wsdl_path, &options) {
        Ok(w) => Arc::new(w),
        Err(mut e) => {
            let head = d(&m.wsdl, format!("the WSDL `{}` could not be loaded:", m.wsdl.value))
                .hint("fix the problems below, or point `wsdl:` at the right file (relative to this mapping)");
            e.0.insert(0, head);
            return Err(e);
        }
    };
    let name = |s: &Option<Spanned<String>>| s.as_ref().map(|s| s.value.clone());
    let sel = match select(
        &wsdl,
        name(&m.service).as_deref(),
        name(&m.port).as_deref(),
        name(&m.binding).as_deref(),
    ) {
        Ok(s) => s,
        Err(msg) => {
            let at = m
                .binding
                .as_ref()
                .or(m.port.as_ref())
                .or(m.service.as_ref())
                .unwrap_or(&m.wsdl);
            return Err(d(at, msg).hint("`service:` and `port:` name a wsdl:service and one of its wsdl:ports; `binding:` a wsdl:binding").into());
        }
    };
    let address = sel
        .port
        .and_then(|(s, p)| wsdl.services[s].ports[p].address.clone());
    let binding = &wsdl.bindings[sel.binding];
    let soap = binding.soap.expect("select() returns SOAP ports only");
    let pt = &wsdl.port_types[binding.port_type];

    let base_path = match &m.base_path {
        None => String::new(),
        Some(b) => {
            let v = b.value.trim_end_matches('/');
            if !b.value.starts_with('/') || b.value.contains(['{', '}', '?', '#', ' ']) {
                diags.push(d(b, format!("base_path `{}` must start with `/` and hold no placeholders, `?`, `#` or spaces", b.value)).hint("e.g. base_path: /api/crm/v1"));
            }
            v.to_string()
        }
    };

    let upstream = upstream(file, &m, address, &mut diags);
    if upstream.url.is_none() {
        let at = m.binding.as_ref().unwrap_or(&m.wsdl);
        diags.push(
            d(
                at,
                "no upstream URL: the WSDL gives no soap:address here".to_string(),
            )
            .hint("set `upstream: { url: ... }` (e.g. `${SERVICE_URL}`)"),
        );
    }

    let mut routes = Vec::new();
    let mut seen_ops = HashSet::new();
    let mut route_lines: HashMap<String, (u32, String)> = HashMap::new();
    for (name, spec) in &m.operations.0 {
        let op_name = &name.value;
        if !seen_ops.insert(op_name.clone()) {
            diags.push(
                d(name, format!("operation `{op_name}` is mapped twice"))
                    .hint("keep one entry per operation"),
            );
            continue;
        }
        let Some(bi) = binding.operations.iter().position(|o| &o.name == op_name) else {
            let near = closest(op_name, binding.operations.iter().map(|o| o.name.as_str()));
            diags.push(d(name, format!("no operation `{op_name}` in binding `{}`", binding.name.local)).hint(match near {
                Some(n) => format!("did you mean `{n}`?"),
                None => "operation names are the WSDL's, case-sensitive; `soapbridge inspect` lists them".to_string(),
            }));
            continue;
        };
        let bop = &binding.operations[bi];
        let op = &pt.operations[bop.operation];
        let input = shape(&wsdl, bop.style, &bop.input, op.input).fields;
        let output = shape(&wsdl, bop.style, &bop.output, op.output).fields;
        if let Some(route) = compile_operation(
            file, &m, name, spec, &wsdl, bi, bop, &input, &output, &op.faults, &base_path,
            &mut diags,
        ) {
            let key = format!("{} {}", route.method.as_str(), normalize(&route.path));
            if let Some((line, other)) = route_lines.get(&key) {
                diags.push(
                    d(
                        &spec.route,
                        format!(
                            "route `{} {}` collides with `{other}` (line {line})",
                            route.method.as_str(),
                            route.path
                        ),
                    )
                    .hint("two operations cannot share a method and path; change one route"),
                );
            } else {
                route_lines.insert(key, (spec.route.referenced.line() as u32, op_name.clone()));
                routes.push(route);
            }
        }
    }
    for (list, dir, key) in [
        (
            &m.headers.0.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            true,
            "headers",
        ),
        (
            &m.response_headers
                .0
                .iter()
                .map(|(k, _)| k)
                .collect::<Vec<_>>(),
            false,
            "response_headers",
        ),
    ] {
        let declared = header_parts(binding.operations.iter(), dir);
        for part in list.iter() {
            if !declared.contains(&part.value) {
                diags.push(
                    d(
                        part,
                        format!(
                            "no operation of binding `{}` declares a soap:header part `{}` in its {}",
                            binding.name.local,
                            part.value,
                            if dir { "input" } else { "output" }
                        ),
                    )
                    .hint(if declared.is_empty() {
                        format!("this binding declares no {} header parts; remove `{key}:`", if dir { "input" } else { "output" })
                    } else {
                        format!("the declared parts are: {}", declared.join(", "))
                    }),
                );
            }
        }
    }
    if m.operations.0.is_empty() {
        diags.push(
            Diagnostic::new(file, 0, 0, "the mapping serves no operations")
                .hint("list operations under `operations:`"),
        );
    }
    if !diags.is_empty() {
        // A mapping-level header entry is checked for every operation using it: say it once.
        let mut seen = HashSet::new();
        diags.retain(|d| seen.insert(d.to_string()));
        return Err(Diagnostics(diags));
    }
    Ok(CompiledMapping {
        file: file.to_path_buf(),
        wsdl: wsdl.clone(),
        wsdl_path,
        selection: sel,
        soap,
        base_path,
        naming: m.naming,
        validate_answers: m.validate_answers,
        upstream,
        routes,
    })
}

fn upstream(
    file: &Path,
    m: &MappingFile,
    address: Option<String>,
    diags: &mut Vec<Diagnostic>,
) -> UpstreamSettings {
    let d = |s: &Spanned<String>, message: String| {
        Diagnostic::new(
            file,
            s.referenced.line() as u32,
            s.referenced.column() as u32,
            message,
        )
    };
    let mut u = UpstreamSettings {
        url: address,
        timeout: Duration::from_secs(30),
        connect_timeout: Duration::from_secs(3),
        basic_auth: None,
    };
    let Some(up) = &m.upstream else { return u };
    if let Some(url) = &up.url {
        if let Err(msg) = crate::env::check_template(&url.value) {
            diags.push(d(url, msg).hint("write `${NAME}` or `${NAME:-default}`"));
        } else if !url.value.starts_with("http://")
            && !url.value.starts_with("https://")
            && !url.value.starts_with("${")
        {
            diags.push(d(
                url,
                format!("upstream url `{}` must be http:// or https://", url.value),
            ));
        }
        u.url = Some(url.value.clone());
    }
    for (field, target) in [
        (&up.timeout, &mut u.timeout),
        (&up.connect_timeout, &mut u.connect_timeout),
    ] {
        if let Some(t) = field {
            match parse_duration(&t.value) {
                Some(v) if !v.is_zero() => *target = v,
                _ => diags.push(
                    d(t, format!("`{}` is not a duration", t.value))
                        .hint("write e.g. `500ms`, `10s` or `2m`"),
                ),
            }
        }
    }
    if let Some(auth) = &up.auth {
        for s in [&auth.basic.username, &auth.basic.password] {
            if !s.value.trim_start().starts_with("${") || s.value.contains(":-") {
                diags.push(
                    d(
                        s,
                        "credentials must come from the environment, not the mapping file"
                            .to_string(),
                    )
                    .hint("write `${CRM_PASSWORD}` (no `:-default`) and set CRM_PASSWORD when serving"),
                );
            } else if let Err(msg) = crate::env::check_template(&s.value) {
                diags.push(d(s, msg));
            }
        }
        u.basic_auth = Some((
            auth.basic.username.value.clone(),
            auth.basic.password.value.clone(),
        ));
    }
    u
}

#[allow(clippy::too_many_arguments)]
fn compile_operation(
    file: &Path,
    m: &MappingFile,
    name: &Spanned<String>,
    spec: &OperationSpec,
    wsdl: &Wsdl,
    binding_operation: usize,
    bop: &BindingOperation,
    input: &[Field],
    output: &[Field],
    faults: &[(String, usize)],
    base_path: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Route> {
    let d = |line: u32, col: u32, message: String| Diagnostic::new(file, line, col, message);
    let at = |s: &Spanned<String>| (s.referenced.line() as u32, s.referenced.column() as u32);
    let before = diags.len();
    let style = bop.style;
    let (rl, rc) = at(&spec.route);
    let route = spec.route.value.trim();
    let (method, path) = match route.split_once(' ') {
        Some((m_, p)) => (Method::parse(m_), p.trim()),
        None => (None, route),
    };
    let Some(method) = method else {
        diags.push(
            d(rl, rc, format!("route `{route}` must be `METHOD /path`"))
                .hint("METHOD is GET, POST, PUT, PATCH or DELETE; e.g. `GET /customers/{id}`"),
        );
        return None;
    };
    let mut placeholders = Vec::new();
    if !path.starts_with('/') || path.contains(['?', '#', ' ']) {
        diags.push(d(
            rl,
            rc,
            format!("route path `{path}` must start with `/` and hold no `?`, `#` or spaces"),
        ));
    }
    for seg in path.split('/') {
        if let Some(p) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            if p.is_empty()
                || !p
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
            {
                diags.push(d(
                    rl,
                    rc,
                    format!("path parameter `{{{p}}}` is not a plain name"),
                ));
            } else if placeholders.contains(&p.to_string()) {
                diags.push(d(rl, rc, format!("path parameter `{{{p}}}` appears twice")));
            } else {
                placeholders.push(p.to_string());
            }
        } else if seg.contains(['{', '}']) {
            diags.push(
                d(
                    rl,
                    rc,
                    format!("path segment `{seg}` mixes text and a parameter"),
                )
                .hint("a parameter takes a whole segment: `/customers/{id}`"),
            );
        }
    }

    let keys = json_keys(
        m.naming,
        &input
            .iter()
            .map(|f| (f.name.as_str(), f.attribute))
            .collect::<Vec<_>>(),
    );
    let mut inputs: Vec<Input> = input
        .iter()
        .zip(&keys)
        .map(|(f, k)| Input {
            field: f.clone(),
            key: k.clone(),
            source: InputSource::BodyKey,
        })
        .collect();
    let mut used_params = HashSet::new();
    let mut body_field = false;
    for (key, src) in &spec.request.0 {
        let (kl, kc) = at(key);
        let Some(i) = keys.iter().position(|k| *k == key.value) else {
            let near = closest(&key.value, keys.iter().map(String::as_str));
            diags.push(
                d(
                    kl,
                    kc,
                    format!(
                        "operation `{}` has no input field `{}`",
                        name.value, key.value
                    ),
                )
                .hint(match near {
                    Some(n) => format!("did you mean `{n}`? (fields: {})", keys.join(", ")),
                    None if keys.is_empty() => "this operation takes no input fields".to_string(),
                    None => format!("its input fields are: {}", keys.join(", ")),
                }),
            );
            continue;
        };
        let (sl, sc) = at(src);
        let source = match src.value.split_once('.') {
            Some(("path", p)) => InputSource::Path(p.to_string()),
            Some(("query", p)) if !p.is_empty() => InputSource::Query(p.to_string()),
            Some(("header", p)) if !p.is_empty() => InputSource::Header(p.to_string()),
            None if src.value == "body" => InputSource::Body,
            _ => {
                diags.push(
                    d(sl, sc, format!("`{}` is not a source", src.value))
                        .hint("write `path.NAME`, `query.NAME`, `header.NAME` or `body`"),
                );
                continue;
            }
        };
        let field = &input[i];
        match &source {
            InputSource::Path(p) => {
                if !placeholders.contains(p) {
                    diags.push(d(sl, sc, format!("`{}` names path parameter `{{{p}}}`, which route `{route}` does not have", src.value)));
                } else if !used_params.insert(p.clone()) {
                    diags.push(d(
                        sl,
                        sc,
                        format!("path parameter `{{{p}}}` is bound twice"),
                    ));
                }
                if !field.is_simple(&wsdl.schema) {
                    diags.push(d(sl, sc, format!("field `{}` is structured or repeated and cannot come from a path segment", key.value)).hint("bind it to `body`, or leave it in the JSON body"));
                }
            }
            InputSource::Query(_) | InputSource::Header(_) => {
                // A repeated simple field may come from a repeated query parameter (`?tag=a&tag=b`).
                let simple_list = field.max.is_many()
                    && matches!(
                        wsdl.schema.ty(field.type_id).kind,
                        crate::xsd::TypeKind::Simple(_)
                    );
                let allowed = field.is_simple(&wsdl.schema)
                    || (simple_list && matches!(source, InputSource::Query(_)));
                if !allowed {
                    diags.push(
                        d(
                            sl,
                            sc,
                            format!(
                                "field `{}` is structured and cannot come from a {}",
                                key.value,
                                if matches!(source, InputSource::Query(_)) {
                                    "query parameter"
                                } else {
                                    "header"
                                }
                            ),
                        )
                        .hint("bind it to `body`, or leave it in the JSON body"),
                    );
                }
            }
            InputSource::Body => {
                if body_field {
                    diags.push(d(
                        sl,
                        sc,
                        "only one field can take the whole body".to_string(),
                    ));
                }
                body_field = true;
                if !method.has_body() {
                    diags.push(
                        d(sl, sc, format!("{} requests have no body", method.as_str()))
                            .hint("use POST/PUT/PATCH, or bind the field to path or query"),
                    );
                }
            }
            InputSource::BodyKey => {}
        }
        inputs[i].source = source;
    }
    let headers = request_headers(
        &Ctx {
            file,
            wsdl,
            naming: m.naming,
            op: &name.value,
        },
        &m.headers,
        &spec.headers,
        &bop.input.headers,
        &HeaderRoute {
            method,
            placeholders: &placeholders,
            body_keys: &inputs
                .iter()
                .filter(|i| i.source == InputSource::BodyKey)
                .map(|i| i.key.as_str())
                .collect::<Vec<_>>(),
            body_field,
        },
        &mut used_params,
        diags,
    );
    for p in &placeholders {
        if !used_params.contains(p) {
            diags.push(
                d(
                    rl,
                    rc,
                    format!("path parameter `{{{p}}}` is not bound to an input field"),
                )
                .hint(format!("add `request: {{ <field>: path.{p} }}`")),
            );
        }
    }
    for inp in &inputs {
        if inp.source == InputSource::BodyKey
            && inp.field.min > 0
            && (!method.has_body() || body_field)
        {
            let why = if body_field {
                "the body is taken by another field"
            } else {
                "this method has no body"
            };
            diags.push(
                d(
                    rl,
                    rc,
                    format!("required input field `{}` has no source ({why})", inp.key),
                )
                .hint(format!(
                    "bind it under `request:`, e.g. `{}: query.{}`",
                    inp.key, inp.key
                )),
            );
        }
    }

    let out_keys = json_keys(
        m.naming,
        &output
            .iter()
            .map(|f| (f.name.as_str(), f.attribute))
            .collect::<Vec<_>>(),
    );
    let response = match &spec.response {
        None => None,
        Some(r) => match out_keys.iter().position(|k| *k == r.value) {
            Some(i) => Some(i),
            None => {
                let (l, c) = at(r);
                diags.push(
                    d(
                        l,
                        c,
                        format!(
                            "operation `{}` has no output field `{}`",
                            name.value, r.value
                        ),
                    )
                    .hint(if out_keys.is_empty() {
                        "this operation returns no fields; remove `response:`".to_string()
                    } else {
                        format!("its output fields are: {}", out_keys.join(", "))
                    }),
                );
                None
            }
        },
    };
    let status = match &spec.status {
        Some(s) if !(200..300).contains(&s.value) => {
            diags.push(
                d(
                    s.referenced.line() as u32,
                    s.referenced.column() as u32,
                    format!("status {} is not a success status", s.value),
                )
                .hint("use 200-299"),
            );
            200
        }
        Some(s) => s.value,
        None => 200,
    };
    let mut fault_map = Vec::new();
    for (fname, st) in &spec.faults.0 {
        let (l, c) = at(fname);
        if !faults.iter().any(|(n, _)| *n == fname.value) {
            let names: Vec<&str> = faults.iter().map(|(n, _)| n.as_str()).collect();
            diags.push(
                d(
                    l,
                    c,
                    format!(
                        "operation `{}` declares no fault `{}`",
                        name.value, fname.value
                    ),
                )
                .hint(if names.is_empty() {
                    "this operation declares no wsdl:fault".to_string()
                } else {
                    format!("its faults are: {}", names.join(", "))
                }),
            );
            continue;
        }
        if !(400..600).contains(&st.value) {
            diags.push(
                d(
                    st.referenced.line() as u32,
                    st.referenced.column() as u32,
                    format!("fault status {} is not an error status", st.value),
                )
                .hint("use 400-599"),
            );
        }
        fault_map.push((fname.value.clone(), st.value));
    }
    let timeout = match &spec.timeout {
        None => None,
        Some(t) => match parse_duration(&t.value) {
            Some(v) if !v.is_zero() => Some(v),
            _ => {
                diags.push(
                    d(
                        t.referenced.line() as u32,
                        t.referenced.column() as u32,
                        format!("`{}` is not a duration", t.value),
                    )
                    .hint("write e.g. `500ms`, `10s` or `2m`"),
                );
                None
            }
        },
    };
    let response_headers = answer_headers(
        &Ctx {
            file,
            wsdl,
            naming: m.naming,
            op: &name.value,
        },
        &m.response_headers,
        &spec.response_headers,
        &bop.output.headers,
        response.map(|i| &output[i]),
        &out_keys,
        diags,
    );
    if diags.len() > before {
        return None;
    }
    Some(Route {
        operation: name.value.clone(),
        binding_operation,
        method,
        path: format!("{base_path}{path}"),
        style,
        inputs,
        outputs: out_keys.into_iter().zip(output.iter().cloned()).collect(),
        response,
        status,
        idempotent: spec.idempotent.unwrap_or(method == Method::Get),
        timeout,
        faults: fault_map,
        headers,
        response_headers,
        line: rl,
    })
}

/// The names of the header parts the operations declare (input or output), in first-seen order.
fn header_parts<'a>(ops: impl Iterator<Item = &'a BindingOperation>, input: bool) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for o in ops {
        let hs = if input {
            &o.input.headers
        } else {
            &o.output.headers
        };
        for h in hs {
            if !out.contains(&h.part) {
                out.push(h.part.clone());
            }
        }
    }
    out
}

/// What header checks need to know about the mapping and operation.
struct Ctx<'a> {
    file: &'a Path,
    wsdl: &'a Wsdl,
    naming: Naming,
    op: &'a str,
}

/// What header checks need to know about the route.
struct HeaderRoute<'a> {
    method: Method,
    placeholders: &'a [String],
    /// Input fields read from the JSON body's keys.
    body_keys: &'a [&'a str],
    /// A field takes the whole body.
    body_field: bool,
}

impl Ctx<'_> {
    fn d(&self, s: &Spanned<impl Sized>, message: String) -> Diagnostic {
        Diagnostic::new(
            self.file,
            s.referenced.line() as u32,
            s.referenced.column() as u32,
            message,
        )
    }

    /// The element of a declared header part, or a diagnostic at `at`.
    fn header_element(
        &self,
        h: &HeaderBinding,
        at: &Spanned<String>,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<ElementId> {
        let part = self.wsdl.messages[h.message]
            .parts
            .iter()
            .find(|p| p.name == h.part)?;
        match part.kind {
            PartKind::Element(e) => Some(e),
            PartKind::Type(_) => {
                diags.push(
                    self.d(
                        at,
                        format!(
                            "header part `{}` is declared with `type=`, not `element=`; soapbridge sends and reads element header parts only",
                            h.part
                        ),
                    )
                    .hint("remove this entry (the header is then not sent)"),
                );
                None
            }
        }
    }
}

/// A declared part's entry: the operation's own, else the mapping-level one.
fn entry_for<'s, V>(
    shared: &'s OrderedMap<Spanned<String>, V>,
    own: &'s OrderedMap<Spanned<String>, V>,
    part: &str,
) -> Option<(&'s Spanned<String>, &'s V)> {
    own.0
        .iter()
        .chain(shared.0.iter())
        .find(|(k, _)| k.value == part)
        .map(|(k, v)| (k, v))
}

/// Reports the entries of `own` naming no header part the operation declares (in its `direction`).
fn undeclared_parts<V>(
    cx: &Ctx,
    own: &[(Spanned<String>, V)],
    declared: &[HeaderBinding],
    direction: &str,
    diags: &mut Vec<Diagnostic>,
) {
    for (k, _) in own {
        if !declared.iter().any(|h| h.part == k.value) {
            let names: Vec<&str> = declared.iter().map(|h| h.part.as_str()).collect();
            diags.push(
                cx.d(
                    k,
                    format!(
                        "operation `{}` declares no soap:header part `{}` in its {direction}",
                        cx.op, k.value
                    ),
                )
                .hint(if names.is_empty() {
                    format!("this operation declares no {direction} header parts")
                } else {
                    format!("its {direction} header parts are: {}", names.join(", "))
                }),
            );
        }
    }
}

/// Request header parts: each declared part with an entry is checked and compiled.
#[allow(clippy::too_many_arguments)]
fn request_headers(
    cx: &Ctx,
    shared: &OrderedMap<Spanned<String>, HeaderSpec>,
    own: &OrderedMap<Spanned<String>, HeaderSpec>,
    declared: &[HeaderBinding],
    route: &HeaderRoute,
    used_params: &mut HashSet<String>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<HeaderIn> {
    let schema = &cx.wsdl.schema;
    undeclared_parts(cx, &own.0, declared, "input", diags);
    let mut out = Vec::new();
    let mut body_keys_taken: Vec<String> = Vec::new();
    for h in declared {
        let Some((name, spec)) = entry_for(shared, own, &h.part) else {
            continue;
        };
        // `fields: {}` (not required) turns a mapping-level header off for this operation.
        if spec.fields.0.is_empty() && !spec.required {
            continue;
        }
        let Some(element) = cx.header_element(h, name, diags) else {
            continue;
        };
        let fields = element_fields(schema, element);
        let keys = json_keys(
            cx.naming,
            &fields
                .iter()
                .map(|f| (f.name.as_str(), f.attribute))
                .collect::<Vec<_>>(),
        );
        let simple = matches!(
            schema.ty(schema.element(element).type_id).kind,
            crate::xsd::TypeKind::Simple(_)
        );
        let mut bound = Vec::new();
        // Fields with a binding, also a wrong one (reported already).
        let mut attempted: Vec<&str> = Vec::new();
        for (key, b) in &spec.fields.0 {
            let Some(i) = keys.iter().position(|k| *k == key.value) else {
                let near = closest(&key.value, keys.iter().map(String::as_str));
                diags.push(
                    cx.d(
                        key,
                        format!("header part `{}` has no field `{}`", h.part, key.value),
                    )
                    .hint(match near {
                        Some(n) => format!("did you mean `{n}`? (fields: {})", keys.join(", ")),
                        None if keys.is_empty() => "its element has no fields".to_string(),
                        None => format!("its fields are: {}", keys.join(", ")),
                    }),
                );
                continue;
            };
            attempted.push(&key.value);
            if bound.iter().any(|f: &HeaderField| f.key == key.value) {
                diags.push(cx.d(key, format!("header field `{}` is bound twice", key.value)));
                continue;
            }
            let field = &fields[i];
            let source = match &b.value {
                FieldBinding::Value(v) => {
                    if !field.is_simple(schema) {
                        diags.push(
                            cx.d(
                                b,
                                format!(
                                    "header field `{}` is structured and cannot be a constant",
                                    key.value
                                ),
                            )
                            .hint("bind it to `body.KEY`"),
                        );
                        continue;
                    }
                    if v.contains("${") {
                        if let Err(msg) = crate::env::check_template(v) {
                            diags.push(cx.d(b, msg).hint("write `${NAME}` or `${NAME:-default}`"));
                            continue;
                        }
                    } else if let Err(msg) =
                        crate::xsd::facets::text_value(schema, field.type_id, v)
                    {
                        diags.push(
                            cx.d(
                                b,
                                format!("constant for header field `{}`: {msg}", key.value),
                            )
                            .hint(format!(
                                "the field's type is {}",
                                schema.type_label(field.type_id)
                            )),
                        );
                        continue;
                    }
                    HeaderSource::Value(v.clone())
                }
                FieldBinding::Source(src) => {
                    let src = src.trim();
                    match src.split_once('.') {
                        Some((kind @ ("header" | "query" | "path"), name)) if !name.is_empty() => {
                            if !field.is_simple(schema) {
                                diags.push(
                                    cx.d(b, format!("header field `{}` is structured or repeated and cannot come from a {kind} value", key.value))
                                        .hint("bind it to `body.KEY`"),
                                );
                                continue;
                            }
                            match kind {
                                "header" => {
                                    if !is_token(name) {
                                        diags.push(
                                            cx.d(b, format!("`{name}` is not an HTTP header name")),
                                        );
                                        continue;
                                    }
                                    HeaderSource::Request(InputSource::Header(name.to_string()))
                                }
                                "query" => {
                                    HeaderSource::Request(InputSource::Query(name.to_string()))
                                }
                                _ => {
                                    if !route.placeholders.iter().any(|p| p == name) {
                                        diags.push(cx.d(b, format!("`{src}` names path parameter `{{{name}}}`, which the route of `{}` does not have", cx.op)));
                                        continue;
                                    }
                                    used_params.insert(name.to_string());
                                    HeaderSource::Request(InputSource::Path(name.to_string()))
                                }
                            }
                        }
                        Some(("body", k)) if !k.is_empty() => {
                            if !route.method.has_body() {
                                diags.push(
                                    cx.d(
                                        b,
                                        format!(
                                            "`{src}`: {} requests have no body",
                                            route.method.as_str()
                                        ),
                                    )
                                    .hint("bind it to `header.NAME` or `query.NAME`"),
                                );
                                continue;
                            }
                            if route.body_field {
                                diags.push(cx.d(
                                    b,
                                    format!("`{src}`: the whole body is taken by an input field"),
                                ));
                                continue;
                            }
                            if route.body_keys.contains(&k)
                                || body_keys_taken.iter().any(|t| t == k)
                            {
                                diags.push(
                                    cx.d(b, format!("body key `{k}` is already an input field or another header field"))
                                        .hint("pick a key of its own, e.g. `body.header`"),
                                );
                                continue;
                            }
                            body_keys_taken.push(k.to_string());
                            HeaderSource::BodyKey(k.to_string())
                        }
                        _ => {
                            diags.push(
                                cx.d(b, format!("`{src}` is not a header field source"))
                                    .hint("write `header.NAME`, `query.NAME`, `path.NAME`, `body.KEY` or `{ value: TEXT }`"),
                            );
                            continue;
                        }
                    }
                }
            };
            bound.push(HeaderField {
                key: key.value.clone(),
                field: field.clone(),
                source,
            });
        }
        for (f, k) in fields.iter().zip(&keys) {
            if f.min > 0 && !attempted.contains(&k.as_str()) {
                diags.push(
                    cx.d(
                        name,
                        format!(
                            "header part `{}`: required field `{k}` has no source",
                            h.part
                        ),
                    )
                    .hint(format!(
                        "bind it under `fields:`, e.g. `{k}: header.X-{}` or `{k}: {{ value: ... }}`",
                        super::naming::header_case(k)
                    )),
                );
            }
        }
        out.push(HeaderIn {
            part: h.part.clone(),
            element,
            simple,
            must_understand: spec.must_understand,
            required: spec.required,
            fields: bound,
        });
    }
    out
}

/// Answer header parts: each declared part with an entry is checked and compiled.
#[allow(clippy::too_many_arguments)]
fn answer_headers(
    cx: &Ctx,
    shared: &OrderedMap<Spanned<String>, Spanned<String>>,
    own: &OrderedMap<Spanned<String>, Spanned<String>>,
    declared: &[HeaderBinding],
    response: Option<&Field>,
    out_keys: &[String],
    diags: &mut Vec<Diagnostic>,
) -> Vec<HeaderOut> {
    let schema = &cx.wsdl.schema;
    undeclared_parts(cx, &own.0, declared, "output", diags);
    let mut out: Vec<HeaderOut> = Vec::new();
    for h in declared {
        let Some((name, target)) = entry_for(shared, own, &h.part) else {
            continue;
        };
        let Some(element) = cx.header_element(h, name, diags) else {
            continue;
        };
        let src = target.value.trim();
        let t = match src.split_once('.') {
            Some(("header", n)) if is_token(n) => {
                let el = schema.element(element);
                if !matches!(schema.ty(el.type_id).kind, crate::xsd::TypeKind::Simple(_)) {
                    diags.push(
                        cx.d(
                            target,
                            format!(
                                "header part `{}` is structured and cannot be an HTTP header",
                                h.part
                            ),
                        )
                        .hint("expose it with `body.KEY`"),
                    );
                    continue;
                }
                if [
                    "content-type",
                    "content-length",
                    "transfer-encoding",
                    "connection",
                ]
                .contains(&n.to_ascii_lowercase().as_str())
                {
                    diags.push(cx.d(target, format!("`{n}` is set by soapbridge itself")));
                    continue;
                }
                HeaderTarget::Http(n.to_string())
            }
            Some(("body", k)) if !k.is_empty() => {
                let object = match response {
                    None => !out_keys.iter().any(|o| o == k),
                    Some(f) => {
                        !f.max.is_many()
                            && matches!(schema.ty(f.type_id).kind, crate::xsd::TypeKind::Complex(_))
                    }
                };
                if !object {
                    diags.push(
                        cx.d(target, format!("`{src}`: the answer of `{}` is not an object with a free key `{k}`", cx.op))
                            .hint("pick another key, or expose the header as `header.NAME`"),
                    );
                    continue;
                }
                HeaderTarget::BodyKey(k.to_string())
            }
            _ => {
                diags.push(
                    cx.d(target, format!("`{src}` is not a response header target"))
                        .hint("write `header.NAME` (an HTTP response header) or `body.KEY` (a key of the JSON answer)"),
                );
                continue;
            }
        };
        if out.iter().any(|o| o.target == t) {
            diags.push(cx.d(target, format!("`{src}` is the target of two header parts")));
            continue;
        }
        out.push(HeaderOut {
            part: h.part.clone(),
            element,
            target: t,
        });
    }
    out
}

/// An HTTP header name (RFC 9110 token).
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// The candidate nearest to `name` by edit distance, when it is close.
fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let lev = |a: &str, b: &str| -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut cur = vec![i + 1];
            for (j, cb) in b.iter().enumerate() {
                cur.push(
                    (prev[j] + usize::from(ca != *cb))
                        .min(prev[j + 1] + 1)
                        .min(cur[j] + 1),
                );
            }
            prev = cur;
        }
        prev[b.len()]
    };
    candidates
        .map(|c| (lev(&name.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(dist, c)| *dist <= 2.max(c.len() / 4))
        .min_by_key(|(dist, _)| *dist)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates() {
        assert!(crate::env::check_template("http://${HOST}:${PORT:-80}/x").is_ok());
        assert!(crate::env::check_template("${}").is_err());
        assert!(crate::env::check_template("${A-B}").is_err());
        assert!(crate::env::check_template("${OPEN").is_err());
        // SAFETY of the test: a variable name nobody else uses.
        assert_eq!(
            crate::env::expand_env("${SOAPBRIDGE_TEST_UNSET_VAR:-fallback}/x").unwrap(),
            "fallback/x"
        );
        assert!(
            crate::env::expand_env("${SOAPBRIDGE_TEST_UNSET_VAR}")
                .unwrap_err()
                .contains("SOAPBRIDGE_TEST_UNSET_VAR")
        );
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10s"), Some(Duration::from_secs(10)));
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("2m"), Some(Duration::from_secs(120)));
        assert_eq!(parse_duration("soon"), None);
        assert_eq!(parse_duration("10"), None);
        assert_eq!(parse_duration("99999999999999999999h"), None);
    }

    #[test]
    fn closest_names() {
        let ops = ["GetCustomer", "FindCustomers", "DeleteCustomer"];
        assert_eq!(
            closest("GetCustomers", ops.iter().copied()),
            Some("GetCustomer")
        );
        assert_eq!(closest("Shutdown", ops.iter().copied()), None);
    }
}
