//! Every operator against every type of field, and against absent fields.

use serde_json::{Value as Json, json};

use super::{id, keys, store_with, time};
use crate::KvStore;

/// One record per kind of `value.n`; `missing` and `scalar` lack it.
fn kinds() -> KvStore {
    store_with(&[
        ("t", "int", json!({"n": 1})),
        ("t", "one_point_zero", json!({"n": 1.0})),
        ("t", "float", json!({"n": 2.5})),
        ("t", "numstr", json!({"n": "2"})),
        ("t", "text", json!({"n": "apple pie"})),
        ("t", "true", json!({"n": true})),
        ("t", "false", json!({"n": false})),
        ("t", "null", json!({"n": null})),
        ("t", "array", json!({"n": [1, "2", {"x": 1}]})),
        ("t", "object", json!({"n": {"x": 1}})),
        ("t", "missing", json!({})),
        ("t", "scalar", json!(7)),
    ])
}

/// The keys whose `field` passes `operator` with `operand` (left out when `None`).
fn matching_on(store: &KvStore, field: &str, operator: &str, operand: Option<Json>) -> Vec<String> {
    let mut condition = json!({"field": field, "operator": operator});
    if let (Some(operand), Some(c)) = (operand, condition.as_object_mut()) {
        c.insert("value".to_string(), operand);
    }
    keys(store, json!({"from": {"instance": "inst"}, "where": [condition]}))
}

fn matching(operator: &str, operand: Json) -> Vec<String> {
    matching_on(&kinds(), "value.n", operator, Some(operand))
}

#[test]
fn eq_is_deep_equality_with_numbers_by_value() {
    assert_eq!(matching("eq", json!(1)), ["int", "one_point_zero"]);
    assert_eq!(matching("eq", json!(1.0)), ["int", "one_point_zero"]);
    assert_eq!(matching("eq", json!("2")), ["numstr"]);
    assert_eq!(matching("eq", json!(2)), Vec::<String>::new(), "a number never equals a string");
    assert_eq!(matching("eq", json!(null)), ["null"], "a stored null is present and equal to null");
    assert_eq!(matching("eq", json!(false)), ["false"]);
    assert_eq!(matching("eq", json!([1.0, "2", {"x": 1}])), ["array"]);
    assert_eq!(matching("eq", json!([1, "2"])), Vec::<String>::new());
    assert_eq!(matching("eq", json!({"x": 1.0})), ["object"]);
}

#[test]
fn neq_needs_the_field_and_never_matches_a_number_against_a_string() {
    assert_eq!(matching("neq", json!(1)), ["array", "false", "float", "null", "object", "true"]);
    assert_eq!(matching("neq", json!("2")), ["array", "false", "null", "object", "text", "true"]);
    assert_eq!(matching("neq", json!(null)).len(), 9, "every present non-null field");
}

#[test]
fn ordering_operators_compare_numbers_numerically() {
    assert_eq!(matching("gt", json!(1)), ["float"]);
    assert_eq!(matching("gte", json!(1)), ["float", "int", "one_point_zero"]);
    assert_eq!(matching("lt", json!(2.5)), ["int", "one_point_zero"]);
    assert_eq!(matching("lte", json!(2.5)), ["float", "int", "one_point_zero"]);
    assert_eq!(matching("gt", json!(-1e300)), ["float", "int", "one_point_zero"]);
}

#[test]
fn ordering_operators_compare_strings_and_booleans_only_with_their_own_type() {
    assert_eq!(matching("gt", json!("1")), ["numstr", "text"]);
    assert_eq!(matching("lt", json!("apple")), ["numstr"]);
    assert_eq!(matching("gte", json!("apple pie")), ["text"]);
    assert_eq!(matching("gt", json!(false)), ["true"]);
    assert_eq!(matching("lte", json!(true)), ["false", "true"]);
    assert_eq!(matching("lt", json!(true)), ["false"]);
    for operand in [json!(null), json!([1]), json!({"x": 0}), json!([])] {
        for operator in ["gt", "gte", "lt", "lte"] {
            assert_eq!(matching(operator, operand.clone()), Vec::<String>::new(), "{operator} {operand}");
        }
    }
}

#[test]
fn strings_compare_by_utf16_code_units() {
    let store = store_with(&[("t", "emoji", json!("\u{1F600}")), ("t", "halfwidth", json!("\u{FF61}"))]);
    assert_eq!(matching_on(&store, "value", "lt", Some(json!("\u{FF61}"))), ["emoji"]);
    assert_eq!(matching_on(&store, "value", "gt", Some(json!("\u{1F600}"))), ["halfwidth"]);
}

#[test]
fn contains_looks_into_strings_and_arrays_only() {
    assert_eq!(matching("contains", json!("pie")), ["text"]);
    assert_eq!(matching("contains", json!("2")), ["array", "numstr"]);
    assert_eq!(matching("contains", json!(1)), ["array"], "an array element, never a number field");
    assert_eq!(matching("contains", json!({"x": 1.0})), ["array"]);
    assert_eq!(matching("contains", json!("")), ["numstr", "text"]);
    assert_eq!(matching("contains", json!("x")), Vec::<String>::new(), "objects are not searched");
}

