//! Storage keys that fit Workers KV's limit of 512 bytes per key.
//!
//! An item key (`engine::layout`) after the store's prefix can be far
//! longer: the store name, namespace and key are each up to 256 or 512
//! bytes, and escaping can double them. A key within the limit is stored as
//! it is; a longer one is stored as the store prefix + `h/` + the hex
//! SHA-256 of the item key. Item keys start with `v`, `i/` or `r/`, never
//! `h/`, so a hashed key never equals an unhashed one, and distinct hashed
//! keys need a SHA-256 collision to meet. A hashed key does not say what it
//! holds; its document does, and loading checks that the document's own
//! item key is placed there.

use sha2::{Digest, Sha256};

use crate::engine::layout;

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
    prefix: String,
}

impl StorageKeys {
    /// The keys of the store called `name`, or why the name cannot be used:
    /// even a hashed key must fit under the limit.
    pub fn new(name: &str) -> Result<StorageKeys, String> {
        let prefix = layout::store_prefix(name);
        let longest = prefix.len() + HASHED.len() + DIGEST_HEX;
        if longest > MAX_KEY_BYTES {
            return Err(format!(
                "the store name {name:?} is too long for key-value storage: its keys would be {longest} bytes, over the {MAX_KEY_BYTES}-byte key limit of Workers KV; use a name of at most {} bytes without '/' or '~'.",
                MAX_KEY_BYTES.saturating_sub(longest - name.len())
            ));
        }
        Ok(StorageKeys { prefix })
    }

    /// The start of every storage key of this store.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Where the item `key` is stored.
    pub fn storage_key(&self, key: &str) -> String {
        let whole = format!("{}{key}", self.prefix);
        if whole.len() <= MAX_KEY_BYTES {
            return whole;
        }
        let mut out = format!("{}{HASHED}", self.prefix);
        for byte in Sha256::digest(key.as_bytes()) {
            out.push(hex(byte >> 4));
            out.push(hex(byte & 0xf));
        }
        out
    }

    /// The item key a listed storage key stands for; `Err` with the storage
    /// key when it names none by itself (a hashed key).
    pub fn item_key(&self, storage_key: &str) -> Result<String, String> {
        match storage_key.strip_prefix(self.prefix.as_str()) {
            Some(rest) if !rest.starts_with(HASHED) => Ok(rest.to_string()),
            _ => Err(storage_key.to_string()),
        }
    }
}

fn hex(nibble: u8) -> char {
    char::from_digit(u32::from(nibble), 16).unwrap_or('0')
}

// The drivers build for wasm32 only, where the test runner runs
// `wasm_bindgen_test`s, not plain `#[test]`s.
#[cfg(test)]
mod tests {
    use super::*;

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn short_item_keys_are_stored_as_they_are() {
        let keys = StorageKeys::new("app").expect("a short name");
        let item = layout::record("i", "n", "k");
        assert_eq!(keys.storage_key(&item), format!("boltkv/app/{item}"));
        assert_eq!(keys.item_key(&keys.storage_key(&item)), Ok(item));
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn long_item_keys_are_hashed_within_the_limit_and_stay_apart() {
        let keys = StorageKeys::new("app").expect("a short name");
        let long_a = layout::record("i", "n", &"a".repeat(600));
        let long_b = layout::record("i", "n", &"b".repeat(600));
        let (a, b) = (keys.storage_key(&long_a), keys.storage_key(&long_b));
        assert!(a.len() <= MAX_KEY_BYTES && b.len() <= MAX_KEY_BYTES);
        assert_ne!(a, b);
        assert_eq!(keys.item_key(&a), Err(a.clone()), "a hashed key names no item by itself");
        assert_eq!(keys.storage_key(&long_a), a, "the same item always lands on the same key");
        let room = MAX_KEY_BYTES - keys.prefix().len() - layout::record("i", "n", "").len();
        let just_fits = layout::record("i", "n", &"c".repeat(room));
        assert_eq!(keys.storage_key(&just_fits), format!("{}{just_fits}", keys.prefix()));
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn names_whose_keys_cannot_fit_are_refused_with_the_limit() {
        assert!(StorageKeys::new(&"n".repeat(256)).is_ok());
        let error = StorageKeys::new(&"/".repeat(256)).expect_err("escaped to 512 bytes");
        assert!(error.contains("512"), "{error}");
    }
}
