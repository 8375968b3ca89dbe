//! Where a commit looks before deciding (`Commit::reads` and
//! `Commit::lists` in `engine/driver.rs`): the items its guards check, read
//! once each, and the prefixes they need listed; and what storage answered.

use std::collections::BTreeSet;

use crate::backend::{Expect, Guard, Place};
use crate::engine::layout;
use crate::id::Uuid;
use crate::model::Change;

/// The item keys a commit reads before deciding: the version counter, then
/// each item a guard checks, once however many guards check it (a burst
/// of writes into one instance checks its item once), in order.
pub fn reads(changes: &[Change], guards: &[Guard]) -> Result<Vec<String>, String> {
    let mut items = BTreeSet::new();
    for guard in guards {
        items.extend(read_by(changes, guard)?);
    }
    let mut reads = vec![layout::VERSIONS.to_string()];
    reads.extend(items);
    Ok(reads)
}

/// What storage holds at `item`, one of the guards' `reads` (sorted after
/// the version counter).
pub(super) fn read(reads: &[String], items: &[Option<String>], item: &str) -> Result<Option<String>, String> {
    let at = reads.get(1..).and_then(|sorted| sorted.binary_search_by(|read| read.as_str().cmp(item)).ok());
    let found = at.and_then(|at| items.get(at.checked_add(1)?));
    found.cloned().ok_or_else(|| "storage did not answer a read the commit asked for".into())
}

/// The item `guard` checks, if it checks one.
pub(super) fn read_by(changes: &[Change], guard: &Guard) -> Result<Option<String>, String> {
    let change = || changes.get(guard.change).ok_or("a guard names a change its batch does not have");
    Ok(match &guard.expect {
        Expect::Stored(_) => Some(place(change()?).ok_or("a repair guard is on a change without one place")?),
        Expect::Version { place, .. } => Some(record_item(place)),
        Expect::InstanceStored | Expect::Unchanged(_) => Some(layout::instance(&written_into(change()?)?.to_string())),
        Expect::NameFree | Expect::NameOrJoin | Expect::Emptied | Expect::Holds { .. } | Expect::KeepsVersions => None,
    })
}

/// The instance a record or instance write writes into.
pub(super) fn written_into(change: &Change) -> Result<Uuid, String> {
    match change {
        Change::PutRecord(r) => Ok(r.instance_id),
        Change::PutInstance(i) => Ok(i.id),
        Change::DeleteInstance(_) | Change::DeleteRecord { .. } | Change::DeleteNamespace { .. } => {
            Err("an instance guard is on a change that writes no instance".into())
        }
    }
}

fn record_item(place: &Place) -> String {
    layout::record(&place.instance_id.to_string(), &place.namespace, &place.key)
}

/// The prefixes a commit lists before deciding: every stored instance for
/// the guards on names (names are not keys) and an import's replace, and
/// the records of each instance an import takes over.
pub fn lists(guards: &[Guard]) -> Vec<String> {
    let mut lists = Vec::new();
    if guards.iter().any(|g| matches!(g.expect, Expect::NameFree | Expect::NameOrJoin | Expect::Emptied)) {
        lists.push(layout::INSTANCES.to_string());
    }
    for guard in guards {
        if let Expect::Holds { instance, .. } = &guard.expect {
            lists.push(layout::instance_prefix(&instance.to_string()));
        }
    }
    lists
}

/// The documents storage listed under `prefix`, one of the [`lists`].
pub(super) fn listed<'a>(lists: &[String], listed: &'a [Vec<String>], prefix: &str) -> Option<&'a [String]> {
    lists.iter().position(|asked| asked == prefix).and_then(|at| listed.get(at)).map(Vec::as_slice)
}

/// The item a record or instance change writes or removes.
fn place(change: &Change) -> Option<String> {
    match change {
        Change::PutRecord(r) => Some(layout::record(&r.instance_id.to_string(), &r.namespace, &r.key)),
        Change::DeleteRecord { instance_id, namespace, key } => Some(layout::record(&instance_id.to_string(), namespace, key)),
        Change::PutInstance(i) => Some(layout::instance(&i.id.to_string())),
        Change::DeleteInstance(_) | Change::DeleteNamespace { .. } => None,
    }
}

/// What storage holds where the commit looked: `items` are the texts at
/// `reads` (as [`reads`] made them), `listed` the documents under each of
/// `lists` (as [`lists`] made them).
pub struct Looked<'a> {
    /// The item keys read.
    pub reads: &'a [String],
    /// What each holds.
    pub items: &'a [Option<String>],
    /// The prefixes listed.
    pub lists: &'a [String],
    /// The documents under each.
    pub listed: &'a [Vec<String>],
}
