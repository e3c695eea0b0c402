//! Tower layers: content ETags for responses, and RFC 9110 conditions evaluated outermost.
//!
//! - [`ContentEtagLayer`] tags `GET` 200 responses with the strong content ETag of their bytes
//!   (the same on every server of a farm) and records which `Content-Encoding` those bytes had
//!   ([`TaggedEncoding`](crate::TaggedEncoding)).
//! - [`PreconditionLayer`] weakens that tag when the body was compressed after it was tagged,
//!   then answers 304 or 412 when the request's conditions call for it.
//!
//! # Order
//!
//! With tower-http's `CompressionLayer`, from the outside in:
//!
//! ```text
//!              request                                        response
//!   client ───────────────▶ PreconditionLayer ──────────────▶ 304 / 412, the body dropped unpolled,
//!                              │         ▲                    or the response as it is; ETag W/
//!                              │         │                    when Content-Encoding ≠ TaggedEncoding
//!                              ▼         │
//!                           CompressionLayer                  gzip, br...: Content-Encoding,
//!                              │         ▲                    Vary: accept-encoding; lazy: the
//!                              │         │                    compressor runs when the body is read
//!                              ▼         │
//!                           ContentEtagLayer                  reads and hashes the identity bytes:
//!                              │         ▲                    ETag "<32 hex>", TaggedEncoding(None)
//!                              ▼         │
//!                            your service
//! ```
//!
//! `ServiceBuilder::layer` calls list layers from the outside in; `Router::layer` calls in axum
//! wrap what is already there, so the last call is the outermost.
//!
//! What the client receives then:
//!
//! | response | `ETag` | revalidation (`If-None-Match` with that tag) |
//! |---|---|---|
//! | identity | `"<hex>"` | 304, with `Vary` |
//! | gzip on the fly | `W/"<hex>"`, the same digits | 304, with `Vary`; the compressor never runs |
//! | precompressed (the handler set `Content-Encoding`) | `"<hex of the encoded bytes>"` | 304 |
//!
//! Each wrong order breaks something (every one is tested in `tests/layers.rs`):
//!
//! | order, outside in | what goes wrong |
//! |---|---|
//! | Compression, Precondition, ContentEtag | the strong identity tag goes out on gzip bodies (RFC 9110 section 8.8.1); the 304 loses `Vary` (the compressor leaves an empty body alone, and adds `Vary` only to bodies it would compress); a compressor told to compress everything (`compress_when`) gzips the 304 |
//! | Precondition, ContentEtag, Compression | gzip bodies have no known size, so they are never tagged: no 304 for a client that accepts gzip, and the compressor runs for every request |
//! | ContentEtag, Precondition, Compression | the conditions are evaluated before there is a content tag: no 304 ever; gzip bodies are not tagged either |
//! | ContentEtag, Compression, Precondition | the same |
//! | Compression, ContentEtag, Precondition | no 304 ever, and the strong identity tag goes out on gzip bodies |
//!
//! In the right order the compressor never compresses for a 304 or a 412, but tower-http's
//! `CompressionLayer` builds its encoder as soon as the inner response arrives, before the
//! outer layer decides: for a gzip client that allocation is most of what a 304 costs (about
//! 11 µs against 3 µs for an identity client in `benches/layer.rs`). It is dropped unused.
//!
//! Without compression, [`PreconditionLayer`] outside [`ContentEtagLayer`] is all it takes.
//!
//! # Examples
//!
//! ```
//! use axum::{Router, body::Body, routing::get};
//! use etagcore_http::layer::{ContentEtagLayer, PreconditionLayer};
//! use http::Request;
//! use tower::{ServiceBuilder, ServiceExt};
//! use tower_http::compression::CompressionLayer;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let app = Router::new()
//!     .route("/", get(|| async { "<p>hello, world</p>\n".repeat(100) }))
//!     .layer(
//!         ServiceBuilder::new()
//!             .layer(PreconditionLayer::new()) // outermost: sees what the client receives
//!             .layer(CompressionLayer::new())
//!             .layer(ContentEtagLayer::new()), // innermost: hashes the identity bytes
//!     );
//! let get = |accept_encoding: &str, if_none_match: &str| {
//!     let request = Request::get("/").header("accept-encoding", accept_encoding);
//!     let request = match if_none_match {
//!         "" => request,
//!         tag => request.header("if-none-match", tag),
//!     };
//!     app.clone().oneshot(request.body(Body::empty()).unwrap())
//! };
//!
//! let identity = get("identity", "").await?;
//! let strong = identity.headers()["etag"].to_str()?.to_owned();
//! assert!(strong.starts_with('"'));
//!
//! let gzip = get("gzip", "").await?;
//! assert_eq!(gzip.headers()["content-encoding"], "gzip");
//! assert_eq!(gzip.headers()["etag"], format!("W/{strong}"));
//!
//! let revalidated = get("gzip", &format!("W/{strong}")).await?;
//! assert_eq!(revalidated.status(), 304);
//! assert_eq!(revalidated.headers()["vary"], "accept-encoding");
//! assert_eq!(get("identity", &strong).await?.status(), 304);
//! # Ok(())
//! # }
//! ```
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod body;
mod content_etag;
mod precondition;

pub use body::{ContentEtagBody, PreconditionBody};
pub use content_etag::{ContentEtag, ContentEtagFuture, ContentEtagLayer};
pub use precondition::{Precondition, PreconditionFuture, PreconditionLayer};
