//! The store's seam: where records live between sessions. The store keeps
//! its whole index in memory and answers reads from it; a backend only loads
//! that index when the store opens and makes batches of changes durable.
//! The memory backend keeps nothing; every persisting backend is the
//! storage engine (`engine`) over one driver per platform (`drivers`).

mod memory;

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

pub use memory::MemoryBackend;

use crate::error::StorageError;
use crate::model::{Change, Instance, Record};

/// A boxed future that need not be `Send`: wasm is single-threaded and the
/// host's storage APIs are not thread-safe.
pub type LocalBoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// What a backend holds when the store opens.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Snapshot {
    /// Every instance, in any order (the store orders them).
    pub instances: Vec<Instance>,
    /// Every record of those instances.
    pub records: Vec<Record>,
    /// One sentence per stored item that could not be decoded and was left
    /// out, so the caller can report it instead of failing the whole open.
    pub skipped: Vec<String>,
}

/// A change another copy of the store (another tab on the same storage)
/// made durable, as a backend hears it.
#[derive(Debug, Clone, PartialEq)]
pub enum Remote {
    /// One change, with the document it stored (for puts), exactly as
    /// stored: a repair is written only while storage still holds it.
    Changed {
        /// What changed.
        change: Change,
        /// The document a put stored, exactly as stored.
        stored: Option<String>,
    },
    /// Everything the store held was removed at once.
    Cleared,
}

/// Where a backend delivers what other copies of the store commit.
pub type ChangeSink = Rc<dyn Fn(Vec<Remote>)>;

/// A change of a batch that is written only while storage still holds
/// exactly `stored` at its place (a repair must not overwrite a record
/// stored since it was heard). The check and the write are one step of
/// the commit; a failed check leaves that change out and nothing else.
#[derive(Debug, Clone, PartialEq)]
pub struct Guard {
    /// The change's position in the batch.
    pub change: usize,
    /// The document storage must hold there.
    pub stored: String,
}

/// Durable storage for a store's changes.
///
/// Contract:
/// - `commit` writes the whole batch or nothing (but for changes whose
///   guard failed), and its future resolves only once the batch is durable
///   (or has failed).
/// - Batches are handed over one at a time, in order: the store never calls
///   `commit` again before the previous commit's future has resolved.
/// - After a failed commit the store rolls its memory back to what the
///   backend held before the batch, so a backend must not keep part of one.
pub trait Backend {
    /// False for the memory backend: nothing outlives the store, so the store
    /// skips the undo journal and answers writes at once.
    fn persists(&self) -> bool;

    /// Everything stored, read once when the store opens.
    fn load(&self) -> LocalBoxFuture<'_, Result<Snapshot, StorageError>>;

    /// Makes one batch of changes durable, all or nothing.
    fn commit(&self, changes: Vec<Change>, guards: Vec<Guard>) -> LocalBoxFuture<'static, Result<(), StorageError>>;

    /// Starts telling `sink` about changes other copies of the store commit
    /// to the same storage. Storage no one else can reach has nothing to say.
    fn watch(&self, sink: ChangeSink) {
        drop(sink);
    }

    /// Runs `task` in the background where the host has an event loop
    /// (commits that no caller awaits: repairs); elsewhere it is dropped and
    /// its batch commits with the next write a caller awaits.
    fn spawn(&self, task: LocalBoxFuture<'static, ()>) {
        drop(task);
    }

    /// Gives the host's event loop a turn between slices of work too long
    /// for one task (indexing a large store as it opens), so that a page
    /// keeps rendering and answering input. Only page storage needs to.
    fn pause(&self) -> LocalBoxFuture<'static, ()> {
        Box::pin(std::future::ready(()))
    }
}
