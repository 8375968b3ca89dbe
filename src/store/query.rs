//! The query operation: runs the Query DSL (see `crate::query`) over one
//! instance's records, straight from the in-memory index.

use serde::de::DeserializeOwned;

use super::KvStore;
use crate::error::{Error, Field, Result};
use crate::index::Keys;
use crate::model::Record;
use crate::query::{Query, QueryResult, Row, Stored};

impl KvStore {
    /// Runs a parsed query. An unknown instance answers with no records;
    /// reads answer from memory, at once. The first query that filters or
    /// orders on `key` or a value field indexes that field (see `crate::query`), so
    /// later ones read neither values nor records outside their matches.
    pub fn query(&self, query: &Query) -> Result<QueryResult> {
        self.run_query(query, true)
    }

    /// Runs a query without field indexes, visiting every record in scope:
    /// what indexed answers are checked against (`src/query/tests/indexed.rs`,
    /// a property test, so native only).
    #[cfg(all(test, not(target_arch = "wasm32")))]
    pub(crate) fn query_scanning(&self, query: &Query) -> Result<QueryResult> {
        self.run_query(query, false)
    }

    /// Runs a query, through a field index when `indexes` allows one.
    fn run_query(&self, query: &Query, indexes: bool) -> Result<QueryResult> {
        let found = self.resolve(query.instance())?;
        if let Some(namespace) = query.namespace() {
            self.limits.check(Field::Namespace, namespace)?;
        }
        let indexed_field = query.indexed_field().filter(|_| indexes);
        if let (Some(id), Some(field)) = (found, indexed_field) {
            // A query run while memory is being changed (from a listener)
            // reads without an index rather than wait.
            if let Ok(mut index) = self.shared.index.try_borrow_mut() {
                index.index_field(&id, field);
            }
        }
        let index = self.shared.index.borrow();
        let Some((instance_id, slot)) = found.and_then(|id| Some((id, index.slot(&id)?))) else {
            return Ok(query.nothing());
        };
        if let Some(field) = indexed_field.and_then(|field| slot.field(field)) {
            // Candidates outside a namespace the query names never get
            // here, so its keys are looked up once, not per match.
            let named = query.namespace().map(|namespace| slot.namespaces.get(namespace));
            let find = |namespace, key| {
                let keys = match named {
                    Some(keys) => keys?,
                    None => slot.namespaces.get(namespace)?,
                };
                Some(Stored { instance_id, namespace, key, entry: keys.get(key)? })
            };
            let in_scope = match named {
                Some(keys) => keys.map_or(0, Keys::len),
                None => slot.namespaces.values().map(Keys::len).sum(),
            };
            return query.run_indexed(field, find, in_scope);
        }
        // Only the named namespace is visited when the query names one.
        let namespaces: Vec<(&String, &Keys)> = match query.namespace() {
            Some(namespace) => slot.namespaces.get_key_value(namespace).into_iter().collect(),
            None => slot.namespaces.iter().collect(),
        };
        let records = namespaces.into_iter().flat_map(|(namespace, keys)| {
            keys.iter().map(move |(key, entry)| Stored { instance_id, namespace, key, entry })
        });
        query.run(records)
    }

    /// Runs a query given as JSON text (as `JSON.stringify` makes it); text
    /// that is not JSON is an invalid query.
    pub fn query_json(&self, json: &str) -> Result<QueryResult> {
        self.query(&Query::from_json(json)?)
    }

    /// Runs a query for whole records whose values are `T`s.
    ///
    /// # Errors
    ///
    /// As [`KvStore::query`]; [`Error::InvalidQuery`] for a query with
    /// `select` (its rows are projections: run it with `query`); and
    /// [`Error::WrongType`], naming `T`, when a matching value does not
    /// deserialise into `T`.
    pub fn query_as<T: DeserializeOwned>(&self, query: &Query) -> Result<QueryResult<Record<T>>> {
        let projections = || Error::InvalidQuery {
            part: "select".to_string(),
            problem: "query_as returns whole records; run a query with select through query.".to_string(),
        };
        if query.selects() {
            return Err(projections());
        }
        let QueryResult { records, total, limit, offset, cursor } = self.query(query)?;
        let records = records
            .into_iter()
            .map(|row| match row {
                Row::Record(record) => record.decode(),
                Row::Projection(_) => Err(projections()),
            })
            .collect::<Result<_>>()?;
        Ok(QueryResult { records, total, limit, offset, cursor })
    }
}
