//! Cursor paging: `cursor` in results, `after` in queries, and the
//! guarantee that a record present and unchanged for a whole walk is on
//! exactly one page of it, whatever is written in between.

use futures::executor::block_on;
use serde_json::{Value as Json, json};

use super::paging::numbered;
use super::{answer, refused, run, store_with};
use crate::{ErrorCode, KvStore, Query};

const NOT_OURS: &str = "is not a cursor boltkv made, or it was changed or cut short; pass the cursor of an earlier result exactly as it was given, or leave after out to start from the first page.";
const OTHER_QUERY: &str = "was made by a different query; a cursor continues only the query that gave it (the same from, where and orderBy, while limit and select may change), so pass it with that query, or leave after out to start from the first page.";

/// `query` with `after: cursor`.
fn after(query: &Json, cursor: &str) -> Json {
    let mut next = query.clone();
    next["after"] = json!(cursor);
    next
}

/// The `namespace/key` of each row of an answer, and its cursor.
fn page(store: &KvStore, query: Json) -> (Vec<String>, Option<String>) {
    let answer = answer(store, query);
    let rows = answer["records"].as_array().cloned().unwrap_or_default();
    let text = |row: &Json, field: &str| row[field].as_str().unwrap_or("?").to_string();
    let places = rows.iter().map(|row| format!("{}/{}", text(row, "namespace"), text(row, "key")));
    (places.collect(), answer["cursor"].as_str().map(String::from))
}

/// The pages of `query`, each continuing after the cursor of the one before,
/// with `between(n)` run after page `n`.
fn walk(store: &KvStore, query: &Json, mut between: impl FnMut(usize)) -> Vec<Vec<String>> {
    let (first, mut cursor) = page(store, query.clone());
    let mut pages = vec![first];
    while let Some(at) = cursor {
        assert!(pages.len() < 10_000, "the walk does not end");
        between(pages.len() - 1);
        let (rows, next) = page(store, after(query, &at));
        pages.push(rows);
        cursor = next;
    }
    pages
}

/// The keys `k000`..: the `numbered` store's records, as `ns/kNNN`.
fn numbered_places(range: impl Iterator<Item = usize>) -> Vec<String> {
    range.map(|n| format!("ns/k{n:03}")).collect()
}

fn set(store: &KvStore, namespace: &str, key: &str, value: Json) {
    block_on(store.set("inst", namespace, key, &value, false)).expect("the write is valid");
}

fn delete(store: &KvStore, namespace: &str, key: &str) {
    block_on(store.delete("inst", namespace, key)).expect("the delete is valid");
}

#[test]
fn a_walk_by_cursor_gives_every_match_once_in_order_and_the_last_page_no_cursor() {
    let store = numbered(25);
    let query = json!({"from": {"instance": "inst"}, "limit": 7});
    let pages = walk(&store, &query, |_| {});
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [7, 7, 7, 4]);
    assert_eq!(pages.concat(), numbered_places(0..25));
    let (_, cursor) = page(&store, query.clone());
    let second = answer(&store, after(&query, &cursor.unwrap_or_default()));
    assert_eq!((&second["total"], &second["limit"], &second["offset"]), (&json!(25), &json!(7), &json!(0)));
}

#[test]
fn a_page_that_ends_at_the_last_match_has_no_cursor() {
    let store = numbered(10);
    let exact = answer(&store, json!({"from": {"instance": "inst"}, "limit": 10}));
    assert_eq!(exact.get("cursor"), None);
    let (rows, cursor) = page(&store, json!({"from": {"instance": "inst"}, "limit": 5}));
    assert_eq!(rows, numbered_places(0..5));
    let last = answer(&store, after(&json!({"from": {"instance": "inst"}, "limit": 5}), &cursor.unwrap_or_default()));
    assert_eq!(last["records"].as_array().map(Vec::len), Some(5));
    assert_eq!(last.get("cursor"), None);
}

