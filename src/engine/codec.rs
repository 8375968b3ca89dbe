//! How records and instances are written as text in storage: one JSON
//! document each, with times as epoch milliseconds and the value
//! embedded as its stored JSON text. Decoding checks everything a document
//! claims, so a foreign or damaged item is reported, never loaded half-way.
//! Both ways are written by hand, without serde's derives
//! (`src/json_read.rs` says why); the tests hold the documents to the
//! shapes stored by earlier builds.

use std::ops::Range;

use crate::envelope::write::{self, quoted, record_with, string};
use crate::id::Uuid;
use crate::json_read::{required, unknown, Reader};
use crate::limits::{DEPTH_CEILING, Limits};
use crate::model::{Change, Instance, Record};
use crate::time::Timestamp;
use crate::value::Value;

/// The layout of stored documents; a store refuses to open data written in
/// a layout it does not know.
pub const FORMAT_VERSION: u32 = 1;

/// A batch encoded once: the message for other tabs, a JSON array with one
/// `{"<change>":...}` object per change (`putInstance`, `putRecord`,
/// `deleteInstance`, `deleteRecord`, `deleteNamespace`), in which each put's
/// document appears verbatim,
/// so the backend stores slices of the message instead of encoding twice.
pub struct EncodedBatch {
    /// The JSON array other tabs receive.
    pub message: String,
    docs: Vec<Option<Range<usize>>>,
}

impl EncodedBatch {
    /// The document of change `i` when it is a put, as stored.
    pub fn doc(&self, i: usize) -> Option<&str> {
        self.docs.get(i).cloned().flatten().and_then(|span| self.message.get(span))
    }
}

/// Encodes a batch for storage and for other tabs in one pass, leaving out
/// the changes at `skipped` (refused by storage: not written, and not told).
/// Encoding our own documents cannot fail short of a serde_json bug, but if
/// it ever did, the commit fails rather than store a damaged document.
pub fn encode_batch(changes: &[Change], skipped: &[usize]) -> Result<EncodedBatch, String> {
    // Each document is its payload plus about 200 bytes of ids and times.
    let payload: usize = changes.iter().map(Change::payload_bytes).sum();
    let mut out = Vec::with_capacity(payload.saturating_add(changes.len().saturating_mul(256)).saturating_add(2));
    let mut docs = Vec::with_capacity(changes.len());
    out.push(b'[');
    for (i, change) in changes.iter().enumerate() {
        if skipped.contains(&i) {
            docs.push(None);
            continue;
        }
        if out.len() > 1 {
            out.push(b',');
        }
        let doc = match change {
            Change::PutInstance(instance) => put_doc(&mut out, "putInstance", |out| instance_doc(out, instance)).map(Some),
            Change::PutRecord(record) => put_doc(&mut out, "putRecord", |out| record_doc(out, record)).map(Some),
            Change::DeleteInstance(id) => write::tagged(&mut out, "deleteInstance", |out| {
                quoted(out, &id.to_text());
                Ok(())
            })
            .map(|()| None),
            Change::DeleteRecord { instance_id, namespace, key } => {
                write::tagged(&mut out, "deleteRecord", |out| place(out, *instance_id, &[namespace, key])).map(|()| None)
            }
            Change::DeleteNamespace { instance_id, namespace } => {
                write::tagged(&mut out, "deleteNamespace", |out| place(out, *instance_id, &[namespace])).map(|()| None)
            }
        };
        docs.push(doc.map_err(|_| encoding_failed("a change"))?);
    }
    out.push(b']');
    let message = String::from_utf8(out).map_err(|_| encoding_failed("a batch"))?;
    Ok(EncodedBatch { message, docs })
}

fn encoding_failed(what: &str) -> String {
    format!("encoding {what} as JSON failed, so nothing was written")
}

