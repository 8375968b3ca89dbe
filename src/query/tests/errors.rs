//! Malformed queries fail with an error naming the bad part, in the caller's
//! own spelling, and saying what to write instead.

use serde_json::{Value as Json, json};

use super::{refused, run, store_with};
use crate::{Error, Field, KvStore, Limits};

fn store() -> KvStore {
    store_with(&[("ns", "k", json!(1))])
}

/// A query on `inst` with `extra` members added to it.
fn on_inst(extra: Json) -> Json {
    let mut query = json!({"from": {"instance": "inst"}});
    if let (Some(q), Json::Object(extra)) = (query.as_object_mut(), extra) {
        q.extend(extra);
    }
    query
}

fn bad_part(query: Json) -> String {
    refused(&store(), query).0
}

#[test]
fn an_unknown_operator_is_named_with_its_position_and_the_choices() {
    let query = on_inst(json!({"where": [
        {"field": "key", "operator": "eq", "value": "k"},
        {"field": "key", "operator": "like", "value": "k%"}
    ]}));
    let (part, problem) = refused(&store(), query);
    assert_eq!(part, "where[1].operator");
    assert_eq!(
        problem,
        "unknown operator \"like\"; use one of eq, neq, gt, gte, lt, lte, contains, startsWith, endsWith, in, exists."
    );
    let error = Error::InvalidQuery { part, problem };
    assert!(error.to_string().starts_with("Invalid query at where[1].operator: unknown operator"));
}

#[test]
fn operators_are_case_sensitive_and_must_be_strings() {
    assert_eq!(
        bad_part(on_inst(json!({"where": [{"field": "key", "operator": "EQ", "value": "k"}]}))),
        "where[0].operator"
    );
    assert_eq!(
        bad_part(on_inst(json!({"where": [{"field": "key", "operator": 1, "value": "k"}]}))),
        "where[0].operator"
    );
    assert_eq!(bad_part(on_inst(json!({"where": [{"field": "key", "value": "k"}]}))), "where[0].operator");
    assert_eq!(
        bad_part(on_inst(json!({"where": {"field": "key", "operator": "not_in", "value": []}}))),
        "where.operator"
    );
}

#[test]
fn a_bad_direction_is_named() {
    let (part, problem) = refused(&store(), on_inst(json!({"orderBy": [{"field": "key", "direction": "down"}]})));
    assert_eq!(part, "orderBy[0].direction");
    assert_eq!(problem, "must be \"asc\" or \"desc\"; got the string \"down\".");
    assert_eq!(bad_part(on_inst(json!({"order": {"field": "key", "direction": -1}}))), "order.direction");
    assert_eq!(bad_part(on_inst(json!({"order": [{"field": "key"}, {"direction": "asc"}]}))), "order[1].field");
    assert_eq!(bad_part(on_inst(json!({"orderBy": "key"}))), "orderBy");
    assert_eq!(bad_part(on_inst(json!({"orderBy": [{"field": "key", "dir": "asc"}]}))), "orderBy[0].dir");
}

#[test]
fn a_missing_or_mistyped_instance_is_named() {
    assert_eq!(bad_part(json!({"from": {"namespace": "ns"}})), "from.instance");
    assert_eq!(bad_part(json!({"from": {"instance": 42}})), "from.instance");
    assert_eq!(bad_part(json!({"from": "inst"})), "from");
    assert_eq!(bad_part(json!({"where": []})), "from");
    assert_eq!(bad_part(json!({"namespace": "ns"})), "from");
    assert_eq!(bad_part(json!({"instance": null})), "instance");
    assert_eq!(bad_part(json!({"from": {"instance": "inst", "namespace": 3}})), "from.namespace");
    assert_eq!(bad_part(json!({"instance": "inst", "namespace": ["ns"]})), "namespace");
    assert_eq!(bad_part(json!({"from": {"instance": "inst", "table": "x"}})), "from.table");
}

#[test]
fn from_and_the_top_level_form_do_not_mix() {
    let (part, problem) = refused(&store(), json!({"from": {"instance": "inst"}, "instance": "inst"}));
    assert_eq!(part, "instance");
    assert!(problem.contains("not both"), "{problem}");
    assert_eq!(bad_part(json!({"from": {"instance": "inst"}, "namespace": "ns"})), "namespace");
    assert_eq!(bad_part(on_inst(json!({"orderBy": {"field": "key"}, "order": {"field": "key"}}))), "order");
}

#[test]
fn limit_and_offset_must_be_whole_numbers_from_zero() {
    for bad in [json!(-1), json!(1.5), json!("10"), json!(null), json!(true)] {
        let (part, problem) = refused(&store(), on_inst(json!({"limit": bad})));
        assert_eq!(part, "limit", "{bad}");
        assert!(problem.starts_with("must be a whole number, 0 or more; got "), "{problem}");
        assert_eq!(bad_part(on_inst(json!({"offset": bad}))), "offset", "{bad}");
    }
    assert_eq!(refused(&store(), on_inst(json!({"limit": -1}))).1, "must be a whole number, 0 or more; got -1.");
}

