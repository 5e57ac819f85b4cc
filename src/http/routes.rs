//! The route table of one loaded set: every mapped path as a template of segments in a trie
//! (a literal segment, or a `{parameter}` that takes one non-empty segment), built once and
//! shared by every worker, so that no worker compiles a pattern per route. A request's path
//! (as actix re-quotes it) is matched segment by segment; where templates overlap
//! (`/customers/search` and `/customers/{id}`), the one its mappings declare first wins. One
//! trailing slash is ignored: `/customers/42/` is `/customers/42` (the same route, no redirect).

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::dev::{Path, Url};

use super::cors;
use crate::convert::operation::ServicePlan;
use crate::mapping::generate::normalize;
use crate::mapping::route::Method;

/// Every mapped path of a loaded set, and the CORS policies their routes are served under.
#[derive(Default)]
pub(super) struct RouteTable {
    paths: Vec<PathRoutes>,
    root: Node,
    /// The distinct CORS set-ups of the paths: (the service whose `cors:` applies, the
    /// request headers its routes read, sorted).
    pub cors: Vec<(usize, Vec<String>)>,
}

/// One mapped path (templates that differ only in their parameters' names are one path): the
/// operation of each method with its parameters' names, the `Allow` value, the CORS set-up.
struct PathRoutes {
    methods: Vec<(Method, OpRef, Params)>,
    allow: Box<str>,
    cors: Option<usize>,
}

/// (segment index, name) of a template's parameters.
type Params = Box<[(usize, Box<str>)]>;

/// A trie node: the literal segments and the parameter that may follow, and the path that
/// ends here.
#[derive(Default)]
struct Node {
    literal: HashMap<Box<str>, Node>,
    param: Option<Box<Node>>,
    end: Option<usize>,
}

/// The operation a route serves: (service index, operation index).
#[derive(Clone, Copy)]
pub(super) struct OpRef(pub usize, pub usize);

/// What [`RouteTable::find`] found.
pub(super) enum Found<'a> {
    Route(OpRef),
    OtherMethods(&'a str),
    Nothing,
}

/// The segments of a path after its leading `/`, one trailing `/` ignored (`/` has none).
fn segments(path: &str) -> impl Iterator<Item = &str> {
    let path = path.strip_prefix('/').unwrap_or(path);
    let path = path.strip_suffix('/').unwrap_or(path);
    path.split('/').filter(move |_| !path.is_empty())
}

impl RouteTable {
    /// The table of `services`' routes, in the order their mappings declare them.
    pub fn new(services: &[Arc<ServicePlan>], security: &super::auth::Security) -> RouteTable {
        let mut table = RouteTable::default();
        let mut by_form: HashMap<String, usize> = HashMap::new();
        let mut cors_of: Vec<(Option<usize>, Vec<String>)> = Vec::new();
        for (si, s) in services.iter().enumerate() {
            for (oi, op) in s.operations.iter().enumerate() {
                let template = op.route.path.as_str();
                let form = normalize(template.strip_suffix('/').unwrap_or(template));
                let index = *by_form.entry(form).or_insert_with(|| {
                    table.paths.push(PathRoutes {
                        methods: Vec::new(),
                        allow: Box::default(),
                        cors: None,
                    });
                    cors_of.push((None, Vec::new()));
                    table.insert(template, table.paths.len() - 1);
                    table.paths.len() - 1
                });
                let params = segments(template)
                    .enumerate()
                    .filter_map(|(i, seg)| {
                        let name = seg.strip_prefix('{')?.strip_suffix('}')?;
                        Some((i, Box::from(name)))
                    })
                    .collect();
                table.paths[index]
                    .methods
                    .push((op.route.method, OpRef(si, oi), params));
                let (policy, read) = &mut cors_of[index];
                if policy.is_none() && s.compiled.cors.is_some() {
                    *policy = Some(si);
                }
                read.extend(cors::headers_read(&op.route));
                read.extend(security.headers_read(si, oi));
            }
        }
        for (p, (policy, mut read)) in table.paths.iter_mut().zip(cors_of) {
            p.allow = allow(&p.methods).into();
            let Some(policy) = policy else { continue };
            read.sort();
            read.dedup();
            let setup = (policy, read);
            p.cors = Some(match table.cors.iter().position(|c| *c == setup) {
                Some(i) => i,
                None => {
                    table.cors.push(setup);
                    table.cors.len() - 1
                }
            });
        }
        table
    }

    /// Adds a template's segments to the trie, ending at path `index`.
    fn insert(&mut self, template: &str, index: usize) {
        let mut node = &mut self.root;
        for seg in segments(template) {
            node = if seg.starts_with('{') && seg.ends_with('}') {
                node.param.get_or_insert_with(Box::default)
            } else {
                node.literal.entry(seg.into()).or_default()
            };
        }
        node.end.get_or_insert(index);
    }

