//! The ETag of a content-coded response (RFC 9110 sections 8.8.1 and 8.8.3).
//!
//! A `gzip`-coded response has other bytes than the identity one, so it is another representation
//! and must not share its strong tag. The two correct policies:
//!
//! - a variant **stored** on disk (`app.js.gz` beside `app.js`, nginx `gzip_static`) is sent byte
//!   for byte as stored: its own strong content tag, from its own bytes;
//! - a variant **transformed on the fly** may differ from run to run (compression level, library
//!   version): the identity tag, weakened. Weak comparison still matches it for `If-None-Match`,
//!   so clients get their 304; strong comparison (`If-Match`, `If-Range`) never does.
//!
//! Either way the server evaluates the request against the tag of the representation it would
//! send. Apache's `mod_deflate` appends `-gzip` to the tag it sends but compares `If-None-Match`
//! with the identity tag, so a client holding the `-gzip` tag never gets a 304.

use crate::content::ContentTag;

/// Where the bytes of a response come from, which decides its content tag.
///
/// # Examples
///
/// ```
/// use etagcore::{ContentTag, Variant};
///
/// let identity = ContentTag::of(b"body");
/// let gz = [0x1f, 0x8b, 0x08];
/// assert_eq!(Variant::Stored(&gz).etag(), ContentTag::of(&gz));
/// assert_eq!(Variant::Transformed(identity).etag(), identity.weaken());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Variant<'a> {
    /// Sent exactly as these stored bytes: the identity file or a precompressed sibling.
    Stored(&'a [u8]),
    /// Produced on the fly from a stored file whose content tag this is.
    Transformed(ContentTag),
}

impl Variant<'_> {
    /// The `ETag` of the response: strong for stored bytes, weak for a transformation.
    ///
    /// # Examples
    ///
    /// ```
    /// use etagcore::{ContentTag, Variant};
    ///
    /// assert!(Variant::Transformed(ContentTag::of(b"x")).etag().entity_tag().is_weak());
    /// ```
    #[must_use]
    pub fn etag(&self) -> ContentTag {
        match *self {
            Self::Stored(bytes) => ContentTag::of(bytes),
            Self::Transformed(identity) => identity.weaken(),
        }
    }
}
