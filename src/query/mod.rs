//! The query DSL of `docs/api.md`: which records of one instance to return, in what
//! order, and which of their fields. A query is parsed once from the JSON the
//! caller gave (so every mistake is reported before any record is read) into
//! the types below, then run over the in-memory index by `KvStore::query`.
//!
//! - `parse`: the caller's JSON to a [`Query`], naming the bad part on error.
//! - `field`: field names and dot paths, and reading them from a record.
//! - `compare`: equality and ordering of JSON values as the DSL defines them.
//! - `eval`: matching, ordering, paging.
//! - `indexed`: indexes on `key` and value fields, kept in step with every write.
//! - `select`: projecting a record onto the selected fields.
//! - `cursor`: the `cursor` of a result and the `after` of the next query.
//!
//! Where the contract is silent (see `docs/api.md`): numbers compare as JavaScript numbers (f64);
//! `where` may be one condition instead of a list; `exists` takes `true`,
//! `false` or no operand; `select: []` is refused (leave it out for whole
//! records); a selected array element keeps its position, with `null` in
//! the positions not selected; `limit`/`offset` accept any whole number
//! (`2.0` too), larger than 2^53 - 1 counting as 2^53 - 1.

mod compare;
mod cursor;
mod eval;
mod field;
mod indexed;
mod parse;
mod pluck;
mod select;
#[cfg(test)]
mod tests;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::id::Uuid;
use crate::model::{Entry, Record};

use cursor::Position;
pub(crate) use field::Field;
pub(crate) use indexed::{FieldIndex, MAX_PER_INSTANCE};
use select::Selection;

/// The limit a query gets when it names none.
pub const DEFAULT_LIMIT: usize = 100;

/// A parsed, valid query over one instance.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// The `instanceId` argument: an instance's id or name.
    instance: String,
    /// Only this namespace, when given.
    namespace: Option<String>,
    /// Every one must hold for a record to match.
    conditions: Vec<Condition>,
    /// The fields each row keeps; `None` returns whole records.
    select: Option<Selection>,
    /// Sort keys in sequence; namespace and key break the remaining ties.
    order: Vec<OrderKey>,
    limit: usize,
    /// Where the page starts.
    start: Start,
}

/// Where a page starts: a count of matches to skip, or a place in the
/// query's order to continue after (one or the other, never both).
#[derive(Debug, Clone, PartialEq)]
enum Start {
    /// `offset`: skip this many matches (0 when the query names neither).
    Offset(usize),
    /// `after`: the matches that sort after this place, read from a cursor.
    After(Position),
}

/// The answer to a query: one page of rows and how many records matched.
/// Rows are [`Row`]s from [`KvStore::query`](crate::KvStore::query), and
/// records with typed values from [`KvStore::query_as`](crate::KvStore::query_as).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueryResult<R = Row> {
    /// The page: at most `limit` rows, after skipping `offset` or after
    /// the cursor the query continues from.
    pub records: Vec<R>,
    /// Every match, counted before `limit`, `offset` and `after` apply.
    pub total: usize,
    /// The limit in effect (the default when the query named none).
    pub limit: usize,
    /// The offset in effect (0 for a query that continues after a cursor).
    pub offset: usize,
    /// Present when matches remain after this page: pass it to
    /// [`Query::after`] (or as the query's `after`) for the next page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// One row of a result: the whole record, or only the selected fields.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serialize", derive(Serialize), serde(untagged))]
pub enum Row {
    /// The query had no `select`.
    Record(Record),
    /// The selected fields, nested as their paths are.
    Projection(serde_json::Value),
}

/// One `where` entry: a field and the test its value must pass.
#[derive(Debug, Clone, PartialEq)]
struct Condition {
    field: Field,
    test: Test,
}

/// What an operator checks, with its operand.
#[derive(Debug, Clone, PartialEq)]
enum Test {
    /// `eq`: deep-equal to the operand.
    Equals(serde_json::Value),
    /// `neq`: present and not deep-equal to the operand.
    Differs(serde_json::Value),
    /// `gt gte lt lte`: same-typed scalar on the accepted side of the operand.
    Compares(Bound, serde_json::Value),
    /// `contains`: substring of a string, or element of an array.
    Contains(serde_json::Value),
    /// `startsWith`: a string with this prefix.
    StartsWith(serde_json::Value),
    /// `endsWith`: a string with this suffix.
    EndsWith(serde_json::Value),
    /// `in`: deep-equal to one of these.
    OneOf(Vec<serde_json::Value>),
    /// `exists`: present (`true`) or absent (`false`).
    Exists(bool),
}

/// The four ordering operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bound {
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
}

/// One `orderBy` entry.
#[derive(Debug, Clone, PartialEq)]
struct OrderKey {
    field: Field,
    descending: bool,
}

