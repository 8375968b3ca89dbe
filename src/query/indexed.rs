//! Indexes on fields: on the paths into values and on `key`. For such a
//! field a query filters or orders on, an index holds every record of the
//! instance in that field's order (then namespace, then key), with a value
//! field read out of the record's text once. It is built the first time a
//! query names the field and kept in step with every change by
//! `crate::index::Index::apply`, so later queries neither parse values nor
//! visit records outside their matches:
//!
//! - a condition whose matches are one run of the field's order (`eq` on a
//!   scalar, `gt` `gte` `lt` `lte`, `startsWith`, `exists`) or a few runs
//!   (`in` over scalars) reads only those runs;
//! - a query ordered first by the field (and not narrowed to runs) walks
//!   the index in its order and stops after its page when it has no
//!   condition;
//! - any other query on the field reads it from the index instead of from
//!   each record's text.
//!
//! What a query answers does not depend on whether an index served it: the
//! runs only leave out records that fail the condition, and every candidate
//! still passes through all of the query's conditions (`eval`).

use std::cmp::Ordering;
use std::collections::BTreeSet;

use serde_json::Value as Json;

use super::compare::{order, scalar_order};
use super::field::Field;
use super::pluck::pluck;
use super::{Query, Test};
use crate::index::cmp_utf16;
use crate::value::Value;

/// How many fields of one instance are indexed at most: each index
/// costs a read of the field on every write, so the least recently queried
/// one is dropped to make room for a new one.
pub const MAX_PER_INSTANCE: usize = 8;

/// Every record of one instance in the order of one field.
#[derive(Debug, Clone)]
pub struct FieldIndex {
    /// `key` or a path into the value (see [`indexable`]).
    field: Field,
    sorted: BTreeSet<Indexed>,
    /// The query count of the index's last use, to choose which to drop.
    used: u64,
}

/// One record in a field index: the field's value (`None` when the record
/// lacks it) and the record's place.
#[derive(Debug, Clone)]
pub struct Indexed {
    pub at: Option<Json>,
    pub namespace: String,
    pub key: String,
}

/// Ordered as a query orders by the field ascending; records tie only
/// with themselves.
impl Ord for Indexed {
    fn cmp(&self, other: &Self) -> Ordering {
        order(self.at.as_ref(), other.at.as_ref())
            .then_with(|| cmp_utf16(&self.namespace, &other.namespace))
            .then_with(|| cmp_utf16(&self.key, &other.key))
    }
}

impl PartialOrd for Indexed {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Indexed {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Indexed {}

impl FieldIndex {
    /// Indexes `field` over records given as (namespace, key, value).
    pub fn build<'a>(field: &Field, records: impl Iterator<Item = (&'a str, &'a str, &'a Value)>, used: u64) -> FieldIndex {
        // Inserted one by one: collecting would sort first, with a copy of
        // the sorting code of its own (src/sort.rs says what that weighs).
        let mut sorted = BTreeSet::new();
        sorted.extend(records.map(|(namespace, key, value)| indexed(field, namespace, key, value)));
        FieldIndex { field: field.clone(), sorted, used }
    }

    /// The indexed field.
    pub fn field(&self) -> &Field {
        &self.field
    }

    /// When a query last used the index.
    pub fn used(&self) -> u64 {
        self.used
    }

    /// Notes a query's use of the index.
    pub fn use_at(&mut self, count: u64) {
        self.used = count;
    }

    /// Keeps the index in step with one record: `old` is its value before
    /// the change (`None` when it was absent), `new` after (`None` when it
    /// is gone).
    pub fn replace(&mut self, namespace: &str, key: &str, old: Option<&Value>, new: Option<&Value>) {
        let unchanged = match self.field {
            Field::Value(_) => old.map(Value::json) == new.map(Value::json),
            _ => old.is_some() == new.is_some(),
        };
        if unchanged {
            return;
        }
        if let Some(old) = old {
            self.sorted.remove(&indexed(&self.field, namespace, key, old));
        }
        if let Some(new) = new {
            self.sorted.insert(indexed(&self.field, namespace, key, new));
        }
    }

    /// Forgets every record of a namespace (deleted whole).
    pub fn drop_namespace(&mut self, namespace: &str) {
        self.sorted.retain(|record| record.namespace != namespace);
    }

