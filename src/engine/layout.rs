//! Where each piece of a store lives: the item keys of the engine's flat
//! keyspace. A driver stores each item under its key (IndexedDB as it is;
//! localStorage and adapters after the store's prefix, see [`store_prefix`]).
//!
//! An item key is `v` (the meta item, holding the format version), `n` (the
//! next record version to hand out, see `engine::decide`), `i/` +
//! escaped instance id (an instance), or `r/` + escaped instance id + `/` +
//! escaped namespace + `/` + escaped key (a record).
//!
//! Escaping maps `~` to `~0` and `/` to `~1` (the JSON Pointer escapes), so an
//! escaped part never contains `/`. Each `/` therefore ends a part, and
//! escaping is injective, which makes the whole encoding injective: distinct
//! kinds or triples never share an item, and a prefix ending in `/` matches
//! exactly the items of one instance or namespace (`a/` is not a prefix of
//! `ab/`).

/// The first characters of every platform key a shared keyspace holds for
/// boltkv (localStorage, adapters).
const ROOT: &str = "boltkv/";
const ESCAPE: char = '~';
const SEPARATOR: char = '/';
/// The meta item's key.
pub const META: &str = "v";
/// The key of the item holding the next record version to hand out.
pub const VERSIONS: &str = "n";
/// The start of every instance's item key.
pub const INSTANCES: &str = INSTANCE;
const INSTANCE: &str = "i/";
const RECORD: &str = "r/";

/// What an item key names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemKey {
    /// The item holding the format version.
    Meta,
    /// The item holding the next record version.
    Versions,
    /// An instance document, by instance id.
    Instance(String),
    /// A record document, by its place.
    Record {
        /// The instance's id.
        instance_id: String,
        /// The namespace.
        namespace: String,
        /// The key.
        key: String,
    },
}

/// The start of every platform key of the store called `name` in a keyspace
/// that every script of an origin or a binding shares: `boltkv/` + the
/// escaped name + `/`. Two names never share a prefix, and no prefix is a
/// prefix of another's.
pub fn store_prefix(name: &str) -> String {
    let mut prefix = String::from(ROOT);
    escape_into(&mut prefix, name);
    prefix.push(SEPARATOR);
    prefix
}

/// Whether `key` is an instance's item key by its shape (not checked further).
pub fn is_instance(key: &str) -> bool {
    key.starts_with(INSTANCE)
}

/// Whether `key` is a record's item key by its shape (not checked further).
pub fn is_record(key: &str) -> bool {
    key.starts_with(RECORD)
}

/// The key of an instance's item.
pub fn instance(instance_id: &str) -> String {
    let mut out = String::from(INSTANCE);
    escape_into(&mut out, instance_id);
    out
}

/// The key of a record's item.
pub fn record(instance_id: &str, namespace: &str, key: &str) -> String {
    let mut out = namespace_prefix(instance_id, namespace);
    escape_into(&mut out, key);
    out
}

/// Whether `item_key` is the key of the record at this place: the same as
/// `record(instance_id, namespace, key) == item_key`, without building the
/// key (loading checks every record this way).
pub fn is_record_at(item_key: &str, instance_id: &str, namespace: &str, key: &str) -> bool {
    let Some(mut rest) = item_key.strip_prefix(RECORD) else { return false };
    for (n, part) in [instance_id, namespace, key].into_iter().enumerate() {
        let Some(after) = strip_escaped(rest, part) else { return false };
        rest = after;
        if n < 2 {
            let Some(after) = rest.strip_prefix(SEPARATOR) else { return false };
            rest = after;
        }
    }
    rest.is_empty()
}

/// `text` after `part` escaped, if `text` starts with it.
fn strip_escaped<'a>(text: &'a str, part: &str) -> Option<&'a str> {
    let mut rest = text;
    for c in part.chars() {
        rest = match c {
            ESCAPE => rest.strip_prefix("~0")?,
            SEPARATOR => rest.strip_prefix("~1")?,
            c => rest.strip_prefix(c)?,
        };
    }
    Some(rest)
}

