//! Running a parsed query over records: matching, ordering, paging and
//! building rows. A record's value is read only when a condition or an
//! order key reads it, and then only for the paths the query names, in one
//! pass over its text (`pluck`); it is parsed whole (for the page only)
//! when `select` reads it. So a query on keys and namespaces never reads a
//! value, and a large match set never holds parsed values, only the order
//! keys it needs.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::cmp::Ordering;

use serde_json::Value as Json;

use super::compare::{number_and_string, order, same, scalar_order};
use super::cursor;
use super::field::{Field, Segment};
use super::pluck::pluck;
use super::{Bound, Query, QueryResult, Row, Start, Stored, Test};
use crate::index::cmp_utf16;

/// A record that passed every condition, with its order keys read out.
struct Match<'a> {
    record: Stored<'a>,
    /// One per order key; `None` where the record lacks the field.
    keys: Vec<Option<Json>>,
}

/// Where a record stands in a query's order: its order keys, then its
/// namespace and key. A match has one, and so does a cursor, which is how a
/// page continues after the last row of the one before.
#[derive(Debug, Clone, Copy)]
pub(super) struct Place<'a> {
    /// One per order key; `None` where the record lacks the field.
    pub keys: &'a [Option<Json>],
    pub namespace: &'a str,
    pub key: &'a str,
}

impl Match<'_> {
    fn place(&self) -> Place<'_> {
        Place { keys: &self.keys, namespace: self.record.namespace, key: self.record.key }
    }
}

impl Query {
    /// Runs the query over the records of its instance (and namespace).
    pub(crate) fn run<'a>(&self, records: impl Iterator<Item = Stored<'a>>) -> QueryResult {
        let paths = self.value_paths();
        let mut matches: Vec<Match<'a>> = records.filter_map(|record| self.admit(record, &paths)).collect();
        let total = matches.len();
        if let Start::After(position) = &self.start {
            matches.retain(|m| self.compare(position.place(), m.place()).is_lt());
        }
        let offset = self.offset();
        let more = self.limit > 0 && matches.len() > offset.saturating_add(self.limit);
        self.sort_page(&mut matches, offset);
        let page: Vec<Match<'a>> = matches.into_iter().skip(offset).take(self.limit).collect();
        let cursor = page.last().filter(|_| more).map(|last| cursor::make(self, last.place()));
        let records = page.into_iter().map(|m| self.row(m.record)).collect();
        QueryResult { records, total, limit: self.limit, offset, cursor }
    }

    /// Every path into the value that a condition or an order key reads,
    /// once each.
    fn value_paths(&self) -> Vec<&[Segment]> {
        let fields = self.conditions.iter().map(|c| &c.field).chain(self.order.iter().map(|k| &k.field));
        let mut paths: Vec<&[Segment]> = Vec::new();
        for field in fields {
            if let Field::Value(path) = field {
                if !paths.contains(&path.as_slice()) {
                    paths.push(path);
                }
            }
        }
        paths
    }

    /// The record as a match, or `None` when a condition fails. Conditions
    /// on metadata run first, so the value is read (once, for every path
    /// in `paths`) only for records that pass them, and only when a
    /// condition or order key reads it.
    fn admit<'a>(&self, record: Stored<'a>, paths: &[&[Segment]]) -> Option<Match<'a>> {
        let plucked = OnceCell::new();
        let on_metadata = self.conditions.iter().filter(|c| !c.field.reads_value());
        let on_value = self.conditions.iter().filter(|c| c.field.reads_value());
        if !on_metadata.chain(on_value).all(|c| c.test.holds(read(&c.field, &record, paths, &plucked).as_deref())) {
            return None;
        }
        let keys = self.order.iter().map(|k| read(&k.field, &record, paths, &plucked).map(Cow::into_owned)).collect();
        Some(Match { record, keys })
    }

    /// Puts the matches up to the end of the page in order; the rest, which
    /// paging drops, are only partitioned off, not sorted.
    fn sort_page(&self, matches: &mut Vec<Match<'_>>, offset: usize) {
        let end = offset.saturating_add(self.limit);
        if self.limit == 0 || offset >= matches.len() {
            return;
        }
        let by_order = |a: &Match<'_>, b: &Match<'_>| self.compare(a.place(), b.place());
        if end < matches.len() {
            matches.select_nth_unstable_by(end, by_order);
            matches.truncate(end);
        }
        matches.sort_unstable_by(by_order);
    }

    /// The order of two places: the order keys in sequence, then namespace,
    /// then key (unique together, so no two records tie).
    fn compare(&self, a: Place<'_>, b: Place<'_>) -> Ordering {
        let mut by_keys = self.order.iter().zip(a.keys.iter().zip(b.keys)).map(|(key, (x, y))| {
            let ascending = order(x.as_ref(), y.as_ref());
            if key.descending { ascending.reverse() } else { ascending }
        });
        by_keys
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
            .then_with(|| cmp_utf16(a.namespace, b.namespace))
            .then_with(|| cmp_utf16(a.key, b.key))
    }

    /// The row for one record of the page.
    fn row(&self, record: Stored<'_>) -> Row {
        match &self.select {
            None => Row::Record(record.to_record()),
            Some(selection) => {
                let value = selection.reads_value().then(|| parse_value(&record));
                Row::Projection(selection.project(&record, value.as_ref()))
            }
        }
    }
}

