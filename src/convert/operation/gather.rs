//! An operation's inputs gathered from a request, from where the mapping binds them: path
//! parameters, query parameters, headers and the caller's identity (as text, converted by the
//! field's type), the JSON
//! body (whole, or by key), and the request-sourced fields of SOAP header parts.

use serde_json::{Map, Value};

use crate::convert::error::FieldError;
use crate::convert::simple;
use crate::mapping::route::{HeaderSource, InputSource, NestedInput, Route};

/// Request header values (field key -> value), as `route.headers`.
pub type HeaderValues = Vec<Map<String, Value>>;

/// An operation's inputs as gathered from a request.
#[derive(Debug, Default)]
pub struct Gathered {
    /// Body fields, keyed as the route's inputs.
    pub fields: Map<String, Value>,
    /// Values of the header parts' request-sourced fields.
    pub headers: HeaderValues,
}

/// Gathers an operation's input fields and header values from where the mapping binds them:
/// `param` answers the values of a path parameter, query parameter, header or identity value; `body` is the
/// parsed JSON body (header fields bound to `body.KEY` are taken out of it first).
pub fn gather_all(
    schema: &crate::xsd::Schema,
    route: &Route,
    param: &dyn Fn(&InputSource) -> Vec<String>,
    mut body: Option<Value>,
) -> Result<Gathered, Vec<FieldError>> {
    let (headers, errors) = gather_headers(schema, route, param, &mut body);
    // A body holding only header keys is no body for the fields.
    if route.headers.iter().any(|h| {
        h.fields
            .iter()
            .any(|f| matches!(f.source, HeaderSource::BodyKey(_)))
    }) && matches!(&body, Some(Value::Object(o)) if o.is_empty())
    {
        body = None;
    }
    match gather(schema, route, param, body) {
        Ok(fields) if errors.is_empty() => Ok(Gathered { fields, headers }),
        Ok(_) => Err(errors),
        Err(mut e) => {
            e.extend(errors);
            Err(e)
        }
    }
}

/// The values of the header parts' fields that come from the request (those bound to a body
/// key are taken out of the body), and the problems with them.
fn gather_headers(
    schema: &crate::xsd::Schema,
    route: &Route,
    param: &dyn Fn(&InputSource) -> Vec<String>,
    body: &mut Option<Value>,
) -> (HeaderValues, Vec<FieldError>) {
    let mut headers: HeaderValues = vec![Map::new(); route.headers.len()];
    let mut errors = Vec::new();
    for (i, h) in route.headers.iter().enumerate() {
        for f in &h.fields {
            match &f.source {
                HeaderSource::Value(_) => {}
                HeaderSource::BodyKey(k) => {
                    if let Some(Value::Object(o)) = body.as_mut()
                        && let Some(v) = o.shift_remove(k)
                    {
                        headers[i].insert(f.key.clone(), v);
                    }
                }
                HeaderSource::Request(src) => {
                    let values = param(src);
                    match values.as_slice() {
                        [] => {}
                        [one] => match simple::from_text(schema, f.field.type_id, one) {
                            Ok(v) => {
                                headers[i].insert(f.key.clone(), v);
                            }
                            Err(e) => errors.push(FieldError {
                                message: format!("{}: {}", describe(src), e.message),
                                ..FieldError::value(format!("/{}", f.key), e)
                            }),
                        },
                        many => errors.push(
                            FieldError::new(
                                format!("/{}", f.key),
                                "maxOccurs",
                                format!(
                                    "{} is given {} times; it takes one value",
                                    describe(src),
                                    many.len()
                                ),
                            )
                            .expected("one value")
                            .found(format!("{} values", many.len())),
                        ),
                    }
                }
            }
        }
    }
    (headers, errors)
}

/// Gathers an operation's input fields from where the mapping binds them: `param` answers the
/// values of a path parameter, query parameter or header; `body` is the parsed JSON body.
pub fn gather(
    schema: &crate::xsd::Schema,
    route: &Route,
    param: &dyn Fn(&InputSource) -> Vec<String>,
    body: Option<Value>,
) -> Result<Map<String, Value>, Vec<FieldError>> {
    let mut fields = Map::new();
    let mut errors = Vec::new();
    if let Some(body) = body {
        body_fields(route, body, &mut fields, &mut errors);
    }
    for input in &route.inputs {
        if matches!(input.source, InputSource::Body | InputSource::BodyKey) {
            continue;
        }
        let values = param(&input.source);
        if values.is_empty() {
            continue;
        }
        let pointer = format!("/{}", input.key);
        match from_request(schema, &input.field, &input.source, pointer, &values) {
            Ok(v) => {
                fields.insert(input.key.clone(), v);
            }
            Err(e) => errors.push(e),
        }
    }
    for n in &route.nested {
        let values = param(&n.source);
        if values.is_empty() {
            continue;
        }
        // Where the value is in the JSON body (the body is the first key's value when that
        // field takes the whole body).
        let whole = route.body_field() == Some(n.pointer[0].as_str());
        let pointer = format!("/{}", n.pointer[whole as usize..].join("/"));
        match from_request(schema, &n.field, &n.source, pointer.clone(), &values) {
            Ok(v) => fill(&mut fields, n, v, (&pointer, &values[0]), &mut errors),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(fields)
    } else {
        Err(errors)
    }
}

/// The value of `field` from the request's texts for it (a path or query parameter, header or
/// identity value), converted by its type; an error names where the text came from.
fn from_request(
    schema: &crate::xsd::Schema,
    field: &crate::mapping::shape::Field,
    source: &InputSource,
    pointer: String,
    values: &[String],
) -> Result<Value, FieldError> {
    let convert = |s: &str| simple::from_text(schema, field.type_id, s);
    let v = if field.max.is_many() {
        values
            .iter()
            .map(|s| convert(s))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array)
            .map_err(|e| FieldError::value(pointer, e))
    } else if values.len() > 1 {
        Err(FieldError::new(
            pointer,
            "maxOccurs",
            format!("is given {} times; it takes one value", values.len()),
        )
        .expected("one value")
        .found(format!("{} values", values.len())))
    } else {
        convert(&values[0]).map_err(|e| FieldError::value(pointer, e))
    };
    v.map_err(|e| FieldError {
        message: format!("{}: {}", describe(source), e.message),
        ..e
    })
}

