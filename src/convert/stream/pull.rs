//! The answer's XML as a stream of items, read with quick-xml's pull parser under the
//! [`XmlLimits`], each checked as it is read: depth, attributes per element, nodes, name length
//! (of elements and attributes); size and namespace declarations (counted over the whole text)
//! before reading, as the tree path's pre-pass does. Namespaces are resolved here, on a stack of the declarations in scope (an
//! answer declares a handful, at the top). What the tree parser would refuse, or this reader
//! does not take on (a DTD, a processing instruction, a name or character outside the plain
//! cases), stops the stream with a [`Fallback`]: the tree path then says exactly what is wrong.

use std::borrow::Cow;

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use super::Fallback;
use crate::soap::XmlLimits;
use crate::xml::XML;
use crate::xsd::validate::{Stepper, Tag};

/// The namespace of `xmlns` declarations, which nothing may bind.
const XMLNS: &str = "http://www.w3.org/2000/xmlns/";

/// One attribute of the last start tag (namespace declarations aside): its namespace (empty for
/// none), local name and value (references resolved, normalized as XML says), as ranges of the
/// reader's attribute text.
struct Attr {
    ns: (usize, usize),
    local: (usize, usize),
    value: (usize, usize),
}

/// What the stream holds next.
pub(super) enum Item<'i> {
    /// A start tag; its local name is [`Pull::local`], its namespace [`Pull::ns`] and its
    /// attributes [`Pull::attribute`] until the next item is read. An empty element is a start
    /// and an end.
    Start,
    /// The end of the innermost open element.
    End,
    /// A piece of text (character data, a CDATA section or one reference), resolved.
    Text(Cow<'i, str>),
}

/// A namespace declaration in scope: its prefix (empty for the default namespace) and URI, as
/// ranges of [`Pull::ns_text`], and the depth of the element that declares it.
struct Binding {
    prefix: (usize, usize),
    uri: (usize, usize),
    depth: usize,
    /// A number no other declaration of this reader gets ([`Tag::ns_stamp`]).
    stamp: u64,
}

/// The stamp of "no namespace" (an unprefixed name with no default namespace in scope).
const NO_NS_STAMP: u64 = u64::MAX;

/// The limited pull reader.
pub(super) struct Pull<'i, 's> {
    reader: Reader<&'i [u8]>,
    limits: XmlLimits,
    /// Elements open.
    depth: usize,
    /// Nodes read: every element, piece of text and comment (at least what the tree counts).
    nodes: u64,
    /// The root element was read.
    rooted: bool,
    /// The declarations in scope, innermost last (the first one binds `xml`), their text.
    bindings: Vec<Binding>,
    ns_text: String,
    /// The stamps given so far.
    stamps: u64,
    /// The local name and namespace (a range of `ns_text`, and the stamp of the declaration
    /// it comes from) of the last start tag.
    local: String,
    ns: (usize, usize),
    ns_stamp: u64,
    /// Its attributes, as ranges of `attr_text`.
    attrs: Vec<Attr>,
    attr_text: String,
    /// The validator shown every item of the element being checked ([`Pull::check`]; boxed,
    /// as it is taken out and put back at each item).
    check: Option<Box<Stepper<'s>>>,
    /// Elements the validator showed valid.
    checked: usize,
}

impl<'i, 's> Pull<'i, 's> {
    /// A reader of `text`, after the pre-pass: size and namespace declarations counted, and characters
    /// XML cannot carry, or a carriage return, looked for (either stops the stream).
    pub fn new(text: &'i str, limits: XmlLimits) -> Result<Pull<'i, 's>, Fallback> {
        crate::soap::prescan(text, limits).map_err(|_| Fallback::Limit)?;
        if !plain_characters(text.as_bytes()) {
            return Err(Fallback::Characters);
        }
        let mut reader = Reader::from_str(text);
        let config = reader.config_mut();
        config.expand_empty_elements = true;
        config.check_comments = true;
        config.check_end_names = true;
        Ok(Pull {
            reader,
            limits,
            depth: 0,
            nodes: 1,
            rooted: false,
            bindings: vec![Binding {
                prefix: (0, 3),
                uri: (3, 3 + XML.len()),
                depth: 0,
                stamp: 1,
            }],
            ns_text: format!("xml{XML}"),
            stamps: 1,
            local: String::new(),
            ns: (0, 0),
            ns_stamp: NO_NS_STAMP,
            attrs: Vec::new(),
            attr_text: String::new(),
            check: None,
            checked: 0,
        })
    }

