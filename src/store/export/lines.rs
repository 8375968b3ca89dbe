//! The export format (`docs/beyond.md`, export and import), JSON Lines: a
//! header line, then one `{"instance":{...}}` line per instance and one
//! `{"record":{...}}` line per record, each object exactly as the envelopes
//! show it, so a person reading a file sees what the API answers. Reading
//! checks every line on its own (names, value and limits, ids, times,
//! versions) and says which line is wrong, counted from 1 (the header).

use serde::Serialize;

use crate::envelope::write;
use crate::error::{Error, Field, Result};
use crate::id::Uuid;
use crate::json_read::{required, unknown, Reader};
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

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Header {
    format: &'static str,
    version: u64,
    exported_at: Timestamp,
}

/// An instance line as read: its fields as text, so that each is checked
/// with a sentence of its own.
struct InstanceDoc {
    id: String,
    name: String,
    description: Option<String>,
    created_at: String,
    updated_at: String,
}

/// A record line as read, its fields as text.
struct RecordDoc<'a> {
    id: String,
    instance_id: String,
    namespace: String,
    key: String,
    value: &'a str,
    created_at: String,
    updated_at: String,
    version: &'a str,
    expires_at: Option<String>,
}

/// One line after the header, as read.
enum LineDoc<'a> {
    Instance(InstanceDoc),
    Record(RecordDoc<'a>),
}

/// Writes the export of `instances` and `records` (already selected) as
/// taken at `now`, one line each, every line ending in a newline.
pub fn write(now: Timestamp, instances: &[&Instance], records: &[Record]) -> Result<String> {
    let lines = write::text(|out| {
        serde_json::to_writer(&mut *out, &Header { format: FORMAT, version: LAYOUT, exported_at: now })?;
        out.push(b'\n');
        for instance in instances {
            line(out, "instance", |out| serde_json::to_writer(&mut *out, instance))?;
        }
        for record in records {
            // By hand, as the envelopes write records (values as stored).
            line(out, "record", |out| write::record(out, record))?;
        }
        Ok(())
    });
    lines.map_err(|e| unwritable(&e))
}

/// `{"<tag>":<item>}` and a newline.
fn line(out: &mut Vec<u8>, tag: &str, item: impl FnOnce(&mut Vec<u8>) -> serde_json::Result<()>) -> serde_json::Result<()> {
    write::tagged(out, tag, item)?;
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
        let doc = line_doc(text).map_err(|e| {
            on_line(number, invalid("It", format!("is not an {{\"instance\":{{...}}}} or {{\"record\":{{...}}}} line ({e}).")))
        })?;
        match doc {
            LineDoc::Instance(doc) => file.instances.push((number, instance(doc, limits).map_err(|error| on_line(number, error))?)),
            LineDoc::Record(doc) => file.records.push((number, record(doc, limits).map_err(|error| on_line(number, error))?)),
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
    let (mut format, mut version, mut exported_at) = (None, None, None);
    let read = Reader::document(text, |r| {
        r.object(|name, r| {
            match name {
                "format" => format = Some(r.string()?),
                "version" => version = Some(r.count()?),
                "exportedAt" => exported_at = Some(r.string()?),
                other => return Err(unknown(other)),
            }
            Ok(())
        })?;
        Ok((required(format, "format")?, required(version, "version")?, required(exported_at, "exportedAt")?))
    });
    let (format, version, exported_at) = read.map_err(|e| invalid("It", format!("is not the header {expected} ({e}).")))?;
    if format != FORMAT {
        return Err(invalid("format", format!("is {format:?}, not {FORMAT:?}: this is not a boltkv export.")));
    }
    if version != LAYOUT {
        return Err(invalid("version", format!("is {version}, and this boltkv reads only version {LAYOUT}; import it with the boltkv that wrote it.")));
    }
    time("exportedAt", &exported_at).map(drop)
}

/// A line after the header: `{"instance":{...}}` or `{"record":{...}}`.
fn line_doc(text: &str) -> std::result::Result<LineDoc<'_>, String> {
    Reader::document(text, |r| {
        r.tagged(|name, r| match name {
            "instance" => instance_doc(r).map(LineDoc::Instance),
            "record" => record_doc(r).map(LineDoc::Record),
            other => Err(unknown(other)),
        })
    })
}

fn instance_doc(r: &mut Reader<'_>) -> std::result::Result<InstanceDoc, String> {
    let [mut id, mut name, mut description, mut created_at, mut updated_at] = [None, None, None, None, None];
    r.object(|member, r| {
        let slot = match member {
            "id" => &mut id,
            "name" => &mut name,
            "description" => &mut description,
            "createdAt" => &mut created_at,
            "updatedAt" => &mut updated_at,
            other => return Err(unknown(other)),
        };
        *slot = Some(r.string()?.into_owned());
        Ok(())
    })?;
    Ok(InstanceDoc {
        id: required(id, "id")?,
        name: required(name, "name")?,
        description,
        created_at: required(created_at, "createdAt")?,
        updated_at: required(updated_at, "updatedAt")?,
    })
}

fn record_doc<'t>(r: &mut Reader<'t>) -> std::result::Result<RecordDoc<'t>, String> {
    let [mut id, mut instance_id, mut namespace, mut key, mut created_at, mut updated_at, mut expires_at] = [None, None, None, None, None, None, None];
    let (mut value, mut version) = (None, None);
    r.object(|member, r| {
        let slot = match member {
            "value" => return r.raw().map(|raw| value = Some(raw)),
            "version" => return r.number().map(|number| version = Some(number)),
            "expiresAt" if r.null() => return Ok(()),
            "expiresAt" => &mut expires_at,
            "id" => &mut id,
            "instanceId" => &mut instance_id,
            "namespace" => &mut namespace,
            "key" => &mut key,
            "createdAt" => &mut created_at,
            "updatedAt" => &mut updated_at,
            other => return Err(unknown(other)),
        };
        *slot = Some(r.string()?.into_owned());
        Ok(())
    })?;
    Ok(RecordDoc {
        id: required(id, "id")?,
        instance_id: required(instance_id, "instanceId")?,
        namespace: required(namespace, "namespace")?,
        key: required(key, "key")?,
        value: required(value, "value")?,
        created_at: required(created_at, "createdAt")?,
        updated_at: required(updated_at, "updatedAt")?,
        version: required(version, "version")?,
        expires_at,
    })
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

fn record(doc: RecordDoc<'_>, limits: &Limits) -> Result<Record> {
    limits.check(Field::Namespace, &doc.namespace)?;
    limits.check(Field::Key, &doc.key)?;
    let version = doc.version.parse::<u64>().ok().filter(|v| (1..=MAX_VERSION).contains(v));
    let version = version.ok_or_else(|| invalid("record.version", format!("must be a whole number from 1 to {MAX_VERSION}, not {}.", doc.version)))?;
    Ok(Record {
        id: id("record.id", &doc.id)?,
        instance_id: id("record.instanceId", &doc.instance_id)?,
        namespace: doc.namespace,
        key: doc.key,
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
