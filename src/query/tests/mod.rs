//! Store-level tests of the Query DSL: queries run through `KvStore` on a
//! memory backend with a fixed clock and predictable ids, and results are
//! compared as serialized JSON.

mod cursor;
mod errors;
#[cfg(not(target_arch = "wasm32"))]
mod indexed;
mod operators;
mod ordering;
mod paging;
mod select;
mod spellings;

use std::cell::Cell;

use futures::executor::block_on;
use serde_json::{Value as Json, json};

use crate::{Clock, Config, IdSource, KvStore, Limits, MemoryBackend, Query, QueryResult, Uuid};

/// 2026-01-01T00:00:00.000Z.
const START_MS: i64 = 1_767_225_600_000;

/// Time that moves one second forward at every reading.
struct Ticking(Cell<i64>);

impl Clock for Ticking {
    fn now_ms(&self) -> i64 {
        let now = self.0.get();
        self.0.set(now + 1000);
        now
    }
}

/// Ids 1, 2, 3, ... in the last bytes (marked as v4).
struct Counting(u128);

impl IdSource for Counting {
    fn next_uuid(&mut self) -> Uuid {
        self.0 += 1;
        Uuid::v4_from_bytes(self.0.to_be_bytes())
    }
}

/// The id the store hands out `n`-th (the instance `inst` is the first).
fn id(n: u128) -> String {
    Uuid::v4_from_bytes(n.to_be_bytes()).to_string()
}

/// The timestamp of the clock's `n`-th reading (the instance's is the first).
fn time(n: i64) -> String {
    crate::Timestamp(START_MS + (n - 1) * 1000).to_string()
}

/// A store holding instance `inst` and these (namespace, key, value) records,
/// written in order.
fn store_with(records: &[(&str, &str, Json)]) -> KvStore {
    let config =
        Config { limits: Limits::default(), clock: Box::new(Ticking(Cell::new(START_MS))), ids: Box::new(Counting(0)) };
    let store = block_on(KvStore::open(Box::new(MemoryBackend), config)).expect("a memory store opens");
    block_on(store.create_instance("inst", None)).expect("the instance is new");
    for (namespace, key, value) in records {
        block_on(store.set("inst", namespace, key, value, false)).expect("the record is valid");
    }
    store
}

/// Runs a query given as JSON.
fn run(store: &KvStore, query: Json) -> crate::Result<QueryResult> {
    store.query(&Query::parse(&query)?)
}

/// The result as the JSON a JavaScript caller receives.
fn answer(store: &KvStore, query: Json) -> Json {
    let result = run(store, query).expect("the query is valid");
    let text = serde_json::to_string(&result).expect("results serialize");
    serde_json::from_str(&text).expect("serialized results are JSON")
}

/// The rows' `namespace/key`, in result order.
fn places(store: &KvStore, query: Json) -> Vec<String> {
    let answer = answer(store, query);
    let rows = answer["records"].as_array().cloned().unwrap_or_default();
    rows.iter()
        .map(|r| format!("{}/{}", r["namespace"].as_str().unwrap_or("?"), r["key"].as_str().unwrap_or("?")))
        .collect()
}

/// The rows' keys, in result order.
fn keys(store: &KvStore, query: Json) -> Vec<String> {
    places(store, query).into_iter().map(|p| p.split_once('/').map(|(_, k)| k.to_string()).unwrap_or(p)).collect()
}

/// The `(part, problem)` of a query that must be refused as invalid.
fn refused(store: &KvStore, query: Json) -> (String, String) {
    match run(store, query.clone()) {
        Err(crate::Error::InvalidQuery { part, problem }) => (part, problem),
        other => panic!("{query} should be an invalid query, got {other:?}"),
    }
}

#[test]
fn an_unknown_instance_answers_with_no_records() {
    let store = store_with(&[("ns", "k", json!(1))]);
    let query = json!({"from": {"instance": "nobody"}, "limit": 5, "offset": 2});
    assert_eq!(answer(&store, query), json!({"records": [], "total": 0, "limit": 5, "offset": 2}));
    let by_id = json!({"from": {"instance": id(999), "namespace": "ns"}});
    assert_eq!(answer(&store, by_id), json!({"records": [], "total": 0, "limit": 100, "offset": 0}));
}

#[test]
fn the_instance_is_found_by_id_or_name_and_the_namespace_narrows() {
    let store = store_with(&[("a", "k1", json!(1)), ("b", "k2", json!(2)), ("a", "k3", json!(3))]);
    assert_eq!(places(&store, json!({"from": {"instance": id(1)}})), ["a/k1", "a/k3", "b/k2"]);
    assert_eq!(places(&store, json!({"from": {"instance": "inst", "namespace": "a"}})), ["a/k1", "a/k3"]);
    assert_eq!(places(&store, json!({"from": {"instance": "inst", "namespace": "zzz"}})), Vec::<String>::new());
}

