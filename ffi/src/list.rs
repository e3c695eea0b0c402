//! `If-Match` / `If-None-Match` list matching.

use etagcore::list_matches;

use crate::bytes::{etagcore_field, field_lines, line_buf, out_ptr, reference, write};
use crate::etag::comparison;
use crate::evaluate::{etagcore_representation, representation};
use crate::panic::guard_result;
use crate::result::etagcore_result;

/// Whether a member of an `If-Match` / `If-None-Match` field (`"*"` or a list of entity tags,
/// over all its field lines) matches the current representation, into `*out_match`.
///
/// `field` points to the field's lines (`(NULL, 0)` lines: the field is absent, which matches
/// nothing). `current` is NULL when the target resource has no current representation; its
/// `etag` may be `(NULL, 0)` when the representation has no entity tag. `*` matches any current
/// representation; a tag matches under `comparison_kind` (an `etagcore_comparison`).
///
/// Errors: `NULL_PARAMETER`, `INVALID_INPUT` (unknown comparison, a length above `PTRDIFF_MAX`, a
/// misaligned pointer, `has_last_modified` not 0 or 1), `TOO_MANY_FIELD_LINES`, `INVALID_LIST` and
/// `TOO_MANY_EMPTY_ELEMENTS` (a malformed field: RFC 9110 makes `If-Match` false and
/// `If-None-Match` true then), `INVALID_ENTITY_TAG` (the representation's own `etag`).
///
/// # Safety
///
/// `field` points to a valid struct whose `lines` point to `count` valid byte strings (or are
/// NULL with 0); `current` is NULL or points to a valid struct; `out_match` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn etagcore_list_match(
    field: *const etagcore_field,
    current: *const etagcore_representation,
    comparison_kind: u32,
    out_match: *mut bool,
) -> etagcore_result {
    guard_result(|| {
        let out_match = out_ptr(out_match)?;
        let comparison = comparison(comparison_kind)?;
        let mut buf = line_buf();
        // SAFETY: the caller's contract.
        let lines = unsafe { field_lines(reference(field)?, &mut buf) }?;
        let current = match current.is_null() {
            true => None,
            // SAFETY: not NULL; valid per the caller.
            false => Some(unsafe { representation(reference(current)?) }?),
        };
        let etag = current.as_ref().map(|r| r.etag.as_ref());
        let matched = list_matches(lines, etag, comparison)?;
        // SAFETY: checked by out_ptr; writable per the caller.
        unsafe { write(out_match, matched) };
        Ok(())
    })
}
