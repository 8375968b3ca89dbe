//! The in-memory index: every instance and record, addressed by hash maps so
//! a read costs two lookups. Backends persist it; the index itself is the
//! only copy the store reads from.

use std::cmp::Ordering;
use std::collections::{BTreeSet, HashMap};

use crate::backend::Place;
use crate::id::Uuid;
use crate::model::{Change, Entry, Instance, Record};
use crate::query::{Field, FieldIndex, MAX_PER_INSTANCE};
use crate::time::Timestamp;

/// Records of one namespace, by key.
pub type Keys = HashMap<String, Entry>;

/// An instance and its namespaces.
#[derive(Debug, Clone, Default)]
pub struct Slot {
    pub namespaces: HashMap<String, Keys>,
    /// Indexes on the fields queries named (`crate::query::FieldIndex`).
    fields: Vec<FieldIndex>,
}

impl Slot {
    /// The index on a field, when queries made one.
    pub fn field(&self, field: &Field) -> Option<&FieldIndex> {
        self.fields.iter().find(|index| index.field() == field)
    }
}

/// All instances and records.
#[derive(Debug, Default)]
pub struct Index {
    instances: HashMap<Uuid, (Instance, Slot)>,
    names: HashMap<String, Uuid>,
    /// Every record with an expiry, soonest first, kept in step with the
    /// records by [`Index::apply`] whatever path a change takes.
    expiring: BTreeSet<(Timestamp, Place)>,
    /// Queries that used or built a field index so far: the clock by
    /// which the least recently used index is dropped.
    queries: u64,
}

/// Orders strings as JavaScript does: by UTF-16 code units.
pub fn cmp_utf16(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        return a.cmp(b);
    }
    a.encode_utf16().cmp(b.encode_utf16())
}

impl Index {
    /// The id of the instance an `instanceId` argument names: its id first,
    /// then its name.
    pub fn resolve(&self, id_or_name: &str) -> Option<Uuid> {
        Uuid::parse(id_or_name)
            .filter(|id| self.instances.contains_key(id))
            .or_else(|| self.names.get(id_or_name).copied())
    }

    /// The instance with this id.
    pub fn instance(&self, id: &Uuid) -> Option<&Instance> {
        self.instances.get(id).map(|(instance, _)| instance)
    }

    /// The namespaces of an instance.
    pub fn slot(&self, id: &Uuid) -> Option<&Slot> {
        self.instances.get(id).map(|(_, slot)| slot)
    }

    /// The instance using this name, if any.
    pub fn named(&self, name: &str) -> Option<Uuid> {
        self.names.get(name).copied()
    }

    /// Every instance, oldest first.
    pub fn instances(&self) -> Vec<&Instance> {
        let mut all: Vec<&Instance> = self.instances.values().map(|(i, _)| i).collect();
        crate::sort::by(&mut all, |a, b| (a.seq, a.created_at, a.id).cmp(&(b.seq, b.created_at, b.id)));
        all
    }

    /// The next creation sequence number (saturating: the numbers come
    /// from storage, which may hold anything).
    pub fn next_seq(&self) -> u64 {
        self.instances.values().map(|(i, _)| i.seq.saturating_add(1)).max().unwrap_or(0)
    }

    /// One record's entry.
    pub fn entry(&self, id: &Uuid, namespace: &str, key: &str) -> Option<&Entry> {
        self.slot(id)?.namespaces.get(namespace)?.get(key)
    }

