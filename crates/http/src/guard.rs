//! State-changing methods: evaluate the conditions against the application's current tag
//! *before* the write.
//!
//! A response layer cannot protect a `PUT`, `PATCH` or `DELETE`: by the time it sees the
//! response, the handler has written. RFC 9110 section 13.2.1 asks the server to evaluate the
//! preconditions before performing the method, so the handler asks first:
//!
//! ```
//! use etagcore::{ContentTag, Representation};
//! use etagcore_http::guard;
//! use http::{HeaderMap, Method};
//!
//! let stored = b"version 1".to_vec();
//! let mut headers = HeaderMap::new();
//! headers.insert("if-match", "\"0123456789abcdef0123456789abcdef\"".parse().unwrap());
//!
//! let tag = ContentTag::of(&stored);
//! let current = Representation { etag: Some(tag.entity_tag()), last_modified: None };
//! match guard(&Method::PUT, &headers, Some(&current)) {
//!     Ok(()) => { /* write, then answer 200 or 204 */ }
//!     Err(refused) => assert_eq!(refused.status(), 412), // the write never ran
//! }
//! ```
//!
//! The check and the write must not be separated by another writer: hold the same lock (or run
//! the same transaction) around both, as `examples/put.rs` does.

use etagcore::{Decision, Representation};
use http::{HeaderMap, Method, Response, StatusCode};

use crate::{Conditions, unix_now};

/// Why [`guard`] refused to let the method run.
///
/// # Examples
///
/// ```
/// use etagcore_http::Refused;
///
/// assert_eq!(Refused::PreconditionFailed.status(), 412);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// 412: `If-Match` or `If-Unmodified-Since` failed, or `If-None-Match` matched on a
    /// state-changing method (`If-None-Match: *` on a `PUT` that must not overwrite).
    PreconditionFailed,
    /// 304: a `GET` or `HEAD` whose cached copy is current (for handlers that guard reads too).
    NotModified,
}

impl Refused {
    /// The status code to answer with.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(etagcore_http::Refused::NotModified.status(), 304);
    /// ```
    pub fn status(self) -> StatusCode {
        match self {
            Refused::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Refused::NotModified => StatusCode::NOT_MODIFIED,
        }
    }

    /// The response: the status, no body, and for a 304 the current `ETag` when given.
    ///
    /// # Examples
    ///
    /// ```
    /// let response: http::Response<String> = etagcore_http::Refused::PreconditionFailed.into_response(None);
    /// assert_eq!(response.status(), 412);
    /// ```
    pub fn into_response<B: Default>(self, etag: Option<&str>) -> Response<B> {
        let mut response = Response::new(B::default());
        *response.status_mut() = self.status();
        if let (Refused::NotModified, Some(Ok(value))) = (self, etag.map(str::parse)) {
            response.headers_mut().insert(http::header::ETAG, value);
        }
        response
    }
}

/// Evaluates the request's conditions (all five, in RFC 9110 section 13.2.2's order) against the
/// resource's current state at the system clock: `Ok(())` when the method may run, or why not.
/// `current` is `None` when the resource does not exist (a `PUT` that would create it:
/// `If-None-Match: *` passes, `If-Match: *` fails).
///
/// # Examples
///
/// ```
/// use etagcore_http::{Refused, guard};
/// use http::{HeaderMap, Method};
///
/// // Create-only: If-None-Match: * on a resource that already exists.
/// let mut headers = HeaderMap::new();
/// headers.insert("if-none-match", "*".parse().unwrap());
/// let existing = etagcore::Representation::default();
/// assert_eq!(guard(&Method::PUT, &headers, Some(&existing)), Err(Refused::PreconditionFailed));
/// assert_eq!(guard(&Method::PUT, &headers, None), Ok(()));
/// ```
pub fn guard(
    method: &Method,
    headers: &HeaderMap,
    current: Option<&Representation<'_>>,
) -> Result<(), Refused> {
    guard_at(method, headers, current, unix_now())
}

/// [`guard`] at a given clock (`now`, seconds since the epoch).
///
/// # Examples
///
/// ```
/// use etagcore_http::guard_at;
/// use http::{HeaderMap, Method};
///
/// assert_eq!(guard_at(&Method::DELETE, &HeaderMap::new(), None, 0), Ok(()));
/// ```
pub fn guard_at(
    method: &Method,
    headers: &HeaderMap,
    current: Option<&Representation<'_>>,
    now: i64,
) -> Result<(), Refused> {
    match Conditions::new(method, headers).evaluate(current, now) {
        Decision::PreconditionFailed => Err(Refused::PreconditionFailed),
        Decision::NotModified => Err(Refused::NotModified),
        _ => Ok(()),
    }
}
