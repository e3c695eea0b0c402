//! `-z defs`: the shared object must not leave any symbol undefined, so the panic handler's call
//! to a function that exists nowhere fails the link if the handler is still reachable.

fn main() {
    println!("cargo:rustc-cdylib-link-arg=-Wl,-z,defs");
    // A no_std cdylib is linked without libc, but the optimiser emits memcpy / bcmp calls.
    println!("cargo:rustc-cdylib-link-arg=-lc");
    println!("cargo:rerun-if-changed=build.rs");
}
