//! Property test: random sequences of the kvStore calls, run against the
//! store and against a plain model built on ordered maps; every envelope's
//! `data` (or failure) must be what the model predicts.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::collections::BTreeMap;

use boltkv::envelope::{Data, Method, data};
use std::future::{Future, ready};

use boltkv::{InstanceUpdate, KvStore, LocalBoxFuture, MemoryBackend, Timestamp};
use common::{KeepingBackend, TestClock, contents, open};
use futures::executor::block_on;
use proptest::prelude::*;
use serde_json::{Value as Json, json};

const NAMES: [&str; 4] = ["a", "b", "c", "B"];
const NAMESPACES: [&str; 3] = ["n1", "n2", "N"];
const KEYS: [&str; 3] = ["k1", "k2", "K1"];

#[derive(Debug, Clone)]
enum Op {
    Create { name: usize, description: bool },
    GetInstance { name: usize, by_id: bool },
    List,
    Rename { name: usize, to: usize },
    DeleteInstance { name: usize, by_id: bool },
    Get { name: usize, ns: usize, key: usize },
    Set { name: usize, ns: usize, key: usize, value: Json, auto: bool },
    Delete { name: usize, ns: usize, key: usize },
    DeleteNamespace { name: usize, ns: usize },
    Namespaces { name: usize },
    Count { name: usize, ns: Option<usize> },
}

fn values() -> impl Strategy<Value = Json> {
    prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::from),
        any::<i32>().prop_map(Json::from),
        "[a-z\u{e9}\u{1F600}]{0,6}".prop_map(Json::from),
        (any::<i16>(), "[a-z]{1,3}").prop_map(|(n, s)| json!({"n": n, "s": [s, null]})),
    ]
}

fn ops() -> impl Strategy<Value = Op> {
    let n = 0..NAMES.len();
    let ns = 0..NAMESPACES.len();
    let k = 0..KEYS.len();
    prop_oneof![
        (n.clone(), any::<bool>()).prop_map(|(name, description)| Op::Create { name, description }),
        (n.clone(), any::<bool>()).prop_map(|(name, by_id)| Op::GetInstance { name, by_id }),
        Just(Op::List),
        (n.clone(), n.clone()).prop_map(|(name, to)| Op::Rename { name, to }),
        (n.clone(), any::<bool>()).prop_map(|(name, by_id)| Op::DeleteInstance { name, by_id }),
        (n.clone(), ns.clone(), k.clone()).prop_map(|(name, ns, key)| Op::Get { name, ns, key }),
        (n.clone(), ns.clone(), k.clone(), values(), any::<bool>())
            .prop_map(|(name, ns, key, value, auto)| Op::Set { name, ns, key, value, auto }),
        (n.clone(), ns.clone(), k.clone()).prop_map(|(name, ns, key)| Op::Delete { name, ns, key }),
        (n.clone(), ns.clone()).prop_map(|(name, ns)| Op::DeleteNamespace { name, ns }),
        n.clone().prop_map(|name| Op::Namespaces { name }),
        (n, proptest::option::of(ns)).prop_map(|(name, ns)| Op::Count { name, ns }),
    ]
}

#[derive(Clone)]
struct ModelInstance {
    id: String,
    name: String,
    description: Option<String>,
    created: i64,
    updated: i64,
}

#[derive(Clone)]
struct ModelRecord {
    id: String,
    value: Json,
    created: i64,
    updated: i64,
}

#[derive(Default, Clone)]
struct Model {
    instances: Vec<ModelInstance>,
    records: BTreeMap<(String, String, String), ModelRecord>,
    /// The largest record version answered so far.
    last_version: u64,
}

/// The outcome a call should have: its data, or a word its error contains.
enum Expect {
    Data(Json),
    Fails(&'static str),
}

fn iso(ms: i64) -> String {
    Timestamp(ms).to_string()
}

impl Model {
    fn find(&self, name: &str) -> Option<usize> {
        self.instances.iter().position(|i| i.id == name).or_else(|| self.instances.iter().position(|i| i.name == name))
    }

