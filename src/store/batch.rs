//! Atomic batches and bulk reads (`docs/beyond.md`, atomic batches):
//! `batch` plans every operation against memory as the batch's earlier
//! operations leave it, refuses the whole batch at the first operation
//! that fails (naming it), and otherwise writes all of it as one call of
//! one commit, every version check made again by storage in that commit.
//! `get_many` reads every key from one state of memory.

use std::collections::HashMap;

use serde::de::DeserializeOwned;

use super::records::IfVersion;
use super::{KvStore, Plan, SetOptions};
use crate::backend::{Expect, Place};
use crate::commit::{Check, Pending, Settled};
use crate::error::{Error, Field, Result};
use crate::id::Uuid;
use crate::model::{Change, Record};
use crate::value::Value;

/// One operation of a [`KvStore::batch`].
#[derive(Debug, Clone, PartialEq)]
pub enum Operation {
    /// Store `value` under the key.
    Set {
        /// The instance, by id or name.
        instance: String,
        /// The namespace.
        namespace: String,
        /// The key.
        key: String,
        /// The value ([`KvStore::value`] makes one from any `Serialize`).
        value: Value,
        /// Instance creation and the version required.
        options: SetOptions,
    },
    /// Delete the key.
    Delete {
        /// The instance, by id or name.
        instance: String,
        /// The namespace.
        namespace: String,
        /// The key.
        key: String,
        /// The version required.
        if_version: Option<IfVersion>,
    },
    /// Write nothing, but only if the key has this version (or is absent).
    Check {
        /// The instance, by id or name.
        instance: String,
        /// The namespace.
        namespace: String,
        /// The key.
        key: String,
        /// The version required.
        version: IfVersion,
    },
}

/// What one operation of a batch did.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A set: the record as stored.
    Record(Record),
    /// A delete: whether there was a record to delete.
    Deleted(bool),
    /// A check that held.
    Checked,
}

/// Memory as the batch's earlier operations leave it: records written or
/// deleted, and instances created, by the batch so far.
#[derive(Default)]
struct Overlay {
    records: HashMap<Place, Option<Record>>,
    created: HashMap<String, Uuid>,
}

impl KvStore {
    /// A value for a batch's set, from any `Serialize` type, under the rules
    /// of [`KvStore::set`].
    ///
    /// # Errors
    ///
    /// As [`KvStore::set`] refuses values: non-finite floats, map keys that
    /// are not strings, and values over the size or depth limits.
    pub fn value<T: serde::Serialize + ?Sized>(&self, value: &T) -> Result<Value> {
        Value::from_serde(value, &self.limits)
    }

    /// Carries out every operation, in order, or none: when one would fail
    /// on its own, the batch fails with [`Error::InOperation`] naming it
    /// (its code is that operation's) and nothing changes. Resolves once the
    /// whole batch is durable, with one outcome per operation.
    pub fn batch(&self, operations: Vec<Operation>) -> Pending<Vec<Outcome>> {
        self.carry_out(self.plan_batch(operations), settle_outcomes)
    }

    fn plan_batch(&self, operations: Vec<Operation>) -> Result<Plan<Vec<Outcome>>> {
        self.check_count(operations.len(), "operations")?;
        let mut plan = Plan::plain(Vec::new(), Vec::with_capacity(operations.len()));
        let mut overlay = Overlay::default();
        for (index, operation) in operations.into_iter().enumerate() {
            let outcome = self
                .plan_operation(&mut plan, &mut overlay, operation, index)
                .map_err(|error| Error::InOperation { index, error: Box::new(error) })?;
            plan.answer.push(outcome);
        }
        Ok(plan)
    }

    /// Refuses an empty or over-long list of operations or keys.
    fn check_count(&self, count: usize, what: &str) -> Result<()> {
        let max = self.limits.max_batch_operations;
        if count == 0 || count > max {
            return Err(Error::InvalidArgument {
                name: what.to_string(),
                problem: format!("must hold 1 to {max} entries (maxBatchOperations), not {count}."),
            });
        }
        Ok(())
    }

