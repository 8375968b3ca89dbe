//! boltkv: the `codebolt.kvStore` API (instances > namespaces > keys, JSON
//! values, createdAt/updatedAt timestamps) as a Rust key-value store that
//! ships as WebAssembly for browsers and edge runtimes.
//!
//! The crate is a pure-Rust core, tested natively, plus (on wasm32 only) a
//! thin `wasm` module that converts JavaScript arguments and answers.
//! Reads answer from an in-memory index; a [`Backend`] makes writes durable
//! in batches.

mod backend;
mod commit;
pub mod envelope;
mod error;
mod id;
mod index;
mod limits;
mod model;
mod query;
mod store;
mod time;
mod value;

pub use backend::{Backend, ChangeSink, LocalBoxFuture, MemoryBackend, Snapshot, codec};
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
pub use backend::IndexedDbBackend;
pub use backend::item_key;
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
pub use backend::LocalStorageBackend;
pub use commit::Pending;
pub use error::{Error, ErrorCode, Field, Result, StorageError};
pub use id::{IdSource, RandomIds, Uuid};
pub use limits::Limits;
pub use model::{Change, Instance, Record};
pub use query::{Query, QueryResult, Row};
pub use store::{Config, InstanceUpdate, KvStore};
pub use time::{Clock, Timestamp};
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
pub use time::SystemClock;
pub use value::Value;

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
pub mod wasm;