    /// Checks the element whose start tag was read last against the schema as it is read:
    /// `stepper` is shown every item through its end tag, and stops the stream
    /// ([`Fallback::Unproven`]) where it cannot show it valid.
    pub fn check(&mut self, mut stepper: Stepper<'s>) -> Result<(), Fallback> {
        stepper.start(&*self).map_err(Fallback::Unproven)?;
        self.check = Some(Box::new(stepper));
        Ok(())
    }

    /// How many elements [`Pull::check`] showed valid (through their end tags).
    pub fn checked(&self) -> usize {
        self.checked
    }

    /// Shows the validator an item (`Some(text)`, or a start or end tag).
    fn watch(&mut self, item: Watched) -> Result<(), Fallback> {
        let Some(mut stepper) = self.check.take() else {
            return Ok(());
        };
        let shown = match item {
            Watched::Start => stepper.start(&*self).map(|_| false),
            Watched::Text(s) => stepper.text(s).map(|_| false),
            Watched::End => stepper.end(&*self),
        };
        match shown {
            Ok(true) => self.checked += 1,
            Ok(false) => self.check = Some(stepper),
            Err(e) => return Err(Fallback::Unproven(e)),
        }
        Ok(())
    }

    /// The namespace of the last start tag (empty for none).
    pub fn ns(&self) -> &str {
        &self.ns_text[self.ns.0..self.ns.1]
    }

    /// The URI `prefix` (empty: the default namespace) is bound to where the last start tag is
    /// (empty: no namespace), or `None` when nothing binds it.
    fn resolve(&self, prefix: &str) -> Option<(usize, usize)> {
        self.resolve_stamped(prefix).map(|(uri, _)| uri)
    }

    /// [`Pull::resolve`], with the stamp of the declaration found.
    fn resolve_stamped(&self, prefix: &str) -> Option<((usize, usize), u64)> {
        let found = self
            .bindings
            .iter()
            .rev()
            .find(|b| &self.ns_text[b.prefix.0..b.prefix.1] == prefix);
        match found {
            Some(b) => Some((b.uri, b.stamp)),
            None if prefix.is_empty() => Some(((0, 0), NO_NS_STAMP)),
            None => None,
        }
    }

    /// The local name of the last start tag.
    pub fn local(&self) -> &str {
        &self.local
    }

    /// Whether the last start tag has attributes (namespace declarations aside).
    pub fn has_attributes(&self) -> bool {
        !self.attrs.is_empty()
    }

    /// The value of the last start tag's attribute `local` in namespace `ns` (empty: none).
    pub fn attribute(&self, ns: &str, local: &str) -> Option<&str> {
        let text = |(from, to): (usize, usize)| &self.attr_text[from..to];
        self.attrs
            .iter()
            .find(|a| text(a.local) == local && text(a.ns) == ns)
            .map(|a| text(a.value))
    }

