//! The library version, for checking at run time that the header matches the library.

use core::ffi::{CStr, c_char};

use crate::panic::guard;

const VERSION: &CStr =
    match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
        Ok(version) => version,
        Err(_) => panic!("the package version contains a NUL byte"),
    };

/// The library's version, `"MAJOR.MINOR.PATCH"`: static, NUL-terminated, never NULL. Compare
/// with `ETAGCORE_VERSION_STRING` to detect a header from another version.
#[unsafe(no_mangle)]
pub extern "C" fn etagcore_version() -> *const c_char {
    guard(VERSION.as_ptr(), || VERSION.as_ptr())
}
