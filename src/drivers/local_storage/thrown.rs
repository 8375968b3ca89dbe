//! Reaching localStorage, and reading what it throws: web-sys returns every
//! exception as an untyped `JsValue`, and browsers disagree on how they
//! name a full storage.

use js_sys::Reflect;
use wasm_bindgen::JsValue;
use web_sys::Storage;

use crate::error::StorageError;

/// The page's localStorage. Merely reading `window.localStorage` throws
/// `SecurityError` in sandboxed iframes, on opaque origins and when the
/// user blocks site data, so the access itself is checked, not just the
/// property's presence.
pub fn local_storage() -> Result<Storage, StorageError> {
    let window = web_sys::window().ok_or_else(|| {
        StorageError::Unavailable(
            "localStorage exists only in a browser window, not in workers or server runtimes.".to_string(),
        )
    })?;
    match window.local_storage() {
        Ok(Some(storage)) => Ok(storage),
        Ok(None) => Err(StorageError::Unavailable("this browser has no localStorage.".to_string())),
        Err(e) if name(&e).as_deref() == Some("SecurityError") => Err(StorageError::Unavailable(format!(
            "the browser refused access to localStorage ({}); the page may be sandboxed or site data may be blocked.",
            describe(&e)
        ))),
        Err(e) => Err(StorageError::Unavailable(format!("opening localStorage failed ({}).", describe(&e)))),
    }
}

/// Whether a `setItem` exception means the storage is full: the standard
/// `QuotaExceededError`, old Firefox's `NS_ERROR_DOM_QUOTA_REACHED`, or the
/// legacy code 22 that some browsers give with another name.
pub fn is_quota_exceeded(error: &JsValue) -> bool {
    let code = Reflect::get(error, &JsValue::from_str("code")).ok().and_then(|c| c.as_f64());
    matches!(name(error).as_deref(), Some("QuotaExceededError" | "NS_ERROR_DOM_QUOTA_REACHED")) || code == Some(22.0)
}

/// An exception as `name: message`, for error sentences.
pub fn describe(error: &JsValue) -> String {
    let message = Reflect::get(error, &JsValue::from_str("message")).ok().and_then(|m| m.as_string());
    match (name(error), message) {
        (Some(name), Some(message)) if !message.is_empty() => format!("{name}: {message}"),
        (Some(name), _) => name,
        (None, Some(message)) => message,
        (None, None) => error.as_string().unwrap_or_else(|| "an exception without a message".to_string()),
    }
}

/// The exception's `name` (a `DOMException`'s kind), if it has one.
fn name(error: &JsValue) -> Option<String> {
    Reflect::get(error, &JsValue::from_str("name")).ok().and_then(|n| n.as_string())
}
