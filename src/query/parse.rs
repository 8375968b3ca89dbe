//! From the caller's JSON to a [`Query`]. Every mistake is reported with the
//! part that holds it, spelled as the caller wrote it (`where[1].operator`,
//! `order[0].direction`, `from.instance`), and a sentence saying what to
//! write instead, because that sentence is all a JavaScript caller sees.

use serde_json::{Map, Value as Json};

use super::cursor::{self, Position};
use super::field::Field;
use super::select::Selection;
use super::{Bound, Condition, DEFAULT_LIMIT, OrderKey, Query, Start, Test};
use crate::error::{Error, Result};
use crate::limits::DEPTH_CEILING;

/// The largest integer JavaScript holds exactly; larger limits and offsets
/// are taken as this, which no store comes near.
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// What an operator asks for, before its operand is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operator {
    Eq,
    Neq,
    Ordered(Bound),
    Contains,
    StartsWith,
    EndsWith,
    In,
    Exists,
}

/// Every accepted spelling: the DSL's own, then the server-side form's.
const OPERATORS: [(&str, Operator); 20] = [
    ("eq", Operator::Eq),
    ("neq", Operator::Neq),
    ("gt", Operator::Ordered(Bound::Greater)),
    ("gte", Operator::Ordered(Bound::GreaterOrEqual)),
    ("lt", Operator::Ordered(Bound::Less)),
    ("lte", Operator::Ordered(Bound::LessOrEqual)),
    ("contains", Operator::Contains),
    ("startsWith", Operator::StartsWith),
    ("endsWith", Operator::EndsWith),
    ("in", Operator::In),
    ("exists", Operator::Exists),
    ("=", Operator::Eq),
    ("==", Operator::Eq),
    ("!=", Operator::Neq),
    (">", Operator::Ordered(Bound::Greater)),
    (">=", Operator::Ordered(Bound::GreaterOrEqual)),
    ("<", Operator::Ordered(Bound::Less)),
    ("<=", Operator::Ordered(Bound::LessOrEqual)),
    ("starts_with", Operator::StartsWith),
    ("ends_with", Operator::EndsWith),
];

const TOP_LEVEL: [&str; 10] =
    ["from", "instance", "namespace", "where", "select", "orderBy", "order", "limit", "offset", "after"];

/// Parses a whole query.
pub fn query(json: &Json) -> Result<Query> {
    let Json::Object(top) = json else {
        return Err(invalid(
            "query",
            format!("must be an object like {{ from: {{ instance: \"name\" }} }}; got {}.", shown(json)),
        ));
    };
    refuse_unknown(
        top,
        &TOP_LEVEL,
        "",
        "a query takes from (or instance and namespace), where, select, orderBy (or order), limit, and offset or after.",
    )?;
    let (instance, namespace) = source(top)?;
    let mut query = Query {
        instance,
        namespace,
        conditions: conditions(top.get("where"))?,
        select: top.get("select").map(selection).transpose()?,
        order: order(top)?,
        limit: count(top.get("limit"), "limit", DEFAULT_LIMIT)?,
        start: Start::Offset(count(top.get("offset"), "offset", 0)?),
    };
    if let Some(spec) = top.get("after") {
        query.start = Start::After(after(top, spec, &query)?);
    }
    Ok(query)
}

/// `after`: a cursor this query gave, in place of `offset`. It is read
/// against the rest of the query, which is why it is read last.
fn after(top: &Map<String, Json>, spec: &Json, query: &Query) -> Result<Position> {
    if top.contains_key("offset") {
        return Err(invalid(
            "offset",
            "conflicts with after; a cursor already says where the page starts, so leave offset out (or leave after out to page by offset).",
        ));
    }
    match spec {
        Json::String(text) => cursor::read(text, query),
        other => Err(invalid(
            "after",
            format!(
                "must be the cursor string of an earlier result of this query; got {}. Leave after out for the first page.",
                shown(other)
            ),
        )),
    }
}

