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
mod decide;
mod driver;
mod hear;
pub mod layout;
mod load;
mod plan;
mod route;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

pub use driver::{Commit, Decide, Driver, Found, Heard, Hearing, Message, Restore, Step, Stored, Writes};

use crate::backend::{Backend, ChangeSink, Committed, Guard, LocalBoxFuture, Snapshot};
use crate::error::StorageError;
use crate::model::Change;
use codec::FORMAT_VERSION;
use load::Loader;
use plan::{Known, Touched};
use route::Heeded;

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
    /// What other copies commit, from before the first read on.
    heeded: Heeded,
}

impl<D: Driver + 'static> Engine<D> {
    /// Opens the store `driver` holds and reads it whole, so that storage
    /// that cannot be read, or holds another format, fails here (where the
    /// caller may still choose another backend).
    pub async fn over(driver: D) -> Result<Engine<D>, StorageError> {
        let heeded = Heeded::new();
        driver.listen(heeded.hearing());
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
            heeded,
        };
        Ok(Engine { inner: Rc::new(inner) })
    }
}

impl<D: Driver + 'static> Inner<D> {
    async fn commit(&self, changes: Vec<Change>, guards: Vec<Guard>) -> Result<Committed, StorageError> {
        let bug = |why: String| StorageError::Failed(format!("{why} (a bug in boltkv); nothing was written."));
        let encoded = Rc::new(RefCell::new(Rc::new(codec::encode_batch(&changes, &[]).map_err(StorageError::Failed)?)));
        let counts = self.driver.checks();
        if !counts && !guards.is_empty() {
            return Err(bug("a guarded write reached storage that cannot check guards".into()));
        }
        let reads = match counts {
            true => decide::reads(&changes, &guards).map_err(|why| bug(why.to_string()))?,
            false => Vec::new(),
        };
        let lists = decide::lists(&guards);
        let outcome: Rc<RefCell<Option<Result<Outcome, String>>>> = Rc::default();
        let changes = Rc::new(changes);
        let decide: Decide = {
            let (outcome, known, encoded, changes) = (outcome.clone(), self.known.clone(), encoded.clone(), changes.clone());
            let (reads, lists) = (reads.clone(), lists.clone());
            // Each decision starts from the batch as handed over, not from
            // the last decision's encoding (which may leave changes out).
            let handed = encoded.borrow().clone();
            let write_meta = !self.meta_written.get();
            // May run more than once (a localStorage tab that is not the
            // writer decides again when the writer finds its reads stale).
            Box::new(move |stored: Stored| {
                let looked = decide::Looked { reads: &reads, items: &stored.items, lists: &lists, listed: &stored.listed };
                let decided = match decide::decide(&changes, &guards, &looked, counts) {
                    Ok(decided) => decided,
                    Err(why) => {
                        *outcome.borrow_mut() = Some(Err(why));
                        return Writes::default();
                    }
                };
                let docs = decided.encoded.map_or_else(|| handed.clone(), Rc::new);
                *encoded.borrow_mut() = docs.clone();
                let mut extra = Vec::new();
                if write_meta {
                    extra.push((layout::META.to_string(), FORMAT_VERSION.to_string()));
                }
                extra.extend(decided.counter.map(|next| (layout::VERSIONS.to_string(), next)));
                let known = known.borrow();
                let written = decided.changes.as_deref().unwrap_or(&changes);
                let writes = match plan::writes(written, &docs, &decided.skipped, known.as_ref(), &extra) {
                    Ok(writes) => writes,
                    Err(why) => {
                        *outcome.borrow_mut() = Some(Err(why));
                        return Writes::default();
                    }
                };
                let touched = known.is_some().then(|| Touched::of(&writes));
                let outcome_now = Outcome { committed: decided.committed, changes: decided.changes, skipped: decided.skipped, touched, docs };
                *outcome.borrow_mut() = Some(Ok(outcome_now));
                writes
            })
        };
        let message = Message(encoded);
        let commit = Commit { reads, lists, decide, message, restore: self.restore.clone() };
        let written = self.driver.commit(commit).await;
        let outcome = match outcome.take() {
            Some(Ok(outcome)) => outcome,
            Some(Err(why)) => return Err(written.err().unwrap_or_else(|| bug(why))),
            None => return Err(written.err().unwrap_or_else(|| bug("the storage committed without deciding".into()))),
        };
        if let (Some(known), Some(touched)) = (self.known.borrow_mut().as_mut(), &outcome.touched) {
            match written {
                Ok(()) => known.committed(touched),
                Err(_) => known.maybe_written(touched),
            }
        }
        written?;
        self.meta_written.set(true);
        self.remember(&outcome, &changes);
        Ok(outcome.committed)
    }

    /// Keeps [`Restore`] in step with the instance items a durable batch wrote.
    fn remember(&self, outcome: &Outcome, handed: &[Change]) {
        let mut restore = self.restore.borrow_mut();
        restore.insert(layout::META.to_string(), FORMAT_VERSION.to_string());
        for (i, change) in outcome.changes.as_deref().unwrap_or(handed).iter().enumerate() {
            if outcome.skipped.contains(&i) {
                continue;
            }
            match change {
                Change::PutInstance(instance) => {
                    if let Some(doc) = outcome.docs.doc(i) {
                        restore.insert(layout::instance(&instance.id.to_string()), doc.to_string());
                    }
                }
                Change::DeleteInstance(id) => drop(restore.remove(&layout::instance(&id.to_string()))),
                Change::PutRecord(_) | Change::DeleteRecord { .. } | Change::DeleteNamespace { .. } => {}
            }
        }
    }
}

/// What the decision inside a commit settled, for the bookkeeping after it.
struct Outcome {
    committed: Committed,
    /// The batch as written, when it differs from what was handed over.
    changes: Option<Vec<Change>>,
    skipped: Vec<usize>,
    touched: Option<Touched>,
    docs: Rc<codec::EncodedBatch>,
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

    fn commit(&self, changes: Vec<Change>, guards: Vec<Guard>) -> LocalBoxFuture<'static, Result<Committed, StorageError>> {
        let inner = self.inner.clone();
        Box::pin(async move { inner.commit(changes, guards).await })
    }

    fn checks(&self) -> bool {
        self.inner.driver.checks()
    }

    fn watch(&self, sink: ChangeSink) {
        self.inner.heeded.to(sink);
    }

    fn spawn(&self, task: LocalBoxFuture<'static, ()>) {
        self.inner.driver.spawn(task);
    }

    fn pause(&self) -> LocalBoxFuture<'static, ()> {
        self.inner.driver.pause()
    }

    fn sleep(&self, ms: u32) -> Option<LocalBoxFuture<'static, ()>> {
        self.inner.driver.sleep(ms)
    }
}
