//! The storage engine: everything about how a store lives in storage,
//! written once for every platform. It owns the item keys (`layout`), the
//! documents (`codec`), the plan from a batch to item writes (`plan`),
//! loading with its checks (`load`), the format check, and what other
//! copies of the store are told and heard to commit (`hear`). Below it, a
//! [`Driver`] per platform keeps text items under string keys and nothing
//! more; above it, the store sees a [`Backend`].
//!
//! Two copies of a store that create one key at once agree on one record
//! (see `Index::apply_remote`); the repair that brings storage in line is
//! an ordinary write through the commit queue, guarded so that it never
//! overwrites a record stored after the one it repairs.

pub mod codec;
mod driver;
mod hear;
pub mod layout;
mod load;
mod plan;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

pub use driver::{Commit, Decide, Driver, Found, Heard, Hearing, Message, Restore, Step, Writes};

use crate::backend::{Backend, ChangeSink, Guard, LocalBoxFuture, Snapshot};
use crate::error::StorageError;
use crate::model::Change;
use codec::FORMAT_VERSION;
use load::Loader;
use plan::{Known, Touched};

/// A persisting backend: the engine over the driver `D`.
pub struct Engine<D> {
    inner: Rc<Inner<D>>,
}

struct Inner<D> {
    driver: D,
    /// What opening read, until `load` hands it to the store.
    opened: RefCell<Option<Snapshot>>,
    /// Whether the meta item is known to hold [`FORMAT_VERSION`]; until it
    /// is, each commit writes it along with the batch.
    meta_written: Cell<bool>,
    /// The item keys stored, for drivers that do not list reliably; shared
    /// with the decision of the commit in flight.
    known: Rc<RefCell<Option<Known>>>,
    /// The meta item and instance documents on storage (see [`Restore`]).
    restore: Restore,
}

/// How a commit's guards came out, and what it touched, for the
/// bookkeeping after it.
#[derive(Default)]
struct Decided {
    skipped: Vec<usize>,
    touched: Option<Touched>,
}

impl<D: Driver + 'static> Engine<D> {
    /// Opens the store `driver` holds and reads it whole, so that storage
    /// that cannot be read, or holds another format, fails here (where the
    /// caller may still choose another backend).
    pub async fn over(driver: D) -> Result<Engine<D>, StorageError> {
        let loader = Rc::new(RefCell::new(Loader::new(!driver.lists_reliably())));
        let sink = loader.clone();
        driver.scan(Box::new(move |found| sink.borrow_mut().add(found))).await?;
        let loaded = loader.replace(Loader::new(false)).finish(&driver);
        let meta_written = match loaded.format.as_deref() {
            None => false,
            Some(format) if format == FORMAT_VERSION.to_string() => true,
            Some(other) => {
                return Err(StorageError::Unavailable(format!(
                    "the {} holds data in format {other}, and this boltkv reads only format {FORMAT_VERSION}; open it with the boltkv that wrote it, or use another store name.",
                    driver.describe()
                )));
            }
        };
        let inner = Inner {
            driver,
            opened: RefCell::new(Some(loaded.snapshot)),
            meta_written: Cell::new(meta_written),
            known: Rc::new(RefCell::new(loaded.known)),
            restore: Rc::new(RefCell::new(loaded.restore)),
        };
        Ok(Engine { inner: Rc::new(inner) })
    }
}

