//! "Did you mean" hints: the name nearest to a misspelt one.

/// The candidate nearest to `name` by edit distance (ignoring case), when it is close: at most
/// 2 edits, or a quarter of the candidate's length.
pub(super) fn closest<'a>(
    name: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    let name = name.to_lowercase();
    candidates
        .map(|c| (strsim::levenshtein(&name, &c.to_lowercase()), c))
        .filter(|(dist, c)| *dist <= 2.max(c.len() / 4))
        .min_by_key(|(dist, _)| *dist)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_names() {
        let ops = ["GetCustomer", "FindCustomers", "DeleteCustomer"];
        assert_eq!(
            closest("GetCustomers", ops.iter().copied()),
            Some("GetCustomer")
        );
        assert_eq!(
            closest("getcustomer", ops.iter().copied()),
            Some("GetCustomer")
        );
        assert_eq!(closest("Shutdown", ops.iter().copied()), None);
    }
}