#[test]
fn limit_zero_answers_only_the_total_even_after_a_cursor() {
    let store = numbered(5);
    let none = json!({"from": {"instance": "inst"}, "limit": 0});
    assert_eq!(answer(&store, none.clone()), json!({"records": [], "total": 5, "limit": 0, "offset": 0}));
    let (_, cursor) = page(&store, json!({"from": {"instance": "inst"}, "limit": 2}));
    assert_eq!(
        answer(&store, after(&none, &cursor.unwrap_or_default())),
        json!({"records": [], "total": 5, "limit": 0, "offset": 0})
    );
}

#[test]
fn an_offset_page_gives_the_cursor_to_continue_from() {
    let store = numbered(12);
    let query = json!({"from": {"instance": "inst"}, "limit": 4, "offset": 3});
    let (rows, cursor) = page(&store, query);
    assert_eq!(rows, numbered_places(3..7));
    let next = after(&json!({"from": {"instance": "inst"}, "limit": 4}), &cursor.unwrap_or_default());
    assert_eq!(page(&store, next).0, numbered_places(7..11));
}

#[test]
fn limit_and_select_may_change_between_pages() {
    let store = numbered(9);
    let (_, cursor) = page(&store, json!({"from": {"instance": "inst"}, "limit": 2}));
    let cursor = cursor.unwrap_or_default();
    let longer = answer(&store, json!({"from": {"instance": "inst"}, "limit": 3, "select": ["key"], "after": cursor}));
    assert_eq!(longer["records"], json!([{"key": "k002"}, {"key": "k003"}, {"key": "k004"}]));
    assert!(longer["cursor"].is_string());
}

#[test]
fn spellings_of_one_query_share_its_cursors() {
    let store = numbered(6);
    let (_, cursor) = page(
        &store,
        json!({"from": {"instance": "inst", "namespace": "ns"}, "limit": 2,
            "where": [{"field": "value.n", "operator": "gte", "value": 0}],
            "orderBy": {"field": "value.n", "direction": "DESC"}}),
    );
    let cursor = cursor.unwrap_or_default();
    let respelt = json!({"instance": "inst", "namespace": "ns", "limit": 2, "after": cursor,
        "where": {"field": "value.n", "operator": ">=", "value": 0},
        "order": [{"field": "value.n", "direction": "desc"}]});
    assert_eq!(page(&store, respelt).0, ["ns/k003", "ns/k002"]);
    let another_operand = json!({"from": {"instance": "inst", "namespace": "ns"}, "limit": 2,
        "where": [{"field": "value.n", "operator": "gte", "value": 1}],
        "orderBy": {"field": "value.n", "direction": "desc"}});
    assert_eq!(refused(&store, after(&another_operand, &cursor)), ("after".to_string(), OTHER_QUERY.to_string()));
}

#[test]
fn a_cursor_of_another_query_is_refused_and_says_so() {
    let store = store_with(&[("a", "k1", json!(1)), ("a", "k2", json!(2)), ("b", "k3", json!(3))]);
    block_on(store.create_instance("other", None)).expect("a second instance");
    let base = json!({"from": {"instance": "inst"}, "limit": 1});
    let (_, cursor) = page(&store, base);
    let cursor = cursor.unwrap_or_default();
    let others = [
        json!({"from": {"instance": "other"}}),
        json!({"from": {"instance": "inst", "namespace": "a"}}),
        json!({"from": {"instance": "inst"}, "where": {"field": "value", "operator": "gt", "value": 0}}),
        json!({"from": {"instance": "inst"}, "orderBy": {"field": "key"}}),
        json!({"from": {"instance": "inst"}, "orderBy": {"field": "namespace", "direction": "desc"}}),
    ];
    for other in others {
        assert_eq!(refused(&store, after(&other, &cursor)), ("after".to_string(), OTHER_QUERY.to_string()), "{other}");
    }
}

