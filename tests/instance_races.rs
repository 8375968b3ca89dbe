//! Writes into an instance that another tab deletes or changes while they
//! are on their way to storage: storage refuses them
//! (`Expect::InstanceStored`, `Expect::Unchanged`), so no record is left
//! that no instance holds, no instance comes back, no rename or description
//! is undone, and every tab, and a reopen, agree on what is stored.

mod common;

use boltkv::{Error, ErrorCode, InstanceUpdate, KvStore, Operation, Outcome, SetOptions};
use common::{KeepingBackend, TestClock, contents, open_tab, two_tabs};
use futures::executor::block_on;

const GONE: &str = "The instance was deleted by another tab or request while this call was on its way to storage, so nothing was written; create the instance again to write into it.";

/// Every item key on the disk but the meta item and the version counter.
fn stored(disk: &KeepingBackend) -> Vec<String> {
    disk.disk.borrow().items.keys().filter(|k| k.starts_with("i/") || k.starts_with("r/")).cloned().collect()
}

/// Storage and every tab hold the same: what a reopen finds.
fn agreed(disk: &KeepingBackend, clock: &TestClock, tabs: &[&KvStore]) {
    let reopened = open_tab(disk.beside().engine(), clock, 9 << 64);
    for tab in tabs {
        assert_eq!(contents(tab), contents(&reopened));
    }
}

#[test]
fn a_set_into_an_instance_deleted_meanwhile_is_refused_and_leaves_no_record() {
    let clock = TestClock::default();
    let (disk, a, b) = two_tabs(&clock);
    block_on(a.set("app", "ns", "k", &1, true)).expect("written");
    for auto_create_instance in [false, true] {
        let pending = a.set_with("app", "ns", "late", &2, SetOptions { auto_create_instance, ..SetOptions::default() });
        if auto_create_instance {
            block_on(b.delete_instance("app")).expect("deleted");
        }
        let refused = block_on(pending).err();
        if auto_create_instance {
            assert_eq!(refused, Some(Error::InstanceGone));
            assert_eq!(refused.map(|e| (e.code(), e.to_string())), Some((ErrorCode::NotFound, GONE.to_string())));
        } else {
            assert_eq!(refused, None, "nothing raced it");
        }
    }
    assert_eq!(stored(&disk), Vec::<String>::new(), "no record without its instance");
    agreed(&disk, &clock, &[&a, &b]);
    // The store goes on: the instance is created again on the next set.
    assert_eq!(block_on(a.set("app", "ns", "k", &3, true)).map(|r| r.version), Ok(4));
    agreed(&disk, &clock, &[&a, &b]);
}

#[test]
fn only_the_calls_into_the_deleted_instance_fail_in_their_batch() {
    let clock = TestClock::default();
    let (disk, a, b) = two_tabs(&clock);
    block_on(a.create_instance("gone", None)).expect("created");
    block_on(a.create_instance("kept", None)).expect("created");
    let into_gone = a.set("gone", "ns", "k", &1, false);
    let into_kept = a.set("kept", "ns", "k", &2, false);
    block_on(b.delete_instance("gone")).expect("deleted");
    assert_eq!(block_on(into_gone), Err(Error::InstanceGone));
    assert_eq!(block_on(into_kept).map(|r| r.version), Ok(2));
    assert_eq!(a.list_instances().into_iter().map(|i| i.name).collect::<Vec<_>>(), ["kept"]);
    assert_eq!(stored(&disk).len(), 2, "kept and its record");
    agreed(&disk, &clock, &[&a, &b]);
}

#[test]
fn a_batch_writing_into_a_deleted_instance_names_the_operation() {
    let clock = TestClock::default();
    let (disk, a, b) = two_tabs(&clock);
    block_on(a.create_instance("app", None)).expect("created");
    let set = |instance: &str, key: &str, auto_create_instance: bool| Operation::Set {
        instance: instance.into(),
        namespace: "ns".into(),
        key: key.into(),
        value: a.value(&1).expect("a value"),
        options: SetOptions { auto_create_instance, ..SetOptions::default() },
    };
    // The first operation writes into a new instance, which needs no check;
    // the second into the one the other tab deletes.
    let pending = a.batch(vec![set("new", "k", true), set("app", "k", false)]);
    block_on(b.delete_instance("app")).expect("deleted");
    let refused = block_on(pending);
    assert_eq!(refused, Err(Error::InOperation { index: 1, error: Box::new(Error::InstanceGone) }));
    assert_eq!(refused.map_err(|e| e.to_string()), Err(format!("Operation 1 of the batch failed, so none was carried out: {GONE}")));
    assert_eq!(stored(&disk), Vec::<String>::new(), "all or nothing");
    agreed(&disk, &clock, &[&a, &b]);
    let written = block_on(a.batch(vec![set("new", "k", true), set("new", "k2", false)])).expect("written");
    assert!(matches!(written.as_slice(), [Outcome::Record(_), Outcome::Record(_)]), "{written:?}");
}

#[test]
fn an_update_of_a_deleted_instance_does_not_bring_it_back() {
    let clock = TestClock::default();
    let (disk, a, b) = two_tabs(&clock);
    block_on(a.create_instance("app", None)).expect("created");
    let renamed = a.update_instance("app", InstanceUpdate { name: Some("renamed".into()), description: None });
    block_on(b.delete_instance("app")).expect("deleted");
    assert_eq!(block_on(renamed), Err(Error::InstanceGone));
    assert_eq!(stored(&disk), Vec::<String>::new());
    assert!(a.list_instances().is_empty());
    agreed(&disk, &clock, &[&a, &b]);
}

