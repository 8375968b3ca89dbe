//! The adapter driver: a store kept in any async key-value storage that
//! has the adapter shape of `adapter.js` (get, put, delete, list by prefix,
//! and optionally batch calls and transactions). Workers KV namespaces and
//! Durable Object storage are wrapped into that shape by `adapter.js`.
//!
//! Items live under the store's prefix, a key too long for Workers KV
//! under its hash (see `keys`).
//!
//! Scanning lists the prefix page by page (following the cursor), then reads
//! the items (in batches when the adapter has `getMany`).
//!
//! A commit is written in the engine's steps. With `transaction` (Durable
//! Objects) the guards' reads and the steps run inside one transaction:
//! all or nothing, and no other request comes between them. Without it (Workers KV) each step's
//! writes run concurrently and a failure stops the commit: the writes made
//! before it stay, which the error sentence says; the store rolls its memory
//! back, so memory shows the state before the batch while storage may hold
//! part of it, never a record without its instance.

mod keys;
mod sys;

use std::rc::Rc;

use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::backend::LocalBoxFuture;
use crate::engine::{Commit, Decide, Driver, Engine, Found, Stored};
use crate::error::StorageError;
use crate::js_text::as_string;
use keys::StorageKeys;

/// A live backend object from `open`'s options, checked and given the
/// adapter shape.
pub struct Plugged {
    /// `open`'s spelling of it: `kv`, `durableObject` or `adapter`.
    pub kind: &'static str,
    adapter: JsValue,
}

/// Takes a live `backend` object out of `open`'s options: the remaining
/// options (for the JSON check) and the plugged backend, or `None` when
/// `backend` is not an object. Fails with a sentence when the object is not
/// one of the documented shapes.
pub fn split_options(options: &JsValue) -> Result<Option<(JsValue, Plugged)>, String> {
    let split = sys::split_backend(options);
    if split.is_undefined() {
        return Ok(None);
    }
    let plugged = sys::plug(&sys::member(&split, "backend")).map_err(|e| sys::error_text(&e))?;
    let kind = match sys::member(&plugged, "kind").as_string().as_deref() {
        Some("kv") => "kv",
        Some("durableObject") => "durableObject",
        _ => "adapter",
    };
    Ok(Some((sys::member(&split, "rest"), Plugged { kind, adapter: sys::member(&plugged, "adapter") })))
}

/// A store kept in an adapter: the engine over [`AdapterDriver`].
pub type AdapterBackend = Engine<AdapterDriver>;

impl AdapterBackend {
    /// Opens the store `name` in the plugged storage and reads it whole.
    /// Fails with `Unavailable` when the storage cannot be read, holds
    /// another format, or the name cannot fit its keys.
    pub async fn open(plugged: Plugged, name: &str) -> Result<AdapterBackend, StorageError> {
        let keys = StorageKeys::new(name).map_err(StorageError::Unavailable)?;
        Engine::over(AdapterDriver { inner: Rc::new(Inner { adapter: plugged.adapter, keys }) }).await
    }
}

/// Talks to one adapter; see the module docs.
pub struct AdapterDriver {
    inner: Rc<Inner>,
}

struct Inner {
    adapter: JsValue,
    keys: StorageKeys,
}

fn unavailable(doing: &str, thrown: &JsValue) -> StorageError {
    StorageError::Unavailable(format!("{doing} failed ({}).", sys::error_text(thrown)))
}

impl Inner {
    /// Every item under the prefix, listed page by page, then read.
    async fn scan(&self, mut found: Box<dyn FnMut(Found)>) -> Result<(), StorageError> {
        let listed = list(&self.adapter, self.keys.prefix()).await.map_err(|e| unavailable("listing the storage", &e))?;
        let contents = sys::get_all(&self.adapter, sys::strings(&listed)).await.map_err(|e| unavailable("reading the storage", &e))?;
        for (key, content) in listed.iter().zip(Array::from(&contents).iter()) {
            let text = match as_string(&content) {
                Some(text) => Ok(text),
                // Removed after the list was made: nothing to load.
                None if content.is_null() || content.is_undefined() => continue,
                None => Err("it holds something other than text".to_string()),
            };
            found(Found { key: self.keys.item_key(key), text });
        }
        Ok(())
    }

    async fn commit(self: Rc<Self>, commit: Commit) -> Result<(), StorageError> {
        let Commit { reads, lists, decide, .. } = commit;
        let looks = Looks { reads, lists };
        if sys::has_transaction(&self.adapter) {
            return in_transaction(self, looks, decide).await;
        }
        let steps = self.decide(&self.adapter, &looks, decide).await.map_err(|why| StorageError::Failed(format!("{why}; nothing was written.")))?;
        write(&self.adapter, &steps).await.map_err(|failure| {
            StorageError::Failed(format!(
                "{failure}. This storage has no transactions, so the writes made before the failure were kept: it may hold part of this batch (never a record without its instance) until those keys are written again. The store answers from the state before the batch; reopening it shows what the storage holds."
            ))
        })
    }

