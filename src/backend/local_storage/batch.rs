//! One commit to localStorage, all or nothing, without transactions: the
//! batch is first reduced to the final content of every item it touches,
//! the previous content of those items is read, and then they are written.
//! When a write throws, the items already written are put back, newest
//! first, which passes back through states that existed moments before, so
//! the restore itself cannot run out of room.

use std::collections::BTreeMap;

use wasm_bindgen::JsValue;

use super::{LocalStorageBackend, thrown};
use crate::backend::codec::{self, FORMAT_VERSION};
use crate::backend::item_key::ItemKey;
use crate::error::StorageError;
use crate::model::Change;

/// The final content of every item a batch touches: `None` removes it.
type Plan = BTreeMap<String, Option<String>>;

/// Writes the whole batch, or leaves every item as it was and says why.
pub fn commit(backend: &LocalStorageBackend, changes: Vec<Change>) -> Result<(), StorageError> {
    let plan = plan(backend, changes)?;
    let mut before = BTreeMap::new();
    for item in plan.keys() {
        let old = backend.storage.get_item(item).map_err(|e| failed("reading an item before writing it", &e))?;
        before.insert(item.as_str(), old);
    }
    // Removals first: they free room for the writes after them.
    let removals = plan.iter().filter(|(_, new)| new.is_none());
    let writes = plan.iter().filter(|(_, new)| new.is_some());
    let mut done: Vec<&str> = Vec::new();
    for (item, new) in removals.chain(writes) {
        let written = match new {
            Some(text) => backend.storage.set_item(item, text),
            None => backend.storage.remove_item(item),
        };
        if let Err(error) = written {
            return Err(undo(backend, &done, &before, &error));
        }
        done.push(item);
    }
    backend.meta_written.set(true);
    Ok(())
}

/// Reduces the batch, in order, to the final content of each item.
fn plan(backend: &LocalStorageBackend, changes: Vec<Change>) -> Result<Plan, StorageError> {
    let keys = &backend.keys;
    let mut plan = Plan::new();
    if !backend.meta_written.get() {
        plan.insert(keys.meta(), Some(FORMAT_VERSION.to_string()));
    }
    // Listed on the first prefix removal only: most batches have none.
    let mut stored: Option<Vec<String>> = None;
    for change in changes {
        match change {
            Change::PutInstance(instance) => {
                plan.insert(keys.instance(&instance.id.to_string()), Some(codec::encode_instance(&instance)));
            }
            Change::DeleteInstance(id) => {
                let id = id.to_string();
                plan.insert(keys.instance(&id), None);
                remove_under(backend, &mut plan, &mut stored, &keys.instance_prefix(&id))?;
            }
            Change::PutRecord(record) => {
                let item = keys.record(&record.instance_id.to_string(), &record.namespace, &record.key);
                plan.insert(item, Some(codec::encode_record(&record)));
            }
            Change::DeleteRecord { instance_id, namespace, key } => {
                plan.insert(keys.record(&instance_id.to_string(), &namespace, &key), None);
            }
            Change::DeleteNamespace { instance_id, namespace } => {
                let prefix = keys.namespace_prefix(&instance_id.to_string(), &namespace);
                remove_under(backend, &mut plan, &mut stored, &prefix)?;
            }
        }
    }
    Ok(plan)
}

/// Plans the removal of every record item under `prefix`: those stored and
/// those written earlier in the batch. An item whose key is a record's goes
/// even if its document was skipped as damaged, since clearing a namespace
/// clears what is stored there; an item whose key is not a record's is not
/// this store's to remove, and is left alone.
fn remove_under(
    backend: &LocalStorageBackend,
    plan: &mut Plan,
    stored: &mut Option<Vec<String>>,
    prefix: &str,
) -> Result<(), StorageError> {
    let stored = match stored {
        Some(stored) => stored,
        None => stored.insert(backend.stored_keys()?),
    };
    let is_record = |item: &str| item.starts_with(prefix) && matches!(backend.keys.decode(item), Some(ItemKey::Record { .. }));
    for item in stored.iter().filter(|item| is_record(item)) {
        plan.insert(item.clone(), None);
    }
    for (_, new) in plan.iter_mut().filter(|(item, _)| is_record(item)) {
        *new = None;
    }
    Ok(())
}

/// Puts back every item in `done`, newest first, and gives the error the
/// failed write becomes.
fn undo(
    backend: &LocalStorageBackend,
    done: &[&str],
    before: &BTreeMap<&str, Option<String>>,
    error: &JsValue,
) -> StorageError {
    let mut unrestored = Vec::new();
    for item in done.iter().rev() {
        let restored = match before.get(item) {
            Some(Some(old)) => backend.storage.set_item(item, old),
            _ => backend.storage.remove_item(item),
        };
        if let Err(e) = restored {
            unrestored.push(format!("{item:?} ({})", thrown::describe(&e)));
        }
    }
    match (unrestored.is_empty(), thrown::is_quota_exceeded(error)) {
        (true, true) => StorageError::Full,
        (true, false) => failed("writing to localStorage", error),
        (false, _) => StorageError::Failed(format!(
            "writing to localStorage failed ({}), and putting back the items written before it failed too, so these may hold part of the batch: {}.",
            thrown::describe(error),
            unrestored.join(", ")
        )),
    }
}

fn failed(doing: &str, error: &JsValue) -> StorageError {
    StorageError::Failed(format!("{doing} failed ({}); nothing of the batch was kept.", thrown::describe(error)))
}
