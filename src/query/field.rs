//! Field names as a query spells them (`key`, `createdAt`, `value.user.name`)
//! and reading a field from a record. A record's metadata fields are always
//! present; a path into the value may not be.

use serde_json::Value as Json;

use super::Stored;
use crate::limits::DEPTH_CEILING;

/// A field of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    Id,
    InstanceId,
    Key,
    Namespace,
    CreatedAt,
    UpdatedAt,
    /// The value (empty path) or a member nested in it.
    Value(Vec<Segment>),
}

/// One step of a dot path: an object member, or, when the step is a decimal
/// integer, also an array element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// The member name as written.
    pub name: String,
    /// The array position, when `name` is a canonical decimal integer.
    pub index: Option<usize>,
}

/// The fields outside the value, with their names in the DSL.
const METADATA: [(&str, Field); 6] = [
    ("id", Field::Id),
    ("instanceId", Field::InstanceId),
    ("key", Field::Key),
    ("namespace", Field::Namespace),
    ("createdAt", Field::CreatedAt),
    ("updatedAt", Field::UpdatedAt),
];

impl Field {
    /// Parses a field name; the error is the problem, for the caller to place.
    pub fn parse(name: &str) -> Result<Field, String> {
        if let Some((_, field)) = METADATA.iter().find(|(known, _)| *known == name) {
            return Ok(field.clone());
        }
        if name == "value" {
            return Ok(Field::Value(Vec::new()));
        }
        match name.strip_prefix("value.") {
            Some(path) => parse_path(path).map(Field::Value),
            None => Err(unknown(name)),
        }
    }

    /// The field's name in a projection (`value` for every path into it).
    pub fn name(&self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::InstanceId => "instanceId",
            Field::Key => "key",
            Field::Namespace => "namespace",
            Field::CreatedAt => "createdAt",
            Field::UpdatedAt => "updatedAt",
            Field::Value(_) => "value",
        }
    }

    /// The field as the DSL spells it: `key`, `value`, `value.user.name`.
    /// Segments hold no dots, so the spelling names one field only.
    pub fn spelling(&self) -> String {
        match self {
            Field::Value(path) => path.iter().fold(String::from("value"), |mut spelling, segment| {
                spelling.push('.');
                spelling.push_str(&segment.name);
                spelling
            }),
            metadata => metadata.name().to_string(),
        }
    }

    /// True when reading the field needs the record's value parsed.
    pub fn reads_value(&self) -> bool {
        matches!(self, Field::Value(_))
    }

    /// The field of `record` when it is one of its metadata; `None` for a
    /// path into the value, which is read from the value's text instead
    /// (`pluck`).
    pub(crate) fn metadata(&self, record: &Stored<'_>) -> Option<Json> {
        let text = |s: String| Some(Json::String(s));
        match self {
            Field::Id => text(record.entry.id.to_string()),
            Field::InstanceId => text(record.instance_id.to_string()),
            Field::Key => text(record.key.to_string()),
            Field::Namespace => text(record.namespace.to_string()),
            Field::CreatedAt => text(record.entry.created_at.to_string()),
            Field::UpdatedAt => text(record.entry.updated_at.to_string()),
            Field::Value(_) => None,
        }
    }
}

impl Segment {
    /// The member or element this step reaches from `node`, if any.
    pub fn step<'v>(&self, node: &'v Json) -> Option<&'v Json> {
        match node {
            Json::Object(members) => members.get(&self.name),
            Json::Array(items) => items.get(self.index?),
            _ => None,
        }
    }
}

/// Follows a path from `value`; `None` as soon as a step finds nothing.
pub fn walk<'v>(value: &'v Json, path: &[Segment]) -> Option<&'v Json> {
    path.iter().try_fold(value, |node, segment| segment.step(node))
}

