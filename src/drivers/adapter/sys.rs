//! The calls into `adapter.js`. Each returns what the adapter answered or
//! the exception it threw; `adapter.js` checks the shapes of the answers.

use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/drivers/adapter/adapter.js")]
extern "C" {
    #[wasm_bindgen(js_name = splitBackend)]
    pub fn split_backend(options: &JsValue) -> JsValue;

    #[wasm_bindgen(catch)]
    pub fn plug(backend: &JsValue) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(catch, js_name = listPage)]
    pub async fn list_page(adapter: &JsValue, prefix: &str, cursor: Option<String>) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(catch, js_name = getAll)]
    pub async fn get_all(adapter: &JsValue, keys: Array) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(catch, js_name = putAll)]
    pub async fn put_all(adapter: &JsValue, entries: Array) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(catch, js_name = deleteAll)]
    pub async fn delete_all(adapter: &JsValue, keys: Array) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_name = hasTransaction)]
    pub fn has_transaction(adapter: &JsValue) -> bool;

    #[wasm_bindgen(catch)]
    pub async fn transaction(adapter: &JsValue, work: &Function) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_name = errorText)]
    pub fn error_text(thrown: &JsValue) -> String;
}

/// A member of a plain object (`undefined` when absent or unreadable).
pub fn member(object: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(object, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// JavaScript strings as an array.
pub fn strings<'a>(items: impl IntoIterator<Item = &'a String>) -> Array {
    items.into_iter().map(|s| JsValue::from_str(s)).collect()
}

/// `[key, value]` pairs as arrays, with a third element, when the record
/// expires, its expiry in epoch milliseconds.
pub fn entries(puts: &[(String, String, Option<i64>)]) -> Array {
    puts.iter()
        .map(|(key, value, expires)| {
            let entry = Array::of2(&JsValue::from_str(key), &JsValue::from_str(value));
            if let Some(at) = expires {
                #[expect(clippy::cast_precision_loss, reason = "epoch milliseconds before year 9999 are below 2^53")]
                entry.push(&JsValue::from_f64(*at as f64));
            }
            JsValue::from(entry)
        })
        .collect()
}