/// Puts a value from the request (`text`, converted to `v`) inside the body's fields, at `n`'s
/// place (the objects on the way made when absent). The body may give the same value there
/// (at `pointer` in the JSON body); another value is an error naming both.
fn fill(
    fields: &mut Map<String, Value>,
    n: &NestedInput,
    v: Value,
    (pointer, text): (&str, &str),
    errors: &mut Vec<FieldError>,
) {
    let (last, steps) = n
        .pointer
        .split_last()
        .expect("a nested input has two keys or more");
    let mut at = fields;
    for step in steps {
        let slot = at
            .entry(step.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if slot.is_null() {
            *slot = Value::Object(Map::new());
        }
        let Value::Object(o) = slot else {
            // Not an object: the conversion of the body reports it.
            return;
        };
        at = o;
    }
    match at.get(last) {
        None | Some(Value::Null) => {
            at.insert(last.clone(), v);
        }
        // The same value, also when the body gives a number as text or the reverse.
        Some(b) if *b == v || b.as_str() == Some(text) || v.as_str() == Some(&b.to_string()) => {}
        Some(b) => errors.push(
            FieldError::new(
                pointer,
                "conflict",
                format!(
                    "{} is {} but the body's `{pointer}` is {}",
                    describe(&n.source),
                    v,
                    b
                ),
            )
            .expected(format!("`{pointer}` left out, or {v}"))
            .found_value(b),
        ),
    }
}

/// The fields the JSON body gives: all of it for the one field that takes the whole body, else
/// its keys (each one a body-bound input).
fn body_fields(
    route: &Route,
    body: Value,
    fields: &mut Map<String, Value>,
    errors: &mut Vec<FieldError>,
) {
    let takes_body = route.body_field().is_some();
    match body {
        Value::Object(o) if !takes_body => {
            for (k, v) in o {
                match route.inputs.iter().find(|i| i.key == k) {
                    Some(i) if i.source == InputSource::BodyKey => {
                        fields.insert(k, v);
                    }
                    Some(i) => errors.push(
                        FieldError::new(
                            format!("/{k}"),
                            "unknownField",
                            format!("`{k}` comes from {}, not the body", describe(&i.source)),
                        )
                        .expected(format!("`{k}` in {}", describe(&i.source)))
                        .found_value(&v),
                    ),
                    None => {
                        let keys: Vec<String> = route
                            .inputs
                            .iter()
                            .filter(|i| i.source == InputSource::BodyKey)
                            .map(|i| crate::xsd::facets::quote_short(&i.key))
                            .collect();
                        let expected = if keys.is_empty() {
                            "no fields in the body".to_string()
                        } else {
                            format!("one of: {}", keys.join(", "))
                        };
                        errors.push(
                            FieldError::new(format!("/{k}"), "unknownField", "unknown field")
                                .expected(expected)
                                .found_value(&v),
                        )
                    }
                }
            }
        }
        v if takes_body => {
            fields.insert(route.body_field().unwrap_or_default().to_string(), v);
        }
        Value::Null => {}
        other => errors.push(
            FieldError::new(
                "/",
                "type",
                format!("expected a JSON object, found {}", simple::describe(&other)),
            )
            .expected("a JSON object")
            .found_value(&other),
        ),
    }
}

/// Where an input comes from, for messages: `query parameter `q``.
pub(super) fn describe(s: &InputSource) -> String {
    match s {
        InputSource::Path(p) => format!("path parameter `{p}`"),
        InputSource::Query(p) => format!("query parameter `{p}`"),
        InputSource::Header(p) => format!("header `{p}`"),
        InputSource::Identity(f) => format!("identity `{}`", f.name()),
        InputSource::Body | InputSource::BodyKey => "the body".to_string(),
    }
}