#[test]
fn a_bad_selection_is_named_by_position() {
    let (part, problem) = refused(&store(), on_inst(json!({"select": ["key", "value.a", "name"]})));
    assert_eq!(part, "select[2]");
    assert!(problem.starts_with("unknown field \"name\" (for a member of the value, write value.name)"), "{problem}");
    assert_eq!(bad_part(on_inst(json!({"select": ["key", 5]}))), "select[1]");
    assert_eq!(bad_part(on_inst(json!({"select": "key"}))), "select");
    assert_eq!(bad_part(on_inst(json!({"select": []}))), "select");
    assert_eq!(bad_part(on_inst(json!({"select": ["value..a"]}))), "select[0]");
}

#[test]
fn unknown_top_level_keys_are_named() {
    let (part, problem) = refused(&store(), on_inst(json!({"filter": {}, "sort": "key"})));
    assert_eq!(part, "filter");
    assert!(problem.starts_with("unknown keys \"filter\", \"sort\"; a query takes from"), "{problem}");
    assert_eq!(bad_part(on_inst(json!({"where": [{"field": "key", "op": "eq", "value": "k"}]}))), "where[0].op");
}

#[test]
fn conditions_must_be_objects_with_a_known_field() {
    assert_eq!(bad_part(on_inst(json!({"where": "key = 1"}))), "where");
    assert_eq!(bad_part(on_inst(json!({"where": [["key", "eq", 1]]}))), "where[0]");
    assert_eq!(bad_part(on_inst(json!({"where": [{"operator": "eq", "value": 1}]}))), "where[0].field");
    let (part, problem) =
        refused(&store(), on_inst(json!({"where": [{"field": "Key", "operator": "eq", "value": 1}]})));
    assert_eq!(part, "where[0].field");
    assert!(problem.starts_with("unknown field \"Key\""), "{problem}");
}

#[test]
fn operands_are_checked_against_their_operator() {
    let condition = |operator: &str, value: Option<Json>| {
        let mut c = json!({"field": "value", "operator": operator});
        if let (Some(v), Some(m)) = (value, c.as_object_mut()) {
            m.insert("value".to_string(), v);
        }
        refused(&store(), on_inst(json!({"where": [c]})))
    };
    let (part, problem) = condition("in", Some(json!("a")));
    assert_eq!(
        (part.as_str(), problem.as_str()),
        (
            "where[0].value",
            "must be a list of the values to accept for in, as in [\"a\", \"b\"]; got the string \"a\"."
        )
    );
    assert_eq!(condition("exists", Some(json!("yes"))).0, "where[0].value");
    assert_eq!(condition("exists", Some(json!(null))).0, "where[0].value");
    let (part, problem) = condition("eq", None);
    assert_eq!(
        (part.as_str(), problem.as_str()),
        ("where[0].value", "is missing; the eq operator compares the field with a value.")
    );
    assert_eq!(
        condition("starts_with", None).1,
        "is missing; the starts_with operator compares the field with a value."
    );
}

#[test]
fn operands_deeper_than_any_value_are_refused() {
    let mut deep = json!(1);
    for _ in 0..200 {
        deep = json!([deep]);
    }
    let (part, problem) =
        refused(&store(), on_inst(json!({"where": [{"field": "value", "operator": "eq", "value": deep}]})));
    assert_eq!(part, "where[0].value");
    assert!(problem.contains("more than 128 levels"), "{problem}");
}

#[test]
fn a_query_that_is_not_an_object_or_not_json_is_named_as_the_query() {
    assert_eq!(bad_part(json!(["from"])), "query");
    assert_eq!(bad_part(json!("from inst")), "query");
    let store = store();
    match store.query_json("{from: inst}") {
        Err(Error::InvalidQuery { part, problem }) => {
            assert_eq!(part, "query");
            assert!(problem.starts_with("it is not valid JSON"), "{problem}");
        }
        other => panic!("expected an invalid query, got {other:?}"),
    }
}

#[test]
fn instance_and_namespace_must_pass_the_name_limits() {
    let store = store();
    assert_eq!(run(&store, json!({"from": {"instance": ""}})), Err(Error::Empty(Field::InstanceName)));
    assert_eq!(run(&store, json!({"instance": "inst", "namespace": ""})), Err(Error::Empty(Field::Namespace)));
    let max = Limits::default().max_namespace_bytes;
    let long = "n".repeat(max + 1);
    assert_eq!(
        run(&store, json!({"from": {"instance": "inst", "namespace": long}})),
        Err(Error::TooLong { field: Field::Namespace, bytes: max + 1, max })
    );
}
