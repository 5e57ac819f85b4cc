//! One operation entry: its route (`METHOD /path` and the path's parameters), who may call it,
//! and where each of its input fields comes from; then the checks of [`super::headers`] and [`super::outputs`], into
//! a [`Route`].

use std::collections::HashSet;

use serde_saphyr::Spanned;

use super::access;
use super::context::OperationCx;
use super::headers::{self, HeaderRoute};
use super::outputs;
use super::suggest::closest;
use crate::diag::Diagnostic;
use crate::mapping::route::{
    AbsentPart, Addressing, Input, InputSource, Method, NestedInput, Route,
};
use crate::mapping::shape::{Field, type_fields};
use crate::wsdl::WsaVersion;

/// A route's method and path, as written, and the names of its path parameters.
struct RoutePath<'s> {
    method: Method,
    path: &'s str,
    placeholders: Vec<String>,
}

/// Where the input fields come from, and what of the request they take.
struct Inputs {
    inputs: Vec<Input>,
    /// Values inside body-bound fields taken from elsewhere (`customer/customerId: path.id`).
    nested: Vec<NestedInput>,
    /// Path parameters bound to a field.
    used_params: HashSet<String>,
    /// A field takes the whole body.
    body_field: bool,
    /// Anyone may call (so no `identity.NAME` source has a value).
    open: bool,
}

/// Checks one operation entry; `None` when it has problems (all reported in `diags`).
pub(super) fn compile_operation(cx: &OperationCx, diags: &mut Vec<Diagnostic>) -> Option<Route> {
    let before = diags.len();
    let spec = cx.spec;
    let route = route_path(cx, diags)?;
    let access = access::access(cx, diags);
    let mut inputs = inputs(cx, &route, access.is_open(), diags);
    let body_keys: Vec<&str> = inputs
        .inputs
        .iter()
        .filter(|i| i.source == InputSource::BodyKey)
        .map(|i| i.key.as_str())
        .collect();
    let headers = headers::request_headers(
        cx,
        &HeaderRoute {
            method: route.method,
            placeholders: &route.placeholders,
            body_keys: &body_keys,
            body_field: inputs.body_field,
            open: access.is_open(),
        },
        &mut inputs.used_params,
        diags,
    );
    let optional_parts = optional_parts(cx, &mut inputs, diags);
    unbound(cx, &route, &inputs, diags);
    let out_keys = cx.keys(cx.output);
    let (response, response_key) = outputs::response(cx, &out_keys, diags);
    let answer_keys = outputs::answer_keys(cx, &out_keys, (response, response_key.as_deref()));
    let created = outputs::created(cx, &answer_keys, diags);
    let status = outputs::status(cx, diags);
    let faults = outputs::faults(cx, diags);
    let timeout = outputs::timeout(cx, diags);
    let deprecation = outputs::deprecation(cx, diags);
    let response_headers =
        headers::answer_headers(cx, response.map(|i| &cx.output[i]), &out_keys, diags);
    if diags.len() > before {
        return None;
    }
    let method = route.method;
    Some(Route {
        operation: cx.op().to_string(),
        binding_operation: cx.binding_operation,
        method,
        path: format!("{}{}", cx.base_path, route.path),
        style: cx.bop.style,
        inputs: inputs.inputs,
        nested: inputs.nested,
        outputs: out_keys
            .into_iter()
            .zip(cx.output.iter().cloned())
            .collect(),
        response,
        response_key,
        created,
        status,
        idempotent: spec.idempotent.unwrap_or(method == Method::Get),
        deprecation,
        timeout,
        faults,
        headers,
        response_headers,
        access,
        optional_parts,
        addressing: addressing(cx),
        mtom: spec.mtom.or(cx.mapping.mtom).unwrap_or(cx.bop.mtom),
        line: spec.route.referenced.line() as u32,
    })
}

