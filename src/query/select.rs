//! `select`: projecting a record onto named fields. Paths into the value keep
//! their nesting, so `['key', 'value.age']` gives `{ key, value: { age } }`
//! and a selected member is read back in the row by the same path that
//! selected it. Paths under `value` merge into one tree; a path a record does
//! not have is left out of its row.

use serde_json::{Map, Value as Json};

use super::Stored;
use super::field::{Field, Segment};

/// The selected fields, in the order the caller first named them.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    parts: Vec<Part>,
}

/// One member of a row.
#[derive(Debug, Clone, PartialEq)]
enum Part {
    /// A field outside the value (`key`, `createdAt`, ...).
    Metadata(Field),
    /// The part of the value every `value...` path selects together.
    Value(Pick),
}

/// What to keep of a JSON value. Its depth is that of the longest selected
/// path, which parsing bounds by the deepest value a store holds.
#[derive(Debug, Clone, PartialEq)]
enum Pick {
    /// All of it.
    Whole,
    /// Only these members or elements, each picked further.
    Members(Vec<(Segment, Pick)>),
}

impl Selection {
    /// Merges the selected fields into one projection.
    pub fn new(fields: &[Field]) -> Selection {
        let mut parts: Vec<Part> = Vec::new();
        for field in fields {
            match field {
                Field::Value(path) => {
                    let at = parts.iter().position(|p| matches!(p, Part::Value(_))).unwrap_or_else(|| {
                        parts.push(Part::Value(Pick::Members(Vec::new())));
                        parts.len() - 1
                    });
                    if let Some(Part::Value(pick)) = parts.get_mut(at) {
                        pick.add(path);
                    }
                }
                other if !parts.contains(&Part::Metadata(other.clone())) => parts.push(Part::Metadata(other.clone())),
                _ => {}
            }
        }
        Selection { parts }
    }

    /// True when a row needs the record's value parsed.
    pub fn reads_value(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::Value(_)))
    }

    /// The row for `record`; `value` is its parsed value when
    /// [`Selection::reads_value`].
    pub fn project(&self, record: &Stored<'_>, value: Option<&Json>) -> Json {
        let mut row = Map::new();
        for part in &self.parts {
            let kept = match part {
                Part::Metadata(field) => field.metadata(record).map(|v| (field.name(), v)),
                Part::Value(pick) => value.and_then(|v| pick.keep(v)).map(|v| ("value", v)),
            };
            if let Some((name, kept)) = kept {
                row.insert(name.to_string(), kept);
            }
        }
        Json::Object(row)
    }
}

impl Pick {
    /// Adds one path: a path already covered by a whole subtree adds nothing,
    /// and a path ending here makes this subtree whole.
    fn add(&mut self, path: &[Segment]) {
        let mut node = self;
        for segment in path {
            let Pick::Members(members) = node else { return };
            let at = members.iter().position(|(s, _)| s.name == segment.name).unwrap_or_else(|| {
                members.push((segment.clone(), Pick::Members(Vec::new())));
                members.len() - 1
            });
            let Some((_, child)) = members.get_mut(at) else { return };
            node = child;
        }
        *node = Pick::Whole;
    }

    /// What this pick keeps of `source`; `None` when none of its paths are
    /// there. Selected array elements stay at their positions, with `null`
    /// in the positions not selected, so `items[2]` of the row is `items[2]`
    /// of the value.
    fn keep(&self, source: &Json) -> Option<Json> {
        let Pick::Members(members) = self else { return Some(source.clone()) };
        match source {
            Json::Object(map) => {
                let kept: Map<String, Json> = members
                    .iter()
                    .filter_map(|(segment, pick)| Some((segment.name.clone(), pick.keep(map.get(&segment.name)?)?)))
                    .collect();
                (!kept.is_empty()).then_some(Json::Object(kept))
            }
            Json::Array(items) => {
                let kept: Vec<(usize, Json)> = members
                    .iter()
                    .filter_map(|(segment, pick)| {
                        let at = segment.index?;
                        Some((at, pick.keep(items.get(at)?)?))
                    })
                    .collect();
                let len = kept.iter().map(|(at, _)| at + 1).max()?;
                let mut out = vec![Json::Null; len];
                for (at, element) in kept {
                    if let Some(slot) = out.get_mut(at) {
                        *slot = element;
                    }
                }
                Some(Json::Array(out))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pick(paths: &[&str]) -> Pick {
        let mut pick = Pick::Members(Vec::new());
        for path in paths {
            if let Ok(Field::Value(segments)) = Field::parse(path) {
                pick.add(&segments);
            }
        }
        pick
    }

    #[test]
    fn paths_merge_in_the_order_first_named() {
        let value = json!({"a": 1, "b": {"c": 2, "d": 3}, "e": 4});
        assert_eq!(
            pick(&["value.e", "value.b.d", "value.a"]).keep(&value),
            Some(json!({"e": 4, "b": {"d": 3}, "a": 1}))
        );
    }

    #[test]
    fn a_whole_subtree_covers_its_paths_either_way_round() {
        let value = json!({"b": {"c": 2, "d": 3}});
        assert_eq!(pick(&["value.b.c", "value.b"]).keep(&value), Some(value.clone()));
        assert_eq!(pick(&["value.b", "value.b.c"]).keep(&value), Some(value.clone()));
        assert_eq!(pick(&["value", "value.b.c"]).keep(&value), Some(value.clone()));
    }

    #[test]
    fn absent_paths_are_left_out() {
        let value = json!({"a": {"b": 1}, "n": 5});
        assert_eq!(pick(&["value.a.x", "value.n.y", "value.z"]).keep(&value), None);
        assert_eq!(pick(&["value.a.x", "value.a.b"]).keep(&value), Some(json!({"a": {"b": 1}})));
        assert_eq!(pick(&["value.x"]).keep(&json!(7)), None);
    }

    #[test]
    fn array_elements_keep_their_positions() {
        let value = json!({"items": [{"n": "a", "x": 1}, {"n": "b"}, {"n": "c", "x": 3}]});
        assert_eq!(pick(&["value.items.0.n"]).keep(&value), Some(json!({"items": [{"n": "a"}]})));
        assert_eq!(pick(&["value.items.2.x"]).keep(&value), Some(json!({"items": [null, null, {"x": 3}]})));
        assert_eq!(pick(&["value.items.9", "value.items.n"]).keep(&value), None);
    }
}
