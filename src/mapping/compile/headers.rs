//! SOAP header bindings: `headers:` (request header parts, each field from a request value or a
//! constant) and `response_headers:` (answer header parts, to an HTTP header or a JSON key), at the
//! mapping level and per operation; an operation's own entry wins over the mapping's.

use std::collections::HashSet;
use std::path::Path;

use serde_saphyr::Spanned;

use super::context::OperationCx;
use super::context::located;
use super::secrets;
use super::suggest::closest;
use crate::diag::Diagnostic;
use crate::mapping::format::{FieldBinding, HeaderSpec, MappingFile, OrderedMap};
use crate::mapping::naming::header_case;
use crate::mapping::route::{
    HeaderField, HeaderIn, HeaderOut, HeaderSource, HeaderTarget, InputSource, Method,
};
use crate::mapping::shape::{Field, element_fields};
use crate::wsdl::{Binding, BindingOperation, HeaderBinding, PartKind};
use crate::xsd::{ElementId, TypeKind};

/// What request header checks need to know about the route.
pub(super) struct HeaderRoute<'a> {
    pub(super) method: Method,
    pub(super) placeholders: &'a [String],
    /// Input fields read from the JSON body's keys.
    pub(super) body_keys: &'a [&'a str],
    /// A field takes the whole body.
    pub(super) body_field: bool,
    /// Anyone may call (so no `identity.NAME` source has a value).
    pub(super) open: bool,
}

/// The route, and what of the request header fields have taken so far.
struct Claims<'a> {
    route: &'a HeaderRoute<'a>,
    /// Path parameters bound, by input fields and header fields.
    used_params: &'a mut HashSet<String>,
    /// Body keys header fields take.
    body_keys: Vec<String>,
}

