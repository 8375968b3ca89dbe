//! Values built in Rust: any `Serialize` type, held to the rules a value from
//! JavaScript meets (src/wasm/json.js) before serde_json writes its text.
//! serde_json alone would write a NaN as `null` and an integer map key as a
//! string; here both are refused, so what is stored is what was given.
//!
//! A first pass ([`Inspector`]) walks the value without writing anything:
//! it refuses non-finite numbers and non-string map keys with JavaScript's
//! sentences, and nesting deeper than the limit before a deep value can
//! exhaust the stack. A second pass writes the text, keeping no more than
//! the size limit in memory.

use std::fmt;
use std::io;

use serde::ser::{self, Impossible, Serialize};

use crate::error::{Error, Result};
use crate::limits::Limits;

/// The JSON text of `value`, or why it cannot be stored exactly. The text
/// still goes through the checks every stored value passes.
pub(super) fn to_json<T: Serialize + ?Sized>(value: &T, limits: &Limits) -> Result<String> {
    let inspector = Inspector { depth: 0, max_depth: limits.max_depth, place: Place::Top };
    value.serialize(inspector).map_err(|refusal| refusal.0)?;
    let mut out = Bounded { text: Vec::new(), bytes: 0, max: limits.max_value_bytes };
    serde_json::to_writer(&mut out, value).map_err(cannot_write)?;
    if out.bytes > out.max {
        return Err(Error::ValueTooLarge { bytes: out.bytes, max: out.max });
    }
    String::from_utf8(out.text).map_err(cannot_write)
}

fn cannot_write(e: impl fmt::Display) -> Error {
    Error::InvalidValue(format!("it cannot be written as JSON ({e})."))
}

/// Keeps the text while it is within `max` bytes and only counts after, so
/// an oversized value is measured exactly without being held.
struct Bounded {
    text: Vec<u8>,
    bytes: usize,
    max: usize,
}

impl io::Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.bytes = self.bytes.saturating_add(buf.len());
        if self.bytes <= self.max {
            self.text.extend_from_slice(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Why a value was refused, as serde carries it out of a serializer.
#[derive(Debug)]
struct Refusal(Error);

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Refusal {}

impl ser::Error for Refusal {
    /// A `Serialize` implementation that gave up on its own.
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Refusal(cannot_write(msg))
    }
}

/// Where a scalar sits in its parent, for the sentence that refuses it.
#[derive(Clone, Copy)]
enum Place<'a> {
    Top,
    Key(&'a str),
    Index(usize),
}

/// The first pass: writes nothing, refuses what JSON cannot carry exactly.
#[derive(Clone, Copy)]
struct Inspector<'a> {
    /// Arrays and objects around the value being inspected.
    depth: usize,
    max_depth: usize,
    place: Place<'a>,
}

impl<'a> Inspector<'a> {
    /// The inspector one array or object further in.
    fn nested(self) -> Result<Inspector<'a>, Refusal> {
        let depth = self.depth.saturating_add(1);
        if depth > self.max_depth {
            return Err(Refusal(Error::ValueTooDeep { max: self.max_depth }));
        }
        Ok(Inspector { depth, ..self })
    }

    fn at(self, place: Place<'_>) -> Inspector<'_> {
        Inspector { depth: self.depth, max_depth: self.max_depth, place }
    }

    /// Refuses NaN and the infinities as JavaScript's side does
    /// (src/wasm/json.js), naming where the number is.
    fn number(self, n: f64) -> Result<(), Refusal> {
        if n.is_finite() {
            return Ok(());
        }
        let spelled = if n.is_nan() {
            "NaN"
        } else if n > 0.0 {
            "Infinity"
        } else {
            "-Infinity"
        };
        let place = match self.place {
            Place::Top => "at the top level".to_string(),
            Place::Key(key) => format!("under the key {}", quoted(key)),
            Place::Index(i) => format!("under the key \"{i}\""),
        };
        Err(Refusal(Error::InvalidValue(format!(
            "JSON cannot represent it: {spelled} {place} has no JSON form; store null or a string instead."
        ))))
    }

    /// The members of an array or object.
    fn container(self) -> Result<Compound, Refusal> {
        let inside = self.nested()?;
        Ok(Compound { depth: inside.depth, max_depth: self.max_depth, next: 0, key: String::new() })
    }

    /// The members of an enum variant's contents, which serde_json writes
    /// inside an object: `{ "Variant": [...] }` or `{ "Variant": {...} }`.
    fn variant_container(self) -> Result<Compound, Refusal> {
        self.nested()?.container()
    }
}

