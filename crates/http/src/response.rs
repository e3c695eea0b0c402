//! From a decision to a response: the 304 with the fields RFC 9110 section 15.4.5 keeps, the
//! 412, and the validators of a response read back from its headers.

use etagcore::{Decision, EntityTag, FieldRule, Representation, parse_http_date};
use http::header::{self, HeaderMap};
use http::response::Parts;
use http::{Response, StatusCode};

/// The 304 for a response that would have been sent with these parts: its status becomes 304,
/// its header fields are those [`Decision::field_rule`] keeps (`ETag`, `Cache-Control`,
/// `Expires`, `Vary`, `Date`, `Content-Location` and response metadata such as `Set-Cookie`;
/// no `Content-*`, no `Last-Modified` when there is an `ETag`), and its body is `B::default()`.
///
/// # Examples
///
/// ```
/// use etagcore_http::not_modified;
/// use http::Response;
///
/// let (parts, _body) = Response::builder()
///     .header("etag", "\"abc\"")
///     .header("vary", "accept-encoding")
///     .header("content-length", "5")
///     .header("last-modified", "Wed, 21 Oct 2015 07:28:00 GMT")
///     .body("hello")
///     .unwrap()
///     .into_parts();
/// let response: Response<String> = not_modified(parts);
/// assert_eq!(response.status(), 304);
/// assert!(response.headers().contains_key("etag"));
/// assert!(response.headers().contains_key("vary"));
/// assert!(!response.headers().contains_key("content-length"));
/// assert!(!response.headers().contains_key("last-modified"));
/// ```
pub fn not_modified<B: Default>(mut parts: Parts) -> Response<B> {
    let has_etag = parts.headers.contains_key(header::ETAG);
    retain(&mut parts.headers, |name| {
        Decision::NotModified.field_rule(name.as_str().as_bytes(), has_etag) != FieldRule::Omit
    });
    parts.status = StatusCode::NOT_MODIFIED;
    Response::from_parts(parts, B::default())
}

/// A 412 Precondition Failed with an empty body and no other field.
///
/// # Examples
///
/// ```
/// let response: http::Response<String> = etagcore_http::precondition_failed();
/// assert_eq!(response.status(), 412);
/// assert!(response.body().is_empty());
/// ```
pub fn precondition_failed<B: Default>() -> Response<B> {
    let mut response = Response::new(B::default());
    *response.status_mut() = StatusCode::PRECONDITION_FAILED;
    response
}

/// The validators of a response, read from its `ETag` and `Last-Modified` fields: a field that
/// is absent, repeated or malformed counts as absent (the response then offers no such
/// validator). `now` resolves a two-digit rfc850 year.
///
/// # Examples
///
/// ```
/// use etagcore_http::representation;
/// use http::HeaderMap;
///
/// let mut headers = HeaderMap::new();
/// headers.insert("etag", "W/\"abc\"".parse().unwrap());
/// headers.insert("last-modified", "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap());
/// let current = representation(&headers, 1_767_225_600);
/// assert!(current.etag.unwrap().is_weak());
/// assert_eq!(current.last_modified, Some(1_445_412_480));
/// ```
pub fn representation(headers: &HeaderMap, now: i64) -> Representation<'_> {
    let one = |name| {
        let mut values = headers.get_all(name).iter();
        match (values.next(), values.next()) {
            (Some(value), None) => Some(value.as_bytes()),
            _ => None,
        }
    };
    Representation {
        etag: one(header::ETAG).and_then(|v| EntityTag::parse(v).ok()),
        last_modified: one(header::LAST_MODIFIED).and_then(|v| parse_http_date(v, now).ok()),
    }
}

/// `HeaderMap::retain` by name (the http crate has none).
fn retain(headers: &mut HeaderMap, keep: impl Fn(&header::HeaderName) -> bool) {
    let dropped: Vec<header::HeaderName> =
        headers.keys().filter(|name| !keep(name)).cloned().collect();
    for name in dropped {
        headers.remove(name);
    }
}