#[test]
fn a_set_into_an_instance_this_tab_is_creating_follows_it_when_another_tab_took_the_name() {
    let clock = TestClock::default();
    let (disk, a, b) = two_tabs(&clock);
    // The second set finds the instance the first is creating in memory;
    // the other tab creates the name first, so both go into its instance.
    let created = a.set("app", "ns", "first", &1, true);
    let into_it = a.set("app", "ns", "second", &2, false);
    let winner = block_on(b.create_instance("app", None)).expect("created first");
    let (created, into_it) = (block_on(created).expect("joined"), block_on(into_it).expect("joined"));
    assert_eq!((created.instance_id, into_it.instance_id), (winner.id, winner.id));
    agreed(&disk, &clock, &[&a, &b]);
}

#[test]
fn an_import_merging_records_into_a_deleted_instance_is_refused() {
    let clock = TestClock::default();
    let (disk, a, b) = two_tabs(&clock);
    let app = block_on(a.create_instance("app", None)).expect("created");
    // A file of records for the stored instance, without its instance line.
    let record = format!(
        r#"{{"record":{{"id":"0a000000-0000-4000-8000-000000000000","instanceId":"{}","namespace":"ns","key":"k","value":1,"createdAt":"2026-01-01T00:00:00.000Z","updatedAt":"2026-01-01T00:00:00.000Z","version":7}}}}"#,
        app.id
    );
    let text = format!("{{\"format\":\"boltkv-export\",\"version\":1,\"exportedAt\":\"2026-01-01T00:00:00.000Z\"}}\n{record}\n");
    let pending = a.import(&text, boltkv::ImportMode::Merge);
    block_on(b.delete_instance("app")).expect("deleted");
    assert_eq!(block_on(pending), Err(Error::InstanceGone));
    assert_eq!(stored(&disk), Vec::<String>::new());
    agreed(&disk, &clock, &[&a, &b]);
}

#[test]
fn an_update_made_from_an_instance_changed_meanwhile_is_refused_rather_than_undo_the_change() {
    let clock = TestClock::default();
    let (disk, a, b) = two_tabs(&clock);
    block_on(a.create_instance("app", None)).expect("created");
    let renamed = a.update_instance("app", InstanceUpdate { name: Some("renamed".into()), description: None });
    let described = block_on(b.update_instance("app", InstanceUpdate { name: None, description: Some(Some("b's".into())) })).expect("updated");
    let refused = block_on(renamed);
    assert_eq!(refused, Err(Error::InstanceChanged("app".into())));
    assert_eq!(
        refused.map_err(|e| (e.code(), e.to_string())),
        Err((ErrorCode::Conflict, "Instance \"app\" was changed by another tab or request while this call was on its way to storage, so nothing was written; read it again and retry.".to_string()))
    );
    assert_eq!(a.get_instance("app"), Ok(described), "this tab learnt the stored instance");
    agreed(&disk, &clock, &[&a, &b]);
    // Made again from what is stored, the rename keeps the other tab's description.
    let renamed = block_on(a.update_instance("app", InstanceUpdate { name: Some("renamed".into()), description: None })).expect("renamed");
    assert_eq!((renamed.name.as_str(), renamed.description.as_deref()), ("renamed", Some("b's")));
    agreed(&disk, &clock, &[&a, &b]);
}

#[test]
fn an_import_taking_over_an_instance_written_meanwhile_is_refused_rather_than_lose_the_write() {
    let clock = TestClock::default();
    let (disk, a, b) = two_tabs(&clock);
    block_on(a.set("app", "ns", "k", &1, true)).expect("written");
    // The file's instance has the name of the stored one under another id:
    // the import moves the stored instance's records into it.
    let text = format!(
        "{{\"format\":\"boltkv-export\",\"version\":1,\"exportedAt\":\"2026-01-01T00:00:00.000Z\"}}\n{}\n",
        r#"{"instance":{"id":"0b000000-0000-4000-8000-000000000000","name":"app","createdAt":"2026-01-01T00:00:00.000Z","updatedAt":"2026-01-01T00:00:00.000Z"}}"#
    );
    for (late, expected) in [("late", Some(1)), ("k", None)] {
        let pending = a.import(&text, boltkv::ImportMode::Merge);
        match expected {
            // Another tab adds a record, then removes one, before the commit.
            Some(_) => drop(block_on(b.set("app", "ns", late, &2, false)).expect("written")),
            None => assert_eq!(block_on(b.delete("app", "ns", late)), Ok(true)),
        }
        let refused = block_on(pending);
        assert_eq!(refused, Err(Error::InstanceChanged("app".into())));
        assert_eq!(refused.map_err(|e| e.code()), Err(ErrorCode::Conflict));
        agreed(&disk, &clock, &[&a, &b]);
    }
    // Tried again, the import moves what the instance holds now.
    let imported = block_on(a.import(&text, boltkv::ImportMode::Merge)).expect("imported");
    assert_eq!((imported.instances, imported.records), (1, 0));
    assert_eq!(a.get_instance("app").map(|i| i.id.to_string()), Ok("0b000000-0000-4000-8000-000000000000".to_string()));
    assert_eq!(a.get::<i32>("app", "ns", "late"), Ok(Some(2)), "moved");
    assert_eq!(a.get::<i32>("app", "ns", "k"), Ok(None), "not brought back");
    agreed(&disk, &clock, &[&a, &b]);
}
