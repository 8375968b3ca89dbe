//! The localStorage backend in a real browser page: what survives a reopen,
//! what two store names share (nothing), what foreign or damaged items do
//! (get reported), and the faults: a real quota error, and localStorage
//! access refused with `SecurityError`.
#![cfg(target_arch = "wasm32")]

use boltkv::layout;
use boltkv::wasm::JsKvStore;
use boltkv::{Backend, Config, Error, KvStore, LocalStorageBackend, Snapshot, StorageError};
use futures::future::join_all;
use js_sys::{JSON, Promise};
use serde_json::{Value as Json, json};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
let saved = null;
export function block_local_storage() {
  saved = Object.getOwnPropertyDescriptor(window, 'localStorage') ?? null;
  Object.defineProperty(window, 'localStorage', {
    configurable: true,
    get() { throw new DOMException('The operation is insecure.', 'SecurityError'); },
  });
}
export function unblock_local_storage() {
  if (saved) Object.defineProperty(window, 'localStorage', saved);
  else delete window.localStorage;
}
export function remove_prefix(prefix) {
  const keys = [];
  for (let i = 0; i < localStorage.length; i++) {
    const key = localStorage.key(i);
    if (key.startsWith(prefix)) keys.push(key);
  }
  keys.forEach((key) => localStorage.removeItem(key));
}
export function count_prefix(prefix) {
  let n = 0;
  for (let i = 0; i < localStorage.length; i++) if (localStorage.key(i).startsWith(prefix)) n++;
  return n;
}
// Grows one filler item until the next 1,000 characters would not fit,
// then shrinks it by `room` characters; returns the filler's length.
export function fill_local_storage(key, room) {
  let lo = 0, hi = 16_000_000;
  while (hi - lo > 1000) {
    const mid = Math.floor((lo + hi) / 2);
    try { localStorage.setItem(key, 'x'.repeat(mid)); lo = mid; } catch (e) { hi = mid; }
  }
  const length = Math.max(0, lo - room);
  localStorage.setItem(key, 'x'.repeat(length));
  return length;
}
export function now() { return performance.now(); }
// Wraps Storage.prototype.setItem to log each call as [key, 'ok' or the
// exception's name]; the call numbered `fail_at` (from 0) throws `kind`
// instead of writing, once. The version counter (item `n`), which every
// commit of records writes first, is written through but neither logged
// nor counted: these tests follow the records.
let original = null, log = [];
export function watch_set_item(fail_at, kind) {
  original = Storage.prototype.setItem;
  log = [];
  let n = 0;
  Storage.prototype.setItem = function (key, value) {
    if (key.endsWith('/n')) return original.call(this, key, value);
    let error = null;
    if (n++ === fail_at) {
      error = kind === 'legacy' ? new DOMException('Persistent storage maximum size reached', 'NS_ERROR_DOM_QUOTA_REACHED')
        : kind === 'code22' ? Object.assign(new Error('quota'), { code: 22 })
        : new Error('disk on fire');
    } else {
      try { original.call(this, key, value); } catch (e) { error = e; }
    }
    log.push([key, error ? error.name : 'ok']);
    if (error) throw error;
  };
}
export function set_item_log() { return JSON.stringify(log); }
export function unwatch_set_item() { if (original) Storage.prototype.setItem = original; original = null; }
"#)]
extern "C" {
    fn block_local_storage();
    fn unblock_local_storage();
    fn remove_prefix(prefix: &str);
    fn count_prefix(prefix: &str) -> u32;
    fn fill_local_storage(key: &str, room: u32) -> u32;
    fn now() -> f64;
    fn watch_set_item(fail_at: i32, kind: &str);
    fn set_item_log() -> String;
    fn unwatch_set_item();
}

/// Watches `setItem` while alive (see `watch_set_item`).
struct Watch;

impl Watch {
    fn new(fail_at: i32, kind: &str) -> Watch {
        watch_set_item(fail_at, kind);
        Watch
    }

