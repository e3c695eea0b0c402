//! Content ETags and RFC 9110 conditional requests for servers built on the `http` crate
//! (hyper, axum, tower), on [`etagcore`].
//!
//! - [`Conditions`]: the five conditional fields of a request, borrowed from its
//!   [`HeaderMap`](http::HeaderMap) without allocating, evaluated by etagcore in the order of
//!   RFC 9110 section 13.2.2.
//! - [`not_modified`] and [`precondition_failed`]: the 304 (with the header fields section 15.4.5
//!   keeps) and the 412 a decision calls for.
//! - [`representation`]: the validators of a response, read back from its headers.
//! - [`guard`]: `PUT` / `PATCH` / `DELETE` checked against the application's current tag before
//!   the write (a response layer would be too late); `examples/put.rs` is an axum endpoint.
//!
//! # Examples
//!
//! ```
//! use etagcore::{ContentTag, Decision, Representation};
//! use etagcore_http::Conditions;
//! use http::{HeaderMap, HeaderValue, Method};
//!
//! let tag = ContentTag::of(b"<h1>hello</h1>");
//! let mut headers = HeaderMap::new();
//! headers.append("if-none-match", HeaderValue::from_str(tag.as_str()).unwrap());
//!
//! let conditions = Conditions::new(&Method::GET, &headers);
//! let current = Representation { etag: Some(tag.entity_tag()), last_modified: None };
//! assert_eq!(conditions.evaluate(Some(&current), 1_767_225_600), Decision::NotModified);
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod conditions;
mod guard;
mod response;
mod tagged;

#[cfg(feature = "fs")]
pub mod fs;
#[cfg(feature = "tower")]
pub mod layer;

pub use conditions::{Conditions, MAX_FIELD_LINES, unix_now};
pub use guard::{Refused, guard, guard_at};
pub use response::{not_modified, precondition_failed, representation};
pub use tagged::TaggedEncoding;
