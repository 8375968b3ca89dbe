//! Live queries: what part of the store a query reads, so that it runs
//! again only after a change there (see `KvStore::watch_query`).

use super::Selector;
use crate::query::Query;

/// The selector covering every change that can alter `query`'s result:
/// its instance, its namespace, and its key or key prefix when its
/// conditions name them.
pub fn scope_of(query: &Query) -> Selector {
    let (key, key_prefix) = query.key_scope();
    Selector { instance: Some(query.instance().to_string()), namespace: query.namespace().map(str::to_string), key, key_prefix }
}
