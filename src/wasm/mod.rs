//! The JavaScript face of the store: a `KvStore` class whose twelve methods
//! take positional arguments as `docs/api.md` lists them and always resolve with
//! an envelope. This layer only converts: arguments in (see `args`), typed
//! answers out as envelope text that JavaScript parses into fresh objects.

mod args;
mod backends;
mod batch_args;
mod export;
mod fields;
mod options;
mod storage;
mod watch;
mod write_options;

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;


use crate::commit::Pending;
use crate::envelope::{data, Data, Method};
use crate::error::{Error, Field, Result};
use crate::store::{DeleteOptions, KvStore, SetOptions};

#[wasm_bindgen(typescript_custom_section)]
const TYPESCRIPT: &str = include_str!("boltkv.d.ts");

/// A kvStore: instances > namespaces > keys, JSON values.
#[wasm_bindgen(js_name = KvStore, skip_typescript)]
pub struct JsKvStore {
    store: KvStore,
    storage: storage::Storage,
}

/// One fresh object tree from envelope text.
fn parse(envelope: &str) -> JsValue {
    // The text is serde_json's own output, so JSON.parse accepts it; the
    // fallback only keeps this total.
    js_sys::JSON::parse(envelope).unwrap_or_else(|_| JsValue::from(envelope))
}

#[wasm_bindgen(js_class = KvStore)]
impl JsKvStore {
    /// Opens a store: `await KvStore.open()`, or with `{ backend, name, fallback, limits }`.
    #[wasm_bindgen(skip_typescript)]
    pub async fn open(options: JsValue) -> std::result::Result<JsKvStore, JsError> {
        let refuse = |e: Error| JsError::new(&e.to_string());
        let mut opening = options::opening(&options).map_err(refuse)?;
        let (backend, mut storage) = backends::open(&mut opening).await.map_err(refuse)?;
        let store = KvStore::open(backend, opening.config).await.map_err(refuse)?;
        storage.skipped = store.skipped_on_open().to_vec();
        Ok(JsKvStore { store, storage })
    }

    /// Where the records live: `{ backend, name, fallbackReason?, skipped }`.
    #[wasm_bindgen(getter, skip_typescript)]
    pub fn storage(&self) -> JsValue {
        match serde_json::to_string(&self.storage) {
            Ok(json) => parse(&json),
            // Names and reasons always render; say so if one ever does not.
            Err(e) => js_sys::Error::new(&format!("boltkv could not describe its storage ({e}); this is a bug in boltkv.")).into(),
        }
    }

    /// Answers a read, which the store answers at once from memory.
    fn answer<T: Data>(&self, method: Method, result: Result<T>) -> Promise {
        Promise::resolve(&self.store.with_envelope(method, result, parse))
    }

    /// Answers a write: at once when nothing waits for storage, else when
    /// the write's batch is durable.
    fn reply<U: Unpin + 'static, T: Data + 'static>(
        &self,
        method: Method,
        call: Result<Pending<U>>,
        shape: fn(U) -> T,
    ) -> Promise {
        let pending = match call {
            Ok(pending) => pending,
            Err(e) => return self.answer::<T>(method, Err(e)),
        };
        match pending.into_ready() {
            Ok(result) => self.answer(method, result.map(shape)),
            Err(waiting) => {
                let store = self.store.clone();
                future_to_promise(async move {
                    let result = waiting.await;
                    Ok(store.with_envelope(method, result.map(shape), parse))
                })
            }
        }
    }

    fn name(&self, value: &JsValue, arg: &str, field: Field) -> Result<String> {
        args::name(value, arg, field, self.store.limits())
    }

    /// `createInstance(name, description?)`: a new instance, `{ instance }`.
    #[wasm_bindgen(js_name = createInstance, skip_typescript)]
    pub fn create_instance(&self, name: JsValue, description: JsValue, extra: JsValue) -> Promise {
        let call = (|| {
            args::nothing_more(&extra, Method::CreateInstance)?;
            let name = self.name(&name, "name", Field::InstanceName)?;
            let description = args::description(&description, self.store.limits())?;
            Ok(self.store.create_instance(&name, description.as_deref()))
        })();
        self.reply(Method::CreateInstance, call, |instance| data::InstanceData { instance })
    }

