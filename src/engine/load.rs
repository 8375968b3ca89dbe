//! Reading a store back from the items a driver scans. Every item is
//! checked against its key: an item key must be the one its document's
//! instance or record would have, and a document found under another
//! spelling (a hashed key) must be stored where the driver would place
//! it. Items that fail a check, foreign items under the store's prefix,
//! and records whose instance is not stored are left out and reported in
//! `Snapshot::skipped`; the rest loads.

use std::collections::{BTreeMap, HashSet};

use super::codec;
use super::driver::{Driver, Found};
use super::layout;
use super::plan::Known;
use crate::backend::Snapshot;
use crate::model::{Change, Record};

/// What a scan gave, checked.
pub struct Loaded {
    pub snapshot: Snapshot,
    /// The meta item's text, if the store has one.
    pub format: Option<String>,
    /// Every item key found (also damaged items', so that deleting their
    /// namespace removes them); kept only for drivers that need it.
    pub known: Option<Known>,
    /// The documents of the meta item and of every instance, by item key.
    pub restore: BTreeMap<String, String>,
}

/// Collects scanned items; see [`Loader::finish`].
pub struct Loader {
    loaded: Loaded,
    /// Items that are not an instance's or a record's by their key,
    /// checked at the end (they are rare, and checking needs the driver).
    others: Vec<(Result<String, String>, String)>,
    /// Items left out, and why, named once the driver can spell them.
    skipped: Vec<(Result<String, String>, String)>,
}

/// A document and the change that stores it, checked against its key.
pub fn decode_item(key: &str, text: &str) -> Result<Change, String> {
    let (change, in_place) = if layout::is_instance(key) {
        let instance = codec::decode_instance(text)?;
        let in_place = layout::instance(&instance.id.to_string()) == key;
        (Change::PutInstance(instance), in_place)
    } else {
        let record = codec::decode_record(text)?;
        let id = record.instance_id.to_text();
        let id = std::str::from_utf8(&id).map_err(|_| "its instance id does not print as text".to_string())?;
        let in_place = layout::is_record_at(key, id, &record.namespace, &record.key);
        (Change::PutRecord(record), in_place)
    };
    if in_place {
        Ok(change)
    } else {
        Err("its document belongs under another key, so it was left alone".to_string())
    }
}

impl Loader {
    /// A loader that keeps the keys it finds when `keep_known`.
    pub fn new(keep_known: bool) -> Loader {
        let loaded = Loaded {
            snapshot: Snapshot::default(),
            format: None,
            known: keep_known.then(Known::default),
            restore: BTreeMap::new(),
        };
        Loader { loaded, others: Vec::new(), skipped: Vec::new() }
    }

    /// Takes one scanned item.
    pub fn add(&mut self, found: Found) {
        let (key, text) = match (found.key, found.text) {
            (Err(place), Ok(text)) => return self.others.push((Err(place), text)),
            (Ok(key), Ok(text)) => (key, text),
            (key, Err(why)) => return self.skipped.push((key, why)),
        };
        if key == layout::META {
            self.loaded.restore.insert(key, text.clone());
            self.loaded.format = Some(text);
            return;
        }
        if key == layout::VERSIONS {
            match text.parse() {
                Ok(next) => self.loaded.snapshot.next_version = next,
                Err(_) => self.skipped.push((Ok(key), "the version counter is not a number; versions continue after the stored records'".to_string())),
            }
            return;
        }
        if !layout::is_instance(&key) && !layout::is_record(&key) {
            return self.others.push((Ok(key), text));
        }
        if let Some(known) = &mut self.loaded.known {
            known.insert(key.clone());
        }
        match decode_item(&key, &text) {
            Ok(change) => self.keep(change, key, text),
            Err(why) => self.skipped.push((Ok(key), why)),
        }
    }

    fn keep(&mut self, change: Change, key: String, text: String) {
        match change {
            Change::PutInstance(instance) => {
                self.loaded.restore.insert(key, text);
                self.loaded.snapshot.instances.push(instance);
            }
            Change::PutRecord(record) => self.loaded.snapshot.records.push(record),
            _ => {}
        }
    }

    fn skip(&mut self, place: &str, why: &str) {
        self.loaded.snapshot.skipped.push(format!("The stored item {place:?} was skipped: {why}."));
    }

    /// The platform's spelling of a found item's place.
    fn place(driver: &dyn Driver, key: &Result<String, String>) -> String {
        match key {
            Ok(key) => driver.place(key),
            Err(place) => place.clone(),
        }
    }

