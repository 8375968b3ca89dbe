//! The IndexedDB backend: one database per store name, `boltkv:` + name,
//! with a fixed schema made once at version 1 (see `sys`): `records` keyed
//! by `r/<instanceId>/<namespace>/<key>` strings (escaped as in `item_key`),
//! `instances` keyed by id, and `meta` holding the layout number, checked on
//! open; a database of the earlier layout, keyed by arrays, is moved to the
//! current one as it opens. Values are the codec's JSON text, stored as
//! JavaScript strings (the cheapest thing to clone).
//!
//! Each batch is one readwrite transaction with every request issued
//! synchronously, so IndexedDB's auto-commit cannot close it early; the
//! commit resolves on the transaction's `complete`, never before.
//!
//! Opening reads both stores in pages of `getAll` within one transaction,
//! decoding each page as it arrives.
//! An item that does not decode, or a record whose instance is not stored,
//! is left out and named in `Snapshot::skipped`; the rest loads.
//!
//! When the connection is lost (the browser closed it, or another tab
//! upgraded or deleted the database: `versionchange` makes us close at
//! once so it can proceed), the next commit reopens it: up to
//! [`OPEN_ATTEMPTS`] attempts, 0, 100 and 400 ms apart, then it fails with
//! `Unavailable` and the reason of the last attempt. The batch in flight
//! when the connection goes fails as a whole.
//!
//! A database deleted under an open store comes back empty when the next
//! commit reopens it. That commit writes the store's instances into it again
//! (the backend keeps their documents), then its own changes; records written
//! before the deletion are gone from disk. The open store keeps showing them
//! until it is reopened, which then loads only what was written afterwards.

mod sys;

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashSet};
use std::rc::Rc;

use js_sys::JSON;
use web_sys::{IdbDatabase, IdbObjectStore, IdbTransaction};

use super::tabs::Tabs;
use super::codec::{self, EncodedBatch};
use super::{Backend, ChangeSink, LocalBoxFuture, Snapshot};
use crate::error::StorageError;
use crate::model::Change;
use sys::{Fault, INSTANCES, RECORDS};
use wasm_bindgen::JsValue;

/// Prefixed to the store name to name its database.
const DATABASE_PREFIX: &str = "boltkv:";
/// Tries at reopening a lost connection, and the pause before each.
const OPEN_ATTEMPTS: usize = 3;
const RETRY_DELAYS_MS: [i32; OPEN_ATTEMPTS] = [0, 100, 400];

/// Keeps a store's records in an IndexedDB database; see the module docs.
pub struct IndexedDbBackend {
    inner: Rc<Inner>,
}

struct Inner {
    /// The database's name: [`DATABASE_PREFIX`] + the store name.
    name: String,
    conn: RefCell<Option<Rc<Connection>>>,
    /// The document of every instance on disk, by id, to write back into a
    /// database that was deleted and re-created under the store.
    instances: RefCell<BTreeMap<String, String>>,
    /// The other tabs on this database, told of every committed batch.
    tabs: Option<Tabs>,
}

struct Connection {
    db: IdbDatabase,
    lost: Rc<Cell<bool>>,
    /// Made by this connection's open and not yet given the known instances.
    fresh: Cell<bool>,
    _watch: sys::Watch,
}

impl IndexedDbBackend {
    /// Opens (creating if needed) the database of store `name`. Fails with
    /// `Unavailable` when there is no IndexedDB, the browser refuses it
    /// (some private modes), or the database holds another format.
    pub async fn open(name: &str) -> Result<IndexedDbBackend, StorageError> {
        let name = format!("{DATABASE_PREFIX}{name}");
        let conn = Connection::open(&name).await?;
        let tabs = Tabs::open(&name);
        let inner = Inner { name, conn: RefCell::new(Some(Rc::new(conn))), instances: RefCell::default(), tabs };
        Ok(IndexedDbBackend { inner: Rc::new(inner) })
    }
}