/// The route's WS-Addressing: the operation's `addressing:`, else the mapping's, else what the
/// WSDL asks (in the version its namespaces say; 2005/08 when only the mapping asks).
fn addressing(cx: &OperationCx) -> Option<Addressing> {
    let on = cx
        .spec
        .addressing
        .or(cx.mapping.addressing)
        .unwrap_or(cx.bop.addressing.is_some());
    on.then(|| Addressing {
        version: cx.bop.addressing.unwrap_or(WsaVersion::V200508),
        action: cx.bop.wsa_action.clone(),
        reply_action: cx.bop.wsa_reply_action.clone(),
    })
}

/// `METHOD /path`: the method, and the path's parameters (each a whole segment, named once).
fn route_path<'s>(cx: &'s OperationCx, diags: &mut Vec<Diagnostic>) -> Option<RoutePath<'s>> {
    let at = &cx.spec.route;
    let route = at.value.trim();
    let (method, path) = match route.split_once(' ') {
        Some((m_, p)) => (Method::parse(m_), p.trim()),
        None => (None, route),
    };
    let Some(method) = method else {
        diags.push(
            cx.d(at, format!("route `{route}` must be `METHOD /path`"))
                .hint("METHOD is GET, POST, PUT, PATCH or DELETE; e.g. `GET /customers/{id}`"),
        );
        return None;
    };
    let mut placeholders = Vec::new();
    if !path.starts_with('/') || path.contains(['?', '#', ' ']) {
        diags.push(cx.d(
            at,
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
                diags.push(cx.d(at, format!("path parameter `{{{p}}}` is not a plain name")));
            } else if placeholders.contains(&p.to_string()) {
                diags.push(cx.d(at, format!("path parameter `{{{p}}}` appears twice")));
            } else {
                placeholders.push(p.to_string());
            }
        } else if seg.contains(['{', '}']) {
            diags.push(
                cx.d(
                    at,
                    format!("path segment `{seg}` mixes text and a parameter"),
                )
                .hint("a parameter takes a whole segment: `/customers/{id}`"),
            );
        }
    }
    Some(RoutePath {
        method,
        path,
        placeholders,
    })
}

/// The `request:` entries: each names an input field and where its value comes from; the other
/// fields are keys of the JSON body.
fn inputs(cx: &OperationCx, route: &RoutePath, open: bool, diags: &mut Vec<Diagnostic>) -> Inputs {
    let keys = cx.keys(cx.input);
    let mut out = Inputs {
        inputs: cx
            .input
            .iter()
            .zip(&keys)
            .map(|(f, k)| Input {
                field: f.clone(),
                key: k.clone(),
                source: InputSource::BodyKey,
            })
            .collect(),
        nested: Vec::new(),
        used_params: HashSet::new(),
        body_field: false,
        open,
    };
    let mut nested = Vec::new();
    for (key, src) in &cx.spec.request.0 {
        if key.value.contains('/') {
            nested.push((key, src));
            continue;
        }
        let Some(i) = keys.iter().position(|k| *k == key.value) else {
            let near = closest(&key.value, keys.iter().map(String::as_str));
            diags.push(
                cx.d(
                    key,
                    format!("operation `{}` has no input field `{}`", cx.op(), key.value),
                )
                .hint(match near {
                    Some(n) => format!("did you mean `{n}`? (fields: {})", keys.join(", ")),
                    None if keys.is_empty() => "this operation takes no input fields".to_string(),
                    None => format!("its input fields are: {}", keys.join(", ")),
                }),
            );
            continue;
        };
        if let Some(source) = input_source(cx, route, key, src, &cx.input[i], &mut out, diags) {
            out.inputs[i].source = source;
        }
    }
    for (key, src) in nested {
        if let Some(n) = nested_input(cx, route, key, src, &mut out, diags) {
            out.nested.push(n);
        }
    }
    out
}

