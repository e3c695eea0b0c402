//! Static files: content tags without per-request hashing.
//!
//! - [`ContentServeDir`]: tower-http's `ServeDir` with content ETags (XXH3-128 of each file's
//!   bytes, the digits `xxh128sum` prints, the same on every server of a farm whatever the
//!   files' mtimes and inodes), and the five conditional fields decided in RFC 9110's order
//!   before ServeDir opens a file: 304 and 412 cost a `stat` and a cache lookup.
//! - [`TagCache`]: the tags by path, length and mtime, each file hashed once per version on
//!   tokio's blocking pool, concurrent misses coalesced, bounded with LRU eviction.
//! - [`Manifest`]: tags computed at deploy time (`etagcore manifest`, `xxh128sum`), so that
//!   nothing is hashed while serving.
//!
//! # Examples
//!
//! ```no_run
//! use etagcore_http::fs::ContentServeDir;
//!
//! # fn main() -> Result<(), etagcore_http::fs::ManifestError> {
//! let service = ContentServeDir::new("/srv/www")
//!     .precompressed_gzip()
//!     .precompressed_br()
//!     .cache_capacity(50_000)
//!     .manifest_file("/srv/www.xxh128")?;
//! // axum: Router::new().fallback_service(service)
//! # let _ = service;
//! # Ok(())
//! # }
//! ```
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]

mod cache;
mod manifest;
mod resolve;
mod service;

pub use cache::TagCache;
pub use manifest::{LineError, Manifest, ManifestError};
pub use service::{ContentServeDir, ResponseBody, ResponseFuture};
