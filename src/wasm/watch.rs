//! `watch(selector, listener)` and `watchQuery(query, listener)`
//! (BEYOND.md §6). Both return a stop function at once and throw a
//! `TypeError` for a bad argument, as the contract says. Each listener call
//! gets a fresh object and runs in a microtask of its own, so a listener
//! never runs inside the store's own code (it may call the store freely),
//! runs before the awaited write that made the change resumes its caller,
//! and when it throws, the exception goes to `console.error` and nowhere
//! else.

use js_sys::Function;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::fields::Fields;
use super::{args, parse, JsKvStore};
use crate::envelope::write;
use crate::error::Error;
use crate::watch::{ChangeEvent, Selector, Watch};

/// The most a selector may take as JSON: four names.
const MAX_SELECTOR_BYTES: usize = 4096;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = queueMicrotask)]
    fn queue_microtask(task: &JsValue);

    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(message: &str, thrown: &JsValue);
}

#[wasm_bindgen(js_class = KvStore)]
impl JsKvStore {
    /// `watch(selector, listener)`: a stop function.
    #[wasm_bindgen(skip_typescript)]
    pub fn watch(&self, selector: JsValue, listener: JsValue) -> Result<Function, JsValue> {
        let selector = read_selector(&selector).map_err(type_error)?;
        let listener = listener_arg(&listener)?;
        let watch = self
            .store
            .watch(selector, move |event: &ChangeEvent| call_soon(&listener, event.to_json()))
            .map_err(type_error)?;
        Ok(stopper(watch))
    }

    /// `watchQuery(query, listener)`: a stop function; the listener gets
    /// `{ records, total, limit, offset, cursor? }`.
    #[wasm_bindgen(js_name = watchQuery, skip_typescript)]
    pub fn watch_query(&self, query: JsValue, listener: JsValue) -> Result<Function, JsValue> {
        let max = self.store.limits().max_value_bytes;
        let json = args::plain_object(&query, max).map_err(args::Misfit::into_query_error).map_err(type_error)?;
        let query = crate::query::Query::from_json(&json).map_err(type_error)?;
        let listener = listener_arg(&listener)?;
        let watch = self.store.watch_query(query, move |result| call_soon(&listener, write::text(|out| write::query_result(out, result)))).map_err(type_error)?;
        Ok(stopper(watch))
    }

    /// How many times live queries ran again after a change since the
    /// store opened (the benchmark checks that a write runs only the
    /// queries it can affect).
    #[wasm_bindgen(getter, js_name = liveQueryReruns, skip_typescript)]
    #[expect(clippy::cast_precision_loss, reason = "a count below 2^53 is exact as a JavaScript number")]
    pub fn live_query_reruns(&self) -> f64 {
        self.store.live_query_reruns() as f64
    }
}

/// The selector a JavaScript object describes.
fn read_selector(value: &JsValue) -> Result<Selector, Error> {
    let shape = "{ instance?, namespace?, key?, keyPrefix? } with string members";
    let json = args::plain_object(value, MAX_SELECTOR_BYTES).map_err(|misfit| misfit.into_argument("selector"))?;
    let mut fields = Fields::parse(&json, "selector", shape)?;
    let selector = Selector {
        instance: fields.text("instance")?,
        namespace: fields.text("namespace")?,
        key: fields.text("key")?,
        key_prefix: fields.text("keyPrefix")?,
    };
    fields.done()?;
    Ok(selector)
}

fn listener_arg(value: &JsValue) -> Result<Function, JsValue> {
    value.dyn_ref::<Function>().cloned().ok_or_else(|| {
        type_error(Error::InvalidArgument { name: "listener".to_string(), problem: format!("must be a function, not {}.", args::describe(value)) })
    })
}

fn type_error(error: Error) -> JsValue {
    js_sys::TypeError::new(&error.to_string()).into()
}

/// Calls `listener` in a microtask with a fresh object parsed from `json`.
fn call_soon(listener: &Function, json: Result<String, String>) {
    let json = match json {
        Ok(json) => json,
        // Records and results always render; say so if one ever does not.
        Err(e) => return console_error("boltkv: a watch event could not be rendered (a bug in boltkv):", &e.into()),
    };
    let listener = listener.clone();
    let task = Closure::once_into_js(move || {
        if let Err(thrown) = listener.call1(&JsValue::UNDEFINED, &parse(&json)) {
            console_error("boltkv: a watch listener threw:", &thrown);
        }
    });
    queue_microtask(&task);
}

/// The function that stops `watch`; calling it again does nothing.
fn stopper(watch: Watch) -> Function {
    let mut held = Some(watch);
    let stop = Closure::<dyn FnMut()>::new(move || drop(held.take()));
    stop.into_js_value().unchecked_into()
}
