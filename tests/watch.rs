//! Change events and live queries (BEYOND.md §6), natively: on the memory
//! backend, and through the storage engine with two stores on one disk
//! standing for two tabs, each hearing the other's commits.

mod common;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use boltkv::{ChangeEvent, Changed, Expiry, Heard, IfVersion, KvStore, MemoryBackend, Origin, Query, QueryResult, Selector, SetOptions, Watch};
use common::{KeepingBackend, TestClock, open, open_tab, two_tabs};
use futures::executor::block_on;
use serde_json::{json, Value as Json};

/// Every event a watch hands out, in order.
type Seen = Rc<RefCell<Vec<ChangeEvent>>>;

fn watch(store: &KvStore, selector: Selector) -> (Watch, Seen) {
    let seen: Seen = Rc::default();
    let log = seen.clone();
    let watch = store.watch(selector, move |event| log.borrow_mut().push(event.clone())).expect("a valid selector");
    (watch, seen)
}

/// The events as short strings: origin, then `op:namespace/key` per change.
fn told(seen: &Seen) -> Vec<String> {
    seen.borrow().iter().map(|event| {
        let origin = match event.origin {
            Origin::Local => "local",
            Origin::Remote => "remote",
        };
        let changes: Vec<String> = event.changes.iter().map(|change| match change {
            Changed::Set { record } => format!("set:{}/{}@{}", record.namespace, record.key, record.version),
            Changed::Delete { namespace, key, .. } => format!("delete:{namespace}/{key}"),
            Changed::Expire { namespace, key, .. } => format!("expire:{namespace}/{key}"),
            Changed::DeleteNamespace { namespace, .. } => format!("deleteNamespace:{namespace}"),
            Changed::DeleteInstance { .. } => "deleteInstance".to_string(),
            Changed::Instance { instance } => format!("instance:{}", instance.name),
        }).collect();
        format!("{origin} {}", changes.join(" "))
    }).collect()
}

fn selector(instance: Option<&str>, namespace: Option<&str>, key: Option<&str>, key_prefix: Option<&str>) -> Selector {
    let own = |part: Option<&str>| part.map(str::to_string);
    Selector { instance: own(instance), namespace: own(namespace), key: own(key), key_prefix: own(key_prefix) }
}

#[test]
fn each_selector_gets_exactly_the_changes_it_covers() {
    let store = open(Box::new(MemoryBackend), &TestClock::default());
    block_on(store.create_instance("app", None)).expect("created");
    let other = block_on(store.create_instance("other", None)).expect("created");
    let (_all, all) = watch(&store, Selector::default());
    let (_app, app) = watch(&store, selector(Some("app"), None, None, None));
    let (_by_id, by_id) = watch(&store, selector(Some(&other.id.to_string()), None, None, None));
    let (_ns, ns) = watch(&store, selector(Some("app"), Some("a"), None, None));
    let (_key, key) = watch(&store, selector(Some("app"), Some("a"), Some("k1"), None));
    let (_prefix, prefix) = watch(&store, selector(None, None, None, Some("user:")));

    block_on(store.set("app", "a", "k1", &1, false)).expect("set");
    block_on(store.set("app", "a", "user:1", &2, false)).expect("set");
    block_on(store.set("app", "b", "k1", &3, false)).expect("set");
    block_on(store.set("other", "a", "user:2", &4, false)).expect("set");
    block_on(store.delete("app", "a", "k1")).expect("deleted");
    block_on(store.delete_namespace("app", "b")).expect("deleted");
    block_on(store.delete_instance("other")).expect("deleted");

    assert_eq!(told(&all), [
        "local set:a/k1@1", "local set:a/user:1@2", "local set:b/k1@3", "local set:a/user:2@4",
        "local delete:a/k1", "local deleteNamespace:b", "local deleteInstance",
    ]);
    assert_eq!(told(&app), ["local set:a/k1@1", "local set:a/user:1@2", "local set:b/k1@3", "local delete:a/k1", "local deleteNamespace:b"]);
    assert_eq!(told(&by_id), ["local set:a/user:2@4", "local deleteInstance"]);
    // A namespace's deletion reaches selectors naming it or no namespace.
    assert_eq!(told(&ns), ["local set:a/k1@1", "local set:a/user:1@2", "local delete:a/k1"]);
    assert_eq!(told(&key), ["local set:a/k1@1", "local delete:a/k1"]);
    assert_eq!(told(&prefix), ["local set:a/user:1@2", "local set:a/user:2@4", "local deleteNamespace:b", "local deleteInstance"]);
}

