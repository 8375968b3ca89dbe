//! Group commit. A write changes the in-memory index at once (so later reads
//! see it) and joins the open batch; a batch is handed to the backend as one
//! commit. Writes issued in one JavaScript tick therefore share transactions
//! instead of paying for one each.
//!
//! The open batch is sealed once it is full (see [`BATCH_CHANGES`] and
//! [`BATCH_BYTES`]) and the next write opens a new one, so a burst of writes
//! becomes a queue of bounded batches rather than one huge commit. The queue
//! commits strictly in order, one batch at a time: a batch starts when the
//! one ahead of it has committed. Whoever awaits a write drives the batches
//! ahead of its own, so no timer or spawned task is needed.
//!
//! When a commit fails, that batch and every batch behind it (their changes
//! were made on top of it) are undone in memory, newest change first, and all
//! their writes fail; so memory again equals what the backend holds. Batches
//! that committed before it stay committed.

mod agree;
mod news;
mod pending;

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::ops::Range;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

pub use agree::Settled;
pub use pending::Pending;

use crate::backend::{Arrival, Backend, Committed, Expect, Guard, LocalBoxFuture, Place, Remote};
use crate::error::{Result, StorageError};
use crate::index::Index;
use crate::model::{Change, Record};
use crate::time::Timestamp;
use crate::watch::{Changed, Origin, Watchers};

/// At most this many changes go in one batch. Each batch is encoded and
/// issued by the backend in one main-thread task, so a bound keeps the page
/// responsive during a burst of writes.
pub const BATCH_CHANGES: usize = 1000;

/// At most about this many payload bytes ([`Change::payload_bytes`]) go in
/// one batch: IndexedDB commits transactions of around a megabyte
/// efficiently, and larger ones hold the main thread for long. A single
/// write larger than this gets a batch of its own.
pub const BATCH_BYTES: usize = 1 << 20;

type Commit = LocalBoxFuture<'static, Result<Committed, StorageError>>;

/// A check storage makes before writing a call (see [`Guard`]), placed by
/// the position `at` among the call's own changes.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// The position among the call's changes (see [`Guard::change`]).
    pub at: usize,
    /// What storage must hold.
    pub expect: Expect,
    /// The operation of a `batch` it is for.
    pub operation: Option<usize>,
}

impl Check {
    /// A check at position `at`, for a call of its own.
    pub fn on(at: usize, expect: Expect) -> Check {
        Check { at, expect, operation: None }
    }
}

/// Changes that are in memory but not yet durable, with what undoes them.
#[derive(Default)]
pub struct Batch(RefCell<BatchState>);

/// Why a change is in a batch, for what watchers are told of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cause {
    /// A call made it.
    Call,
    /// The sweep removes a record whose expiry passed (an `expire` event).
    Expiry,
}

#[derive(Default)]
struct BatchState {
    changes: Vec<Change>,
    /// Why each change is here, by position.
    causes: Vec<Cause>,
    /// Checks storage makes before writing a call's changes (versions,
    /// instance names, repairs).
    guards: Vec<Guard>,
    /// The payload bytes of `changes`, to seal the batch when it is full.
    bytes: usize,
    /// How many calls joined the batch (each call's number, for refusals).
    callers: usize,
    undo: Vec<Vec<Change>>,
    phase: Phase,
    /// Those awaiting this batch's writes, woken when it settles or when it
    /// is this batch's turn to commit.
    waiters: Vec<Waker>,
}

impl BatchState {
    /// A number for the next call that joins.
    fn next_caller(&mut self) -> usize {
        let caller = self.callers;
        self.callers = caller.saturating_add(1);
        caller
    }

    /// Whether one call's changes may join: an empty batch takes any call
    /// (one call's changes are never split), else they must fit the bounds.
    fn has_room(&self, changes: usize, bytes: usize) -> bool {
        self.changes.is_empty()
            || (self.changes.len().saturating_add(changes) <= BATCH_CHANGES
                && self.bytes.saturating_add(bytes) <= BATCH_BYTES)
    }
}

#[derive(Default)]
enum Phase {
    /// Not yet handed to the backend: the open batch, or sealed and waiting
    /// for the batches ahead of it.
    #[default]
    Queued,
    /// The backend is writing; `None` while one caller is polling it.
    Committing(Option<Commit>),
    Done(Result<Rc<Settled>, StorageError>),
}

