//! Helpers shared by the integration tests: the vector-cell decoding of
//! `../shared/vectors/FORMAT.md` and naive reference models, written separately from the fast code.
#![allow(dead_code)] // each test binary uses a different subset

/// Decodes a TSV cell: `\xNN` is one byte; any other backslash is an error.
pub fn decode_bytes(cell: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(cell.len());
    let mut rest = cell.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        if b != b'\\' {
            out.push(b);
            rest = tail;
            continue;
        }
        match tail {
            [b'x', hi, lo, more @ ..] => {
                let hex = std::str::from_utf8(&[*hi, *lo])
                    .map_err(|e| e.to_string())?
                    .to_owned();
                let byte = u8::from_str_radix(&hex, 16)
                    .map_err(|_| format!("bad escape \\x{hex} in {cell:?}"))?;
                out.push(byte);
                rest = more;
            }
            _ => return Err(format!("undecodable backslash in {cell:?}")),
        }
    }
    Ok(out)
}

/// Decodes a header cell into field lines: empty = absent (`None`), `(empty)` = one empty line,
/// and the two characters `\n` separate field lines.
pub fn decode_lines(cell: &str) -> Result<Option<Vec<Vec<u8>>>, String> {
    if cell.is_empty() {
        return Ok(None);
    }
    cell.split("\\n")
        .map(|line| {
            if line == "(empty)" {
                Ok(Vec::new())
            } else {
                decode_bytes(line)
            }
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// Whether `y` is a Gregorian leap year.
pub fn naive_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// The lengths of the twelve months of `year`.
pub fn naive_month_lengths(year: i64) -> [i64; 12] {
    let feb = if naive_leap(year) { 29 } else { 28 };
    [31, feb, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
}

/// Days from 1970-01-01, counted the slow, obvious way.
pub fn naive_days(year: i64, month: u32, day: u32) -> i64 {
    let year_len = |y: i64| if naive_leap(y) { 366 } else { 365 };
    let mut days = 0i64;
    if year >= 1970 {
        for y in 1970..year {
            days += year_len(y);
        }
    } else {
        for y in year..1970 {
            days -= year_len(y);
        }
    }
    let month_len = naive_month_lengths(year);
    days += month_len[..(month - 1) as usize].iter().sum::<i64>();
    days + i64::from(day) - 1
}

pub const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
pub const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
pub const LONG_DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// A naive IMF-fixdate reader (split on spaces and colons), weekday checked: the oracle for what
/// `format_http_date` writes, which must be the date's own weekday. Stricter than
/// `parse_http_date`, which accepts any day-name (RFC 9110 section 5.6.7 robustness).
pub fn naive_imf_fixdate(s: &str) -> Option<i64> {
    let parts: Vec<&str> = s.split(' ').collect();
    let [wd, day, mon, year, time, "GMT"] = parts[..] else {
        return None;
    };
    let wd = DAYS.iter().position(|d| wd.strip_suffix(',') == Some(*d))? as i64;
    let month = MONTHS.iter().position(|m| *m == mon)? as u32 + 1;
    let digits = |t: &str, n: usize| {
        (t.len() == n && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| t.parse::<i64>().ok())
            .flatten()
    };
    let (day, year) = (digits(day, 2)?, digits(year, 4)?);
    let hms: Vec<i64> = time
        .split(':')
        .map(|t| digits(t, 2))
        .collect::<Option<_>>()?;
    let [h, m, sec] = hms[..] else { return None };
    let days = naive_days(year, month, day as u32);
    ((days + 3).rem_euclid(7) == wd).then_some(days * 86_400 + h * 3600 + m * 60 + sec)
}

/// The bytes without leading and trailing SP / HTAB.
pub fn naive_trim(s: &[u8]) -> &[u8] {
    let is_ows = |b: &u8| *b == b' ' || *b == b'\t';
    let start = s.iter().position(|b| !is_ows(b)).unwrap_or(s.len());
    let end = s.iter().rposition(|b| !is_ows(b)).map_or(start, |e| e + 1);
    &s[start..end]
}

/// A naive member of an `If-Match` / `If-None-Match` list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NaiveMember {
    Any,
    Tag {
        weak: bool,
        opaque: Vec<u8>,
    },
    /// The list is malformed from here on.
    Invalid,
    /// More than the allowed number of empty elements.
    TooManyEmpty,
}

/// The naive list model: join the lines with ", " (RFC 9110 section 5.3), trim, compare with
/// `*`, else split on commas outside quotes and parse each trimmed element on its own.
pub fn naive_members(lines: &[Vec<u8>], max_empty: usize) -> Vec<NaiveMember> {
    if lines.is_empty() {
        return Vec::new();
    }
    let joined = lines.join(&b", "[..]);
    let trim = |s: &[u8]| naive_trim(s).to_vec();
    if trim(&joined) == b"*" {
        return vec![NaiveMember::Any];
    }
    let mut elements = vec![Vec::new()];
    let mut in_quotes = false;
    for &b in &joined {
        if b == b'"' {
            in_quotes = !in_quotes;
        }
        if b == b',' && !in_quotes {
            elements.push(Vec::new());
        } else {
            elements.last_mut().expect("never empty").push(b);
        }
    }
    let mut out = Vec::new();
    let mut empties = 0;
    for element in elements {
        let element = trim(&element);
        if element.is_empty() {
            empties += 1;
            if empties > max_empty {
                out.push(NaiveMember::TooManyEmpty);
                return out;
            }
            continue;
        }
        match naive_entity_tag(&element) {
            Some((weak, opaque)) => out.push(NaiveMember::Tag { weak, opaque }),
            None => {
                out.push(NaiveMember::Invalid);
                return out;
            }
        }
    }
    out
}

/// A naive entity-tag check on an already trimmed element.
pub fn naive_entity_tag(s: &[u8]) -> Option<(bool, Vec<u8>)> {
    let (weak, rest) = if s.starts_with(b"W/") {
        (true, &s[2..])
    } else {
        (false, s)
    };
    if rest.len() < 2 || rest[0] != b'"' || rest[rest.len() - 1] != b'"' {
        return None;
    }
    let opaque = &rest[1..rest.len() - 1];
    let etagc = |b: &u8| *b == 0x21 || (0x23..=0x7E).contains(b) || *b >= 0x80;
    opaque.iter().all(etagc).then(|| (weak, opaque.to_vec()))
}

/// The current representation in the naive model: its ETag as (weak, opaque), its Last-Modified.
#[derive(Debug, Clone)]
pub struct NaiveResource {
    pub etag: Option<(bool, Vec<u8>)>,
    pub last_modified: Option<i64>,
}

/// A request in the naive model: each field as its lines (empty: absent).
#[derive(Debug, Clone, Default)]
pub struct NaiveRequest {
    pub method: Vec<u8>,
    pub if_match: Vec<Vec<u8>>,
    pub if_none_match: Vec<Vec<u8>>,
    pub if_modified_since: Vec<Vec<u8>>,
    pub if_unmodified_since: Vec<Vec<u8>>,
    pub if_range: Vec<Vec<u8>>,
    pub has_range: bool,
}

/// RFC 9110 section 13.2.2 written out step by step, as plainly as possible, on the naive list
/// model. Dates are parsed by `parse_date` (the crate's parser: it has its own oracle tests).
/// Returns the status: 200, 206, 304 or 412.
pub fn naive_evaluate(
    req: &NaiveRequest,
    current: Option<&NaiveResource>,
    now: i64,
    parse_date: impl Fn(&[u8], i64) -> Option<i64>,
) -> u16 {
    let m = req.method.as_slice();
    if m == b"CONNECT" || m == b"OPTIONS" || m == b"TRACE" {
        return 200;
    }
    let get_or_head = m == b"GET" || m == b"HEAD";
    let lm = current.and_then(|c| c.last_modified).map(|lm| lm.min(now));
    let etag = current.and_then(|c| c.etag.clone());
    // A singleton date field: exactly one line holding one valid date.
    let date = |lines: &[Vec<u8>]| match lines {
        [one] => parse_date(one, now),
        _ => None,
    };
    // None: malformed. Some(members): the list, or [Any].
    let list = |lines: &[Vec<u8>]| {
        let members = naive_members(lines, 64);
        (!members
            .iter()
            .any(|x| matches!(x, NaiveMember::Invalid | NaiveMember::TooManyEmpty)))
        .then_some(members)
    };
    let any_match = |members: &[NaiveMember], strong: bool| {
        members.iter().any(|x| match (x, &etag) {
            (NaiveMember::Any, _) => current.is_some(),
            (NaiveMember::Tag { weak, opaque }, Some((cur_weak, cur_opaque))) => {
                opaque == cur_opaque && (!strong || (!weak && !cur_weak))
            }
            _ => false,
        })
    };
    // Step 1 (If-Match, strong), else step 2 (If-Unmodified-Since).
    if !req.if_match.is_empty() {
        let ok = list(&req.if_match).is_some_and(|members| any_match(&members, true));
        if !ok {
            return 412;
        }
    } else if let (Some(lm), Some(d)) = (lm, date(&req.if_unmodified_since))
        && lm > d
    {
        return 412;
    }
    // Step 3 (If-None-Match, weak), else step 4 (If-Modified-Since, GET/HEAD only).
    if !req.if_none_match.is_empty() {
        let matched = list(&req.if_none_match).is_some_and(|members| any_match(&members, false));
        if matched {
            return if get_or_head { 304 } else { 412 };
        }
    } else if get_or_head
        && let (Some(lm), Some(d)) = (lm, date(&req.if_modified_since))
        && lm <= d
    {
        return 304;
    }
    // Step 5: GET + Range; If-Range absent or true -> 206.
    if m == b"GET" && req.has_range {
        if req.if_range.is_empty() {
            return 206;
        }
        let if_range_true = match req.if_range.as_slice() {
            [one] => {
                let value = naive_trim(one);
                if value.starts_with(b"\"") || value.starts_with(b"W/") {
                    matches!((naive_entity_tag(value), &etag), (Some((false, o)), Some((false, c))) if &o == c)
                } else {
                    matches!((lm, parse_date(one, now)), (Some(lm), Some(d)) if lm < now && lm == d)
                }
            }
            _ => false,
        };
        return if if_range_true { 206 } else { 200 };
    }
    200
}

/// (year, month, day, second of day) of an instant, counted naively: whole 400-year cycles, then
/// years, then months.
pub fn naive_civil(secs: i64) -> (i64, u32, u32, i64) {
    let (mut days, sod) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let mut year = 1970 + 400 * days.div_euclid(146_097);
    days = days.rem_euclid(146_097);
    loop {
        let len = if naive_leap(year) { 366 } else { 365 };
        if days < len {
            break;
        }
        days -= len;
        year += 1;
    }
    let month_len = naive_month_lengths(year);
    let mut month = 0;
    while days >= month_len[month] {
        days -= month_len[month];
        month += 1;
    }
    (year, month as u32 + 1, days as u32 + 1, sod)
}

/// A naive reader of all three HTTP-date formats, written from the ABNF by position, with the
/// rfc850 year chosen among candidate years by brute force. The day-name must be a name of its
/// format, but not the date's weekday (RFC 9110 section 5.6.7: recipients parse robustly).
pub fn naive_http_date(input: &[u8], now: i64) -> Option<i64> {
    let s = std::str::from_utf8(naive_trim(input)).ok()?;
    let b = s.as_bytes();
    let digits = |t: &str| {
        (!t.is_empty() && t.bytes().all(|c| c.is_ascii_digit()))
            .then(|| t.parse::<i64>().ok())
            .flatten()
    };
    let time = |t: &str| -> Option<(i64, i64, i64)> {
        let p: Vec<&str> = t.split(':').collect();
        match p[..] {
            [h, m, s] if h.len() == 2 && m.len() == 2 && s.len() == 2 => {
                Some((digits(h)?, digits(m)?, digits(s)?))
            }
            _ => None,
        }
    };
    let month = |m: &str| MONTHS.iter().position(|x| *x == m).map(|i| i as u32 + 1);
    // (year, month, day, h, m, s), year None for rfc850 (two digits in `yy`); the day-name is
    // only looked up in its format's list of names.
    let (year, yy, mon, day, (h, mi, sec)) = if b.len() == 29 && b[3] == b',' {
        let p: Vec<&str> = s.split(' ').collect();
        let [w, d, m, y, t, "GMT"] = p[..] else {
            return None;
        };
        if !DAYS.iter().any(|x| Some(*x) == w.strip_suffix(',')) || d.len() != 2 || y.len() != 4 {
            return None;
        }
        (Some(digits(y)?), 0, month(m)?, digits(d)?, time(t)?)
    } else if b.len() == 24 && b[3] == b' ' {
        // `get`, not indexing: a multi-byte character may straddle a field boundary (a fuzz
        // finding against this model).
        let (w, m, d, t, y) = (
            s.get(0..3)?,
            s.get(4..7)?,
            s.get(8..10)?,
            s.get(11..19)?,
            s.get(20..24)?,
        );
        if [b[7], b[10], b[19]] != [b' '; 3] {
            return None;
        }
        let d = match d.strip_prefix(' ') {
            Some(one) => digits(one)?,
            None => digits(d)?,
        };
        if !DAYS.contains(&w) || !y.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        (Some(digits(y)?), 0, month(m)?, d, time(t)?)
    } else {
        let (w, rest) = s.split_once(", ")?;
        if !LONG_DAYS.contains(&w) {
            return None;
        }
        let (date, rest) = rest.split_once(' ')?;
        let t = rest.strip_suffix(" GMT")?;
        let p: Vec<&str> = date.split('-').collect();
        let [d, m, y] = p[..] else { return None };
        if d.len() != 2 || y.len() != 2 {
            return None;
        }
        (None, digits(y)?, month(m)?, digits(d)?, time(t)?)
    };
    let year = match year {
        Some(y) => y,
        None => {
            let (ny, nm, nd, ns) = naive_civil(now);
            (ny - 100..=ny + 100)
                .filter(|y| y.rem_euclid(100) == yy)
                .filter(|y| {
                    (*y, mon, day as u32, h * 3600 + mi * 60 + sec) <= (ny + 50, nm, nd, ns)
                })
                .max()?
        }
    };
    let month_len = naive_month_lengths(year)[mon as usize - 1];
    let time_ok = h <= 23 && mi <= 59 && (sec <= 59 || (h, mi, sec) == (23, 59, 60));
    if !(1..=9999).contains(&year) || day < 1 || day > month_len || !time_ok {
        return None;
    }
    // The day-name was checked above to be a name of its format, and only that: RFC 9110
    // section 5.6.7 encourages robust parsing, so it need not be the date's weekday.
    let days = naive_days(year, mon, day as u32);
    let secs = days * 86_400 + h * 3600 + mi * 60 + sec;
    (secs <= 253_402_300_799).then_some(secs)
}
