//! The rules of `docs/api.md` that the model test does not reach: argument
//! checks, lookups by id before name, instance updates, value limits.

mod common;

use boltkv::{Config, Error, Field, InstanceUpdate, KvStore, Limits, MemoryBackend};
use common::{CountingIds, TestClock, open};
use futures::executor::block_on;
use serde_json::json;

fn store() -> KvStore {
    open(Box::new(MemoryBackend), &TestClock::default())
}

#[test]
fn empty_and_overlong_names_are_refused_by_every_call() {
    let s = store();
    let long = "x".repeat(257);
    assert_eq!(block_on(s.create_instance("", None)).err(), Some(Error::Empty(Field::InstanceName)));
    assert_eq!(s.get_instance("").err(), Some(Error::Empty(Field::InstanceName)));
    assert_eq!(s.get_raw("", "n", "k").err(), Some(Error::Empty(Field::InstanceName)));
    assert_eq!(s.get_raw("i", "", "k").err(), Some(Error::Empty(Field::Namespace)));
    assert_eq!(s.get_raw("i", "n", "").err(), Some(Error::Empty(Field::Key)));
    assert_eq!(block_on(s.delete("i", "n", "")).err(), Some(Error::Empty(Field::Key)));
    assert_eq!(block_on(s.delete_namespace("i", "")).err(), Some(Error::Empty(Field::Namespace)));
    assert_eq!(s.get_record_count("i", Some("")).err(), Some(Error::Empty(Field::Namespace)));
    assert_eq!(s.get_namespaces("").err(), Some(Error::Empty(Field::InstanceName)));
    assert_eq!(block_on(s.delete_instance("")).err(), Some(Error::Empty(Field::InstanceName)));
    assert_eq!(
        block_on(s.set(&long, "n", "k", &json!(1), true)).err(),
        Some(Error::TooLong { field: Field::InstanceName, bytes: 257, max: 256 })
    );
    assert_eq!(s.list_instances().len(), 0, "nothing was created");
}

#[test]
fn an_instance_argument_matches_ids_before_names() {
    let s = store();
    let first = block_on(s.create_instance("first", None)).expect("create");
    let impostor = block_on(s.create_instance(&first.id.to_string(), None)).expect("a name may look like an id");
    assert_eq!(s.get_instance(&first.id.to_string()).map(|i| i.name), Ok("first".to_string()));
    assert_eq!(s.get_instance(&impostor.id.to_string()).map(|i| i.id), Ok(impostor.id));
}

#[test]
fn set_creates_an_unknown_instance_only_when_asked() {
    let s = store();
    let refused = block_on(s.set("cache", "n", "k", &json!(1), false)).err();
    assert!(refused.is_some_and(|e| e.to_string().contains("not found")));
    let record = block_on(s.set("cache", "n", "k", &json!(1), true)).expect("auto-create");
    let created = s.get_instance("cache").expect("the instance now exists");
    assert_eq!((created.name.as_str(), created.id), ("cache", record.instance_id));
}

#[test]
fn updates_change_only_what_they_name() {
    let clock = TestClock::default();
    let s = open(Box::new(MemoryBackend), &clock);
    let made = block_on(s.create_instance("one", Some("about"))).expect("create");
    assert_eq!(block_on(s.update_instance("one", InstanceUpdate::default())).err(), Some(Error::NothingToUpdate));
    let renamed = block_on(s.update_instance("one", InstanceUpdate { name: Some("two".into()), description: None })).expect("rename");
    assert_eq!((renamed.id, renamed.created_at, renamed.description.as_deref()), (made.id, made.created_at, Some("about")));
    assert!(renamed.updated_at > made.updated_at, "updatedAt moves even within one millisecond");
    assert!(s.get_instance("one").is_err(), "the old name is free");
    let cleared = block_on(s.update_instance("two", InstanceUpdate { name: None, description: Some(None) })).expect("clear");
    assert_eq!(cleared.description, None);
    block_on(s.create_instance("three", None)).expect("create");
    assert_eq!(
        block_on(s.update_instance("three", InstanceUpdate { name: Some("two".into()), description: None })).err(),
        Some(Error::InstanceExists("two".into()))
    );
    assert!(block_on(s.update_instance("two", InstanceUpdate { name: Some("two".into()), description: None })).is_ok(), "keeping one's own name is fine");
}

#[test]
fn instances_list_in_creation_order_within_one_millisecond() {
    let s = store();
    for name in ["m", "a", "z", "b"] {
        block_on(s.create_instance(name, None)).expect("create");
    }
    let names: Vec<String> = s.list_instances().into_iter().map(|i| i.name).collect();
    assert_eq!(names, ["m", "a", "z", "b"]);
}