impl Connection {
    async fn open(name: &str) -> Result<Connection, StorageError> {
        let unavailable = |f: Fault| StorageError::Unavailable(format!("IndexedDB cannot open the database {name:?} ({f})."));
        let (db, created) = sys::open(&sys::factory().map_err(unavailable)?, name).await.map_err(unavailable)?;
        let lost = Rc::new(Cell::new(false));
        // Built first so that any early return below closes the connection.
        let conn = Connection { _watch: sys::Watch::new(&db, lost.clone()), db, lost, fresh: Cell::new(created) };
        match sys::stored_format(&conn.db).await {
            Ok(Some(f)) if f == f64::from(sys::LAYOUT) => Ok(conn),
            Ok(Some(f)) if f == f64::from(sys::LAYOUT_WITH_ARRAY_KEYS) => match sys::upgrade_keys(&conn.db).await {
                Ok(()) => Ok(conn),
                Err(f) => Err(StorageError::Unavailable(format!(
                    "the IndexedDB database {name:?} was written by an earlier boltkv and could not be moved to this one's layout ({f}); \
                     it was left unchanged."
                ))),
            },
            Ok(found) => Err(StorageError::Unavailable(format!(
                "the IndexedDB database {name:?} holds data in format {}, and this boltkv reads formats {} and {} only; \
                 open it with the boltkv that wrote it, or choose another name.",
                found.map_or_else(|| "(none)".to_string(), |f| f.to_string()),
                sys::LAYOUT_WITH_ARRAY_KEYS,
                sys::LAYOUT,
            ))),
            Err(f) => Err(StorageError::Unavailable(format!(
                "the IndexedDB database {name:?} was not made by boltkv: its format cannot be read ({f})."
            ))),
        }
    }
}

impl Inner {
    /// The open connection, or a new one if it was lost (one attempt).
    async fn connect(&self) -> Result<Rc<Connection>, StorageError> {
        let current = self.conn.borrow().clone();
        if let Some(conn) = current.filter(|c| !c.lost.get()) {
            return Ok(conn);
        }
        *self.conn.borrow_mut() = None;
        let conn = Rc::new(Connection::open(&self.name).await?);
        *self.conn.borrow_mut() = Some(conn.clone());
        Ok(conn)
    }

    async fn load(&self) -> Result<Snapshot, StorageError> {
        let unreadable = |f: Fault| StorageError::Unavailable(format!("IndexedDB cannot read the database {:?} ({f}).", self.name));
        let conn = self.connect().await?;
        let tx = sys::read_transaction(&conn.db, &[INSTANCES, RECORDS]).map_err(unreadable)?;
        let read = Rc::new(RefCell::new(Snapshot::default()));
        let instances = sys::Scan::start(&tx, INSTANCES, &JsValue::NULL, {
            let read = read.clone();
            move |page| {
                add_instances(&mut read.borrow_mut(), page);
                Ok(())
            }
        });
        let records = sys::Scan::start(&tx, RECORDS, &JsValue::NULL, {
            let read = read.clone();
            move |page| {
                add_records(&mut read.borrow_mut(), page);
                Ok(())
            }
        });
        let (instances, records) = (instances.map_err(unreadable)?, records.map_err(unreadable)?);
        sys::finished(&tx).await.map_err(unreadable)?;
        instances.finish().map_err(unreadable)?;
        records.finish().map_err(unreadable)?;
        let mut snapshot = read.take();
        // Instances and records arrive interleaved, so records are matched
        // to their instances once both are in.
        let ids: HashSet<_> = snapshot.instances.iter().map(|i| i.id).collect();
        // In place: a copy of every record would cost more than the check.
        let skipped = &mut snapshot.skipped;
        snapshot.records.retain(|r| {
            let kept = ids.contains(&r.instance_id);
            if !kept {
                let key = Key(sys::record_key(&r.instance_id.to_string(), &r.namespace, &r.key));
                skipped.push(format!("The IndexedDB record {key} was skipped: its instance {} is not stored.", r.instance_id));
            }
            kept
        });
        let mut known = self.instances.borrow_mut();
        for instance in &snapshot.instances {
            known.insert(instance.id.to_string(), codec::encode_instance(instance));
        }
        Ok(snapshot)
    }

    /// Writes one batch in one transaction, reopening a lost connection. A
    /// failure is reported as `Full` when the origin has no room for the
    /// batch, whatever the browser called it.
    async fn commit(&self, changes: Vec<Change>) -> Result<(), StorageError> {
        match self.write_batch(&changes).await {
            Err(StorageError::Unavailable(_) | StorageError::Failed(_)) if sys::no_room_for(batch_bytes(&changes)).await => {
                Err(StorageError::Full)
            }
            written => written,
        }
    }

