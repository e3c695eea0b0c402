//! The conditional fields of a request, borrowed from actix-web's `HeaderMap` into fixed arrays.

use std::time::{SystemTime, UNIX_EPOCH};

use actix_web::http::header::{self, HeaderMap, HeaderName};
use etagcore::{Decision, Method, Representation, Request, evaluate};

/// The most field lines kept per conditional field.
///
/// Real clients send one line per field; a field with more lines than this gets the meaning
/// RFC 9110 gives a malformed field: `If-Match` is false (412), `If-None-Match` matches nothing,
/// `If-Modified-Since` and `If-Unmodified-Since` are ignored (more than one member, sections
/// 13.1.3 and 13.1.4), and `If-Range` is false (section 13.1.5). The same limit and meaning as
/// etagcore-http's.
///
/// # Examples
///
/// ```
/// use actix_web::http::{Method, header::{HeaderMap, HeaderValue, IF_MATCH}};
/// use etagcore::Decision;
/// use etagcore_actix::{Conditions, MAX_FIELD_LINES};
///
/// let mut headers = HeaderMap::new();
/// for _ in 0..=MAX_FIELD_LINES {
///     headers.append(IF_MATCH, HeaderValue::from_static("*"));
/// }
/// let conditions = Conditions::new(&Method::PUT, &headers);
/// assert_eq!(conditions.evaluate(None, 0), Decision::PreconditionFailed);
/// ```
pub const MAX_FIELD_LINES: usize = 16;

/// What a list field with too many lines becomes: one line no entity-tag list accepts (a NUL
/// byte), so the core gives the field the meaning of a malformed list.
const MALFORMED_LIST: &[u8] = b"\0";

/// Up to [`MAX_FIELD_LINES`] field lines of one field.
#[derive(Clone, Copy, Debug)]
struct Lines<'a> {
    lines: [&'a [u8]; MAX_FIELD_LINES],
    len: usize,
}

impl<'a> Lines<'a> {
    fn of(headers: &'a HeaderMap, name: &HeaderName, list: bool) -> Self {
        let mut out = Lines {
            lines: [&[]; MAX_FIELD_LINES],
            len: 0,
        };
        for value in headers.get_all(name) {
            match out.lines.get_mut(out.len) {
                Some(slot) => {
                    *slot = value.as_bytes();
                    out.len += 1;
                }
                None if list => {
                    let mut lines = [&[][..]; MAX_FIELD_LINES];
                    if let Some(first) = lines.first_mut() {
                        *first = MALFORMED_LIST;
                    }
                    return Lines { lines, len: 1 };
                }
                // A date field or If-Range already has more than one line: ignored, or false.
                None => break,
            }
        }
        out
    }

    fn as_slice(&self) -> &[&'a [u8]] {
        self.lines.get(..self.len).unwrap_or_default()
    }

    fn is_present(&self) -> bool {
        self.len > 0
    }
}

/// The five conditional fields of a request, its method, and whether it has a `Range` field:
/// everything [`etagcore::evaluate`] needs, borrowed from actix-web's request headers without
/// allocating.
///
/// # Examples
///
/// ```
/// use actix_web::test::TestRequest;
/// use etagcore::{Decision, EntityTag, Representation};
/// use etagcore_actix::Conditions;
///
/// let req = TestRequest::put().insert_header(("if-match", "\"v1\"")).to_http_request();
/// let conditions = Conditions::new(req.method(), req.headers());
///
/// let current = Representation { etag: Some(EntityTag::parse(b"\"v2\"")?), last_modified: None };
/// assert_eq!(conditions.evaluate(Some(&current), 0), Decision::PreconditionFailed);
/// # Ok::<(), etagcore::Error>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Conditions<'a> {
    method: Method,
    if_match: Lines<'a>,
    if_none_match: Lines<'a>,
    if_modified_since: Lines<'a>,
    if_unmodified_since: Lines<'a>,
    if_range: Lines<'a>,
    has_range: bool,
}

