//! Entity tags: parse, compare, format (RFC 9110 section 8.8.3).

use core::fmt;

use crate::Error;
use crate::syntax::{is_etagc, trim_ows, write_parts};

/// An entity tag: a weak flag and the opaque bytes between the quotes, borrowed from the input.
///
/// ```text
/// entity-tag = [ weak ] opaque-tag
/// weak       = %s"W/"
/// opaque-tag = DQUOTE *etagc DQUOTE
/// etagc      = %x21 / %x23-7E / obs-text
/// ```
///
/// The opaque bytes are kept exactly as received: there is no backslash escaping in an
/// `opaque-tag`, so `"a\b"` has the three opaque bytes `a`, `\`, `b`.
///
/// `==` compares the weak flag and the bytes, i.e. whether two field values are identical.
/// HTTP itself compares with [`strong_eq`](Self::strong_eq) or [`weak_eq`](Self::weak_eq),
/// following the table of RFC 9110 section 8.8.3.2:
///
/// | ETag 1  | ETag 2  | Strong comparison | Weak comparison |
/// |---------|---------|-------------------|-----------------|
/// | `W/"1"` | `W/"1"` | no match          | match           |
/// | `W/"1"` | `W/"2"` | no match          | no match        |
/// | `W/"1"` | `"1"`   | no match          | match           |
/// | `"1"`   | `"1"`   | match             | match           |
///
/// # Examples
///
/// ```
/// use etagcore::EntityTag;
///
/// let tag = EntityTag::parse(b"W/\"xyzzy\"")?;
/// assert!(tag.is_weak());
/// assert_eq!(tag.opaque(), b"xyzzy");
/// assert!(tag.weak_eq(&EntityTag::parse(b"\"xyzzy\"")?));
/// assert!(!tag.strong_eq(&tag));
/// # Ok::<(), etagcore::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct EntityTag<'a> {
    weak: bool,
    opaque: &'a [u8],
}

impl<'a> EntityTag<'a> {
    /// Parses an `ETag` field value (one `entity-tag`, surrounding `OWS` ignored).
    ///
    /// `W/` is case-sensitive (`w/"x"` is invalid), and `ETag` is not a list: `"a", "b"` is invalid.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidEntityTag`] when the bytes are not exactly one `entity-tag`.
    ///
    /// # Examples
    ///
    /// ```
    /// use etagcore::{EntityTag, Error};
    ///
    /// assert_eq!(EntityTag::parse(b" \"a,b\" ")?.opaque(), b"a,b");
    /// assert_eq!(EntityTag::parse(b"w/\"x\""), Err(Error::InvalidEntityTag));
    /// assert_eq!(EntityTag::parse(b"\"\x7f\""), Err(Error::InvalidEntityTag));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn parse(input: &'a [u8]) -> Result<Self, Error> {
        let s = trim_ows(input);
        let (weak, quoted) = match s.strip_prefix(b"W/") {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let opaque = quoted
            .strip_prefix(b"\"")
            .and_then(|rest| rest.strip_suffix(b"\""))
            .ok_or(Error::InvalidEntityTag)?;
        Self::new(weak, opaque)
    }

