//! One driver per platform, each talking to that platform only, below the
//! storage engine (`engine::Driver`): IndexedDB, localStorage, and adapters
//! (Workers KV, Durable Objects, any async key-value store), plus the
//! `BroadcastChannel` that tells other tabs of IndexedDB commits. All of
//! them exist in wasm32 only.

mod adapter;
mod indexeddb;
mod local_storage;
mod tabs;
mod timer;

pub use adapter::{AdapterBackend, Plugged, split_options};
pub use indexeddb::{IndexedDbBackend, IndexedDbDriver};
pub use local_storage::{LocalStorageBackend, LocalStorageDriver};
