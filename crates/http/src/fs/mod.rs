//! Static files: content tags without per-request hashing.
