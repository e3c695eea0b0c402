//! Entity tags: parse, format, compare.

use etagcore::{Comparison, EntityTag};

use crate::bytes::{flag, input, out_ptr, output, reference, write};
use crate::panic::guard_result;
use crate::result::etagcore_result;

/// A parsed entity tag: a view into the bytes it was parsed from (no copy).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct etagcore_entity_tag {
    /// The bytes between the quotes.
    pub opaque: *const u8,
    /// Their number.
    pub opaque_len: usize,
    /// 1 when the tag carries `W/`, 0 when not; any other value is `INVALID_INPUT`.
    pub weak: u8,
}

/// Which comparison of RFC 9110 section 8.8.3.2 to use.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum etagcore_comparison {
    /// Both strong and the same opaque bytes (If-Match, If-Range).
    Strong = 0,
    /// The same opaque bytes (If-None-Match).
    Weak = 1,
}

pub(crate) fn comparison(value: u32) -> Result<Comparison, etagcore_result> {
    match value {
        v if v == etagcore_comparison::Strong as u32 => Ok(Comparison::Strong),
        v if v == etagcore_comparison::Weak as u32 => Ok(Comparison::Weak),
        _ => Err(etagcore_result::InvalidInput),
    }
}

/// The core's view of a C tag, its flag checked to be 0 or 1 and its opaque bytes `etagc`.
///
/// # Safety
///
/// `tag.opaque` as for [`input`].
unsafe fn entity_tag<'a>(tag: &etagcore_entity_tag) -> Result<EntityTag<'a>, etagcore_result> {
    // SAFETY: forwarded from the caller.
    let opaque = unsafe { input(tag.opaque, tag.opaque_len) }?;
    Ok(EntityTag::new(flag(tag.weak)?, opaque)?)
}

/// Parses an `ETag` field value. On success `out_tag->opaque` points into the bytes at
/// `input_ptr`, which must outlive it.
///
/// Errors: `NULL_PARAMETER`, `INVALID_ENTITY_TAG`.
///
/// # Safety
///
/// `input_ptr` readable for `input_len` bytes (or NULL with 0); `out_tag` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn etagcore_entity_tag_parse(
    input_ptr: *const u8,
    input_len: usize,
    out_tag: *mut etagcore_entity_tag,
) -> etagcore_result {
    guard_result(|| {
        let out_tag = out_ptr(out_tag)?;
        // SAFETY: the caller's contract.
        let bytes = unsafe { input(input_ptr, input_len) }?;
        let tag = EntityTag::parse(bytes)?;
        let view = etagcore_entity_tag {
            opaque: tag.opaque().as_ptr(),
            opaque_len: tag.opaque().len(),
            weak: u8::from(tag.is_weak()),
        };
        // SAFETY: checked by out_ptr; writable per the caller.
        unsafe { write(out_tag, view) };
        Ok(())
    })
}

/// Writes `tag` as a field value (`"…"` or `W/"…"`, `opaque_len + 2` or `+ 4` bytes).
///
/// Errors: `NULL_PARAMETER`, `INVALID_INPUT` (`weak` not 0 or 1), `INVALID_ENTITY_TAG` (an opaque
/// byte outside `etagc`), `INSUFFICIENT_SIZE` (nothing written).
///
/// # Safety
///
/// `tag` points to a valid struct whose `opaque` is readable; `out` writable for `out_cap`
/// bytes; `out_len` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn etagcore_entity_tag_format(
    tag: *const etagcore_entity_tag,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> etagcore_result {
    guard_result(|| {
        let out_len = out_ptr(out_len)?;
        // SAFETY: the caller's contract.
        let tag = unsafe { entity_tag(reference(tag)?) }?;
        // SAFETY: the caller's contract.
        let dst = unsafe { output(out, out_cap) }?;
        // Writes nothing when the buffer is too small (BufferTooSmall -> INSUFFICIENT_SIZE).
        let written = tag.write_to(dst)?;
        // SAFETY: checked by out_ptr; writable per the caller.
        unsafe { write(out_len, written) };
        Ok(())
    })
}

/// Compares two tags (`comparison_kind`: an `etagcore_comparison` value) into `*out_match`.
///
/// Errors: `NULL_PARAMETER`, `INVALID_INPUT` (unknown comparison, a `weak` not 0 or 1),
/// `INVALID_ENTITY_TAG`.
///
/// # Safety
///
/// `a` and `b` point to valid structs whose `opaque` bytes are readable; `out_match` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn etagcore_entity_tag_compare(
    a: *const etagcore_entity_tag,
    b: *const etagcore_entity_tag,
    comparison_kind: u32,
    out_match: *mut bool,
) -> etagcore_result {
    guard_result(|| {
        let out_match = out_ptr(out_match)?;
        let comparison = comparison(comparison_kind)?;
        // SAFETY: the caller's contract.
        let (a, b) = unsafe { (entity_tag(reference(a)?)?, entity_tag(reference(b)?)?) };
        // SAFETY: checked by out_ptr; writable per the caller.
        unsafe { write(out_match, comparison.matches(&a, &b)) };
        Ok(())
    })
}
