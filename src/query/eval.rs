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
use super::pluck::{count_read, pluck};
use super::indexed::{FieldIndex, Indexed};
use super::{Bound, Query, QueryResult, Row, Start, Stored, Test};
use crate::error::{Error, Result, StorageError};
use crate::index::cmp_utf16;

/// A field whose value is already known for the record being admitted
/// (read from an index), and that value.
type Known<'k> = (&'k Field, Option<&'k Json>);

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
    pub(crate) fn run<'a>(&self, records: impl Iterator<Item = Stored<'a>>) -> Result<QueryResult> {
        let paths = self.value_paths();
        self.page(records.filter_map(|record| self.admit(record, &paths, None)).collect())
    }

    /// Runs the query over the candidates an index on one of its value
    /// paths yields (see `indexed`), reading that path from the index.
    /// `find` looks a candidate's record up in the instance; `in_scope`
    /// is how many records the query's instance (or namespace) holds.
    ///
    /// # Errors
    ///
    /// A storage failure naming the bug when the index holds a record
    /// that `find` does not: the index is out of step with the records.
    pub(crate) fn run_indexed<'a>(
        &self,
        index: &'a FieldIndex,
        find: impl Fn(&'a str, &'a str) -> Option<Stored<'a>>,
        in_scope: usize,
    ) -> Result<QueryResult> {
        let paths = self.value_paths();
        let in_namespace = |candidate: &&'a Indexed| self.namespace.as_ref().is_none_or(|only| *only == candidate.namespace);
        let admit = |candidate: &'a Indexed| -> Result<Option<Match<'a>>> {
            if !in_namespace(&candidate) {
                return Ok(None);
            }
            let record = find(&candidate.namespace, &candidate.key).ok_or_else(|| {
                Error::Storage(StorageError::Failed(format!(
                    "the index on {} holds a record that memory does not (a bug in boltkv); nothing was read.",
                    index.field().spelling()
                )))
            })?;
            Ok(self.admit(record, &paths, Some((index.field(), candidate.at.as_ref()))))
        };
        let Some(descending) = self.walks_in_order(index) else {
            let mut matches = Vec::new();
            for candidate in index.candidates(self) {
                matches.extend(admit(candidate)?);
            }
            return self.page(matches);
        };
        // Walked in the order of the first order key, the matches past the
        // page (and the records tied with its last one) need only counting,
        // and with no condition not even that.
        let end = self.offset().saturating_add(self.limit);
        let walk: Box<dyn Iterator<Item = &'a Indexed>> =
            if descending { Box::new(index.all().rev()) } else { Box::new(index.all()) };
        if self.conditions.is_empty() && self.order.len() == 1 {
            // Every record in scope matches, and the walk's order is the
            // query's but for records tied on the field, which a backward
            // walk gives in reverse: the records up to the end of the page
            // are put in order by their places alone, and only the page's
            // are looked up.
            let mut kept: Vec<&'a Indexed> = Vec::new();
            for candidate in walk.filter(in_namespace) {
                if past_page(end, kept.len(), kept.last().map(|last| last.at.as_ref()), candidate) {
                    break;
                }
                kept.push(candidate);
            }
            let place = |c: &'a Indexed| Place { keys: std::slice::from_ref(&c.at), namespace: &c.namespace, key: &c.key };
            crate::sort::by(&mut kept, |a, b| self.compare(place(a), place(b)));
            let mut page = Vec::new();
            for candidate in kept.into_iter().skip(self.offset()).take(self.limit) {
                page.extend(admit(candidate)?);
            }
            return self.finish(page, in_scope, self.limit > 0 && in_scope > end);
        }
        let (mut kept, mut total) = (Vec::new(), 0usize);
        for candidate in walk {
            let last_at = kept.last().map(|last: &Match<'_>| last.keys.first().and_then(Option::as_ref));
            let past_page = past_page(end, kept.len(), last_at, candidate);
            if past_page && self.conditions.is_empty() {
                return self.page_of(kept, in_scope);
            }
            if let Some(found) = admit(candidate)? {
                total = total.saturating_add(1);
                if !past_page {
                    kept.push(found);
                }
            }
        }
        self.page_of(kept, total)
    }

    /// Whether the index can be walked in the query's order, and then
    /// whether backwards: when the query is ordered first by the indexed
    /// field, no condition narrows to runs (which are walked forwards
    /// only) and the page starts at an offset (a cursor's place is found
    /// among all the matches).
    fn walks_in_order(&self, index: &FieldIndex) -> Option<bool> {
        let first = self.order.first().filter(|k| k.field == *index.field())?;
        let unnarrowed = self.conditions.iter().all(|c| c.test.runs().is_none());
        (unnarrowed && matches!(self.start, Start::Offset(_))).then_some(first.descending)
    }

    /// The page of `matches` the query asks for, with their total.
    fn page(&self, matches: Vec<Match<'_>>) -> Result<QueryResult> {
        let total = matches.len();
        self.page_of(matches, total)
    }

    /// The page of `matches`, which hold every match up to the end of the
    /// page (the rest, `total` less these, sort after them).
    fn page_of<'a>(&self, mut matches: Vec<Match<'a>>, total: usize) -> Result<QueryResult> {
        let unkept = total.saturating_sub(matches.len());
        if let Start::After(position) = &self.start {
            matches.retain(|m| self.compare(position.place(), m.place()).is_lt());
        }
        let offset = self.offset();
        let more = self.limit > 0 && matches.len().saturating_add(unkept) > offset.saturating_add(self.limit);
        self.sort_page(&mut matches, offset);
        let page: Vec<Match<'a>> = matches.into_iter().skip(offset).take(self.limit).collect();
        self.finish(page, total, more)
    }

    /// The result for a page cut out in order; `more` when matches remain
    /// after it.
    fn finish(&self, page: Vec<Match<'_>>, total: usize, more: bool) -> Result<QueryResult> {
        let cursor = page.last().filter(|_| more).map(|last| cursor::make(self, last.place())).transpose()?;
        let records = page.into_iter().map(|m| self.row(m.record)).collect();
        Ok(QueryResult { records, total, limit: self.limit, offset: self.offset(), cursor })
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
    fn admit<'a>(&self, record: Stored<'a>, paths: &[&[Segment]], known: Option<Known<'_>>) -> Option<Match<'a>> {
        let plucked = OnceCell::new();
        let field = |field: &Field| match known {
            Some((indexed, at)) if field == indexed => at.map(Cow::Borrowed),
            _ => read(field, &record, paths, &plucked),
        };
        let on_metadata = self.conditions.iter().filter(|c| !c.field.reads_value());
        let on_value = self.conditions.iter().filter(|c| c.field.reads_value());
        if !on_metadata.chain(on_value).all(|c| c.test.holds(field(&c.field).as_deref())) {
            return None;
        }
        let keys = self.order.iter().map(|k| field(&k.field).map(Cow::into_owned)).collect();
        Some(Match { record, keys })
    }

    /// Puts the matches up to the end of the page in order; the rest, which
    /// paging drops, are only partitioned off, not sorted.
    fn sort_page(&self, matches: &mut Vec<Match<'_>>, offset: usize) {
        let end = offset.saturating_add(self.limit);
        if self.limit == 0 || offset >= matches.len() {
            return;
        }
        *matches = crate::sort::first(std::mem::take(matches), end, |a, b| self.compare(a.place(), b.place()));
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

/// Whether a walk in the order of an index has kept the page (`kept` of
/// the `end` matches up to its end) and `next` is past it: not tied on the
/// field with the last kept one (`last_at`), which may sort after it.
fn past_page(end: usize, kept: usize, last_at: Option<Option<&Json>>, next: &Indexed) -> bool {
    kept >= end && (end == 0 || last_at.is_some_and(|at| order(at, next.at.as_ref()).is_ne()))
}

/// A field of `record`; a path into its value is one of `paths`, all read
/// into `plucked` the first time a field needs one.
fn read<'v>(field: &Field, record: &Stored<'_>, paths: &[&[Segment]], plucked: &'v OnceCell<Vec<Option<Json>>>) -> Option<Cow<'v, Json>> {
    let Field::Value(path) = field else { return field.metadata(record).map(Cow::Owned) };
    let at = paths.iter().position(|p| *p == path.as_slice())?;
    let found = plucked.get_or_init(|| pluck(record.entry.value.json(), paths));
    found.get(at)?.as_ref().map(Cow::Borrowed)
}

/// Parses a record's value whole (for `select`).
fn parse_value(record: &Stored<'_>) -> Json {
    count_read();
    record.entry.value.parse()
}


impl Test {
    /// Whether a field (`None` when the record lacks it) passes the test.
    pub(super) fn holds(&self, found: Option<&Json>) -> bool {
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
    pub(super) fn accepts(self, ordering: Ordering) -> bool {
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
