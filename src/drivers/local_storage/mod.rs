//! The localStorage driver: one item per engine item, under the store's
//! prefix (`layout::store_prefix`), which every page of the origin shares.
//!
//! localStorage is synchronous, so scanning finishes before its future is
//! even returned. It has no transactions: a commit is made all or nothing
//! by putting back what it wrote when a write throws (`commit`). And a tab
//! sees another tab's writes only some time later, so one tab writes for
//! all, the others hand it their commits (`writer`).

mod commit;
mod events;
mod lock;
mod note;
mod thrown;
mod writer;

use std::rc::Rc;

use web_sys::Storage;
use writer::Writer;

use crate::backend::LocalBoxFuture;
use crate::engine::{Commit, Driver, Engine, Found, Hearing, layout};
use crate::error::StorageError;

/// A store kept in localStorage: the engine over [`LocalStorageDriver`].
pub type LocalStorageBackend = Engine<LocalStorageDriver>;

impl LocalStorageBackend {
    /// The store called `name` in this page's localStorage, read. Fails
    /// with [`StorageError::Unavailable`] when the page has no usable
    /// localStorage (not a window, sandboxed, site data blocked) or when
    /// the store's items are in a format this version cannot read.
    pub async fn open(name: &str) -> Result<LocalStorageBackend, StorageError> {
        Engine::over(LocalStorageDriver::open(name).await?).await
    }
}

/// The page's localStorage, as seen by one store.
pub struct LocalStorageDriver {
    area: Area,
    /// Other tabs' writes, heard through the window's `storage` event.
    events: events::Listening,
    /// Whether this tab writes the store, or hands its commits to the tab
    /// that does.
    writer: Rc<Writer>,
}

/// The store's items: the page's localStorage under the store's prefix.
#[derive(Clone)]
pub struct Area {
    storage: Storage,
    /// The start of every item of this store.
    prefix: String,
}

fn read_failed(e: &wasm_bindgen::JsValue) -> StorageError {
    StorageError::Unavailable(format!("reading localStorage failed ({}).", thrown::describe(e)))
}

/// The item, under the store's prefix, that every commit writes last with a
/// new count: another tab hears one `storage` event per item, and this one
/// tells it where a commit's events end (see `events`). No engine item key
/// (`engine/layout.rs`) starts with `~`.
const COMMITS: &str = "~commits";

impl Area {
    /// Where the item `key` is stored.
    fn place(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    /// Where the count of commits is stored (see [`COMMITS`]).
    fn commits(&self) -> String {
        self.place(COMMITS)
    }

    /// The localStorage keys that start with `prefix`. All keys are read
    /// before anything is done with them, because `key(i)` shifts when an
    /// item is added or removed.
    fn keys_under(&self, prefix: &str) -> Result<Vec<String>, StorageError> {
        let length = self.storage.length().map_err(|e| read_failed(&e))?;
        let mut keys = Vec::new();
        for i in 0..length {
            if let Some(key) = self.storage.key(i).map_err(|e| read_failed(&e))? {
                if key.starts_with(prefix) {
                    keys.push(key);
                }
            }
        }
        Ok(keys)
    }
}

impl LocalStorageDriver {
    /// The store called `name` in this page's localStorage, once this tab
    /// knows whether it is the store's writer.
    pub async fn open(name: &str) -> Result<LocalStorageDriver, StorageError> {
        let area = Area { storage: thrown::local_storage()?, prefix: layout::store_prefix(name) };
        let writer = Writer::open(area.clone()).await?;
        Ok(LocalStorageDriver { area, events: events::Listening::default(), writer })
    }

    fn scan_now(&self, found: &mut dyn FnMut(Found)) -> Result<(), StorageError> {
        let area = &self.area;
        for item in area.keys_under(&area.prefix)? {
            let text = match area.storage.get_item(&item) {
                Ok(Some(text)) => Ok(text),
                // Removed meanwhile (by another tab): nothing to load.
                Ok(None) => continue,
                Err(e) => Err(format!("it could not be read ({})", thrown::describe(&e))),
            };
            if item == area.commits() {
                continue;
            }
            let key = item.strip_prefix(area.prefix.as_str()).map(str::to_string).ok_or(item.clone());
            found(Found { key, text });
        }
        Ok(())
    }
}

impl Driver for LocalStorageDriver {
    fn describe(&self) -> String {
        format!("localStorage under {:?}", self.area.prefix)
    }

    fn place(&self, key: &str) -> String {
        self.area.place(key)
    }

    fn scan(&self, mut found: Box<dyn FnMut(Found)>) -> LocalBoxFuture<'_, Result<(), StorageError>> {
        Box::pin(std::future::ready(self.scan_now(&mut found)))
    }

    fn commit(&self, commit: Commit) -> LocalBoxFuture<'static, Result<(), StorageError>> {
        Box::pin(self.writer.clone().commit(commit))
    }

    fn listen(&self, hearing: Hearing) {
        self.writer.tell(hearing.clone());
        self.events.start(&self.area, hearing, self.writer.clone());
    }

    fn spawn(&self, task: LocalBoxFuture<'static, ()>) {
        wasm_bindgen_futures::spawn_local(task);
    }

    fn sleep(&self, ms: u32) -> Option<LocalBoxFuture<'static, ()>> {
        Some(Box::pin(crate::drivers::timer::sleep(i32::try_from(ms).unwrap_or(i32::MAX))))
    }
}