/// A record as the index holds it, with its place: what a query reads
/// without copying anything.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stored<'a> {
    pub instance_id: Uuid,
    pub namespace: &'a str,
    pub key: &'a str,
    pub entry: &'a Entry,
}

impl Stored<'_> {
    /// The full record, for a row without `select`.
    fn to_record(self) -> Record {
        self.entry.to_record(self.instance_id, self.namespace, self.key)
    }
}

impl Query {
    /// Parses the DSL from JSON (as `JSON.stringify` gives it from
    /// JavaScript). A malformed query fails with [`Error::InvalidQuery`]
    /// naming the bad part, e.g. `where[1].operator`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidQuery`] for any part that is not valid DSL: unknown
    /// keys, fields or operators, operands of the wrong shape, a `limit` or
    /// `offset` that is not a whole number from 0, an `after` that is not a
    /// cursor of this query, or `after` together with `offset`.
    pub fn parse(query: &serde_json::Value) -> Result<Query> {
        parse::query(query)
    }

    /// The same query continuing after the page that gave `cursor` (a
    /// result's [`QueryResult::cursor`]), in place of any offset: what
    /// `after: cursor` in the query's JSON does. A record present and
    /// unchanged for both pages is on exactly one of them, whatever was
    /// written in between, because the cursor holds a place in the query's
    /// order (the last row's order keys, namespace and key), not a count.
    ///
    /// ```
    /// # use boltkv::{Config, KvStore, MemoryBackend, Query};
    /// # futures::executor::block_on(async {
    /// # let store = KvStore::open(Box::new(MemoryBackend), Config::system()?).await?;
    /// for key in ["a", "b", "c", "d", "e"] {
    ///     store.set("app", "ns", key, &1, true).await?;
    /// }
    /// let first = Query::parse(&serde_json::json!({ "from": { "instance": "app" }, "limit": 2 }))?;
    /// let mut query = first.clone();
    /// let mut keys = Vec::new();
    /// loop {
    ///     let page = store.query_as::<u32>(&query)?;
    ///     keys.extend(page.records.into_iter().map(|r| r.key));
    ///     let Some(cursor) = page.cursor else { break };
    ///     store.delete("app", "ns", "a").await?; // writes between pages move nothing
    ///     query = first.after(&cursor)?;
    /// }
    /// assert_eq!(keys, ["a", "b", "c", "d", "e"]);
    /// # Ok::<(), boltkv::Error>(())
    /// # }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidQuery`] at `after` when `cursor` is not a cursor
    /// boltkv made (or was changed), or was made by a query with a
    /// different `from`, `where` or `orderBy`. `limit` and `select` may
    /// differ from the query that made it.
    pub fn after(&self, cursor: &str) -> Result<Query> {
        Ok(Query { start: Start::After(cursor::read(cursor, self)?), ..self.clone() })
    }

    /// Parses the DSL from JSON text; text that is not JSON is an invalid query.
    pub(crate) fn from_json(text: &str) -> Result<Query> {
        let json: serde_json::Value = serde_json::from_str(text).map_err(|e| Error::InvalidQuery {
            part: "query".to_string(),
            problem: format!("it is not valid JSON ({e}); pass the query object as JSON.stringify gives it."),
        })?;
        Query::parse(&json)
    }

    /// The instance the query reads: an id or a name.
    pub(crate) fn instance(&self) -> &str {
        &self.instance
    }

    /// Whether rows are projections (the query has `select`) rather than records.
    pub(crate) fn selects(&self) -> bool {
        self.select.is_some()
    }

    /// The only namespace the query reads, when it names one.
    pub(crate) fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }

    /// The keys the query can match, as far as its conditions on `key` tell:
    /// one key (`eq`) and a prefix (`startsWith`), each when it has one. A
    /// change of a key outside them cannot alter the result.
    pub(crate) fn key_scope(&self) -> (Option<String>, Option<String>) {
        let text = |test: &Test| match test {
            Test::Equals(serde_json::Value::String(key)) => (Some(key.clone()), None),
            Test::StartsWith(serde_json::Value::String(prefix)) => (None, Some(prefix.clone())),
            _ => (None, None),
        };
        let on_key = self.conditions.iter().filter(|c| c.field == Field::Key).map(|c| text(&c.test));
        on_key.fold((None, None), |(key, prefix), (k, p)| (key.or(k), prefix.or(p)))
    }

    /// The answer for an instance that does not exist: no records, not an error.
    pub(crate) fn nothing(&self) -> QueryResult {
        QueryResult { records: Vec::new(), total: 0, limit: self.limit, offset: self.offset(), cursor: None }
    }

    /// The offset in effect: 0 when the page starts after a cursor.
    fn offset(&self) -> usize {
        match self.start {
            Start::Offset(offset) => offset,
            Start::After(_) => 0,
        }
    }
}
