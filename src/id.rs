//! Random UUID v4 identifiers for instances, records and requests. Randomness
//! enters the store only through [`IdSource`], so native tests can make ids
//! predictable.

use std::fmt::{self, Write as _};

/// A 128-bit identifier shown (by `Display`, `Debug` and serde) in the
/// canonical lowercase hyphenated form.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Uuid(pub [u8; 16]);

/// Where the store gets fresh identifiers.
pub trait IdSource {
    /// A new identifier, different from every earlier one.
    fn next_uuid(&mut self) -> Uuid;
}

impl Uuid {
    /// Marks 16 random bytes as a version 4, RFC 4122 variant UUID.
    pub fn v4_from_bytes(mut bytes: [u8; 16]) -> Uuid {
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        Uuid(bytes)
    }

    /// Parses the canonical form this type prints (lowercase, hyphenated);
    /// anything else is not an id the store could have made.
    pub fn parse(text: &str) -> Option<Uuid> {
        let bytes = text.as_bytes();
        if bytes.len() != 36 {
            return None;
        }
        let mut out = [0u8; 16];
        let mut nibbles = 0usize;
        for (i, &c) in bytes.iter().enumerate() {
            if matches!(i, 8 | 13 | 18 | 23) {
                if c != b'-' {
                    return None;
                }
                continue;
            }
            let v = match c {
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                _ => return None,
            };
            let slot = out.get_mut(nibbles / 2)?;
            *slot = (*slot << 4) | v;
            nibbles += 1;
        }
        Some(Uuid(out))
    }
}

impl Uuid {
    /// The canonical text, built without the formatting machinery: ids are
    /// written into every envelope, so this is on the hot path of each call.
    #[expect(clippy::indexing_slicing, reason = "a nibble is below 16, the table's length")]
    pub fn to_text(&self) -> [u8; 36] {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = [b'-'; 36];
        let mut at = 0;
        for (i, byte) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                at += 1;
            }
            if let Some([high, low]) = out.get_mut(at..at + 2) {
                *high = HEX[usize::from(byte >> 4)];
                *low = HEX[usize::from(byte & 0x0f)];
            }
            at += 2;
        }
        out
    }
}

impl fmt::Display for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `to_text` writes ASCII hex digits and hyphens: each byte is its
        // character.
        self.to_text().iter().try_for_each(|&b| f.write_char(char::from(b)))
    }
}

/// `Uuid(abababab-abab-4bab-abab-abababababab)`.
impl fmt::Debug for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Uuid({self})")
    }
}

impl serde::Serialize for Uuid {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match std::str::from_utf8(&self.to_text()) {
            Ok(text) => serializer.serialize_str(text),
            // Not reached (the text is ASCII); Display gives the same text.
            Err(_) => serializer.collect_str(self),
        }
    }
}

/// UUID v4 from the platform's secure random source (`crypto.getRandomValues`
/// in wasm), drawn 64 ids at a time because each draw crosses into the host.
pub struct RandomIds {
    pool: [u8; 16 * 64],
    used: usize,
}

impl RandomIds {
    /// Fails when the platform has no secure random source at all.
    pub fn new() -> Result<RandomIds, getrandom::Error> {
        let mut ids = RandomIds { pool: [0; 16 * 64], used: 0 };
        getrandom::fill(&mut ids.pool)?;
        Ok(ids)
    }
}

impl IdSource for RandomIds {
    fn next_uuid(&mut self) -> Uuid {
        if self.used + 16 > self.pool.len() {
            // The source worked at `new`; should a refill ever fail, the old
            // pool is stirred rather than reused, so ids stay distinct.
            if getrandom::fill(&mut self.pool).is_err() {
                stir(&mut self.pool);
            }
            self.used = 0;
        }
        let mut bytes = [0u8; 16];
        if let Some(chunk) = self.pool.get(self.used..self.used + 16) {
            bytes.copy_from_slice(chunk);
        }
        self.used += 16;
        Uuid::v4_from_bytes(bytes)
    }
}

/// Replaces every byte with SplitMix64 output seeded from the pool itself.
fn stir(pool: &mut [u8]) {
    let mut state = pool
        .iter()
        .fold(0x9e37_79b9_7f4a_7c15_u64, |s, &b| s.rotate_left(5) ^ u64::from(b));
    for chunk in pool.chunks_mut(8) {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        for (dst, src) in chunk.iter_mut().zip(z.to_le_bytes()) {
            *dst = src;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_ids_are_v4_and_distinct() {
        let mut ids = RandomIds::new().expect("the test machine has randomness");
        let drawn: std::collections::HashSet<String> =
            (0..1000).map(|_| ids.next_uuid().to_string()).collect();
        assert_eq!(drawn.len(), 1000);
        for id in &drawn {
            assert_eq!(id.len(), 36);
            assert_eq!(&id[14..15], "4");
            assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"), "{id}");
        }
    }

    #[test]
    fn parse_accepts_only_the_canonical_form() {
        let id = Uuid::v4_from_bytes([0xab; 16]);
        let text = id.to_string();
        assert_eq!(text, "abababab-abab-4bab-abab-abababababab");
        assert_eq!(format!("{id:?}"), "Uuid(abababab-abab-4bab-abab-abababababab)");
        assert_eq!(Uuid::parse(&text), Some(id));
        assert_eq!(Uuid::parse(&text.to_uppercase()), None);
        assert_eq!(Uuid::parse(&text.replace('-', "")), None);
        assert_eq!(Uuid::parse("my-instance"), None);
    }

    #[test]
    fn stirring_changes_the_pool() {
        let mut pool = [7u8; 64];
        stir(&mut pool);
        assert_ne!(pool, [7u8; 64]);
    }
}
