//! The Rust face of the store: any `Serialize` value in, any
//! `DeserializeOwned` type out, held to the rules JavaScript values meet;
//! readable ids and times; records and instances in the envelope's shape.

mod common;

use std::collections::{BTreeMap, HashMap};

use boltkv::{Config, Error, Field, KvStore, Limits, MemoryBackend, Query, Record};
use common::{CountingIds, TestClock, open};
use futures::executor::block_on;
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Theme {
    mode: String,
}

/// 2026-12-02T00:43:09.478Z
const NOW: i64 = 1_796_172_189_478;

fn store() -> KvStore {
    let clock = TestClock::default();
    clock.0.set(NOW);
    open(Box::new(MemoryBackend), &clock)
}

fn limited(limits: Limits) -> KvStore {
    let config = Config { limits, clock: Box::new(TestClock::default()), ids: Box::new(CountingIds::default()) };
    block_on(KvStore::open(Box::new(MemoryBackend), config)).expect("the limits are usable")
}

fn set<T: Serialize + ?Sized>(store: &KvStore, key: &str, value: &T) -> Result<Record, Error> {
    block_on(store.set("app", "settings", key, value, true))
}

fn refused(why: &str) -> Result<Record, Error> {
    Err(Error::InvalidValue(why.to_string()))
}