/// Writes `{"<tag>":<document>}` and returns where the document is.
fn put_doc(out: &mut Vec<u8>, tag: &str, doc: impl FnOnce(&mut Vec<u8>) -> serde_json::Result<()>) -> serde_json::Result<Range<usize>> {
    let mut span = 0..0;
    write::tagged(out, tag, |out| {
        span.start = out.len();
        doc(out)?;
        span.end = out.len();
        Ok(())
    })?;
    Ok(span)
}

/// `["<instance id>", <names>...]`: the place a removal clears.
fn place(out: &mut Vec<u8>, instance_id: Uuid, names: &[&String]) -> serde_json::Result<()> {
    out.push(b'[');
    quoted(out, &instance_id.to_text());
    for name in names {
        out.push(b',');
        string(out, name)?;
    }
    out.push(b']');
    Ok(())
}

/// A batch another copy of the store committed, each change with the
/// document it stored (for puts), or why the message is not one (a newer or
/// foreign sender: the receiver ignores it rather than guess).
pub fn decode_changes(text: &str) -> Result<Vec<(Change, Option<String>)>, String> {
    let read = Reader::document(text, |r| {
        let mut changes = Vec::new();
        r.array(|r| r.tagged(change).map(|each| changes.push(each)))?;
        Ok(changes)
    });
    read.map_err(|e| format!("it is not a batch of changes ({e})"))
}

/// One change of a batch, read after its tag, with the document it stores.
fn change(tag: &str, r: &mut Reader<'_>) -> Result<(Change, Option<String>), String> {
    Ok(match tag {
        "putInstance" => {
            let doc = r.raw()?;
            (Change::PutInstance(decode_instance(doc)?), Some(doc.to_string()))
        }
        "putRecord" => {
            let doc = r.raw()?;
            (Change::PutRecord(decode_record(doc)?), Some(doc.to_string()))
        }
        "deleteInstance" => (Change::DeleteInstance(id(&r.string()?, "instance id")?), None),
        "deleteRecord" => {
            let [instance_id, namespace, key] = strings(r)?;
            (Change::DeleteRecord { instance_id: id(&instance_id, "instanceId")?, namespace, key }, None)
        }
        "deleteNamespace" => {
            let [instance_id, namespace] = strings(r)?;
            (Change::DeleteNamespace { instance_id: id(&instance_id, "instanceId")?, namespace }, None)
        }
        other => return Err(format!("{other:?} is not a change this store knows")),
    })
}

/// An array of exactly `N` strings.
fn strings<const N: usize>(r: &mut Reader<'_>) -> Result<[String; N], String> {
    let mut found = Vec::with_capacity(N);
    r.array(|r| r.string().map(|s| found.push(s.into_owned())))?;
    let count = found.len();
    found.try_into().map_err(|_| format!("{count} names where a change has {N}"))
}

/// A record as one JSON document.
#[cfg(test)]
pub fn encode_record(record: &Record) -> String {
    write::text(|out| record_doc(out, record)).unwrap_or_default()
}

/// The record's document: its fields with times as epoch milliseconds.
fn record_doc(out: &mut Vec<u8>, record: &Record) -> serde_json::Result<()> {
    record_with(out, record, |out, at| serde_json::to_writer(&mut *out, &at.0))
}

/// An instance as one JSON document.
#[cfg(test)]
pub fn encode_instance(instance: &Instance) -> Result<String, String> {
    write::text(|out| instance_doc(out, instance)).map_err(|_| encoding_failed("an instance"))
}

/// The instance's document: its fields with times as epoch milliseconds.
fn instance_doc(out: &mut Vec<u8>, instance: &Instance) -> serde_json::Result<()> {
    let Instance { id, name, description, created_at, updated_at, seq } = instance;
    out.extend_from_slice(b"{\"id\":");
    quoted(out, &id.to_text());
    out.extend_from_slice(b",\"name\":");
    string(out, name)?;
    if let Some(description) = description {
        out.extend_from_slice(b",\"description\":");
        string(out, description)?;
    }
    out.extend_from_slice(b",\"createdAt\":");
    serde_json::to_writer(&mut *out, &created_at.0)?;
    out.extend_from_slice(b",\"updatedAt\":");
    serde_json::to_writer(&mut *out, &updated_at.0)?;
    out.extend_from_slice(b",\"seq\":");
    serde_json::to_writer(&mut *out, seq)?;
    out.push(b'}');
    Ok(())
}