impl<'a> Conditions<'a> {
    /// Borrows the conditional fields of a request with this method and these headers.
    ///
    /// # Examples
    ///
    /// ```
    /// use actix_web::http::{Method, header::HeaderMap};
    /// use etagcore_actix::Conditions;
    ///
    /// let headers = HeaderMap::new();
    /// assert!(!Conditions::new(&Method::GET, &headers).is_conditional());
    /// ```
    pub fn new(method: &actix_web::http::Method, headers: &'a HeaderMap) -> Self {
        Conditions {
            method: Method::from_bytes(method.as_str().as_bytes()),
            if_match: Lines::of(headers, &header::IF_MATCH, true),
            if_none_match: Lines::of(headers, &header::IF_NONE_MATCH, true),
            if_modified_since: Lines::of(headers, &header::IF_MODIFIED_SINCE, false),
            if_unmodified_since: Lines::of(headers, &header::IF_UNMODIFIED_SINCE, false),
            if_range: Lines::of(headers, &header::IF_RANGE, false),
            has_range: headers.contains_key(header::RANGE),
        }
    }

    /// The request as the core sees it.
    ///
    /// # Examples
    ///
    /// ```
    /// use actix_web::test::TestRequest;
    /// use etagcore_actix::Conditions;
    ///
    /// let req = TestRequest::get()
    ///     .append_header(("if-none-match", "\"a\""))
    ///     .append_header(("if-none-match", "\"b\""))
    ///     .to_http_request();
    /// let conditions = Conditions::new(req.method(), req.headers());
    /// assert_eq!(conditions.request().if_none_match, [&b"\"a\""[..], b"\"b\""]);
    /// ```
    pub fn request(&self) -> Request<'_> {
        Request {
            method: self.method,
            if_match: self.if_match.as_slice(),
            if_none_match: self.if_none_match.as_slice(),
            if_modified_since: self.if_modified_since.as_slice(),
            if_unmodified_since: self.if_unmodified_since.as_slice(),
            if_range: self.if_range.as_slice(),
            has_range: self.has_range,
        }
    }

    /// RFC 9110 section 13.2.2 against the current representation (`None`: there is none) at
    /// `now`, seconds since the epoch ([`unix_now`] gives the clock).
    ///
    /// # Examples
    ///
    /// ```
    /// use actix_web::test::TestRequest;
    /// use etagcore::{Decision, Representation};
    /// use etagcore_actix::Conditions;
    ///
    /// let req = TestRequest::get()
    ///     .insert_header(("if-modified-since", "Wed, 21 Oct 2015 07:28:00 GMT"))
    ///     .to_http_request();
    /// let current = Representation { etag: None, last_modified: Some(1_445_412_480) };
    /// let conditions = Conditions::new(req.method(), req.headers());
    /// assert_eq!(conditions.evaluate(Some(&current), 1_767_225_600), Decision::NotModified);
    /// ```
    pub fn evaluate(&self, current: Option<&Representation<'_>>, now: i64) -> Decision {
        evaluate(&self.request(), current, now)
    }

    /// Whether the request carries any of the five conditional fields.
    ///
    /// # Examples
    ///
    /// ```
    /// use actix_web::test::TestRequest;
    /// use etagcore_actix::Conditions;
    ///
    /// let req = TestRequest::get().insert_header(("if-range", "\"a\"")).to_http_request();
    /// assert!(Conditions::new(req.method(), req.headers()).is_conditional());
    /// ```
    pub fn is_conditional(&self) -> bool {
        self.if_match.is_present()
            || self.if_none_match.is_present()
            || self.if_modified_since.is_present()
            || self.if_unmodified_since.is_present()
            || self.if_range.is_present()
    }

    /// Whether the request has a `Range` field.
    ///
    /// # Examples
    ///
    /// ```
    /// use actix_web::test::TestRequest;
    /// use etagcore_actix::Conditions;
    ///
    /// let req = TestRequest::get().insert_header(("range", "bytes=0-4")).to_http_request();
    /// assert!(Conditions::new(req.method(), req.headers()).has_range());
    /// ```
    pub fn has_range(&self) -> bool {
        self.has_range
    }
}

/// The system clock in seconds since the epoch (0 before 1970): the `now` of
/// [`Conditions::evaluate`].
///
/// # Examples
///
/// ```
/// assert!(etagcore_actix::unix_now() > 1_700_000_000);
/// ```
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
