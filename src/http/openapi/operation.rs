//! One operation of the document: its id, tag and summary; its parameters and request body
//! (the mapped inputs, and the SOAP header fields bound to request values); its responses (the
//! answer's schema, example and headers, every problem status and the mapped faults).

use serde_json::{Map, Value, json};

use super::examples;
use super::types::Builder;
use crate::convert::operation::{BodyLayout, OperationPlan, ServicePlan};
use crate::mapping::naming::ATTRS_KEY;
use crate::mapping::route::{HeaderField, HeaderIn, HeaderSource, HeaderTarget, InputSource};
use crate::mapping::route::{Method, NestedInput, Route};

/// The operation object, and the keys the answer's SOAP headers add to the answer's object
/// (added to its schema once the components are written).
pub(super) fn operation(
    b: &mut Builder,
    svc: &ServicePlan,
    op: &OperationPlan,
    tag: &str,
    service_name: &str,
) -> (Map<String, Value>, Map<String, Value>) {
    let r = &op.route;
    let mut o = Map::new();
    o.insert(
        "operationId".into(),
        json!(format!("{}{}", b.prefix(), r.operation)),
    );
    o.insert("tags".into(), json!([tag]));
    let wsdl = &svc.compiled.wsdl;
    let binding = &wsdl.bindings[svc.compiled.selection.binding];
    let doc = wsdl.port_types[binding.port_type].operations
        [binding.operations[r.binding_operation].operation]
        .documentation
        .clone();
    o.insert(
        "summary".into(),
        json!(format!(
            "{} ({service_name}, SOAP operation {})",
            r.operation, r.operation
        )),
    );
    if let Some(d) = doc {
        o.insert("description".into(), json!(d));
    }
    if r.deprecation.is_some() {
        o.insert("deprecated".into(), json!(true));
    }
    let request = request(b, op);
    if !request.params.is_empty() {
        o.insert("parameters".into(), Value::Array(request.params));
    }
    if r.method.has_body() {
        let s = request.whole_body.unwrap_or_else(|| json!({"type": "object", "properties": request.body_props, "required": request.body_required, "additionalProperties": false}));
        let mut body_example = request.body_example;
        let example = body_example
            .remove("")
            .unwrap_or(Value::Object(body_example));
        o.insert(
            "requestBody".into(),
            json!({"required": true, "content": {"application/json": {"schema": s, "example": example}}}),
        );
    }
    let (responses, extra) = responses(b, svc, op);
    o.insert("responses".into(), Value::Object(responses));
    (o, extra)
}

/// The path item key of a method.
pub(super) fn method_name(m: Method) -> &'static str {
    match m {
        Method::Get => "get",
        Method::Post => "post",
        Method::Put => "put",
        Method::Delete => "delete",
        Method::Patch => "patch",
    }
}

/// What a request takes: parameters, and the body's properties (or the whole body's schema)
/// with its example (the whole body's under the key `""`).
#[derive(Default)]
struct Request {
    params: Vec<Value>,
    body_props: Map<String, Value>,
    body_required: Vec<Value>,
    whole_body: Option<Value>,
    body_example: Map<String, Value>,
}

/// The parameters and body of a request. The examples of the mapped fields come from one
/// sample of the whole input, so they go together (one branch of each choice).
fn request(b: &mut Builder, op: &OperationPlan) -> Request {
    let r = &op.route;
    let mut req = Request::default();
    let sample = examples::input(b.schema, b.model, op);
    for i in &r.inputs {
        let s = b.field_schema(i.field.type_id, i.field.max.is_many(), i.field.nillable);
        let required = i.field.min > 0;
        let example = sample.get(&i.key).cloned();
        let param = |place: &str, name: &str, required: bool| {
            let mut p = json!({"name": name, "in": place, "required": required, "schema": s});
            if let Some(e) = &example {
                p["example"] = e.clone();
            }
            p
        };
        match &i.source {
            InputSource::Path(p) => req.params.push(param("path", p, true)),
            InputSource::Query(p) => req.params.push(param("query", p, required)),
            InputSource::Header(p) => req.params.push(param("header", p, required)),
            // Filled by soapbridge from the caller's authentication, never by the client.
            InputSource::Identity(_) => {}
            InputSource::Body => {
                req.whole_body = Some(s);
                let example =
                    example.unwrap_or_else(|| examples::field(b.schema, b.model, &i.field));
                req.body_example.insert(String::new(), example);
            }
            InputSource::BodyKey => {
                if let Some(e) = example {
                    req.body_example.insert(i.key.clone(), e);
                }
                req.body_props.insert(i.key.clone(), s);
                if required {
                    req.body_required.push(json!(i.key));
                }
            }
        }
    }
    for n in &r.nested {
        let s = b.field_schema(n.field.type_id, n.field.max.is_many(), false);
        let (place, name) = match &n.source {
            InputSource::Path(p) => ("path", p),
            InputSource::Query(p) => ("query", p),
            InputSource::Header(p) => ("header", p),
            _ => continue,
        };
        let description = format!("Fills `/{}` of the body", n.pointer.join("/"));
        let mut p = json!({"name": name, "in": place, "required": place == "path", "schema": s, "description": description});
        let example = sample
            .get(&n.pointer[0])
            .and_then(|top| n.pointer[1..].iter().try_fold(top, |v, k| v.get(k)));
        if let Some(e) = example.filter(|e| !e.is_null()) {
            p["example"] = e.clone();
        }
        req.params.push(p);
    }
    for n in r.nested.iter().filter(|n| n.pointer.len() == 2) {
        filled_from_request(b, r, n, &mut req);
    }
    open_keys(b, op, &sample, &mut req);
    for h in &r.headers {
        for f in &h.fields {
            header_field(b, h, f, &mut req);
        }
    }
    req
}

