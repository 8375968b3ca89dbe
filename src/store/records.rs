//! Record operations: get, set, delete, and the namespace-wide ones.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{KvStore, Plan, versions};
use crate::backend::{Expect, Place};
use crate::commit::{Check, Settled};
use crate::commit::Pending;
use crate::error::{Error, Field, Result};
use crate::index::cmp_utf16;
use crate::model::{Change, Entry, Record};
use crate::time::Timestamp;
use crate::value::Value;

/// What a conditional write requires of its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfVersion {
    /// The key must be absent (JavaScript's `ifVersion: null`).
    Absent,
    /// The key's record must have this version.
    Is(u64),
}

impl IfVersion {
    /// The version required; `None` for absent.
    pub fn version(self) -> Option<u64> {
        match self {
            IfVersion::Absent => None,
            IfVersion::Is(version) => Some(version),
        }
    }
}

/// When a record stops being visible.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// This many milliseconds after the write (at least 1).
    In(u64),
    /// At this instant, which must be after the write.
    At(Timestamp),
}

/// Options of [`KvStore::set_with`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SetOptions {
    /// Create the instance, named as given, when there is none.
    pub auto_create_instance: bool,
    /// Write only if the key has this version (or is absent); otherwise
    /// fail with [`Error::Conflict`] and change nothing.
    pub if_version: Option<IfVersion>,
    /// From when the record reads as absent, and is then removed; without
    /// one, the record keeps no expiry (an earlier one is dropped).
    pub expire: Option<Expiry>,
}

/// The last instant an ISO-8601 timestamp can name (9999-12-31T23:59:59.999Z).
const LAST_INSTANT: i64 = 253_402_300_799_999;

/// Options of [`KvStore::delete_with`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeleteOptions {
    /// Delete only if the key has this version (or is absent, which
    /// deletes nothing); otherwise fail with [`Error::Conflict`].
    pub if_version: Option<IfVersion>,
}

/// A record answer as storage decided it: its version moved past those
/// other copies took, its instance the one that holds its name.
pub(super) fn settle_record(mut record: Record, settled: &Settled) -> Record {
    record.version = record.version.saturating_add(settled.shift);
    record.instance_id = settled.instance(record.instance_id);
    record
}

impl KvStore {
    /// The value under a key as a `T`; `None` when the key (or instance) is
    /// missing. Answers from memory, at once.
    ///
    /// # Errors
    ///
    /// An empty or over-long name, or [`Error::WrongType`] (naming `T`) when
    /// the stored value does not deserialise into `T`.
    pub fn get<T: DeserializeOwned>(&self, instance: &str, namespace: &str, key: &str) -> Result<Option<T>> {
        self.get_raw(instance, namespace, key)?.map(|value| value.decode()).transpose()
    }

    /// The stored JSON under a key, as it was written; `None` when the key
    /// (or instance) is missing.
    pub fn get_raw(&self, instance: &str, namespace: &str, key: &str) -> Result<Option<Value>> {
        Ok(self.lookup(instance, namespace, key)?.map(|entry| entry.value))
    }

    /// The whole record under a key (its version, for a conditional write
    /// after the read); `None` when the key (or instance) is missing.
    pub fn get_record(&self, instance: &str, namespace: &str, key: &str) -> Result<Option<Record>> {
        let Some(id) = self.resolve(instance)? else { return Ok(None) };
        Ok(self.lookup(instance, namespace, key)?.map(|entry| entry.to_record(id, namespace, key)))
    }

    /// A key's entry, after checking the names.
    fn lookup(&self, instance: &str, namespace: &str, key: &str) -> Result<Option<Entry>> {
        let id = self.resolve(instance)?;
        self.limits.check(Field::Namespace, namespace)?;
        self.limits.check(Field::Key, key)?;
        let index = self.shared.index.borrow();
        Ok(id.and_then(|id| index.entry(&id, namespace, key)).cloned())
    }

    /// Stores any value serde can write, and resolves with its record once
    /// the write is durable. An overwrite keeps the record's `id` and
    /// `created_at`; an unknown instance is created (named `instance`) only
    /// when `auto_create_instance` is true.
    ///
    /// The value meets the rules of a value from JavaScript: a NaN or
    /// infinite float, or a map key that is not a string, is refused with
    /// [`Error::InvalidValue`] rather than stored as something else, and
    /// the size and depth limits apply.
    pub fn set<T: Serialize + ?Sized>(
        &self,
        instance: &str,
        namespace: &str,
        key: &str,
        value: &T,
        auto_create_instance: bool,
    ) -> Pending<Record> {
        self.set_with(instance, namespace, key, value, SetOptions { auto_create_instance, ..SetOptions::default() })
    }

    /// [`KvStore::set`] with options: a version the key must have
    /// ([`SetOptions::if_version`]), checked against every writer of the
    /// storage in the same step as the write.
    pub fn set_with<T: Serialize + ?Sized>(&self, instance: &str, namespace: &str, key: &str, value: &T, options: SetOptions) -> Pending<Record> {
        self.set_checked(instance, namespace, key, Value::from_serde(value, &self.limits), options)
    }

