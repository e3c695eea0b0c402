//! Content ETags and RFC 9110 conditional requests for actix-web 4 and actix-files, on
//! [`etagcore`].
//!
//! - [`Checked`]: extractor for `PUT` / `PATCH` / `DELETE` that evaluates the conditions against
//!   the application's current tag *before* the handler runs.
//! - [`Conditions`], [`not_modified`], [`precondition_failed`], [`representation`]: the five
//!   conditional fields borrowed from actix-web's `HeaderMap`, and the 304 / 412 a decision
//!   calls for. The design is etagcore-http's, on actix-web's `http` 0.2 types.
//!
//! # Examples
//!
//! ```
//! use actix_web::test::TestRequest;
//! use etagcore::{ContentTag, Decision, Representation};
//! use etagcore_actix::Conditions;
//!
//! let tag = ContentTag::of(b"<h1>hello</h1>");
//! let req = TestRequest::get().insert_header(("if-none-match", tag.as_str())).to_http_request();
//! let current = Representation { etag: Some(tag.entity_tag()), last_modified: None };
//! let conditions = Conditions::new(req.method(), req.headers());
//! assert_eq!(conditions.evaluate(Some(&current), 1_767_225_600), Decision::NotModified);
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
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

mod checked;
mod conditions;
mod response;

pub use checked::{Checked, Current, CurrentTag, Refused, check};
pub use conditions::{Conditions, MAX_FIELD_LINES, unix_now};
pub use response::{
    TaggedEncoding, not_modified, precondition_failed, representation, weaken_etag,
};
