//! Record versions, conditional writes and instance names, decided by
//! storage: natively on the memory backend, and through the storage engine
//! with two stores on one disk standing for two tabs that have not yet
//! heard of each other's writes.

mod common;

use boltkv::{DeleteOptions, Error, ErrorCode, IfVersion, KvStore, MemoryBackend, SetOptions};
use common::{KeepingBackend, TestClock, contents, open, open_tab, two_tabs};
use futures::executor::block_on;
use futures::future::join_all;

fn when(if_version: IfVersion) -> SetOptions {
    SetOptions { auto_create_instance: true, if_version: Some(if_version), expire: None }
}

fn code<T: std::fmt::Debug>(result: &Result<T, Error>) -> Option<ErrorCode> {
    result.as_ref().err().map(Error::code)
}

#[test]
fn a_conditional_set_and_delete_check_the_version_in_memory() {
    let store = open(Box::new(MemoryBackend), &TestClock::default());
    let first = block_on(store.set_with("app", "ns", "k", &1, when(IfVersion::Absent))).expect("absent, so written");
    assert_eq!(first.version, 1);
    let again = block_on(store.set_with("app", "ns", "k", &2, when(IfVersion::Absent)));
    assert_eq!(again, Err(Error::Conflict { place: "ns/k".into(), expected: None, found: Some(1) }));
    assert_eq!(code(&again), Some(ErrorCode::Conflict));
    assert_eq!(
        again.map_err(|e| e.to_string()),
        Err("The key ns/k is at version 1 but the write required it absent; it was changed meanwhile, so nothing was written. Read it again and retry.".into())
    );
    let second = block_on(store.set_with("app", "ns", "k", &2, when(IfVersion::Is(1)))).expect("at version 1, so written");
    assert_eq!((second.version, second.id, second.created_at), (2, first.id, first.created_at));
    let stale = block_on(store.delete_with("app", "ns", "k", DeleteOptions { if_version: Some(IfVersion::Is(1)) }));
    assert_eq!(code(&stale), Some(ErrorCode::Conflict));
    assert_eq!(store.get::<i32>("app", "ns", "k"), Ok(Some(2)), "a refused delete deletes nothing");
    let absent = DeleteOptions { if_version: Some(IfVersion::Absent) };
    assert_eq!(code(&block_on(store.delete_with("app", "ns", "k", absent.clone()))), Some(ErrorCode::Conflict));
    assert_eq!(block_on(store.delete_with("app", "ns", "k", DeleteOptions { if_version: Some(IfVersion::Is(2)) })), Ok(true));
    assert_eq!(block_on(store.delete_with("app", "ns", "k", absent)), Ok(false), "absent as required: nothing to delete");
    let third = block_on(store.set_with("app", "ns", "k", &3, when(IfVersion::Absent))).expect("absent again");
    assert_eq!(third.version, 3, "a version never repeats for a key, even after a delete");
}

#[test]
fn versions_are_unique_across_tabs_and_reopen() {
    let clock = TestClock::default();
    let (disk, a, b) = two_tabs(&clock);
    block_on(a.create_instance("app", None)).expect("created");
    // Both tabs hand out versions before either hears of the other's.
    let from_a: Vec<_> = (0..5).map(|i| a.set("app", "ns", &format!("a{i}"), &i, false)).collect();
    let from_b: Vec<_> = (0..5).map(|i| b.set("app", "ns", &format!("b{i}"), &i, false)).collect();
    let a_records = block_on(join_all(from_a));
    let b_records = block_on(join_all(from_b));
    let mut versions: Vec<u64> = a_records.iter().chain(&b_records).map(|r| r.as_ref().expect("written").version).collect();
    assert_eq!(versions[..5], [1, 2, 3, 4, 5]);
    assert_eq!(versions[5..], [6, 7, 8, 9, 10], "the later commit's versions moved past the earlier one's");
    versions.dedup();
    assert_eq!(versions.len(), 10);
    assert_eq!(b.get_record_count("app", None), Ok(10));
    assert_eq!(contents(&a), contents(&b), "each tab shows the versions storage gave");
    block_on(a.delete("app", "ns", "b4")).expect("deleted");
    let reopened = open_tab(disk.beside().engine(), &clock, 2 << 64);
    let next = block_on(reopened.set("app", "ns", "b4", &0, false)).expect("written");
    assert_eq!(next.version, 11, "a reopened store continues after every version handed out, deleted ones too");
    assert_eq!(disk.disk.borrow().items.get("n").map(String::as_str), Some("12"));
}