#[test]
fn values_are_limited_before_they_are_stored() {
    let limits = Limits { max_value_bytes: 8, max_depth: 2, ..Limits::default() };
    let config = Config { limits, clock: Box::new(TestClock::default()), ids: Box::new(CountingIds::default()) };
    let s = block_on(KvStore::open(Box::new(MemoryBackend), config)).expect("open");
    assert!(block_on(s.set_json("i", "n", "k", "\"123456\"", true)).is_ok());
    assert_eq!(
        block_on(s.set_json("i", "n", "k", "\"1234567\"", true)).err(),
        Some(Error::ValueTooLarge { bytes: 9, max: 8 })
    );
    assert_eq!(block_on(s.set_json("i", "n", "k", "[[1]]", true)).map(|_| ()), Ok(()));
    assert_eq!(block_on(s.set_json("i", "n", "k", "[[[]]]", true)).err(), Some(Error::ValueTooDeep { max: 2 }));
    assert!(block_on(s.set_json("i", "n", "k", r#""\ud800""#, true)).is_err());
    assert_eq!(s.get_raw("i", "n", "k").map(|v| v.map(|v| v.json().to_string())), Ok(Some("[[1]]".into())));
}

#[test]
fn unusable_limits_refuse_to_open() {
    let config = Config {
        limits: Limits { max_depth: 500, ..Limits::default() },
        clock: Box::new(TestClock::default()),
        ids: Box::new(CountingIds::default()),
    };
    assert!(matches!(block_on(KvStore::open(Box::new(MemoryBackend), config)), Err(Error::InvalidOptions(_))));
}

#[test]
fn answers_rendered_into_the_reused_buffer_are_whole_and_fresh_each_time() {
    use boltkv::envelope::{Method, data};
    let s = store();
    let big = json!("x".repeat((1 << 20) - 8)); // its answer is over the size whose buffer is kept
    block_on(s.set("i", "n", "big", &big, true)).expect("set");
    block_on(s.set("i", "n", "small", &json!([1]), false)).expect("set");
    let answer = |key: &str| {
        let value = s.get_raw("i", "n", key);
        s.with_envelope(Method::Get, value.map(data::GetData::of), |text| serde_json::from_str::<serde_json::Value>(text).ok())
    };
    for key in ["small", "big", "small", "missing"] {
        let parsed = answer(key).unwrap_or_default();
        assert_eq!(parsed["type"], "kvStore.get", "{key}");
        let want = match key { "small" => json!([1]), "big" => big.clone(), _ => json!(null) };
        assert_eq!(parsed["data"]["value"], want, "{key}: nothing left over from a longer answer");
    }
    let first = answer("small").unwrap_or_default();
    let second = answer("small").unwrap_or_default();
    assert_ne!(first["requestId"], second["requestId"], "each answer has its own request id");
}

#[test]
fn every_kind_of_failure_has_its_code() {
    use boltkv::StorageError;
    use common::KeepingBackend;
    let backend = KeepingBackend::default();
    let s = open(backend.engine(), &TestClock::default());
    block_on(s.create_instance("taken", None)).expect("create");
    let code = |result: Result<boltkv::Record, Error>| result.err().map(|e| e.code().as_str());
    assert_eq!(code(block_on(s.set("nowhere", "n", "k", &1, false))), Some("NOT_FOUND"));
    assert_eq!(s.get_instance("nowhere").err().map(|e| e.code().as_str()), Some("NOT_FOUND"));
    let duplicate = block_on(s.create_instance("taken", None)).err().map(|e| e.code().as_str());
    assert_eq!(duplicate, Some("ALREADY_EXISTS"));
    assert_eq!(code(block_on(s.set("taken", "n", &"k".repeat(513), &1, false))), Some("TOO_LARGE"));
    assert_eq!(code(block_on(s.set("taken", "n", "k", &"v".repeat(1 << 20), false))), Some("TOO_LARGE"));
    assert_eq!(code(block_on(s.set_json("taken", "n", "k", "[".repeat(65) + &"]".repeat(65), false))), Some("TOO_LARGE"));
    assert_eq!(code(block_on(s.set("taken", "", "k", &1, false))), Some("INVALID_ARGUMENT"));
    assert_eq!(code(block_on(s.set("taken", "n", "k", &f64::NAN, false))), Some("INVALID_ARGUMENT"));
    assert_eq!(code(block_on(s.set_json("taken", "n", "k", "{oops", false))), Some("INVALID_ARGUMENT"));
    assert_eq!(s.query_json("[]").err().map(|e| e.code().as_str()), Some("INVALID_ARGUMENT"));
    let storage = [
        (StorageError::Full, "STORAGE_FULL"),
        (StorageError::Unavailable("closed".into()), "STORAGE_UNAVAILABLE"),
        (StorageError::Failed("broke".into()), "STORAGE_FAILED"),
    ];
    for (failure, expected) in storage {
        backend.disk.borrow_mut().outcomes.push_back(Err(failure));
        assert_eq!(code(block_on(s.set("taken", "n", "k", &1, false))), Some(expected));
    }
    assert_eq!(s.get_record_count("taken", None), Ok(0), "nothing of a failed call was kept");
}