    /// Every `setItem` call so far, as (item key, "ok" or exception name).
    fn log(&self) -> Vec<(String, String)> {
        serde_json::from_str(&set_item_log()).expect("the log is JSON")
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        unwatch_set_item();
    }
}

fn storage() -> web_sys::Storage {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten()).expect("the test page has localStorage")
}

/// A store name no other test (or earlier run) uses; its items are
/// removed when the returned guard drops, even if the test fails.
struct Name(String);

impl Name {
    fn new(label: &str) -> Name {
        let name = format!("test/{label}~{}", js_sys::Math::random());
        remove_prefix(ItemKeys::new(&name).prefix());
        Name(name)
    }

    fn keys(&self) -> ItemKeys {
        ItemKeys::new(&self.0)
    }
}

impl Drop for Name {
    fn drop(&mut self) {
        remove_prefix(self.keys().prefix());
    }
}

/// The localStorage keys of one store's items, spelled as its driver does.
struct ItemKeys(String);

impl ItemKeys {
    fn new(name: &str) -> ItemKeys {
        ItemKeys(layout::store_prefix(name))
    }

    fn prefix(&self) -> &str {
        &self.0
    }

    fn meta(&self) -> String {
        format!("{}{}", self.0, layout::META)
    }

    fn instance(&self, id: &str) -> String {
        format!("{}{}", self.0, layout::instance(id))
    }

    fn record(&self, id: &str, namespace: &str, key: &str) -> String {
        format!("{}{}", self.0, layout::record(id, namespace, key))
    }
}

async fn open_rust(name: &Name) -> KvStore {
    let config = Config::system().expect("the page has crypto.getRandomValues");
    let backend = LocalStorageBackend::open(&name.0).await.expect("localStorage opens");
    KvStore::open(Box::new(backend), config).await.expect("the store opens")
}

/// What the backend holds, in a fixed order, as a reopen would load it.
async fn on_disk(name: &Name) -> Snapshot {
    let backend = LocalStorageBackend::open(&name.0).await.expect("localStorage opens");
    let mut snapshot = backend.load().await.expect("loads");
    snapshot.instances.sort_by_key(|i| i.seq);
    snapshot.records.sort_by(|a, b| (a.instance_id, &a.namespace, &a.key).cmp(&(b.instance_id, &b.namespace, &b.key)));
    snapshot
}

