//! Where what other copies of the store commit goes: the engine listens
//! before it reads storage, so that a commit another tab makes while this
//! copy is still loading is not lost; until the store listens, what is
//! heard is held, then handed over (marked [`Arrival::WhileOpening`]: the
//! read may already hold it).

use std::cell::RefCell;
use std::rc::Rc;

use super::driver::{Heard, Hearing};
use super::hear;
use crate::backend::{Arrival, ChangeSink, Remote};

/// Held changes, or the store's sink once it listens.
enum Route {
    Held(Vec<Remote>),
    To(ChangeSink),
}

/// What the driver tells, routed.
#[derive(Clone)]
pub struct Heeded(Rc<RefCell<Route>>);

impl Heeded {
    pub fn new() -> Heeded {
        Heeded(Rc::new(RefCell::new(Route::Held(Vec::new()))))
    }

    /// What the driver calls with each thing it hears.
    pub fn hearing(&self) -> Hearing {
        let route = self.0.clone();
        Rc::new(move |heard: Heard| {
            let remotes = hear::remotes(heard);
            if remotes.is_empty() {
                return;
            }
            let sink = match &mut *route.borrow_mut() {
                Route::Held(held) => return held.extend(remotes),
                Route::To(sink) => sink.clone(),
            };
            sink(remotes, Arrival::Live);
        })
    }

    /// Sends everything to `sink` from now on, after what was held.
    pub fn to(&self, sink: ChangeSink) {
        let held = self.0.replace(Route::To(sink.clone()));
        if let Route::Held(held) = held {
            if !held.is_empty() {
                sink(held, Arrival::WhileOpening);
            }
        }
    }
}
