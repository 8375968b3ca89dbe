//! One commit to localStorage, all or nothing, without transactions: the
//! guards' reads and the writes happen in one synchronous run (no other
//! script of this page can come between them), the writes are reduced to
//! the final content of every item they touch, the previous content of
//! those items is read, and then they are written. When a write throws,
//! the items already written are put back, newest first, which passes back
//! through states that existed moments before, so the restore itself
//! cannot run out of room.

use std::collections::BTreeMap;

use wasm_bindgen::JsValue;

use super::{LocalStorageDriver, thrown};
use crate::engine::{Commit, Driver, Stored};
use crate::error::StorageError;

/// Writes the whole commit, or leaves every item as it was and says why.
pub fn run(driver: &LocalStorageDriver, mut commit: Commit) -> Result<(), StorageError> {
    let read = |item: &str| driver.storage.get_item(item).map_err(|e| failed("reading an item before writing it", &e));
    let mut stored = Stored::default();
    for key in &commit.reads {
        stored.items.push(read(&driver.place(key))?);
    }
    for prefix in &commit.lists {
        let mut texts = Vec::new();
        for item in driver.keys_under(&driver.place(prefix))? {
            texts.extend(read(&item)?);
        }
        stored.listed.push(texts);
    }
    let writes = (commit.decide)(stored);
    // The final content of every item, by localStorage key: `None` removes it.
    let mut plan: BTreeMap<String, Option<String>> = BTreeMap::new();
    for prefix in &writes.cleared {
        for item in driver.keys_under(&driver.place(prefix))? {
            plan.insert(item, None);
        }
    }
    for step in writes.steps {
        plan.extend(step.puts.into_iter().map(|(key, text)| (driver.place(&key), Some(text))));
        plan.extend(step.deletes.iter().map(|key| (driver.place(key), None)));
    }
    let mut before = BTreeMap::new();
    for item in plan.keys() {
        let old = driver.storage.get_item(item).map_err(|e| failed("reading an item before writing it", &e))?;
        before.insert(item.as_str(), old);
    }
    // Removals first: they free room for the writes after them.
    let removals = plan.iter().filter(|(_, new)| new.is_none());
    let puts = plan.iter().filter(|(_, new)| new.is_some());
    let mut done: Vec<&str> = Vec::new();
    for (item, new) in removals.chain(puts) {
        let written = match new {
            Some(text) => driver.storage.set_item(item, text),
            None => driver.storage.remove_item(item),
        };
        if let Err(error) = written {
            return Err(undo(driver, &done, &before, &error));
        }
        done.push(item);
    }
    Ok(())
}

/// Puts back every item in `done`, newest first, and gives the error the
/// failed write becomes.
fn undo(driver: &LocalStorageDriver, done: &[&str], before: &BTreeMap<&str, Option<String>>, error: &JsValue) -> StorageError {
    let mut unrestored = Vec::new();
    for item in done.iter().rev() {
        let restored = match before.get(item) {
            Some(Some(old)) => driver.storage.set_item(item, old),
            _ => driver.storage.remove_item(item),
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
