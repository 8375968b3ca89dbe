//! Storage keys that fit Workers KV's limit of 512 bytes per key.
//!
//! An item key (`item_key`) can be far longer: the store name, namespace and
//! key are each up to 256 or 512 bytes, and escaping can double them. An item
//! key within the limit is stored as it is; a longer one is stored as the
//! store prefix + `h/` + the hex SHA-256 of the item key. Item keys after the
//! prefix start with `v`, `i/` or `r/`, never `h/`, so a hashed key never
//! equals an unhashed one, and distinct hashed keys need a SHA-256 collision
//! to meet. A hashed key does not say what it holds; its document does, and
//! loading checks that the document's own item key hashes to it.

use sha2::{Digest, Sha256};

use crate::backend::item_key::ItemKeys;

/// The longest key Workers KV accepts, in UTF-8 bytes; Durable Object storage
/// accepts 2048, so one limit serves both.
pub const MAX_KEY_BYTES: usize = 512;
/// What follows the store prefix in a hashed key.
const HASHED: &str = "h/";
/// The hex digits of a SHA-256.
const DIGEST_HEX: usize = 64;

/// The storage keys of one store.
#[derive(Debug, Clone)]
pub struct StorageKeys {
    items: ItemKeys,
}

impl StorageKeys {
    /// The keys of the store called `name`, or why the name cannot be used:
    /// even a hashed key must fit under the limit.
    pub fn new(name: &str) -> Result<StorageKeys, String> {
        let items = ItemKeys::new(name);
        let longest = items.prefix().len() + HASHED.len() + DIGEST_HEX;
        if longest > MAX_KEY_BYTES {
            return Err(format!(
                "the store name {name:?} is too long for key-value storage: its keys would be {longest} bytes, over the {MAX_KEY_BYTES}-byte key limit of Workers KV; use a name of at most {} bytes without '/' or '~'.",
                MAX_KEY_BYTES - (longest - name.len())
            ));
        }
        Ok(StorageKeys { items })
    }

    /// The item keys this layout stores.
    pub fn items(&self) -> &ItemKeys {
        &self.items
    }

    /// The start of every storage key of this store.
    pub fn prefix(&self) -> &str {
        self.items.prefix()
    }

    /// Where the item `item_key` is stored.
    pub fn storage_key(&self, item_key: &str) -> String {
        if item_key.len() <= MAX_KEY_BYTES {
            return item_key.to_string();
        }
        let mut out = format!("{}{HASHED}", self.items.prefix());
        for byte in Sha256::digest(item_key.as_bytes()) {
            out.push_str(&format!("{byte:02x}"));
        }
        out
    }

    /// Whether `storage_key` has the shape of a hashed key of this store.
    pub fn is_hashed(&self, storage_key: &str) -> bool {
        storage_key
            .strip_prefix(self.items.prefix())
            .and_then(|rest| rest.strip_prefix(HASHED))
            .is_some_and(|hex| hex.len() == DIGEST_HEX && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_item_keys_are_stored_as_they_are() {
        let keys = StorageKeys::new("app").expect("a short name");
        let item = keys.items().record("i", "n", "k");
        assert_eq!(keys.storage_key(&item), item);
        assert!(!keys.is_hashed(&item));
    }

    #[test]
    fn long_item_keys_are_hashed_within_the_limit_and_stay_apart() {
        let keys = StorageKeys::new("app").expect("a short name");
        let long_a = keys.items().record("i", "n", &"a".repeat(600));
        let long_b = keys.items().record("i", "n", &"b".repeat(600));
        let (a, b) = (keys.storage_key(&long_a), keys.storage_key(&long_b));
        assert!(a.len() <= MAX_KEY_BYTES && b.len() <= MAX_KEY_BYTES);
        assert_ne!(a, b);
        assert!(keys.is_hashed(&a) && a.starts_with(keys.prefix()));
        assert_eq!(keys.storage_key(&long_a), a, "the same item always lands on the same key");
        let just_fits = keys.items().record("i", "n", &"c".repeat(MAX_KEY_BYTES - keys.items().record("i", "n", "").len()));
        assert_eq!(keys.storage_key(&just_fits), just_fits);
    }

    #[test]
    fn names_whose_keys_cannot_fit_are_refused_with_the_limit() {
        assert!(StorageKeys::new(&"n".repeat(256)).is_ok());
        let error = StorageKeys::new(&"/".repeat(256)).expect_err("escaped to 512 bytes");
        assert!(error.contains("512"), "{error}");
    }

    #[test]
    fn only_the_hashed_shape_counts_as_hashed() {
        let keys = StorageKeys::new("s").expect("a short name");
        for other in ["boltkv/s/h/", "boltkv/s/h/xyz", &format!("boltkv/t/h/{}", "0".repeat(64)), &format!("boltkv/s/h/{}", "A".repeat(64))] {
            assert!(!keys.is_hashed(other), "{other}");
        }
        assert!(keys.is_hashed(&format!("boltkv/s/h/{}", "0a".repeat(32))));
    }
}
