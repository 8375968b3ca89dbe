//! Turning JavaScript arguments into Rust ones. Anything may arrive (wrong
//! types, huge strings, throwing proxies); each problem becomes an `Error`
//! naming the argument, and nothing large is copied into wasm memory before
//! it is known to fit.

use js_sys::JsString;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::envelope::Method;
use crate::error::{Error, Field, Result};
use crate::js_text::copy_in;
use crate::limits::Limits;

#[wasm_bindgen(module = "/src/wasm/json.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = jsonText)]
    fn json_text(value: &JsValue) -> std::result::Result<JsValue, JsValue>;

    #[wasm_bindgen(catch, js_name = checkFinite)]
    fn check_finite(value: &JsValue) -> std::result::Result<bool, JsValue>;

    #[wasm_bindgen(js_name = utf8Length)]
    fn utf8_length(text: &JsString) -> f64;

    /// What a value is, in words, for error sentences.
    pub fn describe(value: &JsValue) -> String;

    fn reason(thrown: &JsValue) -> String;

    #[wasm_bindgen(catch, js_name = plainJsonText)]
    fn plain_json_text(value: &JsValue) -> std::result::Result<JsValue, JsValue>;
}

/// The parameters of each method, as `docs/api.md` lists them.
fn parameters(method: Method) -> &'static str {
    match method {
        Method::CreateInstance => "(name, description?)",
        Method::GetInstance | Method::DeleteInstance | Method::GetNamespaces => "(instanceId)",
        Method::ListInstances => "()",
        Method::UpdateInstance => "(instanceId, { name?, description? })",
        Method::Get => "(instanceId, namespace, key)",
        Method::Delete => "(instanceId, namespace, key, { ifVersion? })",
        Method::Set => "(instanceId, namespace, key, value, autoCreateInstance?, { ifVersion?, expireIn?, expireAt? })",
        Method::DeleteNamespace => "(instanceId, namespace)",
        Method::Query => "(queryDsl)",
        Method::GetRecordCount => "(instanceId, namespace?)",
        Method::Batch => "(operations)",
        Method::GetMany => "(keys)",
        Method::Export => "({ instance?, namespace? }?)",
        Method::Import => "(text, { mode? }?)",
    }
}

/// Refuses an argument past the last parameter: a call that passes one is
/// not the call its author thinks it is. (`undefined` there is the same as
/// passing nothing, as everywhere in JavaScript.)
pub fn nothing_more(extra: &JsValue, method: Method) -> Result<()> {
    if extra.is_undefined() {
        return Ok(());
    }
    let name = method.type_name().trim_start_matches("kvStore.");
    Err(invalid(name, format!("takes {}; remove the extra argument.", parameters(method))))
}

fn invalid(name: &str, problem: String) -> Error {
    Error::InvalidArgument { name: name.to_string(), problem }
}

/// A string argument that names an instance, namespace or key: a string,
/// not empty, within its limit, and without lone surrogates (which could
/// not be stored exactly).
pub fn name(value: &JsValue, arg: &str, field: Field, limits: &Limits) -> Result<String> {
    let text = string(value, arg, limits.max_bytes(field), field)?;
    limits.check(field, &text)?;
    Ok(text)
}

/// A string argument, refused when longer than `max` UTF-8 bytes before it
/// is copied.
#[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "string lengths are whole numbers below 2^32")]
fn string(value: &JsValue, arg: &str, max: usize, field: Field) -> Result<String> {
    let js = js_string(value, arg)?;
    let units = js.length();
    // Every UTF-16 unit takes at least one UTF-8 byte.
    if units as usize > max {
        let bytes = utf8_length(js) as usize;
        return Err(Error::TooLong { field, bytes, max });
    }
    exact(js, units, arg)
}

/// A string argument of any length (an import's text).
pub fn text(value: &JsValue, arg: &str) -> Result<String> {
    let js = js_string(value, arg)?;
    exact(js, js.length(), arg)
}

fn js_string<'a>(value: &'a JsValue, arg: &str) -> Result<&'a JsString> {
    value.dyn_ref::<JsString>().ok_or_else(|| invalid(arg, format!("must be a string, not {}.", describe(value))))
}

/// The string (`units` UTF-16 units long) copied into wasm memory, refused
/// when it holds a lone surrogate. The copy turns one into U+FFFD, so only
/// a text holding U+FFFD needs the exact (per-unit) check. (ASCII text is
/// passed over first: a search for a multi-byte character sets up a
/// substring searcher, a visible cost on every name of every call.)
fn exact(js: &JsString, units: u32, arg: &str) -> Result<String> {
    let text = copy_in(js, units);
    if !text.is_ascii() && text.contains('\u{FFFD}') && !js.is_valid_utf16() {
        return Err(invalid(
            arg,
            "contains a lone UTF-16 surrogate, which cannot be stored exactly.".to_string(),
        ));
    }
    Ok(text)
}

