//! The arguments of `batch` and `getMany`: arrays of plain objects, read
//! member by member (a value as `set` reads it), unknown members refused so
//! that a misspelt `ifVersion` cannot make a write unconditional, and a
//! problem named by the index of its entry.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use super::{args, write_options};
use crate::error::{Error, Field, Result};
use crate::limits::Limits;
use crate::store::{Operation, SetOptions};

/// The members each kind of operation takes.
const SET: &[&str] = &["op", "instanceId", "namespace", "key", "value", "autoCreateInstance", "ifVersion", "expireIn", "expireAt"];
const DELETE: &[&str] = &["op", "instanceId", "namespace", "key", "ifVersion"];
const CHECK: &[&str] = &["op", "instanceId", "namespace", "key", "version"];
const KEY: &[&str] = &["instanceId", "namespace", "key"];

/// `batch`'s operations.
pub fn operations(value: &JsValue, limits: &Limits) -> Result<Vec<Operation>> {
    let wrap = |index, error| Error::InOperation { index, error: Box::new(error) };
    entries(value, "operations", limits)?.iter().enumerate().map(|(index, entry)| operation(&entry, limits).map_err(|e| wrap(index, e))).collect()
}

/// `getMany`'s keys, as (instance, namespace, key).
pub fn keys(value: &JsValue, limits: &Limits) -> Result<Vec<(String, String, String)>> {
    entries(value, "keys", limits)?
        .iter()
        .enumerate()
        .map(|(index, entry)| members(&entry, "a key", KEY).and_then(|()| place(&entry, limits)).map_err(|e| Error::InKey { index, error: Box::new(e) }))
        .collect()
}

/// The array, refused when it is not one, or is empty or too long.
fn entries(value: &JsValue, name: &str, limits: &Limits) -> Result<Array> {
    let invalid = |problem: String| Error::InvalidArgument { name: name.to_string(), problem };
    if !Array::is_array(value) {
        return Err(invalid(format!("must be an array, not {}.", args::describe(value))));
    }
    let array = Array::from(value);
    let (count, max) = (array.length(), limits.max_batch_operations);
    if count == 0 || usize::try_from(count).map_or(true, |count| count > max) {
        return Err(invalid(format!("must hold 1 to {max} entries (maxBatchOperations), not {count}.")));
    }
    Ok(array)
}

fn operation(entry: &JsValue, limits: &Limits) -> Result<Operation> {
    object(entry, "an operation")?;
    let kind = member(entry, "op")?.as_string();
    let allowed = match kind.as_deref() {
        Some("set") => SET,
        Some("delete") => DELETE,
        Some("check") => CHECK,
        _ => {
            let given = args::describe(&member(entry, "op").unwrap_or(JsValue::UNDEFINED));
            return Err(invalid("op", format!("must be 'set', 'delete' or 'check', not {given}.")));
        }
    };
    members(entry, "an operation", allowed)?;
    let (instance, namespace, key) = place(entry, limits)?;
    let if_version = |name: &str| -> Result<_> {
        let given = member(entry, name)?;
        if given.is_undefined() { Ok(None) } else { write_options::version(&given, name).map(Some) }
    };
    Ok(match kind.as_deref() {
        Some("set") => {
            let value = args::json(&member(entry, "value")?, limits)?;
            let value = crate::value::Value::from_json(value, limits)?;
            let auto_create_instance = args::flag(&member(entry, "autoCreateInstance")?, "autoCreateInstance")?;
            let json = |name: &str| -> Result<Option<serde_json::Value>> {
                let given = member(entry, name)?;
                Ok(js_sys::JSON::stringify(&given).ok().and_then(|text| text.as_string()).and_then(|text| serde_json::from_str(&text).ok()))
            };
            let expire = write_options::expiry(json("expireIn")?.as_ref(), json("expireAt")?.as_ref(), "")?;
            let options = SetOptions { auto_create_instance, if_version: if_version("ifVersion")?, expire };
            Operation::Set { instance, namespace, key, value, options }
        }
        Some("delete") => Operation::Delete { instance, namespace, key, if_version: if_version("ifVersion")? },
        _ => Operation::Check { instance, namespace, key, version: write_options::version(&member(entry, "version")?, "version")? },
    })
}

/// An entry's `instanceId`, `namespace` and `key`.
fn place(entry: &JsValue, limits: &Limits) -> Result<(String, String, String)> {
    Ok((
        args::name(&member(entry, "instanceId")?, "instanceId", Field::InstanceName, limits)?,
        args::name(&member(entry, "namespace")?, "namespace", Field::Namespace, limits)?,
        args::name(&member(entry, "key")?, "key", Field::Key, limits)?,
    ))
}

/// The entry as an object, refused when it is not a plain one.
fn object<'a>(entry: &'a JsValue, what: &str) -> Result<&'a Object> {
    let plain = args::describe(entry) == "an object";
    entry.dyn_ref::<Object>().filter(|_| plain).ok_or_else(|| Error::InvalidArgument {
        name: format!("Each entry ({what})"),
        problem: format!("must be an object, not {}.", args::describe(entry)),
    })
}

/// Refuses an entry that is not a plain object, or has a member `allowed`
/// does not name.
fn members(entry: &JsValue, what: &str, allowed: &[&str]) -> Result<()> {
    for name in Object::keys(object(entry, what)?).iter().filter_map(|name| name.as_string()) {
        if !allowed.contains(&name.as_str()) {
            return Err(invalid(&name, format!("is not a member of {what} (which takes {}).", allowed.join(", "))));
        }
    }
    Ok(())
}

/// A member of an entry; a throwing getter is an error, not a throw.
fn member(entry: &JsValue, name: &str) -> Result<JsValue> {
    Reflect::get(entry, &JsValue::from_str(name)).map_err(|_| invalid(name, "threw when read.".to_string()))
}

fn invalid(name: &str, problem: String) -> Error {
    Error::InvalidArgument { name: name.to_string(), problem }
}
