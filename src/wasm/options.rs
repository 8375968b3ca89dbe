//! The object arguments: `KvStore.open`'s options and `updateInstance`'s
//! changes, read with unknown fields refused (`src/wasm/fields.rs`), so a
//! misspelt option is an error rather than silently ignored.

use serde_json::Value as Json;
use wasm_bindgen::JsValue;

use super::backends::{self, Plugged};
use super::fields::Fields;
use crate::error::{Error, Result};
use crate::id::RandomIds;
use crate::limits::Limits;
use crate::store::{Config, InstanceUpdate};
use crate::time::SystemClock;

/// What `open`'s options look like, for error sentences.
const OPEN_SHAPE: &str = "{ backend?: 'memory' | 'indexeddb' | 'localStorage' | { kv } | { durableObject } | { adapter }, \
                          name?: string, fallback?: 'memory', limits?: { ... } }";

/// What `open`'s `limits` option looks like.
const LIMITS_SHAPE: &str = "{ maxKeyBytes?, maxNamespaceBytes?, maxInstanceNameBytes?, maxDescriptionBytes?, \
                            maxValueBytes?, maxDepth?, maxBatchOperations? } with whole numbers";

/// Where a store's records live, as `open`'s `backend` option names it.
#[derive(Default, Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendChoice {
    /// In memory only (the default): `'memory'`.
    #[default]
    Memory,
    /// One IndexedDB database per store name: `'indexeddb'`.
    IndexedDb,
    /// One localStorage item per record, under a prefix of the store
    /// name: `'localStorage'`.
    LocalStorage,
}

/// What to do when the chosen storage cannot be used at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fallback {
    /// Keep the records in memory and say so: `'memory'`.
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

/// What `open`'s options (`undefined` for defaults) ask for.
pub fn opening(options: &JsValue) -> Result<Opening> {
    // A backend object holds functions, which the JSON check refuses: it is
    // taken out first and the other options are checked as usual.
    let (options, plugged) = match backends::split(options)? {
        Some((rest, plugged)) => (rest, Some(plugged)),
        None => (options.clone(), None),
    };
    // No options read as an empty object: every default.
    let mut fields = Fields::of(&options, "options", 1 << 16, OPEN_SHAPE)?.unwrap_or_else(|| Fields::empty("options", OPEN_SHAPE));
    let backends = [("memory", BackendChoice::Memory), ("indexeddb", BackendChoice::IndexedDb), ("localStorage", BackendChoice::LocalStorage)];
    let backend = fields.choice("backend", &backends)?.unwrap_or_default();
    let name = fields.text("name")?;
    let fallback = fields.choice("fallback", &[("memory", Fallback::Memory)])?;
    let limits = match fields.object("limits", LIMITS_SHAPE)? {
        Some(given) => read_limits(given)?,
        None => Limits::default(),
    };
    fields.done()?;
    let ids = RandomIds::new()
        .map_err(|e| Error::InvalidOptions(format!("no secure random source (crypto.getRandomValues) is available: {e}.")))?;
    let name = name.unwrap_or_else(|| DEFAULT_NAME.to_string());
    if name.is_empty() || name.len() > 256 {
        return Err(Error::InvalidOptions("name must be 1 to 256 bytes long.".to_string()));
    }
    Ok(Opening { config: Config { limits, clock: Box::new(SystemClock), ids: Box::new(ids) }, backend, name, fallback, plugged })
}

/// The limits `open` is given, each one absent keeping its default.
fn read_limits(mut given: Fields) -> Result<Limits> {
    let base = Limits::default();
    let limits = Limits {
        max_key_bytes: given.count("maxKeyBytes")?.unwrap_or(base.max_key_bytes),
        max_namespace_bytes: given.count("maxNamespaceBytes")?.unwrap_or(base.max_namespace_bytes),
        max_instance_name_bytes: given.count("maxInstanceNameBytes")?.unwrap_or(base.max_instance_name_bytes),
        max_description_bytes: given.count("maxDescriptionBytes")?.unwrap_or(base.max_description_bytes),
        max_value_bytes: given.count("maxValueBytes")?.unwrap_or(base.max_value_bytes),
        max_depth: given.count("maxDepth")?.unwrap_or(base.max_depth),
        max_batch_operations: given.count("maxBatchOperations")?.unwrap_or(base.max_batch_operations),
    };
    given.done()?;
    Ok(limits)
}

/// `updateInstance`'s changes from their JSON text. A `null` description
/// removes it; an absent one keeps it.
pub fn update(json: &str) -> Result<InstanceUpdate> {
    let mut fields = Fields::parse(json, "updates", "{ name?: string, description?: string | null }")?;
    let name = fields.text("name")?;
    let description = match fields.given("description") {
        None => None,
        Some(Json::Null) => Some(None),
        Some(Json::String(text)) => Some(Some(text)),
        Some(other) => return Err(fields.wrong("description", &other, "a string or null")),
    };
    fields.done()?;
    Ok(InstanceUpdate { name, description })
}