#[test]
fn a_selector_by_name_follows_the_name_and_a_stopped_watch_hears_nothing() {
    let store = open(Box::new(MemoryBackend), &TestClock::default());
    let (watching, seen) = watch(&store, selector(Some("app"), None, None, None));
    block_on(store.set("app", "ns", "k", &1, true)).expect("created with the instance");
    let first = store.get_instance("app").expect("there");
    block_on(store.update_instance("app", boltkv::InstanceUpdate { name: Some("old".into()), description: None })).expect("renamed");
    block_on(store.set("old", "ns", "k", &2, false)).expect("set in the renamed one");
    block_on(store.set("app", "ns", "k", &3, true)).expect("a new instance takes the name");
    assert_ne!(store.get_instance("app").expect("there").id, first.id);
    watching.stop();
    block_on(store.set("app", "ns", "k", &4, false)).expect("set");
    assert_eq!(told(&seen), ["local instance:app set:ns/k@1", "local instance:old", "local instance:app set:ns/k@3"]);
}

#[test]
fn expiries_are_told_as_expire_changes() {
    let clock = TestClock::default();
    let store = open(Box::new(MemoryBackend), &clock);
    let options = SetOptions { auto_create_instance: true, if_version: None, expire: Some(Expiry::In(1000)) };
    block_on(store.set_with("app", "ns", "short", &1, options)).expect("set");
    let (_w, seen) = watch(&store, Selector::default());
    clock.0.set(1000);
    assert_eq!(store.get::<i32>("app", "ns", "short"), Ok(None));
    assert_eq!(told(&seen), ["local expire:ns/short"]);
}

#[test]
fn a_listener_that_writes_sees_its_write_after_every_listener_saw_the_first() {
    let store = open(Box::new(MemoryBackend), &TestClock::default());
    block_on(store.create_instance("app", None)).expect("created");
    let order: Rc<RefCell<Vec<String>>> = Rc::default();
    let (writer, log) = (store.clone(), order.clone());
    let _a = store.watch(Selector::default(), move |event| {
        log.borrow_mut().push(format!("a {}", told(&Rc::new(RefCell::new(vec![event.clone()])))[0]));
        if let Changed::Set { record } = &event.changes[0] {
            if record.key == "first" {
                drop(writer.set("app", "ns", "second", &2, false));
            }
        }
    });
    let log = order.clone();
    let _b = store.watch(Selector::default(), move |event| log.borrow_mut().push(format!("b {}", told(&Rc::new(RefCell::new(vec![event.clone()])))[0])));
    block_on(store.set("app", "ns", "first", &1, false)).expect("set");
    assert_eq!(*order.borrow(), ["a local set:ns/first@1", "b local set:ns/first@1", "a local set:ns/second@2", "b local set:ns/second@2"]);
}

#[test]
fn a_batch_is_one_event_once_durable_local_in_its_tab_and_remote_in_the_other() {
    let clock = TestClock::default();
    let (disk, a, b) = two_tabs(&clock);
    block_on(a.create_instance("app", None)).expect("created");
    let (_a, at_a) = watch(&a, Selector::default());
    let (_b, at_b) = watch(&b, Selector::default());
    disk.disk.borrow_mut().hold = true;
    let writes = vec![a.set("app", "ns", "x", &1, false), a.set("app", "ns", "y", &2, false)];
    let gone = a.delete("app", "ns", "nothing");
    assert!(told(&at_a).is_empty(), "nothing is told before it is durable");
    disk.release();
    block_on(futures::future::join_all(writes)).into_iter().for_each(|written| drop(written.expect("set")));
    assert_eq!(block_on(gone), Ok(false), "a delete of a key never written changes nothing");
    assert_eq!(told(&at_a), ["local set:ns/x@1 set:ns/y@2"]);
    assert_eq!(told(&at_b), ["remote set:ns/x@1 set:ns/y@2"]);
}

