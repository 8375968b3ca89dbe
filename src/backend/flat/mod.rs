//! The layout of a store in a flat, async key-value storage such as Workers
//! KV or Durable Object storage: one string item per instance and per record,
//! holding its `codec` document, plus a meta item holding the format version.
//!
//! Item keys are `item_key`'s (so they share its prefix per store and its
//! injectivity), except that those over [`keys::MAX_KEY_BYTES`] are stored
//! under a hash (see `keys`). The pieces here are pure, so they are tested
//! natively; the backend that talks to the storage is `backend::adapter`.

pub mod keys;
pub mod load;
pub mod plan;
