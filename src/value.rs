//! Stored values: JSON text, validated once on the way in and then kept as
//! is, so a read hands back exactly the text that was written and the store
//! spends no memory on a parsed tree. Queries parse a value when they need it.

mod from_rust;

use std::fmt;
use std::rc::Rc;

use serde::Serialize;
use serde::de::{DeserializeOwned, IgnoredAny};

use crate::error::{Error, Result};
use crate::limits::Limits;

/// A JSON value as stored: well-formed, within the limits, and free of lone
/// UTF-16 surrogates (which could not come back out unchanged). Shared, not
/// copied, between the index, the pending batch and the caller's answer.
#[derive(Debug, Clone)]
pub struct Value(Rc<str>);

impl Value {
    /// Validates JSON text (as `JSON.stringify` makes it) and takes it,
    /// without the whitespace around it. The grammar is checked by skipping
    /// the text with serde_json rather than reading it into a `RawValue`,
    /// whose decoding would link serde's typed-decoding errors (and float
    /// formatting with them) into the wasm build (`src/json_read.rs`).
    pub fn from_json(text: String, limits: &Limits) -> Result<Value> {
        check(&text, limits)?;
        serde_json::from_str::<IgnoredAny>(&text).map_err(|e| Error::InvalidValue(format!("it is not valid JSON ({e}).")))?;
        let trimmed = text.trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r'));
        Ok(Value(if trimmed.len() == text.len() { text.into() } else { trimmed.into() }))
    }

    /// Takes a value that a JSON parser has already read as part of a
    /// larger document, so only the checks beyond the grammar are left.
    pub fn from_raw(raw: &str, limits: &Limits) -> Result<Value> {
        check(raw, limits)?;
        Ok(Value(raw.into()))
    }

    /// Takes a value built in Rust, of any type serde can write, on the
    /// rules JavaScript values meet: a non-finite float or a map key that is
    /// not a string is refused, never written as something else.
    pub fn from_serde<T: Serialize + ?Sized>(value: &T, limits: &Limits) -> Result<Value> {
        Value::from_json(from_rust::to_json(value, limits)?, limits)
    }

    /// The value as a Rust type; [`Error::WrongType`], naming `T`, when it
    /// does not deserialise into one.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_str(&self.0)
            .map_err(|e| Error::WrongType { type_name: std::any::type_name::<T>(), problem: e.to_string() })
    }

    /// The stored JSON text.
    pub fn json(&self) -> &str {
        &self.0
    }

    /// The value as a tree, for queries and for Rust callers.
    pub fn parse(&self) -> serde_json::Value {
        // Validated on the way in, so parsing cannot fail; `Null` keeps the
        // signature total without a panic path.
        serde_json::from_str(&self.0).unwrap_or(serde_json::Value::Null)
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        self.json() == other.json()
    }
}

/// The JSON text, as stored.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.json())
    }
}

/// Written exactly as stored by serde_json (as a `RawValue`), for Rust
/// callers that serialise records (Cargo.toml's `serialize` feature).
#[cfg(feature = "serialize")]
impl serde::Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let raw = serde_json::value::RawValue::from_string(self.json().to_owned());
        raw.map_err(serde::ser::Error::custom)?.serialize(serializer)
    }
}

/// The checks a stored value passes besides the JSON grammar: size, depth
/// and surrogates.
fn check(text: &str, limits: &Limits) -> Result<()> {
    if text.len() > limits.max_value_bytes {
        return Err(Error::ValueTooLarge { bytes: text.len(), max: limits.max_value_bytes });
    }
    scan(text, limits.max_depth)
}

