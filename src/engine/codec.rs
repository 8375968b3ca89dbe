//! How records and instances are written as text in storage: one JSON
//! document each, with times as epoch milliseconds and the value
//! embedded as its stored JSON text. Decoding checks everything a document
//! claims, so a foreign or damaged item is reported, never loaded half-way.

use std::ops::Range;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::id::Uuid;
use crate::limits::{DEPTH_CEILING, Limits};
use crate::model::{Change, Instance, Record};
use crate::time::Timestamp;
use crate::value::Value;

/// The layout of stored documents; a store refuses to open data written in
/// a layout it does not know.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RecordDoc<'a> {
    id: String,
    instance_id: String,
    namespace: String,
    key: String,
    #[serde(borrow)]
    value: &'a RawValue,
    created_at: i64,
    updated_at: i64,
    version: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires_at: Option<i64>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct InstanceDoc {
    id: String,
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    created_at: i64,
    updated_at: i64,
    seq: u64,
}

/// A change as another copy of the store receives it: puts carry their
/// document verbatim, deletes the place they delete.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
enum ChangeDoc<'a> {
    #[serde(borrow)]
    PutInstance(&'a RawValue),
    DeleteInstance(String),
    #[serde(borrow)]
    PutRecord(&'a RawValue),
    DeleteRecord([String; 3]),
    DeleteNamespace([String; 2]),
}

/// A batch encoded once: the message for other tabs, a JSON array with one
/// `ChangeDoc` per change, in which each put's document appears verbatim,
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
        docs.push(match change {
            Change::PutInstance(instance) => Some(put_doc(&mut out, "putInstance", &instance_doc(instance))?),
            Change::PutRecord(record) => Some(put_doc(&mut out, "putRecord", &record_doc(record))?),
            Change::DeleteInstance(id) => delete_doc(&mut out, &ChangeDoc::DeleteInstance(id.to_string()))?,
            Change::DeleteRecord { instance_id, namespace, key } => {
                delete_doc(&mut out, &ChangeDoc::DeleteRecord([instance_id.to_string(), namespace.clone(), key.clone()]))?
            }
            Change::DeleteNamespace { instance_id, namespace } => {
                delete_doc(&mut out, &ChangeDoc::DeleteNamespace([instance_id.to_string(), namespace.clone()]))?
            }
        });
    }
    out.push(b']');
    let message = String::from_utf8(out).map_err(|_| encoding_failed("a batch"))?;
    Ok(EncodedBatch { message, docs })
}

fn encoding_failed(what: &str) -> String {
    format!("encoding {what} as JSON failed, so nothing was written")
}

/// Writes `{"<tag>":<document>}` and returns where the document is.
fn put_doc(out: &mut Vec<u8>, tag: &str, doc: &impl Serialize) -> Result<Range<usize>, String> {
    out.extend_from_slice(b"{\"");
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(b"\":");
    let start = out.len();
    serde_json::to_writer(&mut *out, doc).map_err(|_| encoding_failed("a document"))?;
    let span = start..out.len();
    out.push(b'}');
    Ok(span)
}

fn delete_doc(out: &mut Vec<u8>, doc: &ChangeDoc<'_>) -> Result<Option<Range<usize>>, String> {
    serde_json::to_writer(&mut *out, doc).map_err(|_| encoding_failed("a removal"))?;
    Ok(None)
}

/// A batch another copy of the store committed, each change with the
/// document it stored (for puts), or why the message is not one (a newer or
/// foreign sender: the receiver ignores it rather than guess).
pub fn decode_changes(text: &str) -> Result<Vec<(Change, Option<String>)>, String> {
    let docs: Vec<ChangeDoc> = serde_json::from_str(text).map_err(|e| format!("it is not a batch of changes ({e})"))?;
    docs.into_iter()
        .map(|doc| {
            Ok(match doc {
                ChangeDoc::PutInstance(doc) => (Change::PutInstance(decode_instance(doc.get())?), Some(doc.get().to_string())),
                ChangeDoc::DeleteInstance(id_text) => (Change::DeleteInstance(id(&id_text, "instance id")?), None),
                ChangeDoc::PutRecord(doc) => (Change::PutRecord(decode_record(doc.get())?), Some(doc.get().to_string())),
                ChangeDoc::DeleteRecord([instance_id, namespace, key]) => {
                    (Change::DeleteRecord { instance_id: id(&instance_id, "instanceId")?, namespace, key }, None)
                }
                ChangeDoc::DeleteNamespace([instance_id, namespace]) => {
                    (Change::DeleteNamespace { instance_id: id(&instance_id, "instanceId")?, namespace }, None)
                }
            })
        })
        .collect()
}

