//! What a commit writes, decided inside the commit from what storage holds,
//! so that no other writer of the storage (another tab, another request of
//! a Durable Object) can come between the check and the write:
//!
//! - guards (`backend::Guard`): version checks, instance names that must be
//!   free, instances a write goes into that must still be stored (and, for
//!   an update, unchanged), an import's replace that must leave no instance
//!   behind and its takeover of a name that must move every record the old
//!   instance holds, repairs that must find the record they repair; a
//!   failed guard leaves out its call's changes and nothing else;
//! - the instance a lost name race joins: a set with `autoCreateInstance`
//!   whose new instance's name another copy created first writes into that
//!   copy's instance instead;
//! - record versions: storage keeps the next version to hand out (the item
//!   `layout::VERSIONS`), and when another copy took versions since this one
//!   last heard, every version of the batch moves up past them, so no
//!   version is handed out twice across the copies sharing a storage;
//! - kept versions: a call guarded by `Expect::KeepsVersions` (an import)
//!   writes its records with the versions they carry, unmoved, and the
//!   counter moves past the largest of them, so every later write of any
//!   copy gets a greater one.

mod before;
mod looks;

use std::collections::HashMap;

use super::codec::{self, EncodedBatch};
use super::layout;
use crate::backend::{Committed, Expect, Guard, Place, Refused};
use crate::error::Error;
use crate::id::Uuid;
use crate::model::{Change, Instance, Record};
use crate::time::Timestamp;
use before::{alive_before, held_before, instances_before, lifetimes, written_before};
use looks::{listed, read, read_by, written_into};
pub use looks::{Looked, lists, reads};

/// Why a guard failed (nothing, for a repair) and what storage holds at
/// its place, for memory.
type Refusal = (Option<Error>, Vec<Change>);

/// The outcome of deciding: the batch as it is written, the positions
/// left out, and what the store must learn.
pub struct Decided {
    /// The changes with joined instances and moved versions, when any is.
    pub changes: Option<Vec<Change>>,
    /// Re-encoded when a change differs from what was handed over, or is
    /// not written.
    pub encoded: Option<EncodedBatch>,
    /// Positions of changes not written.
    pub skipped: Vec<usize>,
    /// The counter's new text, when it moves.
    pub counter: Option<String>,
    /// For the store.
    pub committed: Committed,
}