/// One pass over the text outside the JSON grammar check: refuses nesting
/// deeper than `max_depth` before a recursive parser ever sees it, and
/// escaped surrogates that do not form a pair.
fn scan(text: &str, max_depth: usize) -> Result<()> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut i = 0usize;
    while let Some(&b) = bytes.get(i) {
        i += 1;
        if in_string {
            match b {
                b'"' => in_string = false,
                b'\\' => {
                    if bytes.get(i) == Some(&b'u') {
                        let unit = hex4(bytes, i + 1);
                        i += 5;
                        match unit {
                            Some(0xD800..=0xDBFF) => {
                                let low = if bytes.get(i..i + 2) == Some(b"\\u") {
                                    hex4(bytes, i + 2)
                                } else {
                                    None
                                };
                                if !matches!(low, Some(0xDC00..=0xDFFF)) {
                                    return Err(lone_surrogate());
                                }
                                i += 6;
                            }
                            Some(0xDC00..=0xDFFF) => return Err(lone_surrogate()),
                            _ => {}
                        }
                    } else {
                        i += 1;
                    }
                }
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max_depth {
                    return Err(Error::ValueTooDeep { max: max_depth });
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

fn hex4(bytes: &[u8], at: usize) -> Option<u32> {
    let digits = bytes.get(at..at + 4)?;
    let text = std::str::from_utf8(digits).ok()?;
    u32::from_str_radix(text, 16).ok()
}

fn lone_surrogate() -> Error {
    Error::InvalidValue(
        "it contains a lone UTF-16 surrogate, which cannot be stored exactly; pair it or remove it."
            .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn take(text: &str) -> Result<Value> {
        Value::from_json(text.to_string(), &Limits::default())
    }

    #[test]
    fn keeps_the_text_exactly() {
        for text in ["null", "true", "-1.5e-7", "\"dark\"", r#"{"__proto__":{"x":1},"b":[1,{"c":null}]}"#] {
            assert_eq!(take(text).map(|v| v.json().to_string()), Ok(text.to_string()));
        }
    }

    #[test]
    fn refuses_text_that_is_not_json() {
        for text in ["", "undefined", "NaN", "{a:1}", "[1,]", "\"open"] {
            assert!(matches!(take(text), Err(Error::InvalidValue(_))), "{text}");
        }
    }

    #[test]
    fn surrogates_must_come_in_pairs() {
        assert!(take(r#""\ud83d\ude00""#).is_ok());
        assert!(take(r#""\\ud800""#).is_ok(), "an escaped backslash is not an escape");
        for text in [r#""\ud800""#, r#""\udc00""#, r#""\ud800x""#, r#"{"\ud800":1}"#, r#""\ud800\u0041""#] {
            assert!(matches!(take(text), Err(Error::InvalidValue(_))), "{text}");
        }
    }

    #[test]
    fn depth_at_the_limit_passes_and_one_more_fails() {
        let limits = Limits { max_depth: 3, ..Limits::default() };
        let ok = "[[[1]]]".to_string();
        let deep = "[[[[1]]]]".to_string();
        assert!(Value::from_json(ok, &limits).is_ok());
        assert_eq!(Value::from_json(deep, &limits).map(|_| ()), Err(Error::ValueTooDeep { max: 3 }));
        let brackets_in_strings = r#"["[[[[[["]"#.to_string();
        assert!(Value::from_json(brackets_in_strings, &limits).is_ok());
    }

    #[test]
    fn size_at_the_limit_passes_and_one_byte_more_fails() {
        let limits = Limits { max_value_bytes: 10, ..Limits::default() };
        assert!(Value::from_json("\"12345678\"".to_string(), &limits).is_ok());
        assert_eq!(
            Value::from_json("\"123456789\"".to_string(), &limits).map(|_| ()),
            Err(Error::ValueTooLarge { bytes: 11, max: 10 })
        );
    }

    #[test]
    fn values_from_rust_round_trip() {
        let tree = serde_json::json!({"b": 1, "a": [true, null, "x"]});
        let value = Value::from_serde(&tree, &Limits::default()).map(|v| v.parse());
        assert_eq!(value, Ok(tree));
    }
}