fn quoted(key: &str) -> String {
    serde_json::to_string(key).unwrap_or_else(|_| format!("{key:?}"))
}

impl<'a> ser::Serializer for Inspector<'a> {
    type Ok = ();
    type Error = Refusal;
    type SerializeSeq = Compound;
    type SerializeTuple = Compound;
    type SerializeTupleStruct = Compound;
    type SerializeTupleVariant = Compound;
    type SerializeMap = Compound;
    type SerializeStruct = Compound;
    type SerializeStructVariant = Compound;

    fn serialize_bool(self, _: bool) -> Result<(), Refusal> {
        Ok(())
    }
    fn serialize_i8(self, _: i8) -> Result<(), Refusal> {
        Ok(())
    }
    fn serialize_i16(self, _: i16) -> Result<(), Refusal> {
        Ok(())
    }
    fn serialize_i32(self, _: i32) -> Result<(), Refusal> {
        Ok(())
    }
    fn serialize_i64(self, _: i64) -> Result<(), Refusal> {
        Ok(())
    }
    fn serialize_i128(self, _: i128) -> Result<(), Refusal> {
        Ok(())
    }
    fn serialize_u8(self, _: u8) -> Result<(), Refusal> {
        Ok(())
    }
    fn serialize_u16(self, _: u16) -> Result<(), Refusal> {
        Ok(())
    }
    fn serialize_u32(self, _: u32) -> Result<(), Refusal> {
        Ok(())
    }
    fn serialize_u64(self, _: u64) -> Result<(), Refusal> {
        Ok(())
    }
    fn serialize_u128(self, _: u128) -> Result<(), Refusal> {
        Ok(())
    }
    fn serialize_f32(self, n: f32) -> Result<(), Refusal> {
        self.number(f64::from(n))
    }
    fn serialize_f64(self, n: f64) -> Result<(), Refusal> {
        self.number(n)
    }
    fn serialize_char(self, _: char) -> Result<(), Refusal> {
        Ok(())
    }
    fn serialize_str(self, _: &str) -> Result<(), Refusal> {
        Ok(())
    }
    /// serde_json writes bytes as an array of numbers.
    fn serialize_bytes(self, _: &[u8]) -> Result<(), Refusal> {
        self.nested().map(drop)
    }
    fn serialize_none(self) -> Result<(), Refusal> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Refusal> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Refusal> {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Refusal> {
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Result<(), Refusal> {
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result<(), Refusal> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Refusal> {
        value.serialize(self.nested()?.at(Place::Key(variant)))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Compound, Refusal> {
        self.container()
    }
    fn serialize_tuple(self, _: usize) -> Result<Compound, Refusal> {
        self.container()
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Compound, Refusal> {
        self.container()
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Compound, Refusal> {
        self.variant_container()
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Compound, Refusal> {
        self.container()
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Compound, Refusal> {
        self.container()
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Compound, Refusal> {
        self.variant_container()
    }
}

/// The members of one array or object being inspected.
struct Compound {
    /// The depth of the members.
    depth: usize,
    max_depth: usize,
    /// The index of the next array element.
    next: usize,
    /// The key of the map member whose value comes next.
    key: String,
}

impl Compound {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Refusal> {
        let at = Inspector { depth: self.depth, max_depth: self.max_depth, place: Place::Index(self.next) };
        self.next = self.next.saturating_add(1);
        value.serialize(at)
    }

    fn member<T: Serialize + ?Sized>(&self, key: &str, value: &T) -> Result<(), Refusal> {
        value.serialize(Inspector { depth: self.depth, max_depth: self.max_depth, place: Place::Key(key) })
    }
}

impl ser::SerializeSeq for Compound {
    type Ok = ();
    type Error = Refusal;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Refusal> {
        self.element(value)
    }
    fn end(self) -> Result<(), Refusal> {
        Ok(())
    }
}

impl ser::SerializeTuple for Compound {
    type Ok = ();
    type Error = Refusal;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Refusal> {
        self.element(value)
    }
    fn end(self) -> Result<(), Refusal> {
        Ok(())
    }
}

impl ser::SerializeTupleStruct for Compound {
    type Ok = ();
    type Error = Refusal;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Refusal> {
        self.element(value)
    }
    fn end(self) -> Result<(), Refusal> {
        Ok(())
    }
}

impl ser::SerializeTupleVariant for Compound {
    type Ok = ();
    type Error = Refusal;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Refusal> {
        self.element(value)
    }
    fn end(self) -> Result<(), Refusal> {
        Ok(())
    }
}

impl ser::SerializeMap for Compound {
    type Ok = ();
    type Error = Refusal;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Refusal> {
        self.key = key.serialize(KeyInspector)?;
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Refusal> {
        self.member(&self.key, value)
    }
    fn end(self) -> Result<(), Refusal> {
        Ok(())
    }
}

impl ser::SerializeStruct for Compound {
    type Ok = ();
    type Error = Refusal;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Refusal> {
        self.member(key, value)
    }
    fn end(self) -> Result<(), Refusal> {
        Ok(())
    }
}

impl ser::SerializeStructVariant for Compound {
    type Ok = ();
    type Error = Refusal;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Refusal> {
        self.member(key, value)
    }
    fn end(self) -> Result<(), Refusal> {
        Ok(())
    }
}

/// Map keys: JSON object keys are strings, and a key that is not one in
/// Rust (an integer, a bool) would come back as a different value, so only
/// strings, chars and unit enum variants (written as their names) pass.
struct KeyInspector;

fn not_a_string(kind: &str) -> Refusal {
    Refusal(Error::InvalidValue(format!(
        "a map key is {kind}, but JSON object keys are strings; use String keys (or convert the map first)."
    )))
}

impl ser::Serializer for KeyInspector {
    type Ok = String;
    type Error = Refusal;
    type SerializeSeq = Impossible<String, Refusal>;
    type SerializeTuple = Impossible<String, Refusal>;
    type SerializeTupleStruct = Impossible<String, Refusal>;
    type SerializeTupleVariant = Impossible<String, Refusal>;
    type SerializeMap = Impossible<String, Refusal>;
    type SerializeStruct = Impossible<String, Refusal>;
    type SerializeStructVariant = Impossible<String, Refusal>;

    fn serialize_str(self, key: &str) -> Result<String, Refusal> {
        Ok(key.to_string())
    }
    fn serialize_char(self, key: char) -> Result<String, Refusal> {
        Ok(key.to_string())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<String, Refusal> {
        Ok(variant.to_string())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, key: &T) -> Result<String, Refusal> {
        key.serialize(self)
    }
    fn serialize_bool(self, _: bool) -> Result<String, Refusal> {
        Err(not_a_string("a bool"))
    }
    fn serialize_i8(self, _: i8) -> Result<String, Refusal> {
        Err(not_a_string("an integer"))
    }
    fn serialize_i16(self, _: i16) -> Result<String, Refusal> {
        Err(not_a_string("an integer"))
    }
    fn serialize_i32(self, _: i32) -> Result<String, Refusal> {
        Err(not_a_string("an integer"))
    }
    fn serialize_i64(self, _: i64) -> Result<String, Refusal> {
        Err(not_a_string("an integer"))
    }
    fn serialize_i128(self, _: i128) -> Result<String, Refusal> {
        Err(not_a_string("an integer"))
    }
    fn serialize_u8(self, _: u8) -> Result<String, Refusal> {
        Err(not_a_string("an integer"))
    }
    fn serialize_u16(self, _: u16) -> Result<String, Refusal> {
        Err(not_a_string("an integer"))
    }
    fn serialize_u32(self, _: u32) -> Result<String, Refusal> {
        Err(not_a_string("an integer"))
    }
    fn serialize_u64(self, _: u64) -> Result<String, Refusal> {
        Err(not_a_string("an integer"))
    }
    fn serialize_u128(self, _: u128) -> Result<String, Refusal> {
        Err(not_a_string("an integer"))
    }
    fn serialize_f32(self, _: f32) -> Result<String, Refusal> {
        Err(not_a_string("a number"))
    }
    fn serialize_f64(self, _: f64) -> Result<String, Refusal> {
        Err(not_a_string("a number"))
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<String, Refusal> {
        Err(not_a_string("bytes"))
    }
    fn serialize_none(self) -> Result<String, Refusal> {
        Err(not_a_string("None"))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<String, Refusal> {
        Err(not_a_string("an Option"))
    }
    fn serialize_unit(self) -> Result<String, Refusal> {
        Err(not_a_string("()"))
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<String, Refusal> {
        Err(not_a_string("a unit struct"))
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<String, Refusal> {
        Err(not_a_string("an enum variant with data"))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Refusal> {
        Err(not_a_string("a sequence"))
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Refusal> {
        Err(not_a_string("a tuple"))
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, Refusal> {
        Err(not_a_string("a tuple struct"))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Refusal> {
        Err(not_a_string("an enum variant with data"))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Refusal> {
        Err(not_a_string("a map"))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Refusal> {
        Err(not_a_string("a struct"))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Refusal> {
        Err(not_a_string("an enum variant with data"))
    }
}
