//! Interned names: the namespaces and local parts of [`super::QName`]s, one shared copy of each
//! distinct text process-wide.
//!
//! A compiled schema holds a name in every element, type, attribute and table key, and a schema
//! set uses few distinct texts (a handful of namespaces, and local names that repeat across
//! types and across the mappings of one deployment). Sharing them makes a name two pointers and
//! its clone a reference count, instead of two allocations.
//!
//! The table keeps each text while anything holds it: once it has doubled since it was last
//! pruned, the texts nothing else holds any more are dropped, so it stays within twice the live
//! names (plus a small floor) however many names come and go.

use std::borrow::Borrow;
use std::collections::HashSet;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

/// A shared, immutable text: compares, hashes, orders and prints as the `str` it holds.
#[derive(Clone)]
pub struct Name(Arc<str>);

/// The table is not pruned below this many entries.
const PRUNE_FLOOR: usize = 4096;

struct Table {
    texts: HashSet<Arc<str>>,
    prune_at: usize,
}

static TABLE: LazyLock<Mutex<Table>> = LazyLock::new(|| {
    Mutex::new(Table {
        texts: HashSet::new(),
        prune_at: PRUNE_FLOOR,
    })
});

impl Name {
    /// The shared copy of `text`, made if there is none yet.
    pub fn intern(text: &str) -> Name {
        // A poisoned table is still a valid set of texts.
        let mut table = TABLE.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(shared) = table.texts.get(text) {
            return Name(Arc::clone(shared));
        }
        if table.texts.len() >= table.prune_at {
            table.texts.retain(|t| Arc::strong_count(t) > 1);
            table.prune_at = PRUNE_FLOOR.max(2 * table.texts.len());
        }
        let shared: Arc<str> = Arc::from(text);
        table.texts.insert(Arc::clone(&shared));
        Name(shared)
    }

    /// The shared copy of `text` if it is interned, without interning it: a text that is not is
    /// held by no compiled name, so request-time lookups need not grow the table with the names
    /// an answer says.
    pub fn find(text: &str) -> Option<Name> {
        let table = TABLE.lock().unwrap_or_else(PoisonError::into_inner);
        table.texts.get(text).map(|shared| Name(Arc::clone(shared)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for Name {
    fn default() -> Name {
        Name::intern("")
    }
}

impl Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Name {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Name) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || *self.0 == *other.0
    }
}

impl Eq for Name {}

impl Hash for Name {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (*self.0).hash(state)
    }
}

impl PartialOrd for Name {
    fn partial_cmp(&self, other: &Name) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Name {
    fn cmp(&self, other: &Name) -> std::cmp::Ordering {
        (*self.0).cmp(&*other.0)
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<String> for Name {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<Name> for str {
    fn eq(&self, other: &Name) -> bool {
        *self == *other.0
    }
}

impl PartialEq<Name> for &str {
    fn eq(&self, other: &Name) -> bool {
        **self == *other.0
    }
}

impl PartialEq<Name> for String {
    fn eq(&self, other: &Name) -> bool {
        **self == *other.0
    }
}

impl From<&str> for Name {
    fn from(text: &str) -> Name {
        Name::intern(text)
    }
}

impl From<&String> for Name {
    fn from(text: &String) -> Name {
        Name::intern(text)
    }
}

impl From<String> for Name {
    fn from(text: String) -> Name {
        Name::intern(&text)
    }
}

impl From<&Name> for Name {
    fn from(name: &Name) -> Name {
        name.clone()
    }
}

impl From<Name> for String {
    fn from(name: Name) -> String {
        name.0.to_string()
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

#[cfg(test)]
mod tests {
    use super::Name;
    use std::sync::Arc;

    #[test]
    fn equal_texts_share_one_copy() {
        let a = Name::intern("urn:example:shared-name");
        let b = Name::from(String::from("urn:example:shared-name"));
        assert!(Arc::ptr_eq(&a.0, &b.0));
        assert_eq!(a, "urn:example:shared-name");
        assert_eq!(
            format!("{a} {b:?}"),
            "urn:example:shared-name \"urn:example:shared-name\""
        );
    }

    #[test]
    fn texts_nothing_holds_are_pruned() {
        // Far more distinct short-lived names than the floor: the table stays bounded.
        for i in 0..4 * super::PRUNE_FLOOR {
            let _ = Name::intern(&format!("urn:example:transient:{i}"));
        }
        let held = Name::intern("urn:example:held");
        for i in 0..4 * super::PRUNE_FLOOR {
            let _ = Name::intern(&format!("urn:example:transient-again:{i}"));
        }
        // 8x the floor went through; other tests may hold a few thousand names meanwhile.
        let len = super::TABLE.lock().unwrap().texts.len();
        assert!(len < 6 * super::PRUNE_FLOOR, "{len}");
        assert!(Arc::ptr_eq(&held.0, &Name::intern("urn:example:held").0));
    }
}
