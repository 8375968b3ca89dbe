//! The export format (`docs/beyond.md`, export and import), JSON Lines: a
//! header line, then one `{"instance":{...}}` line per instance and one
//! `{"record":{...}}` line per record, each object exactly as the envelopes
//! show it, so a person reading a file sees what the API answers. Reading
//! checks every line on its own (names, value and limits, ids, times,
//! versions) and says which line is wrong, counted from 1 (the header).

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::error::{Error, Field, Result};
use crate::id::Uuid;
use crate::limits::Limits;
use crate::model::{Instance, Record};
use crate::time::Timestamp;
use crate::value::Value;

/// What the header's `format` says.
const FORMAT: &str = "boltkv-export";

/// The layout this boltkv writes and reads.
const LAYOUT: u64 = 1;

/// Versions above it could not come back out of an envelope unchanged.
const MAX_VERSION: u64 = super::super::versions::MAX_SAFE_INTEGER;

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Header<T> {
    format: String,
    version: u64,
    exported_at: T,
}

/// One line after the header, as written.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
enum Line<'a> {
    Instance(&'a Instance),
    Record(&'a Record),
}

/// One line after the header, as read: the fields of [`Line`] as text, so
/// that each is checked with a sentence of its own.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
enum LineDoc<'a> {
    Instance(InstanceDoc),
    #[serde(borrow)]
    Record(RecordDoc<'a>),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct InstanceDoc {
    id: String,
    name: String,
    #[serde(default)]
    description: Option<String>,
    created_at: String,
    updated_at: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RecordDoc<'a> {
    id: String,
    instance_id: String,
    namespace: String,
    key: String,
    #[serde(borrow)]
    value: &'a RawValue,
    created_at: String,
    updated_at: String,
    version: serde_json::Number,
    #[serde(default)]
    expires_at: Option<String>,
}

/// Writes the export of `instances` and `records` (already selected) as
/// taken at `now`, one line each, every line ending in a newline.
pub fn write(now: Timestamp, instances: &[&Instance], records: &[Record]) -> Result<String> {
    let mut out = Vec::new();
    let header = Header { format: FORMAT.to_string(), version: LAYOUT, exported_at: now };
    line(&mut out, &header)?;
    for instance in instances {
        line(&mut out, &Line::Instance(instance))?;
    }
    for record in records {
        line(&mut out, &Line::Record(record))?;
    }
    // serde_json writes UTF-8 only.
    String::from_utf8(out).map_err(|_| unwritable("it is not UTF-8"))
}

fn line(out: &mut Vec<u8>, item: &impl Serialize) -> Result<()> {
    serde_json::to_writer(&mut *out, item).map_err(|e| unwritable(&e.to_string()))?;
    out.push(b'\n');
    Ok(())
}

/// Only data serde_json refuses gets here, and the store holds none.
fn unwritable(why: &str) -> Error {
    Error::InvalidArgument { name: "The export".to_string(), problem: format!("could not be written as JSON ({why}).") }
}

/// An export read and checked line by line, each item with its line number.
#[derive(Default)]
pub struct File {
    /// In file order, each with its line number.
    pub instances: Vec<(usize, Instance)>,
    /// In file order, each with its line number.
    pub records: Vec<(usize, Record)>,
}

/// Reads an export. Blank lines (a trailing newline) are skipped; every
/// other line must be the header (line 1) or one instance or record. An
/// instance's `seq` is left 0: the store numbers instances as it creates
/// them.
pub fn read(text: &str, limits: &Limits) -> Result<File> {
    let mut lines = text.split('\n').map(|line| line.strip_suffix('\r').unwrap_or(line)).enumerate().map(|(i, line)| (i.saturating_add(1), line));
    let (_, first) = lines.next().unwrap_or((1, ""));
    header(first).map_err(|error| on_line(1, error))?;
    let mut file = File::default();
    for (number, text) in lines.filter(|(_, line)| !line.trim().is_empty()) {
        let doc: LineDoc = serde_json::from_str(text).map_err(|e| {
            on_line(number, invalid("It", format!("is not an {{\"instance\":{{...}}}} or {{\"record\":{{...}}}} line ({e}).")))
        })?;
        match doc {
            LineDoc::Instance(doc) => file.instances.push((number, instance(doc, limits).map_err(|error| on_line(number, error))?)),
            LineDoc::Record(doc) => file.records.push((number, record(&doc, limits).map_err(|error| on_line(number, error))?)),
        }
    }
    Ok(file)
}

/// The error for line `line`.
pub fn on_line(line: usize, error: Error) -> Error {
    Error::OnLine { line, error: Box::new(error) }
}

/// An `INVALID_ARGUMENT` about `name` (a field of a line, or the line).
pub fn invalid(name: &str, problem: String) -> Error {
    Error::InvalidArgument { name: name.to_string(), problem }
}

fn header(text: &str) -> Result<()> {
    let expected = format!("{{\"format\":\"{FORMAT}\",\"version\":{LAYOUT},\"exportedAt\":\"<ISO-8601>\"}}");
    let header: Header<String> = serde_json::from_str(text).map_err(|e| invalid("It", format!("is not the header {expected} ({e}).")))?;
    if header.format != FORMAT {
        return Err(invalid("format", format!("is {:?}, not {FORMAT:?}: this is not a boltkv export.", header.format)));
    }
    if header.version != LAYOUT {
        return Err(invalid("version", format!("is {}, and this boltkv reads only version {LAYOUT}; import it with the boltkv that wrote it.", header.version)));
    }
    time("exportedAt", &header.exported_at).map(drop)
}

fn instance(doc: InstanceDoc, limits: &Limits) -> Result<Instance> {
    limits.check(Field::InstanceName, &doc.name)?;
    if let Some(description) = &doc.description {
        limits.check(Field::Description, description)?;
    }
    Ok(Instance {
        id: id("instance.id", &doc.id)?,
        name: doc.name,
        description: doc.description,
        created_at: time("instance.createdAt", &doc.created_at)?,
        updated_at: time("instance.updatedAt", &doc.updated_at)?,
        seq: 0,
    })
}

fn record(doc: &RecordDoc<'_>, limits: &Limits) -> Result<Record> {
    limits.check(Field::Namespace, &doc.namespace)?;
    limits.check(Field::Key, &doc.key)?;
    let version = doc.version.as_u64().filter(|v| (1..=MAX_VERSION).contains(v));
    let version = version.ok_or_else(|| invalid("record.version", format!("must be a whole number from 1 to {MAX_VERSION}, not {}.", doc.version)))?;
    Ok(Record {
        id: id("record.id", &doc.id)?,
        instance_id: id("record.instanceId", &doc.instance_id)?,
        namespace: doc.namespace.clone(),
        key: doc.key.clone(),
        value: Value::from_raw(doc.value, limits)?,
        created_at: time("record.createdAt", &doc.created_at)?,
        updated_at: time("record.updatedAt", &doc.updated_at)?,
        version,
        expires_at: doc.expires_at.as_deref().map(|at| time("record.expiresAt", at)).transpose()?,
    })
}

fn id(name: &str, text: &str) -> Result<Uuid> {
    Uuid::parse(text).ok_or_else(|| invalid(name, format!("is {text:?}, not a lowercase hyphenated UUID.")))
}

fn time(name: &str, text: &str) -> Result<Timestamp> {
    Timestamp::parse(text).ok_or_else(|| invalid(name, format!("is {text:?}, not an ISO-8601 time such as 2026-12-02T08:41:39.000Z.")))
}