    /// Every record, in the field's order.
    pub fn all(&self) -> std::collections::btree_set::Iter<'_, Indexed> {
        self.sorted.iter()
    }

    /// Every record, or only the runs a condition of `query` on this field
    /// can match (`query.indexed_field` chose the field for that condition).
    pub fn candidates<'i>(&'i self, query: &Query) -> Box<dyn Iterator<Item = &'i Indexed> + 'i> {
        let on_field = |c: &&super::Condition| c.field == self.field;
        let Some((test, starts)) = query.conditions.iter().filter(on_field).find_map(|c| Some((c.test.clone(), c.test.runs()?))) else {
            return Box::new(self.all());
        };
        // A run starts at its start's place, after the records equal to the
        // start that fail (`gt 5` starts after the fives), and ends at the
        // first record that fails; each choice of `in` is a run of the
        // records equal to it, so that neighbouring choices' runs do not
        // overlap.
        let one_of = matches!(test, Test::OneOf(_));
        Box::new(starts.into_iter().flat_map(move |start| {
            let from = Indexed { at: start.clone(), namespace: String::new(), key: String::new() };
            let (first, rest, end) = (test.clone(), test.clone(), start.clone());
            let before = move |r: &&Indexed| order(r.at.as_ref(), start.as_ref()).is_eq() && !first.holds(r.at.as_ref());
            let within = move |r: &&Indexed| {
                rest.holds(r.at.as_ref()) && (!one_of || order(r.at.as_ref(), end.as_ref()).is_eq())
            };
            self.sorted.range(from..).skip_while(before).take_while(within)
        }))
    }
}

/// One record's place in the index on `field`.
fn indexed(field: &Field, namespace: &str, key: &str, value: &Value) -> Indexed {
    let at = match field {
        Field::Value(path) => pluck(value.json(), &[path]).into_iter().next().flatten(),
        _ => Some(Json::String(key.to_string())),
    };
    Indexed { at, namespace: namespace.to_string(), key: key.to_string() }
}

/// Whether a field can be indexed: `key`, which never changes for a
/// record, and paths into the value, which `replace` follows. Record
/// ids and times are not: a query on them visits every record.
fn indexable(field: &Field) -> bool {
    matches!(field, Field::Key | Field::Value(_))
}

impl Query {
    /// The field an index serves this query on: that of the first
    /// condition whose matches are runs of the field's order, else the
    /// first order key, when indexable.
    pub(crate) fn indexed_field(&self) -> Option<&Field> {
        let narrowing = self.conditions.iter().find(|c| indexable(&c.field) && c.test.runs().is_some());
        let field = narrowing.map(|c| &c.field).or_else(|| self.order.first().map(|k| &k.field));
        field.filter(|field| indexable(field))
    }
}

impl Test {
    /// Where the runs of values passing the test start in a field's order,
    /// for a test whose passing values are runs of it: every value from the
    /// start that passes, up to the first that does not, and nothing before
    /// the start. `None` for the others (`neq`, `contains`, `endsWith`,
    /// `eq`/`in` on arrays or objects, whose equality ignores member order).
    pub(super) fn runs(&self) -> Option<Vec<Option<Json>>> {
        let scalar = |v: &Json| !matches!(v, Json::Array(_) | Json::Object(_));
        match self {
            Test::Equals(operand) | Test::StartsWith(operand) => scalar(operand).then(|| vec![Some(operand.clone())]),
            Test::Compares(bound, operand) if scalar_order(operand, operand).is_some() => {
                let from = if bound.accepts(Ordering::Greater) { operand.clone() } else { least_of_type(operand) };
                Some(vec![Some(from)])
            }
            Test::OneOf(choices) if choices.iter().all(scalar) => {
                let mut starts: Vec<Option<Json>> = choices.iter().cloned().map(Some).collect();
                crate::sort::by(&mut starts, |a, b| order(a.as_ref(), b.as_ref()));
                starts.dedup_by(|a, b| order(a.as_ref(), b.as_ref()).is_eq());
                Some(starts)
            }
            Test::Exists(true) => Some(vec![Some(Json::Null)]),
            Test::Exists(false) => Some(vec![None]),
            _ => None,
        }
    }
}

/// The least value of a scalar's type in the field order (JSON numbers are
/// finite, so the least float is the least number).
fn least_of_type(scalar: &Json) -> Json {
    match scalar {
        Json::Bool(_) => Json::Bool(false),
        // `from_f64` refuses only non-finite floats; `null`, below every
        // number, would start the run earlier and still be correct.
        Json::Number(_) => serde_json::Number::from_f64(f64::MIN).map_or(Json::Null, Json::Number),
        _ => Json::String(String::new()),
    }
}
