//! A query's identity, which its cursors carry: a hash of what decides
//! which records match and in what order, taken from the parsed query so
//! that spellings do not count (`order` and `orderBy`, `=` and `eq`, `from`
//! and the top-level `instance` are one query). `limit`, `offset`, `after`
//! and `select` are left out: a page may be longer or shorter, or pick other
//! fields, and still continue the same walk.

use serde_json::Value as Json;

use super::bytes::Writer;
use super::short_hash;
use crate::error::Result;
use crate::query::{Bound, Query, Test};

/// Names what is hashed, so that no other hash of the store means the same.
const TAG: &[u8] = b"boltkv query 1\n";

/// The identity of `query`.
pub(super) fn of(query: &Query) -> Result<[u8; 8]> {
    let mut form = Writer::default();
    form.text(&query.instance);
    form.flag(query.namespace.is_some());
    if let Some(namespace) = &query.namespace {
        form.text(namespace);
    }
    form.count(query.conditions.len());
    for condition in &query.conditions {
        form.text(&condition.field.spelling());
        test(&mut form, &condition.test)?;
    }
    form.count(query.order.len());
    for key in &query.order {
        form.text(&key.field.spelling());
        form.flag(key.descending);
    }
    Ok(short_hash(TAG, &form.into_bytes()))
}

/// A test as its operator's own spelling, then its operand.
fn test(form: &mut Writer, test: &Test) -> Result<()> {
    match test {
        Test::OneOf(choices) => {
            form.text("in");
            form.count(choices.len());
            choices.iter().try_for_each(|choice| form.json(choice))
        }
        Test::Exists(present) => {
            form.text("exists");
            form.flag(*present);
            Ok(())
        }
        Test::Equals(operand) => compares(form, "eq", operand),
        Test::Differs(operand) => compares(form, "neq", operand),
        Test::Compares(Bound::Greater, operand) => compares(form, "gt", operand),
        Test::Compares(Bound::GreaterOrEqual, operand) => compares(form, "gte", operand),
        Test::Compares(Bound::Less, operand) => compares(form, "lt", operand),
        Test::Compares(Bound::LessOrEqual, operand) => compares(form, "lte", operand),
        Test::Contains(operand) => compares(form, "contains", operand),
        Test::StartsWith(operand) => compares(form, "startsWith", operand),
        Test::EndsWith(operand) => compares(form, "endsWith", operand),
    }
}

/// An operator with one operand.
fn compares(form: &mut Writer, operator: &str, operand: &Json) -> Result<()> {
    form.text(operator);
    form.json(operand)
}
