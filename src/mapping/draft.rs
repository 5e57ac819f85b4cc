//! The route `generate` writes for each operation, from its name and its inputs (deterministic:
//! the same operations give the same routes).
//!
//! The leading verb, in any case (`GetCustomer`, `getCustomer`, `GET_CUSTOMER`, a bare `create`),
//! gives the method: lookups (Get, Find, List, Search, Query, Check, Validate, Lookup, Is, Has)
//! whose inputs are all simple are GETs, Create/Add/Insert/Submit a POST answering 201,
//! Update/Set/Modify/Replace a PUT, Delete/Remove/Cancel a DELETE; anything else, or a lookup
//! or delete with structured inputs, is `POST /<operation-in-kebab-case>` with a JSON body.
//!
//! Only an identifier goes in the path: a required simple input named `...Id`, `...Key`,
//! `...Code` or `...Number` (or the only required simple input of a Get or Delete), for the
//! verbs that address a resource (Get, Find, List, Search, Update-like, Delete-like, and a
//! Create under a parent). Every other input is a query parameter (GET, DELETE) or a body key.
//! The noun is pluralised when it names a collection (`/customers/{customerId}`); an id whose
//! stem is another resource nests it (`GetOrderStatus(orderId)` -> `/orders/{orderId}/status`,
//! `SetPassword(userId)` -> `/users/{userId}/password`). Actions (Query, Check, Validate,
//! Lookup, Is, Has) keep their whole name (`/query-all`, `/check-vat`), their inputs in the
//! query. When every route starts with the service's name, the base path leaves it out
//! (VIES: `/api/check-vat`, not `/api/check-vat/check-vat`); a route that starts with it loses it.
//! A route that would collide with an earlier one falls back to `POST /<operation>`.

use std::collections::HashSet;

use super::naming::{Naming, json_keys, kebab};
use super::plural::plural;
use super::shape::{Field, type_fields};
use crate::xsd::{Primitive, Schema, TypeKind};

/// A generated route for one operation.
#[derive(Debug, Clone)]
pub(super) struct RouteDraft {
    pub(super) method: &'static str,
    pub(super) path: String,
    /// (JSON key, source) bindings.
    pub(super) request: Vec<(String, String)>,
    pub(super) status: Option<u16>,
    /// Why the route is not what its verb suggests (written as a comment above it).
    pub(super) note: Option<String>,
    /// The route without the key found inside the body (`PUT /customers`), tried when this one
    /// is taken.
    unkeyed: Option<Box<RouteDraft>>,
    /// `POST /<operation-in-kebab-case>`: what the route becomes when its own form is taken.
    fallback: String,
}

/// What a verb does to its resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Reads a resource or a collection (a path key allowed).
    Read,
    /// A lookup that is an action (its whole name is the route; no path key).
    Action,
    Create,
    Update,
    Delete,
}

const VERBS: &[(Kind, &[&str])] = &[
    (Kind::Read, &["Get", "Find", "List", "Search"]),
    (
        Kind::Action,
        &["Query", "Check", "Validate", "Lookup", "Is", "Has"],
    ),
    (Kind::Create, &["Create", "Add", "Insert", "Submit"]),
    (Kind::Update, &["Update", "Set", "Modify", "Replace"]),
    (Kind::Delete, &["Delete", "Remove", "Cancel"]),
];

/// Words that end a noun without naming a resource (`queryAll`, `ListMore`).
const NOT_NOUNS: &[&str] = &["all", "more", "next", "by"];