#[test]
fn a_call_storage_refused_is_not_told_and_versions_are_as_stored() {
    let clock = TestClock::default();
    let (_disk, a, b) = two_tabs(&clock);
    block_on(a.create_instance("app", None)).expect("created");
    let (_a, at_a) = watch(&a, Selector::default());
    let absent = SetOptions { auto_create_instance: false, if_version: Some(IfVersion::Absent), expire: None };
    // Both tabs find k absent in memory; b commits first, so storage
    // refuses a's, and a's other write takes a version after b's.
    let from_a = a.set_with("app", "ns", "k", &1, absent.clone());
    let other = a.set("app", "ns", "other", &1, false);
    block_on(b.set_with("app", "ns", "k", &2, absent)).expect("b first");
    assert!(block_on(from_a).is_err());
    let other = block_on(other).expect("written");
    // Both tabs made k at version 1; a agrees with b's record, and repairs
    // storage with it in the commit storage refused a's own k in, where it
    // takes version 2 (b took 1, so a's batch moves up by one).
    let k = b.get_record("app", "ns", "k").expect("read").expect("there");
    assert_eq!((k.version, other.version), (2, 3));
    assert_eq!(a.get_record("app", "ns", "k"), Ok(Some(k)));
    assert_eq!(told(&at_a), ["remote set:ns/k@1", "local set:ns/other@3 set:ns/k@2"]);
}

#[test]
fn another_tabs_expiry_sweep_and_a_cleared_storage_are_told() {
    let clock = TestClock::default();
    let (disk, a, b) = two_tabs(&clock);
    let options = SetOptions { auto_create_instance: true, if_version: None, expire: Some(Expiry::In(1000)) };
    block_on(a.set_with("app", "ns", "short", &1, options)).expect("set");
    block_on(a.set("app", "ns", "long", &1, false)).expect("set");
    let (_b, at_b) = watch(&b, Selector::default());
    clock.0.set(1000);
    // a sweeps first (a call naming the instance), b hears the removal.
    assert_eq!(a.get::<i32>("app", "ns", "short"), Ok(None));
    disk.run_spawned();
    assert_eq!(told(&at_b), ["remote expire:ns/short"]);
    let hearers: Vec<_> = disk.disk.borrow().hearers.iter().map(|(_, hearing)| hearing.clone()).collect();
    hearers.iter().for_each(|hearing| hearing(Heard::Cleared));
    assert_eq!(told(&at_b)[1..], ["remote deleteInstance"]);
    assert_eq!(b.list_instances(), []);
}

/// A store's instances and records, keyed so that order does not matter.
type View = BTreeMap<String, (Json, BTreeMap<(String, String), Json>)>;

fn view_of(store: &KvStore) -> View {
    let mut view = View::new();
    for instance in store.list_instances() {
        let query = Query::parse(&json!({ "from": { "instance": instance.id.to_string() }, "limit": 1_000_000 })).expect("query");
        let records = store.query(&query).expect("runs").records.into_iter().map(|row| {
            let record = serde_json::to_value(&row).expect("json");
            ((record["namespace"].as_str().unwrap_or_default().to_string(), record["key"].as_str().unwrap_or_default().to_string()), record)
        });
        view.insert(instance.id.to_string(), (serde_json::to_value(&instance).expect("json"), records.collect()));
    }
    view
}

/// What a watcher of everything knows after applying `event` to `view`.
fn apply(view: &mut View, event: &ChangeEvent) {
    for change in &event.changes {
        match change {
            Changed::Set { record } => {
                let json = serde_json::to_value(record).expect("json");
                if let Some((_, records)) = view.get_mut(&record.instance_id.to_string()) {
                    records.insert((record.namespace.clone(), record.key.clone()), json);
                }
            }
            Changed::Delete { instance_id, namespace, key } | Changed::Expire { instance_id, namespace, key } => {
                if let Some((_, records)) = view.get_mut(&instance_id.to_string()) {
                    records.remove(&(namespace.clone(), key.clone()));
                }
            }
            Changed::DeleteNamespace { instance_id, namespace } => {
                if let Some((_, records)) = view.get_mut(&instance_id.to_string()) {
                    records.retain(|(ns, _), _| ns != namespace);
                }
            }
            Changed::DeleteInstance { instance_id } => drop(view.remove(&instance_id.to_string())),
            Changed::Instance { instance } => {
                let json = serde_json::to_value(instance).expect("json");
                view.entry(instance.id.to_string()).or_insert_with(|| (Json::Null, BTreeMap::new())).0 = json;
            }
        }
    }
}

