//! The OpenAPI 3.1 description of every served route, built from the same compiled types that
//! drive conversion, so description and behaviour cannot drift apart.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use serde_json::{Map, Value, json};

use crate::convert::model::{Body, JsonModel, TypeInfo};
use crate::convert::operation::{BodyLayout, ServicePlan};
use crate::convert::simple::{Json, json_kind};
use crate::mapping::naming::{TEXT_KEY, TYPE_KEY, XML_KEY};
use crate::mapping::route::{HeaderSource, HeaderTarget, InputSource, Method};
use crate::mock::sample::Sampler;
use crate::xsd::*;

/// Builds the document for all services.
pub fn document(services: &[Arc<ServicePlan>]) -> Value {
    let mut paths: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    let mut components = Map::new();
    for svc in services {
        let mut b = Builder {
            schema: &svc.compiled.wsdl.schema,
            model: &svc.model,
            prefix: prefix(svc),
            done: HashSet::new(),
            todo: Vec::new(),
            components: &mut components,
        };
        let service_name = svc.compiled.selection.describe(&svc.compiled.wsdl);
        let tag = svc
            .compiled
            .file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut pending: Vec<(String, Method, u16, Map<String, Value>)> = Vec::new();
        for op in &svc.operations {
            let r = &op.route;
            let mut o = Map::new();
            o.insert(
                "operationId".into(),
                json!(format!("{}{}", b.prefix, r.operation)),
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
            let mut params = Vec::new();
            let mut body_props = Map::new();
            let mut body_required = Vec::new();
            let mut whole_body = None;
            let mut body_example = Map::new();
            for i in &r.inputs {
                let s = b.field_schema(i.field.type_id, i.field.max.is_many(), i.field.nillable);
                let required = i.field.min > 0;
                // Examples come from the same sampler as the mock's answers (seed 0: every field).
                let one = Sampler::new(b.schema, b.model, 0).value(i.field.type_id);
                let example = if i.field.max.is_many() {
                    json!([one])
                } else {
                    one
                };
                match &i.source {
                    InputSource::Path(p) => params.push(json!({"name": p, "in": "path", "required": true, "schema": s, "example": example})),
                    InputSource::Query(p) => params.push(json!({"name": p, "in": "query", "required": required, "schema": s, "example": example})),
                    InputSource::Header(p) => params.push(json!({"name": p, "in": "header", "required": required, "schema": s, "example": example})),
                    InputSource::Body => {
                        whole_body = Some(s);
                        body_example.insert(String::new(), example);
                    }
                    InputSource::BodyKey => {
                        body_example.insert(i.key.clone(), example);
                        body_props.insert(i.key.clone(), s);
                        if required {
                            body_required.push(json!(i.key));
                        }
                    }
                }
            }
            // SOAP header fields bound to request values: parameters or body keys. A field is
            // required when its header is (`required: true`) and the schema requires it.
            for h in &r.headers {
                for f in &h.fields {
                    let s = b.field_schema(f.field.type_id, f.field.max.is_many(), false);
                    let required = h.required && f.field.min > 0;
                    let one = Sampler::new(b.schema, b.model, 0).value(f.field.type_id);
                    let example = if f.field.max.is_many() {
                        json!([one])
                    } else {
                        one
                    };
                    let description = format!("Fills `{}` of the SOAP header `{}`", f.key, h.part);
                    let (name, place) = match &f.source {
                        HeaderSource::Request(InputSource::Path(p)) => (p, "path"),
                        HeaderSource::Request(InputSource::Query(p)) => (p, "query"),
                        HeaderSource::Request(InputSource::Header(p)) => (p, "header"),
                        HeaderSource::BodyKey(k) => {
                            body_example.insert(k.clone(), example);
                            let mut s = s;
                            if let Some(o) = s.as_object_mut()
                                && !o.contains_key("$ref")
                            {
                                o.insert("description".into(), json!(description));
                            }
                            body_props.insert(k.clone(), s);
                            if required {
                                body_required.push(json!(k));
                            }
                            continue;
                        }
                        HeaderSource::Request(_) | HeaderSource::Value(_) => continue,
                    };
                    let seen = params.iter().any(|p| {
                        p["in"] == place
                            && p["name"]
                                .as_str()
                                .is_some_and(|n| n.eq_ignore_ascii_case(name))
                    });
                    if !seen {
                        params.push(json!({"name": name, "in": place, "required": required || place == "path", "description": description, "schema": s, "example": example}));
                    }
                }
            }
            if !params.is_empty() {
                o.insert("parameters".into(), Value::Array(params));
            }
            if r.method.has_body() {
                let s = whole_body.unwrap_or_else(|| json!({"type": "object", "properties": body_props, "required": body_required, "additionalProperties": false}));
                o.insert(
                    "requestBody".into(),
                    {
                        let example = body_example.remove("").unwrap_or(Value::Object(body_example));
                        json!({"required": true, "content": {"application/json": {"schema": s, "example": example}}})
                    },
                );
            }
            let ok = match (&op.output, r.response) {
                (_, Some(i)) => {
                    let f = &r.outputs[i].1;
                    b.field_schema(f.type_id, f.max.is_many(), f.nillable || f.min == 0)
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
            };
            let mut responses = Map::new();
            let mut sampler = Sampler::new(b.schema, b.model, 0);
            let whole = match &op.output {
                BodyLayout::Element { type_id, .. } => sampler.value(*type_id),
                BodyLayout::Parts { parts, .. } => Value::Object(
                    parts
                        .iter()
                        .map(|p| (p.key.clone(), sampler.value(p.type_id)))
                        .collect(),
                ),
            };
            let mut example = match r.response {
                Some(i) => whole.get(&r.outputs[i].0).cloned().unwrap_or(Value::Null),
                None => whole,
            };
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
                        if let Some(o) = example.as_object_mut() {
                            o.insert(k.clone(), sampler.value(el.type_id));
                        }
                    }
                }
            }
            if !extra.is_empty() {
                pending.push((r.path.clone(), r.method, r.status, extra));
            }
            let mut success = json!({"description": "The service's answer", "content": {"application/json": {"schema": ok, "example": example}}});
            if !http_headers.is_empty() {
                success["headers"] = Value::Object(http_headers);
            }
            responses.insert(r.status.to_string(), success);
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
            o.insert("responses".into(), Value::Object(responses));
            let method = method_name(r.method);
            paths
                .entry(r.path.clone())
                .or_default()
                .insert(method.into(), Value::Object(o));
        }
        b.finish();
        // Answers with header keys: the answer's object schema, inlined, with those keys added.
        for (path, method, status, extra) in pending {
            if let Some(schema) = paths
                .get_mut(&path)
                .and_then(|item| item.get_mut(method_name(method)))
                .and_then(|o| {
                    o.pointer_mut(&format!(
                        "/responses/{status}/content/application~1json/schema"
                    ))
                })
            {
                add_properties(schema, &extra, &components);
            }
        }
    }
    components.insert("Problem".into(), json!({
        "type": "object",
        "description": "RFC 9457 problem details",
        "required": ["type", "title", "status", "code"],
        "properties": {
            "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
            "code": {"type": "string"}, "detail": {"type": "string"},
            "errors": {"type": "array", "description": "Every problem of an `invalid_request` (the first 100)", "items": {"type": "object", "required": ["pointer", "rule", "message"], "properties": {
                "pointer": {"type": "string", "description": "JSON Pointer (RFC 6901) to the field, `/` for the whole request"},
                "rule": {"type": "string", "description": "The rule broken, a stable code: `type`, `required`, `unknownField`, an XSD facet (`enumeration`, `pattern`, `length`, `minLength`, `maxLength`, `minInclusive`, `maxInclusive`, `minExclusive`, `maxExclusive`, `totalDigits`, `fractionDigits`), `minOccurs`, `maxOccurs`, `choice`, `nillable`, `fixed`, `abstract`, `derivation`, `wildcard`, `xml`, `encoding`"},
                "expected": {"type": "string", "description": "What the schema takes there"},
                "found": {"type": "string", "description": "What was sent, short (long strings cut with …; `nothing` when absent)"},
                "message": {"type": "string"}}}},
            "fault": {"type": "object", "properties": {"name": {"type": "string"}, "code": {"type": "string"}, "string": {"type": "string"}, "detail": {}}}
        }
    }));
    json!({
        "openapi": "3.1.0",
        "info": {"title": "soapbridge", "version": env!("CARGO_PKG_VERSION"), "description": "REST routes in front of SOAP services; generated from their WSDL and mapping files."},
        "paths": paths,
        "components": {"schemas": components}
    })
}

