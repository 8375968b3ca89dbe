//! The IndexedDB driver: one database per store name, `boltkv:` + name,
//! with a fixed schema made once at version 1 (see `sys`). Items live in
//! three object stores by the start of their key: `i/<id>` in `instances`
//! under `<id>`, the meta item `v` in `meta` under `v`, every other item
//! (the records, `r/...`) in `records` under its item key. `meta` also
//! holds this driver's own layout number under `format`, checked on open;
//! a database of the earlier layout, keyed by arrays, is moved to the
//! current one as it opens. Items are JavaScript strings (the cheapest
//! thing to clone).
//!
//! Each commit is one readwrite transaction with every request issued
//! synchronously (after the reads its guards need, from their `success`
//! event), so IndexedDB's auto-commit cannot close it early; the commit
//! resolves on the transaction's `complete`, never before. Committed
//! batches are posted to the other tabs on a `BroadcastChannel`.
//!
//! Scanning reads the three stores in pages of `getAll` within one
//! transaction, handing each page on as it arrives.
//!
//! When the connection is lost (the browser closed it, or another tab
//! upgraded or deleted the database: `versionchange` makes us close at
//! once so it can proceed), the next commit reopens it: up to
//! [`OPEN_ATTEMPTS`] attempts, 0, 100 and 400 ms apart, then it fails with
//! `Unavailable` and the reason of the last attempt. The batch in flight
//! when the connection goes fails as a whole.
//!
//! A database deleted under an open store comes back empty when the next
//! commit reopens it. That commit first writes the items the engine asks
//! to restore (the meta item and the instances), then its own; records
//! written before the deletion are gone from disk. The open store keeps
//! showing them until it is reopened, which then loads only what was
//! written afterwards.

mod schema;
mod sys;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, JSON};
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::Closure;
use web_sys::{IdbDatabase, IdbObjectStore, IdbRequest, IdbTransaction};

use super::tabs::Tabs;
use super::timer;
use crate::backend::LocalBoxFuture;
use crate::engine::{layout, Commit, Decide, Driver, Engine, Found, Heard, Hearing, Stored, Writes};
use crate::error::StorageError;
use crate::js_text::as_string;
use schema::{INSTANCES, META, RECORDS};
use sys::Fault;

/// Prefixed to the store name to name its database.
const DATABASE_PREFIX: &str = "boltkv:";
/// Tries at reopening a lost connection, and the pause before each.
const OPEN_ATTEMPTS: usize = 3;
const RETRY_DELAYS_MS: [i32; OPEN_ATTEMPTS] = [0, 100, 400];
/// Item keys that live in `instances`, under the rest of the key.
const INSTANCE_ITEMS: &str = "i/";
/// The item keys that live in `meta`, under themselves (the meta item and
/// the version counter, see `engine::layout`).
const META_ITEMS: [&str; 2] = [layout::META, layout::VERSIONS];

/// A store kept in IndexedDB: the engine over [`IndexedDbDriver`].
pub type IndexedDbBackend = Engine<IndexedDbDriver>;

impl IndexedDbBackend {
    /// Opens (creating if needed) the database of store `name` and reads it.
    /// Fails with `Unavailable` when there is no IndexedDB, the browser
    /// refuses it (some private modes), or the database holds another
    /// format.
    pub async fn open(name: &str) -> Result<IndexedDbBackend, StorageError> {
        Engine::over(IndexedDbDriver::open(name).await?).await
    }
}

/// Talks to one IndexedDB database; see the module docs.
pub struct IndexedDbDriver {
    inner: Rc<Inner>,
}

struct Inner {
    /// The database's name: [`DATABASE_PREFIX`] + the store name.
    name: String,
    conn: RefCell<Option<Rc<Connection>>>,
    /// The other tabs on this database, told of every committed batch.
    tabs: Option<Tabs>,
}

struct Connection {
    db: IdbDatabase,
    lost: Rc<Cell<bool>>,
    /// Made by this connection's open and not yet given the restored items.
    fresh: Cell<bool>,
    _watch: sys::Watch,
}

/// The object store an item key lives in, and its key there.
fn place_of(key: &str) -> (&'static str, &str) {
    if META_ITEMS.contains(&key) {
        (META, key)
    } else if let Some(id) = key.strip_prefix(INSTANCE_ITEMS) {
        (INSTANCES, id)
    } else {
        (RECORDS, key)
    }
}