/// A body object whose key `n` fills from the request (`customer/customerId: path.id`): the
/// key is left out of the body's schema (the body may still repeat the value; another value is
/// a 400), so that every body the schema allows is accepted.
fn filled_from_request(b: &mut Builder, r: &Route, n: &NestedInput, req: &mut Request) {
    let Some(top) = r.inputs.iter().find(|i| i.key == n.pointer[0]) else {
        return;
    };
    if top.field.max.is_many() {
        return;
    }
    let mut s = b.written_out(top.field.type_id);
    let Some(o) = s.as_object_mut() else {
        return;
    };
    let child = &n.pointer[1];
    if let Some(Value::Object(props)) = o.get_mut("properties") {
        props.shift_remove(child);
    }
    if let Some(Value::Array(required)) = o.get_mut("required") {
        required.retain(|k| k != child);
    }
    let place = match &n.source {
        InputSource::Path(p) => format!("path parameter `{p}`"),
        InputSource::Query(p) => format!("query parameter `{p}`"),
        InputSource::Header(p) => format!("header `{p}`"),
        _ => "caller's identity".to_string(),
    };
    o.insert(
        "description".into(),
        json!(format!(
            "`{child}` comes from the {place} (the body may repeat it; another value is a 400)"
        )),
    );
    let example_key = match &top.source {
        InputSource::Body => {
            req.whole_body = Some(s);
            ""
        }
        InputSource::BodyKey => {
            req.body_props.insert(top.key.clone(), s);
            top.key.as_str()
        }
        _ => return,
    };
    if let Some(Value::Object(e)) = req.body_example.get_mut(example_key) {
        e.shift_remove(child);
    }
}

/// The body keys of the input element's own open content (`$xml`, `$attributes`), and the body
/// of an `anyType` element: its content, whole.
fn open_keys(b: &mut Builder, op: &OperationPlan, sample: &Map<String, Value>, req: &mut Request) {
    if op.any_body() && op.route.inputs.is_empty() {
        if let BodyLayout::Element { type_id, .. } = &op.input {
            req.whole_body = Some(b.type_schema(*type_id));
        }
        let whole = sample.get("").cloned().unwrap_or_else(|| json!({}));
        req.body_example.insert(String::new(), whole);
        return;
    }
    for k in &op.open_keys {
        req.body_props.insert(k.key.into(), open_key_schema(k.key));
        if k.required {
            req.body_required.push(json!(k.key));
        }
        if let Some(e) = sample.get(k.key) {
            req.body_example.insert(k.key.into(), e.clone());
        }
    }
}

/// The schema of an open-content key: raw XML, or the attributes of an `xs:anyAttribute`.
fn open_key_schema(key: &str) -> Value {
    if key == ATTRS_KEY {
        json!({"type": "object", "additionalProperties": {"type": "string"}, "description": "attributes the schema's xs:anyAttribute takes: {\"{namespace}name\": \"value\"}"})
    } else {
        json!({"type": "string", "description": "raw XML: what the wildcards (xs:any) hold, or the whole mixed content"})
    }
}

