//! Expiry, driven by the injectable clock: exact invisibility from the
//! expiry instant, removal from storage by the sweep and at open, and a
//! removal that never deletes a record another tab wrote since.

mod common;

use boltkv::{ErrorCode, Expiry, IfVersion, KvStore, MemoryBackend, Query, SetOptions, Timestamp};
use common::{KeepingBackend, TestClock, contents, open, open_tab};
use futures::executor::block_on;
use serde_json::json;

fn expiring(expire: Expiry) -> SetOptions {
    SetOptions { auto_create_instance: true, if_version: None, expire: Some(expire) }
}

/// What every read says about key `k` of namespace `ns`.
fn seen(store: &KvStore) -> (Option<i32>, usize, Vec<String>, usize) {
    let query = Query::parse(&json!({"from": {"instance": "app"}})).expect("valid");
    (
        store.get::<i32>("app", "ns", "k").expect("read"),
        store.get_record_count("app", None).expect("counted"),
        store.get_namespaces("app").expect("listed"),
        store.query(&query).expect("queried").total,
    )
}

#[test]
fn a_record_is_invisible_from_its_expiry_instant() {
    let clock = TestClock::default();
    clock.0.set(1_000);
    let store = open(Box::new(MemoryBackend), &clock);
    let record = block_on(store.set_with("app", "ns", "k", &7, expiring(Expiry::In(500)))).expect("written");
    assert_eq!(record.expires_at, Some(Timestamp(1_500)));
    assert_eq!(serde_json::to_value(&record).expect("json")["expiresAt"], json!("1970-01-01T00:00:01.500Z"));
    clock.0.set(1_499);
    assert_eq!(seen(&store), (Some(7), 1, vec!["ns".to_string()], 1));
    clock.0.set(1_500);
    assert_eq!(seen(&store), (None, 0, Vec::new(), 0));
    let again = block_on(store.set_with("app", "ns", "k", &8, SetOptions { if_version: Some(IfVersion::Absent), ..SetOptions::default() }));
    assert!(again.is_ok(), "an expired key is absent to a version check: {again:?}");
    assert_eq!(again.map(|r| r.expires_at), Ok(None), "a set without expiry keeps none");
}

#[test]
fn a_later_set_without_expiry_removes_it_and_bad_expiries_store_nothing() {
    let clock = TestClock::default();
    clock.0.set(10_000);
    let store = open(Box::new(MemoryBackend), &clock);
    block_on(store.set_with("app", "ns", "k", &1, expiring(Expiry::At(Timestamp(20_000))))).expect("written");
    block_on(store.set("app", "ns", "k", &2, false)).expect("written");
    clock.0.set(30_000);
    assert_eq!(store.get::<i32>("app", "ns", "k"), Ok(Some(2)), "the expiry went with the overwrite");
    for bad in [Expiry::In(0), Expiry::At(Timestamp(30_000)), Expiry::At(Timestamp(29_999)), Expiry::In(u64::MAX)] {
        let refused = block_on(store.set_with("app", "ns", "k", &3, expiring(bad)));
        assert_eq!(refused.map_err(|e| e.code()), Err(ErrorCode::InvalidArgument), "{bad:?}");
    }
    assert_eq!(store.get::<i32>("app", "ns", "k"), Ok(Some(2)), "nothing stored");
}

#[test]
fn expired_records_leave_storage_by_the_sweep_and_at_open() {
    let clock = TestClock::default();
    let disk = KeepingBackend::default();
    let store = open(disk.engine(), &clock);
    block_on(store.set_with("app", "ns", "short", &1, expiring(Expiry::In(100)))).expect("written");
    block_on(store.set_with("app", "ns", "long", &2, expiring(Expiry::In(10_000)))).expect("written");
    block_on(store.set("app", "ns", "kept", &3, false)).expect("written");
    assert_eq!(disk.disk.borrow().records(), 3);
    clock.0.set(100);
    assert_eq!(store.get::<i32>("app", "ns", "short"), Ok(None));
    disk.run_spawned();
    assert_eq!(disk.disk.borrow().records(), 2, "the sweep removed it from storage");
    clock.0.set(20_000);
    let reopened = open_tab(disk.beside().engine(), &clock, 1 << 64);
    disk.run_spawned();
    assert_eq!(disk.disk.borrow().records(), 1, "the store that opened removed what expired while closed");
    assert_eq!(reopened.get::<i32>("app", "ns", "kept"), Ok(Some(3)));
    assert_eq!(reopened.get::<i32>("app", "ns", "long"), Ok(None));
}

#[test]
fn removing_an_expired_record_never_deletes_a_newer_one_from_another_tab() {
    let clock = TestClock::default();
    let disk = KeepingBackend::default();
    let a = open_tab(disk.engine(), &clock, 0);
    block_on(a.set_with("app", "ns", "k", &1, expiring(Expiry::In(100)))).expect("written");
    let b = open_tab(disk.beside().engine(), &clock, 1 << 64);
    // A does not hear B's rewrite before its sweep (B's commit is held).
    disk.disk.borrow_mut().hold = true;
    let rewrite = b.set("app", "ns", "k", &2, false);
    clock.0.set(100);
    assert_eq!(a.get::<i32>("app", "ns", "k"), Ok(None), "expired, for A");
    disk.release();
    block_on(rewrite).expect("b's rewrite commits first");
    disk.run_spawned();
    let fresh = open_tab(disk.beside().engine(), &clock, 2 << 64);
    assert_eq!(fresh.get::<i32>("app", "ns", "k"), Ok(Some(2)), "B's record was not removed");
    assert_eq!(contents(&a), contents(&fresh), "A shows what storage holds");
}
