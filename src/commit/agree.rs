//! Bringing memory in line with what storage decided for a batch (see
//! `engine::decide`): the calls it refused are undone and show what storage
//! holds instead, records take the versions storage gave them, and an
//! instance created here whose name another copy created first hands its
//! records to that copy's instance.

use std::collections::HashMap;
use std::ops::Range;

use super::Cause;
use crate::backend::{Committed, Place};
use crate::error::Error;
use crate::id::Uuid;
use crate::index::Index;
use crate::model::{Change, Record};
use crate::watch::Changed;

/// How a batch came out, for each write's answer.
#[derive(Debug, Default)]
pub struct Settled {
    /// Added to the version of every record the batch wrote but the kept
    /// ones (see [`Settled::version_at`]).
    pub shift: u64,
    /// The positions of the calls whose records keep their versions (see
    /// `Committed::kept`).
    pub kept: Vec<Range<usize>>,
    /// Instances of the batch replaced by the one holding their name.
    pub joined: HashMap<Uuid, Uuid>,
    /// The refused calls, by their number in the batch, and why.
    pub refused: Vec<(usize, Error)>,
    /// The largest record version the batch wrote.
    pub highest: u64,
    /// The versions the batch's records had before storage moved them
    /// (empty when it did not).
    pub provisional: std::collections::HashSet<u64>,
}

impl Settled {
    /// Why the call numbered `caller` was refused, if it was.
    pub fn refusal(&self, caller: usize) -> Option<Error> {
        self.refused.iter().find(|(number, _)| *number == caller).map(|(_, e)| e.clone())
    }

    /// The version storage wrote for the batch's record at position `i`,
    /// made with `version`: moved by the shift, unless kept.
    pub fn version_at(&self, i: usize, version: u64) -> u64 {
        match self.kept.iter().any(|call| call.contains(&i)) {
            true => version,
            false => version.saturating_add(self.shift),
        }
    }

    /// The instance `id` names once the batch is durable.
    pub fn instance(&self, id: Uuid) -> Uuid {
        self.joined.get(&id).copied().unwrap_or(id)
    }
}

/// Applies the decisions of `committed` to `index`, where `changes` were
/// handed over with `undo` (one entry per change, as the journal keeps).
/// `written_later` tells whether a batch queued behind this one writes a
/// place (its write, not this one's, is then the newest).
pub fn agree(index: &mut Index, changes: &[Change], undo: &[Vec<Change>], committed: Committed, written_later: &dyn Fn(&Place) -> bool) -> Settled {
    let joined: HashMap<Uuid, Uuid> = committed.joined.iter().map(|(from, winner)| (*from, winner.id)).collect();
    let mut settled = Settled { shift: committed.shift, kept: committed.kept.clone(), ..Settled::default() };
    let refused_at = |i: usize| committed.refused.iter().any(|r| r.call.contains(&i));
    // Refused calls are undone where memory still shows them, and memory
    // takes what storage holds; an instance being joined goes below.
    for refusal in &committed.refused {
        let mut held = false;
        for i in refusal.call.clone().rev() {
            let (Some(change), Some(inverse)) = (changes.get(i), undo.get(i)) else { continue };
            let joining = matches!(change, Change::PutInstance(created) if joined.contains_key(&created.id));
            if !joining && holds(index, change) {
                held = true;
                inverse.iter().for_each(|c| index.apply(c.clone()));
            }
        }
        if held {
            refusal.found.iter().for_each(|c| index.apply(c.clone()));
        }
        if let Some(error) = &refusal.error {
            settled.refused.push((refusal.caller, error.clone()));
        }
    }
    for (_, winner) in &committed.joined {
        index.apply(Change::PutInstance(winner.clone()));
    }
    for (i, change) in changes.iter().enumerate() {
        let Change::PutRecord(provisional) = change else { continue };
        if refused_at(i) {
            continue;
        }
        let mut record = provisional.clone();
        let kept = committed.keeps(i);
        record.version = settled.version_at(i, provisional.version);
        record.instance_id = joined.get(&record.instance_id).copied().unwrap_or(record.instance_id);
        settled.highest = settled.highest.max(record.version);
        if settled.shift > 0 && !kept {
            settled.provisional.insert(provisional.version);
        }
        if !holds(index, change) {
            // A kept version says nothing of when it was written; the
            // floor does: every version below it was written before.
            let newer_than = if kept { committed.floor } else { record.version };
            newest_wins(index, changes, i, record, newer_than, written_later);
            continue;
        }
        if record == *provisional {
            continue;
        }
        if record.instance_id != provisional.instance_id {
            let (namespace, key) = (provisional.namespace.clone(), provisional.key.clone());
            index.apply(Change::DeleteRecord { instance_id: provisional.instance_id, namespace, key });
        }
        index.apply(Change::PutRecord(record));
    }
    for (i, change) in changes.iter().enumerate() {
        if !refused_at(i) && !holds(index, change) {
            removed_is_removed(index, changes, i, committed.floor, written_later);
        }
    }
    for (from, to) in &joined {
        for record in index.records_of(from) {
            index.apply(Change::PutRecord(crate::model::Record { instance_id: *to, ..record }));
        }
        index.apply(Change::DeleteInstance(*from));
    }
    settled.joined = joined;
    settled
}

