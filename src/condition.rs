//! The five conditions of RFC 9110 section 13.1, each evaluated on its own.
//!
//! [`evaluate`](crate::evaluate) combines them in the order of section 13.2.2; use these directly
//! only to build a different flow. Each takes the field as its field lines (none: absent) and the
//! current representation (`None`: the target resource has none), and answers `None` when the
//! field is absent or must be ignored, else whether the condition is true.

use crate::date::parse_field_lines;
use crate::etag::{Comparison, EntityTag};
use crate::list::list_holds;
use crate::syntax::trim_ows;

/// What the server knows of the selected representation: its validators.
///
/// # Examples
///
/// ```
/// use etagcore::{EntityTag, Representation};
///
/// let current = Representation { etag: Some(EntityTag::parse(b"\"xyzzy\"")?), last_modified: Some(1_445_412_480) };
/// assert_eq!(current.last_modified_at(1_767_225_600), Some(1_445_412_480));
/// # Ok::<(), etagcore::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Representation<'a> {
    /// The `ETag` the server sends for it, if any.
    pub etag: Option<EntityTag<'a>>,
    /// Its `Last-Modified`, in seconds since the epoch, if any.
    pub last_modified: Option<i64>,
}

impl Representation<'_> {
    /// The `Last-Modified` a 200 response sent at `now` would carry: never later than `now`, since
    /// a server must replace a modification time in the future by the message date
    /// (RFC 9110 section 8.8.2.1).
    ///
    /// # Examples
    ///
    /// ```
    /// let r = etagcore::Representation { etag: None, last_modified: Some(2_000) };
    /// assert_eq!(r.last_modified_at(1_000), Some(1_000));
    /// ```
    #[must_use]
    pub fn last_modified_at(&self, now: i64) -> Option<i64> {
        self.last_modified.map(|lm| lm.min(now))
    }
}

/// `If-Match` (section 13.1.1): true for `*` when a representation exists, or when a listed tag
/// strongly matches its entity tag; false otherwise, including for a malformed field value.
/// `None` when the field is absent.
///
/// # Examples
///
/// ```
/// use etagcore::{if_match, EntityTag, Representation};
///
/// let current = Representation { etag: Some(EntityTag::parse(b"\"xyzzy\"")?), last_modified: None };
/// assert_eq!(if_match(&[b"\"xyzzy\""], Some(&current)), Some(true));
/// assert_eq!(if_match(&[b"W/\"xyzzy\""], Some(&current)), Some(false));
/// assert_eq!(if_match(&[b"*"], None), Some(false));
/// assert_eq!(if_match(&[], Some(&current)), None);
/// # Ok::<(), etagcore::Error>(())
/// ```
#[must_use]
pub fn if_match(lines: &[&[u8]], current: Option<&Representation<'_>>) -> Option<bool> {
    if lines.is_empty() {
        return None;
    }
    Some(list_holds(
        lines,
        current.map(|r| r.etag.as_ref()),
        Comparison::Strong,
    ))
}

/// `If-None-Match` (section 13.1.2): false for `*` when a representation exists, or when a listed
/// tag weakly matches its entity tag; true otherwise, including for a malformed field value.
/// `None` when the field is absent.
///
/// # Examples
///
/// ```
/// use etagcore::{if_none_match, EntityTag, Representation};
///
/// let current = Representation { etag: Some(EntityTag::parse(b"\"xyzzy\"")?), last_modified: None };
/// assert_eq!(if_none_match(&[b"W/\"xyzzy\""], Some(&current)), Some(false));
/// assert_eq!(if_none_match(&[b"xyzzy"], Some(&current)), Some(true)); // unquoted: not an entity-tag
/// assert_eq!(if_none_match(&[b"*"], None), Some(true));
/// assert_eq!(if_none_match(&[], Some(&current)), None);
/// # Ok::<(), etagcore::Error>(())
/// ```
#[must_use]
pub fn if_none_match(lines: &[&[u8]], current: Option<&Representation<'_>>) -> Option<bool> {
    if lines.is_empty() {
        return None;
    }
    Some(!list_holds(
        lines,
        current.map(|r| r.etag.as_ref()),
        Comparison::Weak,
    ))
}

