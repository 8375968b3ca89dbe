//! The data the store holds: instances, and records inside an instance's
//! namespaces. These are the shapes of `docs/api.md` ("Data shapes"); their JSON form is the one in
//! the envelopes.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::Result;
use crate::id::Uuid;
use crate::time::Timestamp;
use crate::value::Value;

/// A named container of namespaces.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Instance {
    /// Made by the store; the caller never picks it.
    pub id: Uuid,
    /// Unique among the store's instances, case-sensitive.
    pub name: String,
    /// Free text; absent when never given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// When the instance was created.
    pub created_at: Timestamp,
    /// When its name or description last changed.
    pub updated_at: Timestamp,
    /// Creation order across the store (`listInstances` is oldest first,
    /// even for instances created within one millisecond).
    #[serde(skip)]
    pub seq: u64,
}

/// One key's value in one namespace of one instance. The value is the
/// stored JSON ([`Value`]) unless the record was read with a Rust type
/// (see [`Record::decode`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Record<V = Value> {
    /// Made when the key is first written, kept on overwrite.
    pub id: Uuid,
    /// Always the instance's id, never its name.
    pub instance_id: Uuid,
    /// The namespace the key lives in.
    pub namespace: String,
    /// The key.
    pub key: String,
    /// The value.
    pub value: V,
    /// When the key was first written.
    pub created_at: Timestamp,
    /// When the key was last written.
    pub updated_at: Timestamp,
    /// New with every write of the key, greater than every version the
    /// store handed out before (across tabs sharing its storage); the basis
    /// of conditional writes ([`crate::SetOptions::if_version`]).
    pub version: u64,
    /// When the record stops being visible, if it was given an expiry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
}

/// A record as the index keeps it: its place (instance, namespace, key) is
/// the path to it, so it is not repeated here.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub id: Uuid,
    pub value: Value,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: u64,
    pub expires_at: Option<Timestamp>,
}

impl Entry {
    /// The full record, given its place.
    pub fn to_record(&self, instance_id: Uuid, namespace: &str, key: &str) -> Record {
        Record {
            id: self.id,
            instance_id,
            namespace: namespace.to_string(),
            key: key.to_string(),
            value: self.value.clone(),
            created_at: self.created_at,
            updated_at: self.updated_at,
            version: self.version,
            expires_at: self.expires_at,
        }
    }
}

impl Record {
    /// The same record with its value as a `T`; [`crate::Error::WrongType`],
    /// naming `T`, when the value does not deserialise into one.
    pub fn decode<T: DeserializeOwned>(self) -> Result<Record<T>> {
        Ok(Record {
            value: self.value.decode()?,
            id: self.id,
            instance_id: self.instance_id,
            namespace: self.namespace,
            key: self.key,
            created_at: self.created_at,
            updated_at: self.updated_at,
            version: self.version,
            expires_at: self.expires_at,
        })
    }

    /// The record without its place, as the index keeps it.
    pub fn to_entry(&self) -> Entry {
        Entry {
            id: self.id,
            value: self.value.clone(),
            created_at: self.created_at,
            updated_at: self.updated_at,
            version: self.version,
            expires_at: self.expires_at,
        }
    }
}

/// One durable change: what a backend must write, and the unit the store
/// undoes when a write fails.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Create or replace an instance.
    PutInstance(Instance),
    /// Remove an instance and every record in it.
    DeleteInstance(Uuid),
    /// Create or replace a record.
    PutRecord(Record),
    /// Remove one record.
    DeleteRecord {
        /// The record's instance.
        instance_id: Uuid,
        /// The record's namespace.
        namespace: String,
        /// The record's key.
        key: String,
    },
    /// Remove every record of one namespace.
    DeleteNamespace {
        /// The namespace's instance.
        instance_id: Uuid,
        /// The namespace.
        namespace: String,
    },
}

impl Change {
    /// Moves a change into another instance when its own was replaced
    /// (`joined`: by the instance that holds its name); an instance's own
    /// document is not moved.
    pub fn move_instance(&mut self, joined: &std::collections::HashMap<Uuid, Uuid>) {
        let id = match self {
            Change::PutRecord(r) => &mut r.instance_id,
            Change::DeleteRecord { instance_id, .. } | Change::DeleteNamespace { instance_id, .. } => instance_id,
            Change::DeleteInstance(id) => id,
            Change::PutInstance(_) => return,
        };
        if let Some(to) = joined.get(id) {
            *id = *to;
        }
    }

    /// Roughly how many bytes the change adds to storage: the JSON text of a
    /// record's value with its namespace and key, or an instance's name and
    /// description. Removals add nothing. Used to bound batches and to judge
    /// whether storage had room for one.
    pub fn payload_bytes(&self) -> usize {
        match self {
            Change::PutRecord(r) => r.value.json().len() + r.namespace.len() + r.key.len(),
            Change::PutInstance(i) => i.name.len() + i.description.as_ref().map_or(0, String::len),
            Change::DeleteInstance(_) | Change::DeleteRecord { .. } | Change::DeleteNamespace { .. } => 0,
        }
    }
}
