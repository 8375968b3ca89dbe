//! Group commit and rollback, through a backend that keeps, fails or holds
//! its commits.

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use boltkv::{Error, StorageError};
use common::{KeepingBackend, TestClock, contents, open};
use futures::executor::{LocalPool, block_on};
use futures::future::join_all;
use futures::task::LocalSpawnExt;
use serde_json::json;

fn value_of(store: &boltkv::KvStore, ns: &str, key: &str) -> Option<serde_json::Value> {
    store.get("app", ns, key).expect("get works")
}

#[test]
fn writes_issued_together_share_one_commit() {
    let backend = KeepingBackend::default();
    let store = open(backend.engine(), &TestClock::default());
    let writes: Vec<_> = (0..100).map(|i| store.set("app", "ns", &format!("k{i}"), &json!(i), true)).collect();
    let results = block_on(join_all(writes));
    assert!(results.iter().all(Result::is_ok));
    // One instance creation plus 100 records, in one transaction.
    assert_eq!(backend.disk.borrow().commits, vec![101]);
    assert_eq!(backend.disk.borrow().records(), 100);
}

#[test]
fn a_failed_commit_fails_every_write_in_it_and_restores_memory() {
    let backend = KeepingBackend::default();
    let store = open(backend.engine(), &TestClock::default());
    block_on(store.set("app", "ns", "kept", &json!("first"), true)).expect("first write");
    backend.disk.borrow_mut().outcomes.push_back(Err(StorageError::Full));

    let overwrite = store.set("app", "ns", "kept", &json!("second"), false);
    let create = store.set("app", "ns", "new", &json!(1), false);
    let drop_ns = store.delete_namespace("app", "ns");
    // Before the commit runs, reads see the writes.
    assert_eq!(value_of(&store, "ns", "new"), None, "the namespace delete came last");
    let results = block_on(join_all([
        Box::pin(async { overwrite.await.map(|_| ()) }) as std::pin::Pin<Box<dyn std::future::Future<Output = _>>>,
        Box::pin(async { create.await.map(|_| ()) }),
        Box::pin(async { drop_ns.await.map(|_| ()) }),
    ]));
    for result in results {
        assert_eq!(result, Err(Error::Storage(StorageError::Full)));
    }
    assert_eq!(value_of(&store, "ns", "kept"), Some(json!("first")));
    assert_eq!(value_of(&store, "ns", "new"), None);
    assert_eq!(store.get_record_count("app", None), Ok(1));
    // The store keeps working after the failure.
    block_on(store.set("app", "ns", "after", &json!(true), false)).expect("later write");
    assert_eq!(backend.disk.borrow().records(), 2);
}

#[test]
fn the_batch_behind_a_failed_one_is_undone_too() {
    let backend = KeepingBackend::default();
    let store = open(backend.engine(), &TestClock::default());
    block_on(store.create_instance("app", None)).expect("instance");
    backend.disk.borrow_mut().hold = true;
    backend.disk.borrow_mut().outcomes.push_back(Err(StorageError::Failed("disk error".into())));

    let mut pool = LocalPool::new();
    let outcomes = Rc::new(RefCell::new(Vec::new()));
    let first = store.set("app", "ns", "k", &json!(1), false);
    let sink = outcomes.clone();
    pool.spawner().spawn_local(async move {
        let outcome = first.await.map(|r| r.key);
        sink.borrow_mut().push(outcome);
    }).expect("spawn");
    pool.run_until_stalled(); // the first batch is now in flight, held

    let second = store.set("app", "ns", "k", &json!(2), false);
    let sink = outcomes.clone();
    pool.spawner().spawn_local(async move {
        let outcome = second.await.map(|r| r.key);
        sink.borrow_mut().push(outcome);
    }).expect("spawn");
    pool.run_until_stalled();
    assert_eq!(value_of(&store, "ns", "k"), Some(json!(2)));

    backend.release();
    pool.run();
    let failed = Err(Error::Storage(StorageError::Failed("disk error".into())));
    assert_eq!(*outcomes.borrow(), vec![failed.clone(), failed]);
    assert_eq!(value_of(&store, "ns", "k"), None);
    assert_eq!(backend.disk.borrow().records(), 0);
}

#[test]
fn flush_waits_for_every_earlier_write() {
    let backend = KeepingBackend::default();
    let store = open(backend.engine(), &TestClock::default());
    let _unawaited = store.set("app", "ns", "k", &json!("v"), true);
    block_on(store.flush()).expect("flush");
    assert_eq!(backend.disk.borrow().records(), 1);
}