    /// The path `path` is (the first declared of those it matches), if any.
    fn lookup(&self, path: &str) -> Option<usize> {
        let segs: Vec<&str> = segments(path).collect();
        // Depth-first over (node, segments taken); literal before parameter, the smallest
        // index kept. Bounded by the templates' depth, whatever the request's.
        let mut best: Option<usize> = None;
        let mut stack = vec![(&self.root, 0)];
        while let Some((node, taken)) = stack.pop() {
            let Some(seg) = segs.get(taken) else {
                if let Some(i) = node.end {
                    best = Some(best.map_or(i, |b| b.min(i)));
                }
                continue;
            };
            if let Some(p) = &node.param
                && !seg.is_empty()
            {
                stack.push((p, taken + 1));
            }
            if let Some(n) = node.literal.get(*seg) {
                stack.push((n, taken + 1));
            }
        }
        best
    }

    /// The CORS set-up of the path of `uri`, if its routes have one.
    pub fn cors_of(&self, uri: &actix_web::http::Uri) -> Option<usize> {
        let url = Url::new(uri.clone());
        self.lookup(url.path()).and_then(|i| self.paths[i].cors)
    }

    /// The operation serving `method` on `path`, with the path's parameters added to it; or
    /// the path's `Allow` value when it is mapped with other methods only; or nothing.
    pub fn find(&self, method: &actix_web::http::Method, path: &mut Path<Url>) -> Found<'_> {
        let Some(index) = self.lookup(path.as_str()) else {
            return Found::Nothing;
        };
        let routes = &self.paths[index];
        let Some((_, op, params)) = routes
            .methods
            .iter()
            .find(|(m, _, _)| m.as_str() == method.as_str())
        else {
            return Found::OtherMethods(&routes.allow);
        };
        let values: Vec<String> = segments(path.as_str())
            .enumerate()
            .filter(|(i, _)| params.iter().any(|(p, _)| p == i))
            .map(|(_, v)| v.to_string())
            .collect();
        for ((_, name), value) in params.iter().zip(values) {
            path.add_static(name.to_string(), value);
        }
        Found::Route(*op)
    }
}

/// The `Allow` value of a path's methods: HEAD with GET, OPTIONS always.
fn allow(methods: &[(Method, OpRef, Params)]) -> String {
    methods
        .iter()
        .flat_map(|(m, _, _)| match m {
            Method::Get => vec!["GET", "HEAD"],
            m => vec![m.as_str()],
        })
        .chain(["OPTIONS"])
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table of bare templates (no services): path index per template.
    fn table(templates: &[&str]) -> RouteTable {
        let mut t = RouteTable::default();
        for (i, tpl) in templates.iter().enumerate() {
            t.paths.push(PathRoutes {
                methods: Vec::new(),
                allow: "".into(),
                cors: None,
            });
            t.insert(tpl, i);
        }
        t
    }

    #[test]
    fn segments_literals_and_parameters() {
        let t = table(&[
            "/",
            "/customers",
            "/customers/search",
            "/customers/{id}",
            "/customers/{id}/orders/{order}",
        ]);
        assert_eq!(t.lookup("/"), Some(0));
        assert_eq!(t.lookup(""), Some(0));
        assert_eq!(t.lookup("/customers"), Some(1));
        assert_eq!(
            t.lookup("/customers/"),
            Some(1),
            "one trailing slash ignored"
        );
        assert_eq!(t.lookup("/customers//"), None, "not two");
        assert_eq!(t.lookup("/customers/search"), Some(2));
        assert_eq!(t.lookup("/customers/42"), Some(3));
        assert_eq!(t.lookup("/customers/42/"), Some(3));
        assert_eq!(t.lookup("/customers/42/orders/7"), Some(4));
        assert_eq!(t.lookup("/customers/42/orders"), None);
        assert_eq!(
            t.lookup("/customers//orders/7"),
            None,
            "a parameter is not empty"
        );
        assert_eq!(t.lookup("/Customers"), None, "case matters");
        assert_eq!(t.lookup("/customers/42/orders/7/x"), None);
    }

    #[test]
    fn where_templates_overlap_the_first_declared_wins() {
        let t = table(&["/a/{id}/x", "/a/b/{y}", "/a/b/x"]);
        assert_eq!(t.lookup("/a/b/x"), Some(0));
        assert_eq!(t.lookup("/a/b/z"), Some(1));
        let t = table(&["/a/b/x", "/a/{id}/x"]);
        assert_eq!(t.lookup("/a/b/x"), Some(0));
        assert_eq!(t.lookup("/a/c/x"), Some(1));
    }

    #[test]
    fn parameters_are_added_to_the_path() {
        let mut t = table(&["/c/{id}/o/{order}"]);
        t.paths[0].methods.push((
            Method::Get,
            OpRef(0, 3),
            vec![(1, "id".into()), (3, "order".into())].into(),
        ));
        t.paths[0].allow = "GET, HEAD, OPTIONS".into();
        let uri: actix_web::http::Uri = "/c/4%2F2/o/x%20y/?q=1".parse().unwrap();
        let mut path = Path::new(Url::new(uri));
        let get = actix_web::http::Method::GET;
        assert!(matches!(t.find(&get, &mut path), Found::Route(OpRef(0, 3))));
        assert_eq!(path.get("id"), Some("4%2F2"), "as actix re-quotes it");
        assert_eq!(path.get("order"), Some("x y"));
        let mut path = Path::new(Url::new("/c/1/o/2".parse().unwrap()));
        let post = actix_web::http::Method::POST;
        assert!(matches!(
            t.find(&post, &mut path),
            Found::OtherMethods("GET, HEAD, OPTIONS")
        ));
    }
}
