//! The binary form of a cursor's place and of a query's identity: a
//! sequence of parts, each a length (LEB128) and its bytes, or a flag byte,
//! so that no part can run into the next. Values are their JSON text, read
//! back with the parser stored values are read with.

use serde_json::Value as Json;

use crate::error::{Error, Result, StorageError};

/// Writes parts one after another.
#[derive(Default)]
pub(super) struct Writer(Vec<u8>);

impl Writer {
    pub(super) fn text(&mut self, text: &str) {
        self.part(text.as_bytes());
    }

    /// Writing into a `Vec` cannot fail, nor can serialising a JSON
    /// value; were it to, the cursor says so rather than hash a stand-in.
    pub(super) fn json(&mut self, value: &Json) -> Result<()> {
        let mut text = Vec::new();
        serde_json::to_writer(&mut text, value).map_err(|e| {
            Error::Storage(StorageError::Failed(format!(
                "a query's operand or a cursor's place could not be written as JSON ({e}); this is a bug in boltkv."
            )))
        })?;
        self.part(&text);
        Ok(())
    }

    pub(super) fn flag(&mut self, on: bool) {
        self.0.push(u8::from(on));
    }

    /// A number of parts to follow.
    pub(super) fn count(&mut self, count: usize) {
        self.length(count);
    }

    pub(super) fn into_bytes(self) -> Vec<u8> {
        self.0
    }

    fn part(&mut self, bytes: &[u8]) {
        self.length(bytes.len());
        self.0.extend_from_slice(bytes);
    }

    /// Seven bits a byte, lowest first; the high bit says more follow.
    #[expect(clippy::cast_possible_truncation, reason = "masked to its low seven bits first")]
    fn length(&mut self, mut length: usize) {
        while length >= 0x80 {
            self.0.push((length & 0x7f) as u8 | 0x80);
            length >>= 7;
        }
        self.0.push(length as u8);
    }
}

/// Reads the parts a [`Writer`] wrote; every read is `None` when the bytes
/// left do not hold what it asks for.
pub(super) struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader(bytes)
    }

    pub(super) fn text(&mut self) -> Option<String> {
        std::str::from_utf8(self.part()?).ok().map(String::from)
    }

    pub(super) fn json(&mut self) -> Option<Json> {
        serde_json::from_str(std::str::from_utf8(self.part()?).ok()?).ok()
    }

    pub(super) fn flag(&mut self) -> Option<bool> {
        match self.byte()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    /// Whether every byte has been read.
    pub(super) fn is_done(&self) -> bool {
        self.0.is_empty()
    }

    fn part(&mut self) -> Option<&'a [u8]> {
        let length = self.length()?;
        let (part, rest) = self.0.split_at_checked(length)?;
        self.0 = rest;
        Some(part)
    }

    fn length(&mut self) -> Option<usize> {
        let mut length = 0usize;
        for shift in (0..usize::BITS).step_by(7) {
            let byte = self.byte()?;
            length |= usize::from(byte & 0x7f).checked_shl(shift)?;
            if byte & 0x80 == 0 {
                return Some(length);
            }
        }
        None
    }

    fn byte(&mut self) -> Option<u8> {
        let (first, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(*first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parts_read_back_as_written() {
        let long = "x".repeat(300);
        let mut writer = Writer::default();
        writer.text("");
        writer.text(&long);
        writer.flag(true);
        writer.json(&json!({"a": [1, null, "\u{1F600}"]})).expect("writes");
        writer.flag(false);
        let bytes = writer.into_bytes();
        let mut reader = Reader::new(&bytes);
        assert_eq!(reader.text().as_deref(), Some(""));
        assert_eq!(reader.text(), Some(long));
        assert_eq!(reader.flag(), Some(true));
        assert_eq!(reader.json(), Some(json!({"a": [1, null, "\u{1F600}"]})));
        assert_eq!(reader.flag(), Some(false));
        assert!(reader.is_done());
        assert_eq!(reader.flag(), None);
    }

    #[test]
    fn lengths_take_seven_bits_a_byte() {
        for (length, encoded) in [(0, vec![0]), (127, vec![0x7f]), (128, vec![0x80, 1]), (300, vec![0xac, 2])] {
            let mut writer = Writer::default();
            writer.length(length);
            assert_eq!(writer.into_bytes(), encoded, "{length}");
            assert_eq!(Reader::new(&encoded).length(), Some(length));
        }
    }

    #[test]
    fn short_or_foreign_bytes_read_as_none() {
        assert_eq!(Reader::new(&[5, b'a', b'b']).text(), None, "shorter than its length");
        assert_eq!(Reader::new(&[2, 0xff, 0xfe]).text(), None, "not UTF-8");
        assert_eq!(Reader::new(&[2, b'{', b'x']).json(), None, "not JSON");
        assert_eq!(Reader::new(&[2]).flag(), None);
        assert_eq!(Reader::new(&[0x80; 12]).text(), None, "a length that never ends");
    }
}