    /// A QName-valued attribute (`xsi:type="p:T"`) read where the last start tag is: the
    /// namespace its prefix is bound to (the default one without a prefix; none for an unknown
    /// prefix, as the tree reads it) and its local part.
    pub fn qname<'v>(&self, value: &'v str) -> (&str, &'v str) {
        let (prefix, local) = value.split_once(':').unwrap_or(("", value));
        match self.resolve(prefix) {
            Some((from, to)) => (&self.ns_text[from..to], local),
            None => ("", local),
        }
    }

    /// The next item within the document element; `None` at the end of the document (after
    /// checking nothing but whitespace, comments follow the document element).
    pub fn next(&mut self) -> Result<Option<Item<'i>>, Fallback> {
        loop {
            let event = self
                .reader
                .read_event()
                .map_err(|_| Fallback::NotWellFormed)?;
            match event {
                Event::Start(start) => {
                    if self.depth == 0 && self.rooted {
                        return Err(Fallback::NotWellFormed);
                    }
                    self.start(&start)?;
                    self.watch(Watched::Start)?;
                    return Ok(Some(Item::Start));
                }
                Event::End(_) => {
                    // (The validator reads QName values in the scope the tag closes.)
                    self.watch(Watched::End)?;
                    while self.bindings.last().is_some_and(|b| b.depth == self.depth) {
                        if let Some(b) = self.bindings.pop() {
                            self.ns_text.truncate(b.prefix.0);
                        }
                    }
                    self.depth -= 1;
                    return Ok(Some(Item::End));
                }
                Event::Text(t) => {
                    self.node()?;
                    // (No carriage returns: line ends need no normalizing.)
                    let text = t.into_inner();
                    if self.depth == 0 {
                        if text.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\n')) {
                            continue;
                        }
                        return Err(Fallback::NotWellFormed);
                    }
                    self.watch(Watched::Text(&text))?;
                    return Ok(Some(Item::Text(text)));
                }
                Event::CData(c) => {
                    self.node()?;
                    if self.depth == 0 {
                        return Err(Fallback::NotWellFormed);
                    }
                    let text = c.into_inner();
                    self.watch(Watched::Text(&text))?;
                    return Ok(Some(Item::Text(text)));
                }
                Event::GeneralRef(r) => {
                    self.node()?;
                    if self.depth == 0 {
                        return Err(Fallback::NotWellFormed);
                    }
                    let text = reference(&r)?;
                    self.watch(Watched::Text(&text))?;
                    return Ok(Some(Item::Text(text)));
                }
                Event::Comment(_) => self.node()?,
                Event::Decl(d) => {
                    // Only first, and only version 1.0.
                    if self.nodes > 1 || self.rooted || d.version().ok().as_deref() != Some("1.0") {
                        return Err(Fallback::NotWellFormed);
                    }
                }
                // (Empty elements come as a start and an end.)
                Event::PI(_) | Event::DocType(_) | Event::Empty(_) => {
                    return Err(Fallback::NotWellFormed);
                }
                Event::Eof => {
                    if self.depth > 0 || !self.rooted {
                        return Err(Fallback::NotWellFormed);
                    }
                    return Ok(None);
                }
            }
        }
    }

    /// Skips the rest of the element whose start was read last (its content and its end),
    /// under the same limits.
    /// The names of what is skipped are checked as plain names (those read are the schema's).
    pub fn skip(&mut self) -> Result<(), Fallback> {
        check_name(&self.local)?;
        let mut open = 1usize;
        while open > 0 {
            match self.next()? {
                Some(Item::Start) => {
                    check_name(&self.local)?;
                    open += 1;
                }
                Some(Item::End) => open -= 1,
                Some(Item::Text(_)) => {}
                None => return Err(Fallback::NotWellFormed),
            }
        }
        Ok(())
    }

    /// Counts one node against the limit.
    fn node(&mut self) -> Result<(), Fallback> {
        self.nodes += 1;
        if self.nodes > u64::from(self.limits.nodes) {
            return Err(Fallback::Limit);
        }
        Ok(())
    }

    /// A start tag: the limits, the declarations it makes, its name and namespace, its
    /// attributes. Its own name is checked only when it is skipped (a name the schema knows
    /// is a name); the prefixes it uses must be bound.
    fn start(&mut self, start: &BytesStart) -> Result<(), Fallback> {
        self.node()?;
        self.depth += 1;
        self.rooted = true;
        if self.depth > self.limits.depth {
            return Err(Fallback::Limit);
        }
        let name = start.name().into_inner();
        let (prefix, local) = split_name(name);
        if local.len() > self.limits.name_len {
            return Err(Fallback::Limit);
        }
        self.local.clear();
        self.local.push_str(local);
        self.attrs.clear();
        self.attr_text.clear();
        // Declarations first: they apply to the element's own name and attributes. (Most tags
        // have no attributes at all: nothing but whitespace after the name.)
        let (mut count, mut plain) = (0usize, 0usize);
        let bare = start
            .attributes_raw()
            .bytes()
            .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
        for a in start.attributes().take(if bare { 0 } else { usize::MAX }) {
            let a = a.map_err(|_| Fallback::NotWellFormed)?;
            count += 1;
            if count > self.limits.attributes {
                return Err(Fallback::Limit);
            }
            let key = a.key.into_inner();
            if split_name(key).1.len() > self.limits.name_len {
                return Err(Fallback::Limit);
            }
            let declared = match key.strip_prefix("xmlns") {
                Some("") => "",
                Some(p) if p.starts_with(':') => &p[1..],
                _ => {
                    plain += 1;
                    continue;
                }
            };
            check_name(key)?;
            let uri = a.value.as_ref();
            // The reserved prefixes and names, and what needs resolving, stay the tree's to judge.
            if matches!(declared, "xml" | "xmlns")
                || uri == XML
                || uri == XMLNS
                || uri.contains(['&', '<'])
                || (uri.is_empty() && !declared.is_empty())
            {
                return Err(Fallback::NotWellFormed);
            }
            let at = self.ns_text.len();
            self.ns_text.push_str(declared);
            self.ns_text.push_str(uri);
            let mid = at + declared.len();
            self.stamps += 1;
            self.bindings.push(Binding {
                prefix: (at, mid),
                uri: (mid, self.ns_text.len()),
                depth: self.depth,
                stamp: self.stamps,
            });
        }
        (self.ns, self.ns_stamp) = self
            .resolve_stamped(prefix)
            .ok_or(Fallback::NotWellFormed)?;
        if plain > 0 {
            self.attributes(start)?;
        }
        Ok(())
    }

    /// The attributes of a start tag other than declarations: names checked, prefixes resolved
    /// (none is no namespace), values normalized.
    fn attributes(&mut self, start: &BytesStart) -> Result<(), Fallback> {
        for a in start.attributes() {
            let a = a.map_err(|_| Fallback::NotWellFormed)?;
            let key = a.key.into_inner();
            if key == "xmlns" || key.starts_with("xmlns:") {
                continue;
            }
            check_name(key)?;
            if a.value.contains('<') {
                return Err(Fallback::NotWellFormed);
            }
            let (ns, local) = match split_name(key) {
                ("", local) => ((0, 0), local),
                (prefix, local) => (self.resolve(prefix).ok_or(Fallback::NotWellFormed)?, local),
            };
            let value = a
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|_| Fallback::NotWellFormed)?;
            let ns = &self.ns_text[ns.0..ns.1];
            let mut put = |s: &str| {
                let from = self.attr_text.len();
                self.attr_text.push_str(s);
                (from, self.attr_text.len())
            };
            let attr = Attr {
                ns: put(ns),
                local: put(local),
                value: put(&value),
            };
            self.attrs.push(attr);
        }
        Ok(())
    }
}