#[test]
fn events_applied_in_order_to_the_first_view_give_what_the_store_shows() {
    let clock = TestClock::default();
    let (disk, a, b) = two_tabs(&clock);
    block_on(a.set("app", "ns", "seed", &0, true)).expect("set");
    let seen_at_b: Seen = Rc::default();
    let mut view = view_of(&b);
    let log = seen_at_b.clone();
    let _w = b.watch(Selector::default(), move |event| log.borrow_mut().push(event.clone())).expect("watch");
    // A deterministic mix of sets, deletes, batches of writes issued
    // together, expiries, namespace and instance deletes, by tab a.
    let mut seed = 7u64;
    let mut next = move |n: u64| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % n
    };
    for round in 0..300 {
        let (ns, key) = (format!("n{}", next(3)), format!("k{}", next(20)));
        clock.0.set(round * 10);
        let written = match next(10) {
            0..=4 => block_on(a.set("app", &ns, &key, &round, true)).map(drop),
            5 | 6 => block_on(a.delete("app", &ns, &key)).map(drop),
            7 => {
                let options = SetOptions { auto_create_instance: true, if_version: None, expire: Some(Expiry::In(25)) };
                block_on(a.set_with("app", &ns, &key, &round, options)).map(drop)
            }
            8 => {
                let many: Vec<_> = (0..5).map(|i| a.set("app", &ns, &format!("b{i}"), &round, true)).collect();
                block_on(futures::future::join_all(many)).into_iter().try_for_each(|r| r.map(drop))
            }
            _ if round % 50 == 0 => block_on(a.delete_instance("app")).map(drop),
            _ => block_on(a.delete_namespace("app", &ns)).map(drop),
        };
        written.expect("written");
        disk.run_spawned();
    }
    for event in seen_at_b.borrow().iter() {
        assert_eq!(event.origin, Origin::Remote);
        apply(&mut view, event);
    }
    assert!(seen_at_b.borrow().len() > 250, "only {} events", seen_at_b.borrow().len());
    assert_eq!(view, view_of(&b));
    assert_eq!(view_of(&a), view_of(&b));
}

#[test]
fn a_live_query_answers_at_once_then_only_when_its_result_changes() {
    let store = open(Box::new(MemoryBackend), &TestClock::default());
    block_on(store.set("app", "scores", "ada", &json!({ "group": 1, "score": 5 }), true)).expect("set");
    let results: Rc<RefCell<Vec<QueryResult>>> = Rc::default();
    let log = results.clone();
    let query = Query::parse(&json!({
        "from": { "instance": "app", "namespace": "scores" },
        "where": [{ "field": "value.group", "operator": "eq", "value": 1 }],
        "orderBy": [{ "field": "value.score", "direction": "desc" }],
    }))
    .expect("query");
    let _live = store.watch_query(query, move |result| log.borrow_mut().push(result.clone())).expect("live");
    let keys = |result: &QueryResult| -> Vec<String> {
        result.records.iter().map(|row| serde_json::to_value(row).expect("json")["key"].as_str().unwrap_or_default().to_string()).collect()
    };
    assert_eq!(results.borrow().iter().map(keys).collect::<Vec<_>>(), [["ada"]]);

    block_on(store.set("app", "other", "bob", &json!({ "group": 1, "score": 9 }), false)).expect("another namespace");
    assert_eq!((results.borrow().len(), store.live_query_reruns()), (1, 0), "a change outside its scope does not run it");
    block_on(store.set("app", "scores", "cy", &json!({ "group": 2, "score": 9 }), false)).expect("another group");
    assert_eq!((results.borrow().len(), store.live_query_reruns()), (1, 1), "run again, same result, not told");
    block_on(store.set("app", "scores", "bo", &json!({ "group": 1, "score": 9 }), false)).expect("a match");
    block_on(store.delete("app", "scores", "ada")).expect("deleted");
    assert_eq!(results.borrow().iter().map(keys).collect::<Vec<_>>(), [vec!["ada"], vec!["bo", "ada"], vec!["bo"]]);
    assert_eq!(results.borrow()[2].total, 1);
}

#[test]
fn a_live_query_on_a_key_runs_again_only_for_that_key() {
    let store = open(Box::new(MemoryBackend), &TestClock::default());
    block_on(store.create_instance("app", None)).expect("created");
    let count = Rc::new(RefCell::new(0));
    let seen = count.clone();
    let query = Query::parse(&json!({ "from": { "instance": "app" }, "where": [{ "field": "key", "operator": "startsWith", "value": "user:" }] })).expect("query");
    let _live = store.watch_query(query, move |_| *seen.borrow_mut() += 1).expect("live");
    for i in 0..10 {
        block_on(store.set("app", "ns", &format!("item:{i}"), &i, false)).expect("set");
    }
    assert_eq!((*count.borrow(), store.live_query_reruns()), (1, 0));
    block_on(store.set("app", "ns", "user:1", &1, false)).expect("set");
    assert_eq!((*count.borrow(), store.live_query_reruns()), (2, 1));
}

