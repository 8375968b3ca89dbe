//! Other tabs' writes to this store, heard through the `storage` event that
//! a window receives when another page of the origin changes localStorage.
//! Each event names one item (or none, for `localStorage.clear()`); events
//! are gathered until the commit's count (`COMMITS` in
//! `local_storage/mod.rs`), written last, says the commit is whole, so that
//! the engine turns one commit into one batch of changes.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::StorageEvent;

use super::Area;
use super::writer::Writer;
use crate::engine::{Heard, Hearing};

type Listener = Closure<dyn FnMut(StorageEvent)>;

/// The window's `storage` listener, removed when the driver is dropped.
#[derive(Default)]
pub struct Listening(RefCell<Option<Listener>>);

/// The items of a commit heard so far, by item key, in the order heard.
type Gathered = Rc<RefCell<Vec<(String, Option<String>)>>>;

impl Listening {
    /// Tells `hearing` of every event about an item of `area`, by item key,
    /// but for the writer tab's writes of this tab's own commits (`writer`
    /// knows them). Without a window (a worker) there are no other pages
    /// to hear.
    pub fn start(&self, area: &Area, hearing: Hearing, writer: Rc<Writer>) {
        let Some(window) = web_sys::window() else { return };
        let (ours, prefix, commits) = (area.storage.clone(), area.prefix.clone(), area.commits());
        let gathered = Gathered::default();
        let whole = move |hearing: &Hearing, gathered: &Gathered| {
            let items = std::mem::take(&mut *gathered.borrow_mut());
            if !items.is_empty() {
                hearing(Heard::Items(items));
            }
        };
        let listener = Listener::new(move |event: StorageEvent| {
            let same_area = event.storage_area().is_some_and(|area| js_sys::Object::is(&area, &ours));
            if !same_area {
                return;
            }
            match event.key() {
                None => {
                    whole(&hearing, &gathered);
                    hearing(Heard::Cleared);
                }
                Some(place) if place == commits => whole(&hearing, &gathered),
                Some(place) => {
                    let text = event.new_value();
                    if writer.is_echo(&place, text.as_deref()) {
                        return;
                    }
                    if let Some(key) = place.strip_prefix(prefix.as_str()) {
                        gathered.borrow_mut().push((key.to_string(), text));
                    }
                }
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
