//! Record versions on storage that cannot count them (Workers KV, here a
//! disk without transactions): drawn from the store's clock, so copies of a
//! store that never hear each other still hand out growing, distinct
//! versions (src/store/versions.rs).

mod common;

use boltkv::KvStore;
use common::{KeepingBackend, TestClock, open_tab};
use futures::executor::block_on;

/// 2025-01-01T00:00:00Z, where the clock's count of versions starts.
const EPOCH_MS: i64 = 1_735_689_600_000;
/// 2027-01-14T08:00:00Z.
const START: i64 = 1_799_913_600_000;

fn without_transactions() -> KeepingBackend {
    let disk = KeepingBackend::default();
    disk.disk.borrow_mut().without_transactions = true;
    disk
}

fn write(store: &KvStore, value: i32) -> u64 {
    block_on(store.set("app", "ns", "k", &value, true)).expect("written").version
}

/// The millisecond since the epoch a version was drawn in.
fn drawn_at(version: u64) -> i64 {
    i64::try_from(version / 1024).expect("small") + EPOCH_MS
}

#[test]
fn two_copies_writing_one_key_in_turn_hand_out_growing_distinct_versions() {
    let disk = without_transactions();
    let clock = TestClock::default();
    clock.0.set(START);
    let a = open_tab(disk.engine(), &clock, 0);
    let b = open_tab(disk.beside().engine(), &clock, 1 << 64);
    let mut versions = Vec::new();
    for turn in 0..10 {
        clock.0.set(START + turn);
        versions.push(write(if turn % 2 == 0 { &a } else { &b }, i32::try_from(turn).expect("small")));
    }
    let times: Vec<i64> = versions.iter().map(|v| drawn_at(*v)).collect();
    assert_eq!(times, (START..START + 10).collect::<Vec<_>>(), "each version is drawn from its write's millisecond: {versions:?}");
    assert!(versions.windows(2).all(|w| w[0] < w[1]), "strictly growing: {versions:?}");
}

#[test]
fn a_copy_never_hands_out_a_version_below_one_it_handed_out_or_loaded() {
    let disk = without_transactions();
    let clock = TestClock::default();
    clock.0.set(START);
    let a = open_tab(disk.engine(), &clock, 0);
    let burst: Vec<u64> = (0..3000).map(|n| write(&a, n)).collect();
    assert!(burst.windows(2).all(|w| w[0] < w[1]), "a burst within one millisecond still grows");
    assert!(drawn_at(burst[2999]) > START, "and runs ahead of the clock");
    // The clock goes back; a copy opened now loads the key's last version.
    clock.0.set(START - 60_000);
    assert_eq!(write(&a, 0), burst[2999] + 1);
    let b = open_tab(disk.beside().engine(), &clock, 1 << 64);
    assert_eq!(write(&b, 0), burst[2999] + 2);
}

#[test]
fn a_key_deleted_and_written_again_after_a_reopen_gets_a_greater_version() {
    let disk = without_transactions();
    let clock = TestClock::default();
    clock.0.set(START);
    let a = open_tab(disk.engine(), &clock, 0);
    let first = write(&a, 1);
    assert!(block_on(a.delete("app", "ns", "k")).expect("deleted"));
    drop(a);
    clock.0.set(START + 1);
    let again = open_tab(disk.engine(), &clock, 1 << 64);
    let second = write(&again, 2);
    assert!(second > first, "{second} after {first}");
    assert_eq!(drawn_at(second), START + 1);
    assert_eq!(again.get::<i32>("app", "ns", "k").expect("read"), Some(2));
}

#[test]
fn an_expired_record_leaves_memory_but_not_storage_that_cannot_check_another_copy_has_not_written_it() {
    let disk = without_transactions();
    let clock = TestClock::default();
    clock.0.set(START);
    let a = open_tab(disk.engine(), &clock, 0);
    let b = open_tab(disk.beside().engine(), &clock, 1 << 64);
    let expiring = boltkv::SetOptions { auto_create_instance: true, if_version: None, expire: Some(boltkv::Expiry::In(1000)) };
    block_on(a.set_with("app", "ns", "k", &1, expiring)).expect("written");
    // b, which never hears a, writes the key again, without an expiry.
    block_on(b.set("app", "ns", "k", &2, true)).expect("written");
    let commits = disk.disk.borrow().commits.len();
    clock.0.set(START + 1000);
    let told = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let log = told.clone();
    let _watch = a.watch(boltkv::Selector::default(), move |event| log.borrow_mut().extend(event.changes.clone()));
    assert_eq!(a.get::<i32>("app", "ns", "k"), Ok(None), "expired for a");
    disk.run_spawned();
    assert!(matches!(told.borrow().as_slice(), [boltkv::Changed::Expire { key, .. }] if key == "k"));
    assert_eq!(disk.disk.borrow().commits.len(), commits, "a removes nothing from storage");
    let c = open_tab(disk.beside().engine(), &clock, 2 << 64);
    assert_eq!(c.get::<i32>("app", "ns", "k"), Ok(Some(2)), "b's write is kept");
}