    async fn write_batch(&self, changes: &[Change]) -> Result<(), StorageError> {
        let encoded = codec::encode_batch(changes);
        let mut why = String::new();
        for delay in RETRY_DELAYS_MS {
            if delay > 0 {
                sys::sleep(delay).await;
            }
            let conn = match self.connect().await {
                Ok(conn) => conn,
                Err(StorageError::Unavailable(reason) | StorageError::Failed(reason)) => {
                    why = reason.trim_end_matches('.').to_string();
                    continue;
                }
                Err(StorageError::Full) => return Err(StorageError::Full),
            };
            let (tx, remembered) = match self.issue(&conn, changes, &encoded) {
                Ok(issued) => issued,
                // The connection is closing or closed, so nothing was issued.
                Err(f) if f.name == "InvalidStateError" => {
                    conn.lost.set(true);
                    why = f.to_string();
                    continue;
                }
                Err(f) => return Err(failed(f)),
            };
            sys::finished(&tx).await.map_err(failed)?;
            conn.fresh.set(false);
            let mut instances = self.instances.borrow_mut();
            for (id, doc) in remembered {
                match doc {
                    Some(doc) => instances.insert(id, doc),
                    None => instances.remove(&id),
                };
            }
            if let Some(tabs) = &self.tabs {
                tabs.post(&encoded.message);
            }
            return Ok(());
        }
        Err(StorageError::Unavailable(format!(
            "the IndexedDB database {:?} was closed and could not be reopened in {OPEN_ATTEMPTS} attempts ({why}).",
            self.name
        )))
    }

    /// Starts the batch's transaction and issues every request, with no
    /// `.await` in between (IndexedDB would auto-commit); on a fresh
    /// database, first puts back every known instance. Returns the
    /// transaction and the instance documents to remember once it commits.
    fn issue(&self, conn: &Connection, changes: &[Change], encoded: &EncodedBatch) -> Result<(IdbTransaction, Vec<Remembered>), Fault> {
        let known = self.instances.borrow();
        let rewrite = conn.fresh.get() && !known.is_empty();
        let mut scope = Vec::with_capacity(2);
        if rewrite || changes.iter().any(|c| matches!(c, Change::PutInstance(_) | Change::DeleteInstance(_))) {
            scope.push(INSTANCES);
        }
        if changes.iter().any(|c| !matches!(c, Change::PutInstance(_))) {
            scope.push(RECORDS);
        }
        let tx = sys::write_transaction(&conn.db, &scope)?;
        let stores = Stores::of(&tx, &scope);
        let issued = stores.and_then(|stores| {
            if rewrite {
                for (id, doc) in known.iter() {
                    sys::put(stores.instances()?, &id.as_str().into(), doc)?;
                }
            }
            let docs = (0..changes.len()).map(|i| encoded.doc(i));
            changes.iter().zip(docs).filter_map(|(change, doc)| stores.write(change, doc).transpose()).collect()
        });
        match issued {
            Ok(remembered) => {
                sys::commit(&tx);
                Ok((tx, remembered))
            }
            Err(fault) => {
                let _ = tx.abort();
                Err(fault)
            }
        }
    }
}

/// An instance document written (`Some`) or deleted (`None`), by id.
type Remembered = (String, Option<String>);

/// The object stores in a write transaction's scope.
struct Stores {
    instances: Option<IdbObjectStore>,
    records: Option<IdbObjectStore>,
}

impl Stores {
    fn of(tx: &IdbTransaction, scope: &[&str]) -> Result<Stores, Fault> {
        let store = |name: &str| match scope.contains(&name) {
            true => tx.object_store(name).map(Some).map_err(|e| Fault::from_js(&e)),
            false => Ok(None),
        };
        Ok(Stores { instances: store(INSTANCES)?, records: store(RECORDS)? })
    }

    fn instances(&self) -> Result<&IdbObjectStore, Fault> {
        self.instances.as_ref().ok_or_else(|| out_of_scope(INSTANCES))
    }

    fn records(&self) -> Result<&IdbObjectStore, Fault> {
        self.records.as_ref().ok_or_else(|| out_of_scope(RECORDS))
    }

