//! The query operation: runs the Query DSL (see `crate::query`) over one
//! instance's records, straight from the in-memory index.

use super::KvStore;
use crate::commit::Pending;
use crate::error::{Field, Result};
use crate::index::Keys;
use crate::query::{Query, QueryResult, Stored};

impl KvStore {
    /// Runs a parsed query. An unknown instance answers with no records;
    /// reads never wait for the backend.
    pub fn query(&self, query: &Query) -> Pending<QueryResult> {
        Pending::from(self.try_query(query))
    }

    /// Runs a query given as JSON text (as `JSON.stringify` makes it); text
    /// that is not JSON is an invalid query.
    pub fn query_json(&self, json: &str) -> Pending<QueryResult> {
        Pending::from(Query::from_json(json).and_then(|query| self.try_query(&query)))
    }

    fn try_query(&self, query: &Query) -> Result<QueryResult> {
        let found = self.resolve(query.instance())?;
        if let Some(namespace) = query.namespace() {
            self.limits.check(Field::Namespace, namespace)?;
        }
        let index = self.shared.index.borrow();
        let Some((instance_id, slot)) = found.and_then(|id| Some((id, index.slot(&id)?))) else {
            return Ok(query.nothing());
        };
        // Only the named namespace is visited when the query names one.
        let namespaces: Vec<(&String, &Keys)> = match query.namespace() {
            Some(namespace) => slot.namespaces.get_key_value(namespace).into_iter().collect(),
            None => slot.namespaces.iter().collect(),
        };
        let records = namespaces.into_iter().flat_map(|(namespace, keys)| {
            keys.iter().map(move |(key, entry)| Stored { instance_id, namespace, key, entry })
        });
        Ok(query.run(records))
    }
}