/// The index, the backend, and the batches not yet known to be durable.
pub struct Shared {
    pub index: RefCell<Index>,
    backend: Box<dyn Backend>,
    /// Sealed batches, oldest first; only the front one may be committing.
    queue: RefCell<VecDeque<Rc<Batch>>>,
    /// The batch new writes join, behind every queued one.
    open: RefCell<Option<Rc<Batch>>>,
    /// Every record version below this was handed out (by this copy, or
    /// by another as far as this one has heard or committed).
    next_version: Cell<u64>,
    /// When the timer for the next expiry sweep fires, if one is set.
    pub sweeping: Cell<Option<i64>>,
    /// Who is told about each committed batch.
    pub(crate) watchers: Rc<Watchers>,
}

impl Shared {
    pub fn new(index: Index, backend: Box<dyn Backend>, next_version: u64) -> Shared {
        let next_version = Cell::new(next_version);
        Shared {
            index: RefCell::new(index),
            backend,
            queue: RefCell::default(),
            open: RefCell::default(),
            next_version,
            sweeping: Cell::new(None),
            watchers: Rc::default(),
        }
    }

    /// Runs `task` after `ms` milliseconds, where the host has a timer;
    /// whether it will.
    pub fn later(&self, ms: u32, task: impl Future<Output = ()> + 'static) -> bool {
        let Some(timer) = self.backend.sleep(ms) else { return false };
        self.backend.spawn(Box::pin(async move {
            timer.await;
            task.await;
        }));
        true
    }

    /// The backend's [`Backend::checks`].
    pub fn checks(&self) -> bool {
        self.backend.checks()
    }

    /// Whether guards go to storage: only a persisting backend's storage
    /// can be written by others (the memory backend's only writer is this
    /// store, whose memory checks are exact).
    pub fn guards_go_to_storage(&self) -> bool {
        self.backend.persists()
    }

    /// The next record version to hand out, taken.
    pub fn take_version(&self, after: Option<u64>) -> Option<u64> {
        let version = self.next_version.get().max(after.map_or(Some(1), |v| v.checked_add(1))?);
        self.next_version.set(version.checked_add(1)?);
        Some(version)
    }

    /// Counts every version up to `highest` as handed out: the next one
    /// taken is greater (after an import, which keeps its versions).
    pub fn pass_versions(&self, highest: u64) {
        self.next_version.set(self.next_version.get().max(highest.saturating_add(1)));
    }

    /// Applies one call's changes to the index; with a persisting backend,
    /// also adds them (with their undo, and the checks storage makes) to
    /// the open batch, which is returned with the call's number in it.
    pub fn write(&self, changes: Vec<Change>, checks: Vec<Check>) -> Option<(Rc<Batch>, usize)> {
        self.add(changes, checks, Cause::Call)
    }

    /// [`Shared::write`], for changes made for `cause`. Without
    /// persistence a call is durable at once, and watchers hear of it then.
    fn add(&self, changes: Vec<Change>, checks: Vec<Check>, cause: Cause) -> Option<(Rc<Batch>, usize)> {
        if !self.backend.persists() {
            self.apply_now(changes, cause);
            return None;
        }
        let mut index = self.index.borrow_mut();
        let bytes = changes.iter().map(Change::payload_bytes).sum();
        let batch = self.open_for(changes.len(), bytes);
        let mut state = batch.0.borrow_mut();
        state.bytes = state.bytes.saturating_add(bytes);
        let start = state.changes.len();
        let call = start..start.saturating_add(changes.len());
        let caller = state.next_caller();
        for check in checks {
            let change = start.saturating_add(check.at);
            state.guards.push(Guard { change, expect: check.expect, call: call.clone(), caller, operation: check.operation });
        }
        for change in changes {
            state.undo.push(index.inverse(&change));
            state.changes.push(change.clone());
            state.causes.push(cause);
            index.apply(change);
        }
        drop(state);
        Some((batch, caller))
    }

    /// Applies changes that no storage needs to hear of, and tells watchers.
    fn apply_now(&self, changes: Vec<Change>, cause: Cause) {
        let told = (!self.watchers.is_empty()).then(|| changes.clone());
        {
            let mut index = self.index.borrow_mut();
            changes.into_iter().for_each(|change| index.apply(change));
        }
        let event = told.unwrap_or_default().into_iter().map(|change| Changed::of(change, cause == Cause::Expiry));
        self.watchers.emit(Origin::Local, event.collect());
    }

    /// The open batch, with room for a call of `changes` changes and `bytes`
    /// payload bytes: when the current one has none, it is sealed (queued)
    /// and a new one opened.
    fn open_for(&self, changes: usize, bytes: usize) -> Rc<Batch> {
        let mut open = self.open.borrow_mut();
        let full = open.as_ref().is_some_and(|batch| !batch.0.borrow().has_room(changes, bytes));
        if full {
            self.queue.borrow_mut().extend(open.take());
        }
        open.get_or_insert_with(Rc::default).clone()
    }

