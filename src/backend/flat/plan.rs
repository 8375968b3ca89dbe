//! One batch of changes as the writes that make it durable: first reduced
//! to the final content of every item it touches (so a burst of writes to
//! one key is one write), then ordered in steps whose every prefix leaves
//! loadable data behind: instance documents before their records are
//! written, records before their instance document is removed. A storage
//! without transactions that fails between two writes therefore holds a
//! mix of old and new items, but never a record without its instance.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

use super::keys::StorageKeys;
use crate::backend::codec::{self, FORMAT_VERSION};
use crate::backend::item_key::ItemKey;
use crate::model::Change;

/// The item keys known to be stored: those loaded and those written since.
/// Namespace and instance deletes find their records here, not by listing
/// the storage, because Workers KV lists are eventually consistent: a key
/// written a moment ago may be missing from a list.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Known(BTreeSet<String>);

impl Known {
    /// Counts `item_key` as stored.
    pub fn insert(&mut self, item_key: String) {
        self.0.insert(item_key);
    }

    fn under<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = &'a String> + 'a {
        self.0.range::<str, _>(from(prefix)).take_while(move |item| item.starts_with(prefix))
    }

    /// After a commit that succeeded: the batch's items are as planned.
    pub fn committed(&mut self, plan: &Plan) {
        for (item, content) in &plan.items {
            match content {
                Some(_) => self.0.insert(item.clone()),
                None => self.0.remove(item),
            };
        }
    }

    /// After a commit that failed part-way: any item it put may be stored,
    /// and any it removed may still be, so later deletes cover all of them.
    pub fn maybe_written(&mut self, plan: &Plan) {
        for (item, content) in &plan.items {
            if content.is_some() {
                self.0.insert(item.clone());
            }
        }
    }
}

/// The keys from `prefix` on, in order: those starting with it come first.
fn from(prefix: &str) -> (Bound<&str>, Bound<&str>) {
    (Bound::Included(prefix), Bound::Unbounded)
}

/// The final content of every item a batch touches, by item key: `None`
/// removes it.
#[derive(Debug, Default, PartialEq)]
pub struct Plan {
    items: BTreeMap<String, Option<String>>,
}

/// One step of a commit: puts or removals that may run in any order, all
/// done before the next step starts. Keys are storage keys.
#[derive(Debug, PartialEq)]
pub struct Step {
    /// What the step does, for error sentences ("writing records").
    pub doing: &'static str,
    pub puts: Vec<(String, String)>,
    pub deletes: Vec<String>,
}

impl Plan {
    /// Reduces `changes`, in order, against what is `known` to be stored;
    /// `write_meta` adds the meta item (until it is known to be stored).
    pub fn new(keys: &StorageKeys, known: &Known, changes: Vec<Change>, write_meta: bool) -> Plan {
        let items_keys = keys.items();
        let mut plan = Plan::default();
        if write_meta {
            plan.items.insert(items_keys.meta(), Some(FORMAT_VERSION.to_string()));
        }
        for change in changes {
            match change {
                Change::PutInstance(instance) => {
                    plan.items.insert(items_keys.instance(&instance.id.to_string()), Some(codec::encode_instance(&instance)));
                }
                Change::DeleteInstance(id) => {
                    let id = id.to_string();
                    plan.items.insert(items_keys.instance(&id), None);
                    plan.remove_records_under(known, &items_keys.instance_prefix(&id));
                }
                Change::PutRecord(record) => {
                    let item = items_keys.record(&record.instance_id.to_string(), &record.namespace, &record.key);
                    plan.items.insert(item, Some(codec::encode_record(&record)));
                }
                Change::DeleteRecord { instance_id, namespace, key } => {
                    plan.items.insert(items_keys.record(&instance_id.to_string(), &namespace, &key), None);
                }
                Change::DeleteNamespace { instance_id, namespace } => {
                    plan.remove_records_under(known, &items_keys.namespace_prefix(&instance_id.to_string(), &namespace));
                }
            }
        }
        plan
    }

    /// Removes every record item under `prefix`: those stored and those put
    /// earlier in the batch. (Record item keys under an instance's prefix
    /// are all records: instance items and the meta item live elsewhere.)
    fn remove_records_under(&mut self, known: &Known, prefix: &str) {
        for item in known.under(prefix) {
            self.items.insert(item.clone(), None);
        }
        let planned: Vec<String> = self.items.range::<str, _>(from(prefix)).take_while(|(item, _)| item.starts_with(prefix)).map(|(item, _)| item.clone()).collect();
        for item in planned {
            self.items.insert(item, None);
        }
    }