async fn open_js(name: &str, extra: &str) -> Result<JsKvStore, String> {
    let options = JSON::parse(&format!(r#"{{"backend":"localStorage","name":{}{extra}}}"#, json!(name))).expect("options");
    JsKvStore::open(options).await.map_err(|e| {
        let error: JsValue = e.into();
        error.dyn_into::<js_sys::Error>().map(|e| String::from(e.message())).unwrap_or_default()
    })
}

async fn envelope(call: Promise) -> Json {
    let resolved = JsFuture::from(call).await.expect("calls resolve, never reject");
    serde_json::from_str(&String::from(JSON::stringify(&resolved).expect("JSON"))).expect("an envelope")
}

fn as_json(value: &JsValue) -> Json {
    serde_json::from_str(&String::from(JSON::stringify(value).expect("JSON"))).expect("JSON")
}

fn s(text: &str) -> JsValue {
    JsValue::from_str(text)
}

const NONE: JsValue = JsValue::UNDEFINED;

/// Keys and namespaces made of what could confuse an item-key encoding.
const HOSTILE: [&str; 8] = ["/", "~", "~1", "a/b", "\u{0}", "\u{1F600}", "a", "ab"];

#[wasm_bindgen_test]
async fn a_reopened_store_has_everything_back() {
    let name = Name::new("reopen");
    let store = open_rust(&name).await;
    for instance in ["zeta", "alpha", "mid", "gone"] {
        store.create_instance(instance, Some("d")).await.expect("instance");
    }
    let mut written = Vec::new();
    for ns in HOSTILE {
        for key in HOSTILE {
            written.push(store.set("alpha", ns, key, &json!({ "ns": ns, "key": key }), false).await.expect("set"));
        }
    }
    store.set("gone", "n", "k", &json!(1), false).await.expect("set");
    let first = store.set("zeta", "n", "k", &json!([1]), false).await.expect("set");
    let second = store.set("zeta", "n", "k", &json!([2]), false).await.expect("overwrite");
    assert_eq!(store.delete_namespace("alpha", "a").await, Ok(HOSTILE.len()));
    assert_eq!(store.delete("alpha", "ab", "/").await, Ok(true));
    assert_eq!(store.delete_instance("gone").await, Ok(true));
    let instances = store.list_instances();
    let all = r#"{"from":{"instance":"alpha"},"limit":1000}"#;
    let records = store.query_json(all).expect("query");
    drop(store);

    let reopened = open_rust(&name).await;
    assert!(reopened.skipped_on_open().is_empty(), "{:?}", reopened.skipped_on_open());
    assert_eq!(reopened.list_instances(), instances, "instances, ids, createdAt and order");
    assert_eq!(reopened.query_json(all), Ok(records));
    assert_eq!(reopened.get_namespaces("alpha").map(|n| n.len()), Ok(HOSTILE.len() - 1), "only `a` was deleted");
    assert_eq!(reopened.get_record_count("alpha", Some("ab")), Ok(HOSTILE.len() - 1));
    assert_eq!(reopened.get::<serde_json::Value>("zeta", "n", "k"), Ok(Some(json!([2]))));
    let third = reopened.set("zeta", "n", "k", &json!([3]), false).await.expect("third write");
    assert_eq!((third.id, third.created_at), (first.id, first.created_at));
    assert!(third.version > second.version, "versions keep growing across reopen");
    let alpha_ab = written.iter().find(|r| r.namespace == "ab" && r.key == "~1").map(|r| (r.id, r.created_at));
    let again = reopened.set("alpha", "ab", "~1", &json!(0), false).await.expect("overwrite");
    assert_eq!(Some((again.id, again.created_at)), alpha_ab);
    assert_eq!(on_disk(&name).await.instances.len(), 3, "the deleted instance's item is gone");
}

#[wasm_bindgen_test]
async fn the_js_class_opens_on_local_storage_and_says_so() {
    let name = Name::new("js");
    let store = open_js(&name.0, "").await.expect("opens");
    assert_eq!(as_json(&store.storage()), json!({ "backend": "localStorage", "name": name.0, "skipped": [] }));
    let set = envelope(store.set(s("app"), s("ns"), s("k"), s("v"), JsValue::TRUE, NONE, NONE)).await;
    assert_eq!(set["success"], true, "{set}");
    drop(store);
    let reopened = open_js(&name.0, "").await.expect("reopens");
    let got = envelope(reopened.get(s("app"), s("ns"), s("k"), NONE)).await;
    assert_eq!(got["data"], json!({ "value": "v", "exists": true }));
    let again = envelope(reopened.set(s("app"), s("ns"), s("k"), s("w"), JsValue::FALSE, NONE, NONE)).await;
    assert_eq!((&again["data"]["record"]["id"], &again["data"]["record"]["createdAt"]),
        (&set["data"]["record"]["id"], &set["data"]["record"]["createdAt"]));
}

#[wasm_bindgen_test]
async fn two_store_names_never_see_each_other_s_items() {
    // One name is the other plus what the prefix ends with.
    let a = Name::new("pair");
    let b = Name(format!("{}/", a.0));
    for (name, value) in [(&a, "from a"), (&b, "from b")] {
        let store = open_rust(name).await;
        store.set("app", "ns", "k", &json!(value), true).await.expect("set");
        store.set("app", "ns", value, &json!(value), false).await.expect("set");
    }
    for (name, value, other) in [(&a, "from a", "from b"), (&b, "from b", "from a")] {
        let store = open_rust(name).await;
        assert_eq!(store.get::<serde_json::Value>("app", "ns", "k"), Ok(Some(json!(value))));
        assert_eq!(store.get_raw("app", "ns", other), Ok(None));
        assert_eq!(store.get_record_count("app", None), Ok(2));
        assert!(store.skipped_on_open().is_empty(), "{:?}", store.skipped_on_open());
    }
    let store = open_rust(&a).await;
    assert_eq!(store.delete_instance("app").await, Ok(true));
    assert_eq!(count_prefix(a.keys().prefix()), 3, "only the meta item, the version counter and the count of commits are left");
    assert_eq!(count_prefix(b.keys().prefix()), 6, "meta, version counter, count of commits, instance, two records");
}

#[wasm_bindgen_test]
async fn foreign_and_corrupt_items_are_skipped_reported_and_left_alone() {
    let name = Name::new("foreign");
    let keys = name.keys();
    let store = open_rust(&name).await;
    let good = store.set("app", "ns", "good", &json!("kept"), true).await.expect("set");
    let other = store.set("app", "ns", "other", &json!(1), false).await.expect("set");
    drop(store);
    let id = good.instance_id.to_string();
    let ls = storage();
    let outside = [("someone-else", "theirs"), ("boltkv/test", "theirs"), ("boltkv", "theirs")];
    let other_record = ls.get_item(&keys.record(&id, "ns", "other")).ok().flatten().expect("stored");
    let inside = [
        (format!("{}junk", keys.prefix()), "not ours".to_string()),
        (keys.record(&id, "ns", "broken"), "{not json".to_string()),
        (keys.record(&id, "ns", "moved"), other_record),
        (keys.instance("not-a-uuid"), "null".to_string()),
        (keys.record("00000000-0000-4000-8000-000000000000", "ns", "orphan"),
            ls.get_item(&keys.record(&id, "ns", "good")).ok().flatten().expect("stored")
                .replace(&id, "00000000-0000-4000-8000-000000000000")),
    ];
    for (key, value) in outside {
        ls.set_item(key, value).expect("set");
    }
    for (key, value) in &inside {
        ls.set_item(key, value).expect("set");
    }

    let store = open_rust(&name).await;
    let skipped = store.skipped_on_open().to_vec();
    assert_eq!(skipped.len(), inside.len(), "{skipped:#?}");
    for (key, _) in &inside {
        assert!(skipped.iter().any(|s| s.contains(&format!("{key:?}"))), "{key} is reported in {skipped:#?}");
    }
    assert_eq!(store.get_record_count("app", None), Ok(2), "the good records loaded");
    assert_eq!(store.get::<serde_json::Value>("app", "ns", "other"), Ok(Some(json!(1))));
    assert_eq!(other.key, "other");
    store.set("app", "ns2", "k", &json!(2), false).await.expect("writes go on");
    for (key, value) in &inside {
        assert_eq!(ls.get_item(key).ok().flatten().as_ref(), Some(value), "{key} is left alone");
    }

    // Clearing the namespace clears the damaged records stored in it; items
    // whose keys are not this store's records stay.
    assert_eq!(store.delete_namespace("app", "ns").await, Ok(2));
    assert_eq!(store.delete_instance("app").await, Ok(true));
    for (key, value) in outside {
        assert_eq!(ls.get_item(key).ok().flatten().as_deref(), Some(value), "{key} is untouched");
        ls.remove_item(key).expect("cleanup");
    }
    let [junk, broken, moved, not_an_instance, orphan] = &inside;
    for (key, _) in [broken, moved] {
        assert_eq!(ls.get_item(key).ok().flatten(), None, "{key} went with its namespace");
    }
    for (key, value) in [junk, not_an_instance, orphan] {
        assert_eq!(ls.get_item(key).ok().flatten().as_ref(), Some(value), "{key} is left alone");
    }
}

#[wasm_bindgen_test]
async fn an_unknown_format_version_fails_open_clearly() {
    let name = Name::new("format");
    storage().set_item(&name.keys().meta(), "99").expect("set");
    let error = LocalStorageBackend::open(&name.0).await.err();
    let Some(StorageError::Unavailable(why)) = error else { panic!("expected Unavailable, got {error:?}") };
    assert!(why.contains("in format 99,") && why.contains("format 1"), "{why}");
    let message = open_js(&name.0, "").await.err().unwrap_or_default();
    assert!(message.starts_with("The storage is unavailable:"), "{message}");
}

/// Removes the filler when dropped, so a failing test does not leave the
/// origin's storage full for the next one.
struct Filler(&'static str);

impl Drop for Filler {
    fn drop(&mut self) {
        let _ = storage().remove_item(self.0);
    }
}

#[wasm_bindgen_test]
async fn a_real_quota_error_fails_the_batch_and_keeps_nothing_of_it() {
    let name = Name::new("quota");
    let store = open_js(&name.0, "").await.expect("opens");
    let created = envelope(store.set(s("app"), s("ns"), s("a"), s("old a"), JsValue::TRUE, NONE, NONE)).await;
    let id = created["data"]["record"]["instanceId"].as_str().unwrap_or_default().to_string();
    let before = on_disk(&name).await;

    let filler = Filler("test-quota-filler");
    // Between 3,000 and 4,000 characters are left: room for a small record
    // or two, not for a 20,000-character value.
    let length = fill_local_storage(filler.0, 3000);
    console_log!("filler: {length} characters");
    let big = "y".repeat(20_000);

    // One set that does not fit.
    let refused = envelope(store.set(s("app"), s("ns"), s("a"), s(&big), JsValue::FALSE, NONE, NONE)).await;
    assert_eq!(refused["success"], false, "{refused}");
    let error = refused["error"].as_str().unwrap_or_default();
    assert!(error.contains("storage is full"), "{error}");
    let got = envelope(store.get(s("app"), s("ns"), s("a"), NONE)).await;
    assert_eq!(got["data"], json!({ "value": "old a", "exists": true }), "memory is unchanged");

    // A batch whose first items fit and whose last does not: in item-key
    // order `b` and `c` are written, then `d` throws.
    let batch = [("b", s("small")), ("c", s("small")), ("d", s(&big)), ("a", s("new a"))];
    let watch = Watch::new(-1, "");
    let calls = batch.iter().map(|(key, value)| JsFuture::from(store.set(s("app"), s("ns"), s(key), value.clone(), JsValue::FALSE, NONE, NONE)));
    for answer in join_all(calls).await {
        let answer = as_json(&answer.expect("resolves"));
        assert_eq!(answer["success"], false, "{answer}");
        assert!(answer["error"].as_str().unwrap_or_default().contains("storage is full"), "{answer}");
    }
    let log = watch.log();
    drop(watch);
    let item = |key| name.keys().record(&id, "ns", key);
    let outcomes: Vec<(String, &str)> = log.iter().map(|(k, o)| (k.clone(), if o == "ok" { "ok" } else { "threw" })).collect();
    assert_eq!(outcomes, [(item("a"), "ok"), (item("b"), "ok"), (item("c"), "ok"), (item("d"), "threw"), (item("a"), "ok")],
        "a, b and c were written, d threw, then a was put back (b and c were removed)");
    console_log!("the browser's quota exception: {}", log.get(3).map(|(_, o)| o.as_str()).unwrap_or_default());
    for key in ["b", "c", "d"] {
        assert_eq!(storage().get_item(&name.keys().record(&id, "ns", key)).ok().flatten(), None, "{key} was not left behind");
        let got = envelope(store.get(s("app"), s("ns"), s(key), NONE)).await;
        assert_eq!(got["data"]["exists"], false, "{key}");
    }
    let got = envelope(store.get(s("app"), s("ns"), s("a"), NONE)).await;
    assert_eq!(got["data"]["value"], "old a");
    assert_eq!(on_disk(&name).await, before, "a reopen loads exactly the pre-batch state");

    // Rust callers get the typed error.
    let rust = open_rust(&name).await;
    let refused = rust.set("app", "ns", "a", &json!(big), false).await;
    assert_eq!(refused.map(|r| r.key), Err(Error::Storage(StorageError::Full)));
    assert_eq!(rust.get::<serde_json::Value>("app", "ns", "a"), Ok(Some(json!("old a"))));
    assert_eq!(on_disk(&name).await, before);

    drop(filler);
    let written = envelope(store.set(s("app"), s("ns"), s("d"), s(&big), JsValue::FALSE, NONE, NONE)).await;
    assert_eq!(written["success"], true, "{written}");
    let reopened = open_js(&name.0, "").await.expect("reopens");
    let got = envelope(reopened.get(s("app"), s("ns"), s("d"), NONE)).await;
    assert_eq!(got["data"]["value"], big.as_str());
}

#[wasm_bindgen_test]
async fn a_batch_failing_midway_is_put_back_and_only_quota_errors_say_full() {
    let name = Name::new("midway");
    let store = open_rust(&name).await;
    for key in ["k1", "k2", "k3"] {
        store.set("app", "a", key, &json!(key), true).await.expect("set");
    }
    store.set("app", "c", "over", &json!("old"), false).await.expect("set");
    let before = on_disk(&name).await;

    for (kind, full) in [("error", false), ("legacy", true), ("code22", true)] {
        // Removals come first, then writes in item-key order: b/x is
        // written, b/y throws, c/over is never reached.
        let watch = Watch::new(1, kind);
        let cleared = store.delete_namespace("app", "a");
        let x = store.set("app", "b", "x", &json!(1), false);
        let y = store.set("app", "b", "y", &json!(2), false);
        let over = store.set("app", "c", "over", &json!("new"), false);
        let errors = [cleared.await.err(), x.await.err(), y.await.err(), over.await.err()];
        let log = watch.log();
        drop(watch);
        for error in errors {
            match error {
                Some(Error::Storage(StorageError::Full)) if full => {}
                Some(Error::Storage(StorageError::Failed(why))) if !full => assert!(why.contains("Error: disk on fire"), "{why}"),
                other => panic!("{kind}: every call of the batch fails the same way, got {other:?}"),
            }
        }
        assert_eq!(log.len(), 5, "{kind}: b/x, b/y, then a/k3, a/k2, a/k1 put back: {log:?}");
        assert_eq!(store.get_record_count("app", Some("a")), Ok(3), "{kind}");
        assert_eq!(store.get_record_count("app", Some("b")), Ok(0), "{kind}");
        let over = store.get::<serde_json::Value>("app", "c", "over");
        assert_eq!(over, Ok(Some(json!("old"))), "{kind}");
        assert_eq!(on_disk(&name).await, before, "{kind}: storage holds exactly the pre-batch state");
    }
    store.delete_namespace("app", "a").await.expect("works once setItem does");
    assert_eq!(on_disk(&name).await.records.len(), 1);
}

/// Puts `window.localStorage` back when dropped.
struct Blocked;

impl Blocked {
    fn new() -> Blocked {
        block_local_storage();
        Blocked
    }
}

impl Drop for Blocked {
    fn drop(&mut self) {
        unblock_local_storage();
    }
}

#[wasm_bindgen_test]
async fn a_security_error_fails_open_or_falls_back_to_memory_when_asked() {
    let name = Name::new("blocked");
    let blocked = Blocked::new();
    let error = LocalStorageBackend::open(&name.0).await.err();
    let Some(StorageError::Unavailable(why)) = error else { panic!("expected Unavailable, got {error:?}") };
    assert!(why.contains("SecurityError"), "{why}");

    let message = open_js(&name.0, "").await.err().unwrap_or_default();
    assert!(message.starts_with("The storage is unavailable:") && message.contains("SecurityError"), "{message}");

    let store = open_js(&name.0, r#","fallback":"memory""#).await.expect("falls back");
    let info = as_json(&store.storage());
    assert_eq!((&info["backend"], &info["name"]), (&json!("memory"), &json!(name.0)));
    let reason = info["fallbackReason"].as_str().unwrap_or_default();
    assert!(reason.contains("SecurityError") && reason.contains("memory only"), "{reason}");
    let set = envelope(store.set(s("app"), s("ns"), s("k"), s("v"), JsValue::TRUE, NONE, NONE)).await;
    assert_eq!(set["success"], true, "the memory store works");
    drop(blocked);

    assert_eq!(count_prefix(name.keys().prefix()), 0, "nothing reached localStorage");
    let store = open_js(&name.0, r#","fallback":"memory""#).await.expect("opens");
    assert_eq!(as_json(&store.storage()), json!({ "backend": "localStorage", "name": name.0, "skipped": [] }), "no fallback once unblocked");
}

/// Prints (never asserts) the cost of a burst and of a reopen, with the
/// same burst on a memory store as the baseline of the JavaScript layer.
#[wasm_bindgen_test]
async fn timing_of_a_burst_and_of_a_reopen() {
    let name = Name::new("timing");
    let store = open_js(&name.0, "").await.expect("opens");
    envelope(store.create_instance(s("app"), NONE, NONE)).await;
    let value = JSON::parse(r#"{"user":{"name":"Ada","tags":["a","b"]},"n":1}"#).expect("JSON");
    let started = now();
    let calls = (0..1000).map(|i| JsFuture::from(store.set(s("app"), s("ns"), s(&format!("key-{i}")), value.clone(), JsValue::FALSE, NONE, NONE)));
    let answers = join_all(calls).await;
    let burst = now() - started;
    assert!(answers.iter().all(|a| a.as_ref().map(|a| as_json(a)["success"] == true).unwrap_or(false)));
    drop(store);

    let started = now();
    let reopened = open_js(&name.0, "").await.expect("reopens");
    let reopen = now() - started;
    let count = envelope(reopened.get_record_count(s("app"), NONE, NONE)).await;
    assert_eq!(count["data"]["count"], 1000);
    console_log!("localStorage: 1,000 sets fired together {burst:.1} ms; reopening a store of 1,000 records {reopen:.1} ms");
    let memory = JsKvStore::open(JsValue::UNDEFINED).await.expect("memory");
    envelope(memory.create_instance(s("app"), NONE, NONE)).await;
    let started = now();
    let calls = (0..1000).map(|i| JsFuture::from(memory.set(s("app"), s("ns"), s(&format!("key-{i}")), value.clone(), JsValue::FALSE, NONE, NONE)));
    join_all(calls).await;
    console_log!("memory: 1,000 sets fired together {:.1} ms", now() - started);
}

/// Items exactly as the last release wrote them, written here by hand,
/// open unchanged, and a write keeps the record's identity.
#[wasm_bindgen_test]
async fn items_of_the_last_release_written_by_hand_open_unchanged() {
    let name = Name::new("last-release");
    let keys = name.keys();
    let id = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";
    let record = r#"{"id":"0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d","instanceId":"6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b","namespace":"n/s","key":"k~","value":{"a":[1,"x"]},"createdAt":1764633600002,"updatedAt":1764633600003,"version":7}"#;
    let instance = r#"{"id":"6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b","name":"app","createdAt":1764633600000,"updatedAt":1764633600001,"seq":0}"#;
    let ls = storage();
    ls.set_item(&keys.meta(), "1").expect("set");
    ls.set_item(&keys.instance(id), instance).expect("set");
    ls.set_item(&format!("{}r/{id}/n~1s/k~0", keys.prefix()), record).expect("set");

    let store = open_rust(&name).await;
    assert_eq!(store.skipped_on_open(), &[] as &[String]);
    let listed = serde_json::to_value(store.list_instances()).expect("json");
    assert_eq!(listed, json!([{"id": id, "name": "app", "createdAt": "2025-12-02T00:00:00.000Z", "updatedAt": "2025-12-02T00:00:00.001Z"}]));
    assert_eq!(store.get::<Json>("app", "n/s", "k~"), Ok(Some(json!({"a": [1, "x"]}))));
    let again = store.set("app", "n/s", "k~", &2, false).await.expect("overwrite");
    assert_eq!(again.id.to_string(), "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d");
    assert_eq!(again.created_at.to_string(), "2025-12-02T00:00:00.002Z");
    assert_eq!(count_prefix(keys.prefix()), 5, "meta, version counter, count of commits, instance, record: nothing else was written");
}
