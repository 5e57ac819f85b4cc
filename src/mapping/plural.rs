//! English plurals for the nouns of generated routes (`GetCustomer` -> `/customers/{id}`): a small
//! rule table, so that generated routes stay the same from one build to the next.
//!
//! The last word of a kebab-case noun is pluralised (`customer-address` ->
//! `customer-addresses`). Uncountable words, words that are not nouns at all (Salesforce's
//! `queryAll` and `queryMore`) and words a route reads as one thing (`/order-status/{id}`) stay
//! as they are; a few irregular plurals are listed; then the suffix rules: `-ss` and `-sis`
//! (`address`, `analysis`), any other `-s` (taken as plural already), consonant + `y`
//! (`company`), `-ch`, `-sh`, `-x`, `-z`.

/// Words whose plural is the word itself.
const UNCHANGED: &[&str] = &[
    "advice",
    "all",
    "data",
    "equipment",
    "evidence",
    "feedback",
    "firmware",
    "hardware",
    "info",
    "information",
    "knowledge",
    "metadata",
    "middleware",
    "more",
    "news",
    "progress",
    "research",
    "series",
    "sheep",
    "software",
    "species",
    "status",
    "traffic",
    "us",
    "weather",
];

/// Irregular plurals, and singular words ending in `s` other than `-ss` and `-sis`.
const IRREGULAR: &[(&str, &str)] = &[
    ("alias", "aliases"),
    ("axis", "axes"),
    ("bias", "biases"),
    ("bonus", "bonuses"),
    ("bus", "buses"),
    ("campus", "campuses"),
    ("canvas", "canvases"),
    ("child", "children"),
    ("criterion", "criteria"),
    ("datum", "data"),
    ("half", "halves"),
    ("knife", "knives"),
    ("leaf", "leaves"),
    ("life", "lives"),
    ("man", "men"),
    ("person", "people"),
    ("quiz", "quizzes"),
    ("shelf", "shelves"),
    ("virus", "viruses"),
    ("wife", "wives"),
    ("woman", "women"),
];

/// The plural of a route noun in kebab case: its last word pluralised.
pub fn plural(noun: &str) -> String {
    let (head, word) = match noun.rfind('-') {
        Some(i) => noun.split_at(i + 1),
        None => ("", noun),
    };
    format!("{head}{}", plural_word(word))
}

/// The plural of one lower-case word.
fn plural_word(word: &str) -> String {
    if word.is_empty() || UNCHANGED.contains(&word) {
        return word.to_string();
    }
    if let Some((_, p)) = IRREGULAR.iter().find(|(s, _)| *s == word) {
        return p.to_string();
    }
    if let Some(stem) = word.strip_suffix("sis") {
        return format!("{stem}ses");
    }
    if word.ends_with("ss") {
        return format!("{word}es");
    }
    if word.ends_with('s') {
        // `customers`, `news`, `settings`: already plural (or a word of its own).
        return word.to_string();
    }
    let b = word.as_bytes();
    if word.ends_with('y') && b.len() > 1 && !b"aeiou".contains(&b[b.len() - 2]) {
        return format!("{}ies", &word[..word.len() - 1]);
    }
    if word.ends_with("ch") || word.ends_with("sh") || word.ends_with('x') || word.ends_with('z') {
        return format!("{word}es");
    }
    format!("{word}s")
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
            "apis",
            "ideas",
            "menus",
            "photos",
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
            "series",
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
        ] {
            assert_eq!(plural(one), many, "{one}");
        }
    }

    #[test]
    fn last_word_of_a_compound() {
        assert_eq!(plural("customer-address"), "customer-addresses");
        assert_eq!(plural("order-status"), "order-status");
        assert_eq!(plural("user-info"), "user-info");
        assert_eq!(plural("customer-by-id"), "customer-by-ids");
        assert_eq!(plural("human"), "humans");
        assert_eq!(plural("sales-person"), "sales-people");
    }
}
