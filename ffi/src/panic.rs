//! The one panic guard every exported function runs inside.
//!
//! The core is built never to panic, and a link-time check proves it (`checks/panic/`); this guard
//! is the second line: a panic must not unwind across `extern "C"` (that aborts the process), so
//! it becomes a return value.
//!
//! Built with `panic = "abort"` there is no unwinding to catch, and the guard is a plain call:
//! that is how `checks/panic/` compiles these same sources without `std`.

use crate::result::etagcore_result;

/// Runs `body`, answering `on_panic` if it panics.
///
/// `AssertUnwindSafe` is sound here: the closures only read their arguments and write outputs
/// at the very end, so a panic leaves no half-updated state behind that a caller could observe.
#[cfg(panic = "unwind")]
pub fn guard<T>(on_panic: T, body: impl FnOnce() -> T) -> T {
    extern crate std;
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)).unwrap_or(on_panic)
}

/// Runs `body`: with `panic = "abort"` a panic never returns, so `on_panic` is never needed.
#[cfg(not(panic = "unwind"))]
pub fn guard<T>(on_panic: T, body: impl FnOnce() -> T) -> T {
    let _ = on_panic;
    body()
}

/// [`guard`] for the usual shape: `Ok(())` becomes `ETAGCORE_RESULT_OK`, `Err(code)` the code, a
/// panic `ETAGCORE_RESULT_PANIC`.
pub fn guard_result(body: impl FnOnce() -> Result<(), etagcore_result>) -> etagcore_result {
    guard(etagcore_result::Panic, || match body() {
        Ok(()) => etagcore_result::Ok,
        Err(code) => code,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_the_panic_code() {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {})); // keep the test output quiet
        let got = guard_result(|| panic!("planted"));
        std::panic::set_hook(previous);
        assert_eq!(got, etagcore_result::Panic);
        assert_eq!(
            guard_result(|| Err(etagcore_result::InvalidDate)),
            etagcore_result::InvalidDate
        );
        assert_eq!(guard_result(|| Ok(())), etagcore_result::Ok);
    }
}
