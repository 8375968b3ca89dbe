//! The server-side spellings and the shorthand forms give the same results as
//! the primary shape.

use serde_json::{Value as Json, json};

use super::{answer, keys, store_with};
use crate::KvStore;

fn sample() -> KvStore {
    store_with(&[
        ("a", "apple", json!({"n": 1, "s": "apple"})),
        ("a", "banana", json!({"n": 2, "s": "banana"})),
        ("b", "cherry", json!({"n": 3, "s": "cherry"})),
        ("b", "date", json!({"n": 4, "s": "date"})),
    ])
}

fn with_condition(operator: &str, value: Json) -> Json {
    json!({"from": {"instance": "inst"}, "where": [{"field": "value.n", "operator": operator, "value": value}]})
}

#[test]
fn top_level_instance_and_namespace_replace_from() {
    let store = sample();
    let primary = json!({"from": {"instance": "inst", "namespace": "b"}});
    let server = json!({"instance": "inst", "namespace": "b"});
    assert_eq!(answer(&store, server), answer(&store, primary));
    assert_eq!(keys(&store, json!({"instance": "inst"})).len(), 4);
}

#[test]
fn order_replaces_order_by() {
    let store = sample();
    let primary = json!({"from": {"instance": "inst"}, "orderBy": {"field": "value.n", "direction": "desc"}});
    let server = json!({"from": {"instance": "inst"}, "order": {"field": "value.n", "direction": "desc"}});
    assert_eq!(keys(&store, server), ["date", "cherry", "banana", "apple"]);
    assert_eq!(
        answer(&store, primary.clone()),
        answer(
            &store,
            json!({"instance": "inst",
        "order": [{"field": "value.n", "direction": "desc"}]})
        )
    );
}

#[test]
fn symbolic_and_snake_case_operators_mean_the_named_ones() {
    let store = sample();
    let pairs = [
        ("=", "eq", json!(2)),
        ("==", "eq", json!(2)),
        ("!=", "neq", json!(2)),
        (">", "gt", json!(2)),
        (">=", "gte", json!(2)),
        ("<", "lt", json!(3)),
        ("<=", "lte", json!(3)),
    ];
    for (alias, named, operand) in pairs {
        let by_alias = keys(&store, with_condition(alias, operand.clone()));
        assert_eq!(by_alias, keys(&store, with_condition(named, operand)), "{alias}");
        assert!(!by_alias.is_empty(), "{alias}");
    }
    let text = |operator: &str, value: &str| {
        keys(
            &store,
            json!({"from": {"instance": "inst"},
            "where": [{"field": "value.s", "operator": operator, "value": value}]}),
        )
    };
    assert_eq!(text("starts_with", "ba"), ["banana"]);
    assert_eq!(text("startsWith", "ba"), ["banana"]);
    assert_eq!(text("ends_with", "e"), ["apple", "date"]);
    assert_eq!(text("endsWith", "e"), ["apple", "date"]);
}

#[test]
fn a_single_condition_may_stand_without_a_list() {
    let store = sample();
    let listed = json!({"from": {"instance": "inst"}, "where": [{"field": "value.n", "operator": "gt", "value": 2}]});
    let single = json!({"from": {"instance": "inst"}, "where": {"field": "value.n", "operator": "gt", "value": 2}});
    assert_eq!(keys(&store, single.clone()), ["cherry", "date"]);
    assert_eq!(answer(&store, single), answer(&store, listed));
}

#[test]
fn direction_is_case_insensitive_and_defaults_to_asc() {
    let store = sample();
    let ordered = |direction: Option<&str>| {
        let mut key = json!({"field": "value.n"});
        if let (Some(d), Some(k)) = (direction, key.as_object_mut()) {
            k.insert("direction".to_string(), json!(d));
        }
        keys(&store, json!({"from": {"instance": "inst"}, "orderBy": [key]}))
    };
    let ascending = ["apple", "banana", "cherry", "date"];
    let descending = ["date", "cherry", "banana", "apple"];
    assert_eq!(ordered(None), ascending);
    assert_eq!(ordered(Some("ASC")), ascending);
    assert_eq!(ordered(Some("Desc")), descending);
    assert_eq!(ordered(Some("DESC")), descending);
}

#[test]
fn an_empty_order_list_keeps_the_default_order() {
    let store = sample();
    assert_eq!(
        keys(&store, json!({"from": {"instance": "inst"}, "orderBy": []})),
        ["apple", "banana", "cherry", "date"]
    );
}

#[test]
fn query_json_takes_the_text_javascript_sends() {
    let store = sample();
    let text =
        r#"{"from":{"instance":"inst"},"where":[{"field":"key","operator":"=","value":"date"}],"select":["key"]}"#;
    let result = store.query_json(text).expect("valid");
    let shown = serde_json::to_string(&result).expect("serializes");
    assert_eq!(shown, r#"{"records":[{"key":"date"}],"total":1,"limit":100,"offset":0}"#);
}