/// Decides the batch from what storage holds (`looked`). Without `counts`
/// (storage without transactions, where nothing was read) the versions
/// stay as the store made them.
pub fn decide(changes: &[Change], guards: &[Guard], looked: &Looked<'_>, counts: bool) -> Result<Decided, String> {
    let Looked { reads, items, .. } = *looked;
    let mut committed = Committed::default();
    let mut skipped: Vec<usize> = Vec::new();
    let instances = listed(looked.lists, looked.listed, layout::INSTANCES).unwrap_or_default();
    let stored_instances: Vec<Instance> = instances.iter().filter_map(|doc| codec::decode_instance(doc).ok()).collect();
    let lifetimes = lifetimes(changes);
    for guard in guards {
        // A call is refused once, for its first failed guard.
        if committed.refused.iter().any(|r| r.caller == guard.caller) {
            continue;
        }
        let found = match read_by(changes, guard)? {
            Some(item) => read(reads, items, &item)?,
            None => None,
        };
        let change = || changes.get(guard.change).ok_or("a guard names a change its batch does not have");
        let refusal = match &guard.expect {
            Expect::Stored(doc) => (found.as_deref() != Some(doc.as_str())).then(|| (None, Vec::new())),
            Expect::Version { place, expected, now } => {
                let earlier = written_before(changes, &skipped, guard.change, place);
                version_check(place, *expected, found, earlier, *now)?
            }
            Expect::NameFree | Expect::NameOrJoin => {
                let Change::PutInstance(instance) = change()? else { return Err("a name guard is on a change that is not an instance".into()) };
                let instances = instances_before(&stored_instances, &lifetimes, &skipped, guard.change);
                let taken = instances.iter().find(|s| s.name == instance.name && s.id != instance.id);
                let is_new = !instances.iter().any(|s| s.id == instance.id);
                match taken {
                    None => None,
                    Some(winner) if is_new => {
                        committed.joined.push((instance.id, winner.clone()));
                        skipped.push(guard.change);
                        match guard.expect {
                            Expect::NameOrJoin => None,
                            _ => Some((Some(Error::InstanceExists(instance.name.clone())), Vec::new())),
                        }
                    }
                    Some(_) => Some((Some(Error::InstanceExists(instance.name.clone())), Vec::new())),
                }
            }
            Expect::InstanceStored => {
                let id = written_into(change()?)?;
                // An instance the batch created but lost its name to another
                // copy's: its writes go into that one, which is stored.
                let joined = committed.joined.iter().any(|(from, _)| *from == id);
                let lives = joined || alive_before(&lifetimes, &skipped, guard.change, id).unwrap_or(found.is_some());
                // Memory lets the instance go too, as it will hear.
                (!lives).then(|| (Some(Error::InstanceGone), vec![Change::DeleteInstance(id)]))
            }
            Expect::Unchanged(before) => {
                let id = written_into(change()?)?;
                unchanged_check(before, alive_before(&lifetimes, &skipped, guard.change, id), found)?
            }
            Expect::Holds { instance, records, now } => {
                let docs = listed(looked.lists, looked.listed, &layout::instance_prefix(&instance.to_string()))
                    .ok_or("storage did not answer a listing the commit asked for")?;
                let stored: Vec<Record> = docs.iter().filter_map(|doc| codec::decode_record(doc).ok()).collect();
                let holds = held_before(&stored, changes, &skipped, guard.change, *instance, *now);
                let instances = || instances_before(&stored_instances, &lifetimes, &skipped, guard.change);
                holds_check(*instance, records, holds, stored, instances)
            }
            Expect::Emptied => {
                let left = instances_before(&stored_instances, &lifetimes, &skipped, guard.change);
                // Memory learns them, so that the call made again removes them too.
                let error = Error::NotEmptied { instances: left.iter().map(|i| i.name.clone()).collect() };
                (!left.is_empty()).then(|| (Some(error), left.into_iter().map(Change::PutInstance).collect()))
            }
            Expect::KeepsVersions => {
                committed.kept.push(guard.call.clone());
                None
            }
        };
        if let Some((error, found)) = refusal {
            skipped.extend(guard.call.clone());
            let error = error.map(|e| in_operation(guard, e));
            committed.refused.push(Refused { call: guard.call.clone(), caller: guard.caller, error, found });
        }
    }
    refuse_joined_checks(&mut committed, guards, &mut skipped);
    let (shift, counter, floor) = match counts {
        true => versions(changes, &skipped, &committed, items.first().cloned().flatten())?,
        false => (0, None, 0),
    };
    committed.shift = shift;
    committed.floor = floor;
    let moved = match committed.joined.is_empty() && shift == 0 {
        true => None,
        false => Some(moved(changes, &committed, &skipped)?),
    };
    let encoded = match moved.is_some() || !skipped.is_empty() {
        true => Some(codec::encode_batch(moved.as_deref().unwrap_or(changes), &skipped)?),
        false => None,
    };
    Ok(Decided { changes: moved, encoded, skipped, counter, committed })
}

/// An update's check: `None` when the instance it writes is stored as the
/// update was made from (or as this batch wrote it before), else the
/// refusal with what storage holds.
fn unchanged_check(before: &Instance, alive: Option<bool>, found: Option<String>) -> Result<Option<Refusal>, String> {
    let gone = || Some((Some(Error::InstanceGone), vec![Change::DeleteInstance(before.id)]));
    Ok(match (alive, found) {
        // This copy's own earlier write, which memory showed.
        (Some(true), _) => None,
        (Some(false), _) | (None, None) => gone(),
        (None, Some(doc)) => {
            let stored = codec::decode_instance(&doc)?;
            (stored != *before).then(|| (Some(Error::InstanceChanged(before.name.clone())), vec![Change::PutInstance(stored)]))
        }
    })
}

/// A takeover's check: `None` when the instance `holds` exactly the
/// `records` this copy moves out of it, else the refusal, with which
/// memory takes what storage holds (the records `stored` there, and none
/// of those it knew that storage no longer has).
fn holds_check(instance: Uuid, records: &[(Place, Timestamp)], holds: HashMap<Place, Timestamp>, stored: Vec<Record>, instances: impl Fn() -> Vec<Instance>) -> Option<Refusal> {
    if holds == records.iter().cloned().collect() {
        return None;
    }
    let name = instances().into_iter().find(|i| i.id == instance).map_or_else(|| instance.to_string(), |i| i.name);
    let gone = records.iter().filter(|(place, _)| !holds.contains_key(place)).map(|(place, _)| place.clone());
    let gone = gone.map(|Place { instance_id, namespace, key }| Change::DeleteRecord { instance_id, namespace, key });
    Some((Some(Error::InstanceChanged(name)), gone.chain(stored.into_iter().map(Change::PutRecord)).collect()))
}

/// A refusal's error, naming the batch operation it is for.
fn in_operation(guard: &Guard, error: Error) -> Error {
    match guard.operation {
        Some(index) => Error::InOperation { index, error: Box::new(error) },
        None => error,
    }
}

