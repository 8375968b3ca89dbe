//! Reading JSON documents of a known shape (the stored documents, the
//! export's lines, the tabs' notes) member by member, by hand. serde's typed
//! decoding would be shorter, but every type it decodes from serde_json
//! links serde's "invalid type" sentences, and with them Rust's float
//! formatting, into the wasm build; reading by hand keeps both out. Values
//! within a document are kept as their exact text, checked by serde_json's
//! grammar, as a stored value is.

use std::borrow::Cow;

use serde::de::IgnoredAny;
use serde_json::Value as Json;

/// Why text is not the document asked for: what was expected, and at which
/// byte.
pub type Result<T> = std::result::Result<T, String>;

/// A position in a JSON text, moving forward as its parts are read.
pub struct Reader<'t> {
    text: &'t str,
    at: usize,
}

impl<'t> Reader<'t> {
    /// A reader at the start of `text`.
    pub fn new(text: &'t str) -> Reader<'t> {
        Reader { text, at: 0 }
    }

    /// Reads a whole document with `read`, then checks that only whitespace
    /// follows it.
    pub fn document<T>(text: &'t str, read: impl FnOnce(&mut Reader<'t>) -> Result<T>) -> Result<T> {
        let mut reader = Reader::new(text);
        let done = read(&mut reader)?;
        reader.skip_space();
        match reader.peek() {
            None => Ok(done),
            Some(_) => Err(reader.expected("the end of the text")),
        }
    }

    /// An object: `member` is called with each member's name and must read
    /// its value. A name given twice is refused, as it would be ambiguous.
    pub fn object(&mut self, mut member: impl FnMut(&str, &mut Reader<'t>) -> Result<()>) -> Result<()> {
        self.open(b'{', "an object")?;
        let mut seen: Vec<Cow<'t, str>> = Vec::new();
        if self.close(b'}') {
            return Ok(());
        }
        loop {
            let name = self.string()?;
            if seen.contains(&name) {
                return Err(format!("the member {name:?} is given twice (byte {})", self.at));
            }
            self.skip_space();
            self.open(b':', "a colon")?;
            member(&name, self)?;
            seen.push(name);
            if !self.next_or_close(b'}')? {
                return Ok(());
            }
        }
    }

    /// An object of exactly one member, as serde writes an enum variant
    /// that carries data (`{"<tag>":<data>}`): `read` is called with the
    /// tag and must read the data.
    pub fn tagged<T>(&mut self, mut read: impl FnMut(&str, &mut Reader<'t>) -> Result<T>) -> Result<T> {
        let mut found = None;
        self.object(|tag, r| {
            if found.is_some() {
                return Err(format!("{tag:?} is a second member where one tag was expected"));
            }
            found = Some(read(tag, r)?);
            Ok(())
        })?;
        found.ok_or_else(|| "an empty object where one tag was expected".to_string())
    }

    /// An array: `element` is called for each element and must read it.
    pub fn array(&mut self, mut element: impl FnMut(&mut Reader<'t>) -> Result<()>) -> Result<()> {
        self.open(b'[', "an array")?;
        if self.close(b']') {
            return Ok(());
        }
        loop {
            element(self)?;
            if !self.next_or_close(b']')? {
                return Ok(());
            }
        }
    }

    /// A string, unescaped: borrowed from the text when it holds no escape.
    pub fn string(&mut self) -> Result<Cow<'t, str>> {
        self.skip_space();
        let start = self.at;
        if self.peek() != Some(b'"') {
            return Err(self.expected("a string"));
        }
        let bytes = self.text.as_bytes();
        let mut i = start.saturating_add(1);
        let mut escaped = false;
        loop {
            match bytes.get(i) {
                None => return Err(self.expected("a closing quote")),
                Some(b'"') => break,
                Some(b'\\') => {
                    escaped = true;
                    i = i.saturating_add(2);
                }
                Some(&b) if b < 0x20 => return Err(format!("a control character is not escaped in a string (byte {i})")),
                Some(_) => i = i.saturating_add(1),
            }
        }
        let end = i.saturating_add(1);
        let quoted = self.text.get(start..end).ok_or_else(|| self.expected("a string"))?;
        self.at = end;
        if !escaped {
            let inside = quoted.strip_prefix('"').and_then(|q| q.strip_suffix('"'));
            return inside.map(Cow::Borrowed).ok_or_else(|| self.expected("a string"));
        }
        // Escapes are rare in the store's own documents: serde_json reads them.
        match serde_json::from_str::<Json>(quoted) {
            Ok(Json::String(text)) => Ok(Cow::Owned(text)),
            _ => Err(format!("the string at byte {start} has an escape JSON does not allow")),
        }
    }

    /// A whole number written as JSON writes one (no fraction, exponent,
    /// sign `+` or leading zero), within `i64`.
    pub fn integer(&mut self) -> Result<i64> {
        let digits = self.whole()?;
        digits.parse().map_err(|_| format!("{digits} is outside the whole numbers the store writes"))
    }

    /// A whole number from 0 up, as [`Reader::integer`] reads it, within `u64`.
    pub fn count(&mut self) -> Result<u64> {
        let digits = self.whole()?;
        digits.parse().map_err(|_| format!("{digits} is not a count from 0 up that the store writes"))
    }

    /// The text of a number written without fraction or exponent.
    fn whole(&mut self) -> Result<&'t str> {
        let digits = self.number()?;
        if digits.bytes().any(|b| matches!(b, b'.' | b'e' | b'E')) {
            return Err(format!("{digits} is not a whole number"));
        }
        Ok(digits)
    }

    /// A number's text, exactly as written and checked by JSON's grammar.
    pub fn number(&mut self) -> Result<&'t str> {
        self.skip_space();
        match self.peek() {
            Some(b'-' | b'0'..=b'9') => self.raw(),
            _ => Err(self.expected("a number")),
        }
    }

