//! One commit to localStorage, all or nothing, without transactions: the
//! reads and the writes happen in one synchronous run by the store's one
//! writer tab (`writer`: no other tab writes), the writes are reduced to
//! the final content of every item they touch, the previous content of
//! those items is read, and then they are written. When a write throws,
//! the items already written are put back, newest first, which passes back
//! through states that existed moments before, so the restore itself
//! cannot run out of room.

use std::collections::BTreeMap;

use wasm_bindgen::JsValue;

use super::{Area, thrown};
use crate::engine::{Commit, Stored, Writes};
use crate::error::StorageError;

/// The final content of every item a commit touches, by localStorage key:
/// `None` removes it.
pub type Plan = BTreeMap<String, Option<String>>;

/// Decides and writes a commit here and now: for the tab that is the
/// store's writer (see `writer`), whose reads are therefore current.
pub fn local(area: &Area, mut commit: Commit) -> Result<(), StorageError> {
    let stored = read(area, &commit.reads, &commit.lists)?;
    let writes = (commit.decide)(stored);
    let (cleared, items) = flatten(writes);
    apply(area, &plan(area, &cleared, items)?)
}

/// What this tab's localStorage holds at `reads` and under `lists`.
pub fn read(area: &Area, reads: &[String], lists: &[String]) -> Result<Stored, StorageError> {
    let get = |item: &str| area.storage.get_item(item).map_err(|e| failed("reading an item before writing it", &e));
    let mut stored = Stored::default();
    for key in reads {
        stored.items.push(get(&area.place(key))?);
    }
    for prefix in lists {
        let mut texts = Vec::new();
        for item in area.keys_under(&area.place(prefix))? {
            texts.extend(get(&item)?);
        }
        stored.listed.push(texts);
    }
    Ok(stored)
}

/// The item keys of the items stored under the item-key prefix `prefix`.
pub fn item_keys_under(area: &Area, prefix: &str) -> Result<Vec<String>, StorageError> {
    let placed = area.keys_under(&area.place(prefix))?;
    Ok(placed.into_iter().filter_map(|item| item.strip_prefix(area.prefix.as_str()).map(str::to_string)).collect())
}

/// A commit's writes as cleared prefixes and the final content of each
/// item, by item key (the order of steps matters only to storage that can
/// fail half-way, and a commit here is all or nothing).
pub fn flatten(writes: Writes) -> (Vec<String>, Vec<(String, Option<String>)>) {
    let mut items = Vec::new();
    for step in writes.steps {
        items.extend(step.puts.into_iter().map(|(key, text)| (key, Some(text))));
        items.extend(step.deletes.into_iter().map(|key| (key, None)));
    }
    (writes.cleared, items)
}

/// The plan of cleared prefixes (expanded to the items stored under them
/// now) and items, by localStorage key.
pub fn plan(area: &Area, cleared: &[String], items: Vec<(String, Option<String>)>) -> Result<Plan, StorageError> {
    let mut plan = Plan::new();
    for prefix in cleared {
        for item in area.keys_under(&area.place(prefix))? {
            plan.insert(item, None);
        }
    }
    plan.extend(items.into_iter().map(|(key, text)| (area.place(&key), text)));
    Ok(plan)
}

/// Writes the whole plan, or leaves every item as it was and says why.
pub fn apply(area: &Area, plan: &Plan) -> Result<(), StorageError> {
    let mut before = BTreeMap::new();
    for item in plan.keys() {
        let old = area.storage.get_item(item).map_err(|e| failed("reading an item before writing it", &e))?;
        before.insert(item.as_str(), old);
    }
    // Removals first: they free room for the writes after them.
    let removals = plan.iter().filter(|(_, new)| new.is_none());
    let puts = plan.iter().filter(|(_, new)| new.is_some());
    let mut done: Vec<&str> = Vec::new();
    for (item, new) in removals.chain(puts) {
        let written = match new {
            Some(text) => area.storage.set_item(item, text),
            None => area.storage.remove_item(item),
        };
        if let Err(error) = written {
            return Err(undo(area, &done, &before, &error));
        }
        done.push(item);
    }
    count(area);
    Ok(())
}

/// Writes the next count of commits, after the commit's items (see
/// `COMMITS` in `local_storage/mod.rs`). When there is no room even for
/// that, the count is removed instead: its removal ends the commit's
/// events for the other tabs as well.
fn count(area: &Area) {
    let place = area.commits();
    let last = area.storage.get_item(&place).ok().flatten().and_then(|text| text.parse::<u64>().ok()).unwrap_or(0);
    if area.storage.set_item(&place, &last.wrapping_add(1).to_string()).is_err() {
        let _ = area.storage.remove_item(&place);
    }
}

/// Puts back every item in `done`, newest first, and gives the error the
/// failed write becomes.
fn undo(area: &Area, done: &[&str], before: &BTreeMap<&str, Option<String>>, error: &JsValue) -> StorageError {
    let mut unrestored = Vec::new();
    for item in done.iter().rev() {
        let restored = match before.get(item) {
            Some(Some(old)) => area.storage.set_item(item, old),
            _ => area.storage.remove_item(item),
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
