//! Content ETags: the same strong tag for the same bytes on every server.
//!
//! The format, a contract between the servers of a farm (README, "Content ETag format"):
//!
//! ```text
//! content-etag = DQUOTE 32LOWHEX DQUOTE
//! ```
//!
//! where the 32 lowercase hex digits are XXH3-128 (seed 0, default secret) of the exact bytes of
//! the representation, written big-endian: the high 64 bits first, as `xxhsum -H2` (`xxh128sum`)
//! prints it. The length is not included: XXH3-128 already mixes it in. No prefix: the tag is
//! opaque to clients and the hex alone is what any XXH3 implementation can reproduce.

use core::fmt;

use xxhash_rust::xxh3::{Xxh3Default, xxh3_128};

use crate::Error;
use crate::etag::EntityTag;
use crate::syntax::write_parts;

/// The length of a strong content tag: 32 hex digits and two quotes.
///
/// # Examples
///
/// ```
/// assert_eq!(etagcore::ContentTag::of(b"").as_bytes().len(), etagcore::CONTENT_TAG_LEN);
/// ```
pub const CONTENT_TAG_LEN: usize = 34;

/// A content ETag, stored inline: `"<32 hex digits>"`, or `W/"<32 hex digits>"` once weakened.
///
/// # Examples
///
/// ```
/// use etagcore::ContentTag;
///
/// // The same digits as `printf 'hello\n' | xxh128sum`.
/// let tag = ContentTag::of(b"hello\n");
/// assert_eq!(tag.as_str(), "\"6bba86c7e069f56d5a10b435f1c8e49c\"");
/// assert!(!tag.entity_tag().is_weak());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ContentTag {
    /// `W/"` + 32 hex digits + `"`; a strong tag starts at offset 2.
    buf: [u8; CONTENT_TAG_LEN + 2],
    weak: bool,
}

impl ContentTag {
    /// The strong content tag of `content`, hashed in one pass: the fastest path for bytes
    /// already in memory.
    ///
    /// # Examples
    ///
    /// ```
    /// use etagcore::ContentTag;
    ///
    /// assert_eq!(ContentTag::of(b"").as_str(), "\"99aa06d3014798d86001c324468d497f\"");
    /// ```
    #[must_use]
    pub fn of(content: &[u8]) -> Self {
        Self::from_xxh3_128(xxh3_128(content))
    }

    /// The tag for an XXH3-128 digest computed elsewhere (e.g. by `xxh128sum` at deploy time).
    ///
    /// # Examples
    ///
    /// ```
    /// use etagcore::ContentTag;
    ///
    /// assert_eq!(ContentTag::from_xxh3_128(0x99aa06d3014798d86001c324468d497f), ContentTag::of(b""));
    /// ```
    #[must_use]
    pub fn from_xxh3_128(digest: u128) -> Self {
        let mut buf = *b"W/\"00000000000000000000000000000000\"";
        let hex = buf.get_mut(3..CONTENT_TAG_LEN + 1).unwrap_or_default();
        for (pair, byte) in hex.chunks_exact_mut(2).zip(digest.to_be_bytes()) {
            pair.copy_from_slice(&hex_pair(byte));
        }
        Self { buf, weak: false }
    }

    /// The field value: `"…"` or `W/"…"`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(etagcore::ContentTag::of(b"x").weaken().as_bytes().starts_with(b"W/\""));
    /// ```
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        let start = if self.weak { 0 } else { 2 };
        self.buf.get(start..).unwrap_or(&self.buf)
    }

    /// The field value as text (it is always ASCII).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(etagcore::ContentTag::of(b"x").as_str().len(), 34);
    /// ```
    #[must_use]
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }

    /// The tag as an [`EntityTag`] borrowing from `self`, to compare or to pass to
    /// [`evaluate`](crate::evaluate) in a [`Representation`](crate::Representation).
    ///
    /// # Examples
    ///
    /// ```
    /// let tag = etagcore::ContentTag::of(b"x");
    /// assert_eq!(tag.entity_tag().opaque().len(), 32);
    /// ```
    #[must_use]
    pub fn entity_tag(&self) -> EntityTag<'_> {
        let hex = self.buf.get(3..CONTENT_TAG_LEN + 1).unwrap_or_default();
        EntityTag::from_validated(self.weak, hex)
    }

    /// The weak form, for a representation transformed on the fly (see
    /// [`Variant::Transformed`](crate::Variant::Transformed)).
    ///
    /// # Examples
    ///
    /// ```
    /// let tag = etagcore::ContentTag::of(b"x");
    /// assert!(tag.weaken().entity_tag().weak_eq(&tag.entity_tag()));
    /// ```
    #[must_use]
    pub const fn weaken(self) -> Self {
        Self {
            buf: self.buf,
            weak: true,
        }
    }
}

impl fmt::Display for ContentTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for ContentTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ContentTag({})", self.as_str())
    }
}

