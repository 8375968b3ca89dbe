//! Reading the fields a query needs out of a value's JSON text in one pass,
//! without building the rest of the value: members and elements on no path
//! are skipped as the parser meets them, so a query on `value.group` over
//! 1 KB values allocates one small JSON value per record rather than a tree
//! of the whole record (see `eval`).

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Value as Json;

use super::field::{walk, Segment};

/// The JSON each of `paths` reaches in `text`, by position; `None` where
/// the value has nothing there. Text that is not JSON (only damaged storage
/// holds such a value) has nothing anywhere.
pub fn pluck(text: &str, paths: &[&[Segment]]) -> Vec<Option<Json>> {
    count_read();
    let mut found = vec![None; paths.len()];
    let wanted = paths.iter().copied().enumerate().collect();
    let mut parser = serde_json::Deserializer::from_str(text);
    // A damaged value leaves what was found before the damage: discard it.
    let read = Seek { wanted, found: &mut found }.deserialize(&mut parser);
    if read.is_err() {
        found.iter_mut().for_each(|slot| *slot = None);
    }
    found
}

/// Tests count the times a value's text is read (by a query, or to index
/// it), to check that a query reads only the values it needs, once each.
pub fn count_read() {
    #[cfg(test)]
    READ.with(|count| count.set(count.get() + 1));
}

#[cfg(test)]
thread_local! {
    /// How many values this thread has read for queries.
    pub(crate) static READ: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The paths still to follow below the node being read, each with its
/// position among the query's paths.
type Wanted<'p> = Vec<(usize, &'p [Segment])>;

/// Reads one node: whole, when a path ends here; else only the members or
/// elements some path goes on through.
struct Seek<'f, 'p> {
    wanted: Wanted<'p>,
    found: &'f mut [Option<Json>],
}

impl<'de> DeserializeSeed<'de> for Seek<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        if self.wanted.iter().any(|(_, rest)| rest.is_empty()) {
            // A path ends here: the node is built whole, and the paths that
            // go on below it are walked in it.
            let node = Json::deserialize(deserializer)?;
            for (at, rest) in self.wanted {
                if let Some(slot) = self.found.get_mut(at) {
                    *slot = walk(&node, rest).cloned();
                }
            }
            return Ok(());
        }
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seek<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    // A scalar has no members: the paths through it reach nothing.
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut members: A) -> Result<(), A::Error> {
        let Seek { wanted, found } = self;
        while let Some(next) = members.next_key_seed(Member(&wanted))? {
            if next.is_empty() {
                members.next_value::<IgnoredAny>()?;
            } else {
                members.next_value_seed(Seek { wanted: next, found: &mut *found })?;
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut elements: A) -> Result<(), A::Error> {
        let Seek { wanted, found } = self;
        for position in 0usize.. {
            let next: Wanted<'_> = wanted
                .iter()
                .filter_map(|(at, path)| match path.split_first() {
                    Some((first, rest)) if first.index == Some(position) => Some((*at, rest)),
                    _ => None,
                })
                .collect();
            let more = if next.is_empty() {
                elements.next_element::<IgnoredAny>()?.is_some()
            } else {
                elements.next_element_seed(Seek { wanted: next, found: &mut *found })?.is_some()
            };
            if !more {
                break;
            }
        }
        Ok(())
    }
}

/// Reads a member's name and answers the paths that go on through it.
struct Member<'w, 'p>(&'w Wanted<'p>);

impl<'de, 'p> DeserializeSeed<'de> for Member<'_, 'p> {
    type Value = Wanted<'p>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Wanted<'p>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'p> Visitor<'_> for Member<'_, 'p> {
    type Value = Wanted<'p>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E>(self, name: &str) -> Result<Wanted<'p>, E> {
        let through = self.0.iter().filter_map(|(at, path)| match path.split_first() {
            Some((first, rest)) if first.name == name => Some((*at, rest)),
            _ => None,
        });
        Ok(through.collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::field::Field;
    use serde_json::json;

    fn path(spelling: &str) -> Vec<Segment> {
        match Field::parse(spelling) {
            Ok(Field::Value(path)) => path,
            _ => Vec::new(),
        }
    }

    #[test]
    fn plucks_what_a_full_parse_and_walk_would_find() {
        let value = json!({"a": {"b": [10, {"c": "x"}], "d": null}, "e": [1, 2, 3], "0": "zero", "s": "text", "n": 1.5e300});
        let text = value.to_string();
        let spellings = ["value", "value.a", "value.a.b.1.c", "value.a.b.0", "value.a.d", "value.e.2", "value.e.3", "value.0", "value.s.0", "value.n", "value.missing", "value.a.b.c"];
        let paths: Vec<Vec<Segment>> = spellings.iter().map(|s| path(s)).collect();
        let asked: Vec<&[Segment]> = paths.iter().map(Vec::as_slice).collect();
        let expected: Vec<Option<Json>> = paths.iter().map(|p| walk(&value, p).cloned()).collect();
        assert_eq!(pluck(&text, &asked), expected);
        assert_eq!(expected[2], Some(json!("x")));
        assert_eq!(expected[10], None);
    }

    #[test]
    fn one_path_inside_another_is_read_from_the_node_built_whole() {
        let text = r#"{"user":{"name":"ada","tags":["a","b"]},"other":{"big":[1,2,3]}}"#;
        let (user, tags) = (path("value.user"), path("value.user.tags.1"));
        assert_eq!(pluck(text, &[&tags, &user]), [Some(json!("b")), Some(json!({"name": "ada", "tags": ["a", "b"]}))]);
    }

    #[test]
    fn member_names_with_escapes_and_scalars_at_the_root_read_as_a_full_parse_does() {
        let text = r#"{"a\"b":1,"\u00e9":2}"#;
        assert_eq!(pluck(text, &[&path("value.a\"b"), &path("value.é")]), [Some(json!(1)), Some(json!(2))]);
        assert_eq!(pluck("42", &[&path("value.a"), &path("value")]), [None, Some(json!(42))]);
        assert_eq!(pluck("{\"a\":", &[&path("value.a")]), [None], "damaged text has nothing");
    }
}