    /// [`KvStore::set`] for a `serde_json::Value` tree, for code that builds
    /// values with `serde_json::json!` and wants that spelled out.
    pub fn set_json_value(
        &self,
        instance: &str,
        namespace: &str,
        key: &str,
        value: &serde_json::Value,
        auto_create_instance: bool,
    ) -> Pending<Record> {
        self.set(instance, namespace, key, value, auto_create_instance)
    }

    /// [`KvStore::set`] for a value given as JSON text (as
    /// `JSON.stringify` makes it); text that is not JSON is refused.
    pub fn set_json(&self, instance: &str, namespace: &str, key: &str, json: impl Into<String>, auto_create_instance: bool) -> Pending<Record> {
        self.set_json_with(instance, namespace, key, json, SetOptions { auto_create_instance, ..SetOptions::default() })
    }

    /// [`KvStore::set_with`] for a value given as JSON text.
    pub fn set_json_with(&self, instance: &str, namespace: &str, key: &str, json: impl Into<String>, options: SetOptions) -> Pending<Record> {
        self.set_checked(instance, namespace, key, Value::from_json(json.into(), &self.limits), options)
    }

    fn set_checked(&self, instance: &str, namespace: &str, key: &str, value: Result<Value>, options: SetOptions) -> Pending<Record> {
        let plan = value.and_then(|value| self.plan_set(instance, namespace, key, value, options));
        self.carry_out(plan, settle_record)
    }

    fn plan_set(&self, instance: &str, namespace: &str, key: &str, value: Value, options: SetOptions) -> Result<Plan<Record>> {
        let found = self.resolve(instance)?;
        self.limits.check(Field::Namespace, namespace)?;
        self.limits.check(Field::Key, key)?;
        let mut plan = Plan::plain(Vec::with_capacity(2), ());
        let instance_id = match found {
            Some(id) => {
                plan.guards.push(Check::on(0, Expect::InstanceStored));
                id
            }
            None if options.auto_create_instance => {
                let created = self.new_instance(instance, None)?;
                let id = created.id;
                plan.guards.push(Check::on(0, Expect::NameOrJoin));
                plan.changes.push(Change::PutInstance(created));
                id
            }
            None => return Err(Error::InstanceNotFound(instance.to_string())),
        };
        let place = Place { instance_id, namespace: namespace.to_string(), key: key.to_string() };
        let previous = self.shared.index.borrow().entry(&instance_id, namespace, key).map(|e| e.to_record(instance_id, namespace, key));
        if let Some(expected) = options.if_version {
            let expected = self.check_version(namespace, key, expected, previous.as_ref().map(|p| p.version))?;
            plan.guards.push(Check::on(plan.changes.len(), Expect::Version { place: place.clone(), expected, now: Some(self.now()) }));
        }
        let record = self.new_record(place, value, previous.as_ref(), options.expire)?;
        plan.changes.push(Change::PutRecord(record.clone()));
        Ok(Plan { changes: plan.changes, guards: plan.guards, answer: record })
    }


    /// The record a write of `value` at `place` makes, over `previous`: an
    /// overwrite keeps its id and creation time; versions grow per record
    /// even when another tab wrote the last one. Where storage cannot count
    /// versions, they are drawn from the clock (`versions`).
    pub(super) fn new_record(&self, place: Place, value: Value, previous: Option<&Record>, expire: Option<Expiry>) -> Result<Record> {
        let now = self.now();
        let expires_at = expires_at(expire, now)?;
        let exhausted = || super::exhausted("record versions");
        let drawn = match self.shared.checks() {
            true => None,
            false => Some(versions::drawn(now, self.fresh_id()).ok_or_else(exhausted)?),
        };
        let after = versions::after(previous.map(|p| p.version), drawn);
        let version = self.shared.take_version(after).and_then(versions::safe).ok_or_else(exhausted)?;
        let (id, created_at, updated_at) = match previous {
            Some(p) => (p.id, p.created_at, now.after(p.updated_at)),
            None => (self.fresh_id(), now, now),
        };
        let Place { instance_id, namespace, key } = place;
        Ok(Record { id, instance_id, namespace, key, value, created_at, updated_at, version, expires_at })
    }

    /// Checks a required version against memory (exact for this copy's
    /// writes; storage checks again against every other writer), and
    /// whether the backend can check at all. The version storage must find.
    pub(super) fn check_version(&self, namespace: &str, key: &str, expected: IfVersion, current: Option<u64>) -> Result<Option<u64>> {
        if !self.shared.checks() {
            return Err(Error::Unsupported(
                "conditional writes (ifVersion) need storage that reads and writes in one transaction, which Workers KV does not have; use a Durable Object, or write without ifVersion."
                    .to_string(),
            ));
        }
        let expected = expected.version();
        match current == expected {
            true => Ok(expected),
            false => Err(Error::Conflict { place: format!("{namespace}/{key}"), expected, found: current }),
        }
    }

