//! Group commit. A write changes the in-memory index at once (so later reads
//! see it) and joins the open batch; the first of its callers to be awaited
//! hands the whole batch to the backend as one commit. Writes issued in one
//! JavaScript tick therefore share one transaction. Batches commit one at a
//! time; when one fails, it and the batch collecting behind it are undone in
//! memory, newest change first, so memory again equals what the backend holds.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use crate::backend::{Backend, LocalBoxFuture};
use crate::error::{Error, Result, StorageError};
use crate::index::Index;
use crate::model::Change;

type Commit = LocalBoxFuture<'static, Result<(), StorageError>>;

/// Changes that are in memory but not yet durable, with what undoes them.
#[derive(Default)]
pub struct Batch(RefCell<BatchState>);

#[derive(Default)]
struct BatchState {
    changes: Vec<Change>,
    undo: Vec<Vec<Change>>,
    phase: Phase,
    waiters: Vec<Waker>,
}

#[derive(Default)]
enum Phase {
    #[default]
    Open,
    /// The backend is writing; `None` while one caller is polling it.
    Committing(Option<Commit>),
    Done(Result<(), StorageError>),
}

/// The index, the backend, and the batches not yet known to be durable: at
/// most one being written and one collecting new changes behind it.
pub struct Shared {
    pub index: RefCell<Index>,
    backend: Box<dyn Backend>,
    open: RefCell<Option<Rc<Batch>>>,
    in_flight: RefCell<Option<Rc<Batch>>>,
}

impl Shared {
    pub fn new(index: Index, backend: Box<dyn Backend>) -> Shared {
        Shared { index: RefCell::new(index), backend, open: RefCell::default(), in_flight: RefCell::default() }
    }

    /// Applies changes to the index; with a persisting backend, also queues
    /// them (with their undo) in the open batch, which is returned.
    pub fn write(&self, changes: Vec<Change>) -> Option<Rc<Batch>> {
        let mut index = self.index.borrow_mut();
        if !self.backend.persists() {
            changes.into_iter().for_each(|change| index.apply(change));
            return None;
        }
        let batch = self.open.borrow_mut().get_or_insert_with(Rc::default).clone();
        let mut state = batch.0.borrow_mut();
        for change in changes {
            state.undo.push(index.inverse(&change));
            state.changes.push(change.clone());
            index.apply(change);
        }
        drop(state);
        Some(batch)
    }

    /// Has the backend deliver the changes other copies of the store commit
    /// to this index. The sink holds the store weakly: the backend belongs to
    /// the store, and must not keep it alive.
    pub fn listen(self: &Rc<Self>) {
        let store = Rc::downgrade(self);
        self.backend.watch(Rc::new(move |changes: Vec<Change>| {
            let Some(shared) = store.upgrade() else { return Vec::new() };
            let mut index = shared.index.borrow_mut();
            changes.into_iter().filter_map(|change| index.apply_remote(change)).collect()
        }));
    }

    /// The newest batch: once it is durable, so is every earlier write.
    pub fn newest(&self) -> Option<Rc<Batch>> {
        let open = self.open.borrow().clone();
        open.or_else(|| self.in_flight.borrow().clone())
    }

    /// Drives `batch`, and the batch ahead of it, towards the backend.
    pub fn poll(&self, batch: &Rc<Batch>, cx: &mut Context<'_>) -> Poll<Result<(), StorageError>> {
        loop {
            let ahead = self.in_flight.borrow().clone();
            if let Some(ahead) = ahead.filter(|a| !Rc::ptr_eq(a, batch)) {
                if self.drive(&ahead, cx).is_pending() {
                    register(&ahead, cx);
                    return Poll::Pending;
                }
                continue;
            }
            if matches!(batch.0.borrow().phase, Phase::Open) {
                self.start(batch);
            }
            let polled = self.drive(batch, cx);
            if polled.is_pending() {
                register(batch, cx);
            }
            return polled;
        }
    }