/// The verb's kind, the verb as listed, and the rest of the name (`GetCustomer` -> Read, `Get`,
/// `Customer`). The verb matches in any case; after it comes the end of the name, a capital, a
/// digit or `_` (in an all-capitals name, only the end, a digit or `_`: `ISSUE_X` is no `Is`).
fn verb(op: &str) -> Option<(Kind, &'static str, &str)> {
    for (kind, words) in VERBS {
        for w in *words {
            let Some(head) = op.get(..w.len()) else {
                continue;
            };
            if !head.eq_ignore_ascii_case(w) {
                continue;
            }
            let rest = &op[w.len()..];
            let shouting = head.chars().all(|c| c.is_ascii_uppercase());
            let boundary = match rest.chars().next() {
                None => true,
                Some(c) if c == '_' || c.is_ascii_digit() => true,
                Some(c) => c.is_uppercase() && !(shouting && w.len() > 1 && head != *w),
            };
            if boundary {
                return Some((*kind, w, rest.trim_start_matches('_')));
            }
        }
    }
    None
}

/// Suffixes that make a name read as an identifier.
const ID_SUFFIXES: &[&str] = &["Id", "ID", "Key", "KEY", "Code", "CODE", "Number", "NUMBER"];

/// Stems of `...Number` and `...Code` names that count, page or report rather than identify.
const NOT_ID_STEMS: &[&str] = &[
    "count", "error", "fax", "max", "min", "mobile", "page", "phone", "response", "result", "sort",
    "status", "total", "version",
];

/// The stem of an identifier-like name (`customerId` -> `customer`, `countryCode` -> `country`,
/// `order_id` -> `order`, `id` -> ``), or `None` when the name does not read as one.
fn id_stem(name: &str) -> Option<&str> {
    let lower = name.to_ascii_lowercase();
    if ["id", "key", "code", "number"].contains(&lower.as_str()) {
        return Some("");
    }
    for s in ["_id", "_key", "_code", "_number"] {
        if lower.ends_with(s) {
            return Some(&name[..name.len() - s.len()]);
        }
    }
    for s in ID_SUFFIXES {
        if let Some(stem) = name.strip_suffix(s)
            && stem
                .chars()
                .last()
                .is_some_and(|c| c.is_lowercase() || c.is_ascii_digit())
        {
            let last = kebab(stem);
            let last = last.rsplit('-').next().unwrap_or("");
            return (!NOT_ID_STEMS.contains(&last)).then_some(stem);
        }
    }
    None
}

/// A required single value that reads well as a path segment: text or a number (not a
/// boolean, a date or binary data).
fn path_worthy(f: &Field, schema: &Schema) -> bool {
    f.min > 0
        && f.is_simple(schema)
        && !f.attribute
        && matches!(
            &schema.ty(f.type_id).kind,
            TypeKind::Simple(s) if matches!(s.primitive, Primitive::String | Primitive::Decimal)
        )
}

/// A single value that can travel in a query parameter: simple, or a list of simple values
/// (`?tag=a&tag=b`).
fn queryable(f: &Field, schema: &Schema) -> bool {
    !f.attribute && matches!(schema.ty(f.type_id).kind, TypeKind::Simple(_))
}

/// One structured, single input that can be the whole JSON body.
fn whole_body(f: &Field, schema: &Schema) -> bool {
    !f.attribute && !f.max.is_many() && matches!(schema.ty(f.type_id).kind, TypeKind::Complex(_))
}

/// The input that goes in the path, if any: a required simple identifier (the one whose stem
/// names the noun first), else, for a Get or a Delete, the only required input when it is
/// simple.
fn path_key(kind: Kind, word: &str, noun: &str, input: &[Field], schema: &Schema) -> Option<usize> {
    let ids: Vec<usize> = (0..input.len())
        .filter(|&i| path_worthy(&input[i], schema) && id_stem(&input[i].name).is_some())
        .collect();
    let names_noun = |i: &usize| {
        let stem = kebab(id_stem(&input[*i].name).unwrap_or(""));
        stem.is_empty() || stem == noun || plural(&stem) == noun
    };
    if let Some(i) = ids.iter().find(|i| names_noun(i)).or(ids.first()) {
        return Some(*i);
    }
    let required: Vec<usize> = (0..input.len()).filter(|&i| input[i].min > 0).collect();
    match required.as_slice() {
        [i] if (word == "Get" || kind == Kind::Delete) && path_worthy(&input[*i], schema) => {
            Some(*i)
        }
        _ => None,
    }
}

