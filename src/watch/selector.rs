//! What a watcher covers, and the rule of BEYOND.md §6 for which changes
//! fall inside it.

use std::cell::Cell;

use super::Changed;
use crate::id::Uuid;

/// The part of the store a watcher covers; the default covers everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selector {
    /// One instance, by id or by name (a name follows renames: the
    /// instance that takes the name is the one covered from then on).
    pub instance: Option<String>,
    /// One namespace (of every instance, when `instance` is `None`).
    pub namespace: Option<String>,
    /// One key.
    pub key: Option<String>,
    /// Keys starting with this.
    pub key_prefix: Option<String>,
}

/// A selector with the instance it names now.
pub(super) struct Filter {
    selector: Selector,
    /// The instance a named selector covers, kept in step with the
    /// instance changes the watcher is shown.
    bound: Cell<Option<Uuid>>,
}

impl Filter {
    pub fn new(selector: Selector, bound: Option<Uuid>) -> Filter {
        Filter { selector, bound: Cell::new(bound) }
    }

    /// The changes of a batch the selector covers, in their order.
    pub fn pick(&self, changes: &[Changed]) -> Vec<Changed> {
        changes.iter().filter(|change| self.covers(change)).cloned().collect()
    }

    /// Whether the selector covers any change of a batch. Every change is
    /// looked at: the instance changes among them keep a named selector's
    /// instance in step.
    pub fn touches(&self, changes: &[Changed]) -> bool {
        let mut touched = false;
        for change in changes {
            touched |= self.covers(change);
        }
        touched
    }

    /// Whether `change` can alter what the selector covers: a record's
    /// change inside it; a namespace's deletion on its instance when it
    /// names that namespace or none; any change of its instance itself.
    fn covers(&self, change: &Changed) -> bool {
        if !self.on_instance(change) {
            return false;
        }
        let Selector { namespace: wanted, key, key_prefix, .. } = &self.selector;
        let (namespace, found_key) = match change {
            Changed::Set { record } => (record.namespace.as_str(), Some(record.key.as_str())),
            Changed::Delete { namespace, key, .. } | Changed::Expire { namespace, key, .. } => (namespace.as_str(), Some(key.as_str())),
            Changed::DeleteNamespace { namespace, .. } => (namespace.as_str(), None),
            Changed::DeleteInstance { .. } | Changed::Instance { .. } => return true,
        };
        if wanted.as_deref().is_some_and(|wanted| wanted != namespace) {
            return false;
        }
        let Some(found_key) = found_key else { return true };
        key.as_deref().is_none_or(|key| key == found_key)
            && key_prefix.as_deref().is_none_or(|prefix| found_key.starts_with(prefix))
    }

    /// Whether the change is in the selector's instance. An instance
    /// change that gives the selector's name to an instance binds the
    /// selector to it; one that takes the name away is the last change
    /// the selector sees of that instance.
    fn on_instance(&self, change: &Changed) -> bool {
        let Some(wanted) = self.selector.instance.as_deref() else { return true };
        let id = change.instance_id();
        if Uuid::parse(wanted) == Some(id) {
            return true;
        }
        let bound = self.bound.get() == Some(id);
        if let Changed::Instance { instance } = change {
            if instance.name == wanted {
                self.bound.set(Some(id));
                return true;
            }
            if bound {
                self.bound.set(None);
            }
        }
        if bound && matches!(change, Changed::DeleteInstance { .. }) {
            self.bound.set(None);
        }
        bound
    }
}
