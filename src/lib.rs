//! boltkv: the `codebolt.kvStore` API (instances > namespaces > keys, JSON
//! values, createdAt/updatedAt timestamps) as a Rust key-value store that
//! ships as WebAssembly for browsers and edge runtimes.
//!
//! The crate is a pure-Rust core, tested natively, plus (on wasm32 only) a
//! thin `wasm` module that converts JavaScript arguments and answers.
//! Reads answer from an in-memory index; a [`Backend`] makes writes durable
//! in batches: the storage [`Engine`] over a [`Driver`] per platform.

// Lints: no unsafe code; no panicking shortcut on a path that JavaScript
// input or stored data can reach (tests may use them); and the pedantic
// lints that keep the code plain. `scripts/test.sh` runs clippy with
// warnings as errors on both targets.
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::string_slice)
)]
#![deny(clippy::todo, clippy::unimplemented, clippy::dbg_macro, clippy::print_stdout)]
#![warn(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap,
    clippy::cast_lossless,
    clippy::explicit_iter_loop,
    clippy::manual_let_else,
    clippy::match_same_arms,
    clippy::redundant_closure_for_method_calls,
    clippy::semicolon_if_nothing_returned,
    clippy::uninlined_format_args,
    clippy::unused_self
)]

mod backend;
mod commit;
mod engine;
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

pub use backend::{Backend, ChangeSink, Guard, LocalBoxFuture, MemoryBackend, Remote, Snapshot};
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
pub use backend::{IndexedDbBackend, IndexedDbDriver, LocalStorageBackend, LocalStorageDriver};
pub use engine::layout;
pub use engine::{Commit, Decide, Driver, Engine, Found, Heard, Hearing, Restore, Step, Writes};
pub use commit::Pending;
pub use error::{Error, Field, Result, StorageError};
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
