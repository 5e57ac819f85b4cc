//! Unwrapped lists: which complex types are list wrappers (their whole content one repeated
//! element: .NET's `ArrayOfX`, spyne's and Axis's array types), the mapping's `unwrap_lists:`
//! setting ([`UnwrapSetting`]), and the set of types it unwraps, checked against the schema.
//!
//! An unwrapped wrapper is the JSON array of its items in place of the object holding that
//! array: `"tags": ["gold", "vip"]` rather than `"tags": {"string": ["gold", "vip"]}`. The
//! element types of document/literal message parts are never unwrapped: a message stays an
//! object of fields (what `request:` and `response:` bind).

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;

use serde::Deserialize;
use serde::de::{MapAccess, Visitor};
use serde_saphyr::Spanned;

use crate::diag::Diagnostic;
use crate::wsdl::{PartKind, Wsdl};
use crate::xsd::{Content, ElementId, Particle, Schema, Term, TypeId, TypeKind};

/// The item of a list wrapper: the one element its content repeats, and how often.
#[derive(Debug, Clone)]
pub struct ListItem {
    pub element: ElementId,
    /// The element particle (its `minOccurs`, taken as 0 when an enclosing group is optional,
    /// and its `maxOccurs`).
    pub particle: Particle,
}

/// The one repeated element of type `t` when `t` is a list wrapper: a complex type (not
/// abstract, not SOAP-encoded, no type derived from it) with no attributes, no attribute
/// wildcard, not mixed, whose content is one element particle with `maxOccurs > 1` (inside
/// groups that occur once), an element that heads no substitution group.
pub fn list_item(schema: &Schema, t: TypeId) -> Option<ListItem> {
    if t == TypeId(0) || schema.derived.get(&t).is_some_and(|d| !d.is_empty()) {
        return None;
    }
    let TypeKind::Complex(ct) = &schema.ty(t).kind else {
        return None;
    };
    if ct.is_abstract
        || ct.mixed
        || ct.array_of.is_some()
        || !ct.attributes.is_empty()
        || ct.any_attribute.is_some()
    {
        return None;
    }
    let Content::Elements(p) = &ct.content else {
        return None;
    };
    let mut p: &Particle = p;
    let mut min = p.min;
    while let Term::Sequence(ps) | Term::Choice(ps) | Term::All(ps) = &p.term {
        if p.max.is_many() || ps.len() != 1 {
            return None;
        }
        min = min.min(p.min);
        p = &ps[0];
    }
    let Term::Element(e) = p.term else {
        return None;
    };
    let el = schema.element(e);
    if !p.max.is_many()
        || el.is_abstract
        || schema.substitutes.get(&e).is_some_and(|s| !s.is_empty())
    {
        return None;
    }
    Some(ListItem {
        element: e,
        particle: Particle {
            min: if min == 0 { 0 } else { p.min },
            max: p.max,
            term: Term::Element(e),
        },
    })
}

/// `unwrap_lists:` as written: `true`, `false`, or `{ default: BOOL, except: [TYPE, ...] }`.
#[derive(Debug, Default)]
pub struct UnwrapSetting {
    /// Whether list wrappers are unwrapped. Default: false (today's shapes).
    pub default: bool,
    /// Named wrapper types that do the opposite of `default`: a local name (`ArrayOfFoo`) or
    /// `{namespace}ArrayOfFoo`. Default: none.
    pub except: Vec<Spanned<String>>,
}

impl<'de> Deserialize<'de> for UnwrapSetting {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = UnwrapSetting;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("true, false, or `{ default: true, except: [ArrayOfFoo] }`")
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<UnwrapSetting, E> {
                Ok(UnwrapSetting {
                    default: v,
                    except: Vec::new(),
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<UnwrapSetting, A::Error> {
                let mut out = UnwrapSetting::default();
                let (mut default, mut except) = (false, false);
                while let Some(k) = map.next_key::<String>()? {
                    match k.as_str() {
                        "default" if !default => {
                            default = true;
                            out.default = map.next_value()?;
                        }
                        "except" if !except => {
                            except = true;
                            out.except = map.next_value()?;
                        }
                        _ => {
                            return Err(serde::de::Error::custom(format!(
                                "unknown field `{k}`, expected `default` or `except`"
                            )));
                        }
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_any(V)
    }
}

/// The types a mapping unwraps: every list wrapper when `default` is true, but those `except`
/// names; the named ones only when it is false. Never a message part's element type. Each name
/// of `except` that is no list wrapper (or names two) is a problem located in `file`.
pub fn unwrapped_types(
    file: &Path,
    setting: &UnwrapSetting,
    wsdl: &Wsdl,
    diags: &mut Vec<Diagnostic>,
) -> BTreeSet<TypeId> {
    let schema = &wsdl.schema;
    let mut except = BTreeSet::new();
    for name in &setting.except {
        if let Some(t) = named_wrapper(file, schema, name, diags) {
            except.insert(t);
        }
    }
    let parts: BTreeSet<TypeId> = wsdl
        .messages
        .iter()
        .flat_map(|m| &m.parts)
        .filter_map(|p| match p.kind {
            PartKind::Element(e) => Some(schema.element(e).type_id),
            PartKind::Type(_) => None,
        })
        .collect();
    (0..schema.types.len() as u32)
        .map(TypeId)
        .filter(|t| setting.default != except.contains(t) && !parts.contains(t))
        .filter(|&t| list_item(schema, t).is_some())
        .collect()
}

/// The list wrapper an `except:` entry names (`Local` or `{namespace}Local`).
fn named_wrapper(
    file: &Path,
    schema: &Schema,
    name: &Spanned<String>,
    diags: &mut Vec<Diagnostic>,
) -> Option<TypeId> {
    let text = name.value.trim();
    let (ns, local) = match text.strip_prefix('{').and_then(|r| r.split_once('}')) {
        Some((ns, local)) => (Some(ns), local),
        None => (None, text),
    };
    let mut found: Vec<(&crate::xsd::QName, TypeId)> = schema
        .global_types
        .iter()
        .filter(|(q, _)| q.local == local && ns.is_none_or(|ns| q.ns == ns))
        .map(|(q, t)| (q, *t))
        .collect();
    found.sort_by(|a, b| a.0.ns.cmp(&b.0.ns));
    let at = |message: String| {
        Diagnostic::new(
            file,
            name.referenced.line() as u32,
            name.referenced.column() as u32,
            message,
        )
    };
    match found.as_slice() {
        [] => {
            diags.push(
                at(format!("`unwrap_lists.except`: no type named `{text}`"))
                    .hint("name a list wrapper type of the WSDL's schema, e.g. `ArrayOfString`"),
            );
            None
        }
        [(_, t)] if list_item(schema, *t).is_some() => Some(*t),
        [(_, _)] => {
            diags.push(
                at(format!(
                    "`unwrap_lists.except`: `{text}` is not a list wrapper (its whole content is not one repeated element)"
                ))
                .hint("only types whose content is one repeated element, with no attributes, are unwrapped"),
            );
            None
        }
        [(a, _), (b, _), ..] => {
            diags.push(
                at(format!(
                    "`unwrap_lists.except`: `{text}` names types of several namespaces (`{}`, `{}`)",
                    a.ns, b.ns
                ))
                .hint(format!("write `{{{}}}{local}` to pick one", a.ns)),
            );
            None
        }
    }
}