    /// The checked items. A document under a spelling that is not an item
    /// key loads when `driver` places its item key exactly there.
    pub fn finish(mut self, driver: &dyn Driver) -> Loaded {
        for (key, why) in std::mem::take(&mut self.skipped) {
            self.skip(&Loader::place(driver, &key), &why);
        }
        for (key, text) in std::mem::take(&mut self.others) {
            let place = Loader::place(driver, &key);
            let (key, change) = match (codec::decode_record(&text), codec::decode_instance(&text)) {
                (Ok(r), _) => (layout::record(&r.instance_id.to_string(), &r.namespace, &r.key), Change::PutRecord(r)),
                (_, Ok(i)) => (layout::instance(&i.id.to_string()), Change::PutInstance(i)),
                (Err(_), Err(_)) => {
                    self.skip(&place, "it is under the store's prefix but is not one of its items, so it was left alone");
                    continue;
                }
            };
            if driver.place(&key) != place {
                self.skip(&place, "its document belongs under another key, so it was left alone");
                continue;
            }
            if let Some(known) = &mut self.loaded.known {
                known.insert(key.clone());
            }
            self.keep(change, key, text);
        }
        let ids: HashSet<_> = self.loaded.snapshot.instances.iter().map(|i| i.id).collect();
        let Snapshot { records, skipped, .. } = &mut self.loaded.snapshot;
        // In place: a copy of every record would cost more than the check.
        records.retain(|r: &Record| {
            let kept = ids.contains(&r.instance_id);
            if !kept {
                let place = driver.place(&layout::record(&r.instance_id.to_string(), &r.namespace, &r.key));
                skipped.push(format!("The stored item {place:?} was skipped: its instance {} is not stored.", r.instance_id));
            }
            kept
        });
        self.loaded
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::LocalBoxFuture;
    use crate::engine::codec::{FORMAT_VERSION, encode_batch, encode_instance, encode_record};
    use crate::engine::driver::Commit;
    use crate::error::StorageError;
    use crate::id::Uuid;
    use crate::limits::Limits;
    use crate::model::Instance;
    use crate::time::Timestamp;
    use crate::value::Value;

    /// Places items under `s/`, and a key over 40 bytes under `s/h/` + its
    /// length (a stand-in for a hash).
    struct Prefixed;

    impl Driver for Prefixed {
        fn describe(&self) -> String {
            "test storage".to_string()
        }

        fn place(&self, key: &str) -> String {
            if key.len() > 40 { format!("s/h/{}", key.len()) } else { format!("s/{key}") }
        }

        fn scan(&self, _found: Box<dyn FnMut(Found)>) -> LocalBoxFuture<'_, Result<(), StorageError>> {
            Box::pin(std::future::ready(Ok(())))
        }

        fn commit(&self, _commit: Commit) -> LocalBoxFuture<'static, Result<(), StorageError>> {
            Box::pin(std::future::ready(Ok(())))
        }
    }

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

    fn found(key: &str, text: &str) -> Found {
        Found { key: Ok(key.to_string()), text: Ok(text.to_string()) }
    }

    #[test]
    fn what_a_commit_stores_loads_back_with_its_format_and_known_keys() {
        let id = instance().id.to_string();
        let long = "x".repeat(60);
        let changes = [Change::PutInstance(instance()), Change::PutRecord(record("k")), Change::PutRecord(record(&long))];
        let writes = crate::engine::plan::writes(&changes, &encode_batch(&changes, &[]).expect("encodes"), &[], None, &[(layout::META.to_string(), FORMAT_VERSION.to_string())]).expect("planned");
        let mut loader = Loader::new(true);
        for (key, text) in writes.steps.iter().flat_map(|s| s.puts.iter()) {
            let placed = Prefixed.place(key);
            loader.add(Found { key: placed.strip_prefix("s/").filter(|k| !k.starts_with("h/")).map(str::to_string).ok_or(placed.clone()), text: Ok(text.clone()) });
        }
        let loaded = loader.finish(&Prefixed);
        assert_eq!(loaded.snapshot.skipped, Vec::<String>::new());
        assert_eq!(loaded.snapshot.instances, [instance()]);
        assert_eq!(loaded.snapshot.records, [record("k"), record(&long)]);
        assert_eq!(loaded.format, Some(FORMAT_VERSION.to_string()));
        let instance_doc = encode_instance(&instance()).expect("encodes");
        let restore: Vec<_> = loaded.restore.into_iter().collect();
        assert_eq!(restore, [(layout::instance(&id), instance_doc), (layout::META.to_string(), FORMAT_VERSION.to_string())]);
        let deletes = crate::engine::plan::writes(&[Change::DeleteInstance(instance().id)], &encode_batch(&[], &[]).expect("encodes"), &[], loaded.known.as_ref(), &[]).expect("planned");
        let removed: Vec<_> = deletes.steps.iter().flat_map(|s| s.deletes.iter()).collect();
        assert_eq!(removed.len(), 3, "both records, the hashed one too, and the instance: {removed:?}");
    }

    #[test]
    fn damaged_misplaced_foreign_orphaned_and_unreadable_items_are_reported() {
        let id = instance().id.to_string();
        let good = encode_record(&record("k"));
        let mut loader = Loader::new(false);
        loader.add(found(&layout::record(&id, "n", "other"), &good));
        loader.add(found(&layout::instance(&id), "not json"));
        loader.add(Found { key: Err("s/h/99".to_string()), text: Ok(good.clone()) });
        loader.add(found("zzz", "x"));
        loader.add(Found { key: Ok(layout::record(&id, "n", "number")), text: Err("it is not a string".into()) });
        let orphan = Record { instance_id: Uuid::v4_from_bytes([9; 16]), ..record("orphan") };
        loader.add(found(&layout::record(&orphan.instance_id.to_string(), "n", "orphan"), &encode_record(&orphan)));
        let loaded = loader.finish(&Prefixed);
        assert!(loaded.snapshot.records.is_empty() && loaded.snapshot.instances.is_empty());
        let place = |key: &str| format!("The stored item {:?} was skipped:", Prefixed.place(key));
        let skipped = &loaded.snapshot.skipped;
        assert_eq!(skipped.len(), 6, "{skipped:#?}");
        for (at, why) in [
            (place(&layout::record(&id, "n", "number")), "it is not a string"),
            (place(&layout::record(&id, "n", "other")), "belongs under another key"),
            (place(&layout::instance(&id)), "not an instance document"),
            ("The stored item \"s/h/99\" was skipped:".to_string(), "belongs under another key"),
            (place("zzz"), "not one of its items"),
            (place(&layout::record(&orphan.instance_id.to_string(), "n", "orphan")), "is not stored"),
        ] {
            assert!(skipped.iter().any(|s| s.starts_with(&at) && s.contains(why)), "{at} … {why}: {skipped:#?}");
        }
    }
}
