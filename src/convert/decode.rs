//! XML -> JSON, driven by the schema, written straight to JSON text (no intermediate tree):
//! elements are matched on (namespace URI, local name), never prefixes; repeated elements are
//! always arrays; `xsi:nil` is `null`; keys come in schema order; unknown content is an error
//! naming where it was found.

use roxmltree::Node;
use serde_json::Value;

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

/// Appends `s` as a JSON string.
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    // serde_json's escaper; writing into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

fn write_key(out: &mut Vec<u8>, first: &mut bool, key: &str) {
    if !*first {
        out.push(b',');
    }
    *first = false;
    write_str(out, key);
    out.push(b':');
}

/// The text of an element: borrowed when it is one text node (the common case).
fn text_of<'a>(n: Node<'a, '_>) -> std::borrow::Cow<'a, str> {
    let mut texts = n
        .children()
        .filter(|c| c.is_text())
        .filter_map(|c| c.text());
    match (texts.next(), texts.next()) {
        (None, _) => "".into(),
        (Some(t), None) => t.into(),
        (Some(a), Some(b)) => {
            let mut s = format!("{a}{b}");
            s.extend(texts);
            s.into()
        }
    }
}

impl Decoder<'_> {
    /// The JSON of element `n` declared with type `t`, as a value.
    pub fn element(&self, n: Node, t: TypeId, nillable: bool) -> Result<Value, String> {
        let mut out = Vec::with_capacity(256);
        self.write_element(n, t, nillable, &mut out)?;
        serde_json::from_slice(&out)
            .map_err(|e| format!("internal: the decoder wrote invalid JSON: {e}"))
    }

    /// Writes the JSON of element `n` declared with type `t`.
    pub fn write_element(
        &self,
        n: Node,
        t: TypeId,
        nillable: bool,
        out: &mut Vec<u8>,
    ) -> Result<(), String> {
        if n.attributes().len() == 0 {
            return self.write_content(n, t, None, out);
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
            out.extend_from_slice(b"null");
            return Ok(());
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
                    type_name = Some(local);
                }
                Some(&d) if d == t => {}
                Some(_) => {
                    return Err(format!(
                        "{}: xsi:type `{xt}` is not derived from the declared type",
                        path_of(n)
                    ));
                }
                None => return Err(format!("{}: unknown xsi:type `{xt}`", path_of(n))),
            }
        }
        self.write_content(n, t, type_name, out)
    }

    /// Writes only the value of one field (JSON key `key`) of element `n` of complex type `t`:
    /// what a mapping's `response:` selects. Absent is `null` (`[]` for a repeated field).
    pub fn write_field(
        &self,
        n: Node,
        t: TypeId,
        key: &str,
        out: &mut Vec<u8>,
    ) -> Result<(), String> {
        let Some(info) = self.model.info(t) else {
            return Err(format!("{}: not a complex type", path_of(n)));
        };
        if let Some(a) = info.attrs.iter().find(|a| a.key == key) {
            let raw = if a.name.ns.is_empty() {
                n.attribute(a.name.local.as_str())
            } else {
                n.attribute((a.name.ns.as_str(), a.name.local.as_str()))
            };
            return match raw {
                Some(raw) => simple::write_json(self.schema, a.type_id, raw, out)
                    .map_err(|e| format!("{}/@{}: {e}", path_of(n), a.name.local)),
                None => {
                    out.extend_from_slice(b"null");
                    Ok(())
                }
            };
        }
        let Body::Elements { slots, .. } = &info.body else {
            return Err(format!("{}: no field `{key}`", path_of(n)));
        };
        let Some(si) = slots.iter().position(|s| s.key == key) else {
            return Err(format!("{}: no field `{key}`", path_of(n)));
        };
        let mut items = Vec::new();
        for c in n.children().filter(|c| c.is_element()) {
            let (ns, local) = (c.tag_name().namespace().unwrap_or(""), c.tag_name().name());
            match info
                .by_name
                .get(local)
                .and_then(|l| l.iter().find(|(n, _, _)| n == ns))
            {
                Some(&(_, slot, decl)) if slot == si => items.push((decl, c)),
                Some(_) => {}
                None if info.mixed || has_wildcard(&info.body) => {}
                None => {
                    return Err(format!(
                        "{}: unexpected element `{local}` (namespace `{ns}`)",
                        path_of(n)
                    ));
                }
            }
        }
        if items.is_empty() && info.required.contains(&si) {
            return Err(format!(
                "{}: required element `{}` is missing",
                path_of(n),
                self.schema.element(slots[si].element).name.local
            ));
        }
        if slots[si].many {
            out.push(b'[');
            for (i, (decl, c)) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                let el = self.schema.element(*decl);
                self.write_element(*c, el.type_id, el.nillable, out)?;
            }
            out.push(b']');
            return Ok(());
        }
        match items.as_slice() {
            [] => out.extend_from_slice(b"null"),
            [(decl, c)] => {
                let el = self.schema.element(*decl);
                self.write_element(*c, el.type_id, el.nillable, out)?;
            }
            [_, (_, c), ..] => {
                return Err(format!(
                    "{}: `{}` appears more than once",
                    path_of(n),
                    c.tag_name().name()
                ));
            }
        }
        Ok(())
    }

    fn write_content(
        &self,
        n: Node,
        t: TypeId,
        type_name: Option<&str>,
        out: &mut Vec<u8>,
    ) -> Result<(), String> {
        let info = match &self.schema.ty(t).kind {
            TypeKind::Simple(_) => {
                if let Some(c) = n.children().find(|c| c.is_element()) {
                    return Err(format!(
                        "{}: unexpected element `{}` in a simple value",
                        path_of(n),
                        c.tag_name().name()
                    ));
                }
                return simple::write_json(self.schema, t, &text_of(n), out)
                    .map_err(|e| format!("{}: {e}", path_of(n)));
            }
            TypeKind::Complex(_) if t == TypeId(0) => {
                let _ = serde_json::to_writer(&mut *out, &any_json(n));
                return Ok(());
            }
            TypeKind::Complex(_) => match self.model.info(t) {
                Some(info) => info,
                None => {
                    out.extend_from_slice(b"null");
                    return Ok(());
                }
            },
        };
        if let (Body::Text(_), Some(c)) = (&info.body, n.children().find(|c| c.is_element())) {
            return Err(format!(
                "{}: unexpected element `{}` in simple content",
                path_of(n),
                c.tag_name().name()
            ));
        }
        // simpleContent without attributes is just the value.
        if let (Body::Text(st), true, None) = (&info.body, info.attrs.is_empty(), type_name) {
            return simple::write_json(self.schema, *st, &text_of(n), out)
                .map_err(|e| format!("{}: {e}", path_of(n)));
        }
        out.push(b'{');
        let mut first = true;
        if let Some(name) = type_name {
            write_key(out, &mut first, TYPE_KEY);
            write_str(out, name);
        }
        for a in &info.attrs {
            let raw = if a.name.ns.is_empty() {
                n.attribute(a.name.local.as_str())
            } else {
                n.attribute((a.name.ns.as_str(), a.name.local.as_str()))
            };
            // An absent attribute with a default has that value (as a validating parser says).
            match raw.or(a.default.as_deref()) {
                Some(raw) => {
                    write_key(out, &mut first, &a.key);
                    simple::write_json(self.schema, a.type_id, raw, out)
                        .map_err(|e| format!("{}/@{}: {e}", path_of(n), a.name.local))?;
                }
                None if a.required => {
                    return Err(format!(
                        "{}: required attribute `{}` is missing",
                        path_of(n),
                        a.name.local
                    ));
                }
                None => {}
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
                write_key(out, &mut first, TEXT_KEY);
                simple::write_json(self.schema, *st, &text_of(n), out)
                    .map_err(|e| format!("{}: {e}", path_of(n)))?;
            }
            Body::Elements { slots, .. } => {
                // Which slot each child fills; then the slots in schema order.
                let mut children: Vec<(usize, ElementId, Node)> = Vec::new();
                // Elements a wildcard takes: kept, as XML, under `$xml`.
                let mut wild: Vec<Node> = Vec::new();
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
                    match info
                        .by_name
                        .get(local)
                        .and_then(|l| l.iter().find(|(n, _, _)| n == ns))
                    {
                        Some(&(_, slot, decl)) => children.push((slot, decl, c)),
                        // (Looked up only for an unknown element: the common path stays free.)
                        None if has_wildcard(&info.body) => wild.push(c),
                        None if info.mixed => {}
                        None => {
                            return Err(format!(
                                "{}: unexpected element `{local}` (namespace `{ns}`)",
                                path_of(n)
                            ));
                        }
                    }
                }
                let present = |si: usize| children.iter().any(|(s, _, _)| *s == si);
                if let Some(&missing) = info.required.iter().find(|&&si| !present(si)) {
                    return Err(format!(
                        "{}: required element `{}` is missing",
                        path_of(n),
                        self.schema.element(slots[missing].element).name.local
                    ));
                }
                for group in &info.choices {
                    let given = group.iter().filter(|&&si| present(si)).count();
                    if given != 1 {
                        let names: Vec<&str> = group
                            .iter()
                            .map(|&si| self.schema.element(slots[si].element).name.local.as_str())
                            .collect();
                        return Err(format!(
                            "{}: exactly one of {} is allowed (a choice), found {given}",
                            path_of(n),
                            names.join(", ")
                        ));
                    }
                }
                for (si, slot) in slots.iter().enumerate() {
                    let mut mine = children.iter().filter(|(s, _, _)| *s == si);
                    if slot.many {
                        let mut item = mine.next();
                        if item.is_none() && slot.in_choice {
                            continue;
                        }
                        write_key(out, &mut first, &slot.key);
                        out.push(b'[');
                        let mut first_item = true;
                        while let Some((_, decl, c)) = item {
                            if !first_item {
                                out.push(b',');
                            }
                            first_item = false;
                            let el = self.schema.element(*decl);
                            self.write_element(*c, el.type_id, el.nillable, out)?;
                            item = mine.next();
                        }
                        out.push(b']');
                    } else if let Some((_, decl, c)) = mine.next() {
                        if mine.next().is_some() {
                            return Err(format!(
                                "{}: `{}` appears more than once",
                                path_of(n),
                                c.tag_name().name()
                            ));
                        }
                        write_key(out, &mut first, &slot.key);
                        let el = self.schema.element(*decl);
                        self.write_element(*c, el.type_id, el.nillable, out)?;
                    }
                }
                if !wild.is_empty() {
                    write_key(out, &mut first, XML_KEY);
                    let xml: String = wild.iter().map(|c| fragment(*c)).collect();
                    write_str(out, &xml);
                }
            }
        }
        out.push(b'}');
        Ok(())
    }
}