    fn plan_operation(&self, plan: &mut Plan<Vec<Outcome>>, overlay: &mut Overlay, operation: Operation, index: usize) -> Result<Outcome> {
        match operation {
            Operation::Set { instance, namespace, key, value, options } => {
                let place = match self.find_place(overlay, &instance, &namespace, &key)? {
                    Some(place) => place,
                    None if options.auto_create_instance => self.create_for(overlay, plan, &instance, &namespace, &key, index)?,
                    None => return Err(Error::InstanceNotFound(instance)),
                };
                if !overlay.created.values().any(|id| *id == place.instance_id) {
                    plan.guards.push(Check { at: plan.changes.len(), expect: Expect::InstanceStored, operation: Some(index) });
                }
                let current = self.current(overlay, &place);
                let expected = options.if_version.map(|required| self.check_version(&namespace, &key, required, current.as_ref().map(|r| r.version))).transpose()?;
                if let Some(expected) = expected {
                    plan.guards.push(Check { at: plan.changes.len(), expect: Expect::Version { place: place.clone(), expected, now: Some(self.now()) }, operation: Some(index) });
                }
                let record = self.new_record(place.clone(), value, current.as_ref(), options.expire)?;
                plan.changes.push(Change::PutRecord(record.clone()));
                overlay.records.insert(place, Some(record.clone()));
                Ok(Outcome::Record(record))
            }
            Operation::Delete { instance, namespace, key, if_version } => {
                let place = self.find_place(overlay, &instance, &namespace, &key)?;
                let current = place.as_ref().and_then(|place| self.current(overlay, place));
                let expected = if_version.map(|required| self.check_version(&namespace, &key, required, current.as_ref().map(|r| r.version))).transpose()?;
                let (Some(place), Some(_)) = (place, current) else { return Ok(Outcome::Deleted(false)) };
                if let Some(expected) = expected {
                    plan.guards.push(Check { at: plan.changes.len(), expect: Expect::Version { place: place.clone(), expected, now: Some(self.now()) }, operation: Some(index) });
                }
                plan.changes.push(Change::DeleteRecord { instance_id: place.instance_id, namespace: place.namespace.clone(), key: place.key.clone() });
                overlay.records.insert(place, None);
                Ok(Outcome::Deleted(true))
            }
            Operation::Check { instance, namespace, key, version } => {
                let place = self.find_place(overlay, &instance, &namespace, &key)?;
                let current = place.as_ref().and_then(|place| self.current(overlay, place));
                let expected = self.check_version(&namespace, &key, version, current.as_ref().map(|r| r.version))?;
                // An absent instance holds no key: nothing storage could
                // change about that before the commit, so nothing to check.
                if let Some(place) = place {
                    plan.guards.push(Check { at: plan.changes.len(), expect: Expect::Version { place, expected, now: Some(self.now()) }, operation: Some(index) });
                }
                Ok(Outcome::Checked)
            }
        }
    }

    /// Where an operation's key lives, after checking its names; `None`
    /// when its instance does not exist (nor was created by the batch).
    fn find_place(&self, overlay: &Overlay, instance: &str, namespace: &str, key: &str) -> Result<Option<Place>> {
        let found = self.resolve(instance)?.or_else(|| overlay.created.get(instance).copied());
        self.limits.check(Field::Namespace, namespace)?;
        self.limits.check(Field::Key, key)?;
        Ok(found.map(|instance_id| Place { instance_id, namespace: namespace.to_string(), key: key.to_string() }))
    }

    /// Creates (in the plan) the instance a set asked for, and the place in it.
    fn create_for(&self, overlay: &mut Overlay, plan: &mut Plan<Vec<Outcome>>, instance: &str, namespace: &str, key: &str, index: usize) -> Result<Place> {
        let created = self.new_instance(instance, None)?;
        plan.guards.push(Check { at: plan.changes.len(), expect: Expect::NameOrJoin, operation: Some(index) });
        plan.changes.push(Change::PutInstance(created.clone()));
        overlay.created.insert(instance.to_string(), created.id);
        Ok(Place { instance_id: created.id, namespace: namespace.to_string(), key: key.to_string() })
    }

    /// The record at `place` as the batch so far leaves it.
    fn current(&self, overlay: &Overlay, place: &Place) -> Option<Record> {
        match overlay.records.get(place) {
            Some(written) => written.clone(),
            None => self.shared.index.borrow().entry(&place.instance_id, &place.namespace, &place.key).map(|e| e.to_record(place.instance_id, &place.namespace, &place.key)),
        }
    }

    /// Every record asked for, `None` where a key (or its instance) is
    /// missing, all read from one state of memory.
    ///
    /// # Errors
    ///
    /// An empty or over-long list (`maxBatchOperations`), or a name that
    /// fails its check, naming its position.
    pub fn get_many_records(&self, keys: &[(&str, &str, &str)]) -> Result<Vec<Option<Record>>> {
        self.check_count(keys.len(), "keys")?;
        keys.iter()
            .enumerate()
            .map(|(index, (instance, namespace, key))| {
                self.get_record(instance, namespace, key).map_err(|error| Error::InKey { index, error: Box::new(error) })
            })
            .collect()
    }

    /// [`KvStore::get_many_records`] with each value as a `T`.
    ///
    /// # Errors
    ///
    /// As [`KvStore::get_many_records`], and [`Error::WrongType`] for a
    /// value that does not deserialise into `T`.
    pub fn get_many<T: DeserializeOwned>(&self, keys: &[(&str, &str, &str)]) -> Result<Vec<Option<T>>> {
        self.get_many_records(keys)?.into_iter().map(|record| record.map(|r| r.value.decode()).transpose()).collect()
    }
}

/// A batch's outcomes as storage decided them (versions, instances).
fn settle_outcomes(outcomes: Vec<Outcome>, settled: &Settled) -> Vec<Outcome> {
    outcomes
        .into_iter()
        .map(|outcome| match outcome {
            Outcome::Record(record) => Outcome::Record(super::records::settle_record(record, settled)),
            other => other,
        })
        .collect()
}
