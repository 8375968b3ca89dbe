//! The seam between the engine and a platform's storage. A driver keeps
//! text items under string keys and knows nothing of what they hold: item
//! keys, documents, formats and repairs are the engine's (`engine::layout`,
//! `engine::codec`). Each driver talks to one platform only: IndexedDB,
//! localStorage, or an async key-value adapter (Workers KV, Durable Objects).
//!
//! Keys given to a driver are item keys (`engine::layout`); a driver may
//! store an item under another spelling (a store prefix, a hash of a key
//! too long for the platform), which [`Driver::place`] tells.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use super::codec::EncodedBatch;
use crate::backend::LocalBoxFuture;
use crate::error::StorageError;

/// One item a scan found.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// The item key of the place it was found at; or, when the place is
    /// not an item key's (a hashed key, a foreign item under the store's
    /// prefix), the place in the platform's spelling.
    pub key: Result<String, String>,
    /// Its text; `Err` says why there is none (the platform holds something
    /// other than text there, or it could not be read).
    pub text: Result<String, String>,
}

/// Writes that may run in any order among themselves, all done before the
/// next step starts.
#[derive(Debug, Default, PartialEq)]
pub struct Step {
    /// What the step does, for error sentences ("writing records").
    pub doing: &'static str,
    /// Items to write, by item key.
    pub puts: Vec<(String, String)>,
    /// Items to remove, by item key.
    pub deletes: Vec<String>,
}

/// What one commit writes.
#[derive(Debug, Default, PartialEq)]
pub struct Writes {
    /// Prefixes whose every item goes first, before any step runs. Only
    /// drivers that list their keys reliably get these (see
    /// [`Driver::lists_reliably`]); for the others the engine names each item.
    pub cleared: Vec<String>,
    /// The steps, in order. Every prefix of them leaves loadable data
    /// behind (instances are written before their records and removed
    /// after them), which matters to storage without transactions.
    pub steps: Vec<Step>,
    /// The items put whose record expires, with when (epoch milliseconds):
    /// storage that can expire items itself (Workers KV) may be told.
    pub expiring: BTreeMap<String, i64>,
}

impl Writes {
    /// Whether the commit writes nothing at all.
    pub fn is_empty(&self) -> bool {
        self.cleared.is_empty() && self.steps.iter().all(|s| s.puts.is_empty() && s.deletes.is_empty())
    }
}

/// What storage holds where a commit looks before deciding.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Stored {
    /// The text at each of [`Commit::reads`], `None` where nothing is.
    pub items: Vec<Option<String>>,
    /// The texts of every item under each of [`Commit::lists`], in any order.
    pub listed: Vec<Vec<String>>,
}

/// Decides a commit's writes from what storage holds at its reads, read
/// inside the commit itself, so that no other writer of the storage can
/// come between the read and the writes (on IndexedDB: in the commit's
/// transaction). A driver may decide again from fresher reads (a
/// localStorage tab whose reads the writer tab found stale); the last
/// decision is the one written.
pub type Decide = Box<dyn FnMut(Stored) -> Writes>;

/// Items the engine knows to be stored and that a driver writes again, first,
/// into storage that was deleted and re-created under an open store (the
/// meta item and the instances; see `drivers::indexeddb`).
pub type Restore = Rc<RefCell<BTreeMap<String, String>>>;

/// A committed batch as text for other copies of the store: shared with the
/// documents the commit writes, not copied. The decision may encode the
/// batch anew (moved versions, a joined instance), so it is read only
/// once the commit is durable.
#[derive(Clone)]
pub struct Message(pub(crate) Rc<RefCell<Rc<EncodedBatch>>>);

impl Message {
    /// The text other copies receive.
    pub fn text(&self) -> std::cell::Ref<'_, str> {
        std::cell::Ref::map(self.0.borrow(), |batch| batch.message.as_str())
    }
}

/// One commit, all or nothing.
pub struct Commit {
    /// The item keys whose stored text `decide` needs.
    pub reads: Vec<String>,
    /// Prefixes of item keys whose every item's text `decide` needs (the
    /// instances, when an instance name must be free); empty for most.
    pub lists: Vec<String>,
    /// Turns what is stored at `reads` into the writes.
    pub decide: Decide,
    /// The batch as other copies of the store hear it, for drivers that
    /// tell them ([`Driver::listen`]): posted once the commit is durable.
    pub message: Message,
    /// What to write first if the storage is found re-created.
    pub restore: Restore,
}

/// What another copy of the store did to the storage, as a driver hears it.
#[derive(Debug, Clone, PartialEq)]
pub enum Heard {
    /// A batch it committed: its [`Commit::message`].
    Batch(String),
    /// The items one commit changed (localStorage's `storage` events, one
    /// per item, gathered up to the commit's end): each item key with its
    /// new text, `None` when it was removed.
    Items(Vec<(String, Option<String>)>),
    /// Every item of the storage was removed at once (`localStorage.clear()`).
    Cleared,
}

/// What the engine hears about other copies through.
pub type Hearing = Rc<dyn Fn(Heard)>;

/// A platform's storage, as the engine uses it.
pub trait Driver {
    /// The storage in words, for error sentences ("localStorage").
    fn describe(&self) -> String;

    /// Where the item `key` is stored, in the platform's spelling; loading
    /// checks a document found under a key it cannot read back against it.
    fn place(&self, key: &str) -> String {
        key.to_string()
    }

    /// False when a listing may miss items written moments ago (Workers KV
    /// is eventually consistent): the engine then removes items by name
    /// rather than by prefix.
    fn lists_reliably(&self) -> bool {
        true
    }

    /// Whether a commit's reads, decision and writes are one atomic step
    /// against every writer of the storage (a transaction, or one
    /// synchronous run). Without it (Workers KV) the engine reads nothing
    /// before writing, and the store refuses conditional writes.
    fn checks(&self) -> bool {
        true
    }

    /// Hands `found` every item of the store, page by page as the platform
    /// delivers them, and resolves once all were handed over.
    fn scan(&self, found: Box<dyn FnMut(Found)>) -> LocalBoxFuture<'_, Result<(), StorageError>>;

    /// Runs one commit, all or nothing where the platform allows (see each
    /// driver), resolving once it is durable.
    fn commit(&self, commit: Commit) -> LocalBoxFuture<'static, Result<(), StorageError>>;

    /// Starts telling `hearing` what other copies of the store write to the
    /// same storage. Storage no one else reaches has nothing to say.
    fn listen(&self, hearing: Hearing) {
        drop(hearing);
    }

    /// Runs `task` to completion in the background, if the platform has a
    /// way to (a browser's or a worker's event loop); otherwise the task
    /// is dropped, and what it would have committed waits for the next
    /// write someone awaits.
    fn spawn(&self, task: LocalBoxFuture<'static, ()>) {
        drop(task);
    }

    /// A wait on the host's timer (see `backend::Backend::sleep`).
    fn sleep(&self, _ms: u32) -> Option<LocalBoxFuture<'static, ()>> {
        None
    }

    /// Gives the host's event loop a turn between slices of long work (see
    /// `backend::Backend::pause`).
    fn pause(&self) -> LocalBoxFuture<'static, ()> {
        Box::pin(std::future::ready(()))
    }
}