#[test]
fn whole_records_are_returned_exactly_without_select() {
    let store = store_with(&[("ns", "k", json!({"b": 1, "a": [true, null]}))]);
    let expected = json!({
        "records": [{
            "id": id(2), "instanceId": id(1), "namespace": "ns", "key": "k",
            "value": {"b": 1, "a": [true, null]}, "createdAt": time(2), "updatedAt": time(2), "version": 1
        }],
        "total": 1, "limit": 100, "offset": 0
    });
    assert_eq!(answer(&store, json!({"from": {"instance": "inst"}})), expected);
}

#[test]
fn the_value_stays_the_stored_text_in_whole_records() {
    let store = store_with(&[("ns", "k", json!({"z": 1.5, "a": 2}))]);
    let result = run(&store, json!({"from": {"instance": "inst"}})).expect("valid");
    let text = serde_json::to_string(&result).expect("serializes");
    assert!(text.contains(r#""value":{"z":1.5,"a":2}"#), "{text}");
}

/// How many values the query reads.
fn parses(store: &KvStore, query: Json) -> usize {
    super::pluck::READ.with(|count| count.set(0));
    answer(store, query);
    super::pluck::READ.with(std::cell::Cell::get)
}

#[test]
fn values_are_read_only_when_and_where_needed() {
    let ten: Vec<(&str, String, Json)> = (0..10).map(|n| ("ns", format!("k{n}"), json!({"n": n}))).collect();
    let ten: Vec<(&str, &str, Json)> = ten.iter().map(|(ns, k, v)| (*ns, k.as_str(), v.clone())).collect();
    let store = store_with(&ten);
    let on_keys = json!({"from": {"instance": "inst"}, "where": [{"field": "key", "operator": "gte", "value": "k5"}],
        "orderBy": [{"field": "createdAt", "direction": "desc"}, {"field": "namespace"}], "select": ["key", "updatedAt"]});
    assert_eq!(parses(&store, on_keys), 0);
    assert_eq!(parses(&store, json!({"from": {"instance": "inst"}})), 0, "whole records embed the stored text");
    let scanned = json!({"from": {"instance": "inst"}, "where": [
        {"field": "value.n", "operator": "neq", "value": 100}, {"field": "key", "operator": "in", "value": ["k1", "k2"]}]});
    assert_eq!(parses(&store, scanned), 2, "metadata conditions run before the value is read");
    let on_value = json!({"from": {"instance": "inst"}, "where": {"field": "value.n", "operator": "lt", "value": 3}});
    assert_eq!(parses(&store, on_value), 10, "the first query with a range on value.n indexes it, reading each value once");
    let again = json!({"from": {"instance": "inst"}, "where": {"field": "value.n", "operator": "in", "value": [4, 8]}});
    assert_eq!(parses(&store, again), 0, "the index answers later queries on value.n");
    assert_eq!(parses(&store, json!({"from": {"instance": "inst"}, "orderBy": {"field": "value.n"}, "limit": 2})), 0);
    let ordered = json!({"from": {"instance": "inst"}, "orderBy": {"field": "value.n"}, "where": [
        {"field": "value.n", "operator": "gte", "value": 0}, {"field": "value", "operator": "exists"}]});
    assert_eq!(parses(&store, ordered), 10, "once per record, however many fields read it");
    let page = json!({"from": {"instance": "inst"}, "select": ["value.n"], "limit": 3, "offset": 8});
    assert_eq!(parses(&store, page), 2, "select parses the rows of the page only");
    super::pluck::READ.with(|count| count.set(0));
    block_on(store.set("inst", "ns", "k3", &json!({"n": 30}), false)).expect("valid");
    block_on(store.set("inst", "ns", "k10", &json!({"n": 10}), false)).expect("valid");
    assert_eq!(super::pluck::READ.with(std::cell::Cell::get), 3, "a write reads the value it replaces and its own for the index");
    let moved = json!({"from": {"instance": "inst"}, "where": {"field": "value.n", "operator": "gte", "value": 10}});
    assert_eq!(parses(&store, moved.clone()), 0);
    assert_eq!(keys(&store, moved), ["k10", "k3"]);
}

#[test]
fn a_query_sees_writes_made_before_it() {
    let store = store_with(&[("ns", "k", json!(1))]);
    let query = json!({"from": {"instance": "inst"}, "where": [{"field": "value", "operator": "eq", "value": 2}]});
    assert_eq!(keys(&store, query.clone()), Vec::<String>::new());
    block_on(store.set("inst", "ns", "k", &json!(2), false)).expect("valid");
    assert_eq!(keys(&store, query), ["k"]);
}
