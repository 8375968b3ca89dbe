//! The envelope every kvStore call resolves with, rendered as JSON text:
//! stored values are spliced in as they are, and JavaScript turns the whole
//! answer into fresh objects with one `JSON.parse`, so no caller ever holds
//! a reference into the store.

use serde::Serialize;

use crate::error::{ErrorCode, Result};
use crate::id::Uuid;
use crate::model::{Instance, Record};
use crate::store::{KvStore, Outcome};
use crate::time::Timestamp;
use crate::value::Value;

/// The twelve calls, for their `type` strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `createInstance`.
    CreateInstance,
    /// `getInstance`.
    GetInstance,
    /// `listInstances`.
    ListInstances,
    /// `updateInstance`.
    UpdateInstance,
    /// `deleteInstance`.
    DeleteInstance,
    /// `get`.
    Get,
    /// `set`.
    Set,
    /// `delete`.
    Delete,
    /// `deleteNamespace`.
    DeleteNamespace,
    /// `query`.
    Query,
    /// `getNamespaces`.
    GetNamespaces,
    /// `getRecordCount`.
    GetRecordCount,
    /// `batch`.
    Batch,
    /// `getMany`.
    GetMany,
    /// `export`.
    Export,
    /// `import`.
    Import,
}

impl Method {
    /// The envelope's `type`.
    pub fn type_name(self) -> &'static str {
        match self {
            Method::CreateInstance => "kvStore.createInstance",
            Method::GetInstance => "kvStore.getInstance",
            Method::ListInstances => "kvStore.listInstances",
            Method::UpdateInstance => "kvStore.updateInstance",
            Method::DeleteInstance => "kvStore.deleteInstance",
            Method::Get => "kvStore.get",
            Method::Set => "kvStore.set",
            Method::Delete => "kvStore.delete",
            Method::DeleteNamespace => "kvStore.deleteNamespace",
            Method::Query => "kvStore.query",
            Method::GetNamespaces => "kvStore.getNamespaces",
            Method::GetRecordCount => "kvStore.getRecordCount",
            Method::Batch => "kvStore.batch",
            Method::GetMany => "kvStore.getMany",
            Method::Export => "kvStore.export",
            Method::Import => "kvStore.import",
        }
    }
}

/// Renders an envelope: `data` on success, the error's sentence and code on failure.
pub fn render<T: Serialize>(method: Method, result: Result<T>, timestamp: Timestamp, request_id: Uuid) -> String {
    let mut text = Vec::new();
    render_into(&mut text, method, result, timestamp, request_id);
    String::from_utf8(text).unwrap_or_else(|_| unreadable(method, timestamp, request_id))
}

/// The envelope for an answer that came out as invalid UTF-8. serde_json
/// writes UTF-8 only, so this would be a bug in boltkv, and the answer says
/// so rather than arriving empty.
fn unreadable(method: Method, timestamp: Timestamp, request_id: Uuid) -> String {
    let message = "The answer could not be written as UTF-8 text; this is a bug in boltkv.";
    let mut out = Vec::new();
    let _ = frame(&mut out, method, Err((message, ErrorCode::InvalidArgument)), timestamp, request_id);
    // This frame is ASCII throughout (the method's type, the message, the
    // code, the time and the id), so each byte is its character.
    out.iter().map(|&b| char::from(b)).collect()
}

/// [`render`], into `out` (emptied first), so a caller can reuse one buffer.
pub fn render_into<T: Serialize>(out: &mut Vec<u8>, method: Method, result: Result<T>, timestamp: Timestamp, request_id: Uuid) {
    let written = match &result {
        Ok(data) => frame(out, method, Ok(&|out: &mut Vec<u8>| serde_json::to_writer(out, data)), timestamp, request_id),
        Err(e) => frame(out, method, Err((&e.to_string(), e.code())), timestamp, request_id),
    };
    if let Err(e) = written {
        let message = format!("The answer could not be written as JSON ({e}).");
        // Only data that serde_json refuses gets here, and the store's
        // answers hold none; the code is the caller's to act on at most.
        let _ = frame(out, method, Err((&message, ErrorCode::InvalidArgument)), timestamp, request_id);
    }
}

/// Writes `data` into the envelope's text.
type WriteData<'a> = &'a dyn Fn(&mut Vec<u8>) -> serde_json::Result<()>;

/// One envelope into `out` (emptied first): `type`, `success`, then `data`
/// or `error` and `code`, then `timestamp` and `requestId`. Written field by
/// field rather than derived over a generic struct, so that only `data` is
/// rendered per answer type and the frame exists once in the wasm.
fn frame(
    out: &mut Vec<u8>,
    method: Method,
    answer: std::result::Result<WriteData<'_>, (&str, ErrorCode)>,
    timestamp: Timestamp,
    request_id: Uuid,
) -> serde_json::Result<()> {
    out.clear();
    out.extend_from_slice(b"{\"type\":");
    quoted(out, method.type_name().as_bytes());
    match answer {
        Ok(data) => {
            out.extend_from_slice(b",\"success\":true,\"data\":");
            data(out)?;
        }
        Err((message, code)) => {
            out.extend_from_slice(b",\"success\":false,\"error\":");
            serde_json::to_writer(&mut *out, message)?;
            out.extend_from_slice(b",\"code\":");
            quoted(out, code.as_str().as_bytes());
        }
    }
    out.extend_from_slice(b",\"timestamp\":");
    timestamp.with_text(|text| quoted(out, text.as_bytes()));
    out.extend_from_slice(b",\"requestId\":");
    quoted(out, &request_id.to_text());
    out.push(b'}');
    Ok(())
}

