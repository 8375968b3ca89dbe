//! Watching the store (BEYOND.md §6): change events for a selector, and
//! live queries that answer again only when their result changes.

use std::cell::RefCell;

use super::KvStore;
use crate::error::{Field, Result};
use crate::query::{Query, QueryResult};
use crate::watch::{scope_of, ChangeEvent, Listener, Selector, Watch};

impl KvStore {
    /// Calls `listener` once per committed batch that touches `selector`,
    /// after the batch is durable and in commit order, with the batch's
    /// changes the selector covers: this store's own writes and expiries
    /// (`Origin::Local`) and what other copies on the same storage commit
    /// (`Origin::Remote`: other tabs, other requests of a Durable Object).
    /// The watch lasts as long as the returned [`Watch`].
    ///
    /// ```
    /// # use std::{cell::RefCell, rc::Rc};
    /// # use boltkv::{Changed, Config, KvStore, MemoryBackend, Selector};
    /// # futures::executor::block_on(async {
    /// # let store = KvStore::open(Box::new(MemoryBackend), Config::system()?).await?;
    /// let seen = Rc::new(RefCell::new(Vec::new()));
    /// let log = seen.clone();
    /// let selector = Selector { instance: Some("app".into()), key_prefix: Some("user:".into()), ..Selector::default() };
    /// let watch = store.watch(selector, move |event| log.borrow_mut().extend(event.changes.clone()))?;
    /// store.set("app", "ns", "user:1", &"ada", true).await?;
    /// store.set("app", "ns", "other", &1, false).await?;
    /// store.delete("app", "ns", "user:1").await?;
    /// let ops: Vec<&str> = seen.borrow().iter().map(|change| match change {
    ///     Changed::Instance { .. } => "instance",
    ///     Changed::Set { .. } => "set",
    ///     Changed::Delete { .. } => "delete",
    ///     _ => "other",
    /// }).collect();
    /// assert_eq!(ops, ["instance", "set", "delete"]);
    /// watch.stop();
    /// # Ok::<(), boltkv::Error>(())
    /// # }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Empty`](crate::Error::Empty) or
    /// [`Error::TooLong`](crate::Error::TooLong) for a selector part (but an
    /// empty `key_prefix`, which covers every key) that no name or key
    /// could equal.
    pub fn watch(&self, selector: Selector, listener: impl Fn(&ChangeEvent) + 'static) -> Result<Watch> {
        self.follow(selector, Listener::Changes(Box::new(listener)))
    }

    /// Registers `listener` for what `selector` covers, once it is valid.
    fn follow(&self, selector: Selector, listener: Listener) -> Result<Watch> {
        self.check_selector(&selector)?;
        let bound = selector.instance.as_deref().and_then(|instance| self.shared.index.borrow().resolve(instance));
        Ok(self.shared.watchers.add(selector, bound, listener))
    }

    /// Calls `listener` with `query`'s result at once, then again after
    /// every committed change (local or remote) that alters it, and not
    /// after changes that leave it equal. Only changes inside the query's
    /// instance, namespace and key conditions make it run again.
    ///
    /// # Errors
    ///
    /// As [`KvStore::query`].
    pub fn watch_query(&self, query: Query, listener: impl Fn(&QueryResult) + 'static) -> Result<Watch> {
        let first = self.query(&query)?;
        listener(&first);
        let last = RefCell::new(first);
        let store = self.downgrade();
        let scope = scope_of(&query);
        let rerun = move || {
            let Some(store) = store.upgrade() else { return };
            let reruns = &store.shared.watchers.reruns;
            reruns.set(reruns.get().saturating_add(1));
            // The query ran once, so it runs again: its instance and
            // namespace passed the limits then and still do.
            let Ok(now) = store.query(&query) else { return };
            if *last.borrow() != now {
                last.replace(now.clone());
                listener(&now);
            }
        };
        self.follow(scope, Listener::Touched(Box::new(rerun)))
    }

    /// How many times live queries ran again after a change since the
    /// store opened: a change outside a query's scope does not count.
    pub fn live_query_reruns(&self) -> u64 {
        self.shared.watchers.reruns.get()
    }

    /// Refuses a selector part no name or key could equal: empty, or
    /// longer than the store's limits allow.
    fn check_selector(&self, selector: &Selector) -> Result<()> {
        let prefix = selector.key_prefix.as_deref().filter(|prefix| !prefix.is_empty());
        let parts = [
            (selector.instance.as_deref(), Field::InstanceName),
            (selector.namespace.as_deref(), Field::Namespace),
            (selector.key.as_deref(), Field::Key),
            (prefix, Field::Key),
        ];
        parts.into_iter().filter_map(|(part, field)| Some((part?, field))).try_for_each(|(part, field)| self.limits.check(field, part))
    }
}
