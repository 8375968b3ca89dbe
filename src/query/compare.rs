//! Equality and ordering of JSON values as the DSL defines them. Numbers are
//! compared as JavaScript numbers (so `1` equals `1.0`), strings by UTF-16
//! code units. Recursion follows the nesting of the values, which the store
//! bounds (a stored value and a query operand nest at most 128 levels).

use std::cmp::Ordering;

use serde_json::Value as Json;

use crate::index::cmp_utf16;

/// Deep equality: same type and same content; object members in any order.
pub fn same(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Null, Json::Null) => true,
        (Json::Bool(x), Json::Bool(y)) => x == y,
        (Json::Number(_), Json::Number(_)) => number(a) == number(b),
        (Json::String(x), Json::String(y)) => x == y,
        (Json::Array(x), Json::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q)),
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, p)| y.get(k).is_some_and(|q| same(p, q)))
        }
        _ => false,
    }
}

/// True for a number and a string in either order: the pair `docs/api.md` says
/// never matches, under any operator.
pub fn number_and_string(a: &Json, b: &Json) -> bool {
    matches!((a, b), (Json::Number(_), Json::String(_)) | (Json::String(_), Json::Number(_)))
}

/// How two scalars of one comparable type compare (numbers, strings,
/// booleans); `None` for any other pair, which an ordering operator never
/// matches.
pub fn scalar_order(a: &Json, b: &Json) -> Option<Ordering> {
    match (a, b) {
        (Json::Number(_), Json::Number(_)) => number(a).partial_cmp(&number(b)),
        (Json::String(x), Json::String(y)) => Some(cmp_utf16(x, y)),
        (Json::Bool(x), Json::Bool(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// The total order of `orderBy`: absent < null < boolean < number < string <
/// array < object; like types by content.
pub fn order(a: Option<&Json>, b: Option<&Json>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(x), Some(y)) => order_present(x, y),
    }
}

/// The total order on present values.
fn order_present(a: &Json, b: &Json) -> Ordering {
    match (a, b) {
        (Json::Array(x), Json::Array(y)) => {
            let first_difference = x.iter().zip(y).map(|(p, q)| order_present(p, q)).find(|o| o.is_ne());
            first_difference.unwrap_or_else(|| x.len().cmp(&y.len()))
        }
        (Json::Object(x), Json::Object(y)) => {
            let by_member = |((k, p), (l, q)): ((&String, &Json), (&String, &Json))| {
                cmp_utf16(k, l).then_with(|| order_present(p, q))
            };
            let first_difference = x.iter().zip(y).map(by_member).find(|o| o.is_ne());
            first_difference.unwrap_or_else(|| x.len().cmp(&y.len()))
        }
        _ => rank(a).cmp(&rank(b)).then_with(|| scalar_order(a, b).unwrap_or(Ordering::Equal)),
    }
}

/// The place of a value's type in the order of types.
fn rank(value: &Json) -> u8 {
    match value {
        Json::Null => 0,
        Json::Bool(_) => 1,
        Json::Number(_) => 2,
        Json::String(_) => 3,
        Json::Array(_) => 4,
        Json::Object(_) => 5,
    }
}

/// A JSON number as JavaScript holds it.
fn number(value: &Json) -> f64 {
    value.as_f64().unwrap_or(f64::NAN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_are_equal_by_value_not_spelling() {
        assert!(same(&json!(1), &json!(1.0)));
        assert!(same(&json!(-0.0), &json!(0)));
        assert!(same(&json!({"a": [1, {"b": 2.0}]}), &json!({"a": [1.0, {"b": 2}]})));
        assert!(!same(&json!(1), &json!("1")));
    }

    #[test]
    fn objects_are_equal_in_any_member_order_arrays_are_not() {
        assert!(same(&json!({"a": 1, "b": 2}), &json!({"b": 2, "a": 1})));
        assert!(!same(&json!({"a": 1}), &json!({"a": 1, "b": 2})));
        assert!(!same(&json!([1, 2]), &json!([2, 1])));
        assert!(!same(&json!([1]), &json!([1, 1])));
        assert!(same(&json!(null), &json!(null)));
        assert!(!same(&json!(null), &json!(false)));
    }

    #[test]
    fn types_sort_in_the_documented_order() {
        let ladder = [json!(null), json!(true), json!(-5), json!(""), json!([]), json!({})];
        assert_eq!(order(None, Some(&ladder[0])), Ordering::Less);
        for pair in ladder.windows(2) {
            assert_eq!(order(pair.first(), pair.get(1)), Ordering::Less, "{pair:?}");
            assert_eq!(order(pair.get(1), pair.first()), Ordering::Greater, "{pair:?}");
        }
        assert_eq!(order(None, None), Ordering::Equal);
    }

    #[test]
    fn like_types_sort_by_content() {
        let less = |a: Json, b: Json| order(Some(&a), Some(&b)) == Ordering::Less;
        assert!(less(json!(false), json!(true)));
        assert!(less(json!(2), json!(10)));
        assert!(less(json!("10"), json!("2")));
        assert!(less(json!("\u{1F600}"), json!("\u{FF61}")), "UTF-16 order");
        assert!(less(json!([1, 2]), json!([1, 3])));
        assert!(less(json!([1]), json!([1, 0])));
        assert!(less(json!([5]), json!(["a"])));
        assert!(less(json!({"a": 2}), json!({"b": 1})));
        assert!(less(json!({"a": 1}), json!({"a": 2})));
        assert!(less(json!({"a": 1}), json!({"a": 1, "b": 0})));
        assert_eq!(order(Some(&json!(1)), Some(&json!(1.0))), Ordering::Equal);
    }

    #[test]
    fn scalar_order_refuses_mixed_and_compound_types() {
        assert_eq!(scalar_order(&json!(1), &json!("1")), None);
        assert_eq!(scalar_order(&json!(null), &json!(null)), None);
        assert_eq!(scalar_order(&json!([1]), &json!([1])), None);
        assert_eq!(scalar_order(&json!(true), &json!(1)), None);
        assert_eq!(scalar_order(&json!(1.5), &json!(1)), Some(Ordering::Greater));
        assert!(number_and_string(&json!("1"), &json!(1)));
        assert!(!number_and_string(&json!(true), &json!("1")));
    }
}