/// `If-Modified-Since` (section 13.1.3): `Some(false)` when the representation was last modified
/// at or before the date, `Some(true)` when after, `None` when the field must be ignored (absent,
/// not one valid `HTTP-date`, or no modification date known). The method and `If-None-Match`
/// rules are [`evaluate`](crate::evaluate)'s.
///
/// # Examples
///
/// ```
/// use etagcore::{if_modified_since, Representation};
///
/// let current = Representation { etag: None, last_modified: Some(1_445_412_480) };
/// let now = 1_767_225_600;
/// assert_eq!(if_modified_since(&[b"Wed, 21 Oct 2015 07:28:00 GMT"], Some(&current), now), Some(false));
/// assert_eq!(if_modified_since(&[b"Wed, 21 Oct 2015 07:27:59 GMT"], Some(&current), now), Some(true));
/// assert_eq!(if_modified_since(&[b"yesterday"], Some(&current), now), None);
/// ```
#[must_use]
pub fn if_modified_since(
    lines: &[&[u8]],
    current: Option<&Representation<'_>>,
    now: i64,
) -> Option<bool> {
    let (last_modified, date) = dates(lines, current, now)?;
    Some(last_modified > date)
}

/// `If-Unmodified-Since` (section 13.1.4): `Some(true)` when the representation was last modified
/// at or before the date, `Some(false)` when after, `None` when the field must be ignored (absent,
/// not one valid `HTTP-date`, or no modification date known).
///
/// # Examples
///
/// ```
/// use etagcore::{if_unmodified_since, Representation};
///
/// let current = Representation { etag: None, last_modified: Some(1_445_412_480) };
/// let now = 1_767_225_600;
/// assert_eq!(if_unmodified_since(&[b"Wed, 21 Oct 2015 07:28:00 GMT"], Some(&current), now), Some(true));
/// assert_eq!(if_unmodified_since(&[b"Wed, 21 Oct 2015 07:28:00 GMT"], None, now), None);
/// ```
#[must_use]
pub fn if_unmodified_since(
    lines: &[&[u8]],
    current: Option<&Representation<'_>>,
    now: i64,
) -> Option<bool> {
    let (last_modified, date) = dates(lines, current, now)?;
    Some(last_modified <= date)
}

/// `If-Range` (section 13.1.5): true when the field is an entity tag that strongly matches the
/// representation's, or an `HTTP-date` equal to its `Last-Modified` where that date is strong;
/// false otherwise, including for a malformed or weak validator or several field lines. `None`
/// when the field is absent.
///
/// Section 8.8.2.2 calls a `Last-Modified` strong when the server knows the representation did not
/// change twice within that second. Nothing here can know that; the rule used is the one the
/// section gives for clients, scaled to the one-second resolution: the date lies at least one
/// second before `now` (the response's `Date`), so a file modified in the current second never
/// validates a range by date. Servers whose files may change twice a second should send entity
/// tags, which content tags make cheap.
///
/// Dates are compared as instants, so an rfc850-date naming the same second matches.
///
/// # Examples
///
/// ```
/// use etagcore::{if_range, EntityTag, Representation};
///
/// let current = Representation { etag: Some(EntityTag::parse(b"\"xyzzy\"")?), last_modified: Some(1_445_412_480) };
/// let now = 1_767_225_600;
/// assert_eq!(if_range(&[b"\"xyzzy\""], Some(&current), now), Some(true));
/// assert_eq!(if_range(&[b"Wed, 21 Oct 2015 07:28:00 GMT"], Some(&current), now), Some(true));
/// // Last-Modified equal to now is not strong.
/// assert_eq!(if_range(&[b"Wed, 21 Oct 2015 07:28:00 GMT"], Some(&current), 1_445_412_480), Some(false));
/// assert_eq!(if_range(&[], Some(&current), now), None);
/// # Ok::<(), etagcore::Error>(())
/// ```
#[must_use]
pub fn if_range(lines: &[&[u8]], current: Option<&Representation<'_>>, now: i64) -> Option<bool> {
    if lines.is_empty() {
        return None;
    }
    Some(current.is_some_and(|current| if_range_holds(lines, current, now)))
}

fn if_range_holds(lines: &[&[u8]], current: &Representation<'_>, now: i64) -> bool {
    if let [only] = lines {
        let value = trim_ows(only);
        if value.starts_with(b"\"") || value.starts_with(b"W/") {
            return EntityTag::parse(value)
                .is_ok_and(|tag| current.etag.is_some_and(|cur| tag.strong_eq(&cur)));
        }
    }
    let Ok(date) = parse_field_lines(lines, now) else {
        return false;
    };
    current
        .last_modified_at(now)
        .is_some_and(|lm| lm < now && lm == date)
}

/// The representation's `Last-Modified` and the field's date, or `None` when the field is to be
/// ignored.
fn dates(lines: &[&[u8]], current: Option<&Representation<'_>>, now: i64) -> Option<(i64, i64)> {
    let last_modified = current?.last_modified_at(now)?;
    if lines.is_empty() {
        return None;
    }
    let date = parse_field_lines(lines, now).ok()?;
    Some((last_modified, date))
}
