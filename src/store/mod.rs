//! The typed store: the twelve kvStore operations for Rust callers, on any
//! backend. Reads answer from the in-memory index; writes change the index
//! and resolve once their batch is durable (see `commit`).

mod instances;
pub use instances::InstanceUpdate;
mod query;
mod batch;
mod export;
mod records;
mod versions;
mod watch;
pub use batch::{Operation, Outcome};
pub use export::{ExportSelector, ImportMode, Imported};
pub use records::{DeleteOptions, Expiry, IfVersion, SetOptions};

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use crate::backend::Backend;
use crate::commit::{Check, Pending, Settled, Shared};
use crate::error::{Error, Field, Result};
use crate::id::{IdSource, Uuid};
use crate::index::Index;
use crate::limits::Limits;
use crate::model::{Change, Instance};
use crate::time::{Clock, Timestamp};

/// How a store is set up: its limits and where it gets time and ids.
pub struct Config {
    /// Size limits for names and values.
    pub limits: Limits,
    /// The wall clock for timestamps.
    pub clock: Box<dyn Clock>,
    /// The source of record, instance and request ids.
    pub ids: Box<dyn IdSource>,
}

impl Config {
    /// Default limits, the host's clock ([`crate::SystemClock`]) and secure
    /// random ids, natively and in a JavaScript host alike.
    pub fn system() -> Result<Config> {
        let ids = crate::id::RandomIds::new()
            .map_err(|e| Error::InvalidOptions(format!("no secure random source is available ({e}).")))?;
        Ok(Config { limits: Limits::default(), clock: Box::new(crate::time::SystemClock), ids: Box::new(ids) })
    }
}

/// The longest the sweep timer waits: an expired record stays stored at
/// most this long while the store is open.
const SWEEP_AT_LEAST_MS: i64 = 60_000;

/// Records indexed in one go when a store opens: about 5 ms of work in a
/// browser, after which the backend may let the host run (`Backend::pause`).
const INDEX_SLICE: usize = 10_000;

/// What makes each write distinct: its time, its ids, its creation order
/// (record versions are the commit queue's, `Shared::take_version`).
struct Mint {
    clock: Box<dyn Clock>,
    ids: Box<dyn IdSource>,
    next_seq: u64,
}

/// A write as planned: its changes, the checks storage makes before
/// writing them (each on a change by its position), and its answer.
struct Plan<T> {
    changes: Vec<Change>,
    guards: Vec<Check>,
    answer: T,
}

impl<T> Plan<T> {
    /// A write without checks.
    fn plain(changes: Vec<Change>, answer: T) -> Plan<T> {
        Plan { changes, guards: Vec::new(), answer }
    }
}

/// A key-value store with instances, namespaces and keys.
///
/// Not `Send`: it lives on one thread, like the JavaScript objects behind
/// its backends. Cloning gives another handle to the same store.
#[derive(Clone)]
pub struct KvStore {
    shared: Rc<Shared>,
    mint: Rc<RefCell<Mint>>,
    limits: Limits,
    skipped: Rc<[String]>,
    /// The buffer answers are rendered into (see `KvStore::with_envelope`).
    pub(crate) answers: Rc<RefCell<Vec<u8>>>,
}

impl KvStore {
    /// Opens a store on `backend`, loading what it holds.
    pub async fn open(backend: Box<dyn Backend>, config: Config) -> Result<KvStore> {
        config.limits.validate()?;
        let snapshot = backend.load().await?;
        let mut index = Index::default();
        let mut next_version = snapshot.next_version.max(1);
        let mut instances = snapshot.instances;
        crate::sort::by(&mut instances, |a, b| (a.seq, a.created_at, a.id).cmp(&(b.seq, b.created_at, b.id)));
        for instance in instances {
            index.apply(Change::PutInstance(instance));
        }
        for (n, record) in snapshot.records.into_iter().enumerate() {
            if n > 0 && n % INDEX_SLICE == 0 {
                backend.pause().await;
            }
            next_version = next_version.max(record.version.saturating_add(1));
            index.apply(Change::PutRecord(record));
        }
        let mint = Rc::new(RefCell::new(Mint { clock: config.clock, ids: config.ids, next_seq: index.next_seq() }));
        let shared = Rc::new(Shared::new(index, backend, next_version));
        let clock = Rc::downgrade(&mint);
        shared.listen(move || clock.upgrade().map(|mint| Timestamp(mint.borrow().clock.now_ms())));
        let store = KvStore { shared, mint, limits: config.limits, skipped: snapshot.skipped.into(), answers: Rc::default() };
        // Records that expired while the store was closed leave now.
        store.sweep();
        store.keep_sweeping();
        Ok(store)
    }

    /// Keeps a timer set for the soonest expiry (at most a minute away)
    /// while any record has one, so that expired records leave storage
    /// even when no call comes, where the host has a timer. The timer
    /// holds the store weakly: a dropped store stops sweeping.
    fn keep_sweeping(&self) {
        let Some(next) = self.shared.index.borrow().next_expiry() else { return };
        let now = self.now().0;
        let wait = next.0.saturating_sub(now).clamp(0, SWEEP_AT_LEAST_MS);
        let fires = now.saturating_add(wait);
        // A timer that fires by then already covers it.
        if self.shared.sweeping.get().is_some_and(|set| set <= fires) {
            return;
        }
        let weak = self.downgrade();
        let set = self.shared.later(u32::try_from(wait).unwrap_or(u32::MAX), async move {
            let Some(store) = weak.upgrade() else { return };
            if store.shared.sweeping.get() == Some(fires) {
                store.shared.sweeping.set(None);
            }
            store.sweep();
            store.keep_sweeping();
        });
        if set {
            self.shared.sweeping.set(Some(fires));
        }
    }