/// The batch's changes as storage holds them, for watchers: without the
/// calls it `refused` (by position, with what storage held instead), each
/// record with the version storage gave it and in the instance that holds
/// its name. An instance this batch created that lost its name is left
/// out: the winner's creation is another copy's news.
///
/// A refused expiry is told by what storage held instead: memory let the
/// record go when it expired, before any event, so watchers learn where it
/// went (another copy removed it first, or wrote the key again).
pub fn durable(changes: &[Change], causes: &[Cause], refused: &[(Range<usize>, Vec<Change>)], settled: &Settled) -> Vec<Changed> {
    let mut told = Vec::new();
    for (i, (change, cause)) in changes.iter().zip(causes).enumerate() {
        let expired = *cause == Cause::Expiry;
        match refused.iter().find(|(call, _)| call.contains(&i)) {
            Some((_, found)) if expired => told.extend(found.iter().map(|held| Changed::of(held.clone(), true))),
            Some(_) => {}
            None => told.extend(as_stored(i, change, settled).map(|change| Changed::of(change, expired))),
        }
    }
    told
}

/// The batch's change at position `i` as storage holds it; `None` for an
/// instance that lost its name.
fn as_stored(i: usize, change: &Change, settled: &Settled) -> Option<Change> {
    let mut change = change.clone();
    match &mut change {
        Change::PutInstance(created) if settled.joined.contains_key(&created.id) => return None,
        Change::PutRecord(record) => record.version = settled.version_at(i, record.version),
        _ => {}
    }
    change.move_instance(&settled.joined);
    Some(change)
}

/// When memory shows another record where the batch wrote `record` (a
/// change heard from another copy while this batch was committing), the
/// one written last is the one storage holds: storage hands out versions in
/// commit order, so a record heard with a version below `newer_than` was
/// written before this batch. This batch's record then goes back into
/// memory, unless a later change (of this batch, or of a batch queued
/// behind it) writes the same place.
fn newest_wins(index: &mut Index, changes: &[Change], at: usize, record: Record, newer_than: u64, written_later: &dyn Fn(&Place) -> bool) {
    let place = Place { instance_id: record.instance_id, namespace: record.namespace.clone(), key: record.key.clone() };
    if changes.iter().skip(at.saturating_add(1)).any(|c| puts_at(c, &place)) || written_later(&place) {
        return;
    }
    let older = index.entry(&place.instance_id, &place.namespace, &place.key).is_some_and(|held| held.version < newer_than);
    if older {
        index.apply(Change::PutRecord(record));
    }
}

/// Where the batch removed records, memory may show a record heard while
/// it was committing: one with a version below `floor` was written before
/// this commit, so the removal took it from storage, and from memory too.
fn removed_is_removed(index: &mut Index, changes: &[Change], at: usize, floor: u64, written_later: &dyn Fn(&Place) -> bool) {
    let places: Vec<Place> = match changes.get(at) {
        Some(Change::DeleteRecord { instance_id, namespace, key }) => vec![Place { instance_id: *instance_id, namespace: namespace.clone(), key: key.clone() }],
        Some(Change::DeleteNamespace { instance_id, namespace }) => index
            .records_of(instance_id)
            .into_iter()
            .filter(|r| &r.namespace == namespace)
            .map(|r| Place { instance_id: r.instance_id, namespace: r.namespace, key: r.key })
            .collect(),
        _ => return,
    };
    for place in places {
        let later = changes.iter().skip(at.saturating_add(1)).any(|c| puts_at(c, &place)) || written_later(&place);
        let before = index.entry(&place.instance_id, &place.namespace, &place.key).is_some_and(|held| held.version < floor);
        if before && !later {
            index.apply(Change::DeleteRecord { instance_id: place.instance_id, namespace: place.namespace, key: place.key });
        }
    }
}

/// Whether `change` writes a record at `place`.
pub fn puts_at(change: &Change, place: &Place) -> bool {
    matches!(change, Change::PutRecord(r) if r.instance_id == place.instance_id && r.namespace == place.namespace && r.key == place.key)
}

/// Whether memory still shows `change` as it was made (no later write, of
/// this copy or another, replaced it).
pub fn holds(index: &Index, change: &Change) -> bool {
    match change {
        // The value too: a repair heard meanwhile may keep this change's
        // identity and version with another copy's value.
        Change::PutRecord(r) => index.entry(&r.instance_id, &r.namespace, &r.key).is_some_and(|e| {
            e.id == r.id && e.version == r.version && e.updated_at == r.updated_at && e.value == r.value
        }),
        Change::PutInstance(i) => index.instance(&i.id) == Some(i),
        Change::DeleteRecord { instance_id, namespace, key } => index.entry(instance_id, namespace, key).is_none(),
        Change::DeleteNamespace { instance_id, namespace } => {
            index.slot(instance_id).is_none_or(|slot| !slot.namespaces.contains_key(namespace))
        }
        Change::DeleteInstance(id) => index.instance(id).is_none(),
    }
}
