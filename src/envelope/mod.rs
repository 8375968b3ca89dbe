//! The envelope every kvStore call resolves with, rendered as JSON text:
//! stored values are spliced in as they are, and JavaScript turns the whole
//! answer into fresh objects with one `JSON.parse`, so no caller ever holds
//! a reference into the store.

use crate::error::{ErrorCode, Result};
use crate::id::Uuid;
use crate::store::KvStore;
use crate::time::Timestamp;

pub use data::Data;

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
pub fn render<T: Data>(method: Method, result: Result<T>, timestamp: Timestamp, request_id: Uuid) -> String {
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
pub fn render_into<T: Data>(out: &mut Vec<u8>, method: Method, result: Result<T>, timestamp: Timestamp, request_id: Uuid) {
    let written = match &result {
        Ok(data) => frame(out, method, Ok(&|out: &mut Vec<u8>| data.write(out)), timestamp, request_id),
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
    write::quoted(out, method.type_name().as_bytes());
    match answer {
        Ok(data) => {
            out.extend_from_slice(b",\"success\":true,\"data\":");
            data(out)?;
        }
        Err((message, code)) => {
            out.extend_from_slice(b",\"success\":false,\"error\":");
            serde_json::to_writer(&mut *out, message)?;
            out.extend_from_slice(b",\"code\":");
            write::quoted(out, code.as_str().as_bytes());
        }
    }
    out.extend_from_slice(b",\"timestamp\":");
    write::time(out, timestamp);
    out.extend_from_slice(b",\"requestId\":");
    write::quoted(out, &request_id.to_text());
    out.push(b'}');
    Ok(())
}

/// Answers above this size do not keep their buffer: one huge query result
/// should not pin its memory for the life of the store.
const KEPT_ANSWER_BYTES: usize = 1 << 20;

impl KvStore {
    /// Renders an envelope stamped with this store's clock and a fresh request id.
    pub fn envelope<T: Data>(&self, method: Method, result: Result<T>) -> String {
        render(method, result, self.now(), self.fresh_id())
    }

    /// Hands `read` the envelope's text, rendered into a buffer the store
    /// reuses: the hot path of every call, so it allocates nothing once warm.
    pub fn with_envelope<T: Data, R>(&self, method: Method, result: Result<T>, read: impl FnOnce(&str) -> R) -> R {
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

pub mod data;
pub(crate) mod write;

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
