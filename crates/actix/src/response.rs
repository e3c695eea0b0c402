//! From a decision to a response: the 304 with the fields RFC 9110 section 15.4.5 keeps, the
//! 412, the validators of a response read back from its headers, and the weak form of a tag
//! whose bytes were compressed on the fly.

use actix_web::HttpResponse;
use actix_web::body::{BoxBody, None as NoBody};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use etagcore::{Decision, EntityTag, FieldRule, Representation, parse_http_date};

/// The 304 for a response that would have been sent: its status becomes 304, its header fields
/// are those [`Decision::field_rule`] keeps (`ETag`, `Cache-Control`, `Expires`, `Vary`, `Date`,
/// `Content-Location` and response metadata such as `Set-Cookie`; no `Content-*`, no
/// `Last-Modified` when there is an `ETag`), and it has no body.
///
/// # Examples
///
/// ```
/// use actix_web::HttpResponse;
/// use etagcore_actix::not_modified;
///
/// let full = HttpResponse::Ok()
///     .insert_header(("etag", "\"abc\""))
///     .insert_header(("vary", "accept-encoding"))
///     .insert_header(("content-type", "text/plain"))
///     .insert_header(("last-modified", "Wed, 21 Oct 2015 07:28:00 GMT"))
///     .body("hello");
/// let response = not_modified(full);
/// assert_eq!(response.status(), 304);
/// assert!(response.headers().contains_key("etag"));
/// assert!(response.headers().contains_key("vary"));
/// assert!(!response.headers().contains_key("content-type"));
/// assert!(!response.headers().contains_key("last-modified"));
/// ```
pub fn not_modified<B>(response: HttpResponse<B>) -> HttpResponse<BoxBody> {
    let (mut response, _body) = response.into_parts();
    let has_etag = response.headers().contains_key(header::ETAG);
    response.headers_mut().retain(|name, _| {
        Decision::NotModified.field_rule(name.as_str().as_bytes(), has_etag) != FieldRule::Omit
    });
    *response.status_mut() = StatusCode::NOT_MODIFIED;
    response.set_body(BoxBody::new(NoBody::new()))
}

/// A 412 Precondition Failed with an empty body and no other field.
///
/// # Examples
///
/// ```
/// let response = etagcore_actix::precondition_failed();
/// assert_eq!(response.status(), 412);
/// ```
pub fn precondition_failed() -> HttpResponse<BoxBody> {
    HttpResponse::new(StatusCode::PRECONDITION_FAILED)
}