/// A JSON string of text that needs no escapes: the frame's own ASCII
/// (type names, codes, ISO times, UUIDs), written without serde_json's
/// byte-by-byte escape scan, which was a tenth of a missing key's `get`.
fn quoted(out: &mut Vec<u8>, ascii: &[u8]) {
    out.push(b'"');
    out.extend_from_slice(ascii);
    out.push(b'"');
}

/// Answers above this size do not keep their buffer: one huge query result
/// should not pin its memory for the life of the store.
const KEPT_ANSWER_BYTES: usize = 1 << 20;

impl KvStore {
    /// Renders an envelope stamped with this store's clock and a fresh request id.
    pub fn envelope<T: Serialize>(&self, method: Method, result: Result<T>) -> String {
        render(method, result, self.now(), self.fresh_id())
    }

    /// Hands `read` the envelope's text, rendered into a buffer the store
    /// reuses: the hot path of every call, so it allocates nothing once warm.
    pub fn with_envelope<T: Serialize, R>(&self, method: Method, result: Result<T>, read: impl FnOnce(&str) -> R) -> R {
        let (timestamp, request_id) = (self.now(), self.fresh_id());
        let Ok(mut out) = self.answers.try_borrow_mut() else {
            // Only a `read` that calls back into the store gets here.
            return read(&render(method, result, timestamp, request_id));
        };
        render_into(&mut out, method, result, timestamp, request_id);
        let answer = match std::str::from_utf8(&out) {
            Ok(text) => read(text),
            Err(_) => read(&unreadable(method, timestamp, request_id)),
        };
        if out.capacity() > KEPT_ANSWER_BYTES {
            *out = Vec::new();
        }
        answer
    }
}

/// The `data` of each call, named as `docs/api.md` names its fields.
pub mod data {
    use super::*;

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
    #[derive(Serialize)]
    pub struct GetData {
        /// The stored value.
        pub value: Option<Value>,
        /// Whether the key holds a value (which may be `null`).
        pub exists: bool,
    }

    /// `batch`: one result per operation.
    #[derive(Serialize)]
    pub struct BatchData {
        /// `{ record }`, `{ deleted }` or `{ ok: true }`, in order.
        pub results: Vec<BatchResult>,
    }

    /// One operation's result in a `batch`.
    #[derive(Serialize)]
    #[serde(untagged)]
    pub enum BatchResult {
        /// A set.
        Record {
            /// The record as stored.
            record: Record,
        },
        /// A delete.
        Deleted {
            /// Whether there was a record to delete.
            deleted: bool,
        },
        /// A check that held.
        Checked {
            /// Always true.
            ok: bool,
        },
    }

    impl BatchData {
        /// The results of a batch's outcomes.
        pub fn of(outcomes: Vec<Outcome>) -> BatchData {
            let results = outcomes
                .into_iter()
                .map(|outcome| match outcome {
                    Outcome::Record(record) => BatchResult::Record { record },
                    Outcome::Deleted(deleted) => BatchResult::Deleted { deleted },
                    Outcome::Checked => BatchResult::Checked { ok: true },
                })
                .collect();
            BatchData { results }
        }
    }

    /// `getMany`: the record, or `null`, per key asked for.
    #[derive(Serialize)]
    pub struct RecordsData {
        /// In the order asked.
        pub records: Vec<Option<Record>>,
    }

    /// `set`.
    #[derive(Serialize)]
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
    #[derive(Serialize)]
    pub struct QueryData {
        /// The page of rows and the count of matches.
        pub result: crate::query::QueryResult,
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    #[test]
    fn success_has_data_and_no_error() {
        let text = render(Method::Get, Ok(data::GetData::of(None)), Timestamp(0), Uuid([0; 16]));
        assert_eq!(
            text,
            r#"{"type":"kvStore.get","success":true,"data":{"value":null,"exists":false},"timestamp":"1970-01-01T00:00:00.000Z","requestId":"00000000-0000-0000-0000-000000000000"}"#
        );
    }

    #[test]
    fn failure_has_error_and_no_data() {
        let failed: Result<data::CountData> = Err(Error::InstanceNotFound("x".into()));
        let text = render(Method::GetRecordCount, failed, Timestamp(0), Uuid([0; 16]));
        assert_eq!(
            text,
            r#"{"type":"kvStore.getRecordCount","success":false,"error":"Instance \"x\" not found; create it with createInstance, or call set with autoCreateInstance = true.","code":"NOT_FOUND","timestamp":"1970-01-01T00:00:00.000Z","requestId":"00000000-0000-0000-0000-000000000000"}"#
        );
    }

    #[test]
    fn an_answer_that_is_not_text_says_so() {
        assert_eq!(
            unreadable(Method::Get, Timestamp(0), Uuid([0; 16])),
            r#"{"type":"kvStore.get","success":false,"error":"The answer could not be written as UTF-8 text; this is a bug in boltkv.","code":"INVALID_ARGUMENT","timestamp":"1970-01-01T00:00:00.000Z","requestId":"00000000-0000-0000-0000-000000000000"}"#
        );
    }
}
