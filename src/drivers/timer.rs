//! The host's timer (`setTimeout`, in windows, workers and workerd alike),
//! for the drivers: pauses between retries, the wait for another tab's
//! answer, the expiry sweep.

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    /// The global `setTimeout`.
    #[wasm_bindgen(catch, js_name = setTimeout)]
    fn set_timeout(callback: &Function, ms: i32) -> Result<JsValue, JsValue>;
}

/// A promise that resolves (to `undefined`) after `ms` milliseconds, or at
/// once where the host will not set a timer.
pub fn after(ms: i32) -> Promise {
    Promise::new(&mut |resolve, _| {
        if set_timeout(&resolve, ms).is_err() {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    })
}

/// Waits `ms` milliseconds.
pub async fn sleep(ms: i32) {
    let _ = JsFuture::from(after(ms)).await;
}