/// An optional description: a string, or `undefined`/`null` for none.
pub fn description(value: &JsValue, limits: &Limits) -> Result<Option<String>> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    name(value, "description", Field::Description, limits).map(Some)
}

/// A flag that defaults to false: `true`, `false`, `undefined` or `null`.
pub fn flag(value: &JsValue, arg: &str) -> Result<bool> {
    if value.is_undefined() || value.is_null() {
        return Ok(false);
    }
    value
        .as_bool()
        .ok_or_else(|| invalid(arg, format!("must be true or false, not {}.", describe(value))))
}

/// The JSON text of a value, refused (with JavaScript's reason) when JSON
/// cannot carry it exactly, as too deep when the engine could not even
/// write it out, and when over the size limit before it is copied.
#[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "string lengths are whole numbers below 2^32")]
pub fn json(value: &JsValue, limits: &Limits) -> Result<String> {
    let max = limits.max_value_bytes;
    let cannot = |thrown: JsValue| Error::InvalidValue(format!("JSON cannot represent it: {}", reason(&thrown)));
    let text = json_text(value).map_err(cannot)?;
    if text.is_null() {
        return Err(Error::ValueTooDeep { max: limits.max_depth });
    }
    let Some(js) = text.dyn_ref::<JsString>() else {
        return Err(Error::InvalidValue(format!(
            "it is {}, which has no JSON form; pass null to store nothing.",
            describe(value)
        )));
    };
    let units = js.length();
    if units as usize > max {
        let bytes = utf8_length(js) as usize;
        return Err(Error::ValueTooLarge { bytes, max });
    }
    let text = copy_in(js, units);
    // A NaN or ±Infinity can only have become `null`; texts without one
    // are final, the rest are checked again (rare, so cheap overall).
    if mentions_null(&text) && !check_finite(value).map_err(cannot)? {
        return Err(Error::ValueTooDeep { max: limits.max_depth });
    }
    Ok(text)
}

/// Whether `null` occurs in `text` (in a string too, where the check it
/// leads to finds nothing): one comparison per byte, and a closer look at
/// each `l`.
fn mentions_null(text: &str) -> bool {
    let bytes = text.as_bytes();
    let null_at = |l: usize| l.checked_sub(2).and_then(|start| bytes.get(start..)).is_some_and(|rest| rest.starts_with(b"null"));
    bytes.iter().enumerate().any(|(i, &b)| b == b'l' && null_at(i))
}

/// Why an object argument was refused.
pub enum Misfit {
    /// A member (`part`, its path; empty for the whole argument) is wrong,
    /// said as a predicate ("is a symbol, which is not JSON data.") for the
    /// caller to give a subject.
    Shape { part: String, problem: String },
    /// The argument is `bytes` long as JSON, over the `max` the call takes.
    TooLarge { bytes: usize, max: usize },
}

/// A plain-data object argument (options, updates, a query) as JSON text.
/// Unlike values, these are not put through `JSON.stringify`'s rules: a
/// function, symbol or boxed primitive anywhere in them is refused.
#[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "string lengths are whole numbers below 2^32")]
pub fn plain_object(value: &JsValue, max: usize) -> std::result::Result<String, Misfit> {
    let misfit = |problem: String| Misfit::Shape { part: String::new(), problem };
    let kind = describe(value);
    if kind != "an object" {
        return Err(misfit(format!("must be an object, not {kind}.")));
    }
    let answer = plain_json_text(value).map_err(|thrown| misfit(format!("threw while being read: {}", reason(&thrown))))?;
    if let Some(js) = answer.dyn_ref::<JsString>() {
        let units = js.length();
        if units as usize > max {
            return Err(Misfit::TooLarge { bytes: utf8_length(js) as usize, max });
        }
        return Ok(copy_in(js, units));
    }
    let field = |name: &str| js_sys::Reflect::get(&answer, &JsValue::from_str(name)).ok().and_then(|v| v.as_string());
    Err(Misfit::Shape { part: field("part").unwrap_or_default(), problem: field("problem").unwrap_or_default() })
}

impl Misfit {
    /// The error for an object argument named `arg`.
    pub fn into_argument(self, arg: &str) -> Error {
        match self {
            Misfit::Shape { part, problem } if part.is_empty() => invalid(arg, problem),
            Misfit::Shape { part, problem } => invalid(&format!("{arg}.{part}"), problem),
            Misfit::TooLarge { bytes, max } => Error::ArgumentTooLarge { name: arg.to_string(), bytes, max },
        }
    }

    /// The error for a query: the bad part named as the query's own path.
    pub fn into_query_error(self) -> Error {
        match self {
            Misfit::Shape { part, problem } if !part.is_empty() => {
                Error::InvalidQuery { part, problem: format!("it {problem}") }
            }
            whole => whole.into_argument("query"),
        }
    }
}
