//! What watchers are told of a change heard from another copy of the
//! store: only what changes this copy's memory, as memory then shows it,
//! so that a watcher applying its events in order to what it saw first
//! gets what the store shows.

use super::agree::holds;
use crate::backend::{Place, Remote};
use crate::index::Index;
use crate::model::{Change, Entry};
use crate::time::Timestamp;
use crate::watch::Changed;

/// The changes `remote` makes, read before it is applied, for everything
/// but a record's put (see [`put`]). A removal of a record whose expiry
/// has passed by `now` (the store's clock) is told as an expiry: another
/// copy's sweep removed it.
pub fn before(index: &Index, remote: &Remote, now: Option<Timestamp>) -> Vec<Changed> {
    let change = match remote {
        Remote::Cleared => return index.instances().iter().map(|i| Changed::DeleteInstance { instance_id: i.id }).collect(),
        Remote::Changed { change: Change::PutRecord(_), .. } => return Vec::new(),
        Remote::Changed { change, .. } if holds(index, change) => return Vec::new(),
        Remote::Changed { change, .. } => change,
    };
    let expired = match change {
        Change::DeleteRecord { instance_id, namespace, key } => {
            let expires_at = index.entry(instance_id, namespace, key).and_then(|held| held.expires_at);
            expires_at.zip(now).is_some_and(|(at, now)| at <= now)
        }
        _ => false,
    };
    vec![Changed::of(change.clone(), expired)]
}

/// The record memory shows at `place` after a heard put, when it is not
/// `held`, the entry before (a put older than the one held changes nothing).
pub fn put(index: &Index, place: Place, held: Option<Entry>) -> Option<Changed> {
    let now = index.entry(&place.instance_id, &place.namespace, &place.key)?;
    (held.as_ref() != Some(now)).then(|| Changed::Set { record: now.to_record(place.instance_id, &place.namespace, &place.key) })
}
