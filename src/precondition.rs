//! The evaluation order of RFC 9110 section 13.2.2, from the request's conditional fields and
//! the current representation to a [`Decision`].

use crate::condition::{
    Representation, if_match, if_modified_since, if_none_match, if_range, if_unmodified_since,
};
use crate::method::Method;
use crate::not_modified::{FieldRule, not_modified_field};

/// The parts of a request that preconditions depend on.
///
/// Each conditional field is given as its field lines, in order, each without the field name:
/// an empty slice means the field is absent, `&[b""]` that it is present with an empty value.
/// Several lines of one field are one value joined with `", "` (RFC 9110 section 5.3).
///
/// # Examples
///
/// ```
/// use etagcore::{Method, Request};
///
/// let request = Request { method: Method::Get, if_none_match: &[b"\"xyzzy\""], ..Request::default() };
/// assert!(request.if_match.is_empty());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Request<'a> {
    /// The request method.
    pub method: Method,
    /// `If-Match` field lines.
    pub if_match: &'a [&'a [u8]],
    /// `If-None-Match` field lines.
    pub if_none_match: &'a [&'a [u8]],
    /// `If-Modified-Since` field lines.
    pub if_modified_since: &'a [&'a [u8]],
    /// `If-Unmodified-Since` field lines.
    pub if_unmodified_since: &'a [&'a [u8]],
    /// `If-Range` field lines.
    pub if_range: &'a [&'a [u8]],
    /// Whether the request carries a `Range` field.
    pub has_range: bool,
}

/// What the server should do after evaluating the preconditions.
///
/// 304 and 412 are answers, not errors. [`status`](Self::status) gives the status code;
/// [`field_rule`](Self::field_rule) which header fields the response carries (RFC 9110 section
/// 15.4.5 for a 304).
///
/// # Examples
///
/// ```
/// use etagcore::Decision;
///
/// assert_eq!(Decision::NotModified.status(), 304);
/// ```
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Decision {
    /// The preconditions hold, or there are none: perform the method. For `GET` and `HEAD`,
    /// send the full representation (200); other methods answer as they would unconditionally.
    Perform,
    /// `GET` with a `Range` field, and `If-Range` absent or true: the range may be served (206).
    /// Whether it is satisfiable (else 416) is for the caller to decide.
    ServeRange,
    /// 304 Not Modified: the client's cached representation is current.
    NotModified,
    /// 412 Precondition Failed.
    PreconditionFailed,
}

impl Decision {
    /// The status code of the response: 200, 206, 304 or 412. For [`Decision::Perform`] on a
    /// method other than `GET`/`HEAD`, the method's own success code (201, 204...) applies instead.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(etagcore::Decision::ServeRange.status(), 206);
    /// ```
    #[must_use]
    pub const fn status(self) -> u16 {
        match self {
            Self::Perform => 200,
            Self::ServeRange => 206,
            Self::NotModified => 304,
            Self::PreconditionFailed => 412,
        }
    }

    /// What to do with a header field the caller would have sent in a 200 response to the same
    /// request. Only a 304 constrains the fields (RFC 9110 section 15.4.5, see
    /// [`not_modified_field`]); every other decision answers [`FieldRule::Allowed`].
    ///
    /// `has_etag` says whether the response carries an `ETag`: a 304 drops `Last-Modified` when
    /// it does.
    ///
    /// # Examples
    ///
    /// ```
    /// use etagcore::{Decision, FieldRule};
    ///
    /// assert_eq!(Decision::NotModified.field_rule(b"etag", true), FieldRule::Required);
    /// assert_eq!(Decision::NotModified.field_rule(b"Content-Length", true), FieldRule::Omit);
    /// assert_eq!(Decision::Perform.field_rule(b"Content-Length", true), FieldRule::Allowed);
    /// ```
    #[must_use]
    pub fn field_rule(self, name: &[u8], has_etag: bool) -> FieldRule {
        match self {
            Self::NotModified => not_modified_field(name, has_etag),
            Self::Perform | Self::ServeRange | Self::PreconditionFailed => FieldRule::Allowed,
        }
    }
}

