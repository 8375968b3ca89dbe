//! The typed Rust API in a few lines, on the memory backend: a struct in,
//! the same struct out, with the record's id and creation time as
//! JavaScript shows them. `cargo run --example quickstart` (the test command
//! runs it too).

// The snippet is the README's, as a newcomer writes it: `default()` keeps
// working should the memory backend ever take options.
#![allow(clippy::default_constructed_unit_structs)]

use boltkv::{Config, KvStore, MemoryBackend};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)] struct Theme { mode: String }

fn main() -> Result<(), boltkv::Error> {
    futures::executor::block_on(async {
        let store = KvStore::open(Box::new(MemoryBackend::default()), Config::system()?).await?;
        let record = store.set("app", "settings", "theme", &Theme { mode: "dark".into() }, true).await?;
        println!("{} at {}", record.id, record.created_at);            // a UUID and an ISO time
        let theme: Option<Theme> = store.get("app", "settings", "theme")?;
        println!("theme: {}", theme.map_or("none".to_string(), |t| t.mode));
        Ok(())
    })
}
