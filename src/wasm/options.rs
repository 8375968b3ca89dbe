//! The object arguments: `KvStore.open`'s options and `updateInstance`'s
//! changes, read from their JSON text with unknown fields refused, so a
//! misspelt option is an error rather than silently ignored.

use serde::{Deserialize, Deserializer};
use wasm_bindgen::JsValue;

use super::args;
use super::backends::{self, Plugged};
use crate::error::{Error, Result};
use crate::id::RandomIds;
use crate::limits::Limits;
use crate::store::{Config, InstanceUpdate};
use crate::time::SystemClock;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct OpenOptions {
    #[serde(default)]
    limits: LimitOptions,
    #[serde(default)]
    backend: BackendChoice,
    name: Option<String>,
    fallback: Option<Fallback>,
}

/// Where a store's records live, as `open`'s `backend` option names it.
#[derive(Deserialize, Default, Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendChoice {
    /// In memory only (the default).
    #[default]
    #[serde(rename = "memory")]
    Memory,
    /// One IndexedDB database per store name.
    #[serde(rename = "indexeddb")]
    IndexedDb,
    /// One localStorage item per record, under a prefix of the store name.
    #[serde(rename = "localStorage")]
    LocalStorage,
}

/// What to do when the chosen storage cannot be used at all.
#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fallback {
    /// Keep the records in memory and say so.
    #[serde(rename = "memory")]
    Memory,
}

/// Everything `KvStore.open` was asked for.
pub struct Opening {
    pub config: Config,
    pub backend: BackendChoice,
    /// The store's name: its database, or its localStorage prefix.
    pub name: String,
    pub fallback: Option<Fallback>,
    /// A live `backend` object (`{ kv }`, `{ durableObject }`, `{ adapter }`),
    /// which takes the place of `backend`'s string choice.
    pub plugged: Option<Plugged>,
}

/// The store's name when `open` is given none.
pub const DEFAULT_NAME: &str = "boltkv";

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct LimitOptions {
    max_key_bytes: Option<usize>,
    max_namespace_bytes: Option<usize>,
    max_instance_name_bytes: Option<usize>,
    max_description_bytes: Option<usize>,
    max_value_bytes: Option<usize>,
    max_depth: Option<usize>,
    max_batch_operations: Option<usize>,
}

/// What `open`'s options (`undefined` for defaults) ask for.
pub fn opening(options: &JsValue) -> Result<Opening> {
    // A backend object holds functions, which the JSON check refuses: it is
    // taken out first and the other options are checked as usual.
    let (options, plugged) = match backends::split(options)? {
        Some((rest, plugged)) => (rest, Some(plugged)),
        None => (options.clone(), None),
    };
    let parsed: OpenOptions = if options.is_undefined() || options.is_null() {
        OpenOptions::default()
    } else {
        let json = args::plain_object(&options, 1 << 16).map_err(|m| m.into_argument("options"))?;
        serde_json::from_str(&json).map_err(|e| Error::InvalidOptions(format!("{e}.")))?
    };
    let given = parsed.limits;
    let base = Limits::default();
    let limits = Limits {
        max_key_bytes: given.max_key_bytes.unwrap_or(base.max_key_bytes),
        max_namespace_bytes: given.max_namespace_bytes.unwrap_or(base.max_namespace_bytes),
        max_instance_name_bytes: given.max_instance_name_bytes.unwrap_or(base.max_instance_name_bytes),
        max_description_bytes: given.max_description_bytes.unwrap_or(base.max_description_bytes),
        max_value_bytes: given.max_value_bytes.unwrap_or(base.max_value_bytes),
        max_depth: given.max_depth.unwrap_or(base.max_depth),
        max_batch_operations: given.max_batch_operations.unwrap_or(base.max_batch_operations),
    };
    let ids = RandomIds::new()
        .map_err(|e| Error::InvalidOptions(format!("no secure random source (crypto.getRandomValues) is available: {e}.")))?;
    let name = parsed.name.unwrap_or_else(|| DEFAULT_NAME.to_string());
    if name.is_empty() || name.len() > 256 {
        return Err(Error::InvalidOptions("name must be 1 to 256 bytes long.".to_string()));
    }
    Ok(Opening {
        config: Config { limits, clock: Box::new(SystemClock), ids: Box::new(ids) },
        backend: parsed.backend,
        name,
        fallback: parsed.fallback,
        plugged,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateFields {
    name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    description: Option<Option<String>>,
}

/// Tells a `null` description (remove it) from an absent one (keep it).
fn present<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// `updateInstance`'s changes from their JSON text.
pub fn update(json: &str) -> Result<InstanceUpdate> {
    let fields: UpdateFields = serde_json::from_str(json).map_err(|e| Error::InvalidArgument {
        name: "updates".to_string(),
        problem: format!("must be {{ name?: string, description?: string | null }} ({e})."),
    })?;
    Ok(InstanceUpdate { name: fields.name, description: fields.description })
}
