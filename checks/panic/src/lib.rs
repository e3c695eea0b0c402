//! Link-time proof that the shipped C ABI has no reachable panic.
//!
//! This `no_std` cdylib compiles the very sources of `ffi/src` (included by path, so nothing can
//! drift) together with the core, in its release profile: `panic = "abort"`, fat LTO, one
//! codegen unit. Every `#[no_mangle]` entry point is exported, so all of their code is kept. The
//! panic handler calls `etagcore_panic_path_reached`, which is defined nowhere, and `build.rs`
//! links with `-z defs`: if the optimiser cannot remove every panic (a bounds check, an
//! `unwrap`, an overflow check, a `copy_from_slice` length check...), the call survives and the
//! link fails with "undefined reference to `etagcore_panic_path_reached`".
//!
//! `make panic-check` builds it; CI runs it on every submission.
#![no_std]
#![allow(non_camel_case_types, dead_code)]

#[path = "../../../ffi/src/bytes.rs"]
mod bytes;
#[path = "../../../ffi/src/content.rs"]
mod content;
#[path = "../../../ffi/src/date.rs"]
mod date;
#[path = "../../../ffi/src/etag.rs"]
mod etag;
#[path = "../../../ffi/src/evaluate.rs"]
mod evaluate;
#[path = "../../../ffi/src/list.rs"]
mod list;
#[path = "../../../ffi/src/panic.rs"]
mod panic;
#[path = "../../../ffi/src/result.rs"]
mod result;
#[path = "../../../ffi/src/version.rs"]
mod version;

unsafe extern "C" {
    /// Defined nowhere, on purpose.
    fn etagcore_panic_path_reached() -> !;
}

#[panic_handler]
fn on_panic(_: &core::panic::PanicInfo<'_>) -> ! {
    // SAFETY: never actually called; if it were reachable, the link would already have failed.
    unsafe { etagcore_panic_path_reached() }
}
