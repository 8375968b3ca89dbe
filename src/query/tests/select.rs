//! `select`: the shape of projected rows.

use serde_json::{Value as Json, json};

use super::{answer, id, store_with, time};

fn rows(query: Json) -> Json {
    let store = store_with(&[
        (
            "people",
            "ann",
            json!({"age": 31, "name": "Ann", "address": {"city": "Oslo", "zip": "0150"}, "tags": ["a", "b"]}),
        ),
        ("people", "bob", json!({"name": "Bob", "address": "unknown"})),
    ]);
    answer(&store, query)["records"].clone()
}

fn selecting(fields: Json) -> Json {
    rows(json!({"from": {"instance": "inst"}, "select": fields}))
}

#[test]
fn a_dot_path_keeps_its_nesting() {
    assert_eq!(selecting(json!(["key", "value.age"])), json!([{"key": "ann", "value": {"age": 31}}, {"key": "bob"}]));
}

#[test]
fn paths_under_value_merge_in_the_order_first_named() {
    assert_eq!(
        selecting(json!(["value.address.city", "key", "value.name", "value.address.zip"])),
        json!([
            {"value": {"address": {"city": "Oslo", "zip": "0150"}, "name": "Ann"}, "key": "ann"},
            {"value": {"name": "Bob"}, "key": "bob"}
        ])
    );
}

#[test]
fn selecting_value_keeps_the_whole_value() {
    assert_eq!(
        selecting(json!(["value", "value.address.city"])),
        json!([
            {"value": {"age": 31, "name": "Ann", "address": {"city": "Oslo", "zip": "0150"}, "tags": ["a", "b"]}},
            {"value": {"name": "Bob", "address": "unknown"}}
        ])
    );
}

#[test]
fn metadata_fields_are_selected_as_named() {
    assert_eq!(
        selecting(json!(["updatedAt", "id", "instanceId", "namespace", "createdAt", "key", "id"])),
        json!([
            {"updatedAt": time(2), "id": id(2), "instanceId": id(1), "namespace": "people", "createdAt": time(2), "key": "ann"},
            {"updatedAt": time(3), "id": id(3), "instanceId": id(1), "namespace": "people", "createdAt": time(3), "key": "bob"}
        ])
    );
}

#[test]
fn absent_paths_are_left_out_of_each_row() {
    assert_eq!(
        selecting(json!(["value.address.city", "value.missing"])),
        json!([{"value": {"address": {"city": "Oslo"}}}, {}])
    );
}

#[test]
fn array_elements_are_selected_in_place() {
    assert_eq!(
        selecting(json!(["key", "value.tags.1"])),
        json!([{"key": "ann", "value": {"tags": [null, "b"]}}, {"key": "bob"}])
    );
}

#[test]
fn select_works_with_where_and_order() {
    let query = json!({"from": {"instance": "inst"}, "select": ["value.name"],
        "where": [{"field": "value.name", "operator": "startsWith", "value": "B"}], "orderBy": {"field": "key"}});
    assert_eq!(rows(query), json!([{"value": {"name": "Bob"}}]));
}
