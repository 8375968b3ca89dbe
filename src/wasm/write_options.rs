//! The `options` argument of `set` and `delete` (`docs/beyond.md`,
//! conditional writes), read from its JSON text with unknown fields
//! refused: a misspelt `ifVersion` must not make a write unconditional.

use serde::{Deserialize, Deserializer};
use wasm_bindgen::JsValue;

use super::args;
use crate::error::{Error, Result};
use crate::store::IfVersion;

/// The largest integer JavaScript numbers hold exactly (2^53 - 1).
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// The most an options object may take as JSON: it holds a few numbers.
const MAX_OPTIONS_BYTES: usize = 1024;

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct WriteFields {
    #[serde(default, deserialize_with = "present")]
    if_version: Option<serde_json::Value>,
}

/// Tells `ifVersion: null` (the key must be absent) from no `ifVersion`.
fn present<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<serde_json::Value>, D::Error> {
    serde_json::Value::deserialize(d).map(Some)
}

/// The version a write requires, from its `options` (`undefined` or
/// `null` for none).
pub fn if_version(options: &JsValue) -> Result<Option<IfVersion>> {
    if options.is_undefined() || options.is_null() {
        return Ok(None);
    }
    let json = args::plain_object(options, MAX_OPTIONS_BYTES).map_err(|misfit| misfit.into_argument("options"))?;
    let fields: WriteFields = serde_json::from_str(&json).map_err(|e| Error::InvalidArgument {
        name: "options".to_string(),
        problem: format!("must be {{ ifVersion?: number | null }} ({e})."),
    })?;
    match fields.if_version {
        None => Ok(None),
        Some(given) => required(&given).map(Some).ok_or_else(|| not_a_version("options.ifVersion", &given.to_string())),
    }
}

/// A version given as a JavaScript value (a batch's `ifVersion` or
/// `version`): `null` for an absent key, else a record's version.
pub fn version(value: &JsValue, name: &str) -> Result<IfVersion> {
    let given = js_sys::JSON::stringify(value).ok().and_then(|text| text.as_string()).and_then(|text| serde_json::from_str(&text).ok());
    given.as_ref().and_then(required).ok_or_else(|| not_a_version(name, &args::describe(value)))
}

/// The requirement a JSON version stands for, if it is one.
fn required(given: &serde_json::Value) -> Option<IfVersion> {
    match given {
        serde_json::Value::Null => Some(IfVersion::Absent),
        other => other.as_u64().filter(|v| (1..=MAX_SAFE_INTEGER).contains(v)).map(IfVersion::Is),
    }
}

fn not_a_version(name: &str, given: &str) -> Error {
    Error::InvalidArgument {
        name: name.to_string(),
        problem: format!("must be a record's version (a positive whole number) or null for an absent key, not {given}."),
    }
}