fn method_name(m: Method) -> &'static str {
    match m {
        Method::Get => "get",
        Method::Post => "post",
        Method::Put => "put",
        Method::Delete => "delete",
        Method::Patch => "patch",
    }
}

/// Adds `extra` properties to an object schema: a `$ref` is replaced by a copy of its component,
/// a nullable `oneOf` gets them in its object branch.
fn add_properties(schema: &mut Value, extra: &Map<String, Value>, components: &Map<String, Value>) {
    if let Some(name) = schema
        .get("$ref")
        .and_then(|r| r.as_str())
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
        && let Some(c) = components.get(name)
    {
        *schema = c.clone();
    }
    if let Some(first) = schema
        .get_mut("oneOf")
        .and_then(|o| o.as_array_mut())
        .and_then(|a| a.first_mut())
    {
        return add_properties(first, extra, components);
    }
    if let Some(o) = schema.as_object_mut() {
        let props = o
            .entry("properties")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(p) = props.as_object_mut() {
            for (k, v) in extra {
                p.insert(k.clone(), v.clone());
            }
        }
    }
}

/// Component names of different services must not collide: prefix them when there are several.
fn prefix(svc: &ServicePlan) -> String {
    let stem = svc
        .compiled
        .file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut p: String = stem.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    if let Some(f) = p.get_mut(0..1) {
        f.make_ascii_uppercase();
    }
    p
}

