//! One batch of changes as the writes that make it durable: first reduced
//! to the final content of every item it touches (so a burst of writes to
//! one key is one write), then ordered in steps whose every prefix leaves
//! loadable data behind: instance documents before their records are
//! written, records before their instance document is removed. A storage
//! without transactions that fails between two steps therefore holds a mix
//! of old and new items, but never a record without its instance.
//!
//! Namespace and instance deletes become cleared prefixes for drivers that
//! list their keys reliably, and one removal per item [`Known`] to be
//! stored for the others.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

use super::codec::EncodedBatch;
use super::driver::{Step, Writes};
use super::layout;
use crate::model::Change;

/// The item keys known to be stored: those loaded and those written since.
/// Kept for drivers whose listings may miss recent writes (Workers KV),
/// where namespace and instance deletes find their items here instead.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Known(BTreeSet<String>);

impl Known {
    /// Counts `key` as stored.
    pub fn insert(&mut self, key: String) {
        self.0.insert(key);
    }

    fn under<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = &'a String> + 'a {
        self.0.range::<str, _>(from(prefix)).take_while(move |item| item.starts_with(prefix))
    }

    /// After a commit that succeeded: its items are as written.
    pub fn committed(&mut self, touched: &Touched) {
        self.0.extend(touched.puts.iter().cloned());
        for key in &touched.deletes {
            self.0.remove(key);
        }
    }

    /// After a commit that failed part-way: any item it put may be stored,
    /// and any it removed may still be, so later deletes cover all of them.
    pub fn maybe_written(&mut self, touched: &Touched) {
        self.0.extend(touched.puts.iter().cloned());
    }
}

/// The item keys a commit writes and removes, without their documents.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Touched {
    puts: Vec<String>,
    deletes: Vec<String>,
}

impl Touched {
    /// The keys of `writes`.
    pub fn of(writes: &Writes) -> Touched {
        let mut touched = Touched::default();
        for step in &writes.steps {
            touched.puts.extend(step.puts.iter().map(|(key, _)| key.clone()));
            touched.deletes.extend(step.deletes.iter().cloned());
        }
        touched
    }
}

/// The keys from `prefix` on, in order: those starting with it come first.
fn from(prefix: &str) -> (Bound<&str>, Bound<&str>) {
    (Bound::Included(prefix), Bound::Unbounded)
}

/// The final content of every item a batch touches (`None` removes it),
/// and the prefixes it clears.
#[derive(Default)]
struct Plan<'a> {
    items: BTreeMap<String, Option<&'a str>>,
    cleared: Vec<String>,
}

impl<'a> Plan<'a> {
    /// Removes every record item under `prefix`: with `known`, each one
    /// stored and each one put earlier in the batch; without, the prefix is
    /// cleared before anything is written and earlier puts under it are
    /// dropped. (Record items under an instance's prefix are all records:
    /// instance items and the meta item live elsewhere.)
    fn clear(&mut self, known: Option<&Known>, prefix: String) {
        let planned = self.items.range::<str, _>(from(&prefix)).take_while(|(item, _)| item.starts_with(&prefix));
        let planned: Vec<String> = planned.map(|(item, _)| item.clone()).collect();
        match known {
            Some(known) => {
                for item in known.under(&prefix).cloned().chain(planned) {
                    self.items.insert(item, None);
                }
            }
            None => {
                for item in planned {
                    self.items.remove(&item);
                }
                self.cleared.push(prefix);
            }
        }
    }
}

