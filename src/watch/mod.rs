//! Change events (BEYOND.md §6): who hears what the store commits. The
//! commit queue (`commit`) emits one [`ChangeEvent`] per durable batch, in
//! commit order, and one per batch heard from another copy of the store;
//! each watcher gets the changes its [`Selector`] covers, and a live query
//! (`live`) re-runs only when a change falls inside what it reads.
//!
//! Events are queued and handed out one at a time: a listener that writes
//! makes the next event, which waits until every listener has had this
//! one, so every listener sees every event in commit order.

mod live;
mod selector;

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::{Rc, Weak};

use serde::Serialize;

pub(crate) use live::scope_of;
pub use selector::Selector;
use selector::Filter;

use crate::id::Uuid;
use crate::model::{Change, Instance, Record};

/// Who made a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// This copy of the store (a call on this handle or a clone of it, or
    /// its expiry sweep).
    Local,
    /// Another copy on the same storage: another page or tab, or another
    /// request inside a Durable Object.
    Remote,
}

/// One change of a committed batch, as watchers see it.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serialize", derive(Serialize), serde(tag = "op", rename_all = "camelCase", rename_all_fields = "camelCase"))]
pub enum Changed {
    /// A record was written; the record as stored.
    Set {
        /// The record, with its version.
        record: Record,
    },
    /// A record was deleted.
    Delete {
        /// Its instance.
        instance_id: Uuid,
        /// Its namespace.
        namespace: String,
        /// Its key.
        key: String,
    },
    /// A record reached its expiry and left.
    Expire {
        /// Its instance.
        instance_id: Uuid,
        /// Its namespace.
        namespace: String,
        /// Its key.
        key: String,
    },
    /// Every record of a namespace was deleted.
    DeleteNamespace {
        /// The instance.
        instance_id: Uuid,
        /// The namespace.
        namespace: String,
    },
    /// An instance and all its records were deleted.
    DeleteInstance {
        /// The instance.
        instance_id: Uuid,
    },
    /// An instance was created, renamed or described anew.
    Instance {
        /// The instance as stored.
        instance: Instance,
    },
}

impl Changed {
    /// What a durable change looks like to watchers; `expired` for the
    /// removal of a record whose expiry passed.
    pub(crate) fn of(change: Change, expired: bool) -> Changed {
        match change {
            Change::PutRecord(record) => Changed::Set { record },
            Change::DeleteRecord { instance_id, namespace, key } if expired => Changed::Expire { instance_id, namespace, key },
            Change::DeleteRecord { instance_id, namespace, key } => Changed::Delete { instance_id, namespace, key },
            Change::DeleteNamespace { instance_id, namespace } => Changed::DeleteNamespace { instance_id, namespace },
            Change::DeleteInstance(instance_id) => Changed::DeleteInstance { instance_id },
            Change::PutInstance(instance) => Changed::Instance { instance },
        }
    }

    /// The instance the change is in.
    fn instance_id(&self) -> Uuid {
        match self {
            Changed::Set { record } => record.instance_id,
            Changed::Instance { instance } => instance.id,
            Changed::Delete { instance_id, .. }
            | Changed::Expire { instance_id, .. }
            | Changed::DeleteNamespace { instance_id, .. }
            | Changed::DeleteInstance { instance_id } => *instance_id,
        }
    }
}

/// The changes of one committed batch that a watcher's selector covers.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serialize", derive(Serialize))]
pub struct ChangeEvent {
    /// Whether this copy of the store made the batch.
    pub origin: Origin,
    /// The batch's changes in the order they were made, only those the
    /// selector covers (never none: a batch it does not touch makes no
    /// event).
    pub changes: Vec<Changed>,
}

