//! `HTTP-date`: parse the three formats, format IMF-fixdate (RFC 9110 section 5.6.7).
//!
//! ```text
//! HTTP-date    = IMF-fixdate / obs-date
//! IMF-fixdate  = day-name "," SP date1 SP time-of-day SP GMT   ; Sun, 06 Nov 1994 08:49:37 GMT
//! rfc850-date  = day-name-l "," SP date2 SP time-of-day SP GMT ; Sunday, 06-Nov-94 08:49:37 GMT
//! asctime-date = day-name SP date3 SP time-of-day SP year      ; Sun Nov  6 08:49:37 1994
//! date1 = day SP month SP year ; date2 = day "-" month "-" 2DIGIT ; date3 = month SP ( 2DIGIT / ( SP DIGIT ))
//! time-of-day  = hour ":" minute ":" second                     ; 00:00:00 - 23:59:60 (leap second)
//! ```
//!
//! Names (`Sun`, `Sunday`, `Nov`, `GMT`) are case-sensitive (`%s"..."` in the ABNF), and the
//! day-name must be one of its format's names: three letters in IMF-fixdate and asctime-date, the
//! full name in rfc850-date. It is not checked against the date: section 5.6.7 encourages
//! recipients "to be robust in parsing timestamps", and Go, nginx, Apache and lighttpd all accept
//! `Mon, 06 Nov 1994 08:49:37 GMT` (a Sunday) too. The date itself is checked: a day that does
//! not exist (`29 Feb 1900`) is invalid; a leap second is accepted only as `23:59:60`, and counts
//! as the first second of the next day, as POSIX `timegm` does; years run from 0001 to 9999.
//! [`format_http_date`] always writes the date's own weekday.

use crate::Error;
use crate::civil::{
    ascii_digit, civil_from_days, days_from_civil, days_in_month, join_secs, split_secs, weekday,
};
use crate::syntax::trim_ows;

/// The earliest instant an `HTTP-date` can express: `Mon, 01 Jan 0001 00:00:00 GMT`.
///
/// # Examples
///
/// ```
/// assert_eq!(&etagcore::format_http_date(etagcore::MIN_HTTP_DATE)?, b"Mon, 01 Jan 0001 00:00:00 GMT");
/// # Ok::<(), etagcore::Error>(())
/// ```
pub const MIN_HTTP_DATE: i64 = -62_135_596_800;

/// The latest instant an `HTTP-date` can express: `Fri, 31 Dec 9999 23:59:59 GMT`.
///
/// # Examples
///
/// ```
/// assert_eq!(&etagcore::format_http_date(etagcore::MAX_HTTP_DATE)?, b"Fri, 31 Dec 9999 23:59:59 GMT");
/// # Ok::<(), etagcore::Error>(())
/// ```
pub const MAX_HTTP_DATE: i64 = 253_402_300_799;

/// The length of an IMF-fixdate, the only format a sender generates.
///
/// # Examples
///
/// ```
/// assert_eq!(etagcore::IMF_FIXDATE_LEN, "Sun, 06 Nov 1994 08:49:37 GMT".len());
/// ```
pub const IMF_FIXDATE_LEN: usize = 29;