#[test]
fn starts_with_and_ends_with_take_strings_only() {
    assert_eq!(matching("startsWith", json!("app")), ["text"]);
    assert_eq!(matching("startsWith", json!("pie")), Vec::<String>::new());
    assert_eq!(matching("endsWith", json!("pie")), ["text"]);
    assert_eq!(matching("endsWith", json!("2")), ["numstr"]);
    assert_eq!(matching("startsWith", json!(2)), Vec::<String>::new());
    assert_eq!(matching("endsWith", json!(["2"])), Vec::<String>::new());
}

#[test]
fn in_matches_a_present_field_equal_to_an_element() {
    assert_eq!(matching("in", json!([1, "2", null])), ["int", "null", "numstr", "one_point_zero"]);
    assert_eq!(matching("in", json!([[1, "2", {"x": 1}], false])), ["array", "false"]);
    assert_eq!(matching("in", json!(["1", 2])), Vec::<String>::new());
    assert_eq!(matching("in", json!([])), Vec::<String>::new());
}

#[test]
fn exists_is_true_for_present_fields_including_null() {
    let store = kinds();
    let present = ["array", "false", "float", "int", "null", "numstr", "object", "one_point_zero", "text", "true"];
    assert_eq!(matching_on(&store, "value.n", "exists", None), present);
    assert_eq!(matching_on(&store, "value.n", "exists", Some(json!(true))), present);
    assert_eq!(matching_on(&store, "value.n", "exists", Some(json!(false))), ["missing", "scalar"]);
}

#[test]
fn a_condition_on_an_absent_field_never_matches() {
    let store = kinds();
    let cases = [
        ("eq", json!(null)),
        ("neq", json!(1)),
        ("gt", json!(0)),
        ("gte", json!("")),
        ("lt", json!(1)),
        ("lte", json!(true)),
        ("contains", json!("")),
        ("startsWith", json!("")),
        ("endsWith", json!("")),
        ("in", json!([null, 1, ""])),
    ];
    for (operator, operand) in cases {
        assert_eq!(matching_on(&store, "value.zzz", operator, Some(operand)), Vec::<String>::new(), "{operator}");
    }
    assert_eq!(matching_on(&store, "value.zzz", "exists", Some(json!(false))).len(), 12);
    assert_eq!(matching_on(&store, "value.n.x.y", "exists", None), Vec::<String>::new());
}

#[test]
fn paths_reach_array_elements_and_nested_members() {
    let store = kinds();
    assert_eq!(matching_on(&store, "value.n.0", "eq", Some(json!(1))), ["array"]);
    assert_eq!(matching_on(&store, "value.n.2.x", "eq", Some(json!(1))), ["array"]);
    assert_eq!(matching_on(&store, "value.n.x", "eq", Some(json!(1))), ["object"]);
    assert_eq!(matching_on(&store, "value", "eq", Some(json!(7))), ["scalar"]);
    assert_eq!(matching_on(&store, "value.n.length", "exists", None), Vec::<String>::new());
}

#[test]
fn metadata_fields_are_strings_of_the_record() {
    let store = store_with(&[("a", "k1", json!(1)), ("b", "k2", json!(2)), ("b", "k3", json!(3))]);
    assert_eq!(matching_on(&store, "key", "eq", Some(json!("k2"))), ["k2"]);
    assert_eq!(matching_on(&store, "key", "in", Some(json!(["k1", "k3"]))), ["k1", "k3"]);
    assert_eq!(matching_on(&store, "namespace", "eq", Some(json!("b"))), ["k2", "k3"]);
    assert_eq!(matching_on(&store, "namespace", "startsWith", Some(json!("a"))), ["k1"]);
    assert_eq!(matching_on(&store, "id", "eq", Some(json!(id(3)))), ["k2"]);
    assert_eq!(matching_on(&store, "instanceId", "eq", Some(json!(id(1)))).len(), 3);
    assert_eq!(matching_on(&store, "createdAt", "gte", Some(json!(time(3)))), ["k2", "k3"]);
    assert_eq!(matching_on(&store, "updatedAt", "lt", Some(json!(time(3)))), ["k1"]);
    assert_eq!(matching_on(&store, "key", "eq", Some(json!(1))), Vec::<String>::new());
}

#[test]
fn every_condition_must_hold() {
    let store = kinds();
    let both = json!({"from": {"instance": "inst"}, "where": [
        {"field": "value.n", "operator": "gte", "value": 1},
        {"field": "key", "operator": "neq", "value": "int"}
    ]});
    assert_eq!(keys(&store, both), ["float", "one_point_zero"]);
    let contradictory = json!({"from": {"instance": "inst"}, "where": [
        {"field": "value.n", "operator": "exists"},
        {"field": "value.n", "operator": "exists", "value": false}
    ]});
    assert_eq!(keys(&store, contradictory), Vec::<String>::new());
    assert_eq!(keys(&store, json!({"from": {"instance": "inst"}, "where": []})).len(), 12);
}