    /// Reads what the commit looks at through `adapter` (the storage, or a
    /// transaction of it) and decides the steps, with storage keys.
    async fn decide(&self, adapter: &JsValue, looks: &Looks, mut decide: Decide) -> Result<Vec<Placed>, String> {
        let failed = |e: JsValue| format!("reading before writing failed ({})", sys::error_text(&e));
        let mut stored = Stored::default();
        if !looks.reads.is_empty() {
            let placed: Vec<String> = looks.reads.iter().map(|key| self.keys.storage_key(key)).collect();
            let found = sys::get_all(adapter, sys::strings(&placed)).await.map_err(failed)?;
            stored.items.extend(Array::from(&found).iter().map(|text| as_string(&text)));
        }
        for prefix in &looks.lists {
            let listed = list(adapter, &self.keys.storage_key(prefix)).await.map_err(failed)?;
            let found = sys::get_all(adapter, sys::strings(&listed)).await.map_err(failed)?;
            stored.listed.push(Array::from(&found).iter().filter_map(|text| as_string(&text)).collect());
        }
        let writes = decide(stored);
        let place = |key: &String| self.keys.storage_key(key);
        let expires = |key: &String| writes.expiring.get(key).copied();
        Ok(writes
            .steps
            .iter()
            .map(|step| Placed {
                doing: step.doing,
                puts: step.puts.iter().map(|(key, text)| (place(key), text.clone(), expires(key))).collect(),
                deletes: step.deletes.iter().map(place).collect(),
            })
            .collect())
    }
}

/// Runs the reads, the decision and the steps inside the adapter's
/// transaction: all or nothing.
async fn in_transaction(inner: Rc<Inner>, looks: Looks, decide: Decide) -> Result<(), StorageError> {
    let adapter = inner.adapter.clone();
    let work = Closure::once_into_js(move |txn: JsValue| -> Promise {
        future_to_promise(async move {
            let steps = inner.decide(&txn, &looks, decide).await.map_err(|why| JsValue::from(js_sys::Error::new(&why)))?;
            write(&txn, &steps).await.map(|()| JsValue::UNDEFINED).map_err(|failure| JsValue::from(js_sys::Error::new(&failure)))
        })
    });
    sys::transaction(&adapter, work.unchecked_ref()).await.map(drop).map_err(|e| {
        StorageError::Failed(format!("the transaction failed ({}); nothing of the batch was kept.", sys::error_text(&e)))
    })
}

/// Where a commit looks before deciding: [`Commit::reads`] and [`Commit::lists`].
struct Looks {
    reads: Vec<String>,
    lists: Vec<String>,
}

/// Every storage key under `prefix`, listed page by page.
async fn list(adapter: &JsValue, prefix: &str) -> Result<Vec<String>, JsValue> {
    let mut listed: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = sys::list_page(adapter, prefix, cursor.clone()).await?;
        listed.extend(Array::from(&sys::member(&page, "keys")).iter().filter_map(|key| key.as_string()));
        let next = sys::member(&page, "cursor").as_string();
        if next.is_none() || next == cursor {
            return Ok(listed);
        }
        cursor = next;
    }
}

/// A step with storage keys, each put with when its record expires (for
/// storage that can expire items itself).
struct Placed {
    doing: &'static str,
    puts: Vec<(String, String, Option<i64>)>,
    deletes: Vec<String>,
}

/// Writes the steps in order, each one's writes together; stops at the
/// first failure, saying which step failed and why.
async fn write(adapter: &JsValue, steps: &[Placed]) -> Result<(), String> {
    for step in steps {
        let failed = |e: JsValue| format!("{} failed ({})", step.doing, sys::error_text(&e));
        if !step.puts.is_empty() {
            sys::put_all(adapter, sys::entries(&step.puts)).await.map_err(failed)?;
        }
        if !step.deletes.is_empty() {
            sys::delete_all(adapter, sys::strings(&step.deletes)).await.map_err(failed)?;
        }
    }
    Ok(())
}

impl Driver for AdapterDriver {
    fn describe(&self) -> String {
        format!("storage under {:?}", self.inner.keys.prefix())
    }

    fn place(&self, key: &str) -> String {
        self.inner.keys.storage_key(key)
    }

    /// Workers KV lists are eventually consistent: a key written a moment
    /// ago may be missing from a list.
    fn lists_reliably(&self) -> bool {
        false
    }

    /// Only storage with transactions (Durable Objects) reads, decides and
    /// writes as one step.
    fn checks(&self) -> bool {
        sys::has_transaction(&self.inner.adapter)
    }

    fn scan(&self, found: Box<dyn FnMut(Found)>) -> LocalBoxFuture<'_, Result<(), StorageError>> {
        Box::pin(self.inner.scan(found))
    }

    fn commit(&self, commit: Commit) -> LocalBoxFuture<'static, Result<(), StorageError>> {
        Box::pin(self.inner.clone().commit(commit))
    }

    fn spawn(&self, task: LocalBoxFuture<'static, ()>) {
        wasm_bindgen_futures::spawn_local(task);
    }

    fn sleep(&self, ms: u32) -> Option<LocalBoxFuture<'static, ()>> {
        Some(Box::pin(crate::drivers::timer::sleep(i32::try_from(ms).unwrap_or(i32::MAX))))
    }
}
