//! The `options` argument of `set` and `delete` (`docs/beyond.md`,
//! conditional writes), read with unknown fields refused
//! (`src/wasm/fields.rs`): a misspelt `ifVersion` must not make a write
//! unconditional.

use wasm_bindgen::JsValue;

use super::args;
use super::fields::Fields;
use crate::error::{Error, Result};
use crate::store::{Expiry, IfVersion};
use crate::time::Timestamp;

/// The largest integer JavaScript numbers hold exactly (2^53 - 1).
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// The most an options object may take as JSON: it holds a few numbers.
const MAX_OPTIONS_BYTES: usize = 1024;

/// `set`'s `options` (`undefined` or `null` for none): the version it
/// requires and its expiry. `ifVersion: null` (the key must be absent) is
/// not the same as no `ifVersion`; a `null` expiry is no expiry.
pub fn set(options: &JsValue) -> Result<(Option<IfVersion>, Option<Expiry>)> {
    let shape = "{ ifVersion?: number | null, expireIn?: number, expireAt?: string | number }";
    let Some(mut fields) = Fields::of(options, "options", MAX_OPTIONS_BYTES, shape)? else {
        return Ok((None, None));
    };
    let mut expiry_field = |name: &str| fields.given(name).filter(|v| !v.is_null());
    let (expire_in, expire_at) = (expiry_field("expireIn"), expiry_field("expireAt"));
    let version = fields.given("ifVersion");
    fields.done()?;
    Ok((if_version(version)?, expiry(expire_in.as_ref(), expire_at.as_ref(), "options.")?))
}

/// `delete`'s `options` (`undefined` or `null` for none): the version it
/// requires.
pub fn delete(options: &JsValue) -> Result<Option<IfVersion>> {
    let Some(mut fields) = Fields::of(options, "options", MAX_OPTIONS_BYTES, "{ ifVersion?: number | null }")? else {
        return Ok(None);
    };
    let version = fields.given("ifVersion");
    fields.done()?;
    if_version(version)
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
