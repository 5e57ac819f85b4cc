//! `wsdl:import` cycles: a definitions document that imports itself, directly or through
//! others, reported at each import that closes a cycle.

use super::set::{SourceSet, at};
use crate::diag::Diagnostic;

/// Reports each `wsdl:import` edge (importer, imported, offset of the import) that closes a
/// cycle.
pub(super) fn report_wsdl_cycles(
    set: &SourceSet,
    edges: &[(usize, usize, usize)],
    diags: &mut Vec<Diagnostic>,
) {
    // A cycle among wsdl:imports means a definitions document imports itself: report each
    // edge that closes one.
    let n = set.sources.len();
    let mut adj = vec![Vec::new(); n];
    for &(a, b, off) in edges {
        adj[a].push((b, off));
    }
    // 0 = unseen, 1 = on stack, 2 = done
    let mut state = vec![0u8; n];
    fn dfs(
        v: usize,
        adj: &[Vec<(usize, usize)>],
        state: &mut [u8],
        stack: &mut Vec<usize>,
        set: &SourceSet,
        diags: &mut Vec<Diagnostic>,
    ) {
        state[v] = 1;
        stack.push(v);
        for &(w, off) in &adj[v] {
            if state[w] == 1 {
                let start = stack.iter().position(|&x| x == w).unwrap_or(0);
                let chain: Vec<String> = stack[start..]
                    .iter()
                    .chain(std::iter::once(&w))
                    .map(|&i| {
                        set.sources[i]
                            .path
                            .file_name()
                            .map(|f| f.to_string_lossy().into_owned())
                            .unwrap_or_default()
                    })
                    .collect();
                let s = &set.sources[v];
                diags.push(
                    at(&s.path, &s.text, off, format!("wsdl:import cycle: {}", chain.join(" -> ")))
                        .hint("a WSDL document must not import itself, directly or through others; remove one of these imports"),
                );
            } else if state[w] == 0 {
                dfs(w, adj, state, stack, set, diags);
            }
        }
        stack.pop();
        state[v] = 2;
    }
    let mut stack = Vec::new();
    for v in 0..n {
        if state[v] == 0 {
            dfs(v, &adj, &mut state, &mut stack, set, diags);
        }
    }
}