struct Builder<'a> {
    schema: &'a Schema,
    model: &'a JsonModel,
    prefix: String,
    done: HashSet<TypeId>,
    todo: Vec<TypeId>,
    components: &'a mut Map<String, Value>,
}

impl Builder<'_> {
    fn name(&self, t: TypeId) -> String {
        let local = self
            .schema
            .ty(t)
            .name
            .as_ref()
            .map_or("Anonymous", |q| q.local.as_str());
        let clean: String = local
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        format!("{}.{clean}", self.prefix)
    }

    /// A field's schema: an array when repeated, `null` allowed when nillable.
    fn field_schema(&mut self, t: TypeId, many: bool, nillable: bool) -> Value {
        let item = self.type_schema(t);
        let item = if nillable && self.model.nil_possible(t) {
            json!({"oneOf": [item, {"type": "null"}]})
        } else {
            item
        };
        if many {
            json!({"type": "array", "items": item})
        } else {
            item
        }
    }

    /// A named (non-built-in) type becomes a component and a `$ref`; others are inline.
    fn type_schema(&mut self, t: TypeId) -> Value {
        let named = self.schema.ty(t).name.as_ref().is_some_and(|q| q.ns != XS);
        if named {
            if self.done.insert(t) {
                self.todo.push(t);
            }
            return json!({"$ref": format!("#/components/schemas/{}", self.name(t))});
        }
        self.inline(t)
    }

    fn finish(&mut self) {
        while let Some(t) = self.todo.pop() {
            let s = self.inline(t);
            let name = self.name(t);
            self.components.insert(name, s);
        }
    }

    fn inline(&mut self, t: TypeId) -> Value {
        match &self.schema.ty(t).kind {
            TypeKind::Simple(st) => self.simple(st),
            TypeKind::Complex(_) if t == TypeId(0) => {
                json!({"description": "any content: a scalar, or {\"$xml\": \"<raw/>\"}"})
            }
            TypeKind::Complex(ct) if ct.array_of.is_some() => {
                let item = ct.array_of.unwrap_or(TypeId(0));
                json!({"type": "array", "items": self.field_schema(item, false, true), "description": "a SOAP-encoded array"})
            }
            TypeKind::Complex(_) => self.complex(t),
        }
    }

    fn simple(&mut self, st: &SimpleType) -> Value {
        match &st.variety {
            Variety::List(item) => {
                return json!({"type": "array", "items": self.type_schema(*item)});
            }
            Variety::Union(members) => {
                let m: Vec<Value> = members.iter().map(|m| self.type_schema(*m)).collect();
                return json!({"anyOf": m});
            }
            Variety::Atomic => {}
        }
        let f = &st.facets;
        let local = self
            .schema
            .ty(st.base_builtin)
            .name
            .as_ref()
            .map_or("string", |q| q.local.as_str());
        let num = |s: &Option<String>| {
            s.as_deref()
                .and_then(|v| serde_json::from_str::<serde_json::Number>(v).ok())
        };
        let mut s = Map::new();
        match json_kind(self.schema, st) {
            Json::Bool => {
                s.insert("type".into(), json!("boolean"));
            }
            Json::SmallInt | Json::BigInt => {
                s.insert("type".into(), json!("integer"));
                let format = match local {
                    "int" | "short" | "byte" | "unsignedShort" | "unsignedByte" => Some("int32"),
                    "long" | "unsignedInt" => Some("int64"),
                    _ => None,
                };
                if let Some(fm) = format {
                    s.insert("format".into(), json!(fm));
                }
                if matches!(json_kind(self.schema, st), Json::BigInt) {
                    s.insert("description".into(), json!(format!("xs:{local}: every digit is kept (never rounded through a float); a numeric string is accepted too")));
                }
            }
            Json::Decimal => {
                s.insert("type".into(), json!("number"));
                s.insert("description".into(), json!("xs:decimal: every digit is kept (never rounded through a float); a numeric string is accepted too"));
            }
            Json::Float => {
                return json!({"oneOf": [{"type": "number", "format": if local == "float" { "float" } else { "double" }}, {"type": "string", "enum": ["INF", "-INF", "NaN"]}]});
            }
            Json::String => {
                s.insert("type".into(), json!("string"));
                let format = match local {
                    "dateTime" => Some("date-time"),
                    "date" => Some("date"),
                    "time" => Some("time"),
                    "duration" => Some("duration"),
                    "base64Binary" => Some("byte"),
                    "anyURI" => Some("uri"),
                    _ => None,
                };
                if let Some(fm) = format {
                    s.insert("format".into(), json!(fm));
                }
                if let Some(n) = f.length.or(f.max_length) {
                    s.insert("maxLength".into(), json!(n));
                }
                if let Some(n) = f.length.or(f.min_length) {
                    s.insert("minLength".into(), json!(n));
                }
                // What the bridge checks beyond the format: characters XML can carry, the
                // zone range of XSD dates (±14:00), and the XSD pattern (whole value).
                let zone = r"(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9]|[+-]14:00)?";
                let lexical = match local {
                    "dateTime" => Some(format!(
                        r"^-?[0-9]{{4,}}-[0-9]{{2}}-[0-9]{{2}}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?{zone}$"
                    )),
                    "date" => Some(format!(r"^-?[0-9]{{4,}}-[0-9]{{2}}-[0-9]{{2}}{zone}$")),
                    "time" => Some(format!(
                        r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?{zone}$"
                    )),
                    _ => None,
                };
                let mut patterns =
                    vec![r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]*$".to_string()];
                patterns.extend(lexical);
                // Each restriction step's patterns (one of a step's must match).
                for step in &f.patterns {
                    patterns.push(format!(
                        "^(?:{})$",
                        step.iter()
                            .map(|p| format!("(?:{p})"))
                            .collect::<Vec<_>>()
                            .join("|")
                    ));
                }
                let first = patterns.remove(0);
                s.insert("pattern".into(), json!(first));
                if !patterns.is_empty() {
                    s.insert(
                        "allOf".into(),
                        Value::Array(
                            patterns
                                .into_iter()
                                .map(|p| json!({"pattern": p}))
                                .collect(),
                        ),
                    );
                }
            }
        }
        // totalDigits/fractionDigits exactly: a value with d fraction digits (d <= fractionDigits)
        // is valid when |v| < 10^(totalDigits - d), so the union over d of "multiple of 10^-d
        // and within that bound" is the XSD value space.
        if matches!(
            json_kind(self.schema, st),
            Json::Decimal | Json::BigInt | Json::SmallInt
        ) {
            let num = |text: String| {
                serde_json::from_str::<serde_json::Number>(&text)
                    .ok()
                    .map(Value::Number)
            };
            let pow10_neg = |d: u32| {
                if d == 0 {
                    "1".to_string()
                } else {
                    format!("0.{}1", "0".repeat(d as usize - 1))
                }
            };
            match (
                f.total_digits.filter(|&t| (1..=38).contains(&t)),
                f.fraction_digits,
            ) {
                (Some(t), fd) => {
                    let fmax = fd.unwrap_or(t).min(t).min(18);
                    let branches: Vec<Value> = (0..=fmax)
                        .filter_map(|d| {
                            let int = (t - d) as usize;
                            let max = if d == 0 { "9".repeat(int.max(1)) } else if int == 0 { format!("0.{}", "9".repeat(d as usize)) } else { format!("{}.{}", "9".repeat(int), "9".repeat(d as usize)) };
                            Some(json!({"multipleOf": num(pow10_neg(d))?, "maximum": num(max.clone())?, "minimum": num(format!("-{max}"))?}))
                        })
                        .collect();
                    if branches.len() == 1 {
                        if let Value::Object(o) = &branches[0] {
                            s.extend(o.clone());
                        }
                    } else if !branches.is_empty() {
                        s.insert("anyOf".into(), Value::Array(branches));
                    }
                }
                (None, Some(d)) if d > 0 && d <= 18 => {
                    if let Some(n) = num(pow10_neg(d)) {
                        s.insert("multipleOf".into(), n);
                    }
                }
                _ => {}
            }
        }
        if matches!(
            json_kind(self.schema, st),
            Json::SmallInt | Json::BigInt | Json::Decimal
        ) {
            if let Some(n) = num(&f.min_inclusive) {
                s.insert("minimum".into(), Value::Number(n));
            }
            if let Some(n) = num(&f.max_inclusive) {
                s.insert("maximum".into(), Value::Number(n));
            }
            if let Some(n) = num(&f.min_exclusive) {
                s.insert("exclusiveMinimum".into(), Value::Number(n));
            }
            if let Some(n) = num(&f.max_exclusive) {
                s.insert("exclusiveMaximum".into(), Value::Number(n));
            }
        }
        if !f.enumeration.is_empty() {
            let vals: Vec<Value> = f
                .enumeration
                .iter()
                .map(|e| match json_kind(self.schema, st) {
                    Json::String => json!(e),
                    _ => serde_json::from_str(e).unwrap_or_else(|_| json!(e)),
                })
                .collect();
            s.insert("enum".into(), Value::Array(vals));
        }
        Value::Object(s)
    }

    fn complex(&mut self, t: TypeId) -> Value {
        let Some(info) = self.model.info(t) else {
            return json!({});
        };
        let mut props = Map::new();
        let mut required = Vec::new();
        for a in &info.attrs {
            let s = self.type_schema(a.type_id);
            props.insert(a.key.clone(), s);
            if a.required {
                required.push(json!(a.key));
            }
        }
        let mut choices = Vec::new();
        match &info.body {
            Body::Empty => {}
            Body::Text(st) => {
                let s = self.type_schema(*st);
                if info.attrs.is_empty() {
                    return s;
                }
                props.insert(TEXT_KEY.into(), s);
                required.push(json!(TEXT_KEY));
            }
            Body::Elements { .. } => {
                choices = info.choices.clone();
                self.element_fields(info, &mut props, &mut required);
            }
        }
        let derived: Vec<String> = derived_names(self.schema, t);
        if !derived.is_empty() {
            props.insert(TYPE_KEY.into(), json!({"type": "string", "enum": derived, "description": "the xsi:type, when it is a type derived from this one"}));
        }
        if info.mixed || info.own_wildcard {
            props.insert(XML_KEY.into(), json!({"type": "string", "description": "raw XML: what the wildcards (xs:any) hold, or the whole mixed content"}));
        }
        if info.any_attribute {
            props.insert(crate::mapping::naming::ATTRS_KEY.into(), json!({"type": "object", "additionalProperties": {"type": "string"}, "description": "attributes the schema's xs:anyAttribute takes: {\"{namespace}name\": \"value\"}"}));
        }
        let mut s = json!({"type": "object", "properties": props, "additionalProperties": !derived.is_empty()});
        if !required.is_empty() {
            s["required"] = Value::Array(required);
        }
        if !choices.is_empty() {
            let all: Vec<Value> = choices
                .into_iter()
                .map(|keys: Vec<usize>| {
                    let Body::Elements { slots, .. } = &info.body else { unreachable!() };
                    json!({"oneOf": keys.iter().map(|&k| json!({"required": [slots[k].key]})).collect::<Vec<_>>()})
                })
                .collect();
            s["allOf"] = Value::Array(all);
        }
        self.as_extension(t, s)
    }

    /// The properties (and required keys) of a content model's slots.
    fn element_fields(
        &mut self,
        info: &TypeInfo,
        props: &mut Map<String, Value>,
        required: &mut Vec<Value>,
    ) {
        let Body::Elements { particle, slots } = &info.body else {
            return;
        };
        let mut bounds = std::collections::HashMap::new();
        item_bounds(particle, false, info, &mut bounds);
        for (index, slot) in slots.iter().enumerate() {
            let mut s = match slot.group.as_deref() {
                Some(group) => json!({"type": "array", "items": self.choice_item(group)}),
                None => {
                    let el = self.schema.element(slot.element);
                    self.field_schema(el.type_id, slot.many, el.nillable)
                }
            };
            if let Some(Some((min, max))) = bounds.get(&index) {
                // An absent optional repeated element comes out as `[]`: only a required
                // one has a lower bound.
                if *min > 0 && info.required.contains(&index) {
                    s["minItems"] = json!(min);
                }
                if let MaxOccurs::Bounded(m) = max {
                    s["maxItems"] = json!(m);
                }
            }
            props.insert(slot.key.clone(), s);
        }
        for &i in &info.required {
            required.push(json!(slots[i].key));
        }
    }

    /// One occurrence of a repeated choice: an object with the fields of exactly one branch.
    fn choice_item(&mut self, group: &TypeInfo) -> Value {
        let (mut props, mut required) = (Map::new(), Vec::new());
        self.element_fields(group, &mut props, &mut required);
        let Body::Elements { slots, .. } = &group.body else {
            return json!({"type": "object"});
        };
        let count = group
            .branch
            .iter()
            .filter(|&&b| b != usize::MAX)
            .max()
            .map_or(0, |m| m + 1);
        // Each branch: its own keys only, and its required ones present.
        let branches: Vec<Value> = (0..count)
            .map(|b| {
                let own: Vec<usize> = (0..slots.len()).filter(|&i| group.branch.get(i) == Some(&b)).collect();
                let mut bp = Map::new();
                for &i in &own {
                    if let Some(v) = props.get(&slots[i].key) {
                        bp.insert(slots[i].key.clone(), v.clone());
                    }
                }
                let req: Vec<Value> = own
                    .iter()
                    .filter(|i| group.required.contains(i))
                    .map(|&i| json!(slots[i].key))
                    .collect();
                let mut o = json!({"type": "object", "properties": bp, "additionalProperties": false, "minProperties": 1});
                if !req.is_empty() {
                    o["required"] = Value::Array(req);
                }
                o
            })
            .chain(
                // A wildcard branch: the element it matched, raw.
                crate::convert::model::has_wildcard(&group.body).then(|| json!({"type": "object", "properties": {XML_KEY: {"type": "string", "description": "raw XML: the one element the wildcard (xs:any) matched"}}, "required": [XML_KEY], "additionalProperties": false})),
            )
            .collect();
        let mut branches = branches;
        if crate::convert::model::has_wildcard(&group.body) {
            branches.push(json!({"type": "object", "properties": {XML_KEY: {"type": "string", "description": "raw XML: an element the choice's wildcard (xs:any) takes"}}, "required": [XML_KEY], "additionalProperties": false}));
        }
        json!({"oneOf": branches})
    }

    /// An extension of a named complex type: `allOf: [$ref base, own fields]`, closed with
    /// `unevaluatedProperties` (the base stays open: it has derived types).
    fn as_extension(&mut self, t: TypeId, full: Value) -> Value {
        let ty = self.schema.ty(t);
        let (TypeKind::Complex(ct), Some(base)) = (&ty.kind, ty.base) else {
            return full;
        };
        let base_named = self
            .schema
            .ty(base)
            .name
            .as_ref()
            .is_some_and(|q| q.ns != XS);
        if ct.derivation != Derivation::Extension
            || !base_named
            || !matches!(self.schema.ty(base).kind, TypeKind::Complex(_))
        {
            return full;
        }
        let Some(base_info) = self.model.info(base) else {
            return full;
        };
        let mut base_keys: HashSet<String> =
            base_info.attrs.iter().map(|a| a.key.clone()).collect();
        match &base_info.body {
            Body::Elements { slots, .. } => base_keys.extend(slots.iter().map(|s| s.key.clone())),
            Body::Text(_) => {
                base_keys.insert(TEXT_KEY.to_string());
            }
            Body::Empty => {}
        }
        base_keys.insert(TYPE_KEY.to_string());
        let mut own = full.clone();
        if let Some(props) = own.get_mut("properties").and_then(Value::as_object_mut) {
            props.retain(|k, _| !base_keys.contains(k));
        }
        if let Some(req) = own.get_mut("required").and_then(Value::as_array_mut) {
            req.retain(|k| !k.as_str().is_some_and(|k| base_keys.contains(k)));
            if req.is_empty() {
                own.as_object_mut().map(|o| o.remove("required"));
            }
        }
        let open = full
            .get("additionalProperties")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if let Some(o) = own.as_object_mut() {
            o.remove("additionalProperties");
        }
        let base_ref = self.type_schema(base);
        json!({"allOf": [base_ref, own], "unevaluatedProperties": open})
    }
}

