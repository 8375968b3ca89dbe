//! One driver per platform, each talking to that platform only, below the
//! storage engine (`engine::Driver`): IndexedDB, localStorage, and adapters
//! (Workers KV, Durable Objects, any async key-value store), plus the
//! `BroadcastChannel` that tells other tabs of IndexedDB commits. All of
//! them exist in wasm32 only, each in the builds whose feature names it
//! (`browser`, `edge`; see `Cargo.toml`).

#[cfg(feature = "edge")]
mod adapter;
#[cfg(feature = "browser")]
mod indexeddb;
#[cfg(feature = "browser")]
mod local_storage;
#[cfg(feature = "browser")]
mod tabs;
mod timer;

#[cfg(feature = "edge")]
pub use adapter::{AdapterBackend, Plugged, split_options};
#[cfg(feature = "browser")]
pub use indexeddb::{IndexedDbBackend, IndexedDbDriver};
#[cfg(feature = "browser")]
pub use local_storage::{LocalStorageBackend, LocalStorageDriver};
