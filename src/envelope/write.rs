//! Records written into an answer's text by hand, and the query results
//! and change events that carry them. They are the bulk of the answers
//! that carry them (a query page, a `set`), and serde_json escapes every
//! field name and every string of each one byte by byte at run time: that
//! was an eighth of a 1,000-record query. Writing them by hand also keeps
//! serde's `RawValue` out of the JavaScript builds (Cargo.toml's
//! `serialize` feature says why). The shapes are the serde forms Rust
//! callers get (tests hold the two equal); stored values are spliced in as
//! they are.

use crate::model::Record;
use crate::query::{QueryResult, Row};
use crate::time::Timestamp;
use crate::value::Value;
use crate::watch::{ChangeEvent, Changed, Origin};

/// The text `write` writes. Every writer here writes UTF-8; should one
/// ever not, that is an error, not a changed text.
pub fn text(write: impl FnOnce(&mut Vec<u8>) -> serde_json::Result<()>) -> Result<String, String> {
    let mut out = Vec::new();
    write(&mut out).map_err(|e| e.to_string())?;
    String::from_utf8(out).map_err(|_| "boltkv wrote JSON that is not UTF-8 (a bug in boltkv)".to_string())
}

/// `{"<tag>":<content>}`, as serde writes an enum variant with data.
pub fn tagged(out: &mut Vec<u8>, tag: &str, content: impl FnOnce(&mut Vec<u8>) -> serde_json::Result<()>) -> serde_json::Result<()> {
    out.extend_from_slice(b"{\"");
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(b"\":");
    content(out)?;
    out.push(b'}');
    Ok(())
}

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
    record_with(out, record, |out, at| {
        time(out, at);
        Ok(())
    })
}

/// One record with its times written by `time`: ISO text in answers,
/// epoch milliseconds in stored documents (`src/engine/codec.rs`).
pub fn record_with(out: &mut Vec<u8>, record: &Record, time: impl Fn(&mut Vec<u8>, Timestamp) -> serde_json::Result<()>) -> serde_json::Result<()> {
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
    time(out, *created_at)?;
    out.extend_from_slice(b",\"updatedAt\":");
    time(out, *updated_at)?;
    out.extend_from_slice(b",\"version\":");
    serde_json::to_writer(&mut *out, version)?;
    if let Some(at) = expires_at {
        out.extend_from_slice(b",\"expiresAt\":");
        time(out, *at)?;
    }
    out.push(b'}');
    Ok(())
}

/// A query's page: `{ records, total, limit, offset, cursor? }`.
pub fn query_result(out: &mut Vec<u8>, result: &QueryResult) -> serde_json::Result<()> {
    let QueryResult { records, total, limit, offset, cursor } = result;
    out.extend_from_slice(b"{\"records\":");
    array(out, records, |out, row| match row {
        Row::Record(record) => self::record(out, record),
        Row::Projection(fields) => serde_json::to_writer(&mut *out, fields),
    })?;
    for (name, count) in [(&b",\"total\":"[..], total), (b",\"limit\":", limit), (b",\"offset\":", offset)] {
        out.extend_from_slice(name);
        serde_json::to_writer(&mut *out, count)?;
    }
    if let Some(cursor) = cursor {
        out.extend_from_slice(b",\"cursor\":");
        string(out, cursor)?;
    }
    out.push(b'}');
    Ok(())
}

/// A change event as watchers in JavaScript get it:
/// `{ type: "kvStore.change", origin, changes }`.
pub fn change_event(out: &mut Vec<u8>, event: &ChangeEvent) -> serde_json::Result<()> {
    out.extend_from_slice(b"{\"type\":\"kvStore.change\",\"origin\":");
    quoted(out, match event.origin {
        Origin::Local => b"local",
        Origin::Remote => b"remote",
    });
    out.extend_from_slice(b",\"changes\":");
    array(out, &event.changes, change)?;
    out.push(b'}');
    Ok(())
}

/// One change, tagged by `op`.
fn change(out: &mut Vec<u8>, change: &Changed) -> serde_json::Result<()> {
    let (op, place): (&[u8], _) = match change {
        Changed::Set { record } => {
            out.extend_from_slice(b"{\"op\":\"set\",\"record\":");
            self::record(out, record)?;
            out.push(b'}');
            return Ok(());
        }
        Changed::Instance { instance } => {
            out.extend_from_slice(b"{\"op\":\"instance\",\"instance\":");
            serde_json::to_writer(&mut *out, instance)?;
            out.push(b'}');
            return Ok(());
        }
        Changed::Delete { instance_id, namespace, key } => (b"delete", (instance_id, Some(namespace), Some(key))),
        Changed::Expire { instance_id, namespace, key } => (b"expire", (instance_id, Some(namespace), Some(key))),
        Changed::DeleteNamespace { instance_id, namespace } => (b"deleteNamespace", (instance_id, Some(namespace), None)),
        Changed::DeleteInstance { instance_id } => (b"deleteInstance", (instance_id, None, None)),
    };
    let (instance_id, namespace, key) = place;
    out.extend_from_slice(b"{\"op\":");
    quoted(out, op);
    out.extend_from_slice(b",\"instanceId\":");
    quoted(out, &instance_id.to_text());
    if let Some(namespace) = namespace {
        out.extend_from_slice(b",\"namespace\":");
        string(out, namespace)?;
    }
    if let Some(key) = key {
        out.extend_from_slice(b",\"key\":");
        string(out, key)?;
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
    fn events_and_results_are_written_as_serde_writes_them() {
        use crate::model::Instance;
        let set = record("n\"s", "k", r#"[1.50,-0,1e21,{"z":1,"a":2}]"#, Some(Timestamp(9)));
        let (id, namespace, key) = (set.instance_id, "ns".to_string(), "k\n".to_string());
        let instance = Instance { id, name: "app".into(), description: None, created_at: Timestamp(1), updated_at: Timestamp(2), seq: 3 };
        let changes = vec![
            Changed::Set { record: set.clone() },
            Changed::Delete { instance_id: id, namespace: namespace.clone(), key: key.clone() },
            Changed::Expire { instance_id: id, namespace: namespace.clone(), key },
            Changed::DeleteNamespace { instance_id: id, namespace },
            Changed::DeleteInstance { instance_id: id },
            Changed::Instance { instance },
        ];
        for origin in [Origin::Local, Origin::Remote] {
            let event = ChangeEvent { origin, changes: changes.clone() };
            // The Rust form has no `type`; JavaScript's puts it first.
            let serde_form = serde_json::to_string(&event).expect("serialises");
            let fields = serde_form.strip_prefix('{').expect("an object");
            assert_eq!(event.to_json().expect("writes"), format!("{{\"type\":\"kvStore.change\",{fields}"));
        }
        let rows = vec![Row::Record(set), Row::Projection(serde_json::json!({"key": "k", "value": {"a": [1]}}))];
        for cursor in [None, Some("c\"1".to_string())] {
            let result = QueryResult { records: rows.clone(), total: 7, limit: 2, offset: 0, cursor };
            let mut out = Vec::new();
            query_result(&mut out, &result).expect("writes");
            assert_eq!(String::from_utf8(out).expect("UTF-8"), serde_json::to_string(&result).expect("serialises"));
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
