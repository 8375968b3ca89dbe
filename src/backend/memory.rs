//! The default backend: the store's own index is the data, and it lives as
//! long as the store object. Nothing is written anywhere else.

use super::{Backend, Committed, Guard, LocalBoxFuture, Snapshot};
use crate::error::StorageError;
use crate::model::Change;

/// Keeps records in memory only; they are gone when the store is dropped.
#[derive(Debug, Default, Clone, Copy)]
pub struct MemoryBackend;

impl Backend for MemoryBackend {
    fn persists(&self) -> bool {
        false
    }

    fn load(&self) -> LocalBoxFuture<'_, Result<Snapshot, StorageError>> {
        Box::pin(std::future::ready(Ok(Snapshot::default())))
    }

    fn commit(&self, _changes: Vec<Change>, _guards: Vec<Guard>) -> LocalBoxFuture<'static, Result<Committed, StorageError>> {
        Box::pin(std::future::ready(Ok(Committed::default())))
    }
}
