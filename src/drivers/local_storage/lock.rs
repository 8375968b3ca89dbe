//! The store's writer lock, through the Web Locks API reached by name
//! (web-sys keeps its bindings behind an unstable flag): the tab holding
//! it writes the store's localStorage items for every tab (`writer`).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// A store's hold on its lock: held, queued for, or given up.
#[derive(Clone, Default)]
pub struct Held {
    /// Lets go of the lock while it is held.
    release: Rc<RefCell<Option<Function>>>,
    /// False once the store is gone: a lock granted after that is let go at once.
    gone: Rc<Cell<bool>>,
}

impl Held {
    /// Lets go of the lock, now or as soon as it is granted.
    pub fn release(&self) {
        self.gone.set(true);
        if let Some(release) = self.release.borrow_mut().take() {
            let _ = release.call0(&JsValue::NULL);
        }
    }
}

/// The lock's name, the API, and whether this tab holds the lock.
#[derive(Clone)]
struct Lock {
    name: String,
    locks: JsValue,
    request: Function,
    leading: Rc<Cell<bool>>,
    held: Held,
}

/// Asks for the lock `name`; `leading` turns true whenever this tab
/// holds it. It is held until the store is dropped or the page goes
/// away, or until the page is frozen (a frozen writer would leave every
/// other tab waiting; it asks again when the page resumes). Resolves,
/// once it is known whether the lock was free at once, with the hold
/// and whether the page has Web Locks at all.
pub async fn elect(name: &str, leading: Rc<Cell<bool>>) -> (Held, bool) {
    let held = Held::default();
    let Some((locks, request)) = api() else { return (held, false) };
    let lock = Lock { name: name.to_string(), locks, request, leading, held: held.clone() };
    let mut told = None;
    let known = Promise::new(&mut |resolve, _| told = Some(resolve));
    let options = Object::new();
    let _ = Reflect::set(&options, &"ifAvailable".into(), &JsValue::TRUE);
    let now = lock.clone();
    let first = Closure::once_into_js(move |granted: JsValue| -> JsValue {
        if let Some(told) = told {
            let _ = told.call0(&JsValue::NULL);
        }
        match granted.is_null() {
            true => {
                wait_for(now);
                JsValue::UNDEFINED
            }
            false => hold(now).into(),
        }
    });
    let _ = lock.request.call3(&lock.locks, &name.into(), &options, &first);
    let _ = JsFuture::from(known).await;
    (held, true)
}

fn api() -> Option<(JsValue, Function)> {
    let navigator = Reflect::get(&js_sys::global(), &"navigator".into()).ok()?;
    let locks = Reflect::get(&navigator, &"locks".into()).ok().filter(JsValue::is_object)?;
    let request = Reflect::get(&locks, &"request".into()).ok()?.dyn_into::<Function>().ok()?;
    Some((locks, request))
}

/// Queues for the lock; holds it once granted.
fn wait_for(lock: Lock) {
    let (locks, request, name) = (lock.locks.clone(), lock.request.clone(), lock.name.clone());
    let granted = Closure::once_into_js(move |_granted: JsValue| -> JsValue { hold(lock).into() });
    let _ = request.call2(&locks, &name.into(), &granted);
}

/// Holds the lock until the store is dropped or the page is frozen;
/// after a freeze, queues for it again once the page resumes.
fn hold(lock: Lock) -> Promise {
    if lock.held.gone.get() {
        return Promise::resolve(&JsValue::UNDEFINED);
    }
    lock.leading.set(true);
    Promise::new(&mut |release, _| {
        *lock.held.release.borrow_mut() = Some(release.clone());
        let again = lock.clone();
        once("freeze", Closure::once_into_js(move || {
            again.leading.set(false);
            let release = again.held.release.borrow_mut().take();
            if let Some(release) = release {
                let _ = release.call0(&JsValue::NULL);
                once("resume", Closure::once_into_js(move || wait_for(again)));
            }
        }));
    })
}

/// Runs `listener` on the document's next `event`.
fn once(event: &str, listener: JsValue) {
    let Ok(document) = Reflect::get(&js_sys::global(), &"document".into()) else { return };
    let Some(add) = Reflect::get(&document, &"addEventListener".into()).ok().and_then(|f| f.dyn_into::<Function>().ok()) else { return };
    let options = Object::new();
    let _ = Reflect::set(&options, &"once".into(), &JsValue::TRUE);
    let _ = add.call3(&document, &event.into(), &listener, &options);
}
