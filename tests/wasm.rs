//! The shared wasm-bindgen-test suite: one set of tests that `scripts/test.sh`
//! runs in Node, in headless Chromium and in headless Firefox (the runner
//! picks the host from the environment, so there is deliberately no
//! `wasm_bindgen_test_configure!` here).
//!
//! These tests use the pure-Rust API on wasm, with the clock and ids a
//! JavaScript host gives (`Date.now()`, `crypto.getRandomValues`).
#![cfg(target_arch = "wasm32")]

use boltkv::{Config, Error, InstanceUpdate, KvStore, MemoryBackend, Timestamp};
use wasm_bindgen_test::wasm_bindgen_test;

/// A store as a Rust program in a JavaScript host opens one: `Date.now()`
/// and `crypto.getRandomValues` behind `Config::system()`.
async fn open() -> KvStore {
    let config = Config::system().expect("the host has crypto.getRandomValues");
    KvStore::open(Box::new(MemoryBackend), config).await.expect("a memory store opens")
}

fn is_uuid_v4(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            14 => c == b'4',
            19 => matches!(c, b'8' | b'9' | b'a' | b'b'),
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(&c),
        })
}

/// `2026-11-25T20:32:38.123Z`: what `Date.prototype.toISOString` prints.
fn iso_of(ms: i64) -> String {
    js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64)).to_iso_string().into()
}

#[wasm_bindgen_test]
async fn create_instance_then_get_it_by_id_and_by_name() {
    let store = open().await;
    let before = js_sys::Date::now() as i64;
    let created = store.create_instance("shop", Some("the shop's data")).await.expect("created");
    let after = js_sys::Date::now() as i64;

    assert!(is_uuid_v4(&created.id.to_string()), "id {}", created.id);
    assert_eq!(created.name, "shop");
    assert_eq!(created.description.as_deref(), Some("the shop's data"));
    assert_eq!(created.created_at, created.updated_at);
    assert!(before <= created.created_at.0 && created.created_at.0 <= after, "clock is Date.now()");
    assert_eq!(created.created_at.to_string(), iso_of(created.created_at.0));

    let by_id = store.get_instance(&created.id.to_string()).expect("found by id");
    let by_name = store.get_instance("shop").expect("found by name");
    assert_eq!(by_id, created);
    assert_eq!(by_name, created);
    assert_eq!(store.list_instances(), vec![created]);
}