/// minItems/maxItems of repeated elements, when the repetition is the element's own (not a
/// repeated group's) and the slot appears once; `None` when it cannot be said.
fn item_bounds(
    p: &Particle,
    in_many: bool,
    info: &crate::convert::model::TypeInfo,
    out: &mut std::collections::HashMap<usize, Option<(u32, MaxOccurs)>>,
) {
    if crate::convert::model::is_group_choice(p, in_many) {
        if let Some(&i) =
            crate::convert::model::first_element(p).and_then(|e| info.group_of.get(&e))
        {
            let v = (!in_many).then_some((p.min, p.max));
            out.entry(i).and_modify(|x| *x = None).or_insert(v);
        }
        return;
    }
    match &p.term {
        Term::Element(e) => {
            if let Some(&i) = info.by_element.get(e) {
                let v = (!in_many && p.max.is_many()).then_some((p.min, p.max));
                out.entry(i).and_modify(|x| *x = None).or_insert(v);
            }
        }
        Term::Sequence(ps) | Term::All(ps) | Term::Choice(ps) => {
            let in_many = in_many || p.max.is_many();
            ps.iter().for_each(|c| item_bounds(c, in_many, info, out));
        }
        Term::Any(_) => {}
    }
}

fn derived_names(schema: &Schema, t: TypeId) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack: Vec<TypeId> = schema.derived.get(&t).cloned().unwrap_or_default();
    while let Some(d) = stack.pop() {
        if out.len() > 500 {
            break;
        }
        if let Some(q) = &schema.ty(d).name {
            out.push(q.local.clone());
        }
        stack.extend(schema.derived.get(&d).into_iter().flatten().copied());
    }
    out.sort();
    out.dedup();
    out
}