/// The instance and namespace, from `from` or from the top level, not both.
fn source(top: &Map<String, Json>) -> Result<(String, Option<String>)> {
    let Some(from) = top.get("from") else {
        if !top.contains_key("instance") {
            return Err(invalid(
                "from",
                "is missing; say which instance to read, as in { from: { instance: \"name or id\" } }.",
            ));
        }
        return Ok((instance(top.get("instance"), "instance")?, namespace(top.get("namespace"), "namespace")?));
    };
    if let Some(both) = ["instance", "namespace"].into_iter().find(|k| top.contains_key(*k)) {
        return Err(invalid(
            both,
            "conflicts with from; give instance and namespace either inside from or at the top level, not both.",
        ));
    }
    let Json::Object(from) = from else {
        return Err(invalid(
            "from",
            format!("must be an object like {{ instance: \"name\", namespace: \"ns\" }}; got {}.", shown(from)),
        ));
    };
    refuse_unknown(from, &["instance", "namespace"], "from.", "from takes instance and namespace.")?;
    Ok((instance(from.get("instance"), "from.instance")?, namespace(from.get("namespace"), "from.namespace")?))
}

fn instance(spec: Option<&Json>, part: &str) -> Result<String> {
    match spec {
        Some(Json::String(name)) => Ok(name.clone()),
        None => Err(invalid(part, "is missing; give the instance's name or id.")),
        Some(other) => {
            Err(invalid(part, format!("must be a string, the instance's name or id; got {}.", shown(other))))
        }
    }
}

fn namespace(spec: Option<&Json>, part: &str) -> Result<Option<String>> {
    match spec {
        None => Ok(None),
        Some(Json::String(name)) => Ok(Some(name.clone())),
        Some(other) => {
            Err(invalid(part, format!("must be a string; got {}. Leave it out to read every namespace.", shown(other))))
        }
    }
}

/// `where`: a list of conditions, or one condition on its own.
fn conditions(spec: Option<&Json>) -> Result<Vec<Condition>> {
    match spec {
        None => Ok(Vec::new()),
        Some(Json::Array(items)) => {
            items.iter().enumerate().map(|(i, c)| condition(c, &format!("where[{i}]"))).collect()
        }
        Some(one @ Json::Object(_)) => Ok(vec![condition(one, "where")?]),
        Some(other) => Err(invalid(
            "where",
            format!(
                "must be a list of conditions like [{{ field: \"key\", operator: \"eq\", value: \"a\" }}]; got {}.",
                shown(other)
            ),
        )),
    }
}

fn condition(spec: &Json, at: &str) -> Result<Condition> {
    let Json::Object(spec) = spec else {
        return Err(invalid(at, format!("must be an object like {{ field, operator, value }}; got {}.", shown(spec))));
    };
    refuse_unknown(
        spec,
        &["field", "operator", "value"],
        &format!("{at}."),
        "a condition takes field, operator and value.",
    )?;
    let field = field(spec.get("field"), &format!("{at}.field"))?;
    let (spelling, operator) = operator(spec.get("operator"), &format!("{at}.operator"))?;
    let test = test(operator, spelling, spec.get("value"), &format!("{at}.value"))?;
    Ok(Condition { field, test })
}

/// A field name in a condition, an order key or a selection.
fn field(spec: Option<&Json>, part: &str) -> Result<Field> {
    match spec {
        Some(Json::String(name)) => Field::parse(name).map_err(|problem| invalid(part, problem)),
        None => Err(invalid(part, "is missing; name a field such as key, namespace or value.user.name.")),
        Some(other) => {
            Err(invalid(part, format!("must be a field name such as key or value.user.name; got {}.", shown(other))))
        }
    }
}

fn operator<'a>(spec: Option<&'a Json>, part: &str) -> Result<(&'a str, Operator)> {
    let name = match spec {
        Some(Json::String(name)) => name.as_str(),
        None => {
            return Err(invalid(
                part,
                "is missing; use one of eq, neq, gt, gte, lt, lte, contains, startsWith, endsWith, in, exists.",
            ));
        }
        Some(other) => {
            return Err(invalid(part, format!("must be an operator name such as \"eq\"; got {}.", shown(other))));
        }
    };
    match OPERATORS.iter().find(|(spelling, _)| *spelling == name) {
        Some((_, operator)) => Ok((name, *operator)),
        None => Err(invalid(
            part,
            format!(
                "unknown operator {name:?}; use one of eq, neq, gt, gte, lt, lte, contains, startsWith, endsWith, in, exists."
            ),
        )),
    }
}