#[test]
fn a_selector_part_no_name_could_equal_is_refused() {
    let store = open(Box::new(MemoryBackend), &TestClock::default());
    let refused = store.watch(selector(None, Some(""), None, None), |_| {}).map(drop).map_err(|e| e.to_string());
    assert_eq!(refused, Err("The namespace must not be empty.".to_string()));
    assert!(store.watch(selector(None, None, None, Some("")), |_| {}).is_ok(), "an empty prefix covers every key");
}

#[test]
fn what_another_tab_commits_while_a_store_opens_reaches_it_and_old_news_is_ignored() {
    let clock = TestClock::default();
    let disk = KeepingBackend::default();
    let b = open_tab(disk.beside().engine(), &clock, 1 << 64);
    let messages: Rc<RefCell<Vec<String>>> = Rc::default();
    let kept = messages.clone();
    disk.disk.borrow_mut().hearers.push((usize::MAX, Rc::new(move |heard| {
        if let Heard::Batch(text) = heard {
            kept.borrow_mut().push(text);
        }
    })));
    block_on(b.set("app", "ns", "k", &1, true)).expect("set");
    block_on(b.delete("app", "ns", "k")).expect("deleted");
    block_on(b.set("app", "ns", "k", &2, false)).expect("made again, with another id");
    // Tab a's engine reads storage; then b commits, and an old message of
    // b's arrives late, all before a's store listens.
    let engine = disk.engine();
    block_on(b.set("app", "ns", "later", &3, false)).expect("set");
    let first = messages.borrow()[0].clone();
    let hearing = disk.disk.borrow().hearers.iter().find(|(who, _)| *who == 0).map(|(_, hearing)| hearing.clone()).expect("a hears");
    hearing(Heard::Batch(first));
    let a = open_tab(engine, &clock, 0);
    assert_eq!(a.get::<i32>("app", "ns", "later"), Ok(Some(3)), "committed while a was opening");
    assert_eq!(a.get_record("app", "ns", "k"), b.get_record("app", "ns", "k"), "the old put of k is old news");
    disk.run_spawned();
    assert_eq!(disk.disk.borrow().commits.len(), 4, "and a repairs nothing");
}

#[test]
fn an_expiry_another_tab_removed_from_storage_first_is_still_told() {
    let clock = TestClock::default();
    let (disk, a, b) = two_tabs(&clock);
    let options = SetOptions { auto_create_instance: true, if_version: None, expire: Some(Expiry::In(1000)) };
    block_on(a.set_with("app", "ns", "brief", &1, options)).expect("set");
    let (_a, at_a) = watch(&a, Selector::default());
    clock.0.set(1000);
    // a lets the record go from memory first; b removes it from storage
    // first, which a hears when its memory no longer holds it; then a's
    // removal finds storage without it.
    assert_eq!(a.get::<i32>("app", "ns", "brief"), Ok(None));
    assert_eq!(b.get::<i32>("app", "ns", "brief"), Ok(None));
    block_on(b.flush()).expect("b's removal is durable");
    assert!(told(&at_a).is_empty(), "nothing is told before a's removal settles");
    disk.run_spawned();
    assert_eq!(told(&at_a), ["local expire:ns/brief"]);
}

#[test]
fn records_one_sweep_lets_go_are_one_event() {
    let clock = TestClock::default();
    let store = open(Box::new(MemoryBackend), &clock);
    for key in ["a", "b"] {
        let options = SetOptions { auto_create_instance: true, if_version: None, expire: Some(Expiry::In(1000)) };
        block_on(store.set_with("app", "ns", key, &1, options)).expect("set");
    }
    let (_w, seen) = watch(&store, Selector::default());
    clock.0.set(1000);
    assert_eq!(store.get_record_count("app", None), Ok(0));
    let mut told = told(&seen);
    told.iter_mut().for_each(|event| {
        let mut parts: Vec<&str> = event.split(' ').collect();
        parts.sort_unstable();
        *event = parts.join(" ");
    });
    assert_eq!(told, ["expire:ns/a expire:ns/b local"]);
}