    fn instance_json(i: &ModelInstance) -> Json {
        let mut out = json!({"id": i.id, "name": i.name, "createdAt": iso(i.created), "updatedAt": iso(i.updated)});
        if let Some(d) = &i.description {
            out["description"] = json!(d);
        }
        out
    }

    fn count(&self, id: &str, ns: Option<&str>) -> usize {
        self.records.keys().filter(|(i, n, _)| i == id && ns.is_none_or(|ns| ns == n)).count()
    }
}

/// Issues one call on the store now (a write changes memory at once), and
/// gives the future of its envelope, parsed.
fn issue<'a>(store: &'a KvStore, op: &Op, arg: &str) -> LocalBoxFuture<'a, Json> {
    fn answer<'a, T: 'a, D: Data + 'a>(
        store: &'a KvStore,
        method: Method,
        pending: impl Future<Output = boltkv::Result<T>> + 'a,
        data: impl FnOnce(T) -> D + 'a,
    ) -> LocalBoxFuture<'a, Json> {
        Box::pin(async move {
            let text = store.envelope(method, pending.await.map(data));
            serde_json::from_str(&text).expect("envelopes are JSON")
        })
    }
    match op {
        Op::Create { name, description } => {
            let d = description.then_some("about");
            answer(store, Method::CreateInstance, store.create_instance(NAMES[*name], d), |instance| data::InstanceData { instance })
        }
        Op::GetInstance { .. } => answer(store, Method::GetInstance, ready(store.get_instance(arg)), |instance| data::InstanceData { instance }),
        Op::List => answer(store, Method::ListInstances, ready(Ok(store.list_instances())), |instances| data::InstancesData { instances }),
        Op::Rename { to, .. } => {
            let update = InstanceUpdate { name: Some(NAMES[*to].to_string()), description: None };
            answer(store, Method::UpdateInstance, store.update_instance(arg, update), |instance| data::InstanceData { instance })
        }
        Op::DeleteInstance { .. } => answer(store, Method::DeleteInstance, store.delete_instance(arg), |deleted| data::DeletedData { deleted }),
        Op::Get { ns, key, .. } => answer(store, Method::Get, ready(store.get_raw(arg, NAMESPACES[*ns], KEYS[*key])), data::GetData::of),
        Op::Set { ns, key, value, auto, .. } => {
            answer(store, Method::Set, store.set(arg, NAMESPACES[*ns], KEYS[*key], value, *auto), |record| data::RecordData { record })
        }
        Op::Delete { ns, key, .. } => answer(store, Method::Delete, store.delete(arg, NAMESPACES[*ns], KEYS[*key]), |deleted| data::DeletedData { deleted }),
        Op::DeleteNamespace { ns, .. } => answer(store, Method::DeleteNamespace, store.delete_namespace(arg, NAMESPACES[*ns]), |deleted_count| {
            data::DeletedCountData { deleted_count }
        }),
        Op::Namespaces { .. } => answer(store, Method::GetNamespaces, ready(store.get_namespaces(arg)), |namespaces| data::NamespacesData { namespaces }),
        Op::Count { ns, .. } => {
            answer(store, Method::GetRecordCount, ready(store.get_record_count(arg, ns.map(|n| NAMESPACES[n]))), |count| data::CountData { count })
        }
    }
}

/// The instance argument an op passes: a name, or the id of that name.
fn argument(model: &Model, op: &Op) -> String {
    let (name, by_id) = match op {
        Op::GetInstance { name, by_id } | Op::DeleteInstance { name, by_id } => (*name, *by_id),
        Op::Create { name, .. } | Op::Rename { name, .. } | Op::Get { name, .. } | Op::Set { name, .. } => (*name, false),
        Op::Delete { name, .. } | Op::DeleteNamespace { name, .. } | Op::Namespaces { name } | Op::Count { name, .. } => (*name, false),
        Op::List => (0, false),
    };
    let name = NAMES[name];
    match model.find(name) {
        Some(at) if by_id => model.instances[at].id.clone(),
        _ => name.to_string(),
    }
}