/// The writes of `changes`, whose documents are in `docs`, leaving out the
/// changes marked in `skipped`, with the engine's own `items` (the meta
/// item until it is known to be stored, the version counter), which go
/// first.
pub fn writes<'a>(changes: &[Change], docs: &'a EncodedBatch, skipped: &[usize], known: Option<&Known>, items: &'a [(String, String)]) -> Result<Writes, String> {
    // A put without its document would become a removal: say so instead.
    let doc = |i: usize| docs.doc(i).map(Some).ok_or("a change of the batch has no document");
    let mut plan = Plan::default();
    for (key, text) in items {
        plan.items.insert(key.clone(), Some(text.as_str()));
    }
    let mut expiring = BTreeMap::new();
    for (i, change) in changes.iter().enumerate() {
        if skipped.contains(&i) {
            continue;
        }
        match change {
            Change::PutInstance(instance) => {
                plan.items.insert(layout::instance(&instance.id.to_string()), doc(i)?);
            }
            Change::DeleteInstance(id) => {
                let id = id.to_string();
                plan.clear(known, layout::instance_prefix(&id));
                plan.items.insert(layout::instance(&id), None);
            }
            Change::PutRecord(record) => {
                let item = layout::record(&record.instance_id.to_string(), &record.namespace, &record.key);
                match record.expires_at {
                    Some(at) => expiring.insert(item.clone(), at.0),
                    None => expiring.remove(&item),
                };
                plan.items.insert(item, doc(i)?);
            }
            Change::DeleteRecord { instance_id, namespace, key } => {
                plan.items.insert(layout::record(&instance_id.to_string(), namespace, key), None);
            }
            Change::DeleteNamespace { instance_id, namespace } => {
                plan.clear(known, layout::namespace_prefix(&instance_id.to_string(), namespace));
            }
        }
    }
    // Only items still put at the end expire (a later removal wins).
    expiring.retain(|item, _| matches!(plan.items.get(item), Some(Some(_))));
    Ok(Writes { cleared: plan.cleared, steps: steps(plan.items), expiring })
}

