//! Which header fields a 304 (Not Modified) response carries (RFC 9110 section 15.4.5).

/// The fields a 304 must carry whenever a 200 response to the same request would have carried
/// them (RFC 9110 section 15.4.5).
///
/// # Examples
///
/// ```
/// assert!(etagcore::NOT_MODIFIED_REQUIRED_FIELDS.contains(&"ETag"));
/// ```
pub const NOT_MODIFIED_REQUIRED_FIELDS: [&str; 6] = [
    "Cache-Control",
    "Content-Location",
    "Date",
    "ETag",
    "Expires",
    "Vary",
];

/// What a response does with a header field the caller would have sent in a 200.
///
/// # Examples
///
/// ```
/// use etagcore::{not_modified_field, FieldRule};
///
/// assert_eq!(not_modified_field(b"Vary", true), FieldRule::Required);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldRule {
    /// Must be sent if a 200 would send it.
    Required,
    /// Must not be sent (no content), or should not be (representation metadata).
    Omit,
    /// Not constrained: response metadata such as `Server`, `Set-Cookie` or `Age`.
    Allowed,
}

/// The rule of RFC 9110 section 15.4.5 for one header field of a 304 response, by
/// case-insensitive field name.
///
/// - The fields of [`NOT_MODIFIED_REQUIRED_FIELDS`] are [`FieldRule::Required`].
/// - `Last-Modified`: omitted when the response has an `ETag`, as representation metadata the
///   section says not to send; allowed without one, where it "might be useful" to guide the cache.
/// - Every other `Content-*` field, `Transfer-Encoding` and `Trailer`: [`FieldRule::Omit`]. A 304
///   has no content; `Content-Length` is only allowed when it equals the 200's, and omitting it
///   is always correct.
/// - Anything else: [`FieldRule::Allowed`].
///
/// # Examples
///
/// ```
/// use etagcore::{not_modified_field, FieldRule};
///
/// assert_eq!(not_modified_field(b"last-modified", true), FieldRule::Omit);
/// assert_eq!(not_modified_field(b"Last-Modified", false), FieldRule::Allowed);
/// assert_eq!(not_modified_field(b"Content-Type", false), FieldRule::Omit);
/// assert_eq!(not_modified_field(b"Server", false), FieldRule::Allowed);
/// ```
#[must_use]
pub fn not_modified_field(name: &[u8], has_etag: bool) -> FieldRule {
    let is = |known: &str| name.eq_ignore_ascii_case(known.as_bytes());
    if NOT_MODIFIED_REQUIRED_FIELDS.iter().any(|f| is(f)) {
        FieldRule::Required
    } else if is("Last-Modified") {
        if has_etag {
            FieldRule::Omit
        } else {
            FieldRule::Allowed
        }
    } else if name
        .get(..8)
        .is_some_and(|p| p.eq_ignore_ascii_case(b"Content-"))
        || is("Transfer-Encoding")
        || is("Trailer")
    {
        FieldRule::Omit
    } else {
        FieldRule::Allowed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_fields_in_any_case() {
        for name in NOT_MODIFIED_REQUIRED_FIELDS {
            for variant in [name.to_ascii_lowercase(), name.to_ascii_uppercase()] {
                let variant = variant.as_bytes();
                let mut buf = [0u8; 32];
                let copy = buf.get_mut(..variant.len()).expect("short names");
                copy.copy_from_slice(variant);
                assert_eq!(
                    not_modified_field(copy, true),
                    FieldRule::Required,
                    "{name}"
                );
                assert_eq!(
                    not_modified_field(copy, false),
                    FieldRule::Required,
                    "{name}"
                );
            }
        }
    }

    #[test]
    fn representation_metadata_is_omitted() {
        for name in [
            &b"Content-Length"[..],
            b"CONTENT-TYPE",
            b"content-encoding",
            b"Content-Range",
            b"Transfer-Encoding",
            b"trailer",
        ] {
            assert_eq!(
                not_modified_field(name, true),
                FieldRule::Omit,
                "{:?}",
                name.escape_ascii()
            );
        }
        assert_eq!(not_modified_field(b"Last-Modified", true), FieldRule::Omit);
        assert_eq!(
            not_modified_field(b"Last-Modified", false),
            FieldRule::Allowed
        );
        for name in [
            &b"Server"[..],
            b"Set-Cookie",
            b"Age",
            b"Accept-Ranges",
            b"Content",
            b"",
            b"Content-Location",
        ] {
            assert_ne!(
                not_modified_field(name, true),
                FieldRule::Omit,
                "{:?}",
                name.escape_ascii()
            );
        }
    }
}
