//! The raw IndexedDB calls, kept here so the backend reads as typed Rust.
//! Every event is awaited through a `Promise` whose `resolve`/`reject` are
//! the event handlers themselves, so awaiting a request or transaction
//! allocates no Rust closure; the only closures are the schema upgrade, the
//! page chain of a scan and the connection watchers, each owned by a value
//! that drops it once its events can no longer fire.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{DomException, IdbDatabase, IdbFactory, IdbKeyRange, IdbObjectStore, IdbOpenDbRequest, IdbRequest, IdbTransaction};

use crate::engine::layout;

#[wasm_bindgen]
extern "C" {
    /// An `IDBDatabase` seen through the calls web-sys does not offer.
    type Database;

    /// `IDBDatabase.transaction(names, mode, options)`: web-sys hides the
    /// options argument (and so `durability`) behind an unstable cfg.
    #[wasm_bindgen(method, catch, js_name = transaction)]
    fn transaction_with_options(this: &Database, names: &Array, mode: &str, options: &Object) -> Result<IdbTransaction, JsValue>;

    /// An `IDBTransaction` seen through the calls web-sys does not offer.
    type Transaction;

    /// `IDBTransaction.commit()`, which web-sys marks deprecated although
    /// every current engine has it.
    #[wasm_bindgen(method, catch)]
    fn commit(this: &Transaction) -> Result<(), JsValue>;
}

#[wasm_bindgen(inline_js = "export async function storageUse() { \
    const storage = globalThis.navigator && globalThis.navigator.storage; \
    if (!storage || typeof storage.estimate !== 'function') return null; \
    const { usage, quota } = await storage.estimate(); \
    return typeof usage === 'number' && typeof quota === 'number' ? [usage, quota] : null; }")]
extern "C" {
    #[wasm_bindgen(catch, js_name = storageUse)]
    fn storage_use() -> Result<Promise, JsValue>;
}

/// Whether the origin's storage has no room for `bytes` more, by
/// `navigator.storage.estimate()`. Firefox does not always name a full
/// origin: a write there can fail with an `AbortError` or an
/// `InvalidStateError` ("did not allow mutations") instead of a
/// `QuotaExceededError`, so a failed commit asks. Its usage figure trails
/// the files (it is updated as transactions finish), so an origin within
/// 10% of its quota counts as full too.
pub async fn no_room_for(bytes: usize) -> bool {
    let Ok(promise) = storage_use() else { return false };
    let Ok(answer) = JsFuture::from(promise).await else { return false };
    let pair = Array::from(&answer);
    match (pair.get(0).as_f64(), pair.get(1).as_f64()) {
        // Precision does not matter at this scale: usize to f64 is exact below 2^53.
        (Some(usage), Some(quota)) => usage + bytes as f64 >= quota || usage >= quota * 0.9,
        _ => false,
    }
}

/// What a thrown exception or a failed request said: its DOMException name
/// (`QuotaExceededError`, `AbortError`, ...) and message.
#[derive(Debug, Clone)]
pub struct Fault {
    pub name: String,
    pub message: String,
}

impl Fault {
    /// Reads any thrown value: a DOMException, an Error, or anything else.
    pub fn from_js(value: &JsValue) -> Fault {
        if let Some(e) = value.dyn_ref::<DomException>() {
            return Fault { name: e.name(), message: e.message() };
        }
        if let Some(e) = value.dyn_ref::<js_sys::Error>() {
            return Fault { name: e.name().into(), message: e.message().into() };
        }
        Fault::new("Error", &value.as_string().unwrap_or_else(|| format!("{value:?}")))
    }

    pub fn new(name: &str, message: &str) -> Fault {
        Fault { name: name.to_string(), message: message.to_string() }
    }

    /// True when the browser ran out of room for this origin.
    pub fn is_quota(&self) -> bool {
        self.name == "QuotaExceededError"
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name, self.message.trim_end_matches('.'))
    }
}

pub fn fault(value: JsValue) -> Fault {
    Fault::from_js(&value)
}

/// The host's `indexedDB`, read from the global object so windows and
/// workers are served alike; reading it can itself throw (SecurityError).
pub fn factory() -> Result<IdbFactory, Fault> {
    let value = Reflect::get(&js_sys::global(), &JsValue::from_str("indexedDB")).map_err(fault)?;
    if value.is_undefined() || value.is_null() {
        return Err(Fault::new("NotSupportedError", "this JavaScript environment has no indexedDB"));
    }
    value.dyn_into().map_err(|_| Fault::new("TypeError", "the global indexedDB is not an IDBFactory"))
}

