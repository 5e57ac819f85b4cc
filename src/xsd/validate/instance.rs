//! Reading the instance: an element's expanded name and text, the prefixes in scope at a node,
//! names as messages show them, and the quick string equality names and values are compared with.

use roxmltree::Node;

use crate::xml::XML;
use crate::xsd::model::QName;

/// The expanded name of an element.
pub(super) fn qname_of(node: &Node) -> QName {
    QName::new(
        node.tag_name().namespace().unwrap_or(""),
        node.tag_name().name(),
    )
}

/// A name as messages show it: `` `local` `` or `` `local` (namespace `ns`) ``.
pub(super) fn show(q: &QName) -> String {
    if q.ns.is_empty() {
        format!("`{}`", q.local)
    } else {
        format!("`{}` (namespace `{}`)", q.local, q.ns)
    }
}

/// An `xs:boolean` attribute (`xsi:nil`), or `None` when it is not one.
pub(super) fn is_true(s: &str) -> Option<bool> {
    match s.trim() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// The text content of an element (its text and CDATA children, concatenated).
pub(super) fn text_of<'a>(node: Node<'a, '_>) -> std::borrow::Cow<'a, str> {
    let mut texts = node.children().filter(|c| c.is_text());
    match (texts.next(), texts.next()) {
        (None, _) => "".into(),
        (Some(t), None) => t.text().unwrap_or("").into(),
        _ => node
            .children()
            .filter(|c| c.is_text())
            .filter_map(|c| c.text())
            .collect::<String>()
            .into(),
    }
}

/// String equality for the short names and values validation compares all the time, without
/// a call into the C library's `memcmp` per comparison (which dominated the profile).
#[inline(always)]
pub(super) fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    let n = a.len();
    let word = |s: &[u8]| u64::from_ne_bytes(s.try_into().unwrap_or([0; 8]));
    while n - i >= 8 {
        if word(&a[i..i + 8]) != word(&b[i..i + 8]) {
            return false;
        }
        i += 8;
    }
    if n - i >= 4 {
        let half = |s: &[u8]| u32::from_ne_bytes(s.try_into().unwrap_or([0; 4]));
        if half(&a[i..i + 4]) != half(&b[i..i + 4]) {
            return false;
        }
        i += 4;
    }
    if n - i >= 2 {
        if a[i..i + 2] != b[i..i + 2] {
            return false;
        }
        i += 2;
    }
    i == n || a[i] == b[i]
}

/// The text of an element whose only child is one text node (`""` without children); `None`
/// for anything else (child elements, comments, several text nodes).
#[inline]
pub(super) fn lone_text<'a>(node: Node<'a, '_>) -> Option<&'a str> {
    let mut children = node.children();
    match (children.next(), children.next()) {
        (None, _) => Some(""),
        (Some(t), None) if t.is_text() => t.text(),
        _ => None,
    }
}

/// The namespace a prefix is bound to at `node` (`xml` always), for QName values.
pub(super) fn resolver<'n>(node: Node<'n, 'n>) -> impl Fn(Option<&str>) -> Option<String> + 'n {
    move |prefix| match prefix {
        Some("xml") => Some(XML.to_string()),
        p => node.lookup_namespace_uri(p).map(str::to_string),
    }
}
