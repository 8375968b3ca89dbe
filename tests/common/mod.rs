//! Test doubles at the two seams (time, ids) and at the storage seam: a
//! clock the test sets, ids that count up, and a backend that keeps what it
//! is given, can be told to fail, and can hold a commit open.

#![allow(dead_code)]

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use boltkv::{Backend, Change, ChangeSink, Clock, Config, IdSource, Instance, KvStore, Limits, LocalBoxFuture, Record, Snapshot, StorageError, Uuid};

/// A clock that reads whatever the test last set.
#[derive(Clone, Default)]
pub struct TestClock(pub Rc<Cell<i64>>);

impl Clock for TestClock {
    fn now_ms(&self) -> i64 {
        self.0.get()
    }
}

/// Ids 1, 2, 3, ... as UUIDs.
#[derive(Default)]
pub struct CountingIds(u128);

impl IdSource for CountingIds {
    fn next_uuid(&mut self) -> Uuid {
        self.0 += 1;
        Uuid(self.0.to_be_bytes())
    }
}

pub fn config(clock: &TestClock) -> Config {
    Config { limits: Limits::default(), clock: Box::new(clock.clone()), ids: Box::new(CountingIds::default()) }
}

/// What a [`KeepingBackend`] holds: instances and records by their place.
#[derive(Default)]
pub struct Disk {
    pub instances: BTreeMap<Uuid, Instance>,
    pub records: BTreeMap<(Uuid, String, String), Record>,
    pub commits: Vec<usize>,
    /// Outcomes for the next commits, oldest first; `Ok` when empty.
    pub outcomes: VecDeque<Result<(), StorageError>>,
    /// While set, commits wait until the test clears it.
    pub hold: bool,
    pub waiting: Vec<Waker>,
    /// Every store watching this disk, by backend, as tabs on one origin.
    pub watchers: Vec<(usize, ChangeSink)>,
    /// How many backends share this disk besides the first.
    pub tabs: usize,
    /// How many times a store gave the host a turn (`Backend::pause`).
    pub pauses: usize,
}

/// A persisting backend over a shared [`Disk`]: backends made with
/// [`KeepingBackend::beside`] are other tabs on the same storage, told of
/// each other's commits.
#[derive(Clone, Default)]
pub struct KeepingBackend {
    pub disk: Rc<RefCell<Disk>>,
    me: usize,
}

impl KeepingBackend {
    pub fn release(&self) {
        let mut disk = self.disk.borrow_mut();
        disk.hold = false;
        disk.waiting.drain(..).for_each(Waker::wake);
    }

    /// Another tab's backend on the same disk.
    pub fn beside(&self) -> KeepingBackend {
        let mut disk = self.disk.borrow_mut();
        disk.tabs += 1;
        KeepingBackend { disk: self.disk.clone(), me: disk.tabs }
    }
}

struct CommitFuture {
    disk: Rc<RefCell<Disk>>,
    changes: Option<Vec<Change>>,
    from: usize,
}

impl Future for CommitFuture {
    type Output = Result<(), StorageError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let mut disk = this.disk.borrow_mut();
        if disk.hold {
            disk.waiting.push(cx.waker().clone());
            return Poll::Pending;
        }
        let changes = this.changes.take().unwrap_or_default();
        disk.commits.push(changes.len());
        let outcome = disk.outcomes.pop_front().unwrap_or(Ok(()));
        if outcome.is_ok() {
            for change in changes.clone() {
                apply(&mut disk, change);
            }
            let others: Vec<ChangeSink> =
                disk.watchers.iter().filter(|(who, _)| *who != this.from).map(|(_, sink)| sink.clone()).collect();
            drop(disk);
            for sink in others {
                let repairs = sink(changes.clone());
                let mut disk = this.disk.borrow_mut();
                repairs.into_iter().for_each(|repair| apply(&mut disk, repair));
            }
        }
        Poll::Ready(outcome)
    }
}

fn apply(disk: &mut Disk, change: Change) {
    match change {
        Change::PutInstance(i) => {
            disk.instances.insert(i.id, i);
        }
        Change::DeleteInstance(id) => {
            disk.instances.remove(&id);
            disk.records.retain(|(i, _, _), _| *i != id);
        }
        Change::PutRecord(r) => {
            disk.records.insert((r.instance_id, r.namespace.clone(), r.key.clone()), r);
        }
        Change::DeleteRecord { instance_id, namespace, key } => {
            disk.records.remove(&(instance_id, namespace, key));
        }
        Change::DeleteNamespace { instance_id, namespace } => {
            disk.records.retain(|(i, n, _), _| !(*i == instance_id && *n == namespace));
        }
    }
}

impl Backend for KeepingBackend {
    fn persists(&self) -> bool {
        true
    }

    fn load(&self) -> LocalBoxFuture<'_, Result<Snapshot, StorageError>> {
        let disk = self.disk.borrow();
        let snapshot = Snapshot {
            instances: disk.instances.values().cloned().collect(),
            records: disk.records.values().cloned().collect(),
            skipped: Vec::new(),
        };
        Box::pin(std::future::ready(Ok(snapshot)))
    }

    fn commit(&self, changes: Vec<Change>) -> LocalBoxFuture<'static, Result<(), StorageError>> {
        Box::pin(CommitFuture { disk: self.disk.clone(), changes: Some(changes), from: self.me })
    }

    fn watch(&self, sink: ChangeSink) {
        self.disk.borrow_mut().watchers.push((self.me, sink));
    }

    fn pause(&self) -> LocalBoxFuture<'static, ()> {
        self.disk.borrow_mut().pauses += 1;
        Box::pin(std::future::ready(()))
    }
}

pub fn open(backend: Box<dyn Backend>, clock: &TestClock) -> KvStore {
    futures::executor::block_on(KvStore::open(backend, config(clock))).expect("the store opens")
}