/// An item shown to the validator.
enum Watched<'t> {
    Start,
    Text(&'t str),
    End,
}

impl Tag for Pull<'_, '_> {
    fn local(&self) -> &str {
        &self.local
    }

    fn ns(&self) -> &str {
        &self.ns_text[self.ns.0..self.ns.1]
    }

    fn attribute_at(&self, i: usize) -> Option<(&str, &str, &str)> {
        let text = |(from, to): (usize, usize)| &self.attr_text[from..to];
        self.attrs
            .get(i)
            .map(|a| (text(a.ns), text(a.local), text(a.value)))
    }

    fn namespace(&self, prefix: Option<&str>) -> Option<&str> {
        let (from, to) = self.resolve(prefix.unwrap_or(""))?;
        (to > from || prefix.is_none()).then(|| &self.ns_text[from..to])
    }

    fn ns_stamp(&self) -> u64 {
        self.ns_stamp
    }
}

/// A name's prefix (empty for none) and local part, split at its first colon.
fn split_name(name: &str) -> (&str, &str) {
    match memchr::memchr(b':', name.as_bytes()) {
        Some(i) => (&name[..i], &name[i + 1..]),
        None => ("", name),
    }
}

/// Checks a name is plain: ASCII letters, digits, `_`, `-`, `.`, at most one `:` between a
/// prefix and a local part, not starting with a digit, `-` or `.`. Anything else (valid XML or
/// not) is left to the tree parser.
fn check_name(name: &str) -> Result<(), Fallback> {
    local_part(name).map(|_| ())
}

