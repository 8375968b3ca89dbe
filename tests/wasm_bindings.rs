//! The JavaScript class itself, called as JavaScript calls it (arguments as
//! `JsValue`s, answers as Promises of envelopes), in Node, Chromium and
//! Firefox alike.
#![cfg(target_arch = "wasm32")]

use boltkv::wasm::JsKvStore;
use js_sys::{JSON, Promise, Reflect};
use serde_json::{Value as Json, json};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

async fn open() -> JsKvStore {
    JsKvStore::open(JsValue::UNDEFINED).await.expect("a store opens with no options")
}

/// Awaits a call's Promise: it must resolve, never reject.
async fn envelope(call: Promise) -> Json {
    let resolved = JsFuture::from(call).await.expect("calls resolve, never reject");
    let text: String = JSON::stringify(&resolved).map(String::from).unwrap_or_default();
    serde_json::from_str(&text).expect("an envelope is a JSON object")
}

fn s(text: &str) -> JsValue {
    JsValue::from_str(text)
}

/// A JavaScript value from JSON text (what a caller would pass).
fn js(json: &str) -> JsValue {
    JSON::parse(json).expect("test JSON parses")
}

#[wasm_bindgen_test]
async fn set_then_get_answers_with_exact_envelopes() {
    let store = open().await;
    let set = envelope(store.set(s("shop"), s("users"), s("u1"), js(r#"{"name":"Ada","tags":["x"]}"#), JsValue::TRUE, JsValue::UNDEFINED, JsValue::UNDEFINED)).await;
    assert_eq!(set["type"], "kvStore.set");
    assert_eq!(set["success"], true);
    let record = &set["data"]["record"];
    let keys: Vec<&String> = record.as_object().map(|o| o.keys().collect()).unwrap_or_default();
    assert_eq!(keys, ["id", "instanceId", "namespace", "key", "value", "createdAt", "updatedAt", "version"]);
    assert_eq!(record["value"], json!({"name": "Ada", "tags": ["x"]}));
    assert_eq!(record["createdAt"], record["updatedAt"]);
    assert_ne!(set["requestId"], Json::Null);

    let got = envelope(store.get(s("shop"), s("users"), s("u1"), JsValue::UNDEFINED)).await;
    assert_eq!(got["data"], json!({"value": {"name": "Ada", "tags": ["x"]}, "exists": true}));
    assert_ne!(got["requestId"], set["requestId"], "every call has its own request id");
    let missing = envelope(store.get(s("shop"), s("users"), s("nobody"), JsValue::UNDEFINED)).await;
    assert_eq!(missing["data"], json!({"value": null, "exists": false}));
}

#[wasm_bindgen_test]
async fn a_returned_value_is_a_fresh_copy() {
    let store = open().await;
    envelope(store.set(s("i"), s("n"), s("k"), js(r#"{"list":[1]}"#), JsValue::TRUE, JsValue::UNDEFINED, JsValue::UNDEFINED)).await;
    let first = JsFuture::from(store.get(s("i"), s("n"), s("k"), JsValue::UNDEFINED)).await.expect("resolves");
    let value = Reflect::get(&Reflect::get(&first, &s("data")).unwrap_or_default(), &s("value")).unwrap_or_default();
    Reflect::set(&value, &s("list"), &s("mutated")).expect("a plain object");
    let second = envelope(store.get(s("i"), s("n"), s("k"), JsValue::UNDEFINED)).await;
    assert_eq!(second["data"]["value"], json!({"list": [1]}));
}

#[wasm_bindgen_test]
async fn values_json_cannot_carry_are_refused_and_nothing_is_stored() {
    let store = open().await;
    let nan = js(r#"{"a":{"b":[1,2]}}"#);
    let inner = Reflect::get(&nan, &s("a")).unwrap_or_default();
    Reflect::set(&inner, &s("c"), &JsValue::from_f64(f64::NAN)).expect("set NaN");
    for (value, words) in [
        (nan, "NaN"),
        (JsValue::from_f64(f64::INFINITY), "Infinity"),
        (JsValue::UNDEFINED, "undefined"),
        (JsValue::bigint_from_str("10"), "BigInt"),
    ] {
        let answer = envelope(store.set(s("i"), s("n"), s("k"), value, JsValue::TRUE, JsValue::UNDEFINED, JsValue::UNDEFINED)).await;
        assert_eq!(answer["success"], false);
        assert!(answer.get("data").is_none());
        let error = answer["error"].as_str().unwrap_or_default();
        assert!(error.contains(words), "{error}");
        assert_eq!(answer["code"], "INVALID_ARGUMENT", "{error}");
    }
    let count = envelope(store.get_record_count(s("i"), JsValue::UNDEFINED, JsValue::UNDEFINED)).await;
    assert_eq!(count["data"], json!({"count": 0}));
}

#[wasm_bindgen_test]
async fn wrong_argument_types_get_a_sentence_naming_the_argument() {
    let store = open().await;
    let cases = [
        (store.get(JsValue::from_f64(5.0), s("n"), s("k"), JsValue::UNDEFINED), "instanceId must be a string, not a number."),
        (store.get(s("i"), JsValue::NULL, s("k"), JsValue::UNDEFINED), "namespace must be a string, not null."),
        (store.delete(s("i"), s("n"), js("{}"), JsValue::UNDEFINED, JsValue::UNDEFINED), "key must be a string, not an object."),
        (store.set(s("i"), s("n"), s("k"), s("v"), s("yes"), JsValue::UNDEFINED, JsValue::UNDEFINED), "autoCreateInstance must be true or false, not a string."),
        (store.query(s("from"), JsValue::UNDEFINED), "query must be an object, not a string."),
        (store.get(s("i"), s("n"), s("k"), s("extra")), "get takes (instanceId, namespace, key); remove the extra argument."),
    ];
    for (call, expected) in cases {
        let answer = envelope(call).await;
        assert_eq!(answer["success"], false);
        assert_eq!(answer["error"], expected);
        assert_eq!(answer["code"], "INVALID_ARGUMENT", "{expected}");
    }
}

#[wasm_bindgen_test]
async fn a_query_counts_before_paging_and_its_cursor_continues_after_the_page() {
    let store = open().await;
    for i in 0..5 {
        envelope(store.set(s("i"), s("n"), s(&format!("k{i}")), JsValue::from_f64(f64::from(i)), JsValue::TRUE, JsValue::UNDEFINED, JsValue::UNDEFINED)).await;
    }
    let query = js(r#"{"from":{"instance":"i"},"where":[{"field":"value","operator":"gte","value":1}],"select":["key"],"limit":2,"offset":1}"#);
    let answer = envelope(store.query(query, JsValue::UNDEFINED)).await;
    let cursor = answer["data"]["result"]["cursor"].as_str().unwrap_or_default().to_string();
    assert!(!cursor.is_empty(), "a match remains after the page: {answer}");
    let expected = json!({"records": [{"key": "k2"}, {"key": "k3"}], "total": 4, "limit": 2, "offset": 1, "cursor": cursor});
    assert_eq!(answer["data"], json!({ "result": expected }));
    let rest = format!(
        r#"{{"from":{{"instance":"i"}},"where":[{{"field":"value","operator":"gte","value":1}}],"select":["key"],"after":"{cursor}"}}"#
    );
    let answer = envelope(store.query(js(&rest), JsValue::UNDEFINED)).await;
    assert_eq!(answer["data"], json!({"result": {"records": [{"key": "k4"}], "total": 4, "limit": 100, "offset": 0}}));
}

#[wasm_bindgen_test]
async fn open_rejects_unusable_options_with_a_reason() {
    let refused = JsKvStore::open(js(r#"{"limits":{"maxDepth":0}}"#)).await.err().map(JsValue::from);
    let message = refused.and_then(|e| e.dyn_into::<js_sys::Error>().ok()).map(|e| String::from(e.message()));
    assert_eq!(message.as_deref(), Some("Invalid options: maxDepth must be between 1 and 128."));
}

#[wasm_bindgen_test]
async fn open_names_a_wrong_choice_by_its_path() {
    for (options, expected) in [
        (r#"{"backend":"disk"}"#, r#"options.backend must be one of 'memory', 'indexeddb', 'localStorage', not "disk"."#),
        (r#"{"name":7}"#, "options.name must be a string, not 7."),
        (r#"{"fallback":"disk"}"#, r#"options.fallback must be one of 'memory', not "disk"."#),
    ] {
        let refused = JsKvStore::open(js(options)).await.err().map(JsValue::from);
        let message = refused.and_then(|e| e.dyn_into::<js_sys::Error>().ok()).map(|e| String::from(e.message()));
        assert_eq!(message.as_deref(), Some(expected), "{options}");
    }
}