#[test]
fn text_that_is_no_cursor_of_boltkv_is_refused() {
    let store = numbered(4);
    let base = json!({"from": {"instance": "inst"}, "limit": 1});
    let (_, cursor) = page(&store, base.clone());
    let cursor = cursor.unwrap_or_default();
    let other = |c: char| if c == 'A' { 'B' } else { 'A' };
    let flipped: String = cursor.chars().enumerate().map(|(i, c)| if i == 20 { other(c) } else { c }).collect();
    let cut: String = cursor.chars().take(cursor.len() - 2).collect();
    let longer = format!("{cursor}AA");
    let zeros = "A".repeat(36);
    let bad = ["", "not a cursor", "bm90IGEgY3Vyc29y", &zeros, &flipped, &cut, &longer];
    for text in bad {
        assert_eq!(refused(&store, after(&base, text)), ("after".to_string(), NOT_OURS.to_string()), "{text:?}");
    }
}

#[test]
fn after_must_be_a_string_and_never_comes_with_offset() {
    let store = numbered(4);
    let base = json!({"from": {"instance": "inst"}, "limit": 1});
    for bad in [json!(null), json!(3), json!(["x"]), json!({"cursor": "x"})] {
        let mut query = base.clone();
        query["after"] = bad.clone();
        let (part, problem) = refused(&store, query);
        assert_eq!(part, "after", "{bad}");
        assert!(problem.starts_with("must be the cursor string of an earlier result of this query; got "), "{problem}");
        assert!(problem.ends_with(". Leave after out for the first page."), "{problem}");
    }
    let (_, cursor) = page(&store, base.clone());
    for offset in [0, 1] {
        let mut query = after(&base, &cursor.clone().unwrap_or_default());
        query["offset"] = json!(offset);
        let error = run(&store, query).err();
        assert_eq!(error.as_ref().map(crate::Error::code), Some(ErrorCode::InvalidArgument));
        assert_eq!(
            error.map(|e| e.to_string()).unwrap_or_default(),
            "Invalid query at offset: conflicts with after; a cursor already says where the page starts, \
             so leave offset out (or leave after out to page by offset)."
        );
    }
}

#[test]
fn the_rust_after_continues_as_the_json_after_does() {
    let store = numbered(8);
    let query = Query::parse(&json!({"from": {"instance": "inst"}, "limit": 3, "offset": 2})).expect("valid");
    let first = store.query(&query).expect("runs");
    let cursor = first.cursor.expect("more remain");
    let by_method = store.query(&query.after(&cursor).expect("its own cursor")).expect("runs");
    let by_json = run(&store, json!({"from": {"instance": "inst"}, "limit": 3, "after": cursor})).expect("runs");
    assert_eq!(by_method, by_json);
    assert_eq!((by_method.offset, by_method.total, by_method.records.len()), (0, 8, 3));
    let other = Query::parse(&json!({"from": {"instance": "inst"}, "orderBy": {"field": "key", "direction": "desc"}}));
    let refused = other.and_then(|q| q.after(&cursor)).err();
    assert_eq!(refused.map(|e| e.to_string()), Some(format!("Invalid query at after: {OTHER_QUERY}")));
}

#[test]
fn pages_continue_after_a_place_whatever_was_written_before_or_after_it() {
    let store = numbered(10);
    let query = json!({"from": {"instance": "inst"}, "limit": 3});
    let (rows, cursor) = page(&store, query.clone());
    assert_eq!(rows, ["ns/k000", "ns/k001", "ns/k002"]);
    delete(&store, "ns", "k000");
    delete(&store, "ns", "k002"); // the cursor's own record
    set(&store, "ns", "k001a", json!(0)); // before the cursor: not seen
    set(&store, "ns", "k004a", json!(0)); // after it: seen in its place
    delete(&store, "ns", "k005");
    let (rows, cursor) = page(&store, after(&query, &cursor.unwrap_or_default()));
    assert_eq!(rows, ["ns/k003", "ns/k004", "ns/k004a"]);
    set(&store, "aa", "first", json!(0)); // a namespace sorting before every other
    let (rows, cursor) = page(&store, after(&query, &cursor.unwrap_or_default()));
    assert_eq!(rows, ["ns/k006", "ns/k007", "ns/k008"]);
    let (rows, cursor) = page(&store, after(&query, &cursor.unwrap_or_default()));
    assert_eq!((rows, cursor), (vec!["ns/k009".to_string()], None));
}

