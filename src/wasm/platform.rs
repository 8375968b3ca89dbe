//! The host's clock for stores living in JavaScript.

use crate::time::Clock;

/// `Date.now()`: milliseconds since the epoch, UTC.
pub struct DateClock;

impl Clock for DateClock {
    #[expect(clippy::cast_possible_truncation, reason = "Date.now() is an integer well inside i64")]
    fn now_ms(&self) -> i64 {
        js_sys::Date::now() as i64
    }
}
