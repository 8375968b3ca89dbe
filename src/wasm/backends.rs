//! The backends `KvStore.open` can open in this build. The browser build
//! (feature `browser`) has IndexedDB and localStorage, the worker build
//! (feature `edge`) the backend objects (`{ kv }`, `{ durableObject }`,
//! `{ adapter }`), and both have memory; a backend the build leaves out is
//! refused with a sentence naming the build that has it, so the choice
//! stays one of options and not of imports.

use wasm_bindgen::JsValue;

use super::options::{BackendChoice, Opening};
use super::storage::{self, Storage};
use crate::backend::Backend;
use crate::error::{Error, Result};

#[cfg(feature = "edge")]
pub use crate::drivers::Plugged;

/// A backend object taken out of `open`'s options; none can be in a build
/// without the adapter driver.
#[cfg(not(feature = "edge"))]
pub enum Plugged {}

/// Opens the backend `opening` chose.
pub async fn open(opening: &mut Opening) -> Result<(Box<dyn Backend>, Storage)> {
    match (opening.plugged.take(), opening.backend) {
        (Some(plugged), _) => adapter(plugged, opening).await,
        (None, BackendChoice::Memory) => Ok(storage::memory(opening)),
        (None, BackendChoice::IndexedDb) => indexeddb(opening).await,
        (None, BackendChoice::LocalStorage) => local_storage(opening).await,
    }
}

/// Takes a live `backend` object out of `open`'s options: the remaining
/// options and the object, checked; `None` when `backend` is not an object.
#[cfg(feature = "edge")]
pub fn split(options: &JsValue) -> Result<Option<(JsValue, Plugged)>> {
    crate::drivers::split_options(options).map_err(Error::InvalidOptions)
}

/// Refuses a live `backend` object, which this build cannot open.
#[cfg(not(feature = "edge"))]
pub fn split(options: &JsValue) -> Result<Option<(JsValue, Plugged)>> {
    let backend = js_sys::Reflect::get(options, &JsValue::from_str("backend")).unwrap_or(JsValue::UNDEFINED);
    if options.is_object() && backend.is_object() {
        return Err(Error::InvalidOptions(
            "backend objects ({ kv }, { durableObject }, { adapter }) are not in the browser build of boltkv; \
             the worker build, which Workers and Node load, has them."
                .to_string(),
        ));
    }
    Ok(None)
}

#[cfg(feature = "edge")]
async fn adapter(plugged: Plugged, opening: &Opening) -> Result<(Box<dyn Backend>, Storage)> {
    let kind = plugged.kind;
    storage::chosen(kind, opening, crate::drivers::AdapterBackend::open(plugged, &opening.name).await)
}

#[cfg(not(feature = "edge"))]
async fn adapter(plugged: Plugged, _: &Opening) -> Result<(Box<dyn Backend>, Storage)> {
    match plugged {}
}

#[cfg(feature = "browser")]
async fn indexeddb(opening: &Opening) -> Result<(Box<dyn Backend>, Storage)> {
    storage::chosen("indexeddb", opening, crate::drivers::IndexedDbBackend::open(&opening.name).await)
}

#[cfg(feature = "browser")]
async fn local_storage(opening: &Opening) -> Result<(Box<dyn Backend>, Storage)> {
    storage::chosen("localStorage", opening, crate::drivers::LocalStorageBackend::open(&opening.name).await)
}

#[cfg(not(feature = "browser"))]
async fn indexeddb(opening: &Opening) -> Result<(Box<dyn Backend>, Storage)> {
    absent("indexeddb", "IndexedDB", opening)
}

#[cfg(not(feature = "browser"))]
async fn local_storage(opening: &Opening) -> Result<(Box<dyn Backend>, Storage)> {
    absent("localStorage", "localStorage", opening)
}

/// A browser backend in the worker build, refused as unavailable so that
/// `fallback: 'memory'` applies as it does where the platform lacks it.
#[cfg(not(feature = "browser"))]
fn absent(kind: &'static str, what: &str, opening: &Opening) -> Result<(Box<dyn Backend>, Storage)> {
    let why = format!("{what} is not in the worker build of boltkv, which Workers and Node load; the browser build, which a page loads, has it.");
    storage::chosen::<crate::backend::MemoryBackend>(kind, opening, Err(crate::error::StorageError::Unavailable(why)))
}
