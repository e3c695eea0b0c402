//! Gives the shared library a soname that changes whenever the ABI may break, the name
//! `make ffi` installs it under: `libetagcore.so.<major>` from 1.0 on, and
//! `libetagcore.so.0.<minor>` before (a 0.x minor release may break the ABI, as 0.2 did), so a
//! program linked against one ABI never loads another.

fn main() {
    let version = |part| std::env::var(part).unwrap_or_else(|_| "0".to_owned());
    let (major, minor) = (
        version("CARGO_PKG_VERSION_MAJOR"),
        version("CARGO_PKG_VERSION_MINOR"),
    );
    let soname = if major == "0" {
        format!("libetagcore.so.0.{minor}")
    } else {
        format!("libetagcore.so.{major}")
    };
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,{soname}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