/// The identifier inside a structured input that names the resource itself (`customer` of
/// `UpdateCustomer` holding `customerId`, or a bare `id`): its index among `children`.
fn nested_key(noun: &str, children: &[Field], schema: &Schema) -> Option<usize> {
    (0..children.len()).find(|&i| {
        let c = &children[i];
        // Optional too: one type often serves the Create (no id yet) and the Update.
        let single = Field {
            min: 1,
            ..c.clone()
        };
        path_worthy(&single, schema)
            && id_stem(&c.name).is_some_and(|stem| {
                let stem = kebab(stem);
                stem.is_empty() || stem == noun || plural(&stem) == noun
            })
    })
}

/// The structured inputs of an operation that may hold its identifier, each with its children
/// and their JSON keys.
fn structured(
    input: &[Field],
    schema: &Schema,
    naming: Naming,
) -> Vec<(usize, Vec<Field>, Vec<String>)> {
    (0..input.len())
        .filter(|&i| whole_body(&input[i], schema))
        .map(|i| {
            let children = type_fields(schema, input[i].type_id);
            let names: Vec<(&str, bool)> = children
                .iter()
                .map(|f| (f.name.as_str(), f.attribute))
                .collect();
            let keys = json_keys(naming, &names);
            (i, children, keys)
        })
        .collect()
}

/// The path of a resource addressed by the key `param` (a field named `name`): the noun's
/// collection, or the collection the key's stem names with the noun under it.
fn keyed_path(noun: &str, name: &str, param: &str, fallback: &str) -> String {
    let stem = kebab(id_stem(name).unwrap_or(""));
    // `customer-by-id`, `orders-by-customer`: the key replaces the qualifier.
    let noun = match noun.rsplit_once("-by-") {
        Some((n, _)) if !n.is_empty() => n,
        _ => noun,
    };
    if noun.is_empty() {
        let base = if stem.is_empty() {
            fallback.to_string()
        } else {
            plural(&stem)
        };
        return format!("/{base}/{{{param}}}");
    }
    if stem.is_empty() || stem == noun || plural(&stem) == noun {
        return format!("/{}/{{{param}}}", plural(noun));
    }
    if let Some(rest) = noun.strip_prefix(&format!("{stem}-")) {
        return format!("/{}/{{{param}}}/{rest}", plural(&stem));
    }
    if id_stem(name).is_some_and(|s| !s.is_empty()) {
        return format!("/{}/{{{param}}}/{noun}", plural(&stem));
    }
    format!("/{}/{{{param}}}", plural(noun))
}