    /// Builds a tag from its opaque bytes (without quotes), checking that each byte is an `etagc`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidEntityTag`] when a byte is `"`, DEL, a space or another control byte.
    ///
    /// # Examples
    ///
    /// ```
    /// use etagcore::{EntityTag, Error};
    ///
    /// let tag = EntityTag::new(false, b"5af94dd2-5ca3")?;
    /// assert_eq!(tag, EntityTag::parse(b"\"5af94dd2-5ca3\"")?);
    /// assert_eq!(EntityTag::new(true, b"a b"), Err(Error::InvalidEntityTag));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new(weak: bool, opaque: &'a [u8]) -> Result<Self, Error> {
        if opaque.iter().all(|&b| is_etagc(b)) {
            Ok(Self { weak, opaque })
        } else {
            Err(Error::InvalidEntityTag)
        }
    }

    /// Builds a tag whose opaque bytes the caller has already checked to be `etagc`.
    pub(crate) const fn from_validated(weak: bool, opaque: &'a [u8]) -> Self {
        Self { weak, opaque }
    }

    /// Whether the tag carries the `W/` weakness indicator.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!etagcore::EntityTag::parse(b"\"x\"")?.is_weak());
    /// # Ok::<(), etagcore::Error>(())
    /// ```
    #[must_use]
    pub const fn is_weak(&self) -> bool {
        self.weak
    }

    /// The bytes between the quotes.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(etagcore::EntityTag::parse(b"W/\"\"")?.opaque(), b"");
    /// # Ok::<(), etagcore::Error>(())
    /// ```
    #[must_use]
    pub const fn opaque(&self) -> &'a [u8] {
        self.opaque
    }

    /// The same tag marked weak: what a server sends for a representation it transforms on the
    /// fly, e.g. compresses, whose bytes differ from the stored ones (RFC 9110 section 8.8.1).
    ///
    /// # Examples
    ///
    /// ```
    /// use etagcore::EntityTag;
    ///
    /// let strong = EntityTag::parse(b"\"xyzzy\"")?;
    /// assert_eq!(strong.weaken(), EntityTag::parse(b"W/\"xyzzy\"")?);
    /// # Ok::<(), etagcore::Error>(())
    /// ```
    #[must_use]
    pub const fn weaken(self) -> Self {
        Self {
            weak: true,
            opaque: self.opaque,
        }
    }

    /// Strong comparison: both tags strong and their opaque bytes equal (RFC 9110 section 8.8.3.2).
    ///
    /// # Examples
    ///
    /// ```
    /// use etagcore::EntityTag;
    ///
    /// let a = EntityTag::parse(b"\"1\"")?;
    /// assert!(a.strong_eq(&a));
    /// assert!(!a.strong_eq(&a.weaken()));
    /// # Ok::<(), etagcore::Error>(())
    /// ```
    #[must_use]
    pub fn strong_eq(&self, other: &EntityTag<'_>) -> bool {
        !self.weak && !other.weak && self.opaque == other.opaque
    }

    /// Weak comparison: opaque bytes equal, whatever either tag's weak flag (section 8.8.3.2).
    ///
    /// # Examples
    ///
    /// ```
    /// use etagcore::EntityTag;
    ///
    /// let a = EntityTag::parse(b"W/\"1\"")?;
    /// assert!(a.weak_eq(&EntityTag::parse(b"\"1\"")?));
    /// assert!(!a.weak_eq(&EntityTag::parse(b"W/\"2\"")?));
    /// # Ok::<(), etagcore::Error>(())
    /// ```
    #[must_use]
    pub fn weak_eq(&self, other: &EntityTag<'_>) -> bool {
        self.opaque == other.opaque
    }

    /// The number of bytes [`write_to`](Self::write_to) writes: quotes and `W/` included.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(etagcore::EntityTag::parse(b"W/\"ab\"")?.encoded_len(), 6);
    /// # Ok::<(), etagcore::Error>(())
    /// ```
    #[must_use]
    pub const fn encoded_len(&self) -> usize {
        // A slice never exceeds isize::MAX bytes, so adding 4 cannot saturate.
        self.opaque
            .len()
            .saturating_add(if self.weak { 4 } else { 2 })
    }

    /// Writes the tag as an `ETag` field value into `out` and returns the number of bytes written.
    ///
    /// # Errors
    ///
    /// [`Error::BufferTooSmall`] when `out` is shorter than [`encoded_len`](Self::encoded_len);
    /// `out` is then left untouched.
    ///
    /// # Examples
    ///
    /// ```
    /// use etagcore::EntityTag;
    ///
    /// let mut buf = [0u8; 16];
    /// let n = EntityTag::new(true, b"v1")?.write_to(&mut buf)?;
    /// assert_eq!(&buf[..n], b"W/\"v1\"");
    /// # Ok::<(), etagcore::Error>(())
    /// ```
    pub fn write_to(&self, out: &mut [u8]) -> Result<usize, Error> {
        let prefix: &[u8] = if self.weak { b"W/\"" } else { b"\"" };
        write_parts(out, &[prefix, self.opaque, b"\""]).ok_or(Error::BufferTooSmall)
    }
}

