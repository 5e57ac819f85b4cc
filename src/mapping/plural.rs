//! English plurals for the nouns of generated routes (`GetCustomer` -> `/customers/{id}`).
//!
//! The last word of a kebab-case noun is pluralised (`customer-address` ->
//! `customer-addresses`) by the `pluralizer` crate's inflection rules (irregular words,
//! uncountable words, words already plural), whose built-in tables are never extended here, so
//! the same noun always gives the same route. Before them, a short table of words a route reads
//! as one thing, or that are not nouns at all, keeps them as they are: Salesforce's `queryAll`
//! and `queryMore` once became `/alls` and `/mores`, and `/order-status/{id}` is one status.

/// Words a route keeps as they are, whatever English grammar says of them.
const UNCHANGED: &[&str] = &[
    "all", "any", "data", "firmware", "hardware", "info", "metadata", "more", "none", "status",
    "software", "weather",
];

/// Plurals the inflection rules get wrong for route nouns (their `viri` is Latin, not English).
const OVERRIDES: &[(&str, &str)] = &[("virus", "viruses")];

/// The plural of a route noun in kebab case: its last word pluralised.
pub fn plural(noun: &str) -> String {
    let (head, word) = match noun.rfind('-') {
        Some(i) => noun.split_at(i + 1),
        None => ("", noun),
    };
    format!("{head}{}", plural_word(word))
}

/// The plural of one lower-case word (a word with a digit, such as `v2`, takes an `s`).
fn plural_word(word: &str) -> String {
    if word.is_empty() || UNCHANGED.contains(&word) {
        return word.to_string();
    }
    if let Some((_, p)) = OVERRIDES.iter().find(|(w, _)| *w == word) {
        return p.to_string();
    }
    if !word.chars().all(|c| c.is_ascii_lowercase()) {
        return format!("{word}s");
    }
    pluralizer::pluralize(word, 2, false)
}

#[cfg(test)]
mod tests {
    use super::plural;

    #[test]
    fn regular() {
        for (one, many) in [
            ("customer", "customers"),
            ("company", "companies"),
            ("query", "queries"),
            ("day", "days"),
            ("key", "keys"),
            ("box", "boxes"),
            ("match", "matches"),
            ("hash", "hashes"),
            ("photo", "photos"),
            ("vm", "vms"),
            ("v2", "v2s"),
            ("profile", "profiles"),
            ("configuration", "configurations"),
        ] {
            assert_eq!(plural(one), many, "{one}");
        }
    }

    #[test]
    fn singulars_ending_in_s() {
        for (one, many) in [
            ("address", "addresses"),
            ("class", "classes"),
            ("access", "accesses"),
            ("process", "processes"),
            ("analysis", "analyses"),
            ("axis", "axes"),
            ("alias", "aliases"),
            ("bus", "buses"),
            ("virus", "viruses"),
        ] {
            assert_eq!(plural(one), many, "{one}");
        }
    }

    #[test]
    fn plurals_stay() {
        for w in [
            "customers",
            "settings",
            "details",
            "ideas",
            "menus",
            "photos",
            "people",
            "children",
        ] {
            assert_eq!(plural(w), w);
        }
    }

    #[test]
    fn uncountable_and_not_nouns() {
        // Salesforce's `queryAll` and `queryMore` once became `/alls` and `/mores`.
        for w in [
            "all",
            "more",
            "status",
            "data",
            "info",
            "news",
            "metadata",
            "equipment",
            "information",
            "weather",
            "firmware",
        ] {
            assert_eq!(plural(w), w);
        }
    }

    #[test]
    fn irregular() {
        for (one, many) in [
            ("person", "people"),
            ("child", "children"),
            ("leaf", "leaves"),
            ("criterion", "criteria"),
            ("quiz", "quizzes"),
            ("index", "indices"),
            ("matrix", "matrices"),
        ] {
            assert_eq!(plural(one), many, "{one}");
        }
    }

    #[test]
    fn last_word_of_a_compound() {
        assert_eq!(plural("customer-address"), "customer-addresses");
        assert_eq!(plural("order-status"), "order-status");
        assert_eq!(plural("user-info"), "user-info");
        assert_eq!(plural("human"), "humans");
        assert_eq!(plural("sales-person"), "sales-people");
        assert_eq!(plural("video-source"), "video-sources");
    }
}
