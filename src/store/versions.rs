//! Record versions where storage cannot count them.
//!
//! Storage with transactions (IndexedDB, localStorage through its one
//! writer, Durable Objects) keeps a version counter and every commit reads
//! and raises it (`engine/decide/`), so versions are unique across every
//! copy of a store. Workers KV has no transaction to read and raise a
//! counter in, and copies of a store in different isolates never hear each
//! other, so they cannot agree on the next number. There a version is
//! drawn from the store's clock instead, a hybrid logical clock: the
//! milliseconds since [`EPOCH_MS`] times [`PER_MS`], plus random low bits,
//! and never below what this copy handed out or saw plus one (the commit
//! queue's `Shared::take_version` keeps that). So within one copy versions
//! strictly grow, and across copies they follow the time of the write:
//! a write made a millisecond or more after another (by synchronised
//! clocks) gets the greater version, and two copies writing in the same
//! millisecond draw the same version only by a 1-in-1024 chance.

use crate::id::Uuid;
use crate::time::Timestamp;

/// The start of the clock's count: 2025-01-01T00:00:00Z. Counting from
/// here rather than from 1970 keeps the versions safe integers for 278
/// years (until September 2303) with 10 random bits.
pub const EPOCH_MS: i64 = 1_735_689_600_000;

/// Versions per millisecond of the clock: 10 random bits.
pub const PER_MS: u64 = 1024;

/// The largest integer JavaScript numbers hold exactly.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// The version a write at `now` draws from the clock, its low bits from
/// the random id `random`; `None` once the clock is too late for a safe
/// integer. A clock before the epoch draws from 0.
pub fn drawn(now: Timestamp, random: Uuid) -> Option<u64> {
    let since = u64::try_from(now.0.saturating_sub(EPOCH_MS)).unwrap_or(0);
    let [.., high, low] = random.0;
    let bits = u64::from(u16::from_be_bytes([high, low])) % PER_MS;
    since.checked_mul(PER_MS)?.checked_add(bits).filter(|v| *v <= MAX_SAFE_INTEGER)
}

/// What a new version must exceed: the key's `previous` version and, for
/// a version drawn from the clock, one below `drawn`.
pub fn after(previous: Option<u64>, drawn: Option<u64>) -> Option<u64> {
    previous.max(drawn.and_then(|v| v.checked_sub(1)))
}

/// `version` if JavaScript can hold it exactly.
pub fn safe(version: u64) -> Option<u64> {
    (version <= MAX_SAFE_INTEGER).then_some(version)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(low: u16) -> Uuid {
        let mut bytes = [0; 16];
        bytes[14..].copy_from_slice(&low.to_be_bytes());
        Uuid(bytes)
    }

    #[test]
    fn a_drawn_version_is_the_milliseconds_since_the_epoch_times_1024_plus_ten_random_bits() {
        assert_eq!(drawn(Timestamp(EPOCH_MS), id(0)), Some(0));
        assert_eq!(drawn(Timestamp(EPOCH_MS + 1), id(5)), Some(1029));
        assert_eq!(drawn(Timestamp(EPOCH_MS + 1), id(1024 + 5)), Some(1029), "only the low 10 bits count");
        assert_eq!(drawn(Timestamp(EPOCH_MS + 2), id(1023)), Some(2 * 1024 + 1023));
        assert_eq!(drawn(Timestamp(0), id(7)), Some(7), "a clock before the epoch draws from 0");
    }

    #[test]
    fn versions_drawn_a_millisecond_apart_grow_whatever_their_random_bits() {
        let at = Timestamp(1_800_000_000_000);
        let later = Timestamp(at.0 + 1);
        assert!(drawn(later, id(0)) > drawn(at, id(1023)));
    }

    #[test]
    fn drawn_versions_stay_safe_integers_until_september_2303_and_are_refused_after() {
        // 2303-09-01T00:00:00Z and 2304-01-01T00:00:00Z.
        let late = drawn(Timestamp(10_529_395_200_000), id(1023));
        assert!(late.is_some_and(|v| v <= MAX_SAFE_INTEGER), "{late:?}");
        assert_eq!(drawn(Timestamp(10_539_936_000_000), id(0)), None);
        assert_eq!(drawn(Timestamp(i64::MAX), id(0)), None);
    }

    #[test]
    fn a_new_version_exceeds_the_previous_one_and_one_below_the_drawn_one() {
        assert_eq!(after(None, None), None);
        assert_eq!(after(Some(9), None), Some(9));
        assert_eq!(after(None, Some(5000)), Some(4999));
        assert_eq!(after(Some(9000), Some(5000)), Some(9000), "never below a version already seen");
        assert_eq!(after(Some(3), Some(0)), Some(3), "a drawn 0 asks for nothing");
    }

    #[test]
    fn only_safe_integers_are_versions() {
        assert_eq!(safe(MAX_SAFE_INTEGER), Some(MAX_SAFE_INTEGER));
        assert_eq!(safe(MAX_SAFE_INTEGER + 1), None);
    }
}