#[test]
fn a_record_moved_by_an_update_is_seen_where_it_now_stands() {
    let store = numbered(6);
    let query = json!({"from": {"instance": "inst"}, "orderBy": {"field": "value.n", "direction": "desc"}, "limit": 2});
    let (rows, cursor) = page(&store, query.clone());
    assert_eq!(rows, ["ns/k005", "ns/k004"]);
    set(&store, "ns", "k005", json!({"n": 0})); // moves behind the cursor: seen again
    set(&store, "ns", "k001", json!({"n": 9})); // moves ahead of it: not seen
    let rest: Vec<String> = walk(&store, &after(&query, &cursor.unwrap_or_default()), |_| {}).concat();
    assert_eq!(rest, ["ns/k003", "ns/k002", "ns/k000", "ns/k005"]);
}

#[test]
fn ties_absent_fields_and_mixed_types_page_as_they_sort() {
    let store = store_with(&[
        ("t", "a", json!({"g": 2, "v": "x"})),
        ("t", "b", json!({"g": 1, "v": 5})),
        ("t", "c", json!({"g": 2, "v": null})),
        ("u", "c", json!({"g": 2, "v": null})),
        ("t", "d", json!({"g": 1, "v": "y"})),
        ("t", "e", json!({"g": 2})),
        ("t", "f", json!({"g": 1, "v": [0, {"deep": [1]}]})),
        ("t", "g", json!({"v": 100})),
        ("t", "h", json!({"g": 1.0, "v": 5.0})),
    ]);
    let query =
        json!({"from": {"instance": "inst"}, "orderBy": [{"field": "value.g", "direction": "desc"}, {"field": "value.v"}]});
    let whole = page(&store, query.clone()).0;
    assert_eq!(whole, ["t/e", "t/c", "u/c", "t/a", "t/b", "t/h", "t/d", "t/f", "t/g"]);
    for limit in 1..=4 {
        let mut paged = query.clone();
        paged["limit"] = json!(limit);
        assert_eq!(walk(&store, &paged, |_| {}).concat(), whole, "limit {limit}");
    }
}

#[test]
fn a_cursor_carries_values_as_deep_as_a_value_may_nest() {
    let mut deep = json!("bottom");
    for _ in 0..63 {
        deep = json!([deep]);
    }
    let store =
        store_with(&[("ns", "a", json!({"v": deep.clone()})), ("ns", "b", json!({"v": deep})), ("ns", "c", json!({"v": 1}))]);
    let query = json!({"from": {"instance": "inst"}, "orderBy": {"field": "value.v", "direction": "desc"}, "limit": 1});
    assert_eq!(walk(&store, &query, |_| {}).concat(), ["ns/a", "ns/b", "ns/c"]);
}

#[test]
fn a_cursor_is_url_safe_text_and_names_an_unknown_instance_too() {
    let store = store_with(&[("ns", "key with spaces/and \u{1F600}", json!(1)), ("ns", "z", json!(2))]);
    let (_, cursor) = page(&store, json!({"from": {"instance": "inst"}, "limit": 1}));
    let cursor = cursor.unwrap_or_default();
    let url_safe = |c: u8| c.is_ascii_alphanumeric() || c == b'-' || c == b'_';
    assert!(!cursor.is_empty() && cursor.bytes().all(url_safe), "{cursor}");
    assert_eq!(page(&store, after(&json!({"from": {"instance": "inst"}, "limit": 1}), &cursor)).0, ["ns/z"]);
    let (_, elsewhere) = page(&store, json!({"from": {"instance": "nobody"}, "limit": 1}));
    assert_eq!(elsewhere, None, "no records, no cursor");
}

