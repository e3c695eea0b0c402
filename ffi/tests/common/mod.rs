//! Helpers for calling the C ABI from Rust tests and fuzz targets: byte strings and fields built
//! from Rust slices, and output buffers with sentinel bytes after the capacity they are given.
#![allow(dead_code)] // each user takes a subset

use etagcore_ffi::{etagcore_bytes, etagcore_field, etagcore_result};

pub const SENTINEL: u8 = 0xA5;

pub fn bytes(v: &[u8]) -> etagcore_bytes {
    etagcore_bytes {
        ptr: if v.is_empty() {
            std::ptr::null()
        } else {
            v.as_ptr()
        },
        len: v.len(),
    }
}

pub fn field(lines: &[etagcore_bytes]) -> etagcore_field {
    etagcore_field {
        lines: if lines.is_empty() {
            std::ptr::null()
        } else {
            lines.as_ptr()
        },
        count: lines.len(),
    }
}

/// Calls `f(out, cap, out_len)` with `cap` bytes of a larger sentinel-filled buffer; checks the
/// bytes past `cap` and, on failure, the whole buffer and `out_len` stay untouched.
pub fn with_output(
    cap: usize,
    f: impl FnOnce(*mut u8, usize, *mut usize) -> etagcore_result,
) -> (etagcore_result, Vec<u8>) {
    let mut buf = vec![SENTINEL; cap + 16];
    let mut len = usize::MAX;
    let r = f(buf.as_mut_ptr(), cap, &mut len);
    assert!(
        buf[cap..].iter().all(|&b| b == SENTINEL),
        "written past the capacity"
    );
    if r != etagcore_result::Ok {
        assert!(buf.iter().all(|&b| b == SENTINEL), "written on failure");
        assert_eq!(len, usize::MAX, "out_len written on failure");
        return (r, Vec::new());
    }
    assert!(len <= cap);
    (r, buf[..len].to_vec())
}
