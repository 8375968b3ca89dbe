//! JavaScript strings copied into wasm memory. wasm-bindgen's own copy
//! (`String::from(&JsString)`, `JsValue::as_string`) writes ASCII one UTF-16
//! unit at a time from JavaScript: 3 µs for a 1 KB value in Node 20, where
//! `TextEncoder` takes 0.13 µs. Values, import texts, stored documents and
//! tab messages come in here; short names keep wasm-bindgen's copy, which
//! for them costs less than the extra call.

use js_sys::JsString;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

// The platform's `TextEncoder`, bound here rather than through web-sys,
// whose methods take a Rust `&str` (which would mean the slow copy first);
// a global binding, not a snippet module: with one more module to fetch,
// wasm-bindgen-test-runner's page for tests/wasm_local_storage.rs stalled
// while loading in 6 runs of 16 in Chromium.
#[wasm_bindgen]
extern "C" {
    type TextEncoder;

    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;

    #[wasm_bindgen(method)]
    fn encode(this: &TextEncoder, text: &JsString) -> js_sys::Uint8Array;

    /// Writes UTF-8 straight into `into`, which JavaScript sees as a view
    /// of wasm memory: no array is made and copied over.
    #[wasm_bindgen(method, js_name = encodeInto)]
    fn encode_into(this: &TextEncoder, text: &JsString, into: &mut [u8]) -> Encoded;

    /// What `encodeInto` did.
    type Encoded;

    /// How many UTF-16 units it read.
    #[wasm_bindgen(method, getter)]
    fn read(this: &Encoded) -> u32;
}

thread_local! {
    static ENCODER: TextEncoder = TextEncoder::new();
}

/// From this many UTF-16 units on, a string is copied as `TextEncoder` bytes.
const LONG_TEXT: u32 = 128;

/// The text of `js`, which is `units` UTF-16 units long (callers have
/// asked already, and each question crosses into JavaScript). Like
/// wasm-bindgen's copy, it turns a lone surrogate into U+FFFD (callers that
/// must refuse one check for it).
pub fn copy_in(js: &JsString, units: u32) -> String {
    if units < LONG_TEXT {
        return String::from(js);
    }
    let bytes = ENCODER.with(|encoder| {
        // Written in place when the text is ASCII (one byte per unit, and
        // only then does all of it fit); other text is encoded by size
        // (`TextEncoder.encode`, then copied in).
        let mut bytes = vec![0; units as usize];
        match encoder.encode_into(js, &mut bytes).read() == units {
            true => bytes,
            false => encoder.encode(js).to_vec(),
        }
    });
    // The encoder's bytes are UTF-8 by definition; were they not, the slow
    // copy gives the same text.
    String::from_utf8(bytes).unwrap_or_else(|_| String::from(js))
}

/// The value's text when it is a string: `JsValue::as_string`, faster.
pub fn as_string(value: &JsValue) -> Option<String> {
    value.dyn_ref::<JsString>().map(|js| copy_in(js, js.length()))
}