/// A version check: `None` when the place holds `expected` (as the batch's
/// earlier changes leave it, else as stored), else the refusal with what
/// storage holds there.
fn version_check(place: &Place, expected: Option<u64>, found: Option<String>, earlier: Option<Option<u64>>, now: Option<Timestamp>) -> Result<Option<Refusal>, String> {
    let stored = match (&found, earlier) {
        (Some(doc), None) => Some(codec::decode_record(doc)?),
        _ => None,
    };
    let expired = |r: &Record| now.is_some_and(|now| r.expires_at.is_some_and(|at| at <= now));
    let version = earlier.unwrap_or_else(|| stored.as_ref().filter(|r| !expired(r)).map(|r| r.version));
    if version == expected {
        return Ok(None);
    }
    // What memory should show instead; nothing when the batch itself
    // decided the place (memory already shows its later writes).
    let holds = match (stored, earlier) {
        (_, Some(_)) => Vec::new(),
        (Some(record), None) => vec![Change::PutRecord(record)],
        (None, None) => vec![Change::DeleteRecord { instance_id: place.instance_id, namespace: place.namespace.clone(), key: place.key.clone() }],
    };
    let error = Error::Conflict { place: format!("{}/{}", place.namespace, place.key), expected, found: version };
    Ok(Some((Some(error), holds)))
}

/// A version check inside an instance the batch created, which lost that
/// instance's name race, checked a place that is not the one it would
/// write: its call is refused, the check unanswerable.
fn refuse_joined_checks(committed: &mut Committed, guards: &[Guard], skipped: &mut Vec<usize>) {
    for guard in guards {
        let Expect::Version { place, expected, .. } = &guard.expect else { continue };
        let lost = committed.joined.iter().any(|(id, _)| *id == place.instance_id);
        if lost && !committed.refused.iter().any(|r| r.caller == guard.caller) {
            skipped.extend(guard.call.clone());
            let error = Error::Conflict { place: format!("{}/{} of an instance created elsewhere meanwhile", place.namespace, place.key), expected: *expected, found: None };
            committed.refused.push(Refused { call: guard.call.clone(), caller: guard.caller, error: Some(in_operation(guard, error)), found: Vec::new() });
        }
    }
}

/// The batch as written: changes into joined instances moved to the
/// instance that holds their name, every record's version but the kept
/// ones moved by `shift`.
fn moved(changes: &[Change], committed: &Committed, skipped: &[usize]) -> Result<Vec<Change>, String> {
    let to: HashMap<Uuid, Uuid> = committed.joined.iter().map(|(from, winner)| (*from, winner.id)).collect();
    let mut moved = changes.to_vec();
    for (i, change) in moved.iter_mut().enumerate().filter(|(i, _)| !skipped.contains(i)) {
        change.move_instance(&to);
        if let Change::PutRecord(r) = change {
            if !committed.keeps(i) {
                r.version = r.version.checked_add(committed.shift).ok_or(EXHAUSTED)?;
            }
        }
    }
    Ok(moved)
}

/// How far the batch's versions move past the stored counter (another copy
/// took versions meanwhile), the counter's new text, and the stored counter
/// (every version below it was written before this commit). Kept versions
/// do not move; the counter moves past them as past the moved ones.
fn versions(changes: &[Change], skipped: &[usize], committed: &Committed, counter: Option<String>) -> Result<(u64, Option<String>, u64), String> {
    let stored: u64 = match counter {
        Some(text) => text.parse().map_err(|_| format!("the version counter holds {text:?}, not a number"))?,
        None => 0,
    };
    let puts = |keeping: bool| {
        changes.iter().enumerate().filter(move |(i, _)| !skipped.contains(i) && committed.keeps(*i) == keeping).filter_map(|(_, c)| match c {
            Change::PutRecord(r) => Some(r.version),
            _ => None,
        })
    };
    let shift = puts(false).min().map_or(0, |lowest| stored.saturating_sub(lowest));
    let moved_past = puts(false).max().map(|highest| highest.checked_add(shift).and_then(|v| v.checked_add(1)));
    let kept_past = puts(true).max().map(|highest| highest.checked_add(1));
    let next = match moved_past.into_iter().chain(kept_past).collect::<Option<Vec<u64>>>() {
        Some(next) => next.into_iter().max(),
        None => return Err(EXHAUSTED.to_string()),
    };
    Ok((shift, next.filter(|next| *next > stored).map(|next| next.to_string()), stored))
}

const EXHAUSTED: &str = "record versions have reached their largest value, which only damaged data can do";