    /// Has the backend deliver the changes other copies of the store commit
    /// to this index. The sink holds the store weakly: the backend belongs to
    /// the store, and must not keep it alive.
    /// `now` is the store's clock, to tell a removal heard from another
    /// copy's expiry sweep from a delete.
    pub fn listen(self: &Rc<Self>, now: impl Fn() -> Option<Timestamp> + 'static) {
        let store = Rc::downgrade(self);
        self.backend.watch(Rc::new(move |remotes: Vec<Remote>, arrival| {
            if let Some(shared) = store.upgrade() {
                shared.hear(remotes, arrival, now());
            }
        }));
    }

    /// Applies what another copy committed, and tells watchers what of it
    /// changed memory; where two copies created one key at once, queues the
    /// repair that gives storage the record they agree on (see
    /// `Index::apply_remote`), and has it committed.
    fn hear(self: &Rc<Self>, remotes: Vec<Remote>, arrival: Arrival, now: Option<Timestamp>) {
        let mut repairs = Vec::new();
        let mut told = (!self.watchers.is_empty()).then(Vec::new);
        {
            let mut index = self.index.borrow_mut();
            for remote in remotes {
                if let Some(told) = told.as_mut() {
                    told.extend(news::before(&index, &remote, now));
                }
                match remote {
                    Remote::Cleared => index.clear(),
                    Remote::Changed { change: Change::PutRecord(heard), stored } => {
                        self.next_version.set(self.next_version.get().max(heard.version.saturating_add(1)));
                        if arrival == Arrival::WhileOpening && loaded_already(&index, &heard) {
                            continue;
                        }
                        let place = Place { instance_id: heard.instance_id, namespace: heard.namespace.clone(), key: heard.key.clone() };
                        let held = told.is_some().then(|| index.entry(&place.instance_id, &place.namespace, &place.key).cloned());
                        if let (Some(agreed), Some(stored)) = (index.apply_remote(heard.clone()), stored) {
                            repairs.push((agreed, heard, stored));
                        }
                        if let (Some(told), Some(held)) = (told.as_mut(), held) {
                            told.extend(news::put(&index, place, held));
                        }
                    }
                    Remote::Changed { change, .. } => index.apply(change),
                }
            }
        }
        self.watchers.emit(Origin::Remote, told.unwrap_or_default());
        if repairs.is_empty() {
            return;
        }
        self.repair(repairs);
        // A failed repair changes nothing stored; the agreed record reaches
        // storage with the next write of its key.
        self.commit_in_background();
    }

    /// Removes records whose expiry has passed: from memory at once, and
    /// from storage with the next commit, each only while storage still
    /// holds the version that expired (another tab may have written the
    /// key again since). Committed in the background, as repairs are.
    pub fn expire(self: &Rc<Self>, due: Vec<(Place, u64)>) {
        if due.is_empty() {
            return;
        }
        // Only memory lets the records go, all in one event: without
        // persistence, and where storage cannot check (Workers KV), which
        // could not remove a record only while it still holds the version
        // that expired (another copy may have written the key since); there
        // every expiring item carries the storage's own expiration
        // (`drivers/adapter/adapter.js`).
        if !(self.backend.persists() && self.backend.checks()) {
            let removals = due.into_iter().map(|(Place { instance_id, namespace, key }, _)| Change::DeleteRecord { instance_id, namespace, key });
            return self.apply_now(removals.collect(), Cause::Expiry);
        }
        for (place, version) in due {
            let Place { instance_id, namespace, key } = place.clone();
            let check = Check::on(0, Expect::Version { place, expected: Some(version), now: None });
            drop(self.add(vec![Change::DeleteRecord { instance_id, namespace, key }], vec![check], Cause::Expiry));
        }
        self.commit_in_background();
    }

    /// Has the batches no caller awaits (repairs, expiries) committed.
    fn commit_in_background(self: &Rc<Self>) {
        let Some(newest) = self.newest() else { return };
        let shared = self.clone();
        self.backend.spawn(Box::pin(async move {
            // A failure changes nothing stored; the next write retries it.
            let _ = Pending::after((), Some((newest, usize::MAX)), &shared).await;
        }));
    }

