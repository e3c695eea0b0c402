//! Build-only proof that `etagcore` needs neither `std` nor `alloc`.
//!
//! This crate is `#![no_std]` and brings its own `#[panic_handler]`. If `etagcore`, or any of its
//! dependencies, pulled in `std` (for instance by turning on a dependency's `std` feature), `std`'s
//! panic handler would collide with this one and the build would fail with E0152. It is built by
//! `make nostd` in its own workspace's release profile (`panic = "abort"`), never tested.
#![no_std]

use core::panic::PanicInfo;

/// Calls into the core so that its code is compiled and linked into this staticlib.
#[unsafe(no_mangle)]
pub extern "C" fn etagcore_nostd_check(now: i64) -> u16 {
    let tag = etagcore::ContentTag::of(b"no_std");
    let current = etagcore::Representation {
        etag: Some(tag.entity_tag()),
        last_modified: Some(0),
    };
    let lines: [&[u8]; 1] = [tag.as_bytes()];
    let request = etagcore::Request {
        if_none_match: &lines,
        if_modified_since: &[b"Thu, 01 Jan 1970 00:00:00 GMT"],
        ..etagcore::Request::default()
    };
    etagcore::evaluate(&request, Some(&current), now).status()
}

#[panic_handler]
fn panic(_: &PanicInfo<'_>) -> ! {
    loop {}
}