/// Parses an `HTTP-date` in any of its three formats into seconds since 1970-01-01T00:00:00Z.
///
/// Surrounding `OWS` is ignored. The day-name must be a name of the format (`Sun`, or `Sunday` in
/// an rfc850-date) but need not be the date's weekday: RFC 9110 section 5.6.7 encourages
/// recipients to be robust in parsing timestamps.
///
/// `now` (seconds since the epoch, the recipient's clock) resolves the two-digit year of an
/// rfc850-date: section 5.6.7 says a timestamp that "appears to be more than 50 years in the
/// future" means "the most recent year in the past that had the same last two digits", so the
/// year is the latest one ending in those digits that is not more than 50 years after `now`.
///
/// # Errors
///
/// [`Error::InvalidDate`] when the bytes are not an `HTTP-date` (a day-name not of the format
/// included) or name a day that does not exist;
/// [`Error::DateOutOfRange`] for the year 0000, or an rfc850-date whose year resolves outside
/// 0001-9999.
///
/// # Examples
///
/// ```
/// use etagcore::{parse_http_date, Error};
///
/// let now = 1_767_225_600; // Thu, 01 Jan 2026 00:00:00 GMT
/// for date in ["Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"] {
///     assert_eq!(parse_http_date(date.as_bytes(), now), Ok(784_111_777));
/// }
/// // 2070 is 44 years after `now`, not more than 50: the year is 2070, not 1970.
/// assert_eq!(parse_http_date(b"Wednesday, 01-Jan-70 00:00:00 GMT", now), Ok(3_155_760_000));
/// assert_eq!(parse_http_date(b"Sun, 06 NOV 1994 08:49:37 GMT", now), Err(Error::InvalidDate));
/// // 6 Nov 1994 was a Sunday: another day-name of the format is tolerated, a name of another
/// // format is not, nor is a day that does not exist.
/// assert_eq!(parse_http_date(b"Mon, 06 Nov 1994 08:49:37 GMT", now), Ok(784_111_777));
/// assert_eq!(parse_http_date(b"Sunday, 06 Nov 1994 08:49:37 GMT", now), Err(Error::InvalidDate));
/// assert_eq!(parse_http_date(b"Sun, 29 Feb 1900 08:49:37 GMT", now), Err(Error::InvalidDate));
/// ```
pub fn parse_http_date(input: &[u8], now: i64) -> Result<i64, Error> {
    let s = trim_ows(input);
    let stamp = match s {
        [_, _, _, b',', ..] => imf_fixdate(s),
        [_, _, _, b' ', ..] => asctime(s),
        _ => rfc850(s, now),
    }
    .ok_or(Error::InvalidDate)?;
    stamp.to_unix()
}

/// Parses a singleton date field (`If-Modified-Since`, `If-Unmodified-Since`, or `If-Range` as a
/// date) given as field lines. Several lines are several list members, which RFC 9110 sections
/// 13.1.3 and 13.1.4 say to ignore ("more than one member", "appears to be a list of dates"):
/// that holds whatever the lines contain, so the answer never depends on how a recipient joins them.
pub(crate) fn parse_field_lines(lines: &[&[u8]], now: i64) -> Result<i64, Error> {
    match lines {
        [only] => parse_http_date(only, now),
        _ => Err(Error::InvalidDate),
    }
}

/// Formats an instant as an IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
///
/// # Errors
///
/// [`Error::DateOutOfRange`] when `secs` lies outside [`MIN_HTTP_DATE`]..=[`MAX_HTTP_DATE`].
///
/// # Examples
///
/// ```
/// use etagcore::{format_http_date, Error};
///
/// assert_eq!(&format_http_date(784_111_777)?, b"Sun, 06 Nov 1994 08:49:37 GMT");
/// assert_eq!(format_http_date(etagcore::MAX_HTTP_DATE + 1), Err(Error::DateOutOfRange));
/// # Ok::<(), Error>(())
/// ```
pub fn format_http_date(secs: i64) -> Result<[u8; IMF_FIXDATE_LEN], Error> {
    if !(MIN_HTTP_DATE..=MAX_HTTP_DATE).contains(&secs) {
        return Err(Error::DateOutOfRange);
    }
    let (days, sod) = split_secs(secs);
    let (year, month, day) = civil_from_days(days);
    let [w0, w1, w2] = weekday_abbr(weekday(days));
    let [m0, m1, m2] = month_abbr(month);
    let d = ascii_digit;
    // sod is in [0, 86400): the divisions are exact and cannot overflow.
    let (day, h, mi, s) = (
        i64::from(day),
        sod.div_euclid(3600),
        sod.div_euclid(60).rem_euclid(60),
        sod.rem_euclid(60),
    );
    Ok([
        w0,
        w1,
        w2,
        b',',
        b' ',
        d(day, 10),
        d(day, 1),
        b' ',
        m0,
        m1,
        m2,
        b' ',
        d(year, 1000),
        d(year, 100),
        d(year, 10),
        d(year, 1),
        b' ',
        d(h, 10),
        d(h, 1),
        b':',
        d(mi, 10),
        d(mi, 1),
        b':',
        d(s, 10),
        d(s, 1),
        b' ',
        b'G',
        b'M',
        b'T',
    ])
}

/// The fields of a parsed date, before they are checked against the calendar.
struct Stamp {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
}

impl Stamp {
    /// The fields with `time` = `hour ":" minute ":" second`; `None` when a field is not digits.
    fn new(year: i64, month: &[u8; 3], day: u32, time: &[u8]) -> Option<Self> {
        let &[h0, h1, b':', m0, m1, b':', s0, s1] = time else {
            return None;
        };
        Some(Self {
            year,
            month: month_number(*month)?,
            day,
            hour: num(&[h0, h1])?,
            minute: num(&[m0, m1])?,
            second: num(&[s0, s1])?,
        })
    }

