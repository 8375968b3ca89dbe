//! Where each piece of a store lives in a flat string-keyed storage such as
//! localStorage, which every script of the origin shares.
//!
//! Every item of a store starts with `boltkv/` + the escaped store name +
//! `/`, followed by a tag: `v` (the meta item holding the format version),
//! `i/` + escaped instance id (an instance), or `r/` + escaped instance id +
//! `/` + escaped namespace + `/` + escaped key (a record).
//!
//! Escaping maps `~` to `~0` and `/` to `~1` (the JSON Pointer escapes), so an
//! escaped part never contains `/`. Each `/` therefore ends a part, and
//! escaping is injective, which makes the whole encoding injective: distinct
//! stores, kinds or triples never share an item, and a prefix ending in `/`
//! matches exactly the items of one instance or namespace (`a/` is not a
//! prefix of `ab/`).

use super::codec;
use crate::model::{Instance, Record};

/// The first characters of every item this crate writes.
const ROOT: &str = "boltkv/";
const ESCAPE: char = '~';
const SEPARATOR: char = '/';
const META: &str = "v";
const INSTANCE: &str = "i/";
const RECORD: &str = "r/";

/// What an item holds: an instance or a record.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// An instance document.
    Instance(Instance),
    /// A record document.
    Record(Record),
}

/// The instance or record a document holds, checked against the item key it
/// was found under, so a document moved or copied to another key is caught.
pub fn decode_item(kind: ItemKey, text: &str) -> Result<Item, String> {
    match kind {
        ItemKey::Meta => Err("it is the meta item".to_string()),
        ItemKey::Instance(id) => codec::decode_instance(text).and_then(|instance| {
            if instance.id.to_string() == id {
                Ok(Item::Instance(instance))
            } else {
                Err(format!("it holds instance {} under the key of instance {id}", instance.id))
            }
        }),
        ItemKey::Record { instance_id, namespace, key } => codec::decode_record(text).and_then(|record| {
            if (record.instance_id.to_string(), &record.namespace, &record.key) == (instance_id, &namespace, &key) {
                Ok(Item::Record(record))
            } else {
                Err("it holds a record whose instance, namespace or key differs from its item key".to_string())
            }
        }),
    }
}

/// What an item key under a store's prefix names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemKey {
    /// The item holding the format version.
    Meta,
    /// An instance document, by instance id.
    Instance(String),
    /// A record document, by its place.
    Record {
        /// The instance's id, as text.
        instance_id: String,
        /// The record's namespace.
        namespace: String,
        /// The record's key.
        key: String,
    },
}

/// The item keys of one store: everything it writes starts with `prefix`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemKeys {
    prefix: String,
}

/// The keys of a storage that holds one store only (an IndexedDB database):
/// the same encoding without the store prefix, `r/<id>/<namespace>/<key>`.
pub const UNPREFIXED: ItemKeys = ItemKeys { prefix: String::new() };

/// The first key after every key that starts with `prefix`, a prefix that
/// ends with `/`: no escaped part contains `/`, so the keys from `prefix`
/// up to (not including) this one are exactly those starting with `prefix`.
pub fn past_prefix(prefix: &str) -> String {
    let mut end = prefix.strip_suffix(SEPARATOR).unwrap_or(prefix).to_string();
    end.push(char::from(SEPARATOR as u8 + 1));
    end
}

impl ItemKeys {
    /// The keys of the store called `name`.
    pub fn new(name: &str) -> ItemKeys {
        let mut prefix = String::from(ROOT);
        escape_into(&mut prefix, name);
        prefix.push(SEPARATOR);
        ItemKeys { prefix }
    }

    /// The start of every item of this store and of no other store's.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The item key of `item`.
    pub fn encode(&self, item: &ItemKey) -> String {
        match item {
            ItemKey::Meta => format!("{}{META}", self.prefix),
            ItemKey::Instance(id) => {
                let mut out = format!("{}{INSTANCE}", self.prefix);
                escape_into(&mut out, id);
                out
            }
            ItemKey::Record { instance_id, namespace, key } => self.record(instance_id, namespace, key),
        }
    }

    /// The meta item's key.
    pub fn meta(&self) -> String {
        self.encode(&ItemKey::Meta)
    }

    /// The key of an instance's own item.
    pub fn instance(&self, instance_id: &str) -> String {
        self.encode(&ItemKey::Instance(instance_id.to_string()))
    }

    /// The key of a record's item.
    pub fn record(&self, instance_id: &str, namespace: &str, key: &str) -> String {
        let mut out = self.namespace_prefix(instance_id, namespace);
        escape_into(&mut out, key);
        out
    }

    /// The start of the items of every record of one instance, and of no
    /// other instance's (the instance's own item is not among them).
    pub fn instance_prefix(&self, instance_id: &str) -> String {
        let mut out = self.prefix.clone();
        out.push_str(RECORD);
        escape_into(&mut out, instance_id);
        out.push(SEPARATOR);
        out
    }

    /// The start of the items of every record of one namespace of one
    /// instance, and of no other namespace's.
    pub fn namespace_prefix(&self, instance_id: &str, namespace: &str) -> String {
        let mut out = self.instance_prefix(instance_id);
        escape_into(&mut out, namespace);
        out.push(SEPARATOR);
        out
    }

