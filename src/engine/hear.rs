//! What other copies of a store commit, turned from what a driver hears
//! into changes for the store's index.

use super::codec;
use super::driver::Heard;
use super::layout::{self, ItemKey};
use super::load::decode_item;
use crate::backend::Remote;
use crate::id::Uuid;
use crate::model::Change;

/// The changes behind `heard`. A message that is not a batch of this
/// format (a newer or foreign sender) and an item that does not decode say
/// nothing: the receiver ignores them rather than guess, and the next open
/// reports a damaged item.
pub fn remotes(heard: Heard) -> Vec<Remote> {
    match heard {
        Heard::Batch(message) => codec::decode_changes(&message)
            .map(|changes| changes.into_iter().map(|(change, stored)| Remote::Changed { change, stored }).collect())
            .unwrap_or_default(),
        Heard::Items(items) => items.into_iter().filter_map(|(key, text)| item(&key, text)).collect(),
        Heard::Cleared => vec![Remote::Cleared],
    }
}

/// The change one item's new text (or its removal) stands for.
fn item(key: &str, text: Option<String>) -> Option<Remote> {
    let change = match (layout::decode(key)?, text) {
        (ItemKey::Meta | ItemKey::Versions, _) => return None,
        (_, Some(text)) => return decode_item(key, &text).ok().map(|change| Remote::Changed { change, stored: Some(text) }),
        (ItemKey::Instance(id), None) => Change::DeleteInstance(Uuid::parse(&id)?),
        (ItemKey::Record { instance_id, namespace, key }, None) => {
            Change::DeleteRecord { instance_id: Uuid::parse(&instance_id)?, namespace, key }
        }
    };
    Some(Remote::Changed { change, stored: None })
}
