//! The `options` argument of `set` and `delete` (`docs/beyond.md`,
//! conditional writes), read from its JSON text with unknown fields
//! refused: a misspelt `ifVersion` must not make a write unconditional.

use serde::{Deserialize, Deserializer};
use wasm_bindgen::JsValue;

use super::args;
use crate::error::{Error, Result};
use crate::store::{Expiry, IfVersion};
use crate::time::Timestamp;

/// The largest integer JavaScript numbers hold exactly (2^53 - 1).
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// The most an options object may take as JSON: it holds a few numbers.
const MAX_OPTIONS_BYTES: usize = 1024;

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct SetFields {
    #[serde(default, deserialize_with = "present")]
    if_version: Option<serde_json::Value>,
    expire_in: Option<serde_json::Value>,
    expire_at: Option<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct DeleteFields {
    #[serde(default, deserialize_with = "present")]
    if_version: Option<serde_json::Value>,
}

/// Tells `ifVersion: null` (the key must be absent) from no `ifVersion`.
fn present<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<serde_json::Value>, D::Error> {
    serde_json::Value::deserialize(d).map(Some)
}

/// `set`'s `options` (`undefined` or `null` for none): the version it
/// requires and its expiry.
pub fn set(options: &JsValue) -> Result<(Option<IfVersion>, Option<Expiry>)> {
    let Some(fields) = fields::<SetFields>(options, "{ ifVersion?: number | null, expireIn?: number, expireAt?: string | number }")? else {
        return Ok((None, None));
    };
    Ok((if_version(fields.if_version)?, expiry(fields.expire_in.as_ref(), fields.expire_at.as_ref(), "options.")?))
}

/// `delete`'s `options` (`undefined` or `null` for none): the version it
/// requires.
pub fn delete(options: &JsValue) -> Result<Option<IfVersion>> {
    match fields::<DeleteFields>(options, "{ ifVersion?: number | null }")? {
        Some(fields) => if_version(fields.if_version),
        None => Ok(None),
    }
}

fn fields<T: serde::de::DeserializeOwned>(options: &JsValue, shape: &str) -> Result<Option<T>> {
    args::options(options, "options", MAX_OPTIONS_BYTES, shape)
}

fn if_version(given: Option<serde_json::Value>) -> Result<Option<IfVersion>> {
    match given {
        None => Ok(None),
        Some(given) => required(&given).map(Some).ok_or_else(|| not_a_version("options.ifVersion", &given.to_string())),
    }
}

/// An expiry from `expireIn` (milliseconds) or `expireAt` (ISO-8601 text
/// or epoch milliseconds), at most one of them; `prefix` names where they
/// were given (`options.`, or nothing in a batch's operation).
pub fn expiry(expire_in: Option<&serde_json::Value>, expire_at: Option<&serde_json::Value>, prefix: &str) -> Result<Option<Expiry>> {
    let invalid = |name: &str, problem: String| Error::InvalidArgument { name: format!("{prefix}{name}"), problem };
    match (expire_in, expire_at) {
        (None, None) => Ok(None),
        (Some(_), Some(_)) => Err(invalid("expireIn", "and expireAt cannot both be given; choose one.".into())),
        (Some(ms), None) => ms
            .as_u64()
            .filter(|ms| (1..=MAX_SAFE_INTEGER).contains(ms))
            .map(|ms| Some(Expiry::In(ms)))
            .ok_or_else(|| invalid("expireIn", format!("must be a positive whole number of milliseconds, not {ms}."))),
        (None, Some(at)) => {
            let ms = match at {
                serde_json::Value::String(text) => whole_ms(js_sys::Date::parse(text)),
                number => number.as_i64().or_else(|| number.as_f64().and_then(whole_ms)),
            };
            ms.map(|ms| Some(Expiry::At(Timestamp(ms))))
                .ok_or_else(|| invalid("expireAt", format!("must be an ISO-8601 time or epoch milliseconds, not {at}.")))
        }
    }
}

/// A time in milliseconds as a whole number, if it is one JavaScript holds
/// exactly (`Date.parse` answers a float, `NaN` for text it cannot read).
#[expect(clippy::cast_possible_truncation, reason = "checked whole and within the safe integers first")]
fn whole_ms(ms: f64) -> Option<i64> {
    #[expect(clippy::cast_precision_loss, reason = "2^53 - 1 is exact as a float")]
    let limit = MAX_SAFE_INTEGER as f64;
    (ms.is_finite() && ms.fract() == 0.0 && ms.abs() <= limit).then_some(ms as i64)
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