    fn to_unix(&self) -> Result<i64, Error> {
        let year = u16::try_from(self.year)
            .ok()
            .filter(|y| (1..=9999).contains(y))
            .ok_or(Error::DateOutOfRange)?;
        let leap_second = self.second == 60 && self.hour == 23 && self.minute == 59;
        let valid = self.day >= 1
            && self.day <= days_in_month(year, self.month)
            && self.hour <= 23
            && self.minute <= 59
            && (self.second <= 59 || leap_second);
        if !valid {
            return Err(Error::InvalidDate);
        }
        let days = days_from_civil(year, self.month, self.day);
        let secs = join_secs(days, self.seconds_of_day()).ok_or(Error::DateOutOfRange)?;
        // `Fri, 31 Dec 9999 23:59:60 GMT` is a valid leap second one past the last instant.
        if secs > MAX_HTTP_DATE {
            return Err(Error::DateOutOfRange);
        }
        Ok(secs)
    }

    /// At most 99:99:99 from two-digit fields: far inside `i64`, computed with explicit bounds.
    fn seconds_of_day(&self) -> i64 {
        let (h, m, s) = (
            i64::from(self.hour.min(99)),
            i64::from(self.minute.min(99)),
            i64::from(self.second.min(99)),
        );
        h.saturating_mul(3600)
            .saturating_add(m.saturating_mul(60))
            .saturating_add(s)
    }
}

/// `Sun, 06 Nov 1994 08:49:37 GMT`
fn imf_fixdate(s: &[u8]) -> Option<Stamp> {
    let (day_name, s) = s.split_first_chunk::<3>()?;
    if !is_day_name(day_name) {
        return None;
    }
    let (day, s) = s.strip_prefix(b", ")?.split_first_chunk::<2>()?;
    let (month, s) = s.strip_prefix(b" ")?.split_first_chunk::<3>()?;
    let (year, s) = s.strip_prefix(b" ")?.split_first_chunk::<4>()?;
    let time = s.strip_prefix(b" ")?.strip_suffix(b" GMT")?;
    Stamp::new(i64::from(num(year)?), month, num(day)?, time)
}

/// `Sun Nov  6 08:49:37 1994` (the day may also be `06`)
fn asctime(s: &[u8]) -> Option<Stamp> {
    let (day_name, s) = s.split_first_chunk::<3>()?;
    if !is_day_name(day_name) {
        return None;
    }
    let (month, s) = s.strip_prefix(b" ")?.split_first_chunk::<3>()?;
    let (day, s) = s.strip_prefix(b" ")?.split_first_chunk::<2>()?;
    let (time, s) = s.strip_prefix(b" ")?.split_first_chunk::<8>()?;
    let year = s
        .strip_prefix(b" ")?
        .first_chunk::<4>()
        .filter(|_| s.len() == 5)?;
    let day = match day {
        [b' ', d] => num(&[*d])?,
        _ => num(day)?,
    };
    Stamp::new(i64::from(num(year)?), month, day, time)
}

/// `Sunday, 06-Nov-94 08:49:37 GMT`
fn rfc850(s: &[u8], now: i64) -> Option<Stamp> {
    let comma = s.iter().position(|&b| b == b',')?;
    let (day_name, s) = s.split_at_checked(comma)?;
    if !is_long_day_name(day_name) {
        return None;
    }
    let (day, s) = s.strip_prefix(b", ")?.split_first_chunk::<2>()?;
    let (month, s) = s.strip_prefix(b"-")?.split_first_chunk::<3>()?;
    let (yy, s) = s.strip_prefix(b"-")?.split_first_chunk::<2>()?;
    let time = s.strip_prefix(b" ")?.strip_suffix(b" GMT")?;
    let mut stamp = Stamp::new(0, month, num(day)?, time)?;
    stamp.year = resolve_two_digit_year(num(yy)?, &stamp, now)?;
    Some(stamp)
}

