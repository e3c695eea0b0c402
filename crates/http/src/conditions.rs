//! The conditional fields of a request, borrowed from its `HeaderMap` without allocating.

use std::time::{SystemTime, UNIX_EPOCH};

use etagcore::{Decision, Method, Representation, Request, evaluate};
use http::HeaderMap;
use http::header::{self, HeaderName};

/// The most field lines kept per conditional field.
///
/// hyper accepts 100 HTTP/1 header lines in all, and real clients send one line per field; a
/// field with more lines than this gets the meaning RFC 9110 gives a malformed field:
/// `If-Match` is false (412), `If-None-Match` matches nothing, `If-Modified-Since` and
/// `If-Unmodified-Since` are ignored (more than one member, sections 13.1.3 and 13.1.4), and
/// `If-Range` is false (section 13.1.5).
///
/// # Examples
///
/// ```
/// use etagcore::Decision;
/// use etagcore_http::{Conditions, MAX_FIELD_LINES};
/// use http::{HeaderMap, Method};
///
/// let mut headers = HeaderMap::new();
/// for _ in 0..=MAX_FIELD_LINES {
///     headers.append("if-match", "*".parse().unwrap());
/// }
/// let conditions = Conditions::new(&Method::PUT, &headers);
/// assert_eq!(conditions.evaluate(None, 0), Decision::PreconditionFailed);
/// ```
pub const MAX_FIELD_LINES: usize = 16;

/// What a list field with too many lines becomes: one line no entity-tag list accepts (a NUL
/// byte), so the core gives the field the meaning of a malformed list.
const MALFORMED_LIST: &[u8] = b"\0";

/// The five fields, in the order of [`Conditions::fields`].
const NAMES: [HeaderName; 5] = [
    header::IF_MATCH,
    header::IF_NONE_MATCH,
    header::IF_MODIFIED_SINCE,
    header::IF_UNMODIFIED_SINCE,
    header::IF_RANGE,
];

/// One field as `new` saw it: no line, one line (the common case, kept as a borrowed slice),
/// or several (read again from the map, into a stack array, only when evaluated).
#[derive(Clone, Copy, Debug)]
enum Field<'a> {
    Absent,
    One(&'a [u8]),
    Several,
}

impl<'a> Field<'a> {
    fn of(headers: &'a HeaderMap, name: &HeaderName) -> Self {
        let mut values = headers.get_all(name).iter();
        match (values.next(), values.next()) {
            (None, _) => Field::Absent,
            (Some(value), None) => Field::One(value.as_bytes()),
            (Some(_), Some(_)) => Field::Several,
        }
    }
}

/// Up to [`MAX_FIELD_LINES`] field lines and how many are used.
type Lines<'a> = ([&'a [u8]; MAX_FIELD_LINES], usize);

fn several<'a>(headers: &'a HeaderMap, name: &HeaderName, list: bool) -> Lines<'a> {
    let mut lines = [&[][..]; MAX_FIELD_LINES];
    let mut len = 0;
    for value in headers.get_all(name) {
        match lines.get_mut(len) {
            Some(slot) => {
                *slot = value.as_bytes();
                len += 1;
            }
            None if list => {
                lines[0] = MALFORMED_LIST;
                return (lines, 1);
            }
            // A date field or If-Range already has more than one line: ignored, or false.
            None => break,
        }
    }
    (lines, len)
}

/// The five conditional fields of a request, its method, and whether it has a `Range` field:
/// everything [`etagcore::evaluate`] needs, borrowed from the request without allocating.
///
/// # Examples
///
/// ```
/// use etagcore::{Decision, EntityTag, Representation};
/// use etagcore_http::Conditions;
/// use http::{HeaderMap, Method};
///
/// let mut headers = HeaderMap::new();
/// headers.append("if-match", "\"v1\"".parse().unwrap());
/// let conditions = Conditions::new(&Method::PUT, &headers);
///
/// let current = Representation { etag: Some(EntityTag::parse(b"\"v2\"")?), last_modified: None };
/// assert_eq!(conditions.evaluate(Some(&current), 0), Decision::PreconditionFailed);
/// # Ok::<(), etagcore::Error>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Conditions<'a> {
    headers: &'a HeaderMap,
    method: Method,
    fields: [Field<'a>; 5],
    has_range: bool,
}