/// Which comparison of RFC 9110 section 8.8.3.2 a condition uses.
///
/// `If-Match` and `If-Range` use strong comparison, `If-None-Match` weak comparison.
///
/// # Examples
///
/// ```
/// use etagcore::{Comparison, EntityTag};
///
/// let a = EntityTag::parse(b"W/\"1\"")?;
/// assert!(Comparison::Weak.matches(&a, &a));
/// assert!(!Comparison::Strong.matches(&a, &a));
/// # Ok::<(), etagcore::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Comparison {
    /// [`EntityTag::strong_eq`].
    Strong,
    /// [`EntityTag::weak_eq`].
    Weak,
}

impl Comparison {
    /// Compares two tags this way.
    ///
    /// # Examples
    ///
    /// ```
    /// use etagcore::{Comparison, EntityTag};
    ///
    /// let (a, b) = (EntityTag::parse(b"\"1\"")?, EntityTag::parse(b"W/\"1\"")?);
    /// assert_eq!(Comparison::Strong.matches(&a, &b), a.strong_eq(&b));
    /// # Ok::<(), etagcore::Error>(())
    /// ```
    #[must_use]
    pub fn matches(self, a: &EntityTag<'_>, b: &EntityTag<'_>) -> bool {
        match self {
            Self::Strong => a.strong_eq(b),
            Self::Weak => a.weak_eq(b),
        }
    }
}

impl fmt::Debug for EntityTag<'_> {
    /// Shows the field value with non-printable bytes escaped, e.g. `W/"\x80"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.weak {
            f.write_str("W/")?;
        }
        write!(f, "\"{}\"", self.opaque.escape_ascii())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(s: &str) -> EntityTag<'_> {
        EntityTag::parse(s.as_bytes()).expect("valid tag")
    }

    /// The comparison table of RFC 9110 section 8.8.3.2, row by row.
    #[test]
    fn comparison_table_of_section_8_8_3_2() {
        let rows = [
            (r#"W/"1""#, r#"W/"1""#, false, true),
            (r#"W/"1""#, r#"W/"2""#, false, false),
            (r#"W/"1""#, r#""1""#, false, true),
            (r#""1""#, r#""1""#, true, true),
        ];
        for (a, b, strong, weak) in rows {
            for (x, y) in [(tag(a), tag(b)), (tag(b), tag(a))] {
                assert_eq!(x.strong_eq(&y), strong, "strong {a} {b}");
                assert_eq!(x.weak_eq(&y), weak, "weak {a} {b}");
            }
        }
    }

    #[test]
    fn grammar_edges() {
        assert_eq!(tag(r#""""#).opaque(), b"");
        assert_eq!(tag(r#""W/a""#).opaque(), b"W/a");
        assert!(!tag(r#""W/a""#).is_weak());
        assert_eq!(tag("\t\"x\" ").opaque(), b"x");
        for bad in [
            "",
            "\"",
            "W/",
            "W/\"",
            "x",
            "\"x",
            "x\"",
            "\"a\"b\"",
            "\"a\",",
            "W/ \"a\"",
            "w/\"a\"",
            "\"a b\"",
            "\"a\tb\"",
            "W/W/\"a\"",
            " W /\"a\"",
        ] {
            assert_eq!(
                EntityTag::parse(bad.as_bytes()),
                Err(Error::InvalidEntityTag),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn every_byte_inside_quotes_follows_etagc() {
        for b in 0..=255u8 {
            let input = [b'"', b, b'"'];
            let ok = b == 0x21 || (0x23..=0x7E).contains(&b) || b >= 0x80;
            assert_eq!(EntityTag::parse(&input).is_ok(), ok, "byte {b:#04x}");
        }
    }

    #[test]
    fn write_to_exact_and_short_buffers() {
        let t = tag(r#"W/"\x""#);
        let mut exact = [0u8; 6];
        assert_eq!(t.write_to(&mut exact), Ok(6));
        assert_eq!(&exact, br#"W/"\x""#);
        let mut short = [0x55u8; 5];
        assert_eq!(t.write_to(&mut short), Err(Error::BufferTooSmall));
        assert_eq!(short, [0x55; 5]);
    }

    #[test]
    fn debug_escapes_bytes() {
        extern crate std;
        use std::format;
        let t = EntityTag::new(true, b"\x80a").expect("obs-text is etagc");
        assert_eq!(format!("{t:?}"), r#"W/"\x80a""#);
    }
}