impl<D: Driver + 'static> Inner<D> {
    async fn commit(&self, changes: Vec<Change>, guards: Vec<Guard>) -> Result<(), StorageError> {
        let encoded = Rc::new(codec::encode_batch(&changes).map_err(StorageError::Failed)?);
        let message = Message(encoded.clone());
        let mut reads = Vec::with_capacity(guards.len());
        for guard in &guards {
            let key = changes.get(guard.change).and_then(item_key).ok_or_else(|| {
                StorageError::Failed("a guarded change is missing from its batch or is not a put (a bug in boltkv); nothing was written.".to_string())
            })?;
            reads.push(key);
        }
        // What the batch does to instance items, for `Restore` once it is
        // durable: taken now, since the decision takes the batch itself.
        let mut instances = Vec::new();
        for (i, change) in changes.iter().enumerate() {
            match change {
                Change::PutInstance(instance) => {
                    let doc = encoded.doc(i).ok_or_else(|| {
                        StorageError::Failed("an instance of the batch has no document (a bug in boltkv); nothing was written.".to_string())
                    })?;
                    instances.push((i, layout::instance(&instance.id.to_string()), Some(doc.to_string())));
                }
                Change::DeleteInstance(id) => instances.push((i, layout::instance(&id.to_string()), None)),
                Change::PutRecord(_) | Change::DeleteRecord { .. } | Change::DeleteNamespace { .. } => {}
            }
        }
        let decided = Rc::new(RefCell::new(Decided::default()));
        let decide: Decide = {
            let (decided, known) = (decided.clone(), self.known.clone());
            let write_meta = !self.meta_written.get();
            Box::new(move |stored: Vec<Option<String>>| {
                let skipped: Vec<usize> = guards
                    .iter()
                    .zip(stored)
                    .filter(|(guard, stored)| stored.as_deref() != Some(guard.stored.as_str()))
                    .map(|(guard, _)| guard.change)
                    .collect();
                let known = known.borrow();
                let writes = plan::writes(&changes, &encoded, &skipped, known.as_ref(), write_meta);
                *decided.borrow_mut() = Decided { skipped, touched: known.is_some().then(|| Touched::of(&writes)) };
                writes
            })
        };
        let commit = Commit { reads, decide, message, restore: self.restore.clone() };
        let outcome = self.driver.commit(commit).await;
        let decided = decided.take();
        if let (Some(known), Some(touched)) = (self.known.borrow_mut().as_mut(), &decided.touched) {
            match outcome {
                Ok(()) => known.committed(touched),
                Err(_) => known.maybe_written(touched),
            }
        }
        if outcome.is_ok() {
            self.meta_written.set(true);
            let mut restore = self.restore.borrow_mut();
            restore.insert(layout::META.to_string(), FORMAT_VERSION.to_string());
            for (_, key, doc) in instances.into_iter().filter(|(i, _, _)| !decided.skipped.contains(i)) {
                match doc {
                    Some(doc) => restore.insert(key, doc),
                    None => restore.remove(&key),
                };
            }
        }
        outcome
    }
}

/// The item key a put writes; `None` for removals.
fn item_key(change: &Change) -> Option<String> {
    match change {
        Change::PutRecord(r) => Some(layout::record(&r.instance_id.to_string(), &r.namespace, &r.key)),
        Change::PutInstance(i) => Some(layout::instance(&i.id.to_string())),
        Change::DeleteInstance(_) | Change::DeleteRecord { .. } | Change::DeleteNamespace { .. } => None,
    }
}

impl<D: Driver + 'static> Backend for Engine<D> {
    fn persists(&self) -> bool {
        true
    }

    fn load(&self) -> LocalBoxFuture<'_, Result<Snapshot, StorageError>> {
        Box::pin(async move {
            let opened = self.inner.opened.take();
            match opened {
                Some(snapshot) => Ok(snapshot),
                None => Err(StorageError::Failed(
                    "the store was already loaded from this backend; open the backend again to read it anew.".to_string(),
                )),
            }
        })
    }

    fn commit(&self, changes: Vec<Change>, guards: Vec<Guard>) -> LocalBoxFuture<'static, Result<(), StorageError>> {
        let inner = self.inner.clone();
        Box::pin(async move { inner.commit(changes, guards).await })
    }

    fn watch(&self, sink: ChangeSink) {
        self.inner.driver.listen(Rc::new(move |heard| {
            let remotes = hear::remotes(heard);
            if !remotes.is_empty() {
                sink(remotes);
            }
        }));
    }

    fn spawn(&self, task: LocalBoxFuture<'static, ()>) {
        self.inner.driver.spawn(task);
    }

    fn pause(&self) -> LocalBoxFuture<'static, ()> {
        self.inner.driver.pause()
    }
}
