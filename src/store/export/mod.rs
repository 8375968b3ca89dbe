//! Export and import (`docs/beyond.md`, export and import): a backup a
//! person can read (the format is in `lines`), and its restore as one
//! call of one commit, so an import is all or nothing like a batch.
//!
//! An import is a restore, not a series of writes: instances and records
//! keep their ids, times and versions. Records keep their versions through
//! the commit (`Expect::KeepsVersions`, decided in `engine::decide`), which
//! moves storage's version counter past the largest of them, and this copy
//! counts them as handed out at once, so every later write, of this copy
//! or of another sharing the storage, after a reopen too, gets a greater
//! version. (A kept version may equal one this store gave another key,
//! or an earlier record of the same key: it is the exporting store's.)
//!
//! Merging, an imported instance takes the place of the stored one with
//! its id, and of the stored one with its name. That one's records are not
//! lost: those the file does not overwrite move into the imported instance,
//! with their ids, times and versions, and the instance they were in is
//! removed, its place in `listInstances` taken by the imported one; storage
//! checks that it held no records but those moved (`Expect::Holds`).
//! Replacing, every stored instance is removed in the same commit; when
//! storage holds one this copy has not heard of, the import is refused
//! (`Expect::Emptied`) and this copy learns of it, so trying again removes it.

mod lines;

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::{KvStore, Plan};
use crate::backend::{Expect, Place};
use crate::commit::{Check, Pending};
use crate::error::{Field, Result};
use crate::id::Uuid;
use crate::index::{Index, cmp_utf16};
use crate::model::{Change, Instance, Record};
use lines::{invalid, on_line};

/// What [`KvStore::export`] covers: everything by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportSelector {
    /// One instance, by id or name; its records only.
    pub instance: Option<String>,
    /// One namespace: only its records (of every instance selected).
    pub namespace: Option<String>,
}

/// How [`KvStore::import`] treats what the store holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ImportMode {
    /// Keep it, but for the instances and keys the file holds (see the
    /// module's documentation for an instance whose name the file uses).
    #[default]
    Merge,
    /// Remove it all, in the same commit as the import.
    Replace,
}

/// What an import wrote: `{ instances, records }` in its envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Imported {
    /// The instances of the file.
    pub instances: usize,
    /// The records of the file, but for those expired by the import.
    pub records: usize,
}

impl KvStore {
    /// The store, or the part `selector` names, as JSON Lines (see
    /// `docs/beyond.md`): instances oldest first, then records by instance,
    /// namespace and key. Expired records are left out. An instance that
    /// does not exist exports as empty, as reads of one answer.
    ///
    /// # Errors
    ///
    /// A name in the selector that fails its check.
    pub fn export(&self, selector: &ExportSelector) -> Result<String> {
        let only = match &selector.instance {
            Some(name) => Some(self.resolve(name)?),
            None => {
                self.sweep();
                None
            }
        };
        if let Some(namespace) = &selector.namespace {
            self.limits.check(Field::Namespace, namespace)?;
        }
        let now = self.now();
        let index = self.shared.index.borrow();
        let instances: Vec<&Instance> = index.instances().into_iter().filter(|i| only.is_none_or(|only| only == Some(i.id))).collect();
        let mut records = Vec::new();
        for instance in &instances {
            let mut of = index.records_of(&instance.id);
            of.retain(|r| selector.namespace.as_ref().is_none_or(|ns| *ns == r.namespace) && r.expires_at.is_none_or(|at| at > now));
            crate::sort::by(&mut of, |a, b| cmp_utf16(&a.namespace, &b.namespace).then_with(|| cmp_utf16(&a.key, &b.key)));
            records.append(&mut of);
        }
        lines::write(now, &instances, &records)
    }

    /// Imports an export (see the module's documentation): every line is
    /// checked before anything is written, then all of it is written in one
    /// commit. Resolves with the counts once durable.
    pub fn import(&self, text: &str, mode: ImportMode) -> Pending<Imported> {
        self.carry_out(self.plan_import(text, mode), |imported, _| imported)
    }

