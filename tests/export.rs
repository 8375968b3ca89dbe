//! Export and import (`docs/beyond.md`, export and import), through the
//! storage engine: a round trip keeps every field, an import is all or
//! nothing and names the line it refuses, and the versions it keeps stay
//! below every later write, in this tab, another tab and after a reopen.

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use boltkv::{Changed, Error, ErrorCode, ExportSelector, Expiry, ImportMode, Imported, KvStore, Limits, Selector, SetOptions};
use common::{KeepingBackend, TestClock, config, contents, open, open_tab};
use futures::executor::block_on;
use serde_json::json;

const NOW: i64 = 1_796_000_000_000;

fn clock() -> TestClock {
    let clock = TestClock::default();
    clock.0.set(NOW);
    clock
}

fn everything(store: &KvStore) -> String {
    store.export(&ExportSelector::default()).expect("exports")
}

/// The lines after the header (whose `exportedAt` is the time of export).
fn body(text: &str) -> Vec<&str> {
    text.lines().skip(1).collect()
}

fn import(store: &KvStore, text: &str, mode: ImportMode) -> Result<Imported, Error> {
    block_on(store.import(text, mode))
}

fn header() -> String {
    format!(r#"{{"format":"boltkv-export","version":1,"exportedAt":"{}"}}"#, boltkv::Timestamp(NOW))
}

fn instance_line(id: u8, name: &str) -> String {
    format!(r#"{{"instance":{{"id":"{}","name":"{name}","createdAt":"2026-01-01T00:00:00.000Z","updatedAt":"2026-01-02T00:00:00.000Z"}}}}"#, id_text(id))
}

fn record_line(instance: u8, id: u8, key: &str, value: &str, version: u64) -> String {
    format!(
        r#"{{"record":{{"id":"{}","instanceId":"{}","namespace":"ns","key":"{key}","value":{value},"createdAt":"2026-01-01T00:00:00.000Z","updatedAt":"2026-01-03T00:00:00.000Z","version":{version}}}}}"#,
        id_text(id),
        id_text(instance)
    )
}

fn id_text(byte: u8) -> String {
    format!("{byte:02x}000000-0000-4000-8000-000000000000")
}

fn file(lines: &[String]) -> String {
    let mut text = header();
    for line in lines {
        text.push('\n');
        text.push_str(line);
    }
    text.push('\n');
    text
}

fn version_of(store: &KvStore, instance: &str, key: &str) -> Option<u64> {
    store.get_record(instance, "ns", key).expect("reads").map(|r| r.version)
}

#[test]
fn ten_thousand_records_with_versions_and_expiries_come_back_deep_equal() {
    let clock = clock();
    let source = open(KeepingBackend::default().engine(), &clock);
    block_on(source.create_instance("described", Some("with a description"))).expect("created");
    for i in 0..10_000u32 {
        let instance = ["described", "plain", "third"][(i % 3) as usize];
        let expire = (i % 7 == 0).then(|| Expiry::In(3_600_000 + u64::from(i)));
        let options = SetOptions { auto_create_instance: true, expire, ..SetOptions::default() };
        drop(source.set_with(instance, &format!("ns{}", i % 5), &format!("k{i}"), &json!({ "i": i, "tags": ["a", i % 2 == 0] }), options));
        if i % 10 == 0 {
            // Overwrites: versions with gaps, updatedAt after createdAt.
            clock.0.set(clock.0.get() + 1);
            drop(source.set_with(instance, &format!("ns{}", i % 5), &format!("k{i}"), &json!(i), SetOptions { expire, ..SetOptions::default() }));
        }
    }
    block_on(source.flush()).expect("durable");
    let text = everything(&source);
    assert_eq!(text.lines().count(), 1 + 3 + 10_000);

    let disk = KeepingBackend::default();
    let target = open(disk.engine(), &clock);
    assert_eq!(import(&target, &text, ImportMode::Merge), Ok(Imported { instances: 3, records: 10_000 }));
    assert_eq!(target.list_instances(), source.list_instances());
    assert_eq!(contents(&target), contents(&source));
    assert_eq!(body(&everything(&target)), body(&text), "every field, line for line");
    let reopened = open(disk.beside().engine(), &clock);
    assert_eq!(contents(&reopened), contents(&source), "and as storage holds it");
}

#[test]
fn replace_empties_the_store_in_the_same_commit() {
    let clock = clock();
    let disk = KeepingBackend::default();
    let store = open(disk.engine(), &clock);
    block_on(store.set("old", "ns", "gone", &1, true)).expect("written");
    block_on(store.set("kept-name", "ns", "gone-too", &2, true)).expect("written");
    let commits = disk.disk.borrow().commits.len();
    let text = file(&[instance_line(1, "kept-name"), record_line(1, 2, "new", "\"v\"", 7)]);
    assert_eq!(import(&store, &text, ImportMode::Replace), Ok(Imported { instances: 1, records: 1 }));
    assert_eq!(disk.disk.borrow().commits.len(), commits + 1, "one commit");
    let names: Vec<String> = store.list_instances().into_iter().map(|i| i.name).collect();
    assert_eq!(names, ["kept-name"]);
    assert_eq!(store.get_record_count("kept-name", None), Ok(1));
    assert_eq!(store.get_record("kept-name", "ns", "new").expect("reads").map(|r| (r.version, r.id.to_string())), Some((7, id_text(2))));
    let reopened = open(disk.beside().engine(), &clock);
    assert_eq!(contents(&reopened), contents(&store));
}

#[test]
fn merging_an_instance_of_the_same_name_keeps_its_other_records() {
    let clock = clock();
    let disk = KeepingBackend::default();
    let store = open(disk.engine(), &clock);
    let a = block_on(store.set("app", "ns", "a", &"stored a", true)).expect("written");
    block_on(store.set("app", "ns", "b", &"stored b", false)).expect("written");
    block_on(store.set("other", "ns", "x", &1, true)).expect("written");
    let text = file(&[instance_line(9, "app"), record_line(9, 3, "b", "\"file b\"", 2), record_line(9, 4, "c", "\"file c\"", 3)]);
    assert_eq!(import(&store, &text, ImportMode::Merge), Ok(Imported { instances: 1, records: 2 }));
    let app = store.get_instance("app").expect("exists");
    assert_eq!((app.id.to_string(), app.created_at.to_string()), (id_text(9), "2026-01-01T00:00:00.000Z".to_string()), "the imported instance");
    let moved = store.get_record("app", "ns", "a").expect("reads").expect("kept");
    assert_eq!((moved.id, moved.version, moved.created_at, moved.instance_id), (a.id, a.version, a.created_at, app.id), "moved whole");
    assert_eq!(store.get::<String>("app", "ns", "b"), Ok(Some("file b".into())), "overwritten by the file");
    assert_eq!(store.get::<String>("app", "ns", "c"), Ok(Some("file c".into())));
    assert_eq!(store.get_record_count("app", None), Ok(3));
    let names: Vec<String> = store.list_instances().into_iter().map(|i| i.name).collect();
    assert_eq!(names, ["app", "other"], "the stored app is gone, its place taken; other stays");
    let reopened = open(disk.beside().engine(), &clock);
    assert_eq!(contents(&reopened), contents(&store));
}

#[test]
fn a_refused_line_changes_nothing_and_is_named() {
    let clock = clock();
    let disk = KeepingBackend::default();
    let limits = Limits { max_value_bytes: 16, ..Limits::default() };
    let store = block_on(KvStore::open(disk.engine(), boltkv::Config { limits, ..config(&clock) })).expect("opens");
    block_on(store.set("app", "ns", "k", &1, true)).expect("written");
    let before = (contents(&store), disk.disk.borrow().commits.len());
    let good = [instance_line(1, "app2"), record_line(1, 2, "a", "1", 5)];
    let cases: Vec<(String, usize, ErrorCode, &str)> = vec![
        (String::new(), 1, ErrorCode::InvalidArgument, "is not the header"),
        (file(&good).replace("boltkv-export", "other"), 1, ErrorCode::InvalidArgument, "not a boltkv export"),
        (file(&good).replace("\"version\":1,", "\"version\":2,"), 1, ErrorCode::InvalidArgument, "reads only version 1"),
        (file(&[good[0].clone(), good[1].clone(), "{\"record\":{\"id\":1}}".into()]), 4, ErrorCode::InvalidArgument, "record"),
        (file(&[good[0].clone(), "not json".into(), good[1].clone()]), 3, ErrorCode::InvalidArgument, "is not an"),
        (file(&[good[0].clone(), good[1].replace("\"version\":5", "\"version\":0")]), 3, ErrorCode::InvalidArgument, "record.version"),
        (file(&[good[0].clone(), good[1].replace("2026-01-03", "2026-02-30")]), 3, ErrorCode::InvalidArgument, "record.updatedAt"),
        (file(&[good[0].clone(), record_line(7, 2, "a", "1", 5)]), 3, ErrorCode::InvalidArgument, "neither in the file nor in the store"),
        (file(&[good[0].clone(), record_line(1, 2, "a", "\"a value over sixteen bytes\"", 5)]), 3, ErrorCode::TooLarge, "the limit is 16 bytes"),
        (file(&[good[0].clone(), record_line(1, 2, "", "1", 5)]), 3, ErrorCode::InvalidArgument, "key must not be empty"),
        (file(&[good[0].clone(), good[1].clone(), good[1].clone()]), 4, ErrorCode::InvalidArgument, "in the file twice"),
        (file(&[good[0].clone(), instance_line(1, "app3")]), 3, ErrorCode::InvalidArgument, "earlier in the file"),
    ];
    for (text, line, code, says) in cases {
        let refused = import(&store, &text, ImportMode::Replace);
        let Err(error) = &refused else { panic!("imported: {text}") };
        assert_eq!((error.code(), matches!(error, Error::OnLine { line: l, .. } if *l == line)), (code, true), "{error}");
        let message = error.to_string();
        assert!(message.starts_with(&format!("Line {line} of the import is refused")) && message.contains(says), "{message}");
        assert_eq!((contents(&store), disk.disk.borrow().commits.len()), before, "nothing changed: {message}");
    }
}

#[test]
fn every_write_after_an_import_gets_a_greater_version_in_any_tab_and_after_reopen() {
    let clock = clock();
    let disk = KeepingBackend::default();
    let store = open_tab(disk.engine(), &clock, 0);
    let other = open_tab(disk.beside().engine(), &clock, 1 << 64);
    // This tab has handed out versions 1..=20; the file's go lower and higher.
    for i in 0..20 {
        block_on(store.set("app", "ns", &format!("w{i}"), &i, true)).expect("written");
    }
    let text = file(&[instance_line(1, "restored"), record_line(1, 2, "low", "1", 3), record_line(1, 3, "high", "2", 5_000)]);
    assert_eq!(import(&store, &text, ImportMode::Merge), Ok(Imported { instances: 1, records: 2 }));
    assert_eq!((version_of(&store, "restored", "low"), version_of(&store, "restored", "high")), (Some(3), Some(5_000)), "kept as imported");
    let here = block_on(store.set("restored", "ns", "low", &"again", false)).expect("written");
    let there = block_on(other.set("restored", "ns", "new", &"from the other tab", false)).expect("written");
    let reopened = open_tab(disk.beside().engine(), &clock, 2 << 64);
    let after_reopen = block_on(reopened.set("app", "ns", "w0", &"reopened", false)).expect("written");
    assert!(here.version > 5_000 && there.version > here.version && after_reopen.version > there.version, "{} {} {}", here.version, there.version, after_reopen.version);
    assert_eq!(contents(&reopened), contents(&store));
}

#[test]
fn a_tab_that_has_not_heard_the_import_still_writes_above_it() {
    let clock = clock();
    let disk = KeepingBackend::default();
    let store = open_tab(disk.engine(), &clock, 0);
    let text = file(&[instance_line(1, "restored"), record_line(1, 2, "k", "1", 9_000)]);
    assert_eq!(import(&store, &text, ImportMode::Merge), Ok(Imported { instances: 1, records: 1 }));
    // Opened on storage that holds the raised counter, with no record
    // left at the imported version.
    block_on(store.delete("restored", "ns", "k")).expect("deleted");
    let reopened = open_tab(disk.beside().engine(), &clock, 1 << 64);
    let written = block_on(reopened.set("restored", "ns", "k", &2, false)).expect("written");
    assert!(written.version > 9_000, "{}", written.version);
}

#[test]
fn an_export_selects_an_instance_or_a_namespace_and_leaves_out_expired_records() {
    let clock = clock();
    let store = open(KeepingBackend::default().engine(), &clock);
    block_on(store.set("a", "ns", "k", &1, true)).expect("written");
    block_on(store.set("a", "other", "k", &2, false)).expect("written");
    block_on(store.set_with("a", "ns", "soon", &3, SetOptions { expire: Some(Expiry::In(10)), ..SetOptions::default() })).expect("written");
    block_on(store.set("b", "ns", "k", &4, true)).expect("written");
    clock.0.set(NOW + 10);
    let keys = |selector: ExportSelector| -> Vec<String> {
        let text = store.export(&selector).expect("exports");
        body(&text).iter().map(|line| {
            let line: serde_json::Value = serde_json::from_str(line).expect("JSON");
            match (&line["instance"], &line["record"]) {
                (serde_json::Value::Object(i), _) => format!("instance {}", i["name"].as_str().unwrap_or_default()),
                (_, record) => format!("{}/{} = {}", record["namespace"].as_str().unwrap_or_default(), record["key"].as_str().unwrap_or_default(), record["value"]),
            }
        }).collect()
    };
    let just = |instance: Option<&str>, namespace: Option<&str>| ExportSelector { instance: instance.map(Into::into), namespace: namespace.map(Into::into) };
    assert_eq!(keys(just(None, None)), ["instance a", "instance b", "ns/k = 1", "other/k = 2", "ns/k = 4"]);
    assert_eq!(keys(just(Some("a"), None)), ["instance a", "ns/k = 1", "other/k = 2"]);
    assert_eq!(keys(just(None, Some("ns"))), ["instance a", "instance b", "ns/k = 1", "ns/k = 4"]);
    assert_eq!(keys(just(Some("missing"), None)), Vec::<String>::new(), "as reads of a missing instance answer");
    let text = store.export(&ExportSelector::default()).expect("exports");
    assert_eq!(text.lines().next(), Some(header().replace(&boltkv::Timestamp(NOW).to_string(), &boltkv::Timestamp(NOW + 10).to_string()).as_str()));
    assert!(store.export(&just(Some(""), None)).is_err_and(|e| e.code() == ErrorCode::InvalidArgument));
}

#[test]
fn a_write_another_tab_committed_while_an_import_was_committing_is_overwritten_in_memory_too() {
    let clock = clock();
    let disk = KeepingBackend::default();
    let store = open_tab(disk.engine(), &clock, 0);
    let other = open_tab(disk.beside().engine(), &clock, 1 << 64);
    let first = file(&[instance_line(1, "restored"), record_line(1, 2, "k", "\"first import\"", 3)]);
    import(&store, &first, ImportMode::Merge).expect("imported");
    for i in 0..10 {
        block_on(other.set("restored", "ns", &format!("w{i}"), &i, false)).expect("written");
    }
    // The import joins the queue; the other tab commits a write of its key
    // (heard here) before the import's commit runs, which then overwrites it.
    let second = store.import(&file(&[instance_line(1, "restored"), record_line(1, 2, "k", "\"second import\"", 4)]), ImportMode::Merge);
    let between = block_on(other.set("restored", "ns", "k", &"the other tab", false)).expect("written");
    assert!(between.version > 4, "{}", between.version);
    assert_eq!(block_on(second), Ok(Imported { instances: 1, records: 1 }));
    let reopened = open_tab(disk.beside().engine(), &clock, 2 << 64);
    assert_eq!(version_of(&reopened, "restored", "k"), Some(4), "storage holds the import, written last");
    assert_eq!(contents(&store), contents(&reopened), "and so does memory");
}

#[test]
fn a_replace_is_refused_when_another_tab_created_an_instance_it_had_not_heard_of() {
    let clock = clock();
    let disk = KeepingBackend::default();
    let store = open_tab(disk.engine(), &clock, 0);
    let other = open_tab(disk.beside().engine(), &clock, 1 << 64);
    block_on(store.set("old", "ns", "k", &1, true)).expect("written");
    let text = file(&[instance_line(1, "restored"), record_line(1, 2, "k", "2", 3)]);
    // The import is planned from what this tab knows; the other tab's
    // instance reaches storage (and is heard here) before the import's commit.
    let replacing = store.import(&text, ImportMode::Replace);
    block_on(other.create_instance("late", None)).expect("created");
    let refused = block_on(replacing).expect_err("refused");
    assert_eq!(refused.code(), ErrorCode::Conflict);
    assert_eq!(
        refused.to_string(),
        "Another tab or request created instance \"late\" while this import was on its way to storage, so replacing would not have emptied the store; nothing was imported. Import again to replace it too."
    );
    let reopened = open_tab(disk.beside().engine(), &clock, 2 << 64);
    let names = |store: &KvStore| store.list_instances().into_iter().map(|i| i.name).collect::<Vec<_>>();
    assert_eq!(names(&reopened), ["old", "late"], "nothing changed in storage");
    assert_eq!(contents(&store), contents(&reopened), "nor in memory");
    // Tried again, the import removes the instance it now knows of.
    assert_eq!(import(&store, &text, ImportMode::Replace), Ok(Imported { instances: 1, records: 1 }));
    let reopened = open_tab(disk.beside().engine(), &clock, 3 << 64);
    assert_eq!(names(&reopened), ["restored"]);
    assert_eq!(contents(&store), contents(&reopened));
    assert_eq!(contents(&other), contents(&reopened), "and the other tab heard it");
}

#[test]
fn a_record_expired_by_the_import_is_neither_imported_nor_overwrites() {
    let clock = clock();
    let store = open(KeepingBackend::default().engine(), &clock);
    block_on(store.set("app", "ns", "k", &"stored", true)).expect("written");
    let expired = record_line(9, 2, "k", "\"expired\"", 5).replace(r#","version":5"#, r#","version":5,"expiresAt":"2026-01-04T00:00:00.000Z""#);
    let text = file(&[instance_line(9, "app"), expired, record_line(9, 3, "live", "1", 6)]);
    assert_eq!(import(&store, &text, ImportMode::Merge), Ok(Imported { instances: 1, records: 1 }));
    assert_eq!(store.get::<String>("app", "ns", "k"), Ok(Some("stored".into())), "moved into the imported instance, not overwritten");
    assert_eq!(store.get_instance("app").map(|i| i.id.to_string()), Ok(id_text(9)));
}

#[test]
fn watchers_here_and_in_another_tab_see_an_import_with_its_versions() {
    let clock = clock();
    let disk = KeepingBackend::default();
    let store = open_tab(disk.engine(), &clock, 0);
    let other = open_tab(disk.beside().engine(), &clock, 1 << 64);
    // This tab's counter is past the file's versions, so a commit that moved
    // them would show it.
    for i in 0..20 {
        block_on(store.set("app", "ns", &format!("w{i}"), &i, true)).expect("written");
    }
    let seen = |store: &KvStore| {
        let log: Rc<RefCell<Vec<String>>> = Rc::default();
        let sink = log.clone();
        let watch = store.watch(Selector { instance: Some("restored".into()), ..Selector::default() }, move |event| {
            sink.borrow_mut().extend(event.changes.iter().map(|change| match change {
                Changed::Set { record } => format!("set {} @{}", record.key, record.version),
                Changed::Instance { instance } => format!("instance {}", instance.name),
                other => format!("{other:?}"),
            }));
        });
        (watch.expect("a valid selector"), log)
    };
    let (_here, here) = seen(&store);
    let (_there, there) = seen(&other);
    // A write of this tab joins the batch before the other tab takes a
    // version, so storage moves that write's version, and only that one.
    let moved = store.set("app", "ns", "moved", &1, false);
    let taken = block_on(other.set("app", "ns", "taken", &2, false)).expect("written");
    let text = file(&[instance_line(1, "restored"), record_line(1, 2, "a", "1", 3), record_line(1, 3, "b", "2", 7)]);
    assert_eq!(import(&store, &text, ImportMode::Merge), Ok(Imported { instances: 1, records: 2 }));
    assert!(block_on(moved).expect("written").version > taken.version);
    let expected = ["instance restored", "set a @3", "set b @7"];
    assert_eq!(*here.borrow(), expected);
    assert_eq!(*there.borrow(), expected);
}
