//! The store's seam: where records live between sessions. The store keeps
//! its whole index in memory and answers reads from it; a backend only loads
//! that index when the store opens and makes batches of changes durable.
//! The memory backend keeps nothing; every persisting backend is the
//! storage engine (`engine`) over one driver per platform (`drivers`).

mod memory;

use std::future::Future;
use std::ops::Range;
use std::pin::Pin;
use std::rc::Rc;

pub use memory::MemoryBackend;

use crate::error::StorageError;
use crate::id::Uuid;
use crate::model::{Change, Instance, Record};
use crate::time::Timestamp;

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
    /// Every record version below this was handed out already (some to
    /// records deleted since); 0 when storage does not count them.
    pub next_version: u64,
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

/// When a backend heard what it delivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// While the store was loading, before it listened: storage may have
    /// held it already when it was read, so a put no newer than the record
    /// loaded at its place is old news.
    WhileOpening,
    /// After: news.
    Live,
}

/// Where a backend delivers what other copies of the store commit.
pub type ChangeSink = Rc<dyn Fn(Vec<Remote>, Arrival)>;

/// Where a record lives.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Place {
    /// The record's instance.
    pub instance_id: Uuid,
    /// Its namespace.
    pub namespace: String,
    /// Its key.
    pub key: String,
}

/// What storage must hold for a guarded call to be written. The check and
/// the write are one step of the commit, against every writer of the
/// storage (other tabs included), never against this copy's memory.
#[derive(Debug, Clone, PartialEq)]
pub enum Expect {
    /// Exactly this document at the change's place: a repair must not
    /// overwrite a record stored since it was heard.
    Stored(String),
    /// The record at `place` has this version, as storage holds it with
    /// the batch's changes before the guard's position applied; `None`:
    /// there is none (`ifVersion`, a batch's `check`).
    Version {
        /// The record checked.
        place: Place,
        /// The version it must have; `None`: it must be absent.
        expected: Option<u64>,
        /// The store's time when the call was made: a record expired by
        /// then counts as absent. `None` (removing an expired record) sees
        /// every stored record.
        now: Option<Timestamp>,
    },
    /// No stored instance other than the change's own has its name: the
    /// call is refused when one does (`createInstance`, a rename).
    NameFree,
    /// As `NameFree`, but when another instance holds the name, the batch's
    /// writes into the new instance go into that one instead (a set with
    /// `autoCreateInstance` that lost the race to create it).
    NameOrJoin,
    /// The instance the change at the guard's position writes into (a
    /// record's, or an instance document's own) is stored, as the batch's
    /// changes before that position leave it: a write into an instance
    /// another copy removed meanwhile is refused rather than leave a record
    /// no instance holds, or bring the instance back.
    InstanceStored,
    /// The instance the change at the guard's position writes is stored as
    /// this, as the batch's changes before that position leave it: an
    /// `updateInstance` writes the whole document, so one made from an
    /// older copy would undo another copy's rename or description; it is
    /// refused instead.
    Unchanged(Instance),
    /// The instance `instance` holds exactly these records, by place and
    /// last write (`updatedAt`), as storage lists them with the batch's
    /// changes before the guard's position applied, records expired at
    /// `now` left out. An import that takes over a stored instance's name
    /// moves the records this copy knows into the imported instance and
    /// removes the old one with whatever else it holds, so a record another
    /// copy wrote there meanwhile would be lost (and one it removed brought
    /// back); the import is refused instead.
    Holds {
        /// The instance taken over.
        instance: Uuid,
        /// Its records as this copy knows them.
        records: Vec<(Place, Timestamp)>,
        /// The import's time.
        now: Timestamp,
    },
    /// No stored instance is left but those the batch's changes before the
    /// guard's position remove: an import in replace mode removes every
    /// instance this copy knows, and is refused when storage holds one it
    /// has not heard of yet (another copy created it meanwhile), rather
    /// than leave it behind.
    Emptied,
    /// Not a condition: the records of the guard's call keep the versions
    /// they carry instead of moving past versions other copies took (an
    /// import restores versions another store handed out); storage's
    /// counter moves past them instead (see `engine::decide`).
    KeepsVersions,
}

