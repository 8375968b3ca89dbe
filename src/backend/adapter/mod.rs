//! The adapter backend: a store kept in any async key-value storage that
//! has the adapter shape of `adapter.js` (get, put, delete, list by prefix,
//! and optionally batch calls and transactions). Workers KV namespaces and
//! Durable Object storage are wrapped into that shape by `adapter.js`.
//!
//! The layout is `flat`'s: one item per instance and record, holding its
//! `codec` document, under the store's prefix, plus the meta item with the
//! format version (checked on open).
//!
//! Loading lists the prefix page by page (following the cursor), then reads
//! the items (in batches when the adapter has `getMany`).
//!
//! A commit is reduced to one write per item and written in the steps of
//! `flat::plan`. With `transaction` (Durable Objects) the steps run inside
//! one transaction: all or nothing. Without it (Workers KV) each step's
//! writes run concurrently and a failure stops the commit: the writes made
//! before it stay, which the error sentence says; the store rolls its memory
//! back, so memory shows the state before the batch while storage may hold
//! part of it, never a record without its instance.

mod sys;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::codec::FORMAT_VERSION;
use super::flat::keys::StorageKeys;
use super::flat::load::Loader;
use super::flat::plan::{Known, Plan, Step};
use super::{Backend, LocalBoxFuture, Snapshot};
use crate::error::StorageError;
use crate::model::Change;

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

/// Keeps a store in an adapter; see the module docs.
pub struct AdapterBackend {
    inner: Rc<Inner>,
}

struct Inner {
    adapter: JsValue,
    keys: StorageKeys,
    /// The item keys stored, for namespace and instance deletes.
    known: RefCell<Known>,
    /// Whether the meta item is known to hold [`FORMAT_VERSION`].
    meta_written: Cell<bool>,
    /// What `open` read, until `load` hands it to the store.
    opened: RefCell<Option<Snapshot>>,
}

fn unavailable(doing: &str, thrown: &JsValue) -> StorageError {
    StorageError::Unavailable(format!("{doing} failed ({}).", sys::error_text(thrown)))
}

impl AdapterBackend {
    /// Opens the store `name` in the plugged storage and reads it whole (so
    /// that an unreadable storage fails here, where `fallback` applies).
    /// Fails with `Unavailable` when the storage cannot be read, holds
    /// another format, or the name cannot fit its keys.
    pub async fn open(plugged: Plugged, name: &str) -> Result<AdapterBackend, StorageError> {
        let keys = StorageKeys::new(name).map_err(StorageError::Unavailable)?;
        let meta_key = keys.storage_key(&keys.items().meta());
        let found = sys::get_all(&plugged.adapter, sys::strings([&meta_key])).await.map_err(|e| unavailable("reading the storage", &e))?;
        let meta = Array::from(&found).get(0);
        let meta_written = match meta.as_string() {
            Some(version) if version == FORMAT_VERSION.to_string() => true,
            None if meta.is_null() || meta.is_undefined() => false,
            other => {
                return Err(StorageError::Unavailable(format!(
                    "the items of store {name:?} are in format {}, and this boltkv reads only format {FORMAT_VERSION}; open it with the boltkv that wrote it, or use another store name.",
                    other.unwrap_or_else(|| "(not text)".to_string())
                )));
            }
        };
        let inner = Inner {
            adapter: plugged.adapter,
            keys,
            known: RefCell::default(),
            meta_written: Cell::new(meta_written),
            opened: RefCell::default(),
        };
        let snapshot = inner.read().await?;
        inner.opened.replace(Some(snapshot));
        Ok(AdapterBackend { inner: Rc::new(inner) })
    }
}

impl Inner {
    async fn load(&self) -> Result<Snapshot, StorageError> {
        let opened = self.opened.take();
        match opened {
            Some(snapshot) => Ok(snapshot),
            None => self.read().await,
        }
    }

    /// Every item under the prefix, decoded; remembers which are stored.
    async fn read(&self) -> Result<Snapshot, StorageError> {
        let prefix = self.keys.prefix();
        let mut listed: Vec<String> = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = sys::list_page(&self.adapter, prefix, cursor.clone()).await.map_err(|e| unavailable("listing the storage", &e))?;
            listed.extend(Array::from(&sys::member(&page, "keys")).iter().filter_map(|key| key.as_string()));
            let next = sys::member(&page, "cursor").as_string();
            if next.is_none() || next == cursor {
                break;
            }
            cursor = next;
        }
        let contents = sys::get_all(&self.adapter, sys::strings(&listed)).await.map_err(|e| unavailable("reading the storage", &e))?;
        let contents = Array::from(&contents);
        let mut loader = Loader::new(&self.keys);
        for (n, key) in listed.iter().enumerate() {
            let content = contents.get(u32::try_from(n).unwrap_or(u32::MAX));
            let content = match content.as_string() {
                Some(text) => Ok(Some(text)),
                None if content.is_null() || content.is_undefined() => Ok(None),
                None => Err("it holds something other than text".to_string()),
            };
            loader.add(key, content);
        }
        let (snapshot, known) = loader.finish();
        *self.known.borrow_mut() = known;
        Ok(snapshot)
    }

    async fn commit(&self, changes: Vec<Change>) -> Result<(), StorageError> {
        let plan = Plan::new(&self.keys, &self.known.borrow(), changes, !self.meta_written.get());
        let steps = plan.steps(&self.keys);
        if steps.is_empty() {
            return Ok(());
        }
        let outcome = if sys::has_transaction(&self.adapter) {
            in_transaction(&self.adapter, steps).await
        } else {
            write(&self.adapter, &steps).await.map_err(|failure| {
                StorageError::Failed(format!(
                    "{failure}. This storage has no transactions, so the writes made before the failure were kept: it may hold part of this batch (never a record without its instance) until those keys are written again. The store answers from the state before the batch; reopening it shows what the storage holds."
                ))
            })
        };
        match outcome {
            Ok(()) => {
                self.known.borrow_mut().committed(&plan);
                self.meta_written.set(true);
                Ok(())
            }
            Err(error) => {
                self.known.borrow_mut().maybe_written(&plan);
                Err(error)
            }
        }
    }
}

/// Runs the steps inside the adapter's transaction: all or nothing.
async fn in_transaction(adapter: &JsValue, steps: Vec<Step>) -> Result<(), StorageError> {
    let work = Closure::once_into_js(move |txn: JsValue| -> Promise {
        future_to_promise(async move {
            write(&txn, &steps).await.map(|()| JsValue::UNDEFINED).map_err(|failure| JsValue::from(js_sys::Error::new(&failure)))
        })
    });
    sys::transaction(adapter, work.unchecked_ref()).await.map(drop).map_err(|e| {
        StorageError::Failed(format!("the transaction failed ({}); nothing of the batch was kept.", sys::error_text(&e)))
    })
}

/// Writes the steps in order, each one's writes together; stops at the
/// first failure, saying which step failed and why.
async fn write(adapter: &JsValue, steps: &[Step]) -> Result<(), String> {
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

impl Backend for AdapterBackend {
    fn persists(&self) -> bool {
        true
    }

    fn load(&self) -> LocalBoxFuture<'_, Result<Snapshot, StorageError>> {
        Box::pin(self.inner.load())
    }

    fn commit(&self, changes: Vec<Change>) -> LocalBoxFuture<'static, Result<(), StorageError>> {
        let inner = self.inner.clone();
        Box::pin(async move { inner.commit(changes).await })
    }
}
