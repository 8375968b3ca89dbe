//! Timestamps: milliseconds since the Unix epoch, shown as ISO-8601 UTC with
//! milliseconds, the form JavaScript's `Date.prototype.toISOString` gives.
//! Time enters the store only through [`Clock`], so native tests can fix it.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::{Error, Result};

/// A point in time, in milliseconds since 1970-01-01T00:00:00Z. Displays as
/// ISO-8601 (`2026-12-02T00:43:09.478Z`) and converts to and from
/// [`SystemTime`].
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

/// Where the store reads the current time.
pub trait Clock {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> i64;
}

/// The host's wall clock: `SystemTime` natively, `Date.now()` in a
/// JavaScript host (where `SystemTime::now` is not available).
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
impl Clock for SystemClock {
    #[expect(clippy::cast_possible_truncation, reason = "Date.now() is an integer well inside i64")]
    fn now_ms(&self) -> i64 {
        js_sys::Date::now() as i64
    }
}

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        // Only a clock set 292 million years away is out of range.
        Timestamp::try_from(SystemTime::now()).map_or(i64::MAX, |now| now.0)
    }
}

/// To the millisecond, rounding toward the past (as `Date` does).
impl TryFrom<SystemTime> for Timestamp {
    type Error = Error;

    fn try_from(time: SystemTime) -> Result<Timestamp> {
        let ms = match time.duration_since(UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_millis()).ok(),
            Err(before) => {
                let span = before.duration();
                let partial = u128::from(span.subsec_nanos() % 1_000_000 != 0);
                i64::try_from(span.as_millis() + partial).ok().map(|ms| -ms)
            }
        };
        ms.map(Timestamp).ok_or_else(|| Error::InvalidArgument {
            name: "time".to_string(),
            problem: "is too far from 1970 to count in milliseconds as an i64.".to_string(),
        })
    }
}

/// Fails only where the platform's `SystemTime` cannot hold the instant
/// (Windows' starts in 1601).
impl TryFrom<Timestamp> for SystemTime {
    type Error = Error;

    fn try_from(timestamp: Timestamp) -> Result<SystemTime> {
        let span = Duration::from_millis(timestamp.0.unsigned_abs());
        let time = if timestamp.0 >= 0 { UNIX_EPOCH.checked_add(span) } else { UNIX_EPOCH.checked_sub(span) };
        time.ok_or_else(|| Error::InvalidArgument {
            name: "timestamp".to_string(),
            problem: format!("{timestamp} is outside the times std::time::SystemTime holds on this platform."),
        })
    }
}

impl Timestamp {
    /// The later of `self` and one millisecond after `previous`: an overwrite
    /// always moves `updatedAt` forward, even within one millisecond or when
    /// the wall clock steps back.
    pub fn after(self, previous: Timestamp) -> Timestamp {
        self.max(Timestamp(previous.0.saturating_add(1)))
    }
}

/// Days since 1970-01-01 to a (year, month, day) civil date.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

