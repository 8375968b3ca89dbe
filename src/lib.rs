//! boltkv: the `codebolt.kvStore` API (instances > namespaces > keys, JSON
//! values, `createdAt`/`updatedAt` timestamps) as a Rust key-value store that
//! ships as WebAssembly for browsers and edge runtimes. The same store has a
//! JavaScript face (the `KvStore` class of the npm package, built from the
//! `wasm` module) and the typed Rust API below, native or in wasm.
//!
//! # A first store
//!
//! Values go in as any type serde can write and come out as any type it can
//! read; ids and times print as JavaScript shows them.
//!
//! ```
//! use boltkv::{Config, KvStore, MemoryBackend};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Serialize, Deserialize, Debug, PartialEq)]
//! struct Theme {
//!     mode: String,
//! }
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # futures::executor::block_on(async {
//! let store = KvStore::open(Box::new(MemoryBackend::default()), Config::system()?).await?;
//! let record = store.set("app", "settings", "theme", &Theme { mode: "dark".into() }, true).await?;
//! println!("{} at {}", record.id, record.created_at); // a UUID and an ISO time
//! let theme: Option<Theme> = store.get("app", "settings", "theme")?;
//! assert_eq!(theme, Some(Theme { mode: "dark".into() }));
//! assert_eq!(record.created_at.to_string().len(), "2026-12-02T00:43:09.478Z".len());
//! # Ok(())
//! # })
//! # }
//! ```
//!
//! # Reads answer at once, writes when durable
//!
//! The store keeps its whole index in memory, so reads ([`KvStore::get`],
//! [`KvStore::get_raw`], [`KvStore::query`], [`KvStore::query_as`],
//! [`KvStore::get_instance`], [`KvStore::list_instances`],
//! [`KvStore::get_namespaces`], [`KvStore::get_record_count`]) are plain
//! functions. A write changes memory at once (a read right after sees it)
//! and returns a [`Pending`] future that resolves when the [`Backend`] has
//! made its batch durable; writes issued together share one commit.
//!
//! ```
//! # use boltkv::{Config, KvStore, MemoryBackend};
//! # futures::executor::block_on(async {
//! # let store = KvStore::open(Box::new(MemoryBackend), Config::system()?).await?;
//! let pending = store.set("app", "counters", "visits", &41, true);
//! assert_eq!(store.get::<u32>("app", "counters", "visits")?, Some(41));
//! pending.await?;
//! assert_eq!(store.get_record_count("app", None)?, 1);
//! assert_eq!(store.get_namespaces("app")?, ["counters"]);
//! # Ok::<(), boltkv::Error>(())
//! # }).unwrap();
//! ```
//!
//! # Values
//!
//! A value is stored as JSON text ([`Value`]) on the rules a value from
//! JavaScript meets: a NaN or infinite float, or a map key that is not a
//! string, is refused rather than turned into something else, and the
//! [`Limits`] on size and nesting apply. The raw forms take and give that
//! text: [`KvStore::set_json`] (text), [`KvStore::set_json_value`] (a
//! `serde_json::Value`), [`KvStore::get_raw`] and [`Value::decode`].
//!
//! ```
//! # use boltkv::{Config, Error, KvStore, MemoryBackend};
//! # futures::executor::block_on(async {
//! # let store = KvStore::open(Box::new(MemoryBackend), Config::system()?).await?;
//! let refused = store.set("app", "ns", "ratio", &f64::NAN, true).await;
//! assert!(matches!(refused, Err(Error::InvalidValue(_))));
//!
//! store.set_json("app", "ns", "tags", r#"["a","b"]"#, true).await?;
//! let raw = store.get_raw("app", "ns", "tags")?.expect("stored");
//! assert_eq!(raw.json(), r#"["a","b"]"#);
//! assert_eq!(raw.decode::<Vec<String>>()?, ["a", "b"]);
//!
//! // A value that does not deserialise into the type asked for is an error naming it.
//! let wrong = store.get::<u64>("app", "ns", "tags");
//! assert!(matches!(wrong, Err(Error::WrongType { type_name: "u64", .. })));
//! # Ok::<(), Error>(())
//! # }).unwrap();
//! ```
//!
//! # Queries
//!
//! [`Query::parse`] reads the Query DSL of the JavaScript API; [`KvStore::query`]
//! answers with rows (whole records, or the fields `select` picks), and
//! [`KvStore::query_as`] with records whose values are a Rust type. While
//! matches remain, a result's [`QueryResult::cursor`] continues the walk
//! through [`Query::after`], which neither repeats nor skips a record left
//! unchanged, whatever is written between the pages.
//!
//! ```
//! # use boltkv::{Config, KvStore, MemoryBackend, Query};
//! # futures::executor::block_on(async {
//! # let store = KvStore::open(Box::new(MemoryBackend), Config::system()?).await?;
//! for (key, score) in [("ada", 36), ("alan", 41), ("grace", 85)] {
//!     store.set("app", "scores", key, &score, true).await?;
//! }
//! let query = Query::parse(&serde_json::json!({
//!     "from": { "instance": "app", "namespace": "scores" },
//!     "where": [{ "field": "key", "operator": "startsWith", "value": "a" }],
//!     "orderBy": { "field": "value", "direction": "desc" },
//! }))?;
//! let page = store.query_as::<u32>(&query)?;
//! let scores: Vec<(&str, u32)> = page.records.iter().map(|r| (r.key.as_str(), r.value)).collect();
//! assert_eq!(scores, [("alan", 41), ("ada", 36)]);
//! assert_eq!(page.total, 2);
//! # Ok::<(), boltkv::Error>(())
//! # }).unwrap();
//! ```
//!
//! # Versions, conditional writes, batches, expiry
//!
//! Every record has a `version`; a write can require one
//! ([`SetOptions::if_version`], [`DeleteOptions`]), checked by storage
//! against every writer (other tabs too) in the same step as the write.
//! [`KvStore::batch`] writes all its [`Operation`]s in one commit or none,
//! and [`SetOptions::expire`] makes a record vanish at an instant.
//!
//! ```
//! # use boltkv::{Config, ErrorCode, Expiry, IfVersion, KvStore, MemoryBackend, Operation, Outcome, SetOptions};
//! # futures::executor::block_on(async {
//! # let store = KvStore::open(Box::new(MemoryBackend), Config::system()?).await?;
//! let first = store.set("app", "stats", "visits", &1, true).await?;
//! let only_if = |version| SetOptions { if_version: Some(IfVersion::Is(version)), ..SetOptions::default() };
//! store.set_with("app", "stats", "visits", &2, only_if(first.version)).await?;
//! let stale = store.set_with("app", "stats", "visits", &3, only_if(first.version)).await;
//! assert_eq!(stale.map_err(|e| e.code()).err(), Some(ErrorCode::Conflict));
//!
//! let session = SetOptions { expire: Some(Expiry::In(30 * 60 * 1000)), ..SetOptions::default() };
//! let record = store.set_with("app", "sessions", "s1", &"ada", session).await?;
//! assert!(record.expires_at.is_some());
//!
//! let outcomes = store
//!     .batch(vec![
//!         Operation::Check { instance: "app".into(), namespace: "stats".into(), key: "visits".into(), version: IfVersion::Is(first.version + 1) },
//!         Operation::Delete { instance: "app".into(), namespace: "sessions".into(), key: "s1".into(), if_version: None },
//!     ])
//!     .await?;
//! assert_eq!(outcomes, [Outcome::Checked, Outcome::Deleted(true)]);
//! assert_eq!(store.get_many::<u32>(&[("app", "stats", "visits"), ("app", "sessions", "s1")])?, [Some(2), None]);
//! # Ok::<(), boltkv::Error>(())
//! # }).unwrap();
//! ```
//!
//! # Watching
//!
//! [`KvStore::watch`] calls a closure once per committed batch with the
//! changes a [`Selector`] covers (this store's, and other tabs' on the same
//! browser storage); [`KvStore::watch_query`] calls one with a query's
//! result at once and again whenever a committed change alters it. Each
//! returns a [`Watch`] that stops when dropped.
//!
//! ```
//! # use std::{cell::RefCell, rc::Rc};
//! # use boltkv::{Config, KvStore, MemoryBackend, Query, Selector};
//! # futures::executor::block_on(async {
//! # let store = KvStore::open(Box::new(MemoryBackend), Config::system()?).await?;
//! let totals = Rc::new(RefCell::new(Vec::new()));
//! let seen = totals.clone();
//! let query = Query::parse(&serde_json::json!({ "from": { "instance": "app", "namespace": "cart" } }))?;
//! let live = store.watch_query(query, move |result| seen.borrow_mut().push(result.total))?;
//! store.set("app", "cart", "apple", &2, true).await?;
//! store.set("app", "prefs", "theme", &"dark", false).await?; // outside the query: not run again
//! store.set("app", "cart", "pear", &1, false).await?;
//! assert_eq!(*totals.borrow(), [0, 1, 2]);
//! drop(live);
//! let _everything = store.watch(Selector::default(), |event| println!("{:?}: {} changes", event.origin, event.changes.len()))?;
//! # Ok::<(), boltkv::Error>(())
//! # }).unwrap();
//! ```
//!
//! # Errors
//!
//! Every call fails with an [`Error`], whose `Display` is a sentence a
//! person can act on and whose [`Error::code`] is an [`ErrorCode`] a
//! program can branch on: the same `code` the JavaScript envelope carries.
//!
//! ```
//! # use boltkv::{Config, ErrorCode, KvStore, MemoryBackend};
//! # futures::executor::block_on(async {
//! # let store = KvStore::open(Box::new(MemoryBackend), Config::system()?).await?;
//! let missing = store.set("no-such-app", "ns", "k", &1, false).await.unwrap_err();
//! assert_eq!(missing.code(), ErrorCode::NotFound);
//! assert_eq!(missing.code().as_str(), "NOT_FOUND");
//! store.create_instance("app", None).await?;
//! let taken = store.create_instance("app", None).await.unwrap_err();
//! assert_eq!(taken.code(), ErrorCode::AlreadyExists);
//! assert_eq!(taken.to_string(), r#"An instance named "app" already exists; choose another name."#);
//! # Ok::<(), boltkv::Error>(())
//! # }).unwrap();
//! ```
//!
//! # Times and ids
//!
//! [`Timestamp`] displays as ISO-8601 UTC with milliseconds, as JavaScript's
//! `toISOString` does, and converts to and from [`std::time::SystemTime`];
//! [`Uuid`] displays in the hyphenated form. [`Record`] and [`Instance`]
//! serialize with serde in the shape of the JavaScript envelope.
//!
//! ```
//! use std::time::{Duration, SystemTime, UNIX_EPOCH};
//! use boltkv::Timestamp;
//!
//! let at = Timestamp(1_796_172_189_478);
//! assert_eq!(at.to_string(), "2026-12-02T00:43:09.478Z");
//! let time = SystemTime::try_from(at)?;
//! assert_eq!(time, UNIX_EPOCH + Duration::from_millis(1_796_172_189_478));
//! assert_eq!(Timestamp::try_from(time)?, at);
//! # Ok::<(), boltkv::Error>(())
//! ```
//!
//! # Backends
//!
//! [`MemoryBackend`] keeps records for the life of the store. Every
//! persisting backend is the storage [`Engine`] over a [`Driver`] for one
//! platform: in a browser (wasm32), `IndexedDbBackend::open(name)` and
//! `LocalStorageBackend::open(name)` keep records across reloads and share
//! them with other tabs. Any other storage that keeps text under string
//! keys implements [`Driver`] (scan, commit, and optionally hear what other
//! copies write) and gets the engine's layout, checks and repairs; see
//! `docs/architecture.md`. [`Config`] sets the [`Limits`], the [`Clock`]
//! and the [`IdSource`], so tests can fix time and ids.