/// An element as XML that stands on its own: its text in the document, with the declarations
/// of the namespace prefixes it uses from its ancestors (the Envelope's, say) added.
fn fragment(n: Node) -> String {
    let doc = n.document().input_text();
    let text = &doc[n.range()];
    let name_end = text[1..]
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .map_or(text.len(), |i| i + 1);
    let mut decls = String::new();
    // Each round declares the prefix the fragment alone does not know; bounded by the
    // prefixes in scope.
    for _ in 0..=n.namespaces().count() {
        let candidate = format!("{}{decls}{}", &text[..name_end], &text[name_end..]);
        match roxmltree::Document::parse(&candidate) {
            Err(roxmltree::Error::UnknownNamespace(prefix, _)) => {
                match n.lookup_namespace_uri(Some(prefix.as_str())) {
                    Some(uri) => {
                        decls.push_str(&format!(
                            " xmlns:{prefix}=\"{}\"",
                            super::encode::escape(uri, true)
                        ));
                    }
                    None => return candidate,
                }
            }
            _ => return candidate,
        }
    }
    text.to_string()
}

/// The content model has an element wildcard (xs:any): its elements go under `$xml`.
pub fn has_wildcard(body: &Body) -> bool {
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
    let mut o = serde_json::Map::new();
    o.insert(
        XML_KEY.to_string(),
        Value::String(doc[first..last].to_string()),
    );
    Value::Object(o)
}
