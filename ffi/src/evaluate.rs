//! The full precondition evaluation, and the header fields of a 304.

use etagcore::{
    Decision, EntityTag, FieldRule, Method, Representation, Request, evaluate, not_modified_field,
};

use crate::bytes::{
    etagcore_bytes, etagcore_field, field_lines, flag, input, line_buf, out_ptr, reference, write,
};
use crate::panic::guard_result;
use crate::result::etagcore_result;

/// The parts of a request that preconditions depend on.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct etagcore_request {
    /// The method token as received, case-sensitive (`GET`, `HEAD`, `PUT`...).
    pub method: etagcore_bytes,
    /// `If-Match` field lines.
    pub if_match: etagcore_field,
    /// `If-None-Match` field lines.
    pub if_none_match: etagcore_field,
    /// `If-Modified-Since` field lines.
    pub if_modified_since: etagcore_field,
    /// `If-Unmodified-Since` field lines.
    pub if_unmodified_since: etagcore_field,
    /// `If-Range` field lines.
    pub if_range: etagcore_field,
    /// 1 when the request has a `Range` field, 0 when not; any other value is `INVALID_INPUT`.
    pub has_range: u8,
}

/// The current representation of the target resource (the core's `Representation`): what its
/// `ETag` and `Last-Modified` would be in a 200 response now.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct etagcore_representation {
    /// Its `ETag` field value exactly as sent (`"xyzzy"` with the quotes, or `W/"xyzzy"`);
    /// `(NULL, 0)` when it has none.
    pub etag: etagcore_bytes,
    /// 1 when `last_modified` holds its modification time, 0 when not; any other value is
    /// `INVALID_INPUT`.
    pub has_last_modified: u8,
    /// Its `Last-Modified`, in seconds since the epoch.
    pub last_modified: i64,
}

/// What to answer. The values are the status codes.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum etagcore_decision {
    /// Perform the method: 200 for GET/HEAD, the method's own success code otherwise.
    Perform = 200,
    /// GET with Range, If-Range absent or true: serve the range (206), or 416 if unsatisfiable.
    ServeRange = 206,
    /// 304 Not Modified.
    NotModified = 304,
    /// 412 Precondition Failed.
    PreconditionFailed = 412,
}

/// What a response does with a header field a 200 would have carried.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum etagcore_field_rule {
    /// Must be sent if a 200 would send it.
    Required = 0,
    /// Must not (or should not) be sent.
    Omit = 1,
    /// Not constrained.
    Allowed = 2,
}

/// The core's view of a C representation.
///
/// # Safety
///
/// `current.etag` as for [`input`].
pub(crate) unsafe fn representation<'a>(
    current: &etagcore_representation,
) -> Result<Representation<'a>, etagcore_result> {
    // SAFETY: forwarded from the caller.
    let etag = unsafe { input(current.etag.ptr, current.etag.len) }?;
    Ok(Representation {
        etag: if etag.is_empty() {
            None
        } else {
            Some(EntityTag::parse(etag)?)
        },
        last_modified: flag(current.has_last_modified)?.then_some(current.last_modified),
    })
}

/// Evaluates the preconditions of `request` against `current` (NULL: the resource has no
/// current representation) at `now` (seconds since the epoch, the response's `Date`), in the
/// order of RFC 9110 section 13.2.2, into `*out_decision`.
///
/// Errors: `NULL_PARAMETER`, `INVALID_INPUT` (a length above `PTRDIFF_MAX`, a misaligned pointer,
/// `has_range` or `has_last_modified` not 0 or 1), `TOO_MANY_FIELD_LINES`, `INVALID_ENTITY_TAG`
/// (the representation's `etag` is not a valid field value), `INTERNAL_ERROR` (a decision this
/// C ABI has no value for: a bug). Malformed request fields are not errors: they
/// get the meaning RFC 9110 gives them.
///
/// # Safety
///
/// `request` points to a valid struct whose byte strings and field lines are readable;
/// `current` is NULL or likewise valid; `out_decision` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn etagcore_request_evaluate(
    request: *const etagcore_request,
    current: *const etagcore_representation,
    now: i64,
    out_decision: *mut etagcore_decision,
) -> etagcore_result {
    guard_result(|| {
        let out_decision = out_ptr(out_decision)?;
        // SAFETY: the caller's contract.
        let request = unsafe { reference(request) }?;
        let current = match current.is_null() {
            true => None,
            // SAFETY: not NULL; valid per the caller.
            false => Some(unsafe { representation(reference(current)?) }?),
        };
        let (mut im, mut inm, mut ims, mut ius, mut ir) =
            (line_buf(), line_buf(), line_buf(), line_buf(), line_buf());
        // SAFETY: the caller's contract for every byte string and field.
        let request = unsafe {
            Request {
                method: Method::from_bytes(input(request.method.ptr, request.method.len)?),
                if_match: field_lines(&request.if_match, &mut im)?,
                if_none_match: field_lines(&request.if_none_match, &mut inm)?,
                if_modified_since: field_lines(&request.if_modified_since, &mut ims)?,
                if_unmodified_since: field_lines(&request.if_unmodified_since, &mut ius)?,
                if_range: field_lines(&request.if_range, &mut ir)?,
                has_range: flag(request.has_range)?,
            }
        };
        let decision = match evaluate(&request, current.as_ref(), now) {
            Decision::Perform => etagcore_decision::Perform,
            Decision::ServeRange => etagcore_decision::ServeRange,
            Decision::NotModified => etagcore_decision::NotModified,
            Decision::PreconditionFailed => etagcore_decision::PreconditionFailed,
            // Decision is non_exhaustive: a new core answer needs a C value first. Until it has
            // one it is the library's fault, not the caller's input.
            _ => return Err(etagcore_result::InternalError),
        };
        // SAFETY: checked by out_ptr; writable per the caller.
        unsafe { write(out_decision, decision) };
        Ok(())
    })
}

/// What a response with `decision` (an `etagcore_decision`) does with the header field `name`
/// (case-insensitive) that a 200 would carry; `has_etag`: 1 when the response has an `ETag`, 0
/// when not. Only a 304 constrains fields (RFC 9110 section 15.4.5); other decisions answer
/// `ALLOWED`.
///
/// Errors: `NULL_PARAMETER`, `INVALID_INPUT` (unknown decision, `has_etag` not 0 or 1).
///
/// # Safety
///
/// `name` readable for `name_len` bytes (or NULL with 0); `out_rule` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn etagcore_decision_field_rule(
    decision: u32,
    name: *const u8,
    name_len: usize,
    has_etag: u8,
    out_rule: *mut etagcore_field_rule,
) -> etagcore_result {
    guard_result(|| {
        let out_rule = out_ptr(out_rule)?;
        let has_etag = flag(has_etag)?;
        // SAFETY: the caller's contract.
        let name = unsafe { input(name, name_len) }?;
        let rule = match decision {
            d if d == etagcore_decision::NotModified as u32 => not_modified_field(name, has_etag),
            d if [
                etagcore_decision::Perform,
                etagcore_decision::ServeRange,
                etagcore_decision::PreconditionFailed,
            ]
            .iter()
            .any(|k| *k as u32 == d) =>
            {
                FieldRule::Allowed
            }
            _ => return Err(etagcore_result::InvalidInput),
        };
        let rule = match rule {
            FieldRule::Required => etagcore_field_rule::Required,
            FieldRule::Omit => etagcore_field_rule::Omit,
            FieldRule::Allowed => etagcore_field_rule::Allowed,
        };
        // SAFETY: checked by out_ptr; writable per the caller.
        unsafe { write(out_rule, rule) };
        Ok(())
    })
}
