//! The other tabs of an origin, reached through a `BroadcastChannel`: after
//! a batch commits, its changes are posted under the store's name, and each
//! other copy of the store applies them to its own index.

use std::cell::RefCell;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{BroadcastChannel, MessageEvent};

use crate::js_text::as_string;


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

    /// Tells the other tabs about a committed batch (the engine's message).
    /// Losing it (the channel closed) only delays them until they reopen
    /// the store.
    pub fn post(&self, message: &str) {
        let _ = self.channel.post_message(&message.into());
    }

    /// Hands every text message another tab posts to `receive`.
    pub fn listen(&self, receive: impl Fn(String) + 'static) {
        let listener = Listener::new(move |event: MessageEvent| {
            if let Some(text) = as_string(&event.data()) {
                receive(text);
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
