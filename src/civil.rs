//! Proleptic Gregorian calendar arithmetic on day counts relative to 1970-01-01.
//!
//! The conversions are Howard Hinnant's `days_from_civil` / `civil_from_days` algorithms
//! (public domain, <https://howardhinnant.github.io/date_algorithms.html>), written here with
//! Euclidean division so they hold for every year an `HTTP-date` can carry and far beyond.
//!
//! No arithmetic here can overflow, by the parameter types: a year is a `u16`, a month and day
//! are `u32`s the callers took from two ASCII digits, and a day count comes from an `i64` count
//! of seconds through [`split_secs`], so `|days| < 1.1e14` and every intermediate stays below
//! `2^50`. `tests::extremes` runs every function at the ends of those domains with overflow
//! checks on.
#![allow(clippy::arithmetic_side_effects)] // bounded by the types, as proved above

/// Seconds in a day.
pub(crate) const SECS_PER_DAY: i64 = 86_400;

/// Whether `year` is a leap year of the Gregorian calendar.
pub(crate) const fn is_leap(year: u16) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

/// Days in `month` (1-12) of `year`; 0 for a month outside 1-12.
pub(crate) const fn days_in_month(year: u16, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days from 1970-01-01 to `year`-`month`-`day`, for `month` 1-12 and `day` 1-99.
pub(crate) const fn days_from_civil(year: u16, month: u32, day: u32) -> i64 {
    let year = year as i64;
    let (month, day) = (month % 13, (day % 100) as i64); // callers pass 1-12 and 1-31
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400; // [0, 399]
    let mp = if month > 2 { month - 3 } else { month + 9 } as i64; // March = 0
    let doy = (153 * mp + 2) / 5 + day - 1; // [0, 365] for a real date
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

/// The (day count since 1970-01-01, second of the day) of an instant.
pub(crate) const fn split_secs(secs: i64) -> (i64, i64) {
    (secs.div_euclid(SECS_PER_DAY), secs.rem_euclid(SECS_PER_DAY))
}

/// The instant of second `sod` of day `days`, or `None` past the `i64` range.
pub(crate) const fn join_secs(days: i64, sod: i64) -> Option<i64> {
    match days.checked_mul(SECS_PER_DAY) {
        Some(start) => start.checked_add(sod),
        None => None,
    }
}

/// The (year, month, day) of the day `days` after 1970-01-01, `days` from [`split_secs`].
pub(crate) const fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097; // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32; // [1, 31]
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32; // [1, 12]
    let year = yoe + era * 400 + if month <= 2 { 1 } else { 0 };
    (year, month, day)
}

/// Day of the week of the day `days` after 1970-01-01: 0 = Monday ... 6 = Sunday.
pub(crate) const fn weekday(days: i64) -> u32 {
    // 1970-01-01 was a Thursday (3).
    (days.rem_euclid(7) as u32 + 3) % 7
}

/// The last digit of `value / unit`, as ASCII; `value` and `unit` positive.
pub(crate) const fn ascii_digit(value: i64, unit: i64) -> u8 {
    b'0' + (value / unit % 10) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(1, 1, 1), -719_162);
        assert_eq!(days_from_civil(9999, 12, 31), 2_932_896);
        assert_eq!(weekday(days_from_civil(1, 1, 1)), 0); // Monday
        assert_eq!(weekday(days_from_civil(1994, 11, 6)), 6); // Sunday
    }

    #[test]
    fn round_trip_every_day_of_years_0001_to_9999() {
        let (first, last) = (days_from_civil(1, 1, 1), days_from_civil(9999, 12, 31));
        let mut expected = (1u16, 1, 1);
        for days in first..=last {
            assert_eq!(
                civil_from_days(days),
                (i64::from(expected.0), expected.1, expected.2)
            );
            assert_eq!(days_from_civil(expected.0, expected.1, expected.2), days);
            let (y, m, d) = expected;
            expected = if d < days_in_month(y, m) {
                (y, m, d + 1)
            } else if m < 12 {
                (y, m + 1, 1)
            } else {
                (y + 1, 1, 1)
            };
        }
    }

    /// Every function at the ends of its domain, with overflow checks on (test builds).
    #[test]
    fn extremes() {
        for secs in [i64::MIN, i64::MIN + 1, -1, 0, i64::MAX - 1, i64::MAX] {
            let (days, sod) = split_secs(secs);
            assert!((0..SECS_PER_DAY).contains(&sod));
            // At the very bottom of i64, days * 86400 alone overflows: join refuses (None).
            let joined = join_secs(days, sod);
            assert!(joined == Some(secs) || (secs < i64::MIN + SECS_PER_DAY && joined.is_none()));
            let (year, month, day) = civil_from_days(days);
            assert!((1..=12).contains(&month) && (1..=31).contains(&day));
            assert!(year.unsigned_abs() < 300_000_000_000);
            assert!(weekday(days) < 7);
        }
        for year in [0, 1, 9999, u16::MAX] {
            for (month, day) in [(0, 0), (1, 1), (12, 31), (13, 99), (u32::MAX, u32::MAX)] {
                let days = days_from_civil(year, month, day);
                assert!(days.unsigned_abs() < 30_000_000, "{year}-{month}-{day}");
            }
        }
        assert_eq!(join_secs(i64::MAX / SECS_PER_DAY + 1, 0), None);
        assert_eq!(ascii_digit(1994, 100), b'9');
    }

    #[test]
    fn leap_years() {
        assert!(is_leap(2000) && is_leap(2024) && is_leap(4));
        assert!(!is_leap(1900) && !is_leap(2100) && !is_leap(2023));
        assert_eq!(days_in_month(1900, 2), 28);
        assert_eq!(days_in_month(2000, 2), 29);
        assert_eq!(days_in_month(2000, 13), 0);
    }
}
