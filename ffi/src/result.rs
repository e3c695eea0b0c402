//! Result codes and their text.

use core::ffi::{CStr, c_char};

use etagcore::Error;

use crate::panic::guard;

/// What a fallible `etagcore_*` function answers. Numbers are never reused: a code removed from
/// the library keeps its number reserved.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum etagcore_result {
    /// Success; outputs were written.
    Ok = 0,
    /// A required pointer was NULL, or a byte string was NULL with a non-zero length.
    NullParameter = 1,
    /// The output buffer is too small; nothing was written.
    InsufficientSize = 2,
    /// An argument is out of its domain: an unknown enum value, a length above `PTRDIFF_MAX`, a
    /// misaligned pointer.
    InvalidInput = 3,
    /// The library panicked; this is a bug in etagcore, please report it.
    Panic = 4,
    /// A field has more than `ETAGCORE_MAX_FIELD_LINES` field lines.
    TooManyFieldLines = 5,
    /// The `etagcore_hasher` storage was not initialised by `etagcore_hasher_init` (or was
    /// overwritten since); nothing was read from it as a state, nothing written.
    HasherNotInitialised = 6,
    /// The core gave an answer this C ABI has no value for (a decision or an error added to the
    /// core later); this is a bug in etagcore, please report it.
    InternalError = 7,
    /// Not an entity-tag (RFC 9110 section 8.8.3).
    InvalidEntityTag = 100,
    /// Not `"*"` nor a valid `#entity-tag` list.
    InvalidList = 101,
    /// More empty list elements than the core's bound (64).
    TooManyEmptyElements = 102,
    /// Not an HTTP-date in any of its three formats (RFC 9110 section 5.6.7).
    InvalidDate = 103,
    /// A date outside the years 0001 to 9999.
    DateOutOfRange = 104,
}

impl From<Error> for etagcore_result {
    fn from(error: Error) -> Self {
        match error {
            Error::InvalidEntityTag => Self::InvalidEntityTag,
            Error::InvalidList => Self::InvalidList,
            Error::TooManyEmptyElements => Self::TooManyEmptyElements,
            Error::InvalidDate => Self::InvalidDate,
            Error::DateOutOfRange => Self::DateOutOfRange,
            Error::BufferTooSmall => Self::InsufficientSize,
            // The core's error enum is non_exhaustive; a variant added later maps here until
            // it gets its own code: the library's fault, not the caller's input.
            _ => Self::InternalError,
        }
    }
}

impl etagcore_result {
    /// Every code, for tests and `etagcore_result_str`.
    pub(crate) const ALL: [Self; 13] = [
        Self::Ok,
        Self::NullParameter,
        Self::InsufficientSize,
        Self::InvalidInput,
        Self::Panic,
        Self::TooManyFieldLines,
        Self::HasherNotInitialised,
        Self::InternalError,
        Self::InvalidEntityTag,
        Self::InvalidList,
        Self::TooManyEmptyElements,
        Self::InvalidDate,
        Self::DateOutOfRange,
    ];

    fn text(self) -> &'static CStr {
        match self {
            Self::Ok => c"ok",
            Self::NullParameter => c"a required pointer is NULL",
            Self::InsufficientSize => c"output buffer too small",
            Self::InvalidInput => c"argument out of range",
            Self::Panic => c"internal error (panic) in etagcore",
            Self::TooManyFieldLines => c"too many field lines",
            Self::HasherNotInitialised => c"hasher not initialised by etagcore_hasher_init",
            Self::InternalError => c"internal error: an answer of the core the C ABI does not know",
            Self::InvalidEntityTag => c"malformed entity-tag (RFC 9110 section 8.8.3)",
            Self::InvalidList => c"malformed If-Match / If-None-Match list (RFC 9110 section 13.1)",
            Self::TooManyEmptyElements => c"too many empty list elements (RFC 9110 section 5.6.1)",
            Self::InvalidDate => c"malformed HTTP-date (RFC 9110 section 5.6.7)",
            Self::DateOutOfRange => c"date outside the years 0001 to 9999",
        }
    }
}

/// A static, NUL-terminated description of a result code; `"unknown result"` for a number that
/// is not one. Never NULL; the string must not be freed.
#[unsafe(no_mangle)]
pub extern "C" fn etagcore_result_str(result: u32) -> *const c_char {
    guard(c"unknown result".as_ptr(), || {
        etagcore_result::ALL
            .iter()
            .find(|r| **r as u32 == result)
            .map_or(c"unknown result", |r| r.text())
            .as_ptr()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_distinct_text() {
        let texts: Vec<&CStr> = etagcore_result::ALL.iter().map(|r| r.text()).collect();
        for (i, a) in texts.iter().enumerate() {
            assert!(!a.is_empty());
            assert!(texts[i + 1..].iter().all(|b| a != b), "{a:?} twice");
        }
        // SAFETY: etagcore_result_str always returns a static NUL-terminated string.
        let unknown = unsafe { CStr::from_ptr(etagcore_result_str(9999)) };
        assert_eq!(unknown, c"unknown result");
    }

    #[test]
    fn codes_keep_their_numbers() {
        let numbers: Vec<u32> = etagcore_result::ALL.iter().map(|r| *r as u32).collect();
        assert_eq!(numbers, [0, 1, 2, 3, 4, 5, 6, 7, 100, 101, 102, 103, 104]);
        assert_eq!(etagcore_result::HasherNotInitialised as u32, 6);
        assert_eq!(etagcore_result::InternalError as u32, 7);
    }
}