impl ChangeEvent {
    /// The event as JSON, as watchers in JavaScript receive it:
    /// `{"type":"kvStore.change","origin":...,"changes":[...]}`, each change
    /// tagged by `op`, records with their values as stored.
    ///
    /// # Errors
    ///
    /// A sentence saying what could not be written (nothing the store
    /// holds: an error here is a bug in boltkv).
    pub fn to_json(&self) -> Result<String, String> {
        crate::envelope::write::text(|out| crate::envelope::write::change_event(out, self))
    }
}

/// What a watcher is called with.
pub(crate) enum Listener {
    /// The changes of a batch its selector covers.
    Changes(Box<dyn Fn(&ChangeEvent)>),
    /// Nothing, only that its selector covers some change of a batch: a
    /// live query reads the store again, so no change is copied for it.
    Touched(Box<dyn Fn()>),
}

/// One watcher.
struct Entry {
    id: u64,
    filter: Filter,
    listener: Listener,
    /// False once stopped: an event being handed out skips it.
    live: Cell<bool>,
}

/// Every watcher of one store, and the events waiting to reach them.
#[derive(Default)]
pub(crate) struct Watchers {
    entries: RefCell<Vec<Rc<Entry>>>,
    next_id: Cell<u64>,
    queue: RefCell<VecDeque<(Origin, Rc<[Changed]>)>>,
    delivering: Cell<bool>,
    /// How many times a live query was run again after a change.
    pub reruns: Cell<u64>,
}

impl Watchers {
    /// Whether anyone listens: with no watcher, no event is even built.
    pub fn is_empty(&self) -> bool {
        self.entries.borrow().is_empty()
    }

    /// Starts calling `listener` with what `selector` covers; `bound` is
    /// the instance the selector names now, if it names one by name.
    pub fn add(self: &Rc<Self>, selector: Selector, bound: Option<Uuid>, listener: Listener) -> Watch {
        let id = self.next_id.get();
        self.next_id.set(id.wrapping_add(1));
        let entry = Entry { id, filter: Filter::new(selector, bound), listener, live: Cell::new(true) };
        self.entries.borrow_mut().push(Rc::new(entry));
        Watch { watchers: Rc::downgrade(self), id }
    }

    fn remove(&self, id: u64) {
        self.entries.borrow_mut().retain(|entry| {
            let keep = entry.id != id;
            if !keep {
                entry.live.set(false);
            }
            keep
        });
    }

    /// Tells every watcher about a committed batch, in commit order: an
    /// event emitted while one is being handed out (a listener wrote)
    /// waits for it.
    pub fn emit(&self, origin: Origin, changes: Vec<Changed>) {
        if changes.is_empty() || self.is_empty() {
            return;
        }
        self.queue.borrow_mut().push_back((origin, changes.into()));
        if self.delivering.replace(true) {
            return;
        }
        loop {
            let next = self.queue.borrow_mut().pop_front();
            let Some((origin, changes)) = next else { break };
            let entries = self.entries.borrow().clone();
            for entry in entries.iter().filter(|entry| entry.live.get()) {
                match &entry.listener {
                    Listener::Changes(listener) => {
                        let picked = entry.filter.pick(&changes);
                        if !picked.is_empty() {
                            listener(&ChangeEvent { origin, changes: picked });
                        }
                    }
                    Listener::Touched(listener) => {
                        if entry.filter.touches(&changes) {
                            listener();
                        }
                    }
                }
            }
        }
        self.delivering.set(false);
    }
}

/// A running watch; dropping it (or [`Watch::stop`]) stops it.
#[must_use = "a watch stops when dropped"]
pub struct Watch {
    watchers: Weak<Watchers>,
    id: u64,
}

impl Watch {
    /// Stops the watch: its listener is not called again, not even for an
    /// event being handed out right now.
    pub fn stop(self) {}
}

impl Drop for Watch {
    fn drop(&mut self) {
        if let Some(watchers) = self.watchers.upgrade() {
            watchers.remove(self.id);
        }
    }
}

impl std::fmt::Debug for Watch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watch").field("id", &self.id).finish()
    }
}
