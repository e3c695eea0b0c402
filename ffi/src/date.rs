//! HTTP-dates.

use etagcore::{IMF_FIXDATE_LEN, format_http_date, parse_http_date};

use crate::bytes::{input, out_ptr, write, write_bytes};
use crate::panic::guard_result;
use crate::result::etagcore_result;

/// The length of an IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`.
pub const ETAGCORE_HTTP_DATE_LEN: usize = 29;
const _: () = assert!(ETAGCORE_HTTP_DATE_LEN == IMF_FIXDATE_LEN);

/// Parses an HTTP-date (IMF-fixdate, rfc850-date or asctime-date) into seconds since the epoch.
/// `now` (seconds since the epoch) resolves an rfc850-date's two-digit year (RFC 9110 5.6.7).
///
/// Errors: `NULL_PARAMETER`, `INVALID_DATE`, `DATE_OUT_OF_RANGE`.
///
/// # Safety
///
/// `input_ptr` readable for `input_len` bytes (or NULL with 0); `out_secs` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn etagcore_http_date_parse(
    input_ptr: *const u8,
    input_len: usize,
    now: i64,
    out_secs: *mut i64,
) -> etagcore_result {
    guard_result(|| {
        let out_secs = out_ptr(out_secs)?;
        // SAFETY: the caller's contract.
        let bytes = unsafe { input(input_ptr, input_len) }?;
        let secs = parse_http_date(bytes, now)?;
        // SAFETY: checked by out_ptr; writable per the caller.
        unsafe { write(out_secs, secs) };
        Ok(())
    })
}

/// Writes `secs` as an IMF-fixdate: `ETAGCORE_HTTP_DATE_LEN` bytes, no NUL.
///
/// Errors: `NULL_PARAMETER`, `DATE_OUT_OF_RANGE` (outside years 0001-9999),
/// `INSUFFICIENT_SIZE` (nothing written).
///
/// # Safety
///
/// `out` writable for `out_cap` bytes (or NULL with 0); `out_len` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn etagcore_http_date_format(
    secs: i64,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> etagcore_result {
    guard_result(|| {
        out_ptr(out_len)?;
        let date = format_http_date(secs)?;
        // SAFETY: the caller's contract.
        unsafe { write_bytes(&date, out, out_cap, out_len) }
    })
}