/// Drafts the route of one operation (before the base path and collisions are settled).
fn draft_one(
    schema: &Schema,
    op: &str,
    input: &[Field],
    keys: &[String],
    naming: Naming,
) -> RouteDraft {
    let fallback = kebab(op);
    let mut d = RouteDraft {
        method: "POST",
        path: format!("/{fallback}"),
        request: Vec::new(),
        status: None,
        note: None,
        unkeyed: None,
        fallback: fallback.clone(),
    };
    let Some((kind, word, noun)) = verb(op) else {
        return d;
    };
    let mut noun = kebab(noun);
    // A bare verb (`create(sObjects)`) takes its noun from its one input.
    if noun.is_empty() && matches!(kind, Kind::Create | Kind::Update) && input.len() == 1 {
        noun = kebab(&input[0].name);
    }
    let last = noun.rsplit('-').next().unwrap_or("");
    let nameless = noun.is_empty() || NOT_NOUNS.contains(&last);
    match kind {
        Kind::Read | Kind::Action | Kind::Delete if input.iter().all(|f| queryable(f, schema)) => {
            let key = match kind {
                Kind::Action => None,
                _ => path_key(kind, word, &noun, input, schema),
            };
            d.method = if kind == Kind::Delete {
                "DELETE"
            } else {
                "GET"
            };
            d.path = match key {
                Some(i) if !nameless || noun.is_empty() => {
                    keyed_path(&noun, &input[i].name, &keys[i], &fallback)
                }
                Some(i) => format!("/{fallback}/{{{}}}", keys[i]),
                None if kind == Kind::Action || nameless => format!("/{fallback}"),
                None if word == "Get" => format!("/{noun}"),
                None => format!("/{}", plural(&noun)),
            };
            for (i, k) in keys.iter().enumerate() {
                let source = if Some(i) == key { "path" } else { "query" };
                d.request.push((k.clone(), format!("{source}.{k}")));
            }
        }
        Kind::Create | Kind::Update if !nameless => {
            let key = path_key(kind, word, &noun, input, schema);
            // A Create keys only a parent (`CreateOrderLine(orderId)`), never the new resource.
            let key = key.filter(|&i| {
                kind == Kind::Update || {
                    let stem = kebab(id_stem(&input[i].name).unwrap_or(""));
                    !stem.is_empty() && stem != noun && plural(&stem) != noun
                }
            });
            d.method = if kind == Kind::Create { "POST" } else { "PUT" };
            // `UpdateCustomer(customer)`: the id inside the body object goes in the path too.
            // Not a `Set`: it writes one setting (`SetTaskDescription`), not a resource.
            let inner = match (kind, key) {
                (Kind::Update, None) if word != "Set" => structured(input, schema, naming)
                    .into_iter()
                    .find_map(|(i, children, ck)| {
                        nested_key(&noun, &children, schema)
                            .map(|j| (i, children[j].name.clone(), ck[j].clone()))
                    }),
                _ => None,
            };
            d.path = match key {
                Some(i) if kind == Kind::Create => {
                    keyed_path(&plural(&noun), &input[i].name, &keys[i], &fallback)
                }
                Some(i) => keyed_path(&noun, &input[i].name, &keys[i], &fallback),
                // `SetSystemDateAndTime`: one setting, not a collection.
                None if word == "Set" => format!("/{noun}"),
                None => format!("/{}", plural(&noun)),
            };
            if kind == Kind::Create {
                d.status = Some(201);
            }
            if let Some(i) = key {
                d.request
                    .push((keys[i].clone(), format!("path.{}", keys[i])));
            }
            let rest: Vec<usize> = (0..input.len()).filter(|&i| Some(i) != key).collect();
            if let [i] = rest.as_slice()
                && whole_body(&input[*i], schema)
            {
                d.request.push((keys[*i].clone(), "body".to_string()));
            }
            if let Some((i, name, param)) = &inner {
                d.unkeyed = Some(Box::new(d.clone()));
                d.path = keyed_path(&noun, name, param, &fallback);
                d.request
                    .push((format!("{}/{param}", keys[*i]), format!("path.{param}")));
            }
        }
        Kind::Delete if !nameless => {
            delete_structured(&mut d, schema, &noun, word, input, keys, naming)
        }
        _ => {}
    }
    d
}