    /// What `item_key` names, or `None` when it is not one of this store's
    /// items (another store's, another library's, or damaged).
    pub fn decode(&self, item_key: &str) -> Option<ItemKey> {
        let rest = item_key.strip_prefix(self.prefix.as_str())?;
        if rest == META {
            return Some(ItemKey::Meta);
        }
        if let Some(id) = rest.strip_prefix(INSTANCE) {
            return unescape(id).map(ItemKey::Instance);
        }
        let mut parts = rest.strip_prefix(RECORD)?.split(SEPARATOR);
        let (Some(id), Some(namespace), Some(key), None) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        Some(ItemKey::Record { instance_id: unescape(id)?, namespace: unescape(namespace)?, key: unescape(key)? })
    }
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

    fn record(keys: &ItemKeys, (i, n, k): &(String, String, String)) -> String {
        keys.record(i, n, k)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn distinct_triples_never_share_an_item(a in triple(), b in triple(), store in part()) {
            let keys = ItemKeys::new(&store);
            prop_assert_eq!(a == b, record(&keys, &a) == record(&keys, &b));
        }

        #[test]
        fn every_item_key_decodes_to_what_made_it(t in triple(), id in part(), store in part()) {
            let keys = ItemKeys::new(&store);
            let item = ItemKey::Record { instance_id: t.0.clone(), namespace: t.1.clone(), key: t.2.clone() };
            prop_assert_eq!(keys.decode(&record(&keys, &t)), Some(item));
            prop_assert_eq!(keys.decode(&keys.instance(&id)), Some(ItemKey::Instance(id)));
            prop_assert_eq!(keys.decode(&keys.meta()), Some(ItemKey::Meta));
        }

        #[test]
        fn kinds_never_share_an_item(t in triple(), id in part(), store in part()) {
            let keys = ItemKeys::new(&store);
            let all = [keys.meta(), keys.instance(&id), record(&keys, &t)];
            prop_assert!(all[0] != all[1] && all[1] != all[2] && all[0] != all[2]);
        }

        #[test]
        fn two_stores_never_see_each_other_s_items(a in part(), b in part(), t in triple(), id in part()) {
            prop_assume!(a != b);
            let (ka, kb) = (ItemKeys::new(&a), ItemKeys::new(&b));
            for item in [ka.meta(), ka.instance(&id), record(&ka, &t)] {
                prop_assert!(!item.starts_with(kb.prefix()), "{item:?} is under {:?}", kb.prefix());
                prop_assert_eq!(kb.decode(&item), None);
            }
        }

        #[test]
        fn a_namespace_prefix_matches_exactly_that_namespace(a in triple(), b in triple(), store in part()) {
            let keys = ItemKeys::new(&store);
            let item = record(&keys, &b);
            let same = a.0 == b.0 && a.1 == b.1;
            prop_assert_eq!(item.starts_with(&keys.namespace_prefix(&a.0, &a.1)), same);
        }

        #[test]
        fn an_instance_prefix_matches_exactly_that_instance(a in triple(), b in triple(), id in part(), store in part()) {
            let keys = ItemKeys::new(&store);
            let prefix = keys.instance_prefix(&a.0);
            prop_assert_eq!(record(&keys, &b).starts_with(&prefix), a.0 == b.0);
            prop_assert!(!keys.instance(&id).starts_with(&prefix), "instance items are cleared by key");
            prop_assert!(!keys.meta().starts_with(&prefix));
        }

        #[test]
        fn the_range_of_a_prefix_holds_exactly_its_keys(a in triple(), b in triple()) {
            // IndexedDB orders strings by UTF-16 code units.
            let units = |s: &str| s.encode_utf16().collect::<Vec<u16>>();
            let item = units(&record(&UNPREFIXED, &b));
            for prefix in [UNPREFIXED.namespace_prefix(&a.0, &a.1), UNPREFIXED.instance_prefix(&a.0)] {
                let in_range = units(&prefix) <= item && item < units(&past_prefix(&prefix));
                prop_assert_eq!(in_range, item.starts_with(&units(&prefix)));
            }
        }

        #[test]
        fn only_canonical_spellings_decode(text in part(), store in part()) {
            let keys = ItemKeys::new(&store);
            let item = format!("{}{text}", keys.prefix());
            if let Some(decoded) = keys.decode(&item) {
                prop_assert_eq!(keys.encode(&decoded), item);
            }
        }
    }

    #[test]
    fn prefixes_of_one_another_stay_apart() {
        let keys = ItemKeys::new("s");
        assert!(!keys.record("i", "ab", "k").starts_with(&keys.namespace_prefix("i", "a")));
        assert!(!keys.record("i/a", "b", "k").starts_with(&keys.namespace_prefix("i", "a")));
        assert!(!ItemKeys::new("s/x").prefix().starts_with(keys.prefix()));
        assert_eq!(keys.record("i", "n/~", "k"), "boltkv/s/r/i/n~1~0/k");
    }

    #[test]
    fn foreign_and_damaged_keys_do_not_decode() {
        let keys = ItemKeys::new("s");
        for foreign in ["boltkv/t/v", "boltkv/s/", "boltkv/s/x", "boltkv/s/r/i/n", "boltkv/s/r/i/n/k/x", "boltkv/s/i/a~", "boltkv/s/i/a~2", "other"] {
            assert_eq!(keys.decode(foreign), None, "{foreign}");
        }
    }
}