#[test]
fn a_struct_goes_in_and_comes_back_with_a_readable_id_and_time() {
    let store = store();
    let record = set(&store, "theme", &Theme { mode: "dark".into() }).expect("stored");
    // Ids count up in tests: the instance took 1, the record 2.
    assert_eq!(record.id.to_string(), "00000000-0000-0000-0000-000000000002");
    assert_eq!(record.created_at.to_string(), "2026-12-02T00:43:09.478Z");
    assert_eq!(format!("{} at {}", record.id, record.created_at), "00000000-0000-0000-0000-000000000002 at 2026-12-02T00:43:09.478Z");
    assert_eq!(record.value.json(), r#"{"mode":"dark"}"#);
    let theme: Option<Theme> = store.get("app", "settings", "theme").expect("read");
    assert_eq!(theme, Some(Theme { mode: "dark".into() }));
    assert_eq!(store.get::<Theme>("app", "settings", "missing"), Ok(None));
    assert_eq!(store.get::<Theme>("no-such-app", "settings", "theme"), Ok(None));
}

#[test]
fn the_three_ways_in_store_the_same_text() {
    let store = store();
    let typed = set(&store, "a", &Theme { mode: "dark".into() }).expect("typed");
    let tree = block_on(store.set_json_value("app", "settings", "b", &json!({"mode": "dark"}), false)).expect("tree");
    let text = block_on(store.set_json("app", "settings", "c", r#"{"mode":"dark"}"#, false)).expect("text");
    assert_eq!([typed.value.json(), tree.value.json(), text.value.json()], [r#"{"mode":"dark"}"#; 3]);
    assert_eq!(store.get::<Theme>("app", "settings", "c"), Ok(Some(Theme { mode: "dark".into() })));
    assert_eq!(store.get_raw("app", "settings", "b").map(|v| v.map(|v| v.to_string())), Ok(Some(r#"{"mode":"dark"}"#.into())));
}

#[test]
fn non_finite_numbers_are_refused_with_javascripts_sentence() {
    #[derive(Serialize)]
    struct Ratio {
        ratio: f32,
    }
    let store = store();
    let sentence = |what: &str| format!("JSON cannot represent it: {what} has no JSON form; store null or a string instead.");
    assert_eq!(set(&store, "k", &f64::NAN), refused(&sentence("NaN at the top level")));
    assert_eq!(set(&store, "k", &Ratio { ratio: f32::INFINITY }), refused(&sentence("Infinity under the key \"ratio\"")));
    assert_eq!(set(&store, "k", &vec![1.0, f64::NEG_INFINITY]), refused(&sentence("-Infinity under the key \"1\"")));
    let nested = BTreeMap::from([("a \"b\"", vec![Some(f64::NAN)])]);
    assert_eq!(set(&store, "k", &nested), refused(&sentence("NaN under the key \"0\"")));
    assert_eq!(set(&store, "k", &json!({"x": 1.5})).map(|r| r.value.to_string()), Ok(r#"{"x":1.5}"#.into()));
    assert_eq!(store.get_record_count("app", None), Ok(1), "only the finite value was stored");
}

#[test]
fn map_keys_must_be_strings() {
    #[derive(Serialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
    enum Mode {
        Dark,
    }
    let store = store();
    let integer_keys = HashMap::from([(1u32, "one")]);
    assert_eq!(
        set(&store, "k", &integer_keys),
        refused("a map key is an integer, but JSON object keys are strings; use String keys (or convert the map first).")
    );
    let bool_keys = BTreeMap::from([(true, 1)]);
    assert_eq!(
        set(&store, "k", &bool_keys),
        refused("a map key is a bool, but JSON object keys are strings; use String keys (or convert the map first).")
    );
    let named = set(&store, "k", &BTreeMap::from([(Mode::Dark, 1)])).map(|r| r.value.to_string());
    assert_eq!(named, Ok(r#"{"Dark":1}"#.into()), "a unit variant is written as its name");
    let chars = set(&store, "k", &BTreeMap::from([('x', 1)])).map(|r| r.value.to_string());
    assert_eq!(chars, Ok(r#"{"x":1}"#.into()));
}

/// The text a value is stored as, or why it was refused.
fn written<T: Serialize + ?Sized>(store: &KvStore, value: &T) -> Result<String, Error> {
    block_on(store.set("app", "ns", "k", value, true)).map(|record| record.value.to_string())
}

/// Writes bytes, which serde_json makes an array of numbers.
struct Bytes;

impl Serialize for Bytes {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(&[1, 2])
    }
}

#[test]
fn depth_counts_every_array_and_object_serde_json_writes() {
    #[derive(Serialize)]
    enum Shape {
        Wrapped(Vec<u8>),
        Pair(u8, u8),
    }
    let store = limited(Limits { max_depth: 2, ..Limits::default() });
    assert_eq!(written(&store, &vec![vec![1]]), Ok("[[1]]".into()));
    assert_eq!(written(&store, &vec![vec![vec![1]]]), Err(Error::ValueTooDeep { max: 2 }));
    assert_eq!(written(&store, &Shape::Wrapped(vec![1])), Ok(r#"{"Wrapped":[1]}"#.into()));
    assert_eq!(written(&store, &vec![Shape::Pair(1, 2)]), Err(Error::ValueTooDeep { max: 2 }));
    assert_eq!(written(&store, &vec![Bytes]), Ok("[[1,2]]".into()));
    assert_eq!(written(&store, &vec![vec![Bytes]]), Err(Error::ValueTooDeep { max: 2 }), "bytes are an array");
}

#[test]
fn size_is_the_written_text_and_counted_exactly_when_over() {
    let store = limited(Limits { max_value_bytes: 10, ..Limits::default() });
    assert_eq!(block_on(store.set("i", "n", "k", "12345678", true)).map(|r| r.value.to_string()), Ok("\"12345678\"".into()));
    let over = "x".repeat(1 << 20);
    assert_eq!(block_on(store.set("i", "n", "k", &over, true)).err(), Some(Error::ValueTooLarge { bytes: (1 << 20) + 2, max: 10 }));
}

#[test]
fn a_value_of_another_shape_is_an_error_naming_the_type() {
    let store = store();
    set(&store, "theme", "dark").expect("stored");
    assert_eq!(
        store.get::<Theme>("app", "settings", "theme"),
        Err(Error::WrongType {
            type_name: "typed::Theme",
            problem: "invalid type: string \"dark\", expected struct Theme at line 1 column 6".to_string(),
        })
    );
    assert_eq!(store.get::<String>("app", "settings", "theme"), Ok(Some("dark".to_string())));
    let error = store.get::<u8>("app", "settings", "theme").err().map(|e| (e.code().as_str(), e.to_string()));
    let sentence = "The stored value cannot be read as `u8`: invalid type: string \"dark\", expected u8 at line 1 column 6.";
    assert_eq!(error, Some(("INVALID_ARGUMENT", sentence.to_string())));
}

#[test]
fn query_as_gives_records_with_typed_values() {
    let store = store();
    for (key, mode) in [("b", "light"), ("a", "dark"), ("c", "dim")] {
        set(&store, key, &Theme { mode: mode.into() }).expect("stored");
    }
    let query = Query::parse(&json!({"from": {"instance": "app"}, "orderBy": {"field": "key"}, "limit": 2})).expect("valid");
    let page = store.query_as::<Theme>(&query).expect("every value is a Theme");
    let modes: Vec<(&str, &str)> = page.records.iter().map(|r| (r.key.as_str(), r.value.mode.as_str())).collect();
    assert_eq!(modes, [("a", "dark"), ("b", "light")]);
    assert_eq!((page.total, page.limit, page.offset), (3, 2, 0));
    let raw = store.query(&query).expect("the same query, raw");
    assert_eq!((raw.records.len(), raw.total), (2, 3));

    let selecting = Query::parse(&json!({"from": {"instance": "app"}, "select": ["key"]})).expect("valid");
    assert_eq!(
        store.query_as::<Theme>(&selecting).err(),
        Some(Error::InvalidQuery {
            part: "select".into(),
            problem: "query_as returns whole records; run a query with select through query.".into()
        })
    );
    set(&store, "d", &7).expect("stored");
    assert_eq!(store.query_as::<Theme>(&query).map(|p| p.total), Ok(4), "only the page's values are read");
    let everything = Query::parse(&json!({"from": {"instance": "app"}})).expect("valid");
    assert!(matches!(store.query_as::<Theme>(&everything), Err(Error::WrongType { type_name: "typed::Theme", .. })));
}

#[test]
fn records_and_instances_serialize_as_the_envelope_shows_them() {
    let store = store();
    let record = set(&store, "theme", &Theme { mode: "dark".into() }).expect("stored");
    assert_eq!(
        serde_json::to_value(&record).ok(),
        Some(json!({
            "id": "00000000-0000-0000-0000-000000000002",
            "instanceId": "00000000-0000-0000-0000-000000000001",
            "namespace": "settings",
            "key": "theme",
            "value": {"mode": "dark"},
            "createdAt": "2026-12-02T00:43:09.478Z",
            "updatedAt": "2026-12-02T00:43:09.478Z",
            "version": 1,
        }))
    );
    let typed = record.decode::<Theme>().expect("a Theme");
    assert_eq!(serde_json::to_value(&typed).ok().map(|v| v["value"].clone()), Some(json!({"mode": "dark"})));
    let described = block_on(store.create_instance("docs", Some("about"))).expect("created");
    assert_eq!(
        serde_json::to_value(&described).ok(),
        Some(json!({
            "id": "00000000-0000-0000-0000-000000000003",
            "name": "docs",
            "description": "about",
            "createdAt": "2026-12-02T00:43:09.478Z",
            "updatedAt": "2026-12-02T00:43:09.478Z",
        }))
    );
    let plain = store.get_instance("app").map(|i| serde_json::to_value(&i).ok());
    assert_eq!(
        plain,
        Ok(Some(json!({
            "id": "00000000-0000-0000-0000-000000000001",
            "name": "app",
            "createdAt": "2026-12-02T00:43:09.478Z",
            "updatedAt": "2026-12-02T00:43:09.478Z",
        })))
    );
}

#[test]
fn reads_answer_at_once() {
    let store = store();
    set(&store, "a", &1).expect("stored");
    block_on(store.set("app", "other", "b", &2, false)).expect("stored");
    assert_eq!(store.list_instances().iter().map(|i| i.name.as_str()).collect::<Vec<_>>(), ["app"]);
    assert_eq!(store.get_namespaces("app"), Ok(vec!["other".to_string(), "settings".to_string()]));
    assert_eq!(store.get_record_count("app", Some("other")), Ok(1));
    assert_eq!(store.get_instance("app").map(|i| i.name), Ok("app".to_string()));
    assert_eq!(store.get_instance("nope").err(), Some(Error::InstanceNotFound("nope".into())));
    assert_eq!(store.get_raw("app", "settings", "a").map(|v| v.map(|v| v.to_string())), Ok(Some("1".into())));
    assert_eq!(store.get::<u8>("", "settings", "a"), Err(Error::Empty(Field::InstanceName)));
}