// Lints: documented public items; no unsafe code; no panicking shortcut on
// a path that JavaScript input or stored data can reach (tests may use
// them); and the pedantic lints that keep the code plain. `scripts/test.sh`
// runs clippy with warnings as errors on both targets.
#![deny(missing_docs)]
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
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
mod drivers;
mod engine;
pub mod envelope;
mod error;
mod id;
mod index;
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
mod js_text;
mod json_read;
mod limits;
mod model;
mod query;
mod sort;
mod store;
mod time;
mod value;
mod watch;

pub use backend::{Arrival, Backend, ChangeSink, Committed, Expect, Guard, LocalBoxFuture, MemoryBackend, Refused, Remote, Snapshot};
#[cfg(all(target_arch = "wasm32", target_os = "unknown", feature = "browser"))]
pub use drivers::{IndexedDbBackend, IndexedDbDriver, LocalStorageBackend, LocalStorageDriver};
pub use commit::{Pending, Settled};
pub use engine::layout;
pub use engine::{Commit, Decide, Driver, Engine, Found, Heard, Hearing, Message, Restore, Step, Stored, Writes};
pub use error::{Error, ErrorCode, Field, Result, StorageError};
pub use id::{IdSource, RandomIds, Uuid};
pub use limits::Limits;
pub use model::{Change, Instance, Record};
pub use query::{Query, QueryResult, Row};
pub use store::{Config, DeleteOptions, ExportSelector, Expiry, IfVersion, ImportMode, Imported, InstanceUpdate, KvStore, Operation, Outcome, SetOptions};
pub use time::{Clock, SystemClock, Timestamp};
pub use value::Value;
pub use watch::{ChangeEvent, Changed, Origin, Selector, Watch};

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
pub mod wasm;