/// A `request:` entry `field/child/...: SOURCE`: a simple value inside a body-bound field,
/// taken from the path, query, a header or the caller's identity. Each step names a single
/// structured child of the one before it, the last a single simple value.
fn nested_input(
    cx: &OperationCx,
    route: &RoutePath,
    key: &Spanned<String>,
    src: &Spanned<String>,
    taken: &mut Inputs,
    diags: &mut Vec<Diagnostic>,
) -> Option<NestedInput> {
    let schema = &cx.wsdl.schema;
    let pointer: Vec<String> = key.value.split('/').map(str::to_string).collect();
    let Some(top) = taken.inputs.iter().find(|i| i.key == pointer[0]) else {
        let keys: Vec<&str> = taken.inputs.iter().map(|i| i.key.as_str()).collect();
        diags.push(
            cx.d(
                key,
                format!(
                    "operation `{}` has no input field `{}`",
                    cx.op(),
                    pointer[0]
                ),
            )
            .hint(format!("its input fields are: {}", keys.join(", "))),
        );
        return None;
    };
    if !matches!(top.source, InputSource::Body | InputSource::BodyKey) {
        diags.push(
            cx.d(
                key,
                format!(
                    "`{}` is inside field `{}`, which does not come from the body",
                    key.value, pointer[0]
                ),
            )
            .hint("a value inside a field can be bound only while the field comes from the body"),
        );
        return None;
    }
    let mut field = top.field.clone();
    for (depth, step) in pointer.iter().enumerate().skip(1) {
        let children = type_fields(schema, field.type_id);
        let keys = cx.keys(&children);
        let inside = pointer[..depth].join("/");
        if field.max.is_many() || children.is_empty() {
            diags.push(cx.d(
                key,
                format!(
                    "`{inside}` is repeated or not structured: `{}` cannot be inside it",
                    key.value
                ),
            ));
            return None;
        }
        let Some(i) = keys.iter().position(|k| k == step) else {
            let near = closest(step, keys.iter().map(String::as_str));
            diags.push(
                cx.d(key, format!("`{inside}` has no field `{step}`"))
                    .hint(match near {
                        Some(n) => format!("did you mean `{n}`? (fields: {})", keys.join(", ")),
                        None => format!("its fields are: {}", keys.join(", ")),
                    }),
            );
            return None;
        };
        field = children[i].clone();
    }
    if src.value == "body" {
        diags.push(
            cx.d(src, format!("`{}` is inside the body already", key.value))
                .hint("bind it to `path.NAME`, `query.NAME`, `header.NAME` or `identity.NAME`"),
        );
        return None;
    }
    let source = input_source(cx, route, key, src, &field, taken, diags)?;
    Some(NestedInput {
        pointer,
        field,
        source,
    })
}

/// One `request:` entry's source, checked against the field and the route.
fn input_source(
    cx: &OperationCx,
    route: &RoutePath,
    key: &Spanned<String>,
    src: &Spanned<String>,
    field: &Field,
    taken: &mut Inputs,
    diags: &mut Vec<Diagnostic>,
) -> Option<InputSource> {
    let schema = &cx.wsdl.schema;
    let source =
        match src.value.split_once('.') {
            Some(("path", p)) => InputSource::Path(p.to_string()),
            Some(("query", p)) if !p.is_empty() => InputSource::Query(p.to_string()),
            Some(("header", p)) if !p.is_empty() => InputSource::Header(p.to_string()),
            Some(("identity", p)) => {
                InputSource::Identity(access::identity(cx, src, p, taken.open, diags)?)
            }
            None if src.value == "body" => InputSource::Body,
            _ => {
                diags.push(cx.d(src, format!("`{}` is not a source", src.value)).hint(
                    "write `path.NAME`, `query.NAME`, `header.NAME`, `identity.NAME` or `body`",
                ));
                return None;
            }
        };
    match &source {
        InputSource::Path(p) => {
            if !route.placeholders.contains(p) {
                diags.push(cx.d(
                    src,
                    format!(
                        "`{}` names path parameter `{{{p}}}`, which route `{}` does not have",
                        src.value,
                        cx.spec.route.value.trim()
                    ),
                ));
            } else if !taken.used_params.insert(p.clone()) {
                diags.push(cx.d(src, format!("path parameter `{{{p}}}` is bound twice")));
            }
            if !field.is_simple(schema) {
                diags.push(cx.d(src, format!("field `{}` is structured or repeated and cannot come from a path segment", key.value)).hint("bind it to `body`, or leave it in the JSON body"));
            }
        }
        InputSource::Identity(_) => {
            if !field.is_simple(schema) {
                diags.push(cx.d(src, format!("field `{}` is structured or repeated and cannot come from the caller's identity", key.value)));
            }
        }
        InputSource::Query(_) | InputSource::Header(_) => {
            // A repeated simple field may come from a repeated query parameter (`?tag=a&tag=b`).
            let simple_list = field.max.is_many()
                && matches!(
                    schema.ty(field.type_id).kind,
                    crate::xsd::TypeKind::Simple(_)
                );
            let query = matches!(source, InputSource::Query(_));
            if !(field.is_simple(schema) || (simple_list && query)) {
                diags.push(
                    cx.d(
                        src,
                        format!(
                            "field `{}` is structured and cannot come from a {}",
                            key.value,
                            if query { "query parameter" } else { "header" }
                        ),
                    )
                    .hint("bind it to `body`, or leave it in the JSON body"),
                );
            }
        }
        InputSource::Body => {
            if taken.body_field {
                diags.push(cx.d(src, "only one field can take the whole body"));
            }
            taken.body_field = true;
            if !route.method.has_body() {
                diags.push(
                    cx.d(
                        src,
                        format!("{} requests have no body", route.method.as_str()),
                    )
                    .hint("use POST/PUT/PATCH, or bind the field to path or query"),
                );
            }
        }
        InputSource::BodyKey => {}
    }
    Some(source)
}