    /// `getInstance(instanceId)`: `{ instance }` by id or name.
    #[wasm_bindgen(js_name = getInstance, skip_typescript)]
    pub fn get_instance(&self, instance_id: JsValue, extra: JsValue) -> Promise {
        let answer = (|| {
            args::nothing_more(&extra, Method::GetInstance)?;
            self.store.get_instance(&self.instance(&instance_id)?)
        })();
        self.answer(Method::GetInstance, answer.map(|instance| data::InstanceData { instance }))
    }

    /// `listInstances()`: `{ instances }`, oldest first.
    #[wasm_bindgen(js_name = listInstances, skip_typescript)]
    pub fn list_instances(&self, extra: JsValue) -> Promise {
        let answer = args::nothing_more(&extra, Method::ListInstances).map(|()| self.store.list_instances());
        self.answer(Method::ListInstances, answer.map(|instances| data::InstancesData { instances }))
    }

    /// `updateInstance(instanceId, { name?, description? })`: `{ instance }` as changed.
    #[wasm_bindgen(js_name = updateInstance, skip_typescript)]
    pub fn update_instance(&self, instance_id: JsValue, updates: JsValue, extra: JsValue) -> Promise {
        let call = (|| {
            args::nothing_more(&extra, Method::UpdateInstance)?;
            let id = self.instance(&instance_id)?;
            let limits = self.store.limits();
            let max = limits.max_instance_name_bytes + limits.max_description_bytes + 64;
            let json = args::plain_object(&updates, max).map_err(|m| m.into_argument("updates"))?;
            Ok(self.store.update_instance(&id, options::update(&json)?))
        })();
        self.reply(Method::UpdateInstance, call, |instance| data::InstanceData { instance })
    }

    /// `deleteInstance(instanceId)`: `{ deleted }`, with every record in it.
    #[wasm_bindgen(js_name = deleteInstance, skip_typescript)]
    pub fn delete_instance(&self, instance_id: JsValue, extra: JsValue) -> Promise {
        let call = (|| {
            args::nothing_more(&extra, Method::DeleteInstance)?;
            Ok(self.store.delete_instance(&self.instance(&instance_id)?))
        })();
        self.reply(Method::DeleteInstance, call, |deleted| data::DeletedData { deleted })
    }

    /// `get(instanceId, namespace, key)`: `{ value, exists }`.
    #[wasm_bindgen(skip_typescript)]
    pub fn get(&self, instance_id: JsValue, namespace: JsValue, key: JsValue, extra: JsValue) -> Promise {
        let answer = (|| {
            args::nothing_more(&extra, Method::Get)?;
            let (i, n, k) = self.place(&instance_id, &namespace, &key)?;
            self.store.get_raw(&i, &n, &k)
        })();
        self.answer(Method::Get, answer.map(data::GetData::of))
    }

    /// `set(instanceId, namespace, key, value, autoCreateInstance?, options?)`: `{ record }` once durable.
    #[wasm_bindgen(skip_typescript)]
    #[expect(clippy::too_many_arguments, reason = "the JavaScript signature, positional as the API defines it")]
    pub fn set(
        &self,
        instance_id: JsValue,
        namespace: JsValue,
        key: JsValue,
        value: JsValue,
        auto_create_instance: JsValue,
        options: JsValue,
        extra: JsValue,
    ) -> Promise {
        let call = (|| {
            args::nothing_more(&extra, Method::Set)?;
            let (i, n, k) = self.place(&instance_id, &namespace, &key)?;
            let json = args::json(&value, self.store.limits())?;
            let auto_create_instance = args::flag(&auto_create_instance, "autoCreateInstance")?;
            let (if_version, expire) = write_options::set(&options)?;
            Ok(self.store.set_json_with(&i, &n, &k, json, SetOptions { auto_create_instance, if_version, expire }))
        })();
        self.reply(Method::Set, call, |record| data::RecordData { record })
    }

    /// `delete(instanceId, namespace, key, options?)`: `{ deleted }`.
    #[wasm_bindgen(skip_typescript)]
    pub fn delete(&self, instance_id: JsValue, namespace: JsValue, key: JsValue, options: JsValue, extra: JsValue) -> Promise {
        let call = (|| {
            args::nothing_more(&extra, Method::Delete)?;
            let (i, n, k) = self.place(&instance_id, &namespace, &key)?;
            let if_version = write_options::delete(&options)?;
            Ok(self.store.delete_with(&i, &n, &k, DeleteOptions { if_version }))
        })();
        self.reply(Method::Delete, call, |deleted| data::DeletedData { deleted })
    }

