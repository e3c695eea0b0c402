//! Byte strings and field lines crossing the C boundary, and the checks that turn them into
//! slices. Every pointer is checked for NULL before a slice is built from it.

use core::mem::MaybeUninit;
use core::slice;

use crate::result::etagcore_result;

/// The most field lines one conditional field may have in a C call. The core takes the lines
/// as a slice of slices; the C ABI builds that slice on the stack, without allocating, so it needs
/// a bound. Real clients send one line; a server's own limits on header count stop far sooner.
pub const ETAGCORE_MAX_FIELD_LINES: usize = 32;

/// A byte string: `len` bytes at `ptr`. `(NULL, 0)` is the empty string.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct etagcore_bytes {
    /// The first byte, or NULL when `len` is 0.
    pub ptr: *const u8,
    /// The number of bytes.
    pub len: usize,
}

/// A header field as its field lines, each without the field name, in the order received.
/// `(NULL, 0)` means the field is absent; one line of length 0 means present with an empty value.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct etagcore_field {
    /// `count` field lines, or NULL when `count` is 0.
    pub lines: *const etagcore_bytes,
    /// The number of field lines, at most `ETAGCORE_MAX_FIELD_LINES`.
    pub count: usize,
}

/// The bytes of `(ptr, len)`.
///
/// # Safety
///
/// When `ptr` is not NULL it must be valid for reads of `len` bytes that stay unchanged for `'a`.
pub(crate) unsafe fn input<'a>(ptr: *const u8, len: usize) -> Result<&'a [u8], etagcore_result> {
    if ptr.is_null() {
        return if len == 0 {
            Ok(&[])
        } else {
            Err(etagcore_result::NullParameter)
        };
    }
    if isize::try_from(len).is_err() {
        return Err(etagcore_result::InvalidInput);
    }
    // SAFETY: ptr is not NULL, len fits a slice, and the caller guarantees the bytes are
    // readable and unchanged for 'a.
    Ok(unsafe { slice::from_raw_parts(ptr, len) })
}

/// The writable buffer `(ptr, cap)`.
///
/// # Safety
///
/// When `ptr` is not NULL it must be valid for writes of `cap` bytes, used by nothing else for `'a`.
pub(crate) unsafe fn output<'a>(ptr: *mut u8, cap: usize) -> Result<&'a mut [u8], etagcore_result> {
    if ptr.is_null() {
        return if cap == 0 {
            Ok(&mut [])
        } else {
            Err(etagcore_result::NullParameter)
        };
    }
    if isize::try_from(cap).is_err() {
        return Err(etagcore_result::InvalidInput);
    }
    // SAFETY: ptr is not NULL, cap fits a slice, and the caller guarantees exclusive writable
    // access for 'a.
    Ok(unsafe { slice::from_raw_parts_mut(ptr, cap) })
}

/// A shared reference to a caller's struct.
///
/// # Safety
///
/// When `ptr` is not NULL it must point to a valid, initialised `T` that stays unchanged for `'a`.
pub(crate) unsafe fn reference<'a, T>(ptr: *const T) -> Result<&'a T, etagcore_result> {
    if ptr.is_null() {
        return Err(etagcore_result::NullParameter);
    }
    if !ptr.is_aligned() {
        return Err(etagcore_result::InvalidInput);
    }
    // SAFETY: not NULL, aligned, and the caller guarantees a valid T for 'a.
    Ok(unsafe { &*ptr })
}

/// A yes/no from C: a byte that is 0 (false) or 1 (true); anything else is `INVALID_INPUT`, as
/// an unknown enum value is. Flags cross the boundary as `uint8_t`, never as `bool`: a Rust
/// `bool` holding another byte is undefined behaviour, and C callers (a struct from a pool, a
/// field never set, a binding in another language) can hand over any byte.
pub(crate) fn flag(value: u8) -> Result<bool, etagcore_result> {
    match value {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(etagcore_result::InvalidInput),
    }
}

/// Checks an output pointer before anything is computed, so that a NULL output is reported even
/// when the computation would fail for another reason.
pub(crate) fn out_ptr<T>(ptr: *mut T) -> Result<*mut T, etagcore_result> {
    if ptr.is_null() {
        Err(etagcore_result::NullParameter)
    } else if !ptr.is_aligned() {
        Err(etagcore_result::InvalidInput)
    } else {
        Ok(ptr)
    }
}

/// Writes `value` through a pointer checked by [`out_ptr`].
///
/// # Safety
///
/// `ptr` must come from [`out_ptr`] and be valid for a write of `T`.
pub(crate) unsafe fn write<T>(ptr: *mut T, value: T) {
    // SAFETY: not NULL and aligned (out_ptr), writable (caller).
    unsafe { ptr.write(value) }
}

/// Copies `bytes` to the output buffer and stores its length: all or nothing.
///
/// # Safety
///
/// As [`output`] for `(out, out_cap)`, and `out_len` valid for a write when not NULL.
pub(crate) unsafe fn write_bytes(
    bytes: &[u8],
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> Result<(), etagcore_result> {
    let out_len = out_ptr(out_len)?;
    // SAFETY: forwarded from the caller.
    let buf = unsafe { output(out, out_cap) }?;
    let dst = buf
        .get_mut(..bytes.len())
        .ok_or(etagcore_result::InsufficientSize)?;
    dst.copy_from_slice(bytes);
    // SAFETY: checked by out_ptr, writable per the caller.
    unsafe { write(out_len, bytes.len()) };
    Ok(())
}

/// Room for the field lines of one field, filled only as far as the field goes.
pub(crate) type LineBuf<'a> = [MaybeUninit<&'a [u8]>; ETAGCORE_MAX_FIELD_LINES];

/// An empty [`LineBuf`]: nothing is written until [`field_lines`] fills it (initialising all
/// 32 slots on every call cost more than the evaluation itself).
pub(crate) const fn line_buf<'a>() -> LineBuf<'a> {
    [const { MaybeUninit::uninit() }; ETAGCORE_MAX_FIELD_LINES]
}

/// The field lines of `field` as slices, in `buf`.
///
/// # Safety
///
/// When `field.lines` is not NULL it must point to `field.count` valid `etagcore_bytes`, each
/// satisfying [`input`], all unchanged for `'a`.
pub(crate) unsafe fn field_lines<'a>(
    field: &etagcore_field,
    buf: &'a mut LineBuf<'a>,
) -> Result<&'a [&'a [u8]], etagcore_result> {
    if field.lines.is_null() {
        return if field.count == 0 {
            Ok(&[])
        } else {
            Err(etagcore_result::NullParameter)
        };
    }
    if field.count > ETAGCORE_MAX_FIELD_LINES {
        return Err(etagcore_result::TooManyFieldLines);
    }
    if !field.lines.is_aligned() {
        return Err(etagcore_result::InvalidInput);
    }
    // SAFETY: not NULL, aligned, count bounded; the caller guarantees count valid elements.
    let raw = unsafe { slice::from_raw_parts(field.lines, field.count) };
    for (slot, line) in buf.iter_mut().zip(raw) {
        // SAFETY: each line is valid per the caller.
        slot.write(unsafe { input(line.ptr, line.len) }?);
    }
    let filled = buf.get(..raw.len()).unwrap_or_default();
    // SAFETY: the first raw.len() slots were just written, and MaybeUninit<T> has T's layout.
    Ok(unsafe { slice::from_raw_parts(filled.as_ptr().cast::<&'a [u8]>(), filled.len()) })
}
