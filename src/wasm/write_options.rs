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
        Some(serde_json::Value::Null) => Ok(Some(IfVersion::Absent)),
        Some(given) => given
            .as_u64()
            .filter(|v| (1..=MAX_SAFE_INTEGER).contains(v))
            .map(|v| Some(IfVersion::Is(v)))
            .ok_or_else(|| Error::InvalidArgument {
                name: "options.ifVersion".to_string(),
                problem: format!("must be a record's version (a positive whole number) or null for an absent key, not {given}."),
            }),
    }
}
