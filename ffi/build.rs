//! Gives the shared library the soname `libetagcore.so.<major>`, the name `make ffi` installs it
//! under, so programs linked against it record a stable, versioned dependency.

fn main() {
    let major = std::env::var("CARGO_PKG_VERSION_MAJOR").unwrap_or_else(|_| "0".to_owned());
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libetagcore.so.{major}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
