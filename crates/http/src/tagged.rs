//! Which bytes a response's ETag was computed from.

use http::HeaderValue;

/// A response extension set by whatever computed the response's `ETag` from its bytes: the
/// `Content-Encoding` those bytes had (`None`: the identity representation).
///
/// An outer layer that sees another `Content-Encoding` on the response than the one recorded
/// here knows the body was transformed after it was tagged (on-the-fly compression) and sends
/// the weak form of the tag (RFC 9110 section 8.8.1); a precompressed file, tagged from its own
/// encoded bytes, keeps its strong tag.
///
/// # Examples
///
/// ```
/// use etagcore_http::TaggedEncoding;
///
/// let mut response = http::Response::new(());
/// response.extensions_mut().insert(TaggedEncoding(Some("gzip".parse().unwrap())));
/// assert!(response.extensions().get::<TaggedEncoding>().is_some());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TaggedEncoding(pub Option<HeaderValue>);
