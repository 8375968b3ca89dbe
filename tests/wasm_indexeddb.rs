//! The IndexedDB backend in a real browser (headless Chromium and Firefox):
//! data back after a reopen, group commit, range deletes with awkward
//! names, and every fault the backend handles, each injected from here
//! with raw IndexedDB or by wrapping a platform method for one call.
//! Browser-only: Node has no IndexedDB.
#![cfg(target_arch = "wasm32")]

use boltkv::wasm::JsKvStore;
use boltkv::{Config, IndexedDbBackend, KvStore};
use js_sys::{Array, Function, JSON, Promise};
use serde_json::{Value as Json, json};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{IdbDatabase, IdbFactory, IdbRequest};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance)]
    fn now() -> f64;
}

fn s(text: &str) -> JsValue {
    JsValue::from_str(text)
}

fn js(json: &str) -> JsValue {
    JSON::parse(json).expect("test JSON parses")
}

const NONE: JsValue = JsValue::UNDEFINED;

/// Runs a piece of test JavaScript (to wrap or restore a platform method).
fn run(body: &str) -> JsValue {
    Function::new_no_args(body).call0(&NONE).expect("test JavaScript runs")
}

/// A database name no other test (or earlier run) uses.
fn unique(test: &str) -> String {
    format!("{test}-{}", (js_sys::Math::random() * 1e12) as u64)
}

fn options(name: &str, extra: &str) -> JsValue {
    js(&format!(r#"{{"backend":"indexeddb","name":{}{extra}}}"#, json!(name)))
}

async fn open(name: &str) -> JsKvStore {
    let opened = JsKvStore::open(options(name, "")).await.map_err(JsValue::from);
    opened.unwrap_or_else(|e| panic!("the store opens: {e:?}"))
}

/// Why `open` rejected, or `None` if it opened.
async fn refusal(options: JsValue) -> Option<String> {
    let refused = JsKvStore::open(options).await.err().map(JsValue::from)?;
    Some(refused.dyn_into::<js_sys::Error>().map(|e| String::from(e.message())).unwrap_or_default())
}

fn to_json(value: &JsValue) -> Json {
    let text: String = JSON::stringify(value).map(String::from).unwrap_or_default();
    serde_json::from_str(&text).unwrap_or(Json::Null)
}

async fn envelope(call: Promise) -> Json {
    to_json(&JsFuture::from(call).await.expect("calls resolve, never reject"))
}

async fn set(store: &JsKvStore, instance: &str, ns: &str, key: &str, value: Json) -> Json {
    envelope(store.set(s(instance), s(ns), s(key), js(&value.to_string()), JsValue::TRUE, NONE, NONE)).await
}

/// Everything a store shows: its instances, oldest first, each with all of
/// its records (ids and times included).
async fn state(store: &JsKvStore) -> Json {
    let list = envelope(store.list_instances(NONE)).await;
    let mut out = Vec::new();
    for instance in list["data"]["instances"].as_array().cloned().unwrap_or_default() {
        let query = json!({"from": {"instance": instance["id"]}, "limit": 1_000_000});
        let records = envelope(store.query(js(&query.to_string()), NONE)).await;
        out.push(json!({"instance": instance, "records": records["data"]["result"]["records"]}));
    }
    Json::Array(out)
}

fn factory() -> IdbFactory {
    web_sys::window().and_then(|w| w.indexed_db().ok().flatten()).expect("the test page has indexedDB")
}

/// Waits for a raw request's success.
async fn done(request: &IdbRequest) -> JsValue {
    let promise = Promise::new(&mut |resolve, reject| {
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&reject));
    });
    JsFuture::from(promise).await.expect("the raw request succeeds");
    request.result().unwrap_or(NONE)
}

