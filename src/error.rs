//! The one error type of the crate.
//!
//! Only malformed input is an error. "304" and "412" are answers, not failures: they are values of
//! [`Decision`](crate::Decision).

use core::fmt;

/// Why an input could not be used.
///
/// The enum is `#[non_exhaustive]` so that a later release can add a variant without breaking
/// callers; match with a wildcard arm.
///
/// # Examples
///
/// ```
/// use etagcore::{EntityTag, Error};
///
/// assert_eq!(EntityTag::parse(b"xyzzy"), Err(Error::InvalidEntityTag));
/// assert_eq!(Error::InvalidEntityTag.to_string(), "malformed entity-tag (RFC 9110 section 8.8.3)");
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Error {
    /// The bytes are not an `entity-tag`: missing `DQUOTE`s, a byte outside `etagc`, or extra bytes.
    InvalidEntityTag,
    /// The field value is neither `"*"` nor a valid `#entity-tag` list.
    InvalidList,
    /// More empty list elements than [`MAX_EMPTY_ELEMENTS`](crate::MAX_EMPTY_ELEMENTS).
    TooManyEmptyElements,
    /// The bytes are not an `HTTP-date` in any of the three formats, or name a day that does not exist.
    InvalidDate,
    /// The instant lies outside the years 0001 to 9999 that an `HTTP-date` can express.
    DateOutOfRange,
    /// The output buffer is too small for the value; nothing was written.
    BufferTooSmall,
}

impl Error {
    /// A short, static description, the same text that [`Display`](fmt::Display) writes.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(etagcore::Error::BufferTooSmall.as_str(), "output buffer too small");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InvalidEntityTag => "malformed entity-tag (RFC 9110 section 8.8.3)",
            Self::InvalidList => "malformed If-Match / If-None-Match list (RFC 9110 section 13.1)",
            Self::TooManyEmptyElements => "too many empty list elements (RFC 9110 section 5.6.1)",
            Self::InvalidDate => "malformed HTTP-date (RFC 9110 section 5.6.7)",
            Self::DateOutOfRange => "date outside the years 0001 to 9999",
            Self::BufferTooSmall => "output buffer too small",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl core::error::Error for Error {}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::Error;
    use std::string::ToString;

    const ALL: [Error; 6] = [
        Error::InvalidEntityTag,
        Error::InvalidList,
        Error::TooManyEmptyElements,
        Error::InvalidDate,
        Error::DateOutOfRange,
        Error::BufferTooSmall,
    ];

    /// Each variant has a message of its own, and `Display` writes exactly that message, so a log
    /// line tells the errors apart.
    #[test]
    fn each_variant_has_its_own_message_and_display_writes_it() {
        for (i, error) in ALL.iter().enumerate() {
            assert!(!error.as_str().is_empty(), "{error:?}");
            assert_eq!(error.to_string(), error.as_str());
            for other in ALL.iter().skip(i + 1) {
                assert_ne!(error.as_str(), other.as_str(), "{error:?} {other:?}");
            }
        }
    }
}