#[test]
fn of_two_tabs_checking_one_version_exactly_one_writes() {
    let clock = TestClock::default();
    let (disk, a, b) = two_tabs(&clock);
    block_on(a.set("app", "ns", "k", &0, true)).expect("written");
    let (from_a, from_b) = (a.set_with("app", "ns", "k", &"a", when(IfVersion::Is(1))), b.set_with("app", "ns", "k", &"b", when(IfVersion::Is(1))));
    let also_a = a.set("app", "ns", "other", &"a", false);
    let (from_a, also_a, from_b) = block_on(async { (from_a.await, also_a.await, from_b.await) });
    assert_eq!(from_a.map(|r| r.version), Ok(2));
    assert_eq!(also_a.map(|r| r.version), Ok(3), "a write sharing the batch is unaffected");
    assert_eq!(from_b, Err(Error::Conflict { place: "ns/k".into(), expected: Some(1), found: Some(2) }));
    assert_eq!(b.get::<String>("app", "ns", "k"), Ok(Some("a".into())), "the refused tab shows what storage holds");
    assert_eq!(contents(&a), contents(&b));
    assert_eq!(contents(&a), contents(&open_tab(disk.beside().engine(), &clock, 3 << 64)));
}

#[test]
fn a_refused_call_fails_alone_in_its_batch() {
    let clock = TestClock::default();
    let (disk, a, b) = two_tabs(&clock);
    block_on(a.create_instance("app", None)).expect("created");
    let from_b = b.set("app", "ns", "k2", &"b", false);
    let k1 = a.set("app", "ns", "k1", &1, false);
    let k2 = a.set_with("app", "ns", "k2", &"a", SetOptions { auto_create_instance: false, if_version: Some(IfVersion::Absent), expire: None });
    let k3 = a.set("app", "ns", "k3", &3, false);
    let from_b = block_on(from_b).expect("b commits first");
    let results = block_on(join_all([k1, k2, k3]));
    assert!(results[0].is_ok() && results[2].is_ok(), "{results:?}");
    assert_eq!(results[1], Err(Error::Conflict { place: "ns/k2".into(), expected: None, found: Some(from_b.version) }));
    assert_eq!(a.get::<String>("app", "ns", "k2"), Ok(Some("b".into())));
    assert_eq!(disk.disk.borrow().records(), 3);
    assert_eq!(contents(&a), contents(&b));
}

#[test]
fn of_two_tabs_creating_one_name_exactly_one_succeeds() {
    let clock = TestClock::default();
    let (disk, a, b) = two_tabs(&clock);
    let (made_a, made_b) = (a.create_instance("x", None), b.create_instance("x", Some("b's")));
    let (made_a, made_b) = block_on(async { (made_a.await, made_b.await) });
    let winner = made_a.expect("the first commit wins");
    assert_eq!(made_b, Err(Error::InstanceExists("x".into())));
    assert_eq!(code(&made_b), Some(ErrorCode::AlreadyExists));
    for tab in [&a, &b, &open_tab(disk.beside().engine(), &clock, 3 << 64)] {
        assert_eq!(tab.list_instances(), std::slice::from_ref(&winner), "every tab sees one instance named x");
    }
    // A rename to a name another tab just took is refused the same way.
    let (rename, create) = (b.update_instance("x", boltkv::InstanceUpdate { name: Some("y".into()), description: None }), a.create_instance("y", None));
    let (rename, create) = block_on(async { (rename.await, create.await) });
    assert!(rename.is_ok(), "{rename:?}");
    assert_eq!(create, Err(Error::InstanceExists("y".into())));
    assert_eq!(contents(&a), contents(&b));
}

#[test]
fn tabs_auto_creating_one_instance_write_into_the_same_one() {
    let clock = TestClock::default();
    let (disk, a, b) = two_tabs(&clock);
    let (from_a, from_b) = (a.set("my-app", "ns", "from-a", &1, true), b.set("my-app", "ns", "from-b", &2, true));
    let later_b = b.set("my-app", "ns", "later-b", &3, true);
    let (from_a, from_b, later_b) = block_on(async { (from_a.await, from_b.await, later_b.await) });
    let (from_a, from_b, later_b) = (from_a.expect("written"), from_b.expect("written into a's instance"), later_b.expect("written"));
    assert_eq!(from_b.instance_id, from_a.instance_id, "b's record went into the instance that holds the name");
    assert_eq!(later_b.instance_id, from_a.instance_id);
    let fresh = open_tab(disk.beside().engine(), &clock, 3 << 64);
    assert_eq!(fresh.list_instances().len(), 1);
    for key in ["from-a", "from-b", "later-b"] {
        assert!(fresh.get::<i32>("my-app", "ns", key).expect("read").is_some(), "{key} is reachable by name");
    }
    assert_eq!(contents(&a), contents(&fresh));
    assert_eq!(contents(&b), contents(&fresh));
}