impl Timestamp {
    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` for years 0000 to 9999, built without the
    /// formatting machinery (every envelope carries timestamps); `None`
    /// outside those years.
    #[expect(clippy::cast_sign_loss, reason = "`number % 10` is a digit of a number 0 or more")]
    pub(crate) fn to_text(self) -> Option<[u8; 24]> {
        let days = self.0.div_euclid(86_400_000);
        let ms_of_day = self.0.rem_euclid(86_400_000);
        let (year, month, day) = civil_from_days(days);
        if !(0..=9999).contains(&year) {
            return None;
        }
        let mut out = *b"0000-00-00T00:00:00.000Z";
        let fields = [(0, 4, year), (5, 2, month), (8, 2, day), (11, 2, ms_of_day / 3_600_000)];
        let more = [(14, 2, ms_of_day / 60_000 % 60), (17, 2, ms_of_day / 1000 % 60), (20, 3, ms_of_day % 1000)];
        for (at, width, mut number) in fields.into_iter().chain(more) {
            for slot in out.iter_mut().skip(at).take(width).rev() {
                // `number % 10` is a digit 0..=9.
                *slot = b'0' + (number % 10) as u8;
                number /= 10;
            }
        }
        Some(out)
    }

    /// Calls `f` with the instant as text (ASCII, needing no JSON escapes):
    /// `to_text`'s for years 0000 to 9999, else JavaScript's six-digit
    /// signed year. Display, records and the envelope all write times
    /// through here.
    pub(crate) fn with_text<R>(self, f: impl FnOnce(&str) -> R) -> R {
        match self.to_text().as_ref().map(|text| std::str::from_utf8(text)) {
            Some(Ok(text)) => f(text),
            // `to_text` writes ASCII only, so `from_utf8` cannot fail; were
            // it to, the wide form names the same instant.
            Some(Err(_)) | None => f(&self.wide()),
        }
    }

    /// `±YYYYYY-MM-DDTHH:MM:SS.mmmZ`, the form JavaScript gives years
    /// outside 0000..=9999.
    fn wide(self) -> String {
        let days = self.0.div_euclid(86_400_000);
        let ms_of_day = self.0.rem_euclid(86_400_000);
        let (year, month, day) = civil_from_days(days);
        let sign = if year < 0 { '-' } else { '+' };
        format!(
            "{sign}{:06}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
            year.unsigned_abs(),
            ms_of_day / 3_600_000,
            ms_of_day / 60_000 % 60,
            ms_of_day / 1000 % 60,
            ms_of_day % 1000
        )
    }
}

impl Timestamp {
    /// Reads `YYYY-MM-DDTHH:MM:SS.mmmZ`, the form [`Timestamp`] displays for
    /// years 0000 to 9999 (an export's times, read back by an import);
    /// `None` for anything else, including impossible dates, so that a
    /// damaged file is refused rather than read as another instant.
    pub fn parse(text: &str) -> Option<Timestamp> {
        let bytes = text.as_bytes();
        if bytes.len() != 24 || !bytes.iter().zip(b"0000-00-00T00:00:00.000Z").all(|(b, f)| if *f == b'0' { b.is_ascii_digit() } else { b == f }) {
            return None;
        }
        let number = |from: usize, to: usize| text.get(from..to).and_then(|digits| digits.parse::<i64>().ok());
        let (year, month, day) = (number(0, 4)?, number(5, 7)?, number(8, 10)?);
        let (hour, minute, second, ms) = (number(11, 13)?, number(14, 16)?, number(17, 19)?, number(20, 23)?);
        if hour > 23 || minute > 59 || second > 59 {
            return None;
        }
        let days = days_from_civil(year, month, day)?;
        Some(Timestamp(days * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + ms))
    }
}

/// A (year, month, day) civil date to days since 1970-01-01; `None` for a
/// month or day that does not exist (the inverse of [`civil_from_days`]).
fn days_from_civil(year: i64, month: i64, day: i64) -> Option<i64> {
    if !(1..=12).contains(&month) || day < 1 {
        return None;
    }
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    // A day past the month's end lands in the next month: refused.
    (civil_from_days(days) == (year, month, day)).then_some(days)
}

impl fmt::Display for Timestamp {
    /// `YYYY-MM-DDTHH:MM:SS.mmmZ`, with JavaScript's six-digit signed year
    /// outside 0000..=9999.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.with_text(|text| f.write_str(text))
    }
}

/// `Timestamp(2026-12-02T00:43:09.478Z)`: the instant, readable.
impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({self})")
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.with_text(|text| serializer.serialize_str(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_to_iso_string() {
        assert_eq!(Timestamp(0).to_string(), "1970-01-01T00:00:00.000Z");
        assert_eq!(Timestamp(1_795_638_758_123).to_string(), "2026-11-25T20:32:38.123Z");
        assert_eq!(Timestamp(951_782_400_000).to_string(), "2000-02-29T00:00:00.000Z");
        assert_eq!(Timestamp(-1).to_string(), "1969-12-31T23:59:59.999Z");
        assert_eq!(Timestamp(253_402_300_800_000).to_string(), "+010000-01-01T00:00:00.000Z");
        assert_eq!(Timestamp(-62_198_755_200_000).to_string(), "-000001-01-01T00:00:00.000Z");
    }

    #[test]
    fn converts_to_and_from_system_time() {
        for ms in [0, 1, 1_796_172_189_478, -1, -62_198_755_200_000] {
            let time = SystemTime::try_from(Timestamp(ms));
            assert_eq!(time.as_ref().ok().map(|t| Timestamp::try_from(*t)), Some(Ok(Timestamp(ms))), "{ms}");
        }
        let later = UNIX_EPOCH + Duration::from_millis(1_796_172_189_478);
        assert_eq!(SystemTime::try_from(Timestamp(1_796_172_189_478)), Ok(later));
        let sub_ms = Duration::from_micros(1_500);
        assert_eq!(Timestamp::try_from(UNIX_EPOCH + sub_ms), Ok(Timestamp(1)), "toward the past");
        assert_eq!(Timestamp::try_from(UNIX_EPOCH - sub_ms), Ok(Timestamp(-2)), "toward the past");
    }

    #[test]
    fn parses_what_it_displays_and_nothing_else() {
        for ms in [0, 1, 1_795_638_758_123, 951_782_400_000, -1, 253_402_300_799_999, -62_167_219_200_000] {
            assert_eq!(Timestamp::parse(&Timestamp(ms).to_string()), Some(Timestamp(ms)), "{ms}");
        }
        for bad in ["2026-02-29T00:00:00.000Z", "2026-13-01T00:00:00.000Z", "2026-01-01T24:00:00.000Z", "2026-01-01T00:00:00Z", "2026-01-01 00:00:00.000Z", "+010000-01-01T00:00:00.000Z", "２026-01-01T00:00:00.000Z", ""] {
            assert_eq!(Timestamp::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn debug_shows_the_instant() {
        assert_eq!(format!("{:?}", Timestamp(1_796_172_189_478)), "Timestamp(2026-12-02T00:43:09.478Z)");
    }

    #[test]
    fn after_moves_forward_by_at_least_one_millisecond() {
        assert_eq!(Timestamp(10).after(Timestamp(10)), Timestamp(11));
        assert_eq!(Timestamp(5).after(Timestamp(10)), Timestamp(11));
        assert_eq!(Timestamp(20).after(Timestamp(10)), Timestamp(20));
    }
}
