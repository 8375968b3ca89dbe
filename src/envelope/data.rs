//! The `data` of each call, named as `docs/api.md` names its fields, and
//! how each is written into the envelope's text: the answers that carry
//! records by hand (`write.rs`), the rest through serde.

use serde::Serialize;

use super::write;
use crate::model::{Instance, Record};
use crate::query::QueryResult;
use crate::store::{Imported, Outcome};
use crate::value::Value;

/// What a call answers in the envelope's `data`.
pub trait Data {
    /// Appends the JSON of the answer to `out`.
    ///
    /// # Errors
    ///
    /// What serde_json refuses in the parts written through it (nothing the
    /// store holds: its answers are JSON by construction).
    fn write(&self, out: &mut Vec<u8>) -> serde_json::Result<()>;
}

/// Answers without records: small, so serde's derive writes them.
macro_rules! through_serde {
    ($($data:ty),* $(,)?) => {$(
        impl Data for $data {
            fn write(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
                serde_json::to_writer(out, self)
            }
        }
    )*};
}

through_serde!(InstanceData, InstancesData, DeletedData, DeletedCountData, ExportData, NamespacesData, CountData, Imported);

/// `createInstance`, `getInstance`, `updateInstance`.
#[derive(Serialize)]
pub struct InstanceData {
    /// The instance created, found or updated.
    pub instance: Instance,
}

/// `listInstances`.
#[derive(Serialize)]
pub struct InstancesData {
    /// Every instance, oldest first.
    pub instances: Vec<Instance>,
}

/// `deleteInstance`, `delete`.
#[derive(Serialize)]
pub struct DeletedData {
    /// Whether there was something to delete.
    pub deleted: bool,
}

/// `get`: `value` is `null` when the key is missing.
pub struct GetData {
    /// The stored value.
    pub value: Option<Value>,
    /// Whether the key holds a value (which may be `null`).
    pub exists: bool,
}

/// `batch`: one result per operation, in order: `{ record }`, `{ deleted }`
/// or `{ ok: true }`.
pub struct BatchData(pub Vec<Outcome>);

/// `getMany`: the record, or `null`, per key asked for.
pub struct RecordsData {
    /// In the order asked.
    pub records: Vec<Option<Record>>,
}

/// `set`.
pub struct RecordData {
    /// The record as stored.
    pub record: Record,
}

/// `deleteNamespace`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeletedCountData {
    /// How many records were deleted.
    pub deleted_count: usize,
}

/// `query`.
pub struct QueryData {
    /// The page of rows and the count of matches.
    pub result: QueryResult,
}

/// `export`.
#[derive(Serialize)]
pub struct ExportData {
    /// The export, as JSON Lines.
    pub text: String,
}

/// `getNamespaces`.
#[derive(Serialize)]
pub struct NamespacesData {
    /// The namespaces holding records, sorted.
    pub namespaces: Vec<String>,
}

/// `getRecordCount`.
#[derive(Serialize)]
pub struct CountData {
    /// How many records.
    pub count: usize,
}

impl GetData {
    /// The answer for a value that may be missing.
    pub fn of(value: Option<Value>) -> GetData {
        GetData { exists: value.is_some(), value }
    }
}

impl Data for GetData {
    fn write(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        out.extend_from_slice(b"{\"value\":");
        write::value(out, self.value.as_ref());
        out.extend_from_slice(if self.exists { b",\"exists\":true}" } else { b",\"exists\":false}" });
        Ok(())
    }
}

impl Data for RecordData {
    fn write(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        set_answer(out, &self.record)
    }
}

/// `{ record }`: what a set answers, alone or in a batch.
fn set_answer(out: &mut Vec<u8>, record: &Record) -> serde_json::Result<()> {
    out.extend_from_slice(b"{\"record\":");
    write::record(out, record)?;
    out.push(b'}');
    Ok(())
}

impl Data for RecordsData {
    fn write(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        list(out, "records", &self.records, |out, record| match record {
            Some(record) => write::record(out, record),
            None => {
                out.extend_from_slice(b"null");
                Ok(())
            }
        })
    }
}

impl Data for BatchData {
    fn write(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        list(out, "results", &self.0, |out, outcome| {
            let fixed: &[u8] = match outcome {
                Outcome::Record(record) => return set_answer(out, record),
                Outcome::Deleted(true) => b"{\"deleted\":true}",
                Outcome::Deleted(false) => b"{\"deleted\":false}",
                Outcome::Checked => b"{\"ok\":true}",
            };
            out.extend_from_slice(fixed);
            Ok(())
        })
    }
}

/// `{ name: [...] }`: an answer that is one list.
fn list<T>(out: &mut Vec<u8>, name: &str, items: &[T], item: impl FnMut(&mut Vec<u8>, &T) -> serde_json::Result<()>) -> serde_json::Result<()> {
    out.extend_from_slice(b"{");
    write::quoted(out, name.as_bytes());
    out.push(b':');
    write::array(out, items, item)?;
    out.push(b'}');
    Ok(())
}

impl Data for QueryData {
    fn write(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        out.extend_from_slice(b"{\"result\":");
        write::query_result(out, &self.result)?;
        out.push(b'}');
        Ok(())
    }
}