/// Reports the mapping-level `headers:` and `response_headers:` entries naming a part no
/// operation of the binding declares.
pub(super) fn undeclared_mapping_parts(
    file: &Path,
    m: &MappingFile,
    binding: &Binding,
    diags: &mut Vec<Diagnostic>,
) {
    let request: Vec<&Spanned<String>> = m.headers.0.iter().map(|(k, _)| k).collect();
    let answer: Vec<&Spanned<String>> = m.response_headers.0.iter().map(|(k, _)| k).collect();
    for (list, input, key) in [
        (request, true, "headers"),
        (answer, false, "response_headers"),
    ] {
        let direction = if input { "input" } else { "output" };
        let declared = header_parts(binding.operations.iter(), input);
        for part in list {
            if !declared.contains(&part.value) {
                diags.push(
                    located(
                        file,
                        part,
                        format!(
                            "no operation of binding `{}` declares a soap:header part `{}` in its {direction}",
                            binding.name.local, part.value,
                        ),
                    )
                    .hint(if declared.is_empty() {
                        format!("this binding declares no {direction} header parts; remove `{key}:`")
                    } else {
                        format!("the declared parts are: {}", declared.join(", "))
                    }),
                );
            }
        }
    }
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

/// The element of a declared header part, or a diagnostic at `at`.
fn header_element(
    cx: &OperationCx,
    h: &HeaderBinding,
    at: &Spanned<String>,
    diags: &mut Vec<Diagnostic>,
) -> Option<ElementId> {
    let part = cx.wsdl.messages[h.message]
        .parts
        .iter()
        .find(|p| p.name == h.part)?;
    match part.kind {
        PartKind::Element(e) => Some(e),
        PartKind::Type(_) => {
            diags.push(
                cx.d(
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
    cx: &OperationCx,
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
                        cx.op(),
                        k.value
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
pub(super) fn request_headers(
    cx: &OperationCx,
    route: &HeaderRoute,
    used_params: &mut HashSet<String>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<HeaderIn> {
    let (shared, own) = (&cx.mapping.headers, &cx.spec.headers);
    let declared = &cx.bop.input.headers;
    undeclared_parts(cx, &own.0, declared, "input", diags);
    let mut claims = Claims {
        route,
        used_params,
        body_keys: Vec::new(),
    };
    let mut out = Vec::new();
    for h in declared {
        let Some((name, spec)) = entry_for(shared, own, &h.part) else {
            continue;
        };
        // `fields: {}` (not required) turns a mapping-level header off for this operation.
        if spec.fields.0.is_empty() && !spec.required {
            continue;
        }
        let Some(element) = header_element(cx, h, name, diags) else {
            continue;
        };
        out.push(request_part(cx, h, name, spec, element, &mut claims, diags));
    }
    out
}

/// One request header part's `fields:`: each bound field's source checked, and every required
/// field bound.
fn request_part(
    cx: &OperationCx,
    h: &HeaderBinding,
    name: &Spanned<String>,
    spec: &HeaderSpec,
    element: ElementId,
    claims: &mut Claims,
    diags: &mut Vec<Diagnostic>,
) -> HeaderIn {
    let schema = &cx.wsdl.schema;
    let fields = element_fields(schema, element);
    let keys = cx.keys(&fields);
    let mut bound: Vec<HeaderField> = Vec::new();
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
        if bound.iter().any(|f| f.key == key.value) {
            diags.push(cx.d(key, format!("header field `{}` is bound twice", key.value)));
            continue;
        }
        let field = &fields[i];
        if let Some(source) = field_source(cx, key, b, field, claims, diags) {
            bound.push(HeaderField {
                key: key.value.clone(),
                field: field.clone(),
                source,
            });
        }
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
                    header_case(k)
                )),
            );
        }
    }
    HeaderIn {
        part: h.part.clone(),
        element,
        simple: matches!(
            schema.ty(schema.element(element).type_id).kind,
            TypeKind::Simple(_)
        ),
        must_understand: spec.must_understand,
        required: spec.required,
        fields: bound,
    }
}

/// Where one header field's value comes from: a constant, or a request value.
fn field_source(
    cx: &OperationCx,
    key: &Spanned<String>,
    b: &Spanned<FieldBinding>,
    field: &Field,
    claims: &mut Claims,
    diags: &mut Vec<Diagnostic>,
) -> Option<HeaderSource> {
    match &b.value {
        FieldBinding::Value { text, secret } => {
            let secret = secret.unwrap_or_else(|| secrets::credential_shaped(&key.value));
            constant(cx, key, b, field, text, secret, diags)
        }
        FieldBinding::Source(src) => request_source(cx, key, b, field, src.trim(), claims, diags),
    }
}

/// `{ value: TEXT }`: a constant of the field's type, or a `${VAR}` template; a `secret` one
/// reference without a default (see `secrets.rs`).
fn constant(
    cx: &OperationCx,
    key: &Spanned<String>,
    b: &Spanned<FieldBinding>,
    field: &Field,
    v: &str,
    secret: bool,
    diags: &mut Vec<Diagnostic>,
) -> Option<HeaderSource> {
    let schema = &cx.wsdl.schema;
    if secret && let Some((message, hint)) = secrets::secret(v, &secret_example(&key.value)) {
        diags.push(
            cx.d(b, format!("header field `{}`: {message}", key.value))
                .hint(format!(
                    "{hint} (a credential; `secret: false` if `{}` is not one)",
                    key.value
                )),
        );
        return None;
    }
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
        return None;
    }
    if v.contains("${") {
        if let Err(e) = crate::env::check_template(v) {
            diags.push(
                cx.d(b, e.to_string())
                    .hint("write `${NAME}` or `${NAME:-default}`"),
            );
            return None;
        }
    } else if let Err(msg) = crate::xsd::facets::text_value(schema, field.type_id, v) {
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
        return None;
    }
    Some(HeaderSource::Value(v.to_string()))
}

/// A variable name for a secret header field's hint: `SessionPassword` -> `SESSION_PASSWORD`.
fn secret_example(key: &str) -> String {
    let mut out = String::new();
    for (i, c) in key.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 && !out.ends_with('_') {
            out.push('_');
        }
        match c {
            c if c.is_ascii_alphanumeric() => out.push(c.to_ascii_uppercase()),
            _ if !out.ends_with('_') => out.push('_'),
            _ => {}
        }
    }
    out
}