/// The local part of a plain name: ASCII letters, digits, `_`, `-`, `.`, at most one `:` between
/// a prefix and a local part, not starting with a digit, `-` or `.`. Anything else (valid XML
/// or not) is left to the tree parser.
fn local_part(name: &str) -> Result<&str, Fallback> {
    let plain = |part: &str| {
        let b = part.as_bytes();
        !b.is_empty()
            && !matches!(b[0], b'0'..=b'9' | b'-' | b'.')
            && b.iter()
                .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    };
    let local = match memchr::memchr(b':', name.as_bytes()) {
        Some(i) if plain(&name[..i]) => &name[i + 1..],
        Some(_) => return Err(Fallback::Names),
        None => name,
    };
    if plain(local) {
        Ok(local)
    } else {
        Err(Fallback::Names)
    }
}

/// A reference in text: a character reference, or one of XML's five entities.
fn reference<'i>(r: &quick_xml::events::BytesRef<'i>) -> Result<Cow<'i, str>, Fallback> {
    if r.is_char_ref() {
        return match r.resolve_char_ref() {
            Ok(Some(c)) if is_xml_char(c) => Ok(Cow::Owned(c.to_string())),
            _ => Err(Fallback::NotWellFormed),
        };
    }
    match quick_xml::escape::resolve_xml_entity(r) {
        Some(s) => Ok(Cow::Borrowed(s)),
        None => Err(Fallback::NotWellFormed),
    }
}

/// A character XML 1.0 can carry.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Whether the text holds only characters XML can carry, and no carriage return (line ends the
/// tree parser normalizes; rare in answers, so left to it). One pass over the bytes, in blocks
/// the compiler vectorizes: control characters other than tab and line feed, and U+FFFE / U+FFFF
/// (the only non-characters UTF-8 text can hold; their lead byte 0xEF is looked at closely).
fn plain_characters(bytes: &[u8]) -> bool {
    for (i, block) in bytes.chunks(64).enumerate() {
        let mut odd = false;
        for &b in block {
            odd |= (b < 0x20) & (b != b'\t') & (b != b'\n') | (b == 0xEF);
        }
        if odd {
            for (j, &b) in block.iter().enumerate() {
                if b < 0x20 && b != b'\t' && b != b'\n' {
                    return false;
                }
                if b == 0xEF {
                    let at = i * 64 + j;
                    if matches!(bytes.get(at + 1..at + 3), Some([0xBF, 0xBE | 0xBF])) {
                        return false;
                    }
                }
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_xml_cannot_carry_or_carriage_returns_stop_the_stream() {
        assert!(plain_characters("<a>tab\there\n é ￼</a>".as_bytes()));
        assert!(!plain_characters(b"<a>\x01</a>"));
        assert!(!plain_characters(b"<a>\r\n</a>"));
        assert!(!plain_characters("<a>\u{FFFE}</a>".as_bytes()));
        assert!(!plain_characters(
            format!("{}\u{FFFF}", "x".repeat(63)).as_bytes()
        ));
    }

    #[test]
    fn names_outside_the_plain_cases_stop_the_stream() {
        assert_eq!(local_part("soap:Body").unwrap(), "Body");
        assert_eq!(local_part("a-b.c_d9").unwrap(), "a-b.c_d9");
        for bad in ["1a", "a:b:c", ":a", "a:", "é", "-a", ""] {
            assert!(local_part(bad).is_err(), "{bad:?}");
        }
    }
}
