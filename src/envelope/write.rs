//! Records written into an answer's text by hand. They are the bulk of the
//! answers that carry them (a query page, a `set`), and serde_json escapes
//! every field name and every string of each one byte by byte at run time:
//! that was an eighth of a 1,000-record query. The shape is
//! [`Record`]'s serde form, which Rust callers get (a test holds the two
//! equal); stored values are spliced in as they are.

use crate::model::Record;
use crate::time::Timestamp;
use crate::value::Value;

/// A JSON string of text that needs no escapes: the store's own ASCII
/// (type names, codes, ISO times, UUIDs).
pub fn quoted(out: &mut Vec<u8>, ascii: &[u8]) {
    out.push(b'"');
    out.extend_from_slice(ascii);
    out.push(b'"');
}

/// A JSON string of any text: copied as it is unless a character must be
/// escaped (a quote, a backslash, a control character), which serde_json
/// then writes.
pub fn string(out: &mut Vec<u8>, text: &str) -> serde_json::Result<()> {
    if !text.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        return serde_json::to_writer(&mut *out, text);
    }
    quoted(out, text.as_bytes());
    Ok(())
}

/// An instant, as JavaScript's `toISOString` writes it.
pub fn time(out: &mut Vec<u8>, at: Timestamp) {
    at.with_text(|text| quoted(out, text.as_bytes()));
}

/// A stored value, or `null` for none.
pub fn value(out: &mut Vec<u8>, value: Option<&Value>) {
    out.extend_from_slice(value.map_or("null", Value::json).as_bytes());
}

/// A JSON array of `items`, each written by `item`.
pub fn array<T>(out: &mut Vec<u8>, items: &[T], mut item: impl FnMut(&mut Vec<u8>, &T) -> serde_json::Result<()>) -> serde_json::Result<()> {
    out.push(b'[');
    for (i, each) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        item(out, each)?;
    }
    out.push(b']');
    Ok(())
}

/// One record, its fields in the order of [`Record`]'s declaration.
pub fn record(out: &mut Vec<u8>, record: &Record) -> serde_json::Result<()> {
    let Record { id, instance_id, namespace, key, value, created_at, updated_at, version, expires_at } = record;
    out.extend_from_slice(b"{\"id\":");
    quoted(out, &id.to_text());
    out.extend_from_slice(b",\"instanceId\":");
    quoted(out, &instance_id.to_text());
    out.extend_from_slice(b",\"namespace\":");
    string(out, namespace)?;
    out.extend_from_slice(b",\"key\":");
    string(out, key)?;
    out.extend_from_slice(b",\"value\":");
    self::value(out, Some(value));
    out.extend_from_slice(b",\"createdAt\":");
    time(out, *created_at);
    out.extend_from_slice(b",\"updatedAt\":");
    time(out, *updated_at);
    out.extend_from_slice(b",\"version\":");
    serde_json::to_writer(&mut *out, version)?;
    if let Some(at) = expires_at {
        out.extend_from_slice(b",\"expiresAt\":");
        time(out, *at);
    }
    out.push(b'}');
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::Uuid;
    use crate::limits::Limits;

    fn record(namespace: &str, key: &str, value: &str, expires_at: Option<Timestamp>) -> Record {
        Record {
            id: Uuid([7; 16]),
            instance_id: Uuid([0xab; 16]),
            namespace: namespace.to_string(),
            key: key.to_string(),
            value: Value::from_json(value.to_string(), &Limits::default()).expect("valid JSON"),
            created_at: Timestamp(0),
            updated_at: Timestamp(1_796_172_189_478),
            version: u64::MAX,
            expires_at,
        }
    }

    #[test]
    fn a_record_is_written_as_serde_writes_it() {
        let records = [
            record("ns", "k", r#"{"a":[1,"two",null]}"#, None),
            record(
                "quote\"back\\slash",
                "tab\tnewline\nnul\u{0}",
                "\"é😀\"",
                Some(Timestamp(-1)),
            ),
            record(
                "ünïcode 😀",
                "\u{7f}\u{2028}",
                "null",
                Some(Timestamp(253_402_300_800_000)),
            ),
        ];
        for each in &records {
            let mut out = Vec::new();
            super::record(&mut out, each).expect("writes");
            assert_eq!(
                String::from_utf8(out).expect("UTF-8"),
                serde_json::to_string(each).expect("serialises")
            );
        }
    }

    #[test]
    fn strings_are_escaped_only_where_json_requires() {
        let mut out = Vec::new();
        for text in ["plain", "", "a\"b", "c\\d", "\u{1f}", "é"] {
            string(&mut out, text).expect("writes");
            out.push(b' ');
        }
        assert_eq!(
            String::from_utf8(out).expect("UTF-8"),
            r#""plain" "" "a\"b" "c\\d" "\u001f" "é" "#
        );
    }
}
