//! Cursors: the `cursor` of a result, given back as the `after` of the next
//! query. A cursor holds a place in the query's order, never a count: the
//! order keys, namespace and key of the page's last row. The next page is
//! the matches that sort after that place, so a record present and
//! unchanged for both queries is on exactly one of the two pages, whatever
//! was written or deleted in between; a count would shift under every
//! write before it.
//!
//! The text is base64url, without padding, of three parts:
//!
//! - `check`, 8 bytes: the start of a SHA-256 over a format tag and the two
//!   parts after it, so a cursor that was cut short, altered or made by
//!   something else is refused rather than read as another place. It is no
//!   secret: a crafted cursor can only name a place to continue after.
//! - `query`, 8 bytes: the query's identity (see `identity`), so a query with
//!   another `from`, `where` or `orderBy`, which matches or orders
//!   differently, refuses the cursor with a sentence saying so.
//! - the place (see `bytes`): the namespace, the key, then per order key
//!   a flag saying whether the record has the field and, when it does, the
//!   field's JSON text. Each value is parsed on its own, so it nests no
//!   deeper than in the record it was read from, and parses wherever that did.

mod base64url;
mod bytes;
mod identity;

use serde_json::Value as Json;
use sha2::{Digest, Sha256};

use super::Query;
use super::eval::Place;
use crate::error::{Error, Result};
use bytes::{Reader, Writer};

/// Names the format in the check, so a later format refuses this one's
/// cursors instead of misreading them.
const FORMAT: &[u8] = b"boltkv cursor 1\n";

/// A place read from a cursor: what the next page continues after.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Position {
    keys: Vec<Option<Json>>,
    namespace: String,
    key: String,
}

impl Position {
    /// The place, to compare records with.
    pub(super) fn place(&self) -> Place<'_> {
        Place { keys: &self.keys, namespace: &self.namespace, key: &self.key }
    }
}

/// The cursor of a page of `query` whose last row stands at `place`.
pub(super) fn make(query: &Query, place: Place<'_>) -> Result<String> {
    let mut form = Writer::default();
    form.text(place.namespace);
    form.text(place.key);
    for key in place.keys {
        form.flag(key.is_some());
        if let Some(value) = key {
            form.json(value)?;
        }
    }
    let mut body = identity::of(query)?.to_vec();
    body.extend(form.into_bytes());
    let mut bytes = check(&body).to_vec();
    bytes.extend(body);
    Ok(base64url::encode(&bytes))
}

/// The place `cursor` holds, when it is a cursor boltkv made for `query`
/// (or one with the same identity).
pub(super) fn read(cursor: &str, query: &Query) -> Result<Position> {
    let bytes = base64url::decode(cursor).ok_or_else(not_ours)?;
    let (sum, body) = bytes.split_first_chunk::<8>().ok_or_else(not_ours)?;
    if *sum != check(body) {
        return Err(not_ours());
    }
    let (made_for, place) = body.split_first_chunk::<8>().ok_or_else(not_ours)?;
    if *made_for != identity::of(query)? {
        return Err(invalid(
            "was made by a different query; a cursor continues only the query that gave it (the same from, \
             where and orderBy, while limit and select may change), so pass it with that query, or leave after \
             out to start from the first page.",
        ));
    }
    read_place(place, query.order.len()).ok_or_else(not_ours)
}

/// The place written by `make`, with exactly `order_keys` keys and nothing after.
fn read_place(bytes: &[u8], order_keys: usize) -> Option<Position> {
    let mut form = Reader::new(bytes);
    let namespace = form.text()?;
    let key = form.text()?;
    let keys = (0..order_keys)
        .map(|_| if form.flag()? { form.json().map(Some) } else { Some(None) })
        .collect::<Option<Vec<_>>>()?;
    form.is_done().then_some(Position { keys, namespace, key })
}

/// The check of a cursor's body.
fn check(body: &[u8]) -> [u8; 8] {
    short_hash(FORMAT, body)
}

/// The first 8 bytes of SHA-256 over `tag` and `bytes`: 64 bits, enough to
/// tell apart what an accident or a mix-up could bring together.
fn short_hash(tag: &[u8], bytes: &[u8]) -> [u8; 8] {
    let digest = Sha256::new().chain_update(tag).chain_update(bytes).finalize();
    let mut short = [0; 8];
    for (to, from) in short.iter_mut().zip(digest.iter()) {
        *to = *from;
    }
    short
}

fn not_ours() -> Error {
    invalid(
        "is not a cursor boltkv made, or it was changed or cut short; pass the cursor of an earlier result \
         exactly as it was given, or leave after out to start from the first page.",
    )
}

fn invalid(problem: &str) -> Error {
    Error::InvalidQuery { part: "after".to_string(), problem: problem.to_string() }
}
