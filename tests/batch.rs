//! Atomic batches and bulk reads: all or nothing, in order, the first
//! failing operation named, checks made again by storage against another
//! tab's writes; natively, on memory and through the storage engine.

mod common;

use boltkv::{Error, ErrorCode, IfVersion, KvStore, MemoryBackend, Operation, Outcome, SetOptions, StorageError};
use common::{KeepingBackend, TestClock, contents, open, open_tab};
use futures::executor::block_on;
use serde_json::json;

fn set(store: &KvStore, key: &str, value: serde_json::Value) -> Operation {
    let value = store.value(&value).expect("a value");
    Operation::Set { instance: "app".into(), namespace: "ns".into(), key: key.into(), value, options: SetOptions { auto_create_instance: true, if_version: None, expire: None } }
}

fn delete(key: &str) -> Operation {
    Operation::Delete { instance: "app".into(), namespace: "ns".into(), key: key.into(), if_version: None }
}

fn check(key: &str, version: IfVersion) -> Operation {
    Operation::Check { instance: "app".into(), namespace: "ns".into(), key: key.into(), version }
}

fn versions(outcomes: &[Outcome]) -> Vec<Option<u64>> {
    outcomes.iter().map(|o| if let Outcome::Record(r) = o { Some(r.version) } else { None }).collect()
}

#[test]
fn operations_apply_in_order_and_answer_in_order() {
    let store = open(Box::new(MemoryBackend), &TestClock::default());
    let outcomes = block_on(store.batch(vec![
        check("k", IfVersion::Absent),
        set(&store, "k", json!(1)),
        set(&store, "k", json!(2)),
        check("k", IfVersion::Is(2)),
        delete("k"),
        delete("k"),
        set(&store, "other", json!("x")),
    ]))
    .expect("all hold");
    assert_eq!(versions(&outcomes), [None, Some(1), Some(2), None, None, None, Some(3)]);
    assert_eq!(outcomes[0], Outcome::Checked);
    assert_eq!(outcomes[4..6], [Outcome::Deleted(true), Outcome::Deleted(false)]);
    let Outcome::Record(first) = &outcomes[1] else { panic!("a record") };
    let Outcome::Record(second) = &outcomes[2] else { panic!("a record") };
    assert_eq!(second.id, first.id, "the second set overwrote the first within the batch");
    assert_eq!(store.get::<i32>("app", "ns", "k"), Ok(None));
    assert_eq!(store.get::<String>("app", "ns", "other"), Ok(Some("x".into())));
    assert_eq!(store.list_instances().len(), 1, "created once, by its first set");
}

#[test]
fn the_first_failing_operation_is_named_and_nothing_changes() {
    let store = open(Box::new(MemoryBackend), &TestClock::default());
    block_on(store.set("app", "ns", "kept", &json!("before"), true)).expect("written");
    let before = contents(&store);
    let missing = Operation::Set {
        instance: "nowhere".into(),
        namespace: "ns".into(),
        key: "k".into(),
        value: store.value(&1).expect("a value"),
        options: SetOptions::default(),
    };
    let cases: Vec<(Vec<Operation>, usize, ErrorCode)> = vec![
        (vec![set(&store, "kept", json!("after")), missing], 1, ErrorCode::NotFound),
        (vec![set(&store, "a", json!(1)), delete("kept"), check("kept", IfVersion::Is(1))], 2, ErrorCode::Conflict),
        (vec![check("kept", IfVersion::Absent), set(&store, "a", json!(1))], 0, ErrorCode::Conflict),
        (vec![set(&store, "a", json!(1)), Operation::Delete { instance: "app".into(), namespace: String::new(), key: "k".into(), if_version: None }], 1, ErrorCode::InvalidArgument),
    ];
    for (operations, index, code) in cases {
        let failed = block_on(store.batch(operations));
        let Err(Error::InOperation { index: named, error }) = &failed else { panic!("{failed:?}") };
        assert_eq!((*named, error.code()), (index, code), "{failed:?}");
        assert!(failed.as_ref().err().is_some_and(|e| e.to_string().starts_with(&format!("Operation {index} of the batch failed, so none was carried out: "))));
        assert_eq!(contents(&store), before, "nothing changed");
    }
    let empty = block_on(store.batch(Vec::new()));
    assert_eq!(empty.map_err(|e| e.to_string()), Err("operations must hold 1 to 10000 entries (maxBatchOperations), not 0.".into()));
}

