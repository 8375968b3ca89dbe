//! The JavaScript face of the store: a `KvStore` class whose twelve methods
//! take positional arguments as API.md lists them and always resolve with
//! an envelope. This layer only converts: arguments in (see `args`), typed
//! answers out as envelope text that JavaScript parses into fresh objects.

mod args;
mod options;
mod platform;

use js_sys::Promise;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;


use crate::commit::Pending;
use crate::envelope::{data, Method};
use crate::error::{Field, Result};
use crate::store::{InstanceUpdate, KvStore};

#[wasm_bindgen(typescript_custom_section)]
const TYPESCRIPT: &str = include_str!("boltkv.d.ts");

/// A kvStore: instances > namespaces > keys, JSON values.
#[wasm_bindgen(js_name = KvStore, skip_typescript)]
pub struct JsKvStore {
    store: KvStore,
}

/// One fresh object tree from envelope text.
fn parse(envelope: String) -> JsValue {
    // The text is serde_json's own output, so JSON.parse accepts it; the
    // fallback only keeps this total.
    js_sys::JSON::parse(&envelope).unwrap_or_else(|_| JsValue::from(envelope))
}

#[wasm_bindgen(js_class = KvStore)]
impl JsKvStore {
    /// Opens a store: `await KvStore.open()` or `KvStore.open({ limits })`.
    #[wasm_bindgen(skip_typescript)]
    pub async fn open(options: JsValue) -> std::result::Result<JsKvStore, JsError> {
        let config = options::config(&options).map_err(|e| JsError::new(&e.to_string()))?;
        let store = KvStore::open(Box::new(crate::backend::MemoryBackend), config)
            .await
            .map_err(|e| JsError::new(&e.to_string()))?;
        Ok(JsKvStore { store })
    }

    /// Answers a call: at once when nothing waits for storage, else when
    /// the write's batch is durable.
    fn reply<U: Unpin + 'static, T: Serialize + 'static>(
        &self,
        method: Method,
        call: Result<Pending<U>>,
        shape: fn(U) -> T,
    ) -> Promise {
        let pending = match call {
            Ok(pending) => pending,
            Err(e) => return Promise::resolve(&parse(self.store.envelope::<T>(method, Err(e)))),
        };
        match pending.into_ready() {
            Ok(result) => Promise::resolve(&parse(self.store.envelope(method, result.map(shape)))),
            Err(waiting) => {
                let store = self.store.clone();
                future_to_promise(async move {
                    let result = waiting.await;
                    Ok(parse(store.envelope(method, result.map(shape))))
                })
            }
        }
    }

    fn name(&self, value: &JsValue, arg: &str, field: Field) -> Result<String> {
        args::name(value, arg, field, self.store.limits())
    }

    #[wasm_bindgen(js_name = createInstance, skip_typescript)]
    pub fn create_instance(&self, name: JsValue, description: JsValue) -> Promise {
        let call = (|| {
            let name = self.name(&name, "name", Field::InstanceName)?;
            let description = args::description(&description, self.store.limits())?;
            Ok(self.store.create_instance(&name, description.as_deref()))
        })();
        self.reply(Method::CreateInstance, call, |instance| data::InstanceData { instance })
    }

    #[wasm_bindgen(js_name = getInstance, skip_typescript)]
    pub fn get_instance(&self, instance_id: JsValue) -> Promise {
        let call = self.name(&instance_id, "instanceId", Field::InstanceName).map(|id| self.store.get_instance(&id));
        self.reply(Method::GetInstance, call, |instance| data::InstanceData { instance })
    }

    #[wasm_bindgen(js_name = listInstances, skip_typescript)]
    pub fn list_instances(&self) -> Promise {
        self.reply(Method::ListInstances, Ok(self.store.list_instances()), |instances| data::InstancesData { instances })
    }

    #[wasm_bindgen(js_name = updateInstance, skip_typescript)]
    pub fn update_instance(&self, instance_id: JsValue, updates: JsValue) -> Promise {
        let call = (|| {
            let id = self.name(&instance_id, "instanceId", Field::InstanceName)?;
            let max = self.store.limits().max_instance_name_bytes + self.store.limits().max_description_bytes;
            let update: InstanceUpdate = options::update(&args::object(&updates, "updates", max + 64)?)?;
            Ok(self.store.update_instance(&id, update))
        })();
        self.reply(Method::UpdateInstance, call, |instance| data::InstanceData { instance })
    }

