//! An include/redefine cycle entered from the redefined side: a document that includes (or
//! redefines) its way back to a document redefining it, and is in force as it is too (it is
//! the document being loaded, or another include reaches it), has each redefined component
//! twice. Reported at each redefining component, naming why the document is in force. (From
//! the redefining side the cycle is harmless: the redefined document is only in force
//! redefined.)

use std::collections::{HashMap, HashSet};

use super::checker::{Checker, Doc, is_xs};

impl<'a, 'i> Checker<'_, 'a, 'i> {
    /// Every component of an `xs:redefine` whose redefined document leads back to it and is
    /// also in force unchanged.
    pub(super) fn redefines(&mut self, docs: &[Doc<'a, 'i>]) {
        // Documents in force as they are, with why: the entry, or the document including them.
        let mut as_is: HashMap<usize, Option<usize>> = HashMap::from([(0, None)]);
        let mut redefines = Vec::new();
        // Include and redefine edges, source -> targets.
        let mut edges: HashMap<usize, Vec<usize>> = HashMap::new();
        for d in docs {
            for c in d.node.children().filter(is_xs) {
                let kind = c.tag_name().name();
                if !matches!(kind, "include" | "import" | "redefine") {
                    continue;
                }
                let Some(target) = c
                    .attribute("schemaLocation")
                    .and_then(|l| self.set.resolve(d.source, l.trim()))
                else {
                    continue;
                };
                if kind != "import" {
                    edges.entry(d.source).or_default().push(target);
                }
                if kind == "redefine" {
                    redefines.push((d.source, c, target));
                } else {
                    as_is.entry(target).or_insert(Some(d.source));
                }
            }
        }
        let name = |s: usize| {
            let p = &self.set.sources[s].path;
            p.file_name()
                .unwrap_or(p.as_os_str())
                .to_string_lossy()
                .into_owned()
        };
        for (source, redefine, target) in redefines {
            let Some(why) = as_is.get(&target) else {
                continue;
            };
            if !reaches(&edges, target, source) {
                continue;
            }
            let why = match why {
                None => "it is the schema being loaded".to_string(),
                Some(s) => format!("`{}` includes it", name(*s)),
            };
            let file = name(target);
            for c in redefine.children().filter(is_xs) {
                let Some(local) = c.attribute("name") else {
                    continue;
                };
                self.report(
                    source,
                    c.range().start,
                    format!(
                        "{} `{}` is redefined from `{file}`, but `{file}` is also in force as it is ({why}): it would have two definitions",
                        c.tag_name().name(),
                        local.trim()
                    ),
                    Some(format!(
                        "an include/redefine cycle: load the redefining document instead, or reach `{file}` only through this xs:redefine"
                    )),
                );
            }
        }
    }
}

/// Whether `to` is reached from `from` through include and redefine edges.
fn reaches(edges: &HashMap<usize, Vec<usize>>, from: usize, to: usize) -> bool {
    let mut seen = HashSet::from([from]);
    let mut stack = vec![from];
    while let Some(s) = stack.pop() {
        for &t in edges.get(&s).into_iter().flatten() {
            if t == to {
                return true;
            }
            if seen.insert(t) {
                stack.push(t);
            }
        }
    }
    false
}