/// Streaming content hashing: feed the bytes in chunks of any size, get the same tag as
/// [`ContentTag::of`] over their concatenation.
///
/// # Examples
///
/// ```
/// use etagcore::{ContentHasher, ContentTag};
///
/// let mut hasher = ContentHasher::new();
/// hasher.update(b"hello, ");
/// hasher.update(b"");
/// hasher.update(b"world");
/// assert_eq!(hasher.finish(), ContentTag::of(b"hello, world"));
/// ```
#[derive(Clone, Default)]
pub struct ContentHasher {
    state: Xxh3Default,
}

impl ContentHasher {
    /// A hasher that has seen no bytes yet.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(etagcore::ContentHasher::new().finish(), etagcore::ContentTag::of(b""));
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        Self {
            state: Xxh3Default::new(),
        }
    }

    /// Feeds the next chunk of the content.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut hasher = etagcore::ContentHasher::new();
    /// hasher.update(b"abc");
    /// assert_eq!(hasher.finish(), etagcore::ContentTag::of(b"abc"));
    /// ```
    pub fn update(&mut self, chunk: &[u8]) {
        self.state.update(chunk);
    }

    /// The tag of everything fed so far; the hasher can go on being fed afterwards.
    ///
    /// # Examples
    ///
    /// ```
    /// let hasher = etagcore::ContentHasher::default();
    /// assert_eq!(hasher.finish(), hasher.finish());
    /// ```
    #[must_use]
    pub fn finish(&self) -> ContentTag {
        ContentTag::from_xxh3_128(self.state.digest128())
    }
}

impl fmt::Debug for ContentHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContentHasher").finish_non_exhaustive()
    }
}

/// Writes a tag whose opaque part is the lowercase hex of any digest, e.g. a SHA-256 of content
/// that an adversary controls, and returns the length written: `"<hex>"`, or `W/"<hex>"` when
/// `weak`. A 32-byte digest needs 66 bytes (68 weak).
///
/// XXH3 is not collision-resistant: someone who can upload content can craft two files with the
/// same XXH3-128. For operator-owned files that is no threat (the operator would only deceive
/// their own users' caches); where users supply the bytes, hash with a cryptographic digest and
/// make the tag with this function.
///
/// # Errors
///
/// [`Error::BufferTooSmall`] when `out` cannot hold the tag; `out` is then left untouched.
///
/// # Examples
///
/// ```
/// let mut out = [0u8; 8];
/// let n = etagcore::write_digest_tag(&[0xde, 0xad], false, &mut out)?;
/// assert_eq!(&out[..n], b"\"dead\"");
/// assert!(etagcore::write_digest_tag(&[0; 4], true, &mut out).is_err());
/// # Ok::<(), etagcore::Error>(())
/// ```
pub fn write_digest_tag(digest: &[u8], weak: bool, out: &mut [u8]) -> Result<usize, Error> {
    let prefix: &[u8] = if weak { b"W/\"" } else { b"\"" };
    let hex_len = digest.len().checked_mul(2).ok_or(Error::BufferTooSmall)?;
    let total = hex_len
        .checked_add(prefix.len().saturating_add(1))
        .ok_or(Error::BufferTooSmall)?;
    let dst = out.get_mut(..total).ok_or(Error::BufferTooSmall)?;
    let (head, rest) = dst
        .split_at_mut_checked(prefix.len())
        .ok_or(Error::BufferTooSmall)?;
    head.copy_from_slice(prefix);
    let (hex, quote) = rest
        .split_at_mut_checked(hex_len)
        .ok_or(Error::BufferTooSmall)?;
    for (pair, &byte) in hex.chunks_exact_mut(2).zip(digest) {
        pair.copy_from_slice(&hex_pair(byte));
    }
    write_parts(quote, &[b"\""]).ok_or(Error::BufferTooSmall)?;
    Ok(total)
}

/// The two lowercase hex digits of a byte: a table lookup, so that random nibbles cost no
/// mispredicted branch (the index is at most 15, so `get` never fails).
fn hex_pair(byte: u8) -> [u8; 2] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let (hi, lo) = ((byte >> 4) as usize, (byte & 0x0F) as usize);
    match (HEX.get(hi), HEX.get(lo)) {
        (Some(h), Some(l)) => [*h, *l],
        _ => [b'0', b'0'],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_pair_matches_format() {
        extern crate std;
        for b in 0..=255u8 {
            assert_eq!(hex_pair(b), *std::format!("{b:02x}").as_bytes());
        }
    }

    #[test]
    fn digest_layout_is_big_endian() {
        let tag = ContentTag::from_xxh3_128(0x0102_0304_0506_0708_090a_0b0c_0d0e_0f10);
        assert_eq!(tag.as_str(), "\"0102030405060708090a0b0c0d0e0f10\"");
        assert_eq!(
            tag.weaken().as_str(),
            "W/\"0102030405060708090a0b0c0d0e0f10\""
        );
        assert_eq!(tag.weaken().weaken(), tag.weaken());
    }

    #[test]
    fn finish_does_not_consume() {
        let mut hasher = ContentHasher::new();
        hasher.update(b"ab");
        let first = hasher.finish();
        hasher.update(b"c");
        assert_eq!(first, ContentTag::of(b"ab"));
        assert_eq!(hasher.finish(), ContentTag::of(b"abc"));
    }
}