/// A Delete whose inputs are not all simple: `DELETE /<nouns>/{id}` when one structured input
/// holds only simple values (its identifier in the path, the rest in the query) and the
/// identifier is found; otherwise the route stays `POST /<operation>`, with a note saying why
/// (a DELETE carries no body).
fn delete_structured(
    d: &mut RouteDraft,
    schema: &Schema,
    noun: &str,
    word: &str,
    input: &[Field],
    keys: &[String],
    naming: Naming,
) {
    let parts = structured(input, schema, naming);
    let others_simple = (0..input.len())
        .all(|i| queryable(&input[i], schema) || parts.iter().any(|(j, _, _)| *j == i));
    let (i, children, ck) = match parts.as_slice() {
        [one] if others_simple => one,
        _ => {
            d.note = Some(
                "POST, not DELETE: its input holds structured values, which a DELETE (no body) cannot carry"
                    .to_string(),
            );
            return;
        }
    };
    if !children.iter().all(|c| queryable(c, schema)) {
        d.note = Some(format!(
            "POST, not DELETE: `{}` holds structured values, which a DELETE (no body) cannot carry",
            keys[*i]
        ));
        return;
    }
    let simple: Vec<usize> = (0..input.len()).filter(|j| j != i).collect();
    let top: Vec<Field> = simple.iter().map(|&j| input[j].clone()).collect();
    let top_key = path_key(Kind::Delete, word, noun, &top, schema).map(|t| simple[t]);
    let inner = match top_key {
        Some(_) => None,
        None => nested_key(noun, children, schema),
    };
    let (name, param) = match (top_key, inner) {
        (Some(t), _) => (input[t].name.clone(), keys[t].clone()),
        (None, Some(j)) => (children[j].name.clone(), ck[j].clone()),
        (None, None) => {
            d.note = Some(format!(
                "POST, not DELETE: no identifier among its inputs to put in the path (a DELETE carries no body for `{}`)",
                keys[*i]
            ));
            return;
        }
    };
    // Query names must stay distinct.
    let mut names: Vec<&String> = simple.iter().map(|&j| &keys[j]).collect();
    names.extend(ck.iter());
    let distinct: HashSet<&String> = names.iter().copied().collect();
    if distinct.len() != names.len() {
        d.note = Some(format!(
            "POST, not DELETE: the values inside `{}` share names with other inputs, so they cannot all be query parameters",
            keys[*i]
        ));
        return;
    }
    d.method = "DELETE";
    d.path = keyed_path(noun, &name, &param, &d.fallback);
    for &j in &simple {
        let source = if Some(j) == top_key { "path" } else { "query" };
        d.request
            .push((keys[j].clone(), format!("{source}.{}", keys[j])));
    }
    for (j, k) in ck.iter().enumerate() {
        let source = if Some(j) == inner { "path" } else { "query" };
        d.request
            .push((format!("{}/{k}", keys[*i]), format!("{source}.{k}")));
    }
}