    /// Whether the next value is `null`, which is then read.
    pub fn null(&mut self) -> bool {
        self.skip_space();
        let found = self.text.get(self.at..).is_some_and(|rest| rest.starts_with("null"));
        if found {
            self.at = self.at.saturating_add(4);
        }
        found
    }

    /// Any JSON value, as its exact text, checked by serde_json's grammar.
    pub fn raw(&mut self) -> Result<&'t str> {
        self.skip_space();
        let rest = self.text.get(self.at..).unwrap_or_default();
        let mut values = serde_json::Deserializer::from_str(rest).into_iter::<IgnoredAny>();
        match values.next() {
            Some(Ok(_)) => {
                let end = values.byte_offset();
                let value = rest.get(..end).ok_or_else(|| self.expected("a JSON value"))?;
                self.at = self.at.saturating_add(end);
                Ok(value)
            }
            Some(Err(e)) => Err(format!("{e} (from byte {})", self.at)),
            None => Err(self.expected("a JSON value")),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at = self.at.saturating_add(1);
        }
    }

    fn open(&mut self, byte: u8, what: &str) -> Result<()> {
        self.skip_space();
        if self.peek() != Some(byte) {
            return Err(self.expected(what));
        }
        self.at = self.at.saturating_add(1);
        Ok(())
    }

    /// Reads `closing` when it comes next.
    fn close(&mut self, closing: u8) -> bool {
        self.skip_space();
        let found = self.peek() == Some(closing);
        if found {
            self.at = self.at.saturating_add(1);
        }
        found
    }

    /// After a member or element: `true` for a comma (another follows),
    /// `false` for `closing`.
    fn next_or_close(&mut self, closing: u8) -> Result<bool> {
        if self.close(closing) {
            return Ok(false);
        }
        self.open(b',', if closing == b'}' { "a comma or }" } else { "a comma or ]" })?;
        Ok(true)
    }

    fn expected(&self, what: &str) -> String {
        format!("expected {what} at byte {}", self.at)
    }
}

/// A member the shape requires, or why the document lacks it.
pub fn required<T>(slot: Option<T>, name: &str) -> Result<T> {
    slot.ok_or_else(|| format!("the member {name:?} is missing"))
}

/// The error for a member the shape does not have.
pub fn unknown(name: &str) -> String {
    format!("the member {name:?} is not one this document has")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Default)]
    struct Doc {
        name: String,
        at: i64,
        n: u64,
        value: String,
        note: Option<String>,
        list: Vec<String>,
    }

    fn read(text: &str) -> Result<Doc> {
        Reader::document(text, |r| {
            let mut doc = Doc::default();
            r.object(|name, r| {
                match name {
                    "name" => doc.name = r.string()?.into_owned(),
                    "at" => doc.at = r.integer()?,
                    "n" => doc.n = r.count()?,
                    "value" => doc.value = r.raw()?.to_string(),
                    "note" => doc.note = if r.null() { None } else { Some(r.string()?.into_owned()) },
                    "list" => r.array(|r| r.string().map(|s| doc.list.push(s.into_owned())))?,
                    other => return Err(unknown(other)),
                }
                Ok(())
            })?;
            Ok(doc)
        })
    }

    #[test]
    fn reads_members_strings_numbers_and_raw_values_exactly() {
        let doc = read(r#" { "name" : "a\"b\u00e9😀", "at":-12, "n":0, "value": {"x":[1.50,-0e3,"}"]} , "note":null, "list":["p","q"] } "#);
        let expected = Doc { name: "a\"bé😀".into(), at: -12, n: 0, value: r#"{"x":[1.50,-0e3,"}"]}"#.into(), note: None, list: vec!["p".into(), "q".into()] };
        assert_eq!(doc, Ok(expected));
        assert_eq!(read(r#"{"note":"n","list":[]}"#).map(|d| (d.note, d.list.len())), Ok((Some("n".into()), 0)));
        assert_eq!(read("{}"), Ok(Doc::default()));
        assert_eq!(read(r#"{"at":-9223372036854775808,"n":18446744073709551615}"#).map(|d| (d.at, d.n)), Ok((i64::MIN, u64::MAX)));
        assert_eq!(read(r#"{"value":7}"#).map(|d| d.value), Ok("7".into()));
    }

    #[test]
    fn refuses_what_json_or_the_shape_does_not_allow() {
        for bad in [
            "",
            "[]",
            "{",
            r#"{"name":"a""#,
            r#"{"name":"a",}"#,
            r#"{"name":"a"} x"#,
            r#"{"name":"a","name":"b"}"#,
            r#"{"other":1}"#,
            r#"{"at":1.0}"#,
            r#"{"at":1e3}"#,
            r#"{"at":+1}"#,
            r#"{"at":01}"#,
            r#"{"at":-}"#,
            r#"{"at":99999999999999999999}"#,
            r#"{"at":9223372036854775808}"#,
            r#"{"n":-1}"#,
            r#"{"n":-0}"#,
            r#"{"n":18446744073709551616}"#,
            r#"{"name":"\x"}"#,
            "{\"name\":\"tab\there\"}",
            r#"{"value":[1,}"#,
            r#"{"value":NaN}"#,
            r#"{"value":1.}"#,
            r#"{"note":nul}"#,
            r#"{"list":["a" "b"]}"#,
        ] {
            assert!(read(bad).is_err(), "{bad}");
        }
    }
}