    /// Issues the requests of one change; a put stores `doc`, its document.
    fn write(&self, change: &Change, doc: Option<&str>) -> Result<Option<Remembered>, Fault> {
        let doc = || doc.ok_or_else(|| Fault::new("DataError", "the change has no document to store"));
        match change {
            Change::PutInstance(instance) => {
                let (id, doc) = (instance.id.to_string(), doc()?);
                sys::put(self.instances()?, &id.as_str().into(), doc)?;
                return Ok(Some((id, Some(doc.to_string()))));
            }
            Change::DeleteInstance(id) => {
                let id = id.to_string();
                sys::delete(self.instances()?, &id.as_str().into())?;
                sys::delete(self.records()?, &sys::instance_range(&id)?)?;
                return Ok(Some((id, None)));
            }
            Change::PutRecord(r) => {
                let key = sys::record_key(&r.instance_id.to_string(), &r.namespace, &r.key);
                sys::put(self.records()?, &key, doc()?)?;
            }
            Change::DeleteRecord { instance_id, namespace, key } => {
                sys::delete(self.records()?, &sys::record_key(&instance_id.to_string(), namespace, key))?;
            }
            Change::DeleteNamespace { instance_id, namespace } => {
                sys::delete(self.records()?, &sys::namespace_range(&instance_id.to_string(), namespace)?)?;
            }
        }
        Ok(None)
    }
}

fn out_of_scope(store: &str) -> Fault {
    Fault::new("NotFoundError", &format!("the object store {store:?} is not in the transaction"))
}

/// Roughly what a batch adds to storage: the text of its values and keys.
fn batch_bytes(changes: &[Change]) -> usize {
    changes.iter().map(Change::payload_bytes).sum()
}

/// A failed write: `Full` for a quota error, else the browser's words.
fn failed(fault: Fault) -> StorageError {
    match fault.is_quota() {
        true => StorageError::Full,
        false => StorageError::Failed(format!("IndexedDB did not commit the transaction ({fault}).")),
    }
}

fn not_text() -> String {
    "it is not a string".to_string()
}

/// Decodes a page of instances into `snapshot`, reporting the items that
/// are not instance documents.
fn add_instances(snapshot: &mut Snapshot, page: sys::Page) {
    for (key, text) in items(&page) {
        match text.as_deref().ok_or_else(not_text).and_then(codec::decode_instance) {
            Ok(instance) => snapshot.instances.push(instance),
            Err(why) => snapshot.skipped.push(format!("The IndexedDB instance {key} was skipped: {why}.")),
        }
    }
}

/// Decodes a page of records into `snapshot`, reporting the items that are
/// not record documents.
fn add_records(snapshot: &mut Snapshot, page: sys::Page) {
    for (key, text) in items(&page) {
        match text.as_deref().ok_or_else(not_text).and_then(codec::decode_record) {
            Ok(record) => snapshot.records.push(record),
            Err(why) => snapshot.skipped.push(format!("The IndexedDB record {key} was skipped: {why}.")),
        }
    }
}

/// A page's items: each key (shown as JSON if the item is skipped) and the
/// value if that is a string.
fn items(page: &sys::Page) -> impl Iterator<Item = (Key, Option<String>)> + '_ {
    (0..page.values.length()).map(move |i| (Key(page.keys.get(i)), page.values.get(i).as_string()))
}

/// A stored key, shown as its JSON text.
struct Key(JsValue);

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match JSON::stringify(&self.0).ok().and_then(|s| s.as_string()) {
            Some(text) => f.write_str(&text),
            None => f.write_str("(a key that cannot be shown)"),
        }
    }
}

impl Backend for IndexedDbBackend {
    fn persists(&self) -> bool {
        true
    }

    fn load(&self) -> LocalBoxFuture<'_, Result<Snapshot, StorageError>> {
        Box::pin(self.inner.load())
    }

    fn commit(&self, changes: Vec<Change>) -> LocalBoxFuture<'static, Result<(), StorageError>> {
        let inner = self.inner.clone();
        Box::pin(async move { inner.commit(changes).await })
    }

    /// A macrotask (`setTimeout` 0): a resolved promise would run before
    /// the page gets its turn.
    fn pause(&self) -> LocalBoxFuture<'static, ()> {
        Box::pin(sys::sleep(0))
    }

    /// Other tabs' batches go to the store; the repairs it answers with (see
    /// [`ChangeSink`]) are committed here like any batch. Nobody awaits that
    /// commit: should it fail, the agreed record still reaches storage with
    /// the next write of its key, which keeps the agreed identity.
    fn watch(&self, sink: ChangeSink) {
        let Some(tabs) = &self.inner.tabs else { return };
        let backend = Rc::downgrade(&self.inner);
        tabs.listen(move |changes| {
            let repairs = sink(changes);
            if let (false, Some(inner)) = (repairs.is_empty(), backend.upgrade()) {
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = inner.commit(repairs).await;
                });
            }
        });
    }
}