#[test]
fn a_batch_whose_check_another_tab_broke_writes_nothing_even_after_reopen() {
    let clock = TestClock::default();
    let disk = KeepingBackend::default();
    let a = open_tab(disk.engine(), &clock, 0);
    let b = open_tab(disk.beside().engine(), &clock, 1 << 64);
    let first = block_on(a.set("app", "ns", "k", &0, true)).expect("written");
    // B changes the key before A's batch commits; A's memory does not know yet.
    let from_b = b.set("app", "ns", "k", &"b", false);
    let batch = a.batch(vec![set(&a, "x", json!(1)), set(&a, "y", json!(2)), check("k", IfVersion::Is(first.version))]);
    block_on(from_b).expect("b commits first");
    let refused = block_on(batch);
    let Err(Error::InOperation { index: 2, error }) = &refused else { panic!("{refused:?}") };
    assert_eq!(error.code(), ErrorCode::Conflict);
    assert_eq!((a.get::<i32>("app", "ns", "x"), a.get::<i32>("app", "ns", "y")), (Ok(None), Ok(None)));
    let reopened = open_tab(disk.beside().engine(), &clock, 2 << 64);
    assert_eq!(reopened.get_record_count("app", None), Ok(1), "only k is stored");
    assert_eq!(contents(&a), contents(&reopened));
    assert_eq!(contents(&b), contents(&reopened));
}

#[test]
fn a_batch_is_one_commit_and_fails_whole() {
    let disk = KeepingBackend::default();
    let store = open(disk.engine(), &TestClock::default());
    let outcomes = block_on(store.batch((0..5).map(|i| set(&store, &format!("k{i}"), json!(i))).collect())).expect("written");
    assert_eq!(versions(&outcomes), [Some(1), Some(2), Some(3), Some(4), Some(5)]);
    assert_eq!(disk.disk.borrow().commits, vec![6], "one instance and five records in one commit");
    disk.disk.borrow_mut().outcomes.push_back(Err(StorageError::Full));
    let failed = block_on(store.batch(vec![set(&store, "k0", json!("new")), delete("k1")]));
    assert_eq!(failed.map_err(|e| e.code()), Err(ErrorCode::StorageFull));
    assert_eq!(store.get::<i32>("app", "ns", "k0"), Ok(Some(0)));
    assert_eq!(store.get::<i32>("app", "ns", "k1"), Ok(Some(1)));
}

#[test]
fn get_many_reads_every_key_from_one_state() {
    let store = open(Box::new(MemoryBackend), &TestClock::default());
    block_on(store.set("app", "ns", "a", &1, true)).expect("written");
    block_on(store.set("app", "ns", "b", &2, false)).expect("written");
    let keys = [("app", "ns", "a"), ("app", "ns", "missing"), ("nowhere", "ns", "a"), ("app", "ns", "b")];
    assert_eq!(store.get_many::<i32>(&keys), Ok(vec![Some(1), None, None, Some(2)]));
    let records = store.get_many_records(&keys).expect("read");
    assert_eq!(records.iter().map(|r| r.as_ref().map(|r| r.version)).collect::<Vec<_>>(), [Some(1), None, None, Some(2)]);
    let bad = store.get_many_records(&[("app", "ns", "a"), ("app", "", "b")]);
    assert!(matches!(bad, Err(Error::InKey { index: 1, .. })), "{bad:?}");
    assert_eq!(store.get_many::<String>(&[("app", "ns", "a")]).map_err(|e| e.code()), Err(ErrorCode::InvalidArgument));
}
