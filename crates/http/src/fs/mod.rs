//! Static files: content tags without per-request hashing.
//!
//! - [`TagCache`]: the tags by path, length and mtime, each file hashed once per version on
//!   tokio's blocking pool, concurrent misses coalesced, bounded with LRU eviction.
//! - [`Manifest`]: tags computed at deploy time (`etagcore manifest`, `xxh128sum`), so that
//!   nothing is hashed while serving.
//!
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

pub use cache::TagCache;
pub use manifest::{LineError, Manifest, ManifestError};
