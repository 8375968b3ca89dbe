//! Test doubles at the two seams (time, ids) and at the storage seam: a
//! clock the test sets, ids that count up, and a driver (below the real
//! storage engine) that keeps what it is given, can be told to fail, and
//! can hold a commit open.

#![allow(dead_code)]

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use boltkv::{Backend, Clock, Commit, Config, Driver, Engine, Found, Heard, Hearing, IdSource, KvStore, Limits, LocalBoxFuture, StorageError, Uuid};

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

/// What a [`KeepingBackend`] holds: items by their item key, as a
/// platform's storage would.
#[derive(Default)]
pub struct Disk {
    pub items: BTreeMap<String, String>,
    /// Per commit: items written or removed, and prefixes cleared (the meta
    /// item aside).
    pub commits: Vec<usize>,
    /// Outcomes for the next commits, oldest first; `Ok` when empty. A
    /// failing commit keeps nothing, as a transaction would.
    pub outcomes: VecDeque<Result<(), StorageError>>,
    /// For the next commits, oldest first: how many more times each answers
    /// "pending" (waking itself) before it settles.
    pub delays: VecDeque<u32>,
    /// While set, commits wait until the test clears it.
    pub hold: bool,
    /// While set, each commit first decides from reads that find nothing
    /// (as a localStorage tab's stale view would), then decides again from
    /// what is stored; the last decision is written.
    pub stale_first: bool,
    pub waiting: Vec<Waker>,
    /// While set, the disk is storage without transactions (Workers KV):
    /// the engine reads nothing before writing, and stores on it hear
    /// nothing of each other.
    pub without_transactions: bool,
    /// Every store hearing this disk, by driver, as tabs on one origin.
    pub hearers: Vec<(usize, Hearing)>,
    /// How many drivers share this disk besides the first.
    pub tabs: usize,
    /// How many times a store gave the host a turn (`Backend::pause`).
    pub pauses: usize,
    /// Work a store asked to run in the background, not yet run.
    pub spawned: Vec<LocalBoxFuture<'static, ()>>,
}

impl Disk {
    /// How many record items are stored.
    pub fn records(&self) -> usize {
        self.items.keys().filter(|k| k.starts_with("r/")).count()
    }

    /// How many instance items are stored.
    pub fn instances(&self) -> usize {
        self.items.keys().filter(|k| k.starts_with("i/")).count()
    }
}

/// A persisting driver over a shared [`Disk`]: drivers made with
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

    /// Another tab's driver on the same disk.
    pub fn beside(&self) -> KeepingBackend {
        let mut disk = self.disk.borrow_mut();
        disk.tabs += 1;
        KeepingBackend { disk: self.disk.clone(), me: disk.tabs }
    }

    /// The storage engine over this driver, as a store's backend.
    pub fn engine(&self) -> Box<dyn Backend> {
        Box::new(futures::executor::block_on(Engine::over(self.clone())).expect("the engine opens"))
    }

    /// Runs what the stores on this disk asked to run in the background.
    pub fn run_spawned(&self) {
        loop {
            let tasks = std::mem::take(&mut self.disk.borrow_mut().spawned);
            if tasks.is_empty() {
                return;
            }
            tasks.into_iter().for_each(futures::executor::block_on);
        }
    }
}

struct CommitFuture {
    disk: Rc<RefCell<Disk>>,
    commit: Option<Commit>,
    from: usize,
    /// Polls left before it settles; taken from `Disk::delays` at the first.
    delay: Option<u32>,
}

