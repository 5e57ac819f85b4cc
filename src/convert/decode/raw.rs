//! Content kept as XML: `anyType` content and what wildcards or mixed content hold, as the
//! markup was written, each element made standalone (the namespace declarations it inherits
//! copied onto it).

use roxmltree::Node;
use serde_json::Value;

use crate::mapping::naming::XML_KEY;

/// `anyType` content: its text when it has no child elements, else `{"$xml": "<raw/>"}`.
pub(super) fn any_json(n: Node) -> Value {
    if !n.children().any(|c| c.is_element()) {
        return Value::String(n.children().filter_map(|c| c.text()).collect());
    }
    let mut o = serde_json::Map::new();
    o.insert(XML_KEY.to_string(), Value::String(raw_xml(n, n.children())));
    Value::Object(o)
}

/// Some children of `parent` as they were written, each element made standalone: the namespace
/// declarations it inherits from its ancestors are copied onto it, so the markup means the same
/// wherever it is put (and parses on its own).
pub(super) fn raw_xml<'a, 'i: 'a>(
    parent: Node<'a, 'i>,
    nodes: impl Iterator<Item = Node<'a, 'i>>,
) -> String {
    let doc = parent.document().input_text();
    let mut out = String::new();
    for c in nodes {
        if c.is_text() {
            // Written again from its value: a text node that runs through CDATA sections (or
            // starts with one) is several pieces of markup, and its range covers only the first.
            out.push_str(&crate::xml::escape(c.text().unwrap_or(""), false));
            continue;
        }
        let text = &doc[c.range()];
        if !c.is_element() {
            out.push_str(text);
            continue;
        }
        let (head_end, tag_end) = start_tag_bounds(text);
        let head = &text[..tag_end];
        // A prefix is declared when the markup mentions it (in a name or a value, as in
        // `xsi:type="p:T"`); the default namespace when an element of the subtree is in it.
        let mut uris: Vec<&str> = Vec::new();
        for d in c.descendants().filter(|d| d.is_element()) {
            uris.extend(d.tag_name().namespace());
        }
        let mut decls = String::new();
        for ns in parent.namespaces() {
            let attr = match ns.name() {
                Some("xml") => continue,
                Some(p) => format!("xmlns:{p}"),
                None => "xmlns".to_string(),
            };
            let needed = match ns.name() {
                Some(p) => text.contains(&format!("{p}:")),
                None => uris.contains(&ns.uri()),
            };
            if !needed || declares(head, &attr) {
                continue;
            }
            decls.push(' ');
            decls.push_str(&attr);
            decls.push_str("=\"");
            decls.push_str(
                &ns.uri()
                    .replace('&', "&amp;")
                    .replace('"', "&quot;")
                    .replace('<', "&lt;"),
            );
            decls.push('"');
        }
        out.push_str(&text[..head_end]);
        out.push_str(&decls);
        out.push_str(&text[head_end..]);
    }
    out
}

/// In an element's text: where its name ends, and where its start tag ends (quotes respected).
fn start_tag_bounds(text: &str) -> (usize, usize) {
    let bytes = text.as_bytes();
    let head_end = bytes
        .iter()
        .skip(1)
        .position(|&b| b.is_ascii_whitespace() || b == b'/' || b == b'>')
        .map_or(text.len(), |i| i + 1);
    let mut quote = None;
    for (i, &b) in bytes.iter().enumerate().skip(head_end) {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), b) if b == q => quote = None,
            (None, b'>') => return (head_end, i),
            _ => {}
        }
    }
    (head_end, text.len())
}

/// Whether a start tag declares the attribute `name` (`xmlns:p` or `xmlns`): its attribute
/// names, read past quoted values (a value may hold ` xmlns="..."` too).
fn declares(head: &str, name: &str) -> bool {
    let bytes = head.as_bytes();
    // Past the element's name.
    let mut i = bytes
        .iter()
        .skip(1)
        .position(|&b| b.is_ascii_whitespace() || b == b'/' || b == b'>')
        .map_or(bytes.len(), |p| p + 1);
    loop {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && !b"=/>".contains(&bytes[i]) {
            i += 1;
        }
        if start == i {
            return false;
        }
        if &head[start..i] == name {
            return true;
        }
        // `= "value"`
        while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\'' {
            i += 1;
        }
        let Some(&quote) = bytes.get(i) else {
            return false;
        };
        i += 1;
        while i < bytes.len() && bytes[i] != quote {
            i += 1;
        }
        i += 1;
    }
}