    /// The writes, in the order that keeps every prefix of them loadable;
    /// empty steps are left out.
    pub fn steps(&self, keys: &StorageKeys) -> Vec<Step> {
        let mut steps = [
            Step { doing: "writing instances", puts: Vec::new(), deletes: Vec::new() },
            Step { doing: "writing records", puts: Vec::new(), deletes: Vec::new() },
            Step { doing: "removing records", puts: Vec::new(), deletes: Vec::new() },
            Step { doing: "removing instances", puts: Vec::new(), deletes: Vec::new() },
        ];
        for (item, content) in &self.items {
            let is_record = matches!(keys.items().decode(item), Some(ItemKey::Record { .. }));
            let storage_key = keys.storage_key(item);
            let [instances, records, removed_records, removed_instances] = &mut steps;
            match (content, is_record) {
                (Some(text), false) => instances.puts.push((storage_key, text.clone())),
                (Some(text), true) => records.puts.push((storage_key, text.clone())),
                (None, true) => removed_records.deletes.push(storage_key),
                (None, false) => removed_instances.deletes.push(storage_key),
            }
        }
        steps.into_iter().filter(|step| !step.puts.is_empty() || !step.deletes.is_empty()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::Uuid;
    use crate::limits::Limits;
    use crate::model::{Instance, Record};
    use crate::time::Timestamp;
    use crate::value::Value;

    fn instance(byte: u8) -> Instance {
        Instance { id: Uuid::v4_from_bytes([byte; 16]), name: format!("i{byte}"), description: None, created_at: Timestamp(1), updated_at: Timestamp(1), seq: 1 }
    }

    fn record(instance: &Instance, namespace: &str, key: &str) -> Record {
        Record {
            id: Uuid::v4_from_bytes([9; 16]),
            instance_id: instance.id,
            namespace: namespace.into(),
            key: key.into(),
            value: Value::from_json("1".into(), &Limits::default()).expect("valid"),
            created_at: Timestamp(1),
            updated_at: Timestamp(1),
            version: 1,
            expires_at: None,
        }
    }

    fn keys() -> StorageKeys {
        StorageKeys::new("s").expect("a short name")
    }

    #[test]
    fn a_burst_to_one_key_is_one_write_and_instances_come_first() {
        let (keys, i) = (keys(), instance(1));
        let changes = vec![
            Change::PutRecord(record(&i, "n", "k")),
            Change::PutRecord(record(&i, "n", "k")),
            Change::PutInstance(i.clone()),
        ];
        let steps = Plan::new(&keys, &Known::default(), changes, true).steps(&keys);
        let doing: Vec<_> = steps.iter().map(|s| (s.doing, s.puts.len(), s.deletes.len())).collect();
        assert_eq!(doing, [("writing instances", 2, 0), ("writing records", 1, 0)], "meta and instance, then the record");
    }

    #[test]
    fn namespace_and_instance_deletes_cover_stored_and_planned_records_only() {
        let (keys, i, j) = (keys(), instance(1), instance(2));
        let items = keys.items();
        let mut known = Known::default();
        for (inst, ns, key) in [(&i, "n", "a"), (&i, "n2", "b"), (&j, "n", "c")] {
            known.insert(items.record(&inst.id.to_string(), ns, key));
        }
        known.insert(items.instance(&i.id.to_string()));
        let changes = vec![
            Change::PutRecord(record(&i, "n", "new")),
            Change::DeleteNamespace { instance_id: i.id, namespace: "n".into() },
            Change::PutRecord(record(&i, "n", "after")),
        ];
        let plan = Plan::new(&keys, &known, changes, false);
        let steps = plan.steps(&keys);
        let id = i.id.to_string();
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[0].puts.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>(), [items.record(&id, "n", "after")]);
        assert_eq!(steps[1].deletes, [items.record(&id, "n", "a"), items.record(&id, "n", "new")]);

        let plan = Plan::new(&keys, &known, vec![Change::DeleteInstance(i.id)], false);
        let steps = plan.steps(&keys);
        let doing: Vec<_> = steps.iter().map(|s| (s.doing, s.deletes.clone())).collect();
        assert_eq!(doing, [
            ("removing records", vec![items.record(&id, "n", "a"), items.record(&id, "n2", "b")]),
            ("removing instances", vec![items.instance(&id)]),
        ]);
    }

    #[test]
    fn known_follows_commits_and_keeps_what_a_failure_may_have_written() {
        let (keys, i) = (keys(), instance(1));
        let put = Plan::new(&keys, &Known::default(), vec![Change::PutRecord(record(&i, "n", "k"))], false);
        let mut known = Known::default();
        known.maybe_written(&put);
        assert_eq!(known.under(keys.prefix()).count(), 1);
        let delete = Plan::new(&keys, &known, vec![Change::DeleteNamespace { instance_id: i.id, namespace: "n".into() }], false);
        known.maybe_written(&delete);
        assert_eq!(known.under(keys.prefix()).count(), 1, "a failed delete may have left the item");
        known.committed(&delete);
        assert_eq!(known.under(keys.prefix()).count(), 0);
    }

    #[test]
    fn long_keys_are_written_under_their_hash() {
        let (keys, i) = (keys(), instance(1));
        let long = "k".repeat(600);
        let plan = Plan::new(&keys, &Known::default(), vec![Change::PutRecord(record(&i, "n", &long))], false);
        let steps = plan.steps(&keys);
        assert!(keys.is_hashed(&steps[0].puts[0].0));
    }
}