impl<'a> Conditions<'a> {
    /// Borrows the conditional fields of a request with this method and these headers.
    ///
    /// # Examples
    ///
    /// ```
    /// use etagcore_http::Conditions;
    /// use http::{HeaderMap, Method};
    ///
    /// let headers = HeaderMap::new();
    /// assert!(!Conditions::new(&Method::GET, &headers).is_conditional());
    /// ```
    pub fn new(method: &http::Method, headers: &'a HeaderMap) -> Self {
        Conditions {
            headers,
            method: Method::from_bytes(method.as_str().as_bytes()),
            fields: NAMES.each_ref().map(|name| Field::of(headers, name)),
            has_range: headers.contains_key(header::RANGE),
        }
    }

    /// Calls `f` with the request as the core sees it. The field lines are borrowed: a field
    /// with one line (what clients send) as it is, a field with several in an array on this
    /// call's stack, which is why the request is lent to a closure rather than returned.
    ///
    /// # Examples
    ///
    /// ```
    /// use etagcore_http::Conditions;
    /// use http::{HeaderMap, Method};
    ///
    /// let mut headers = HeaderMap::new();
    /// headers.append("if-none-match", "\"a\"".parse().unwrap());
    /// headers.append("if-none-match", "\"b\"".parse().unwrap());
    /// let conditions = Conditions::new(&Method::GET, &headers);
    /// let lines = conditions.with_request(|r| r.if_none_match.len());
    /// assert_eq!(lines, 2);
    /// ```
    pub fn with_request<R>(&self, f: impl FnOnce(&Request<'_>) -> R) -> R {
        // An array only for a field with several lines; deferred initialisation keeps the
        // common request (no field, or one line each) free of any array.
        let (b0, b1, b2, b3, b4): (Lines<'a>, Lines<'a>, Lines<'a>, Lines<'a>, Lines<'a>);
        macro_rules! lines {
            ($field:expr, $i:expr, $list:expr, $buf:ident) => {
                match $field {
                    Field::Absent => &[][..],
                    Field::One(line) => core::slice::from_ref(line),
                    Field::Several => {
                        $buf = several(self.headers, &NAMES[$i], $list);
                        $buf.0.get(..$buf.1).unwrap_or_default()
                    }
                }
            };
        }
        let [f0, f1, f2, f3, f4] = &self.fields;
        let request = Request {
            method: self.method,
            if_match: lines!(f0, 0, true, b0),
            if_none_match: lines!(f1, 1, true, b1),
            if_modified_since: lines!(f2, 2, false, b2),
            if_unmodified_since: lines!(f3, 3, false, b3),
            if_range: lines!(f4, 4, false, b4),
            has_range: self.has_range,
        };
        f(&request)
    }

    /// RFC 9110 section 13.2.2 against the current representation (`None`: there is none) at
    /// `now`, seconds since the epoch (the response's `Date`; [`unix_now`] gives the clock).
    ///
    /// # Examples
    ///
    /// ```
    /// use etagcore::{Decision, Representation};
    /// use etagcore_http::Conditions;
    /// use http::{HeaderMap, Method};
    ///
    /// let mut headers = HeaderMap::new();
    /// headers.append("if-modified-since", "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap());
    /// let current = Representation { etag: None, last_modified: Some(1_445_412_480) };
    /// let conditions = Conditions::new(&Method::GET, &headers);
    /// assert_eq!(conditions.evaluate(Some(&current), 1_767_225_600), Decision::NotModified);
    /// ```
    pub fn evaluate(&self, current: Option<&Representation<'_>>, now: i64) -> Decision {
        self.with_request(|request| evaluate(request, current, now))
    }

    /// Whether the request carries any of the five conditional fields.
    ///
    /// # Examples
    ///
    /// ```
    /// use etagcore_http::Conditions;
    /// use http::{HeaderMap, Method};
    ///
    /// let mut headers = HeaderMap::new();
    /// headers.append("if-range", "\"a\"".parse().unwrap());
    /// assert!(Conditions::new(&Method::GET, &headers).is_conditional());
    /// ```
    pub fn is_conditional(&self) -> bool {
        self.fields.iter().any(|f| !matches!(f, Field::Absent))
    }

    /// Whether the request has a `Range` field.
    ///
    /// # Examples
    ///
    /// ```
    /// use etagcore_http::Conditions;
    /// use http::{HeaderMap, Method};
    ///
    /// let mut headers = HeaderMap::new();
    /// headers.append("range", "bytes=0-4".parse().unwrap());
    /// assert!(Conditions::new(&Method::GET, &headers).has_range());
    /// ```
    pub fn has_range(&self) -> bool {
        self.has_range
    }
}

/// The system clock in seconds since the epoch (0 before 1970), the `now` of
/// [`Conditions::evaluate`].
///
/// # Examples
///
/// ```
/// assert!(etagcore_http::unix_now() > 1_700_000_000);
/// ```
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