/// A check on a batch; when it fails, none of the changes of the call it
/// guards is written, and the rest of the batch is.
#[derive(Debug, Clone, PartialEq)]
pub struct Guard {
    /// A position in the batch: the change whose place is checked (name
    /// and repair guards), or where a version check sits among the
    /// changes (it sees those before it).
    pub change: usize,
    /// What storage must hold.
    pub expect: Expect,
    /// The positions of the call's changes, all refused together.
    pub call: Range<usize>,
    /// The call, by its number in the batch (a call of checks alone has no
    /// changes to tell it by).
    pub caller: usize,
    /// The operation of a `batch` the guard is for, named in its error.
    pub operation: Option<usize>,
}

/// A guarded call that storage refused.
#[derive(Debug, Clone, PartialEq)]
pub struct Refused {
    /// The positions of the refused call's changes (its guard's `call`).
    pub call: Range<usize>,
    /// The refused call's number (its guard's `caller`).
    pub caller: usize,
    /// Why, for the caller: [`crate::Error::Conflict`] or
    /// [`crate::Error::InstanceExists`] (nothing, for repairs).
    pub error: Option<crate::Error>,
    /// What storage holds at the guarded place, for memory to agree with it.
    pub found: Vec<Change>,
}

/// What a commit made durable, where it differs from what was handed over.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Committed {
    /// Added to the version of every record of the batch but the kept
    /// ones: storage hands out versions, and another copy of the store took
    /// some since this one last heard (0 when none did).
    pub shift: u64,
    /// The positions of the calls whose records keep their versions
    /// ([`Expect::KeepsVersions`]): the shift does not apply to them.
    pub kept: Vec<Range<usize>>,
    /// Instances created in the batch whose name another copy created first,
    /// with that copy's instance, which got their records.
    pub joined: Vec<(Uuid, Instance)>,
    /// The guarded calls storage refused.
    pub refused: Vec<Refused>,
    /// Every record version below this was written before this commit
    /// (0 where storage does not count versions): a record heard with such
    /// a version where the batch removed records was removed by it.
    pub floor: u64,
}

impl Committed {
    /// Whether the change at position `i` keeps its version ([`Committed::kept`]).
    pub fn keeps(&self, i: usize) -> bool {
        self.kept.iter().any(|call| call.contains(&i))
    }
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

    /// Makes one batch of changes durable, all or nothing (but for the calls
    /// whose guard failed).
    fn commit(&self, changes: Vec<Change>, guards: Vec<Guard>) -> LocalBoxFuture<'static, Result<Committed, StorageError>>;

    /// Whether guards are checked by storage against every writer. False
    /// where storage has no transactions (Workers KV): conditional writes
    /// are then refused as unsupported, never made unconditional.
    fn checks(&self) -> bool {
        true
    }

    /// Starts telling `sink` about changes other copies of the store commit
    /// to the same storage, beginning with those committed since the
    /// backend started reading (see [`Arrival`]). Storage no one else can
    /// reach has nothing to say.
    fn watch(&self, sink: ChangeSink) {
        drop(sink);
    }

    /// Runs `task` in the background where the host has an event loop
    /// (commits that no caller awaits: repairs); elsewhere it is dropped and
    /// its batch commits with the next write a caller awaits.
    fn spawn(&self, task: LocalBoxFuture<'static, ()>) {
        drop(task);
    }

    /// A wait of `ms` milliseconds where the host has a timer (browsers,
    /// workers), for the sweep that removes expired records while the
    /// store is open; `None` elsewhere (then expired records leave with
    /// the calls that find them).
    fn sleep(&self, _ms: u32) -> Option<LocalBoxFuture<'static, ()>> {
        None
    }

    /// Gives the host's event loop a turn between slices of work too long
    /// for one task (indexing a large store as it opens), so that a page
    /// keeps rendering and answering input. Only page storage needs to.
    fn pause(&self) -> LocalBoxFuture<'static, ()> {
        Box::pin(std::future::ready(()))
    }
}