#[test]
fn a_reopened_store_has_the_same_records_ids_and_order() {
    let backend = KeepingBackend::default();
    let clock = TestClock::default();
    let store = open(backend.engine(), &clock);
    for name in ["zeta", "alpha", "mid"] {
        block_on(store.create_instance(name, Some("d"))).expect("instance");
    }
    clock.0.set(5);
    let first = block_on(store.set("alpha", "ns", "k", &json!({"a": [1, 2]}), false)).expect("set");
    clock.0.set(9);
    let second = block_on(store.set("alpha", "ns", "k", &json!({"a": [3]}), false)).expect("overwrite");
    let before = store.list_instances();

    let reopened = open(backend.engine(), &clock);
    assert_eq!(reopened.list_instances(), before);
    assert_eq!(reopened.get::<serde_json::Value>("alpha", "ns", "k"), Ok(Some(json!({"a": [3]}))));
    let again = block_on(reopened.set("alpha", "ns", "k", &json!(0), false)).expect("third write");
    assert_eq!((again.id, again.created_at), (first.id, first.created_at));
    assert!(again.version > second.version, "versions keep growing across reopen");
}

#[test]
fn opening_a_large_store_gives_the_host_a_turn_every_ten_thousand_records() {
    let backend = KeepingBackend::default();
    let clock = TestClock::default();
    let store = open(backend.engine(), &clock);
    let writes: Vec<_> = (0..25_000).map(|i| store.set("big", "ns", &format!("k{i}"), &json!(i), true)).collect();
    for write in writes {
        block_on(write).expect("set");
    }
    assert_eq!(backend.disk.borrow().pauses, 0, "writing never pauses");

    let reopened = open(backend.engine(), &clock);
    assert_eq!(backend.disk.borrow().pauses, 2, "after records 10,000 and 20,000");
    assert_eq!(reopened.get_record_count("big", None), Ok(25_000));
    assert_eq!(reopened.get::<serde_json::Value>("big", "ns", "k24999"), Ok(Some(json!(24_999))));

    block_on(reopened.delete_namespace("big", "ns")).expect("delete");
    let writes: Vec<_> = (0..10_000).map(|i| reopened.set("big", "ns", &format!("k{i}"), &json!(i), true)).collect();
    writes.into_iter().for_each(|write| drop(block_on(write)));
    drop(open(backend.engine(), &clock));
    assert_eq!(backend.disk.borrow().pauses, 2, "10,000 records open in one go");
}

#[test]
fn a_store_sees_what_another_tab_commits_and_keeps_the_first_identity() {
    let tab_a = KeepingBackend::default();
    let tab_b = tab_a.beside();
    let clock = TestClock::default();
    let a = open(tab_a.engine(), &clock);
    let b = open(tab_b.engine(), &clock);
    clock.0.set(10);
    let created = block_on(a.set("app", "ns", "k", &json!("from a"), true)).expect("a writes");
    // B learnt of the instance and the record from A's commit.
    assert_eq!(b.get::<serde_json::Value>("app", "ns", "k"), Ok(Some(json!("from a"))));
    clock.0.set(20);
    let overwritten = block_on(b.set("app", "ns", "k", &json!("from b"), false)).expect("b overwrites");
    assert_eq!((overwritten.id, overwritten.created_at), (created.id, created.created_at));
    assert!(overwritten.version > created.version);
    assert_eq!(value_of(&a, "ns", "k"), Some(json!("from b")));
}