    fn plan_import(&self, text: &str, mode: ImportMode) -> Result<Plan<Imported>> {
        let mut file = lines::read(text, &self.limits)?;
        self.sweep();
        // A record expired by now reads as absent: it is neither imported
        // nor does it overwrite (or keep out of a taken instance) anything.
        let now = self.now();
        file.records.retain(|(_, r)| r.expires_at.is_none_or(|at| at > now));
        let index = self.shared.index.borrow();
        // The instances a record of the file may name without the file holding them.
        let stored = match mode {
            ImportMode::Merge => index.instances().into_iter().map(|i| i.id).collect(),
            ImportMode::Replace => HashSet::new(),
        };
        let in_file: HashSet<Uuid> = file.instances.iter().map(|(_, i)| i.id).collect();
        let taken = taken_over(&index, &file.instances, &in_file, mode)?;
        let mut changes = Vec::new();
        let mut guards = Vec::new();
        if mode == ImportMode::Replace {
            changes.extend(index.instances().into_iter().map(|i| Change::DeleteInstance(i.id)));
            // Another tab may have created an instance this copy has not
            // heard of: storage decides whether the store is empty now.
            guards.push(Check::on(changes.len(), Expect::Emptied));
        }
        let places = places(&file.records, &in_file, &stored, &taken)?;
        let mut moved = Vec::new();
        for (from, to) in &taken {
            let stays = |r: &Record| !places.contains(&Place { instance_id: *to, namespace: r.namespace.clone(), key: r.key.clone() });
            let records = index.records_of(from);
            // What is moved is what this copy knows: storage checks that the
            // instance holds nothing else (another tab may have written there).
            let known = records.iter().filter(|r| r.expires_at.is_none_or(|at| at > now));
            let known = known.map(|r| (Place { instance_id: *from, namespace: r.namespace.clone(), key: r.key.clone() }, r.updated_at)).collect();
            guards.push(Check::on(changes.len(), Expect::Holds { instance: *from, records: known, now }));
            moved.extend(records.into_iter().filter(stays).map(|r| Record { instance_id: *to, ..r }));
            changes.push(Change::DeleteInstance(*from));
        }
        for (_, instance) in &file.instances {
            // Merging, it keeps the place in `listInstances` of the stored
            // instance it overwrites or takes the name of.
            let replaced = taken.iter().find(|(_, to)| **to == instance.id).map(|(from, _)| *from);
            let seq = match (mode, index.instance(&instance.id).or_else(|| replaced.and_then(|from| index.instance(&from)))) {
                (ImportMode::Merge, Some(stored)) => stored.seq,
                _ => self.next_seq()?,
            };
            // Another tab may have taken the name meanwhile: storage decides.
            guards.push(Check::on(changes.len(), Expect::NameFree));
            changes.push(Change::PutInstance(Instance { seq, ..instance.clone() }));
        }
        drop(index);
        let live: Vec<Record> = file.records.into_iter().map(|(_, r)| Record { instance_id: *taken.get(&r.instance_id).unwrap_or(&r.instance_id), ..r }).collect();
        let imported = Imported { instances: file.instances.len(), records: live.len() };
        let highest = moved.iter().chain(&live).map(|r| r.version).max();
        changes.extend(moved.into_iter().chain(live).map(Change::PutRecord));
        // Records the file writes into a stored instance need it still stored.
        let mut into_stored = HashSet::new();
        for (at, change) in changes.iter().enumerate() {
            if let Change::PutRecord(r) = change {
                if !in_file.contains(&r.instance_id) && into_stored.insert(r.instance_id) {
                    guards.push(Check::on(at, Expect::InstanceStored));
                }
            }
        }
        // One guard for the whole call: its position does not matter.
        guards.push(Check::on(0, Expect::KeepsVersions));
        if let Some(highest) = highest {
            self.shared.pass_versions(highest);
        }
        Ok(Plan { changes, guards, answer: imported })
    }
}

/// The stored instances the file's instances take the place of by name
/// (merging), each with the imported instance that takes it; a file that
/// names one instance twice, by id or by name, is refused at the second.
/// So is a name held by a stored instance that the file itself renames
/// (its id is in the file): which one should keep the records would be a
/// guess.
fn taken_over(index: &Index, instances: &[(usize, Instance)], in_file: &HashSet<Uuid>, mode: ImportMode) -> Result<HashMap<Uuid, Uuid>> {
    let (mut ids, mut names) = (HashSet::new(), HashSet::new());
    let mut taken = HashMap::new();
    for (line, instance) in instances {
        if !ids.insert(instance.id) {
            return Err(on_line(*line, invalid("instance.id", format!("{} is the id of an instance earlier in the file.", instance.id))));
        }
        if !names.insert(instance.name.as_str()) {
            return Err(on_line(*line, invalid("instance.name", format!("{:?} is the name of an instance earlier in the file.", instance.name))));
        }
        match index.named(&instance.name) {
            Some(stored) if mode == ImportMode::Merge && stored != instance.id && in_file.contains(&stored) => {
                let problem = format!("{:?} is the name of stored instance {stored}, which the file renames; import in replace mode, or rename one of them first.", instance.name);
                return Err(on_line(*line, invalid("instance.name", problem)));
            }
            Some(stored) if mode == ImportMode::Merge && stored != instance.id => drop(taken.insert(stored, instance.id)),
            _ => {}
        }
    }
    Ok(taken)
}

/// Every place the file's records write, after checking that each record's
/// instance is in the file or (merging) in the store, and that no place is
/// written twice.
fn places(records: &[(usize, Record)], in_file: &HashSet<Uuid>, stored: &HashSet<Uuid>, taken: &HashMap<Uuid, Uuid>) -> Result<HashSet<Place>> {
    let mut places = HashSet::with_capacity(records.len());
    for (line, record) in records {
        let instance_id = *taken.get(&record.instance_id).unwrap_or(&record.instance_id);
        if !in_file.contains(&instance_id) && !stored.contains(&instance_id) {
            let problem = format!("is {}, an instance neither in the file nor in the store; add its {{\"instance\":{{...}}}} line.", record.instance_id);
            return Err(on_line(*line, invalid("record.instanceId", problem)));
        }
        let place = Place { instance_id, namespace: record.namespace.clone(), key: record.key.clone() };
        if !places.insert(place) {
            return Err(on_line(*line, invalid("The record", format!("at {}/{} is in the file twice.", record.namespace, record.key))));
        }
    }
    Ok(places)
}