/// A record as one JSON document.
#[cfg(test)]
pub fn encode_record(record: &Record) -> String {
    serde_json::to_string(&record_doc(record)).unwrap_or_default()
}

fn record_doc(record: &Record) -> RecordDoc<'_> {
    RecordDoc {
        id: record.id.to_string(),
        instance_id: record.instance_id.to_string(),
        namespace: record.namespace.clone(),
        key: record.key.clone(),
        value: record.value.raw(),
        created_at: record.created_at.0,
        updated_at: record.updated_at.0,
        version: record.version,
        expires_at: record.expires_at.map(|t| t.0),
    }
}

/// An instance as one JSON document.
#[cfg(test)]
pub fn encode_instance(instance: &Instance) -> Result<String, String> {
    serde_json::to_string(&instance_doc(instance)).map_err(|_| encoding_failed("an instance"))
}

fn instance_doc(instance: &Instance) -> InstanceDoc {
    InstanceDoc {
        id: instance.id.to_string(),
        name: instance.name.clone(),
        description: instance.description.clone(),
        created_at: instance.created_at.0,
        updated_at: instance.updated_at.0,
        seq: instance.seq,
    }
}

fn id(text: &str, what: &str) -> Result<Uuid, String> {
    Uuid::parse(text).ok_or_else(|| format!("its {what} {text:?} is not a UUID"))
}

/// A record from its document, or why it is not one.
pub fn decode_record(text: &str) -> Result<Record, String> {
    let doc: RecordDoc<'_> = serde_json::from_str(text).map_err(|e| format!("it is not a record document ({e})"))?;
    // Values were checked against the limits in force when they were written;
    // only what any store must refuse is checked again.
    let loading = Limits { max_value_bytes: usize::MAX, max_depth: DEPTH_CEILING, ..Limits::default() };
    let value = Value::from_raw(doc.value, &loading).map_err(|e| e.to_string())?;
    if doc.namespace.is_empty() || doc.key.is_empty() {
        return Err("its namespace or key is empty".to_string());
    }
    Ok(Record {
        id: id(&doc.id, "id")?,
        instance_id: id(&doc.instance_id, "instanceId")?,
        namespace: doc.namespace,
        key: doc.key,
        value,
        created_at: Timestamp(doc.created_at),
        updated_at: Timestamp(doc.updated_at),
        version: doc.version,
        expires_at: doc.expires_at.map(Timestamp),
    })
}

/// An instance from its document, or why it is not one.
pub fn decode_instance(text: &str) -> Result<Instance, String> {
    let doc: InstanceDoc = serde_json::from_str(text).map_err(|e| format!("it is not an instance document ({e})"))?;
    if doc.name.is_empty() {
        return Err("its name is empty".to_string());
    }
    Ok(Instance {
        id: id(&doc.id, "id")?,
        name: doc.name,
        description: doc.description,
        created_at: Timestamp(doc.created_at),
        updated_at: Timestamp(doc.updated_at),
        seq: doc.seq,
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
        assert!(decode_changes(r#"[{"renameKey":["a","b"]}]"#).is_err());
        assert!(decode_changes(r#"[{"deleteInstance":"nope"}]"#).is_err());
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
        ] {
            assert!(decode_record(&bad).is_err(), "{bad}");
        }
        assert!(decode_instance(&good).is_err(), "a record is not an instance");
    }
}
