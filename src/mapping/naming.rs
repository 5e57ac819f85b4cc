//! JSON key naming (the mapping's `naming:`), and the case of the REST words derived from
//! operation names (kebab-case paths, HTTP header names).
//!
//! Rule for `camelCase`: lower-case the leading capital run (`CustomerID` -> `customerID`,
//! `XMLData` -> `xmlData`, `ID` -> `id`). When two siblings would get the same key, both keep their
//! XML local names; an attribute that then still collides with an element gets an `@` prefix.

use serde::Deserialize;

/// The JSON key under which an element's text goes when the element also has attributes.
pub const TEXT_KEY: &str = "value";
/// The JSON key naming the actual type under `xsi:type` polymorphism.
pub const TYPE_KEY: &str = "$type";
/// The JSON key of raw XML passthrough (`xs:any`, `anyType`).
pub const XML_KEY: &str = "$xml";
/// The JSON key of attributes an `xs:anyAttribute` takes: `{"{namespace}name": "value"}`
/// (`"name"` for no namespace).
pub const ATTRS_KEY: &str = "$attributes";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub enum Naming {
    /// `camelCase` (default): `CustomerId` -> `customerId`.
    #[default]
    #[serde(rename = "camelCase")]
    CamelCase,
    /// `preserve`: keys are the XML local names, unchanged.
    #[serde(rename = "preserve")]
    Preserve,
}

impl Naming {
    pub fn as_str(self) -> &'static str {
        match self {
            Naming::CamelCase => "camelCase",
            Naming::Preserve => "preserve",
        }
    }
}

/// `CustomerId` -> `customerId`.
pub(crate) fn camel(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let upper_run = chars.iter().take_while(|c| c.is_uppercase()).count();
    let lower = match upper_run {
        0 => 0,
        n if n == chars.len() => n,
        1 => 1,
        // `XMLData`: the last capital starts the next word, unless a digit or `_` follows.
        n if chars[n].is_lowercase() => n - 1,
        n => n,
    };
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < lower {
                c.to_lowercase().next().unwrap_or(*c)
            } else {
                *c
            }
        })
        .collect()
}

/// JSON keys for sibling names `(local name, is attribute)`, in the same order.
pub fn json_keys(naming: Naming, names: &[(&str, bool)]) -> Vec<String> {
    let mut keys: Vec<String> = names
        .iter()
        .map(|(n, _)| match naming {
            Naming::CamelCase => camel(n),
            Naming::Preserve => n.to_string(),
        })
        .collect();
    for i in 0..keys.len() {
        let clash =
            (0..keys.len()).any(|j| j != i && keys[j] == keys[i] && names[j].0 != names[i].0);
        if clash {
            keys[i] = names[i].0.to_string();
        }
    }
    for i in 0..keys.len() {
        if names[i].1 && (0..keys.len()).any(|j| j != i && keys[j] == keys[i] && !names[j].1) {
            keys[i] = format!("@{}", keys[i]);
        }
    }
    keys
}

/// `GetCustomerByID` -> `get-customer-by-id`.
pub(crate) fn kebab(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c == '_' || c == ' ' || c == '-' || c == '.' {
            if !out.ends_with('-') && !out.is_empty() {
                out.push('-');
            }
            continue;
        }
        if c.is_uppercase() && i > 0 {
            let prev = chars[i - 1];
            // `CIDs`, `URLs`: a plural `s` after capitals is no word of its own.
            let plural_s = chars.get(i + 1) == Some(&'s')
                && !chars.get(i + 2).is_some_and(|n| n.is_lowercase());
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase()) && !plural_s;
            if (prev.is_lowercase() || prev.is_ascii_digit() || (prev.is_uppercase() && next_lower))
                && !out.ends_with('-')
            {
                out.push('-');
            }
        }
        out.extend(c.to_lowercase());
    }
    out.trim_matches('-').to_string()
}

/// `sessionId` -> `Session-Id`: an HTTP header name's words (kebab case, each word capitalised).
pub(crate) fn header_case(name: &str) -> String {
    kebab(name)
        .split('-')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect::<String>(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names() {
        assert_eq!(header_case("sessionId"), "Session-Id");
        assert_eq!(header_case("MailboxCulture"), "Mailbox-Culture");
        assert_eq!(header_case("Username"), "Username");
        assert_eq!(header_case("x_api_key"), "X-Api-Key");
    }

    #[test]
    fn camel_case() {
        assert_eq!(camel("CustomerId"), "customerId");
        assert_eq!(camel("CustomerID"), "customerID");
        assert_eq!(camel("XMLData"), "xmlData");
        assert_eq!(camel("ID"), "id");
        assert_eq!(camel("name"), "name");
        assert_eq!(camel("_this"), "_this");
        assert_eq!(camel("A1B"), "a1B");
    }

    #[test]
    fn collisions_keep_xml_names() {
        let keys = json_keys(
            Naming::CamelCase,
            &[("Name", false), ("name", false), ("City", false)],
        );
        assert_eq!(keys, ["Name", "name", "city"]);
        let keys = json_keys(Naming::CamelCase, &[("id", true), ("Id", false)]);
        assert_eq!(keys, ["id", "Id"]);
        let keys = json_keys(Naming::Preserve, &[("id", true), ("id", false)]);
        assert_eq!(keys, ["@id", "id"]);
    }

    #[test]
    fn kebab_case() {
        assert_eq!(kebab("GetCustomerByID"), "get-customer-by-id");
        assert_eq!(kebab("FindCustomers"), "find-customers");
        assert_eq!(kebab("CelsiusToFahrenheit"), "celsius-to-fahrenheit");
        assert_eq!(kebab("checkVat_Approx"), "check-vat-approx");
        assert_eq!(kebab("listProofSampleCIDs"), "list-proof-sample-cids");
        assert_eq!(kebab("GetURLs"), "get-urls");
        assert_eq!(kebab("XMLData"), "xml-data");
        assert_eq!(kebab("IDsOf"), "ids-of");
    }
}