/// The operator with its operand; `exists` alone takes none.
fn test(operator: Operator, spelling: &str, operand: Option<&Json>, part: &str) -> Result<Test> {
    if operator == Operator::Exists {
        return match operand {
            None | Some(Json::Bool(true)) => Ok(Test::Exists(true)),
            Some(Json::Bool(false)) => Ok(Test::Exists(false)),
            Some(other) => {
                Err(invalid(part, format!("must be true, false or left out for exists; got {}.", shown(other))))
            }
        };
    }
    let Some(operand) = operand else {
        return Err(invalid(part, format!("is missing; the {spelling} operator compares the field with a value.")));
    };
    if !within_depth(operand) {
        return Err(invalid(
            part,
            format!(
                "nests arrays and objects more than {DEPTH_CEILING} levels deep, deeper than any stored value; flatten it."
            ),
        ));
    }
    let operand = operand.clone();
    Ok(match operator {
        Operator::Eq => Test::Equals(operand),
        Operator::Neq => Test::Differs(operand),
        Operator::Ordered(bound) => Test::Compares(bound, operand),
        Operator::Contains => Test::Contains(operand),
        Operator::StartsWith => Test::StartsWith(operand),
        Operator::EndsWith => Test::EndsWith(operand),
        Operator::Exists => Test::Exists(true),
        Operator::In => match operand {
            Json::Array(choices) => Test::OneOf(choices),
            other => {
                return Err(invalid(
                    part,
                    format!(
                        "must be a list of the values to accept for in, as in [\"a\", \"b\"]; got {}.",
                        shown(&other)
                    ),
                ));
            }
        },
    })
}

/// Whether an operand nests no deeper than a stored value may, checked
/// without recursion before anything recursive (cloning, comparing) sees it.
fn within_depth(operand: &Json) -> bool {
    let mut pending = vec![(operand, 0usize)];
    while let Some((node, depth)) = pending.pop() {
        match node {
            Json::Array(_) | Json::Object(_) if depth >= DEPTH_CEILING => return false,
            Json::Array(items) => pending.extend(items.iter().map(|child| (child, depth + 1))),
            Json::Object(members) => pending.extend(members.values().map(|child| (child, depth + 1))),
            _ => {}
        }
    }
    true
}

/// `select`: a non-empty list of field names.
fn selection(spec: &Json) -> Result<Selection> {
    let Json::Array(names) = spec else {
        return Err(invalid(
            "select",
            format!("must be a list of field names like [\"key\", \"value.age\"]; got {}.", shown(spec)),
        ));
    };
    if names.is_empty() {
        return Err(invalid("select", "is empty; name at least one field, or leave select out to get whole records."));
    }
    let fields: Vec<Field> =
        names.iter().enumerate().map(|(i, name)| field(Some(name), &format!("select[{i}]"))).collect::<Result<_>>()?;
    Ok(Selection::new(&fields))
}

/// `orderBy` or `order`: one key or a list of keys.
fn order(top: &Map<String, Json>) -> Result<Vec<OrderKey>> {
    let (name, spec) = match (top.get("orderBy"), top.get("order")) {
        (Some(_), Some(_)) => return Err(invalid("order", "conflicts with orderBy; give only one of them.")),
        (Some(spec), None) => ("orderBy", spec),
        (None, Some(spec)) => ("order", spec),
        (None, None) => return Ok(Vec::new()),
    };
    match spec {
        Json::Array(keys) => keys.iter().enumerate().map(|(i, key)| order_key(key, &format!("{name}[{i}]"))).collect(),
        Json::Object(_) => Ok(vec![order_key(spec, name)?]),
        other => Err(invalid(
            name,
            format!(
                "must be {{ field, direction }} or a list of them, as in {{ field: \"key\", direction: \"desc\" }}; got {}.",
                shown(other)
            ),
        )),
    }
}