/// Waits for a request's `success` (Ok) or `error` (Err, with its error).
async fn settled(request: &IdbRequest) -> Result<JsValue, Fault> {
    let promise = Promise::new(&mut |resolve, reject| {
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&reject));
    });
    match JsFuture::from(promise).await {
        Ok(_) => request.result().map_err(fault),
        Err(_) => Err(match request.error() {
            Ok(Some(e)) => Fault::from_js(&e),
            _ => Fault::new("UnknownError", "the request failed without saying why"),
        }),
    }
}

/// Waits for a transaction's `complete` (Ok) or `abort` (Err, with the
/// transaction's error). Its `error` events need no handler: nothing here
/// calls `preventDefault`, so every request error aborts the transaction,
/// and the spec then sets `transaction.error` to that request's error.
pub async fn finished(tx: &IdbTransaction) -> Result<(), Fault> {
    let promise = Promise::new(&mut |resolve, reject| {
        tx.set_oncomplete(Some(&resolve));
        tx.set_onabort(Some(&reject));
    });
    match JsFuture::from(promise).await {
        Ok(_) => Ok(()),
        Err(_) => Err(match tx.error() {
            Some(e) => Fault::from_js(&e),
            None => Fault::new("AbortError", "the transaction was aborted"),
        }),
    }
}

/// Opens database `name` at version 1, making the schema with `create` if
/// it did not exist (throwing there aborts the upgrade and fails the open);
/// `true` beside the connection when it was created just now.
pub async fn open(
    factory: &IdbFactory,
    name: &str,
    create: fn(&IdbOpenDbRequest) -> Result<(), JsValue>,
) -> Result<(IdbDatabase, bool), Fault> {
    let request = factory.open_with_u32(name, 1).map_err(fault)?;
    let created = Rc::new(Cell::new(false));
    let upgrade = Closure::once({
        let (request, created) = (request.clone(), created.clone());
        move || -> Result<(), JsValue> {
            created.set(true);
            create(&request)
        }
    });
    request.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
    let opened = settled(&request).await;
    request.set_onupgradeneeded(None);
    drop(upgrade);
    let db = opened?.dyn_into::<IdbDatabase>().map_err(|_| Fault::new("TypeError", "open did not give a database"))?;
    Ok((db, created.get()))
}

/// A readwrite transaction over `stores` with relaxed durability: the
/// browser may answer `complete` before the OS has flushed to disk, which
/// is the default in Firefox and Safari and is 10x cheaper in Chrome.
pub fn write_transaction(db: &IdbDatabase, stores: &[&str]) -> Result<IdbTransaction, Fault> {
    let names: Array = stores.iter().map(|s| JsValue::from_str(s)).collect();
    let options = Object::new();
    Reflect::set(&options, &JsValue::from_str("durability"), &JsValue::from_str("relaxed")).map_err(fault)?;
    db.unchecked_ref::<Database>().transaction_with_options(&names, "readwrite", &options).map_err(fault)
}

/// Asks `tx` to commit now rather than after an event-loop turn; without
/// it (or when it throws) the transaction still commits on its own.
pub fn commit(tx: &IdbTransaction) {
    let _ = tx.unchecked_ref::<Transaction>().commit();
}

/// A readonly transaction over `stores`.
pub fn read_transaction(db: &IdbDatabase, stores: &[&str]) -> Result<IdbTransaction, Fault> {
    let names: Array = stores.iter().map(|s| JsValue::from_str(s)).collect();
    db.transaction_with_str_sequence(&names).map_err(fault)
}

/// Every key of a store that starts with `prefix`, a prefix ending in `/`.
pub fn prefix_range(prefix: &str) -> Result<JsValue, Fault> {
    let (lower, upper) = (JsValue::from_str(prefix), JsValue::from_str(&layout::past_prefix(prefix)));
    IdbKeyRange::bound_with_lower_open_and_upper_open(&lower, &upper, false, true).map(Into::into).map_err(fault)
}

/// Writes `value` under `key` in `store`.
pub fn put(store: &IdbObjectStore, key: &JsValue, value: &str) -> Result<(), Fault> {
    store.put_with_key(&JsValue::from_str(value), key).map(drop).map_err(fault)
}

/// Deletes a key or a key range from `store`.
pub fn delete(store: &IdbObjectStore, key: &JsValue) -> Result<(), Fault> {
    store.delete(key).map(drop).map_err(fault)
}

/// Items per page of a scan: large enough that the round trips stay few,
/// small enough that one page's decoding stays well under a frame.
const PAGE: u32 = 1000;