/// Evaluates the preconditions of `request` against the current representation, in the order of
/// RFC 9110 section 13.2.2.
///
/// `current` is `None` when the target resource has no current representation (a `PUT` that
/// would create it). `now` is the server's clock, in seconds since the epoch: the `Date` of the
/// response.
///
/// 1. `If-Match` (strong comparison) false: 412. When `If-Match` is absent, `If-Unmodified-Since`
///    false: 412.
/// 2. `If-None-Match` (weak comparison) false: 304 for `GET`/`HEAD`, 412 otherwise. When it is
///    absent and the method is `GET`/`HEAD`, `If-Modified-Since` false: 304.
/// 3. `GET` with `Range`: 206 when `If-Range` is absent or true, else 200.
///
/// `CONNECT`, `OPTIONS` and `TRACE` ignore every condition (section 13.2.1). A malformed `If-Match`
/// is false, a malformed `If-None-Match` true; an invalid date field is ignored; an invalid
/// `If-Range` is false.
///
/// This is the origin server's evaluation: steps 1 and 2 apply only at the origin. A cache
/// answering from storage evaluates `If-None-Match` and `If-Modified-Since` alone (RFC 9111
/// section 4.3.2) and should not call this.
///
/// Section 13.2.1 also says to ignore the conditions when the response without them would not be
/// 2xx or 412: a `GET` of a missing resource is a 404, whatever `If-Match` says. That check comes
/// first, in the caller. So does the exception of sections 13.1.1 and 13.1.4 for a state-changing
/// request that has evidently already succeeded.
///
/// # Examples
///
/// ```
/// use etagcore::{evaluate, Decision, EntityTag, Method, Representation, Request};
///
/// let current = Representation { etag: Some(EntityTag::parse(b"\"xyzzy\"")?), last_modified: Some(1_445_412_480) };
/// let now = 1_767_225_600;
/// let revalidate = Request { if_none_match: &[b"W/\"xyzzy\""], ..Request::default() };
/// assert_eq!(evaluate(&revalidate, Some(&current), now), Decision::NotModified);
///
/// let lost_update = Request { method: Method::Put, if_match: &[b"\"r2d2\""], ..Request::default() };
/// assert_eq!(evaluate(&lost_update, Some(&current), now), Decision::PreconditionFailed);
///
/// let create_only = Request { method: Method::Put, if_none_match: &[b"*"], ..Request::default() };
/// assert_eq!(evaluate(&create_only, None, now), Decision::Perform);
/// # Ok::<(), etagcore::Error>(())
/// ```
#[must_use]
pub fn evaluate(request: &Request<'_>, current: Option<&Representation<'_>>, now: i64) -> Decision {
    let method = request.method;
    if method.ignores_preconditions() {
        return Decision::Perform;
    }
    // Step 1; step 2 only when If-Match is absent.
    let step_1_or_2 = match if_match(request.if_match, current) {
        None => if_unmodified_since(request.if_unmodified_since, current, now),
        some => some,
    };
    if step_1_or_2 == Some(false) {
        return Decision::PreconditionFailed;
    }
    // Step 3; step 4 only when If-None-Match is absent, for GET and HEAD.
    match if_none_match(request.if_none_match, current) {
        Some(false) if method.is_get_or_head() => return Decision::NotModified,
        Some(false) => return Decision::PreconditionFailed,
        Some(true) => {}
        None => {
            let get_or_head = method.is_get_or_head();
            if get_or_head
                && if_modified_since(request.if_modified_since, current, now) == Some(false)
            {
                return Decision::NotModified;
            }
        }
    }
    // Step 5: GET is the only method with range handling (section 14.2).
    if method == Method::Get
        && request.has_range
        && if_range(request.if_range, current, now) != Some(false)
    {
        Decision::ServeRange
    } else {
        Decision::Perform
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::EntityTag;

    const NOW: i64 = 1_767_225_600;
    const LM: i64 = 1_445_412_480; // Wed, 21 Oct 2015 07:28:00 GMT
    const BEFORE: &[u8] = b"Wed, 21 Oct 2015 07:27:59 GMT";
    const AT: &[u8] = b"Wed, 21 Oct 2015 07:28:00 GMT";

    fn current() -> Representation<'static> {
        Representation {
            etag: Some(EntityTag::parse(b"\"v1\"").expect("valid")),
            last_modified: Some(LM),
        }
    }

    fn decide(request: Request<'_>) -> Decision {
        evaluate(&request, Some(&current()), NOW)
    }

    /// Each step decides only when the earlier ones pass: walk the order of 13.2.2.
    #[test]
    fn steps_run_in_order() {
        let base = Request {
            method: Method::Get,
            has_range: true,
            ..Request::default()
        };
        let failing_im = Request {
            if_match: &[b"\"v0\""],
            if_none_match: &[b"\"v1\""],
            ..base
        };
        assert_eq!(decide(failing_im), Decision::PreconditionFailed);
        let failing_ius = Request {
            if_unmodified_since: &[BEFORE],
            if_none_match: &[b"\"v1\""],
            ..base
        };
        assert_eq!(decide(failing_ius), Decision::PreconditionFailed);
        let matching_inm = Request {
            if_match: &[b"\"v1\""],
            if_none_match: &[b"\"v1\""],
            if_range: &[b"\"v1\""],
            ..base
        };
        assert_eq!(decide(matching_inm), Decision::NotModified);
        let unmodified = Request {
            if_modified_since: &[AT],
            if_range: &[b"\"v1\""],
            ..base
        };
        assert_eq!(decide(unmodified), Decision::NotModified);
        let range = Request {
            if_modified_since: &[BEFORE],
            if_range: &[b"\"v1\""],
            ..base
        };
        assert_eq!(decide(range), Decision::ServeRange);
        let stale_range = Request {
            if_range: &[b"\"v0\""],
            ..base
        };
        assert_eq!(decide(stale_range), Decision::Perform);
    }

    #[test]
    fn exempt_methods_ignore_everything() {
        for method in [Method::Connect, Method::Options, Method::Trace] {
            let request = Request {
                method,
                if_match: &[b"\"v0\""],
                if_none_match: &[b"*"],
                ..Request::default()
            };
            assert_eq!(decide(request), Decision::Perform, "{method:?}");
        }
    }

    #[test]
    fn failed_if_none_match_is_304_only_for_get_and_head() {
        for (method, expected) in [
            (Method::Get, Decision::NotModified),
            (Method::Head, Decision::NotModified),
            (Method::Post, Decision::PreconditionFailed),
            (Method::Put, Decision::PreconditionFailed),
            (Method::Delete, Decision::PreconditionFailed),
            (Method::Patch, Decision::PreconditionFailed),
            (Method::Other, Decision::PreconditionFailed),
        ] {
            assert_eq!(
                decide(Request {
                    method,
                    if_none_match: &[b"*"],
                    ..Request::default()
                }),
                expected
            );
            let ims = Request {
                method,
                if_modified_since: &[AT],
                ..Request::default()
            };
            let expected = if method.is_get_or_head() {
                Decision::NotModified
            } else {
                Decision::Perform
            };
            assert_eq!(decide(ims), expected, "{method:?} If-Modified-Since");
        }
    }

    #[test]
    fn status_codes_and_field_rules() {
        let all = [
            Decision::Perform,
            Decision::ServeRange,
            Decision::NotModified,
            Decision::PreconditionFailed,
        ];
        assert_eq!(all.map(Decision::status), [200, 206, 304, 412]);
        for decision in all {
            let expected = if decision == Decision::NotModified {
                FieldRule::Omit
            } else {
                FieldRule::Allowed
            };
            assert_eq!(decision.field_rule(b"content-type", true), expected);
        }
    }
}