    /// `deleteNamespace(instanceId, namespace)`: `{ deletedCount }`.
    #[wasm_bindgen(js_name = deleteNamespace, skip_typescript)]
    pub fn delete_namespace(&self, instance_id: JsValue, namespace: JsValue, extra: JsValue) -> Promise {
        let call = (|| {
            args::nothing_more(&extra, Method::DeleteNamespace)?;
            let id = self.instance(&instance_id)?;
            let ns = self.name(&namespace, "namespace", Field::Namespace)?;
            Ok(self.store.delete_namespace(&id, &ns))
        })();
        self.reply(Method::DeleteNamespace, call, |deleted_count| data::DeletedCountData { deleted_count })
    }

    /// `query(queryDsl)`: `{ result: { records, total, limit, offset, cursor? } }`.
    #[wasm_bindgen(skip_typescript)]
    pub fn query(&self, query: JsValue, extra: JsValue) -> Promise {
        let answer = (|| {
            args::nothing_more(&extra, Method::Query)?;
            let max = self.store.limits().max_value_bytes;
            let json = args::plain_object(&query, max).map_err(args::Misfit::into_query_error)?;
            self.store.query_json(&json)
        })();
        self.answer(Method::Query, answer.map(|result| data::QueryData { result }))
    }

    /// `getNamespaces(instanceId)`: `{ namespaces }`, sorted.
    #[wasm_bindgen(js_name = getNamespaces, skip_typescript)]
    pub fn get_namespaces(&self, instance_id: JsValue, extra: JsValue) -> Promise {
        let answer = (|| {
            args::nothing_more(&extra, Method::GetNamespaces)?;
            self.store.get_namespaces(&self.instance(&instance_id)?)
        })();
        self.answer(Method::GetNamespaces, answer.map(|namespaces| data::NamespacesData { namespaces }))
    }

    /// `getRecordCount(instanceId, namespace?)`: `{ count }`.
    #[wasm_bindgen(js_name = getRecordCount, skip_typescript)]
    pub fn get_record_count(&self, instance_id: JsValue, namespace: JsValue, extra: JsValue) -> Promise {
        let answer = (|| {
            args::nothing_more(&extra, Method::GetRecordCount)?;
            let id = self.instance(&instance_id)?;
            let ns = match namespace.is_undefined() || namespace.is_null() {
                true => None,
                false => Some(self.name(&namespace, "namespace", Field::Namespace)?),
            };
            self.store.get_record_count(&id, ns.as_deref())
        })();
        self.answer(Method::GetRecordCount, answer.map(|count| data::CountData { count }))
    }

    /// `batch(operations)`: `{ results }`, all or nothing, once durable.
    #[wasm_bindgen(skip_typescript)]
    pub fn batch(&self, operations: JsValue, extra: JsValue) -> Promise {
        let call = (|| {
            args::nothing_more(&extra, Method::Batch)?;
            Ok(self.store.batch(batch_args::operations(&operations, self.store.limits())?))
        })();
        self.reply(Method::Batch, call, data::BatchData)
    }

    /// `getMany(keys)`: `{ records }`, a record or `null` per key.
    #[wasm_bindgen(js_name = getMany, skip_typescript)]
    pub fn get_many(&self, keys: JsValue, extra: JsValue) -> Promise {
        let answer = (|| {
            args::nothing_more(&extra, Method::GetMany)?;
            let keys = batch_args::keys(&keys, self.store.limits())?;
            let keys: Vec<(&str, &str, &str)> = keys.iter().map(|(i, n, k)| (i.as_str(), n.as_str(), k.as_str())).collect();
            self.store.get_many_records(&keys)
        })();
        self.answer(Method::GetMany, answer.map(|records| data::RecordsData { records }))
    }

    /// The `instanceId` argument of a call.
    fn instance(&self, instance_id: &JsValue) -> Result<String> {
        self.name(instance_id, "instanceId", Field::InstanceName)
    }

    /// The (instance, namespace, key) arguments of a record call.
    fn place(&self, instance_id: &JsValue, namespace: &JsValue, key: &JsValue) -> Result<(String, String, String)> {
        Ok((
            self.instance(instance_id)?,
            self.name(namespace, "namespace", Field::Namespace)?,
            self.name(key, "key", Field::Key)?,
        ))
    }
}