/// The items in the order that keeps every prefix of the writes loadable;
/// empty steps are left out.
fn steps(items: BTreeMap<String, Option<&str>>) -> Vec<Step> {
    let mut steps = [
        Step { doing: "writing instances", ..Step::default() },
        Step { doing: "writing records", ..Step::default() },
        Step { doing: "removing records", ..Step::default() },
        Step { doing: "removing instances", ..Step::default() },
    ];
    for (item, content) in items {
        let is_record = layout::is_record(&item);
        let [instances, records, removed_records, removed_instances] = &mut steps;
        match (content, is_record) {
            (Some(text), false) => instances.puts.push((item, text.to_string())),
            (Some(text), true) => records.puts.push((item, text.to_string())),
            (None, true) => removed_records.deletes.push(item),
            (None, false) => removed_instances.deletes.push(item),
        }
    }
    steps.into_iter().filter(|step| !step.puts.is_empty() || !step.deletes.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::codec::encode_batch;
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

    fn meta(write_meta: bool) -> Vec<(String, String)> {
        match write_meta {
            true => vec![(layout::META.to_string(), crate::engine::codec::FORMAT_VERSION.to_string())],
            false => Vec::new(),
        }
    }

    fn plan(changes: &[Change], known: Option<&Known>, write_meta: bool) -> Writes {
        writes(changes, &encode_batch(changes, &[]).expect("encodes"), &[], known, &meta(write_meta)).expect("planned")
    }

    fn keys(step: &Step) -> Vec<&str> {
        step.puts.iter().map(|(k, _)| k.as_str()).chain(step.deletes.iter().map(String::as_str)).collect()
    }

    #[test]
    fn a_burst_to_one_key_is_one_write_and_instances_come_first() {
        let i = instance(1);
        let changes = [
            Change::PutRecord(record(&i, "n", "k")),
            Change::PutRecord(record(&i, "n", "k")),
            Change::PutInstance(i.clone()),
        ];
        let writes = plan(&changes, None, true);
        let doing: Vec<_> = writes.steps.iter().map(|s| (s.doing, s.puts.len(), s.deletes.len())).collect();
        assert_eq!(doing, [("writing instances", 2, 0), ("writing records", 1, 0)], "meta and instance, then the record");
        assert_eq!(writes.steps[0].puts[1], (layout::META.to_string(), crate::engine::codec::FORMAT_VERSION.to_string()));
    }

    #[test]
    fn skipped_changes_write_nothing() {
        let i = instance(1);
        let changes = [Change::PutRecord(record(&i, "n", "a")), Change::PutRecord(record(&i, "n", "b"))];
        let writes = writes(&changes, &encode_batch(&changes, &[]).expect("encodes"), &[0], None, &[]).expect("planned");
        assert_eq!(keys(&writes.steps[0]), [layout::record(&i.id.to_string(), "n", "b")]);
    }

    #[test]
    fn a_reliable_lister_clears_prefixes_first_and_later_puts_survive_them() {
        let i = instance(1);
        let id = i.id.to_string();
        let changes = [
            Change::PutRecord(record(&i, "n", "before")),
            Change::DeleteNamespace { instance_id: i.id, namespace: "n".into() },
            Change::PutRecord(record(&i, "n", "after")),
            Change::DeleteInstance(instance(2).id),
        ];
        let writes = plan(&changes, None, false);
        let other = instance(2).id.to_string();
        assert_eq!(writes.cleared, [layout::namespace_prefix(&id, "n"), layout::instance_prefix(&other)]);
        let steps: Vec<_> = writes.steps.iter().map(|s| (s.doing, keys(s))).collect();
        let after = layout::record(&id, "n", "after");
        let gone = layout::instance(&other);
        assert_eq!(steps, [("writing records", vec![after.as_str()]), ("removing instances", vec![gone.as_str()])]);
    }

    #[test]
    fn without_reliable_listing_deletes_name_every_known_and_planned_record() {
        let (i, j) = (instance(1), instance(2));
        let (id, jd) = (i.id.to_string(), j.id.to_string());
        let mut known = Known::default();
        for (inst, ns, key) in [(&id, "n", "a"), (&id, "n2", "b"), (&jd, "n", "c")] {
            known.insert(layout::record(inst, ns, key));
        }
        known.insert(layout::instance(&id));
        let changes = [
            Change::PutRecord(record(&i, "n", "new")),
            Change::DeleteNamespace { instance_id: i.id, namespace: "n".into() },
            Change::PutRecord(record(&i, "n", "after")),
        ];
        let writes = plan(&changes, Some(&known), false);
        assert!(writes.cleared.is_empty());
        let steps: Vec<_> = writes.steps.iter().map(keys).collect();
        let (after, a, new) = (layout::record(&id, "n", "after"), layout::record(&id, "n", "a"), layout::record(&id, "n", "new"));
        assert_eq!(steps, [vec![after.as_str()], vec![a.as_str(), new.as_str()]]);

        let writes = plan(&[Change::DeleteInstance(i.id)], Some(&known), false);
        let doing: Vec<_> = writes.steps.iter().map(|s| (s.doing, keys(s))).collect();
        let (b, inst) = (layout::record(&id, "n2", "b"), layout::instance(&id));
        assert_eq!(doing, [("removing records", vec![a.as_str(), b.as_str()]), ("removing instances", vec![inst.as_str()])]);
    }

    #[test]
    fn known_follows_commits_and_keeps_what_a_failure_may_have_written() {
        let i = instance(1);
        let put = plan(&[Change::PutRecord(record(&i, "n", "k"))], None, false);
        let mut known = Known::default();
        known.maybe_written(&Touched::of(&put));
        assert_eq!(known.under("r/").count(), 1);
        let delete = plan(&[Change::DeleteNamespace { instance_id: i.id, namespace: "n".into() }], Some(&known), false);
        known.maybe_written(&Touched::of(&delete));
        assert_eq!(known.under("r/").count(), 1, "a failed delete may have left the item");
        known.committed(&Touched::of(&delete));
        assert_eq!(known.under("r/").count(), 0);
    }
}
