//! Record operations: get, set, delete, and the namespace-wide ones.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::KvStore;
use crate::commit::Pending;
use crate::error::{Error, Field, Result};
use crate::index::cmp_utf16;
use crate::model::{Change, Record};
use crate::time::Timestamp;
use crate::value::Value;

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
        let id = self.resolve(instance)?;
        self.limits.check(Field::Namespace, namespace)?;
        self.limits.check(Field::Key, key)?;
        let index = self.shared.index.borrow();
        Ok(id.and_then(|id| index.entry(&id, namespace, key)).map(|e| e.value.clone()))
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
        self.set_checked(instance, namespace, key, Value::from_serde(value, &self.limits), auto_create_instance)
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

    /// [`KvStore::set`] for a value given as JSON text (as `JSON.stringify`
    /// makes it); text that is not JSON is refused.
    pub fn set_json(
        &self,
        instance: &str,
        namespace: &str,
        key: &str,
        json: impl Into<String>,
        auto_create_instance: bool,
    ) -> Pending<Record> {
        self.set_checked(instance, namespace, key, Value::from_json(json.into(), &self.limits), auto_create_instance)
    }

    fn set_checked(&self, instance: &str, namespace: &str, key: &str, value: Result<Value>, auto_create: bool) -> Pending<Record> {
        match value {
            Ok(value) => self.carry_out(self.try_set(instance, namespace, key, value, auto_create)),
            Err(e) => Pending::from(Err(e)),
        }
    }

    fn try_set(
        &self,
        instance: &str,
        namespace: &str,
        key: &str,
        value: Value,
        auto_create: bool,
    ) -> Result<(Vec<Change>, Record)> {
        let found = self.resolve(instance)?;
        self.limits.check(Field::Namespace, namespace)?;
        self.limits.check(Field::Key, key)?;
        let mut changes = Vec::with_capacity(2);
        let instance_id = match found {
            Some(id) => id,
            None if auto_create => {
                let created = self.new_instance(instance, None)?;
                let id = created.id;
                changes.push(Change::PutInstance(created));
                id
            }
            None => return Err(Error::InstanceNotFound(instance.to_string())),
        };
        let previous = self.shared.index.borrow().entry(&instance_id, namespace, key).map(|e| (e.id, e.created_at, e.updated_at, e.version));
        let mut mint = self.mint.borrow_mut();
        let now = Timestamp(mint.clock.now_ms());
        // Versions grow per record even when another tab wrote the last one.
        let after_previous = match previous {
            Some(p) => p.3.checked_add(1).ok_or_else(|| super::exhausted("record versions"))?,
            None => 0,
        };
        let version = mint.next_version.max(after_previous);
        mint.next_version = version.checked_add(1).ok_or_else(|| super::exhausted("record versions"))?;
        let (id, created_at, updated_at) = match previous {
            Some((id, created_at, updated_at, _)) => (id, created_at, now.after(updated_at)),
            None => (mint.ids.next_uuid(), now, now),
        };
        drop(mint);
        let record = Record {
            id,
            instance_id,
            namespace: namespace.to_string(),
            key: key.to_string(),
            value,
            created_at,
            updated_at,
            version,
            expires_at: None,
        };
        changes.push(Change::PutRecord(record.clone()));
        Ok((changes, record))
    }

    /// Deletes one key; `false` when there was nothing to delete.
    pub fn delete(&self, instance: &str, namespace: &str, key: &str) -> Pending<bool> {
        let found = (|| {
            let id = self.resolve(instance)?;
            self.limits.check(Field::Namespace, namespace)?;
            self.limits.check(Field::Key, key)?;
            Ok(id.filter(|id| self.shared.index.borrow().entry(id, namespace, key).is_some()))
        })();
        match found {
            Err(e) => Pending::from(Err(e)),
            Ok(None) => Pending::from(Ok(false)),
            Ok(Some(instance_id)) => {
                let change = Change::DeleteRecord { instance_id, namespace: namespace.to_string(), key: key.to_string() };
                self.write(vec![change], true)
            }
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
            names.sort_by(|a, b| cmp_utf16(a, b));
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
