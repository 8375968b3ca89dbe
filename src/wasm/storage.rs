//! Where a JavaScript store keeps its records, as `kvStore.storage` shows
//! it: the backend it was opened on (which is memory when the chosen one
//! was unavailable and `fallback: 'memory'` allowed that), and what the
//! backend could not load.

use serde::Serialize;

use super::options::{Fallback, Opening};
use crate::backend::{Backend, MemoryBackend};
use crate::error::{Error, StorageError};

/// The value of `kvStore.storage`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Storage {
    /// `open`'s spelling of the backend in use.
    backend: &'static str,
    /// The store's name (its database, or its localStorage prefix).
    name: String,
    /// Why the chosen backend was not used, when the store fell back to memory.
    #[serde(skip_serializing_if = "Option::is_none")]
    fallback_reason: Option<String>,
    /// One sentence per stored item left out when the store opened.
    pub skipped: Vec<String>,
}

/// The memory backend, asked for.
pub fn memory(opening: &Opening) -> (Box<dyn Backend>, Storage) {
    (Box::new(MemoryBackend), Storage::new("memory", opening, None))
}

/// The backend `kind` (`open`'s spelling) as opened, or memory when it is
/// unavailable and the caller allowed that fallback.
pub fn chosen<B: Backend + 'static>(
    kind: &'static str,
    opening: &Opening,
    opened: Result<B, StorageError>,
) -> Result<(Box<dyn Backend>, Storage), Error> {
    match opened {
        Ok(backend) => Ok((Box::new(backend), Storage::new(kind, opening, None))),
        Err(e @ StorageError::Unavailable(_)) if opening.fallback == Some(Fallback::Memory) => {
            let reason = format!("{e} The records are kept in memory only.");
            Ok((Box::new(MemoryBackend), Storage::new("memory", opening, Some(reason))))
        }
        Err(e) => Err(Error::Storage(e)),
    }
}

impl Storage {
    fn new(backend: &'static str, opening: &Opening, fallback_reason: Option<String>) -> Storage {
        Storage { backend, name: opening.name.clone(), fallback_reason, skipped: Vec::new() }
    }
}
