//! `include/etagcore.h` is generated, never edited: this test regenerates it in memory with the
//! pinned cbindgen and fails when the committed file differs. `UPDATE_HEADER=1` rewrites it.

use std::path::{Path, PathBuf};

fn version_defines() -> String {
    let (major, minor, patch) = (
        env!("CARGO_PKG_VERSION_MAJOR"),
        env!("CARGO_PKG_VERSION_MINOR"),
        env!("CARGO_PKG_VERSION_PATCH"),
    );
    format!(
        "\n#define ETAGCORE_VERSION_MAJOR {major}\n\
         #define ETAGCORE_VERSION_MINOR {minor}\n\
         #define ETAGCORE_VERSION_PATCH {patch}\n\
         #define ETAGCORE_VERSION_STRING \"{}\"\n\
         /* One number for #if comparisons: 0xMMmmpp, e.g. 0.1.0 -> 0x000100. */\n\
         #define ETAGCORE_VERSION_NUMBER \\\n  \
         ((ETAGCORE_VERSION_MAJOR << 16) | (ETAGCORE_VERSION_MINOR << 8) | ETAGCORE_VERSION_PATCH)\n\n\
         /* The alignment etagcore_hasher needs, for the compilers that can express it. */\n\
         #if defined(_MSC_VER)\n\
         #define ETAGCORE_ALIGNED(n) __declspec(align(n))\n\
         #else\n\
         #define ETAGCORE_ALIGNED(n) __attribute__((aligned(n)))\n\
         #endif\n",
        env!("CARGO_PKG_VERSION"),
    )
}

fn generate() -> Vec<u8> {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut config =
        cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("ffi/cbindgen.toml");
    config.after_includes = Some(version_defines());
    let mut out = Vec::new();
    cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header")
        .write(&mut out);
    out
}

#[test]
fn committed_header_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../include/etagcore.h");
    let generated = generate();
    if std::env::var_os("UPDATE_HEADER").is_some_and(|v| v == "1") {
        std::fs::write(&path, &generated).expect("write include/etagcore.h");
        return;
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "include/etagcore.h is stale: run `UPDATE_HEADER=1 cargo test -p etagcore-ffi --test header` \
         and commit the result"
    );
}