#[test]
fn two_tabs_creating_one_key_at_once_converge_on_one_record() {
    let tab_a = KeepingBackend::default();
    let tab_b = tab_a.beside();
    let clock = TestClock::default();
    let a = open(tab_a.engine(), &clock);
    let b = open(tab_b.engine(), &clock);
    block_on(a.create_instance("app", None)).expect("instance");
    // Both write before either commit is seen by the other.
    clock.0.set(10);
    let from_a = a.set("app", "ns", "k", &json!("a"), false);
    clock.0.set(11);
    let from_b = b.set("app", "ns", "k", &json!("b"), false);
    let (ra, rb) = block_on(futures::future::join(from_a, from_b));
    let (ra, rb) = (ra.expect("a"), rb.expect("b"));
    assert_ne!(ra.id, rb.id, "each tab made its own id");
    let seen = |s: &boltkv::KvStore| {
        let q = s.query_json(r#"{"from":{"instance":"app"}}"#);
        let result = q.expect("query");
        serde_json::to_value(&result.records).expect("json")
    };
    assert_eq!(seen(&a), seen(&b), "both tabs hold the same record");
    let record = &seen(&a)[0];
    assert_eq!(record["id"], json!(ra.id.to_string()), "the older creation's id");
    assert_eq!(record["value"], json!("b"), "the later write's value");
    // Storage was repaired to the agreed record, so a reopen sees it too.
    let reopened = open(tab_a.beside().engine(), &clock);
    assert_eq!(seen(&reopened), seen(&a));
}

/// Sets `app/ns/k{i}` to `i` for every `i` in `keys`, issued together.
fn set_together(store: &boltkv::KvStore, keys: std::ops::Range<usize>) -> Vec<boltkv::Pending<boltkv::Record>> {
    keys.map(|i| store.set("app", "ns", &format!("k{i}"), &json!(i), false)).collect()
}

#[test]
fn a_burst_of_writes_commits_in_batches_of_a_thousand() {
    let backend = KeepingBackend::default();
    let store = open(backend.engine(), &TestClock::default());
    block_on(store.create_instance("app", None)).expect("instance");
    backend.disk.borrow_mut().commits.clear();
    let results = block_on(join_all(set_together(&store, 0..2500)));
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(backend.disk.borrow().commits, vec![1000, 1000, 500]);
    assert_eq!(backend.disk.borrow().records(), 2500);
}

#[test]
fn large_values_split_batches_by_bytes() {
    let backend = KeepingBackend::default();
    let store = open(backend.engine(), &TestClock::default());
    block_on(store.create_instance("app", None)).expect("instance");
    backend.disk.borrow_mut().commits.clear();
    // Each payload is 299,992 bytes of JSON text plus "ns" and "kN": three
    // fit in 1 MiB, a fourth does not.
    let text = "x".repeat(299_990);
    let mut writes: Vec<_> = (0..10).map(|i| store.set("app", "ns", &format!("k{i}"), &json!(text), false)).collect();
    // A value as large as the limit allows is over the bound with its key:
    // it makes a batch of its own, and the next write starts another.
    let largest = "y".repeat((1 << 20) - 2);
    writes.push(store.set("app", "ns", "large", &json!(largest), false));
    writes.push(store.set("app", "ns", "after", &json!(0), false));
    let results = block_on(join_all(writes));
    assert!(results.iter().all(Result::is_ok), "{:?}", results.iter().find(|r| r.is_err()));
    assert_eq!(backend.disk.borrow().commits, vec![3, 3, 3, 1, 1, 1]);
    assert_eq!(backend.disk.borrow().records(), 12);
}

#[test]
fn an_instance_created_by_a_set_commits_with_its_record() {
    let backend = KeepingBackend::default();
    let store = open(backend.engine(), &TestClock::default());
    block_on(store.create_instance("app", None)).expect("instance");
    backend.disk.borrow_mut().commits.clear();
    let mut writes = set_together(&store, 0..999);
    // [PutInstance, PutRecord] would make 1,001 changes: both go on together.
    writes.push(store.set("other", "ns", "k", &json!(1), true));
    writes.push(store.set("other", "ns", "k2", &json!(2), false));
    let results = block_on(join_all(writes));
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(backend.disk.borrow().commits, vec![999, 3]);
    assert_eq!(backend.disk.borrow().instances(), 2);
}

#[test]
fn a_failed_batch_undoes_itself_and_the_batches_behind_it() {
    let backend = KeepingBackend::default();
    let store = open(backend.engine(), &TestClock::default());
    block_on(store.create_instance("app", None)).expect("instance");
    let old: Vec<_> = (0..1250).map(|i| store.set("app", "ns", &format!("k{i}"), &json!("old"), false)).collect();
    assert!(block_on(join_all(old)).iter().all(Result::is_ok));
    backend.disk.borrow_mut().commits.clear();
    backend.disk.borrow_mut().outcomes.extend([Ok(()), Err(StorageError::Full)]);

    // Write i sets k{i % 1250}: the first batch (0..1000) commits; the second
    // (1000..2000) fails, as does the third behind it (2000..2500), which
    // overwrites k750..k1249 again, after both earlier batches.
    let writes: Vec<_> = (0..2500).map(|i| store.set("app", "ns", &format!("k{}", i % 1250), &json!(i), false)).collect();
    let results = block_on(join_all(writes));
    for (i, result) in results.iter().enumerate() {
        match i < 1000 {
            true => assert!(result.is_ok(), "write {i} is in the committed batch"),
            false => assert_eq!(result.as_ref().map(|_| ()), Err(&Error::Storage(StorageError::Full)), "write {i}"),
        }
    }
    assert_eq!(backend.disk.borrow().commits, vec![1000, 1000], "the third batch never reached the backend");
    for i in 0..1000 {
        assert_eq!(value_of(&store, "ns", &format!("k{i}")), Some(json!(i)), "k{i} keeps the committed write");
    }
    for i in 1000..1250 {
        assert_eq!(value_of(&store, "ns", &format!("k{i}")), Some(json!("old")), "k{i} is back to its value before");
    }
    // Memory equals the disk.
    assert_eq!(contents(&store), contents(&open(backend.beside().engine(), &TestClock::default())));
    block_on(store.set("app", "ns", "k1100", &json!("later"), false)).expect("later write");
    assert_eq!(backend.disk.borrow().commits, vec![1000, 1000, 1]);
    assert_eq!(value_of(&store, "ns", "k1100"), Some(json!("later")));
}

#[test]
fn flush_waits_for_every_queued_batch() {
    let backend = KeepingBackend::default();
    let store = open(backend.engine(), &TestClock::default());
    block_on(store.create_instance("app", None)).expect("instance");
    backend.disk.borrow_mut().commits.clear();
    backend.disk.borrow_mut().hold = true;
    let _unawaited = set_together(&store, 0..2500);

    let mut pool = LocalPool::new();
    let flushed = Rc::new(RefCell::new(None));
    let sink = flushed.clone();
    let flush = store.flush();
    pool.spawner().spawn_local(async move {
        *sink.borrow_mut() = Some(flush.await);
    }).expect("spawn");
    pool.run_until_stalled();
    assert_eq!(*flushed.borrow(), None, "the first batch is held");
    backend.release();
    pool.run();
    assert_eq!(*flushed.borrow(), Some(Ok(())));
    assert_eq!(backend.disk.borrow().commits, vec![1000, 1000, 500]);
    assert_eq!(backend.disk.borrow().records(), 2500);
}

#[test]
fn callers_that_stop_waiting_stall_no_one_behind_them() {
    // For several pseudo-random choices of who gives up: writes in three
    // batches, each awaited by its own task; the commit in flight is held,
    // so the task that polled it last is the one it would wake; some tasks
    // are then dropped (as a `select!` or a timeout drops a future),
    // always that one among them.
    let mut seed = 0x2545_f491_u32;
    for round in 0..20 {
        let backend = KeepingBackend::default();
        let store = open(backend.engine(), &TestClock::default());
        block_on(store.create_instance("app", None)).expect("instance");
        backend.disk.borrow_mut().hold = true;
        let mut pool = LocalPool::new();
        let mut handles = Vec::new();
        for i in 0..30 {
            let write = store.set("app", "ns", &format!("k{i}"), &json!(i), false);
            handles.push(pool.spawner().spawn_local_with_handle(write).expect("spawn"));
            if i % 10 == 9 {
                pool.run_until_stalled(); // the batch so far is sealed and queued
            }
        }
        pool.run_until_stalled();
        let mut kept = Vec::new();
        for (i, handle) in handles.into_iter().enumerate() {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            // The last task polled the held commit last: it always gives up.
            if seed % 2 == 0 && i != 29 {
                kept.push((i, handle));
            }
        }
        backend.release();
        pool.run_until_stalled();
        for (i, handle) in kept {
            let done = futures::FutureExt::now_or_never(handle);
            assert!(matches!(done, Some(Ok(_))), "round {round}: write {i} still waits or failed: {done:?}");
        }
        assert_eq!(backend.disk.borrow().records(), 30, "round {round}: dropped callers' writes are kept too");
    }
}

#[test]
fn a_guarded_change_is_written_only_while_storage_holds_what_it_expects() {
    // A repair is guarded by the document it was computed from; here the
    // guard is checked through the engine, inside the driver's commit.
    let backend = KeepingBackend::default();
    let store = open(backend.engine(), &TestClock::default());
    let first = block_on(store.set("app", "ns", "k", &json!("first"), true)).expect("first");
    let stored = backend.disk.borrow().items.iter().find(|(key, _)| key.starts_with("r/")).map(|(_, text)| text.clone()).expect("stored");
    let engine = backend.beside().engine();
    let later = boltkv::Record { value: boltkv::Value::from_json("\"repaired\"".into(), &boltkv::Limits::default()).expect("valid"), ..first.clone() };
    let (put, other) = (vec![boltkv::Change::PutRecord(later)], vec![boltkv::Change::PutRecord(first.clone())]);

    let stale = boltkv::Guard { change: 0, expect: boltkv::Expect::Stored(stored.replace("first", "older")), call: 0..1, caller: 0, operation: None };
    block_on(engine.commit(put.clone(), vec![stale])).expect("the commit itself succeeds");
    assert_eq!(backend.disk.borrow().items.values().find(|t| t.contains("\"k\"")), Some(&stored), "a failed guard writes nothing");

    let holds = boltkv::Guard { change: 1, expect: boltkv::Expect::Stored(stored.clone()), call: 1..2, caller: 1, operation: None };
    block_on(engine.commit([other, put].concat(), vec![holds])).expect("commits");
    let now = backend.disk.borrow().items.values().find(|t| t.contains("\"k\"")).cloned().unwrap_or_default();
    assert!(now.contains("repaired"), "a guard that holds lets its change through, after the unguarded ones: {now}");
}
