//! # etagcore-ffi: the C ABI of etagcore
//!
//! Builds `libetagcore.a` and `libetagcore.so`; `include/etagcore.h` is generated from this crate
//! by cbindgen. Conventions (after rustls-ffi):
//!
//! - Every symbol starts with `etagcore_`; functions read `etagcore_<noun>_<verb>`.
//! - Fallible functions return an [`etagcore_result`]; `ETAGCORE_RESULT_OK` is 0 and every code
//!   keeps its number forever.
//! - Byte strings enter as `(const uint8_t *ptr, size_t len)`: `(NULL, 0)` is the empty string,
//!   `NULL` with `len > 0` is `ETAGCORE_RESULT_NULL_PARAMETER`, checked before any byte is read.
//! - Outputs are `(uint8_t *out, size_t out_cap, size_t *out_len)`, written only on success and
//!   never past `out_cap`; the sizes needed are `#define`d (`ETAGCORE_HTTP_DATE_LEN`, ...).
//! - Every exported body runs inside one panic guard ([`panic::guard`]) and answers
//!   `ETAGCORE_RESULT_PANIC` instead of unwinding into C.
//! - Nothing allocates and nothing keeps state between calls: every function is reentrant and
//!   thread-safe; an `etagcore_hasher` belongs to whoever owns its storage.
#![allow(non_camel_case_types)] // C type names: etagcore_result, etagcore_bytes, ...

mod bytes;
mod content;
mod date;
mod etag;
mod evaluate;
mod list;
pub mod panic;
mod result;
mod version;

pub use bytes::{ETAGCORE_MAX_FIELD_LINES, etagcore_bytes, etagcore_field};
pub use content::{
    ETAGCORE_CONTENT_TAG_LEN, ETAGCORE_CONTENT_TAG_WEAK_LEN, ETAGCORE_HASHER_ALIGN,
    ETAGCORE_HASHER_SIZE, etagcore_content_tag_compute, etagcore_digest_tag_format,
    etagcore_hasher, etagcore_hasher_finish, etagcore_hasher_init, etagcore_hasher_update,
};
pub use date::{ETAGCORE_HTTP_DATE_LEN, etagcore_http_date_format, etagcore_http_date_parse};
pub use etag::{
    etagcore_comparison, etagcore_entity_tag, etagcore_entity_tag_compare,
    etagcore_entity_tag_format, etagcore_entity_tag_parse,
};
pub use evaluate::{
    etagcore_decision, etagcore_decision_field_rule, etagcore_field_rule, etagcore_representation,
    etagcore_request, etagcore_request_evaluate,
};
pub use list::etagcore_list_match;
pub use result::{etagcore_result, etagcore_result_str};
pub use version::etagcore_version;