/// The latest year ending in `yy` whose reading of `stamp` is not more than 50 years after `now`.
/// `now` may be any `i64`; its year is then within about +-3e11, so the checked steps never fail
/// in practice, and a `None` would only make the date out of range.
fn resolve_two_digit_year(yy: u32, stamp: &Stamp, now: i64) -> Option<i64> {
    let (now_days, now_sod) = split_secs(now);
    let (now_year, now_month, now_day) = civil_from_days(now_days);
    let limit = now_year.checked_add(50)?;
    let year = limit.checked_sub(limit.checked_sub(i64::from(yy))?.rem_euclid(100))?;
    let later_in_year =
        (stamp.month, stamp.day, stamp.seconds_of_day()) > (now_month, now_day, now_sod);
    if year == limit && later_in_year {
        year.checked_sub(100)
    } else {
        Some(year)
    }
}

/// The value of 1 to 4 ASCII digits.
fn num(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0u32, |acc, &b| {
        let digit = b.checked_sub(b'0').filter(|d| *d <= 9)?;
        acc.checked_mul(10)?.checked_add(u32::from(digit))
    })
}

fn month_number(name: [u8; 3]) -> Option<u32> {
    Some(match &name {
        b"Jan" => 1,
        b"Feb" => 2,
        b"Mar" => 3,
        b"Apr" => 4,
        b"May" => 5,
        b"Jun" => 6,
        b"Jul" => 7,
        b"Aug" => 8,
        b"Sep" => 9,
        b"Oct" => 10,
        b"Nov" => 11,
        b"Dec" => 12,
        _ => return None,
    })
}

fn month_abbr(month: u32) -> [u8; 3] {
    *match month {
        1 => b"Jan",
        2 => b"Feb",
        3 => b"Mar",
        4 => b"Apr",
        5 => b"May",
        6 => b"Jun",
        7 => b"Jul",
        8 => b"Aug",
        9 => b"Sep",
        10 => b"Oct",
        11 => b"Nov",
        _ => b"Dec",
    }
}

/// `day-name = %s"Mon" / %s"Tue" / %s"Wed" / %s"Thu" / %s"Fri" / %s"Sat" / %s"Sun"`
fn is_day_name(name: &[u8]) -> bool {
    matches!(
        name,
        b"Mon" | b"Tue" | b"Wed" | b"Thu" | b"Fri" | b"Sat" | b"Sun"
    )
}

/// `day-name-l = %s"Monday" / %s"Tuesday" / ... / %s"Sunday"`
fn is_long_day_name(name: &[u8]) -> bool {
    matches!(
        name,
        b"Monday" | b"Tuesday" | b"Wednesday" | b"Thursday" | b"Friday" | b"Saturday" | b"Sunday"
    )
}

