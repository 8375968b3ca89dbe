//! A web page written in Rust on boltkv's IndexedDB backend: it opens a
//! store in the browser's IndexedDB, writes a typed value and reads it back,
//! counts its own visits across reloads, and shows what it did in
//! `index.html`. scripts/test.sh builds it (`cargo build --target
//! wasm32-unknown-unknown -p boltkv-rust-page`, then `wasm-bindgen --target
//! web` into `examples/rust-page/pkg/`) and tests/browser/rust-page.mjs
//! drives it in headless Chromium. Only a browser build has anything in it.
#![cfg(all(target_arch = "wasm32", target_os = "unknown"))]

use boltkv::{Config, IndexedDbBackend, KvStore};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

#[derive(Serialize, Deserialize)]
struct Theme {
    mode: String,
}

/// Runs the page: fills `#record`, `#theme` and `#visits`, then sets
/// `#status` to `done`. Rejects with the reason when something fails.
#[wasm_bindgen]
pub async fn run() -> Result<(), JsError> {
    let backend = IndexedDbBackend::open("rust-page").await.map_err(boltkv::Error::from)?;
    let store = KvStore::open(Box::new(backend), Config::system()?).await?;
    let record = store.set("app", "settings", "theme", &Theme { mode: "dark".into() }, true).await?;
    let theme: Option<Theme> = store.get("app", "settings", "theme")?;
    let visits = store.get::<u32>("app", "stats", "visits")?.unwrap_or(0).saturating_add(1);
    store.set("app", "stats", "visits", &visits, false).await?;

    // An overwrite keeps the record's id and creation time, so this line
    // reads the same on every visit.
    show("record", &format!("{} at {}", record.id, record.created_at))?;
    show("theme", &theme.map_or_else(|| "(missing)".to_string(), |t| t.mode))?;
    show("visits", &visits.to_string())?;
    show("status", "done")
}

/// Puts `text` into the page's element `#id`.
fn show(id: &str, text: &str) -> Result<(), JsError> {
    let document = web_sys::window().and_then(|window| window.document());
    let element = document.and_then(|document| document.get_element_by_id(id));
    let element = element.ok_or_else(|| JsError::new(&format!("the page has no #{id}")))?;
    element.set_text_content(Some(text));
    Ok(())
}