    /// Every record as a full record, for persistence and snapshots.
    pub fn records(&self) -> impl Iterator<Item = Record> + '_ {
        self.instances.iter().flat_map(|(id, (_, slot))| {
            slot.namespaces.iter().flat_map(move |(ns, keys)| {
                keys.iter().map(move |(key, entry)| entry.to_record(*id, ns, key))
            })
        })
    }

    /// Every record of one instance.
    pub fn records_of(&self, id: &Uuid) -> Vec<Record> {
        let Some(slot) = self.slot(id) else { return Vec::new() };
        slot.namespaces.iter().flat_map(|(ns, keys)| keys.iter().map(move |(key, entry)| entry.to_record(*id, ns, key))).collect()
    }

    /// The changes that would undo `change` if applied after it, computed
    /// before it is applied.
    pub fn inverse(&self, change: &Change) -> Vec<Change> {
        match change {
            Change::PutInstance(instance) => match self.instance(&instance.id) {
                Some(old) => vec![Change::PutInstance(old.clone())],
                None => vec![Change::DeleteInstance(instance.id)],
            },
            Change::DeleteInstance(id) => match self.instances.get(id) {
                Some((instance, slot)) => {
                    let mut undo = vec![Change::PutInstance(instance.clone())];
                    for (ns, keys) in &slot.namespaces {
                        undo.extend(keys.iter().map(|(k, e)| Change::PutRecord(e.to_record(*id, ns, k))));
                    }
                    undo
                }
                None => Vec::new(),
            },
            Change::PutRecord(record) => {
                match self.entry(&record.instance_id, &record.namespace, &record.key) {
                    Some(old) => vec![Change::PutRecord(old.to_record(
                        record.instance_id,
                        &record.namespace,
                        &record.key,
                    ))],
                    None => vec![Change::DeleteRecord {
                        instance_id: record.instance_id,
                        namespace: record.namespace.clone(),
                        key: record.key.clone(),
                    }],
                }
            }
            Change::DeleteRecord { instance_id, namespace, key } => self
                .entry(instance_id, namespace, key)
                .map(|old| vec![Change::PutRecord(old.to_record(*instance_id, namespace, key))])
                .unwrap_or_default(),
            Change::DeleteNamespace { instance_id, namespace } => self
                .slot(instance_id)
                .and_then(|slot| slot.namespaces.get(namespace))
                .map(|keys| {
                    keys.iter()
                        .map(|(k, e)| Change::PutRecord(e.to_record(*instance_id, namespace, k)))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// Applies a record another copy of the store wrote. Two copies that
    /// created the same key at once agree on one record: the identity (`id`,
    /// `createdAt`) of the older, the value of the later write, so every copy
    /// converges whichever order the changes arrive in. Storage holds
    /// whichever of the two was written last, so when the agreed record
    /// differs from the one heard it is returned, for a repair.
    pub fn apply_remote(&mut self, mut record: Record) -> Option<Record> {
        let heard = record.clone();
        let mut conflict = false;
        if let Some(held) = self.entry(&record.instance_id, &record.namespace, &record.key) {
            // Storage hands out versions in commit order across copies, so
            // an older version of the same record heard late is stale news.
            if held.id == record.id && held.version > record.version {
                return None;
            }
            conflict = held.id != record.id;
            if conflict {
                if (held.created_at, held.id) < (record.created_at, record.id) {
                    (record.id, record.created_at) = (held.id, held.created_at);
                }
                if (held.updated_at, held.id) > (record.updated_at, record.id) {
                    (record.value, record.updated_at) = (held.value.clone(), held.updated_at);
                }
            }
            record.version = record.version.max(held.version);
        }
        let repair = (conflict && record != heard).then(|| record.clone());
        self.apply(Change::PutRecord(record));
        repair
    }

    /// Makes sure an instance has an index on a field, building it
    /// from the records when it has none (dropping the least recently used
    /// one when the instance has [`MAX_PER_INSTANCE`]), and notes its use.
    pub fn index_field(&mut self, id: &Uuid, field: &Field) {
        self.queries = self.queries.wrapping_add(1);
        let now = self.queries;
        let Some((_, slot)) = self.instances.get_mut(id) else { return };
        if let Some(index) = slot.fields.iter_mut().find(|index| index.field() == field) {
            index.use_at(now);
            return;
        }
        if slot.fields.len() >= MAX_PER_INSTANCE {
            let least = slot.fields.iter().enumerate().min_by_key(|(_, field)| field.used()).map(|(at, _)| at);
            if let Some(at) = least {
                slot.fields.swap_remove(at);
            }
        }
        let records = slot.namespaces.iter().flat_map(|(namespace, keys)| {
            keys.iter().map(move |(key, entry)| (namespace.as_str(), key.as_str(), &entry.value))
        });
        let built = FieldIndex::build(field, records, now);
        slot.fields.push(built);
    }

    /// Forgets every instance and record: the storage was cleared.
    pub fn clear(&mut self) {
        self.instances.clear();
        self.names.clear();
        self.expiring.clear();
    }

    /// The records whose expiry is at or before `now`, with their versions.
    pub fn expired(&self, now: Timestamp) -> Vec<(Place, u64)> {
        let due = self.expiring.iter().take_while(|(at, _)| *at <= now);
        due.filter_map(|(_, place)| Some((place.clone(), self.entry(&place.instance_id, &place.namespace, &place.key)?.version))).collect()
    }

    /// When the soonest expiry is, if any record has one.
    pub fn next_expiry(&self) -> Option<Timestamp> {
        self.expiring.first().map(|(at, _)| *at)
    }

    /// Keeps [`Index::expiring`] in step with one record's entry, before
    /// (`old`) and after (`new`) a change.
    fn track(&mut self, place: Place, old: Option<Timestamp>, new: Option<Timestamp>) {
        if old == new {
            return;
        }
        if let Some(at) = old {
            self.expiring.remove(&(at, place.clone()));
        }
        if let Some(at) = new {
            self.expiring.insert((at, place));
        }
    }

    /// Forgets the expiries of every record of `keys` (removed together).
    fn untrack(&mut self, instance_id: Uuid, namespace: &str, keys: &Keys) {
        for (key, entry) in keys {
            if let Some(at) = entry.expires_at {
                self.expiring.remove(&(at, Place { instance_id, namespace: namespace.to_string(), key: key.clone() }));
            }
        }
    }

    /// Applies one change. A record for an instance the index does not hold
    /// is ignored: it can only come from storage written by another copy of
    /// the store that deleted the instance meanwhile.
    pub fn apply(&mut self, change: Change) {
        match change {
            Change::PutInstance(instance) => {
                let id = instance.id;
                match self.instances.get_mut(&id) {
                    Some((old, _)) => {
                        if old.name != instance.name {
                            self.names.remove(&old.name);
                        }
                        self.names.insert(instance.name.clone(), id);
                        *old = instance;
                    }
                    None => {
                        self.names.insert(instance.name.clone(), id);
                        self.instances.insert(id, (instance, Slot::default()));
                    }
                }
            }
            Change::DeleteInstance(id) => {
                if let Some((instance, slot)) = self.instances.remove(&id) {
                    if self.names.get(&instance.name) == Some(&id) {
                        self.names.remove(&instance.name);
                    }
                    slot.namespaces.iter().for_each(|(namespace, keys)| self.untrack(id, namespace, keys));
                }
            }
            Change::PutRecord(record) => {
                if let Some((_, slot)) = self.instances.get_mut(&record.instance_id) {
                    let entry = record.to_entry();
                    let held = slot.namespaces.get(&record.namespace).and_then(|keys| keys.get(&record.key));
                    for field in &mut slot.fields {
                        field.replace(&record.namespace, &record.key, held.map(|h| &h.value), Some(&entry.value));
                    }
                    let (old, new) = (held.and_then(|h| h.expires_at), entry.expires_at);
                    // The place is copied only for a record that has or had
                    // an expiry (opening a store puts every record here).
                    let place = (old.is_some() || new.is_some())
                        .then(|| Place { instance_id: record.instance_id, namespace: record.namespace.clone(), key: record.key.clone() });
                    slot.namespaces.entry(record.namespace).or_default().insert(record.key, entry);
                    if let Some(place) = place {
                        self.track(place, old, new);
                    }
                }
            }
            Change::DeleteRecord { instance_id, namespace, key } => {
                let mut old = None;
                if let Some((_, slot)) = self.instances.get_mut(&instance_id) {
                    if let Some(keys) = slot.namespaces.get_mut(&namespace) {
                        let removed = keys.remove(&key);
                        for field in &mut slot.fields {
                            field.replace(&namespace, &key, removed.as_ref().map(|e| &e.value), None);
                        }
                        old = removed.and_then(|e| e.expires_at);
                        if keys.is_empty() {
                            slot.namespaces.remove(&namespace);
                        }
                    }
                }
                self.track(Place { instance_id, namespace, key }, old, None);
            }
            Change::DeleteNamespace { instance_id, namespace } => {
                let removed = self.instances.get_mut(&instance_id).and_then(|(_, slot)| {
                    let removed = slot.namespaces.remove(&namespace)?;
                    slot.fields.iter_mut().for_each(|field| field.drop_namespace(&namespace));
                    Some(removed)
                });
                if let Some(keys) = removed {
                    self.untrack(instance_id, &namespace, &keys);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Instance;

    #[test]
    fn an_older_version_of_a_record_heard_late_changes_nothing() {
        use crate::time::Timestamp;
        use crate::value::Value;
        let mut index = Index::default();
        let id = Uuid::v4_from_bytes([1; 16]);
        let at = Timestamp(1);
        index.apply(Change::PutInstance(Instance { id, name: "i".into(), description: None, created_at: at, updated_at: at, seq: 0 }));
        let limits = crate::limits::Limits::default();
        let record = |version: u64, value: &str| Record {
            id: Uuid::v4_from_bytes([2; 16]),
            instance_id: id,
            namespace: "ns".into(),
            key: "k".into(),
            value: Value::from_json(value.into(), &limits).expect("valid"),
            created_at: at,
            updated_at: Timestamp(i64::try_from(version).unwrap_or(0)),
            version,
            expires_at: None,
        };
        index.apply(Change::PutRecord(record(10, "5")));
        assert_eq!(index.apply_remote(record(9, "4")), None);
        assert_eq!(index.entry(&id, "ns", "k").map(|e| (e.version, e.value.json().to_string())), Some((10, "5".to_string())));
        assert_eq!(index.apply_remote(record(11, "6")), None);
        assert_eq!(index.entry(&id, "ns", "k").map(|e| e.version), Some(11));
    }

    #[test]
    fn utf16_order_differs_from_utf8_order_above_the_bmp() {
        // U+FF61 is one UTF-16 unit (0xFF61); U+1F600 is a surrogate pair
        // starting 0xD83D, so JavaScript sorts the emoji first, UTF-8 last.
        assert_eq!(cmp_utf16("\u{1F600}", "\u{FF61}"), Ordering::Less);
        assert_eq!("\u{1F600}".cmp("\u{FF61}"), Ordering::Greater);
        assert_eq!(cmp_utf16("a", "b"), Ordering::Less);
        assert_eq!(cmp_utf16("B", "a"), Ordering::Less);
    }
}
