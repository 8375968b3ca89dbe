//! The database's schema and layout: the object stores made at version 1,
//! the layout number kept in `meta` (this driver's own, apart from the
//! engine's format item), its check on open, and the move from layout 1.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{IdbDatabase, IdbKeyRange, IdbObjectStore, IdbOpenDbRequest};

use super::sys::{Fault, Scan, fault, finished, write_transaction};
use crate::engine::layout;

/// The database layout, kept in `meta`: 1 keyed records by
/// `[instanceId, namespace, key]` arrays; 2 keys them by strings, which
/// IndexedDB stores and compares faster. Documents are codec's either way.
pub const LAYOUT: u32 = 2;
/// The layout a database is moved from when it opens (see [`upgrade_keys`]).
pub const LAYOUT_WITH_ARRAY_KEYS: u32 = 1;

/// Records, keyed out of line by `r/<instanceId>/<namespace>/<key>` (the
/// escaped parts of `item_key`).
pub const RECORDS: &str = "records";
/// Instances, keyed out of line by their id.
pub const INSTANCES: &str = "instances";
/// One document, `{ format }`, under the key `"format"`.
pub const META: &str = "meta";
const FORMAT: &str = "format";

/// The version-1 schema (the database version, not the layout); throwing
/// aborts the upgrade and fails the open.
pub fn create(request: &IdbOpenDbRequest) -> Result<(), JsValue> {
    let db: IdbDatabase = request.result()?.dyn_into()?;
    db.create_object_store(RECORDS)?;
    db.create_object_store(INSTANCES)?;
    put_layout(&db.create_object_store(META)?)
}

/// Writes the current layout into `meta`.
fn put_layout(meta: &IdbObjectStore) -> Result<(), JsValue> {
    let doc = Object::new();
    Reflect::set(&doc, &JsValue::from_str(FORMAT), &JsValue::from(LAYOUT))?;
    meta.put_with_key(&doc, &JsValue::from_str(FORMAT)).map(drop)
}

/// The format number stored in `meta`, if there is one.
pub async fn stored_format(db: &IdbDatabase) -> Result<Option<f64>, Fault> {
    let tx = db.transaction_with_str(META).map_err(fault)?;
    let request = tx.object_store(META).and_then(|s| s.get(&JsValue::from_str(FORMAT))).map_err(fault)?;
    finished(&tx).await?;
    let doc = request.result().map_err(fault)?;
    Ok(Reflect::get(&doc, &JsValue::from_str(FORMAT)).ok().and_then(|v| v.as_f64()))
}

/// Moves a database from layout 1 to layout 2 in one transaction: each
/// record under an array key `[instanceId, namespace, key]` is put under
/// its string key and the array key deleted, and `meta` says layout 2. All
/// or nothing: on failure the database stays as it was. Arrays sort after
/// every string, so the scan reads exactly the array keys.
pub async fn upgrade_keys(db: &IdbDatabase) -> Result<(), Fault> {
    let tx = write_transaction(db, &[RECORDS, META])?;
    let (records, meta) = (tx.object_store(RECORDS).map_err(fault)?, tx.object_store(META).map_err(fault)?);
    put_layout(&meta).map_err(fault)?;
    let arrays = IdbKeyRange::lower_bound(&Array::new()).map_err(fault)?;
    let scan = Scan::start(&tx, RECORDS, &arrays, move |page| {
        for i in 0..page.keys.length() {
            let old = page.keys.get(i);
            // Keys that are not such triples were never boltkv's: left as they are.
            if let Some([instance, namespace, key]) = string_triple(&old) {
                records.put_with_key(&page.values.get(i), &JsValue::from_str(&layout::record(&instance, &namespace, &key)))?;
                records.delete(&old)?;
            }
        }
        Ok(())
    })?;
    finished(&tx).await?;
    scan.finish()
}

fn string_triple(key: &JsValue) -> Option<[String; 3]> {
    let parts = key.dyn_ref::<Array>().filter(|a| a.length() == 3)?;
    Some([parts.get(0).as_string()?, parts.get(1).as_string()?, parts.get(2).as_string()?])
}

