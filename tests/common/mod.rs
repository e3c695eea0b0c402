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

/// Days from 1970-01-01, counted the slow, obvious way.
pub fn naive_days(year: i64, month: u32, day: u32) -> i64 {
    let leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let year_len = |y: i64| if leap(y) { 366 } else { 365 };
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
    let month_len = [
        31,
        if leap(year) { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
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

/// A naive IMF-fixdate reader (split on spaces and colons), weekday checked.
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
    let is_ows = |b: &u8| *b == b' ' || *b == b'\t';
    let trim = |s: &[u8]| -> Vec<u8> {
        let start = s.iter().position(|b| !is_ows(b)).unwrap_or(s.len());
        let end = s.iter().rposition(|b| !is_ows(b)).map_or(start, |e| e + 1);
        s[start..end].to_vec()
    };
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
