//! The host's clock for stores living in JavaScript.

use crate::time::Clock;

/// `Date.now()`: milliseconds since the epoch, UTC.
pub struct DateClock;

impl Clock for DateClock {
    fn now_ms(&self) -> i64 {
        // Date.now() is an integer well inside i64; `as` cannot wrap here.
        js_sys::Date::now() as i64
    }
}