/// The day-name of a weekday, 0 = Monday ... 6 = Sunday, as [`weekday`] counts.
fn weekday_abbr(day: u32) -> [u8; 3] {
    *match day {
        0 => b"Mon",
        1 => b"Tue",
        2 => b"Wed",
        3 => b"Thu",
        4 => b"Fri",
        5 => b"Sat",
        _ => b"Sun",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::write_parts;

    const NOW_2026: i64 = 1_767_225_600;

    fn parse(s: &str) -> Result<i64, Error> {
        parse_http_date(s.as_bytes(), NOW_2026)
    }

    #[test]
    fn the_three_formats_of_the_rfc_example() {
        assert_eq!(parse("Sun, 06 Nov 1994 08:49:37 GMT"), Ok(784_111_777));
        assert_eq!(parse("Sunday, 06-Nov-94 08:49:37 GMT"), Ok(784_111_777));
        assert_eq!(parse("Sun Nov  6 08:49:37 1994"), Ok(784_111_777));
        assert_eq!(parse("Sun Nov 06 08:49:37 1994"), Ok(784_111_777));
        assert_eq!(
            parse(" \tSun, 06 Nov 1994 08:49:37 GMT\t "),
            Ok(784_111_777)
        );
    }

    #[test]
    fn rejects_near_misses() {
        for bad in [
            "",
            "Sun, 06 Nov 1994 08:49:37 gmt",
            "sun, 06 Nov 1994 08:49:37 GMT",
            "Sun,  6 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 GMT ,",
            "Sun, 06 Nov 1994 8:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 08:49:60 GMT",
            "Sun, 31 Nov 1994 08:49:37 GMT",
            "Sun, 00 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 06 Nov +994 08:49:37 GMT",
            "Sun Nov 6 08:49:37 1994",
            "Sun Nov  6 08:49:37 1994 GMT",
            "Sun Nov  0 08:49:37 1994",
            "Sunday, 06-Nov-1994 08:49:37 GMT",
            "Sunday,06-Nov-94 08:49:37 GMT",
            "Sundai, 06-Nov-94 08:49:37 GMT",
            "Sunday, 06 Nov 94 08:49:37 GMT",
        ] {
            assert_eq!(parse(bad), Err(Error::InvalidDate), "{bad:?}");
        }
        assert_eq!(
            parse("Sat, 01 Jan 0000 00:00:00 GMT"),
            Err(Error::DateOutOfRange)
        );
    }

    /// RFC 9110 section 5.6.7 encourages recipients "to be robust in parsing timestamps": a
    /// day-name that disagrees with the date (6 Nov 1994 was a Sunday) does not void the date, in
    /// any of the three formats, whichever valid name it is.
    #[test]
    fn a_day_name_other_than_the_dates_is_accepted() {
        let short: [&[u8]; 7] = [b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat", b"Sun"];
        let long: [&[u8]; 7] = [
            b"Monday",
            b"Tuesday",
            b"Wednesday",
            b"Thursday",
            b"Friday",
            b"Saturday",
            b"Sunday",
        ];
        for (name, long_name) in short.into_iter().zip(long) {
            for parts in [
                [name, b", 06 Nov 1994 08:49:37 GMT"],
                [long_name, b", 06-Nov-94 08:49:37 GMT"],
                [name, b" Nov  6 08:49:37 1994"],
            ] {
                let mut buf = [0u8; 40];
                let n = write_parts(&mut buf, &parts).expect("fits");
                let date = &buf[..n];
                assert_eq!(
                    parse_http_date(date, NOW_2026),
                    Ok(784_111_777),
                    "{}",
                    date.escape_ascii()
                );
            }
        }
        // The rest of the date is still checked: 29 Feb only in leap years (2000 yes, 1900 no),
        // second 60 only as 23:59:60 (31 Dec 2016 was a Saturday).
        assert_eq!(parse("Mon, 29 Feb 2000 00:00:00 GMT"), Ok(951_782_400));
        assert_eq!(
            parse("Mon, 29 Feb 1900 00:00:00 GMT"),
            Err(Error::InvalidDate)
        );
        assert_eq!(
            parse("Mon, 31 Dec 2016 23:59:60 GMT"),
            parse("Sun, 01 Jan 2017 00:00:00 GMT")
        );
        assert_eq!(
            parse("Mon, 31 Dec 2016 12:00:60 GMT"),
            Err(Error::InvalidDate)
        );
    }

    /// The day-name is still one of the names its format allows, case-sensitively (`%s"Mon"`):
    /// three letters in IMF-fixdate and asctime-date, the full name in rfc850-date.
    #[test]
    fn the_day_name_must_be_a_name_of_its_format() {
        for bad in [
            "mon, 06 Nov 1994 08:49:37 GMT",
            "MON, 06 Nov 1994 08:49:37 GMT",
            "Mun, 06 Nov 1994 08:49:37 GMT",
            "Monday, 06 Nov 1994 08:49:37 GMT",
            "Mon, 06-Nov-94 08:49:37 GMT",
            "Mo, 06 Nov 1994 08:49:37 GMT",
            "monday, 06-Nov-94 08:49:37 GMT",
            "Mondai, 06-Nov-94 08:49:37 GMT",
            "Tues, 06-Nov-94 08:49:37 GMT",
            "Monday , 06-Nov-94 08:49:37 GMT",
            ", 06-Nov-94 08:49:37 GMT",
            "mon Nov  6 08:49:37 1994",
            "Monday Nov  6 08:49:37 1994",
            "Mun Nov  6 08:49:37 1994",
        ] {
            assert_eq!(parse(bad), Err(Error::InvalidDate), "{bad:?}");
        }
    }

    #[test]
    fn leap_second_only_at_the_end_of_a_day() {
        assert_eq!(
            parse("Wed, 31 Dec 2008 23:59:60 GMT"),
            parse("Thu, 01 Jan 2009 00:00:00 GMT")
        );
        assert_eq!(
            parse("Wed, 31 Dec 2008 22:59:60 GMT"),
            Err(Error::InvalidDate)
        );
    }

    #[test]
    fn rfc850_year_follows_now_not_a_fixed_pivot() {
        let date = b"Thursday, 01-Jan-70 00:00:00 GMT";
        // now = 1970: 1970 itself.
        assert_eq!(parse_http_date(date, 0), Ok(0));
        // Seen from 2026 the year is 2070, from 1990 it is 1970; the day-name (1 Jan 2070 is a
        // Wednesday, 1 Jan 1970 was a Thursday) plays no part in choosing the century.
        let wed = b"Wednesday, 01-Jan-70 00:00:00 GMT";
        assert_eq!(parse_http_date(wed, NOW_2026), Ok(3_155_760_000));
        assert_eq!(parse_http_date(wed, 631_152_000), Ok(0));
        // Exactly 50 years ahead stays in the future; one second more goes back a century.
        let now = 946_684_800; // Sat, 01 Jan 2000 00:00:00 GMT
        assert_eq!(
            parse_http_date(b"Saturday, 01-Jan-50 00:00:00 GMT", now),
            Ok(2_524_608_000)
        );
        assert_eq!(
            parse_http_date(b"Sunday, 01-Jan-50 00:00:01 GMT", now),
            Ok(-631_151_999)
        );
    }

    #[test]
    fn rfc850_year_outside_0001_9999_is_out_of_range() {
        let now_9990 = days_from_civil(9990, 1, 1) * crate::civil::SECS_PER_DAY;
        // 10020 is within 50 years of 9990; 10020-01-01 would be a Saturday.
        let r = parse_http_date(b"Saturday, 01-Jan-20 00:00:00 GMT", now_9990);
        assert_eq!(r, Err(Error::DateOutOfRange));
        assert_eq!(
            parse_http_date(b"Saturday, 01-Jan-20 00:00:00 GMT", i64::MAX),
            Err(Error::DateOutOfRange)
        );
        assert!(parse_http_date(b"Saturday, 01-Jan-20 00:00:00 GMT", i64::MIN).is_err());
    }

    #[test]
    fn several_field_lines_are_never_one_date() {
        // Joined with ", " these would spell one valid date; they are still two members.
        let split: [&[u8]; 2] = [b"Sun", b" 06 Nov 1994 08:49:37 GMT"];
        assert_eq!(parse_field_lines(&split, NOW_2026), Err(Error::InvalidDate));
        let two: [&[u8]; 2] = [b"Sun, 06 Nov 1994 08:49:37 GMT"; 2];
        assert_eq!(parse_field_lines(&two, NOW_2026), Err(Error::InvalidDate));
        assert_eq!(parse_field_lines(&[], NOW_2026), Err(Error::InvalidDate));
        assert_eq!(
            parse_field_lines(&[b"Sun, 06 Nov 1994 08:49:37 GMT"], NOW_2026),
            Ok(784_111_777)
        );
    }

    #[test]
    fn leap_second_past_the_last_instant_is_out_of_range() {
        assert_eq!(parse("Fri, 31 Dec 9999 23:59:59 GMT"), Ok(MAX_HTTP_DATE));
        assert_eq!(
            parse("Fri, 31 Dec 9999 23:59:60 GMT"),
            Err(Error::DateOutOfRange)
        );
    }

    /// The range constants are the first second of 1 Jan 0001 (a Monday in the proleptic
    /// Gregorian calendar) and the last of 31 Dec 9999 (a Friday): the ends of the 4DIGIT years.
    #[test]
    fn range_constants_are_the_ends_of_years_0001_to_9999() {
        let first = b"Mon, 01 Jan 0001 00:00:00 GMT";
        let last = b"Fri, 31 Dec 9999 23:59:59 GMT";
        assert_eq!(parse_http_date(first, NOW_2026), Ok(MIN_HTTP_DATE));
        assert_eq!(parse_http_date(last, NOW_2026), Ok(MAX_HTTP_DATE));
        assert_eq!(format_http_date(MIN_HTTP_DATE), Ok(*first));
        assert_eq!(format_http_date(MAX_HTTP_DATE), Ok(*last));
    }

    #[test]
    fn format_edges() {
        assert_eq!(
            &format_http_date(0).expect("in range"),
            b"Thu, 01 Jan 1970 00:00:00 GMT"
        );
        assert_eq!(
            &format_http_date(-1).expect("in range"),
            b"Wed, 31 Dec 1969 23:59:59 GMT"
        );
        assert_eq!(
            format_http_date(MIN_HTTP_DATE - 1),
            Err(Error::DateOutOfRange)
        );
        assert_eq!(format_http_date(i64::MIN), Err(Error::DateOutOfRange));
    }
}