    #[wasm_bindgen(js_name = deleteInstance, skip_typescript)]
    pub fn delete_instance(&self, instance_id: JsValue) -> Promise {
        let call = self.name(&instance_id, "instanceId", Field::InstanceName).map(|id| self.store.delete_instance(&id));
        self.reply(Method::DeleteInstance, call, |deleted| data::DeletedData { deleted })
    }

    #[wasm_bindgen(skip_typescript)]
    pub fn get(&self, instance_id: JsValue, namespace: JsValue, key: JsValue) -> Promise {
        let call = self.place(&instance_id, &namespace, &key).map(|(i, n, k)| self.store.get(&i, &n, &k));
        self.reply(Method::Get, call, data::GetData::of)
    }

    #[wasm_bindgen(skip_typescript)]
    pub fn set(
        &self,
        instance_id: JsValue,
        namespace: JsValue,
        key: JsValue,
        value: JsValue,
        auto_create_instance: JsValue,
    ) -> Promise {
        let call = (|| {
            let (i, n, k) = self.place(&instance_id, &namespace, &key)?;
            let json = args::json(&value, self.store.limits().max_value_bytes)?;
            let auto_create = args::flag(&auto_create_instance, "autoCreateInstance")?;
            Ok(self.store.set_json(&i, &n, &k, json, auto_create))
        })();
        self.reply(Method::Set, call, |record| data::RecordData { record })
    }

    #[wasm_bindgen(skip_typescript)]
    pub fn delete(&self, instance_id: JsValue, namespace: JsValue, key: JsValue) -> Promise {
        let call = self.place(&instance_id, &namespace, &key).map(|(i, n, k)| self.store.delete(&i, &n, &k));
        self.reply(Method::Delete, call, |deleted| data::DeletedData { deleted })
    }

    #[wasm_bindgen(js_name = deleteNamespace, skip_typescript)]
    pub fn delete_namespace(&self, instance_id: JsValue, namespace: JsValue) -> Promise {
        let call = (|| {
            let id = self.name(&instance_id, "instanceId", Field::InstanceName)?;
            let ns = self.name(&namespace, "namespace", Field::Namespace)?;
            Ok(self.store.delete_namespace(&id, &ns))
        })();
        self.reply(Method::DeleteNamespace, call, |deleted_count| data::DeletedCountData { deleted_count })
    }

    #[wasm_bindgen(skip_typescript)]
    pub fn query(&self, query: JsValue) -> Promise {
        let call = args::object(&query, "query", self.store.limits().max_value_bytes)
            .map(|json| self.store.query_json(&json));
        self.reply(Method::Query, call, |result| data::QueryData { result })
    }

    #[wasm_bindgen(js_name = getNamespaces, skip_typescript)]
    pub fn get_namespaces(&self, instance_id: JsValue) -> Promise {
        let call = self.name(&instance_id, "instanceId", Field::InstanceName).map(|id| self.store.get_namespaces(&id));
        self.reply(Method::GetNamespaces, call, |namespaces| data::NamespacesData { namespaces })
    }

    #[wasm_bindgen(js_name = getRecordCount, skip_typescript)]
    pub fn get_record_count(&self, instance_id: JsValue, namespace: JsValue) -> Promise {
        let call = (|| {
            let id = self.name(&instance_id, "instanceId", Field::InstanceName)?;
            let ns = if namespace.is_undefined() || namespace.is_null() {
                None
            } else {
                Some(self.name(&namespace, "namespace", Field::Namespace)?)
            };
            Ok(self.store.get_record_count(&id, ns.as_deref()))
        })();
        self.reply(Method::GetRecordCount, call, |count| data::CountData { count })
    }

    /// The (instance, namespace, key) arguments of a record call.
    fn place(&self, instance_id: &JsValue, namespace: &JsValue, key: &JsValue) -> Result<(String, String, String)> {
        Ok((
            self.name(instance_id, "instanceId", Field::InstanceName)?,
            self.name(namespace, "namespace", Field::Namespace)?,
            self.name(key, "key", Field::Key)?,
        ))
    }
}

