//! The batch's own changes ahead of a guard, as the guard sees them: a
//! guard checks storage as the changes before its position leave it (they
//! are written in the same commit, before its call's).

use std::collections::HashMap;

use crate::backend::Place;
use crate::id::Uuid;
use crate::model::{Change, Instance, Record};
use crate::time::Timestamp;

/// One change of the batch to an instance: its position, the instance,
/// and the document it writes (`None`: it removes the instance).
pub(super) type Lifetime<'a> = (usize, Uuid, Option<&'a Instance>);

/// Where the batch writes and removes instances, in order: all that the
/// guards below need of the batch's own instance changes, found once.
pub(super) fn lifetimes(changes: &[Change]) -> Vec<Lifetime<'_>> {
    let events = changes.iter().enumerate().filter_map(|(i, change)| match change {
        Change::PutInstance(instance) => Some((i, instance.id, Some(instance))),
        Change::DeleteInstance(id) => Some((i, *id, None)),
        Change::PutRecord(_) | Change::DeleteRecord { .. } | Change::DeleteNamespace { .. } => None,
    });
    events.collect()
}

/// The batch's written instance changes before position `upto`.
fn earlier<'a, 'b>(lifetimes: &'b [Lifetime<'a>], skipped: &'b [usize], upto: usize) -> impl Iterator<Item = &'b Lifetime<'a>> {
    lifetimes.iter().take_while(move |(i, _, _)| *i < upto).filter(move |(i, _, _)| !skipped.contains(i))
}

/// The stored instances as the batch's written changes before position
/// `upto` leave them (a rename earlier in the batch frees its old name).
pub(super) fn instances_before(stored: &[Instance], lifetimes: &[Lifetime<'_>], skipped: &[usize], upto: usize) -> Vec<Instance> {
    let mut instances = stored.to_vec();
    for (_, id, put) in earlier(lifetimes, skipped, upto) {
        instances.retain(|i| i.id != *id);
        instances.extend(put.cloned());
    }
    instances
}

/// Whether the batch's written changes before position `upto` leave the
/// instance `id` stored; `None` when none of them touches it, so storage
/// decides.
pub(super) fn alive_before(lifetimes: &[Lifetime<'_>], skipped: &[usize], upto: usize, id: Uuid) -> Option<bool> {
    earlier(lifetimes, skipped, upto).filter(|(_, of, _)| *of == id).last().map(|(_, _, put)| put.is_some())
}

/// The live records of `instance`, by place and last write, as `stored`
/// (its documents in storage) with the batch's written changes before
/// position `upto` applied, those expired at `now` left out.
pub(super) fn held_before(stored: &[Record], changes: &[Change], skipped: &[usize], upto: usize, instance: Uuid, now: Timestamp) -> HashMap<Place, Timestamp> {
    let place = |r: &Record| Place { instance_id: r.instance_id, namespace: r.namespace.clone(), key: r.key.clone() };
    let live = |r: &&Record| r.expires_at.is_none_or(|at| at > now);
    let mut held: HashMap<Place, Timestamp> = stored.iter().filter(live).map(|r| (place(r), r.updated_at)).collect();
    for (_, change) in changes.iter().enumerate().take(upto).filter(|(i, _)| !skipped.contains(i)) {
        match change {
            Change::PutRecord(r) if r.instance_id == instance => {
                held.remove(&place(r));
                if live(&r) {
                    held.insert(place(r), r.updated_at);
                }
            }
            Change::DeleteRecord { instance_id, namespace, key } if *instance_id == instance => {
                held.remove(&Place { instance_id: instance, namespace: namespace.clone(), key: key.clone() });
            }
            Change::DeleteNamespace { instance_id, namespace } if *instance_id == instance => held.retain(|p, _| p.namespace != *namespace),
            Change::DeleteInstance(id) if *id == instance => held.clear(),
            _ => {}
        }
    }
    held
}

/// The version the batch's last written change before position `upto`
/// leaves at `place` (`Some(None)`: removed there); `None` when no earlier
/// change of the batch touches it, so storage decides.
pub(super) fn written_before(changes: &[Change], skipped: &[usize], upto: usize, place: &Place) -> Option<Option<u64>> {
    let (instance_id, namespace, key) = (place.instance_id, place.namespace.as_str(), place.key.as_str());
    let earlier = changes.iter().enumerate().take(upto).filter(|(i, _)| !skipped.contains(i)).map(|(_, c)| c);
    earlier.rev().find_map(|c| match c {
        Change::PutRecord(r) if r.instance_id == instance_id && r.namespace == namespace && r.key == key => Some(Some(r.version)),
        Change::DeleteRecord { instance_id: i, namespace: n, key: k } if *i == instance_id && n == namespace && k == key => Some(None),
        Change::DeleteNamespace { instance_id: i, namespace: n } if *i == instance_id && n == namespace => Some(None),
        Change::DeleteInstance(i) if *i == instance_id => Some(None),
        _ => None,
    })
}
