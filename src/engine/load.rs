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

/// A document and the change that stores it.
pub fn decode_item(key: &str, text: &str) -> Result<Change, String> {
    let (change, expected) = if key.starts_with("i/") {
        let instance = codec::decode_instance(text)?;
        let expected = layout::instance(&instance.id.to_string());
        (Change::PutInstance(instance), expected)
    } else {
        let record = codec::decode_record(text)?;
        let expected = layout::record(&record.instance_id.to_string(), &record.namespace, &record.key);
        (Change::PutRecord(record), expected)
    };
    if expected == key {
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
        if !key.starts_with("i/") && !key.starts_with("r/") {
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