    /// A handle that does not keep the store open, for what the store
    /// itself holds (its timer, its live queries).
    fn downgrade(&self) -> WeakStore {
        WeakStore {
            shared: Rc::downgrade(&self.shared),
            mint: Rc::downgrade(&self.mint),
            limits: self.limits,
            skipped: self.skipped.clone(),
            answers: Rc::downgrade(&self.answers),
        }
    }

    /// The limits this store enforces.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Stored items the backend could not decode when the store opened, one
    /// sentence each; they were left out and the rest loaded.
    pub fn skipped_on_open(&self) -> &[String] {
        &self.skipped
    }

    /// Resolves once every write issued so far is durable.
    pub fn flush(&self) -> Pending<()> {
        Pending::after((), self.shared.newest().map(|batch| (batch, usize::MAX)), &self.shared)
    }

    /// The current time, for envelopes.
    pub fn now(&self) -> Timestamp {
        Timestamp(self.mint.borrow().clock.now_ms())
    }

    /// A fresh random id, for request ids.
    pub fn fresh_id(&self) -> Uuid {
        self.mint.borrow_mut().ids.next_uuid()
    }

    /// Applies changes and answers once they are durable.
    fn write<T>(&self, changes: Vec<Change>, answer: T) -> Pending<T> {
        self.carry_out(Ok(Plan::plain(changes, answer)), |answer, _| answer)
    }

    /// Carries out a planned write, or answers with why it was refused;
    /// `settle` makes the answer what storage decided.
    fn carry_out<T>(&self, plan: Result<Plan<T>>, settle: fn(T, &Settled) -> T) -> Pending<T> {
        match plan {
            Ok(Plan { changes, guards, answer }) => {
                let guards = if self.guarded() { guards } else { Vec::new() };
                let pending = Pending::settled_by(answer, self.shared.write(changes, guards), &self.shared, settle);
                self.keep_sweeping();
                pending
            }
            Err(e) => Pending::from(Err(e)),
        }
    }

    /// Whether storage checks writes against other writers: with a
    /// persisting backend that can. The memory backend's only writer is
    /// this store, which checks in memory; Workers KV cannot check.
    fn guarded(&self) -> bool {
        self.shared.guards_go_to_storage() && self.shared.checks()
    }

    /// The id of the instance an `instanceId` argument names, after checking
    /// the argument itself.
    fn resolve(&self, instance: &str) -> Result<Option<Uuid>> {
        self.limits.check(Field::InstanceName, instance)?;
        self.sweep();
        Ok(self.shared.index.borrow().resolve(instance))
    }

    /// Removes the records whose expiry has passed by the store's clock, so
    /// that every call after it sees them absent. Every call naming an
    /// instance comes through here (`resolve`) before reading memory.
    fn sweep(&self) {
        if self.shared.index.borrow().next_expiry().is_none() {
            return;
        }
        let now = self.now();
        let due = {
            let index = self.shared.index.borrow();
            match index.next_expiry() {
                Some(next) if next <= now => index.expired(now),
                _ => return,
            }
        };
        self.shared.expire(due);
    }

    /// A new instance named `name`, not yet applied.
    fn new_instance(&self, name: &str, description: Option<String>) -> Result<Instance> {
        let seq = self.next_seq()?;
        let mut mint = self.mint.borrow_mut();
        let now = Timestamp(mint.clock.now_ms());
        Ok(Instance {
            id: mint.ids.next_uuid(),
            name: name.to_string(),
            description,
            created_at: now,
            updated_at: now,
            seq,
        })
    }
}

impl KvStore {
    /// The creation number of the next instance (`listInstances` order).
    fn next_seq(&self) -> Result<u64> {
        let mut mint = self.mint.borrow_mut();
        let seq = mint.next_seq;
        mint.next_seq = seq.checked_add(1).ok_or_else(|| exhausted("instance sequence numbers"))?;
        Ok(seq)
    }
}

/// A [`KvStore`] that does not keep it alive (see [`KvStore::downgrade`]).
struct WeakStore {
    shared: Weak<Shared>,
    mint: Weak<RefCell<Mint>>,
    limits: Limits,
    skipped: Rc<[String]>,
    answers: Weak<RefCell<Vec<u8>>>,
}

impl WeakStore {
    /// The store, while anyone else still holds it.
    fn upgrade(&self) -> Option<KvStore> {
        Some(KvStore {
            shared: self.shared.upgrade()?,
            mint: self.mint.upgrade()?,
            limits: self.limits,
            skipped: self.skipped.clone(),
            answers: self.answers.upgrade()?,
        })
    }
}

/// The error for a counter read from storage that has no next value: only
/// damaged or hostile data gets there, and reusing a number would break
/// the order or the versions the store promises.
fn exhausted(what: &str) -> Error {
    Error::Storage(crate::error::StorageError::Failed(format!(
        "the store's {what} have reached their largest value, which only damaged data can do; nothing was written."
    )))
}

/// Refuses a name that another instance uses.
fn check_free(index: &Index, name: &str, except: Option<Uuid>) -> Result<()> {
    match index.named(name) {
        Some(owner) if Some(owner) != except => Err(Error::InstanceExists(name.to_string())),
        _ => Ok(()),
    }
}
