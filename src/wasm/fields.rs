//! The option objects (`open`'s options and their `limits`, `set`,
//! `delete` and `import` options, the `export` and `watch` selectors,
//! `updateInstance`'s changes), read field by field from the object's JSON.
//! Each field is taken by name and checked for its type, and a field left
//! over is refused: a misspelt option must not be silently ignored. This
//! replaced serde's derived readers, which weighed 2-4 KB of wasm each and
//! whose messages pointed at a line and column of a JSON text the caller
//! never wrote.

use serde_json::{Map, Value as Json};
use wasm_bindgen::JsValue;

use super::args;
use crate::error::{Error, Result};

/// An options object being read.
pub struct Fields {
    /// How errors name it: `options`, `options.limits`, `selector`.
    name: String,
    /// What it must look like, for error sentences.
    shape: &'static str,
    /// The fields not taken yet.
    left: Map<String, Json>,
}

impl Fields {
    /// The object argument `value` named `name`, of at most `max` bytes as
    /// JSON; `None` for `undefined` or `null` (no options).
    pub fn of(value: &JsValue, name: &str, max: usize, shape: &'static str) -> Result<Option<Fields>> {
        if value.is_undefined() || value.is_null() {
            return Ok(None);
        }
        let json = args::plain_object(value, max).map_err(|misfit| misfit.into_argument(name))?;
        Fields::parse(&json, name, shape).map(Some)
    }

    /// An object with no fields, named `name`.
    pub fn empty(name: &str, shape: &'static str) -> Fields {
        Fields { name: name.to_string(), shape, left: Map::new() }
    }

    /// The object written as `json` (which `args::plain_object` made).
    pub fn parse(json: &str, name: &str, shape: &'static str) -> Result<Fields> {
        match serde_json::from_str(json) {
            Ok(Json::Object(left)) => Ok(Fields { name: name.to_string(), shape, left }),
            Ok(_) | Err(_) => Err(Error::InvalidArgument { name: name.to_string(), problem: format!("must be {shape}.") }),
        }
    }

    /// A field as given, `null` included; `None` when it is absent.
    pub fn given(&mut self, field: &str) -> Option<Json> {
        self.left.remove(field)
    }

    /// A string field; `None` when it is absent or `null`.
    pub fn text(&mut self, field: &str) -> Result<Option<String>> {
        match self.given(field) {
            None | Some(Json::Null) => Ok(None),
            Some(Json::String(text)) => Ok(Some(text)),
            Some(other) => Err(self.wrong(field, &other, "a string")),
        }
    }

    /// A whole number of at least 0; `None` when it is absent or `null`.
    pub fn count(&mut self, field: &str) -> Result<Option<usize>> {
        match self.given(field) {
            None | Some(Json::Null) => Ok(None),
            Some(n) => match n.as_u64().and_then(|n| usize::try_from(n).ok()) {
                Some(count) => Ok(Some(count)),
                None => Err(self.wrong(field, &n, "a whole number")),
            },
        }
    }

    /// An object field, to be read the same way; `None` when it is absent
    /// (`null` is refused: a group of options is given as an object or
    /// left out).
    pub fn object(&mut self, field: &str, shape: &'static str) -> Result<Option<Fields>> {
        let name = format!("{}.{field}", self.name);
        match self.given(field) {
            None => Ok(None),
            Some(Json::Object(left)) => Ok(Some(Fields { name, shape, left })),
            Some(other) => Err(self.wrong(field, &other, "an object")),
        }
    }

    /// A string field that must name one of `choices`; the value it names,
    /// or `None` when it is absent or `null`.
    pub fn choice<T: Copy>(&mut self, field: &str, choices: &[(&str, T)]) -> Result<Option<T>> {
        let Some(text) = self.text(field)? else { return Ok(None) };
        match choices.iter().find(|(name, _)| *name == text) {
            Some((_, value)) => Ok(Some(*value)),
            None => Err(self.not_one_of(field, text, &choices.iter().map(|(name, _)| *name).collect::<Vec<_>>())),
        }
    }

    /// The error for a `choice` given as `text`, which names none of `names`.
    fn not_one_of(&self, field: &str, text: String, names: &[&str]) -> Error {
        let quoted: Vec<String> = names.iter().map(|name| format!("'{name}'")).collect();
        self.wrong(field, &Json::String(text), &format!("one of {}", quoted.join(", ")))
    }

    /// Ends the reading: a field not taken is refused, with the shape the
    /// object must have.
    pub fn done(self) -> Result<()> {
        match self.left.keys().next() {
            None => Ok(()),
            Some(unknown) => Err(Error::InvalidArgument {
                name: self.name.clone(),
                problem: format!("must be {} (unknown field `{unknown}`).", self.shape),
            }),
        }
    }

    /// The error for `field`, given as `got`, which must be `expected`.
    pub fn wrong(&self, field: &str, got: &Json, expected: &str) -> Error {
        Error::InvalidArgument { name: format!("{}.{field}", self.name), problem: format!("must be {expected}, not {got}.") }
    }
}