/// Random writes between the pages of a walk: every record present and
/// unchanged for the whole walk is on exactly one page, and such records
/// come in the order the query sorts them.
#[cfg(not(target_arch = "wasm32"))]
mod property {
    use std::collections::{BTreeMap, BTreeSet};

    use proptest::prelude::*;
    use serde_json::{Value as Json, json};

    use super::{delete, page, set, walk};
    use crate::query::tests::store_with;

    const NAMESPACES: [&str; 2] = ["m", "n"];

    /// A write between two pages: a set (insert or update) or a delete.
    #[derive(Debug, Clone)]
    enum Write {
        Set { namespace: usize, key: u8, n: Option<i8> },
        Delete { namespace: usize, key: u8 },
    }

    fn writes() -> impl Strategy<Value = Write> {
        let namespace = 0..NAMESPACES.len();
        prop_oneof![
            (namespace.clone(), 0..60u8, proptest::option::of(-5..5i8))
                .prop_map(|(namespace, key, n)| Write::Set { namespace, key, n }),
            (namespace, 0..60u8).prop_map(|(namespace, key)| Write::Delete { namespace, key }),
        ]
    }

    fn value(n: Option<i8>) -> Json {
        n.map_or_else(|| json!({"s": "no n"}), |n| json!({"n": n}))
    }

    /// The query orders a walk is checked under.
    fn orders() -> impl Strategy<Value = Json> {
        prop_oneof![
            Just(json!([])),
            Just(json!([{"field": "value.n"}])),
            Just(json!([{"field": "value.n", "direction": "desc"}, {"field": "key", "direction": "desc"}])),
            Just(json!([{"field": "updatedAt", "direction": "desc"}])),
            Just(json!([{"field": "value"}, {"field": "namespace", "direction": "desc"}])),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn unchanged_records_are_on_exactly_one_page(
            start in proptest::collection::vec((0..NAMESPACES.len(), 0..60u8, proptest::option::of(-5..5i8)), 0..40),
            order in orders(),
            filtered in any::<bool>(),
            limit in 1..6usize,
            gaps in proptest::collection::vec(proptest::collection::vec(writes(), 0..5), 0..30),
        ) {
            let place =
                |namespace: usize, key: u8| (NAMESPACES.get(namespace).copied().unwrap_or("?"), format!("k{key:02}"));
            let records: BTreeMap<(&str, String), Json> =
                start.iter().map(|&(namespace, key, n)| (place(namespace, key), value(n))).collect();
            let listed: Vec<(&str, &str, Json)> =
                records.iter().map(|((ns, k), v)| (*ns, k.as_str(), v.clone())).collect();
            let store = store_with(&listed);
            let mut query = json!({"from": {"instance": "inst"}, "orderBy": order, "limit": limit});
            if filtered {
                query["where"] = json!({"field": "value.n", "operator": "exists"});
            }
            let mut unlimited = query.clone();
            unlimited["limit"] = json!(1000);
            let before = page(&store, unlimited).0;

            let mut touched = BTreeSet::new();
            let walked = walk(&store, &query, |gap| {
                for write in gaps.get(gap).into_iter().flatten() {
                    match *write {
                        Write::Set { namespace, key, n } => {
                            let (ns, key) = place(namespace, key);
                            set(&store, ns, &key, value(n));
                            touched.insert(format!("{ns}/{key}"));
                        }
                        Write::Delete { namespace, key } => {
                            let (ns, key) = place(namespace, key);
                            delete(&store, ns, &key);
                            touched.insert(format!("{ns}/{key}"));
                        }
                    }
                }
            }).concat();

            let unchanged: Vec<&String> = before.iter().filter(|p| !touched.contains(*p)).collect();
            let seen: Vec<&String> = walked.iter().filter(|p| unchanged.contains(p)).collect();
            prop_assert_eq!(seen, unchanged, "walked {:?}, touched {:?}", walked, touched);
        }
    }
}