impl Future for CommitFuture {
    type Output = Result<(), StorageError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let mut disk = this.disk.borrow_mut();
        if disk.hold {
            // Like a JavaScript promise, a held commit wakes only the caller
            // that polled it last.
            disk.waiting = vec![cx.waker().clone()];
            return Poll::Pending;
        }
        let delay = this.delay.get_or_insert_with(|| disk.delays.pop_front().unwrap_or(0));
        if *delay > 0 {
            *delay -= 1;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        let Some(mut commit) = this.commit.take() else { return Poll::Ready(Ok(())) };
        if disk.stale_first {
            let nothing = boltkv::Stored { items: vec![None; commit.reads.len()], listed: vec![Vec::new(); commit.lists.len()] };
            drop((commit.decide)(nothing));
        }
        let stored = boltkv::Stored {
            items: commit.reads.iter().map(|key| disk.items.get(key).cloned()).collect(),
            listed: commit.lists.iter().map(|prefix| disk.items.range(prefix.clone()..).take_while(|(k, _)| k.starts_with(prefix.as_str())).map(|(_, t)| t.clone()).collect()).collect(),
        };
        let writes = (commit.decide)(stored);
        let counted = writes.cleared.len()
            + writes.steps.iter().map(|s| s.puts.iter().filter(|(k, _)| k != "v" && k != "n").count() + s.deletes.len()).sum::<usize>();
        disk.commits.push(counted);
        let outcome = disk.outcomes.pop_front().unwrap_or(Ok(()));
        if outcome.is_ok() {
            for prefix in &writes.cleared {
                disk.items.retain(|key, _| !key.starts_with(prefix.as_str()));
            }
            for step in writes.steps {
                disk.items.extend(step.puts);
                step.deletes.iter().for_each(|key| drop(disk.items.remove(key)));
            }
            let others: Vec<Hearing> =
                disk.hearers.iter().filter(|(who, _)| *who != this.from).map(|(_, hearing)| hearing.clone()).collect();
            drop(disk);
            others.into_iter().for_each(|hearing| hearing(Heard::Batch(commit.message.text().to_string())));
        }
        Poll::Ready(outcome)
    }
}

impl Driver for KeepingBackend {
    fn describe(&self) -> String {
        "test disk".to_string()
    }

    fn scan(&self, mut found: Box<dyn FnMut(Found)>) -> LocalBoxFuture<'_, Result<(), StorageError>> {
        for (key, text) in self.disk.borrow().items.iter() {
            found(Found { key: Ok(key.clone()), text: Ok(text.clone()) });
        }
        Box::pin(std::future::ready(Ok(())))
    }

    fn commit(&self, commit: Commit) -> LocalBoxFuture<'static, Result<(), StorageError>> {
        Box::pin(CommitFuture { disk: self.disk.clone(), commit: Some(commit), from: self.me, delay: None })
    }

    fn checks(&self) -> bool {
        !self.disk.borrow().without_transactions
    }

    fn listen(&self, hearing: Hearing) {
        let mut disk = self.disk.borrow_mut();
        if !disk.without_transactions {
            disk.hearers.push((self.me, hearing));
        }
    }

    fn spawn(&self, task: LocalBoxFuture<'static, ()>) {
        self.disk.borrow_mut().spawned.push(task);
    }

    fn pause(&self) -> LocalBoxFuture<'static, ()> {
        self.disk.borrow_mut().pauses += 1;
        Box::pin(std::future::ready(()))
    }
}

pub fn open(backend: Box<dyn Backend>, clock: &TestClock) -> KvStore {
    futures::executor::block_on(KvStore::open(backend, config(clock))).expect("the store opens")
}

/// A store as another tab opens it: its ids count up from `after`, so two
/// tabs never make the same id (as random ids would not).
pub fn open_tab(backend: Box<dyn Backend>, clock: &TestClock, after: u128) -> KvStore {
    let config = Config { ids: Box::new(CountingIds(after)), ..config(clock) };
    futures::executor::block_on(KvStore::open(backend, config)).expect("the store opens")
}

/// Two stores on one fresh disk, as two tabs: their ids apart, each hearing
/// the other's commits.
pub fn two_tabs(clock: &TestClock) -> (KeepingBackend, KvStore, KvStore) {
    let disk = KeepingBackend::default();
    let a = open_tab(disk.engine(), clock, 0);
    let b = open_tab(disk.beside().engine(), clock, 1 << 64);
    (disk, a, b)
}

/// Every instance and record a store holds, as JSON, to compare two stores.
pub fn contents(store: &KvStore) -> serde_json::Value {
    let instances = store.list_instances();
    let mut all = Vec::new();
    for instance in &instances {
        let query = format!(r#"{{"from":{{"instance":"{}"}},"limit":1000000}}"#, instance.id);
        let result = store.query_json(&query).expect("query");
        all.push(serde_json::json!({ "instance": instance, "records": result.records }));
    }
    serde_json::Value::Array(all)
}
