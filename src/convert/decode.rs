//! XML -> JSON, driven by the schema: elements are matched on (namespace URI, local name), never
//! prefixes; repeated elements are always arrays; `xsi:nil` is `null`; unknown content is an error
//! naming where it was found.

use roxmltree::Node;
use serde_json::{Map, Value};

use super::model::{Body, Model, TEXT_KEY, TYPE_KEY, XML_KEY};
use super::simple;
use crate::xsd::*;

pub struct Decoder<'m> {
    pub schema: &'m Schema,
    pub model: &'m Model,
}

/// Where in the XML a problem is: a simple path of local names.
fn path_of(n: Node) -> String {
    let mut parts: Vec<&str> = n
        .ancestors()
        .filter(|a| a.is_element())
        .map(|a| a.tag_name().name())
        .collect();
    parts.reverse();
    format!("/{}", parts.join("/"))
}

impl Decoder<'_> {
    /// The JSON of element `n` declared with type `t`.
    pub fn element(&self, n: Node, t: TypeId, nillable: bool) -> Result<Value, String> {
        if n.attributes().len() == 0 {
            return self.content(n, t);
        }
        if n.attribute((XSI, "nil"))
            .is_some_and(|v| v.trim() == "true" || v.trim() == "1")
        {
            if !nillable {
                return Err(format!(
                    "{}: xsi:nil on an element that is not nillable",
                    path_of(n)
                ));
            }
            return Ok(Value::Null);
        }
        let mut t = t;
        let mut type_name = None;
        if let Some(xt) = n.attribute((XSI, "type")) {
            let (prefix, local) = xt
                .trim()
                .split_once(':')
                .map_or((None, xt.trim()), |(p, l)| (Some(p), l));
            let ns = n.lookup_namespace_uri(prefix).unwrap_or("");
            let ns = if is_xs_ns(ns) { XS } else { ns };
            match self.schema.global_types.get(&QName::new(ns, local)) {
                Some(&d) if d != t && self.schema.derives_from(d, t) => {
                    t = d;
                    type_name = Some(local.to_string());
                }
                Some(_) => {}
                None => return Err(format!("{}: unknown xsi:type `{xt}`", path_of(n))),
            }
        }
        let mut v = self.content(n, t)?;
        if let (Some(name), Value::Object(o)) = (type_name, &mut v) {
            o.insert(TYPE_KEY.to_string(), Value::String(name));
        }
        Ok(v)
    }

    fn content(&self, n: Node, t: TypeId) -> Result<Value, String> {
        // One text node is the common case: borrow it; join only when comments split it.
        let text = || -> std::borrow::Cow<str> {
            let mut texts = n.children().filter(|c| c.is_text()).filter_map(|c| c.text());
            match (texts.next(), texts.next()) {
                (None, _) => "".into(),
                (Some(t), None) => t.into(),
                (Some(a), Some(b)) => {
                    let mut s = format!("{a}{b}");
                    s.extend(texts);
                    s.into()
                }
            }
        };
        match &self.schema.ty(t).kind {
            TypeKind::Simple(_) => {
                if let Some(c) = n.children().find(|c| c.is_element()) {
                    return Err(format!(
                        "{}: unexpected element `{}` in a simple value",
                        path_of(n),
                        c.tag_name().name()
                    ));
                }
                simple::to_json(self.schema, t, &text()).map_err(|e| format!("{}: {e}", path_of(n)))
            }
            TypeKind::Complex(_) => {
                let Some(info) = self.model.info(t) else {
                    return Ok(Value::Null);
                };
                if t == TypeId(0) {
                    return Ok(any_json(n));
                }
                let mut obj = Map::new();
                for a in &info.attrs {
                    let raw = if a.name.ns.is_empty() {
                        n.attribute(a.name.local.as_str())
                    } else {
                        n.attribute((a.name.ns.as_str(), a.name.local.as_str()))
                    };
                    if let Some(raw) = raw {
                        let v = simple::to_json(self.schema, a.type_id, raw)
                            .map_err(|e| format!("{}/@{}: {e}", path_of(n), a.name.local))?;
                        obj.insert(a.key.clone(), v);
                    } else if a.required {
                        return Err(format!(
                            "{}: required attribute `{}` is missing",
                            path_of(n),
                            a.name.local
                        ));
                    }
                }
                match &info.body {
                    Body::Empty => {
                        if let Some(c) = n.children().find(|c| c.is_element()) {
                            return Err(format!(
                                "{}: unexpected element `{}` (the type has no content)",
                                path_of(n),
                                c.tag_name().name()
                            ));
                        }
                    }
                    Body::Text(st) => {
                        let v = simple::to_json(self.schema, *st, &text())
                            .map_err(|e| format!("{}: {e}", path_of(n)))?;
                        if info.attrs.is_empty() {
                            return Ok(v);
                        }
                        obj.insert(TEXT_KEY.to_string(), v);
                    }
                    Body::Elements { slots, .. } => {
                        for c in n.children() {
                            if c.is_text() {
                                if !info.mixed && c.text().is_some_and(|s| !s.trim().is_empty()) {
                                    return Err(format!(
                                        "{}: unexpected text in element-only content",
                                        path_of(n)
                                    ));
                                }
                                continue;
                            }
                            if !c.is_element() {
                                continue;
                            }
                            let (ns, local) = (c.tag_name().namespace().unwrap_or(""), c.tag_name().name());
                            let found = info.by_name.get(local).and_then(|l| l.iter().find(|(n, _, _)| n == ns));
                            let Some(&(_, slot_i, decl)) = found else {
                                if info.mixed || has_wildcard(&info.body) {
                                    continue;
                                }
                                return Err(format!("{}: unexpected element `{local}` (namespace `{ns}`)", path_of(n)));
                            };
                            let slot = &slots[slot_i];
                            let el = self.schema.element(decl);
                            let v = self.element(c, el.type_id, el.nillable)?;
                            if slot.many {
                                match obj
                                    .entry(slot.key.clone())
                                    .or_insert_with(|| Value::Array(Vec::new()))
                                {
                                    Value::Array(a) => a.push(v),
                                    _ => unreachable!("array slots hold arrays"),
                                }
                            } else if obj.insert(slot.key.clone(), v).is_some() {
                                return Err(format!("{}: `{local}` appears more than once", path_of(n)));
                            }
                        }
                        for s in slots.iter().filter(|s| s.many && !s.in_choice) {
                            obj.entry(s.key.clone())
                                .or_insert_with(|| Value::Array(Vec::new()));
                        }
                    }
                }
                Ok(Value::Object(obj))
            }
        }
    }
}

fn has_wildcard(body: &Body) -> bool {
    fn any(p: &Particle) -> bool {
        match &p.term {
            Term::Any(_) => true,
            Term::Sequence(ps) | Term::Choice(ps) | Term::All(ps) => ps.iter().any(any),
            Term::Element(_) => false,
        }
    }
    matches!(body, Body::Elements { particle, .. } if any(particle))
}

/// `anyType` content: its text when it has no child elements, else `{"$xml": "<raw/>"}`.
fn any_json(n: Node) -> Value {
    if !n.children().any(|c| c.is_element()) {
        return Value::String(n.children().filter_map(|c| c.text()).collect());
    }
    let doc = n.document().input_text();
    let first = n.first_child().map_or(0, |c| c.range().start);
    let last = n.last_child().map_or(0, |c| c.range().end);
    let mut o = Map::new();
    o.insert(
        XML_KEY.to_string(),
        Value::String(doc[first..last].to_string()),
    );
    Value::Object(o)
}
