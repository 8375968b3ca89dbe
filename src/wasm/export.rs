//! `export(selector?)` and `import(text, options?)` on the JavaScript
//! class (`docs/beyond.md`, export and import), kept apart from the twelve
//! calls: only their arguments are theirs to read.

use wasm_bindgen::prelude::*;

use super::fields::Fields;
use super::{JsKvStore, args};
use crate::envelope::{Method, data};
use crate::error::Result;
use crate::store::{ExportSelector, ImportMode};

/// The most an options object of these calls may take as JSON, beyond
/// the names it holds.
const OPTIONS_SLACK_BYTES: usize = 256;

#[wasm_bindgen(js_class = KvStore)]
impl JsKvStore {
    /// `export(selector?)`: `{ text }`, the store or its selected part as JSON Lines.
    #[wasm_bindgen(skip_typescript)]
    pub fn export(&self, selector: JsValue, extra: JsValue) -> js_sys::Promise {
        let answer = (|| {
            args::nothing_more(&extra, Method::Export)?;
            let limits = self.store.limits();
            let max = limits.max_instance_name_bytes.saturating_add(limits.max_namespace_bytes).saturating_add(OPTIONS_SLACK_BYTES);
            let selector = match Fields::of(&selector, "selector", max, "{ instance?: string, namespace?: string }")? {
                Some(mut fields) => {
                    let chosen = ExportSelector { instance: fields.text("instance")?, namespace: fields.text("namespace")? };
                    fields.done()?;
                    chosen
                }
                None => ExportSelector::default(),
            };
            self.store.export(&selector)
        })();
        self.answer(Method::Export, answer.map(|text| data::ExportData { text }))
    }

    /// `import(text, { mode? }?)`: `{ instances, records }` once durable, all or nothing.
    #[wasm_bindgen(skip_typescript)]
    pub fn import(&self, text: JsValue, options: JsValue, extra: JsValue) -> js_sys::Promise {
        let call = (|| {
            args::nothing_more(&extra, Method::Import)?;
            let text = args::text(&text, "text")?;
            Ok(self.store.import(&text, mode(&options)?))
        })();
        self.reply(Method::Import, call, |imported| imported)
    }
}

/// `options.mode`: `'merge'` unless `'replace'` is asked for.
fn mode(options: &JsValue) -> Result<ImportMode> {
    let Some(mut fields) = Fields::of(options, "options", OPTIONS_SLACK_BYTES, "{ mode?: 'merge' | 'replace' }")? else {
        return Ok(ImportMode::Merge);
    };
    let mode = fields.choice("mode", &[("merge", ImportMode::Merge), ("replace", ImportMode::Replace)])?.unwrap_or_default();
    fields.done()?;
    Ok(mode)
}