    /// Moves the open batch in flight and hands its changes to the backend.
    fn start(&self, batch: &Rc<Batch>) {
        let mut open = self.open.borrow_mut();
        if open.as_ref().is_some_and(|o| Rc::ptr_eq(o, batch)) {
            *open = None;
        }
        drop(open);
        *self.in_flight.borrow_mut() = Some(batch.clone());
        let changes = std::mem::take(&mut batch.0.borrow_mut().changes);
        let commit = self.backend.commit(changes);
        batch.0.borrow_mut().phase = Phase::Committing(Some(commit));
    }

    /// Polls the batch's commit if nobody else is; settles it when done.
    fn drive(&self, batch: &Rc<Batch>, cx: &mut Context<'_>) -> Poll<Result<(), StorageError>> {
        let running = match &mut batch.0.borrow_mut().phase {
            Phase::Done(result) => return Poll::Ready(result.clone()),
            Phase::Committing(running) => running.take(),
            Phase::Open => None,
        };
        let Some(mut commit) = running else { return Poll::Pending };
        match commit.as_mut().poll(cx) {
            Poll::Pending => {
                batch.0.borrow_mut().phase = Phase::Committing(Some(commit));
                Poll::Pending
            }
            Poll::Ready(result) => {
                self.settle(batch, result.clone());
                Poll::Ready(result)
            }
        }
    }

    /// Records the outcome; on failure first undoes the batch collecting
    /// behind this one (its changes were made on top), then this one.
    fn settle(&self, batch: &Rc<Batch>, result: Result<(), StorageError>) {
        *self.in_flight.borrow_mut() = None;
        if let Err(error) = &result {
            let behind = self.open.borrow_mut().take();
            let mut index = self.index.borrow_mut();
            if let Some(behind) = behind {
                undo(&mut index, &behind);
                finish(&behind, Err(error.clone()));
            }
            undo(&mut index, batch);
        }
        finish(batch, result);
    }
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

fn finish(batch: &Batch, result: Result<(), StorageError>) {
    let mut state = batch.0.borrow_mut();
    state.undo.clear();
    state.phase = Phase::Done(result);
    for waker in state.waiters.drain(..) {
        waker.wake();
    }
}

/// The answer of a write: ready at once (memory backend, or refused before
/// anything changed), or once the batch holding the write is durable.
pub enum Pending<T> {
    /// Known now; `None` once taken.
    Ready(Option<Result<T>>),
    /// Known when `batch` has committed.
    Waiting { answer: Option<T>, batch: Rc<Batch>, shared: Rc<Shared> },
}

impl<T> Pending<T> {
    /// The answer to `write`: at once when nothing waits for the backend.
    pub fn after(answer: T, batch: Option<Rc<Batch>>, shared: &Rc<Shared>) -> Pending<T> {
        match batch {
            None => Pending::Ready(Some(Ok(answer))),
            Some(batch) => Pending::Waiting { answer: Some(answer), batch, shared: shared.clone() },
        }
    }

    /// The answer if it is known without waiting, else the pending write.
    pub fn into_ready(self) -> std::result::Result<Result<T>, Pending<T>> {
        match self {
            Pending::Ready(Some(answer)) => Ok(answer),
            other => Err(other),
        }
    }
}

impl<T> From<Result<T>> for Pending<T> {
    fn from(answer: Result<T>) -> Self {
        Pending::Ready(Some(answer))
    }
}

fn polled_twice() -> Error {
    Error::InvalidArgument { name: "This write".to_string(), problem: "was already awaited.".to_string() }
}

impl<T: Unpin> Future for Pending<T> {
    type Output = Result<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        match self.get_mut() {
            Pending::Ready(answer) => Poll::Ready(answer.take().unwrap_or(Err(polled_twice()))),
            Pending::Waiting { answer, batch, shared } => match shared.poll(batch, cx) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(Err(e)) => Poll::Ready(Err(Error::Storage(e))),
                Poll::Ready(Ok(())) => Poll::Ready(answer.take().ok_or_else(polled_twice)),
            },
        }
    }
}