/// One page of a scan: keys and values, index for index.
pub struct Page {
    pub keys: Array,
    pub values: Array,
}

/// A full read of one object store in pages of `getAllKeys`/`getAll`
/// pairs, each next pair issued from the previous page's `success` event so
/// the whole scan stays in one transaction (one consistent snapshot). Each
/// page goes to the reader as it arrives, after the next one is asked for:
/// the reader's work overlaps IndexedDB's, one page per task, so a large
/// store never blocks the page in one long task.
pub struct Scan {
    state: Rc<RefCell<ScanState>>,
    _next: Closure<dyn FnMut()>,
}

struct ScanState {
    store: IdbObjectStore,
    keys: Option<IdbRequest>,
    values: Option<IdbRequest>,
    read: Box<dyn FnMut(Page) -> Result<(), JsValue>>,
    fault: Option<Fault>,
    next: Option<Function>,
}

impl Scan {
    /// Starts reading the keys of `name` in `from` (a key range, or null for
    /// all) in `tx`, handing every page to `read`; an error from `read`
    /// aborts the transaction.
    pub fn start(
        tx: &IdbTransaction,
        name: &str,
        from: &JsValue,
        read: impl FnMut(Page) -> Result<(), JsValue> + 'static,
    ) -> Result<Scan, Fault> {
        let store = tx.object_store(name).map_err(fault)?;
        let state = Rc::new(RefCell::new(ScanState {
            store, keys: None, values: None, read: Box::new(read), fault: None, next: None,
        }));
        let next = Closure::<dyn FnMut()>::new({
            let (state, tx) = (state.clone(), tx.clone());
            move || {
                let mut state = state.borrow_mut();
                if let Err(e) = state.advance() {
                    state.fault = Some(fault(e));
                    let _ = tx.abort();
                }
            }
        });
        let mut first = state.borrow_mut();
        first.next = Some(next.as_ref().unchecked_ref::<Function>().clone());
        first.request(from).map_err(fault)?;
        drop(first);
        Ok(Scan { state, _next: next })
    }

    /// Whether every page was read, once the transaction has completed.
    pub fn finish(self) -> Result<(), Fault> {
        match self.state.borrow_mut().fault.take() {
            Some(f) => Err(f),
            None => Ok(()),
        }
    }
}

impl ScanState {
    /// Asks for the first page of `range`.
    fn request(&mut self, range: &JsValue) -> Result<(), JsValue> {
        let keys = self.store.get_all_keys_with_key_and_limit(range, PAGE)?;
        let values = self.store.get_all_with_key_and_limit(range, PAGE)?;
        // Requests succeed in order, so the values' success means both are in.
        values.set_onsuccess(self.next.as_ref());
        self.keys = Some(keys);
        self.values = Some(values);
        Ok(())
    }

    /// Asks for the next page if the one that just arrived was full, then
    /// hands that one to the reader.
    fn advance(&mut self) -> Result<(), JsValue> {
        let (Some(keys), Some(values)) = (self.keys.take(), self.values.take()) else { return Ok(()) };
        let keys: Array = keys.result()?.dyn_into()?;
        let values: Array = values.result()?.dyn_into()?;
        if keys.length() == PAGE {
            self.request(&IdbKeyRange::lower_bound_with_open(&keys.get(PAGE - 1), true)?.into())?;
        }
        (self.read)(Page { keys, values })
    }
}

/// A connection's watchers: on `versionchange` (another tab upgrading or
/// deleting the database) it closes itself so the other side can proceed;
/// on either that or `close` (the browser closed it) it marks itself lost.
pub struct Watch {
    db: IdbDatabase,
    _closures: [Closure<dyn FnMut()>; 2],
}

impl Watch {
    pub fn new(db: &IdbDatabase, lost: Rc<Cell<bool>>) -> Watch {
        let on_change = Closure::<dyn FnMut()>::new({
            let (db, lost) = (db.clone(), lost.clone());
            move || {
                db.close();
                lost.set(true);
            }
        });
        let on_close = Closure::<dyn FnMut()>::new(move || lost.set(true));
        db.set_onversionchange(Some(on_change.as_ref().unchecked_ref()));
        db.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Watch { db: db.clone(), _closures: [on_change, on_close] }
    }
}

impl Drop for Watch {
    /// Closes the connection and unhooks the handlers before they are freed.
    fn drop(&mut self) {
        self.db.set_onversionchange(None);
        self.db.set_onclose(None);
        self.db.close();
    }
}
