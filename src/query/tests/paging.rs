//! `limit`, `offset` and `total`.

use serde_json::{Value as Json, json};

use super::{answer, keys, store_with};
use crate::KvStore;

/// `count` records `k000`, `k001`, ... with `value.n` = their number.
pub(super) fn numbered(count: usize) -> KvStore {
    let records: Vec<(&str, String, Json)> = (0..count).map(|n| ("ns", format!("k{n:03}"), json!({"n": n}))).collect();
    let borrowed: Vec<(&str, &str, Json)> = records.iter().map(|(ns, k, v)| (*ns, k.as_str(), v.clone())).collect();
    store_with(&borrowed)
}

fn summary(store: &KvStore, query: Json) -> (usize, Json, Json, Json) {
    let answer = answer(store, query);
    let rows = answer["records"].as_array().map_or(0, Vec::len);
    (rows, answer["total"].clone(), answer["limit"].clone(), answer["offset"].clone())
}

#[test]
fn total_counts_every_match_before_the_page() {
    let store = numbered(10);
    let query = json!({"from": {"instance": "inst"}, "where": [{"field": "value.n", "operator": "gte", "value": 3}],
        "limit": 2, "offset": 1});
    assert_eq!(keys(&store, query.clone()), ["k004", "k005"]);
    assert_eq!(summary(&store, query), (2, json!(7), json!(2), json!(1)));
}

#[test]
fn the_default_limit_is_100_and_a_larger_one_may_be_asked_for() {
    let store = numbered(150);
    let all = json!({"from": {"instance": "inst"}});
    assert_eq!(summary(&store, all.clone()), (100, json!(150), json!(100), json!(0)));
    assert_eq!(keys(&store, all).last().map(String::as_str), Some("k099"));
    let more = json!({"from": {"instance": "inst"}, "limit": 120});
    assert_eq!(summary(&store, more), (120, json!(150), json!(120), json!(0)));
    let everything = json!({"from": {"instance": "inst"}, "limit": 1000});
    assert_eq!(summary(&store, everything), (150, json!(150), json!(1000), json!(0)));
}

#[test]
fn limit_zero_gives_only_the_total() {
    let store = numbered(5);
    let query = json!({"from": {"instance": "inst"}, "limit": 0});
    assert_eq!(answer(&store, query), json!({"records": [], "total": 5, "limit": 0, "offset": 0}));
}

#[test]
fn an_offset_past_the_end_gives_no_rows() {
    let store = numbered(5);
    let query = json!({"from": {"instance": "inst"}, "offset": 5});
    assert_eq!(summary(&store, query), (0, json!(5), json!(100), json!(5)));
    let far =
        json!({"from": {"instance": "inst"}, "offset": 9_007_199_254_740_991_u64, "limit": 9_007_199_254_740_991_u64});
    assert_eq!(summary(&store, far).0, 0);
}

#[test]
fn pages_follow_the_requested_order_and_tile_it() {
    let store = numbered(150);
    let page = |offset: usize| {
        let query = json!({"from": {"instance": "inst"}, "orderBy": {"field": "value.n", "direction": "desc"},
            "limit": 7, "offset": offset});
        keys(&store, query)
    };
    assert_eq!(page(5), ["k144", "k143", "k142", "k141", "k140", "k139", "k138"]);
    assert_eq!(page(147), ["k002", "k001", "k000"]);
    let tiled: Vec<String> = (0..22).flat_map(|p| page(p * 7)).collect();
    let expected: Vec<String> = (0..150).rev().map(|n| format!("k{n:03}")).collect();
    assert_eq!(tiled, expected);
}

#[test]
fn whole_number_spellings_are_accepted() {
    let store = numbered(5);
    let query = json!({"from": {"instance": "inst"}, "limit": 2.0, "offset": 1e0});
    assert_eq!(summary(&store, query), (2, json!(5), json!(2), json!(1)));
}
