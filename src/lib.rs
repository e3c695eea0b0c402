//! # etagcore
//!
//! A small, `#![no_std]`, allocation-free core for HTTP conditional requests (RFC 9110):
//!
//! - **content ETags** ([`ContentTag`], [`ContentHasher`]): XXH3-128 of the bytes, so every server
//!   of a farm gives the same file the same tag, whatever its mtime or inode;
//! - **entity tags** ([`EntityTag`]): strict parsing, strong and weak comparison, formatting;
//! - **`If-Match` / `If-None-Match` lists** ([`Members`], [`list_matches`]) over one or several
//!   field lines;
//! - **HTTP-dates** ([`parse_http_date`], [`format_http_date`]) in all three formats;
//! - **the evaluation order of section 13.2.2** ([`evaluate`]): 200, 206, 304 or 412, and which
//!   header fields a 304 keeps ([`Decision::field_rule`]).
//!
//! Inputs are byte slices and results borrow from them; outputs go to fixed buffers. Nothing
//! allocates, nothing panics, nothing is `unsafe`.
//!
//! # Examples
//!
//! ```
//! use etagcore::{evaluate, ContentTag, Decision, Representation, Request};
//!
//! let body = b"<h1>hello</h1>";
//! let tag = ContentTag::of(body); // the same on every server
//! let current = Representation { etag: Some(tag.entity_tag()), last_modified: Some(1_445_412_480) };
//!
//! // A browser revalidating with the tag it got from any server of the farm:
//! let held: [&[u8]; 1] = [tag.as_bytes()];
//! let request = Request { if_none_match: &held, ..Request::default() };
//! assert_eq!(evaluate(&request, Some(&current), 1_767_225_600), Decision::NotModified);
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]

mod civil;
mod condition;
mod content;
mod date;
mod error;
mod etag;
mod list;
mod method;
mod not_modified;
mod precondition;
mod syntax;
mod variant;

pub use condition::{
    Representation, if_match, if_modified_since, if_none_match, if_range, if_unmodified_since,
};
pub use content::{CONTENT_TAG_LEN, ContentHasher, ContentTag, write_digest_tag};
pub use date::{IMF_FIXDATE_LEN, MAX_HTTP_DATE, MIN_HTTP_DATE, format_http_date, parse_http_date};
pub use error::Error;
pub use etag::{Comparison, EntityTag};
pub use list::{MAX_EMPTY_ELEMENTS, Member, Members, list_matches};
pub use method::Method;
pub use not_modified::{FieldRule, NOT_MODIFIED_REQUIRED_FIELDS, not_modified_field};
pub use precondition::{Decision, Request, evaluate};
pub use variant::Variant;