/// The `optional_parts:` entries of a SOAP-encoded operation: each names an input part, which
/// becomes optional, and says what is sent when a request leaves it out.
fn optional_parts(
    cx: &OperationCx,
    inputs: &mut Inputs,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(String, AbsentPart)> {
    let entries = &cx.spec.optional_parts.0;
    if let Some((first, _)) = entries.first()
        && cx.bop.input.use_ != crate::wsdl::Use::Encoded
    {
        diags.push(
            cx.d(
                first,
                "optional_parts applies to SOAP-encoded operations only",
            )
            .hint("the parts of a literal message are all required by its schema"),
        );
        return Vec::new();
    }
    let mut out = Vec::new();
    for (key, what) in entries {
        let Some(input) = inputs.inputs.iter_mut().find(|i| i.key == key.value) else {
            let keys: Vec<&str> = inputs.inputs.iter().map(|i| i.key.as_str()).collect();
            diags.push(
                cx.d(
                    key,
                    format!("operation `{}` has no input part `{}`", cx.op(), key.value),
                )
                .hint(format!("its input parts are: {}", keys.join(", "))),
            );
            continue;
        };
        let absent = match what.value.as_str() {
            "omit" => AbsentPart::Omit,
            "nil" => AbsentPart::Nil,
            other => {
                diags.push(
                    cx.d(
                        what,
                        format!("`{other}` is not what to send for an absent part"),
                    )
                    .hint("write `omit` (no accessor) or `nil` (xsi:nil=\"true\")"),
                );
                continue;
            }
        };
        input.field.min = 0;
        out.push((input.key.clone(), absent));
    }
    out
}

/// Path parameters nothing is bound to, and required body fields a request cannot give.
fn unbound(cx: &OperationCx, route: &RoutePath, inputs: &Inputs, diags: &mut Vec<Diagnostic>) {
    let at = &cx.spec.route;
    for p in &route.placeholders {
        if !inputs.used_params.contains(p) {
            diags.push(
                cx.d(
                    at,
                    format!("path parameter `{{{p}}}` is not bound to an input field"),
                )
                .hint(format!("add `request: {{ <field>: path.{p} }}`")),
            );
        }
    }
    let no_body = !route.method.has_body() || inputs.body_field;
    for inp in &inputs.inputs {
        // A field that values from the request fill (`customer/customerId: path.id`) has one.
        let filled = inputs.nested.iter().any(|n| n.pointer[0] == inp.key);
        if inp.source == InputSource::BodyKey && inp.field.min > 0 && no_body && !filled {
            let why = if inputs.body_field {
                "the body is taken by another field"
            } else {
                "this method has no body"
            };
            diags.push(
                cx.d(
                    at,
                    format!("required input field `{}` has no source ({why})", inp.key),
                )
                .hint(format!(
                    "bind it under `request:`, e.g. `{}: query.{}`",
                    inp.key, inp.key
                )),
            );
        }
    }
}