/// Puts `value` under `key` in `store` of the store's database, raw.
async fn raw_put(name: &str, store: &str, key: JsValue, value: JsValue) {
    let request = factory().open_with_u32(&format!("boltkv:{name}"), 1).expect("open");
    let db: IdbDatabase = done(&request).await.dyn_into().expect("a database");
    let tx = db.transaction_with_str_and_mode(store, web_sys::IdbTransactionMode::Readwrite).expect("tx");
    done(&tx.object_store(store).and_then(|s| s.put_with_key(&value, &key)).expect("put")).await;
    db.close();
}

/// How many readwrite transactions the page has started so far; the
/// first call wraps `IDBDatabase.prototype.transaction` to count them (and
/// to remember the last database written, for the connection tests).
fn write_transactions() -> u32 {
    run("if (!globalThis.__idb) {
           const orig = IDBDatabase.prototype.transaction;
           globalThis.__idb = { rw: 0, db: null };
           IDBDatabase.prototype.transaction = function (names, mode) {
             if (mode === 'readwrite') { __idb.rw++; __idb.db = this; }
             return orig.apply(this, arguments);
           };
         }
         return __idb.rw;")
    .as_f64()
    .unwrap_or_default() as u32
}

#[wasm_bindgen_test]
async fn a_reopened_store_finds_instances_records_ids_times_and_order() {
    let name = unique("reopen");
    let store = open(&name).await;
    for (instance, description) in [("zeta", "last by name, first by age"), ("alpha", ""), ("mid", "m")] {
        let made = envelope(store.create_instance(s(instance), s(description), NONE)).await;
        assert_eq!(made["success"], true, "{made}");
    }
    set(&store, "zeta", "users", "u1", json!({"name": "Ada"})).await;
    set(&store, "zeta", "users", "u2", json!([1, null, "\u{0}"])).await;
    set(&store, "alpha", "cfg", "theme", json!("dark")).await;
    let first = set(&store, "zeta", "users", "u1", json!({"name": "Grace"})).await;
    envelope(store.update_instance(s("mid"), js(r#"{"name":"middle","description":null}"#), NONE)).await;
    envelope(store.delete(s("alpha"), s("cfg"), s("theme"), NONE, NONE)).await;
    let before = state(&store).await;
    assert_eq!(to_json(&store.storage()), json!({"backend": "indexeddb", "name": name, "skipped": []}));
    drop(store);

    let store = open(&name).await;
    assert_eq!(state(&store).await, before);
    let names: Vec<&str> = before.as_array().into_iter().flatten().filter_map(|i| i["instance"]["name"].as_str()).collect();
    assert_eq!(names, ["zeta", "alpha", "middle"]);
    // Overwriting after a reopen keeps the first id and createdAt.
    let again = set(&store, "zeta", "users", "u1", json!(3)).await;
    assert_eq!(again["data"]["record"]["id"], first["data"]["record"]["id"]);
    assert_eq!(again["data"]["record"]["createdAt"], first["data"]["record"]["createdAt"]);
    drop(store);

    // The Rust API opens the same database.
    let config = Config::system().expect("crypto is there");
    let backend = IndexedDbBackend::open(&name).await.expect("the backend opens");
    let rust = KvStore::open(Box::new(backend), config).await.expect("the store opens");
    assert!(rust.skipped_on_open().is_empty());
    let value = rust.get::<serde_json::Value>("zeta", "users", "u1").expect("get works");
    assert_eq!(value, Some(json!(3)));
}

#[wasm_bindgen_test]
async fn ten_thousand_sets_fired_together_commit_in_batches_of_a_thousand_and_survive_a_reopen() {
    let name = unique("burst");
    let store = open(&name).await;
    envelope(store.create_instance(s("bulk"), NONE, NONE)).await;
    let transactions = write_transactions();
    let started = now();
    let calls: Array = (0..10_000)
        .map(|i| JsValue::from(store.set(s("bulk"), s("ns"), s(&format!("k{i}")), js(&format!(r#"{{"n":{i},"text":"some text"}}"#)), NONE, NONE, NONE)))
        .collect();
    let answers = JsFuture::from(Promise::all(&calls)).await.expect("all resolve");
    let burst = now() - started;
    assert_eq!(write_transactions() - transactions, 10, "one transaction per batch of 1,000 sets");
    let answers = to_json(&answers);
    assert!(answers.as_array().is_some_and(|a| a.len() == 10_000 && a.iter().all(|e| e["success"] == true)));
    drop(store);

    let started = now();
    let store = open(&name).await;
    let reopen = now() - started;
    let count = envelope(store.get_record_count(s("bulk"), NONE, NONE)).await;
    assert_eq!(count["data"]["count"], 10_000);
    let got = envelope(store.get(s("bulk"), s("ns"), s("k9999"), NONE)).await;
    assert_eq!(got["data"]["value"], json!({"n": 9999, "text": "some text"}));
    console_log!("TIMING burst of 10,000 sets: {burst:.1} ms; reopen of 10,000 records: {reopen:.1} ms");
}

#[wasm_bindgen_test]
async fn range_deletes_remove_exactly_their_namespace_or_instance_across_a_reopen() {
    let name = unique("ranges");
    let store = open(&name).await;
    let namespaces = ["a", "a\u{0}", "a\u{0}b", "ab", "a\u{FFFF}", "\u{0}", "\u{FFFF}", "\u{FFFF}\u{FFFF}", "😀", "😀😀", "b"];
    let keys = ["\u{0}", "k", "\u{FFFF}", "😀"];
    for instance in ["one", "two", "three"] {
        for ns in namespaces {
            for key in keys {
                assert_eq!(set(&store, instance, ns, key, json!(1)).await["success"], true);
            }
        }
    }
    let deleted = |answer: Json| answer["data"]["deletedCount"].clone();
    assert_eq!(deleted(envelope(store.delete_namespace(s("one"), s("a"), NONE)).await), 4);
    assert_eq!(deleted(envelope(store.delete_namespace(s("one"), s("\u{FFFF}"), NONE)).await), 4);
    assert_eq!(deleted(envelope(store.delete_namespace(s("one"), s("😀"), NONE)).await), 4);
    assert_eq!(deleted(envelope(store.delete_namespace(s("three"), s("\u{0}"), NONE)).await), 4);
    assert_eq!(envelope(store.delete_instance(s("two"), NONE)).await["data"]["deleted"], true);
    let before = state(&store).await;
    drop(store);

    let store = open(&name).await;
    assert_eq!(state(&store).await, before);
    for (instance, gone) in [("one", &["a", "\u{FFFF}", "😀"][..]), ("three", &["\u{0}"][..])] {
        let answer = envelope(store.get_namespaces(s(instance), NONE)).await;
        let mut found: Vec<String> = serde_json::from_value(answer["data"]["namespaces"].clone()).unwrap_or_default();
        let mut kept: Vec<&str> = namespaces.iter().copied().filter(|n| !gone.contains(n)).collect();
        found.sort();
        kept.sort();
        assert_eq!(found, kept, "{instance}");
    }
    assert_eq!(envelope(store.get_instance(s("two"), NONE)).await["success"], false);
    for (instance, count) in [("one", 4 * 8), ("three", 4 * 10)] {
        assert_eq!(envelope(store.get_record_count(s(instance), NONE, NONE)).await["data"]["count"], count);
    }
}

#[wasm_bindgen_test]
async fn a_record_that_does_not_decode_is_skipped_and_reported_while_the_rest_loads() {
    let name = unique("corrupt");
    let store = open(&name).await;
    set(&store, "app", "ns", "good", json!("kept")).await;
    let id = envelope(store.get_instance(s("app"), NONE)).await["data"]["instance"]["id"].clone();
    drop(store);
    let id = id.as_str().unwrap_or_default();
    raw_put(&name, "records", s(&format!("r/{id}/ns/bad")), s("{not json")).await;
    raw_put(&name, "records", s(&format!("r/{id}/ns/number")), JsValue::from(42)).await;

    let store = open(&name).await;
    let skipped = to_json(&store.storage())["skipped"].clone();
    let skipped: Vec<&str> = skipped.as_array().into_iter().flatten().filter_map(Json::as_str).collect();
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert!(skipped.iter().any(|s| s.contains(&format!(r#""r/{id}/ns/bad""#)) && s.contains("not a record document")), "{skipped:?}");
    assert!(skipped.iter().any(|s| s.contains(&format!(r#""r/{id}/ns/number""#)) && s.contains("not a string")), "{skipped:?}");
    assert_eq!(envelope(store.get(s("app"), s("ns"), s("good"), NONE)).await["data"]["value"], "kept");
    assert_eq!(envelope(store.get_record_count(s("app"), NONE, NONE)).await["data"]["count"], 1);
}

#[wasm_bindgen_test]
async fn a_record_whose_instance_is_not_stored_is_skipped_and_reported() {
    let name = unique("orphan");
    let store = open(&name).await;
    set(&store, "app", "ns", "good", json!("kept")).await;
    drop(store);
    let gone = "0b0e7f3c-7a1d-4c55-9a3e-2f1c8d6b5e40";
    let doc = json!({
        "id": "5f2b8c1e-3d4a-4b6c-8e7f-9a0b1c2d3e4f", "instanceId": gone, "namespace": "ns", "key": "orphan",
        "value": {"a": 1}, "createdAt": 1, "updatedAt": 2, "version": 3
    });
    raw_put(&name, "records", s(&format!("r/{gone}/ns/orphan")), s(&doc.to_string())).await;

    let store = open(&name).await;
    let skipped = to_json(&store.storage())["skipped"].clone();
    let want = format!(r#"The stored item "r/{gone}/ns/orphan" was skipped: its instance {gone} is not stored."#);
    assert_eq!(skipped, json!([want]));
    assert_eq!(envelope(store.get_record_count(s("app"), NONE, NONE)).await["data"]["count"], 1);
}

/// Rewrites a store's database into layout 1, as the boltkv before string
/// keys wrote it: records under `[instanceId, namespace, key]` arrays and
/// `{ format: 1 }` in meta; plus one foreign item under another array key.
/// Resolves with the number of records rewritten.
async fn rewrite_as_layout_1(name: &str) -> JsValue {
    let body = r#"return new Promise((resolve, reject) => {
      const q = indexedDB.open('boltkv:' + NAME, 1);
      q.onerror = () => reject(q.error);
      q.onsuccess = () => {
        const db = q.result;
        const tx = db.transaction(['records', 'meta'], 'readwrite');
        const records = tx.objectStore('records');
        const keys = records.getAllKeys();
        const docs = records.getAll();
        docs.onsuccess = () => {
          keys.result.forEach((key, i) => {
            const doc = JSON.parse(docs.result[i]);
            records.delete(key);
            records.put(docs.result[i], [doc.instanceId, doc.namespace, doc.key]);
          });
          records.put('foreign', ['not', 'a triple']);
          tx.objectStore('meta').put({ format: 1 }, 'format');
        };
        tx.oncomplete = () => { db.close(); resolve(keys.result.length); };
        tx.onerror = () => reject(tx.error);
      };
    });"#;
    let promise = run(&body.replace("NAME", &json!(name).to_string()));
    JsFuture::from(Promise::from(promise)).await.expect("the rewrite succeeds")
}

/// The keys of the records store and the stored layout, raw.
async fn raw_keys_and_layout(name: &str) -> Json {
    let request = factory().open_with_u32(&format!("boltkv:{name}"), 1).expect("open");
    let db: IdbDatabase = done(&request).await.dyn_into().expect("a database");
    let tx = db.transaction_with_str_sequence(&Array::of2(&s("records"), &s("meta"))).expect("tx");
    let keys = done(&tx.object_store("records").and_then(|r| r.get_all_keys()).expect("getAllKeys")).await;
    let meta = done(&tx.object_store("meta").and_then(|m| m.get(&s("format"))).expect("get")).await;
    db.close();
    json!({"keys": to_json(&keys), "meta": to_json(&meta)})
}

#[wasm_bindgen_test]
async fn a_database_of_the_array_key_layout_is_moved_to_string_keys_as_it_opens_and_loses_nothing() {
    let name = unique("layout1");
    let store = open(&name).await;
    for (ns, key) in [("ns", "k"), ("ns", "a/b~c"), ("other", "k"), ("n/s", "\u{1F600}")] {
        assert_eq!(set(&store, "app", ns, key, json!({"at": key})).await["success"], true);
    }
    set(&store, "second", "ns", "k", json!(2)).await;
    let before = state(&store).await;
    drop(store);
    assert_eq!(rewrite_as_layout_1(&name).await, 5);

    let store = open(&name).await;
    assert_eq!(state(&store).await, before, "ids, times, values and order are kept");
    let skipped = to_json(&store.storage())["skipped"].clone();
    assert!(
        skipped.as_array().is_some_and(|s| s.len() == 1 && s[0].as_str().is_some_and(|t| t.contains(r#""[\"not\",\"a triple\"]" was skipped"#))),
        "only the foreign item is skipped: {skipped}"
    );
    let raw = raw_keys_and_layout(&name).await;
    assert_eq!(raw["meta"], json!({"format": 2}));
    let keys = raw["keys"].as_array().cloned().unwrap_or_default();
    assert_eq!(keys.iter().filter(|k| k.as_str().is_some_and(|k| k.starts_with("r/"))).count(), 5, "{keys:?}");
    assert_eq!(keys.last(), Some(&json!(["not", "a triple"])), "the foreign item is left as it was");

    // The moved records answer range deletes, and all of it survives a reopen.
    assert_eq!(envelope(store.delete_namespace(s("app"), s("ns"), NONE)).await["data"]["deletedCount"], 2);
    let after = state(&store).await;
    drop(store);
    let store = open(&name).await;
    assert_eq!(state(&store).await, after);
    assert_eq!(envelope(store.get_record_count(s("app"), NONE, NONE)).await["data"]["count"], 2);
}

#[wasm_bindgen_test]
async fn an_unknown_format_fails_open_clearly_or_falls_back_when_asked() {
    let name = unique("format");
    drop(open(&name).await);
    raw_put(&name, "meta", s("format"), js(r#"{"format":999}"#)).await;
    let refused = refusal(options(&name, "")).await.unwrap_or_default();
    assert!(refused.starts_with("The storage is unavailable:"), "{refused}");
    assert!(refused.contains("format 999") && refused.contains("reads formats 1 and 2 only"), "{refused}");

    let store = JsKvStore::open(options(&name, r#","fallback":"memory""#)).await.map_err(JsValue::from).expect("falls back");
    let storage = to_json(&store.storage());
    assert_eq!(storage["backend"], "memory");
    assert!(storage["fallbackReason"].as_str().is_some_and(|r| r.contains("format 999")), "{storage}");
}

#[wasm_bindgen_test]
async fn missing_or_refused_indexeddb_fails_open_or_falls_back_to_memory() {
    let name = unique("missing");
    run("globalThis.__saved = Object.getOwnPropertyDescriptor(globalThis, 'indexedDB');
         Object.defineProperty(globalThis, 'indexedDB', { value: undefined, configurable: true, writable: true });");
    let refused = refusal(options(&name, "")).await;
    let fallback = JsKvStore::open(options(&name, r#","fallback":"memory""#)).await.map_err(JsValue::from);
    run("if (__saved) Object.defineProperty(globalThis, 'indexedDB', __saved); else delete globalThis.indexedDB;");
    let refused = refused.unwrap_or_default();
    assert!(refused.contains("unavailable") && refused.contains("no indexedDB"), "{refused}");
    let store = fallback.expect("falls back to memory");
    let storage = to_json(&store.storage());
    assert_eq!(storage["backend"], "memory");
    assert_eq!(storage["name"], name.as_str());
    assert!(storage["fallbackReason"].as_str().is_some_and(|r| r.contains("no indexedDB")), "{storage}");
    assert_eq!(set(&store, "app", "ns", "k", json!(1)).await["success"], true);

    // open() throwing, as in some private modes.
    run("const orig = IDBFactory.prototype.open;
         IDBFactory.prototype.open = function () {
           IDBFactory.prototype.open = orig;
           throw new DOMException('The operation is insecure.', 'SecurityError');
         };");
    let refused = refusal(options(&name, "")).await.unwrap_or_default();
    assert!(refused.contains("SecurityError: The operation is insecure"), "{refused}");
}

#[wasm_bindgen_test]
async fn a_database_deleted_under_an_open_store_is_recreated_and_later_writes_persist() {
    let name = unique("deleted");
    let store = open(&name).await;
    set(&store, "app", "ns", "before", json!(1)).await;
    done(&factory().delete_database(&format!("boltkv:{name}")).expect("deleteDatabase")).await;

    assert_eq!(set(&store, "app", "ns", "after", json!(2)).await["success"], true);
    set(&store, "other", "ns", "new", json!(3)).await;
    // The open store still shows what was written before the deletion...
    assert_eq!(envelope(store.get_record_count(s("app"), NONE, NONE)).await["data"]["count"], 2);
    let app = envelope(store.get_instance(s("app"), NONE)).await["data"]["instance"].clone();
    drop(store);

    // ...and a reopen finds the instances and the later writes only.
    let store = open(&name).await;
    assert_eq!(to_json(&store.storage())["skipped"], json!([]));
    assert_eq!(envelope(store.get_instance(s("app"), NONE)).await["data"]["instance"], app);
    assert_eq!(envelope(store.get(s("app"), s("ns"), s("after"), NONE)).await["data"]["value"], 2);
    assert_eq!(envelope(store.get(s("app"), s("ns"), s("before"), NONE)).await["data"]["exists"], false);
    assert_eq!(envelope(store.get(s("other"), s("ns"), s("new"), NONE)).await["data"]["value"], 3);
}

/// Sets three writes in one batch (an overwrite, a new key, a namespace
/// delete) while `inject` breaks its transaction; each must fail with
/// `words`, and memory must equal what a reopen loads.
async fn a_broken_batch_fails_whole(inject: &str, words: &str) {
    let name = unique("broken");
    let store = open(&name).await;
    set(&store, "app", "ns", "kept", json!("first")).await;
    set(&store, "app", "other", "x", json!(0)).await;
    let before = state(&store).await;
    run(inject);
    let calls = [
        store.set(s("app"), s("ns"), s("kept"), s("second"), NONE, NONE, NONE),
        store.set(s("app"), s("ns"), s("boom"), s("new"), NONE, NONE, NONE),
        store.delete_namespace(s("app"), s("other"), NONE),
    ];
    for call in calls {
        let answer = envelope(call).await;
        assert_eq!(answer["success"], false, "{answer}");
        assert!(answer["error"].as_str().is_some_and(|e| e.contains(words)), "{answer}");
    }
    assert_eq!(state(&store).await, before);
    // The store keeps working, and the next write lands.
    assert_eq!(set(&store, "app", "ns", "later", json!(1)).await["success"], true);
    let after = state(&store).await;
    drop(store);
    assert_eq!(state(&open(&name).await).await, after);
}

#[wasm_bindgen_test]
async fn an_aborted_transaction_fails_every_call_of_its_batch_and_memory_matches_disk() {
    a_broken_batch_fails_whole(
        "const orig = IDBTransaction.prototype.commit;
         IDBTransaction.prototype.commit = function () { IDBTransaction.prototype.commit = orig; this.abort(); };",
        "The storage failed to save the change: IndexedDB did not commit the transaction (AbortError",
    )
    .await;
}

#[wasm_bindgen_test]
async fn a_request_that_throws_fails_every_call_of_its_batch_and_memory_matches_disk() {
    a_broken_batch_fails_whole(
        "const orig = IDBObjectStore.prototype.put;
         IDBObjectStore.prototype.put = function (value, key) {
           if (typeof key === 'string' && key.endsWith('/boom')) {
             IDBObjectStore.prototype.put = orig;
             throw new DOMException('Injected failure.', 'DataError');
           }
           return orig.apply(this, arguments);
         };",
        "(DataError: Injected failure)",
    )
    .await;
}

/// A real quota abort cannot be produced from here; this aborts the
/// transaction as Chrome does when the quota runs out (only `abort` fires,
/// with `transaction.error` a QuotaExceededError).
#[wasm_bindgen_test]
async fn a_quota_abort_says_the_storage_is_full_and_memory_matches_disk() {
    a_broken_batch_fails_whole(
        "const orig = IDBTransaction.prototype.commit;
         IDBTransaction.prototype.commit = function () {
           IDBTransaction.prototype.commit = orig;
           Object.defineProperty(this, 'error', { value: new DOMException('Quota exceeded.', 'QuotaExceededError') });
           this.abort();
         };",
        "The storage is full (quota exceeded)",
    )
    .await;
}

#[wasm_bindgen_test]
async fn a_closed_connection_is_reopened_or_fails_clearly_after_bounded_retries() {
    let name = unique("closed");
    let store = open(&name).await;
    write_transactions();
    set(&store, "app", "ns", "one", json!(1)).await;
    // The browser closing the connection (as when site data is cleared).
    let close = "__idb.db.close(); __idb.db.dispatchEvent(new Event('close'));";
    run(close);
    assert_eq!(set(&store, "app", "ns", "two", json!(2)).await["success"], true);

    run(close);
    run("const orig = IDBFactory.prototype.open;
         globalThis.__refused = 0;
         IDBFactory.prototype.open = function () {
           if (++__refused === 3) IDBFactory.prototype.open = orig;
           throw new DOMException('Injected refusal.', 'UnknownError');
         };");
    let failed = set(&store, "app", "ns", "three", json!(3)).await;
    assert_eq!(failed["success"], false);
    let error = failed["error"].as_str().unwrap_or_default();
    assert!(error.contains("could not be reopened in 3 attempts (IndexedDB cannot open"), "{error}");
    assert!(error.contains("UnknownError: Injected refusal"), "{error}");
    assert_eq!(envelope(store.get(s("app"), s("ns"), s("three"), NONE)).await["data"]["exists"], false);

    assert_eq!(set(&store, "app", "ns", "four", json!(4)).await["success"], true);
    let after = state(&store).await;
    drop(store);
    assert_eq!(state(&open(&name).await).await, after);
}

/// Waits (boundedly) until `seen` holds, giving the browser turns to deliver
/// messages between checks.
async fn eventually(mut seen: impl AsyncFnMut() -> bool) -> bool {
    for _ in 0..100 {
        if seen().await {
            return true;
        }
        let turn = Promise::new(&mut |resolve, _| {
            let _ = web_sys::window().map(|w| w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 10));
        });
        let _ = JsFuture::from(turn).await;
    }
    false
}

#[wasm_bindgen_test]
async fn two_stores_on_one_database_see_each_others_commits() {
    let name = unique("tabs");
    let (a, b) = (open(&name).await, open(&name).await);
    let created = set(&a, "app", "ns", "k", json!({"from": "a"})).await;
    assert_eq!(created["success"], true);
    let arrived = eventually(async || envelope(b.get(s("app"), s("ns"), s("k"), NONE)).await["data"]["exists"] == true).await;
    assert!(arrived, "b hears of a's commit");
    let overwritten = set(&b, "app", "ns", "k", json!({"from": "b"})).await;
    assert_eq!(overwritten["data"]["record"]["id"], created["data"]["record"]["id"], "the first id is kept");
    assert_eq!(overwritten["data"]["record"]["createdAt"], created["data"]["record"]["createdAt"]);
    let back = eventually(async || envelope(a.get(s("app"), s("ns"), s("k"), NONE)).await["data"]["value"] == json!({"from": "b"})).await;
    assert!(back, "a hears of b's overwrite");
    let removed = envelope(b.delete_namespace(s("app"), s("ns"), NONE)).await;
    assert_eq!(removed["data"]["deletedCount"], 1);
    let gone = eventually(async || envelope(a.get_record_count(s("app"), NONE, NONE)).await["data"]["count"] == 0).await;
    assert!(gone, "a hears of b's namespace delete");
    assert_eq!(state(&a).await, state(&b).await);
}

/// A database exactly as the last release wrote it (layout 2: records under
/// string keys, instances by id, `{ format: 2 }` in meta, no format item),
/// written here by hand: it opens unchanged, and the first commit adds the
/// format item beside what was there.
#[wasm_bindgen_test]
async fn a_database_of_the_last_release_written_by_hand_opens_unchanged() {
    let name = unique("last-release");
    let body = r#"return new Promise((resolve, reject) => {
      const q = indexedDB.open('boltkv:' + NAME, 1);
      q.onupgradeneeded = () => {
        const db = q.result;
        db.createObjectStore('records');
        db.createObjectStore('instances');
        db.createObjectStore('meta').put({ format: 2 }, 'format');
      };
      q.onerror = () => reject(q.error);
      q.onsuccess = () => {
        const db = q.result;
        const tx = db.transaction(['records', 'instances'], 'readwrite');
        const id = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
        tx.objectStore('instances').put(JSON.stringify({ id, name: 'app', description: 'd', createdAt: 1764633600000, updatedAt: 1764633600001, seq: 0 }), id);
        tx.objectStore('records').put('{"id":"0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d","instanceId":"' + id + '","namespace":"n/s","key":"k~","value":{"a":[1,"x"]},"createdAt":1764633600002,"updatedAt":1764633600003,"version":7}', 'r/' + id + '/n~1s/k~0');
        tx.oncomplete = () => { db.close(); resolve(); };
        tx.onerror = () => reject(tx.error);
      };
    });"#;
    JsFuture::from(Promise::from(run(&body.replace("NAME", &json!(name).to_string())))).await.expect("written by hand");

    let store = open(&name).await;
    assert_eq!(to_json(&store.storage())["skipped"], json!([]));
    assert_eq!(state(&store).await, json!([{
        "instance": {"id": "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b", "name": "app", "description": "d",
                     "createdAt": "2025-12-02T00:00:00.000Z", "updatedAt": "2025-12-02T00:00:00.001Z"},
        "records": [{"id": "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d", "instanceId": "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b",
                     "namespace": "n/s", "key": "k~", "value": {"a": [1, "x"]},
                     "createdAt": "2025-12-02T00:00:00.002Z", "updatedAt": "2025-12-02T00:00:00.003Z", "version": 7}]
    }]));
    let again = set(&store, "app", "n/s", "k~", json!(2)).await;
    assert_eq!(again["data"]["record"]["id"], json!("0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d"));
    drop(store);
    let raw = raw_keys_and_layout(&name).await;
    assert_eq!(raw["meta"], json!({"format": 2}), "the driver's layout stays");
    assert_eq!(raw["keys"], json!(["r/6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b/n~1s/k~0"]));
    let reopened = open(&name).await;
    assert_eq!(envelope(reopened.get(s("app"), s("n/s"), s("k~"), NONE)).await["data"], json!({"value": 2, "exists": true}));
}
