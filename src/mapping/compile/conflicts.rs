//! Route conflicts: two operations cannot share a method and a path (paths compared with their
//! parameters' names left out, so `/items/{id}` and `/items/{key}` collide).

use std::collections::HashMap;
use std::path::Path;

use serde_saphyr::Spanned;

use super::context::located;
use crate::diag::Diagnostic;
use crate::mapping::generate::normalize;
use crate::mapping::route::Route;

/// The routes taken so far: `METHOD normal-path` -> (line of its `route:`, operation).
#[derive(Default)]
pub(super) struct RouteTable(HashMap<String, (u32, String)>);

impl RouteTable {
    /// Takes `route` for operation `op` (its `route:` written at `at`), or reports the operation
    /// that has it already.
    pub(super) fn claim(
        &mut self,
        file: &Path,
        route: &Route,
        at: &Spanned<String>,
        op: &str,
    ) -> Result<(), Diagnostic> {
        let key = format!("{} {}", route.method.as_str(), normalize(&route.path));
        if let Some((line, other)) = self.0.get(&key) {
            return Err(located(
                file,
                at,
                format!(
                    "route `{} {}` collides with `{other}` (line {line})",
                    route.method.as_str(),
                    route.path
                ),
            )
            .hint("two operations cannot share a method and path; change one route"));
        }
        self.0
            .insert(key, (at.referenced.line() as u32, op.to_string()));
        Ok(())
    }
}