/// The segments of the part after `value.`. A path longer than the deepest
/// value a store can hold could never reach anything, so it is refused, which
/// also bounds the recursion of projection.
fn parse_path(path: &str) -> Result<Vec<Segment>, String> {
    let segments: Vec<Segment> = path.split('.').map(segment).collect();
    if segments.iter().any(|s| s.name.is_empty()) {
        return Err(format!(
            "the path \"value.{path}\" has an empty segment; write members separated by single dots, as in value.user.name."
        ));
    }
    if segments.len() > DEPTH_CEILING {
        return Err(format!(
            "the path goes {} levels into the value, but values nest at most {DEPTH_CEILING} levels; shorten it.",
            segments.len()
        ));
    }
    Ok(segments)
}

/// One segment; `0`, `7`, `12` (not `07` or `+1`) also index arrays, as
/// JavaScript's `items["0"]` does.
fn segment(name: &str) -> Segment {
    let canonical = name.bytes().all(|b| b.is_ascii_digit()) && (name == "0" || !name.starts_with('0'));
    let index = if canonical { name.parse().ok() } else { None };
    Segment { name: name.to_string(), index }
}

/// The problem with a name that is no field, with the likely intended path.
fn unknown(name: &str) -> String {
    let hint = if name.is_empty() || name.starts_with("value") {
        String::new()
    } else {
        format!(" (for a member of the value, write value.{name})")
    };
    format!(
        "unknown field {name:?}{hint}; use id, instanceId, key, namespace, createdAt, updatedAt, value, or a path into the value such as value.user.name."
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn path(names: &[&str]) -> Field {
        Field::Value(names.iter().map(|n| segment(n)).collect())
    }

    #[test]
    fn metadata_names_and_value_paths_parse() {
        assert_eq!(Field::parse("key"), Ok(Field::Key));
        assert_eq!(Field::parse("instanceId"), Ok(Field::InstanceId));
        assert_eq!(Field::parse("value"), Ok(Field::Value(Vec::new())));
        assert_eq!(Field::parse("value.user.name"), Ok(path(&["user", "name"])));
    }

    #[test]
    fn a_parsed_field_spells_itself_as_written() {
        for name in ["id", "instanceId", "key", "namespace", "createdAt", "updatedAt", "value", "value.a", "value.items.0.name"] {
            assert_eq!(Field::parse(name).map(|f| f.spelling()), Ok(name.to_string()));
        }
    }

    #[test]
    fn only_canonical_integers_index_arrays() {
        assert_eq!(segment("0").index, Some(0));
        assert_eq!(segment("12").index, Some(12));
        assert_eq!(segment("07").index, None);
        assert_eq!(segment("-1").index, None);
        assert_eq!(segment("1e2").index, None);
        assert_eq!(segment("99999999999999999999999").index, None);
    }

    #[test]
    fn other_names_are_refused_with_a_hint() {
        let problem = Field::parse("age").err().unwrap_or_default();
        assert!(problem.contains("unknown field \"age\" (for a member of the value, write value.age)"), "{problem}");
        assert!(Field::parse("Key").is_err());
        assert!(Field::parse("values").is_err());
        assert!(Field::parse("").is_err());
        assert!(Field::parse("value.").err().unwrap_or_default().contains("empty segment"));
        assert!(Field::parse("value.a..b").is_err());
    }

    #[test]
    fn paths_deeper_than_any_value_are_refused() {
        let at_ceiling = format!("value{}", ".a".repeat(DEPTH_CEILING));
        let beyond = format!("value{}", ".a".repeat(DEPTH_CEILING + 1));
        assert!(Field::parse(&at_ceiling).is_ok());
        assert!(Field::parse(&beyond).err().unwrap_or_default().contains("at most 128 levels"));
    }

    #[test]
    fn walking_reaches_members_and_elements_only() {
        let value = json!({"items": [{"name": "a"}], "n": 5, "0": "zero"});
        let reach = |names: &[&str]| match path(names) {
            Field::Value(p) => walk(&value, &p).cloned(),
            _ => None,
        };
        assert_eq!(reach(&["items", "0", "name"]), Some(json!("a")));
        assert_eq!(reach(&["items", "1"]), None);
        assert_eq!(reach(&["items", "name"]), None);
        assert_eq!(reach(&["n", "x"]), None);
        assert_eq!(reach(&["0"]), Some(json!("zero")));
        assert_eq!(reach(&[]), Some(value.clone()));
    }
}
