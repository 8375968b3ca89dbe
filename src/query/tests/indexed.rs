//! Field indexes (on `key` and on value paths) change how a query finds its matches, never what it
//! answers: random writes and queries, each query answered through the
//! indexes (built by earlier queries and kept in step by every write since)
//! and by visiting every record, the two compared whole.

use futures::executor::block_on;
use proptest::prelude::*;
use serde_json::{Value as Json, json};

use super::store_with;
use crate::Query;

const NAMESPACES: [&str; 3] = ["m", "n", "o"];

/// Field values of every type, with ties across spellings (`1`, `1.0`),
/// prefixes of one another, text above the BMP, and compound values.
fn scalar() -> impl Strategy<Value = Json> {
    prop_oneof![
        Just(json!(null)),
        any::<bool>().prop_map(Json::Bool),
        (-3..4i64).prop_map(Json::from),
        Just(json!(1.0)),
        Just(json!(1.5)),
        Just(json!(-0.0)),
        prop::sample::select(vec!["", "a", "ab", "b", "é", "\u{1F600}", "\u{FF61}"]).prop_map(Json::from),
    ]
}

fn field_value() -> impl Strategy<Value = Json> {
    prop_oneof![4 => scalar(), 1 => Just(json!([1, "a"])), 1 => Just(json!({"a": 1, "b": 2})), 1 => Just(json!({"b": 2, "a": 1}))]
}

/// A value with `f`, `g` and one of `p0`..`p9`, each maybe absent.
fn value() -> impl Strategy<Value = Json> {
    (prop::option::of(field_value()), prop::option::of(scalar()), 0..10u8, prop::option::of(scalar()), any::<bool>()).prop_map(
        |(f, g, p, pv, scalar_root)| {
            if scalar_root {
                return f.unwrap_or(json!(7));
            }
            let mut value = serde_json::Map::new();
            value.extend(f.map(|f| ("f".to_string(), f)));
            value.extend(g.map(|g| ("g".to_string(), g)));
            value.extend(pv.map(|pv| (format!("p{p}"), pv)));
            Json::Object(value)
        },
    )
}

#[derive(Debug, Clone)]
enum Step {
    Set(usize, u8, Json),
    Delete(usize, u8),
    DeleteNamespace(usize),
    Query(Json),
}

fn field() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => Just("value.f".to_string()),
        1 => Just("value.g".to_string()),
        1 => Just("value".to_string()),
        2 => (0..10u8).prop_map(|p| format!("value.p{p}")),
    ]
}

fn condition() -> impl Strategy<Value = Json> {
    let operator = prop::sample::select(vec!["eq", "neq", "gt", "gte", "lt", "lte", "startsWith", "contains", "in", "exists"]);
    (field(), operator, field_value(), prop::collection::vec(field_value(), 0..4), prop::option::of(any::<bool>())).prop_map(
        |(field, operator, operand, choices, exists)| match operator {
            "in" => json!({"field": field, "operator": "in", "value": choices}),
            "exists" => match exists {
                Some(wanted) => json!({"field": field, "operator": "exists", "value": wanted}),
                None => json!({"field": field, "operator": "exists"}),
            },
            _ => json!({"field": field, "operator": operator, "value": operand}),
        },
    )
}

/// A condition on `key` (keys are `k0` to `k19`).
fn on_key() -> impl Strategy<Value = Json> {
    let operator = prop::sample::select(vec!["eq", "neq", "gt", "gte", "lt", "lte", "startsWith", "in", "exists"]);
    let operand = prop::sample::select(vec!["", "k", "k1", "k10", "k5", "k99", "l"]);
    (operator, operand).prop_map(|(operator, operand)| match operator {
        // k2 and k3 are neighbours in the key order.
        "in" => json!({"field": "key", "operator": "in", "value": [operand, "k3", "k2"]}),
        "exists" => json!({"field": "key", "operator": "exists"}),
        _ => json!({"field": "key", "operator": operator, "value": operand}),
    })
}

fn query() -> impl Strategy<Value = Json> {
    let order = prop::collection::vec((prop_oneof![field(), Just("key".to_string())], any::<bool>()), 0..3);
    let namespace = prop::option::of(prop::sample::select(NAMESPACES.to_vec()));
    let conditions = prop::collection::vec(prop_oneof![3 => condition(), 1 => on_key()], 0..3);
    (conditions, order, namespace, 0..6usize, 0..4usize).prop_map(
        |(conditions, order, namespace, limit, offset)| {
            let order: Vec<Json> = order
                .into_iter()
                .map(|(field, desc)| json!({"field": field, "direction": if desc { "desc" } else { "asc" }}))
                .collect();
            let mut from = json!({"instance": "inst"});
            if let Some(namespace) = namespace {
                from["namespace"] = json!(namespace);
            }
            json!({"from": from, "where": conditions, "orderBy": order, "limit": limit, "offset": offset})
        },
    )
}

fn step() -> impl Strategy<Value = Step> {
    let namespace = 0..NAMESPACES.len();
    prop_oneof![
        6 => (namespace.clone(), 0..20u8, value()).prop_map(|(ns, key, value)| Step::Set(ns, key, value)),
        2 => (namespace.clone(), 0..20u8).prop_map(|(ns, key)| Step::Delete(ns, key)),
        1 => namespace.prop_map(Step::DeleteNamespace),
        4 => query().prop_map(Step::Query),
    ]
}

/// The answer as the JSON a caller receives, or the error's text.
fn shown(answer: crate::Result<crate::QueryResult>) -> String {
    match answer {
        Ok(result) => serde_json::to_string(&result).unwrap_or_else(|e| e.to_string()),
        Err(error) => format!("error: {error}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn indexed_answers_equal_answers_from_every_record(steps in prop::collection::vec(step(), 1..60)) {
        let store = store_with(&[]);
        let namespace = |ns: usize| NAMESPACES.get(ns).copied().unwrap_or("?");
        for step in steps {
            match step {
                Step::Set(ns, key, value) => {
                    block_on(store.set("inst", namespace(ns), &format!("k{key}"), &value, false)).map_err(|e| TestCaseError::fail(e.to_string()))?;
                }
                Step::Delete(ns, key) => {
                    block_on(store.delete("inst", namespace(ns), &format!("k{key}"))).map_err(|e| TestCaseError::fail(e.to_string()))?;
                }
                Step::DeleteNamespace(ns) => {
                    block_on(store.delete_namespace("inst", namespace(ns))).map_err(|e| TestCaseError::fail(e.to_string()))?;
                }
                Step::Query(json) => {
                    let query = Query::parse(&json).map_err(|e| TestCaseError::fail(format!("{json}: {e}")))?;
                    prop_assert_eq!(shown(store.query(&query)), shown(store.query_scanning(&query)), "{}", json);
                }
            }
        }
    }
}