fn order_key(spec: &Json, at: &str) -> Result<OrderKey> {
    let Json::Object(spec) = spec else {
        return Err(invalid(at, format!("must be an object like {{ field, direction }}; got {}.", shown(spec))));
    };
    refuse_unknown(spec, &["field", "direction"], &format!("{at}."), "an order key takes field and direction.")?;
    let field = field(spec.get("field"), &format!("{at}.field"))?;
    let descending = match spec.get("direction") {
        None => false,
        Some(Json::String(d)) if d.eq_ignore_ascii_case("asc") => false,
        Some(Json::String(d)) if d.eq_ignore_ascii_case("desc") => true,
        Some(other) => {
            return Err(invalid(
                format!("{at}.direction"),
                format!("must be \"asc\" or \"desc\"; got {}.", shown(other)),
            ));
        }
    };
    Ok(OrderKey { field, descending })
}

/// `limit` or `offset`: a whole number, 0 or more.
#[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "a whole number of 0 or more, and `as` saturates")]
fn count(spec: Option<&Json>, part: &str, default: usize) -> Result<usize> {
    let Some(spec) = spec else { return Ok(default) };
    let whole = spec.as_u64().or_else(|| {
        // Casting saturates; the range check above it keeps it exact below 2^53.
        spec.as_f64().filter(|n| n.fract() == 0.0 && *n >= 0.0).map(|n| n as u64)
    });
    match whole {
        Some(n) => Ok(usize::try_from(n.min(MAX_SAFE_INTEGER)).unwrap_or(usize::MAX)),
        None => Err(invalid(part, format!("must be a whole number, 0 or more; got {}.", shown(spec)))),
    }
}

/// Refuses members other than `allowed`, naming the first as the part.
fn refuse_unknown(object: &Map<String, Json>, allowed: &[&str], at: &str, takes: &str) -> Result<()> {
    let unknown: Vec<&String> = object.keys().filter(|k| !allowed.contains(&k.as_str())).collect();
    let Some(first) = unknown.first() else { return Ok(()) };
    let names: Vec<String> = unknown.iter().map(|k| format!("{k:?}")).collect();
    let noun = if unknown.len() == 1 { "key" } else { "keys" };
    Err(invalid(format!("{at}{first}"), format!("unknown {noun} {}; {takes}", names.join(", "))))
}

fn invalid(part: impl Into<String>, problem: impl Into<String>) -> Error {
    Error::InvalidQuery { part: part.into(), problem: problem.into() }
}

/// A short description of what the caller gave, for error sentences.
fn shown(value: &Json) -> String {
    match value {
        Json::Null => "null".to_string(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => n.to_string(),
        Json::String(s) if s.chars().count() <= 40 => format!("the string {s:?}"),
        Json::String(_) => "a string".to_string(),
        Json::Array(_) => "an array".to_string(),
        Json::Object(_) => "an object".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn operand_depth_at_the_ceiling_passes_and_one_more_fails() {
        let mut nested = json!(1);
        for _ in 0..DEPTH_CEILING {
            nested = json!([nested]);
        }
        assert!(within_depth(&nested));
        assert!(!within_depth(&json!([nested])));
        assert!(within_depth(&json!("scalar")));
    }

    #[test]
    fn counts_accept_whole_numbers_in_any_spelling() {
        assert_eq!(count(None, "limit", 100), Ok(100));
        assert_eq!(count(Some(&json!(0)), "limit", 100), Ok(0));
        assert_eq!(count(Some(&json!(250.0)), "limit", 100), Ok(250));
        assert_eq!(count(Some(&json!(-0.0)), "offset", 0), Ok(0));
        assert_eq!(count(Some(&json!(1e300)), "limit", 100).ok().map(|n| n as u64 <= MAX_SAFE_INTEGER), Some(true));
        for bad in [json!(-1), json!(1.5), json!("10"), json!(null), json!(true), json!([1])] {
            assert!(count(Some(&bad), "limit", 100).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_spelling_maps_to_an_operator() {
        for (spelling, expected) in OPERATORS {
            assert_eq!(operator(Some(&json!(spelling)), "op").map(|(_, o)| o), Ok(expected));
        }
    }
}