/// A field of `record`; a path into its value is one of `paths`, all read
/// into `plucked` the first time a field needs one.
fn read<'v>(field: &Field, record: &Stored<'_>, paths: &[&[Segment]], plucked: &'v OnceCell<Vec<Option<Json>>>) -> Option<Cow<'v, Json>> {
    let Field::Value(path) = field else { return field.metadata(record).map(Cow::Owned) };
    let at = paths.iter().position(|p| *p == path.as_slice())?;
    let found = plucked.get_or_init(|| {
        count_parse();
        pluck(record.entry.value.json(), paths)
    });
    found.get(at)?.as_ref().map(Cow::Borrowed)
}

/// Parses a record's value whole (for `select`).
fn parse_value(record: &Stored<'_>) -> Json {
    count_parse();
    record.entry.value.parse()
}

/// Tests count the times a value's text is read, to check that a query
/// reads only the values it needs, once each.
fn count_parse() {
    #[cfg(test)]
    PARSED.with(|count| count.set(count.get() + 1));
}

#[cfg(test)]
thread_local! {
    /// How many values this thread has parsed for queries.
    pub(crate) static PARSED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

impl Test {
    /// Whether a field (`None` when the record lacks it) passes the test.
    fn holds(&self, found: Option<&Json>) -> bool {
        let Some(found) = found else { return *self == Test::Exists(false) };
        match self {
            Test::Exists(wanted) => *wanted,
            Test::Equals(operand) => same(found, operand),
            Test::Differs(operand) => !number_and_string(found, operand) && !same(found, operand),
            Test::Compares(bound, operand) => scalar_order(found, operand).is_some_and(|o| bound.accepts(o)),
            Test::Contains(operand) => contains(found, operand),
            Test::StartsWith(operand) => texts(found, operand).is_some_and(|(s, p)| s.starts_with(p)),
            Test::EndsWith(operand) => texts(found, operand).is_some_and(|(s, p)| s.ends_with(p)),
            Test::OneOf(choices) => choices.iter().any(|choice| same(found, choice)),
        }
    }
}

impl Bound {
    /// Whether `field.cmp(operand)` satisfies the operator.
    fn accepts(self, ordering: Ordering) -> bool {
        match self {
            Bound::Greater => ordering.is_gt(),
            Bound::GreaterOrEqual => ordering.is_ge(),
            Bound::Less => ordering.is_lt(),
            Bound::LessOrEqual => ordering.is_le(),
        }
    }
}

/// A string holding the operand string, or an array holding an element
/// deep-equal to the operand. For well-formed strings, a UTF-8 substring is
/// exactly a UTF-16 substring, so this agrees with JavaScript's `includes`.
fn contains(found: &Json, operand: &Json) -> bool {
    match (found, operand) {
        (Json::String(text), Json::String(part)) => text.contains(part.as_str()),
        (Json::Array(items), _) => items.iter().any(|item| same(item, operand)),
        _ => false,
    }
}

/// Both sides as strings, when both are.
fn texts<'v>(found: &'v Json, operand: &'v Json) -> Option<(&'v str, &'v str)> {
    Some((found.as_str()?, operand.as_str()?))
}
