//! Field indexes stay in step with every way records change: another tab's
//! writes heard, a commit storage refused (rolled back), expiry, a namespace
//! deleted. A tab that indexed `value.n` before all of them answers exactly
//! as a tab opened after them, which indexes what storage holds.

mod common;

use boltkv::{Expiry, KvStore, Query, SetOptions, StorageError};
use common::{TestClock, open_tab, two_tabs};
use futures::executor::block_on;
use serde_json::{Value as Json, json};

/// The rows' `namespace/key`, in result order, and the total.
fn places(store: &KvStore, query: &Query) -> (Vec<String>, usize) {
    let result = store.query(query).expect("the query runs");
    let rows = serde_json::to_value(&result.records).expect("rows serialize");
    let places = rows
        .as_array()
        .into_iter()
        .flatten()
        .map(|row| format!("{}/{}", row["namespace"].as_str().unwrap_or("?"), row["key"].as_str().unwrap_or("?")))
        .collect();
    (places, result.total)
}

fn n(n: i32) -> Json {
    json!({"n": n, "text": "x".repeat(100)})
}

#[test]
fn an_index_follows_other_tabs_rollbacks_expiry_and_deleted_namespaces() {
    let clock = TestClock::default();
    let (disk, a, b) = two_tabs(&clock);
    for (namespace, key, value) in [("m", "k1", 1), ("m", "k2", 2), ("n", "k3", 3), ("n", "k4", 4)] {
        block_on(a.set("app", namespace, key, &n(value), true)).expect("written");
    }
    let by_n = Query::parse(&json!({"from": {"instance": "app"},
        "where": {"field": "value.n", "operator": "gte", "value": 2},
        "orderBy": {"field": "value.n", "direction": "desc"}}))
    .expect("valid");
    let top = Query::parse(&json!({"from": {"instance": "app"}, "orderBy": {"field": "value.n", "direction": "desc"}, "limit": 2}))
        .expect("valid");
    assert_eq!(places(&a, &by_n), (vec!["n/k4".into(), "n/k3".into(), "m/k2".into()], 3), "the first query indexes value.n");

    block_on(b.set("app", "m", "k1", &n(10), false)).expect("written in the other tab");
    block_on(b.delete("app", "n", "k3")).expect("deleted in the other tab");
    disk.disk.borrow_mut().outcomes.push_back(Err(StorageError::Failed("disk error".into())));
    assert!(block_on(a.set("app", "m", "k2", &n(20), false)).is_err(), "storage refuses the commit");
    let expiring = SetOptions { auto_create_instance: false, if_version: None, expire: Some(Expiry::In(100)) };
    block_on(a.set_with("app", "m", "k5", &n(5), expiring)).expect("written");
    assert_eq!(places(&a, &by_n), (vec!["m/k1".into(), "m/k5".into(), "n/k4".into(), "m/k2".into()], 4));
    assert_eq!(places(&a, &top), (vec!["m/k1".into(), "m/k5".into()], 4));

    clock.0.set(clock.0.get() + 100);
    assert_eq!(places(&a, &top), (vec!["m/k1".into(), "n/k4".into()], 3), "an expired record leaves the index");
    disk.run_spawned();
    block_on(b.delete_namespace("app", "n")).expect("deleted in the other tab");
    assert_eq!(places(&a, &by_n), (vec!["m/k1".into(), "m/k2".into()], 2));
    assert_eq!(places(&a, &top), (vec!["m/k1".into(), "m/k2".into()], 2));

    let later = open_tab(disk.beside().engine(), &clock, 2 << 64);
    for query in [&by_n, &top] {
        assert_eq!(places(&later, query), places(&a, query), "a tab opened now answers alike");
    }
}
