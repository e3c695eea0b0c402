//! Content ETags and RFC 9110 conditional requests for actix-web 4 and actix-files, on
//! [`etagcore`].
//!
//! - [`ContentEtag`]: middleware that gives `GET` 200 responses the strong content tag of their
//!   bytes (XXH3-128, the same on every server of a farm) and answers 304 / 412.
//! - [`Preconditions`]: the same evaluation outermost, outside actix-web's `Compress`, with
//!   `W/"<same hex>"` for bodies compressed on the fly.
//! - [`fs`]: static files with content tags from a shared cache, hashed once per file version
//!   off the event loop ([`fs::TagCache`], [`fs::TaggedFiles`], [`fs::TaggedFile`]).
//! - [`Checked`]: extractor for `PUT` / `PATCH` / `DELETE` that evaluates the conditions against
//!   the application's current tag *before* the handler runs.
//! - [`Conditions`], [`not_modified`], [`precondition_failed`], [`representation`]: the parts,
//!   for handlers that decide themselves. The design is etagcore-http's, on actix-web's `http`
//!   0.2 types.
//!
//! # Examples
//!
//! ```
//! use actix_web::{App, middleware::Compress, test, web};
//! use etagcore_actix::{ContentEtag, Preconditions};
//!
//! # actix_web::rt::System::new().block_on(async {
//! let app = test::init_service(
//!     App::new()
//!         .wrap(ContentEtag::new())
//!         .wrap(Compress::default())
//!         .wrap(Preconditions::new())
//!         .route("/", web::get().to(|| async { "hello, farm" })),
//! )
//! .await;
//! let res = test::call_service(&app, test::TestRequest::get().uri("/").to_request()).await;
//! let etag = res.headers().get("etag").unwrap().clone();
//! assert_eq!(etag, etagcore::ContentTag::of(b"hello, farm").as_str());
//!
//! let again = test::TestRequest::get().uri("/").insert_header(("if-none-match", etag)).to_request();
//! assert_eq!(test::call_service(&app, again).await.status(), 304);
//! # });
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
pub mod fs;
mod middleware;
mod response;

pub use checked::{Checked, Current, CurrentTag, Refused, check};
pub use conditions::{Conditions, MAX_FIELD_LINES, unix_now};
pub use middleware::{
    ContentEtag, ContentEtagFuture, ContentEtagMiddleware, DEFAULT_LIMIT, Preconditions,
    PreconditionsFuture, PreconditionsMiddleware,
};
pub use response::{
    TaggedEncoding, not_modified, precondition_failed, representation, weaken_etag,
};