    /// Adds repairs to the open batch: each agreed record (already in the
    /// index), written only while storage still holds the record heard,
    /// which is also what undoing it restores.
    fn repair(&self, repairs: Vec<(Record, Record, String)>) {
        let bytes = repairs.iter().map(|(agreed, _, _)| Change::PutRecord(agreed.clone()).payload_bytes()).sum();
        let batch = self.open_for(repairs.len(), bytes);
        let mut state = batch.0.borrow_mut();
        state.bytes = state.bytes.saturating_add(bytes);
        for (agreed, heard, stored) in repairs {
            let change = state.changes.len();
            let call = change..change.saturating_add(1);
            let caller = state.next_caller();
            state.guards.push(Guard { change, expect: Expect::Stored(stored), call, caller, operation: None });
            state.undo.push(vec![Change::PutRecord(heard)]);
            state.changes.push(Change::PutRecord(agreed));
            // Told again once durable: storage may give it a new version.
            state.causes.push(Cause::Call);
        }
    }

    /// The newest batch: once it is durable, so is every earlier write.
    pub fn newest(&self) -> Option<Rc<Batch>> {
        let open = self.open.borrow().clone();
        open.or_else(|| self.queue.borrow().back().cloned())
    }

    /// Drives the batches ahead of `batch`, then `batch`, towards the
    /// backend, until one must wait. The caller is woken when `batch`
    /// settles or becomes the one to drive (see `wake_next`), and by the
    /// backend's commit it last polled.
    pub fn poll(&self, batch: &Rc<Batch>, cx: &mut Context<'_>) -> Poll<Result<Rc<Settled>, StorageError>> {
        loop {
            if let Phase::Done(result) = &batch.0.borrow().phase {
                return Poll::Ready(result.clone());
            }
            let Some(front) = self.front() else {
                // Unreachable: an unsettled batch is queued or open.
                return Poll::Ready(Err(StorageError::Failed("the write's batch was lost".to_string())));
            };
            if matches!(front.0.borrow().phase, Phase::Queued) {
                self.start(&front);
            }
            if self.drive(&front, cx).is_pending() {
                register(batch, cx);
                return Poll::Pending;
            }
        }
    }

    /// The batch to commit next: the front of the queue, or when nothing is
    /// queued the open batch, which is sealed for it.
    fn front(&self) -> Option<Rc<Batch>> {
        let mut queue = self.queue.borrow_mut();
        if queue.is_empty() {
            queue.extend(self.open.borrow_mut().take());
        }
        queue.front().cloned()
    }

    /// Hands a queued batch's changes to the backend; the batch keeps them,
    /// to agree with what storage decides (`agree`).
    fn start(&self, batch: &Rc<Batch>) {
        let (changes, guards) = {
            let mut state = batch.0.borrow_mut();
            (state.changes.clone(), std::mem::take(&mut state.guards))
        };
        let commit = self.backend.commit(changes, guards);
        batch.0.borrow_mut().phase = Phase::Committing(Some(commit));
    }

    /// Polls the batch's commit if nobody else is; settles it when done.
    fn drive(&self, batch: &Rc<Batch>, cx: &mut Context<'_>) -> Poll<Result<Rc<Settled>, StorageError>> {
        let running = match &mut batch.0.borrow_mut().phase {
            Phase::Done(result) => return Poll::Ready(result.clone()),
            Phase::Committing(running) => running.take(),
            Phase::Queued => None,
        };
        let Some(mut commit) = running else { return Poll::Pending };
        match commit.as_mut().poll(cx) {
            Poll::Pending => {
                batch.0.borrow_mut().phase = Phase::Committing(Some(commit));
                Poll::Pending
            }
            Poll::Ready(result) => Poll::Ready(self.settle(batch, result)),
        }
    }

    /// Records the outcome of the front batch. On success memory agrees
    /// with what storage decided, and the next batch's waiters are woken to
    /// commit it; on failure every batch behind it is undone too, newest
    /// first (their changes were made on top of it).
    fn settle(&self, batch: &Rc<Batch>, result: Result<Committed, StorageError>) -> Result<Rc<Settled>, StorageError> {
        let mut written = Vec::new();
        let result = result.map(|committed| Rc::new(self.agree(batch, committed, &mut written)));
        let mut settled = vec![batch.clone()];
        {
            let mut queue = self.queue.borrow_mut();
            if queue.front().is_some_and(|front| Rc::ptr_eq(front, batch)) {
                queue.pop_front();
            }
            if result.is_err() {
                settled.extend(queue.drain(..));
                settled.extend(self.open.borrow_mut().take());
            }
        }
        if result.is_err() {
            let mut index = self.index.borrow_mut();
            settled.iter().rev().for_each(|undone| undo(&mut index, undone));
        }
        settled.iter().for_each(|done| finish(done, result.clone()));
        if result.is_ok() {
            self.wake_next();
        }
        self.watchers.emit(Origin::Local, written);
        result
    }