/// `/customers/{id}` -> `/customers/{}`: two routes with the same normal form collide.
pub fn normalize(path: &str) -> String {
    path.split('/')
        .map(|s| {
            if s.starts_with('{') && s.ends_with('}') {
                "{}"
            } else {
                s
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// An operation as the routes see it: its name and input fields.
pub(super) struct OperationInput<'a> {
    pub(super) name: &'a str,
    pub(super) input: &'a [Field],
}

/// The routes of the operations, in order, and the base path (`/api/<base>`, or `/api` when
/// every route starts with `base`, the service's name in kebab case).
pub(super) fn routes(
    schema: &Schema,
    ops: &[OperationInput],
    naming: Naming,
    base: &str,
) -> (String, Vec<RouteDraft>) {
    let mut drafts: Vec<RouteDraft> = ops
        .iter()
        .map(|op| {
            let names: Vec<(&str, bool)> = op
                .input
                .iter()
                .map(|f| (f.name.as_str(), f.attribute))
                .collect();
            draft_one(
                schema,
                op.name,
                op.input,
                &json_keys(naming, &names),
                naming,
            )
        })
        .collect();
    let first = |p: &str| {
        p.trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or("")
            .to_string()
    };
    let repeats = |seg: &str| seg == base || seg.starts_with(&format!("{base}-"));
    let drop_base =
        !base.is_empty() && !drafts.is_empty() && drafts.iter().all(|d| repeats(&first(&d.path)));
    let base_path = if drop_base || base.is_empty() {
        "/api".to_string()
    } else {
        format!("/api/{base}")
    };
    // `/customer-search` under `/api/customer` is `/search`.
    let strip = |path: &str| -> String {
        let seg = first(path);
        match seg.strip_prefix(&format!("{base}-")) {
            Some(rest) if !drop_base && !base.is_empty() => {
                format!("/{rest}{}", &path[1 + seg.len()..])
            }
            _ => path.to_string(),
        }
    };
    let mut taken = HashSet::new();
    for d in &mut drafts {
        d.path = strip(&d.path);
        let norm = |d: &RouteDraft| format!("{} {}", d.method, normalize(&d.path));
        if taken.contains(&norm(d))
            && let Some(mut unkeyed) = d.unkeyed.take()
        {
            unkeyed.path = strip(&unkeyed.path);
            *d = *unkeyed;
        }
        if taken.contains(&norm(d)) {
            let fallback = strip(&format!("/{}", d.fallback));
            d.method = "POST";
            d.path = fallback.clone();
            d.request.clear();
            d.status = None;
            d.note = None;
            let mut n = 2;
            while taken.contains(&norm(d)) {
                d.path = format!("{fallback}-{n}");
                n += 1;
            }
        }
        taken.insert(norm(d));
    }
    (base_path, drafts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbs_in_any_case() {
        assert_eq!(verb("GetCustomer"), Some((Kind::Read, "Get", "Customer")));
        assert_eq!(verb("getWeather"), Some((Kind::Read, "Get", "Weather")));
        assert_eq!(verb("create"), Some((Kind::Create, "Create", "")));
        assert_eq!(
            verb("CREATE_ORDER"),
            Some((Kind::Create, "Create", "ORDER"))
        );
        assert_eq!(verb("CREATE"), Some((Kind::Create, "Create", "")));
        assert_eq!(verb("update"), Some((Kind::Update, "Update", "")));
        assert_eq!(verb("checkVat"), Some((Kind::Action, "Check", "Vat")));
        assert_eq!(verb("IsValid"), Some((Kind::Action, "Is", "Valid")));
        assert_eq!(verb("HasAccess"), Some((Kind::Action, "Has", "Access")));
        assert_eq!(verb("ReplaceItem"), Some((Kind::Update, "Replace", "Item")));
        assert_eq!(verb("ISSUE_TICKET"), None);
        assert_eq!(verb("Issue"), None);
        assert_eq!(verb("Settle"), None);
        assert_eq!(verb("Add"), Some((Kind::Create, "Add", "")));
        assert_eq!(
            verb("DeleteCustomer"),
            Some((Kind::Delete, "Delete", "Customer"))
        );
    }

    #[test]
    fn identifiers() {
        assert_eq!(id_stem("customerId"), Some("customer"));
        assert_eq!(id_stem("CustomerID"), Some("Customer"));
        assert_eq!(id_stem("ID"), Some(""));
        assert_eq!(id_stem("order_id"), Some("order"));
        assert_eq!(id_stem("countryCode"), Some("country"));
        assert_eq!(id_stem("vatNumber"), Some("vat"));
        assert_eq!(id_stem("apiKey"), Some("api"));
        assert_eq!(id_stem("paid"), None);
        assert_eq!(id_stem("Valid"), None);
        assert_eq!(id_stem("queryString"), None);
        assert_eq!(id_stem("Barcode"), None);
        assert_eq!(id_stem("pageNumber"), None);
        assert_eq!(id_stem("errorCode"), None);
        assert_eq!(id_stem("groupNumber"), Some("group"));
    }

    #[test]
    fn keyed_paths() {
        assert_eq!(
            keyed_path("customer", "customerId", "customerId", "x"),
            "/customers/{customerId}"
        );
        assert_eq!(
            keyed_path("order-status", "orderId", "orderId", "x"),
            "/orders/{orderId}/status"
        );
        assert_eq!(
            keyed_path("password", "userId", "userId", "x"),
            "/users/{userId}/password"
        );
        assert_eq!(
            keyed_path("customer-by-id", "id", "id", "x"),
            "/customers/{id}"
        );
        assert_eq!(
            keyed_path("orders-by-customer", "customerId", "customerId", "x"),
            "/customers/{customerId}/orders"
        );
        assert_eq!(
            keyed_path("profile", "ProfileToken", "profileToken", "x"),
            "/profiles/{profileToken}"
        );
    }
}