    /// Deletes one key; `false` when there was nothing to delete.
    pub fn delete(&self, instance: &str, namespace: &str, key: &str) -> Pending<bool> {
        self.delete_with(instance, namespace, key, DeleteOptions::default())
    }

    /// [`KvStore::delete`] with options: a version the key must have
    /// ([`DeleteOptions::if_version`]).
    pub fn delete_with(&self, instance: &str, namespace: &str, key: &str, options: DeleteOptions) -> Pending<bool> {
        let plan = (|| {
            let id = self.resolve(instance)?;
            self.limits.check(Field::Namespace, namespace)?;
            self.limits.check(Field::Key, key)?;
            let current = id.and_then(|id| self.shared.index.borrow().entry(&id, namespace, key).map(|e| e.version));
            let expected = match options.if_version {
                Some(required) => Some(self.check_version(namespace, key, required, current)?),
                None => None,
            };
            // Only a key that exists is deleted, so only then is it checked.
            let (Some(instance_id), Some(_)) = (id, current) else { return Ok(None) };
            let place = Place { instance_id, namespace: namespace.to_string(), key: key.to_string() };
            let guards = expected.map(|expected| Check::on(0, Expect::Version { place, expected, now: Some(self.now()) })).into_iter().collect();
            let change = Change::DeleteRecord { instance_id, namespace: namespace.to_string(), key: key.to_string() };
            Ok(Some(Plan { changes: vec![change], guards, answer: true }))
        })();
        match plan {
            Ok(None) => Pending::from(Ok(false)),
            Ok(Some(plan)) => self.carry_out(Ok(plan), |deleted, _| deleted),
            Err(e) => Pending::from(Err(e)),
        }
    }

    /// Deletes every record of a namespace at once; answers how many.
    pub fn delete_namespace(&self, instance: &str, namespace: &str) -> Pending<usize> {
        let found = (|| {
            let id = self.resolve(instance)?;
            self.limits.check(Field::Namespace, namespace)?;
            Ok(id.map(|id| (id, self.count_in(id, Some(namespace)))))
        })();
        match found {
            Err(e) => Pending::from(Err(e)),
            Ok(None | Some((_, 0))) => Pending::from(Ok(0)),
            Ok(Some((instance_id, count))) => {
                let change = Change::DeleteNamespace { instance_id, namespace: namespace.to_string() };
                self.write(vec![change], count)
            }
        }
    }

    /// The namespaces holding at least one record, sorted as JavaScript sorts strings.
    pub fn get_namespaces(&self, instance: &str) -> Result<Vec<String>> {
        self.resolve(instance).map(|id| {
            let index = self.shared.index.borrow();
            let mut names: Vec<String> = id
                .and_then(|id| index.slot(&id))
                .map(|slot| slot.namespaces.keys().cloned().collect())
                .unwrap_or_default();
            crate::sort::by(&mut names, |a, b| cmp_utf16(a, b));
            names
        })
    }

    /// How many records an instance holds, in one namespace or in all.
    pub fn get_record_count(&self, instance: &str, namespace: Option<&str>) -> Result<usize> {
        let id = self.resolve(instance)?;
        if let Some(ns) = namespace {
            self.limits.check(Field::Namespace, ns)?;
        }
        Ok(id.map_or(0, |id| self.count_in(id, namespace)))
    }

    fn count_in(&self, instance_id: crate::id::Uuid, namespace: Option<&str>) -> usize {
        let index = self.shared.index.borrow();
        let Some(slot) = index.slot(&instance_id) else { return 0 };
        match namespace {
            Some(ns) => slot.namespaces.get(ns).map_or(0, std::collections::HashMap::len),
            None => slot.namespaces.values().map(std::collections::HashMap::len).sum(),
        }
    }
}

/// When a record written at `now` with `expire` expires.
fn expires_at(expire: Option<Expiry>, now: Timestamp) -> Result<Option<Timestamp>> {
    let invalid = |name: &str, problem: String| Error::InvalidArgument { name: name.to_string(), problem };
    let at = match expire {
        None => return Ok(None),
        Some(Expiry::In(0)) => return Err(invalid("options.expireIn", "must be a positive number of milliseconds; to keep a record, give no expiry.".into())),
        Some(Expiry::In(ms)) => i64::try_from(ms).ok().and_then(|ms| now.0.checked_add(ms)).map(Timestamp),
        Some(Expiry::At(at)) if at <= now => {
            return Err(invalid("options.expireAt", format!("must be after the write ({now}), not {at}; a record that expires at once would never be seen.")));
        }
        Some(Expiry::At(at)) => Some(at),
    };
    let given = if matches!(expire, Some(Expiry::At(_))) { "options.expireAt" } else { "options.expireIn" };
    at.filter(|at| at.0 <= LAST_INSTANT)
        .map(Some)
        .ok_or_else(|| invalid(given, "reaches past the year 9999, which no timestamp can name.".into()))
}