    /// Memory after a durable batch, as storage decided it (see `agree`);
    /// writes queued behind it into an instance it joined follow it there.
    /// With watchers, `written` gets the batch's changes as storage holds
    /// them.
    fn agree(&self, batch: &Rc<Batch>, committed: Committed, written: &mut Vec<Changed>) -> Settled {
        let refused: Vec<(Range<usize>, Vec<Change>)> = match self.watchers.is_empty() {
            true => Vec::new(),
            false => committed.refused.iter().map(|refusal| (refusal.call.clone(), refusal.found.clone())).collect(),
        };
        let written_later = |place: &Place| {
            let (queue, open) = (self.queue.borrow(), self.open.borrow());
            let later = queue.iter().chain(open.iter()).filter(|later| !Rc::ptr_eq(later, batch));
            later.into_iter().any(|later| later.0.borrow().changes.iter().any(|change| agree::puts_at(change, place)))
        };
        let settled = {
            let state = batch.0.borrow();
            agree::agree(&mut self.index.borrow_mut(), &state.changes, &state.undo, committed, &written_later)
        };
        if !self.watchers.is_empty() {
            let state = batch.0.borrow();
            *written = agree::durable(&state.changes, &state.causes, &refused, &settled);
        }
        self.pass_versions(settled.highest);
        if !settled.joined.is_empty() || settled.shift > 0 {
            let (queue, open) = (self.queue.borrow(), self.open.borrow());
            for later in queue.iter().chain(open.iter()) {
                let mut state = later.0.borrow_mut();
                state.changes.iter_mut().for_each(|change| change.move_instance(&settled.joined));
                // A check made against this batch's versions before storage
                // moved them expects the moved ones.
                for guard in &mut state.guards {
                    if let Expect::Version { expected: Some(version), .. } = &mut guard.expect {
                        if settled.provisional.contains(version) {
                            *version = version.saturating_add(settled.shift);
                        }
                    }
                }
            }
        }
        settled
    }

    /// Wakes the waiters of the first unsettled batch that has any, so that
    /// one of them commits the next batch (and wakes the next in turn).
    /// Waking only these, rather than every waiter on every commit, keeps a
    /// burst of writes from waking each of its callers once per batch.
    fn wake_next(&self) {
        let woken = {
            let queue = self.queue.borrow();
            let open = self.open.borrow();
            queue.iter().chain(open.iter()).find_map(|next| {
                let waiters = std::mem::take(&mut next.0.borrow_mut().waiters);
                (!waiters.is_empty()).then_some(waiters)
            })
        };
        woken.into_iter().flatten().for_each(Waker::wake);
    }
}

impl Shared {
    /// Wakes everyone waiting on any unsettled batch, so that one of them
    /// takes over polling the commit in flight: called when a caller drops
    /// its future before its batch settled, since the commit may hold that
    /// caller's waker only. Rare, so waking all (stale wakers included)
    /// costs nothing that matters.
    fn hand_over(&self) {
        let woken: Vec<Waker> = {
            let (queue, open) = (self.queue.borrow(), self.open.borrow());
            queue.iter().chain(open.iter()).flat_map(|batch| std::mem::take(&mut batch.0.borrow_mut().waiters)).collect()
        };
        woken.into_iter().for_each(Waker::wake);
    }
}

/// Whether memory holds a record at `heard`'s place no older than it: while
/// the store opened (nothing of its own written yet), that is storage's
/// record, which storage versioned after `heard`.
fn loaded_already(index: &Index, heard: &Record) -> bool {
    index.entry(&heard.instance_id, &heard.namespace, &heard.key).is_some_and(|held| held.version >= heard.version)
}

fn undo(index: &mut Index, batch: &Batch) {
    let undo = std::mem::take(&mut batch.0.borrow_mut().undo);
    for inverse in undo.into_iter().rev() {
        inverse.into_iter().for_each(|change| index.apply(change));
    }
}

fn register(batch: &Batch, cx: &Context<'_>) {
    let mut state = batch.0.borrow_mut();
    if !state.waiters.iter().any(|w| w.will_wake(cx.waker())) {
        state.waiters.push(cx.waker().clone());
    }
}

/// Settles a batch and wakes its waiters (after letting go of it: a waker
/// may poll at once).
fn finish(batch: &Batch, result: Result<Rc<Settled>, StorageError>) {
    let waiters = {
        let mut state = batch.0.borrow_mut();
        state.undo.clear();
        state.changes.clear();
        state.causes.clear();
        state.guards.clear();
        state.phase = Phase::Done(result);
        std::mem::take(&mut state.waiters)
    };
    waiters.into_iter().for_each(Waker::wake);
}
