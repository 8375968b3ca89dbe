//! `orderBy`: type order, multi-key order, `desc`, tie-breaking, default order.

use serde_json::json;

use super::{keys, places, store_with};
use crate::KvStore;

/// One record per kind of `value.v`, written in an order unlike the sorted one.
fn mixed() -> KvStore {
    store_with(&[
        ("t", "obj_b", json!({"v": {"b": 1}})),
        ("t", "str_b", json!({"v": "b"})),
        ("t", "arr_1", json!({"v": [1]})),
        ("t", "num_2", json!({"v": 2})),
        ("t", "true", json!({"v": true})),
        ("t", "absent", json!({})),
        ("t", "null", json!({"v": null})),
        ("t", "num_neg", json!({"v": -1.5})),
        ("t", "arr_empty", json!({"v": []})),
        ("t", "false", json!({"v": false})),
        ("t", "str_a", json!({"v": "a"})),
        ("t", "obj_a", json!({"v": {"a": 9}})),
        ("t", "arr_1_0", json!({"v": [1, 0]})),
        ("t", "str_emoji", json!({"v": "\u{1F600}"})),
        ("t", "str_halfwidth", json!({"v": "\u{FF61}"})),
    ])
}

const ASCENDING: [&str; 15] = [
    "absent",
    "null",
    "false",
    "true",
    "num_neg",
    "num_2",
    "str_a",
    "str_b",
    "str_emoji",
    "str_halfwidth",
    "arr_empty",
    "arr_1",
    "arr_1_0",
    "obj_a",
    "obj_b",
];

#[test]
fn types_sort_absent_null_boolean_number_string_array_object() {
    let query = json!({"from": {"instance": "inst"}, "orderBy": {"field": "value.v", "direction": "asc"}});
    assert_eq!(keys(&mixed(), query), ASCENDING);
}

#[test]
fn desc_reverses_the_whole_order() {
    let query = json!({"from": {"instance": "inst"}, "orderBy": [{"field": "value.v", "direction": "desc"}]});
    let mut descending = ASCENDING.to_vec();
    descending.reverse();
    assert_eq!(keys(&mixed(), query), descending);
}

#[test]
fn later_keys_order_within_earlier_ones_and_desc_applies_to_its_key_only() {
    let store = store_with(&[
        ("t", "a", json!({"g": 2, "v": "x"})),
        ("t", "b", json!({"g": 1, "v": 5})),
        ("t", "c", json!({"g": 2, "v": null})),
        ("t", "d", json!({"g": 1, "v": "y"})),
        ("t", "e", json!({"g": 2})),
        ("t", "f", json!({"g": 1, "v": [0]})),
        ("t", "g", json!({"v": 100})),
    ]);
    let query = json!({"from": {"instance": "inst"}, "orderBy": [
        {"field": "value.g", "direction": "desc"},
        {"field": "value.v"}
    ]});
    assert_eq!(keys(&store, query), ["e", "c", "a", "b", "d", "f", "g"]);
    let flipped = json!({"from": {"instance": "inst"}, "orderBy": [
        {"field": "value.g"},
        {"field": "value.v", "direction": "desc"}
    ]});
    assert_eq!(keys(&store, flipped), ["g", "f", "d", "b", "a", "c", "e"]);
}

#[test]
fn ties_fall_back_to_namespace_then_key_ascending_even_under_desc() {
    let store = store_with(&[
        ("ns2", "b", json!({"p": 1})),
        ("ns1", "b", json!({"p": 1})),
        ("ns2", "a", json!({"p": 1})),
        ("ns1", "z", json!({"p": 0})),
        ("ns1", "a", json!({"p": 1.0})),
    ]);
    let query = json!({"from": {"instance": "inst"}, "orderBy": {"field": "value.p", "direction": "desc"}});
    assert_eq!(places(&store, query), ["ns1/a", "ns1/b", "ns2/a", "ns2/b", "ns1/z"]);
}

#[test]
fn the_default_order_is_namespace_then_key_by_utf16() {
    let store = store_with(&[
        ("b", "k", json!(0)),
        ("a", "\u{FF61}", json!(0)),
        ("a", "\u{1F600}", json!(0)),
        ("a", "a", json!(0)),
        ("a", "B", json!(0)),
        ("B", "k", json!(0)),
    ]);
    assert_eq!(
        places(&store, json!({"from": {"instance": "inst"}})),
        ["B/k", "a/B", "a/a", "a/\u{1F600}", "a/\u{FF61}", "b/k"]
    );
}

#[test]
fn metadata_fields_order_records() {
    let store = store_with(&[("x", "first", json!(0)), ("a", "second", json!(0)), ("m", "third", json!(0))]);
    let newest_first = json!({"from": {"instance": "inst"}, "orderBy": {"field": "createdAt", "direction": "desc"}});
    assert_eq!(keys(&store, newest_first), ["third", "second", "first"]);
    block_on_overwrite(&store);
    let by_update = json!({"from": {"instance": "inst"}, "orderBy": [{"field": "updatedAt"}]});
    assert_eq!(keys(&store, by_update), ["second", "third", "first"]);
    let by_key_desc = json!({"from": {"instance": "inst"}, "orderBy": {"field": "key", "direction": "desc"}});
    assert_eq!(keys(&store, by_key_desc), ["third", "second", "first"]);
}

/// Rewrites `first`, moving its `updatedAt` past the others'.
fn block_on_overwrite(store: &KvStore) {
    futures::executor::block_on(store.set("inst", "x", "first", &json!(1), false)).expect("valid");
}

#[test]
fn objects_order_by_their_members_in_stored_order() {
    let store = store_with(&[
        ("t", "ba", json!({"b": 1, "a": 1})),
        ("t", "ab", json!({"a": 1, "b": 1})),
        ("t", "a2", json!({"a": 2})),
        ("t", "a1", json!({"a": 1})),
    ]);
    let query = json!({"from": {"instance": "inst"}, "orderBy": {"field": "value"}});
    assert_eq!(keys(&store, query), ["a1", "ab", "a2", "ba"]);
}
