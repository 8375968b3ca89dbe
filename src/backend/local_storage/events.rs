//! Other tabs' writes to this store, heard through the `storage` event that
//! a window receives when another page of the origin changes localStorage.
//! Each event names one item; it becomes the change that item's new content
//! (or its removal) stands for.

use std::cell::RefCell;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{Storage, StorageEvent};

use crate::backend::{ChangeSink, codec};
use crate::backend::item_key::{Item, ItemKey, ItemKeys, decode_item};
use crate::id::Uuid;
use crate::model::Change;

type Listener = Closure<dyn FnMut(StorageEvent)>;

/// The window's `storage` listener, removed when the backend is dropped.
#[derive(Default)]
pub struct Listening(RefCell<Option<Listener>>);

impl Listening {
    /// Hands `sink` the change behind every event about one of this store's
    /// items. Without a window (a worker) there are no other pages to hear.
    pub fn start(&self, storage: &Storage, keys: ItemKeys, sink: ChangeSink) {
        let Some(window) = web_sys::window() else { return };
        let ours = storage.clone();
        let listener = Listener::new(move |event: StorageEvent| {
            let same_area = event.storage_area().is_some_and(|area| js_sys::Object::is(&area, &ours));
            if !same_area {
                return;
            }
            let change = event.key().and_then(|key| keys.decode(&key)).and_then(|kind| change_of(kind, event.new_value()));
            if let Some(change) = change {
                write_back(&ours, &keys, sink(vec![change]));
            }
        });
        if window.add_event_listener_with_callback("storage", listener.as_ref().unchecked_ref()).is_ok() {
            *self.0.borrow_mut() = Some(listener);
        }
    }
}

impl Drop for Listening {
    fn drop(&mut self) {
        if let (Some(window), Some(listener)) = (web_sys::window(), self.0.get_mut().take()) {
            let _ = window.remove_event_listener_with_callback("storage", listener.as_ref().unchecked_ref());
        }
    }
}

/// Writes the records the store agreed on after two tabs created one key at
/// once (see `ChangeSink`). A repair that does not fit is left out: the
/// agreed record reaches storage with the next write of its key anyway.
fn write_back(storage: &Storage, keys: &ItemKeys, repairs: Vec<Change>) {
    for repair in repairs {
        if let Change::PutRecord(record) = repair {
            let item = keys.record(&record.instance_id.to_string(), &record.namespace, &record.key);
            let _ = storage.set_item(&item, &codec::encode_record(&record));
        }
    }
}

/// The change an item's new content stands for; `None` for the meta item
/// and for content that does not decode (it is reported on the next open).
fn change_of(kind: ItemKey, new_value: Option<String>) -> Option<Change> {
    match (kind, new_value) {
        (ItemKey::Meta, _) => None,
        (kind, Some(text)) => match decode_item(kind, &text).ok()? {
            Item::Instance(instance) => Some(Change::PutInstance(instance)),
            Item::Record(record) => Some(Change::PutRecord(record)),
        },
        (ItemKey::Instance(id), None) => Uuid::parse(&id).map(Change::DeleteInstance),
        (ItemKey::Record { instance_id, namespace, key }, None) => {
            Uuid::parse(&instance_id).map(|instance_id| Change::DeleteRecord { instance_id, namespace, key })
        }
    }
}