fn id(text: &str, what: &str) -> Result<Uuid, String> {
    Uuid::parse(text).ok_or_else(|| format!("its {what} {text:?} is not a UUID"))
}

/// A record from its document, or why it is not one.
pub fn decode_record(text: &str) -> Result<Record, String> {
    let (mut id_text, mut instance_id, mut namespace, mut key, mut value) = (None, None, None, None, None);
    let (mut created_at, mut updated_at, mut version, mut expires_at) = (None, None, None, None);
    let read = Reader::document(text, |r| {
        r.object(|name, r| {
            match name {
                "id" => id_text = Some(r.string()?),
                "instanceId" => instance_id = Some(r.string()?),
                "namespace" => namespace = Some(r.string()?.into_owned()),
                "key" => key = Some(r.string()?.into_owned()),
                "value" => value = Some(r.raw()?),
                "createdAt" => created_at = Some(r.integer()?),
                "updatedAt" => updated_at = Some(r.integer()?),
                "version" => version = Some(r.count()?),
                "expiresAt" => expires_at = if r.null() { None } else { Some(r.integer()?) },
                other => return Err(unknown(other)),
            }
            Ok(())
        })
    });
    let in_doc = |e| format!("it is not a record document ({e})");
    read.map_err(in_doc)?;
    // Values were checked against the limits in force when they were written;
    // only what any store must refuse is checked again.
    let loading = Limits { max_value_bytes: usize::MAX, max_depth: DEPTH_CEILING, ..Limits::default() };
    let value = Value::from_raw(required(value, "value").map_err(in_doc)?, &loading).map_err(|e| e.to_string())?;
    let (namespace, key) = (required(namespace, "namespace").map_err(in_doc)?, required(key, "key").map_err(in_doc)?);
    if namespace.is_empty() || key.is_empty() {
        return Err("its namespace or key is empty".to_string());
    }
    Ok(Record {
        id: id(&required(id_text, "id").map_err(in_doc)?, "id")?,
        instance_id: id(&required(instance_id, "instanceId").map_err(in_doc)?, "instanceId")?,
        namespace,
        key,
        value,
        created_at: Timestamp(required(created_at, "createdAt").map_err(in_doc)?),
        updated_at: Timestamp(required(updated_at, "updatedAt").map_err(in_doc)?),
        version: required(version, "version").map_err(in_doc)?,
        expires_at: expires_at.map(Timestamp),
    })
}