/// `header.NAME`, `query.NAME`, `path.NAME` or `body.KEY`, checked against the route and what
/// other fields took.
fn request_source(
    cx: &OperationCx,
    key: &Spanned<String>,
    b: &Spanned<FieldBinding>,
    field: &Field,
    src: &str,
    claims: &mut Claims,
    diags: &mut Vec<Diagnostic>,
) -> Option<HeaderSource> {
    let route = claims.route;
    match src.split_once('.') {
        Some((kind @ ("header" | "query" | "path"), name)) if !name.is_empty() => {
            if !field.is_simple(&cx.wsdl.schema) {
                diags.push(
                    cx.d(b, format!("header field `{}` is structured or repeated and cannot come from a {kind} value", key.value))
                        .hint("bind it to `body.KEY`"),
                );
                return None;
            }
            let source = match kind {
                "header" => {
                    if !is_token(name) {
                        diags.push(cx.d(b, format!("`{name}` is not an HTTP header name")));
                        return None;
                    }
                    InputSource::Header(name.to_string())
                }
                "query" => InputSource::Query(name.to_string()),
                _ => {
                    if !route.placeholders.iter().any(|p| p == name) {
                        diags.push(cx.d(b, format!("`{src}` names path parameter `{{{name}}}`, which the route of `{}` does not have", cx.op())));
                        return None;
                    }
                    claims.used_params.insert(name.to_string());
                    InputSource::Path(name.to_string())
                }
            };
            Some(HeaderSource::Request(source))
        }
        Some(("identity", name)) => {
            if !field.is_simple(&cx.wsdl.schema) {
                diags.push(cx.d(b, format!("header field `{}` is structured or repeated and cannot come from the caller's identity", key.value)));
                return None;
            }
            let f = super::access::identity(cx, b, name, route.open, diags)?;
            Some(HeaderSource::Request(InputSource::Identity(f)))
        }
        Some(("body", k)) if !k.is_empty() => {
            if !route.method.has_body() {
                diags.push(
                    cx.d(
                        b,
                        format!("`{src}`: {} requests have no body", route.method.as_str()),
                    )
                    .hint("bind it to `header.NAME` or `query.NAME`"),
                );
                return None;
            }
            if route.body_field {
                diags.push(cx.d(
                    b,
                    format!("`{src}`: the whole body is taken by an input field"),
                ));
                return None;
            }
            if route.body_keys.contains(&k) || claims.body_keys.iter().any(|t| t == k) {
                diags.push(
                    cx.d(
                        b,
                        format!("body key `{k}` is already an input field or another header field"),
                    )
                    .hint("pick a key of its own, e.g. `body.header`"),
                );
                return None;
            }
            claims.body_keys.push(k.to_string());
            Some(HeaderSource::BodyKey(k.to_string()))
        }
        _ => {
            diags.push(
                cx.d(b, format!("`{src}` is not a header field source"))
                    .hint("write `header.NAME`, `query.NAME`, `path.NAME`, `identity.NAME`, `body.KEY` or `{ value: TEXT }`"),
            );
            None
        }
    }
}

/// Answer header parts: each declared part with an entry is checked and compiled.
pub(super) fn answer_headers(
    cx: &OperationCx,
    response: Option<&Field>,
    out_keys: &[String],
    diags: &mut Vec<Diagnostic>,
) -> Vec<HeaderOut> {
    let (shared, own) = (&cx.mapping.response_headers, &cx.spec.response_headers);
    let declared = &cx.bop.output.headers;
    undeclared_parts(cx, &own.0, declared, "output", diags);
    let mut out: Vec<HeaderOut> = Vec::new();
    for h in declared {
        let Some((name, target)) = entry_for(shared, own, &h.part) else {
            continue;
        };
        let Some(element) = header_element(cx, h, name, diags) else {
            continue;
        };
        let Some(t) = answer_target(cx, h, element, target, response, out_keys, diags) else {
            continue;
        };
        if out.iter().any(|o| o.target == t) {
            diags.push(cx.d(
                target,
                format!(
                    "`{}` is the target of two header parts",
                    target.value.trim()
                ),
            ));
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

/// Where one answer header part goes: `header.NAME` (simple parts) or `body.KEY` (a free key of
/// an object answer).
fn answer_target(
    cx: &OperationCx,
    h: &HeaderBinding,
    element: ElementId,
    target: &Spanned<String>,
    response: Option<&Field>,
    out_keys: &[String],
    diags: &mut Vec<Diagnostic>,
) -> Option<HeaderTarget> {
    let schema = &cx.wsdl.schema;
    let src = target.value.trim();
    match src.split_once('.') {
        Some(("header", n)) if is_token(n) => {
            let el = schema.element(element);
            if !matches!(schema.ty(el.type_id).kind, TypeKind::Simple(_)) {
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
                return None;
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
                return None;
            }
            Some(HeaderTarget::Http(n.to_string()))
        }
        Some(("body", k)) if !k.is_empty() => {
            let object = match response {
                None => !out_keys.iter().any(|o| o == k),
                Some(f) => {
                    !f.max.is_many() && matches!(schema.ty(f.type_id).kind, TypeKind::Complex(_))
                }
            };
            if !object {
                diags.push(
                    cx.d(
                        target,
                        format!(
                            "`{src}`: the answer of `{}` is not an object with a free key `{k}`",
                            cx.op()
                        ),
                    )
                    .hint("pick another key, or expose the header as `header.NAME`"),
                );
                return None;
            }
            Some(HeaderTarget::BodyKey(k.to_string()))
        }
        _ => {
            diags.push(
                cx.d(target, format!("`{src}` is not a response header target"))
                    .hint("write `header.NAME` (an HTTP response header) or `body.KEY` (a key of the JSON answer)"),
            );
            None
        }
    }
}

/// An HTTP header name (RFC 9110 token).
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}