#[test]
fn two_tabs_counting_with_retries_lose_no_increment() {
    let clock = TestClock::default();
    let (disk, a, b) = two_tabs(&clock);
    block_on(a.set("app", "ns", "counter", &0, true)).expect("written");
    // Each commit answers after a few polls, so the tabs' commits interleave.
    disk.disk.borrow_mut().delays.extend(std::iter::repeat_n(1, 2000));
    let count = |tab: KvStore| async move {
        let mut conflicts = 0;
        for _ in 0..200 {
            loop {
                let record = tab.get_record("app", "ns", "counter").expect("read").expect("the counter");
                let value: i64 = record.value.decode().expect("a number");
                let next = tab.set_with("app", "ns", "counter", &(value + 1), when(IfVersion::Is(record.version))).await;
                match next {
                    Ok(_) => break,
                    Err(e) if e.code() == ErrorCode::Conflict => conflicts += 1,
                    Err(e) => panic!("{e}"),
                }
            }
        }
        conflicts
    };
    let (conflicts_a, conflicts_b) = block_on(futures::future::join(count(a.clone()), count(b.clone())));
    assert!(conflicts_a + conflicts_b > 0, "the tabs did race");
    assert_eq!(a.get::<i64>("app", "ns", "counter"), Ok(Some(400)));
    assert_eq!(b.get::<i64>("app", "ns", "counter"), Ok(Some(400)));
    let fresh = open_tab(disk.beside().engine(), &clock, 3 << 64);
    assert_eq!(fresh.get::<i64>("app", "ns", "counter"), Ok(Some(400)));
}

#[test]
fn a_commit_decided_again_from_fresher_reads_writes_the_last_decision() {
    // A localStorage tab decides from its own (maybe stale) view first, and
    // again from the writer tab's reads; the first decision must not leak
    // into what the second writes.
    let clock = TestClock::default();
    let disk = KeepingBackend::default();
    let store = open(disk.engine(), &clock);
    let first = block_on(store.set("app", "ns", "k", &1, true)).expect("written");
    disk.disk.borrow_mut().stale_first = true;
    let second = block_on(store.set_with("app", "ns", "k", &2, when(IfVersion::Is(first.version)))).expect("the fresh decision lets it through");
    assert_eq!(second.version, first.version + 1);
    let reopened = open_tab(disk.beside().engine(), &clock, 1 << 64);
    assert_eq!(reopened.get::<i32>("app", "ns", "k"), Ok(Some(2)), "written, not removed");
    assert_eq!(contents(&store), contents(&reopened));
}

#[test]
fn a_write_heard_while_this_tab_was_committing_the_same_key_gives_way_to_the_newer() {
    // Storage orders the two writes; the tab whose commit came second must
    // show its own record, not the one it heard while committing.
    let clock = TestClock::default();
    let (disk, a, b) = two_tabs(&clock);
    block_on(a.set("app", "ns", "k", &"first", true)).expect("written");
    disk.disk.borrow_mut().delays.push_back(3);
    let from_b = b.set("app", "ns", "k", &"b", false);
    let mut from_b = Box::pin(from_b);
    assert!(futures::FutureExt::now_or_never(&mut from_b).is_none(), "b's commit is under way");
    block_on(a.set("app", "ns", "k", &"a", false)).expect("a commits while b's commit is under way");
    let from_b = block_on(from_b).expect("b commits after a");
    assert_eq!(b.get::<String>("app", "ns", "k"), Ok(Some("b".into())), "b shows its own, newer record");
    assert_eq!(a.get::<String>("app", "ns", "k"), Ok(Some("b".into())));
    let fresh = open_tab(disk.beside().engine(), &clock, 3 << 64);
    assert_eq!(fresh.get_record("app", "ns", "k").map(|r| r.map(|r| r.version)), Ok(Some(from_b.version)));
    assert_eq!(contents(&a), contents(&fresh));
    assert_eq!(contents(&b), contents(&fresh));
}

#[test]
fn a_write_heard_while_this_tab_was_deleting_the_same_key_goes_if_it_came_first() {
    // A's write commits before B's delete does; B heard it meanwhile. The
    // delete removed it from storage, so B must not keep showing it.
    let clock = TestClock::default();
    let (disk, a, b) = two_tabs(&clock);
    block_on(a.set("app", "ns", "k", &"first", true)).expect("written");
    block_on(a.set("app", "other", "x", &"first", false)).expect("written");
    disk.disk.borrow_mut().delays.push_back(3);
    let mut deletes = Box::pin(futures::future::join(b.delete("app", "ns", "k"), b.delete_namespace("app", "other")));
    assert!(futures::FutureExt::now_or_never(&mut deletes).is_none(), "b's commit is under way");
    block_on(a.set("app", "ns", "k", &"a", false)).expect("a commits while b's commit is under way");
    block_on(a.set("app", "other", "x", &"a", false)).expect("and into the namespace b clears");
    let (deleted, cleared) = block_on(deletes);
    assert_eq!((deleted, cleared), (Ok(true), Ok(1)));
    let fresh = open_tab(disk.beside().engine(), &clock, 3 << 64);
    assert_eq!(fresh.get_record_count("app", None), Ok(0), "b's commit removed both");
    assert_eq!(contents(&b), contents(&fresh), "b shows what storage holds");
    assert_eq!(contents(&a), contents(&fresh));
}
