//! The localStorage backend: one item per record and per instance, under a
//! prefix of the store name (see `item_key`), each holding a `codec`
//! document, plus one meta item holding the format version.
//!
//! localStorage is synchronous, so loading and committing finish before
//! their futures are even returned. It has no transactions: `batch` makes a
//! commit all or nothing by undoing what it wrote when a write throws.

mod batch;
mod events;
mod thrown;

use std::cell::Cell;
use std::collections::BTreeSet;

use web_sys::Storage;

use super::codec::FORMAT_VERSION;
use super::item_key::{Item, ItemKey, ItemKeys, decode_item};
use super::{Backend, ChangeSink, LocalBoxFuture, Snapshot};
use crate::error::StorageError;
use crate::model::Change;

/// A store kept in the page's localStorage, which outlives reloads and is
/// shared by every page of the origin.
pub struct LocalStorageBackend {
    storage: Storage,
    keys: ItemKeys,
    name: String,
    /// Whether the meta item is known to hold [`FORMAT_VERSION`]; until it
    /// is, each commit writes it along with the batch.
    meta_written: Cell<bool>,
    /// Other tabs' writes, heard through the window's `storage` event.
    events: events::Listening,
}

impl LocalStorageBackend {
    /// The store called `name` in this page's localStorage. Fails with
    /// [`StorageError::Unavailable`] when the page has no usable localStorage
    /// (not a window, sandboxed, site data blocked) or when the store's items
    /// are in a format this version cannot read.
    pub fn open(name: &str) -> Result<LocalStorageBackend, StorageError> {
        let storage = thrown::local_storage()?;
        let keys = ItemKeys::new(name);
        let meta = storage
            .get_item(&keys.meta())
            .map_err(|e| StorageError::Unavailable(format!("reading localStorage failed ({}).", thrown::describe(&e))))?;
        if let Some(version) = &meta {
            check_format(name, version)?;
        }
        Ok(LocalStorageBackend {
            storage,
            keys,
            name: name.to_string(),
            meta_written: Cell::new(meta.is_some()),
            events: events::Listening::default(),
        })
    }

    /// The keys of every item under this store's prefix. All keys are read
    /// before anything is done with them, because `key(i)` shifts when an
    /// item is added or removed.
    fn stored_keys(&self) -> Result<Vec<String>, StorageError> {
        let read_failed = |e| StorageError::Unavailable(format!("reading localStorage failed ({}).", thrown::describe(&e)));
        let length = self.storage.length().map_err(read_failed)?;
        let mut keys = Vec::new();
        for i in 0..length {
            if let Some(key) = self.storage.key(i).map_err(read_failed)? {
                if key.starts_with(self.keys.prefix()) {
                    keys.push(key);
                }
            }
        }
        Ok(keys)
    }

    /// Everything under the prefix, with each item that is not a well-formed
    /// instance or record of this store reported and left alone.
    fn read_all(&self) -> Result<Snapshot, StorageError> {
        let mut snapshot = Snapshot::default();
        let mut records = Vec::new();
        for item in self.stored_keys()? {
            let Some(kind) = self.keys.decode(&item) else {
                snapshot.skipped.push(format!(
                    "localStorage item {item:?} is under the prefix of store {:?} but is not one of its items; it was left alone.",
                    self.name
                ));
                continue;
            };
            let text = match self.storage.get_item(&item) {
                Ok(Some(text)) => text,
                // Removed meanwhile (by another tab): nothing to load.
                Ok(None) => continue,
                Err(e) => {
                    snapshot.skipped.push(format!("localStorage item {item:?} could not be read ({}).", thrown::describe(&e)));
                    continue;
                }
            };
            let loaded = match kind {
                ItemKey::Meta => continue,
                item_kind => decode_item(item_kind, &text),
            };
            match loaded {
                Ok(Item::Instance(instance)) => snapshot.instances.push(instance),
                Ok(Item::Record(record)) => records.push((item, record)),
                Err(why) => snapshot.skipped.push(format!("localStorage item {item:?} was skipped: {why}.")),
            }
        }
        let instances: BTreeSet<_> = snapshot.instances.iter().map(|i| i.id).collect();
        for (item, record) in records {
            if instances.contains(&record.instance_id) {
                snapshot.records.push(record);
            } else {
                let why = format!("its instance {} is not stored", record.instance_id);
                snapshot.skipped.push(format!("localStorage item {item:?} was skipped: {why}."));
            }
        }
        Ok(snapshot)
    }
}

/// Refuses data written in a layout this version does not know.
fn check_format(name: &str, version: &str) -> Result<(), StorageError> {
    match version.parse::<u32>() {
        Ok(FORMAT_VERSION) => Ok(()),
        _ => Err(StorageError::Unavailable(format!(
            "the localStorage items of store {name:?} are in format {version:?}, and this version of boltkv reads only format {FORMAT_VERSION}; open it with the version that wrote it, or use another store name."
        ))),
    }
}

impl Backend for LocalStorageBackend {
    fn persists(&self) -> bool {
        true
    }

    fn load(&self) -> LocalBoxFuture<'_, Result<Snapshot, StorageError>> {
        Box::pin(std::future::ready(self.read_all()))
    }

    fn commit(&self, changes: Vec<Change>) -> LocalBoxFuture<'static, Result<(), StorageError>> {
        Box::pin(std::future::ready(batch::commit(self, changes)))
    }

    fn watch(&self, sink: ChangeSink) {
        self.events.start(&self.storage, self.keys.clone(), sink);
    }
}