/// The validators of a response, read from its `ETag` and `Last-Modified` fields: a field that
/// is absent, repeated or malformed counts as absent (the response then offers no such
/// validator). `now` resolves a two-digit rfc850 year.
///
/// # Examples
///
/// ```
/// use actix_web::http::header::{HeaderMap, HeaderValue, ETAG, LAST_MODIFIED};
/// use etagcore_actix::representation;
///
/// let mut headers = HeaderMap::new();
/// headers.insert(ETAG, HeaderValue::from_static("W/\"abc\""));
/// headers.insert(LAST_MODIFIED, HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"));
/// let current = representation(&headers, 1_767_225_600);
/// assert!(current.etag.unwrap().is_weak());
/// assert_eq!(current.last_modified, Some(1_445_412_480));
/// ```
pub fn representation(headers: &HeaderMap, now: i64) -> Representation<'_> {
    let one = |name| {
        let mut values = headers.get_all(name);
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

/// A response extension set by whatever computed the response's `ETag` (or found it set by the
/// handler): the `Content-Encoding` the response had then (`None`: the identity
/// representation).
///
/// [`Preconditions`](crate::Preconditions), outside actix-web's `Compress`, sees another
/// `Content-Encoding` on the response than the one recorded here when the body was compressed
/// on the fly, and sends the weak form of the tag (RFC 9110 section 8.8.1); a precompressed
/// file, tagged from its own encoded bytes, keeps its strong tag.
///
/// # Examples
///
/// ```
/// use actix_web::{HttpMessage, HttpResponse};
/// use etagcore_actix::TaggedEncoding;
///
/// let mut response = HttpResponse::Ok().finish();
/// response.extensions_mut().insert(TaggedEncoding(None));
/// assert!(response.extensions().get::<TaggedEncoding>().is_some());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TaggedEncoding(pub Option<HeaderValue>);

impl TaggedEncoding {
    /// The `Content-Encoding` of these headers as the tagger records it: absent and `identity`
    /// are both `None`.
    ///
    /// # Examples
    ///
    /// ```
    /// use actix_web::http::header::{HeaderMap, HeaderValue, CONTENT_ENCODING};
    /// use etagcore_actix::TaggedEncoding;
    ///
    /// let mut headers = HeaderMap::new();
    /// assert_eq!(TaggedEncoding::of(&headers), TaggedEncoding(None));
    /// headers.insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    /// assert_eq!(TaggedEncoding::of(&headers), TaggedEncoding(Some(HeaderValue::from_static("gzip"))));
    /// ```
    pub fn of(headers: &HeaderMap) -> Self {
        TaggedEncoding(content_encoding(headers).cloned())
    }

    /// Whether a response with these headers still has the encoding recorded here (compared
    /// case-insensitively); `false` means it was transformed after it was tagged.
    ///
    /// # Examples
    ///
    /// ```
    /// use actix_web::http::header::{HeaderMap, HeaderValue, CONTENT_ENCODING};
    /// use etagcore_actix::TaggedEncoding;
    ///
    /// let mut headers = HeaderMap::new();
    /// headers.insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    /// assert!(!TaggedEncoding(None).matches(&headers));
    /// assert!(TaggedEncoding(Some(HeaderValue::from_static("GZIP"))).matches(&headers));
    /// ```
    pub fn matches(&self, headers: &HeaderMap) -> bool {
        match (&self.0, content_encoding(headers)) {
            (None, None) => true,
            (Some(a), Some(b)) => a.as_bytes().eq_ignore_ascii_case(b.as_bytes()),
            _ => false,
        }
    }
}

/// The response's `Content-Encoding`, `identity` counting as none.
fn content_encoding(headers: &HeaderMap) -> Option<&HeaderValue> {
    headers
        .get(header::CONTENT_ENCODING)
        .filter(|v| !v.as_bytes().eq_ignore_ascii_case(b"identity"))
}

/// Rewrites a strong `ETag` of these headers as its weak form, `W/` + the same opaque tag:
/// what a response compressed on the fly carries (RFC 9110 section 8.8.1). A weak, absent,
/// repeated or malformed `ETag` is left as it is.
///
/// # Examples
///
/// ```
/// use actix_web::http::header::{HeaderMap, HeaderValue, ETAG};
/// use etagcore_actix::weaken_etag;
///
/// let mut headers = HeaderMap::new();
/// headers.insert(ETAG, HeaderValue::from_static("\"abc\""));
/// weaken_etag(&mut headers);
/// assert_eq!(headers.get(ETAG).unwrap(), "W/\"abc\"");
/// weaken_etag(&mut headers);
/// assert_eq!(headers.get(ETAG).unwrap(), "W/\"abc\"");
/// ```
pub fn weaken_etag(headers: &mut HeaderMap) {
    let weak = {
        let mut values = headers.get_all(header::ETAG);
        match (values.next(), values.next()) {
            (Some(value), None) => match EntityTag::parse(value.as_bytes()) {
                Ok(tag) if !tag.is_weak() => {
                    let mut bytes = Vec::with_capacity(value.len() + 2);
                    bytes.extend_from_slice(b"W/");
                    bytes.extend_from_slice(value.as_bytes());
                    HeaderValue::from_bytes(&bytes).ok()
                }
                _ => None,
            },
            _ => None,
        }
    };
    if let Some(weak) = weak {
        headers.insert(header::ETAG, weak);
    }
}