/// Predicts the outcome and updates the model; `got` supplies the ids the
/// store made (the model checks they are new, then remembers them).
fn step(model: &mut Model, op: &Op, arg: &str, now: i64, got: &Json) -> Expect {
    let found = model.find(arg);
    let id_of = |m: &Model| found.map(|at| m.instances[at].id.clone());
    match op {
        Op::Create { name, description } => {
            if model.find(NAMES[*name]).is_some_and(|at| model.instances[at].name == NAMES[*name]) {
                return Expect::Fails("already exists");
            }
            let id = got["data"]["instance"]["id"].as_str().unwrap_or_default().to_string();
            assert!(model.instances.iter().all(|i| i.id != id), "instance ids are fresh");
            let created = ModelInstance { id, name: NAMES[*name].into(), description: description.then(|| "about".into()), created: now, updated: now };
            let out = json!({"instance": Model::instance_json(&created)});
            model.instances.push(created);
            Expect::Data(out)
        }
        Op::GetInstance { .. } => match found {
            Some(at) => Expect::Data(json!({"instance": Model::instance_json(&model.instances[at])})),
            None => Expect::Fails("not found"),
        },
        Op::List => Expect::Data(json!({"instances": model.instances.iter().map(Model::instance_json).collect::<Vec<_>>()})),
        Op::Rename { to, .. } => {
            let Some(at) = found else { return Expect::Fails("not found") };
            let new = NAMES[*to];
            if model.instances.iter().enumerate().any(|(i, inst)| i != at && inst.name == new) {
                return Expect::Fails("already exists");
            }
            let inst = &mut model.instances[at];
            inst.name = new.into();
            inst.updated = now.max(inst.updated + 1);
            Expect::Data(json!({"instance": Model::instance_json(inst)}))
        }
        Op::DeleteInstance { .. } => {
            let Some(at) = found else { return Expect::Data(json!({"deleted": false})) };
            let gone = model.instances.remove(at);
            model.records.retain(|(i, _, _), _| *i != gone.id);
            Expect::Data(json!({"deleted": true}))
        }
        Op::Get { ns, key, .. } => {
            let hit = id_of(model).and_then(|id| model.records.get(&(id, NAMESPACES[*ns].into(), KEYS[*key].into())));
            Expect::Data(match hit {
                Some(r) => json!({"value": r.value, "exists": true}),
                None => json!({"value": null, "exists": false}),
            })
        }
        Op::Set { ns, key, value, auto, .. } => {
            let instance_id = match id_of(model) {
                Some(id) => id,
                None if *auto => {
                    let id = got["data"]["record"]["instanceId"].as_str().unwrap_or_default().to_string();
                    assert!(model.instances.iter().all(|i| i.id != id), "instance ids are fresh");
                    model.instances.push(ModelInstance { id: id.clone(), name: arg.into(), description: None, created: now, updated: now });
                    id
                }
                None => return Expect::Fails("not found"),
            };
            let place = (instance_id.clone(), NAMESPACES[*ns].to_string(), KEYS[*key].to_string());
            // Every write gets a version above all versions handed out before.
            // (A write that failed has no version; its stand-in has none.)
            let version = got["data"]["record"]["version"].as_u64().unwrap_or(model.last_version + 1);
            assert!(version > model.last_version, "version {version} after {}", model.last_version);
            model.last_version = version;
            let record = match model.records.remove(&place) {
                Some(old) => ModelRecord { id: old.id, value: value.clone(), created: old.created, updated: now.max(old.updated + 1) },
                None => {
                    let id = got["data"]["record"]["id"].as_str().unwrap_or_default().to_string();
                    assert!(model.records.values().all(|r| r.id != id), "record ids are fresh");
                    ModelRecord { id, value: value.clone(), created: now, updated: now }
                }
            };
            let out = json!({"record": {
                "id": record.id, "instanceId": instance_id, "namespace": place.1, "key": place.2,
                "value": record.value, "createdAt": iso(record.created), "updatedAt": iso(record.updated), "version": version
            }});
            model.records.insert(place, record);
            Expect::Data(out)
        }
        Op::Delete { ns, key, .. } => {
            let removed = id_of(model).and_then(|id| model.records.remove(&(id, NAMESPACES[*ns].into(), KEYS[*key].into())));
            Expect::Data(json!({"deleted": removed.is_some()}))
        }
        Op::DeleteNamespace { ns, .. } => {
            let count = id_of(model).map_or(0, |id| {
                let before = model.records.len();
                model.records.retain(|(i, n, _), _| !(*i == id && n == NAMESPACES[*ns]));
                before - model.records.len()
            });
            Expect::Data(json!({"deletedCount": count}))
        }
        Op::Namespaces { .. } => {
            let mut names: Vec<&str> = id_of(model)
                .map(|id| model.records.keys().filter(|(i, _, _)| *i == id).map(|(_, n, _)| n.as_str()).collect())
                .unwrap_or_default();
            names.dedup();
            names.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
            Expect::Data(json!({"namespaces": names}))
        }
        Op::Count { ns, .. } => {
            let count = id_of(model).map_or(0, |id| model.count(&id, ns.map(|n| NAMESPACES[n])));
            Expect::Data(json!({"count": count}))
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn every_envelope_matches_the_model(ops in proptest::collection::vec(ops(), 1..60)) {
        let clock = TestClock::default();
        let store = open(Box::new(MemoryBackend), &clock);
        let mut model = Model::default();
        for (i, op) in ops.iter().enumerate() {
            // Some calls land in the same millisecond, to exercise updatedAt moving anyway.
            let now = 1_700_000_000_000 + (i as i64 / 2) * 1000;
            clock.0.set(now);
            let arg = argument(&model, op);
            let got = block_on(issue(&store, op, &arg));
            prop_assert_eq!(&got["timestamp"], &json!(iso(now)));
            match step(&mut model, op, &arg, now, &got) {
                Expect::Data(expected) => {
                    prop_assert_eq!(&got["success"], &json!(true), "{:?} -> {}", op, got);
                    prop_assert_eq!(&got["data"], &expected, "{:?}", op);
                }
                Expect::Fails(word) => {
                    prop_assert_eq!(&got["success"], &json!(false), "{:?} -> {}", op, got);
                    prop_assert!(got.get("data").is_none());
                    let error = got["error"].as_str().unwrap_or_default();
                    prop_assert!(error.contains(word), "{:?}: {}", op, error);
                }
            }
        }
    }
}

/// Calls issued together (so their writes share a batch), and what the
/// disk does with the commit: answers after `delay` extra polls, or fails.
#[derive(Debug, Clone)]
struct Group {
    ops: Vec<Op>,
    delay: u32,
    fails: bool,
}

fn groups() -> impl Strategy<Value = Vec<Group>> {
    let group = (proptest::collection::vec(ops(), 1..6), 0..3u32, proptest::bool::weighted(0.3));
    proptest::collection::vec(group.prop_map(|(ops, delay, fails)| Group { ops, delay, fails }), 1..25)
}

/// Whether an op changed the model (so it joined the batch).
fn wrote(before: &Model, after: &Model) -> bool {
    let instances = |m: &Model| m.instances.iter().map(|i| (i.id.clone(), i.name.clone(), i.updated)).collect::<Vec<_>>();
    let records = |m: &Model| m.records.iter().map(|(k, r)| (k.clone(), r.value.clone(), r.updated)).collect::<Vec<_>>();
    instances(before) != instances(after) || records(before) != records(after)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 150, ..ProptestConfig::default() })]

    /// The same calls through the storage engine on a disk that is slow and
    /// fails whole commits: a group whose commit succeeds answers as the
    /// model predicts; one whose commit fails fails every call that wrote
    /// and leaves the model (and the store) as before the group; and after
    /// every group, memory equals what a reopen loads from the disk.
    #[test]
    fn every_envelope_matches_the_model_on_a_slow_failing_disk(groups in groups()) {
        let clock = TestClock::default();
        let disk = KeepingBackend::default();
        let store = open(disk.engine(), &clock);
        let mut model = Model::default();
        for (g, group) in groups.iter().enumerate() {
            let now = 1_700_000_000_000 + i64::try_from(g).expect("few groups") * 1000;
            clock.0.set(now);
            disk.disk.borrow_mut().delays.push_back(group.delay);
            if group.fails {
                disk.disk.borrow_mut().outcomes.push_back(Err(boltkv::StorageError::Failed("injected".into())));
            }
            // By name: ids made in this group are not known until it settles.
            let args: Vec<String> = group.ops.iter().map(|op| NAMES[name_of(op)].to_string()).collect();
            let answers: Vec<_> = group.ops.iter().zip(&args).map(|(op, arg)| issue(&store, op, arg)).collect();
            let answers = block_on(futures::future::join_all(answers));
            let committed = disk.disk.borrow().outcomes.is_empty();
            disk.disk.borrow_mut().outcomes.clear();
            disk.disk.borrow_mut().delays.clear();
            let before = model.clone();
            for (i, ((op, arg), got)) in group.ops.iter().zip(&args).zip(&answers).enumerate() {
                let prior = model.clone();
                // A failed write made no ids; the model gets fresh stand-ins.
                let made = format!("unmade-{g}-{i}");
                let ids = json!({"data": {"instance": {"id": made}, "record": {"id": made, "instanceId": made}}});
                let expect = step(&mut model, op, arg, now, if got["success"] == json!(true) { got } else { &ids });
                if group.fails && committed && wrote(&prior, &model) {
                    prop_assert_eq!(&got["success"], &json!(false), "{:?} -> {}", op, got);
                    prop_assert!(got["error"].as_str().unwrap_or_default().contains("injected"), "{:?} -> {}", op, got);
                    continue;
                }
                if group.fails && committed {
                    // A read in a failed group saw the group's writes; only
                    // its success can be predicted without their ids.
                    prop_assert_eq!(&got["success"], &json!(matches!(expect, Expect::Data(_))), "{:?} -> {}", op, got);
                    continue;
                }
                match expect {
                    Expect::Data(expected) => {
                        prop_assert_eq!(&got["success"], &json!(true), "{:?} -> {}", op, got);
                        prop_assert_eq!(&got["data"], &expected, "{:?}", op);
                    }
                    Expect::Fails(word) => {
                        prop_assert_eq!(&got["success"], &json!(false), "{:?} -> {}", op, got);
                        prop_assert!(got["error"].as_str().unwrap_or_default().contains(word), "{:?}: {}", op, got);
                    }
                }
            }
            if group.fails && committed {
                model = before;
            }
            prop_assert_eq!(contents(&store), contents(&open(disk.beside().engine(), &clock)), "memory equals the disk after group {}", g);
        }
    }
}

/// The instance name an op names.
fn name_of(op: &Op) -> usize {
    match op {
        Op::Create { name, .. } | Op::GetInstance { name, .. } | Op::Rename { name, .. } | Op::DeleteInstance { name, .. } => *name,
        Op::Get { name, .. } | Op::Set { name, .. } | Op::Delete { name, .. } | Op::DeleteNamespace { name, .. } => *name,
        Op::Namespaces { name } | Op::Count { name, .. } => *name,
        Op::List => 0,
    }
}
