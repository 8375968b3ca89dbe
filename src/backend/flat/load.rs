//! Reading a store back from the items listed under its prefix. Every item
//! is checked against its key: an unhashed key must name the instance or
//! record its document holds, and a hashed key must be the hash of the
//! document's own item key. Items that fail a check, foreign items under
//! the prefix, and records whose instance is not stored are left out and
//! reported in `Snapshot::skipped`; the rest loads.

use std::collections::BTreeSet;

use super::keys::StorageKeys;
use super::plan::Known;
use crate::backend::Snapshot;
use crate::backend::codec;
use crate::backend::item_key::{Item, ItemKey, decode_item};
use crate::model::Record;

/// Collects the items of one store into a snapshot.
pub struct Loader<'a> {
    keys: &'a StorageKeys,
    snapshot: Snapshot,
    records: Vec<(String, Record)>,
    known: Known,
}

impl<'a> Loader<'a> {
    pub fn new(keys: &'a StorageKeys) -> Loader<'a> {
        Loader { keys, snapshot: Snapshot::default(), records: Vec::new(), known: Known::default() }
    }

    /// Takes one listed item and its content: `Ok(None)` when it was removed
    /// after the list was made, `Err` when the storage holds something other
    /// than text there.
    pub fn add(&mut self, storage_key: &str, content: Result<Option<String>, String>) {
        let text = match content {
            Ok(Some(text)) => text,
            Ok(None) => return,
            Err(why) => return self.skip(storage_key, &why),
        };
        let loaded = match self.keys.items().decode(storage_key) {
            Some(ItemKey::Meta) => return,
            Some(kind) => {
                // Counted as stored even when damaged, so that deleting its
                // namespace or instance removes it too.
                self.known.insert(storage_key.to_string());
                decode_item(kind, &text)
            }
            None if self.keys.is_hashed(storage_key) => self.decode_hashed(storage_key, &text),
            None => Err("it is under the store's prefix but is not one of its items, so it was left alone".to_string()),
        };
        match loaded {
            Ok(Item::Instance(instance)) => self.snapshot.instances.push(instance),
            Ok(Item::Record(record)) => self.records.push((storage_key.to_string(), record)),
            Err(why) => self.skip(storage_key, &why),
        }
    }

    /// A document stored under a hash: whichever kind it is, its own item
    /// key must hash to where it was found.
    fn decode_hashed(&mut self, storage_key: &str, text: &str) -> Result<Item, String> {
        let items = self.keys.items();
        let (item, loaded) = match (codec::decode_record(text), codec::decode_instance(text)) {
            (Ok(r), _) => (items.record(&r.instance_id.to_string(), &r.namespace, &r.key), Item::Record(r)),
            (_, Ok(i)) => (items.instance(&i.id.to_string()), Item::Instance(i)),
            (Err(why), Err(_)) => return Err(why),
        };
        if self.keys.storage_key(&item) != storage_key {
            return Err("its document belongs under another key, so it was left alone".to_string());
        }
        self.known.insert(item);
        Ok(loaded)
    }

    fn skip(&mut self, storage_key: &str, why: &str) {
        self.snapshot.skipped.push(format!("The stored item {storage_key:?} was skipped: {why}."));
    }

    /// The snapshot, and the item keys now known to be stored.
    pub fn finish(mut self) -> (Snapshot, Known) {
        let ids: BTreeSet<_> = self.snapshot.instances.iter().map(|i| i.id).collect();
        for (storage_key, record) in std::mem::take(&mut self.records) {
            if ids.contains(&record.instance_id) {
                self.snapshot.records.push(record);
            } else {
                let why = format!("its instance {} is not stored", record.instance_id);
                self.skip(&storage_key, &why);
            }
        }
        (self.snapshot, self.known)
    }
}


#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::flat::plan::Plan;
    use crate::id::Uuid;
    use crate::limits::Limits;
    use crate::model::{Change, Instance};
    use crate::time::Timestamp;
    use crate::value::Value;

    fn instance() -> Instance {
        Instance { id: Uuid::v4_from_bytes([1; 16]), name: "i".into(), description: None, created_at: Timestamp(1), updated_at: Timestamp(1), seq: 1 }
    }

    fn record(key: &str) -> Record {
        Record {
            id: Uuid::v4_from_bytes([2; 16]),
            instance_id: instance().id,
            namespace: "n".into(),
            key: key.into(),
            value: Value::from_json("[1]".into(), &Limits::default()).expect("valid"),
            created_at: Timestamp(1),
            updated_at: Timestamp(2),
            version: 3,
            expires_at: None,
        }
    }

    /// What a commit of `changes` stores, as (storage key, text) pairs.
    fn stored(keys: &StorageKeys, changes: Vec<Change>) -> Vec<(String, String)> {
        let plan = Plan::new(keys, &Known::default(), changes, true);
        plan.steps(keys).into_iter().flat_map(|step| step.puts).collect()
    }

    #[test]
    fn what_a_commit_stores_loads_back_including_hashed_keys() {
        let keys = StorageKeys::new("s").expect("a short name");
        let long = "x".repeat(700);
        let items = stored(&keys, vec![Change::PutInstance(instance()), Change::PutRecord(record("k")), Change::PutRecord(record(&long))]);
        let mut loader = Loader::new(&keys);
        for (key, text) in items {
            loader.add(&key, Ok(Some(text)));
        }
        loader.add("boltkv/s/r/gone", Ok(None));
        let (snapshot, known) = loader.finish();
        assert_eq!(snapshot.skipped, Vec::<String>::new());
        assert_eq!(snapshot.instances, [instance()]);
        assert_eq!(snapshot.records, [record("k"), record(&long)]);
        let delete = Plan::new(&keys, &known, vec![Change::DeleteInstance(instance().id)], false);
        let removed: Vec<_> = delete.steps(&keys).into_iter().flat_map(|s| s.deletes).collect();
        assert_eq!(removed.len(), 3, "both records, the hashed one too, and the instance: {removed:?}");
    }

    #[test]
    fn damaged_misplaced_foreign_and_orphaned_items_are_reported() {
        let keys = StorageKeys::new("s").expect("a short name");
        let items = keys.items();
        let id = instance().id.to_string();
        let good = codec::encode_record(&record("k"));
        let mut loader = Loader::new(&keys);
        loader.add(&items.record(&id, "n", "k"), Ok(Some(good.clone())));
        loader.add(&items.record(&id, "n", "other"), Ok(Some(good.clone())));
        loader.add(&items.instance(&id), Ok(Some("not json".into())));
        loader.add(&format!("boltkv/s/h/{}", "0".repeat(64)), Ok(Some(good)));
        loader.add("boltkv/s/zzz", Ok(Some("x".into())));
        loader.add(&items.record(&id, "n", "number"), Err("it is not text".into()));
        let (snapshot, _) = loader.finish();
        assert!(snapshot.records.is_empty() && snapshot.instances.is_empty());
        assert_eq!(snapshot.skipped.len(), 6, "{:#?}", snapshot.skipped);
        assert!(snapshot.skipped.iter().any(|s| s.contains("is not stored")));
    }
}