#[wasm_bindgen_test]
async fn set_then_get_gives_back_the_exact_value() {
    let store = open().await;
    let shop = store.create_instance("shop", None).await.expect("created");
    let value = serde_json::json!({ "name": "Ada", "tags": ["a", "b"], "age": 36, "ok": true, "none": null });

    let record = store.set("shop", "users", "u1", &value, false).await.expect("stored");
    assert_eq!(record.instance_id, shop.id, "instanceId is the id, never the name");
    assert_eq!((record.namespace.as_str(), record.key.as_str()), ("users", "u1"));
    assert_eq!(record.value.parse(), value);
    assert_eq!(record.created_at, record.updated_at);
    assert!(is_uuid_v4(&record.id.to_string()));

    let got = store.get_raw("shop", "users", "u1").expect("read").expect("the key exists");
    assert_eq!(got.json(), r#"{"name":"Ada","tags":["a","b"],"age":36,"ok":true,"none":null}"#);
    assert_eq!(store.get_raw("shop", "users", "nobody").expect("read"), None);
    assert_eq!(store.get_raw("no-such-instance", "users", "u1").expect("read"), None);
}

#[wasm_bindgen_test]
async fn overwrite_keeps_id_and_created_at_and_moves_updated_at() {
    let store = open().await;
    store.create_instance("shop", None).await.expect("created");
    let first = store.set("shop", "ns", "k", &serde_json::json!(1), false).await.expect("stored");
    let second = store.set("shop", "ns", "k", &serde_json::json!("two"), false).await.expect("stored");

    assert_eq!(second.id, first.id);
    assert_eq!(second.created_at, first.created_at);
    assert!(second.updated_at > first.updated_at, "{} > {}", second.updated_at, first.updated_at);
    assert_eq!(store.get_raw("shop", "ns", "k").expect("read").expect("exists").json(), r#""two""#);
    assert_eq!(store.get_record_count("shop", None).expect("counted"), 1);
}

#[wasm_bindgen_test]
async fn set_on_unknown_instance_needs_auto_create() {
    let store = open().await;
    let refused = store.set("auto", "ns", "k", &serde_json::json!(null), false).await;
    assert!(matches!(refused, Err(Error::InstanceNotFound(ref name)) if name == "auto"), "{refused:?}");
    assert!(refused.unwrap_err().to_string().contains("not found"));

    let record = store.set("auto", "ns", "k", &serde_json::json!(null), true).await.expect("stored");
    let instance = store.get_instance("auto").expect("auto-created");
    assert_eq!(record.instance_id, instance.id);
    assert_eq!(store.get_raw("auto", "ns", "k").expect("read").expect("a stored null exists").json(), "null");
}

#[wasm_bindgen_test]
async fn namespaces_counts_and_deletes() {
    let store = open().await;
    store.create_instance("i", None).await.expect("created");
    for (ns, key) in [("b", "1"), ("a", "1"), ("a", "2"), ("C", "1")] {
        store.set("i", ns, key, &serde_json::json!(key), false).await.expect("stored");
    }
    assert_eq!(store.get_namespaces("i").expect("listed"), ["C", "a", "b"]);
    assert_eq!(store.get_record_count("i", Some("a")).expect("counted"), 2);
    assert!(store.delete("i", "a", "1").await.expect("deleted"));
    assert!(!store.delete("i", "a", "1").await.expect("deleted"));
    assert_eq!(store.delete_namespace("i", "b").await.expect("deleted"), 1);
    assert_eq!(store.get_namespaces("i").expect("listed"), ["C", "a"]);
    assert!(store.delete_instance("i").await.expect("deleted"));
    assert_eq!(store.get_record_count("i", None).expect("counted"), 0);
    assert!(!store.delete_instance("i").await.expect("deleted"));
}

#[wasm_bindgen_test]
async fn update_instance_renames_and_refuses_taken_names() {
    let store = open().await;
    let a = store.create_instance("a", None).await.expect("created");
    store.create_instance("b", None).await.expect("created");
    let duplicate = store.create_instance("a", None).await;
    assert!(duplicate.unwrap_err().to_string().contains("already exists"));

    let update = InstanceUpdate { name: Some("renamed".into()), description: None };
    let renamed = store.update_instance("a", update).await.expect("renamed");
    assert_eq!((renamed.id, renamed.created_at), (a.id, a.created_at));
    assert!(renamed.updated_at > a.updated_at);
    let taken = InstanceUpdate { name: Some("b".into()), description: None };
    assert!(store.update_instance("renamed", taken).await.unwrap_err().to_string().contains("already exists"));
    let names: Vec<String> = store.list_instances().into_iter().map(|i| i.name).collect();
    assert_eq!(names, ["renamed", "b"]);
}

#[wasm_bindgen_test]
fn timestamps_print_as_javascript_does() {
    for ms in [0, 1_795_638_758_123, js_sys::Date::now() as i64, -1, 253_402_300_800_000] {
        assert_eq!(Timestamp(ms).to_string(), iso_of(ms), "{ms}");
    }
}

#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct Theme {
    mode: String,
}

#[wasm_bindgen_test]
async fn typed_values_go_in_and_come_out_as_in_native_rust() {
    let store = open().await;
    let record = store.set("app", "settings", "theme", &Theme { mode: "dark".into() }, true).await.expect("stored");
    assert!(is_uuid_v4(&record.id.to_string()), "id {}", record.id);
    assert_eq!(format!("{:?}", record.id), format!("Uuid({})", record.id));
    assert_eq!(record.created_at.to_string(), iso_of(record.created_at.0));
    let theme: Option<Theme> = store.get("app", "settings", "theme").expect("read");
    assert_eq!(theme, Some(Theme { mode: "dark".into() }));

    let wrong = store.get::<Vec<u8>>("app", "settings", "theme").err();
    assert!(matches!(&wrong, Some(Error::WrongType { type_name: "alloc::vec::Vec<u8>", .. })), "{wrong:?}");
    assert_eq!(wrong.map(|e| e.code().as_str()), Some("INVALID_ARGUMENT"));
    let nan = store.set("app", "settings", "ratio", &f64::NAN, false).await.err();
    let sentence = "JSON cannot represent it: NaN at the top level has no JSON form; store null or a string instead.";
    assert_eq!(nan, Some(Error::InvalidValue(sentence.to_string())));
    assert_eq!(store.get_record_count("app", None), Ok(1));
}

#[wasm_bindgen_test]
fn timestamps_convert_to_and_from_system_time() {
    let ms = js_sys::Date::now() as i64;
    let time = std::time::SystemTime::try_from(Timestamp(ms)).expect("within SystemTime");
    assert_eq!(time.duration_since(std::time::UNIX_EPOCH).ok().map(|d| d.as_millis()), Some(ms as u128));
    assert_eq!(Timestamp::try_from(time), Ok(Timestamp(ms)));
}