impl IndexedDbDriver {
    /// Opens (creating if needed) the database of store `name`.
    pub async fn open(name: &str) -> Result<IndexedDbDriver, StorageError> {
        let name = format!("{DATABASE_PREFIX}{name}");
        let conn = Connection::open(&name).await?;
        let tabs = Tabs::open(&name);
        let inner = Inner { name, conn: RefCell::new(Some(Rc::new(conn))), tabs };
        Ok(IndexedDbDriver { inner: Rc::new(inner) })
    }
}

impl Connection {
    async fn open(name: &str) -> Result<Connection, StorageError> {
        let unavailable = |f: Fault| StorageError::Unavailable(format!("IndexedDB cannot open the database {name:?} ({f})."));
        let (db, created) = sys::open(&sys::factory().map_err(unavailable)?, name, schema::create).await.map_err(unavailable)?;
        let lost = Rc::new(Cell::new(false));
        // Built first so that any early return below closes the connection.
        let conn = Connection { _watch: sys::Watch::new(&db, lost.clone()), db, lost, fresh: Cell::new(created) };
        match schema::stored_format(&conn.db).await {
            Ok(Some(f)) if f == f64::from(schema::LAYOUT) => Ok(conn),
            Ok(Some(f)) if f == f64::from(schema::LAYOUT_WITH_ARRAY_KEYS) => match schema::upgrade_keys(&conn.db).await {
                Ok(()) => Ok(conn),
                Err(f) => Err(StorageError::Unavailable(format!(
                    "the IndexedDB database {name:?} was written by an earlier boltkv and could not be moved to this one's layout ({f}); \
                     it was left unchanged."
                ))),
            },
            Ok(found) => Err(StorageError::Unavailable(format!(
                "the IndexedDB database {name:?} holds data in format {}, and this boltkv reads formats {} and {} only; \
                 open it with the boltkv that wrote it, or choose another name.",
                // serde_json's number text, not Rust's `f64` Display, which
                // would link float formatting into the build for one message.
                found.map_or_else(|| "(none)".to_string(), |f| serde_json::Number::from_f64(f).map_or_else(|| "not a finite number".to_string(), |n| n.to_string())),
                schema::LAYOUT_WITH_ARRAY_KEYS,
                schema::LAYOUT,
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

    async fn scan(&self, found: Box<dyn FnMut(Found)>) -> Result<(), StorageError> {
        let unreadable = |f: Fault| StorageError::Unavailable(format!("IndexedDB cannot read the database {:?} ({f}).", self.name));
        let conn = self.connect().await?;
        let tx = sys::read_transaction(&conn.db, &[INSTANCES, RECORDS, META]).map_err(unreadable)?;
        let found = Rc::new(RefCell::new(found));
        let metas = META_ITEMS.map(|key| tx.object_store(META).and_then(|m| m.get(&JsValue::from_str(key))));
        let scans = [(INSTANCES, INSTANCE_ITEMS), (RECORDS, "")].map(|(store, tag)| {
            let found = found.clone();
            sys::Scan::start(&tx, store, &JsValue::NULL, move |page| {
                let mut found = found.borrow_mut();
                for i in 0..page.values.length() {
                    found(item(tag, &page.keys.get(i), &page.values.get(i)));
                }
                Ok(())
            })
        });
        let [instances, records] = scans;
        let (instances, records) = (instances.map_err(unreadable)?, records.map_err(unreadable)?);
        sys::finished(&tx).await.map_err(unreadable)?;
        instances.finish().map_err(unreadable)?;
        records.finish().map_err(unreadable)?;
        for (key, meta) in META_ITEMS.into_iter().zip(metas) {
            let meta = meta.and_then(|request| request.result()).map_err(|e| unreadable(Fault::from_js(&e)))?;
            if !meta.is_undefined() {
                found.borrow_mut()(item("", &JsValue::from_str(key), &meta));
            }
        }
        Ok(())
    }

    /// Runs one commit, reopening a lost connection. A failure is reported
    /// as `Full` when the origin has no room for it, whatever the browser
    /// called it.
    async fn commit(&self, commit: Commit) -> Result<(), StorageError> {
        let bytes = commit.message.text().len();
        match self.write(commit).await {
            Err(StorageError::Unavailable(_) | StorageError::Failed(_)) if sys::no_room_for(bytes).await => Err(StorageError::Full),
            written => written,
        }
    }

    async fn write(&self, commit: Commit) -> Result<(), StorageError> {
        let Commit { reads, lists, decide, message, restore } = commit;
        let looks = Looks { reads, lists };
        let mut decide = Some(decide);
        let mut why = String::new();
        for delay in RETRY_DELAYS_MS {
            if delay > 0 {
                timer::sleep(delay).await;
            }
            let conn = match self.connect().await {
                Ok(conn) => conn,
                Err(StorageError::Unavailable(reason) | StorageError::Failed(reason)) => {
                    why = reason.trim_end_matches('.').to_string();
                    continue;
                }
                Err(StorageError::Full) => return Err(StorageError::Full),
            };
            let restored: Vec<(String, String)> = match conn.fresh.get() {
                true => restore.borrow().iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
                false => Vec::new(),
            };
            let Some(deciding) = decide.take() else { break };
            let issued = match issue(&conn, &looks, deciding, &restored) {
                Ok(issued) => issued,
                // The connection is closing or closed, so nothing was issued.
                Err((f, Some(deciding))) if f.name == "InvalidStateError" => {
                    decide = Some(deciding);
                    conn.lost.set(true);
                    why = f.to_string();
                    continue;
                }
                Err((f, _)) => return Err(failed(f)),
            };
            // A fault caught while issuing the writes says more than the
            // abort it caused.
            let finished = sys::finished(&issued.tx).await;
            issued.finish().map_err(failed)?;
            finished.map_err(failed)?;
            conn.fresh.set(false);
            if let Some(tabs) = &self.tabs {
                tabs.post(&message.text());
            }
            return Ok(());
        }
        Err(StorageError::Unavailable(format!(
            "the IndexedDB database {:?} was closed and could not be reopened in {OPEN_ATTEMPTS} attempts ({why}).",
            self.name
        )))
    }
}

/// A transaction with its writes issued, or still to issue once its reads
/// are in.
struct Issued {
    tx: IdbTransaction,
    /// The reads' continuation, which issues the writes; kept until the
    /// transaction ends, with what went wrong in it.
    after_reads: Option<(Closure<dyn FnMut()>, Caught)>,
}

/// A fault caught in an event handler, for the code awaiting the transaction.
type Caught = Rc<RefCell<Option<Fault>>>;

impl Issued {
    /// Whether the writes issued after the reads went in.
    fn finish(self) -> Result<(), Fault> {
        match self.after_reads.and_then(|(_, fault)| fault.take()) {
            Some(f) => Err(f),
            None => Ok(()),
        }
    }
}

/// Starts the commit's transaction over all three stores and issues its
/// requests with no `.await` in between (IndexedDB would auto-commit): the
/// restored items, then either the writes, or the reads and, from the last
/// read's `success`, the writes. On failure before anything was issued,
/// `decide` is handed back for another attempt.
fn issue(conn: &Connection, looks: &Looks, mut decide: Decide, restored: &[(String, String)]) -> Result<Issued, (Fault, Option<Decide>)> {
    let tx = match sys::write_transaction(&conn.db, &[INSTANCES, RECORDS, META]) {
        Ok(tx) => tx,
        Err(f) => return Err((f, Some(decide))),
    };
    let stores = match Stores::of(&tx) {
        Ok(stores) => stores,
        Err(f) => return Err((f, Some(decide))),
    };
    let aborting = |f: Fault| {
        let _ = tx.abort();
        (f, None)
    };
    for (key, text) in restored {
        stores.put(key, text).map_err(aborting)?;
    }
    if looks.reads.is_empty() && looks.lists.is_empty() {
        stores.write(&decide(Stored::default())).map_err(aborting)?;
        sys::commit(&tx);
        return Ok(Issued { tx, after_reads: None });
    }
    let items: Vec<IdbRequest> = looks.reads.iter().map(|key| stores.get(key)).collect::<Result<_, _>>().map_err(aborting)?;
    let lists: Vec<IdbRequest> = looks.lists.iter().map(|prefix| stores.get_under(prefix)).collect::<Result<_, _>>().map_err(aborting)?;
    let fault = Rc::new(RefCell::new(None));
    let last = lists.last().or(items.last()).cloned();
    let mut pending = Some((decide, stores, items, lists, tx.clone(), fault.clone()));
    let continuation = Closure::<dyn FnMut()>::new(move || {
        let Some((mut decide, stores, items, lists, tx, fault)) = pending.take() else { return };
        let texts = |value: JsValue| Array::from(&value).iter().filter_map(|text| as_string(&text)).collect();
        let stored = Stored {
            items: items.iter().map(|r| r.result().ok().and_then(|v| as_string(&v))).collect(),
            listed: lists.iter().map(|r| r.result().map(texts).unwrap_or_default()).collect(),
        };
        match stores.write(&decide(stored)) {
            Ok(()) => sys::commit(&tx),
            Err(f) => {
                *fault.borrow_mut() = Some(f);
                let _ = tx.abort();
            }
        }
    });
    // Requests succeed in order, so the last one's success means all are in.
    if let Some(last) = last {
        last.set_onsuccess(Some(wasm_bindgen::JsCast::unchecked_ref(continuation.as_ref())));
    }
    Ok(Issued { tx, after_reads: Some((continuation, fault)) })
}

/// Where a commit looks before deciding: [`Commit::reads`] and [`Commit::lists`].
struct Looks {
    reads: Vec<String>,
    lists: Vec<String>,
}

/// The three object stores of a write transaction.
struct Stores {
    instances: IdbObjectStore,
    records: IdbObjectStore,
    meta: IdbObjectStore,
}

impl Stores {
    fn of(tx: &IdbTransaction) -> Result<Stores, Fault> {
        let store = |name: &str| tx.object_store(name).map_err(|e| Fault::from_js(&e));
        Ok(Stores { instances: store(INSTANCES)?, records: store(RECORDS)?, meta: store(META)? })
    }

    fn store(&self, name: &str) -> &IdbObjectStore {
        match name {
            INSTANCES => &self.instances,
            META => &self.meta,
            _ => &self.records,
        }
    }

    fn put(&self, key: &str, text: &str) -> Result<(), Fault> {
        let (store, key) = place_of(key);
        sys::put(self.store(store), &JsValue::from_str(key), text)
    }

    fn get(&self, key: &str) -> Result<IdbRequest, Fault> {
        let (store, key) = place_of(key);
        self.store(store).get(&JsValue::from_str(key)).map_err(|e| Fault::from_js(&e))
    }

    /// Every item whose item key starts with `prefix`: a whole object store
    /// when the prefix is the one its keys are stored without.
    fn get_under(&self, prefix: &str) -> Result<IdbRequest, Fault> {
        let (store, rest) = place_of(prefix);
        let request = match rest.is_empty() {
            true => self.store(store).get_all(),
            false => self.store(store).get_all_with_key(&sys::prefix_range(rest)?),
        };
        request.map_err(|e| Fault::from_js(&e))
    }

    /// Issues every request of `writes`, cleared prefixes first.
    fn write(&self, writes: &Writes) -> Result<(), Fault> {
        for prefix in &writes.cleared {
            let (store, prefix) = place_of(prefix);
            sys::delete(self.store(store), &sys::prefix_range(prefix)?)?;
        }
        for step in &writes.steps {
            for (key, text) in &step.puts {
                self.put(key, text)?;
            }
            for key in &step.deletes {
                let (store, key) = place_of(key);
                sys::delete(self.store(store), &JsValue::from_str(key))?;
            }
        }
        Ok(())
    }
}

/// A failed write: `Full` for a quota error, else the browser's words.
fn failed(fault: Fault) -> StorageError {
    match fault.is_quota() {
        true => StorageError::Full,
        false => StorageError::Failed(format!("IndexedDB did not commit the transaction ({fault}).")),
    }
}

/// One scanned item: its item key is `tag` + its key in its object store.
fn item(tag: &str, key: &JsValue, value: &JsValue) -> Found {
    let key = match key.as_string() {
        Some(key) if tag.is_empty() => Ok(key),
        Some(key) => Ok(format!("{tag}{key}")),
        None => Err(JSON::stringify(key).ok().and_then(|s| s.as_string()).unwrap_or_else(|| "(a key that cannot be shown)".to_string())),
    };
    let text = as_string(value).ok_or_else(|| "it is not a string".to_string());
    Found { key, text }
}

impl Driver for IndexedDbDriver {
    fn describe(&self) -> String {
        format!("IndexedDB database {:?}", self.inner.name)
    }

    fn scan(&self, found: Box<dyn FnMut(Found)>) -> LocalBoxFuture<'_, Result<(), StorageError>> {
        Box::pin(self.inner.scan(found))
    }

    fn commit(&self, commit: Commit) -> LocalBoxFuture<'static, Result<(), StorageError>> {
        let inner = self.inner.clone();
        Box::pin(async move { inner.commit(commit).await })
    }

    fn listen(&self, hearing: Hearing) {
        if let Some(tabs) = &self.inner.tabs {
            tabs.listen(move |message| hearing(Heard::Batch(message)));
        }
    }

    fn spawn(&self, task: LocalBoxFuture<'static, ()>) {
        wasm_bindgen_futures::spawn_local(task);
    }

    fn sleep(&self, ms: u32) -> Option<LocalBoxFuture<'static, ()>> {
        Some(Box::pin(crate::drivers::timer::sleep(i32::try_from(ms).unwrap_or(i32::MAX))))
    }

    /// A macrotask (`setTimeout` 0): a resolved promise would run before
    /// the page gets its turn.
    fn pause(&self) -> LocalBoxFuture<'static, ()> {
        Box::pin(timer::sleep(0))
    }
}
