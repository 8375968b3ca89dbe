//! Turning JavaScript arguments into Rust ones. Anything may arrive (wrong
//! types, huge strings, throwing proxies); each problem becomes an `Error`
//! naming the argument, and nothing large is copied into wasm memory before
//! it is known to fit.

use js_sys::JsString;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::error::{Error, Field, Result};
use crate::limits::Limits;

#[wasm_bindgen(module = "/src/wasm/json.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = jsonText)]
    fn json_text(value: &JsValue) -> std::result::Result<JsValue, JsValue>;

    #[wasm_bindgen(js_name = utf8Length)]
    fn utf8_length(text: &JsString) -> f64;

    /// What a value is, in words, for error sentences.
    pub fn describe(value: &JsValue) -> String;

    fn reason(thrown: &JsValue) -> String;
}

fn invalid(name: &str, problem: String) -> Error {
    Error::InvalidArgument { name: name.to_string(), problem }
}

/// A string argument that names an instance, namespace or key: a string,
/// not empty, within its limit, and without lone surrogates (which could
/// not be stored exactly).
pub fn name(value: &JsValue, arg: &str, field: Field, limits: &Limits) -> Result<String> {
    let text = string(value, arg, limits.max_bytes(field), field)?;
    limits.check(field, &text)?;
    Ok(text)
}

/// A string argument, refused when longer than `max` UTF-8 bytes before it
/// is copied.
fn string(value: &JsValue, arg: &str, max: usize, field: Field) -> Result<String> {
    let Some(js) = value.dyn_ref::<JsString>() else {
        return Err(invalid(arg, format!("must be a string, not {}.", describe(value))));
    };
    // Every UTF-16 unit takes at least one UTF-8 byte.
    if js.length() as usize > max {
        let bytes = utf8_length(js) as usize;
        return Err(Error::TooLong { field, bytes, max });
    }
    if !js.is_valid_utf16() {
        return Err(invalid(
            arg,
            "contains a lone UTF-16 surrogate, which cannot be stored exactly.".to_string(),
        ));
    }
    Ok(String::from(js))
}

/// An optional description: a string, or `undefined`/`null` for none.
pub fn description(value: &JsValue, limits: &Limits) -> Result<Option<String>> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    name(value, "description", Field::Description, limits).map(Some)
}

/// A flag that defaults to false: `true`, `false`, `undefined` or `null`.
pub fn flag(value: &JsValue, arg: &str) -> Result<bool> {
    if value.is_undefined() || value.is_null() {
        return Ok(false);
    }
    value
        .as_bool()
        .ok_or_else(|| invalid(arg, format!("must be true or false, not {}.", describe(value))))
}

/// The JSON text of a value, refused (with JavaScript's reason) when JSON
/// cannot carry it exactly, and when over `max` bytes before it is copied.
pub fn json(value: &JsValue, max: usize) -> Result<String> {
    let text = json_text(value)
        .map_err(|thrown| Error::InvalidValue(format!("JSON cannot represent it: {}", reason(&thrown))))?;
    let Some(js) = text.dyn_ref::<JsString>() else {
        return Err(Error::InvalidValue(format!(
            "it is {}, which has no JSON form; pass null to store nothing.",
            describe(value)
        )));
    };
    if js.length() as usize > max {
        let bytes = utf8_length(js) as usize;
        return Err(Error::ValueTooLarge { bytes, max });
    }
    Ok(String::from(js))
}

/// A plain object argument (not null, not an array) as JSON text.
pub fn object(value: &JsValue, arg: &str, max: usize) -> Result<String> {
    let kind = describe(value);
    if kind != "an object" {
        return Err(invalid(arg, format!("must be an object, not {kind}.")));
    }
    json(value, max).map_err(|e| match e {
        Error::InvalidValue(why) => invalid(arg, format!("cannot be read: {why}")),
        other => other,
    })
}
