//! The other tabs of an origin, reached through a `BroadcastChannel`: after
//! a batch commits, its changes are posted under the store's name, and each
//! other copy of the store applies them to its own index.

use std::cell::RefCell;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{BroadcastChannel, MessageEvent};

use super::codec;
use crate::model::Change;

type Listener = Closure<dyn FnMut(MessageEvent)>;

/// One store's channel; closed when dropped.
pub struct Tabs {
    channel: BroadcastChannel,
    listener: RefCell<Option<Listener>>,
}

impl Tabs {
    /// The channel named `name`, or `None` where the host has no
    /// `BroadcastChannel` (the store then works alone, as it would in a
    /// single tab).
    pub fn open(name: &str) -> Option<Tabs> {
        let channel = BroadcastChannel::new(name).ok()?;
        Some(Tabs { channel, listener: RefCell::new(None) })
    }

    /// Tells the other tabs about a committed batch: its message from
    /// [`codec::encode_batch`]. Losing it (the channel closed) only delays
    /// them until they reopen the store.
    pub fn post(&self, message: &str) {
        let _ = self.channel.post_message(&message.into());
    }

    /// Hands every batch another tab posts to `receive`; messages that are
    /// not batches of this format are ignored.
    pub fn listen(&self, receive: impl Fn(Vec<Change>) + 'static) {
        let listener = Listener::new(move |event: MessageEvent| {
            if let Some(changes) = event.data().as_string().and_then(|text| codec::decode_changes(&text).ok()) {
                receive(changes);
            }
        });
        self.channel.set_onmessage(Some(listener.as_ref().unchecked_ref()));
        *self.listener.borrow_mut() = Some(listener);
    }
}

impl Drop for Tabs {
    fn drop(&mut self) {
        self.channel.set_onmessage(None);
        self.channel.close();
    }
}