/// The start of the items of every record of one instance, and of no other
/// instance's (the instance's own item is not among them).
pub fn instance_prefix(instance_id: &str) -> String {
    let mut out = String::from(RECORD);
    escape_into(&mut out, instance_id);
    out.push(SEPARATOR);
    out
}

/// The start of the items of every record of one namespace of one
/// instance, and of no other namespace's.
pub fn namespace_prefix(instance_id: &str, namespace: &str) -> String {
    let mut out = instance_prefix(instance_id);
    escape_into(&mut out, namespace);
    out.push(SEPARATOR);
    out
}

/// The first key after every key that starts with `prefix`, a prefix that
/// ends with `/`: no escaped part contains `/`, so the keys from `prefix`
/// up to (not including) this one are exactly those starting with `prefix`.
pub fn past_prefix(prefix: &str) -> String {
    let mut end = prefix.strip_suffix(SEPARATOR).unwrap_or(prefix).to_string();
    end.push(char::from(SEPARATOR as u8 + 1));
    end
}

/// The item key of `item`.
#[cfg(all(test, not(target_arch = "wasm32")))]
fn encode(item: &ItemKey) -> String {
    match item {
        ItemKey::Meta => META.to_string(),
        ItemKey::Versions => VERSIONS.to_string(),
        ItemKey::Instance(id) => instance(id),
        ItemKey::Record { instance_id, namespace, key } => record(instance_id, namespace, key),
    }
}