/// An instance from its document, or why it is not one.
pub fn decode_instance(text: &str) -> Result<Instance, String> {
    let (mut id_text, mut name, mut description, mut created_at, mut updated_at, mut seq) = (None, None, None, None, None, None);
    let read = Reader::document(text, |r| {
        r.object(|member, r| {
            match member {
                "id" => id_text = Some(r.string()?),
                "name" => name = Some(r.string()?.into_owned()),
                "description" => description = if r.null() { None } else { Some(r.string()?.into_owned()) },
                "createdAt" => created_at = Some(r.integer()?),
                "updatedAt" => updated_at = Some(r.integer()?),
                "seq" => seq = Some(r.count()?),
                other => return Err(unknown(other)),
            }
            Ok(())
        })
    });
    let in_doc = |e| format!("it is not an instance document ({e})");
    read.map_err(in_doc)?;
    let name = required(name, "name").map_err(in_doc)?;
    if name.is_empty() {
        return Err("its name is empty".to_string());
    }
    Ok(Instance {
        id: id(&required(id_text, "id").map_err(in_doc)?, "id")?,
        name,
        description,
        created_at: Timestamp(required(created_at, "createdAt").map_err(in_doc)?),
        updated_at: Timestamp(required(updated_at, "updatedAt").map_err(in_doc)?),
        seq: required(seq, "seq").map_err(in_doc)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> Record {
        Record {
            id: Uuid::v4_from_bytes([1; 16]),
            instance_id: Uuid::v4_from_bytes([2; 16]),
            namespace: "ns".into(),
            key: "k\u{1F600}".into(),
            value: Value::from_json(r#"{"a":[1,null,"\u0000"]}"#.into(), &Limits::default()).expect("valid"),
            created_at: Timestamp(1),
            updated_at: Timestamp(2),
            version: 7,
            expires_at: None,
        }
    }

    #[test]
    fn records_and_instances_round_trip() {
        let r = record();
        assert_eq!(decode_record(&encode_record(&r)), Ok(r));
        let i = Instance {
            id: Uuid::v4_from_bytes([3; 16]),
            name: "app".into(),
            description: Some("d".into()),
            created_at: Timestamp(5),
            updated_at: Timestamp(6),
            seq: 4,
        };
        assert_eq!(encode_instance(&i).map(|doc| decode_instance(&doc)), Ok(Ok(i)));
    }

    #[test]
    fn batches_round_trip_for_other_tabs() {
        let r = record();
        let batch = vec![
            Change::PutRecord(r.clone()),
            Change::DeleteRecord { instance_id: r.instance_id, namespace: "n/s".into(), key: "k".into() },
            Change::DeleteNamespace { instance_id: r.instance_id, namespace: "ns".into() },
            Change::DeleteInstance(r.instance_id),
        ];
        let encoded = encode_batch(&batch, &[]).expect("encodes");
        let without = encode_batch(&batch, &[0, 2]).expect("encodes");
        assert_eq!((without.doc(0), without.message.matches('{').count()), (None, 2), "a skipped change is neither stored nor told");
        assert_eq!(encoded.doc(0), Some(encode_record(&r).as_str()));
        assert_eq!((encoded.doc(1), encoded.doc(4)), (None, None));
        let decoded: Vec<Change> = decode_changes(&encoded.message).expect("decodes").into_iter().map(|(change, _)| change).collect();
        assert_eq!(decoded, batch);
        let id = r.instance_id;
        for bad in [
            r#"[{"renameKey":["a","b"]}]"#.to_string(),
            r#"[{"deleteInstance":"nope"}]"#.to_string(),
            "[{}]".to_string(),
            format!(r#"[{{"deleteInstance":"{id}","deleteNamespace":["{id}","ns"]}}]"#),
            format!(r#"[{{"deleteNamespace":["{id}"]}}]"#),
            format!(r#"[{{"deleteNamespace":["{id}","ns","k"]}}]"#),
            format!(r#"[{{"deleteInstance":"{id}"}}"#),
        ] {
            assert!(decode_changes(&bad).is_err(), "{bad}");
        }
    }

    // proptest is a native dev-dependency only.
    #[cfg(not(target_arch = "wasm32"))]
    mod any_document {
        use super::*;
        use proptest::prelude::*;

        /// Text with what JSON must escape (quotes, backslashes, control
        /// characters), what it need not (non-ASCII, line separators) and
        /// anything else.
        fn text() -> impl Strategy<Value = String> {
            let char = prop_oneof![Just('"'), Just('\\'), Just('\u{0}'), Just('\n'), Just('\u{1f}'), Just('\u{2028}'), Just('é'), Just('\u{1F600}'), any::<char>()];
            proptest::collection::vec(char, 1..8).prop_map(|chars| chars.into_iter().collect())
        }

        fn value() -> impl Strategy<Value = Value> {
            (text(), any::<i64>(), any::<bool>()).prop_map(|(s, n, b)| {
                let json = serde_json::json!({ "s": s, "n": n, "list": [b, null, n.to_string()] }).to_string();
                Value::from_json(json, &Limits::default()).expect("valid")
            })
        }

        fn record() -> impl Strategy<Value = Record> {
            (any::<[u8; 16]>(), any::<[u8; 16]>(), text(), text(), value(), any::<(i64, i64, u64)>(), proptest::option::of(any::<i64>())).prop_map(
                |(id, instance, namespace, key, value, (created, updated, version), expires)| Record {
                    id: Uuid::v4_from_bytes(id),
                    instance_id: Uuid::v4_from_bytes(instance),
                    namespace,
                    key,
                    value,
                    created_at: Timestamp(created),
                    updated_at: Timestamp(updated),
                    version,
                    expires_at: expires.map(Timestamp),
                },
            )
        }

        fn instance() -> impl Strategy<Value = Instance> {
            (any::<[u8; 16]>(), text(), proptest::option::of(text()), any::<(i64, i64, u64)>()).prop_map(|(id, name, description, (created, updated, seq))| Instance {
                id: Uuid::v4_from_bytes(id),
                name,
                description,
                created_at: Timestamp(created),
                updated_at: Timestamp(updated),
                seq,
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(500))]

            #[test]
            fn documents_and_batches_read_back_as_written(r in record(), i in instance(), ns in text(), key in text()) {
                prop_assert_eq!(decode_record(&encode_record(&r)), Ok(r.clone()));
                prop_assert_eq!(encode_instance(&i).map(|doc| decode_instance(&doc)), Ok(Ok(i.clone())));
                let id = r.instance_id;
                let batch = vec![
                    Change::PutInstance(i),
                    Change::PutRecord(r),
                    Change::DeleteRecord { instance_id: id, namespace: ns.clone(), key },
                    Change::DeleteNamespace { instance_id: id, namespace: ns },
                    Change::DeleteInstance(id),
                ];
                let encoded = encode_batch(&batch, &[]).map_err(TestCaseError::fail)?;
                let decoded = decode_changes(&encoded.message).map_err(TestCaseError::fail)?;
                prop_assert_eq!(decoded.into_iter().map(|(change, _)| change).collect::<Vec<_>>(), batch);
            }
        }
    }

    #[test]
    fn damaged_documents_are_refused_with_a_reason() {
        let good = encode_record(&record());
        for bad in [
            "".to_string(),
            "not json".to_string(),
            good.replace("\"version\":7", "\"version\":-1"),
            good.replace("\"ns\"", "\"\""),
            good.replace(&Uuid::v4_from_bytes([1; 16]).to_string(), "nope"),
            good.replace("[1,null", "[1,NaN"),
            good.replace("\"version\"", "\"extra\":1,\"version\""),
            good.replace(",\"version\":7", ""),
            good.replace("\"version\":7", "\"version\":7.0"),
            good.replace("\"version\":7", "\"version\":7,\"key\":\"again\""),
            good.replace("\"createdAt\":1", "\"createdAt\":\"1\""),
            format!("{good}x"),
        ] {
            assert!(decode_record(&bad).is_err(), "{bad}");
        }
        assert!(decode_instance(&good).is_err(), "a record is not an instance");
        let expiring = good.replace("\"version\":7", "\"version\":7,\"expiresAt\":null");
        assert_eq!(decode_record(&format!(" {expiring}\n")), Ok(record()), "an absent expiry may be written null");
        // A document as an earlier build (serde's derive) stored it.
        let stored = r#"{"id":"01010101-0101-4101-8101-010101010101","instanceId":"02020202-0202-4202-8202-020202020202","namespace":"ns","key":"k\ud83d\ude00","value":{"a":[1,null,"\u0000"]},"createdAt":1,"updatedAt":2,"version":7}"#;
        assert_eq!(decode_record(stored), Ok(record()));
    }
}