/// A SOAP header field bound to a request value: a parameter or a body key. It is required
/// when its header is (`required: true`) and the schema requires it.
fn header_field(b: &mut Builder, h: &HeaderIn, f: &HeaderField, req: &mut Request) {
    let s = b.field_schema(f.field.type_id, f.field.max.is_many(), false);
    let required = h.required && f.field.min > 0;
    let example = examples::field(b.schema, b.model, &f.field);
    let description = format!("Fills `{}` of the SOAP header `{}`", f.key, h.part);
    let (name, place) = match &f.source {
        HeaderSource::Request(InputSource::Path(p)) => (p, "path"),
        HeaderSource::Request(InputSource::Query(p)) => (p, "query"),
        HeaderSource::Request(InputSource::Header(p)) => (p, "header"),
        HeaderSource::BodyKey(k) => {
            req.body_example.insert(k.clone(), example);
            let mut s = s;
            if let Some(o) = s.as_object_mut()
                && !o.contains_key("$ref")
            {
                o.insert("description".into(), json!(description));
            }
            req.body_props.insert(k.clone(), s);
            if required {
                req.body_required.push(json!(k));
            }
            return;
        }
        HeaderSource::Request(_) | HeaderSource::Value(_) => return,
    };
    let seen = req.params.iter().any(|p| {
        p["in"] == place
            && p["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
    });
    if !seen {
        req.params.push(json!({"name": name, "in": place, "required": required || place == "path", "description": description, "schema": s, "example": example}));
    }
}

/// The success response (the answer's schema, example and HTTP headers) and every problem's;
/// with the keys answer headers add to the answer's object.
fn responses(
    b: &mut Builder,
    svc: &ServicePlan,
    op: &OperationPlan,
) -> (Map<String, Value>, Map<String, Value>) {
    let r = &op.route;
    let ok = answer_schema(b, op);
    let mut responses = Map::new();
    let mut example = examples::Answer::new(&svc.compiled.wsdl.schema, &svc.model, op);
    // Answer SOAP headers: HTTP response headers, or keys added to the answer object.
    let mut http_headers = Map::new();
    let mut extra = Map::new();
    for h in &r.response_headers {
        let el = b.schema.element(h.element);
        let s = b.field_schema(el.type_id, false, el.nillable);
        match &h.target {
            HeaderTarget::Http(name) => {
                http_headers.insert(name.clone(), json!({"description": format!("The SOAP header `{}` of the answer, when present", h.part), "schema": s}));
            }
            HeaderTarget::BodyKey(k) => {
                extra.insert(k.clone(), s);
                example.add_key(k, el.type_id);
            }
        }
    }
    let mut success = json!({"description": "The service's answer", "content": {"application/json": {"schema": ok, "example": example.value}}});
    if !http_headers.is_empty() {
        success["headers"] = Value::Object(http_headers);
    }
    responses.insert(r.status.to_string(), success);
    problems(r, &mut responses);
    (responses, extra)
}

/// The answer's schema: the field the route answers with, the output element, or the parts.
fn answer_schema(b: &mut Builder, op: &OperationPlan) -> Value {
    let r = &op.route;
    match (&op.output, r.response) {
        (_, Some(i)) => {
            let f = &r.outputs[i].1;
            let value = b.field_schema(f.type_id, f.max.is_many(), f.nillable || f.min == 0);
            match &r.response_key {
                Some(k) => json!({"type": "object", "properties": {k: value}, "required": [k]}),
                None => value,
            }
        }
        (BodyLayout::Element { type_id, .. }, None) => b.type_schema(*type_id),
        (BodyLayout::Parts { .. }, None) => {
            let props: Map<String, Value> = r
                .outputs
                .iter()
                .map(|(k, f)| (k.clone(), b.field_schema(f.type_id, f.max.is_many(), true)))
                .collect();
            json!({"type": "object", "properties": props})
        }
    }
}

/// Every problem status the route can answer, the mapped faults named at theirs.
fn problems(r: &Route, responses: &mut Map<String, Value>) {
    let mut statuses: Vec<(u16, String)> = vec![
        (400, "Malformed JSON, a request the schema refuses (every field listed), or a Client/Sender fault".into()),
        (404, "No such route".into()),
        (413, "Body too large".into()),
        (415, "Not application/json".into()),
        (502, "The legacy service failed, faulted (Server/Receiver), or answered outside its contract".into()),
        (503, "Unavailable".into()),
        (504, "The legacy service did not answer in time".into()),
    ];
    for (name, status) in &r.faults {
        match statuses.iter_mut().find(|(s, _)| s == status) {
            Some((_, d)) => d.push_str(&format!("; SOAP fault {name}")),
            None => statuses.push((*status, format!("SOAP fault {name}"))),
        }
    }
    statuses.sort();
    for (status, description) in statuses {
        responses.insert(status.to_string(), json!({"description": description, "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}));
    }
}