/// What `item_key` names, or `None` when it is not an item key (another
/// library's, or damaged).
pub fn decode(item_key: &str) -> Option<ItemKey> {
    if item_key == META {
        return Some(ItemKey::Meta);
    }
    if item_key == VERSIONS {
        return Some(ItemKey::Versions);
    }
    if let Some(id) = item_key.strip_prefix(INSTANCE) {
        return unescape(id).map(ItemKey::Instance);
    }
    let mut parts = item_key.strip_prefix(RECORD)?.split(SEPARATOR);
    let (Some(id), Some(namespace), Some(key), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    Some(ItemKey::Record { instance_id: unescape(id)?, namespace: unescape(namespace)?, key: unescape(key)? })
}

/// Appends `part` with `~` and `/` escaped.
fn escape_into(out: &mut String, part: &str) {
    for c in part.chars() {
        match c {
            ESCAPE => out.push_str("~0"),
            SEPARATOR => out.push_str("~1"),
            c => out.push(c),
        }
    }
}

/// The part `escaped` was made from, or `None` if no part escapes to it (a
/// bare `/`, a lone `~`, or `~` before anything but `0` or `1`), so that only
/// the canonical spelling of an item key decodes.
fn unescape(escaped: &str) -> Option<String> {
    let mut out = String::with_capacity(escaped.len());
    let mut chars = escaped.chars();
    while let Some(c) = chars.next() {
        match c {
            ESCAPE => match chars.next()? {
                '0' => out.push(ESCAPE),
                '1' => out.push(SEPARATOR),
                _ => return None,
            },
            SEPARATOR => return None,
            c => out.push(c),
        }
    }
    Some(out)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Strings built from the characters that could confuse an encoding:
    /// the separator, the escape, its digits, NUL, an emoji, letters that
    /// make parts prefixes of one another, and the tag letters.
    fn part() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                Just('/'), Just('~'), Just('0'), Just('1'), Just('\u{0}'), Just('\u{1F600}'),
                Just('a'), Just('b'), Just('i'), Just('r'), Just('v'), any::<char>(),
            ],
            0..6,
        )
        .prop_map(|chars| chars.into_iter().collect())
    }

    fn triple() -> impl Strategy<Value = (String, String, String)> {
        (part(), part(), part())
    }

    fn at((i, n, k): &(String, String, String)) -> String {
        record(i, n, k)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn distinct_triples_never_share_an_item(a in triple(), b in triple()) {
            prop_assert_eq!(a == b, at(&a) == at(&b));
        }

        #[test]
        fn every_item_key_decodes_to_what_made_it(t in triple(), id in part()) {
            let item = ItemKey::Record { instance_id: t.0.clone(), namespace: t.1.clone(), key: t.2.clone() };
            prop_assert_eq!(decode(&at(&t)), Some(item));
            prop_assert_eq!(decode(&instance(&id)), Some(ItemKey::Instance(id)));
            prop_assert_eq!(decode(META), Some(ItemKey::Meta));
            prop_assert_eq!(decode(VERSIONS), Some(ItemKey::Versions));
        }

        #[test]
        fn kinds_never_share_an_item(t in triple(), id in part()) {
            let all = [META.to_string(), VERSIONS.to_string(), instance(&id), at(&t)];
            let distinct: std::collections::HashSet<&String> = all.iter().collect();
            prop_assert_eq!(distinct.len(), all.len());
        }

        #[test]
        fn two_store_prefixes_never_overlap(a in part(), b in part()) {
            prop_assume!(a != b);
            prop_assert!(!store_prefix(&a).starts_with(&store_prefix(&b)));
        }

        #[test]
        fn a_namespace_prefix_matches_exactly_that_namespace(a in triple(), b in triple()) {
            let same = a.0 == b.0 && a.1 == b.1;
            prop_assert_eq!(at(&b).starts_with(&namespace_prefix(&a.0, &a.1)), same);
        }

        #[test]
        fn an_instance_prefix_matches_exactly_that_instance(a in triple(), b in triple(), id in part()) {
            let prefix = instance_prefix(&a.0);
            prop_assert_eq!(at(&b).starts_with(&prefix), a.0 == b.0);
            prop_assert!(!instance(&id).starts_with(&prefix), "instance items are cleared by key");
            prop_assert!(!META.starts_with(&prefix) && !VERSIONS.starts_with(&prefix));
        }

        #[test]
        fn the_range_of_a_prefix_holds_exactly_its_keys(a in triple(), b in triple()) {
            // IndexedDB orders strings by UTF-16 code units.
            let units = |s: &str| s.encode_utf16().collect::<Vec<u16>>();
            let item = units(&at(&b));
            for prefix in [namespace_prefix(&a.0, &a.1), instance_prefix(&a.0)] {
                let in_range = units(&prefix) <= item && item < units(&past_prefix(&prefix));
                prop_assert_eq!(in_range, item.starts_with(&units(&prefix)));
            }
        }

        #[test]
        fn a_record_key_is_checked_in_place_as_it_would_be_built(a in triple(), b in triple()) {
            prop_assert_eq!(is_record_at(&at(&a), &b.0, &b.1, &b.2), a == b);
            prop_assert!(is_record_at(&at(&b), &b.0, &b.1, &b.2));
            let longer = at(&b) + "x";
            prop_assert!(!is_record_at(&longer, &b.0, &b.1, &b.2));
        }

        #[test]
        fn only_canonical_spellings_decode(text in part()) {
            if let Some(decoded) = decode(&text) {
                prop_assert_eq!(encode(&decoded), text);
            }
        }
    }

    #[test]
    fn prefixes_of_one_another_stay_apart() {
        assert!(!record("i", "ab", "k").starts_with(&namespace_prefix("i", "a")));
        assert!(!record("i/a", "b", "k").starts_with(&namespace_prefix("i", "a")));
        assert!(!store_prefix("s/x").starts_with(&store_prefix("s")));
        assert_eq!(record("i", "n/~", "k"), "r/i/n~1~0/k");
        assert_eq!(store_prefix("a/b"), "boltkv/a~1b/");
    }

    #[test]
    fn foreign_and_damaged_keys_do_not_decode() {
        for foreign in ["", "x", "r/i/n", "r/i/n/k/x", "i/a~", "i/a~2", "other", "h/00"] {
            assert_eq!(decode(foreign), None, "{foreign}");
        }
    }
}
